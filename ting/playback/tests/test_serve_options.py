"""`ting serve` runs uvicorn with the event loop and parser the stream benchmarks chose."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time

import httpx

from ting.core.cli import UVICORN_SPEED
from ting.playback.tests.servers import free_port


def test_the_serving_options_name_installed_modules() -> None:
    options = dict(zip(UVICORN_SPEED[::2], UVICORN_SPEED[1::2], strict=True))
    if options["--loop"] != "asyncio":
        importlib.import_module(options["--loop"])
    # Our protocol is httptools' with a bounded send buffer: both must import.
    importlib.import_module("httptools")
    module, _, name = options["--http"].partition(":")
    protocol = getattr(importlib.import_module(module), name)
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    assert issubclass(protocol, HttpToolsProtocol)


def test_uvicorn_starts_with_them_and_answers() -> None:
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "ting.playback.tests.asgi_app:application",
        *UVICORN_SPEED, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, env={**os.environ, "TING_TEST_MEDIA_ROOT": "/nonexistent"})
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, "uvicorn refused the options"
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/app/missing.bin", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert response.status_code == 404
    finally:
        server.terminate()
        server.wait(timeout=15)
