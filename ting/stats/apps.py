from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "ting.stats"
    label = "stats"

    def ready(self) -> None:
        from ting.stats import checks  # noqa: F401 (registers the settings check)
