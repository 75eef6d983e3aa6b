from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils import translation

from ting.core.script import reset_reader_script, script_for, set_reader_script


class ReaderScriptMiddleware:
    """Pick the script content is shown in from the active UI language (after LocaleMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        script = script_for(
            translation.get_language() or "", request.headers.get("Accept-Language", "")
        )
        token = set_reader_script(script)
        try:
            return self.get_response(request)
        finally:
            reset_reader_script(token)
