"""Chinese script for readers: content is stored as written and converted per reader.

OpenCC converters are phrase-level (鼠标 → 滑鼠 for Taiwan) and cost milliseconds to build, so
each is built once per process and reused.
"""

from __future__ import annotations

import contextvars
from enum import StrEnum
from functools import cache, lru_cache

import opencc


class Script(StrEnum):
    """How a reader wants Chinese text written."""

    ORIGINAL = "original"  # English readers see Chinese content as its author wrote it
    HANS = "hans"
    HANT_TW = "hant-tw"
    HANT_HK = "hant-hk"


_CONFIG = {
    Script.HANS: "t2s",
    Script.HANT_TW: "s2twp",
    Script.HANT_HK: "s2hk",
}

_reader_script: contextvars.ContextVar[Script] = contextvars.ContextVar(
    "reader_script", default=Script.ORIGINAL
)


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def convert(text: str, script: Script) -> str:
    if script is Script.ORIGINAL or not text:
        return text
    return _convert(text, _CONFIG[script])


# A page converts the same titles again and again (the album, the anchor, 猜你喜歡's few dozen
# tracks per category) and conversion is the costliest part of rendering them; results are
# pure functions of the text, so the latest few thousand are kept. Long texts (intros) are
# cached too: a popular page's intro is converted once, not on every view.
@lru_cache(maxsize=4096)
def _convert(text: str, config: str) -> str:
    return str(_converter(config).convert(text))


def to_simplified(text: str) -> str:
    """The normal form for search and comparisons: Traditional and Simplified compare equal."""
    return convert(text, Script.HANS)


def reader_script() -> Script:
    return _reader_script.get()


def set_reader_script(script: Script) -> contextvars.Token[Script]:
    return _reader_script.set(script)


def reset_reader_script(token: contextvars.Token[Script]) -> None:
    _reader_script.reset(token)


def script_for(language: str, accept_language: str = "") -> Script:
    """The script for a UI language; a Hong Kong or Macau browser gets Hong Kong forms."""
    language = language.lower()
    if language.startswith("zh-hans") or language in {"zh-cn", "zh-sg", "zh-my", "zh"}:
        return Script.HANS
    if language.startswith("zh-hant") or language in {"zh-tw", "zh-hk", "zh-mo"}:
        regions = accept_language.lower()
        if language in {"zh-hk", "zh-mo"} or "zh-hk" in regions or "zh-mo" in regions:
            return Script.HANT_HK
        return Script.HANT_TW
    return Script.ORIGINAL
