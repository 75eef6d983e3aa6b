from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ting.catalog.models import Track


class ListeningPosition(models.Model):
    """Where a signed-in listener stopped in a track: resume across devices, history shelf."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="positions"
    )
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="positions")
    position = models.FloatField(_("position (seconds)"), default=0)
    finished = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("listening position")
        verbose_name_plural = _("listening positions")
        constraints = [
            models.UniqueConstraint(fields=["user", "track"], name="position_one_per_track"),
            models.CheckConstraint(
                condition=models.Q(position__gte=0), name="position_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["user", "-updated_at"], name="position_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.position:.0f}s of {self.track_id}"
