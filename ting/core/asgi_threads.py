"""Django's sync code under ASGI on reused threads: one per request in flight, as before.

Django's ASGI handler gives every request a fresh ``ThreadSensitiveContext``: a new thread for
the request's sync middleware and views, and, on the way out, another thread to join it. Both
are started and joined from the event loop, which measured ~1 ms of the loop's time a request
at load 7 (more than the view), and a fresh thread also means a fresh database connection a
request. ``ReusedThreads`` hands each request a single-thread executor from a free list
instead (asgiref's ``ThreadSensitiveContext(executor=...)``): a request still has its own
thread for all its sync work and no two requests in flight share one, but threads, and their
persistent database connections (CONN_MAX_AGE), live on like a threaded WSGI server's.
Django's own inner ``ThreadSensitiveContext`` then finds ours and does nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

from asgiref.sync import ThreadSensitiveContext

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Threads kept idle for the next requests; a burst beyond this many concurrent requests gets
# threads that end with their request, as Django's own do. Each kept thread may hold a database
# connection (CONN_MAX_AGE), so this bounds a web process's connections: 8 here and the stream
# route's 8 (docs/deploy/README.md, PostgreSQL). Page requests are a few ms of CPU each, so
# more than 8 in flight in one process are queueing anyway.
DEFAULT_IDLE: Final = 8


class ReusedThreads:
    """ASGI middleware in front of Django's ASGIHandler (see module doc)."""

    def __init__(self, app: ASGIApp, *, idle: int = DEFAULT_IDLE) -> None:
        self.app = app
        self.idle = idle
        self._free: list[ThreadPoolExecutor] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        executor = (
            self._free.pop()
            if self._free
            else ThreadPoolExecutor(max_workers=1, thread_name_prefix="ting-request")
        )
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.app(scope, receive, send)
        finally:
            if len(self._free) < self.idle:
                self._free.append(executor)
            else:
                # Not shutdown(wait=True): its thread may still be finishing the request's
                # last sync call, and the loop must not wait for it.
                executor.shutdown(wait=False)
