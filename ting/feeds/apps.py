from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class FeedsConfig(AppConfig):
    name = "ting.feeds"
    label = "feeds"

    def ready(self) -> None:
        from ting.catalog.models import Album, Anchor, Track
        from ting.feeds.models import FeedToken

        # Cache invalidation only (ting.feeds.versions): which feeds a saved row belongs to.
        for model, bump in (
            (Album, _album_changed),
            (Track, _track_changed),
            (Anchor, _anchor_changed),
            (FeedToken, _track_changed),
        ):
            post_save.connect(bump, sender=model, dispatch_uid=f"feeds-version-{model.__name__}")
            post_delete.connect(bump, sender=model, dispatch_uid=f"feeds-gone-{model.__name__}")


def _album_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from ting.feeds import versions

    versions.bump(album_id=instance.pk)


def _track_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from ting.feeds import versions

    versions.bump(album_id=instance.album_id)


def _anchor_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from ting.feeds import versions

    versions.bump(anchor_id=instance.pk)
