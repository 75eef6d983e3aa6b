from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ting.api.models import Scope


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60, help_text=_("What will use it?"))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.READ],
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[
            (30, _("in 30 days")),
            (90, _("in 90 days")),
            (365, _("in a year")),
            ("", _("never")),
        ],
        initial=90,
    )


class OpmlUploadForm(forms.Form):
    file = forms.FileField(
        label=_("OPML file"),
        help_text=_("Export it from your podcast app (often under Settings → Export)."),
    )
