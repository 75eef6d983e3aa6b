"""Upload services: limits before bytes, appending at offsets, full disks, stale uploads."""

from __future__ import annotations

import errno
import io
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ting.catalog.models import Album, Anchor, Track
from ting.catalog.tests.factories import make_album, make_anchor, make_track
from ting.core.errors import ApplicationError, NotFound
from ting.media import uploads
from ting.media.models import AudioAsset, Upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def album(anchor: Anchor) -> Album:
    return make_album(anchor=anchor)


def _start(anchor: Anchor, album: Album, content: bytes, name: str = "ep1.mp3") -> Upload:
    return uploads.upload_create(anchor=anchor, album=album, filename=name, size=len(content))


def test_an_upload_is_refused_by_size_before_its_part_file_exists(
    anchor: Anchor, album: Album, settings: Any
) -> None:
    settings.TING_UPLOAD_MAX_BYTES = 10
    with pytest.raises(uploads.FileTooLarge):
        uploads.upload_create(anchor=anchor, album=album, filename="a.mp3", size=11)
    assert not Upload.objects.exists()
    folder = uploads.part_path(Upload().pk).parent
    assert not folder.exists() or not any(folder.iterdir())


def test_the_quota_counts_stored_audio_and_uploads_in_flight(
    anchor: Anchor, album: Album, settings: Any
) -> None:
    track = make_track(album=album, status=Track.Status.READY, published_at=None)
    AudioAsset.objects.create(track=track, key="k1", original="k1/original", original_size=600)
    uploads.upload_create(anchor=anchor, album=album, filename="a.mp3", size=300)
    settings.TING_ANCHOR_QUOTA_BYTES = 1000
    assert uploads.anchor_storage_used(anchor=anchor) == 900
    with pytest.raises(uploads.QuotaExceeded):
        uploads.upload_create(anchor=anchor, album=album, filename="b.mp3", size=101)
    uploads.upload_create(anchor=anchor, album=album, filename="b.mp3", size=100)


def test_an_empty_file_is_refused(anchor: Anchor, album: Album) -> None:
    with pytest.raises(ApplicationError):
        uploads.upload_create(anchor=anchor, album=album, filename="a.mp3", size=0)


def test_an_anchor_cannot_upload_into_someone_elses_album(anchor: Anchor) -> None:
    other = make_album(anchor=make_anchor())
    with pytest.raises(NotFound):
        uploads.upload_create(anchor=anchor, album=other, filename="a.mp3", size=10)


def test_the_display_name_never_carries_a_path(anchor: Anchor, album: Album) -> None:
    upload = uploads.upload_create(
        anchor=anchor, album=album, filename="..\\..\\etc/第一集.mp3", size=10
    )
    assert upload.filename == "第一集.mp3"


def test_chunks_append_in_order_and_a_wrong_offset_is_a_mismatch(
    anchor: Anchor, album: Album
) -> None:
    upload = _start(anchor, album, b"x" * 30)
    uploads.upload_append(upload=upload, offset=0, body=io.BytesIO(b"a" * 10), length=10)
    with pytest.raises(uploads.OffsetMismatch) as mismatch:
        uploads.upload_append(upload=upload, offset=0, body=io.BytesIO(b"a" * 10), length=10)
    assert mismatch.value.offset == 10
    uploads.upload_append(upload=upload, offset=10, body=io.BytesIO(b"b" * 10), length=10)
    assert uploads.part_path(upload.pk).read_bytes() == b"a" * 10 + b"b" * 10
    assert Upload.objects.get().offset == 20


def test_bytes_past_the_recorded_offset_are_dropped_when_the_upload_resumes(
    anchor: Anchor, album: Album
) -> None:
    """A server killed after writing but before recording the offset leaves extra bytes."""
    upload = _start(anchor, album, b"x" * 30)
    uploads.upload_append(upload=upload, offset=0, body=io.BytesIO(b"a" * 10), length=10)
    with uploads.part_path(upload.pk).open("ab") as part:
        part.write(b"garbage")
    uploads.upload_append(upload=upload, offset=10, body=io.BytesIO(b"b" * 10), length=10)
    assert uploads.part_path(upload.pk).read_bytes() == b"a" * 10 + b"b" * 10


