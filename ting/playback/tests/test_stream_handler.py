"""StreamHandler (ting/playback/asgi.py) answers byte requests as Django's whole stack does.

Each request goes once through StreamHandler (the MIDDLEWARE stack less SKIPPED_MIDDLEWARE,
the cached CSP, the stream view's match built from the path) and once through the same handler
with Django's own middleware loading and URL resolver; status, headers, cookies, bodies and the
stream log rows they write must be the same.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from csp.constants import HEADER as HEADER_CSP
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core import signals
from django.core.handlers.base import BaseHandler
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponseBase
from django.test import Client, override_settings
from django.urls import ResolverMatch

from ting.catalog.models import Anchor, Track, Visibility
from ting.catalog.tests.factories import make_track
from ting.playback import signing
from ting.playback.asgi import (
    SKIPPED_MIDDLEWARE,
    StreamCSPMiddleware,
    StreamHandler,
    stream_middleware,
)
from ting.playback.delivery.handoff import HEADER, SCOPE_KEY, Handoff
from ting.playback.tests.test_stream_access import AUDIO, with_audio
from ting.stats.models import StreamLog

pytestmark = pytest.mark.django_db

# Random per request: the request id, the handoff token, a CSP nonce, a CSRF token and cookie,
# and a cookie's expiry (the clock may pass a second between the two answers).
_RANDOM = re.compile(
    rb"(nonce-|csrfmiddlewaretoken\" value=\"|csrftoken=)[A-Za-z0-9+/=_-]+|(expires=)[^;]+"
)


class DjangoStack(StreamHandler):
    """What the stream route ran before: the whole MIDDLEWARE stack and the URL resolver."""

    def load_middleware(self, is_async: bool = False) -> None:
        BaseHandler.load_middleware(self, is_async=False)

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        return BaseHandler.resolve_request(self, request)


@pytest.fixture
def stacks() -> Iterator[tuple[StreamHandler, StreamHandler]]:
    # The handlers send request_started/finished, whose receiver would close the test's
    # connection in the middle of its transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield StreamHandler(), DjangoStack()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _scope(path: str, query: str = "", method: str = "GET", **headers: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [
            (name.replace("_", "-").lower().encode(), value.encode())
            for name, value in headers.items()
        ],
        "client": ("203.0.113.7", 50000),
        "server": ("testserver", 80),
    }


def _answer(handler: StreamHandler, scope: dict[str, Any]) -> dict[str, Any]:
    handoff = Handoff()
    scope = {**scope, SCOPE_KEY: handoff}
    response, headers = handler.respond(scope)
    try:
        body = b"" if response.streaming else response.content  # type: ignore[attr-defined]
    finally:
        handoff.close()
    random = {b"x-request-id", HEADER.lower().encode()}
    row = StreamLog.objects.order_by("-id").values().first()
    return {
        "status": response.status_code,
        "headers": sorted(
            (name.lower(), _RANDOM.sub(rb"\1\2-", value))
            for name, value in headers
            if name.lower() not in random
        ),
        "handed_off": response.has_header(HEADER),
        "body": _RANDOM.sub(rb"\1\2-", body),
        "log": row and {key: value for key, value in row.items() if key not in ("id", "at")},
    }


def _same(stacks: tuple[StreamHandler, StreamHandler], scope: dict[str, Any]) -> dict[str, Any]:
    ours, django = (_answer(handler, scope) for handler in stacks)
    assert ours == django
    return ours


@pytest.fixture
def tracks(anchor: Anchor) -> dict[str, Track]:
    return {
        "public": with_audio(make_track(album__anchor=anchor)),
        "private": with_audio(make_track(album__anchor=anchor, visibility=Visibility.PRIVATE)),
        "draft": with_audio(make_track(album__anchor=anchor, status=Track.Status.DRAFT)),
    }


def _path(track: Track) -> str:
    return f"/stream/{track.pk}/opus32"


def test_a_range_is_answered_and_logged_alike(
    stacks: Any, tracks: dict[str, Track], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ting.access"):
        answer = _same(stacks, _scope(_path(tracks["public"]), range="bytes=10-99"))
    assert answer["status"] == 206 and answer["handed_off"]
    # The access line and the metrics name the route from the match StreamHandler built.
    lines = [{**record.fields, "duration_ms": 0} for record in caplog.records]  # type: ignore[attr-defined]
    assert len(lines) == 2 and lines[0] == lines[1]
    assert lines[0]["route"] == "playback:stream" and lines[0]["bytes"] == 90
    headers = dict(answer["headers"])
    assert headers[b"content-range"] == f"bytes 10-99/{len(AUDIO)}".encode()
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert headers[b"x-frame-options"] == b"DENY"
    assert b"content-security-policy" in headers
    assert answer["log"]["range_header"] == "bytes=10-99"
    assert answer["log"]["bytes_planned"] == 90


def test_head_and_conditional_requests_alike(stacks: Any, tracks: dict[str, Track]) -> None:
    path = _path(tracks["public"])
    assert _same(stacks, _scope(path, method="HEAD"))["status"] == 200
    etag = dict(_same(stacks, _scope(path))["headers"])[b"etag"].decode()
    assert _same(stacks, _scope(path, if_none_match=etag))["status"] == 304
    assert _same(stacks, _scope(path, range=f"bytes={len(AUDIO)}-"))["status"] == 416


def test_refusals_and_missing_tracks_alike(stacks: Any, tracks: dict[str, Track]) -> None:
    private = tracks["private"]
    assert _same(stacks, _scope(_path(private)))["status"] == 404
    query = signing.sign(private.pk, "opus32")
    tampered = query[:-1] + ("0" if query[-1] != "0" else "1")
    refused = _same(stacks, _scope(_path(private), tampered))
    assert refused["status"] == 403 and not refused["handed_off"]
    assert _same(stacks, _scope(_path(private), query))["status"] == 200
    missing = _same(stacks, _scope("/stream/999999/opus32", accept_language="en"))
    assert missing["status"] == 404
    assert dict(missing["headers"])[b"content-language"] == b"en"


def test_a_signed_in_owner_gets_a_draft_alike(
    stacks: Any, tracks: dict[str, Track], anchor: Anchor
) -> None:
    client = Client()
    client.force_login(anchor.user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    draft = tracks["draft"]
    query = signing.sign(draft.pk, "opus32")
    assert _same(stacks, _scope(_path(draft), query))["status"] == 404
    answer = _same(stacks, _scope(_path(draft), query, cookie=cookie))
    assert answer["status"] == 200
    assert answer["log"]["user_id"] == anchor.user.pk
    assert b"Cookie" in dict(answer["headers"])[b"vary"]


def test_a_byte_request_skips_only_the_middleware_it_cannot_need() -> None:
    assert set(settings.MIDDLEWARE) >= SKIPPED_MIDDLEWARE
    assert stream_middleware() == [
        "ting.core.middleware.RequestMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "ting.playback.asgi.StreamCSPMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "ting.core.middleware.ReaderScriptMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ]


def test_the_cached_policy_follows_the_settings(stacks: Any, tracks: dict[str, Track]) -> None:
    policy = {"DIRECTIVES": {"default-src": ["'none'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        answer = _same(stacks, _scope(_path(tracks["public"])))
    assert dict(answer["headers"])[b"content-security-policy"] == b"default-src 'none'"


def test_a_response_with_its_own_policy_keeps_it() -> None:
    answers = []
    for middleware_class in (StreamCSPMiddleware, CSPMiddleware):
        request, response = HttpRequest(), HttpResponseBase()
        response._csp_replace = {"media-src": ["'none'"]}  # type: ignore[attr-defined]
        middleware = middleware_class(lambda request: response)  # noqa: B023
        middleware.process_request(request)
        answers.append(middleware.process_response(request, response)[HEADER_CSP])
    assert answers[0] == answers[1]
    assert "media-src 'none'" in answers[0]


def test_a_urlconf_that_sends_stream_paths_elsewhere_is_resolved(
    stacks: Any, tracks: dict[str, Track]
) -> None:
    with override_settings(ROOT_URLCONF="ting.playback.tests.urls_for_tests"):
        handler = StreamHandler()
        assert handler._match is None
    # Without the check's answer, Django's resolver decides (here on the real URLconf).
    request = HttpRequest()
    request.path_info = _path(tracks["public"])
    assert handler.resolve_request(request).view_name == "playback:stream"
