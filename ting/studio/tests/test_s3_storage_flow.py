"""STORAGE=s3 end to end against a real S3-compatible server (moto over loopback HTTP)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from ting.catalog.models import Album, Track
from ting.catalog.services import track_publish
from ting.media.audio.cover import process_cover
from ting.media.models import AudioAsset, Rendition, Upload
from ting.media.storage import presigned_url
from ting.media.tests.s3 import S3, MotoAuth, use_s3
from ting.playback.selectors import stream_url
from ting.stats.models import StreamLog
from ting.studio import services as studio_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


CHUNK = 16 * 1024  # several chunks, so joining them in order is tested


def _upload(client: Client, album: Album, audio: bytes) -> tuple[str, Any]:
    created = client.post(
        reverse("studio:upload_create"),
        data=json.dumps({"album": album.pk, "filename": "第一集.mp3", "size": len(audio)}),
        content_type="application/json",
    )
    url = created.json()["url"]
    response = None
    for offset in range(0, len(audio), CHUNK):
        response = client.patch(
            url,
            data=audio[offset : offset + CHUNK],
            content_type="application/offset+octet-stream",
            headers={"Upload-Offset": str(offset)},
        )
    return url, response


def test_an_upload_on_s3_is_processed_published_and_streamed_from_the_bucket(
    anchor_client: Client,
    album: Album,
    make_speech: Callable[..., bytes],
    s3_storage: S3,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    audio = make_speech(seconds=3.0)
    with django_capture_on_commit_callbacks(execute=True):
        _url, final = _upload(anchor_client, album, audio)
    assert final.status_code == 200, final.content
    track = Track.objects.get(pk=final.json()["track"]["id"])
    asset = AudioAsset.objects.get(track=track)
    assert track.status == Track.Status.READY, (asset.status, asset.failure_message)
    keys = s3_storage.keys()
    assert str(asset.original.name) in keys
    assert not [key for key in keys if key.startswith("uploads/")], "chunks are cleaned up"
    for rendition in Rendition.objects.filter(asset=asset):
        assert str(rendition.file.name) in keys
    original = s3_storage.client().get_object(Bucket=s3_storage.bucket, Key=asset.original.name)
    assert original["Body"].read() == audio
    assert not (settings.MEDIA_ROOT / "uploads").exists(), "nothing on the local disk"

    track_publish(track=track)
    mp3 = Rendition.objects.get(asset=asset, format=Rendition.Format.MP3_128)
    response = Client().get(stream_url(track, "mp3_128"))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(s3_storage.endpoint)
    assert "X-Amz-Expires=300" in location and "X-Amz-Signature=" in location
    assert response["Cache-Control"] == "no-store"
    assert StreamLog.objects.filter(track_id=track.pk).count() == 1, "the stream is counted"

    ranged = httpx.get(location, headers={"Range": "bytes=100-1099"})
    assert ranged.status_code == 206
    assert ranged.headers["Content-Range"] == f"bytes 100-1099/{mp3.size}"
    whole = s3_storage.client().get_object(Bucket=s3_storage.bucket, Key=mp3.file.name)
    assert ranged.content == whole["Body"].read()[100:1100]
    assert ranged.headers["Content-Type"] == "audio/mpeg"


def test_an_expired_presigned_url_is_refused_by_the_store(s3_storage: S3) -> None:
    key = default_storage.save("audio/aa/bb/test/mp3_128.mp3", ContentFile(b"x" * 2000))
    assert httpx.get(presigned_url(key, expires=300)).status_code == 200
    with time_machine.travel(timezone.now() - timedelta(seconds=301), tick=False):
        stale = presigned_url(key, expires=300)
    refused = httpx.get(stale)
    assert refused.status_code == 403
    assert b"x" * 10 not in refused.content


def test_covers_live_in_the_bucket_and_pages_link_to_them(
    anchor_client: Client, album: Album, s3_storage: S3, tiny_jpeg: bytes
) -> None:
    studio_services.album_set_cover(album=album, cover=process_cover(tiny_jpeg))
    album.refresh_from_db()
    assert album.cover.name in s3_storage.keys("covers/")
    page = anchor_client.get(reverse("album", args=[album.pk]))
    assert page.status_code == 200
    assert f"{s3_storage.endpoint}/{s3_storage.bucket}/{album.cover.name}?" in page.text
    url = album.cover.url
    assert url.startswith(s3_storage.endpoint)
    fetched = httpx.get(url)
    assert fetched.status_code == 200 and fetched.content[:2] == b"\xff\xd8"


def test_deleting_an_album_deletes_its_objects(
    anchor_client: Client,
    album: Album,
    make_speech: Callable[..., bytes],
    s3_storage: S3,
    tiny_jpeg: bytes,
    django_capture_on_commit_callbacks: Any,
) -> None:
    studio_services.album_set_cover(album=album, cover=process_cover(tiny_jpeg))
    audio = make_speech(seconds=2.0)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(anchor_client, album, audio)
    with django_capture_on_commit_callbacks(execute=True):
        created = anchor_client.post(
            reverse("studio:upload_create"),
            data=json.dumps({"album": album.pk, "filename": "b.mp3", "size": len(audio)}),
            content_type="application/json",
        )
        anchor_client.patch(
            created.json()["url"],
            data=audio[:CHUNK],
            content_type="application/offset+octet-stream",
            headers={"Upload-Offset": "0"},
        )
    assert len(s3_storage.keys()) >= 5
    with django_capture_on_commit_callbacks(execute=True):
        studio_services.album_delete(album=album)
    assert s3_storage.keys() == []


def test_bad_credentials_give_the_uploader_a_clear_message_and_keep_the_upload(
    anchor_client: Client,
    album: Album,
    make_speech: Callable[..., bytes],
    s3_storage: S3,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    moto_auth: MotoAuth,
    django_capture_on_commit_callbacks: Any,
) -> None:
    audio = make_speech(seconds=2.0)
    use_s3(
        settings, endpoint=s3_storage.endpoint, bucket=s3_storage.bucket, key="AKIAWRONG",
        secret="wrong",
    )  # fmt: skip
    created = anchor_client.post(
        reverse("studio:upload_create"),
        data=json.dumps({"album": album.pk, "filename": "a.mp3", "size": len(audio)}),
        content_type="application/json",
    )
    url = created.json()["url"]
    with caplog.at_level(logging.ERROR):
        refused = anchor_client.patch(
            url,
            data=audio,
            content_type="application/offset+octet-stream",
            headers={"Upload-Offset": "0"},
        )
    assert refused.status_code == 503
    assert refused.json()["code"] == "storage_wrong_key"
    assert "S3_ACCESS_KEY_ID" in refused.json()["error"]
    assert "InvalidAccessKeyId" in caplog.text, "the log has the store's own words"
    upload = Upload.objects.get()
    assert (upload.status, upload.offset) == (Upload.Status.RECEIVING, 0)

    # The operator fixes the key; the same upload resumes where it was and completes.
    use_s3(
        settings, endpoint=s3_storage.endpoint, bucket=s3_storage.bucket,
        key=moto_auth.full_key, secret=moto_auth.full_secret,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        done = anchor_client.patch(
            url,
            data=audio,
            content_type="application/offset+octet-stream",
            headers={"Upload-Offset": "0"},
        )
    assert done.status_code == 200
    assert Upload.objects.get().status == Upload.Status.COMPLETE


def test_an_upload_whose_finish_failed_finishes_with_an_empty_patch(
    anchor_client: Client,
    album: Album,
    make_speech: Callable[..., bytes],
    s3_storage: S3,
    settings: Any,
    moto_auth: MotoAuth,
    django_capture_on_commit_callbacks: Any,
) -> None:
    audio = make_speech(seconds=2.0)
    # A key that may write chunks under uploads/ but not the original under audio/.
    use_s3(
        settings, endpoint=s3_storage.endpoint, bucket=s3_storage.bucket,
        key=moto_auth.uploads_only_key, secret=moto_auth.uploads_only_secret,
    )  # fmt: skip
    url, last = _upload(anchor_client, album, audio)
    assert last.status_code == 503
    assert last.json()["code"] == "storage_no_permission"
    upload = Upload.objects.get()
    assert (upload.status, upload.offset) == (Upload.Status.RECEIVING, len(audio))
    assert not Track.objects.exists(), "no half-made track is left behind"

    use_s3(
        settings, endpoint=s3_storage.endpoint, bucket=s3_storage.bucket,
        key=moto_auth.full_key, secret=moto_auth.full_secret,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        done = anchor_client.patch(
            url,
            data=b"",
            content_type="application/offset+octet-stream",
            headers={"Upload-Offset": str(len(audio))},
        )
    assert done.status_code == 200
    assert done.json()["status"] == "complete"
    assert Track.objects.get().status == Track.Status.READY
