from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ting.stats.selectors import Period

MAX_DAYS = 366
DEFAULT_DAYS = 30


class PeriodForm(forms.Form):
    """The date range of an analytics page (GET parameters); both ends inclusive."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        end = data.get("end") or self.today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                _("Choose at most %(days)d days.") % {"days": MAX_DAYS}, code="too_long"
            )
        data["period"] = Period(start, end)
        return data

    @classmethod
    def default(cls, today: date) -> Period:
        return Period(today - timedelta(days=DEFAULT_DAYS - 1), today)
