from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ting.catalog import selectors, services
from ting.catalog.forms import BecomeAnchorForm
from ting.catalog.models import Anchor
from ting.core.http import AuthenticatedRequest, TingRequest, viewer


def home(request: TingRequest) -> HttpResponse:
    return render(request, "catalog/home.html", {"page": selectors.home_page()})


def category_detail(request: TingRequest, slug: str) -> HttpResponse:
    category = selectors.category_get(slug=slug)
    sort = "popular" if request.GET.get("sort") == "popular" else "newest"
    albums = (
        selectors.album_list_popular(category=category)
        if sort == "popular"
        else selectors.album_list_newest(category=category)
    )

    page = Paginator(albums, settings.TING_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "category": category,
        "categories": selectors.category_list(),
        "albums": page,
        "sort": sort,
    }
    return render(request, "catalog/category.html", context)


def album_detail(request: TingRequest, album_id: int) -> HttpResponse:
    album = selectors.album_get_visible(album_id=album_id, user=viewer(request))
    tracks, order = selectors.album_tracks_page(
        album=album,
        user=viewer(request),
        sort=request.GET.get("sort"),
        page=request.GET.get("page"),
        per_page=settings.TING_PAGE_SIZE,
    )
    context = {"album": album, "anchor": album.anchor, "tracks": tracks, "order": order}
    return render(request, "catalog/album.html", context)


def anchor_detail(request: TingRequest, anchor_id: int) -> HttpResponse:
    anchor = selectors.anchor_get(anchor_id=anchor_id)
    context = {
        "anchor": anchor,
        "albums": selectors.anchor_albums(anchor=anchor, user=viewer(request)),
        "tracks": selectors.anchor_tracks_page(
            anchor=anchor, page=request.GET.get("page"), per_page=settings.TING_PAGE_SIZE
        ),
    }
    return render(request, "catalog/anchor.html", context)


def track_detail(request: TingRequest, track_id: int) -> HttpResponse:
    track = selectors.track_get_visible(track_id=track_id, user=viewer(request))
    context = {
        "track": track,
        "album": track.album,
        "anchor": track.album.anchor,
        "up_next": selectors.track_album_neighbours(track=track),
    }
    return render(request, "catalog/track.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def become_anchor(request: AuthenticatedRequest) -> HttpResponse:
    existing = Anchor.objects.filter(user=request.user).first()
    if existing is not None:
        return redirect("anchor", anchor_id=existing.pk)
    form = BecomeAnchorForm(
        request.POST or None, initial={"display_name": request.user.get_username()}
    )
    if request.method == "POST" and form.is_valid():
        anchor = services.anchor_become(
            user=request.user,
            display_name=form.cleaned_data["display_name"],
            bio=form.cleaned_data["bio"],
        )
        messages.success(request, _("You are an anchor now. Your page is ready."))
        return redirect("anchor", anchor_id=anchor.pk)
    return render(request, "catalog/become_anchor.html", {"form": form})
