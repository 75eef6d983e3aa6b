from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "ting.media"
    label = "media"

    def ready(self) -> None:
        from ting.core.health import register_probe
        from ting.media.probes import storage_probe, storage_target

        register_probe("storage", storage_probe, target=storage_target)
