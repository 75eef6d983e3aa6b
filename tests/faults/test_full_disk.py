"""A full disk (a real, small tmpfs) during an upload or processing: a clear message, nothing
half-written, and success once there is room again.

Mounting needs root (CAP_SYS_ADMIN), as in the CI container; without it these tests fail and
say so rather than skip.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from ting.catalog.models import Album, Anchor, Track
from ting.catalog.tests.factories import make_album
from ting.media.models import AudioAsset, Rendition, Upload
from ting.media.services import asset_requeue
from ting.media.uploads import part_path

from .conftest import decoded_seconds, sha256_of, speech_mp3

pytestmark = [pytest.mark.django_db, pytest.mark.faults]

BLOCK = 16 * 1024


class SmallDisk:
    """A tmpfs of a few MiB; `fill` takes every free byte, `make_room` hands some back."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.ballast = root / "ballast"

    def fill(self) -> None:
        fd = os.open(self.ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            while True:
                os.write(fd, b"\0" * BLOCK)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)

    def make_room(self, size: int) -> None:
        current = self.ballast.stat().st_size
        os.truncate(self.ballast, max(0, current - size))

    def free(self) -> None:
        self.ballast.unlink(missing_ok=True)

    def files(self) -> list[str]:
        """Every file on the disk but the ballast, as paths relative to its root."""
        return sorted(
            str(path.relative_to(self.root))
            for path in self.root.rglob("*")
            if path.is_file() and path != self.ballast
        )


def _mount_tmpfs(where: Path, size: str) -> SmallDisk:
    where.mkdir(parents=True)
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        pytest.fail("`mount` is missing; the full-disk tests mount a small tmpfs.", pytrace=False)
    if done.returncode != 0:
        pytest.fail(
            f"Could not mount a {size} tmpfs at {where}: {done.stderr.strip()}. The full-disk "
            "tests need root (CAP_SYS_ADMIN): run them as root or in a privileged container.",
            pytrace=False,
        )
    return SmallDisk(where)


def _unmount(disk: SmallDisk) -> None:
    subprocess.run(["umount", "-l", str(disk.root)], check=False)


