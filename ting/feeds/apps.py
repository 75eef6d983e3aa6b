from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "ting.feeds"
    label = "feeds"
