"""Very long albums are split into RFC 5005 pages; the query count stays flat with length."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from ting.catalog.models import Track
from ting.catalog.tests.factories import make_album

pytestmark = pytest.mark.django_db
ATOM = {"atom": "http://www.w3.org/2005/Atom"}


def _links(content: bytes) -> dict[str, str]:
    root = etree.fromstring(content)
    return {
        str(link.get("rel")): str(link.get("href"))
        for link in root.iterfind("channel/atom:link", ATOM)
    }


def test_a_long_album_is_paged_with_first_next_and_last_links(
    client: Client, settings: Any, episode_factory: Callable[..., Track]
) -> None:
    settings.TING_FEED_PAGE_SIZE = 10
    album = make_album()
    for position in range(1, 26):
        episode_factory(album, position=position)
    url = f"/feeds/album/{album.pk}.xml"
    seen: list[str] = []
    page = client.get(url)
    links = _links(page.content)
    assert links["first"] == f"http://testserver{url}"
    assert links["last"] == f"http://testserver{url}?page=3"
    while True:
        seen += [str(t.text) for t in etree.fromstring(page.content).iterfind("channel/item/guid")]
        if "next" not in _links(page.content):
            break
        page = client.get(_links(page.content)["next"].removeprefix("http://testserver"))
    assert len(seen) == 25 == len(set(seen))
    assert client.get(f"{url}?page=4").status_code == 404
    assert client.get(f"{url}?page=zero").status_code == 404


@pytest.mark.parametrize("episodes", [3, 30])
def test_a_feed_page_costs_the_same_queries_at_any_length(
    client: Client,
    episodes: int,
    episode_factory: Callable[..., Track],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    album = make_album()
    for position in range(1, episodes + 1):
        episode_factory(album, position=position)
    # album+anchor+user+category, the validators' aggregate, the tags, one page of episodes.
    with django_assert_num_queries(4):
        assert client.get(f"/feeds/album/{album.pk}.xml").status_code == 200
