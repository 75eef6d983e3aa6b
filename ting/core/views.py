from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors may run here: the error may come from one of them.
    from django.template import loader

    content = loader.get_template("500.html").render()
    response = HttpResponse(content, status=500)
    # The page keeps its one <style> inline (it must show even when static files fail): the CSP
    # allows exactly that style by its hash.
    response._csp_update = {"style-src": [_style_hashes(content)]}  # type: ignore[attr-defined]
    return response


def _style_hashes(html: str) -> str:
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(m.encode()).digest()).decode()}'"
        for m in re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    )


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and answering; nothing else is checked (for restarts, not routing)."""
    return HttpResponse("ok\n", content_type="text/plain")


def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: each service this instance needs answers. 503 names what does not."""
    checks = {name: _check(probe) for name, probe in _READINESS_PROBES.items()}
    ready = all(result == "ok" for result in checks.values())
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)


def _check(probe: Callable[[], None]) -> str:
    try:
        probe()
    except Exception as error:  # any failure means "not ready"; the message says which
        logger.warning("readiness probe failed: %s", error)
        return f"error: {type(error).__name__}"
    return "ok"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    key = "ting:readyz"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was stored")


def _storage() -> None:
    default_storage.exists("readyz-probe")


_READINESS_PROBES: dict[str, Callable[[], None]] = {
    "database": _database,
    "cache": _cache,
    "storage": _storage,
}
