from django.urls import path

from ting.studio import views

app_name = "studio"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("albums/new/", views.album_new, name="album_new"),
    path("albums/<int:album_id>/", views.album_detail, name="album"),
    path("albums/<int:album_id>/edit/", views.album_edit, name="album_edit"),
    path("albums/<int:album_id>/delete/", views.album_delete, name="album_delete"),
    path("albums/<int:album_id>/order/", views.album_reorder, name="album_reorder"),
    path("albums/<int:album_id>/upload/", views.album_upload_fallback, name="album_upload"),
    path("tracks/<int:track_id>/", views.track_edit, name="track"),
    path("tracks/<int:track_id>/status/", views.track_status, name="track_status"),
    path("uploads/", views.upload_create, name="upload_create"),
    path("uploads/<uuid:upload_id>", views.upload_detail, name="upload"),
]
