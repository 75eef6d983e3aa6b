from django.apps import AppConfig


class PlaybackConfig(AppConfig):
    name = "ting.playback"
    label = "playback"
