"""Chinese text for search and recommendations: one normal form, one segmenter, no Django.

Everything that compares text (the search index, search queries, the recommender, the
benches) goes through these functions, so a query and a document are always cut the same way.

- Normal form: NFKC (full-width ＳＵ７ → SU7), OpenCC t2s (Traditional and Simplified compare
  equal), casefold.
- Search tokens: jieba search mode (小米汽车 → 小米, 汽车, 小米汽车) plus every CJK character on
  its own, so a one-character query matches; words are space-joined for FTS5 and tsvector.
- Pinyin: full (xiaomi) and initials (xm) per word, plus the whole title run together, so a
  pinyin prefix typed so far (xiaomiq, xmq) finds the title.
- Segmenter: jieba's dictionary and algorithm, run by jieba-rs (`rjieba`): the same words as
  the Python jieba (identical with HMM off) at ~15× the speed, which is what lets an index build
  keep up with a large catalog (docs/adr/0011-search-and-recommendations.md).
- Recommender terms: jieba precise mode, two or more characters (or a Latin word), no stop
  words, no numbers, from text cleaned of URLs, timestamps and credit lines.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache
from types import ModuleType

from ting.core.script import to_simplified

# Long intros and transcripts are cut before segmenting: the opening of a show note carries
# its topic (docs/adr/0011-search-and-recommendations.md).
INTRO_INDEX_CHARS = 500
TRANSCRIPT_INDEX_CHARS = 4000

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"^[\w\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
# A whole word between NUL separators (search_words joins the segmenter's words with NUL).
_JOINED_WORD = re.compile(r"\0([\w\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)(?=\0)")
_LATIN_WORD = re.compile(r"^[a-z][a-z0-9]*$|^[a-z0-9]*[a-z][a-z0-9]*$")
_TAGS = re.compile(r"<[^>]*>")
_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_HANDLE = re.compile(r"@\S+")
_TIMESTAMP = re.compile(r"\b\d{1,2}(:\d{2}){1,2}\b")
# A credit or contact line: a short label, then a colon ("主播：", "剪辑:", "Producer:").
_CREDIT = re.compile(r"^\W*(?=[\w ]*[^\W\d])[\w\u3400-\u9fff ]{1,8}\s*[:：]")

# Generic Chinese function words and podcast chatter; no catalog's names are listed here.
STOP_WORDS = frozenset(
    """
    的 了 和 是 在 也 有 就 都 而 及 与 或 一个 一些 这个 那个 这些 那些 我们 你们 他们 她们 它们
    我 你 他 她 它 自己 什么 怎么 怎样 为什么 如何 因为 所以 但是 可以 没有 不是 还是 就是 这样
    那样 这里 那里 时候 已经 一下 一起 一直 还有 以及 然后 如果 虽然 而且 其实 可能 应该 需要
    觉得 知道 今天 本期 这期 上期 下期 节目 欢迎 收听 关注 订阅 点击 链接
    微信 公众 公众号 微博 小红书
    播客 主播 嘉宾 期节目 评论 留言 互动 平台 搜索 更多 内容 分享 大家 朋友 一期 一次 时间
    以上 以下 之后 之前 其中 进行 通过 对于 关于 成为 出现 开始 非常 特别 真的 一样 不同 很多
    the a an and or of to in on for with is are was be by at from this that it as we you
    our your i he she they be have has not but so if do does about more
    vol ep episode part pt no feat ft
    """.split()  # noqa: SIM905 (a word list reads better as text than as 150 quoted strings)
)


@cache
def _segmenter() -> ModuleType:
    """rjieba, imported on first use: its dictionary costs about 33 MB in every process that
    imports this module (the task worker, the web server via the URL tree), most of which
    never cut a word (ADR 0003, "Memory"). The import happens once per process."""
    import rjieba

    return rjieba


@cache
def _to_pinyin() -> Callable[[str], list[str]]:
    """pypinyin's ``lazy_pinyin``, imported on first use: its tables cost about 55 MB."""
    from pypinyin import lazy_pinyin

    return lazy_pinyin


def normalise(text: str) -> str:
    """The one comparison form: NFKC, Simplified script, case-folded."""
    if not text:
        return ""
    return to_simplified(unicodedata.normalize("NFKC", text)).casefold()


def plain_text(rich: str) -> str:
    """Rich-text intros to plain text: tags dropped, entities decoded."""
    return html.unescape(_TAGS.sub(" ", rich or ""))


def _is_token(word: str) -> bool:
    return bool(word) and bool(_WORD.match(word)) and word != "_"


