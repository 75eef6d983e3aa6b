"""Sessions, sign-in throttling, password reset links and redirects (ASVS V6, V7)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from ting.accounts.models import User
from ting.catalog.models import Anchor

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factories' password
NEW_PASSWORD = "a-new-and-unusual-passphrase"
LIMIT = 5  # settings.AXES_FAILURE_LIMIT's default, which the tests below rely on


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: str) -> int:
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": password, **extra}
    )
    return response.status_code


# --- sessions -------------------------------------------------------------------------------


def test_signing_in_gives_a_new_session_key(client: Client, listener: User) -> None:
    """Session fixation: a key planted before sign-in is worth nothing after it."""
    client.get(reverse("accounts:login"))
    session = client.session
    session["planted"] = "by someone else"
    session.save()
    before = session.session_key
    assert sign_in(client, listener.username) == 302
    assert client.session.session_key != before
    assert client.session.get("_auth_user_id") == str(listener.pk)


def test_signing_out_ends_the_session_on_the_server(client: Client, listener: User) -> None:
    assert sign_in(client, listener.username) == 302
    key = client.session.session_key
    client.post(reverse("accounts:logout"))
    replay = Client()
    replay.cookies["sessionid"] = key or ""
    assert replay.get(reverse("accounts:profile")).status_code == 302


def test_session_and_csrf_cookies_are_http_only_and_same_site(
    client: Client, listener: User
) -> None:
    sign_in(client, listener.username)
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


# --- brute force ----------------------------------------------------------------------------


def fail(client: Client, username: str, times: int) -> None:
    """`times` wrong passwords; the one that reaches the limit is answered with the lock."""
    for n in range(1, times + 1):
        expected = 429 if n >= times and times >= LIMIT else 200
        assert sign_in(client, username, "wrong password") == expected


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "Too many sign-in attempts"),
        ("zh-hans", "登录尝试次数过多"),
        ("zh-hant", "登入嘗試次數過多"),
    ],
)
def test_too_many_failures_lock_the_account_with_a_readable_page(
    settings: Settings, listener: User, language: str, words: str
) -> None:
    client = Client(headers={"Accept-Language": language})
    client.cookies["ting_language"] = language
    fail(client, listener.username, settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(
        reverse("accounts:login"), {"username": listener.username, "password": "wrong"}
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert words in page
    assert "15" in page  # the cool-off, in minutes
    # Locked means locked: the right password is refused too, until the cool-off ends.
    assert sign_in(client, listener.username) == 429


def test_the_lock_lifts_after_the_cool_off(settings: Settings, listener: User) -> None:
    client = Client()
    fail(client, listener.username, settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, listener.username) == 429
    later = timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        assert sign_in(client, listener.username) == 302


def test_a_lock_on_one_address_leaves_the_owner_signing_in_from_another(
    settings: Settings, listener: User
) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    fail(attacker, listener.username, settings.AXES_FAILURE_LIMIT)
    assert sign_in(attacker, listener.username) == 429
    assert sign_in(Client(REMOTE_ADDR="198.51.100.7"), listener.username) == 302


def test_forged_forwarded_for_headers_do_not_reset_the_count(
    settings: Settings, listener: User
) -> None:
    """Behind one proxy only the entry the proxy appended counts, not what the client wrote."""
    settings.TING_PROXY_HOPS = 1
    client = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(settings.AXES_FAILURE_LIMIT):
        forged = f"192.0.2.{n}, 203.0.113.9"
        response = client.post(
            reverse("accounts:login"),
            {"username": listener.username, "password": "wrong"},
            headers={"X-Forwarded-For": forged},
        )
        assert response.status_code in {200, 429}
    locked = client.post(
        reverse("accounts:login"),
        {"username": listener.username, "password": PASSWORD},
        headers={"X-Forwarded-For": "192.0.2.200, 203.0.113.9"},
    )
    assert locked.status_code == 429


# --- password reset -------------------------------------------------------------------------


@pytest.fixture
def reset_link(settings: Settings, client: Client, listener: User) -> str:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post(reverse("accounts:password_reset"), {"email": listener.email})
    (message,) = mail.outbox
    match = re.search(r"https?://testserver(/\S+)", str(message.body))
    assert match is not None, message.body
    return match.group(1)


def use_link(link: str) -> int:
    client = Client()
    response = client.get(link, follow=True)
    if b'name="new_password1"' not in response.content:
        return 410  # the page says the link is invalid
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    return done.status_code


def test_a_reset_link_works_once(reset_link: str, listener: User) -> None:
    assert use_link(reset_link) == 302
    assert use_link(reset_link) == 410
    listener.refresh_from_db()
    assert listener.check_password(NEW_PASSWORD)


def test_a_reset_link_expires(settings: Settings, reset_link: str, listener: User) -> None:
    # A day past the limit: Django's token clock is naive local time, so a margin of seconds
    # would hinge on the process's time zone.
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT, days=1)
    with time_machine.travel(later, tick=False):
        assert use_link(reset_link) == 410
    listener.refresh_from_db()
    assert listener.check_password(PASSWORD)


def test_a_reset_link_dies_when_the_password_changes_another_way(
    reset_link: str, listener: User
) -> None:
    listener.set_password("changed-some-other-way-42")
    listener.save()
    assert use_link(reset_link) == 410


def test_asking_for_a_reset_does_not_tell_whether_the_address_exists(
    settings: Settings, client: Client, listener: User
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    known = client.post(reverse("accounts:password_reset"), {"email": listener.email})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


# --- redirects ------------------------------------------------------------------------------

EVIL = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "http://testserver@evil.example/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
    "%2F%2Fevil.example",
    "https://evil.example%23@testserver/",
]


def leaves_the_site(location: str) -> bool:
    """Where a browser would go: it drops blanks, reads a backslash as "/", resolves relatives."""
    cleaned = "".join(location.split()).replace(chr(92), "/")
    where = urlsplit(urljoin("http://testserver/accounts/login/", cleaned))
    return where.scheme not in {"http", "https"} or where.hostname != "testserver"


@pytest.mark.parametrize("target", EVIL)
def test_login_never_redirects_off_site(client: Client, listener: User, target: str) -> None:
    response = client.post(
        reverse("accounts:login"),
        {"username": listener.username, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert not leaves_the_site(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", EVIL)
def test_logout_never_redirects_off_site(client: Client, listener: User, target: str) -> None:
    client.force_login(listener)
    response = client.post(reverse("accounts:logout") + "?next=" + target, {"next": target})
    assert response.status_code == 302
    assert not leaves_the_site(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", EVIL)
def test_the_language_switch_never_redirects_off_site(client: Client, target: str) -> None:
    response = client.post(
        reverse("set_language"),
        {"language": "en", "next": target},
        headers={"Referer": target},
    )
    assert response.status_code == 302
    assert not leaves_the_site(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", EVIL)
def test_social_actions_never_redirect_off_site(
    client: Client, listener: User, anchor: Anchor, target: str
) -> None:
    client.force_login(listener)
    url = reverse("social:follow", args=[anchor.pk])
    response = client.post(url + "?next=" + target, {"next": target})
    assert response.status_code == 303
    assert not leaves_the_site(response["Location"]), response["Location"]


def test_a_same_site_next_is_followed(client: Client, listener: User) -> None:
    """The refusals above are about the target: a path on this site is honoured."""
    response = client.post(
        reverse("accounts:login"),
        {"username": listener.username, "password": PASSWORD, "next": "/me/likes/"},
    )
    assert response["Location"] == "/me/likes/"
