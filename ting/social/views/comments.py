"""Comment pages and actions. Every action works as a plain form post and, better, over htmx."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ting.catalog import selectors as catalog_selectors
from ting.core.errors import ApplicationError
from ting.core.http import AuthenticatedRequest, TingRequest
from ting.social import ratelimit, rules, selectors, text
from ting.social.errors import RateLimited
from ting.social.models import Comment, CommentReport
from ting.social.presenters import prepare
from ting.social.services import comments as services
from ting.social.targets import Target
from ting.social.views._http import current_user, is_htmx, redirect_back, refuse


class CommentForm(forms.Form):
    body = forms.CharField(max_length=text.MAX_CODE_POINTS, strip=False)
    parent = forms.IntegerField(required=False, min_value=1)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why should staff look at this comment?"),
        choices=CommentReport.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=gettext_lazy("Details (optional)"), max_length=300, required=False)


def thread_context(
    request: TingRequest | AuthenticatedRequest,
    target: Target,
    *,
    liked_ids: set[int] | frozenset[int] = frozenset(),
) -> dict[str, Any]:
    user = current_user(request)
    return {
        "target": target,
        "liked_ids": liked_ids,
        "viewer_id": user.pk if user else None,
        "is_target_anchor": user is not None and user.pk == target.anchor_user_id,
        "is_staff": bool(user and user.is_staff),
    }


def _list_response(
    request: TingRequest | AuthenticatedRequest, target: Target, *, sort: str | None = None
) -> HttpResponse:
    user = current_user(request)
    cursor = request.GET.get("after")
    page = selectors.comment_page(
        track=target.track, album=target.album, user=user,
        sort=sort or request.GET.get("sort"), cursor=cursor,
    )  # fmt: skip
    prepare([*page.pinned, *page.comments], target, page.liked_ids)
    context = {**thread_context(request, target, liked_ids=page.liked_ids), "page": page}
    if is_htmx(request):
        template = (
            "social/includes/comment_items.html" if cursor else "social/includes/comment_list.html"
        )
        return render(request, template, context)
    return render(request, "social/comments_page.html", context)


def _check_rate(request: AuthenticatedRequest) -> None:
    limit = settings.TING_COMMENT_RATE
    for scope, key in (
        ("comment-user", str(request.user.pk)),
        ("comment-ip", ratelimit.client_ip(request)),
    ):
        wait = ratelimit.hit(scope=scope, key=key, limit=limit)
        if wait is not None:
            raise RateLimited(
                _("You are commenting too fast. Please wait %(seconds)d seconds and try again.")
                % {"seconds": wait},
                retry_after=wait,
            )


def _post(request: AuthenticatedRequest, target: Target) -> HttpResponse:
    form = CommentForm(request.POST)
    if not form.is_valid():
        return refuse(
            request, ApplicationError(_("Write something first (at most 300 characters)."))
        )
    try:
        _check_rate(request)
        parent = None
        if form.cleaned_data["parent"]:
            parent = (
                Comment.objects.filter(pk=form.cleaned_data["parent"])
                .select_related("parent")
                .first()
            )
            if parent is None:
                raise ApplicationError(_("That comment is no longer there."))
        comment = services.comment_post(
            author=request.user, body=form.cleaned_data["body"], track=target.track,
            album=target.album, parent=parent,
        )  # fmt: skip
    except ApplicationError as error:
        return refuse(request, error)

    held = comment.status == Comment.Status.HELD
    held_message = _("Thanks! Your comment will appear once a moderator has looked at it.")
    if not is_htmx(request):
        if held:
            messages.info(request, held_message)
        return redirect_back(request, f"{target.url}#comment-{comment.parent_id or comment.pk}")
    if held:
        trigger = request.headers.get("HX-Trigger", "")
        response = HttpResponse(f'<span class="form-notice">{held_message}</span>')
        response["HX-Retarget"] = f"#{trigger}-error"
        response["HX-Reswap"] = "innerHTML"
        return response
    if comment.parent_id is not None:
        return _thread_response(request, comment.parent_id)
    return _list_response(request, target, sort="new")


def _thread_response(request: TingRequest | AuthenticatedRequest, parent_id: int) -> HttpResponse:
    """A top-level comment with (up to 50 of) its replies, after a reply was posted."""
    parent = selectors.comment_get(comment_id=parent_id, user=current_user(request))
    replies, _next, liked = selectors.replies_page(parent=parent, user=current_user(request))
    parent.preview_replies = replies  # type: ignore[attr-defined]
    prepare([parent], Target.of(parent), liked)
    context = {**thread_context(request, Target.of(parent), liked_ids=liked), "comment": parent}
    return render(request, "social/includes/comment.html", context)


@require_http_methods(["GET", "POST"])
def track_comments(request: TingRequest, track_id: int) -> HttpResponse:
    track = catalog_selectors.track_get_visible(track_id=track_id, user=current_user(request))
    target = Target(track=track, album=None)
    if request.method == "POST":
        return _post_signed_in(request, target)
    return _list_response(request, target)


@require_http_methods(["GET", "POST"])
def album_comments(request: TingRequest, album_id: int) -> HttpResponse:
    album = catalog_selectors.album_get_visible(album_id=album_id, user=current_user(request))
    target = Target(track=None, album=album)
    if request.method == "POST":
        return _post_signed_in(request, target)
    return _list_response(request, target)


def _post_signed_in(request: TingRequest, target: Target) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(f"{target.url}#comments")
    return _post(request, target)  # type: ignore[arg-type] # signed in, checked above


def comment_replies(request: TingRequest, comment_id: int) -> HttpResponse:
    parent = selectors.comment_get(comment_id=comment_id, user=current_user(request))
    after = request.GET.get("after", "")
    replies, next_after, liked = selectors.replies_page(
        parent=parent, user=current_user(request), after=int(after) if after.isdigit() else None
    )
    prepare(replies, Target.of(parent), liked)
    context = {
        **thread_context(request, Target.of(parent), liked_ids=liked),
        "parent": parent,
        "replies": replies,
        "next_after": next_after,
    }
    return render(request, "social/includes/replies.html", context)


def _comment_for_action(request: AuthenticatedRequest, comment_id: int) -> Comment:
    comment = selectors.comment_get(comment_id=comment_id, user=request.user)
    if comment.status != Comment.Status.VISIBLE and not rules.may_delete(comment, request.user):
        raise Http404
    return comment


@login_required
@require_POST
def comment_like(request: AuthenticatedRequest, comment_id: int) -> HttpResponse:
    comment = _comment_for_action(request, comment_id)
    liked = request.POST.get("liked") == "1"
    if liked:
        services.comment_like(comment=comment, user=request.user)
    else:
        services.comment_unlike(comment=comment, user=request.user)
    if not is_htmx(request):
        return redirect_back(request, f"{Target.of(comment).url}#comment-{comment.pk}")
    comment.like_count = Comment.objects.values_list("like_count", flat=True).get(pk=comment.pk)
    context = {"comment": comment, "liked": liked}
    return render(request, "social/includes/comment_like.html", context)


@login_required
@require_POST
def comment_pin(request: AuthenticatedRequest, comment_id: int) -> HttpResponse:
    comment = _comment_for_action(request, comment_id)
    try:
        services.comment_pin(
            comment=comment, by=request.user, pinned=request.POST.get("pinned") == "1"
        )
    except ApplicationError as error:
        return refuse(request, error)
    target = Target.of(comment)
    if not is_htmx(request):
        return redirect_back(request, f"{target.url}#comment-{comment.pk}")
    return _list_response(request, target)


@login_required
@require_POST
def comment_delete(request: AuthenticatedRequest, comment_id: int) -> HttpResponse:
    comment = _comment_for_action(request, comment_id)
    try:
        services.comment_delete(comment=comment, by=request.user)
    except ApplicationError as error:
        return refuse(request, error)
    if not is_htmx(request):
        messages.success(request, _("The comment was deleted."))
        return redirect_back(request, f"{Target.of(comment).url}#comments")
    return HttpResponse("")


@login_required
@require_http_methods(["GET", "POST"])
def comment_report(request: AuthenticatedRequest, comment_id: int) -> HttpResponse:
    comment = _comment_for_action(request, comment_id)
    target = Target.of(comment)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.comment_report(
            comment=comment, reporter=request.user, reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )  # fmt: skip
        messages.success(request, _("Thank you. Staff will look at this comment."))
        return redirect_back(request, f"{target.url}#comments")
    context = {"form": form, "comment": comment, "target": target}
    return render(request, "social/report.html", context)
