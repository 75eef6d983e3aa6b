"""The operator's view of API tokens: who has which, when used; the hash is never shown.

Tokens are made by their owners (the secret is shown once, to them); an operator can only
revoke them, through the API service, or delete them outright.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ting.api import services
from ting.api.models import PersonalAccessToken
from ting.core.admin import ReadOnlyAdmin


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(ReadOnlyAdmin[PersonalAccessToken]):
    deletable = True
    list_display = (
        "name", "user", "prefix", "scopes", "created_at", "last_used_at", "expires_at",
        "revoked_at",
    )  # fmt: skip
    list_filter = (
        ("revoked_at", admin.EmptyFieldListFilter), "created_at", "last_used_at", "expires_at",
    )  # fmt: skip
    list_select_related = ("user",)
    search_fields = ("name", "=prefix", "user__username")
    exclude = ("token_hash",)
    date_hierarchy = "created_at"
    actions = ("revoke_tokens",)

    def has_revoke_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("api.change_personalaccesstoken")

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[PersonalAccessToken]) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            try:
                services.token_revoke(user=token.user, token_id=token.pk)
            except Http404:
                continue  # revoked meanwhile
            revoked += 1
        message = ngettext(
            "%(count)d token was revoked.", "%(count)d tokens were revoked.", revoked
        )
        self.message_user(request, message % {"count": revoked}, messages.SUCCESS)
