"""The Django side of ingest: storing originals, the status machine, retries and the reaper."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_track
from ting.media import services
from ting.media.audio.testing import speech_like, write_audio
from ting.media.models import AudioAsset, Rendition

pytestmark = pytest.mark.django_db


def _draft(anchor: Anchor) -> Track:
    return make_track(album__anchor=anchor, status=Track.Status.DRAFT, published_at=None)


def _speech_mp3(tmp_path: Path, seconds: float = 4.0) -> bytes:
    path = tmp_path / "speech.mp3"
    write_audio(path, speech_like(seconds, 44_100, level=0.3), 44_100)
    return path.read_bytes()


def test_an_upload_becomes_a_ready_track_with_three_renditions(
    anchor: Anchor, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    track = _draft(anchor)
    with django_capture_on_commit_callbacks(execute=True):
        asset = services.asset_create(
            track=track,
            content=io.BytesIO(_speech_mp3(tmp_path)),
            filename="../../etc/我的节目.mp3",
        )
    asset.refresh_from_db()
    track.refresh_from_db()
    assert asset.status == AudioAsset.Status.READY
    assert track.status == Track.Status.READY
    assert track.duration == pytest.approx(4.0, abs=0.1)
    assert asset.original_filename == "我的节目.mp3"
    stored_name = str(asset.original.name)
    assert "我的节目" not in stored_name and ".." not in stored_name
    formats = {r.format: r for r in Rendition.objects.filter(asset=asset)}
    assert set(formats) == {"opus32", "aac64", "mp3_128"}
    for rendition in formats.values():
        assert default_storage.exists(str(rendition.file.name))
        assert rendition.size == default_storage.size(str(rendition.file.name))
        assert rendition.loudness_lufs == pytest.approx(-16, abs=1)
        assert rendition.true_peak_dbtp is not None and rendition.true_peak_dbtp <= -1.5
    assert len(asset.waveform) > 100


def test_a_text_file_renamed_mp3_fails_with_a_specific_reason(
    anchor: Anchor, django_capture_on_commit_callbacks: Any
) -> None:
    track = _draft(anchor)
    with django_capture_on_commit_callbacks(execute=True):
        asset = services.asset_create(
            track=track, content=io.BytesIO(b"hello, this is not audio\n" * 40), filename="a.mp3"
        )
    asset.refresh_from_db()
    track.refresh_from_db()
    assert asset.status == AudioAsset.Status.FAILED
    assert track.status == Track.Status.FAILED
    assert asset.failure_code == "not_audio"
    assert track.failure_reason
    assert not Rendition.objects.filter(asset=asset).exists()


def test_processing_twice_makes_no_second_set_of_renditions(
    anchor: Anchor, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    track = _draft(anchor)
    with django_capture_on_commit_callbacks(execute=True):
        asset = services.asset_create(
            track=track, content=io.BytesIO(_speech_mp3(tmp_path, 2.0)), filename="a.mp3"
        )
    assert services.asset_process(asset_id=asset.pk) is None  # already READY: nothing to claim
    assert Rendition.objects.filter(asset=asset).count() == 3


def test_the_reaper_requeues_a_job_whose_worker_died(
    anchor: Anchor, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    track = _draft(anchor)
    with django_capture_on_commit_callbacks(execute=False):
        asset = services.asset_create(
            track=track, content=io.BytesIO(_speech_mp3(tmp_path, 2.0)), filename="a.mp3"
        )
    # A worker claimed it two hours ago and was killed with -9.
    AudioAsset.objects.filter(pk=asset.pk).update(
        status=AudioAsset.Status.PROCESSING,
        attempts=1,
        claimed_at=timezone.now() - timedelta(hours=2),
    )
    assert services.assets_reap_stuck(older_than=timedelta(hours=1)) == [asset.pk]
    asset.refresh_from_db()
    assert asset.status == AudioAsset.Status.READY  # the immediate backend ran it again
    assert Rendition.objects.filter(asset=asset).count() == 3


@pytest.mark.parametrize("slow_run_ends", ["finishing", "crashing"])
def test_a_reaped_run_that_was_only_slow_changes_nothing_when_it_ends(
    anchor: Anchor,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    slow_run_ends: str,
) -> None:
    track = _draft(anchor)
    with django_capture_on_commit_callbacks(execute=False):
        asset = services.asset_create(
            track=track, content=io.BytesIO(_speech_mp3(tmp_path, 2.0)), filename="a.mp3"
        )
    real_process_audio = services.process_audio

    def slow_then_reaped(source: Path, out_dir: Path, **kwargs: Any) -> Any:
        # While this run works, it outlives its deadline: the reaper hands the job to another
        # run, which claims it (a newer claim time) and is still working.
        AudioAsset.objects.filter(pk=asset.pk).update(claimed_at=timezone.now())
        if slow_run_ends == "crashing":
            raise RuntimeError("the slow run's encoder crashed")
        return real_process_audio(source, out_dir, **kwargs)

    monkeypatch.setattr(services, "process_audio", slow_then_reaped)
    services.asset_process(asset_id=asset.pk)
    asset.refresh_from_db()
    # The run that holds the claim now decides: the late one wrote no result and no failure.
    assert asset.status == AudioAsset.Status.PROCESSING
    assert asset.attempts == 1
    assert not Rendition.objects.filter(asset=asset).exists()
    assert not list((Path(settings.DATA_DIR) / "work").glob(f"asset-{asset.pk}-*"))


def test_the_reaper_leaves_recent_jobs_alone(anchor: Anchor) -> None:
    track = _draft(anchor)
    asset = AudioAsset.objects.create(
        track=track,
        key="audio/aa/bb/x",
        original="audio/aa/bb/x/original",
        status=AudioAsset.Status.PROCESSING,
        claimed_at=timezone.now(),
    )
    assert services.assets_reap_stuck(older_than=timedelta(hours=1)) == []
    asset.refresh_from_db()
    assert asset.status == AudioAsset.Status.PROCESSING
