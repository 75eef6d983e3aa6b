"""Pages speak the reader's language: zh-Hans, zh-Hant or English, at the same URL.

The language comes from the `ting_language` cookie (set by the switcher through
/i18n/setlang/), else from Accept-Language. These tests compile locale/*.po into a temporary
folder first, so they check the catalogs as they are now, not a stale .mo from an earlier build.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from ting.accounts.forms import SignUpForm
from ting.catalog.models import Album, Category
from ting.catalog.tests.factories import make_album, make_category, make_track, make_user

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"

# What the header and footer say in each language; none of it appears in the other two.
CHROME = {
    "zh-hans": ["首页", "登录", "注册", "跳到正文", "为独立音频打造的自由软件"],
    "zh-hant": ["首頁", "登入", "註冊", "跳至主要內容", "為獨立音訊打造的自由軟體"],
    "en": ["Home", "Log in", "Sign up", "Skip to content", "free software for independent audio"],
}
LANGUAGE_CODES = list(CHROME)


@pytest.fixture(scope="module")
def compiled_locale(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """locale/ compiled afresh into a temporary folder (the repository is never written)."""
    if not shutil.which("msgfmt"):
        pytest.fail("GNU gettext's msgfmt is needed (Debian/Ubuntu: apt-get install gettext).")
    target = tmp_path_factory.mktemp("locale")
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        mo = target / po.relative_to(LOCALE_DIR).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["msgfmt", "--check-format", "-o", str(mo), str(po)],
            check=True,
            capture_output=True,
        )
    return target


@pytest.fixture(autouse=True)
def _fresh_catalogs(settings: Any, compiled_locale: Path) -> Iterator[None]:
    settings.LOCALE_PATHS = [compiled_locale]  # resets Django's translation caches both ways
    yield


def in_language(client: Client, code: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    return client


def page_text(response: TestResponse) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def assert_speaks(page: str, code: str) -> None:
    assert f'<html lang="{code}">' in page
    for text in CHROME[code]:
        assert text in page, f"{text!r} missing from the {code} page"
    for other, texts in CHROME.items():
        if other != code:
            leaked = [text for text in texts if text in page]
            assert not leaked, f"{other} text {leaked} on the {code} page"


# --- choosing the language -----------------------------------------------------------------------


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_the_cookie_chooses_the_language(client: Client, code: str) -> None:
    response = in_language(client, code).get("/")
    assert_speaks(page_text(response), code)
    assert response["Content-Language"] == code


@pytest.mark.parametrize(
    ("accept_language", "code"),
    [
        ("zh-TW", "zh-hant"),
        ("zh-TW,zh;q=0.9,en;q=0.8", "zh-hant"),
        ("zh-HK", "zh-hant"),
        ("zh-CN", "zh-hans"),
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("zh-SG", "zh-hans"),
        ("en-US", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR", "zh-hans"),  # nothing we speak: the default
        ("", "zh-hans"),
    ],
)
def test_accept_language_chooses_when_there_is_no_cookie(
    client: Client, accept_language: str, code: str, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "zh-hans"  # the product's default, which the suite sets to English
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert_speaks(page_text(response), code)
    assert "Accept-Language" in response["Vary"]


def test_the_cookie_wins_over_accept_language(client: Client) -> None:
    response = in_language(client, "en").get("/", HTTP_ACCEPT_LANGUAGE="zh-TW")
    assert_speaks(page_text(response), "en")


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_the_url_is_the_same_in_every_language(client: Client, code: str) -> None:
    track = make_track()
    paths = ["/", f"/track/{track.pk}/", f"/album/{track.album_id}/", "/accounts/signup/"]
    for path in paths:
        response = in_language(client, code).get(path)
        assert response.status_code == 200, (path, response.status_code)  # no redirect
        assert response.wsgi_request.path == path
    with translation.override(code):
        assert reverse("track", args=[track.pk]) == f"/track/{track.pk}/"
        assert reverse("home") == "/"


# --- the switcher --------------------------------------------------------------------------------


class _SwitcherParser(HTMLParser):
    """The language switcher form: its action, method, hidden `next` and options."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.form: dict[str, str] = {}
        self.fields: dict[str, str] = {}
        self.options: list[tuple[str, bool]] = []
        self.select_name = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and "lang-switch" in values.get("class", "").split():
            self.inside, self.form = True, values
        elif self.inside and tag == "input":
            self.fields[values.get("name", "")] = values.get("value", "")
        elif self.inside and tag == "select":
            self.select_name = values.get("name", "")
        elif self.inside and tag == "option":
            self.options.append((values.get("value", ""), "selected" in values))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def switcher(page: str) -> _SwitcherParser:
    parser = _SwitcherParser()
    parser.feed(page)
    assert parser.form, "no language switcher on the page"
    return parser


def test_the_switcher_posts_to_setlang_and_comes_back_to_the_same_page(client: Client) -> None:
    category = make_category(slug="history")
    make_track(album__category=category)
    here = "/category/history/?sort=popular&page=1"

    form = switcher(page_text(in_language(client, "zh-hans").get(here)))
    assert form.form["action"] == reverse("set_language") == "/i18n/setlang/"
    assert form.form["method"].lower() == "post"
    assert form.fields["next"] == here
    assert form.select_name == "language"
    assert form.options == [("zh-hans", True), ("zh-hant", False), ("en", False)]

    response = client.post(
        form.form["action"], {"language": "zh-hant", "next": form.fields["next"]}
    )
    assert response.status_code == 302
    assert response["Location"] == here
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"

    page = page_text(client.get(response["Location"]))
    assert_speaks(page, "zh-hant")
    assert switcher(page).options == [("zh-hans", False), ("zh-hant", True), ("en", False)]


