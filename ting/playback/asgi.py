"""The stream URL's own way through Django under ASGI: one thread hop, then bytes from the loop.

Byte requests are most of a listening site's requests and each does little: authorise, log a
row, answer a range. Through Django's ASGIHandler each paid for the handler's async machinery
(a body spool, a disconnect-watching task, the request signals and the response's close each
sent to a thread) besides the view. Measured under uvicorn with 32 clients asking for 1 MiB
ranges, that overhead was most of the server's CPU a request (bench/stream.py).

``StreamRoute`` sends ``GET``/``HEAD`` requests for ``/stream/<id>/<format>`` through Django's
*synchronous* handler, the same one WSGI servers and the test client use, in one call on a
thread of a small pool whose database connections persist (CONN_MAX_AGE) like a threaded WSGI
server's. The view hands the file to a ``Handoff`` (handoff.py), whose bytes are then sent from
the event loop. Every other request goes to the app behind.

``StreamHandler`` is that handler with two savings, which together were about a third of a byte
request's CPU on the thread (bench/support/stream_profile.py):

- The MIDDLEWARE stack less ``SKIPPED_MIDDLEWARE``, whose members do nothing for a byte request
  (each says why; test_stream_handler.py pins what remains). Everything else runs, in order:
  request id, access log, metrics, the 503 page, security headers, CSP, sessions, locale, host
  checks, CSRF cookies, the user, X-Frame-Options.
- The URL resolver's answer is known from the path: ``resolve_request`` builds the stream
  view's match from the path the route matched, after checking once per process that the
  URLconf sends such a path to that view (else it resolves as Django does).
"""

from __future__ import annotations

import asyncio
import functools
import io
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core import signals
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.asgi import ASGIRequest, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBadRequest, HttpResponseBase, StreamingHttpResponse
from django.urls import Resolver404, ResolverMatch, get_resolver, set_script_prefix
from django.utils.module_loading import import_string

from ting.playback.delivery.handoff import HEADER as HANDOFF_HEADER
from ting.playback.delivery.handoff import (
    SCOPE_KEY,
    ASGIApp,
    FileBody,
    Handoff,
    Receive,
    Scope,
    Send,
    zero_copy_for,
)

# The path of playback:stream (ting/playback/urls.py): ``stream/<int:track_id>/<str:fmt>``.
STREAM_PATH: Final = re.compile(r"/stream/(?P<track_id>[0-9]+)/(?P<fmt>[A-Za-z0-9_]+)")
STREAM_VIEW: Final = "playback:stream"

# Middleware a byte request skips, and why nothing is lost (test_stream_handler.py).
SKIPPED_MIDDLEWARE: Final = {
    # Answers only paths under STATIC_URL (WHITENOISE_ROOT is unset): never a stream path.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A byte request adds no message, and an <audio> element never shows the 404/403 page, so
    # reading pending messages there would only throw away ones the listener has not seen.
    "django.contrib.messages.middleware.MessageMiddleware",
    # Acts on a lockout raised while authenticating credentials; a byte request only reads the
    # session, it never authenticates.
    "axes.middleware.AxesMiddleware",
    # Parses HX-* headers for views and templates that answer htmx; the stream view does not,
    # and neither the player nor any page fetches audio through htmx.
    "django_htmx.middleware.HtmxMiddleware",
}

# Middleware a byte request runs in a cheaper form that answers the same.
REPLACED_MIDDLEWARE: Final = {
    "csp.middleware.CSPMiddleware": "ting.playback.asgi.StreamCSPMiddleware"
}

Handler = Callable[[HttpRequest], HttpResponseBase]

# What a view or decorator may set to give a response its own policy (django-csp).
_CSP_RESPONSE_PARTS: Final = tuple(
    f"_csp_{part}{suffix}"
    for part in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)


def stream_middleware() -> list[str]:
    """settings.MIDDLEWARE, in order, less SKIPPED_MIDDLEWARE, with REPLACED_MIDDLEWARE."""
    return [
        REPLACED_MIDDLEWARE.get(path, path)
        for path in settings.MIDDLEWARE
        if path not in SKIPPED_MIDDLEWARE
    ]


@functools.cache
def _policy(*, report_only: bool) -> str:
    return build_policy(report_only=report_only)


