"""The public pages: what they show, who may see them, and how many queries they cost."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track, Visibility
from ting.catalog.tests.factories import make_album, make_category, make_track

pytestmark = pytest.mark.django_db


def without_csrf(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def zh_hant(client: Client) -> Client:
    client.cookies["ting_language"] = "zh-hant"
    return client


def test_the_track_page_shows_the_seed_header_block(client: Client, anchor: Anchor) -> None:
    track = make_track(
        album__anchor=anchor,
        title="泄密小米汽车保密拍摄内容",
        duration=224,
        intro="<p>近日，网络上出现了</p>",
    )
    anchor.follower_count = 113_000
    anchor.play_count = 2_134_000
    anchor.save()
    page = zh_hant(client).get(reverse("track", args=[track.pk])).content.decode()
    assert "洩密小米汽車保密拍攝內容" in page  # Taiwan standard writes 洩
    assert "03:44" in page
    assert "近日，網路上出現了" in page
    assert "11.3萬" in page
    assert "213.4萬" in page
    assert track.published_at is not None


def test_the_language_comes_from_accept_language_when_no_cookie(client: Client) -> None:
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in page


def test_the_url_does_not_change_with_the_language(client: Client) -> None:
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/"}, HTTP_REFERER="/"
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.cookies["ting_language"].value == "en"


def test_rich_text_is_rendered_inert(client: Client, anchor: Anchor) -> None:
    track = make_track(album__anchor=anchor)
    Track.objects.filter(pk=track.pk).update(intro='<p>ok</p><script>alert("x")</script>')
    page = client.get(reverse("track", args=[track.pk])).content.decode()
    assert "<p>ok</p>" in page
    assert 'alert("x")' not in page


@pytest.mark.parametrize(
    "hidden",
    [
        {"status": Track.Status.DRAFT, "published_at": None},
        {"status": Track.Status.FAILED, "published_at": None},
        {"visibility": Visibility.PRIVATE},
        {"album__visibility": Visibility.PRIVATE},
    ],
)
def test_hidden_tracks_look_missing_to_strangers(
    client: Client, anchor: Anchor, stranger: User, hidden: dict[str, Any]
) -> None:
    track = make_track(album__anchor=anchor, **hidden)
    client.force_login(stranger)
    response = client.get(reverse("track", args=[track.pk]))
    missing = client.get(reverse("track", args=[track.pk + 1000]))
    assert response.status_code == missing.status_code == 404
    # Same page, byte for byte, once the per-request token and the requested path are set aside.
    hidden_page = without_csrf(response.content).replace(f"/track/{track.pk}/".encode(), b"")
    missing_page = without_csrf(missing.content).replace(f"/track/{track.pk + 1000}/".encode(), b"")
    assert hidden_page == missing_page


def test_the_anchor_sees_their_own_draft(client: Client, anchor: Anchor) -> None:
    track = make_track(album__anchor=anchor, status=Track.Status.DRAFT, published_at=None)
    client.force_login(anchor.user)
    assert client.get(reverse("track", args=[track.pk])).status_code == 200


def test_the_album_page_paginates_and_sorts_its_tracks(client: Client, anchor: Anchor) -> None:
    album = make_album(anchor=anchor)
    for position in range(1, 26):
        make_track(album=album, position=position, title=f"第{position}集")
    page = client.get(reverse("album", args=[album.pk]), {"sort": "desc"}).content.decode()
    assert page.index("第25集") < page.index("第24集")
    assert "第5集" not in page
    second = client.get(reverse("album", args=[album.pk]), {"sort": "desc", "page": "2"})
    assert "第5集" in second.content.decode()


def test_an_unknown_category_is_a_styled_404(client: Client) -> None:
    response = client.get("/category/nothing-here/")
    assert response.status_code == 404
    assert "404" in response.content.decode()


def test_the_category_page_lists_its_albums(client: Client, anchor: Anchor) -> None:
    category = make_category(slug="tech")
    make_track(album__anchor=anchor, album__category=category, album__title="科技早知道")
    page = client.get(reverse("category", args=["tech"])).content.decode()
    assert "科技早知道" in page


def _catalog(anchor: Anchor, tracks: int) -> Track:
    album = make_album(anchor=anchor)
    created = [make_track(album=album) for _ in range(tracks)]
    return created[0]


@pytest.mark.parametrize("tracks", [3, 30])
def test_the_track_page_query_count_does_not_grow(
    client: Client, anchor: Anchor, tracks: int, django_assert_num_queries: Any
) -> None:
    track = _catalog(anchor, tracks)
    # The track with its album and anchor; the album strip; the audio and its renditions;
    # 猜你喜歡 with a cold cache: the category's shared block (an id without rows, then the
    # category's ranking), then, this track being in that ranking, its own block (its rows,
    # none yet, and its picks). A track outside the ranking needs one query there instead
    # (ting/discovery/tests/test_related_block.py).
    with django_assert_num_queries(7):
        assert client.get(reverse("track", args=[track.pk])).status_code == 200
    # Again: an anonymous reader's 猜你喜歡 block now comes from the cache.
    with django_assert_num_queries(3):
        assert client.get(reverse("track", args=[track.pk])).status_code == 200


@pytest.mark.parametrize("tracks", [3, 30])
def test_the_album_page_query_count_does_not_grow(
    client: Client, anchor: Anchor, tracks: int, django_assert_num_queries: Any
) -> None:
    track = _catalog(anchor, tracks)
    # Album with anchor; track count; one page of tracks; related albums (猜你喜歡).
    with django_assert_num_queries(4):
        assert client.get(reverse("album", args=[track.album_id])).status_code == 200


@pytest.mark.parametrize("tracks", [3, 30])
def test_the_anchor_page_query_count_does_not_grow(
    client: Client, anchor: Anchor, tracks: int, django_assert_num_queries: Any
) -> None:
    _catalog(anchor, tracks)
    with django_assert_num_queries(4):  # anchor; albums; track count; one page of tracks
        assert client.get(reverse("anchor", args=[anchor.pk])).status_code == 200


@pytest.mark.parametrize("tracks", [3, 30])
def test_the_home_page_query_count_does_not_grow(
    client: Client, anchor: Anchor, tracks: int, django_assert_num_queries: Any
) -> None:
    _catalog(anchor, tracks)
    with django_assert_num_queries(4):  # categories; newest albums; popular albums; new tracks
        assert client.get(reverse("home")).status_code == 200
