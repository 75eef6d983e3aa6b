"""Request ids in every log line, and a JSON formatter for log collectors.

The id lives in a context variable: each request (thread under WSGI, task under ASGI) sees its
own, and a task enqueued during a request carries it in its log lines when the worker sets it.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar, Token
from datetime import UTC, datetime

_request_id: ContextVar[str] = ContextVar("ting_request_id", default="-")
# Accept a caller's id only when it cannot smuggle anything into a log line or a header.
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,128}")
# Attributes every LogRecord has; anything else was passed with `extra=` and belongs in the JSON.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


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
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, and any `extra=`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", _request_id.get()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