@receiver(setting_changed)
def _forget_policy(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policy.cache_clear()


class StreamCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the policy text built once, not twice a request (a tenth of
    a byte request's CPU on its thread): the stream view sets no policy of its own and nothing
    asks for a nonce, so the headers follow from settings alone. A response that carries its own
    policy parts, or a request that took a nonce, goes through CSPMiddleware unchanged."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, part) for part in _CSP_RESPONSE_PARTS
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        for header, report_only in ((HEADER, False), (HEADER_REPORT_ONLY, True)):
            policy = _policy(report_only=report_only)
            config = getattr(settings, header_setting(report_only), None) or {}
            excluded = request.path_info.startswith(tuple(config.get("EXCLUDE_URL_PREFIXES") or ()))
            if policy and header not in response and not excluded:
                response[header] = policy
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response


def header_setting(report_only: bool) -> str:
    return "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"


class StreamHandler(BaseHandler):
    """Django's synchronous request handling, for byte requests (see the module doc)."""

    def __init__(self) -> None:
        super().__init__()
        self.load_middleware(is_async=False)
        self._match = self._stream_match()

    def load_middleware(self, is_async: bool = False) -> None:
        """BaseHandler.load_middleware, synchronous only, over ``stream_middleware()``."""
        assert not is_async, "byte requests run the synchronous stack"
        self._view_middleware: list[Callable[..., Any]] = []
        self._template_response_middleware: list[Callable[..., Any]] = []
        self._exception_middleware: list[Callable[..., Any]] = []
        # The stubs type BaseHandler's private parts loosely; the chain here is all synchronous.
        get_response: Handler = self._get_response  # type: ignore[attr-defined]
        handler: Callable[..., Any] = convert_exception_to_response(get_response)
        for path in reversed(stream_middleware()):
            middleware = import_string(path)
            if not getattr(middleware, "sync_capable", True):
                raise RuntimeError(f"{path} cannot run synchronously; byte requests need it to")
            try:
                instance = middleware(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler

    @staticmethod
    def _stream_match() -> ResolverMatch | None:
        """The URLconf's match for a stream path, if it is the stream view's; else None."""
        try:
            probe = get_resolver().resolve("/stream/1/probe")
        except Resolver404:
            return None
        if probe.view_name != STREAM_VIEW or set(probe.kwargs) != {"track_id", "fmt"}:
            return None
        return probe

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        found = STREAM_PATH.fullmatch(request.path_info)
        probe = self._match
        if found is None or probe is None or hasattr(request, "urlconf"):
            return super().resolve_request(request)
        match = ResolverMatch(
            probe.func,
            (),
            {"track_id": int(found["track_id"]), "fmt": found["fmt"]},
            url_name=probe.url_name,
            app_names=list(probe.app_names),
            namespaces=list(probe.namespaces),
            route=probe.route,
        )
        request.resolver_match = match
        return match

    def respond(self, scope: Scope) -> tuple[HttpResponseBase, list[tuple[bytes, bytes]]]:
        """The response and its header list, with the request finished (signals sent)."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        response: HttpResponseBase
        try:
            request = ASGIRequest(scope, io.BytesIO())
        except UnicodeDecodeError:
            response = HttpResponseBadRequest()
        else:
            response = self.get_response(request)
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        headers = [
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in response.items()
        ]
        headers += [
            (b"Set-Cookie", cookie.output(header="").encode("ascii").strip())
            for cookie in response.cookies.values()
        ]
        if not response.streaming:
            # Sends request_finished (database connections are tidied on this thread).
            response.close()
        return response, headers


class StreamRoute:
    """ASGI middleware: byte requests through ``StreamHandler``, the rest to ``app``."""

    def __init__(self, app: ASGIApp, *, threads: int | None = None) -> None:
        self.app = app
        # Built with the app, before the server listens: loading the middleware and the
        # URLconf (the API's schemas) took ~1 s of the first byte request's time otherwise.
        self._handler = StreamHandler()
        # Each thread holds one database connection (settings.TING_STREAM_THREADS).
        self._pool = ThreadPoolExecutor(
            max_workers=threads or settings.TING_STREAM_THREADS, thread_name_prefix="ting-stream"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not STREAM_PATH.fullmatch(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        handoff = Handoff()
        scope[SCOPE_KEY] = handoff
        loop = asyncio.get_running_loop()
        body: FileBody | None = None
        try:
            response, headers = await loop.run_in_executor(self._pool, self._handler.respond, scope)
            token = response.get(HANDOFF_HEADER)
            if token is not None:
                body = handoff.claim(token.encode("latin-1"))
                name = HANDOFF_HEADER.encode("latin-1")
                headers = [(key, value) for key, value in headers if key != name]
            await send(
                {"type": "http.response.start", "status": response.status_code, "headers": headers}
            )
            if body is not None:
                await body.send(send, receive, zero_copy=zero_copy_for(scope))
            elif isinstance(response, StreamingHttpResponse):
                try:
                    async for part in response:
                        await send({"type": "http.response.body", "body": part, "more_body": True})
                    await send({"type": "http.response.body"})
                finally:
                    await loop.run_in_executor(self._pool, response.close)
            else:
                content: bytes = response.content  # type: ignore[attr-defined]
                await send({"type": "http.response.body", "body": content})
        finally:
            if body is not None:
                body.close()  # a no-op once sent; here for a send that failed first
            handoff.close()
