from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ting.demo"
    label = "demo"
