from django.urls import path

from ting.playback import views

app_name = "playback"

urlpatterns = [
    path("stream/<int:track_id>/<str:fmt>", views.stream, name="stream"),
    path("playback/track/<int:track_id>.json", views.player_json, name="player_data"),
    path("playback/position", views.position, name="position"),
    path("embed/track/<int:track_id>", views.embed_track, name="embed_track"),
    path("embed/album/<int:album_id>", views.embed_album, name="embed_album"),
    path("oembed", views.oembed, name="oembed"),
]
