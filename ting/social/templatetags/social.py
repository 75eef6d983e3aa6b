"""Social blocks for pages in lower layers: catalog templates load these, never social's Python.

Every tag costs no query for an anonymous reader; the comment list itself loads over htmx
(`hx-trigger="load"`, with a plain link without JavaScript), so a track page's own queries stay
what the catalog pinned.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from ting.catalog.models import Album, Anchor, Track
from ting.core.http import viewer
from ting.core.script import reader_script
from ting.social import selectors, text
from ting.social.models import Comment
from ting.social.presenters import author_name
from ting.social.services import library
from ting.social.targets import Target

register = template.Library()

# The 表情 grid: common reactions under Chinese audio, skin-tone and ZWJ forms included.
EMOJI = (
    "😀", "😂", "🤣", "😊", "😍", "🥰", "😘", "😎", "🤔", "😮", "😢", "😭", "😡", "🥱", "😴",
    "👍", "👍🏽", "👎", "👏", "🙏", "💪", "🤝", "❤️", "💔", "🔥", "🎉", "🌹", "☕", "🎧", "📻",
    "👨‍👩‍👧‍👦", "🐶", "🐱", "🌙", "⭐", "✅",
)  # fmt: skip


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return viewer(request) if request is not None else None


def _base(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    return {
        "request": request,
        "user": context.get("user"),
        "csrf_token": context.get("csrf_token"),
        "signed_in": _user(context) is not None,
        "here": request.get_full_path() if request is not None else "/",
    }


@register.inclusion_tag("social/includes/comment_block.html", takes_context=True)
def comment_block(
    context: template.Context, track: Track | None = None, album: Album | None = None
) -> dict[str, Any]:
    return {
        **_base(context),
        "target": Target(track=track, album=album),
        "emoji": EMOJI,
        "limit": text.MAX_GRAPHEMES,
        "max_code_points": text.MAX_CODE_POINTS,
    }


@register.inclusion_tag("social/includes/follow_button.html", takes_context=True)
def follow_button(context: template.Context, anchor: Anchor) -> dict[str, Any]:
    user = _user(context)
    own = user is not None and anchor.user_id == user.pk
    following = user is not None and not own and selectors.is_following(user=user, anchor=anchor)
    return {**_base(context), "anchor": anchor, "following": following, "own": own}


@register.inclusion_tag("social/includes/subscribe_button.html", takes_context=True)
def subscribe_button(context: template.Context, album: Album) -> dict[str, Any]:
    user = _user(context)
    subscribed = False
    if user is not None:
        subscription = selectors.subscription_for(user=user, album=album)
        subscribed = subscription is not None
        if subscription is not None:
            # Opening the album is what "heard" means for the N-new badge (docs/adr/0010).
            library.subscription_seen(user=user, album=album)
    return {**_base(context), "album": album, "subscribed": subscribed}


@register.inclusion_tag("social/includes/track_buttons.html", takes_context=True)
def track_buttons(context: template.Context, track: Track) -> dict[str, Any]:
    user = _user(context)
    state = selectors.track_state(user=user, track=track) if user is not None else None
    return {**_base(context), "track": track, "state": state}


@register.inclusion_tag("social/includes/bell.html", takes_context=True)
def notification_bell(context: template.Context) -> dict[str, Any]:
    user = _user(context)
    unread = selectors.unread_count(user=user) if user is not None else 0
    return {**_base(context), "unread": unread}


@register.inclusion_tag("social/includes/shelf.html", takes_context=True)
def continue_listening(context: template.Context) -> dict[str, Any]:
    user = _user(context)
    rows = selectors.continue_listening(user=user) if user is not None else []
    return {**_base(context), "positions": rows}


@register.simple_tag
def comment_html(comment: Comment, target: Any) -> SafeString:
    """The comment's words, inert, with links and (on tracks) time codes that seek the player."""
    return text.render(
        comment.body,
        script=reader_script(),
        track_id=getattr(target, "track_id", None),
        duration=getattr(target, "duration", None),
    )


@register.filter(name="author_name")
def author_name_filter(comment: Comment) -> str:
    return author_name(comment)


@register.filter
def contains(collection: Any, item: Any) -> bool:
    return item in collection
