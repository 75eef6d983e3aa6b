"""Request ids in every log line, and a JSON formatter for log collectors.

The id lives in a context variable: each request (thread under WSGI, task under ASGI) sees its
own, and a task enqueued during a request carries it in its log lines when the worker sets it.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from contextvars import ContextVar, Token

_request_id: ContextVar[str] = ContextVar("ting_request_id", default="-")
# Accept a caller's id only when it cannot smuggle anything into a log line or a header.
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,128}")
# Attributes every LogRecord has; anything else was passed with `extra=` and belongs in the JSON.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}

# An access line is written for every request, so a log record must be cheap. None of Ting's
# formats show the caller's file and line or the process id, which cost a stack walk and a
# system call per record, and thread names (Python's logging HOWTO, "Optimization").
logging._srcfile = None
logging.logProcesses = False
logging.logMultiprocessing = False
logging.logThreads = False


def request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> Token[str]:
    return _request_id.set(value)


def reset_request_id(token: Token[str]) -> None:
    _request_id.reset(token)


def request_id_from(header: str | None) -> str:
    """The caller's X-Request-ID when it is well formed, else a fresh one."""
    if header and _WELL_FORMED.fullmatch(header):
        return header
    return secrets.token_hex(16)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, and any `extra=`."""

    _second = -1
    _stamp = ""

    def _time(self, created: float) -> str:
        # Formatting the date once a second, not once a line: the access log runs per request.
        second = int(created)
        if second != self._second:
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._stamp}.{int((created - second) * 1000):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self._time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", _request_id.get()),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and key != "fields":
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
