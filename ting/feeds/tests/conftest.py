"""Feed tests' helpers: albums whose tracks have MP3 renditions (rows only, no audio needed)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ting.catalog.models import Album, Track
from ting.catalog.tests.factories import make_track
from ting.media.models import AudioAsset, Rendition


def make_episode(
    album: Album, *, size: int = 3_600_000, chapters: Any = None, **fields: Any
) -> Track:
    """A published track with a ready asset and an MP3 rendition of `size` bytes."""
    track = make_track(album=album, **fields)
    key = uuid.uuid4().hex
    asset = AudioAsset.objects.create(
        track=track,
        key=key,
        original=f"{key}/original",
        status=AudioAsset.Status.READY,
        duration=225.4,
        tags={"chapters": chapters or []},
    )
    Rendition.objects.create(
        asset=asset,
        format=Rendition.Format.MP3_128,
        file=f"{key}/mp3_128.mp3",
        mime_type="audio/mpeg",
        codec="mp3",
        bitrate=128_000,
        sample_rate=44100,
        channels=2,
        duration=225.4,
        size=size,
        sha256="0" * 64,
    )
    return track


@pytest.fixture(autouse=True)
def _no_feed_state_cache(settings: Any) -> None:
    """Validators are computed fresh in tests; test_conditional_get covers the cached ones."""
    settings.TING_FEED_STATE_TTL = 0


@pytest.fixture
def episode_factory() -> Callable[..., Track]:
    return make_episode


class Site:
    """A loopback web server serving `routes` (path → (status, headers, body))."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits.append(self.path)
                status, headers, body = site.routes.get(self.path, (404, {}, b"not here"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, body: bytes, *, status: int = 200, **headers: str) -> str:
        self.routes[path] = (status, {k.replace("_", "-"): v for k, v in headers.items()}, body)
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site(settings: Any) -> Iterator[Site]:
    settings.TING_FEED_IMPORT_ALLOW_PRIVATE = True  # the test server runs on loopback
    served = Site()
    yield served
    served.close()
