from __future__ import annotations

import base64
import hashlib
import logging
import re
import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from ting.core import health, unavailable

logger = logging.getLogger(__name__)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # A service that went down under a middleware (the session saved on the way out, say)
    # lands here rather than in RequestMiddleware.process_exception: still a 503, not a 500.
    error = sys.exc_info()[1]
    if error is not None and unavailable.service_down(error):
        return unavailable.unavailable_response(request)
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
    """Ready for traffic: each registered probe answers. 503 names what does not."""
    checks: dict[str, str] = {}
    for result in health.run_probes():
        if not result.ok:
            logger.warning("readiness probe %s failed: %s", result.name, result.detail)
        # The type only: the full reason (hosts, paths) is for `ting check` and the log.
        checks[result.name] = "ok" if result.ok else f"error: {result.detail.split(':')[0]}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)
