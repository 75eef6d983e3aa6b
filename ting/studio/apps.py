from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "ting.studio"
    label = "studio"
