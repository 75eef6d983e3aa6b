from django.urls import path

from ting.catalog import views

urlpatterns = [
    path("", views.home, name="home"),
    path("category/<slug:slug>/", views.category_detail, name="category"),
    path("album/<int:album_id>/", views.album_detail, name="album"),
    path("anchor/<int:anchor_id>/", views.anchor_detail, name="anchor"),
    path("anchor/new/", views.become_anchor, name="become_anchor"),
    path("track/<int:track_id>/", views.track_detail, name="track"),
]
