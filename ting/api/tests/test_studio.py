"""Studio operations through tokens: albums, resumable uploads, publishing, analytics."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from ting.catalog.models import Album, Anchor, Track
from ting.catalog.tests.factories import make_album, make_track

pytestmark = pytest.mark.django_db
Bearer = Callable[..., dict[str, str]]


def test_an_anchor_creates_and_edits_an_album(
    client: Client, anchor: Anchor, bearer: Bearer
) -> None:
    headers = bearer(anchor.user, "studio")
    created = client.post(
        "/api/v1/studio/albums",
        {"title": "新专辑", "tags": ["科技"], "visibility": "unlisted"},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    album_id = created.json()["id"]
    edited = client.patch(
        f"/api/v1/studio/albums/{album_id}",
        {"title": "改名了"},
        content_type="application/json",
        headers=headers,
    )
    assert edited.json()["title"] == "改名了"
    assert edited.json()["tags"] == ["科技"] and edited.json()["visibility"] == "unlisted"
    assert Album.objects.get(pk=album_id).anchor == anchor


def test_an_upload_resumes_at_its_offset(client: Client, anchor: Anchor, bearer: Bearer) -> None:
    headers = bearer(anchor.user, "studio")
    album = make_album(anchor=anchor)
    upload = client.post(
        "/api/v1/studio/uploads",
        {"album_id": album.pk, "filename": "a.mp3", "size": 10},
        content_type="application/json",
        headers=headers,
    ).json()
    url = f"/api/v1/studio/uploads/{upload['id']}"
    first = client.patch(
        url,
        b"12345",
        content_type="application/offset+octet-stream",
        headers={**headers, "Upload-Offset": "0"},
    )
    assert first.json()["offset"] == 5
    wrong = client.patch(
        url,
        b"x",
        content_type="application/offset+octet-stream",
        headers={**headers, "Upload-Offset": "0"},
    )
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "offset_mismatch"
    assert client.get(url, headers=headers).json()["offset"] == 5


def test_publishing_needs_a_ready_track(client: Client, anchor: Anchor, bearer: Bearer) -> None:
    headers = bearer(anchor.user, "studio")
    album = make_album(anchor=anchor)
    draft = make_track(album=album, status=Track.Status.DRAFT, published_at=None)
    refused = client.post(
        f"/api/v1/studio/tracks/{draft.pk}/publish",
        {},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "track_not_ready"
    Track.objects.filter(pk=draft.pk).update(status=Track.Status.READY)
    published = client.post(
        f"/api/v1/studio/tracks/{draft.pk}/publish",
        {},
        content_type="application/json",
        headers=headers,
    )
    assert published.json()["status"] == "published"


def test_own_analytics_are_served(client: Client, anchor: Anchor, bearer: Bearer) -> None:
    response = client.get(
        "/api/v1/studio/analytics", {"days": 7}, headers=bearer(anchor.user, "studio")
    )
    assert response.status_code == 200
    assert len(response.json()["days"]) == 7


def test_history_and_resume_positions(client: Client, listener: object, bearer: Bearer) -> None:
    track = make_track()
    headers = bearer(listener, "read", "write")
    saved = client.put(
        f"/api/v1/me/positions/{track.pk}",
        {"position": 42.5},
        content_type="application/json",
        headers=headers,
    )
    assert saved.json()["position"] == 42.5
    history = client.get("/api/v1/me/history", headers=headers).json()
    assert [item["track"]["id"] for item in history["items"]] == [track.pk]


def test_a_failed_tracks_reason_comes_in_the_callers_language(
    client: Client, anchor: Anchor, bearer: Bearer
) -> None:
    from ting.media.models import AudioAsset

    headers = bearer(anchor.user, "studio")
    album = make_album(anchor=anchor)
    track = make_track(
        album=album, status=Track.Status.FAILED, published_at=None,
        failure_reason="The audio is longer than the 10 hour limit.",
    )  # fmt: skip
    AudioAsset.objects.create(
        track=track, key="long", original="long/original", status=AudioAsset.Status.FAILED,
        failure_code="too_long", failure_params={"limit": 10},
    )  # fmt: skip
    listed = client.get(
        f"/api/v1/studio/albums/{album.pk}/tracks",
        headers={**headers, "Accept-Language": "zh-Hant"},
    ).json()["items"]
    reason = next(item["failure_reason"] for item in listed if item["id"] == track.pk)
    assert reason == "音訊長度超過10小時的上限。"
