from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ting.api"
    label = "api"
