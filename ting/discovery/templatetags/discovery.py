"""猜你喜歡 blocks for catalog pages: lower layers include these tags, never import discovery."""

from __future__ import annotations

import hashlib
from typing import Any

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from ting.accounts.models import User
from ting.catalog.models import Album, Track
from ting.core.cache import CATALOG, DISCOVERY, cache_versions
from ting.core.http import viewer
from ting.core.script import reader_script
from ting.discovery import selectors

register = template.Library()


# Long enough to serve a popular page many times, short enough that plays moving the
# cold-start ranking show up soon; publishing and recomputing bump the key's versions.
RELATED_BLOCK_TTL = 60


@register.simple_tag(takes_context=True)
def related_tracks(context: dict[str, Any], track: Track) -> SafeString:
    """The track page's 猜你喜歡 block; for anonymous readers served from the cache."""
    request = context.get("request")
    user = viewer(request) if request is not None else None
    if user is not None:  # leaves out what this listener finished: not shared
        return _render_related(track, user)
    key = (
        f"discovery:related:{track.pk}:{translation.get_language()}:{reader_script()}:"
        f"{cache_versions(CATALOG, DISCOVERY)}"
    )
    html: str | None = cache.get(key)
    if html is None:
        items = selectors.related_tracks(track=track, user=None)
        # Tracks of a category without precomputed rows share the same few dozen picks, so
        # the block is also kept under what it shows, for the next track that shows the same.
        shown = ",".join(f"{item.track.pk}/{item.reason}" for item in items)
        digest = hashlib.blake2b(shown.encode(), digest_size=12).hexdigest()
        items_key = f"{key.split(':', 3)[-1]}:{digest}"
        html = cache.get(f"discovery:related-items:{items_key}")
        if html is None:
            html = _render(items)
            cache.set(f"discovery:related-items:{items_key}", html, RELATED_BLOCK_TTL)
        cache.set(key, html, RELATED_BLOCK_TTL)
    return mark_safe(html)  # noqa: S308 (rendered by our autoescaping template)


def _render_related(track: Track, user: User | None) -> SafeString:
    return _render(selectors.related_tracks(track=track, user=user))


def _render(items: list[selectors.RelatedTrack]) -> SafeString:
    return render_to_string(
        "discovery/includes/related_tracks.html", {"items": items, "shelf": "track"}
    )


@register.inclusion_tag("discovery/includes/related_albums.html")
def related_albums(album: Album) -> dict[str, Any]:
    return {"items": selectors.related_albums(album=album)}


@register.inclusion_tag("discovery/includes/related_tracks.html", takes_context=True)
def personal_shelf(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = viewer(request) if request is not None else None
    if user is None:
        return {"items": [], "shelf": "home"}
    return {"items": selectors.personal_shelf(user=user), "shelf": "home"}
