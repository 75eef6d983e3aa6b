"""``{{ track|failure_reason }}``: why a track failed, in the reader's language."""

from __future__ import annotations

from django import template

from ting.catalog.models import Track
from ting.media.failures import track_failure_reason

register = template.Library()


@register.filter
def failure_reason(track: Track) -> str:
    return track_failure_reason(track)
