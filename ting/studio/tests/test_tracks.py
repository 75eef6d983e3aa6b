"""Tracks in the studio: ordering, editing, status while processing, publishing, scheduling."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ting.accounts.models import User
from ting.catalog.models import Album, Track
from ting.catalog.tests.factories import make_anchor, make_track
from ting.media.models import AudioAsset, Upload

pytestmark = pytest.mark.django_db


def _tracks(album: Album, count: int, **fields: Any) -> list[Track]:
    return [
        make_track(album=album, position=n, title=f"第{n}集", **fields) for n in range(1, count + 1)
    ]


def _positions(album: Album) -> list[str]:
    return list(
        Track.objects.filter(album=album).order_by("position").values_list("title", flat=True)
    )


def _edit_form(track: Track, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": track.title,
        "intro": "",
        "position": track.position,
        "published_at": "",
        "visibility": "public",
    }
    data.update(overrides)
    return data


def test_a_dragged_order_renumbers_the_albums_tracks(anchor_client: Client, album: Album) -> None:
    first, second, third = _tracks(album, 3)
    response = anchor_client.post(
        reverse("studio:album_reorder", args=[album.pk]),
        data=json.dumps({"order": [third.pk, first.pk, second.pk]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert _positions(album) == ["第3集", "第1集", "第2集"]
    assert list(
        Track.objects.filter(album=album).order_by("position").values_list("position", flat=True)
    ) == [1, 2, 3]


def test_the_move_buttons_work_without_javascript(anchor_client: Client, album: Album) -> None:
    first, second, third = _tracks(album, 3)
    response = anchor_client.post(
        reverse("studio:album_reorder", args=[album.pk]),
        {"order": [first.pk, second.pk, third.pk], "move": f"{third.pk}:up"},
    )
    assert response.status_code == 302
    assert _positions(album) == ["第1集", "第3集", "第2集"]


def test_an_order_that_misses_a_track_changes_nothing(anchor_client: Client, album: Album) -> None:
    first, _second, third = _tracks(album, 3)
    response = anchor_client.post(
        reverse("studio:album_reorder", args=[album.pk]),
        data=json.dumps({"order": [third.pk, first.pk]}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert _positions(album) == ["第1集", "第2集", "第3集"]


def test_an_order_cannot_pull_in_another_albums_track(anchor_client: Client, album: Album) -> None:
    first, _second = _tracks(album, 2)
    foreign = make_track(title="别人的")
    response = anchor_client.post(
        reverse("studio:album_reorder", args=[album.pk]),
        data=json.dumps({"order": [first.pk, foreign.pk]}),
        content_type="application/json",
    )
    assert response.status_code == 400
    foreign.refresh_from_db()
    assert foreign.album != album


def test_processing_status_polls_until_the_track_is_ready(
    anchor_client: Client, album: Album
) -> None:
    track = make_track(album=album, status=Track.Status.PROCESSING, published_at=None)
    asset = AudioAsset.objects.create(
        track=track, key="k", original="k/original",
        status=AudioAsset.Status.PROCESSING, stage=AudioAsset.Stage.ENCODING,
    )  # fmt: skip
    anchor_client.cookies["ting_language"] = "en"
    url = reverse("studio:track_status", args=[track.pk])
    busy = anchor_client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in busy
    assert "Making the listening versions" in busy

    Track.objects.filter(pk=track.pk).update(status=Track.Status.FAILED, failure_reason="坏文件")
    AudioAsset.objects.filter(pk=asset.pk).update(status=AudioAsset.Status.FAILED)
    failed = anchor_client.get(url).content.decode()
    assert "hx-trigger" not in failed
    assert "坏文件" in failed


def test_the_track_page_reloads_once_processing_ends(anchor_client: Client, album: Album) -> None:
    track = make_track(album=album, status=Track.Status.READY, published_at=None)
    response = anchor_client.get(reverse("studio:track_status", args=[track.pk]), {"refresh": "1"})
    assert response["HX-Refresh"] == "true"


def test_a_ready_track_is_published_now(anchor_client: Client, album: Album) -> None:
    track = make_track(album=album, status=Track.Status.READY, published_at=None)
    response = anchor_client.post(
        reverse("studio:track", args=[track.pk]),
        _edit_form(track, title="正式标题", intro="<p>好<script>x</script></p>", action="publish"),
    )
    track.refresh_from_db()
    album.refresh_from_db()
    assert response.status_code == 302
    assert track.status == Track.Status.PUBLISHED
    assert track.title == "正式标题"
    assert track.intro == "<p>好</p>"
    assert track.published_at is not None and track.published_at <= timezone.now()
    assert album.published_track_count == 1
    assert Track.objects.published().filter(pk=track.pk).exists()


def test_a_future_time_schedules_the_track_in_the_site_time_zone(
    anchor_client: Client, album: Album
) -> None:
    track = make_track(album=album, status=Track.Status.READY, published_at=None)
    at = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    anchor_client.post(
        reverse("studio:track", args=[track.pk]),
        _edit_form(track, published_at=at.strftime("%Y-%m-%dT%H:%M"), action="publish"),
    )
    track.refresh_from_db()
    assert track.status == Track.Status.PUBLISHED
    assert track.published_at == at
    assert not Track.objects.published().filter(pk=track.pk).exists()


def test_a_track_still_processing_cannot_be_published(anchor_client: Client, album: Album) -> None:
    track = make_track(album=album, status=Track.Status.PROCESSING, published_at=None)
    response = anchor_client.post(
        reverse("studio:track", args=[track.pk]), _edit_form(track, action="publish")
    )
    track.refresh_from_db()
    assert response.status_code == 200
    assert track.status == Track.Status.PROCESSING
    assert response.context["form"].non_field_errors()


def test_changing_the_order_number_moves_the_track(anchor_client: Client, album: Album) -> None:
    first, _second, _third = _tracks(album, 3, status=Track.Status.READY, published_at=None)
    anchor_client.post(reverse("studio:track", args=[first.pk]), _edit_form(first, position=3))
    assert _positions(album) == ["第2集", "第3集", "第1集"]


def test_the_title_in_the_files_tags_is_offered_while_the_track_has_the_files_name(
    anchor_client: Client, album: Album
) -> None:
    track = make_track(
        album=album, title="ep01_final", status=Track.Status.READY, published_at=None
    )
    AudioAsset.objects.create(
        track=track, key="k", original="k/original", status=AudioAsset.Status.READY,
        tags={"title": "第一集：开始", "chapters": [{"start": 0.0, "end": 5.0, "title": "片头"}]},
    )  # fmt: skip
    Upload.objects.create(
        anchor=album.anchor, album=album, filename="ep01_final.mp3", size=1, offset=1,
        status=Upload.Status.COMPLETE, track=track,
    )  # fmt: skip
    response = anchor_client.get(reverse("studio:track", args=[track.pk]))
    assert response.context["form"].initial["title"] == "第一集：开始"
    assert "片头" in response.content.decode()

    Track.objects.filter(pk=track.pk).update(title="我自己起的名字")
    again = anchor_client.get(reverse("studio:track", args=[track.pk]))
    assert again.context["form"].initial["title"] == "我自己起的名字"


@pytest.mark.parametrize("name", ["studio:track", "studio:track_status"])
def test_another_anchor_gets_404_for_a_track(
    client: Client, album: Album, stranger: User, name: str
) -> None:
    track = make_track(album=album)
    make_anchor(user=stranger)
    client.force_login(stranger)
    assert client.get(reverse(name, args=[track.pk])).status_code == 404
    assert (
        client.post(reverse("studio:track", args=[track.pk]), _edit_form(track)).status_code == 404
    )


def test_a_processing_failure_reads_in_the_anchors_language(
    anchor_client: Client, album: Album, django_capture_on_commit_callbacks: Any
) -> None:
    """The worker that rejects the file speaks the server's language; the studio speaks the
    anchor's: the reason is stored as a code with its parameters and rendered per reader."""
    import io

    from ting.media import services

    track = make_track(album=album, status=Track.Status.PROCESSING, published_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.asset_create(
            track=track, content=io.BytesIO(b"hello, this is not audio\n" * 40), filename="a.mp3"
        )
    asset = AudioAsset.objects.get(track=track)
    assert asset.status == AudioAsset.Status.FAILED and asset.failure_code == "not_audio"
    assert set(asset.failure_params) == {"detail"}
    url = reverse("studio:track_status", args=[track.pk])
    pages = {}
    for language in ("en", "zh-hant", "zh-hans"):
        anchor_client.cookies["ting_language"] = language
        pages[language] = anchor_client.get(url).content.decode()
    assert "This file is not audio Ting can read (" in pages["en"]
    assert "這個檔案不是 Ting 能讀取的音訊（" in pages["zh-hant"]
    assert "这个文件不是 Ting 能识别的音频（" in pages["zh-hans"]
    # The public track page, which its anchor sees while it is not published, says the same.
    anchor_client.cookies["ting_language"] = "zh-hant"
    page = anchor_client.get(reverse("track", args=[track.pk])).content.decode()
    assert "這個檔案不是 Ting 能讀取的音訊（" in page


def test_a_failure_stored_without_its_parameters_shows_the_stored_text(
    anchor_client: Client, album: Album
) -> None:
    track = make_track(
        album=album, status=Track.Status.FAILED, published_at=None, failure_reason="舊的原因"
    )
    AudioAsset.objects.create(
        track=track, key="old", original="old/original", status=AudioAsset.Status.FAILED,
        failure_code="truncated", failure_message="舊的原因",
    )  # fmt: skip
    page = anchor_client.get(reverse("studio:track_status", args=[track.pk])).content.decode()
    assert "舊的原因" in page and "%(" not in page
