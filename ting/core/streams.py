"""A seam between byte delivery and counting (docs/adr/0009-stream-log.md).

Playback sits below stats in the import layers, so the stream view cannot call the stream log
directly. It reports each authorised byte request here; ``settings.TING_STREAM_LOGGER`` names
the function that records it (an empty string turns logging off). The name is resolved once per
process and again whenever the setting changes (tests override it).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StreamServed:
    """One authorised request for a rendition's bytes, as the view answered it."""

    request: HttpRequest
    status: int
    track_id: int
    fmt: str
    size: int
    bitrate: int
    duration: float


StreamLogger = Callable[[StreamServed], None]


@functools.cache
def _logger() -> StreamLogger | None:
    path: str = getattr(settings, "TING_STREAM_LOGGER", "")
    return import_string(path) if path else None


@receiver(setting_changed)
def _forget_logger(*, setting: str, **kwargs: Any) -> None:
    if setting == "TING_STREAM_LOGGER":
        _logger.cache_clear()


def stream_served(
    request: HttpRequest,
    response: HttpResponseBase,
    *,
    track_id: int,
    fmt: str,
    size: int,
    bitrate: int,
    duration: float,
) -> None:
    """Hand one byte request to the configured stream log; never fails the request."""
    record = _logger()
    if record is None:
        return
    event = StreamServed(request, response.status_code, track_id, fmt, size, bitrate, duration)
    try:
        record(event)
    except Exception:
        # Listeners get their bytes even when the log cannot be written (a locked database,
        # a full disk); the failure is loud in the server log instead.
        log.exception("stream log failed for track %s", track_id)
