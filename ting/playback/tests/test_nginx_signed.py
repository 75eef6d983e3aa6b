"""MEDIA_DELIVERY=nginx-signed: Ting signs once, docs/deploy/nginx.conf checks every range."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from ting.accounts.models import User
from ting.catalog.models import Anchor, Track
from ting.catalog.tests.factories import make_track
from ting.media.models import Rendition
from ting.playback import selectors, signing
from ting.playback.tests.servers import SignedNginx, signed_nginx
from ting.stats.models import StreamLog
from ting.stats.tests.factories import AUDIO, with_audio

pytestmark = [pytest.mark.nginx, pytest.mark.django_db]


@pytest.fixture
def nginx(settings: Settings, tmp_path: Path) -> Iterator[SignedNginx]:
    settings.MEDIA_DELIVERY = "nginx-signed"
    with signed_nginx(
        media_root=Path(settings.MEDIA_ROOT), secret=settings.TING_NGINX_SECRET, workdir=tmp_path
    ) as server:
        yield server


@pytest.fixture
def track(anchor: Anchor) -> Track:
    return with_audio(make_track(album__anchor=anchor))


def player_src(track: Track, user: User | None = None) -> str:
    track = Track.objects.select_related("album__anchor").get(pk=track.pk)
    [source] = selectors.player_data(track=track, user=user, next_track=None)["sources"]
    src: str = source["src"]
    return src


def test_the_player_gets_a_signed_url_that_plays_with_ranges(
    nginx: SignedNginx, track: Track
) -> None:
    src = player_src(track)
    assert src.startswith(f"/listen/{track.pk}/aac64/audio/")
    whole = httpx.get(nginx.base_url + src)
    assert (whole.status_code, whole.content) == (200, AUDIO)
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["cache-control"] == "private, max-age=31536000, immutable"
    part = httpx.get(nginx.base_url + src, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{len(AUDIO)}"
    assert part.content == AUDIO[100:200]
    tail = httpx.get(nginx.base_url + src, headers={"Range": "bytes=-10"})
    assert (tail.status_code, tail.content) == (206, AUDIO[-10:])
    head = httpx.head(nginx.base_url + src)
    assert (head.status_code, head.headers["content-length"]) == (200, str(len(AUDIO)))


def test_nginx_names_ting_audio_types(nginx: SignedNginx, anchor: Anchor) -> None:
    track = with_audio(make_track(album__anchor=anchor), fmt="opus32")
    rendition = Rendition.objects.get(asset__track=track)
    key = (rendition.file.name or "").removesuffix(".bin") + ".opus"
    (Path(settings.MEDIA_ROOT) / key).write_bytes(AUDIO)
    url = signing.nginx_url(key=key, track_id=track.pk, fmt="opus32", user_id=None)
    response = httpx.get(nginx.base_url + url)
    assert response.headers["content-type"] == "audio/ogg"
    assert response.headers["x-content-type-options"] == "nosniff"


def _with_query(url: str, **changes: str) -> str:
    path, _, query = url.partition("?")
    params = {name: values[0] for name, values in parse_qs(query).items()}
    params.update(changes)
    return path + "?" + "&".join(f"{name}={value}" for name, value in params.items())


def test_forged_altered_and_unsigned_urls_get_403(nginx: SignedNginx, track: Track) -> None:
    src = player_src(track)
    path = urlsplit(src).path
    other = with_audio(make_track(album__anchor=track.album.anchor))
    forged = [
        _with_query(src, s="AAAAAAAAAAAAAAAAAAAAAA"),
        _with_query(src, e=str(int(time.time()) + 10 * 86400)),  # a later expiry, same MAC
        _with_query(src, l="0123456789abcdef"),  # another listener's token
        src.replace(f"/listen/{track.pk}/", f"/listen/{other.pk}/"),  # counted as another track
        path,
    ]
    for url in forged:
        response = httpx.get(nginx.base_url + url)
        assert response.status_code == 403, url
        assert AUDIO[:100] not in response.content


def test_an_expired_url_gets_410(nginx: SignedNginx, track: Track) -> None:
    rendition = Rendition.objects.get(asset__track=track)
    url = signing.nginx_url(
        key=rendition.file.name or "", track_id=track.pk, fmt="aac64", user_id=None,
        ttl=60, now=time.time() - 120,
    )  # fmt: skip
    response = httpx.get(nginx.base_url + url)
    assert response.status_code == 410


def test_the_stream_url_redirects_to_nginx_and_logs_nothing_itself(
    nginx: SignedNginx, track: Track, client: Client
) -> None:
    response = client.get(reverse("playback:stream", args=[track.pk, "aac64"]))
    assert response.status_code == 302
    assert response["Cache-Control"] == "no-store"
    location = response["Location"]
    assert location.startswith(f"/listen/{track.pk}/aac64/")
    assert int(parse_qs(urlsplit(location).query)["e"][0]) > time.time() + 3600
    assert httpx.get(nginx.base_url + location).content == AUDIO
    # nginx logs the bytes it sent; a row for the redirect would count a download twice.
    assert not StreamLog.objects.exists()


def test_a_private_track_is_signed_for_whoever_may_open_it(
    nginx: SignedNginx, anchor: Anchor, client: Client
) -> None:
    hidden = with_audio(make_track(album__anchor=anchor, visibility="unlisted"))
    src = player_src(hidden)
    assert httpx.get(nginx.base_url + src).content == AUDIO
    # Without Ting's signature the stream URL still refuses, and hands out no nginx URL.
    assert client.get(reverse("playback:stream", args=[hidden.pk, "aac64"])).status_code == 404


def test_drafts_keep_a_check_on_every_request(
    nginx: SignedNginx, anchor: Anchor, client: Client
) -> None:
    draft = with_audio(make_track(album__anchor=anchor, status=Track.Status.DRAFT))
    src = player_src(draft, user=anchor.user)
    assert src.startswith(reverse("playback:stream", args=[draft.pk, "aac64"]) + "?exp=")
    client.force_login(anchor.user)
    response = client.get(src)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"].startswith(settings.TING_XACCEL_PREFIX)
    assert StreamLog.objects.get().status == 200  # Ting logs what it serves itself


def test_the_listener_token_is_opaque_and_names_the_user(listener: User) -> None:
    first = signing.listener_token(listener.pk, expires=2_000_000_000)
    second = signing.listener_token(listener.pk, expires=2_000_000_001)
    assert first != second and str(listener.pk) not in (first, second)
    assert signing.listener_from_token(first, expires=2_000_000_000) == listener.pk
    assert signing.listener_from_token(first, expires=2_000_000_001) != listener.pk
    assert signing.listener_from_token("not-a-token", expires=2_000_000_000) is None
