"""The personal access token page, and the API's JSON 404 for paths it does not know."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ting.api import services
from ting.api.errors import error_response
from ting.api.forms import TokenForm
from ting.api.models import PersonalAccessToken
from ting.core.http import AuthenticatedRequest


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = services.token_create(
            user=request.user,
            name=data["name"],
            scopes=data["scopes"],
            expires_in_days=data["expires_in_days"],
        )
        form = TokenForm()
    listed = PersonalAccessToken.objects.filter(user=request.user, revoked_at__isnull=True)
    context = {"form": form, "created": created, "tokens": listed.order_by("-pk")}
    return render(request, "api/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    services.token_revoke(user=request.user, token_id=token_id)
    messages.success(request, _("The token was revoked."))
    return redirect("api_pages:tokens")


def not_found(request: HttpRequest) -> JsonResponse:
    return error_response(404, "not_found", _("No such API endpoint."))
