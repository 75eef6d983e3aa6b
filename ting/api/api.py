"""The REST API at /api/v1/: one NinjaAPI, its routers, and its one error shape."""

from __future__ import annotations

from ninja import NinjaAPI

from ting.api import errors
from ting.api.routers import catalog, comments, discovery, library, me, studio

api = NinjaAPI(
    title="Ting API",
    version="1.0.0",
    description=(
        "Ting's catalog, listening history and creator studio. Authenticate with a personal "
        "access token (`Authorization: Bearer ting_…`, made at /api/tokens/) or the site's "
        "session (send the CSRF token on unsafe methods). Lists are paged with opaque cursors: "
        "pass `next_cursor` back as `cursor`. Every error answers "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", catalog.router)
api.add_router("", me.router)
api.add_router("", comments.router)
api.add_router("", library.router)
api.add_router("", discovery.router)
api.add_router("", studio.router)

__all__ = ["api"]
