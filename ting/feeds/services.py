"""Feed writes: private feed links, and importing a podcast from its RSS feed.

An import is a `FeedImport` (one per anchor and URL) synced by a task: the feed is fetched and
parsed, new episodes (by GUID) become draft tracks in order with an `ImportedEpisode` each, and
one task per episode streams its enclosure to disk and hands it to the ingest pipeline. Ready
tracks are published at their original date. A periodic task re-syncs and publishes.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ting.catalog.models import Album, Anchor, Track, Visibility
from ting.catalog.services import album_create, track_create, track_publish
from ting.core.errors import ApplicationError, NotFound
from ting.core.sanitize import plain_text_to_html, sanitize_rich_text
from ting.feeds import fetch, parsing, versions
from ting.feeds.models import FeedImport, FeedToken, ImportedEpisode
from ting.media.services import asset_create
from ting.media.uploads import upload_check_allowed

logger = logging.getLogger(__name__)

RESYNC_EVERY = timedelta(hours=6)
ENCLOSURE_DEADLINE_S = 3 * 3600
_AUDIO_SUFFIXES = (".mp3", ".m4a", ".aac", ".ogg", ".opus", ".oga", ".wav", ".flac", ".mp4")


def album_owned(*, anchor: Anchor, album_id: int) -> Album:
    try:
        return Album.objects.get(pk=album_id, anchor=anchor)
    except Album.DoesNotExist:
        raise Http404 from None


# --- private feed links -----------------------------------------------------------------------


def feed_token_create(*, album: Album, label: str = "") -> FeedToken:
    return FeedToken.objects.create(album=album, label=label.strip()[:60])


def feed_token_revoke(*, album: Album, token_id: int) -> None:
    """Revoke a link; podcast apps holding it get 404 from now on."""
    revoked = FeedToken.objects.filter(pk=token_id, album=album, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), updated_at=timezone.now()
    )
    if revoked != 1:
        raise NotFound(_("No such feed link."), code="not_found")
    versions.bump(album_id=album.pk)  # polls of the revoked link stop getting 304s at once


# --- import -----------------------------------------------------------------------------------


def feed_import_start(*, anchor: Anchor, url: str, enqueue: bool = True) -> FeedImport:
    """Start importing a feed, or re-sync the anchor's existing import of the same URL."""
    url = url.strip()
    if urlsplit(url).scheme not in ("http", "https"):
        raise ApplicationError(
            _("Only http:// and https:// addresses can be imported."), code="scheme"
        )
    feed_import, _created = FeedImport.objects.get_or_create(anchor=anchor, url=url)
    if enqueue:
        feed_import_enqueue_sync(feed_import=feed_import)
    return feed_import


def feed_import_enqueue_sync(*, feed_import: FeedImport) -> None:
    from ting.feeds.tasks import sync_feed

    import_id = feed_import.pk
    transaction.on_commit(lambda: sync_feed.enqueue(import_id=import_id))


def _fail(feed_import: FeedImport, message: str) -> FeedImport:
    FeedImport.objects.filter(pk=feed_import.pk).update(
        status=FeedImport.Status.FAILED, message=message, updated_at=timezone.now()
    )
    feed_import.refresh_from_db()
    return feed_import


def _enclosure(episode: dict[str, Any]) -> str:
    enclosures = [e for e in episode.get("enclosures") or [] if e.get("url")]
    audio = [
        e
        for e in enclosures
        if str(e.get("mime_type", "")).startswith("audio/")
        or urlsplit(e["url"]).path.lower().endswith(_AUDIO_SUFFIXES)
    ]
    chosen = (audio or enclosures or [{}])[0]
    return str(chosen.get("url") or "")


def _episode_title(episode: dict[str, Any], enclosure_url: str) -> str:
    title = str(episode.get("title") or "").strip()
    if not title:
        title = PurePosixPath(urlsplit(enclosure_url).path).stem.replace("_", " ").strip()
    return title[:200] or _("Untitled")


def _episode_intro(episode: dict[str, Any]) -> str:
    html = str(episode.get("description_html") or "")
    if html:
        return sanitize_rich_text(html)
    return plain_text_to_html(str(episode.get("description") or ""))


def _published(episode: dict[str, Any]) -> datetime | None:
    stamp = episode.get("published") or 0
    return datetime.fromtimestamp(stamp, tz=UTC) if stamp else None


