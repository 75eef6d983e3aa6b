from django.urls import path

from ting.stats import views

app_name = "stats"

urlpatterns = [
    path("counting/", views.counting, name="counting"),
    path("stats/beacon", views.beacon, name="beacon"),
    path("stats/", views.anchor_overview, name="anchor"),
    path("stats/export.csv", views.anchor_csv, name="anchor_csv"),
    path("stats/album/<int:album_id>/", views.album_overview, name="album"),
    path("stats/album/<int:album_id>/export.csv", views.album_csv, name="album_csv"),
    path("stats/track/<int:track_id>/", views.track_overview, name="track"),
    path("stats/track/<int:track_id>/export.csv", views.track_csv, name="track_csv"),
]
