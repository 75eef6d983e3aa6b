from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "ting.catalog"
    label = "catalog"
