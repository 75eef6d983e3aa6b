"""Every field people write, filled with XSS payloads, is inert everywhere it is shown.

The fields: anchor display names and bios, album and track titles and intros, comments, report
notes, tags, category names (the admin writes them), feed token labels and import messages. The
values are stored raw, past every form and service, so a page must be safe at render time
whatever a future write path lets through. Imported feed fields and audio file tags end up in the
same album and track fields (ting/feeds/tests/test_feed_xss.py and the media tests check the way
in).

Each payload builds one world (module scope); each test reads one family of outputs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest
from django.core import mail
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from tests.security.inert import assert_inert_html, assert_inert_json, assert_inert_xml
from tests.security.world import with_audio
from ting.accounts.models import User
from ting.catalog.models import Album, Anchor, Category, Tag, Track
from ting.catalog.tests.factories import make_album, make_anchor, make_track, make_user
from ting.discovery import index
from ting.feeds.models import FeedImport, FeedToken
from ting.social.models import (
    Comment,
    CommentReport,
    Follow,
    ListenLater,
    Notification,
    Preference,
    Subscription,
    TrackLike,
)
from ting.social.services.notifications import send_digests
from ting.social.text import body_key

PAYLOADS = {
    "script": '<script>alert("xss")</script>',
    "img-onerror": '<img src=x onerror=alert("xss")>',
    "attribute-breakout": '"><svg onload=alert(1)>',
    "single-quote-breakout": "' onmouseover='alert(1)' x='",
    "javascript-url": 'javascript:alert(1)//<a href="javascript:alert(1)">点我</a>',
    "svg": "<svg><script>alert(1)</script><animate onbegin=alert(1) attributeName=x></svg>",
    "broken-markup": "</title></textarea></script><script>alert(1)</script><!--",
    "css": '<div style="width:expression(alert(1));background:url(javascript:alert(1))">x</div>',
    "template": '{{ "tingxss"|upper }}{% debug %}${"tingxss".toUpperCase()}',
    "data-url": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "entities": "&lt;script&gt;alert(1)&lt;/script&gt;&#60;img src=x onerror=alert(1)&#62;",
}


@dataclass
class XssWorld:
    payload: str
    anchor: Anchor
    listener: User
    staff: User
    album: Album
    track: Track
    comment: Comment
    category: Category
    feed_token: FeedToken
    feed_import: FeedImport

    def client(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


def fit(payload: str, length: int) -> str:
    return payload[:length]


def build(payload: str) -> XssWorld:
    category = Category.objects.create(
        slug="xss",
        name_zh_hans=fit(payload, 40),
        name_zh_hant=fit(payload, 40),
        name_en=fit(payload, 60),
    )
    anchor = make_anchor(
        user=make_user(username="xss-owner"), display_name=fit(payload, 60), bio=payload
    )
    album = make_album(anchor=anchor, category=category, title=fit(payload, 120), intro=payload)
    tag = Tag.objects.create(name=fit(payload, 30), key="xss")
    album.tags.add(tag)
    track = with_audio(make_track(album=album, title=fit(payload, 200), intro=payload))
    listener = make_user(username="xss-listener")
    staff = make_user(username="xss-staff", is_staff=True, is_superuser=True)
    comment = Comment.objects.create(
        track=track, author=listener, body=payload, body_key=body_key(payload)[:64]
    )
    Comment.objects.create(
        track=track, author=anchor.user, parent=comment, body=payload, body_key="reply"
    )
    CommentReport.objects.create(
        comment=comment, reporter=staff, reason=CommentReport.Reason.OTHER, note=payload[:300]
    )
    Follow.objects.create(user=listener, anchor=anchor)
    Subscription.objects.create(user=listener, album=album)
    TrackLike.objects.create(user=listener, track=track)
    ListenLater.objects.create(user=listener, track=track)
    Notification.objects.create(user=listener, kind=Notification.Kind.NEW_TRACK, track=track)
    Notification.objects.create(
        user=listener,
        kind=Notification.Kind.ANCHOR_REPLY,
        comment=comment,
        track=track,
        actor=anchor.user,
    )
    Preference.objects.create(user=listener, email_digest=True)
    feed_token = FeedToken.objects.create(album=album, label=fit(payload, 60))
    feed_import = FeedImport.objects.create(
        anchor=anchor,
        album=album,
        url="https://podcasts.example.com/feed.xml",
        status=FeedImport.Status.FAILED,
        message=payload,
    )
    index.index_tracks([track.pk])
    index.index_albums([album.pk])
    index.index_anchors([anchor.pk])
    return XssWorld(
        payload, anchor, listener, staff, album, track, comment, category, feed_token, feed_import
    )


@pytest.fixture(scope="module", params=list(PAYLOADS), ids=list(PAYLOADS))
def xss(
    request: pytest.FixtureRequest,
    django_db_setup: None,
    django_db_blocker: Any,
    security_media: Path,
) -> Iterator[XssWorld]:
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=security_media),
        transaction.atomic(),
    ):
        yield build(PAYLOADS[request.param])
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert response["Content-Type"].startswith("text/html"), url
    return response.content.decode()


def test_public_pages_show_the_payload_as_text(xss: XssWorld) -> None:
    client = xss.client(None)
    urls = [
        reverse("home"),
        reverse("category", args=[xss.category.slug]),
        reverse("album", args=[xss.album.pk]),
        reverse("anchor", args=[xss.anchor.pk]),
        reverse("track", args=[xss.track.pk]),
        reverse("social:track_comments", args=[xss.track.pk]),
        reverse("social:replies", args=[xss.comment.pk]),
        reverse("discovery:search") + "?q=" + quote(xss.payload[:60]),
        reverse("discovery:search") + "?q=" + quote(xss.track.title[:20]),
        reverse("accounts:login") + "?next=" + quote(xss.payload),
    ]
    for url in urls:
        assert_inert_html(page(client, url), url)
    # The payload is on the page, as text: the checks above looked at the right place.
    shown = lxml.html.document_fromstring(page(client, reverse("track", args=[xss.track.pk])))
    assert xss.track.title in shown.text_content()
    # The not-found page may echo the path it could not find.
    missing = client.get("/nothing-here/" + quote(xss.payload))
    assert missing.status_code == 404
    assert_inert_html(missing.content.decode(), "404 page")


def test_suggestions_are_json_or_inert_html(xss: XssWorld) -> None:
    response = xss.client(None).get(
        reverse("discovery:suggest") + "?q=" + quote(xss.track.title[:10])
    )
    assert response.status_code == 200
    if response["Content-Type"].startswith("application/json"):
        assert_inert_json(response.content, response["Content-Type"], "suggest")
    else:
        assert_inert_html(response.content.decode(), "suggest", fragment=True)


def test_embeds_and_oembed_are_inert(xss: XssWorld) -> None:
    client = xss.client(None)
    for url in (
        reverse("playback:embed_track", args=[xss.track.pk]),
        reverse("playback:embed_album", args=[xss.album.pk]),
    ):
        assert_inert_html(page(client, url), url)
    for target in (reverse("track", args=[xss.track.pk]), reverse("album", args=[xss.album.pk])):
        response = client.get(reverse("playback:oembed") + "?url=http://testserver" + target)
        assert response.status_code == 200
        data = assert_inert_json(response.content, response["Content-Type"], "oembed")
        assert_inert_html(data["html"], "oembed html", fragment=True)
        assert data["title"] == xss.track.title or data["title"] == xss.album.title


def test_player_json_and_chapters_are_json(xss: XssWorld) -> None:
    client = xss.client(None)
    for url in (
        reverse("playback:player_data", args=[xss.track.pk]),
        reverse("feeds:chapters", args=[xss.track.pk]),
    ):
        response = client.get(url)
        if response.status_code == 404:
            continue  # a track without chapters has no chapters document
        assert response.status_code == 200, url
        assert_inert_json(response.content, response["Content-Type"], url)


def test_feeds_stay_well_formed_xml_with_sanitised_html(xss: XssWorld) -> None:
    client = xss.client(None)
    for url in (
        reverse("feeds:album", args=[xss.album.pk]),
        reverse("feeds:private_album", args=[xss.feed_token.token]),
        reverse("feeds:anchor_opml", args=[xss.anchor.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        assert_inert_xml(content, url)


def test_the_api_answers_json(xss: XssWorld) -> None:
    client = xss.client(xss.anchor.user)
    for path in (
        "albums",
        f"albums/{xss.album.pk}",
        f"albums/{xss.album.pk}/tracks",
        f"tracks/{xss.track.pk}",
        f"anchors/{xss.anchor.pk}",
        f"anchors/{xss.anchor.pk}/albums",
        "categories",
        "studio/albums",
        f"studio/albums/{xss.album.pk}/tracks",
        f"tracks/{xss.track.pk}/comments",
        f"albums/{xss.album.pk}/comments",
        f"comments/{xss.comment.pk}/replies",
        "search?q=" + quote(xss.track.title[:20]),
        "search/hot",
        "me/subscriptions",
    ):
        response = client.get(f"/api/v1/{path}")
        assert response.status_code == 200, path
        assert_inert_json(response.content, response["Content-Type"], path)
        assert response["X-Content-Type-Options"] == "nosniff"


def test_studio_and_stats_pages_are_inert(xss: XssWorld) -> None:
    client = xss.client(xss.anchor.user)
    urls = [
        reverse("studio:dashboard"),
        reverse("studio:album", args=[xss.album.pk]),
        reverse("studio:album_edit", args=[xss.album.pk]),
        reverse("studio:track", args=[xss.track.pk]),
        reverse("feeds:studio_album_feeds", args=[xss.album.pk]),
        reverse("feeds:studio_import"),
        reverse("feeds:studio_import_detail", args=[xss.feed_import.pk]),
        reverse("stats:anchor"),
        reverse("stats:album", args=[xss.album.pk]),
        reverse("stats:track", args=[xss.track.pk]),
        reverse("api_pages:tokens"),
    ]
    for url in urls:
        assert_inert_html(page(client, url), url)


def test_a_listeners_pages_and_notifications_are_inert(xss: XssWorld) -> None:
    client = xss.client(xss.listener)
    for name in ("likes", "later", "subscriptions", "following", "history", "notifications"):
        url = reverse(f"social:{name}")
        assert_inert_html(page(client, url), url)
    export = client.get(reverse("social:export"))
    assert_inert_json(export.content, export["Content-Type"], "export")


def test_the_moderation_queue_is_inert(xss: XssWorld) -> None:
    url = reverse("social:moderation")
    assert_inert_html(page(xss.client(xss.staff), url), url)


ADMIN_MODELS = [
    ("catalog", "anchor", "anchor"),
    ("catalog", "album", "album"),
    ("catalog", "track", "track"),
    ("catalog", "category", "category"),
    ("catalog", "tag", None),
    ("social", "comment", "comment"),
    ("feeds", "feedimport", "feed_import"),
]


def test_admin_lists_and_forms_are_inert(xss: XssWorld) -> None:
    client = xss.client(xss.staff)
    for app, model, attribute in ADMIN_MODELS:
        url = f"/admin/{app}/{model}/"
        assert_inert_html(page(client, url), url)
        if attribute is not None:
            obj = getattr(xss, attribute)
            change = f"{url}{obj.pk}/change/"
            assert_inert_html(page(client, change), change)


def test_the_digest_email_is_plain_text_with_a_clean_subject(xss: XssWorld) -> None:
    mail.outbox.clear()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        send_digests()
    assert mail.outbox, "the listener asked for a digest"
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                assert_inert_html(str(content), "e-mail")
