"""Albums in the studio: who may enter, create, edit, cover, delete, and nobody else's."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from ting.accounts.models import User
from ting.catalog.models import Album, Anchor, Track
from ting.catalog.tests.factories import make_album, make_anchor, make_category, make_track

pytestmark = pytest.mark.django_db


def _album_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "三体：地球往事",
        "intro": "<p>第一部。</p><script>alert(1)</script>",
        "category": "",
        "tags": "科幻，有声书, 刘慈欣",
        "language": "zh",
        "status": "finished",
        "visibility": "public",
        "track_order": "asc",
    }
    data.update(overrides)
    return data


def _png(width: int, height: int, mode: str = "RGB") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), "white" if mode == "RGB" else 1).save(buffer, "PNG")
    return SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png")


def test_a_visitor_who_is_not_signed_in_is_sent_to_log_in(client: Client) -> None:
    response = client.get(reverse("studio:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_listener_is_sent_to_become_an_anchor(client: Client, listener: User) -> None:
    client.force_login(listener)
    response = client.get(reverse("studio:album_new"))
    assert response.status_code == 302
    assert response["Location"] == reverse("become_anchor")


def test_an_anchor_creates_an_album_with_sanitised_intro_and_tags(
    anchor_client: Client, anchor: Anchor
) -> None:
    category = make_category(slug="books")
    response = anchor_client.post(
        reverse("studio:album_new"), _album_form(category=category.pk, cover=_png(64, 64))
    )
    album = Album.objects.get(anchor=anchor)
    assert response.status_code == 302
    assert response["Location"] == reverse("studio:album", args=[album.pk])
    assert album.intro == "<p>第一部。</p>"
    assert album.status == Album.Status.FINISHED
    assert album.category == category
    assert sorted(tag.name for tag in album.tags.all()) == ["刘慈欣", "有声书", "科幻"]
    assert (album.cover.name or "").startswith("covers/")
    with album.cover.open("rb") as cover:
        assert Image.open(cover).size == (1400, 1400)


def test_a_decompression_bomb_cover_is_refused_with_a_clear_message(
    anchor_client: Client, anchor: Anchor
) -> None:
    anchor_client.cookies["ting_language"] = "en"
    response = anchor_client.post(
        reverse("studio:album_new"), _album_form(cover=_png(8000, 6000, mode="1"))
    )
    assert response.status_code == 200
    assert "megapixel limit" in response.content.decode()
    assert not Album.objects.exists()


def test_a_file_that_is_not_an_image_is_refused_as_a_cover(anchor_client: Client) -> None:
    anchor_client.cookies["ting_language"] = "en"
    fake = SimpleUploadedFile("cover.jpg", b"not an image", content_type="image/jpeg")
    response = anchor_client.post(reverse("studio:album_new"), _album_form(cover=fake))
    assert "not an image Ting can read" in response.content.decode()
    assert not Album.objects.exists()


def test_an_anchor_edits_their_album(anchor_client: Client, album: Album) -> None:
    response = anchor_client.post(
        reverse("studio:album_edit", args=[album.pk]),
        _album_form(title="新标题", visibility="unlisted", tags="汽车"),
    )
    album.refresh_from_db()
    assert response.status_code == 302
    assert (album.title, album.visibility) == ("新标题", "unlisted")
    assert [tag.name for tag in album.tags.all()] == ["汽车"]


def test_the_edit_form_shows_the_albums_current_values(anchor_client: Client, album: Album) -> None:
    response = anchor_client.get(reverse("studio:album_edit", args=[album.pk]))
    assert response.status_code == 200
    assert response.context["form"].initial["title"] == album.title


def test_deleting_an_album_asks_first_then_removes_it_with_its_tracks(
    anchor_client: Client, album: Album
) -> None:
    make_track(album=album)
    url = reverse("studio:album_delete", args=[album.pk])
    confirm = anchor_client.get(url)
    assert confirm.status_code == 200
    assert Album.objects.filter(pk=album.pk).exists()
    response = anchor_client.post(url)
    assert response["Location"] == reverse("studio:dashboard")
    assert not Album.objects.filter(pk=album.pk).exists()
    assert not Track.objects.exists()


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "studio:album"),
        ("get", "studio:album_edit"),
        ("post", "studio:album_edit"),
        ("get", "studio:album_delete"),
        ("post", "studio:album_delete"),
        ("post", "studio:album_reorder"),
        ("post", "studio:album_upload"),
    ],
)
def test_another_anchor_gets_404_for_every_album_page(
    client: Client, album: Album, stranger: User, method: str, name: str
) -> None:
    make_anchor(user=stranger)
    client.force_login(stranger)
    response = getattr(client, method)(reverse(name, args=[album.pk]), _album_form())
    assert response.status_code == 404
    assert Album.objects.filter(pk=album.pk, title=album.title).exists()


def test_the_dashboard_costs_the_same_queries_for_3_and_30_tracks(
    anchor_client: Client, anchor: Anchor, django_assert_num_queries: Any
) -> None:
    albums = [make_album(anchor=anchor) for _ in range(3)]
    for album in albums:
        make_track(album=album, status=Track.Status.DRAFT, published_at=None)
    # session, user, anchor, albums, tracks + audio, and three storage sums
    with django_assert_num_queries(9):  # incl. the unread-notification count in the header
        small = anchor_client.get(reverse("studio:dashboard"))
    for album in albums:
        for _ in range(9):
            make_track(album=album)
    with django_assert_num_queries(9):  # incl. the unread-notification count in the header
        large = anchor_client.get(reverse("studio:dashboard"))
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count('class="studio-track"') == 30
