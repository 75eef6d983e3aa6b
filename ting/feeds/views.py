"""Podcast feeds out (RSS, chapters, OPML) and the studio's feed pages (private links, import)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ting.catalog.models import Anchor
from ting.core.errors import ApplicationError
from ting.feeds import feed_build, opml, rss, selectors, services, versions
from ting.feeds.forms import FeedImportForm

RSS_TYPE = "application/rss+xml; charset=utf-8"


def _not_modified(request: HttpRequest, *, etag: str, changed_at: float) -> bool:
    etags = request.headers.get("If-None-Match")
    if etags is not None:
        # Weak comparison (RFC 9110 §13.1.2): W/"x" matches "x" and W/"x".
        wanted = {tag.strip().removeprefix("W/") for tag in etags.split(",")}
        return "*" in wanted or etag.removeprefix("W/") in wanted
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and int(changed_at) <= since


def _validators(response: HttpResponse, *, etag: str, changed_at: float, private: bool) -> None:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(changed_at)
    # Podcast apps poll; a private feed must stay out of shared caches.
    response["Cache-Control"] = "private, max-age=300" if private else "public, max-age=300"


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise Http404
    return int(raw)


def _conditional(request: HttpRequest) -> bool:
    return "If-None-Match" in request.headers or "If-Modified-Since" in request.headers


def _poll(request: HttpRequest, *, album_id: int | None, token: str | None) -> HttpResponse | None:
    """A 304 from the remembered validators, before any database work (podcast apps poll)."""
    if not _conditional(request) or request.GET:
        return None
    poll = versions.poll_get(album_id=album_id, token=token, host=request.get_host())
    if poll is None or not _not_modified(request, etag=poll.etag, changed_at=poll.last_modified):
        return None
    response = HttpResponseNotModified()
    _validators(response, etag=poll.etag, changed_at=poll.last_modified, private=poll.private)
    return response


def _feed(request: HttpRequest, source: selectors.FeedSource) -> HttpResponse:
    page = _page(request)
    host = request.get_host()
    album = source.album
    generations = versions.generations_now(album_id=album.pk, anchor_id=album.anchor_id)
    state = selectors.feed_state_cached(
        source=source, host=host, use_cache=_conditional(request),
        version="-".join(str(g) for g in generations),
    )  # fmt: skip
    changed_at = state.changed_at.timestamp()
    token = source.token.token if source.token else None
    poll = versions.Poll(
        etag=state.etag, last_modified=changed_at, private=source.private,
        album_id=album.pk, anchor_id=album.anchor_id, generations=generations,
    )  # fmt: skip
    versions.poll_remember(token=token, host=host, poll=poll)
    pages = selectors.feed_page_count(state)
    if page > pages:
        raise Http404
    if _not_modified(request, etag=state.etag, changed_at=changed_at):
        response: HttpResponse = HttpResponseNotModified()
    else:
        body = versions.body_get(etag=state.etag, page=page)
        if body is None:
            body = _render(request, source, state, page=page, pages=pages)
            versions.body_remember(etag=state.etag, page=page, body=body)
        response = HttpResponse(body, content_type=RSS_TYPE)
    _validators(response, etag=state.etag, changed_at=changed_at, private=source.private)
    return response


def _render(
    request: HttpRequest, source: selectors.FeedSource, state: selectors.FeedState, *,
    page: int, pages: int,
) -> bytes:  # fmt: skip
    absolute = request.build_absolute_uri
    channel = feed_build.channel(
        source=source,
        state=state,
        keywords=selectors.album_keywords(album=source.album),
        page=page,
        pages=pages,
        absolute=absolute,
    )
    build = feed_build.ItemBuilder(source=source, state=state, absolute=absolute)
    items = [build(e) for e in selectors.feed_episodes_page(source=source, page=page)]
    return rss.render(channel, items)


@require_GET
def album_feed(request: HttpRequest, album_id: int) -> HttpResponse:
    polled = _poll(request, album_id=album_id, token=None)
    if polled is not None:
        return polled
    return _feed(request, selectors.feed_source_public(album_id=album_id))


@require_GET
def private_album_feed(request: HttpRequest, token: str) -> HttpResponse:
    response = _poll(request, album_id=None, token=token)
    if response is None:
        response = _feed(request, selectors.feed_source_private(token=token))
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def chapters(request: HttpRequest, track_id: int) -> JsonResponse:
    found = selectors.track_chapters(track_id=track_id, token=request.GET.get("token"))
    document = {
        "version": "1.2.0",
        "chapters": [
            {"startTime": c.get("start", 0), "endTime": c.get("end"), "title": c.get("title", "")}
            for c in found
        ],
    }
    return JsonResponse(
        document,
        content_type="application/json+chapters",
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def anchor_opml(request: HttpRequest, anchor_id: int) -> HttpResponse:
    anchor, albums = selectors.anchor_listed_albums(anchor_id=anchor_id)
    body = opml.anchor_outline(anchor=anchor, albums=albums, absolute=request.build_absolute_uri)
    response = HttpResponse(body, content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="anchor-{anchor.pk}.opml"'
    return response


# --- studio ---------------------------------------------------------------------------------

AnchorView = Callable[..., HttpResponse]


def anchor_required(view: AnchorView) -> AnchorView:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        anchor = Anchor.objects.filter(user_id=request.user.pk).first()
        if anchor is None:
            return redirect("become_anchor")
        return view(request, anchor, *args, **kwargs)

    return wrapped


@anchor_required
@require_GET
@never_cache
def studio_album_feeds(request: HttpRequest, anchor: Anchor, album_id: int) -> HttpResponse:
    album = services.album_owned(anchor=anchor, album_id=album_id)
    context = {"album": album, "tokens": selectors.album_feed_tokens(album=album)}
    if request.GET.get("fragment") == "1":
        return render(request, "feeds/includes/album_feeds.html", context)
    return render(request, "feeds/studio_album_feeds.html", context)


@anchor_required
@require_POST
def studio_token_create(request: HttpRequest, anchor: Anchor, album_id: int) -> HttpResponse:
    album = services.album_owned(anchor=anchor, album_id=album_id)
    services.feed_token_create(album=album, label=request.POST.get("label", ""))
    messages.success(request, _("A private feed link was made. Share it only with your listeners."))
    return redirect("feeds:studio_album_feeds", album_id=album.pk)


@anchor_required
@require_POST
def studio_token_revoke(
    request: HttpRequest, anchor: Anchor, album_id: int, token_id: int
) -> HttpResponse:
    album = services.album_owned(anchor=anchor, album_id=album_id)
    services.feed_token_revoke(album=album, token_id=token_id)
    messages.success(request, _("The link was revoked: podcast apps using it stop updating."))
    return redirect("feeds:studio_album_feeds", album_id=album.pk)


@anchor_required
@require_http_methods(["GET", "POST"])
def studio_import(request: HttpRequest, anchor: Anchor) -> HttpResponse:
    form = FeedImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feed_import = services.feed_import_start(anchor=anchor, url=form.cleaned_data["url"])
        except ApplicationError as error:
            form.add_error("url", str(error.message))
        else:
            return redirect("feeds:studio_import_detail", import_id=feed_import.pk)
    context = {"form": form, "imports": selectors.feed_imports_for(anchor=anchor)}
    return render(request, "feeds/studio_import.html", context)


@anchor_required
@require_GET
@never_cache
def studio_import_detail(request: HttpRequest, anchor: Anchor, import_id: int) -> HttpResponse:
    feed_import = selectors.feed_import_get(import_id=import_id, anchor=anchor)
    context = {
        "feed_import": feed_import,
        "progress": selectors.feed_import_progress(feed_import=feed_import),
    }
    template = "feeds/studio_import_detail.html"
    if request.GET.get("fragment") == "1":
        template = "feeds/includes/import_status.html"
    return render(request, template, context)


@anchor_required
@require_POST
def studio_import_resync(request: HttpRequest, anchor: Anchor, import_id: int) -> HttpResponse:
    feed_import = selectors.feed_import_get(import_id=import_id, anchor=anchor)
    services.feed_import_enqueue_sync(feed_import=feed_import)
    messages.success(request, _("Checking the feed for new episodes."))
    return redirect("feeds:studio_import_detail", import_id=feed_import.pk)
