"""Catalog writes. Keyword-only, typed, atomic; rich text is sanitised on the way in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ting.accounts.models import User
from ting.catalog.models import Album, Anchor, Category, Tag, Track, Visibility
from ting.core.cache import CATALOG, cache_bump
from ting.core.errors import ApplicationError
from ting.core.sanitize import sanitize_rich_text
from ting.core.script import to_simplified


class TrackNotReady(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            _("Only a track whose audio is ready can be published."), code="track_not_ready"
        )


@transaction.atomic
def anchor_become(*, user: User, display_name: str, bio: str = "") -> Anchor:
    """Turn an account into an anchor; asking twice returns the same anchor."""
    anchor, _created = Anchor.objects.get_or_create(
        user=user,
        defaults={"display_name": display_name.strip(), "bio": sanitize_rich_text(bio)},
    )
    return anchor


def anchor_update(*, anchor: Anchor, display_name: str, bio: str) -> Anchor:
    anchor.display_name = display_name.strip()
    anchor.bio = sanitize_rich_text(bio)
    anchor.save(update_fields=["display_name", "bio", "updated_at"])
    return anchor


def tags_get_or_create(*, names: Iterable[str]) -> list[Tag]:
    """Tags by name; 科技 and 科技 (or ＡＩ and ai) are the same tag."""
    tags: list[Tag] = []
    seen: set[str] = set()
    for raw in names:
        name = raw.strip().lstrip("#")[:30]
        key = to_simplified(name).casefold()
        if not name or key in seen:
            continue
        seen.add(key)
        tag, _created = Tag.objects.get_or_create(key=key, defaults={"name": name})
        tags.append(tag)
    return tags


@transaction.atomic
def album_create(
    *,
    anchor: Anchor,
    title: str,
    intro: str = "",
    category: Category | None = None,
    tags: Iterable[str] = (),
    language: str = Album.Language.CHINESE,
    status: str = Album.Status.SERIALISING,
    visibility: str = Visibility.PUBLIC,
    track_order: str = Album.TrackOrder.ASCENDING,
) -> Album:
    album = Album.objects.create(
        anchor=anchor,
        title=title.strip(),
        intro=sanitize_rich_text(intro),
        category=category,
        language=language,
        status=status,
        visibility=visibility,
        track_order=track_order,
    )
    album.tags.set(tags_get_or_create(names=tags))
    return album


@transaction.atomic
def track_create(
    *,
    album: Album,
    title: str,
    intro: str = "",
    duration: float | None = None,
    explicit: bool = False,
    visibility: str = Visibility.PUBLIC,
    status: str = Track.Status.DRAFT,
) -> Track:
    """A new track at the end of its album."""
    last = Track.objects.filter(album=album).aggregate(last=Max("position"))["last"] or 0
    return Track.objects.create(
        album=album,
        title=title.strip(),
        intro=sanitize_rich_text(intro),
        position=last + 1,
        duration=duration,
        explicit=explicit,
        visibility=visibility,
        status=status,
    )


@transaction.atomic
def track_publish(*, track: Track, at: datetime | None = None) -> Track:
    """Publish a READY track now, or schedule it for `at`."""
    updated = Track.objects.filter(pk=track.pk, status=Track.Status.READY).update(
        status=Track.Status.PUBLISHED, published_at=at or timezone.now(), updated_at=timezone.now()
    )
    if updated != 1:
        raise TrackNotReady()
    track.refresh_from_db()
    album_refresh_counts(album_id=track.album_id)
    return track


def album_refresh_counts(*, album_id: int) -> None:
    """Recompute the album's published-track aggregates from its tracks (idempotent)."""
    stats = Track.objects.filter(album_id=album_id).aggregate(
        published=Count("pk", filter=Q(status=Track.Status.PUBLISHED)),
        last=Max("published_at", filter=Q(status=Track.Status.PUBLISHED)),
    )
    Album.objects.filter(pk=album_id).update(
        published_track_count=stats["published"], last_published_at=stats["last"]
    )
    catalog_changed()


def catalog_changed() -> None:
    """Pages' cached blocks (猜你喜歡) show what is listed and how it reads: after a write to
    either commits, every key built on the catalog's version is stale."""
    transaction.on_commit(lambda: cache_bump(CATALOG))
