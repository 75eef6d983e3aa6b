"""The driver of bench/scale_smoke.sh: one episode through nginx, a worker killed mid-job.

bench/scale_smoke.sh starts the processes and exports where they are (SMOKE_* variables and
the deployment's own DATABASE_URL, REDIS_URL, S3_*). This script talks to Ting only through
nginx, like a browser would; it reads PostgreSQL, Redis and the bucket directly only to check
what happened behind it. Every step is timed; the first failure stops the run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import psycopg
import redis
from rq.registry import FinishedJobRegistry, StartedJobRegistry

WORK = Path(os.environ["SMOKE_WORK"])
BASE = os.environ["SMOKE_BASE_URL"]
REPO = Path(os.environ["SMOKE_REPO"])
APP_PORTS = os.environ["SMOKE_APP_PORTS"].split()
WORKER_PIDS = [int(pid) for pid in os.environ["SMOKE_WORKER_PIDS"].split()]
AUDIO_SECONDS = float(os.environ.get("SMOKE_AUDIO_SECONDS", "180"))
DEADLINE = int(os.environ["TING_PROCESSING_DEADLINE"])
CHUNK = int(os.environ["TING_UPLOAD_CHUNK_BYTES"])
USERNAME, PASSWORD = "smoke-anchor", "smoke correct horse battery"
SETTLE_SECONDS = 61
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


class StepFailed(Exception):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise StepFailed(message)


@dataclass
class Run:
    """What the steps learn and hand on to the next ones."""

    client: httpx.Client
    db: psycopg.Connection[tuple[Any, ...]]
    queue: redis.Redis
    notes: dict[str, Any] = field(default_factory=dict)
    table: list[tuple[str, bool, float, str]] = field(default_factory=list)

    def csrf(self) -> dict[str, str]:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken") or ""}

    def row(self, sql: str, *params: object) -> tuple[Any, ...] | None:
        return self.db.execute(sql, params).fetchone()

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, params).fetchall()


def manage(*args: str) -> str:
    """manage.py with the deployment's environment, from a folder of its own."""
    folder = WORK / "setup"
    done = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        cwd=folder,
        env={**os.environ, "TING_DATA_DIR": str(folder / "data")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    check(done.returncode == 0, f"manage.py {args[0]} failed: {done.stderr[-2000:]}")
    return done.stdout


def enqueue(task_path: str) -> None:
    module, name = task_path.rsplit(".", 1)
    manage("shell", "-c", f"from {module} import {name}; print({name}.enqueue().id)")


def wait_for(condition: Callable[[], object], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        check(time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def upstreams_for(pattern: str) -> set[str]:
    """The app processes (host:port) nginx sent matching requests to, from its access log."""
    log = (WORK / "nginx" / "access.log").read_text()
    # $upstream_addr lists every server tried ("A, B") when nginx retried on another one.
    return {
        addr
        for line in log.splitlines()
        if re.search(pattern, line)
        for addr in line.split('"', 1)[0].strip().split(", ")
    }


# --- the steps -------------------------------------------------------------------------------


def step_services_ready(run: Run) -> str:
    # Round robin alternates, but a request nginx retried elsewhere (an app still starting)
    # shifts the turn: ask until each app process has answered, every answer a 200.
    asked = 0
    while len(upstreams_for(r'"GET /readyz')) < len(APP_PORTS) and asked < 10:
        answer = run.client.get("/readyz")
        check(answer.status_code == 200, f"/readyz answered {answer.status_code}: {answer.text}")
        asked += 1
    served = upstreams_for(r'"GET /readyz')
    check(len(served) == len(APP_PORTS), f"nginx reached {served}, not both app processes")
    return f"/readyz 200 from {len(served)} app processes ({asked} requests)"


def step_sign_in(run: Run) -> str:
    manage(
        "shell",
        "-c",
        "from ting.accounts.models import User; from ting.catalog.models import Anchor; "
        f"u = User.objects.create_user({USERNAME!r}, password={PASSWORD!r}); "
        "Anchor.objects.create(user=u, display_name='冒烟测试主播')",
    )
    form = run.client.get("/accounts/login/")
    check(form.status_code == 200, f"login page answered {form.status_code}")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    check(match, "no CSRF token on the login page")
    assert match is not None
    signed_in = run.client.post(
        "/accounts/login/",
        data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": match[1]},
    )
    check(signed_in.status_code == 302, f"sign-in answered {signed_in.status_code}")
    me = run.client.get("/api/v1/me")
    check(me.status_code == 200, f"/api/v1/me answered {me.status_code}: {me.text}")
    return f"session for {me.json().get('username', USERNAME)}"


def step_create_album(run: Run) -> str:
    answer = run.client.post(
        "/api/v1/studio/albums",
        json={"title": "冒烟测试专辑", "visibility": "unlisted"},
        headers=run.csrf(),
    )
    check(answer.status_code == 201, f"album answered {answer.status_code}: {answer.text}")
    run.notes["album_id"] = answer.json()["id"]
    return f"album {run.notes['album_id']} (unlisted: its streams need signed URLs)"


def step_upload(run: Run) -> str:
    from ting.media.audio.testing import speech_like, write_audio

    source = WORK / "episode.mp3"
    write_audio(source, speech_like(AUDIO_SECONDS, 44_100, level=0.3), 44_100)
    data = source.read_bytes()
    run.notes["source_sha256"] = hashlib.sha256(data).hexdigest()
    reserved = run.client.post(
        "/api/v1/studio/uploads",
        json={"album_id": run.notes["album_id"], "filename": "第1期.mp3", "size": len(data)},
        headers=run.csrf(),
    )
    check(reserved.status_code == 201, f"reserve answered {reserved.status_code}: {reserved.text}")
    upload_id = reserved.json()["id"]
    url = f"/api/v1/studio/uploads/{upload_id}"

    def send(offset: int) -> httpx.Response:
        return run.client.patch(
            url,
            content=data[offset : offset + CHUNK],
            headers={
                **run.csrf(),
                "Content-Type": "application/octet-stream",
                "Upload-Offset": str(offset),
            },
        )

    offset, chunks = 0, 0
    while offset < len(data):
        if chunks == 2:
            # A client that lost track (a dropped connection): the server says where to go on.
            wrong = send(offset + CHUNK)
            check(wrong.status_code == 409, f"a wrong offset answered {wrong.status_code}")
            state = run.client.get(url)
            check(state.json()["offset"] == offset, f"GET says offset {state.json()['offset']}")
        answer = send(offset)
        check(answer.status_code == 200, f"chunk at {offset} answered {answer.status_code}")
        offset = answer.json()["offset"]
        chunks += 1
    final = answer.json()
    check(final["track_id"], f"the last chunk made no track: {final}")
    run.notes["track_id"] = final["track_id"]
    served = upstreams_for(rf'"PATCH /api/v1/studio/uploads/{upload_id}')
    check(len(served) == len(APP_PORTS), f"chunks reached only {served}")
    return (
        f"{len(data) / 1e6:.1f} MB, {AUDIO_SECONDS / 60:.0f} min, {chunks} chunks, "
        f"resumed after a 409, received by {len(served)} app processes"
    )


def _job(run: Run, job_id: str) -> dict[str, str]:
    """An RQ job's hash (rq:job:<id>) as text: its description and the worker that ran it."""
    raw: dict[bytes, bytes] = run.queue.hgetall(f"rq:job:{job_id}")  # type: ignore[assignment]
    return {k.decode(): v.decode(errors="replace") for k, v in raw.items()}


def _worker_holding_the_job(run: Run) -> tuple[str, int, str]:
    """(worker name, pid, job id) from RQ's StartedJobRegistry and the job's worker_name."""
    started = StartedJobRegistry("default", connection=run.queue)
    for job_id in started.get_job_ids():
        job = _job(run, job_id)
        if "process_audio_asset" in job.get("description", ""):
            name = job.get("worker_name", "")
            pid = run.queue.hget(f"rq:worker:{name}", "pid")
            return name, int(pid or 0), job_id
    return "", 0, ""


def step_kill_worker_mid_job(run: Run) -> str:
    track_id = run.notes["track_id"]

    def stage() -> tuple[Any, ...] | None:
        return run.row(
            "SELECT id, status, stage FROM media_audioasset WHERE track_id = %s", track_id
        )

    wait_for(
        lambda: (stage() or (0, "", ""))[2] == "encoding",
        timeout=180,
        what="a worker to start encoding",
    )
    name, pid, job_id = _worker_holding_the_job(run)
    check(pid in WORKER_PIDS, f"no smoke worker holds the job (found {name!r}, pid {pid})")
    # The worker and its work horse (RQ forks one per job, in a process group of its own):
    # what a lost machine takes with it.
    horses = [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and _parent(int(p.name)) == pid
    ]
    for victim in [pid, *horses]:
        os.kill(victim, signal.SIGKILL)
    wait_for(lambda: not Path(f"/proc/{pid}").exists() or _zombie(pid), timeout=10, what="death")
    asset_id, status, _stage = stage() or (0, "", "")
    check(status == "processing", f"the killed job's asset is {status!r}, not processing")
    half_done = run.row("SELECT COUNT(*) FROM media_rendition WHERE asset_id = %s", asset_id)
    check(half_done == (0,), f"the killed job had stored {half_done} renditions already")
    run.notes.update(asset_id=asset_id, killed=name, killed_job=job_id)
    return f"kill -9 {name} (pid {pid} + horse {horses}) holding job {job_id[:8]} while encoding"


def _parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def step_recovered_exactly_once(run: Run) -> str:
    asset_id = run.notes["asset_id"]
    claimed = run.row("SELECT claimed_at FROM media_audioasset WHERE id = %s", asset_id)
    check(claimed and claimed[0], "the stranded asset has no claim time")
    # The reaper gives back claims older than TING_PROCESSING_DEADLINE; wait that long, once.
    time.sleep(DEADLINE + 0.5)
    enqueue("ting.media.tasks.reap_stuck_assets")
    wait_for(
        lambda: (
            run.row("SELECT status FROM media_audioasset WHERE id = %s", asset_id)
            in (("ready",), ("failed",))
        ),
        timeout=300,
        what="the job to finish on the other worker",
    )
    asset = run.row(
        "SELECT status, stage, attempts, original, key FROM media_audioasset WHERE id = %s",
        asset_id,
    )
    assert asset is not None
    check(asset[:3] == ("ready", "done", 2), f"asset ended as {asset[:3]}")
    assets = run.rows("SELECT id FROM media_audioasset WHERE track_id = %s", run.notes["track_id"])
    check(len(assets) == 1, f"{len(assets)} asset rows for the track")
    renditions = run.rows(
        "SELECT format, file, size, sha256 FROM media_rendition WHERE asset_id = %s "
        "ORDER BY format",
        asset_id,
    )
    check(
        [r[0] for r in renditions] == ["aac64", "mp3_128", "opus32"],
        f"renditions: {[r[0] for r in renditions]}",
    )
    bucket = boto3.resource(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT_URL"],
        region_name=os.environ["S3_REGION"],
        aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
    ).Bucket(os.environ["S3_BUCKET"])
    objects = {o.key: o.size for o in bucket.objects.all()}
    expected = {asset[3], *(r[1] for r in renditions)}
    check(set(objects) == expected, f"bucket holds {sorted(objects)}, expected {sorted(expected)}")
    for _fmt, key, size, _sha in renditions:
        check(objects[key] == size, f"{key} is {objects[key]} bytes in the bucket, row says {size}")
    finished_by = _who_finished(run)
    check(finished_by and finished_by != run.notes["killed"], f"finished by {finished_by!r}")
    run.notes["renditions"] = {r[0]: (r[1], r[2], r[3]) for r in renditions}
    return (
        f"reaped, finished by {finished_by}: 1 asset ready (attempt 2), 3 renditions, "
        f"{len(objects)} objects, none duplicated"
    )


def _who_finished(run: Run) -> str:
    for job_id in FinishedJobRegistry("default", connection=run.queue).get_job_ids():
        job = _job(run, job_id)
        if "process_audio_asset" in job.get("description", ""):
            return job.get("worker_name", "")
    return ""


def step_publish(run: Run) -> str:
    track_id = run.notes["track_id"]
    answer = run.client.post(
        f"/api/v1/studio/tracks/{track_id}/publish", json={}, headers=run.csrf()
    )
    check(answer.status_code == 200, f"publish answered {answer.status_code}: {answer.text}")
    check(answer.json()["status"] == "published", f"track is {answer.json()['status']}")
    return f"track {track_id} published"


def step_playback(run: Run) -> str:
    track_id = run.notes["track_id"]
    listener = httpx.Client(base_url=BASE, headers={"User-Agent": BROWSER_UA}, timeout=30)
    run.notes["listener"] = listener
    detail = listener.get(f"/api/v1/tracks/{track_id}")
    check(detail.status_code == 200, f"track detail answered {detail.status_code}")
    source = next(s for s in detail.json()["sources"] if s["format"] == "mp3_128")
    check("sig=" in source["url"], f"the stream URL is not signed: {source['url']}")
    unsigned = listener.get(source["url"].split("?", 1)[0])
    check(unsigned.status_code == 404, f"the unsigned URL answered {unsigned.status_code}")
    # A whole-file range: what a podcast app sends, and what counts as a download at once.
    redirect = listener.get(source["url"], headers={"Range": "bytes=0-"})
    run.notes["streamed_at"] = time.monotonic()
    check(redirect.status_code == 302, f"the signed URL answered {redirect.status_code}")
    location = redirect.headers["location"]
    check(location.startswith(os.environ["S3_ENDPOINT_URL"]), f"redirected to {location[:80]}")
    check("X-Amz-Signature=" in location, "the redirect is not a presigned URL")
    key, size, sha256 = run.notes["renditions"]["mp3_128"]
    check(f"/{key}?" in location, f"the redirect is not to the rendition's object {key}")
    whole = httpx.get(location, timeout=30)
    check(whole.status_code == 200, f"the presigned URL answered {whole.status_code}")
    check(hashlib.sha256(whole.content).hexdigest() == sha256, "the object's bytes differ")
    start, end = size // 3, size // 3 + 65_535
    part = httpx.get(location, headers={"Range": f"bytes={start}-{end}"}, timeout=30)
    check(part.status_code == 206, f"the range answered {part.status_code}")
    check(
        part.headers.get("content-range") == f"bytes {start}-{end}/{size}",
        f"Content-Range {part.headers.get('content-range')}",
    )
    check(part.content == whole.content[start : end + 1], "the range holds the wrong bytes")
    return f"signed → 302 → presigned S3 → 206 bytes {start}-{end}/{size}, sha256 matches"


def step_counting(run: Run) -> str:
    track_id = run.notes["track_id"]
    # Counting leaves log rows younger than a minute for its next run (ting/stats/counting/
    # run.py, SETTLE: a transaction may not have committed yet); the smoke waits that out.
    time.sleep(max(0.0, run.notes["streamed_at"] + SETTLE_SECONDS - time.monotonic()))
    enqueue("ting.stats.tasks.count_streams")

    def downloads() -> int:
        found = run.row("SELECT play_count FROM catalog_track WHERE id = %s", track_id)
        return int(found[0]) if found else 0

    wait_for(lambda: downloads() >= 1, timeout=60, what="the counting task")
    listener: httpx.Client = run.notes["listener"]
    shown = listener.get(f"/api/v1/tracks/{track_id}").json()["play_count"]
    check(shown == 1, f"the API shows play_count {shown}, expected 1 download")
    return f"count_streams on a worker, after the 60 s settle: 1 download, API play_count {shown}"


STEPS: list[tuple[str, Callable[[Run], str]]] = [
    ("services ready through nginx", step_services_ready),
    ("sign in as an anchor", step_sign_in),
    ("create an album", step_create_album),
    ("chunked resumable upload", step_upload),
    ("kill -9 the worker mid-job", step_kill_worker_mid_job),
    ("job finishes once on the other", step_recovered_exactly_once),
    ("publish", step_publish),
    ("playback through nginx + S3", step_playback),
    ("counting", step_counting),
]


def main() -> int:
    run = Run(
        client=httpx.Client(base_url=BASE, headers={"User-Agent": BROWSER_UA}, timeout=60),
        db=psycopg.connect(os.environ["DATABASE_URL"], autocommit=True),
        queue=redis.Redis.from_url(os.environ["REDIS_URL"]),
    )
    passed = 0
    for name, step in STEPS:
        started = time.monotonic()
        try:
            detail, ok = step(run), True
        except (StepFailed, httpx.HTTPError, KeyError, StopIteration) as error:
            detail, ok = f"{type(error).__name__}: {error}", False
        run.table.append((name, ok, time.monotonic() - started, detail))
        if not ok:
            break
        passed += 1
    print(f"\n{'step':<32} {'result':<6} {'time':>7}  detail")
    for name, ok, seconds, detail in run.table:
        print(f"{name:<32} {'pass' if ok else 'FAIL':<6} {seconds:>6.1f}s  {detail}")
    for name, _step in STEPS[len(run.table) :]:
        print(f"{name:<32} {'skip':<6} {'':>7}  not run after a failure")
    if passed < len(STEPS):
        for log in sorted(WORK.glob("*/*.log")):
            print(f"\n--- {log.relative_to(WORK)} (last lines)\n" + log.read_text()[-1500:])
    total = sum(seconds for _n, _ok, seconds, _d in run.table)
    print(f"\n{passed}/{len(STEPS)} steps passed in {total:.0f} s")
    print(
        json.dumps(
            {
                "figure": "scale_smoke_steps_passed",
                "value": passed,
                "unit": "steps",
                "goal": len(STEPS),
                "baseline": len(STEPS),
                "ratio": round(passed / len(STEPS), 3),
                "pass": passed == len(STEPS),
            }
        )
    )
    return 0 if passed == len(STEPS) else 1


if __name__ == "__main__":
    sys.exit(main())
