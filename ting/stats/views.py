from __future__ import annotations

import csv
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ting.catalog import selectors as catalog_selectors
from ting.core.errors import ApplicationError
from ting.core.http import AuthenticatedRequest, TingRequest, viewer
from ting.stats import charts, selectors, services
from ting.stats.forms import PeriodForm
from ting.stats.selectors import Period, Scope


@require_GET
def counting(request: TingRequest) -> HttpResponse:
    """The public method behind every count Ting shows (docs/counting.md)."""
    windows = {
        "calendar-day": _("calendar day (%(zone)s)") % {"zone": settings.TING_COUNTING_TIME_ZONE},
        "first-touch-24h": _("first touch, 24 hours"),
        "last-touch-24h": _("last touch, 24 hours"),
    }
    return render(
        request, "stats/counting.html", {"window": windows[settings.TING_DOWNLOAD_WINDOW]}
    )


@require_POST
def beacon(request: TingRequest) -> HttpResponse:
    """Listening progress from the player (navigator.sendBeacon posts a form with the token)."""
    try:
        parsed = services.beacon_parse(request.POST.dict())
    except ApplicationError as error:
        return HttpResponseBadRequest(str(error.message), content_type="text/plain; charset=utf-8")
    user = viewer(request)
    track = catalog_selectors.track_get_visible(track_id=parsed.track_id, user=user)
    try:
        services.beacon_record(beacon=parsed, track=track, user=user)
    except ApplicationError as error:
        return HttpResponse(
            str(error.message), status=error.status, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse(status=204)


def _period(request: AuthenticatedRequest) -> tuple[PeriodForm, Period, bool]:
    today = timezone.now().astimezone(ZoneInfo(settings.TING_COUNTING_TIME_ZONE)).date()
    form = PeriodForm(request.GET or None, today=today)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["period"], True
    return form, PeriodForm.default(today), not form.is_bound


def _page(request: AuthenticatedRequest, scope: Scope, csv_url: str) -> HttpResponse:
    form, period, valid = _period(request)
    totals = selectors.daily_totals(scope=scope, period=period)
    labels = charts.day_labels(period.days)
    context: dict[str, Any] = {
        "scope": scope,
        "form": form,
        "period": period,
        "totals": totals,
        "csv_url": f"{csv_url}?start={period.start}&end={period.end}",
        "chart": charts.line_chart(
            title=_("Plays and downloads per day"),
            x_labels=labels,
            series=[
                charts.Series(_("Plays"), "#e4572e", [d.plays for d in totals.days]),
                charts.Series(_("Downloads"), "#2e86ab", [d.downloads for d in totals.days]),
            ],
            x_title=_("Day"),
            y_title=_("Count"),
        ),
        "clients": selectors.clients(scope=scope, period=period),
        "referrers": selectors.referrers(scope=scope, period=period),
        "top_tracks": (
            selectors.top_tracks(scope=scope, period=period) if scope.track is None else []
        ),
    }
    if scope.track is not None:
        reach = selectors.reach(scope=scope, period=period)
        plays = reach[0]
        context["reach"] = reach
        context["dropoff"] = charts.line_chart(
            title=_("Drop-off: share of plays still listening"),
            x_labels=[f"{step * 5}%" for step in range(len(reach))],
            series=[
                charts.Series(
                    _("Share of plays"), "#e4572e", [100 * n / plays if plays else 0 for n in reach]
                )
            ],
            x_title=_("Position in the track"),
            y_title=_("Share of plays"),
            percent=True,
        )
    return render(request, "stats/overview.html", context, status=200 if valid else 400)


def _csv(request: AuthenticatedRequest, scope: Scope, name: str) -> HttpResponse:
    form, period, valid = _period(request)
    if not valid:
        return HttpResponseBadRequest(
            " ".join(str(error) for error in form.non_field_errors()) or _("Invalid dates.")
        )
    totals = selectors.daily_totals(scope=scope, period=period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"ting-{name}-{period.start}-{period.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["day", "downloads", "plays", "listeners", "completions"])
    for day in totals.days:
        writer.writerow(
            [day.day.isoformat(), day.downloads, day.plays, day.listeners, day.completions]
        )
    return response


@login_required
@require_GET
def anchor_overview(request: AuthenticatedRequest) -> HttpResponse:
    scope = selectors.anchor_scope(user=request.user)
    return _page(request, scope, request.path + "export.csv")


@login_required
@require_GET
def anchor_csv(request: AuthenticatedRequest) -> HttpResponse:
    return _csv(request, selectors.anchor_scope(user=request.user), "anchor")


@login_required
@require_GET
def album_overview(request: AuthenticatedRequest, album_id: int) -> HttpResponse:
    scope = selectors.album_scope(user=request.user, album_id=album_id)
    return _page(request, scope, request.path + "export.csv")


@login_required
@require_GET
def album_csv(request: AuthenticatedRequest, album_id: int) -> HttpResponse:
    scope = selectors.album_scope(user=request.user, album_id=album_id)
    return _csv(request, scope, f"album-{album_id}")


@login_required
@require_GET
def track_overview(request: AuthenticatedRequest, track_id: int) -> HttpResponse:
    scope = selectors.track_scope(user=request.user, track_id=track_id)
    return _page(request, scope, request.path + "export.csv")


@login_required
@require_GET
def track_csv(request: AuthenticatedRequest, track_id: int) -> HttpResponse:
    scope = selectors.track_scope(user=request.user, track_id=track_id)
    return _csv(request, scope, f"track-{track_id}")
