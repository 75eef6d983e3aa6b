"""The resumable upload protocol over HTTP: create, HEAD, PATCH chunks, finalize into a track."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ting.accounts.models import User
from ting.catalog.models import Album, Track
from ting.media.models import AudioAsset, Upload
from ting.media.uploads import part_path

pytestmark = pytest.mark.django_db

CHUNK = 64 * 1024


def _create(client: Client, album: Album, size: int, filename: str = "第一集_开场.mp3") -> Any:
    return client.post(
        reverse("studio:upload_create"),
        data=json.dumps({"album": album.pk, "filename": filename, "size": size}),
        content_type="application/json",
    )


def _patch(client: Client, url: str, offset: int, chunk: bytes) -> Any:
    return client.patch(
        url,
        data=chunk,
        content_type="application/offset+octet-stream",
        headers={"Upload-Offset": str(offset)},
    )


def test_chunks_become_a_draft_track_whose_audio_is_processed_to_ready(
    anchor_client: Client,
    album: Album,
    make_speech: Callable[..., bytes],
    django_capture_on_commit_callbacks: Any,
) -> None:
    audio = make_speech(seconds=3.0)
    created = _create(anchor_client, album, len(audio))
    assert created.status_code == 201
    url = created.json()["url"]
    assert created["Location"] == url

    for offset in range(0, len(audio) - CHUNK, CHUNK):
        response = _patch(anchor_client, url, offset, audio[offset : offset + CHUNK])
        assert response.status_code == 204
        assert response["Upload-Offset"] == str(offset + CHUNK)
    last = (len(audio) - 1) // CHUNK * CHUNK
    with django_capture_on_commit_callbacks(execute=True):
        final = _patch(anchor_client, url, last, audio[last:])

    assert final.status_code == 200
    state = final.json()
    assert state["status"] == "complete"
    track = Track.objects.get(pk=state["track"]["id"])
    assert track.album == album
    assert track.title == "第一集 开场"
    assert track.status == Track.Status.READY
    assert AudioAsset.objects.get(track=track).status == AudioAsset.Status.READY
    assert AudioAsset.objects.get(track=track).original_size == len(audio)
    assert not part_path(Upload.objects.get().pk).exists()


def test_an_interrupted_upload_resumes_from_the_offset_the_server_reports(
    anchor_client: Client, album: Album, django_capture_on_commit_callbacks: Any
) -> None:
    content = bytes(range(256)) * 1024  # 256 KiB; not audio, processing may fail, bytes matter
    url = _create(anchor_client, album, len(content)).json()["url"]
    assert _patch(anchor_client, url, 0, content[:CHUNK]).status_code == 204

    # The client lost the answer to its second PATCH and sends the first chunk again.
    stale = _patch(anchor_client, url, 0, content[:CHUNK])
    assert stale.status_code == 409
    assert stale["Upload-Offset"] == str(CHUNK)
    assert stale.json()["code"] == "offset_mismatch"

    head = anchor_client.head(url)
    assert head.status_code == 200
    assert head["Upload-Offset"] == str(CHUNK)
    assert head["Upload-Length"] == str(len(content))
    with django_capture_on_commit_callbacks(execute=True):
        done = _patch(anchor_client, url, CHUNK, content[CHUNK:])
    assert done.status_code == 200
    asset = AudioAsset.objects.get(track_id=done.json()["track"]["id"])
    with asset.original.open("rb") as stored:
        assert stored.read() == content


def test_a_file_over_the_size_limit_is_refused_before_any_byte_is_written(
    anchor_client: Client, album: Album, settings: Any
) -> None:
    settings.TING_UPLOAD_MAX_BYTES = 1000
    settings.LANGUAGE_CODE = "en"
    response = _create(anchor_client, album, 1001)
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert "at most 1000" in response.json()["error"]
    assert not Upload.objects.exists()


def test_a_file_over_the_anchors_quota_is_refused_in_the_readers_language(
    anchor_client: Client, album: Album, settings: Any
) -> None:
    settings.TING_ANCHOR_QUOTA_BYTES = 5000
    anchor_client.cookies["ting_language"] = "en"
    first = _create(anchor_client, album, 4000)
    second = _create(anchor_client, album, 2000)
    assert first.status_code == 201
    assert second.status_code == 413
    assert second.json()["code"] == "quota_exceeded"
    assert "only 1000" in second.json()["error"]
    assert Upload.objects.count() == 1


def test_a_stranger_cannot_see_or_write_another_anchors_upload(
    anchor_client: Client, album: Album, stranger: User, client: Client
) -> None:
    url = _create(anchor_client, album, 100).json()["url"]
    other = Client()
    other.force_login(stranger)
    # A stranger who is an anchor too still cannot touch it.
    from ting.catalog.tests.factories import make_anchor

    make_anchor(user=stranger)
    assert _patch(other, url, 0, b"x" * 100).status_code == 404
    assert other.head(url).status_code == 404
    assert Upload.objects.get().offset == 0
    assert not part_path(Upload.objects.get().pk).exists()


def test_nobody_can_upload_into_an_album_they_do_not_own(album: Album, stranger: User) -> None:
    from ting.catalog.tests.factories import make_anchor

    make_anchor(user=stranger)
    client = Client()
    client.force_login(stranger)
    assert _create(client, album, 100).status_code == 404
    assert not Upload.objects.exists()


def test_a_listener_who_is_no_anchor_gets_a_json_refusal(client: Client, listener: User) -> None:
    client.force_login(listener)
    response = client.post(
        reverse("studio:upload_create"), data="{}", content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_anchor"


def test_chunks_without_the_csrf_token_are_refused(album: Album) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(album.anchor.user)
    client.get(reverse("studio:album", args=[album.pk]))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    created = client.post(
        reverse("studio:upload_create"),
        data=json.dumps({"album": album.pk, "filename": "a.mp3", "size": 10}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert created.status_code == 201
    url = created.json()["url"]
    forged = client.patch(
        url, data=b"0123456789", content_type="application/offset+octet-stream",
        headers={"Upload-Offset": "0"},
    )  # fmt: skip
    assert forged.status_code == 403
    assert Upload.objects.get().offset == 0
    without_token = client.post(
        reverse("studio:upload_create"),
        data=json.dumps({"album": album.pk, "filename": "a.mp3", "size": 10}),
        content_type="application/json",
    )
    assert without_token.status_code == 403


def test_a_chunk_past_the_announced_size_is_refused(anchor_client: Client, album: Album) -> None:
    url = _create(anchor_client, album, 10).json()["url"]
    response = _patch(anchor_client, url, 0, b"x" * 11)
    assert response.status_code == 400
    assert Upload.objects.get().offset == 0


def test_a_cancelled_upload_frees_its_reservation(anchor_client: Client, album: Album) -> None:
    url = _create(anchor_client, album, 1000).json()["url"]
    _patch(anchor_client, url, 0, b"x" * 100)
    assert anchor_client.delete(url).status_code == 204
    assert not Upload.objects.exists()
    assert anchor_client.head(url).status_code == 404
