from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseForbidden,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ting.catalog import selectors as catalog_selectors
from ting.catalog.models import Track
from ting.core import streams
from ting.core.http import TingRequest, viewer
from ting.core.security import embeddable
from ting.media import integrity
from ting.media.models import Rendition
from ting.media.storage import is_object_storage, presigned_url
from ting.playback import access, selectors, services, signing
from ting.playback.delivery.backends import Delivery, build_delivery
from ting.playback.delivery.responses import CACHE_IMMUTABLE_PRIVATE


def _redirect_url(key: str, seconds: int, mime: str) -> str:
    if is_object_storage():
        return presigned_url(key, expires=seconds, content_type=mime)
    return default_storage.url(key)  # local storage behind a web server: tests and demos


def _delivery(request: TingRequest, track: Track, fmt: str, mime: str) -> Delivery:
    # Public tracks have stable URLs a CDN may cache; signed ones stay private to the browser.
    cache = "public, max-age=3600" if access.is_public(track) else CACHE_IMMUTABLE_PRIVATE
    mode = settings.MEDIA_DELIVERY
    if mode == "nginx-signed":
        if not access.nginx_signs(track):
            mode = "x-accel"  # drafts: checked on every request, never a bearer URL
        else:
            return build_delivery(
                mode,
                url_for=lambda key, seconds: signing.nginx_url(
                    key=key, track_id=track.pk, fmt=fmt, user_id=_viewer_id(request), ttl=seconds
                ),
                redirect_expires_seconds=settings.TING_STREAM_URL_TTL,
            )
    return build_delivery(
        mode,
        media_root=Path(settings.MEDIA_ROOT),
        internal_prefix=settings.TING_XACCEL_PREFIX,
        url_for=lambda key, seconds: _redirect_url(key, seconds, mime),
        redirect_expires_seconds=settings.TING_REDIRECT_URL_TTL,
        cache_control=cache,
    )


def _viewer_id(request: TingRequest) -> int | None:
    user = viewer(request)
    return user.pk if user is not None else None


def stream(request: TingRequest, track_id: int, fmt: str) -> HttpResponseBase:
    rendition = selectors.rendition_for_stream(track_id=track_id, fmt=fmt)
    if rendition is None:
        raise Http404
    track = rendition.asset.track
    expires, signature = request.GET.get("exp"), request.GET.get("sig")
    if not access.may_stream(
        track, fmt, user=viewer(request), expires=expires, signature=signature
    ):
        if signature is not None and not signing.verify(track.pk, fmt, expires, signature):
            return HttpResponseForbidden(_("This link has expired or is not valid."))
        raise Http404
    key = rendition.file.name or ""
    try:
        path: Path | None = Path(default_storage.path(key))
    except NotImplementedError:
        path = None
    if path is not None:
        problem = integrity.rendition_problem(rendition, hash_bytes=False)
        if problem:
            return _damaged(rendition, problem=problem)
    delivery = _delivery(request, track, fmt, rendition.mime_type)
    response = delivery.deliver(
        request,
        key=key,
        path=path,
        content_type=rendition.mime_type,
        etag=f'"{rendition.sha256[:32]}"',
    )
    if not delivery.counted_by_server:
        streams.stream_served(
            request, response, track_id=track.pk, fmt=fmt, size=rendition.size,
            bitrate=rendition.bitrate, duration=rendition.duration,
        )  # fmt: skip
    return response


def _damaged(rendition: Rendition, *, problem: str) -> HttpResponseBase:
    """A rendition gone bad on disk: queue its rebuild and send the listener to a good one."""
    integrity.rendition_report_damaged(rendition=rendition, problem=problem)
    track = rendition.asset.track
    for other in selectors.renditions_in_source_order(asset_id=rendition.asset_id):
        if other.pk != rendition.pk and integrity.rendition_intact(other):
            # 307: the <audio> element follows it and plays the other format meanwhile.
            return HttpResponseRedirect(selectors.stream_url(track, other.format), status=307)
    response = HttpResponse(
        _("This recording is being repaired. Try again in a minute."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "60"
    return response


@require_GET
def player_json(request: TingRequest, track_id: int) -> JsonResponse:
    track = catalog_selectors.track_get_visible(track_id=track_id, user=viewer(request))
    following = catalog_selectors.track_album_neighbours(track=track, limit=1)
    data = selectors.player_data(
        track=track, user=viewer(request), next_track=following[0] if following else None
    )
    return JsonResponse(data)


@require_POST
def position(request: TingRequest) -> HttpResponse:
    """Progress beacons from the player (navigator.sendBeacon posts a form with the token)."""
    user = viewer(request)
    if user is None:
        return HttpResponse(status=204)  # anonymous listeners keep their place in the browser
    try:
        track_id = int(request.POST["track"])
        seconds = float(request.POST["position"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest(_("Send the track id and the position in seconds."))
    if seconds != seconds or seconds < 0:  # NaN or negative
        return HttpResponseBadRequest(_("The position must be a number of seconds."))
    track = catalog_selectors.track_get_visible(track_id=track_id, user=user)
    services.position_save(
        user=user, track=track, position=seconds, finished=request.POST.get("finished") == "1"
    )
    return HttpResponse(status=204)


@embeddable
def embed_track(request: TingRequest, track_id: int) -> HttpResponse:
    track = catalog_selectors.track_get_visible(track_id=track_id, user=None)
    following = catalog_selectors.track_album_neighbours(track=track, limit=1)
    context = {"track": track, "next_track": following[0] if following else None}
    return render(request, "playback/embed_track.html", context)


@embeddable
def embed_album(request: TingRequest, album_id: int) -> HttpResponse:
    album = catalog_selectors.album_get_visible(album_id=album_id, user=None)
    tracks, _order = catalog_selectors.album_tracks_page(
        album=album, user=None, sort=None, page=request.GET.get("page"), per_page=50
    )
    first = tracks.object_list[0] if tracks.object_list else None
    context = {"album": album, "tracks": tracks, "first": first}
    return render(request, "playback/embed_album.html", context)


@require_GET
def oembed(request: TingRequest) -> HttpResponse:
    """oEmbed 1.0 (JSON): the iframe player for a track or album page URL."""
    url = request.GET.get("url", "")
    if request.GET.get("format", "json") != "json":
        return HttpResponse(status=501)
    try:
        match = resolve(urlparse(url).path)
    except Resolver404:
        raise Http404 from None
    if match.url_name == "track":
        track = catalog_selectors.track_get_visible(track_id=match.kwargs["track_id"], user=None)
        src, title, height = reverse("playback:embed_track", args=[track.pk]), track.title, 160
        author = track.album.anchor.display_name
    elif match.url_name == "album":
        album = catalog_selectors.album_get_visible(album_id=match.kwargs["album_id"], user=None)
        src, title, height = reverse("playback:embed_album", args=[album.pk]), album.title, 420
        author = album.anchor.display_name
    else:
        raise Http404
    iframe_src = request.build_absolute_uri(src)
    maxwidth = request.GET.get("maxwidth", "")
    width = min(int(maxwidth), 1000) if maxwidth.isdigit() and int(maxwidth) > 0 else 600
    html = format_html(
        '<iframe src="{}" width="{}" height="{}" frameborder="0" allow="autoplay" '
        'loading="lazy" title="{}"></iframe>',
        iframe_src,
        width,
        height,
        title,
    )
    payload = {
        "version": "1.0",
        "type": "rich",
        "provider_name": "Ting",
        "provider_url": request.build_absolute_uri("/"),
        "title": title,
        "author_name": author,
        "width": width,
        "height": height,
        "html": html,
    }
    return JsonResponse(payload)
