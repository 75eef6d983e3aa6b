"""A rendition damaged on disk is found by its checksum and rebuilt from the original."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ting.catalog.models import Track
from ting.media import integrity
from ting.media.models import Rendition
from ting.media.tasks import verify_renditions

from .conftest import decoded_seconds, sha256_of

pytestmark = [pytest.mark.django_db, pytest.mark.faults]


def _path(rendition: Rendition) -> Path:
    return Path(settings.MEDIA_ROOT) / str(rendition.file.name)


def flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    for index in range(middle, middle + 64):
        data[index] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def delete(path: Path) -> None:
    path.unlink()


DAMAGE = {"flipped": flip_bytes, "truncated": truncate, "deleted": delete}


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _stream(client: Client, track: Track, fmt: str) -> Any:
    return client.get(reverse("playback:stream", args=[track.pk, fmt]))


def _rendition(track: Track, fmt: str) -> Rendition:
    return Rendition.objects.get(asset__track=track, format=fmt)


@pytest.mark.parametrize("damage", DAMAGE)
def test_the_verify_task_finds_damage_by_checksum_and_rebuilds_that_rendition_alone(
    damage: str,
    published_track: Callable[[], Track],
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    track = published_track()
    others_before = {
        r.format: (r.file.name, r.sha256, _path(r).read_bytes())
        for r in Rendition.objects.filter(asset__track=track).exclude(format="opus32")
    }
    broken = _rendition(track, "opus32")
    DAMAGE[damage](_path(broken))

    with django_capture_on_commit_callbacks(execute=True):
        verify_renditions.enqueue()

    rebuilt = _rendition(track, "opus32")
    data = _path(rebuilt).read_bytes()
    assert sha256_of(data) == rebuilt.sha256
    assert len(data) == rebuilt.size
    assert decoded_seconds(data) == pytest.approx(4.0, abs=0.1)
    assert rebuilt.verified_at is not None
    for other in Rendition.objects.filter(asset__track=track).exclude(format="opus32"):
        name, digest, content = others_before[other.format]
        assert (other.file.name, other.sha256) == (name, digest)
        assert _path(other).read_bytes() == content
    response = _stream(client, track, "opus32")
    assert response.status_code == 200
    assert sha256_of(_body(response)) == rebuilt.sha256


@pytest.mark.parametrize("damage", ["truncated", "deleted"])
def test_a_listener_asking_for_a_damaged_file_is_sent_to_a_good_format_while_it_is_rebuilt(
    damage: str,
    published_track: Callable[[], Track],
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    track = published_track()
    DAMAGE[damage](_path(_rendition(track, "opus32")))

    with django_capture_on_commit_callbacks(execute=False) as repairs:
        response = _stream(client, track, "opus32")
        assert _stream(client, track, "opus32").status_code == 307  # a second listener
    assert response.status_code == 307
    assert response["Location"] == reverse("playback:stream", args=[track.pk, "aac64"])
    fallback = client.get(response["Location"])
    assert fallback.status_code == 200
    assert decoded_seconds(_body(fallback)) == pytest.approx(4.0, abs=0.1)

    assert len(repairs) == 1  # one repair job for both reports
    repairs[0]()
    again = _stream(client, track, "opus32")
    assert again.status_code == 200
    data = _body(again)
    assert sha256_of(data) == _rendition(track, "opus32").sha256
    assert decoded_seconds(data) == pytest.approx(4.0, abs=0.1)


def test_with_every_format_damaged_the_listener_is_told_to_retry_and_then_hears_it(
    published_track: Callable[[], Track],
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    track = published_track()
    for rendition in Rendition.objects.filter(asset__track=track):
        delete(_path(rendition))

    with django_capture_on_commit_callbacks(execute=False) as repairs:
        response = _stream(client, track, "mp3_128")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "being repaired" in response.content.decode()

    for repair in repairs:
        repair()
    for fmt in ("opus32", "aac64", "mp3_128"):
        served = _stream(client, track, fmt)
        assert served.status_code == 200, fmt
        assert sha256_of(_body(served)) == _rendition(track, fmt).sha256


def test_the_verifier_rotates_through_the_library_a_batch_at_a_time(
    published_track: Callable[[], Track], django_assert_num_queries: Any
) -> None:
    track = published_track()
    Rendition.objects.update(verified_at=None)
    ids = list(
        Rendition.objects.filter(asset__track=track).order_by("pk").values_list("pk", flat=True)
    )

    with django_assert_num_queries(2):  # the batch, one update of its verified_at
        assert integrity.renditions_verify(batch=2) == []
    checked = set(Rendition.objects.filter(verified_at__isnull=False).values_list("pk", flat=True))
    assert checked == set(ids[:2])

    integrity.renditions_verify(batch=2)
    never = Rendition.objects.filter(verified_at__isnull=True)
    assert not never.exists()
    # The second run started with the one left unchecked, then the oldest checked one.
    latest = Rendition.objects.order_by("-verified_at", "-pk").values_list("pk", flat=True)[:2]
    assert set(latest) == {ids[2], ids[0]}


def test_repairing_an_intact_asset_rebuilds_nothing(
    published_track: Callable[[], Track],
) -> None:
    track = published_track()
    before = {r.pk: (r.file.name, r.sha256) for r in Rendition.objects.filter(asset__track=track)}

    assert integrity.renditions_repair(asset_id=track.audio.pk) == []
    after = {r.pk: (r.file.name, r.sha256) for r in Rendition.objects.filter(asset__track=track)}
    assert after == before
