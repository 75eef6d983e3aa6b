from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language

from ting.api.api import api
from ting.core import metrics
from ting.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("", include("ting.catalog.urls")),
    path("", include("ting.playback.urls")),
    path("accounts/", include("ting.accounts.urls")),
    path("studio/", include("ting.studio.urls")),
    path("", include("ting.stats.urls")),
    path("", include("ting.discovery.urls")),
    path("", include("ting.social.urls")),
    path("feeds/", include("ting.feeds.urls")),
    path("api/v1/", api.urls),
    path("api/", include("ting.api.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

if not settings.PRODUCTION:
    # Behind nginx in production, media is served from disk or S3 (docs/deploy/). Here too only
    # the public images: the rest of MEDIA_ROOT is audio, private tracks' included, which only
    # the stream views may hand out (and count).
    from django.views.static import serve

    urlpatterns += [
        re_path(
            r"^media/(?P<path>(?:covers|avatars)/.+)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
    ]

handler404 = core_views.not_found
handler500 = core_views.server_error
