from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def in_future(moment: datetime | None) -> bool:
    return moment is not None and moment > timezone.now()
