"""A listener's own pages under /me/: private to their owner, so there is no user in the URL."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ting.accounts.views import lockout
from ting.core.errors import ApplicationError
from ting.core.http import AuthenticatedRequest
from ting.social import selectors
from ting.social.models import Preference
from ting.social.services import account, notifications
from ting.social.views._http import refuse


@login_required
def likes(request: AuthenticatedRequest) -> HttpResponse:
    page = selectors.liked_tracks(user=request.user, page=request.GET.get("page"))
    return render(request, "social/me/likes.html", {"page_obj": page, "section": "likes"})


@login_required
def later(request: AuthenticatedRequest) -> HttpResponse:
    page = selectors.later_tracks(user=request.user, page=request.GET.get("page"))
    return render(request, "social/me/later.html", {"page_obj": page, "section": "later"})


@login_required
def subscriptions(request: AuthenticatedRequest) -> HttpResponse:
    page = selectors.subscriptions_with_news(user=request.user, page=request.GET.get("page"))
    context = {"page_obj": page, "section": "subscriptions"}
    return render(request, "social/me/subscriptions.html", context)


@login_required
def following(request: AuthenticatedRequest) -> HttpResponse:
    page = selectors.followed_anchors(user=request.user, page=request.GET.get("page"))
    return render(request, "social/me/following.html", {"page_obj": page, "section": "following"})


@login_required
def history(request: AuthenticatedRequest) -> HttpResponse:
    page = selectors.history(user=request.user, page=request.GET.get("page"))
    return render(request, "social/me/history.html", {"page_obj": page, "section": "history"})


@login_required
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    page = selectors.notifications(user=request.user, page=request.GET.get("page"))
    context = {"page_obj": page, "section": "notifications"}
    return render(request, "social/me/notifications.html", context)


@login_required
def notification_open(request: AuthenticatedRequest, notification_id: int) -> HttpResponse:
    """Mark one notification read and go to what it is about (a link in the list or e-mail)."""
    notification = notifications.notification_open(
        user=request.user, notification_id=notification_id
    )
    if notification is None:
        raise Http404
    if notification.comment is not None and notification.comment.track_id:
        url = reverse("track", args=[notification.comment.track_id])
        return redirect(f"{url}#comment-{notification.comment_id}")
    if notification.track is not None:
        return redirect("track", track_id=notification.track.pk)
    return redirect("social:notifications")


@login_required
@require_POST
def notifications_read(request: AuthenticatedRequest) -> HttpResponse:
    notifications.notifications_mark_all_read(user=request.user)
    return redirect("social:notifications")


class PreferenceForm(forms.ModelForm[Preference]):
    class Meta:
        model = Preference
        fields = ["email_digest"]


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"), widget=forms.PasswordInput, strip=False
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: AuthenticatedRequest) -> HttpResponse:
    preference = Preference.objects.filter(user=request.user).first() or Preference(
        user=request.user
    )
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        notifications.preference_set(
            user=request.user, email_digest=form.cleaned_data["email_digest"]
        )
        messages.success(request, _("Your settings were saved."))
        return redirect("social:settings")
    context = {"form": form, "section": "settings", "delete_form": DeleteAccountForm()}
    return render(request, "social/me/settings.html", context)


@login_required
def export(request: AuthenticatedRequest) -> HttpResponse:
    data = account.account_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="ting-{request.user.pk}-{stamp}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def delete_account(request: AuthenticatedRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST)
    if not form.is_valid():
        return refuse(request, ApplicationError(_("That password is not right.")))
    # Through authenticate(), not check_password(): the sign-in lockout (django-axes) counts
    # these guesses too, or a borrowed session could try passwords here without limit.
    confirmed = authenticate(
        request, username=request.user.get_username(), password=form.cleaned_data["password"]
    )
    if getattr(request, "axes_locked_out", False):
        return lockout(request, None, None)
    if confirmed is None or confirmed.pk != request.user.pk:
        return refuse(request, ApplicationError(_("That password is not right.")))
    try:
        account.account_delete(user=request.user)
    except ApplicationError as error:
        return refuse(request, error)
    logout(request)
    messages.success(request, _("Your account and your listening data were deleted."))
    return redirect("home")
