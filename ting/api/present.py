"""Models to the API's schemas: the one place that decides what each field says."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from ting.catalog.models import Album, Anchor, Category, Track, Visibility
from ting.feeds.opml import OutlineFeed
from ting.media.failures import track_failure_reason
from ting.media.models import Upload
from ting.playback.models import ListeningPosition
from ting.social.models import Comment, Notification

if TYPE_CHECKING:
    from ting.api.services import OpmlImport


def category(c: Category) -> dict[str, Any]:
    return {
        "slug": c.slug,
        "name": c.name,
        "name_zh_hans": c.name_zh_hans,
        "name_zh_hant": c.name_zh_hant,
        "name_en": c.name_en,
    }


def anchor(a: Anchor) -> dict[str, Any]:
    return {
        "id": a.pk,
        "display_name": a.display_name,
        "bio": a.bio,
        "verified": a.verified,
        "follower_count": a.follower_count,
        "url": reverse("anchor", args=[a.pk]),
    }


def album(a: Album) -> dict[str, Any]:
    """`a` comes with anchor and category loaded (select_related)."""
    return {
        "id": a.pk,
        "title": a.title,
        "intro": a.intro,
        "cover": a.cover.url if a.cover else None,
        "anchor": {"id": a.anchor.pk, "display_name": a.anchor.display_name},
        "category": a.category.slug if a.category else None,
        "language": a.language,
        "status": a.status,
        "track_order": a.track_order,
        "published_track_count": a.published_track_count,
        "last_published_at": a.last_published_at,
        "play_count": a.play_count,
        "url": reverse("album", args=[a.pk]),
        "feed_url": (
            reverse("feeds:album", args=[a.pk]) if a.visibility == Visibility.PUBLIC else None
        ),
    }


def studio_album(a: Album, tags: list[str]) -> dict[str, Any]:
    return {**album(a), "visibility": a.visibility, "tags": tags}


def track(t: Track) -> dict[str, Any]:
    return {
        "id": t.pk,
        "album_id": t.album_id,
        "title": t.title,
        "intro": t.intro,
        "position": t.position,
        "duration": t.duration,
        "published_at": t.published_at,
        "explicit": t.explicit,
        "play_count": t.play_count,
        "url": reverse("track", args=[t.pk]),
    }


def studio_track(t: Track) -> dict[str, Any]:
    return {
        **track(t),
        "status": t.status,
        "visibility": t.visibility,
        # In the caller's language (Accept-Language) when the failure has a code.
        "failure_reason": track_failure_reason(t),
    }


def position(p: ListeningPosition) -> dict[str, Any]:
    return {
        "track": track(p.track),
        "position": p.position,
        "finished": p.finished,
        "updated_at": p.updated_at,
    }


def upload(u: Upload) -> dict[str, Any]:
    return {
        "id": str(u.pk),
        "filename": u.filename,
        "size": u.size,
        "offset": u.offset,
        "status": u.status,
        "error": u.failure_message,
        "track_id": u.track_id,
    }


def album_brief(a: Album) -> dict[str, Any]:
    """`a` comes with its anchor loaded."""
    return {
        "id": a.pk,
        "title": a.title,
        "anchor": {"id": a.anchor.pk, "display_name": a.anchor.display_name},
        "cover": a.cover.url if a.cover else None,
    }


def reply(c: Comment) -> dict[str, Any]:
    """`c` went through ting.social.presenters.prepare (html, display_name, liked, by_anchor)."""
    return {
        "id": c.pk,
        "parent_id": c.parent_id,
        "author": {
            "id": c.author_id,
            "name": getattr(c, "display_name", ""),
            "is_anchor": bool(getattr(c, "by_anchor", False)),
        },
        "body": c.body,
        "html": str(getattr(c, "html", "")),
        "like_count": c.like_count,
        "liked": bool(getattr(c, "liked", False)),
        "created_at": c.created_at,
    }


def comment(c: Comment) -> dict[str, Any]:
    return {
        **reply(c),
        "reply_count": c.reply_count,
        "pinned": c.pinned_at is not None,
        "replies": [reply(r) for r in getattr(c, "preview_replies", [])],
    }


def saved_track(t: Track, saved_at: datetime) -> dict[str, Any]:
    """`t` comes with album and the album's anchor loaded."""
    return {"track": track(t), "album": album_brief(t.album), "saved_at": saved_at}


def notification(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "text": str(Notification.Kind(n.kind).label),
        "track_id": n.track_id,
        "comment_id": n.comment_id,
        "created_at": n.created_at,
        "read": n.read_at is not None,
    }


def opml_import(result: OpmlImport, *, may_import: bool) -> dict[str, Any]:
    def outline(feed: OutlineFeed) -> dict[str, str]:
        return {"url": feed.url, "title": feed.title}

    return {
        "subscribed": [album_brief(a) for a in result.subscribed],
        "unavailable": [outline(f) for f in result.unavailable],
        "not_on_ting": [outline(f) for f in result.elsewhere],
        "may_import": may_import,
    }
