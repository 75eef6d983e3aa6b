"""The operator's view of accounts: Django's user admin, plus whether each person is an anchor."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ting.accounts.models import User

# The Anchor model lives in catalog, a layer above accounts (import-linter forbids importing it
# here); the reverse relation's name is all the ORM needs to join it.
_HAS_ANCHOR = ExpressionWrapper(Q(anchor__isnull=False), output_field=BooleanField())


class IsAnchorFilter(admin.SimpleListFilter):
    title = _("anchor")
    parameter_name = "is_anchor"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[User]
    ) -> list[tuple[str, str]]:
        return [("yes", str(_("Yes"))), ("no", str(_("No")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() == "yes":
            return queryset.filter(anchor__isnull=False)
        if self.value() == "no":
            return queryset.filter(anchor__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = ("username", "email", "is_staff", "is_active", "date_joined", "has_anchor")
    list_filter = ("is_staff", "is_superuser", "is_active", IsAnchorFilter, "date_joined")
    search_fields = ("username", "email", "first_name", "last_name")
    ordering = ("-date_joined", "-pk")
    date_hierarchy = "date_joined"
    readonly_fields = ("last_login", "date_joined")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).annotate(has_anchor_flag=_HAS_ANCHOR)

    @admin.display(description=_("anchor"), boolean=True, ordering="has_anchor_flag")
    def has_anchor(self, user: User) -> bool:
        return bool(getattr(user, "has_anchor_flag", False))
