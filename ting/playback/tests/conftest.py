from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ting.playback.tests import urls_for_tests
from ting.playback.tests.matrix import write_media
from ting.playback.tests.servers import (
    NGINX_MISSING,
    free_port,
    nginx_server,
    render_nginx_conf,
    uvicorn_server,
)


@pytest.fixture
def media(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The matrix files in a fresh media root that the test views serve from."""
    root = write_media(tmp_path)
    monkeypatch.setattr(urls_for_tests, "MEDIA_ROOT", root)
    return root


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int
    media_root: Path


@pytest.fixture(scope="session")
def session_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("media")
    write_media(root)
    # 24 MiB, more than loopback socket buffers hold: a stream spans many reads and can be
    # cut off halfway.
    (root / "long.bin").write_bytes(bytes(range(256)) * (96 * 1024))
    return root


@pytest.fixture(scope="session")
def uvicorn_app(session_media: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """uvicorn serving urls_for_tests (one process, so /proc/<pid>/fd is the server's)."""
    logs = tmp_path_factory.mktemp("uvicorn")
    with uvicorn_server(media_root=session_media, log_dir=logs) as (port, pid):
        yield Server(f"http://127.0.0.1:{port}", pid, session_media)


@pytest.fixture(scope="session")
def nginx_xaccel(uvicorn_app: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """docs/deploy/nginx.conf, placeholders filled, in front of the uvicorn test app."""
    prefix = tmp_path_factory.mktemp("nginx")
    port = free_port()
    body = render_nginx_conf(
        listen=f"127.0.0.1:{port}",
        upstream=uvicorn_app.base_url.removeprefix("http://"),
        media_root=uvicorn_app.media_root,
        static_root=prefix,
    )
    try:
        with nginx_server(prefix=prefix, http_body=body, port=port) as (_, pid):
            yield Server(f"http://127.0.0.1:{port}", pid, uvicorn_app.media_root)
    except FileNotFoundError:
        # Not a skip: a missing nginx would otherwise hide that x-accel is untested.
        pytest.fail(NGINX_MISSING)
