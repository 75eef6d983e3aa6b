"""A service that is down answers 503 with a readable message, never a 500 and a stack trace.

Each request reconnects on its own (Django opens a new database connection once the old one
failed, redis-py's pool reconnects), so the site recovers as soon as the service is back.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

_REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


def service_down(error: BaseException) -> str | None:
    """Which service `error` says is unreachable ("database", "redis"), or None."""
    if isinstance(error, OperationalError | InterfaceError):
        # SQLite also calls a missing table an OperationalError: that is a deploy mistake
        # (migrations not run), not an outage, and keeps its 500.
        return None if "no such" in str(error) else "database"
    if isinstance(error, _REDIS_DOWN):
        return "redis"
    return None


def _message() -> str:
    return _(
        "A service Ting depends on is not answering right now. Nothing you sent was lost; "
        "please try again in a minute."
    )


def api_error_body() -> bytes:
    """The API's error shape (ting/api/errors.py), for /api/ paths outside the ninja router."""
    body = {"error": {"code": "service_unavailable", "message": _message(), "fields": {}}}
    return json.dumps(body, ensure_ascii=False).encode()


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 in the shape the caller reads: JSON for the API, plain text for streams, else HTML."""
    path = request.path_info
    if path.startswith("/api/"):
        response = HttpResponse(api_error_body(), status=503, content_type="application/json")
    elif path.startswith("/stream/"):
        response = HttpResponse(_message(), status=503, content_type="text/plain; charset=utf-8")
    else:
        # No context processors: they may be what needs the service that is down.
        html = loader.get_template("503.html").render({"message": _message()})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(settings.TING_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
