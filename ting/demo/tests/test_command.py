"""`ting demo --quick` through the real ingest: loads, publishes, is idempotent, resets."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from ting.accounts.models import User
from ting.catalog.models import Album, Anchor, Category, Tag, Track
from ting.catalog.tests.factories import make_category, make_user
from ting.demo import services
from ting.media.models import AudioAsset, Rendition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(settings: object, tmp_path: Path) -> None:
    """A media folder per test, so counting files sees only this test's demo."""
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--quick", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def media_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()}


def snapshot() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "categories": Category.objects.count(),
        "anchors": Anchor.objects.count(),
        "albums": Album.objects.count(),
        "tags": Tag.objects.count(),
        "tracks": Track.objects.count(),
        "assets": AudioAsset.objects.count(),
        "renditions": Rendition.objects.count(),
    }


def test_the_quick_demo_publishes_processed_tracks() -> None:
    output = run_demo()

    assert set(Category.objects.values_list("slug", flat=True)) == {
        "news", "tech", "business", "kids", "history", "language", "comedy",
    }  # fmt: skip
    assert Category.objects.get(slug="business").name_zh_hant == "商業財經"
    anchors = Anchor.objects.select_related("user")
    assert {a.user.username for a in anchors} == {"demo-shengbo", "demo-tangdou"}
    assert all(not a.user.has_usable_password() for a in anchors)
    assert [a.verified for a in anchors.order_by("user__username")] == [True, False]
    for anchor in anchors:
        assert Image.open(anchor.avatar.path).size == (400, 400)
    albums = Album.objects.order_by("title")
    assert [a.title for a in albums] == ["小米的奇妙一天", "科技早知道"]
    for album in albums:
        cover = Image.open(album.cover.path)
        assert (cover.format, cover.size) == ("JPEG", (1400, 1400))
        assert "小米" not in Path(str(album.cover.name)).name  # opaque file names
        assert album.published_track_count == 2
        assert album.last_published_at is not None
        assert album.play_count == 0  # counts come from real plays, never from the demo
        assert album.tags.exists()

    tracks = Track.objects.order_by("published_at")
    assert tracks.count() == 4
    assert {t.status for t in tracks} == {Track.Status.PUBLISHED}
    times = [t.published_at for t in tracks]
    assert len(set(times)) == 4
    assert all(t is not None and t < timezone.now() for t in times)
    for track in tracks:
        assert track.duration is not None
        assert abs(track.duration - 3.0) < 0.2
        assert track.audio.status == AudioAsset.Status.READY
        assert track.audio.original_filename.endswith((".opus", ".flac", ".m4a", ".mp3"))
        assert set(track.audio.renditions.values_list("format", flat=True)) == {
            "opus32", "aac64", "mp3_128",
        }  # fmt: skip
        for rendition in track.audio.renditions.all():
            assert Path(rendition.file.path).stat().st_size == rendition.size > 0

    assert "[4/4]" in output
    assert "科技早知道 · 第2期 … ready" in output
    assert "Demo catalog ready: 2 anchors, 2 albums, 4/4 tracks published" in output


def test_running_it_twice_changes_nothing() -> None:
    run_demo()
    before, files = snapshot(), media_files()
    assert "already loaded" in run_demo()
    assert snapshot() == before
    assert media_files() == files


def test_reset_deletes_the_demo_and_its_files_then_loads_it_again() -> None:
    run_demo()
    before, files = snapshot(), media_files()
    old_covers = set(Album.objects.values_list("cover", flat=True))

    output = run_demo("--reset")

    assert "Removed the demo catalog: 2 anchors, 2 albums, 4 tracks" in output
    assert snapshot() == before
    after = media_files()
    assert len(after) == len(files)
    assert not (after & files)  # every old file went, every file is new
    assert not old_covers & set(Album.objects.values_list("cover", flat=True))


def test_an_interrupted_load_is_finished_by_the_next_run() -> None:
    run_demo()
    track = Track.objects.order_by("pk").last()
    assert track is not None
    AudioAsset.objects.filter(track=track).delete()
    Track.objects.filter(pk=track.pk).update(status=Track.Status.DRAFT, published_at=None)

    output = run_demo()

    assert "[1/1]" in output
    track.refresh_from_db()
    assert track.status == Track.Status.PUBLISHED
    assert Track.objects.filter(status=Track.Status.PUBLISHED).count() == 4


def test_existing_categories_are_reused_as_they_are() -> None:
    make_category(slug="tech", name_zh_hans="数码科技", name_zh_hant="數碼科技", name_en="Gadgets")
    run_demo()
    tech = Category.objects.get(slug="tech")
    assert tech.name_en == "Gadgets"
    assert Category.objects.count() == 7
    assert tech.albums.filter(title="科技早知道").exists()


def test_it_never_takes_over_a_real_account_with_a_demo_username() -> None:
    make_user(username="demo-shengbo", email="someone@example.com")
    with pytest.raises(CommandError, match="demo-shengbo"):
        run_demo()
    assert not services.demo_exists()
    assert not Album.objects.exists()


def test_the_home_page_shows_the_demo(client: Client) -> None:
    run_demo()
    page = client.get(reverse("home")).content.decode()
    assert "科技早知道" in page
    assert "小米的奇妙一天" in page
    assert "小米汽车疑似新车谍照流出" in page
    album = Album.objects.get(title="科技早知道")
    album_page = client.get(reverse("album", args=[album.pk])).content.decode()
    assert "折叠屏手机的铰链" in album_page
    assert "的演示内容：节目、人物与事件均为虚构" in album_page
