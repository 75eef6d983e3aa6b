"""猜你喜歡 blocks for catalog pages: lower layers include these tags, never import discovery."""

from __future__ import annotations

from typing import Any

from django import template

from ting.catalog.models import Album, Track
from ting.core.http import viewer
from ting.discovery import selectors

register = template.Library()


@register.inclusion_tag("discovery/includes/related_tracks.html", takes_context=True)
def related_tracks(context: dict[str, Any], track: Track) -> dict[str, Any]:
    request = context.get("request")
    user = viewer(request) if request is not None else None
    return {"items": selectors.related_tracks(track=track, user=user), "shelf": "track"}


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
