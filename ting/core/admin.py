"""Admin building blocks every app shares (core registers no models of its own)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

_M = TypeVar("_M", bound=Model)


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    """For append-only logs and derived data: operators look, only the code that owns it writes.

    Deleting stays off unless a subclass sets ``deletable`` (where losing a row is harmless:
    it is rebuilt, or it only ever mattered to the one person it belongs to).
    """

    deletable = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.deletable and super().has_delete_permission(request, obj)
