"""Comment text: graphemes as readers count them, inert rendering, time codes."""

from __future__ import annotations

import pytest

from ting.accounts.models import User
from ting.catalog.models import Track
from ting.core.errors import ApplicationError
from ting.social.services.comments import comment_post
from ting.social.text import grapheme_count, render

THUMB_MEDIUM = "👍🏽"
FAMILY = "👨‍👩‍👧‍👦"


def test_an_emoji_with_a_skin_tone_counts_as_one_character() -> None:
    assert len(THUMB_MEDIUM) == 2
    assert grapheme_count(THUMB_MEDIUM) == 1


def test_a_zwj_family_emoji_counts_as_one_character() -> None:
    assert len(FAMILY) == 7
    assert grapheme_count(FAMILY) == 1
    assert grapheme_count(f"好{FAMILY}听{THUMB_MEDIUM}") == 4


def test_300_family_emoji_are_accepted_and_301_are_refused(listener: User, track: Track) -> None:
    comment = comment_post(author=listener, track=track, body=FAMILY * 300)
    assert comment.body == FAMILY * 300
    with pytest.raises(ApplicationError) as refused:
        comment_post(author=listener, track=track, body="聽" * 301)
    assert refused.value.code == "too_long"


def test_a_single_character_buried_in_combining_marks_is_refused(
    listener: User, track: Track
) -> None:
    zalgo = "a" + "\u0301" * 5000
    assert grapheme_count(zalgo) == 1
    with pytest.raises(ApplicationError):
        comment_post(author=listener, track=track, body=zalgo)


def test_time_codes_become_links_that_seek_the_player() -> None:
    html = render("12:34 最精彩，1:02:03 也好，99:99 不是", track_id=7, duration=4000)
    assert 'data-seek="754" data-track-id="7"' in html
    assert 'data-seek="3723" data-track-id="7"' in html
    assert "99:99" in html and 'data-seek="6039"' not in html


def test_time_codes_past_the_end_of_the_track_stay_text() -> None:
    assert "data-seek" not in render("看 59:00", track_id=7, duration=224)


def test_urls_become_nofollow_links_and_nothing_else_is_markup() -> None:
    html = render('看 https://example.com/a?b=1&c="x"。<b>粗</b>', track_id=None)
    assert '<a href="https://example.com/a?b=1&amp;c=' in html
    assert 'rel="nofollow ugc noopener"' in html
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_a_javascript_url_is_never_a_link() -> None:
    html = render("javascript:alert(1) data:text/html,<script>", track_id=None)
    assert "<a" not in html and "&lt;script&gt;" in html
