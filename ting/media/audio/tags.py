"""Tags, cover art and chapters, with repair of old Chinese tags declared as Latin-1.

Old MP3s from Chinese sites store GBK (mainland) or Big5 (Taiwan, Hong Kong) bytes in ID3
frames that declare ISO-8859-1. Every reader then shows mojibake such as "½ÇÂäÖ®¸è";
encoding that string back to Latin-1 recovers the original bytes, which decode cleanly.
Reading tags never rejects a file: broken tags just come back empty.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field

import av
import av.container
import mutagen

from ting.media.audio.decode import DECODE_ERRORS

MAX_TEXT = 1000
MAX_COMMENT = 10_000
MAX_COVER_BYTES = 20 * 1024 * 1024

_FIELDS = {
    "title": ("title",),
    "artist": ("artist", "author"),
    "album": ("album",),
    "album_artist": ("album_artist", "album artist"),
    "comment": ("comment", "description", "synopsis"),
    "genre": ("genre",),
    "date": ("date", "year"),
}


@dataclass(frozen=True, slots=True)
class Chapter:
    start_s: float
    end_s: float
    title: str


@dataclass(frozen=True, slots=True)
class Tags:
    title: str = ""
    artist: str = ""
    album: str = ""
    album_artist: str = ""
    comment: str = ""
    genre: str = ""
    date: str = ""
    cover: bytes | None = field(default=None, repr=False)
    chapters: tuple[Chapter, ...] = ()
    repaired: tuple[str, ...] = ()


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF  # unified ideographs
        or 0x3000 <= o <= 0x303F  # CJK punctuation
        or 0xFF00 <= o <= 0xFFEF  # full-width forms
        or 0x3400 <= o <= 0x4DBF  # extension A
        or 0x3040 <= o <= 0x30FF  # kana: Big5 and GBK both carry it
    )


def _common_share(text: str, codec: str, lead_lo: int, lead_hi: int) -> float:
    """Share of the ideographs that sit in the encoding's frequent-character plane.

    GB2312 level 1 (lead bytes 0xB0-0xD7) and Big5 level 1 (0xA4-0xC6) hold the few
    thousand characters ordinary text uses; mojibake from the wrong encoding lands
    mostly outside them. This tells GBK from Big5 without a frequency table.
    """
    ideographs = [c for c in text if 0x4E00 <= ord(c) <= 0x9FFF]
    if not ideographs:
        return 0.0
    hits = 0
    for c in ideographs:
        try:
            lead = c.encode(codec)[0]
        except UnicodeEncodeError:
            continue
        hits += lead_lo <= lead <= lead_hi
    return hits / len(ideographs)


_CANDIDATES = (("gb18030", "gb2312", 0xB0, 0xD7), ("big5", "big5", 0xA4, 0xC6))


def repair_text(text: str) -> str:
    """Undo Latin-1 mojibake of UTF-8, GBK or Big5; return ``text`` unchanged otherwise."""
    if not text or text.isascii() or any(ord(c) > 0xFF for c in text):
        return text
    raw = text.encode("latin-1")
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return fixed
    best: tuple[float, str] | None = None
    for codec, probe_codec, lo, hi in _CANDIDATES:
        try:
            candidate = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        wide = [c for c in candidate if not c.isascii()]
        if not wide or not all(_is_cjk(c) for c in wide):
            continue
        score = _common_share(candidate, probe_codec, lo, hi)
        if score >= 0.5 and (best is None or score > best[0]):
            best = (score, candidate)
    return best[1] if best else text


def _clean(value: str, limit: int) -> str:
    value = value.replace("\x00", " ").strip()
    value = "".join(c for c in value if c in "\n\t" or unicodedata.category(c) != "Cc")
    return value[:limit]


def read_tags(path: str | os.PathLike[str]) -> Tags:
    """Best effort: whatever cannot be read is left empty, never raised."""
    meta = _mutagen_text(path)
    try:
        container = av.open(str(path), mode="r", metadata_errors="replace")
    except DECODE_ERRORS:
        return _build(meta, None, ())
    try:
        return _read(container, meta)
    except DECODE_ERRORS:
        return _build(meta, None, ())
    finally:
        container.close()


def _mutagen_text(path: str | os.PathLike[str]) -> dict[str, str]:
    # Mutagen reads ID3 even where FFmpeg cannot sync to the audio, and keeps Latin-1
    # frames as Latin-1, which is what the mojibake repair needs.
    try:
        found = mutagen.File(str(path), easy=True)
    except Exception:  # mutagen raises a zoo of errors on hostile files; tags are optional
        return {}
    if found is None or found.tags is None:
        return {}
    meta: dict[str, str] = {}
    for key, value in found.tags.items():
        if isinstance(value, list) and value and isinstance(value[0], str):
            meta[str(key).lower().replace("albumartist", "album_artist")] = "; ".join(value)
    return meta


def _read(container: av.container.InputContainer, meta: dict[str, str]) -> Tags:
    meta = dict(meta)
    # Ogg and FLAC keep their comments on the stream, MP3 and MP4 on the container.
    for source in [
        *(s.metadata for s in container.streams if s.type == "audio"),
        container.metadata,
    ]:
        for key, value in source.items():
            meta.setdefault(key.lower(), value)
    return _build(meta, _cover(container), _chapters(container))


def _build(meta: dict[str, str], cover: bytes | None, chapters: tuple[Chapter, ...]) -> Tags:
    values: dict[str, str] = {}
    repaired: list[str] = []
    for name, keys in _FIELDS.items():
        raw = next((meta[k] for k in keys if meta.get(k)), "")
        fixed = repair_text(raw)
        if fixed != raw:
            repaired.append(name)
        values[name] = _clean(fixed, MAX_COMMENT if name == "comment" else MAX_TEXT)
    return Tags(**values, cover=cover, chapters=chapters, repaired=tuple(repaired))


def _cover(container: av.container.InputContainer) -> bytes | None:
    # FFmpeg exposes embedded art (ID3 APIC, MP4 covr, FLAC and Vorbis pictures, ASF) as
    # a video stream with the attached_pic disposition, whose one packet is the image file.
    pictures = [
        s
        for s in container.streams
        if s.type == "video" and s.disposition & av.stream.Disposition.attached_pic
    ]

    def front_first(stream: av.stream.Stream) -> int:
        kind = str(stream.metadata.get("comment", "")).lower()
        return 0 if "front" in kind else 1

    for stream in sorted(pictures, key=front_first):
        for packet in container.demux(stream):
            data = bytes(packet)
            if 0 < len(data) <= MAX_COVER_BYTES:
                return data
            break
    return None


def _chapters(container: av.container.InputContainer) -> tuple[Chapter, ...]:
    out: list[Chapter] = []
    for ch in container.chapters():
        tb = ch["time_base"]
        if tb is None:
            continue
        title = repair_text(ch["metadata"].get("title", ""))
        out.append(
            Chapter(
                start_s=round(float(ch["start"] * tb), 3),
                end_s=round(float(ch["end"] * tb), 3),
                title=_clean(title, MAX_TEXT),
            )
        )
    return tuple(out)
