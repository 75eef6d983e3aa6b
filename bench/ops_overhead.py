"""What RequestMiddleware (request id, access log, metrics) adds to each request.

    .venv/bin/python bench/ops_overhead.py [--rounds 15] [--calls 20000]

Two measurements, interleaved rounds, medians:

1. The middleware alone around a view that returns at once, on a stream-route request (the
   route that also counts stream bytes), with the JSON access log written to /dev/null, versus
   calling the view directly. The difference is the per-request cost in microseconds.
2. The same with the access log turned off (logger level WARNING), for sites that log at nginx.

Goal: at most 25 µs added per request with the JSON access log. Ends with one JSON line; exits
1 when the goal is missed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("TING_ENV", "test")
os.environ["LOG_FORMAT"] = "json"

import django

django.setup()

from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.urls import resolve  # noqa: E402

from ting.core.middleware import RequestMiddleware  # noqa: E402

GOAL_US = 25.0


def per_call_us(call: Callable[[HttpRequest], object], request: HttpRequest, calls: int) -> float:
    # CPU time of this process: the machine is shared, and wall time would mostly measure the
    # other processes' share of the two cores.
    started = time.process_time()
    for _ in range(calls):
        call(request)
    return (time.process_time() - started) / calls * 1e6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=20000)
    options = parser.parse_args()

    # Log lines are formatted and written as in production, to a sink instead of a terminal.
    sink = open(os.devnull, "w")  # noqa: SIM115, PTH123
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sink)

    request = RequestFactory().get("/stream/42/opus32", headers={"Range": "bytes=0-1048575"})
    request.resolver_match = resolve("/stream/42/opus32")
    body = HttpResponse(b"x" * 1024, status=206)
    body["Content-Length"] = "1048576"

    def view(request: HttpRequest) -> HttpResponse:
        return body

    wrapped = RequestMiddleware(view)
    access = logging.getLogger("ting.access")
    bare, logged, quiet = [], [], []
    for _ in range(options.rounds):
        bare.append(per_call_us(view, request, options.calls))
        access.setLevel(logging.INFO)
        logged.append(per_call_us(wrapped, request, options.calls))
        access.setLevel(logging.WARNING)
        quiet.append(per_call_us(wrapped, request, options.calls))
    base = statistics.median(bare)
    with_log = statistics.median(logged) - base
    without_log = statistics.median(quiet) - base
    load = os.getloadavg()[0]
    print(f"load average (1 min): {load:.2f}")
    print(f"bare view call:                     {base:8.2f} µs")
    print(f"+ RequestMiddleware, JSON access log {with_log:8.2f} µs added")
    print(f"+ RequestMiddleware, access log off  {without_log:8.2f} µs added")
    passed = with_log <= GOAL_US
    print(
        json.dumps(
            {
                "figure": "request middleware overhead (id, JSON access log, metrics)",
                "value": round(with_log, 2),
                "unit": "µs per request",
                "goal": f"<= {GOAL_US}",
                "baseline": round(without_log, 2),
                "ratio": round(with_log / GOAL_US, 3),
                "pass": passed,
            },
            ensure_ascii=False,
        )
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
