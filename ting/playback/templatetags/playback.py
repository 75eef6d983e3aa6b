"""The player's data for a track, rendered into pages that sit below playback in the layers."""

from __future__ import annotations

from typing import Any

from django import template

from ting.catalog.models import Track
from ting.core.http import viewer
from ting.playback import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def player_data(context: template.Context, track: Track, next_track: Track | None = None) -> Any:
    request = context.get("request")
    user = viewer(request) if request is not None else None
    # A template passes "" for a missing neighbour (up_next.0 of an empty list).
    return selectors.player_data(track=track, user=user, next_track=next_track or None)
