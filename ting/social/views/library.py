"""Follow, subscribe, like and listen-later buttons: each a form that toggles one row."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ting.catalog import selectors as catalog_selectors
from ting.core.errors import ApplicationError
from ting.core.http import AuthenticatedRequest
from ting.social import selectors
from ting.social.services import library
from ting.social.views._http import is_htmx, redirect_back, refuse


def _on(request: AuthenticatedRequest) -> bool:
    return request.POST.get("on") == "1"


@login_required
@require_POST
def follow(request: AuthenticatedRequest, anchor_id: int) -> HttpResponse:
    anchor = catalog_selectors.anchor_get(anchor_id=anchor_id)
    try:
        if _on(request):
            library.anchor_follow(user=request.user, anchor=anchor)
        else:
            library.anchor_unfollow(user=request.user, anchor=anchor)
    except ApplicationError as error:
        return refuse(request, error)
    if not is_htmx(request):
        return redirect_back(request, reverse("anchor", args=[anchor.pk]))
    anchor.refresh_from_db(fields=["follower_count"])
    context = {"anchor": anchor, "following": _on(request), "signed_in": True}
    return render(request, "social/includes/follow_button.html", context)


@login_required
@require_POST
def subscribe(request: AuthenticatedRequest, album_id: int) -> HttpResponse:
    album = catalog_selectors.album_get_visible(album_id=album_id, user=request.user)
    if _on(request):
        library.album_subscribe(user=request.user, album=album)
    else:
        library.album_unsubscribe(user=request.user, album=album)
    if not is_htmx(request):
        return redirect_back(request, reverse("album", args=[album.pk]))
    context = {"album": album, "subscribed": _on(request), "signed_in": True}
    return render(request, "social/includes/subscribe_button.html", context)


@login_required
@require_POST
def track_like(request: AuthenticatedRequest, track_id: int) -> HttpResponse:
    track = catalog_selectors.track_get_visible(track_id=track_id, user=request.user)
    if _on(request):
        library.track_like(user=request.user, track=track)
    else:
        library.track_unlike(user=request.user, track=track)
    return _track_buttons(request, track_id)


@login_required
@require_POST
def track_later(request: AuthenticatedRequest, track_id: int) -> HttpResponse:
    track = catalog_selectors.track_get_visible(track_id=track_id, user=request.user)
    if _on(request):
        library.later_add(user=request.user, track=track)
    else:
        library.later_remove(user=request.user, track=track)
    return _track_buttons(request, track_id)


def _track_buttons(request: AuthenticatedRequest, track_id: int) -> HttpResponse:
    if not is_htmx(request):
        return redirect_back(request, reverse("track", args=[track_id]))
    track = catalog_selectors.track_get_visible(track_id=track_id, user=request.user)
    state = selectors.track_state(user=request.user, track=track)
    context = {"track": track, "state": state, "signed_in": True}
    return render(request, "social/includes/track_buttons.html", context)
