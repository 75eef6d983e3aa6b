"""One error shape for every API answer that is not a success:

    {"error": {"code": "not_found", "message": "…", "fields": {"title": "…"}}}

Every exception the API can meet is mapped here, in one place (STYLE.md: one ApplicationError
mapped to HTTP in one place).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field

from ting.core.errors import ApplicationError
from ting.core.unavailable import service_down, unavailable_response

logger = logging.getLogger(__name__)


class ErrorBody(Schema):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["No such album."])
    fields: dict[str, str] = Field(default_factory=dict, examples=[{"title": "Field required"}])


class ErrorOut(Schema):
    error: ErrorBody


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("rate limited")
        self.retry_after = retry_after


class Forbidden(ApplicationError):
    status = 403


class Unauthorized(ApplicationError):
    status = 401


def error_response(
    status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> JsonResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _field_name(loc: Any) -> str:
    # ninja's locations look like ("body", "payload", "title") or ("query", "limit").
    parts = [
        str(part) for part in loc if part not in ("body", "query", "path", "header", "payload")
    ]
    return ".".join(parts) or "request"


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ApplicationError)
    def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        response = error_response(exc.status, exc.code, str(exc.message))
        if exc.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="ting"'
        retry_after = getattr(exc, "retry_after", None)
        if exc.status == 429 and retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, str] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), str(error.get("msg", "")))
        return error_response(422, "invalid", _("Some values are not valid."), fields)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            401, "unauthenticated", _("Sign in, or send a valid personal access token.")
        )
        response["WWW-Authenticate"] = 'Bearer realm="ting"'
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, "not_found", _("Not found."))

    @api.exception_handler(DjangoPermissionDenied)
    def forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        return error_response(403, "forbidden", _("You may not do that."))

    @api.exception_handler(RateLimited)
    def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = error_response(
            429, "rate_limited", _("Too many requests. Wait a moment and try again.")
        )
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(exc.status_code, "http_error", str(exc))

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        if service_down(exc):
            logger.warning("API %s %s: a service is down: %s", request.method, request.path, exc)
            return unavailable_response(request)
        logger.exception("API error on %s %s", request.method, request.path)
        return error_response(
            500, "internal_error", _("Something went wrong on our side. It has been logged.")
        )
