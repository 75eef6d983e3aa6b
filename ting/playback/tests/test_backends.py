from __future__ import annotations

from pathlib import Path

import pytest
from django.http import Http404
from django.test import Client, RequestFactory

from ting.playback.delivery.backends import (
    AppDelivery,
    NginxSignedDelivery,
    RedirectDelivery,
    XAccelDelivery,
    build_delivery,
    check_key,
)

pytestmark = pytest.mark.urls("ting.playback.tests.urls_for_tests")


def test_x_accel_hands_the_key_to_nginx_with_an_empty_body(client: Client, media: Path) -> None:
    response = client.get("/xaccel/renditions/ab/cd.m4a", headers={"Range": "bytes=0-9"})
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_protected/media/renditions/ab/cd.m4a"
    assert response["Content-Type"] == "audio/mpeg"
    assert response.content == b""


def test_x_accel_uses_a_configured_internal_prefix(rf: RequestFactory) -> None:
    delivery = XAccelDelivery(internal_prefix="/internal/")
    response = delivery.deliver(rf.get("/"), key="a/b.mp3", path=None, content_type="audio/mpeg")
    assert response["X-Accel-Redirect"] == "/internal/a/b.mp3"


def test_x_accel_passes_the_download_name(rf: RequestFactory) -> None:
    response = XAccelDelivery().deliver(
        rf.get("/"), key="k", path=None, content_type="audio/mpeg", filename="歌.mp3",
        as_attachment=True,
    )  # fmt: skip
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E6%AD%8C.mp3"


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "a/../../b", "/abs", "a?b", "a b", "a//b", "", "a\nb", ".hidden"]
)
def test_unsafe_storage_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError, match="unsafe storage key"):
        check_key(key)


def test_app_delivery_never_leaves_the_media_root(rf: RequestFactory, media: Path) -> None:
    with pytest.raises(ValueError, match="unsafe storage key"):
        AppDelivery(media_root=media).deliver(rf.get("/"), key="../x", path=None, content_type="x")


def test_app_delivery_without_a_path_or_root_is_a_404(rf: RequestFactory) -> None:
    with pytest.raises(Http404):
        AppDelivery().deliver(rf.get("/"), key="a.bin", path=None, content_type="x")


def test_app_delivery_serves_an_explicit_path(rf: RequestFactory, media: Path) -> None:
    response = AppDelivery().deliver(
        rf.head("/"), key="ignored", path=media / "a.bin", content_type="audio/mpeg"
    )
    assert response.status_code == 200
    assert response["Content-Length"] == "10000"


def test_redirect_sends_a_short_lived_url_that_no_cache_keeps(client: Client) -> None:
    response = client.get("/redirect/renditions/x.m4a")
    assert response.status_code == 302
    assert response["Location"] == "https://bucket.example/renditions/x.m4a?X-Amz-Expires=300"
    assert response["Cache-Control"] == "no-store"


def test_redirect_asks_for_the_configured_lifetime(rf: RequestFactory) -> None:
    asked: list[tuple[str, int]] = []

    def url_for(key: str, expires: int) -> str:
        asked.append((key, expires))
        return "https://cdn.example/x"

    RedirectDelivery(url_for=url_for, expires_seconds=60).deliver(
        rf.get("/"), key="k", path=None, content_type="x"
    )
    assert asked == [("k", 60)]


def test_build_delivery_picks_the_backend_by_name(media: Path) -> None:
    assert isinstance(build_delivery("app", media_root=media), AppDelivery)
    assert isinstance(build_delivery("x-accel"), XAccelDelivery)
    assert isinstance(build_delivery("redirect", url_for=lambda k, e: k), RedirectDelivery)
    signed = build_delivery("nginx-signed", url_for=lambda k, e: k)
    assert isinstance(signed, NginxSignedDelivery)


def test_only_nginx_signed_leaves_the_logging_to_the_server(media: Path) -> None:
    logged_by_ting = [
        build_delivery("app", media_root=media),
        build_delivery("x-accel"),
        build_delivery("redirect", url_for=lambda k, e: k),
    ]
    assert [delivery.counted_by_server for delivery in logged_by_ting] == [False, False, False]
    assert build_delivery("nginx-signed", url_for=lambda k, e: k).counted_by_server


def test_build_delivery_refuses_unknown_or_incomplete_settings() -> None:
    with pytest.raises(ValueError, match="unknown MEDIA_DELIVERY"):
        build_delivery("sendfile")
    with pytest.raises(ValueError, match="url_for"):
        build_delivery("redirect")
