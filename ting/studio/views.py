"""The creator studio: an anchor's dashboard, album and track editing, and the upload protocol."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ting.catalog import services as catalog_services
from ting.catalog.models import Album, Anchor, Track
from ting.core.errors import ApplicationError
from ting.core.http import AuthenticatedRequest
from ting.media import uploads
from ting.media.models import Upload
from ting.studio import selectors, services
from ting.studio.forms import AlbumForm, TrackForm, UploadCreateForm, album_initial

# The multipart envelope around a file: boundaries, part headers, the CSRF field.
MULTIPART_SLACK = 64 * 1024


class AnchorRequest(AuthenticatedRequest):
    anchor: Anchor


AnchorView = Callable[..., HttpResponse]


def _anchor_of(request: HttpRequest) -> Anchor | None:
    if not request.user.is_authenticated:
        return None
    return Anchor.objects.filter(user_id=request.user.pk).first()


def anchor_required(view: AnchorView) -> AnchorView:
    """Signed-in anchors only: strangers log in, listeners are offered to become an anchor."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        anchor = _anchor_of(request)
        if anchor is None:
            messages.info(request, _("Become an anchor to publish albums and tracks."))
            return redirect("become_anchor")
        request.anchor = anchor  # type: ignore[attr-defined]  # AnchorRequest from here on
        return view(request, *args, **kwargs)

    return wrapped


def anchor_required_json(view: AnchorView) -> AnchorView:
    """The upload API's guard: JSON errors instead of redirects."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        anchor = _anchor_of(request)
        if anchor is None:
            return JsonResponse(
                {"error": _("Sign in as an anchor to upload."), "code": "not_anchor"}, status=403
            )
        request.anchor = anchor  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def _json_error(error: ApplicationError) -> JsonResponse:
    response = JsonResponse({"error": str(error.message), "code": error.code}, status=error.status)
    if isinstance(error, uploads.OffsetMismatch):
        response["Upload-Offset"] = str(error.offset)
    return response


# --- pages ------------------------------------------------------------------------------------


@anchor_required
@require_GET
def dashboard(request: AnchorRequest) -> HttpResponse:
    context = {"anchor": request.anchor, "dashboard": selectors.dashboard(anchor=request.anchor)}
    return render(request, "studio/dashboard.html", context)


@anchor_required
@require_http_methods(["GET", "POST"])
def album_new(request: AnchorRequest) -> HttpResponse:
    form = AlbumForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        album = catalog_services.album_create(anchor=request.anchor, **_album_fields(data))
        if data["cover"] is not None:
            services.album_set_cover(album=album, cover=data["cover"])
        messages.success(request, _("Album created. Now add its tracks."))
        return redirect("studio:album", album_id=album.pk)
    return render(request, "studio/album_form.html", {"form": form, "album": None})


def _album_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The album form's cleaned data as the keyword arguments creating and editing both take."""
    return {
        "title": data["title"],
        "intro": data["intro"],
        "category": data["category"],
        "tags": services.split_tags(data["tags"]),
        "language": data["language"],
        "status": data["status"],
        "visibility": data["visibility"],
        "track_order": data["track_order"],
    }


@anchor_required
@require_GET
def album_detail(request: AnchorRequest, album_id: int) -> HttpResponse:
    album = selectors.album_get_owned(anchor=request.anchor, album_id=album_id)
    context = {
        "album": album,
        "tracks": selectors.album_tracks(album=album),
        "chunk_size": settings.TING_UPLOAD_CHUNK_BYTES,
        "max_bytes": settings.TING_UPLOAD_MAX_BYTES,
    }
    return render(request, "studio/album.html", context)


@anchor_required
@require_http_methods(["GET", "POST"])
def album_edit(request: AnchorRequest, album_id: int) -> HttpResponse:
    album = selectors.album_get_owned(anchor=request.anchor, album_id=album_id)
    form = AlbumForm(request.POST or None, request.FILES or None, initial=album_initial(album))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.album_update(album=album, **_album_fields(data))
        if data["cover"] is not None:
            services.album_set_cover(album=album, cover=data["cover"])
        messages.success(request, _("Album saved."))
        return redirect("studio:album", album_id=album.pk)
    return render(request, "studio/album_form.html", {"form": form, "album": album})


