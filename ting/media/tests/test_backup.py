"""`ting backup` → `ting restore` into an empty instance reproduces it, on SQLite and PostgreSQL.

Run on PostgreSQL with TING_TEST_DATABASE_URL (see the Makefile); the same test covers both.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from PIL import Image

from ting.accounts.models import User
from ting.catalog.models import Album, Anchor, Track
from ting.catalog.services import track_publish
from ting.catalog.tests.factories import make_album, make_anchor, make_track
from ting.media import services
from ting.media.audio.cover import process_cover
from ting.media.audio.testing import speech_like, write_audio
from ting.media.models import AudioAsset, Rendition
from ting.media.storage import describe_object, iter_keys
from ting.media.tests.s3 import ACCESS_KEY, S3, SECRET_KEY, use_s3
from ting.studio.services import album_set_cover

pytestmark = pytest.mark.django_db(transaction=True)


def _catalog(tmp_path: Path) -> Track:
    anchor = make_anchor(display_name="紅星新聞")
    album = make_album(anchor=anchor, title="汽车科技早知道")
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), (20, 120, 200)).save(buffer, "JPEG")
    album_set_cover(album=album, cover=process_cover(buffer.getvalue()))
    track = make_track(album=album, status=Track.Status.DRAFT, published_at=None)
    path = tmp_path / "speech.mp3"
    write_audio(path, speech_like(2.0, 44_100, level=0.3), 44_100)
    with path.open("rb") as content:
        services.asset_create(track=track, content=content, filename="第一集.mp3")
    track.refresh_from_db()
    assert track.status == Track.Status.READY
    return track_publish(track=track)


def _rows() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "users": list(User.objects.order_by("pk").values_list("pk", "username", "password")),
        "anchors": list(Anchor.objects.order_by("pk").values_list("pk", "display_name")),
        "albums": list(Album.objects.order_by("pk").values_list("pk", "title", "cover")),
        "tracks": list(Track.objects.order_by("pk").values_list("pk", "title", "status")),
        "assets": list(AudioAsset.objects.order_by("pk").values_list("pk", "key", "waveform")),
        "renditions": list(Rendition.objects.order_by("pk").values_list("pk", "file", "sha256")),
    }


def _files() -> dict[str, str]:
    return {key: describe_object(key).sha256 for key in iter_keys("")}


def test_a_backup_restores_into_an_empty_instance_exactly(tmp_path: Path, settings: Any) -> None:
    track = _catalog(tmp_path)
    rows, files = _rows(), _files()
    assert len(files) >= 5  # cover, original, three renditions
    backup = tmp_path / "backup"
    call_command("backup", str(backup), "--with-media", stdout=io.StringIO())
    manifest = json.loads((backup / "manifest.json").read_text())
    assert {o["key"]: o["sha256"] for o in manifest["objects"]} == files
    assert manifest["database"]["engine"] == connection.vendor

    # A fresh instance: an empty (migrated) database and an empty media folder.
    call_command("flush", interactive=False, verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "fresh-media"
    assert not User.objects.exists() and _files() == {}

    call_command("restore", str(backup), stdout=io.StringIO())
    assert _rows() == rows
    assert _files() == files
    page = Client().get(reverse("track", args=[track.pk]))
    assert page.status_code == 200 and track.title in page.text
    mp3 = Rendition.objects.get(asset__track=track, format=Rendition.Format.MP3_128)
    streamed = Client().get(reverse("playback:stream", args=[track.pk, "mp3_128"]))
    assert streamed.status_code == 200
    with default_storage.open(str(mp3.file.name), "rb") as handle:
        assert b"".join(streamed.streaming_content) == handle.read()  # type: ignore[attr-defined]

    # Sequences moved with the rows: the next album does not collide with a restored one.
    assert make_album(anchor=Anchor.objects.get()).pk > max(pk for pk, *_ in rows["albums"])


def test_restore_refuses_a_target_with_data_unless_forced(tmp_path: Path) -> None:
    _catalog(tmp_path)
    backup = tmp_path / "backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(backup), stdout=io.StringIO())
    call_command("restore", str(backup), "--force", stdout=io.StringIO())


def test_a_damaged_media_object_fails_the_restore_by_name(tmp_path: Path, settings: Any) -> None:
    _catalog(tmp_path)
    backup = tmp_path / "backup"
    call_command("backup", str(backup), "--with-media", stdout=io.StringIO())
    victim = next((backup / "media").rglob("original"))
    victim.write_bytes(b"bit rot")
    call_command("flush", interactive=False, verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "fresh-media"
    with pytest.raises(CommandError, match="checksum differs: audio/"):
        call_command("restore", str(backup), stdout=io.StringIO())


def test_a_backup_without_media_lists_what_the_store_must_still_hold(tmp_path: Path) -> None:
    _catalog(tmp_path)
    backup = tmp_path / "backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    assert not (backup / "media").exists()
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["media_included"] is False
    assert {o["key"] for o in manifest["objects"]} == set(_files())


def test_a_backup_of_a_bucket_restores_into_a_fresh_bucket(
    tmp_path: Path, settings: Any, s3_storage: S3
) -> None:
    track = _catalog(tmp_path)
    rows, files = _rows(), _files()
    assert str(track.audio.original.name) in s3_storage.keys("audio/")
    backup = tmp_path / "backup"
    call_command("backup", str(backup), "--with-media", stdout=io.StringIO())

    call_command("flush", interactive=False, verbosity=0)
    fresh = S3(endpoint=s3_storage.endpoint, bucket=f"{s3_storage.bucket}-restored")
    fresh.client().create_bucket(Bucket=fresh.bucket)
    use_s3(
        settings, endpoint=fresh.endpoint, bucket=fresh.bucket, key=ACCESS_KEY, secret=SECRET_KEY
    )
    call_command("restore", str(backup), stdout=io.StringIO())
    assert _rows() == rows
    assert _files() == files
    assert fresh.keys() == sorted(files)
