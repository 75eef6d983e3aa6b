"""A small seed-like catalog for the browser tests' server: `python -m tests.browser.seed`.

The server is another process with its own SQLite file, so pytest-django's test database is no
use to it. The fixture runs this module with the server's environment after `migrate`; it prints
one JSON line naming what the tests open. Fixed publish times keep the screenshots stable.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from ting.catalog.models import Album, Anchor, Category, Track

SHANGHAI = ZoneInfo("Asia/Shanghai")
PUBLISHED = datetime(2025, 3, 14, 9, 30, tzinfo=SHANGHAI)

ANCHOR_NAME = "紅星新聞"
ANCHOR_BIO = "<p>红星新闻是成都传媒集团旗下的新闻客户端，提供及时、权威的新闻报道。</p>"
ALBUM_TITLE = "汽车科技早知道"
ALBUM_INTRO = "<p>每天三分钟，了解汽车与科技行业的最新动态。</p>"
TRACK_TITLE = "泄密小米汽车保密拍摄内容"
TRACK_DURATION = 224.0
TRACK_INTRO = (
    "<p>近日，网络上出现了一段疑似小米汽车保密拍摄内容的视频，引发网友热议。</p>"
    "<p>小米公司回应称，<strong>相关信息并不属实</strong>，"
    "并表示将保留追究法律责任的权利。</p>"
)


@dataclass(frozen=True)
class Seeded:
    """Primary keys and texts the tests look for, in the order a visitor finds them."""

    anchor_id: int
    album_id: int
    track_id: int
    other_track_ids: list[int]
    audio_album_id: int
    audio_track_ids: list[int]


def seed() -> Seeded:
    from ting.catalog.tests.factories import make_album, make_anchor, make_category, make_track

    tech = make_category(
        slug="tech", name_zh_hans="科技", name_zh_hant="科技", name_en="Tech", position=1
    )
    news = make_category(
        slug="news", name_zh_hans="新闻", name_zh_hant="新聞", name_en="News", position=0
    )
    books = make_category(
        slug="audiobooks",
        name_zh_hans="有声书",
        name_zh_hant="有聲書",
        name_en="Audiobooks",
        position=2,
    )
    anchor = make_anchor(
        display_name=ANCHOR_NAME, bio=ANCHOR_BIO, user__username="hongxing", verified=True
    )
    anchor.follower_count = 113_000
    anchor.play_count = 2_134_000
    anchor.save(update_fields=["follower_count", "play_count"])

    album = make_album(anchor=anchor, title=ALBUM_TITLE, intro=ALBUM_INTRO, category=tech)
    track = make_track(
        album=album,
        title=TRACK_TITLE,
        intro=TRACK_INTRO,
        duration=TRACK_DURATION,
        position=1,
        published_at=PUBLISHED,
        play_count=8_812,
    )
    others = [
        make_track(
            album=album,
            title=title,
            duration=duration,
            position=position,
            published_at=PUBLISHED + timedelta(days=position),
        )
        for position, (title, duration) in enumerate(
            [("理想汽车发布新款增程车型", 187.0), ("华为鸿蒙智行的软件更新", 263.0)], start=2
        )
    ]

    newsroom = make_anchor(display_name="晨间播报", user__username="morning")
    daily = make_album(anchor=newsroom, title="早间新闻联播", category=news)
    books_album = make_album(
        anchor=newsroom, title="三体：地球往事", category=books, status="finished"
    )
    for position, title in enumerate(["国际要闻速览", "财经早餐：股市开盘前瞻"], start=1):
        others.append(
            make_track(
                album=daily,
                title=title,
                position=position,
                published_at=PUBLISHED - timedelta(days=position),
            )
        )
    others.append(
        make_track(
            album=books_album,
            title="第一章 科学边界",
            duration=1_802.0,
            position=1,
            published_at=PUBLISHED - timedelta(days=30),
        )
    )
    audio_album, audio_tracks = _with_real_audio(newsroom, news)
    _social_listener()
    return Seeded(
        anchor_id=anchor.pk,
        album_id=album.pk,
        track_id=track.pk,
        other_track_ids=[other.pk for other in others],
        audio_album_id=audio_album.pk,
        audio_track_ids=[t.pk for t in audio_tracks],
    )


def _with_real_audio(anchor: Anchor, category: Category) -> tuple[Album, list[Track]]:
    """Two tracks that went through the real ingest pipeline, for the player's tests."""
    import tempfile
    from pathlib import Path

    from ting.catalog.models import Track
    from ting.catalog.services import track_publish
    from ting.catalog.tests.factories import make_album, make_track
    from ting.media.audio.testing import speech_like, write_audio
    from ting.media.services import asset_create

    album = make_album(anchor=anchor, title="听力练习", category=category)
    tracks = []
    with tempfile.TemporaryDirectory() as tmp:
        for position, seconds in enumerate([180.0, 20.0], start=1):
            source = Path(tmp) / f"{position}.mp3"
            write_audio(source, speech_like(seconds, 44_100, seed=position, level=0.5), 44_100)
            track = make_track(
                album=album,
                title=f"第{position}课",
                position=position,
                status=Track.Status.DRAFT,
                published_at=None,
            )
            with source.open("rb") as content:
                asset_create(track=track, content=content, filename=source.name)  # processes now
            track.refresh_from_db()
            tracks.append(track_publish(track=track, at=PUBLISHED + timedelta(hours=position)))
    return album, tracks


def _social_listener() -> None:
    """A listener for tests/browser/test_social.py (the factories' password)."""
    from ting.catalog.tests.factories import make_user

    make_user(username="tingfan", email="tingfan@example.com")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    print(json.dumps(asdict(seed())))  # noqa: T201 - the fixture reads this line


if __name__ == "__main__":
    main()
