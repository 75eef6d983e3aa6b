"""Prometheus metrics (docs/deploy/operations.md).

Requests are labelled by route name and status class, never by raw path, so a crawler cannot
blow up the series count. With PROMETHEUS_MULTIPROC_DIR set (``ting serve`` sets it) every web
worker and task worker on the host writes its samples there and ``/metrics`` adds them up.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import time
from collections.abc import Iterator
from contextvars import Token
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ting.core import logs

log = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "ting_http_request_duration_seconds",
    "Time to answer an HTTP request (its _count is the request count), by route and status class.",
    ["route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
STREAM_BYTES = Counter(
    "ting_stream_bytes",
    "Audio bytes the app answered with on the stream route (X-Accel and redirects send none).",
    ["format"],
)
TASK_SECONDS = Histogram(
    "ting_task_duration_seconds",
    "Time a task took to run, by task and outcome.",
    ["task", "status"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0),
)
_STATUS_CLASS = {code: f"{code // 100}xx" for code in range(100, 600)}
# Resolving label values to a child costs a lock and a tuple hash; the set of routes is small
# and fixed, so each child is looked up once per process.
_request_children: dict[tuple[str, str], Any] = {}
_stream_children: dict[str, Any] = {}


def observe_request(route: str, status: int, seconds: float) -> None:
    key = (route, _STATUS_CLASS.get(status, "other"))
    child = _request_children.get(key)
    if child is None:
        child = _request_children[key] = REQUEST_SECONDS.labels(*key)
    child.observe(seconds)


def count_stream_bytes(fmt: str, size: int) -> None:
    child = _stream_children.get(fmt)
    if child is None:
        child = _stream_children[fmt] = STREAM_BYTES.labels(fmt)
    child.inc(size)


class QueueCollector(Collector):
    """Queue depth is read when scraped: it lives in the queue, not in any one process."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from ting.core.health import queue_depth

        depth = GaugeMetricFamily("ting_task_queue_depth", "Tasks waiting to run.")
        up = GaugeMetricFamily("ting_task_queue_up", "1 when the task queue answered the scrape.")
        try:
            depth.add_metric([], queue_depth())
            up.add_metric([], 1)
        except Exception as error:  # a scrape must still answer when the queue is down
            log.warning("metrics: queue depth unavailable: %s", error)
            up.add_metric([], 0)
        yield depth
        yield up


_QUEUE_REGISTRY = CollectorRegistry(auto_describe=False)
_QUEUE_REGISTRY.register(QueueCollector())


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry) + generate_latest(_QUEUE_REGISTRY)
    return generate_latest(REGISTRY) + generate_latest(_QUEUE_REGISTRY)


def may_scrape(request: HttpRequest) -> bool:
    """With TING_METRICS_TOKEN: that bearer token. Without: only an unproxied loopback caller."""
    token: str = settings.TING_METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    # nginx on the same host connects from 127.0.0.1 too; it adds X-Forwarded-For, so a
    # proxied request from outside is refused even though its REMOTE_ADDR is loopback.
    remote = request.META.get("REMOTE_ADDR", "")
    loopback = remote == "::1" or remote.startswith("127.")
    return loopback and "HTTP_X_FORWARDED_FOR" not in request.META


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not may_scrape(request):
        response = HttpResponse(
            "Metrics need the TING_METRICS_TOKEN bearer token.\n",
            status=401 if settings.TING_METRICS_TOKEN else 403,
            content_type="text/plain; charset=utf-8",
        )
        response["WWW-Authenticate"] = 'Bearer realm="ting-metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


# --- task durations ------------------------------------------------------------------------

_started: dict[str, tuple[float, Token[str]]] = {}


def _task_started(*, task_result: Any, **kwargs: Any) -> None:
    # A task's log lines share one id, "task-<id>", as a request's do.
    token = logs.set_request_id(f"task-{task_result.id}")
    _started[task_result.id] = (time.monotonic(), token)


def _task_finished(*, task_result: Any, **kwargs: Any) -> None:
    started = _started.pop(task_result.id, None)
    if started is None:
        return
    began, token = started
    with contextlib.suppress(ValueError):  # the signal came from another context: keep it
        logs.reset_request_id(token)
    name = task_result.task.module_path
    TASK_SECONDS.labels(name, str(task_result.status).lower()).observe(time.monotonic() - began)


def connect_task_signals() -> None:
    from django_tasks.signals import task_finished, task_started

    task_started.connect(_task_started, dispatch_uid="ting.metrics.task_started")
    task_finished.connect(_task_finished, dispatch_uid="ting.metrics.task_finished")
