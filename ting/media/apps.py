from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "ting.media"
    label = "media"

    def ready(self) -> None:
        from ting.core.health import register_probe
        from ting.media.probes import storage_target
        from ting.media.storage import check_storage

        # The media store's own check tells a wrong key from a missing permission (ADR 0013).
        register_probe("storage", check_storage, target=storage_target)
