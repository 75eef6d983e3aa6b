"""Audio ingest: store the original, process it once, keep the renditions.

The task layer calls `asset_process` with an id; everything here is idempotent so a retry,
a duplicate enqueue or a reaped job never makes a second set of renditions.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import shutil
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from ting.catalog.models import Track
from ting.media.audio.errors import AudioRejected
from ting.media.failures import failure_text, json_params
from ting.media.models import AudioAsset, Rendition
from ting.media.storage import (
    local_copy,
    new_asset_key,
    save_whole,
    scratch_delete_orphans,
)

if TYPE_CHECKING:
    from ting.media.audio.pipeline import PipelineResult
    from ting.media.audio.pipeline import Rendition as EncodedRendition

logger = logging.getLogger(__name__)

FORMATS = {
    "opus": (Rendition.Format.OPUS_32, "audio/ogg; codecs=opus"),
    "aac": (Rendition.Format.AAC_64, "audio/mp4"),
    "mp3": (Rendition.Format.MP3_128, "audio/mpeg"),
}
# A job that failed the same way this many times is FAILED, not retried forever.
MAX_ATTEMPTS = 2
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


@transaction.atomic
def asset_create(*, track: Track, content: BinaryIO, filename: str) -> AudioAsset:
    """Store an original for a track and queue its processing once the row is committed."""
    from ting.media.tasks import process_audio_asset

    key = new_asset_key()
    stored = save_whole(f"{key}/original", File(content))
    asset = AudioAsset.objects.create(
        track=track,
        key=key,
        original=stored,
        original_filename=Path(filename).name[:255],
        original_size=default_storage.size(stored),
    )
    Track.objects.filter(pk=track.pk).update(status=Track.Status.PROCESSING)
    transaction.on_commit(lambda: process_audio_asset.enqueue(asset_id=asset.pk))
    return asset


def _claim(asset_id: int) -> datetime | None:
    """PENDING → PROCESSING for exactly one worker; the others see 0 rows and go away.

    Returns the claim's time, which names this run: a run that outlives its deadline is reaped
    and the job claimed again, and only the run whose claim still stands may store a result.
    """
    now = timezone.now()
    claimed = AudioAsset.objects.filter(pk=asset_id, status=AudioAsset.Status.PENDING).update(
        status=AudioAsset.Status.PROCESSING,
        stage=AudioAsset.Stage.PROBING,
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    return now if claimed == 1 else None


class _ClaimLost(Exception):
    """This run was reaped (it outlived TING_PROCESSING_DEADLINE) and another one took over."""


def _ours(asset_id: int, claim: datetime) -> QuerySet[AudioAsset]:
    return AudioAsset.objects.filter(
        pk=asset_id, status=AudioAsset.Status.PROCESSING, claimed_at=claim
    )


def process_audio(
    source: Path, out_dir: Path, *, on_stage: Callable[[str, float], None] | None = None
) -> PipelineResult:
    """The audio pipeline, imported on first use: numpy, scipy and PyAV cost ~110 MB in every
    process that imports this module (web servers, and task workers through Django's URL
    checks), and only a job needs them (ADR 0003, "Memory")."""
    from ting.media.audio.pipeline import process_audio as run

    return run(source, out_dir, on_stage=on_stage)


def asset_process(*, asset_id: int) -> AudioAsset | None:
    """Run the pipeline for a PENDING asset. Returns None when another worker has it."""
    claim = _claim(asset_id)
    if claim is None:
        return None
    asset = AudioAsset.objects.select_related("track").get(pk=asset_id)

    def on_stage(stage: str, fraction: float) -> None:
        mapped = {
            "analysing": AudioAsset.Stage.MEASURING,
            "calibrating": AudioAsset.Stage.MEASURING,
            "encoding": AudioAsset.Stage.ENCODING,
        }
        if stage in mapped:
            AudioAsset.objects.filter(pk=asset_id, status=AudioAsset.Status.PROCESSING).update(
                stage=mapped[stage]
            )

    # One work folder per run of an asset. A worker killed with -9 never runs its cleanup, so
    # the run that takes over a job removes what earlier runs of it left instead of leaking it;
    # a reaped run that is still alive keeps its own folder until it notices and stops.
    work = Path(settings.DATA_DIR) / "work"
    for left in work.glob(f"asset-{asset_id}-*"):
        shutil.rmtree(left, ignore_errors=True)
    out_dir = work / f"asset-{asset_id}-{int(claim.timestamp() * 1_000_000)}"
    out_dir.mkdir(parents=True)
    try:
        with local_copy(str(asset.original.name)) as source:
            result = process_audio(source, out_dir, on_stage=on_stage)
        if not _ours(asset_id, claim).update(stage=AudioAsset.Stage.STORING):
            raise _ClaimLost
        return _store_result(asset=asset, result=result, claim=claim)
    except _ClaimLost:
        # The run that took over stores the result; writing ours too would race it.
        logger.warning("audio asset %s: this run was reaped; leaving it to the next", asset_id)
        asset.refresh_from_db()
        return asset
    except Exception as error:
        if not _ours(asset_id, claim).exists():
            logger.warning("audio asset %s: a reaped run stopped (%r)", asset_id, error)
            asset.refresh_from_db()
            return asset
        return _failed_run(asset=asset, error=error)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def _failed_run(*, asset: AudioAsset, error: Exception) -> AudioAsset:
    """What a run that still holds its claim does with what stopped it."""
    if isinstance(error, AudioRejected):
        return _fail(asset=asset, code=error.code, params=error.params)
    if isinstance(error, OSError) and error.errno in _DISK_FULL:
        # Retrying at once would fail the same way; an operator reprocesses once there is room.
        logger.error("the disk is full: processing audio asset %s stopped", asset.pk)
        return _fail(asset=asset, code="disk_full", params={})
    logger.error("processing audio asset %s failed", asset.pk, exc_info=error)
    return _retry_or_fail(asset=asset)


def _store_result(*, asset: AudioAsset, result: PipelineResult, claim: datetime) -> AudioAsset:
    stored: list[tuple[str, Rendition.Format, str, EncodedRendition]] = []
    try:
        for name, rendition in result.renditions.items():
            fmt, mime = FORMATS[name]
            key = f"{asset.key}/{fmt}.{rendition.path.suffix.lstrip('.')}"
            if default_storage.exists(key):
                # A crashed earlier run may have stored it; renditions are rebuilt whole.
                default_storage.delete(key)
            with rendition.path.open("rb") as handle:
                saved = save_whole(key, File(handle))
            stored.append((saved, fmt, mime, rendition))
    except OSError:
        # No rows point at these yet; a set of renditions is stored whole or not at all.
        for saved, *_rest in stored:
            default_storage.delete(saved)
        raise
    probe, loudness = result.probe, result.loudness
    with transaction.atomic():
        # The claim is checked in the transaction that records the result: a reaped run that
        # finishes late changes nothing (its rows roll back with this).
        if not _ours(asset.pk, claim).select_for_update().exists():
            raise _ClaimLost
        for saved, fmt, mime, rendition in stored:
            Rendition.objects.update_or_create(
                asset=asset,
                format=fmt,
                defaults={
                    "file": saved,
                    "mime_type": mime,
                    "codec": rendition.codec,
                    "bitrate": rendition.bit_rate,
                    "sample_rate": rendition.sample_rate,
                    "channels": rendition.channels,
                    "duration": rendition.duration_s,
                    "size": rendition.size_bytes,
                    "sha256": _sha256(rendition.path),
                    "loudness_lufs": rendition.integrated_lufs,
                    "true_peak_dbtp": rendition.true_peak_dbtp,
                },
            )
        AudioAsset.objects.filter(pk=asset.pk).update(
            status=AudioAsset.Status.READY,
            stage=AudioAsset.Stage.DONE,
            failure_code="",
            failure_params={},
            failure_message="",
            container=probe.container[:40],
            codec=probe.codec[:40],
            sample_rate=probe.sample_rate,
            channels=probe.channels,
            duration=probe.duration_s,
            bit_rate=probe.bit_rate or None,
            loudness_lufs=loudness.integrated_lufs,
            loudness_range_lu=loudness.lra_lu,
            true_peak_dbtp=loudness.true_peak_dbtp,
            waveform=[round(point, 3) for point in result.waveform],
            tags={
                "title": result.tags.title,
                "artist": result.tags.artist,
                "album": result.tags.album,
                "comment": result.tags.comment,
                "chapters": [
                    {"start": c.start_s, "end": c.end_s, "title": c.title}
                    for c in result.tags.chapters
                ],
            },
        )
        Track.objects.filter(pk=asset.track_id, status=Track.Status.PROCESSING).update(
            status=Track.Status.READY, duration=probe.duration_s, failure_reason=""
        )
    asset.refresh_from_db()
    return asset


def _fail(*, asset: AudioAsset, code: str, params: Mapping[str, object]) -> AudioAsset:
    """FAILED, with the code and its parameters (pages render them in the reader's language,
    failures.py) and the text in the server's language (the admin, the logs, the API)."""
    text = failure_text(code, params)
    with transaction.atomic():
        AudioAsset.objects.filter(pk=asset.pk).update(
            status=AudioAsset.Status.FAILED,
            stage=AudioAsset.Stage.DONE,
            failure_code=code[:40],
            failure_params=json_params(params),
            failure_message=text,
        )
        Track.objects.filter(pk=asset.track_id).exclude(status=Track.Status.PUBLISHED).update(
            status=Track.Status.FAILED, failure_reason=text
        )
    asset.refresh_from_db()
    return asset


