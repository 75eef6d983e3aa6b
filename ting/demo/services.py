"""Load and remove the demo catalog through the same services an anchor's uploads go through.

`demo_load` creates the rows in one transaction (categories, accounts, anchors, albums, tracks,
covers), then ingests each track's generated audio: `asset_create`, `asset_process` run here
synchronously, `track_publish` with a publish time in the past. Ingest jobs run in a process
pool when the database is one other processes can see (not SQLite in memory, not inside a
transaction); each worker opens its own connection.

A second load finds the demo accounts and finishes whatever a first, interrupted load left
unpublished; with nothing left, it does nothing.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ting.accounts.models import User
from ting.catalog import services as catalog_services
from ting.catalog.models import Album, Anchor, Category, Tag, Track
from ting.demo import audio, covers
from ting.demo.content import (
    ALBUMS,
    ANCHORS,
    CATEGORIES,
    QUICK_ALBUMS,
    QUICK_TRACK_SECONDS,
    QUICK_TRACKS_PER_ALBUM,
    AlbumSpec,
    TrackSpec,
    anchor_spec,
)
from ting.media import services as media_services
from ting.media.models import AudioAsset

logger = logging.getLogger(__name__)

EMAIL_DOMAIN = "demo.ting.invalid"  # RFC 2606: never delivers; marks the accounts as the demo's
WAIT_FOR_OTHER_WORKER_S = 120.0

Progress = Callable[[str], None]


@dataclass(frozen=True)
class IngestJob:
    track_id: int
    label: str  # 科技早知道 · 第3期
    filename: str
    audio: audio.TrackAudio
    publish_at: datetime


@dataclass(frozen=True)
class IngestResult:
    track_id: int
    label: str
    published: bool
    detail: str = ""
    audio_seconds: float = 0.0
    elapsed: float = 0.0


@dataclass
class LoadReport:
    created: bool = False
    anchors: int = 0
    albums: int = 0
    tracks: int = 0
    published: int = 0
    ingested: int = 0
    failures: list[IngestResult] = field(default_factory=list)
    seconds: float = 0.0


# --- what the demo is -----------------------------------------------------------------------


def demo_users() -> QuerySet[User]:
    """The demo's accounts: a demo username *and* the demo's e-mail domain, never a person's."""
    return User.objects.filter(
        username__in=[spec.username for spec in ANCHORS], email__endswith=f"@{EMAIL_DOMAIN}"
    )


def demo_usernames_taken() -> list[str]:
    """Demo usernames that real people own (signed up as `demo-…`): the demo will not touch them."""
    names = [spec.username for spec in ANCHORS]
    others = User.objects.filter(username__in=names).exclude(pk__in=demo_users())
    return sorted(others.values_list("username", flat=True))


def demo_exists() -> bool:
    return demo_users().exists()


def demo_tracks() -> QuerySet[Track]:
    return Track.objects.filter(album__anchor__user__in=demo_users())


def demo_unfinished_tracks() -> QuerySet[Track]:
    """Demo tracks an interrupted load left without published audio (failed ones excluded)."""
    unfinished = [Track.Status.DRAFT, Track.Status.PROCESSING, Track.Status.READY]
    return demo_tracks().filter(status__in=unfinished)


def album_specs(*, quick: bool) -> list[AlbumSpec]:
    if not quick:
        return list(ALBUMS)
    return [spec for spec in ALBUMS if spec.key in QUICK_ALBUMS]


def track_specs(album: AlbumSpec, *, quick: bool) -> tuple[TrackSpec, ...]:
    return album.tracks[:QUICK_TRACKS_PER_ALBUM] if quick else album.tracks


def stable_seed(*parts: object) -> int:
    """A seed that is the same on every machine and every run (unlike `hash()`)."""
    return zlib.crc32("/".join(str(part) for part in parts).encode())


