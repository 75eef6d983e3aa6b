from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "ting.media"
    label = "media"
