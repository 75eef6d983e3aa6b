"""The personal access token page, OPML import and export of subscriptions, and the API's JSON
404 for paths it does not know."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ting.api import services
from ting.api.errors import error_response
from ting.api.forms import OpmlUploadForm, TokenForm
from ting.api.models import PersonalAccessToken
from ting.catalog.models import Anchor
from ting.core.errors import ApplicationError
from ting.core.http import AuthenticatedRequest
from ting.feeds import opml


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


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def subscriptions_opml(request: AuthenticatedRequest) -> HttpResponse:
    """Import subscriptions from another podcast app's OPML, and the link to export ours."""
    form = OpmlUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(opml.MAX_OPML_BYTES + 1)
        try:
            result = services.subscriptions_import(
                user=request.user, data=data, hosts=services.site_hosts(request.get_host())
            )
        except ApplicationError as error:
            form.add_error("file", str(error.message))
    context = {
        "form": form,
        "result": result,
        "is_anchor": Anchor.objects.filter(user=request.user).exists(),
    }
    return render(
        request, "api/subscriptions_opml.html", context, status=400 if form.errors else 200
    )


@login_required
@require_GET
def subscriptions_opml_export(request: AuthenticatedRequest) -> HttpResponse:
    body = services.subscriptions_export(user=request.user, absolute=request.build_absolute_uri)
    response = HttpResponse(body, content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ting-subscriptions.opml"'
    return response


def not_found(request: HttpRequest) -> JsonResponse:
    return error_response(404, "not_found", _("No such API endpoint."))
