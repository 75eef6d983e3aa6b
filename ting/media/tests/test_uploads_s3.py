"""Uploads in flight on STORAGE=s3: one object per chunk, joined in order, strays ignored."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ting.catalog.models import Album, Anchor
from ting.catalog.tests.factories import make_album
from ting.media import uploads
from ting.media.models import AudioAsset, Upload
from ting.media.storage import put_exact
from ting.media.tests.s3 import S3

pytestmark = pytest.mark.django_db


@pytest.fixture
def album(anchor: Anchor) -> Album:
    return make_album(anchor=anchor)


def _start(anchor: Anchor, album: Album, size: int) -> Upload:
    return uploads.upload_create(anchor=anchor, album=album, filename="ep.mp3", size=size)


def test_chunks_become_objects_and_the_original_is_them_joined_in_order(
    anchor: Anchor, album: Album, s3_storage: S3, django_capture_on_commit_callbacks: Any
) -> None:
    content = bytes(range(256)) * 40  # not audio: processing fails, the bytes are the point
    upload = _start(anchor, album, len(content))
    uploads.upload_append(upload=upload, offset=0, body=io.BytesIO(content[:4000]), length=4000)
    assert s3_storage.keys("uploads/") == [f"uploads/{upload.pk}/{0:016d}-{4000:016d}"]
    # A racing writer that lost at offset 0 with fewer bytes left a stray object behind.
    put_exact(f"uploads/{upload.pk}/{0:016d}-{1000:016d}", io.BytesIO(b"?" * 1000))
    with pytest.raises(uploads.OffsetMismatch):
        uploads.upload_append(upload=upload, offset=0, body=io.BytesIO(b"x"), length=1)
    with django_capture_on_commit_callbacks(execute=True):
        done = uploads.upload_append(
            upload=upload, offset=4000, body=io.BytesIO(content[4000:]), length=None
        )
    assert done.status == Upload.Status.COMPLETE
    asset = AudioAsset.objects.get(track=done.track)
    stored = s3_storage.client().get_object(Bucket=s3_storage.bucket, Key=asset.original.name)
    assert stored["Body"].read() == content
    assert asset.original_size == len(content)
    assert s3_storage.keys("uploads/") == []


def test_a_chunk_that_vanished_fails_the_upload_with_a_message(
    anchor: Anchor, album: Album, s3_storage: S3
) -> None:
    upload = _start(anchor, album, 20)
    uploads.upload_append(upload=upload, offset=0, body=io.BytesIO(b"a" * 10), length=10)
    s3_storage.client().delete_object(
        Bucket=s3_storage.bucket, Key=f"uploads/{upload.pk}/{0:016d}-{10:016d}"
    )
    with pytest.raises(uploads.UploadIncomplete):
        uploads.upload_append(upload=upload, offset=10, body=io.BytesIO(b"b" * 10), length=10)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.FAILED
    assert "start the upload again" in upload.failure_message
    assert s3_storage.keys("uploads/") == []


def test_stale_uploads_and_orphaned_chunks_are_deleted(
    anchor: Anchor, album: Album, s3_storage: S3
) -> None:
    stale = _start(anchor, album, 20)
    uploads.upload_append(upload=stale, offset=0, body=io.BytesIO(b"a" * 10), length=10)
    orphan = f"uploads/{'0' * 32}/{0:016d}-{3:016d}"
    put_exact(orphan, io.BytesIO(b"abc"))
    fresh = _start(anchor, album, 20)
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        uploads.upload_append(upload=fresh, offset=0, body=io.BytesIO(b"b" * 10), length=10)
        assert uploads.uploads_delete_stale() == 1
    assert list(Upload.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert s3_storage.keys("uploads/") == [f"uploads/{fresh.pk}/{0:016d}-{10:016d}"]
