"""Personal access tokens for the REST API: only a SHA-256 of each token is stored."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ting.core.models import TimestampedModel


class Scope(models.TextChoices):
    READ = "read", _("Read your library, history and private data")
    WRITE = "write", _("Change your listening positions and library")
    STUDIO = "studio", _("Manage your albums, uploads and analytics")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PersonalAccessToken(TimestampedModel):
    """A bearer token a person made for a script or an app; shown once, stored hashed.

    The tokens carry 256 random bits, so a plain SHA-256 is enough: nothing to brute-force, and
    a lookup by hash stays one indexed query.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)  # shown in lists so people can tell tokens apart
    scopes = models.CharField(max_length=40)  # space-separated Scope values
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()
