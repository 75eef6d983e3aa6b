"""Uploading without JavaScript: one multipart form, with the same limits as the protocol."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ting.catalog.models import Album, Track
from ting.media.models import Upload

pytestmark = pytest.mark.django_db


def test_a_plain_form_upload_becomes_a_processed_track(
    anchor_client: Client,
    album: Album,
    make_speech: Callable[..., bytes],
    django_capture_on_commit_callbacks: Any,
) -> None:
    audio = SimpleUploadedFile("晨读.mp3", make_speech(seconds=2.0), content_type="audio/mpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = anchor_client.post(
            reverse("studio:album_upload", args=[album.pk]), {"files": [audio]}
        )
    assert response.status_code == 302
    track = Track.objects.get(album=album)
    assert track.title == "晨读"
    assert track.status == Track.Status.READY
    assert Upload.objects.get().status == Upload.Status.COMPLETE


def test_a_plain_form_upload_over_the_limit_is_refused_before_the_body_is_read(
    anchor_client: Client, album: Album, settings: Any
) -> None:
    settings.TING_UPLOAD_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.mp3", b"x" * 200_000, content_type="audio/mpeg")
    response = anchor_client.post(reverse("studio:album_upload", args=[album.pk]), {"files": [big]})
    assert response.status_code == 413
    assert not Upload.objects.exists()
    assert not Track.objects.exists()


def test_a_plain_form_upload_needs_the_csrf_token(album: Album) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(album.anchor.user)
    audio = SimpleUploadedFile("a.mp3", b"x" * 100, content_type="audio/mpeg")
    response = client.post(reverse("studio:album_upload", args=[album.pk]), {"files": [audio]})
    assert response.status_code == 403
    assert not Upload.objects.exists()
