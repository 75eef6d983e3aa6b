from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "ting.discovery"
    label = "discovery"