def feed_import_sync(*, import_id: int, enqueue_episodes: bool = True) -> FeedImport | None:
    """Fetch the feed once; new episodes become tracks. None when another worker has it."""
    claimed = (
        FeedImport.objects.filter(pk=import_id)
        .exclude(status=FeedImport.Status.FETCHING)
        .update(status=FeedImport.Status.FETCHING, message="", updated_at=timezone.now())
    )
    if not claimed:
        return None
    feed_import = FeedImport.objects.select_related("anchor", "album").get(pk=import_id)
    conditional = {}
    if feed_import.album_id is not None:
        if feed_import.etag:
            conditional["If-None-Match"] = feed_import.etag
        if feed_import.last_modified:
            conditional["If-Modified-Since"] = feed_import.last_modified
    try:
        fetched = fetch.fetch(
            feed_import.url, max_bytes=settings.TING_FEED_IMPORT_MAX_BYTES, headers=conditional
        )
        if fetched.status == 304:
            return _synced(feed_import, new=[], skipped=0, fetched=fetched)
        parsed = parsing.parse(fetched.body, url=fetched.url, http_charset=fetched.charset)
    except ApplicationError as error:
        return _fail(feed_import, str(error.message))
    except Exception:
        logger.exception("importing feed %s failed", import_id)
        return _fail(feed_import, _("The feed could not be read because of an error in Ting."))
    new, skipped = _add_episodes(feed_import, parsed)
    synced = _synced(feed_import, new=new, skipped=skipped, fetched=fetched)
    if enqueue_episodes:
        from ting.feeds.tasks import import_episode

        for episode_id in new:
            transaction.on_commit(partial(import_episode.enqueue, episode_id=episode_id))
    return synced


@transaction.atomic
def _add_episodes(feed_import: FeedImport, parsed: parsing.ParsedFeed) -> tuple[list[int], int]:
    if feed_import.album is None:
        title = parsed.title or (urlsplit(feed_import.url).hostname or feed_import.url)
        description = str(parsed.data.get("description") or "")
        # Private until the anchor has looked: an import may be of somebody else's show.
        feed_import.album = album_create(
            anchor=feed_import.anchor,
            title=title[:120],
            intro=plain_text_to_html(description),
            visibility=Visibility.PRIVATE,
        )
        FeedImport.objects.filter(pk=feed_import.pk).update(album=feed_import.album)
    known = set(
        ImportedEpisode.objects.filter(feed_import=feed_import).values_list("guid", flat=True)
    )
    new: list[int] = []
    skipped = 0
    # Oldest first, so track order numbers follow the show's own order.
    episodes = sorted(parsed.episodes, key=lambda e: e.get("published") or 0)
    for episode in episodes:
        enclosure_url = _enclosure(episode)
        guid = str(episode.get("guid") or enclosure_url).strip()[:500]
        if not guid or guid in known:
            continue
        if not enclosure_url or urlsplit(enclosure_url).scheme not in ("http", "https"):
            skipped += 1
            continue
        known.add(guid)
        duration = episode.get("total_time") or None
        track = track_create(
            album=feed_import.album,
            title=_episode_title(episode, enclosure_url),
            intro=_episode_intro(episode),
            duration=float(duration) if duration else None,
            explicit=bool(episode.get("explicit")),
        )
        imported = ImportedEpisode.objects.create(
            feed_import=feed_import,
            guid=guid,
            track=track,
            enclosure_url=enclosure_url[:2000],
            published_at=_published(episode),
        )
        new.append(imported.pk)
    return new, skipped


def _synced(
    feed_import: FeedImport, *, new: list[int], skipped: int, fetched: fetch.Fetched
) -> FeedImport:
    parts = [ngettext("%(n)d new episode.", "%(n)d new episodes.", len(new)) % {"n": len(new)}]
    if skipped:
        parts.append(
            ngettext(
                "%(n)d episode without audio was skipped.",
                "%(n)d episodes without audio were skipped.",
                skipped,
            )
            % {"n": skipped}
        )
    total = ImportedEpisode.objects.filter(feed_import=feed_import).count()
    FeedImport.objects.filter(pk=feed_import.pk).update(
        status=FeedImport.Status.IMPORTING if new else FeedImport.Status.DONE,
        message=" ".join(parts),
        episode_count=total,
        last_synced_at=timezone.now(),
        etag=(fetched.headers.get("ETag") or "")[:200],
        last_modified=(fetched.headers.get("Last-Modified") or "")[:100],
        updated_at=timezone.now(),
    )
    feed_import.refresh_from_db()
    return feed_import


