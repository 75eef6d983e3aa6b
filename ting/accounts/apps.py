from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ting.accounts"
    label = "accounts"
