from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation

from ting.core import health, logs, metrics, unavailable
from ting.core.script import reset_reader_script, script_for, set_reader_script

_log = logging.getLogger(__name__)
_access = logging.getLogger("ting.access")


class ReaderScriptMiddleware:
    """Pick the script content is shown in from the active UI language (after LocaleMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        script = script_for(
            translation.get_language() or "", request.headers.get("Accept-Language", "")
        )
        token = set_reader_script(script)
        try:
            return self.get_response(request)
        finally:
            reset_reader_script(token)


class RequestMiddleware:
    """Per request: an id (echoed as X-Request-ID, in every log line), one access log line,
    the latency and stream-byte metrics, and a 503 when a service the view needs is down.

    It sits first in MIDDLEWARE and runs on every page and byte request: keep it to a few
    microseconds (docs/benchmarks.md, "Operations").
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.static_url: str = settings.STATIC_URL or "/static/"

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        request_id = logs.request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        token = logs.set_request_id(request_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            self._record(request, response, time.perf_counter() - started)
        finally:
            logs.reset_request_id(token)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        service = unavailable.service_down(exception)
        if service is None:
            return None
        # Expected during an outage: one line, no traceback; /readyz says the rest.
        _log.warning("%s is down: %s", service, health.explain(exception))
        return unavailable.unavailable_response(request)

    def _record(self, request: HttpRequest, response: HttpResponseBase, seconds: float) -> None:
        match = request.resolver_match
        if match is not None:
            route = match.view_name
        else:
            # WhiteNoise answers static files before any URL is resolved.
            route = "static" if request.path.startswith(self.static_url) else "unmatched"
        status = response.status_code
        metrics.observe_request(route, status, seconds)
        size = _body_size(response)
        if route == "playback:stream" and size and status in (200, 206) and match is not None:
            metrics.count_stream_bytes(match.kwargs.get("fmt", ""), size)
        if _access.isEnabledFor(logging.INFO):
            method, path, ms = request.method, request.path, round(seconds * 1000, 2)
            # One `extra` key: the JSON formatter spreads it, and it is cheaper than five.
            fields = {"method": method, "path": path, "route": route, "status": status,
                      "duration_ms": ms, "bytes": size}  # fmt: skip
            _access.info(
                "%s %s %s %sms %sB", method, path, status, ms, "-" if size is None else size,
                extra={"fields": fields},
            )  # fmt: skip


def _body_size(response: HttpResponseBase) -> int | None:
    # CommonMiddleware sets Content-Length on every non-streaming answer; file responses set it.
    length = response.get("Content-Length")
    if length and length.isdigit():
        return int(length)
    if not response.streaming:
        return len(response.content)  # type: ignore[attr-defined]
    return None
