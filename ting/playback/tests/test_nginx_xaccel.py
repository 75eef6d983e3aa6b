"""docs/deploy/nginx.conf in x-accel mode answers the Range matrix as serve_file does."""

from __future__ import annotations

import httpx
import pytest
from django.utils.http import http_date

from ting.playback.delivery.responses import file_etag
from ting.playback.tests.conftest import Server
from ting.playback.tests.matrix import CASES, MTIME, Case, check_answer, parse_multipart

pytestmark = pytest.mark.nginx


def _ask(base_url: str, case: Case, path: str, etag: str) -> httpx.Response:
    headers = case.request_headers(etag=etag, last_modified=http_date(MTIME))
    return httpx.request(case.method, f"{base_url}/{path}/{case.file}", headers=headers)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_nginx_x_accel_answers_as_the_app_does(
    case: Case, uvicorn_app: Server, nginx_xaccel: Server
) -> None:
    app_etag = file_etag((uvicorn_app.media_root / case.file).stat())
    nginx_etag = httpx.head(f"{nginx_xaccel.base_url}/xaccel/{case.file}").headers["etag"]
    app = _ask(uvicorn_app.base_url, case, "app", app_etag)
    nginx = _ask(nginx_xaccel.base_url, case, "xaccel", nginx_etag)
    check_answer(
        case, status=app.status_code, headers=dict(app.headers), body=app.content, etag=app_etag
    )

    if case.nginx_status is not None:
        # A documented difference (docs/adr/0004-byte-delivery.md): pin what nginx does.
        assert nginx.status_code == case.nginx_status, case.nginx_why
        return
    assert nginx.status_code == app.status_code
    assert nginx.headers.get("content-range") == app.headers.get("content-range")
    if app.status_code == 206 and len(case.ranges) > 1:
        assert parse_multipart(nginx.headers["content-type"], nginx.content) == parse_multipart(
            app.headers["content-type"], app.content
        )
    elif app.status_code in (200, 206):
        assert nginx.headers["content-length"] == app.headers["content-length"]
        assert nginx.content == app.content
    if app.status_code in (200, 206, 304):
        assert nginx.headers["etag"] == nginx_etag
        assert nginx.headers["last-modified"] == app.headers["last-modified"]


def test_nginx_keeps_the_apps_content_type_and_cache_control(nginx_xaccel: Server) -> None:
    response = httpx.get(f"{nginx_xaccel.base_url}/xaccel/a.bin")
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/mpeg"
    assert response.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert response.headers.get_list("accept-ranges") == ["bytes"]
    assert "x-accel-redirect" not in response.headers


def test_the_protected_location_is_not_reachable_from_outside(nginx_xaccel: Server) -> None:
    response = httpx.get(f"{nginx_xaccel.base_url}/_protected/media/a.bin")
    assert response.status_code == 404


def test_nginx_refuses_a_dot_dot_escape_attempt(nginx_xaccel: Server) -> None:
    # The app refuses such a key before nginx ever sees it.
    response = httpx.get(f"{nginx_xaccel.base_url}/xaccel/..%2Fconftest.py")
    assert response.status_code in (400, 404, 500)
    assert b"pytest" not in response.content
