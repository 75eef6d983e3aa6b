"""Security headers on every kind of page, and a Content-Security-Policy the pages can live with."""

from __future__ import annotations

import lxml.html
import pytest
from csp.middleware import CSPMiddleware
from django.test import RequestFactory
from django.urls import reverse

from tests.security.world import World
from ting.core.views import server_error

pytestmark = pytest.mark.django_db


def policy(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def pages(world: World) -> list[str]:
    return [
        reverse("home"),
        reverse("album", args=[world.albums["public"].pk]),
        reverse("track", args=[world.tracks["public"].pk]),
        reverse("anchor", args=[world.owner.pk]),
        reverse("discovery:search") + "?q=x",
        reverse("accounts:login"),
        "/no-such-page/",
    ]


def test_pages_forbid_framing_sniffing_and_inline_code(world: World) -> None:
    client = world.client("owner")
    for url in [*pages(world), reverse("studio:dashboard"), "/api/v1/albums"]:
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", url
        csp = policy(response["Content-Security-Policy"])
        assert csp["frame-ancestors"] == ["'none'"], url
        assert csp["script-src"] == ["'self'"], url
        assert csp["style-src"] == ["'self'"], url
        assert csp["object-src"] == ["'none'"], url
        assert csp["base-uri"] == ["'none'"], url
        assert csp["form-action"] == ["'self'"], url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], url


@pytest.mark.parametrize("name", ["playback:embed_track", "playback:embed_album"])
def test_embed_pages_may_be_framed_by_any_site(world: World, name: str) -> None:
    pk = world.tracks["public"].pk if "track" in name else world.albums["public"].pk
    response = world.client("anonymous").get(reverse(name, args=[pk]))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    csp = policy(response["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["*"]
    assert csp["script-src"] == ["'self'"]  # framable, but no looser inside


def test_a_missing_embed_is_not_framable(world: World) -> None:
    response = world.client("anonymous").get(
        reverse("playback:embed_track", args=[world.tracks["private"].pk])
    )
    assert response.status_code == 404
    assert response["X-Frame-Options"] == "DENY"


def test_the_server_error_page_allows_exactly_its_own_style(world: World) -> None:

    request = RequestFactory().get("/")
    response = CSPMiddleware(server_error).process_response(request, server_error(request))
    csp = policy(response["Content-Security-Policy"])
    assert csp["style-src"][0] == "'self'"
    assert len(csp["style-src"]) == 2 and csp["style-src"][1].startswith("'sha256-")


def test_pages_carry_no_inline_script_or_style(world: World) -> None:
    """What the CSP refuses would break silently in a browser: catch it here first."""
    client = world.client("owner")
    urls = [
        *[url for url in pages(world) if "login" not in url],
        reverse("accounts:profile"),
        reverse("studio:dashboard"),
        reverse("studio:album", args=[world.albums["public"].pk]),
        reverse("stats:album", args=[world.albums["public"].pk]),
        reverse("playback:embed_track", args=[world.tracks["public"].pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in {200, 404}, (url, response.status_code)
        document = lxml.html.document_fromstring(response.content)
        inline = [
            lxml.html.tostring(el)[:80]
            for el in document.iter("script")
            if not el.get("src") and el.get("type") != "application/json"
        ]
        assert not inline, (url, inline)
        assert not document.xpath("//style"), url
        styled = [el.tag for el in document.iter() if isinstance(el.tag, str) and el.get("style")]
        assert not styled, (url, styled)
        handlers = [
            (el.tag, name)
            for el in document.iter()
            if isinstance(el.tag, str)
            for name in el.attrib
            if name.startswith("on")
        ]
        assert not handlers, (url, handlers)
