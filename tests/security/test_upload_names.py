"""Upload names are shown to the anchor, never used as paths (OWASP File Upload Cheat Sheet)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from ting.catalog.models import Anchor
from ting.catalog.tests.factories import make_album
from ting.media.models import Upload

pytestmark = pytest.mark.django_db

NAMES = [
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/etc/passwd",
    "a\x00.mp3",
    "x" * 250 + ".mp3",
    "星" * 255,
    "evil\u202egpj.mp3",  # right-to-left override: shows as "evil3pm.jpg"
    "con.mp3",
    ".htaccess",
    "~/.ssh/authorized_keys",
    "a/b/../../../c.mp3",
    "%2e%2e%2fpasswd.mp3",
]
SAFE_PATH = re.compile(r"^[A-Za-z0-9/_.-]+$")
BODY = b"\x00not audio at all\x00" * 4


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


def stored_paths(root: Path) -> list[str]:
    return [str(p.relative_to(root)) for p in root.rglob("*")]


def assert_only_our_names(media: Path, outside: Path) -> None:
    for relative in stored_paths(media):
        assert SAFE_PATH.match(relative), f"a stored path came from the upload: {relative!r}"
        assert ".." not in relative.split("/")
        assert "passwd" not in relative and "win.ini" not in relative
    # Nothing was written beside the media root either.
    assert {p.name for p in outside.iterdir()} <= {"media"}


@pytest.mark.parametrize("name", NAMES)
def test_the_resumable_upload_stores_under_its_own_names(
    media: Path, anchor: Anchor, name: str
) -> None:
    album = make_album(anchor=anchor)
    client = Client()
    client.force_login(anchor.user)
    created = client.post(
        reverse("studio:upload_create"),
        json.dumps({"album": album.pk, "filename": name, "size": len(BODY)}),
        content_type="application/json",
    )
    assert created.status_code in {201, 400}, created.content  # refused cleanly, or taken
    if created.status_code == 201:
        upload_url = created.json()["url"]
        appended = client.patch(
            upload_url,
            BODY,
            content_type="application/offset+octet-stream",
            headers={"Upload-Offset": "0"},
        )
        assert appended.status_code < 500
        upload = Upload.objects.get()
        assert "\x00" not in upload.filename
    assert_only_our_names(media, media.parent)


@pytest.mark.parametrize("name", NAMES)
def test_the_form_upload_stores_under_its_own_names(media: Path, anchor: Anchor, name: str) -> None:
    album = make_album(anchor=anchor)
    client = Client()
    client.force_login(anchor.user)
    file = SimpleUploadedFile(name.replace("\x00", ""), BODY, content_type="audio/mpeg")
    file.name = name  # what the browser claims, past Django's own clean-up of the attribute
    response = client.post(reverse("studio:album_upload", args=[album.pk]), {"files": [file]})
    assert response.status_code == 302
    assert_only_our_names(media, media.parent)
