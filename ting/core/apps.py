from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ting.core"
    label = "core"
