"""One error type for the domain; views and the API map it to a response in one place each."""

from __future__ import annotations

from django.utils.functional import Promise


class ApplicationError(Exception):
    """A rule of the domain said no. `message` is shown to people, in their language."""

    status = 400

    def __init__(self, message: str | Promise, *, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


class PermissionDenied(ApplicationError):
    status = 403


class NotFound(ApplicationError):
    status = 404
