"""Resumable uploads: reserve, append chunks at an offset, finalize into a track and its audio.

The protocol (docs/adr/0008-resumable-uploads.md) lives in the studio's views; this module holds
the rules. On local storage bytes go to `MEDIA_ROOT/uploads/<id>.part` in 1 MiB reads and are
never held whole; the row's `offset` only moves after the bytes are on disk (fsync), so a server
restart resumes from an offset the file really has.

On object storage (docs/adr/0013-object-storage.md) no app process may rely on a local file
another process wrote: each chunk becomes its own object `uploads/<id>/<offset>-<length>`, the
row's `offset` moves only after the object is stored, and the last chunk's request joins the
chunks into the original.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import re
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.files import locks
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from ting.catalog.models import Album, Anchor
from ting.catalog.services import track_create
from ting.core.errors import ApplicationError, NotFound
from ting.media.models import AudioAsset, Rendition, Upload
from ting.media.services import asset_create
from ting.media.storage import (
    delete_prefix,
    is_object_storage,
    iter_keys,
    list_sizes,
    put_exact,
    translating_storage_errors,
)

logger = logging.getLogger(__name__)

READ_BYTES = 1024 * 1024
STALE_AFTER = timedelta(hours=24)
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class FileTooLarge(ApplicationError):
    status = 413


class QuotaExceeded(ApplicationError):
    status = 413


class OffsetMismatch(ApplicationError):
    """The client's idea of the offset is not the server's: it must ask (HEAD) and resume."""

    status = 409

    def __init__(self, *, offset: int) -> None:
        super().__init__(
            _("The upload is at byte %(offset)s; continue from there.") % {"offset": offset},
            code="offset_mismatch",
        )
        self.offset = offset


class UploadClosed(ApplicationError):
    status = 409


class StorageFull(ApplicationError):
    status = 507


class UploadIncomplete(UploadClosed):
    """Chunks the row counted are gone from the store: the upload cannot finish."""


def part_path(upload_id: uuid.UUID) -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads" / f"{upload_id}.part"


def chunk_prefix(upload_id: uuid.UUID | str) -> str:
    return f"uploads/{upload_id}/"


def _chunk_key(upload_id: uuid.UUID, *, offset: int, length: int) -> str:
    # The length is part of the name: two racing writers at one offset that received different
    # amounts never overwrite each other's object with a different one.
    return f"{chunk_prefix(upload_id)}{offset:016d}-{length:016d}"


_CHUNK_NAME = re.compile(r"(\d{16})-(\d{16})")


def upload_discard_bytes(upload_id: uuid.UUID) -> None:
    """Delete whatever bytes an unfinished upload has, on disk or in the bucket."""
    if is_object_storage():
        with translating_storage_errors("deleting upload chunks"):
            delete_prefix(chunk_prefix(upload_id))
    else:
        part_path(upload_id).unlink(missing_ok=True)


def anchor_storage_used(*, anchor: Anchor) -> int:
    """Bytes the anchor holds: originals, renditions, and what uploads in flight have reserved."""
    originals = AudioAsset.objects.filter(track__album__anchor=anchor).aggregate(
        total=Sum("original_size")
    )["total"]
    renditions = Rendition.objects.filter(asset__track__album__anchor=anchor).aggregate(
        total=Sum("size")
    )["total"]
    reserved = Upload.objects.filter(anchor=anchor, status=Upload.Status.RECEIVING).aggregate(
        total=Sum("size")
    )["total"]
    return int(originals or 0) + int(renditions or 0) + int(reserved or 0)


def upload_check_allowed(*, anchor: Anchor, size: int) -> None:
    """Refuse a file by its announced size before a single byte of it is written."""
    if size <= 0:
        raise ApplicationError(_("The file is empty."), code="empty_file")
    limit = settings.TING_UPLOAD_MAX_BYTES
    if size > limit:
        raise FileTooLarge(
            _("This file is %(size)s; a file can be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    quota = settings.TING_ANCHOR_QUOTA_BYTES
    free = max(0, quota - anchor_storage_used(anchor=anchor))
    if size > free:
        raise QuotaExceeded(
            _("This file needs %(size)s but only %(free)s of your %(quota)s of storage is left.")
            % {
                "size": filesizeformat(size),
                "free": filesizeformat(free),
                "quota": filesizeformat(quota),
            },
            code="quota_exceeded",
        )


def _display_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name
    return "".join(ch for ch in name if ch.isprintable()).strip()[:255] or "audio"


@transaction.atomic
def upload_create(
    *, anchor: Anchor, album: Album, filename: str, size: int, last_modified: int | None = None
) -> Upload:
    """Reserve room for a file of `size` bytes in one of the anchor's albums."""
    if album.anchor_id != anchor.pk:
        raise NotFound(_("No such album."), code="not_found")
    # Serialise this anchor's reservations so two parallel uploads cannot both fit the quota.
    Anchor.objects.select_for_update().filter(pk=anchor.pk).first()
    upload_check_allowed(anchor=anchor, size=size)
    return Upload.objects.create(
        anchor=anchor,
        album=album,
        filename=_display_name(filename),
        size=size,
        last_modified=last_modified,
    )


