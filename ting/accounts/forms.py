from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from ting.accounts.models import User


class SignUpForm(UserCreationForm[User]):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("Used only to reset your password."),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("This e-mail address has an account already. Log in or reset the password.")
            )
        return email
