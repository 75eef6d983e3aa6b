from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FeedImportForm(forms.Form):
    url = forms.URLField(
        label=_("RSS feed URL"),
        max_length=1000,
        assume_scheme="https",
        help_text=_("The address of the podcast's feed, as podcast apps use it."),
    )
