"""A listener's subscriptions in and out as OPML: our feed URLs become subscriptions, other
podcasts are listed, and hostile or broken files get a message, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from lxml import etree

from ting.accounts.models import User
from ting.catalog.models import Anchor, Visibility
from ting.catalog.tests.factories import make_album
from ting.feeds.services import feed_token_create, feed_token_revoke
from ting.social.models import Subscription
from ting.social.services.library import album_subscribe

pytestmark = pytest.mark.django_db
Bearer = Callable[..., dict[str, str]]


def _opml(*urls: str, encoding: str = "UTF-8") -> bytes:
    outlines = "".join(
        f'<outline type="rss" text="播客{i}" xmlUrl="{u}"/>' for i, u in enumerate(urls)
    )
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?><opml version="2.0"><head><title>我的訂閱'
        f'</title></head><body><outline text="文件夾">{outlines}</outline></body></opml>'
    )
    return text.encode(encoding)


def _upload(client: Client, data: bytes, headers: dict[str, str] | None = None) -> object:
    upload = SimpleUploadedFile("subs.opml", data, content_type="text/x-opml")
    return client.post("/api/v1/me/opml", {"file": upload}, headers=headers or {})


def test_our_feed_urls_become_subscriptions_and_others_are_listed(
    client: Client, listener: User, anchor: Anchor, bearer: Bearer
) -> None:
    public = make_album(anchor=anchor, title="公开专辑")
    unlisted = make_album(anchor=anchor, visibility=Visibility.UNLISTED)
    private = make_album(anchor=anchor, visibility=Visibility.PRIVATE)
    link = feed_token_create(album=unlisted)
    revoked = feed_token_create(album=unlisted)
    feed_token_revoke(album=unlisted, token_id=revoked.pk)
    hidden = feed_token_create(album=private)
    data = _opml(
        f"http://testserver/feeds/album/{public.pk}.xml",
        f"https://testserver/feeds/private/{link.token}.xml",
        f"http://testserver/feeds/private/{hidden.token}.xml",
        f"http://testserver/feeds/private/{revoked.token}.xml",
        f"https://elsewhere.example/feeds/album/{public.pk}.xml",
        "https://feeds.example.com/other.xml",
    )
    response = _upload(client, data, bearer(listener, "write"))
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert {a["id"] for a in body["subscribed"]} == {public.pk, unlisted.pk}
    assert len(body["unavailable"]) == 1
    assert [f["url"] for f in body["not_on_ting"]] == [
        f"http://testserver/feeds/private/{revoked.token}.xml",
        f"https://elsewhere.example/feeds/album/{public.pk}.xml",
        "https://feeds.example.com/other.xml",
    ]
    assert body["may_import"] is False
    assert set(Subscription.objects.filter(user=listener).values_list("album", flat=True)) == {
        public.pk,
        unlisted.pk,
    }
    again = _upload(client, data, bearer(listener, "write"))
    assert again.status_code == 200 and Subscription.objects.count() == 2  # type: ignore[attr-defined]


def test_the_export_lists_public_feeds_and_imports_back(
    client: Client, listener: User, anchor: Anchor, bearer: Bearer
) -> None:
    shown = make_album(anchor=anchor, title="科技早知道")
    unlisted = make_album(anchor=anchor, visibility=Visibility.UNLISTED)
    for album in (shown, unlisted):
        album_subscribe(user=listener, album=album)
    response = client.get("/api/v1/me/opml", headers=bearer(listener))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/x-opml")
    outlines = etree.fromstring(response.content).findall("body/outline")
    assert [(o.get("title"), o.get("xmlUrl")) for o in outlines] == [
        ("科技早知道", f"http://testserver/feeds/album/{shown.pk}.xml")
    ]
    Subscription.objects.all().delete()
    assert _upload(client, response.content, bearer(listener, "write")).status_code == 200  # type: ignore[attr-defined]
    assert list(Subscription.objects.values_list("album", flat=True)) == [shown.pk]


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://a.example/f.xml"/></body></opml>"""
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b']><opml version="2.0"><body><outline text="&lol9;" xmlUrl="https://a.example/f"/>'
    + b"</body></opml>"
)
MANY = (
    b'<opml version="2.0"><body>'
    + b"".join(b'<outline xmlUrl="https://e.example/%d.xml"/>' % n for n in range(5_000))
    + b"</body></opml>"
)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (XXE, "unsafe"),
        (LAUGHS, "unsafe"),
        (b"<opml><body><outline", "malformed"),
        (b"\x00\xff\xfe garbage", "malformed"),
        (b"<rss version='2.0'><channel/></rss>", "not_opml"),
        (b"   ", "empty"),
        (b'<opml version="2.0"><body><outline text="x"/></body></opml>', "no_feeds"),
        (MANY, "too_many"),
        (b"<opml>" + b" " * (2 * 1024 * 1024) + b"</opml>", "too_large"),
    ],
    ids=["xxe", "billion-laughs", "truncated", "binary", "rss", "empty", "folders", "5000", "huge"],
)
def test_a_hostile_or_broken_file_gets_a_clear_message(
    client: Client, listener: User, bearer: Bearer, data: bytes, code: str
) -> None:
    response = _upload(client, data, bearer(listener, "write"))
    assert response.status_code == 400, response.content  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == code and error["message"]
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("encoding", ["GBK", "Big5", "UTF-16"])
def test_chinese_encodings_are_read(
    client: Client, listener: User, anchor: Anchor, bearer: Bearer, encoding: str
) -> None:
    album = make_album(anchor=anchor)
    data = _opml(f"http://testserver/feeds/album/{album.pk}.xml", encoding=encoding)
    response = _upload(client, data, bearer(listener, "write"))
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    assert [a["id"] for a in response.json()["subscribed"]] == [album.pk]  # type: ignore[attr-defined]