def _retry_or_fail(*, asset: AudioAsset) -> AudioAsset:
    asset.refresh_from_db()
    if asset.attempts >= MAX_ATTEMPTS:
        return _fail(asset=asset, code="internal_error", params={})
    from ting.media.tasks import process_audio_asset

    AudioAsset.objects.filter(pk=asset.pk, status=AudioAsset.Status.PROCESSING).update(
        status=AudioAsset.Status.PENDING, stage=AudioAsset.Stage.QUEUED, claimed_at=None
    )
    transaction.on_commit(lambda: process_audio_asset.enqueue(asset_id=asset.pk))
    asset.refresh_from_db()
    return asset


def assets_reap_stuck(*, older_than: timedelta | None = None) -> list[int]:
    """Give jobs whose worker died (kill -9, lost machine) back to the queue, and delete the
    scratch folders such workers left on this machine."""
    from ting.media.tasks import process_audio_asset

    scratch_delete_orphans()
    deadline = timezone.now() - (older_than or timedelta(seconds=settings.TING_PROCESSING_DEADLINE))
    stuck = list(
        AudioAsset.objects.filter(
            status=AudioAsset.Status.PROCESSING, claimed_at__lt=deadline
        ).values_list("pk", flat=True)
    )
    requeued: list[int] = []
    for asset_id in stuck:
        reset = AudioAsset.objects.filter(
            pk=asset_id, status=AudioAsset.Status.PROCESSING, claimed_at__lt=deadline
        ).update(status=AudioAsset.Status.PENDING, stage=AudioAsset.Stage.QUEUED, claimed_at=None)
        if reset:
            requeued.append(asset_id)
            process_audio_asset.enqueue(asset_id=asset_id)
    return requeued


@transaction.atomic
def asset_requeue(*, asset_id: int) -> bool:
    """Give a FAILED asset one more run (an operator's "reprocess"); False if it is not FAILED.

    The conditional update is the claim: of two operators clicking at once, one requeues and
    the other sees 0 rows. Its track goes back to PROCESSING so the run can make it READY.
    """
    from ting.media.tasks import process_audio_asset

    now = timezone.now()
    requeued = AudioAsset.objects.filter(pk=asset_id, status=AudioAsset.Status.FAILED).update(
        status=AudioAsset.Status.PENDING,
        stage=AudioAsset.Stage.QUEUED,
        attempts=0,
        claimed_at=None,
        failure_code="",
        failure_params={},
        failure_message="",
        updated_at=now,
    )
    if not requeued:
        return False
    Track.objects.filter(audio__pk=asset_id, status=Track.Status.FAILED).update(
        status=Track.Status.PROCESSING, failure_reason=""
    )
    transaction.on_commit(lambda: process_audio_asset.enqueue(asset_id=asset_id))
    return True