def imported_episode_download(*, episode_id: int) -> ImportedEpisode | None:
    """Stream one enclosure to disk and into the ingest pipeline; publish it once ready."""
    claimed = ImportedEpisode.objects.filter(
        pk=episode_id, status=ImportedEpisode.Status.PENDING, track__isnull=False
    ).update(status=ImportedEpisode.Status.DOWNLOADING, updated_at=timezone.now())
    if not claimed:
        return None
    episode = ImportedEpisode.objects.select_related("track", "feed_import__anchor").get(
        pk=episode_id
    )
    track = episode.track
    assert track is not None
    try:
        with tempfile.TemporaryFile(prefix="ting-enclosure-") as sink:
            fetched = fetch.fetch(
                episode.enclosure_url,
                max_bytes=settings.TING_UPLOAD_MAX_BYTES,
                deadline_s=ENCLOSURE_DEADLINE_S,
                sink=sink,
            )
            upload_check_allowed(anchor=episode.feed_import.anchor, size=fetched.size)
            sink.seek(0)
            name = PurePosixPath(urlsplit(fetched.url).path).name or "enclosure"
            asset_create(track=track, content=sink, filename=name)
    except ApplicationError as error:
        return _episode_failed(episode, str(error.message))
    except Exception:
        logger.exception("importing episode %s failed", episode_id)
        return _episode_failed(
            episode, _("The audio could not be imported because of an error in Ting.")
        )
    ImportedEpisode.objects.filter(pk=episode.pk).update(
        status=ImportedEpisode.Status.DONE, message="", updated_at=timezone.now()
    )
    imported_episodes_publish_ready(feed_import_id=episode.feed_import_id)
    _finish_if_done(episode.feed_import_id)
    episode.refresh_from_db()
    return episode


def _episode_failed(episode: ImportedEpisode, message: str) -> ImportedEpisode:
    ImportedEpisode.objects.filter(pk=episode.pk).update(
        status=ImportedEpisode.Status.FAILED, message=message, updated_at=timezone.now()
    )
    Track.objects.filter(imported_episode=episode).exclude(status=Track.Status.PUBLISHED).update(
        status=Track.Status.FAILED, failure_reason=message
    )
    _finish_if_done(episode.feed_import_id)
    episode.refresh_from_db()
    return episode


def _finish_if_done(feed_import_id: int) -> None:
    waiting = ImportedEpisode.objects.filter(
        feed_import_id=feed_import_id,
        status__in=[ImportedEpisode.Status.PENDING, ImportedEpisode.Status.DOWNLOADING],
    )
    if not waiting.exists():
        FeedImport.objects.filter(pk=feed_import_id, status=FeedImport.Status.IMPORTING).update(
            status=FeedImport.Status.DONE, updated_at=timezone.now()
        )


def imported_episodes_publish_ready(*, feed_import_id: int | None = None) -> int:
    """Publish imported tracks whose audio is ready, at the date the feed gave them."""
    ready = ImportedEpisode.objects.filter(
        status=ImportedEpisode.Status.DONE, track__status=Track.Status.READY
    ).select_related("track")
    if feed_import_id is not None:
        ready = ready.filter(feed_import_id=feed_import_id)
    published = 0
    for episode in ready:
        assert episode.track is not None
        try:
            track_publish(track=episode.track, at=episode.published_at or timezone.now())
        except ApplicationError:
            continue  # changed under us (another worker published it): nothing to do
        published += 1
    return published


def feed_imports_resync(*, now: datetime | None = None) -> list[int]:
    """Queue a sync of every import not synced for RESYNC_EVERY; publish what became ready."""
    from ting.feeds.tasks import import_episode, sync_feed

    cutoff = (now or timezone.now()) - RESYNC_EVERY
    due = list(
        FeedImport.objects.filter(resync=True, album__isnull=False)
        .exclude(status=FeedImport.Status.FETCHING)
        .filter(Q(last_synced_at__isnull=True) | Q(last_synced_at__lt=cutoff))
        .values_list("pk", flat=True)
    )
    for import_id in due:
        sync_feed.enqueue(import_id=import_id)
    # Episodes whose task was lost (a worker died) are queued again after a while.
    stale = timezone.now() - timedelta(hours=1)
    for episode_id in ImportedEpisode.objects.filter(
        status=ImportedEpisode.Status.PENDING, updated_at__lt=stale
    ).values_list("pk", flat=True):
        import_episode.enqueue(episode_id=episode_id)
    imported_episodes_publish_ready()
    return due