def upload_get(*, upload_id: uuid.UUID, anchor: Anchor) -> Upload:
    """The anchor's own upload; anybody else's is as missing as one that never existed."""
    try:
        return Upload.objects.select_related("album").get(pk=upload_id, anchor=anchor)
    except Upload.DoesNotExist:
        raise NotFound(_("No such upload."), code="not_found") from None


def _write_block(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _copy_into(fd: int, *, offset: int, body: Readable, limit: int) -> int:
    # Bytes past the recorded offset are from a write that never committed: drop them. The file
    # is open for appending, so what follows lands at exactly `offset`.
    os.ftruncate(fd, offset)
    copied = 0
    while copied < limit:
        try:
            data = body.read(min(READ_BYTES, limit - copied))
        except OSError:
            break  # the client went away mid-chunk; keep what arrived, it will HEAD and resume
        if not data:
            break
        _write_block(fd, data)
        copied += len(data)
    os.fsync(fd)
    return copied


def upload_append(*, upload: Upload, offset: int, body: Readable, length: int | None) -> Upload:
    """Write one chunk at `offset`; the last one turns the upload into a processing track."""
    if upload.status != Upload.Status.RECEIVING:
        raise UploadClosed(_("This upload is already finished."), code="upload_closed")
    if offset != upload.offset:
        raise OffsetMismatch(offset=upload.offset)
    remaining = upload.size - offset
    if length is not None and length > remaining:
        raise ApplicationError(
            _("This chunk goes past the end of the file."), code="chunk_too_long"
        )
    if is_object_storage():
        copied = _append_object(upload=upload, offset=offset, body=body, limit=remaining)
        upload.offset = offset + copied
        if upload.offset == upload.size:
            return upload_finalize(upload=upload)
        return upload
    path = part_path(upload.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("ab") as handle:
            # One writer per upload, across processes: a second PATCH gets 409 and re-syncs.
            if not locks.lock(handle, locks.LOCK_EX | locks.LOCK_NB):
                raise OffsetMismatch(offset=upload.offset)
            try:
                current = Upload.objects.filter(pk=upload.pk).values_list("offset", "status")
                if current.first() != (offset, Upload.Status.RECEIVING):
                    upload.refresh_from_db()
                    raise OffsetMismatch(offset=upload.offset)
                copied = _copy_into(handle.fileno(), offset=offset, body=body, limit=remaining)
                Upload.objects.filter(pk=upload.pk, offset=offset).update(
                    offset=offset + copied, updated_at=timezone.now()
                )
            finally:
                locks.unlock(handle)
    except OSError as exc:
        if exc.errno in _DISK_FULL:
            upload_fail(upload=upload, message=_disk_full_message())
            raise StorageFull(_disk_full_message(), code="disk_full") from exc
        raise
    upload.offset = offset + copied
    if upload.offset == upload.size:
        return upload_finalize(upload=upload)
    return upload


def _append_object(*, upload: Upload, offset: int, body: Readable, limit: int) -> int:
    """Store one chunk as its own object, then move the offset if nobody else moved it first."""
    current = Upload.objects.filter(pk=upload.pk).values_list("offset", "status").first()
    if current != (offset, Upload.Status.RECEIVING):
        upload.refresh_from_db()
        raise OffsetMismatch(offset=upload.offset)
    # A chunk is a few MiB (TING_UPLOAD_CHUNK_BYTES): memory up to 8 MiB, a private temp file
    # beyond. It is this request's own scratch space, never read by another process.
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024**2) as spool:
        copied = 0
        while copied < limit:
            try:
                data = body.read(min(READ_BYTES, limit - copied))
            except OSError:
                break  # the client went away mid-chunk; store what arrived, it will resume
            if not data:
                break
            spool.write(data)
            copied += len(data)
        if not copied:
            return 0
        spool.seek(0)
        key = _chunk_key(upload.pk, offset=offset, length=copied)
        with translating_storage_errors(f"storing chunk {key}"):
            put_exact(key, spool)  # type: ignore[arg-type]
    moved = Upload.objects.filter(
        pk=upload.pk, offset=offset, status=Upload.Status.RECEIVING
    ).update(offset=offset + copied, updated_at=timezone.now())
    if moved != 1:
        upload.refresh_from_db()
        raise OffsetMismatch(offset=upload.offset)
    return copied


def _chunk_chain(upload: Upload) -> list[str]:
    """The chunk keys that cover 0…size end to end; strays from lost races are left out."""
    starts: dict[int, list[tuple[int, str]]] = {}
    for key, size in list_sizes(chunk_prefix(upload.pk)).items():
        match = _CHUNK_NAME.fullmatch(key.rsplit("/", 1)[-1])
        if match and int(match[2]) == size:
            starts.setdefault(int(match[1]), []).append((size, key))

    def walk(position: int) -> list[str] | None:
        if position == upload.size:
            return []
        for length, key in sorted(starts.get(position, ()), reverse=True):
            rest = walk(position + length)
            if rest is not None:
                return [key, *rest]
        return None

    chain = walk(0)
    if chain is None:
        raise UploadIncomplete(
            _("Part of this upload is missing on the server; start the upload again."),
            code="upload_incomplete",
        )
    return chain


class _JoinedChunks(io.RawIOBase):
    """The chunk objects read one after another, as one file that is never held whole."""

    def __init__(self, keys: list[str]) -> None:
        self._keys: Iterator[str] = iter(keys)
        self._current: io.BufferedIOBase | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while True:
            if self._current is None:
                key = next(self._keys, None)
                if key is None:
                    return 0
                self._current = default_storage.open(key, "rb")  # type: ignore[assignment]
            assert self._current is not None
            data = self._current.read(len(buffer))
            if data:
                buffer[: len(data)] = data
                return len(data)
            self._current.close()
            self._current = None

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
        super().close()


def _disk_full_message() -> str:
    return _(
        "The server's disk is full, so this upload stopped and was discarded. "
        "Nothing was published; try again later or tell the site's administrators."
    )


def _title_from_filename(filename: str) -> str:
    stem = Path(filename).stem.replace("_", " ").strip()
    return stem[:200] or _("Untitled")


def upload_finalize(*, upload: Upload) -> Upload:
    """All bytes are here: make a draft track, store the original and queue its processing."""
    path = part_path(upload.pk)
    try:
        with transaction.atomic():
            claimed = Upload.objects.filter(
                pk=upload.pk, status=Upload.Status.RECEIVING, offset=F("size")
            ).update(status=Upload.Status.COMPLETE, updated_at=timezone.now())
            if claimed != 1:
                raise UploadClosed(_("This upload is already finished."), code="upload_closed")
            track = track_create(album=upload.album, title=_title_from_filename(upload.filename))
            if is_object_storage():
                with (
                    translating_storage_errors(f"joining the chunks of upload {upload.pk}"),
                    io.BufferedReader(_JoinedChunks(_chunk_chain(upload)), READ_BYTES) as joined,
                ):
                    asset_create(track=track, content=joined, filename=upload.filename)
            else:
                with path.open("rb") as content:
                    asset_create(track=track, content=content, filename=upload.filename)
            Upload.objects.filter(pk=upload.pk).update(track=track)
    except UploadIncomplete as exc:
        logger.error("upload %s: %s", upload.pk, exc)
        upload_fail(upload=upload, message=str(exc.message))
        raise
    except OSError as exc:
        if exc.errno in _DISK_FULL:
            upload_fail(upload=upload, message=_disk_full_message())
            raise StorageFull(_disk_full_message(), code="disk_full") from exc
        raise
    upload_discard_bytes(upload.pk)
    upload.refresh_from_db()
    return upload


def upload_fail(*, upload: Upload, message: str) -> None:
    """Give up on an upload: the row says why, the partial bytes are deleted."""
    Upload.objects.filter(pk=upload.pk).exclude(status=Upload.Status.COMPLETE).update(
        status=Upload.Status.FAILED, failure_message=message, updated_at=timezone.now()
    )
    upload_discard_bytes(upload.pk)
    upload.refresh_from_db()


def upload_cancel(*, upload: Upload) -> None:
    """The anchor gave up on an unfinished upload: free its reservation and its bytes."""
    Upload.objects.filter(pk=upload.pk).exclude(status=Upload.Status.COMPLETE).delete()
    upload_discard_bytes(upload.pk)


def uploads_delete_stale(*, older_than: timedelta = STALE_AFTER) -> int:
    """Delete uploads untouched for `older_than`, their .part files, and orphaned .part files."""
    cutoff = timezone.now() - older_than
    removed = 0
    for upload_id in Upload.objects.filter(updated_at__lt=cutoff).values_list("pk", flat=True):
        # Re-check per row: a PATCH may have touched it since the list was read.
        deleted, _rows = Upload.objects.filter(pk=upload_id, updated_at__lt=cutoff).delete()
        if deleted:
            upload_discard_bytes(upload_id)
            removed += 1
    if is_object_storage():
        _delete_orphaned_chunks(older_than=older_than)
        return removed
    folder = part_path(uuid.UUID(int=0)).parent
    if folder.is_dir():
        known = {str(pk) for pk in Upload.objects.values_list("pk", flat=True)}
        oldest = time.time() - older_than.total_seconds()
        for part in folder.glob("*.part"):
            if part.stem not in known and part.stat().st_mtime < oldest:
                part.unlink(missing_ok=True)
    return removed


def _delete_orphaned_chunks(*, older_than: timedelta) -> None:
    """Chunk objects whose upload row is gone (a crash between delete and cleanup)."""
    known = {str(pk) for pk in Upload.objects.values_list("pk", flat=True)}
    oldest = timezone.now() - older_than
    orphans = {key.split("/")[1] for key in iter_keys("uploads/")} - known
    for upload_id in orphans:
        keys = list(iter_keys(chunk_prefix(upload_id)))
        if all(default_storage.get_modified_time(key) < oldest for key in keys):
            delete_prefix(chunk_prefix(upload_id))