def track_seconds(album: AlbumSpec, index: int, spec: TrackSpec, *, quick: bool) -> float:
    if quick:
        return QUICK_TRACK_SECONDS
    if spec.seconds is not None:
        return spec.seconds
    low, high = album.seconds
    return float(low + stable_seed(album.key, index, "length") % (high - low + 1))


def publish_times(album: AlbumSpec, count: int, now: datetime) -> list[datetime]:
    """Oldest first, `cadence_days` apart, the newest `latest_hours_ago` before `now`."""
    newest = now - timedelta(hours=album.latest_hours_ago)
    times = []
    for index in range(count):
        jitter = timedelta(minutes=stable_seed(album.key, index, "minute") % 90)
        times.append(newest - timedelta(days=album.cadence_days * (count - 1 - index)) - jitter)
    return times


# --- loading ----------------------------------------------------------------------------------


def demo_load(*, quick: bool = False, jobs: int = 1, progress: Progress = print) -> LoadReport:
    """Load the demo catalog, or finish an interrupted load; does nothing when it is loaded."""
    started = time.monotonic()
    report = LoadReport()
    albums = album_specs(quick=quick)
    if not demo_exists():
        _create_catalog(albums, quick=quick, progress=progress)
        report.created = True
    pending = _pending_jobs(albums, quick=quick)
    if pending:
        progress(f"Generating and processing the audio of {len(pending)} tracks…")
        results = _run_jobs(pending, jobs=jobs, progress=progress)
        report.ingested = len(results)
        report.failures = [result for result in results if not result.published]
    report.anchors = Anchor.objects.filter(user__in=demo_users()).count()
    report.albums = Album.objects.filter(anchor__user__in=demo_users()).count()
    report.tracks = demo_tracks().count()
    report.published = demo_tracks().filter(status=Track.Status.PUBLISHED).count()
    report.seconds = time.monotonic() - started
    return report


@transaction.atomic
def _create_catalog(albums: list[AlbumSpec], *, quick: bool, progress: Progress) -> None:
    categories: dict[str, Category] = {}
    for category in CATEGORIES:
        categories[category.slug], _created = Category.objects.get_or_create(
            slug=category.slug,
            defaults={
                "name_zh_hans": category.name_zh_hans,
                "name_zh_hant": category.name_zh_hant,
                "name_en": category.name_en,
                "position": category.position,
            },
        )
    anchors: dict[str, Anchor] = {}
    for key in dict.fromkeys(album.anchor for album in albums):
        spec = anchor_spec(key)
        user = User(username=spec.username, email=f"{spec.username}@{EMAIL_DOMAIN}")
        user.set_unusable_password()  # nobody signs in as a demo anchor
        user.save()
        anchor = catalog_services.anchor_become(
            user=user, display_name=spec.display_name, bio=spec.bio
        )
        anchor.verified = spec.verified
        anchor.avatar.save(
            f"{uuid.uuid4().hex}.jpg",
            ContentFile(covers.avatar(name=spec.display_name, seed=stable_seed(spec.key))),
            save=False,
        )
        anchor.save(update_fields=["verified", "avatar", "updated_at"])
        anchors[key] = anchor
        progress(f"  anchor {spec.display_name}")
    for album_spec in albums:
        album = catalog_services.album_create(
            anchor=anchors[album_spec.anchor],
            title=album_spec.title,
            intro=album_spec.intro_html(),
            category=categories[album_spec.category],
            tags=album_spec.tags,
            language=album_spec.language,
            status=album_spec.status,
            visibility=album_spec.visibility,
            track_order=album_spec.track_order,
        )
        album.cover.save(
            f"{uuid.uuid4().hex}.jpg",
            ContentFile(covers.album_cover(title=album.title, seed=stable_seed(album_spec.key))),
            save=False,
        )
        album.save(update_fields=["cover", "updated_at"])
        for track_spec in track_specs(album_spec, quick=quick):
            catalog_services.track_create(
                album=album, title=track_spec.title, intro=track_spec.intro_html()
            )
        progress(f"  album {album.title}")