def search_words(text: str, *, hmm: bool = True) -> list[str]:
    """Search-mode words of already-normalised text, punctuation and spaces left out."""
    # One C-level regex pass over the joined words instead of a Python test per word: an intro
    # has hundreds of them, and the per-word test was most of an index build's time.
    words = _segmenter().cut_for_search(text.replace("\0", " "), hmm)
    joined = "\0" + "\0".join(words) + "\0"
    return [w for w in _JOINED_WORD.findall(joined) if w != "_"]


def search_tokens(
    text: str, *, hmm: bool = True, limit: int | None = None, characters: bool = True
) -> str:
    """Space-joined index tokens of raw text: search-mode words and, for short fields, every CJK
    character (so a one-character query finds a title). Intros and transcripts index words only:
    their characters would double the index for matches nobody wants ranked."""
    if limit is not None:
        # Normalising may change the length a little (NFKC, OpenCC phrases): cut with a margin
        # before it, exactly after it, so a 20,000-character show note costs what 500 do.
        text = text[: limit + limit // 4]
    norm = normalise(text)
    if limit is not None:
        norm = norm[:limit]
    words = search_words(norm, hmm=hmm)
    if characters:
        words += _CJK.findall(" ".join(words))
    return " ".join(_dedupe(words))


@lru_cache(maxsize=65536)
def _word_pinyin(word: str) -> tuple[str, str]:
    syllables = [p for p in _to_pinyin()(word) if p.isascii() and p.isalpha()]
    return "".join(syllables).lower(), "".join(p[0] for p in syllables).lower()


@lru_cache(maxsize=8192)
def pinyin_tokens(*texts: str) -> str:
    """Full pinyin and initials per word, and for each text all of it run together."""
    out: list[str] = []
    for text in texts:
        norm = normalise(text)
        if not _CJK.search(norm):
            continue
        full_all: list[str] = []
        initials_all: list[str] = []
        for word in _segmenter().cut(norm, True):
            if not _CJK.match(word):
                continue
            full, initials = _word_pinyin(word)
            if full:
                out += [full, initials]
                full_all.append(full)
                initials_all.append(initials)
                # Search-mode parts too (小米汽车 → 小米, 汽车), so each part's pinyin matches.
                if len(word) > 2:
                    for part in _segmenter().cut_for_search(word, True):
                        if part != word and len(part) > 1:
                            out += list(_word_pinyin(part))
        if full_all:
            out.append("".join(full_all)[:60])
            out.append("".join(initials_all)[:30])
    return " ".join(_dedupe(t for t in out if t))


@lru_cache(maxsize=8192)
def names_tokens(text: str) -> str:
    """search_tokens for short, much-repeated text (album titles, anchor names, tags)."""
    return search_tokens(text)


def query_terms(query: str) -> list[str]:
    """A query cut the way documents are: normalised, search-mode words, no punctuation."""
    norm = normalise(query).strip()
    if not norm:
        return []
    words = [w.strip() for w in _segmenter().cut(norm, True) if _is_token(w.strip())]
    return _dedupe(words)[:8]


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- recommender text -----------------------------------------------------------------------


def clean_description(text: str) -> str:
    """Show notes without URLs, e-mail, @handles, timestamps, and label-colon credit lines."""
    lines: list[str] = []
    for raw in plain_text(text).splitlines():
        line = _URL.sub(" ", raw)
        line = _EMAIL.sub(" ", line)
        line = _HANDLE.sub(" ", line)
        line = _TIMESTAMP.sub(" ", line)
        if _CREDIT.match(line) and len(line) < 60:
            continue
        if line.strip():
            lines.append(line)
    return "\n".join(lines)


def description_lines(text: str) -> list[str]:
    """Cleaned, normalised, non-empty lines: the unit for spotting an album's boilerplate."""
    return [
        normalise(line).strip() for line in clean_description(text).splitlines() if line.strip()
    ]


def content_terms(text: str) -> Iterator[str]:
    """Recommender terms of normalised text: words of 2+ characters or Latin words."""
    for word in _segmenter().cut(text, False):
        word = word.strip()
        if len(word) < 2 or word in STOP_WORDS or not _is_token(word) or word.isdigit():
            continue
        if _CJK.match(word) or _LATIN_WORD.match(word):
            yield word


def title_words(title: str) -> set[str]:
    """Words (jieba, 2+ characters, not a stop word) of a title: the keyword-trap test."""
    return set(content_terms(normalise(title)))
