from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class BecomeAnchorForm(forms.Form):
    display_name = forms.CharField(
        label=_("Anchor name"),
        max_length=60,
        help_text=_("Shown on your albums and tracks."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    bio = forms.CharField(
        label=_("Bio"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("A few lines about you. Links are allowed."),
    )
