"""Search pages: results with filters and sorts, as-you-type suggestions (JSON)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from ting.catalog.selectors import category_list
from ting.core.http import TingRequest, viewer
from ting.core.script import convert, reader_script
from ting.core.security import client_ip
from ting.discovery.search import query as search_query

SUGGEST_URLS = {"track": "track", "album": "album", "anchor": "anchor"}


def _page(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 500))
    except ValueError:
        return 1


@require_GET
def search(request: TingRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[: search_query.MAX_QUERY]
    categories = category_list()
    slug = request.GET.get("category", "")
    category = next((c for c in categories if c.slug == slug), None)
    sort = request.GET.get("sort", "relevance")
    filters = search_query.Filters(
        category=category.pk if category else None,
        duration=request.GET.get("duration") or None,
        date=request.GET.get("date") or None,
        sort=sort if sort in search_query.SORTS else "relevance",
    )
    page = _page(request.GET.get("page"))
    results = search_query.search(q, filters, page=page, per_page=settings.TING_PAGE_SIZE)
    if q and page == 1:
        user = viewer(request)
        now = timezone.now()
        client = search_query.client_key(
            user_id=user.pk if user else None, ip=client_ip(request), now=now
        )
        search_query.query_log(query=q, client=client, now=now)
    context = {
        "q": q,
        "results": results,
        "filters": filters,
        "categories": categories,
        "category_slug": category.slug if category else "",
        "hot": search_query.hot_searches(),
        "durations": search_query.DURATIONS,
        "dates": search_query.DATES,
        "sorts": search_query.SORTS,
    }
    return render(request, "discovery/search.html", context)


@require_GET
def suggest(request: TingRequest) -> JsonResponse:
    q = request.GET.get("q", "").strip()[: search_query.MAX_QUERY]
    script = reader_script()
    items = [
        {
            "kind": s.kind,
            "title": convert(s.title, script),
            "url": reverse(SUGGEST_URLS[s.kind], args=[s.id]),
        }
        for s in (search_query.suggest(q) if q else [])
    ]
    return JsonResponse({"query": q, "suggestions": items})
