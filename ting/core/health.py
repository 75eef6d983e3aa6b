"""Readiness probes: one registry that `/readyz` and `ting check` both run.

Core registers the services it knows (database, cache, task queue). A higher app adds its own
from its AppConfig.ready() with `register_probe`, so core never imports it. A probe returns a
short detail ("3 tasks waiting") or None, and raises when its service does not answer: the
exception's message is the explanation shown to the operator.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext as _

from ting.core.env import redact_url

Probe = Callable[[], str | None]
Target = Callable[[], str]


@dataclass(frozen=True, slots=True)
class ProbeResult:
    name: str
    target: str
    ok: bool
    detail: str
    seconds: float


_PROBES: dict[str, tuple[Probe, Target]] = {}


def register_probe(name: str, probe: Probe, *, target: Target | None = None) -> None:
    """Add (or replace) the probe called `name`; `target` says what it connects to."""
    _PROBES[name] = (probe, target or (lambda: ""))


def probe_names() -> list[str]:
    return list(_PROBES)


def run_probes() -> list[ProbeResult]:
    return [run_probe(name) for name in _PROBES]


def run_probe(name: str) -> ProbeResult:
    probe, target = _PROBES[name]
    started = time.monotonic()
    try:
        detail, ok = probe() or "", True
    except Exception as error:  # any failure means "not ready"; its message says why
        detail, ok = explain(error), False
    try:
        where = target()
    except Exception:  # describing the target must never hide the probe's own answer
        where = "?"
    return ProbeResult(name, where, ok, detail, time.monotonic() - started)


def explain(error: BaseException) -> str:
    """The first line of the error's message, named by its type when it has none."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


# --- the services core knows ---------------------------------------------------------------


def database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def database_target() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"{db['ENGINE'].rsplit('.', 1)[-1]}://{db.get('USER') or ''}@{db.get('HOST') or ''}:{db.get('PORT') or ''}/{db['NAME']}"  # noqa: E501


def cache_probe() -> str | None:
    key = "ting:readyz"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError(_("The cache did not return what was stored."))
    return None


def cache_target() -> str:
    location = settings.CACHES["default"].get("LOCATION") or ""
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return redact_url(location) if location else backend


def queue_depth() -> int:
    """Tasks waiting to run on the configured backend (0 when tasks run in the request)."""
    if settings.TASKS_BACKEND == "rq":
        import django_rq

        return int(django_rq.get_queue("default").count)
    if settings.TASKS_BACKEND == "db":
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()
    return 0


def queue() -> str | None:
    if settings.TASKS_BACKEND == "rq":
        import django_rq
        from rq import Worker

        redis_queue = django_rq.get_queue("default")
        redis_queue.connection.ping()
        workers = Worker.count(queue=redis_queue)
        return _("%(waiting)d waiting, %(workers)d workers listening") % {
            "waiting": redis_queue.count,
            "workers": workers,
        }
    if settings.TASKS_BACKEND == "db":
        return _("%(waiting)d waiting") % {"waiting": queue_depth()}
    return _("tasks run inside the request")


def queue_target() -> str:
    if settings.TASKS_BACKEND == "rq":
        return f"rq {redact_url(settings.RQ_QUEUES['default']['URL'])}"
    return settings.TASKS_BACKEND


def register_core_probes() -> None:
    register_probe("database", database, target=database_target)
    register_probe("cache", cache_probe, target=cache_target)
    register_probe("queue", queue, target=queue_target)
