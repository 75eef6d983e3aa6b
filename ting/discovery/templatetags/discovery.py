"""猜你喜歡 blocks for catalog pages: lower layers include these tags, never import discovery."""

from __future__ import annotations

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
from ting.discovery.models import TrackNeighbour

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
    scope = f"{translation.get_language()}:{reader_script()}:{cache_versions(CATALOG, DISCOVERY)}"
    track_key = f"discovery:related:{track.pk}:{scope}"
    category_key = f"discovery:related-category:{track.album.category_id or 0}:{scope}"
    found = cache.get_many([track_key, category_key])
    html: str | None = found.get(track_key)
    if html is not None:
        return mark_safe(html)  # noqa: S308 (rendered by our autoescaping template)
    # A track without precomputed rows gets its category's cold-start picks, the same for every
    # such track except the picks themselves (a track never recommends itself). So that block
    # is rendered once per category and shared; a track's own rows only need an existence check
    # (with 100k tracks, a per-track cache alone hardly ever hits).
    shared: tuple[str, frozenset[int] | None] | None = found.get(category_key)
    if shared is None:
        shared = _category_block(track)
        cache.set(category_key, shared, RELATED_BLOCK_TTL)
    block, ranked = shared
    if (
        ranked is not None
        and track.pk not in ranked
        and not TrackNeighbour.objects.filter(track_id=track.pk).exists()
    ):
        html = block
    else:
        html = _render(selectors.related_tracks(track=track, user=None))
    cache.set(track_key, html, RELATED_BLOCK_TTL)
    return mark_safe(html)  # noqa: S308 (rendered by our autoescaping template)


def _category_block(track: Track) -> tuple[str, frozenset[int] | None]:
    """The cold-start block of `track`'s category, and the tracks it does not fit.

    The selector ranks a category's newest tracks once and leaves out only the track it is
    asked about; for a track outside that ranking it answers the same as for an id no track
    has (0). So that answer is every such track's block, and the ranked tracks (None when the
    ranking is not in the cache) go through the selector themselves.
    """
    outsider = Track(pk=0, album=track.album, title="")
    html = str(_render(selectors.related_tracks(track=outsider, user=None)))
    return html, selectors.fallback_pool_ids(category_id=track.album.category_id)


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
