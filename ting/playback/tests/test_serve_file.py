from __future__ import annotations

import asyncio
import os
import warnings
from pathlib import Path

import pytest
from django.core import signals
from django.db import close_old_connections
from django.http import Http404, HttpResponseBase, StreamingHttpResponse
from django.test import AsyncClient, Client, RequestFactory
from django.utils.http import http_date

from ting.playback.delivery.responses import file_etag, serve_file
from ting.playback.tests.matrix import CASES, MTIME, Case, check_answer

pytestmark = pytest.mark.urls("ting.playback.tests.urls_for_tests")


def _lower(response: HttpResponseBase) -> dict[str, str]:
    return {name.lower(): value for name, value in response.items()}


def _etag(media: Path, case: Case) -> str:
    return file_etag((media / case.file).stat())


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_serve_file_answers_the_range_matrix_under_wsgi(
    case: Case, media: Path, client: Client
) -> None:
    etag = _etag(media, case)
    headers = case.request_headers(etag=etag, last_modified=http_date(MTIME))
    with warnings.catch_warnings():
        # Django warns when it must consume an async iterator synchronously.
        warnings.simplefilter("error")
        response = client.generic(case.method, f"/app/{case.file}", headers=headers)
        body = (
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
            if response.streaming
            else response.content
        )
    check_answer(case, status=response.status_code, headers=_lower(response), body=body, etag=etag)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_serve_file_answers_the_range_matrix_under_asgi(
    case: Case, media: Path, async_client: AsyncClient
) -> None:
    etag = _etag(media, case)
    headers = case.request_headers(etag=etag, last_modified=http_date(MTIME))

    async def fetch() -> tuple[HttpResponseBase, bytes]:
        response = await async_client.generic(case.method, f"/app/{case.file}", headers=headers)
        if not response.streaming:
            return response, response.content
        assert response.is_async  # type: ignore[attr-defined]
        chunks = [chunk async for chunk in response.streaming_content]  # type: ignore[attr-defined]
        return response, b"".join(chunks)

    response, body = asyncio.run(fetch())
    check_answer(case, status=response.status_code, headers=_lower(response), body=body, etag=etag)


def _open_descriptors() -> set[str]:
    return {entry.name for entry in Path("/proc/self/fd").iterdir()}


def test_a_response_closed_unread_releases_its_file(media: Path, rf: RequestFactory) -> None:
    # close() sends request_finished, whose handler would open or close database connections
    # (and their sockets) in the middle of this count; Django's test client mutes it the same way.
    signals.request_finished.disconnect(close_old_connections)
    try:
        before = _open_descriptors()
        response = serve_file(rf.get("/"), path=media / "a.bin", content_type="audio/mpeg")
        assert isinstance(response, StreamingHttpResponse)
        assert _open_descriptors() > before
        response.close()
        assert _open_descriptors() == before
    finally:
        signals.request_finished.connect(close_old_connections)


def test_a_response_read_to_the_end_releases_its_file(media: Path, rf: RequestFactory) -> None:
    before = _open_descriptors()
    response = serve_file(rf.get("/"), path=media / "a.bin", content_type="audio/mpeg")
    assert isinstance(response, StreamingHttpResponse)
    assert len(b"".join(response.streaming_content)) == 10_000  # type: ignore[arg-type]
    assert _open_descriptors() == before


def test_bodyless_answers_hold_no_file(media: Path, rf: RequestFactory) -> None:
    before = _open_descriptors()
    serve_file(rf.head("/"), path=media / "a.bin", content_type="audio/mpeg")
    serve_file(rf.get("/", headers={"Range": "bytes=-0"}), path=media / "a.bin", content_type="x")
    assert _open_descriptors() == before


def test_a_caller_etag_is_used_and_quoted(media: Path, rf: RequestFactory) -> None:
    response = serve_file(
        rf.get("/", headers={"If-None-Match": '"rendition-42"'}),
        path=media / "a.bin",
        content_type="audio/mpeg",
        etag="rendition-42",
    )
    assert response.status_code == 304
    assert response["ETag"] == '"rendition-42"'
    assert response["Content-Length"] == "10000"


def test_a_chinese_filename_becomes_an_rfc_5987_attachment(media: Path, rf: RequestFactory) -> None:
    response = serve_file(
        rf.head("/"),
        path=media / "a.bin",
        content_type="audio/mpeg",
        filename="角落之歌.mp3",
        as_attachment=True,
    )
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E8%A7%92%E8%90%BD%E4%B9%8B%E6%AD%8C.mp3"
    )


def test_cache_control_defaults_to_private_immutable_and_can_be_overridden(
    media: Path, rf: RequestFactory
) -> None:
    path = media / "a.bin"
    assert serve_file(rf.head("/"), path=path, content_type="x")["Cache-Control"] == (
        "private, max-age=31536000, immutable"
    )
    response = serve_file(rf.head("/"), path=path, content_type="x", cache_control="no-cache")
    assert response["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("name", ["nothing-here.bin", ".", "a.bin/below"])
def test_a_missing_file_or_a_directory_is_a_404(name: str, media: Path, rf: RequestFactory) -> None:
    with pytest.raises(Http404):
        serve_file(rf.get("/"), path=media / name, content_type="x")


def test_other_methods_are_not_allowed(media: Path, rf: RequestFactory) -> None:
    response = serve_file(rf.post("/"), path=media / "a.bin", content_type="x")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_a_file_modified_just_now_does_not_satisfy_if_range_by_date(
    media: Path, rf: RequestFactory
) -> None:
    path = media / "a.bin"
    os.utime(path)  # now: Last-Modified could hide a second write in the same second
    request = rf.get(
        "/", headers={"Range": "bytes=0-9", "If-Range": http_date(int(path.stat().st_mtime))}
    )
    assert serve_file(request, path=path, content_type="x").status_code == 200


def test_long_bodies_are_read_in_chunks_sized_by_the_clients_whole_rate() -> None:
    from ting.playback.delivery.handoff import MAX_CHUNK, MIN_CHUNK, next_chunk

    # Early on, a quick send is only the socket buffers filling: no growth yet.
    assert next_chunk(MIN_CHUNK, 4 * MIN_CHUNK, 0.01) == MIN_CHUNK
    # A listener at 64 kb/s (8 kB/s) stays at the smallest read.
    assert next_chunk(MIN_CHUNK, 256 * 1024 + 8_000 * 10, 10.0) == MIN_CHUNK
    # A fast client doubles up to the largest read, never more than double at a time.
    assert next_chunk(MIN_CHUNK, 50_000_000, 0.5) == 2 * MIN_CHUNK
    assert next_chunk(MAX_CHUNK, 500_000_000, 1.0) == MAX_CHUNK