def test_a_read_token_cannot_import(client: Client, listener: User, bearer: Bearer) -> None:
    response = _upload(client, _opml("https://e.example/a.xml"), bearer(listener, "read"))
    assert response.status_code == 403  # type: ignore[attr-defined]


def test_the_account_page_imports_and_offers_anchors_the_feed_import(
    anchor: Anchor, listener: User
) -> None:
    album = make_album(anchor=anchor, title="我的专辑")
    data = _opml(f"http://testserver/feeds/album/{album.pk}.xml", "https://e.example/mine.xml")
    as_listener = Client()
    as_listener.force_login(listener)
    page = as_listener.post(
        "/api/subscriptions/opml/", {"file": SimpleUploadedFile("s.opml", data)}
    ).content.decode()
    assert "我的专辑" in page and "https://e.example/mine.xml" in page
    assert "/feeds/studio/import/" not in page
    as_anchor = Client()
    as_anchor.force_login(anchor.user)
    page = as_anchor.post(
        "/api/subscriptions/opml/", {"file": SimpleUploadedFile("s.opml", data)}
    ).content.decode()
    assert "/feeds/studio/import/" in page
    broken = as_listener.post(
        "/api/subscriptions/opml/", {"file": SimpleUploadedFile("s.opml", XXE)}
    )
    assert broken.status_code == 400 and "DTD" in broken.content.decode()
    export = as_listener.get("/api/subscriptions/opml/export/")
    assert export.status_code == 200 and b"/feeds/album/" in export.content


@pytest.mark.parametrize("albums", [1, 6])
def test_an_import_matches_urls_in_a_fixed_number_of_queries(
    client: Client,
    listener: User,
    anchor: Anchor,
    bearer: Bearer,
    albums: int,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    ids = [make_album(anchor=anchor).pk for _ in range(albums)]
    link = feed_token_create(album=make_album(anchor=anchor, visibility=Visibility.UNLISTED))
    urls = [f"http://testserver/feeds/album/{pk}.xml" for pk in ids]
    data = _opml(*urls, f"http://testserver/feeds/private/{link.token}.xml", "https://e.x/a.xml")
    headers = bearer(listener, "write")
    client.get("/api/v1/me", headers=headers)  # the token's first use writes last_used_at
    # Seven whatever the file holds (token, the import's savepoint pair, albums by id, links by
    # token, which the listener may open, the anchor check), then a savepoint pair and an
    # insert per album subscribed: no query per URL.
    with django_assert_num_queries(7 + 3 * (albums + 1)):
        assert _upload(client, data, headers).status_code == 200  # type: ignore[attr-defined]
