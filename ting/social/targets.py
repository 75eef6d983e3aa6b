"""What comments hang on: a track or an album."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from ting.catalog.models import Album, Track
from ting.social.models import Comment


@dataclass(frozen=True)
class Target:
    """The track or album comments hang on, with what the templates need of it."""

    track: Track | None
    album: Album | None

    @property
    def key(self) -> str:
        return f"track-{self.track.pk}" if self.track else f"album-{self.album.pk}"  # type: ignore[union-attr]

    @property
    def url(self) -> str:
        if self.track is not None:
            return reverse("track", args=[self.track.pk])
        return reverse("album", args=[self.album.pk])  # type: ignore[union-attr]

    @property
    def comments_url(self) -> str:
        if self.track is not None:
            return reverse("social:track_comments", args=[self.track.pk])
        return reverse("social:album_comments", args=[self.album.pk])  # type: ignore[union-attr]

    @property
    def anchor_user_id(self) -> int:
        album = self.track.album if self.track is not None else self.album
        return int(album.anchor.user_id)  # type: ignore[union-attr]

    @property
    def title(self) -> str:
        return self.track.title if self.track is not None else self.album.title  # type: ignore[union-attr]

    @property
    def track_id(self) -> int | None:
        return self.track.pk if self.track is not None else None

    @property
    def duration(self) -> float | None:
        return self.track.duration if self.track is not None else None

    @classmethod
    def of(cls, comment: Comment) -> Target:
        return cls(track=comment.track, album=comment.album)
