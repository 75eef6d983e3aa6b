from django.urls import path, re_path

from ting.api import views

app_name = "api_pages"

urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("subscriptions/opml/", views.subscriptions_opml, name="subscriptions_opml"),
    path(
        "subscriptions/opml/export/",
        views.subscriptions_opml_export,
        name="subscriptions_opml_export",
    ),
    # Paths under /api/v1/ that no operation answers still get the API's error shape.
    re_path(r"^v1/", views.not_found, name="not_found"),
]
