"""Search, 熱搜 and 猜你喜歡 over the API: the search page's backend, 繁/简 alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from ting.accounts.models import User
from ting.catalog.tests.factories import make_album, make_anchor, make_track, make_user
from ting.discovery import index, services
from ting.discovery.search import query as search_query
from ting.playback.models import ListeningPosition

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog() -> list[int]:
    album = make_album(title="汽车快讯", anchor=make_anchor(display_name="紅星新聞"))
    ids = [
        make_track(album=album, title=f"电动汽车新闻 第{n}期", position=n).pk for n in range(1, 8)
    ]
    make_track(album=make_album(title="甜心小米"), title="小米去上学")
    index.sync_index()
    return ids


def test_a_traditional_query_finds_simplified_titles(client: Client, catalog: list[int]) -> None:
    body = client.get("/api/v1/search", {"q": "電動汽車"}).json()
    assert {hit["track"]["id"] for hit in body["tracks"]} == set(catalog)
    albums = client.get("/api/v1/search", {"q": "汽車快訊"}).json()["albums"]
    assert [a["title"] for a in albums] == ["汽车快讯"]


def test_search_pages_with_a_cursor(client: Client, catalog: list[int]) -> None:
    first = client.get("/api/v1/search", {"q": "电动汽车", "limit": "5"}).json()
    assert len(first["tracks"]) == 5 and first["next_cursor"]
    cursor: str = first["next_cursor"]
    second = client.get("/api/v1/search", {"q": "电动汽车", "limit": "5", "cursor": cursor}).json()
    ids = [h["track"]["id"] for h in first["tracks"] + second["tracks"]]
    assert sorted(ids) == sorted(catalog) and second["next_cursor"] is None
    assert second["albums"] == []


@pytest.mark.parametrize(
    "query",
    [{"q": ""}, {"q": "x" * 61}, {"q": "a", "sort": "best"}, {"q": "a", "cursor": "WyJ4Il0"}],
)
def test_bad_search_input_answers_422(client: Client, query: dict[str, str]) -> None:
    response = client.get("/api/v1/search", query)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid"


def test_an_unknown_category_is_a_404(client: Client, catalog: list[int]) -> None:
    assert client.get("/api/v1/search", {"q": "汽车", "category": "nope"}).status_code == 404


def test_search_costs_a_fixed_number_of_queries(
    client: Client, catalog: list[int], django_assert_num_queries: Callable[..., Any]
) -> None:
    # tracks: ranked ids, rows; albums: ids, rows; anchors: ids (none match, so no rows)
    with django_assert_num_queries(5):
        assert client.get("/api/v1/search", {"q": "汽车"}).status_code == 200


def test_hot_searches_count_people_not_requests(client: Client) -> None:
    now = timezone.now()
    for who in ("a", "b", "c"):
        search_query.query_log(query="三體", client=who, now=now)
    for _ in range(5):
        search_query.query_log(query="只有一个人", client="d", now=now)
    cache.clear()
    assert client.get("/api/v1/search/hot").json() == {"queries": ["三体"]}


def test_recommendations_come_with_reasons(
    client: Client, listener: User, bearer: Callable[..., dict[str, str]]
) -> None:
    a, b = make_track(title="一"), make_track(title="二")
    for name in ("p", "q", "r"):
        user = make_user(username=f"fan-{name}")
        ListeningPosition.objects.create(user=user, track=a, position=5)
        ListeningPosition.objects.create(user=user, track=b, position=5)
    ListeningPosition.objects.create(user=listener, track=a, position=30)
    services.neighbours_refresh()
    body = client.get("/api/v1/me/recommendations", headers=bearer(listener)).json()
    assert [item["track"]["id"] for item in body] == [b.pk]
    assert body[0]["reason"] == "Because you listened to 一"
    assert client.get("/api/v1/me/recommendations").status_code == 401


def test_recommendations_and_hot_searches_cost_fixed_queries(
    client: Client,
    listener: User,
    bearer: Callable[..., dict[str, str]],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    tracks = [make_track(title=f"第{n}期") for n in range(6)]
    for name in ("p", "q", "r"):
        user = make_user(username=f"fan-{name}")
        for track in tracks:
            ListeningPosition.objects.create(user=user, track=track, position=5)
    ListeningPosition.objects.create(user=listener, track=tracks[0], position=30)
    services.neighbours_refresh()
    headers = bearer(listener)
    client.get("/api/v1/me", headers=headers)  # the token's first use writes last_used_at
    with django_assert_num_queries(2):  # the token, the shelf
        assert len(client.get("/api/v1/me/recommendations", headers=headers).json()) == 5
    cache.clear()
    with django_assert_num_queries(1):  # the week's queries (then cached)
        client.get("/api/v1/search/hot")
