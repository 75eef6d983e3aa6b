"""Who may receive a track's bytes (ASVS V8.2.2: object-level access on every stream)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from ting.accounts.models import User
from ting.catalog.models import Track, Visibility
from ting.playback import signing


def is_public(track: Track) -> bool:
    """Published, out now, and public along with its album: a stable URL anyone may use."""
    return (
        track.status == Track.Status.PUBLISHED
        and track.published_at is not None
        and track.published_at <= timezone.now()
        and track.visibility == Visibility.PUBLIC
        and track.album.visibility == Visibility.PUBLIC
    )


def is_owner(track: Track, user: User | None) -> bool:
    return user is not None and track.album.anchor.user_id == user.pk


def may_stream(
    track: Track, fmt: str, *, user: User | None, expires: str | None, signature: str | None
) -> bool:
    if is_public(track):
        return True
    if not signing.verify(track.pk, fmt, expires, signature):
        return False
    if track.status == Track.Status.PUBLISHED:
        return True
    # Drafts, processing and ready-but-unpublished audio reach nobody but their anchor, even
    # with a leaked signed link.
    return is_owner(track, user)


def nginx_signs(track: Track) -> bool:
    """With MEDIA_DELIVERY=nginx-signed, whether nginx checks this track's URLs by itself.

    Published tracks only: a signed URL is a bearer credential until it expires, which is what
    Ting's own signed URLs of published tracks already are. Drafts keep Ting's check on every
    request (X-Accel-Redirect), so that a leaked link never plays them to anyone but the anchor.
    """
    return settings.MEDIA_DELIVERY == "nginx-signed" and track.status == Track.Status.PUBLISHED
