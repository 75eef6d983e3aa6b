"""/metrics: who may scrape it, and what it counts (routes, stream bytes, task durations)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.test import Client
from django.urls import reverse
from django_tasks import task
from prometheus_client import REGISTRY

from ting.catalog.models import Anchor
from ting.catalog.tests.factories import make_track
from ting.core.tests.private_services import free_port, wait_for_port
from ting.playback.tests.test_stream_access import AUDIO, with_audio

REPO = Path(__file__).resolve().parents[3]


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@task()
def tiny_task(*, n: int) -> int:
    return n * 2


def test_a_loopback_caller_may_scrape_without_a_token(client: Client) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b"ting_http_request_duration_seconds" in response.content
    assert b"ting_task_queue_depth" in response.content


def test_a_request_proxied_to_loopback_is_refused_without_a_token(client: Client) -> None:
    response = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 403


def test_with_a_token_only_that_bearer_token_may_scrape(client: Client, settings: object) -> None:
    settings.TING_METRICS_TOKEN = "s3cret-metrics-token"  # type: ignore[attr-defined]
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    good = client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics-token"})
    assert good.status_code == 200


def test_requests_are_counted_by_route_name_not_by_raw_path(client: Client) -> None:
    before = sample("ting_http_request_duration_seconds_count", route="healthz", status="2xx")
    client.get("/healthz")
    client.get("/healthz?x=1")
    after = sample("ting_http_request_duration_seconds_count", route="healthz", status="2xx")
    assert after - before == 2
    missing = sample("ting_http_request_duration_seconds_count", route="unmatched", status="4xx")
    client.get("/no/such/page/12345")
    assert (
        sample("ting_http_request_duration_seconds_count", route="unmatched", status="4xx")
        == missing + 1
    )
    assert b"/no/such/page" not in client.get("/metrics").content


def test_static_files_count_under_one_route(client: Client) -> None:
    before = sample("ting_http_request_duration_seconds_count", route="static", status="2xx")
    assert client.get("/static/ting/site.css").status_code == 200
    after = sample("ting_http_request_duration_seconds_count", route="static", status="2xx")
    assert after - before == 1


@pytest.mark.django_db
def test_stream_bytes_count_what_was_sent_including_ranges(client: Client, anchor: Anchor) -> None:
    track = with_audio(make_track(album__anchor=anchor))
    url = reverse("playback:stream", args=[track.pk, "opus32"])
    before = sample("ting_stream_bytes_total", format="opus32")
    assert client.get(url).status_code == 200
    assert client.get(url, headers={"Range": "bytes=0-999"}).status_code == 206
    assert sample("ting_stream_bytes_total", format="opus32") - before == len(AUDIO) + 1000


@pytest.mark.django_db
def test_task_durations_are_recorded_by_task_and_outcome(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    name = f"{__name__}.tiny_task"
    before = sample("ting_task_duration_seconds_count", task=name, status="successful")
    assert tiny_task.enqueue(n=2).return_value == 4
    after = sample("ting_task_duration_seconds_count", task=name, status="successful")
    assert after - before == 1


@pytest.fixture
def two_workers() -> Iterator[tuple[str, Path]]:
    data = Path(tempfile.mkdtemp(prefix="ting-metrics-"))
    metrics_dir = data / "prometheus"
    metrics_dir.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "TING_ENV": "test",
        "TING_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'ting.sqlite3'}",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--port", str(port),
         "--workers", "2", "--no-access-log"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, up=True, seconds=90)
        yield f"http://127.0.0.1:{port}", metrics_dir
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


def test_with_several_web_workers_metrics_add_up_across_processes(
    two_workers: tuple[str, Path],
) -> None:
    url, metrics_dir = two_workers
    sent = 0
    deadline = time.monotonic() + 60
    with httpx.Client(base_url=url, timeout=30) as http:
        # A new connection each time so that both worker processes answer some; the second may
        # still be importing the app when the first answers, so go on until both have.
        while sent < 40 or len(list(metrics_dir.glob("histogram_*.db"))) < 2:
            assert time.monotonic() < deadline, "only one worker process answered"
            assert http.get("/healthz", headers={"Connection": "close"}).status_code == 200
            sent += 1
        text = http.get("/metrics").text
    line = next(
        row
        for row in text.splitlines()
        if row.startswith("ting_http_request_duration_seconds_count") and 'route="healthz"' in row
    )
    assert float(line.rsplit(" ", 1)[1]) == sent
    # Both processes wrote samples: the sum above really came from two of them.
    assert len(list(metrics_dir.glob("histogram_*.db"))) >= 2