def _pending_jobs(albums: list[AlbumSpec], *, quick: bool) -> list[IngestJob]:
    """A job for each demo track not yet published (all of them after a fresh create)."""
    now = timezone.now()
    by_title = {spec.title: spec for spec in albums}
    tracks = (
        demo_unfinished_tracks()
        .select_related("album", "album__anchor__user")
        .order_by("album__pk", "position")
    )
    jobs = []
    for track in tracks:
        album_spec = by_title.get(track.album.title) or next(
            (spec for spec in ALBUMS if spec.title == track.album.title), None
        )
        if album_spec is None:  # renamed in the admin: still give it audio
            album_spec = albums[0]
        specs = track_specs(album_spec, quick=quick) or album_spec.tracks
        index = min(track.position, len(specs)) - 1
        voice = anchor_spec(album_spec.anchor).voice
        seconds = track_seconds(album_spec, index, specs[index], quick=quick)
        when = publish_times(album_spec, len(specs), now)[index]
        jobs.append(
            IngestJob(
                track_id=track.pk,
                label=f"{track.album.title} · 第{track.position}{album_spec.unit}",
                filename=f"{album_spec.key}-{track.position:02d}.{album_spec.file_format}",
                audio=audio.TrackAudio(
                    seconds=seconds,
                    seed=stable_seed(album_spec.key, track.position),
                    pitch=voice.pitch,
                    narration=track.title,
                    espeak_pitch=voice.espeak_pitch,
                    espeak_speed=voice.espeak_speed,
                    jingle=album_spec.jingle,
                    music_bed=album_spec.music_bed,
                    level_db=-26.0 + stable_seed(album_spec.key, track.position, "level") % 10,
                ),
                publish_at=when,
            )
        )
    return jobs


def _can_fork_workers() -> bool:
    """Other processes see our rows only in a real database, outside any open transaction."""
    if connection.in_atomic_block:
        return False
    if connection.vendor == "sqlite":
        is_memory: bool = connection.is_in_memory_db()  # type: ignore[attr-defined]
        return not is_memory
    return True


def _run_jobs(pending: list[IngestJob], *, jobs: int, progress: Progress) -> list[IngestResult]:
    results: list[IngestResult] = []
    total = len(pending)

    def report(result: IngestResult) -> None:
        results.append(result)
        done = len(results)
        if result.published:
            length = f"{int(result.audio_seconds) // 60}:{int(result.audio_seconds) % 60:02d}"
            progress(f"[{done}/{total}] {result.label} … ready ({length}, {result.elapsed:.1f} s)")
        else:
            progress(f"[{done}/{total}] {result.label} … FAILED: {result.detail}")

    if jobs <= 1 or total <= 1 or not _can_fork_workers():
        for job in pending:
            report(ingest(job))
        return results
    # Forked workers inherit Django's setup but must open their own connections.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_init)
    restore = _stop_on_sigterm()
    try:
        # Longest first, so a three-minute track does not start last and finish alone.
        by_length = sorted(pending, key=lambda job: -job.audio.seconds)
        futures = [pool.submit(ingest, job) for job in by_length]
        for future in as_completed(futures):
            report(future.result())
    except BaseException:
        # Ctrl-C or SIGTERM: the workers ignore both and finish the track in hand, so nothing
        # is left half-processed; the tracks not started wait for the next `ting demo`.
        progress("Stopping: finishing the tracks in progress; `ting demo` resumes the rest.")
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        restore()
    pool.shutdown(wait=True)
    return results


