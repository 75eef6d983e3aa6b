"""The sensitive-word filter: one Aho-Corasick automaton per word list, built once per process.

Words and comments are compared in one normal form (OpenCC t2s, NFKC, case-folded), so a word
listed as 敏感词 also catches 敏感詞 and ＡＢＣ catches abc. The list is a small built-in
default plus `settings.TING_SENSITIVE_WORDS_FILE` (UTF-8, one word a line, `#` comments);
the file is read again when it changes.
"""

from __future__ import annotations

import functools
from pathlib import Path

import ahocorasick
from django.conf import settings

from ting.social.text import normalise

# Spam and fraud patterns common under Chinese audio comments; deployments extend the list.
DEFAULT_WORDS = (
    "代开发票",
    "刷单兼职",
    "网赚日结",
    "裸聊",
    "六合彩",
    "博彩网站",
    "办假证",
    "枪支出售",
    "加微信领红包",
)


@functools.cache
def _automaton(path: str, mtime_ns: int) -> ahocorasick.Automaton:
    words = list(DEFAULT_WORDS)
    if path:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            word = line.split("#", 1)[0].strip()
            if word:
                words.append(word)
    automaton = ahocorasick.Automaton()
    for word in words:
        key = normalise(word)
        if key:
            automaton.add_word(key, word)
    automaton.make_automaton()
    return automaton


def _current() -> ahocorasick.Automaton:
    path: str = getattr(settings, "TING_SENSITIVE_WORDS_FILE", "") or ""
    mtime = Path(path).stat().st_mtime_ns if path else 0
    return _automaton(path, mtime)


def sensitive_words_in(text: str) -> list[str]:
    """The listed words this text contains (as listed), in order of appearance, once each."""
    found: dict[str, None] = {}
    for _end, word in _current().iter(normalise(text)):
        found.setdefault(word, None)
    return list(found)