@pytest.fixture
def media_disk(tmp_path: Path, settings: Any) -> Iterator[SmallDisk]:
    """MEDIA_ROOT (uploads in flight and stored audio) on a 4 MiB filesystem of its own."""
    disk = _mount_tmpfs(tmp_path / "media-disk", "4m")
    settings.MEDIA_ROOT = disk.root / "media"
    try:
        yield disk
    finally:
        _unmount(disk)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the pipeline encodes (tempfile's folder), watched so leftovers show."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def studio(client: Client, anchor: Anchor) -> Client:
    client.force_login(anchor.user)
    return client


@pytest.fixture
def album(anchor: Anchor) -> Album:
    return make_album(anchor=anchor)


@pytest.fixture
def audio(tmp_path: Path) -> bytes:
    return speech_mp3(tmp_path, seconds=4.0).read_bytes()


def _create(client: Client, album: Album, size: int) -> Any:
    response = client.post(
        reverse("studio:upload_create"),
        data=json.dumps({"album": album.pk, "filename": "节目.mp3", "size": size}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()["url"]


def _patch(client: Client, url: str, offset: int, chunk: bytes) -> Any:
    return client.patch(
        url,
        data=chunk,
        content_type="application/offset+octet-stream",
        headers={"Upload-Offset": str(offset)},
    )


def _upload_and_process(client: Client, album: Album, audio: bytes, capture: Any) -> Track:
    url = _create(client, album, len(audio))
    with capture(execute=True):
        done = _patch(client, url, 0, audio)
    assert done.status_code == 200, done.content
    return Track.objects.get(pk=done.json()["track"]["id"])


def _assert_ready_and_byte_identical(track: Track, audio: bytes) -> None:
    asset = AudioAsset.objects.get(track=track)
    assert asset.status == AudioAsset.Status.READY
    media = Path(django_settings.MEDIA_ROOT)
    assert (media / str(asset.original.name)).read_bytes() == audio
    renditions = Rendition.objects.filter(asset=asset)
    assert renditions.count() == 3
    for rendition in renditions:
        data = (media / str(rendition.file.name)).read_bytes()
        assert sha256_of(data) == rendition.sha256
        assert decoded_seconds(data) == pytest.approx(4.0, abs=0.1)


def test_a_chunk_that_meets_a_full_disk_is_refused_with_507_and_leaves_no_bytes(
    media_disk: SmallDisk,
    studio: Client,
    album: Album,
    audio: bytes,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = _create(studio, album, len(audio))
    media_disk.fill()

    refused = _patch(studio, url, 0, audio)

    assert refused.status_code == 507
    assert refused.json()["code"] == "disk_full"
    assert "disk is full" in refused.json()["error"]
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.FAILED
    assert "disk is full" in upload.failure_message
    assert not part_path(upload.pk).exists()
    assert studio.head(url).status_code == 410
    assert not Track.objects.filter(album=album).exists()
    assert media_disk.files() == []

    media_disk.free()
    track = _upload_and_process(studio, album, audio, django_capture_on_commit_callbacks)
    _assert_ready_and_byte_identical(track, audio)


def test_storing_the_finished_upload_on_a_full_disk_leaves_no_track_and_no_stump(
    media_disk: SmallDisk,
    studio: Client,
    album: Album,
    audio: bytes,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = _create(studio, album, len(audio))
    media_disk.fill()
    # Room for the .part, but not for the copy of it that becomes the stored original.
    media_disk.make_room(len(audio) + 2 * BLOCK)

    refused = _patch(studio, url, 0, audio)

    assert refused.status_code == 507
    assert refused.json()["code"] == "disk_full"
    assert not Track.objects.filter(album=album).exists()
    assert not AudioAsset.objects.exists()
    assert Upload.objects.get().status == Upload.Status.FAILED
    assert media_disk.files() == []

    media_disk.free()
    track = _upload_and_process(studio, album, audio, django_capture_on_commit_callbacks)
    _assert_ready_and_byte_identical(track, audio)


def test_processing_that_meets_a_full_disk_fails_clearly_keeps_no_rendition_and_reruns(
    media_disk: SmallDisk,
    scratch: Path,
    studio: Client,
    album: Album,
    audio: bytes,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = _create(studio, album, len(audio))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        done = _patch(studio, url, 0, audio)
    assert done.status_code == 200
    track = Track.objects.get(pk=done.json()["track"]["id"])
    asset = AudioAsset.objects.get(track=track)
    original = str(asset.original.name)
    media_disk.fill()

    for callback in queued:
        callback()

    asset.refresh_from_db()
    track.refresh_from_db()
    assert asset.status == AudioAsset.Status.FAILED
    assert asset.failure_code == "disk_full"
    assert "disk was full" in asset.failure_message
    assert "disk was full" in track.failure_reason
    assert track.status == Track.Status.FAILED
    assert not Rendition.objects.filter(asset=asset).exists()
    assert media_disk.files() == [f"media/{original}"]
    assert list(scratch.iterdir()) == []

    media_disk.free()
    with django_capture_on_commit_callbacks(execute=True):
        assert asset_requeue(asset_id=asset.pk)
    _assert_ready_and_byte_identical(track, audio)
    assert list(scratch.iterdir()) == []


def test_a_full_scratch_disk_while_encoding_fails_clearly_and_reruns(
    tmp_path: Path,
    studio: Client,
    album: Album,
    audio: bytes,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The encoder writes into a per-asset folder under DATA_DIR/work (ting.media.services).
    data_dir = tmp_path / "data"
    scratch = _mount_tmpfs(data_dir / "work", "1m")
    try:
        monkeypatch.setattr(django_settings, "DATA_DIR", data_dir)
        url = _create(studio, album, len(audio))
        with django_capture_on_commit_callbacks(execute=False) as queued:
            done = _patch(studio, url, 0, audio)
        track = Track.objects.get(pk=done.json()["track"]["id"])
        scratch.fill()

        for callback in queued:
            callback()

        asset = AudioAsset.objects.get(track=track)
        assert asset.status == AudioAsset.Status.FAILED
        assert asset.failure_code == "disk_full"
        assert not Rendition.objects.filter(asset=asset).exists()
        assert scratch.files() == []

        scratch.free()
        with django_capture_on_commit_callbacks(execute=True):
            assert asset_requeue(asset_id=asset.pk)
        _assert_ready_and_byte_identical(track, audio)
    finally:
        _unmount(scratch)
