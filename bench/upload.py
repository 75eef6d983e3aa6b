"""What a 2 GiB resumable upload costs the server in memory.

    .venv/bin/python bench/upload.py [--gib 2] [--chunk-mib 4]

Runs the real server (uvicorn on ``config.asgi``, one process, a scratch SQLite database and
data folder), signs an anchor in, and sends a ``--gib`` file through the studio's upload
protocol (docs/adr/0008-resumable-uploads.md): POST to reserve, then PATCH chunks of
``--chunk-mib`` at their offsets until the last one turns the upload into a track (the
original is stored; its processing is queued for a worker that is not started here). The
server's resident memory is sampled from /proc every 50 ms; the figure is its peak minus
what it held after the first chunk (goal ≤ 100 MB: chunks are streamed to disk, never held).
Ends with one JSON line; exits 1 when the goal is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from ting.playback.tests.servers import free_port, wait_for_port  # noqa: E402

GOAL_MB = 100.0

SETUP = """
import django; django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from ting.catalog.tests.factories import make_album, make_anchor
anchor = make_anchor(display_name="基准主播")
album = make_album(anchor=anchor, title="基准专辑")
session = SessionStore()
session[SESSION_KEY] = str(anchor.user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = anchor.user.get_session_auth_hash()
session.create()
print(session.session_key, album.pk)
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0.0
        self.running = True

    def run(self) -> None:
        while self.running:
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except OSError:
                return
            time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gib", type=float, default=2.0)
    parser.add_argument("--chunk-mib", type=int, default=4)
    options = parser.parse_args()
    size = int(options.gib * 1024**3)
    chunk = options.chunk_mib * 1024**2
    scratch = Path(tempfile.mkdtemp(prefix="ting-bench-upload-"))
    env = {
        **os.environ,
        "TING_ENV": "test",
        "TASKS_BACKEND": "db",
        "TING_DATA_DIR": str(scratch),
        "DATABASE_URL": f"sqlite:///{scratch / 'ting.sqlite3'}",
        "TING_UPLOAD_MAX_BYTES": str(max(size, 2 * 1024**3)),
        "TING_ANCHOR_QUOTA_BYTES": str(4 * size),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=REPO_ROOT, env=env,
                   check=True)  # fmt: skip
    setup = subprocess.run([sys.executable, "-c", SETUP], cwd=REPO_ROOT, env=env, check=True,
                           capture_output=True, text=True)  # fmt: skip
    session_key, album_id = setup.stdout.split()
    port = free_port()
    log = scratch / "uvicorn.log"
    command = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
               "--port", str(port), "--no-access-log", "--log-level", "warning"]  # fmt: skip
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)  # fmt: skip
    try:
        wait_for_port(port, server, log)
        return run(server.pid, port, session_key, int(album_id), size, chunk, scratch)
    finally:
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(["rm", "-rf", str(scratch)], check=False)


def run(
    pid: int, port: int, session_key: str, album_id: int, size: int, chunk: int, scratch: Path
) -> int:
    csrf = secrets.token_hex(16)  # a 32-character secret: Django accepts it unmasked
    base = f"http://127.0.0.1:{port}"
    headers = {"X-CSRFToken": csrf, "Referer": base + "/", "Origin": base}
    cookies = {"sessionid": session_key, "csrftoken": csrf}
    block = os.urandom(chunk)
    with httpx.Client(base_url=base, headers=headers, cookies=cookies, timeout=120) as client:
        # Warm the server up (imports, first connection) before its baseline is read.
        assert client.get("/studio/").status_code < 400
        started_rss = rss_mb(pid)
        answer = client.post(
            "/studio/uploads/", json={"album": album_id, "filename": "两小时.wav", "size": size}
        )
        assert answer.status_code == 201, answer.text
        url = answer.headers["Location"]
        sampler = Sampler(pid)
        offset = 0
        started = time.perf_counter()
        baseline = 0.0
        while offset < size:
            body = block[: min(chunk, size - offset)]
            patch = client.patch(
                url,
                content=body,
                headers={
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                },
            )
            assert patch.status_code in (200, 204), patch.text
            offset = int(patch.headers["Upload-Offset"])
            if not baseline:
                baseline = rss_mb(pid)
                sampler.start()
        elapsed = time.perf_counter() - started
        sampler.running = False
        sampler.join()
        final = client.get(url).json()
    growth = sampler.peak - baseline
    print(f"server RSS: {started_rss:.1f} MB idle, {baseline:.1f} MB after the first chunk, "
          f"peak {sampler.peak:.1f} MB during {size / 1024**3:g} GiB in {elapsed:.1f} s "
          f"({size / elapsed / 1024**2:.0f} MiB/s); upload {final['status']}")  # fmt: skip
    print(f"load average: {os.getloadavg()[0]:.2f}")
    figure = {
        "figure": f"server memory growth, {size / 1024**3:g} GiB resumable upload",
        "value": round(growth, 1), "unit": "MB", "goal": GOAL_MB,
        "baseline": round(baseline, 1), "ratio": round(sampler.peak / baseline, 3),
        "pass": growth <= GOAL_MB and final["status"] == "complete",
    }  # fmt: skip
    print(json.dumps(figure, ensure_ascii=False))
    return 0 if figure["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
