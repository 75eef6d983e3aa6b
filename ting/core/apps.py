from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ting.core"
    label = "core"

    def ready(self) -> None:
        from ting.core import health, metrics

        health.register_core_probes()
        metrics.connect_task_signals()
