"""Opaque keyset cursors: base64 of the last row's sort values. No OFFSET, no COUNT."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from ting.core.errors import ApplicationError

M = TypeVar("M", bound=Model)
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class InvalidCursor(ApplicationError):
    status = 422

    def __init__(self) -> None:
        super().__init__(_("This cursor is not valid; start again without one."), code="invalid")


def encode(values: Sequence[Any]) -> str:
    raw = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str, length: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidCursor() from None
    if not isinstance(values, list) or len(values) != length:
        raise InvalidCursor()
    if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
        raise InvalidCursor()
    return values


def _after(fields: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows after `values` in the order `fields` ("-x" descending): a keyset condition."""
    condition = Q()
    for index, field in enumerate(fields):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{name}__{lookup}": values[index]})
        for previous, value in zip(fields[:index], values[:index], strict=True):
            step &= Q(**{previous.lstrip("-"): value})
        condition |= step
    return condition


def keyset_page(
    queryset: QuerySet[M], *, order: Sequence[str], cursor: str | None, limit: int
) -> tuple[list[M], str | None]:
    """Up to `limit` rows after `cursor`, and the cursor for the next page (None at the end).

    `order` must end in a unique field ("pk" or "-pk") and its fields must be non-null.
    """
    rows = queryset.order_by(*order)
    if cursor:
        values = decode(cursor, len(order))
        try:
            rows = rows.filter(_after(order, values))
            page = list(rows[: limit + 1])
        except (ValueError, TypeError, ArithmeticError, ValidationError):
            raise InvalidCursor() from None
    else:
        page = list(rows[: limit + 1])
    if len(page) <= limit:
        return page, None
    page = page[:limit]
    last = page[-1]
    return page, encode([_value(last, field.lstrip("-")) for field in order])


def _value(row: Model, path: str) -> Any:
    value: Any = row
    for part in path.split("__"):
        value = getattr(value, part)
    return value