@anchor_required
@require_http_methods(["GET", "POST"])
def album_delete(request: AnchorRequest, album_id: int) -> HttpResponse:
    album = selectors.album_get_owned(anchor=request.anchor, album_id=album_id)
    if request.method == "POST":
        title = album.title
        services.album_delete(album=album)
        messages.success(request, _("The album “%(title)s” was deleted.") % {"title": title})
        return redirect("studio:dashboard")
    track_count = Track.objects.filter(album=album).count()
    return render(request, "studio/album_delete.html", {"album": album, "track_count": track_count})


def _requested_order(request: AnchorRequest) -> list[int]:
    if request.content_type == "application/json":
        raw = json.loads(request.body or b"{}").get("order", [])
    else:
        raw = request.POST.getlist("order")
    return [int(value) for value in raw]


@anchor_required
@require_POST
def album_reorder(request: AnchorRequest, album_id: int) -> HttpResponse:
    album = selectors.album_get_owned(anchor=request.anchor, album_id=album_id)
    wants_json = request.content_type == "application/json"
    try:
        order = _requested_order(request)
        move = request.POST.get("move", "")
        if move:
            track_id, _sep, direction = move.partition(":")
            order = services.track_order_after_move(
                track_ids=order, track_id=int(track_id), offset=-1 if direction == "up" else 1
            )
        services.album_reorder_tracks(album=album, track_ids=order)
    except (ValueError, TypeError, AttributeError):
        error = ApplicationError(_("That order could not be read."), code="bad_order")
        if wants_json:
            return _json_error(error)
        messages.error(request, str(error.message))
    except ApplicationError as error:
        if wants_json:
            return _json_error(error)
        messages.error(request, str(error.message))
    else:
        if wants_json:
            return JsonResponse({"order": order})
        messages.success(request, _("Track order saved."))
    return redirect("studio:album", album_id=album.pk)


@anchor_required
@require_http_methods(["GET", "POST"])
def track_edit(request: AnchorRequest, track_id: int) -> HttpResponse:
    track = selectors.track_with_audio(anchor=request.anchor, track_id=track_id)
    suggestion = selectors.track_title_suggestion(track=track)
    initial = {
        "title": suggestion or track.title,
        "intro": track.intro,
        "position": track.position,
        "published_at": track.published_at,
        "visibility": track.visibility,
        "explicit": track.explicit,
    }
    form = TrackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.track_update(
            track=track,
            title=data["title"],
            intro=data["intro"],
            position=data["position"],
            visibility=data["visibility"],
            explicit=data["explicit"],
            published_at=data["published_at"],
        )
        if request.POST.get("action") != "publish":
            messages.success(request, _("Track saved."))
            return redirect("studio:track", track_id=track.pk)
        try:
            published = services.track_publish_or_schedule(track=track, at=data["published_at"])
        except ApplicationError as error:
            form.add_error(None, str(error.message))
        else:
            if published.published_at and published.published_at > timezone.now():
                messages.success(request, _("Track scheduled."))
            else:
                messages.success(request, _("Track published."))
            return redirect("studio:track", track_id=track.pk)
    context = {
        "track": track,
        "album": track.album,
        "form": form,
        "title_from_tags": suggestion,
        "chapters": selectors.track_chapters(track=track),
    }
    return render(request, "studio/track_form.html", context)


@anchor_required
@require_GET
@never_cache
def track_status(request: AnchorRequest, track_id: int) -> HttpResponse:
    track = selectors.track_with_audio(anchor=request.anchor, track_id=track_id)
    refresh = request.GET.get("refresh") == "1"
    context = {"track": track, "link": not refresh, "refresh": refresh}
    response = render(request, "studio/includes/track_status.html", context)
    if refresh and track.status != Track.Status.PROCESSING:
        # The track page offers Publish only for a ready track: reload it to show the button.
        response["HX-Refresh"] = "true"
    return response


# --- the upload protocol (docs/adr/0008-resumable-uploads.md) ---------------------------------


def _upload_state(upload: Upload) -> dict[str, Any]:
    track = None
    if upload.track_id is not None:
        track = {
            "id": upload.track_id,
            "edit_url": reverse("studio:track", args=[upload.track_id]),
            "status_url": reverse("studio:track_status", args=[upload.track_id]),
        }
    return {
        "id": str(upload.pk),
        "url": reverse("studio:upload", args=[upload.pk]),
        "filename": upload.filename,
        "size": upload.size,
        "offset": upload.offset,
        "status": upload.status,
        "error": upload.failure_message,
        "track": track,
    }