def test_a_client_that_goes_away_mid_chunk_keeps_what_arrived(anchor: Anchor, album: Album) -> None:
    class Broken(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            if self.tell() >= 5:
                raise OSError("client disconnected")
            return super().read(5)

    upload = _start(anchor, album, b"x" * 30)
    uploads.upload_append(upload=upload, offset=0, body=Broken(b"a" * 10), length=10)
    assert Upload.objects.get().offset == 5


def test_a_full_disk_fails_the_upload_and_leaves_no_track_and_no_part(
    anchor: Anchor, album: Album, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload = _start(anchor, album, b"x" * 30)
    uploads.upload_append(upload=upload, offset=0, body=io.BytesIO(b"a" * 10), length=10)

    def disk_full(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(uploads, "_write_block", disk_full)
    with pytest.raises(uploads.StorageFull) as error:
        uploads.upload_append(upload=upload, offset=10, body=io.BytesIO(b"b" * 20), length=20)
    assert "disk is full" in str(error.value.message)
    assert error.value.status == 507
    stored = Upload.objects.get()
    assert stored.status == Upload.Status.FAILED
    assert "disk is full" in stored.failure_message
    assert not uploads.part_path(upload.pk).exists()
    assert not Track.objects.filter(album=album).exists()
    with pytest.raises(uploads.UploadClosed):
        uploads.upload_append(upload=stored, offset=10, body=io.BytesIO(b"b"), length=1)


def test_a_full_disk_while_storing_the_original_leaves_no_track(
    anchor: Anchor, album: Album, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload = _start(anchor, album, b"x" * 10)

    def disk_full(**kwargs: object) -> AudioAsset:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(uploads, "asset_create", disk_full)
    with pytest.raises(uploads.StorageFull):
        uploads.upload_append(upload=upload, offset=0, body=io.BytesIO(b"a" * 10), length=10)
    assert Upload.objects.get().status == Upload.Status.FAILED
    assert not Track.objects.exists()
    assert not uploads.part_path(upload.pk).exists()


def test_the_last_chunk_makes_a_draft_track_named_after_the_file(
    anchor: Anchor, album: Album, make_speech: Callable[..., Path],
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    content = make_speech(seconds=2.0).read_bytes()
    upload = _start(anchor, album, content, name="我的节目.mp3")
    half = len(content) // 2
    uploads.upload_append(upload=upload, offset=0, body=io.BytesIO(content[:half]), length=half)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        done = uploads.upload_append(
            upload=upload, offset=half, body=io.BytesIO(content[half:]), length=None
        )
    assert done.status == Upload.Status.COMPLETE
    assert done.track is not None
    assert done.track.title == "我的节目"
    assert done.track.status == Track.Status.PROCESSING
    assert len(callbacks) == 1  # processing is queued only once the rows are committed
    with pytest.raises(uploads.UploadClosed):
        uploads.upload_finalize(upload=done)


def test_uploads_untouched_for_a_day_are_deleted_with_their_bytes(
    anchor: Anchor, album: Album
) -> None:
    with time_machine.travel(timezone.now() - timedelta(hours=25)):
        old = _start(anchor, album, b"x" * 30)
        uploads.upload_append(upload=old, offset=0, body=io.BytesIO(b"a" * 10), length=10)
    fresh = _start(anchor, album, b"x" * 30)
    uploads.upload_append(upload=fresh, offset=0, body=io.BytesIO(b"a" * 10), length=10)
    orphan = uploads.part_path(Upload().pk)
    orphan.write_bytes(b"left over")
    day_old = (timezone.now() - timedelta(hours=25)).timestamp()
    os.utime(orphan, (day_old, day_old))

    assert uploads.uploads_delete_stale() == 1
    assert list(Upload.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not uploads.part_path(old.pk).exists()
    assert uploads.part_path(fresh.pk).exists()
    assert not orphan.exists()
