"""Search finds what Chinese listeners type, on whichever backend the suite runs on."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ting.catalog.models import Track, Visibility
from ting.catalog.tests.factories import make_album, make_anchor, make_track
from ting.discovery import index
from ting.discovery.models import SearchDocument
from ting.discovery.search import query
from ting.discovery.search.backends import Term
from ting.discovery.search.query import (
    Filters,
    highlight,
    hot_searches,
    query_log,
    search,
    suggest,
    terms_for,
)
from ting.discovery.tests.conftest import SeedCatalog

pytestmark = pytest.mark.django_db


def titles(query: str, **filters: object) -> list[str]:
    return [hit.track.title for hit in search(query, Filters(**filters)).tracks]  # type: ignore[arg-type]


def test_it_finds_a_two_character_word(seed: SeedCatalog) -> None:
    found = titles("小米")
    assert seed.leak.title in found
    assert "华为芯片突破" not in found


def test_it_finds_a_one_character_query(seed: SeedCatalog) -> None:
    assert "华为芯片突破" in titles("芯")


def test_a_one_character_query_matches_titles_not_every_track_of_a_matching_album(
    db: None,
) -> None:
    album = make_album(title="鲸鱼电台")
    make_track(album=album, title="第一集：开场")
    make_track(album=album, title="鲸的歌声")
    index.sync_index()
    results = search("鲸", Filters())
    assert [hit.track.title for hit in results.tracks] == ["鲸的歌声"]
    assert [a.title for a in results.albums] == ["鲸鱼电台"]


def test_a_simplified_query_finds_traditional_text(seed: SeedCatalog) -> None:
    assert titles("泄密小米汽车保密拍摄")[0] == seed.leak.title


def test_a_traditional_query_finds_simplified_text(seed: SeedCatalog) -> None:
    assert "比亚迪发布新款电动汽车" in titles("電動汽車")


def test_full_pinyin_finds_the_title(seed: SeedCatalog) -> None:
    assert seed.leak.title in titles("xiaomi")


def test_pinyin_initials_find_the_title(seed: SeedCatalog) -> None:
    assert seed.leak.title in titles("xm")


def test_a_pinyin_prefix_finds_the_title_while_typing(seed: SeedCatalog) -> None:
    assert "华为芯片突破" in titles("huawe")


def test_mixed_chinese_and_english_finds_the_track(seed: SeedCatalog) -> None:
    found = titles("小米SU7")
    assert "小米SU7首批交付" in found
    assert "小米发布新款手机" not in found


def test_words_of_the_intro_are_found(seed: SeedCatalog) -> None:
    assert titles("幼儿园") == ["甜心小米：小米去上学", "甜心小米：小米学画画"] or set(
        titles("幼儿园")
    ) == {"甜心小米：小米去上学", "甜心小米：小米学画画"}


def test_the_title_outranks_the_intro(seed: SeedCatalog) -> None:
    assert titles("特斯拉")[0] == "特斯拉降价，新能源汽车价格战"


def test_albums_and_anchors_are_found(seed: SeedCatalog) -> None:
    results = search("甜心小米", Filters())
    assert [album.title for album in results.albums][:1] == ["甜心小米"]
    assert [anchor.display_name for anchor in search("凯叔", Filters()).anchors] == ["凯叔讲故事"]


def test_albums_and_anchors_are_found_by_one_character_behind_many_tracks(db: None) -> None:
    # On SQLite they have a full-text table of their own: what the triggers write to it must
    # follow the catalog both ways, for documents written after the tracks as well.
    album = make_album(title="鲸鱼电台", anchor=make_anchor(display_name="鲸语者"))
    for position in range(1, 31):
        make_track(album=album, title=f"鲸的歌声{position}", position=position)
    index.sync_index()
    later = make_album(title="蓝鲸夜话", anchor=make_anchor(display_name="海上鲸"))
    make_track(album=later, title="深海", position=1)
    index.sync_index()
    results = search("鲸", Filters())
    assert {a.title for a in results.albums} == {"鲸鱼电台", "蓝鲸夜话"}
    assert {a.display_name for a in results.anchors} == {"鲸语者", "海上鲸"}
    later.refresh_from_db()  # its track counts changed as its track came out
    later.title = "海豚夜话"
    later.save()
    later.anchor.display_name = "海上客"
    later.anchor.save()
    index.sync_index()
    results = search("鲸", Filters())
    assert [a.title for a in results.albums] == ["鲸鱼电台"]
    assert [a.display_name for a in results.anchors] == ["鲸语者"]
    assert [a.title for a in search("海豚", Filters()).albums] == ["海豚夜话"]
    album.refresh_from_db()
    album.visibility = Visibility.PRIVATE
    album.save()
    index.sync_index()
    assert search("鲸", Filters()).albums == []
    if connection.vendor == "sqlite":
        # Its index is sound (it holds a subset of the content rows, so the check that
        # compares it with them does not apply), and holds the documents of no track.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO discovery_fts_others(discovery_fts_others) VALUES ('integrity-check')"
            )
            for kind in SearchDocument.Kind:
                cursor.execute(
                    "SELECT count(*) FROM discovery_fts_others WHERE discovery_fts_others MATCH %s",
                    [f'kind : "{kind}"'],
                )
                documents = SearchDocument.objects.filter(kind=kind).count()
                assert documents
                assert cursor.fetchone()[0] == (0 if kind == "track" else documents)


def test_words_that_find_nothing_fall_back_to_their_characters(seed: SeedCatalog) -> None:
    # 破芯 is one word of the query, a token of no document; its characters are in a title.
    results = search("破芯 芯破", Filters())
    assert [hit.track.title for hit in results.tracks] == ["华为芯片突破"]
    # Each character once, for all the words.
    assert results.terms == [Term("破"), Term("芯")]


def test_unlisted_private_and_scheduled_tracks_are_not_found(anchor: object) -> None:
    album = make_album(anchor=anchor, title="私人专辑")
    make_track(album=album, title="公开的鲸鱼")
    make_track(album=album, title="私密的鲸鱼", visibility=Visibility.PRIVATE)
    make_track(album=album, title="链接的鲸鱼", visibility=Visibility.UNLISTED)
    make_track(album=album, title="未来的鲸鱼", published_at=timezone.now() + timedelta(days=1))
    make_track(album=album, title="草稿的鲸鱼", status=Track.Status.DRAFT, published_at=None)
    index.sync_index()
    assert titles("鲸鱼") == ["公开的鲸鱼"]


def test_a_scheduled_track_is_indexed_once_its_time_comes(anchor: object) -> None:
    album = make_album(anchor=anchor)
    make_track(album=album, title="早到的海豚")
    later = make_track(
        album=album, title="准时的海豚", published_at=timezone.now() + timedelta(hours=1)
    )
    index.sync_index()
    assert titles("海豚") == ["早到的海豚"]
    Track.objects.filter(pk=later.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    index.sync_index()
    assert set(titles("海豚")) == {"早到的海豚", "准时的海豚"}


def test_an_edit_reaches_the_index_through_the_sync(seed: SeedCatalog) -> None:
    track = Track.objects.get(title="华为芯片突破")
    track.title = "华为麒麟芯片回归"
    track.save()
    index.sync_index()
    assert titles("麒麟") == ["华为麒麟芯片回归"]
    track.visibility = Visibility.PRIVATE
    track.save()
    index.sync_index()
    assert titles("麒麟") == []


def test_filters_narrow_by_duration_and_date(seed: SeedCatalog) -> None:
    Track.objects.filter(title="华为芯片突破").update(duration=3600)
    Track.objects.filter(title="苹果发布会前瞻").update(
        published_at=timezone.now() - timedelta(days=90)
    )
    assert titles("芯片", duration="long") == ["华为芯片突破"]
    assert "苹果发布会前瞻" not in titles("芯片", date="month")
    assert "苹果发布会前瞻" in titles("芯片", date="year")


def test_the_category_filter_keeps_one_category(seed: SeedCatalog) -> None:
    found = titles("小米", category=seed.stories.category_id)
    assert found and all(title.startswith("甜心小米") for title in found)


def test_sorts_by_most_played_and_newest(seed: SeedCatalog) -> None:
    Track.objects.filter(title="苹果发布会前瞻").update(play_count=10_000)
    assert titles("芯片", sort="popular")[0] == "苹果发布会前瞻"
    Track.objects.filter(title="华为芯片突破").update(published_at=timezone.now())
    assert titles("芯片", sort="newest")[0] == "华为芯片突破"


def test_results_are_paged(seed: SeedCatalog) -> None:
    first = search("小米", Filters(), per_page=3)
    second = search("小米", Filters(), page=2, per_page=3)
    assert first.has_next and len(first.tracks) == 3
    assert not {h.track.pk for h in first.tracks} & {h.track.pk for h in second.tracks}


def test_suggestions_include_titles_anchors_and_pinyin_matches(seed: SeedCatalog) -> None:
    kinds = {(s.kind, s.title) for s in suggest("凯")}
    assert ("anchor", "凯叔讲故事") in kinds
    assert ("track", "华为芯片突破") in {(s.kind, s.title) for s in suggest("huaw")}


def test_the_suggest_endpoint_answers_json(client: Client, seed: SeedCatalog) -> None:
    response = client.get(reverse("discovery:suggest"), {"q": "xiaomi qiche"})
    assert response.status_code == 200
    data = response.json()
    assert data["query"] == "xiaomi qiche"
    assert any(item["url"] == f"/track/{seed.leak.pk}/" for item in data["suggestions"])


def test_the_results_page_marks_matches_after_escaping(client: Client, anchor: object) -> None:
    album = make_album(anchor=anchor)
    make_track(album=album, title="<b>小米</b>的新闻", intro="<p>关于小米&lt;script&gt;</p>")
    index.sync_index()
    html = client.get(reverse("discovery:search"), {"q": "小米"}).content.decode()
    assert "&lt;b&gt;<mark>小米</mark>&lt;/b&gt;" in html
    assert "<script>" not in html


def test_the_results_page_has_a_pinned_number_of_queries(
    client: Client, seed: SeedCatalog, django_assert_num_queries: object
) -> None:
    # categories, tracks (ids, rows), albums (ids, rows), anchors (ids, rows), log, 熱搜
    with django_assert_num_queries(9):  # type: ignore[operator]
        response = client.get(reverse("discovery:search"), {"q": "小米", "sort": "newest"})
    assert response.status_code == 200


def test_hot_searches_need_three_different_people() -> None:
    now = timezone.now()
    for _ in range(10):
        query_log(query="小米汽车", client="one-person", now=now)
    query_log(query="芯片", client="a", now=now)
    query_log(query="芯片", client="b", now=now)
    query_log(query="芯片", client="c", now=now)
    assert hot_searches(now=now) == ["芯片"]


def test_reindex_rebuilds_every_document(seed: SeedCatalog) -> None:
    SearchDocument.objects.all().delete()
    call_command("reindex", "--search-only", stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    assert titles("小米SU7")


def _documents() -> list[tuple[object, ...]]:
    return sorted(
        SearchDocument.objects.values_list("kind", "object_id", "title", "names", "intro", "pinyin")
    )


def test_a_parallel_rebuild_writes_the_same_index_as_a_serial_one(seed: SeedCatalog) -> None:
    assert index.rebuild(workers=1, batch=3) == index.rebuild(workers=2, batch=3)
    serial = _documents()
    index.rebuild(workers=2, batch=3)
    assert _documents() == serial
    # The full-text triggers are back after the bulk load: an edit is searchable again.
    track = Track.objects.get(pk=seed.leak.pk)
    track.title = "全新标题独角兽"
    track.save()
    index.sync_index()
    assert titles("独角兽") == ["全新标题独角兽"]


def test_an_anchor_without_listed_albums_is_not_found(db: None) -> None:
    make_anchor(display_name="隐身主播")
    index.sync_index()
    assert search("隐身主播", Filters()).anchors == []


@pytest.fixture
def whales(anchor: object) -> list[Track]:
    """Twelve tracks about whales, play counts 0 to 11 (the index is rebuilt after them)."""
    album = make_album(anchor=anchor, title="海洋电台")
    tracks = [
        make_track(album=album, title=f"鲸鱼之歌 第{n}集", play_count=n, duration=60 + n)
        for n in range(12)
    ]
    index.rebuild(workers=1)
    return tracks


def test_relevance_pages_reach_every_match_past_the_first_tier(
    whales: list[Track], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A first tier of 3 of the 5 first-read matches: pages must run on into the second tier
    # without losing or repeating a track.
    monkeypatch.setattr(query, "CANDIDATES", 3)
    monkeypatch.setattr(query, "SCAN", 5)
    seen: list[int] = []
    for page in range(1, 6):
        results = search("鲸鱼", Filters(), page=page, per_page=4)
        seen += [hit.track.pk for hit in results.tracks]
        if not results.has_next:
            break
    assert sorted(seen) == sorted(track.pk for track in whales)
    assert len(seen) == len(set(seen))


def test_a_broad_query_reads_the_most_played_matches_first(
    whales: list[Track], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query, "CANDIDATES", 3)
    monkeypatch.setattr(query, "SCAN", 3)
    first = [hit.track.play_count for hit in search("鲸鱼", Filters(), per_page=3).tracks]
    assert sorted(first) == [9, 10, 11]


def test_a_filter_that_empties_the_first_tier_still_finds_the_rest(
    whales: list[Track], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query, "CANDIDATES", 3)
    monkeypatch.setattr(query, "SCAN", 3)
    # Only the least played whales are short enough; none of them is in the first tier.
    Track.objects.filter(play_count__lt=4).update(duration=30)
    Track.objects.filter(play_count__gte=4).update(duration=3600)
    found = search("鲸鱼", Filters(duration="short"), per_page=10).tracks
    assert sorted(hit.track.play_count for hit in found) == [0, 1, 2, 3]


def test_one_letter_and_one_character_prefixes_are_whole_tokens(seed: SeedCatalog) -> None:
    # One letter is the whole token (an initial such as 小's x), not every x-word.
    assert terms_for("x") == [Term("x")]
    assert terms_for("xi", typing=True) == [Term("xi", prefix=True)]
    assert {hit.track.title for hit in search("x", Filters()).tracks} <= {
        hit.track.title for hit in search("xiao", Filters(), per_page=50).tracks
    }
    assert ("track", "华为芯片突破") in {(s.kind, s.title) for s in suggest("华")}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_the_fts5_upgrade_rebuilds_the_index_from_the_documents(seed: SeedCatalog) -> None:
    migration = importlib.import_module("ting.discovery.migrations.0002_fts_kind_column_prefixes")
    with connection.cursor() as cursor:
        for sql in migration.BACKWARD:
            cursor.execute(sql)
        cursor.execute("SELECT count(*) FROM discovery_fts WHERE discovery_fts MATCH '小米'")
        assert cursor.fetchone()[0] > 0  # the old table, rebuilt
    with connection.cursor() as cursor:
        for sql in migration.FORWARD:
            cursor.execute(sql)
    assert seed.leak.title in titles("小米")
    assert [album.title for album in search("甜心小米", Filters()).albums][:1] == ["甜心小米"]
    # The triggers are the new table's: an edit reaches it.
    track = Track.objects.get(pk=seed.leak.pk)
    track.title = "全新标题独角兽"
    track.save()
    index.sync_index()
    assert titles("独角兽") == ["全新标题独角兽"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_the_album_and_anchor_index_is_filled_from_the_documents(seed: SeedCatalog) -> None:
    migration = importlib.import_module("ting.discovery.migrations.0003_fts_others")
    with connection.cursor() as cursor:
        for sql in [*migration.BACKWARD, *migration.FORWARD]:
            cursor.execute(sql)
    assert [album.title for album in search("甜心小米", Filters()).albums][:1] == ["甜心小米"]
    assert [anchor.display_name for anchor in search("凯叔", Filters()).anchors] == ["凯叔讲故事"]


def test_highlight_keeps_positions_when_folding_changes_lengths() -> None:
    marked = highlight("第一集…小米ＳＵ７ ﬁ", ["小米", "su7"])
    assert marked.parts == [("第一集…", False), ("小米ＳＵ７", True), (" ﬁ", False)]
