"""Why a social action was refused; views map each to a status and a message in one place."""

from __future__ import annotations

from django.utils.functional import Promise

from ting.core.errors import ApplicationError, PermissionDenied


class Forbidden(PermissionDenied):
    pass


class Conflict(ApplicationError):
    status = 409


class RateLimited(ApplicationError):
    status = 429

    def __init__(self, message: str | Promise, *, retry_after: int) -> None:
        super().__init__(message, code="rate_limited")
        self.retry_after = retry_after
