"""The browser harness: Ting under uvicorn in a subprocess, driven by the system Chromium.

Each pytest-xdist worker starts its own server on a loopback socket the worker binds itself (no
port race), with its own TING_DATA_DIR and SQLite file, migrated and seeded by subprocesses that
share the server's environment. Nothing here touches pytest-django's test database.

Chromium comes from Debian (`apt-get install -y chromium`); Playwright never downloads a browser
here. A missing Chromium fails the tests loudly instead of skipping them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from tests.browser.harness import ConsoleLog, TingServer

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = Path(os.environ.get("TING_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 375, "height": 812}
START_TIMEOUT_S = 60.0


def _server_env(data_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The server gets its own SQLite file and settings, whatever the suite runs against.
        if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        TING_ENV="test",
        TING_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'ting.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        LOG_LEVEL="WARNING",
    )
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        pytest.fail(f"{what} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"uvicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(base_url + "/", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"uvicorn did not answer within {START_TIMEOUT_S:.0f} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def ting_server(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[TingServer]:
    """Ting for this xdist worker: migrated, seeded, served by uvicorn on a loopback port."""
    data_dir = tmp_path_factory.mktemp(f"ting-browser-{worker_id}")
    env = _server_env(data_dir)
    _run(["manage.py", "migrate", "--no-input", "-v", "0"], env, "manage.py migrate")
    seeded = json.loads(
        _run(["-m", "tests.browser.seed"], env, "the seed").strip().splitlines()[-1]
    )

    # The worker binds the socket and hands it to uvicorn, so no other process can take the port.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    log = data_dir / "uvicorn.log"
    command = [
        sys.executable, "-m", "uvicorn", "config.asgi:application",
        "--fd", str(listener.fileno()), "--no-access-log", "--log-level", "warning",
        "--timeout-graceful-shutdown", "2",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )
    listener.close()  # uvicorn holds its own copy
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process, log)
        yield TingServer(base_url=base_url, **seeded)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """The Debian Chromium, headless; missing, it fails the tests with the command to fix it."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}. The browser tests need it: "
            "`sudo apt-get install -y chromium` (or `make system-deps`). "
            "Do not run `playwright install`: Ting tests the system browser.",
            pytrace=False,
        )
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _zh_hant_page(
    browser: Browser, server: TingServer, console: ConsoleLog, viewport: ViewportSize
) -> tuple[BrowserContext, Page]:
    phone = viewport["width"] < 600
    # Playwright's wait_for_function evaluates its predicate with eval(), which the CSP refuses;
    # the pages' own compliance is checked with the CSP on, in tests/browser/test_csp.py.
    context = browser.new_context(
        bypass_csp=True,
        base_url=server.base_url,
        viewport=viewport,
        locale="zh-TW",
        is_mobile=phone,
        has_touch=phone,
    )
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "ting_language", "value": "zh-hant", "url": server.base_url}])
    return context, console.watch(context.new_page())


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def zh_hant_page(browser: Browser, ting_server: TingServer, console: ConsoleLog) -> Iterator[Page]:
    """A desktop page (1280×800) whose reader chose Traditional Chinese (language cookie set)."""
    context, page = _zh_hant_page(browser, ting_server, console, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser: Browser, ting_server: TingServer, console: ConsoleLog) -> Iterator[Page]:
    """A phone-sized page (375×812), Traditional Chinese."""
    context, page = _zh_hant_page(browser, ting_server, console, PHONE)
    yield page
    context.close()
