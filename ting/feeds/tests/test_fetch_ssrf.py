"""The importer fetches only public addresses: checked at connect time and after each redirect."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from ting.feeds import fetch
from ting.feeds.tests.conftest import Site

PUBLIC_IP = ipaddress.ip_address("127.0.0.1")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed.xml",
        "http://localhost/feed.xml",
        "http://10.0.0.8/feed.xml",
        "http://192.168.1.1/feed.xml",
        "http://[::1]/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/feed.xml",
        "http://224.0.0.1/feed.xml",
        "http://0.0.0.0/feed.xml",
    ],
)
def test_private_loopback_and_metadata_addresses_are_refused(settings: Any, url: str) -> None:
    settings.TING_FEED_IMPORT_ALLOW_PRIVATE = False
    with pytest.raises(fetch.FetchError) as refused:
        fetch.fetch(url, max_bytes=1000)
    assert refused.value.code == "address_refused"


def test_metadata_addresses_stay_refused_when_private_ones_are_allowed(settings: Any) -> None:
    settings.TING_FEED_IMPORT_ALLOW_PRIVATE = True
    with pytest.raises(fetch.FetchError, match="private or reserved"):
        fetch.fetch("http://169.254.169.254/latest/meta-data/", max_bytes=1000)


def test_other_schemes_are_refused() -> None:
    with pytest.raises(fetch.FetchError) as refused:
        fetch.fetch("file:///etc/passwd", max_bytes=1000)
    assert refused.value.code == "scheme"


@pytest.fixture
def loopback_is_public(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test server stands in for a public host; every other rule is the real one."""
    settings.TING_FEED_IMPORT_ALLOW_PRIVATE = False
    real = fetch.address_allowed
    monkeypatch.setattr(fetch, "address_allowed", lambda ip: ip == PUBLIC_IP or real(ip))


@pytest.mark.parametrize(
    "target", ["http://10.0.0.8/feed.xml", "http://[::1]:80/x", "http://169.254.169.254/"]
)
def test_a_redirect_to_a_private_address_is_refused(
    loopback_is_public: None, site: Site, settings: Any, target: str
) -> None:
    settings.TING_FEED_IMPORT_ALLOW_PRIVATE = False
    url = site.add("/moved", b"", status=302, Location=target)
    with pytest.raises(fetch.FetchError) as refused:
        fetch.fetch(url, max_bytes=1000)
    assert refused.value.code == "address_refused"


def test_redirects_are_followed_and_capped(
    loopback_is_public: None, site: Site, settings: Any
) -> None:
    settings.TING_FEED_IMPORT_ALLOW_PRIVATE = False
    site.add("/feed.xml", b"<rss/>")
    url = site.add("/old", b"", status=301, Location="/feed.xml")
    assert fetch.fetch(url, max_bytes=1000).body == b"<rss/>"
    loop = site.add("/loop", b"", status=302, Location="/loop")
    with pytest.raises(fetch.FetchError) as refused:
        fetch.fetch(loop, max_bytes=1000)
    assert refused.value.code == "too_many_redirects"


def test_a_body_over_the_limit_is_refused(site: Site) -> None:
    url = site.add("/huge.xml", b"x" * 5000)
    with pytest.raises(fetch.FetchError) as refused:
        fetch.fetch(url, max_bytes=4000)
    assert refused.value.code == "too_large"


def test_the_host_header_names_the_host_not_the_address(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    real = fetch.resolve

    def resolve(host: str, port: int) -> list[tuple[int, tuple[str, int]]]:
        seen.append(host)
        return real("127.0.0.1", port)

    monkeypatch.setattr(fetch, "resolve", resolve)
    url = site.add("/feed.xml", b"<rss/>").replace("127.0.0.1", "podcast.example")
    assert fetch.fetch(url, max_bytes=1000).body == b"<rss/>"
    assert seen == ["podcast.example"]
