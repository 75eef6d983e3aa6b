"""The stream URL's own way through Django under ASGI: one thread hop, then bytes from the loop.

Byte requests are most of a listening site's requests and each does little: authorise, log a
row, answer a range. Through Django's ASGIHandler each paid for the handler's async machinery
(a body spool, a disconnect-watching task, the request signals and the response's close each
sent to a thread) besides the view. Measured under uvicorn with 32 clients asking for 1 MiB
ranges, that overhead was most of the server's CPU a request (bench/stream.py).

``StreamRoute`` sends ``GET``/``HEAD`` requests for ``/stream/<id>/<format>`` through Django's
*synchronous* handler, the same one WSGI servers and the test client use: the whole
MIDDLEWARE stack (request id, access log, metrics, the 503 page when a service is down,
security headers, sessions), the URL resolver and the stream view, unchanged, in one call on a
thread of a small pool whose database connections persist (CONN_MAX_AGE) like a threaded WSGI
server's. The view hands the file to a ``Handoff`` (handoff.py), whose bytes are then sent from
the event loop. Every other request goes to the app behind.
"""

from __future__ import annotations

import asyncio
import io
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Final

from django.core import signals
from django.core.handlers.asgi import ASGIRequest, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import HttpResponseBadRequest, HttpResponseBase, StreamingHttpResponse
from django.urls import set_script_prefix

from ting.playback.delivery.handoff import (
    HEADER,
    SCOPE_KEY,
    ASGIApp,
    FileBody,
    Handoff,
    Receive,
    Scope,
    Send,
)

# The path of playback:stream (ting/playback/urls.py); the resolver still decides the view.
STREAM_PATH: Final = re.compile(r"/stream/[0-9]+/[A-Za-z0-9_]+")
# Threads for byte requests; each holds one database connection per web process.
STREAM_THREADS: Final = 8


class _SyncHandler(BaseHandler):
    """Django's request handling as under WSGI (sync middleware chain), for ASGI requests."""

    def __init__(self) -> None:
        super().__init__()
        self.load_middleware(is_async=False)

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
    """ASGI middleware: byte requests through ``_SyncHandler``, the rest to ``app``."""

    def __init__(self, app: ASGIApp, *, threads: int = STREAM_THREADS) -> None:
        self.app = app
        self._handler: _SyncHandler | None = None
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ting-stream")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not STREAM_PATH.fullmatch(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        if self._handler is None:
            self._handler = _SyncHandler()
        handoff = Handoff()
        scope[SCOPE_KEY] = handoff
        loop = asyncio.get_running_loop()
        body: FileBody | None = None
        try:
            response, headers = await loop.run_in_executor(self._pool, self._handler.respond, scope)
            token = response.get(HEADER)
            if token is not None:
                body = handoff.claim(token.encode("latin-1"))
                name = HEADER.encode("latin-1")
                headers = [(key, value) for key, value in headers if key != name]
            await send(
                {"type": "http.response.start", "status": response.status_code, "headers": headers}
            )
            if body is not None:
                await body.send(send, receive)
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
