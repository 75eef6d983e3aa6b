"""docs/deploy/nginx.conf: static files and covers are cached, audio is never gzipped.

The nginx here has gzip switched on for every type at the http level, the way a deployer's
distribution config might: the reference config must still keep audio uncompressed.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pytest

from ting.playback.tests.conftest import Server
from ting.playback.tests.servers import (
    NGINX_MISSING,
    free_port,
    nginx_server,
    render_nginx_conf,
)

pytestmark = pytest.mark.nginx

GZIP_EVERYTHING = """
    gzip on;
    gzip_min_length 1;
    gzip_types *;
"""
CSS = b"body { color: #333; }\n" * 200
COVER = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40


@pytest.fixture(scope="module")
def site(uvicorn_app: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    prefix = tmp_path_factory.mktemp("nginx-caching")
    static = prefix / "static"
    static.mkdir()
    (static / "app.3f2a1b9c.css").write_bytes(CSS)
    (static / "app.3f2a1b9c.css.gz").write_bytes(gzip.compress(CSS))
    covers = uvicorn_app.media_root / "covers"
    covers.mkdir(exist_ok=True)
    (covers / "cover.jpg").write_bytes(COVER)
    avatars = uvicorn_app.media_root / "avatars"
    avatars.mkdir(exist_ok=True)
    (avatars / "avatar.jpg").write_bytes(COVER)
    port = free_port()
    body = render_nginx_conf(
        listen=f"127.0.0.1:{port}",
        upstream=uvicorn_app.base_url.removeprefix("http://"),
        media_root=uvicorn_app.media_root,
        static_root=static,
    )
    try:
        with nginx_server(prefix=prefix, http_body=GZIP_EVERYTHING + body, port=port):
            yield f"http://127.0.0.1:{port}"
    except FileNotFoundError:
        pytest.fail(NGINX_MISSING)


def test_static_files_are_cached_for_a_year_as_immutable(site: str) -> None:
    answer = httpx.get(f"{site}/static/app.3f2a1b9c.css", headers={"Accept-Encoding": "identity"})
    assert answer.status_code == 200
    assert answer.content == CSS
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_static_files_are_sent_precompressed_when_the_client_takes_gzip(site: str) -> None:
    answer = httpx.get(f"{site}/static/app.3f2a1b9c.css", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.content == CSS  # httpx decodes it


def test_covers_are_served_from_disk_and_cached_for_a_day(site: str) -> None:
    answer = httpx.get(f"{site}/media/covers/cover.jpg")
    assert answer.status_code == 200
    assert answer.content == COVER
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["cache-control"] == "public, max-age=86400"


def test_avatars_are_served_from_disk_like_covers(site: str) -> None:
    answer = httpx.get(f"{site}/media/avatars/avatar.jpg")
    assert answer.status_code == 200
    assert answer.content == COVER
    assert answer.headers["cache-control"] == "public, max-age=86400"


def test_the_rest_of_media_root_is_never_served_from_disk(site: str, uvicorn_app: Server) -> None:
    assert (uvicorn_app.media_root / "a.bin").exists()
    for path in (
        "/media/a.bin",
        "/media/covers/../a.bin",
        "/media/covers/%2E%2E/a.bin",
        "/media/avatars/%2E%2E/a.bin",
    ):
        answer = httpx.get(f"{site}{path}")
        assert answer.status_code == 404, path
        assert answer.content != (uvicorn_app.media_root / "a.bin").read_bytes()


def test_audio_through_x_accel_is_not_gzipped_even_with_gzip_on_for_everything(
    site: str,
) -> None:
    answer = httpx.get(f"{site}/xaccel/a.bin", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "audio/mpeg"
    assert "content-encoding" not in answer.headers
    ranged = httpx.get(
        f"{site}/xaccel/a.bin", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"}
    )
    assert ranged.status_code == 206
    assert len(ranged.content) == 100
