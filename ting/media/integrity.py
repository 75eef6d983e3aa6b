"""Renditions that no longer match their checksum: find them, and rebuild them from the original.

Disks flip bits, operators delete the wrong folder, a restore brings back half a directory. Every
rendition row stores the sha256 of the bytes we encoded; two checks compare the disk with it:

- on delivery (`rendition_intact`): a stat only — the file exists and has the stored size. It
  catches deletions and truncations for free on the hot path;
- the periodic `verify_renditions` task: it hashes a small batch each run, the longest-unchecked
  first (`verified_at`), so the whole library is covered over time without reading it every
  minute. Flipped bytes of an unchanged size are only visible this way.

A damaged rendition is re-encoded from the untouched original, alone: the other formats and the
asset's measurements stay as they are. The repair takes a short lock so two reports of the same
damage (a listener and the verifier) encode once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ting.media.models import AudioAsset, Rendition
from ting.media.storage import local_copy, save_whole, scratch_dir

if TYPE_CHECKING:
    from ting.media.audio.pipeline import Rendition as EncodedRendition

logger = logging.getLogger(__name__)

# Pipeline names (ting.media.audio.pipeline) for each stored format.
_PIPELINE_NAME: dict[str, str] = {
    Rendition.Format.OPUS_32: "opus",
    Rendition.Format.AAC_64: "aac",
    Rendition.Format.MP3_128: "mp3",
}


def _sha256(read: Callable[[int], bytes]) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: read(1024 * 1024), b""):
        digest.update(block)
    return digest.hexdigest()


def _stored_sha256(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return _sha256(handle.read)


def _file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return _sha256(handle.read)


def rendition_problem(rendition: Rendition, *, hash_bytes: bool) -> str:
    """ "" when the file matches its row; else "missing", "size" or "checksum"."""
    name = str(rendition.file.name or "")
    try:
        size = default_storage.size(name)
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    if size != rendition.size:
        return "size"
    if hash_bytes and _stored_sha256(name) != rendition.sha256:
        return "checksum"
    return ""


def rendition_intact(rendition: Rendition) -> bool:
    """The delivery check: cheap enough for every stream request (one stat)."""
    return not rendition_problem(rendition, hash_bytes=False)


def rendition_report_damaged(*, rendition: Rendition, problem: str) -> None:
    """Queue a rebuild of a rendition found damaged (at most once a minute per rendition)."""
    from ting.media.tasks import repair_renditions

    logger.warning(
        "rendition %s (%s of asset %s) is damaged on disk: %s; rebuilding it",
        rendition.pk,
        rendition.format,
        rendition.asset_id,
        problem,
    )
    # Every listener of a damaged file reports it; one repair job a minute is enough.
    if not cache.add(f"ting:rendition-damaged:{rendition.pk}", "1", timeout=60):
        return
    # Forget the last good check so the verifier looks at it again soon if the repair fails.
    Rendition.objects.filter(pk=rendition.pk).update(verified_at=None)
    asset_id = rendition.asset_id
    transaction.on_commit(lambda: repair_renditions.enqueue(asset_id=asset_id))


def renditions_verify(*, batch: int | None = None) -> list[int]:
    """Hash the `batch` longest-unchecked renditions; returns the ids of damaged ones."""
    size = batch if batch is not None else settings.TING_VERIFY_BATCH
    rows = list(
        Rendition.objects.filter(asset__status=AudioAsset.Status.READY)
        .order_by(F("verified_at").asc(nulls_first=True), "pk")
        .only("pk", "asset_id", "format", "file", "size", "sha256")[:size]
    )
    good: list[int] = []
    damaged: list[int] = []
    for rendition in rows:
        problem = rendition_problem(rendition, hash_bytes=True)
        if problem:
            damaged.append(rendition.pk)
            rendition_report_damaged(rendition=rendition, problem=problem)
        else:
            good.append(rendition.pk)
    Rendition.objects.filter(pk__in=good).update(verified_at=timezone.now())
    return damaged


def _repair_lock(asset_id: int) -> str:
    return f"ting:rendition-repair:{asset_id}"


def renditions_repair(*, asset_id: int) -> list[str]:
    """Re-encode the damaged renditions of a READY asset from its original; returns the formats.

    Idempotent: it re-checks every rendition itself, so a second run (or a report about damage
    that a first run already fixed) rebuilds nothing.
    """
    lock = _repair_lock(asset_id)
    if not cache.add(lock, "1", timeout=settings.TING_PROCESSING_DEADLINE):
        return []  # another worker is repairing this asset right now
    try:
        return _repair(asset_id)
    finally:
        cache.delete(lock)


def _repair(asset_id: int) -> list[str]:
    asset = AudioAsset.objects.filter(pk=asset_id, status=AudioAsset.Status.READY).first()
    if asset is None:
        return []
    broken = [
        rendition
        for rendition in asset.renditions.all()
        if rendition_problem(rendition, hash_bytes=True)
    ]
    if not broken:
        return []
    from ting.media.audio.pipeline import process_audio  # ~110 MB: see asset_process

    with scratch_dir("repair") as out_dir:
        with local_copy(str(asset.original.name)) as source:
            result = process_audio(source, out_dir)
        for rendition in broken:
            _replace(rendition, result.renditions[_PIPELINE_NAME[rendition.format]])
    return [str(rendition.format) for rendition in broken]


def _replace(rendition: Rendition, encoded: EncodedRendition) -> None:
    key = str(rendition.file.name)
    default_storage.delete(key)
    with encoded.path.open("rb") as handle:
        saved = save_whole(key, File(handle))
    digest = _file_sha256(encoded.path)
    Rendition.objects.filter(pk=rendition.pk).update(
        file=saved,
        size=encoded.size_bytes,
        sha256=digest,
        codec=encoded.codec,
        bitrate=encoded.bit_rate,
        sample_rate=encoded.sample_rate,
        channels=encoded.channels,
        duration=encoded.duration_s,
        loudness_lufs=encoded.integrated_lufs,
        true_peak_dbtp=encoded.true_peak_dbtp,
        verified_at=timezone.now(),
        updated_at=timezone.now(),
    )
