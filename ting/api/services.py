"""API writes: personal access tokens, and the studio's services behind API-shaped arguments."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ting.accounts.models import User
from ting.api.models import PersonalAccessToken, Scope, token_hash
from ting.api.schemas import StudioAlbumIn, StudioAlbumPatch, StudioTrackPatch
from ting.catalog.models import Album, Anchor, Category, Track, Visibility
from ting.catalog.services import album_create
from ting.core.errors import ApplicationError
from ting.feeds import opml
from ting.feeds import selectors as feed_selectors
from ting.feeds.opml import OutlineFeed
from ting.social.services import library
from ting.studio import services as studio

TOKEN_PREFIX = "ting_"  # noqa: S105 (a label that makes leaked tokens findable, not a secret)


@dataclass(frozen=True, slots=True)
class NewToken:
    token: PersonalAccessToken
    secret: str  # shown once, never stored


def token_create(
    *, user: User, name: str, scopes: list[str], expires_in_days: int | None = None
) -> NewToken:
    chosen = [s for s in Scope.values if s in set(scopes)]
    if not chosen:
        raise ApplicationError(_("Choose at least one scope."), code="no_scope")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    token = PersonalAccessToken.objects.create(
        user=user,
        name=name.strip()[:60] or _("Token"),
        token_hash=token_hash(secret),
        prefix=secret[:10],
        scopes=" ".join(chosen),
        expires_at=expires,
    )
    return NewToken(token=token, secret=secret)


def token_revoke(*, user: User, token_id: int) -> None:
    revoked = PersonalAccessToken.objects.filter(
        pk=token_id, user=user, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if revoked != 1:
        raise Http404


def _category(slug: str | None) -> Category | None:
    if not slug:
        return None
    found = Category.objects.filter(slug=slug).first()
    if found is None:
        raise ApplicationError(_("No such category."), code="unknown_category")
    return found


def studio_album_create(*, anchor: Anchor, data: StudioAlbumIn) -> Album:
    return album_create(
        anchor=anchor,
        title=data.title,
        intro=data.intro,
        category=_category(data.category),
        tags=data.tags,
        language=data.language,
        status=data.status,
        visibility=data.visibility,
        track_order=data.track_order,
    )


@transaction.atomic
def studio_album_update(*, album: Album, data: StudioAlbumPatch) -> Album:
    """Change only the fields sent; the rest stay as they are."""
    sent = data.model_dump(exclude_unset=True)
    tags = sent.get("tags")
    return studio.album_update(
        album=album,
        title=sent.get("title") or album.title,
        intro=sent.get("intro", album.intro),
        category=_category(sent["category"]) if "category" in sent else album.category,
        tags=tags if tags is not None else [t.name for t in album.tags.all()],
        language=sent.get("language") or album.language,
        status=sent.get("status") or album.status,
        visibility=sent.get("visibility") or album.visibility,
        track_order=sent.get("track_order") or album.track_order,
    )


def studio_track_update(*, track: Track, data: StudioTrackPatch) -> Track:
    sent = data.model_dump(exclude_unset=True)
    return studio.track_update(
        track=track,
        title=sent.get("title") or track.title,
        intro=sent.get("intro", track.intro),
        position=sent.get("position") or track.position,
        visibility=sent.get("visibility") or track.visibility,
        explicit=sent["explicit"] if sent.get("explicit") is not None else track.explicit,
        published_at=None,
    )


# --- OPML: a listener's subscriptions in and out -------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpmlImport:
    """What became of each feed in an uploaded OPML file."""

    subscribed: list[Album]  # ours, now subscribed (or already were)
    unavailable: list[OutlineFeed]  # ours, but an album this listener may not open
    elsewhere: list[OutlineFeed]  # not on Ting: anchors may import these as albums


def site_hosts(request_host: str) -> set[str]:
    """The host names our own feed URLs may carry: this request's, and every allowed host."""
    hosts = {request_host.rsplit(":", 1)[0].lower()}
    hosts |= {h.lower() for h in settings.ALLOWED_HOSTS if h and "*" not in h and h[0] != "."}
    return hosts


@transaction.atomic
def subscriptions_import(*, user: User, data: bytes, hosts: set[str]) -> OpmlImport:
    """Subscribe to every Ting album an OPML file lists; say what happened to the rest.

    A malformed or hostile file raises OpmlInvalid (a message, no partial import). Queries:
    two to match URLs, one to check which albums the listener may open, one insert each.
    """
    feeds = opml.read_subscriptions(data)
    ours = feed_selectors.albums_for_feed_urls(urls=[f.url for f in feeds], hosts=hosts)
    visible = set(
        Album.objects.visible_to(user)
        .filter(pk__in={a.pk for a in ours.values()})
        .values_list("pk", flat=True)
    )
    subscribed: dict[int, Album] = {}
    unavailable: list[OutlineFeed] = []
    elsewhere: list[OutlineFeed] = []
    for feed in feeds:
        album = ours.get(feed.url)
        if album is None:
            elsewhere.append(feed)
        elif album.pk in visible:
            subscribed.setdefault(album.pk, album)
        else:
            unavailable.append(feed)
    for album in subscribed.values():
        library.album_subscribe(user=user, album=album)
    return OpmlImport(list(subscribed.values()), unavailable, elsewhere)


def subscriptions_export(*, user: User, absolute: Callable[[str], str]) -> bytes:
    """The listener's subscriptions whose albums have a public feed, as OPML."""
    albums = Album.objects.filter(subscriptions__user=user, visibility=Visibility.PUBLIC).order_by(
        "title", "pk"
    )
    return opml.subscriptions_outline(albums=list(albums), absolute=absolute)