def _stop_on_sigterm() -> Callable[[], None]:
    """Turn SIGTERM into KeyboardInterrupt while the pool runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.getsignal(signal.SIGTERM)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    connections.close_all()
    parent = os.getppid()

    def exit_with_parent() -> None:
        # A parent killed outright (SIGKILL) would leave idle workers behind forever.
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=exit_with_parent, daemon=True, name="demo-parent-watch").start()


def ingest(job: IngestJob) -> IngestResult:
    """Generate one track's audio and take it through upload, processing and publishing."""
    started = time.monotonic()
    try:
        track = Track.objects.get(pk=job.track_id)
        asset = AudioAsset.objects.filter(track=track).first()
        if asset is None:
            with tempfile.TemporaryDirectory(prefix="ting-demo-") as tmp:
                path = Path(tmp) / job.filename
                audio.write(job.audio, path)
                with path.open("rb") as content:
                    asset = media_services.asset_create(
                        track=track, content=content, filename=job.filename
                    )
        asset = _process(asset.pk)
        if asset.status != AudioAsset.Status.READY:
            detail = asset.failure_message or f"audio is {asset.status}"
            return IngestResult(job.track_id, job.label, False, detail)
        track.refresh_from_db()
        if track.status == Track.Status.READY:
            catalog_services.track_publish(track=track, at=job.publish_at)
        track.refresh_from_db()
        return IngestResult(
            job.track_id,
            job.label,
            track.status == Track.Status.PUBLISHED,
            "" if track.status == Track.Status.PUBLISHED else f"track is {track.status}",
            asset.duration or 0.0,
            time.monotonic() - started,
        )
    except Exception as exc:
        logger.exception("demo track %s failed", job.track_id)
        return IngestResult(job.track_id, job.label, False, f"{type(exc).__name__}: {exc}")


def _process(asset_id: int) -> AudioAsset:
    """Run the pipeline here; if a worker (or the immediate task backend) has it, wait for it."""
    deadline = time.monotonic() + WAIT_FOR_OTHER_WORKER_S
    for _attempt in range(media_services.MAX_ATTEMPTS + 2):
        asset = AudioAsset.objects.get(pk=asset_id)
        if asset.status == AudioAsset.Status.PENDING:
            media_services.asset_process(asset_id=asset_id)
            continue
        while asset.status == AudioAsset.Status.PROCESSING and time.monotonic() < deadline:
            time.sleep(0.5)
            asset.refresh_from_db()
        if asset.status != AudioAsset.Status.PENDING:
            return asset
    return AudioAsset.objects.get(pk=asset_id)


@dataclass(frozen=True)
class ResetReport:
    users: int
    albums: int
    tracks: int
    files: int


def demo_reset() -> ResetReport:
    """Delete the demo's accounts (and with them its anchors, albums, tracks, audio) and files.

    Categories stay: other albums may be filed under them. Tags only the demo used go.
    """
    users = list(demo_users())
    anchors = Anchor.objects.filter(user__in=users)
    albums = Album.objects.filter(anchor__in=anchors)
    assets = AudioAsset.objects.filter(track__album__in=albums).prefetch_related("renditions")
    files = [anchor.avatar.name for anchor in anchors if anchor.avatar]
    files += [album.cover.name for album in albums if album.cover]
    folders: list[str] = []
    for asset in assets:
        files.append(asset.original.name)
        files += [rendition.file.name for rendition in asset.renditions.all()]
        folders.append(asset.key)
    tag_ids = list(Tag.objects.filter(albums__in=albums).values_list("pk", flat=True).distinct())
    album_count = albums.count()
    track_count = Track.objects.filter(album__in=albums).count()
    with transaction.atomic():
        User.objects.filter(pk__in=[user.pk for user in users]).delete()
        Tag.objects.filter(pk__in=tag_ids, albums__isnull=True).delete()
    removed = 0
    for name in files:
        if name and default_storage.exists(name):
            default_storage.delete(name)
            removed += 1
    for folder in folders:
        _remove_empty_folders(folder)
    return ResetReport(users=len(users), albums=album_count, tracks=track_count, files=removed)


def _remove_empty_folders(key: str) -> None:
    """`audio/3f/a9/3fa9…` and its fan-out parents, when on a disk and empty."""
    try:
        folder = Path(default_storage.path(key))
    except NotImplementedError:
        return  # object storage has no folders
    for _level in range(3):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
