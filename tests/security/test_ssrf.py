"""SSRF on feed import: every spelling of a private address, and names that resolve to one.

ting/feeds/tests/test_fetch_ssrf.py covers the plain addresses, redirects and size caps; this adds
the spellings that slip past string checks, DNS answers (the resolver is outside the machine, so
it is the one thing replaced), and the studio form end to end.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from ting.catalog.models import Anchor
from ting.feeds import fetch, services
from ting.feeds.models import FeedImport

SPELLINGS = [
    "http://2130706433/feed.xml",  # 127.0.0.1 as one decimal number
    "http://017700000001/feed.xml",  # octal
    "http://0x7f000001/feed.xml",  # hexadecimal
    "http://0177.0.0.1/feed.xml",  # octal dotted
    "http://0x7f.0.0.1/feed.xml",
    "http://127.1/feed.xml",  # short form
    "http://127.0.0.1.nip.invalid/feed.xml",
    "http://[0:0:0:0:0:0:0:1]/feed.xml",
    "http://[::ffff:7f00:1]/feed.xml",
    "http://[::ffff:a9fe:a9fe]/latest/meta-data/",  # 169.254.169.254, IPv4-mapped
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://2852039166/latest/meta-data/",  # 169.254.169.254 as a number
    "http://[fe80::1%25eth0]/feed.xml",
    "http://172.16.0.1/feed.xml",
    "http://100.64.0.1/feed.xml",  # carrier-grade NAT
    "http://user:pass@127.0.0.1/feed.xml",
]


@pytest.mark.parametrize("url", SPELLINGS)
def test_other_spellings_of_private_addresses_are_refused(settings: Settings, url: str) -> None:
    settings.TING_FEED_IMPORT_ALLOW_PRIVATE = False
    with pytest.raises(fetch.FetchError) as refused:
        fetch.fetch(url, max_bytes=1000)
    refusals = {"address_refused", "dns", "bad_url", "scheme", "credentials"}
    assert refused.value.code in refusals, refused.value.code


def answer(*addresses: str) -> Any:
    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port, 0, 0) if ":" in a else (a, port),
            )
            for a in addresses
        ]

    return getaddrinfo


@pytest.mark.parametrize(
    "addresses",
    [
        ("10.1.2.3",),
        ("169.254.169.254",),
        ("::1",),
        ("93.184.216.34", "127.0.0.1"),  # one good, one bad: a rebinding resolver's trick
        ("::ffff:192.168.0.1",),
    ],
)
def test_a_public_name_that_resolves_to_a_private_address_is_refused(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, addresses: tuple[str, ...]
) -> None:
    settings.TING_FEED_IMPORT_ALLOW_PRIVATE = False
    monkeypatch.setattr(socket, "getaddrinfo", answer(*addresses))
    with pytest.raises(fetch.FetchError) as refused:
        fetch.fetch("http://podcasts.example.com/feed.xml", max_bytes=1000)
    assert refused.value.code == "address_refused"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/meta-data/", "http://2130706433/feed.xml"]
)
def test_the_studio_import_reports_a_refused_address_clearly(
    settings: Settings, anchor: Anchor, url: str
) -> None:
    settings.TING_FEED_IMPORT_ALLOW_PRIVATE = False
    client = Client()
    client.force_login(anchor.user)
    response = client.post(reverse("feeds:studio_import"), {"url": url}, follow=True)
    assert response.status_code == 200
    feed_import = FeedImport.objects.filter(anchor=anchor).first()
    if feed_import is None:
        # The form refused the URL before any fetch, and said so beside the field.
        assert 'class="errorlist' in response.content.decode()
    else:
        # The sync task runs after commit in production; here it runs now, as the worker would.
        services.feed_import_sync(import_id=feed_import.pk)
        feed_import.refresh_from_db()
        assert feed_import.status == FeedImport.Status.FAILED
        assert "private or reserved" in feed_import.message
        assert feed_import.message
        assert feed_import.episode_count == 0
