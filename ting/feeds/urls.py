from django.urls import path

from ting.feeds import views

app_name = "feeds"

urlpatterns = [
    path("album/<int:album_id>.xml", views.album_feed, name="album"),
    path("private/<str:token>.xml", views.private_album_feed, name="private_album"),
    path("track/<int:track_id>/chapters.json", views.chapters, name="chapters"),
    path("anchor/<int:anchor_id>.opml", views.anchor_opml, name="anchor_opml"),
    path("studio/albums/<int:album_id>/", views.studio_album_feeds, name="studio_album_feeds"),
    path(
        "studio/albums/<int:album_id>/links/", views.studio_token_create, name="studio_token_create"
    ),
    path(
        "studio/albums/<int:album_id>/links/<int:token_id>/revoke/",
        views.studio_token_revoke,
        name="studio_token_revoke",
    ),
    path("studio/import/", views.studio_import, name="studio_import"),
    path("studio/import/<int:import_id>/", views.studio_import_detail, name="studio_import_detail"),
    path(
        "studio/import/<int:import_id>/sync/",
        views.studio_import_resync,
        name="studio_import_resync",
    ),
]
