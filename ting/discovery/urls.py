from django.urls import path

from ting.discovery import views

app_name = "discovery"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("search/suggest", views.suggest, name="suggest"),
]