def _with_offset(response: HttpResponse, upload: Upload) -> HttpResponse:
    response["Upload-Offset"] = str(upload.offset)
    response["Upload-Length"] = str(upload.size)
    response["Upload-Status"] = upload.status
    response["Cache-Control"] = "no-store"
    return response


@anchor_required_json
@require_POST
def upload_create(request: AnchorRequest) -> HttpResponse:
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        payload = None
    form = UploadCreateForm(payload if isinstance(payload, dict) else {})
    if not form.is_valid():
        return JsonResponse(
            {"error": _("The upload request is incomplete."), "code": "bad_request"}, status=400
        )
    data = form.cleaned_data
    album = Album.objects.filter(pk=data["album"], anchor=request.anchor).first()
    if album is None:
        return JsonResponse({"error": _("No such album."), "code": "not_found"}, status=404)
    try:
        upload = uploads.upload_create(
            anchor=request.anchor,
            album=album,
            filename=data["filename"],
            size=data["size"],
            last_modified=data["last_modified"],
        )
    except ApplicationError as error:
        return _json_error(error)
    response = JsonResponse(_upload_state(upload), status=201)
    response["Location"] = reverse("studio:upload", args=[upload.pk])
    return _with_offset(response, upload)


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


@anchor_required_json
@require_http_methods(["HEAD", "GET", "PATCH", "DELETE"])
def upload_detail(request: AnchorRequest, upload_id: uuid.UUID) -> HttpResponse:
    try:
        upload = uploads.upload_get(upload_id=upload_id, anchor=request.anchor)
        if request.method == "HEAD":
            gone = upload.status == Upload.Status.FAILED
            return _with_offset(HttpResponse(status=410 if gone else 200), upload)
        if request.method == "DELETE":
            uploads.upload_cancel(upload=upload)
            return HttpResponse(status=204)
        if request.method == "PATCH":
            try:
                offset = int(request.headers.get("Upload-Offset", ""))
            except ValueError:
                return JsonResponse(
                    {"error": _("Upload-Offset is missing."), "code": "bad_request"}, status=400
                )
            upload = uploads.upload_append(
                upload=upload, offset=offset, body=request, length=_content_length(request)
            )
            if upload.status == Upload.Status.RECEIVING:
                return _with_offset(HttpResponse(status=204), upload)
    except ApplicationError as error:
        return _json_error(error)
    return _with_offset(JsonResponse(_upload_state(upload)), upload)


@csrf_exempt
@anchor_required
@require_POST
def album_upload_fallback(request: AnchorRequest, album_id: int) -> HttpResponse:
    """Uploads without JavaScript: one multipart form, streamed to a temporary file.

    CSRF is checked by the inner view: the checks on the announced size must run before
    anything reads the body, and the CSRF middleware would read it to find the token.
    """
    album = selectors.album_get_owned(anchor=request.anchor, album_id=album_id)
    length = _content_length(request) or 0
    try:
        # What the files can be at most, judged from the announced length alone.
        uploads.upload_check_allowed(anchor=request.anchor, size=max(1, length - MULTIPART_SLACK))
    except ApplicationError as error:
        return render(
            request,
            "studio/upload_refused.html",
            {"album": album, "message": error.message},
            status=error.status,
        )
    request.upload_handlers = [TemporaryFileUploadHandler(request)]
    return _album_upload_files(request, album)


@csrf_protect
def _album_upload_files(request: AnchorRequest, album: Album) -> HttpResponse:
    files = request.FILES.getlist("files")
    if not files:
        messages.error(request, _("Choose one or more audio files first."))
    for upload_file in files:
        try:
            upload = uploads.upload_create(
                anchor=request.anchor,
                album=album,
                filename=upload_file.name or "audio",
                size=upload_file.size or 0,
            )
            uploads.upload_append(upload=upload, offset=0, body=upload_file, length=upload.size)
        except ApplicationError as error:
            messages.error(request, f"{upload_file.name}: {error.message}")
        else:
            messages.success(
                request,
                _("“%(name)s” is uploaded and being processed.") % {"name": upload.filename},
            )
    return redirect("studio:album", album_id=album.pk)