def test_the_switcher_names_each_language_in_itself(client: Client) -> None:
    for code in LANGUAGE_CODES:
        page = page_text(in_language(client, code).get("/"))
        for name in ("简体中文", "繁體中文", "English"):
            assert f">{name}</option>" in page


# --- forms and messages --------------------------------------------------------------------------

PASSWORD = "a-long-and-unusual-passphrase"

# Django's own catalogs translate its built-in messages; these are its texts in 5.2.
PASSWORD_MISMATCH = {
    "zh-hans": "输入的两个密码不一致。",
    "zh-hant": "輸入的兩個密碼不一致。",
    "en": "The two password fields didn’t match.",
}
EMAIL_TAKEN = {
    "zh-hans": "该邮箱已注册。请直接登录，或重置密码。",
    "zh-hant": "這個電子郵件地址已經註冊過了。請直接登入，或重設密碼。",
    "en": "This e-mail address has an account already. Log in or reset the password.",
}
EMAIL_LABEL = {"zh-hans": "邮箱", "zh-hant": "電子郵件地址", "en": "E-mail address"}


def sign_up(client: Client, **overrides: str) -> TestResponse:
    data = {
        "username": "xiaoming",
        "email": "xiaoming@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post(reverse("accounts:signup"), data)


@pytest.mark.parametrize("code", ["zh-hans", "zh-hant"])
def test_django_ships_the_builtin_messages_in_both_scripts(code: str) -> None:
    english = SignUpForm.error_messages["password_mismatch"]
    with translation.override(code):
        translated = str(english)
    assert translated == PASSWORD_MISMATCH[code]
    assert translated != PASSWORD_MISMATCH["en"]


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_form_errors_are_in_the_reader_language(client: Client, code: str) -> None:
    make_user(username="taken", email="taken@example.com")
    response = sign_up(
        in_language(client, code), email="taken@example.com", password2=PASSWORD + "-typo"
    )
    page = page_text(response)  # a form with errors comes back with 200
    assert escape(PASSWORD_MISMATCH[code]) in page
    assert escape(EMAIL_TAKEN[code]) in page
    assert f">{EMAIL_LABEL[code]}</label>" in page
    for other in LANGUAGE_CODES:
        if other != code:
            assert escape(PASSWORD_MISMATCH[other]) not in page


@pytest.mark.parametrize(
    ("code", "welcome"),
    [("zh-hans", "欢迎来到 Ting！"), ("zh-hant", "歡迎加入 Ting！"), ("en", "Welcome to Ting!")],
)
def test_flash_messages_are_in_the_reader_language(client: Client, code: str, welcome: str) -> None:
    response = sign_up(in_language(client, code))
    assert response.status_code == 302
    assert welcome in page_text(client.get(response["Location"]))


# --- content labels ------------------------------------------------------------------------------

CATEGORY_NAMES = {"zh-hans": "有声书", "zh-hant": "有聲書", "en": "Audiobooks"}


def _audiobooks() -> Category:
    return make_category(
        slug="audiobooks",
        name_zh_hans=CATEGORY_NAMES["zh-hans"],
        name_zh_hant=CATEGORY_NAMES["zh-hant"],
        name_en=CATEGORY_NAMES["en"],
    )


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_category_names_are_in_the_reader_language(client: Client, code: str) -> None:
    track = make_track(album__category=_audiobooks())
    client = in_language(client, code)
    pages = {
        "home": page_text(client.get("/")),
        "category": page_text(client.get("/category/audiobooks/")),
        "album": page_text(client.get(f"/album/{track.album_id}/")),
    }
    assert f"<h1>{CATEGORY_NAMES[code]}</h1>" in pages["category"]
    for name, page in pages.items():
        assert f">{CATEGORY_NAMES[code]}</a>" in page, name
        for other, other_name in CATEGORY_NAMES.items():
            if other != code:
                assert other_name not in page, (name, other_name)


@pytest.mark.parametrize(
    ("code", "status", "one", "two"),
    [
        ("zh-hans", "连载中", "共1集", "共2集"),
        ("zh-hant", "連載中", "共1集", "共2集"),
        ("en", "Serialising", "1 track", "2 tracks"),
    ],
)
def test_choices_and_plurals_are_in_the_reader_language(
    client: Client, code: str, status: str, one: str, two: str
) -> None:
    album = make_album(status=Album.Status.SERIALISING)
    make_track(album=album)
    page = page_text(in_language(client, code).get(f"/album/{album.pk}/"))
    assert f'<span class="badge">{status}</span>' in page
    assert one in page
    make_track(album=album)
    assert two in page_text(client.get(f"/album/{album.pk}/"))


@pytest.mark.parametrize(
    ("code", "heading"),
    [("zh-hans", "找不到这个页面"), ("zh-hant", "找不到這個頁面"), ("en", "We could not find")],
)
def test_the_not_found_page_is_in_the_reader_language(
    client: Client, code: str, heading: str
) -> None:
    response = in_language(client, code).get("/album/999999/")
    assert response.status_code == 404
    assert heading in response.content.decode()
