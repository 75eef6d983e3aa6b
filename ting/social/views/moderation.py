"""The staff moderation queue: reported and held comments with their context, and the actions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ting.core.errors import ApplicationError
from ting.core.http import AuthenticatedRequest
from ting.social import selectors
from ting.social.models import Comment, ModerationAction
from ting.social.services import moderation
from ting.social.views._http import refuse, staff_only


class ActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("approve", "approve"), ("hide", "hide"), ("delete", "delete"), ("ban", "ban")]
    )
    days = forms.IntegerField(required=False, min_value=1, max_value=moderation.MAX_BAN_DAYS)
    note = forms.CharField(required=False, max_length=300)


@staff_only
def queue(request: AuthenticatedRequest) -> HttpResponse:
    context = {
        "comments": selectors.moderation_queue(),
        "actions": ModerationAction.objects.select_related("actor", "target_user").order_by(
            "-created_at"
        )[:20],
    }
    return render(request, "social/moderation/queue.html", context)


@staff_only
@require_POST
def act(request: AuthenticatedRequest, comment_id: int) -> HttpResponse:
    comment = (
        Comment.objects.select_related("track__album__anchor", "album__anchor")
        .filter(pk=comment_id)
        .first()
    )
    form = ActionForm(request.POST)
    if comment is None or not form.is_valid():
        raise Http404
    action, note = form.cleaned_data["action"], form.cleaned_data["note"]
    try:
        if action == "approve":
            moderation.moderation_approve(comment=comment, by=request.user)
        elif action == "hide":
            moderation.moderation_hide(comment=comment, by=request.user, note=note)
        elif action == "delete":
            moderation.moderation_delete(comment=comment, by=request.user, note=note)
        else:
            days = form.cleaned_data["days"] or 7
            moderation.moderation_ban(comment=comment, by=request.user, days=days, note=note)
    except ApplicationError as error:
        return refuse(request, error)
    messages.success(request, _("Done."))
    return redirect("social:moderation")
