"""Generated cover art and avatars: a gradient, sound-wave rings and the title's first character.

The character needs a CJK font; fontconfig is asked for one (`fc-list :lang=zh`), then the usual
folders are searched. Without one the picture keeps its shapes and draws no text.
"""

from __future__ import annotations

import colorsys
import io
import math
import random
import shutil
import subprocess
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

COVER_SIZE = 1400
AVATAR_SIZE = 400
FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")

Rgb = tuple[int, int, int]


@cache
def cjk_font() -> tuple[str, int] | None:
    """(path, index in a collection) of a font with Chinese glyphs, preferring Simplified Sans."""
    candidates: list[tuple[int, str, int]] = []
    fc_list = shutil.which("fc-list")
    if fc_list is not None:
        try:
            listing = subprocess.run(  # noqa: S603
                [fc_list, "-f", "%{file}|%{index}|%{family}\n", ":lang=zh"],
                check=True, capture_output=True, text=True, timeout=20,
            ).stdout  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            listing = ""
        for line in listing.splitlines():
            path, _, rest = line.partition("|")
            number, _, family = rest.partition("|")
            if not path or not number.isdigit():
                continue
            rank = (0 if "Sans" in family else 2) + (0 if " SC" in family else 1)
            candidates.append((rank, path, int(number)))
    if not candidates:
        for folder in FONT_FOLDERS:
            if folder.is_dir():
                for pattern in ("*CJK*", "*[Hh]ei*", "*[Ss]ong*", "*[Kk]ai*"):
                    candidates += [(5, str(found), 0) for found in sorted(folder.rglob(pattern))
                                   if found.suffix.lower() in {".ttc", ".otf", ".ttf"}]  # fmt: skip
    for _rank, font_path, index in sorted(candidates):
        try:
            ImageFont.truetype(font_path, 20, index=index)
        except OSError:
            continue
        return font_path, index
    return None


def _font(size: int) -> ImageFont.FreeTypeFont | None:
    found = cjk_font()
    if found is None:
        return None
    return ImageFont.truetype(found[0], size, index=found[1])


def palette(seed: int) -> tuple[Rgb, Rgb, Rgb]:
    """Two gradient colours and an accent, from a hue the seed picks."""
    rng = random.Random(f"palette-{seed}")  # a string seed is hashed: nearby ints differ
    hue = rng.random()

    def rgb(h: float, lightness: float, saturation: float) -> Rgb:
        r, g, b = colorsys.hls_to_rgb(h % 1.0, lightness, saturation)
        return round(r * 255), round(g * 255), round(b * 255)

    shift = rng.uniform(0.06, 0.16)
    return rgb(hue, 0.42, 0.65), rgb(hue + shift, 0.22, 0.55), rgb(hue - shift, 0.75, 0.8)


def _gradient(size: int, top: Rgb, bottom: Rgb) -> Image.Image:
    axis = np.linspace(0.0, 1.0, size, dtype=np.float32)
    weight = (axis[:, None] * 0.7 + axis[None, :] * 0.3)[..., None]  # mostly top to bottom
    start = np.array(top, dtype=np.float32)
    end = np.array(bottom, dtype=np.float32)
    pixels = start * (1 - weight) + end * weight
    return Image.fromarray(pixels.round().astype(np.uint8), "RGB")


def _glyph(draw: ImageDraw.ImageDraw, text: str, size: int, box: int, fill: Rgb) -> bool:
    font = _font(size)
    if font is None or not text.strip():
        return False
    bbox = draw.textbbox((0, 0), text, font=font)
    if bbox[2] - bbox[0] <= 0:
        return False
    x = (box - (bbox[2] - bbox[0])) / 2 - bbox[0]
    y = (box - (bbox[3] - bbox[1])) / 2 - bbox[1]
    draw.text((x, y), text, font=font, fill=fill)
    return True


def album_cover(*, title: str, seed: int, size: int = COVER_SIZE) -> bytes:
    """A square JPEG: gradient, rings spreading from a corner like sound, the first character."""
    rng = random.Random(f"cover-{seed}")
    top, bottom, accent = palette(seed)
    image = _gradient(size, top, bottom).convert("RGBA")
    shapes = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    cx, cy = rng.choice([(0.15, 0.85), (0.85, 0.85), (0.85, 0.15), (0.15, 0.15)])
    centre = (cx * size, cy * size)
    for ring in range(1, 9):
        radius = ring * size * 0.11
        width = max(2, round(size * (0.012 if ring % 2 else 0.006)))
        alpha = max(20, 110 - ring * 10)
        draw.ellipse(
            (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius),
            outline=(*accent, alpha), width=width,
        )  # fmt: skip
    for _ in range(5):
        r = rng.uniform(0.03, 0.09) * size
        x, y = rng.uniform(0.1, 0.9) * size, rng.uniform(0.1, 0.9) * size
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, rng.randint(18, 45)))
    # An equaliser strip along the bottom edge.
    bars = 24
    for i in range(bars):
        height = (0.3 + 0.7 * abs(math.sin(i * 0.7 + seed))) * size * 0.08
        x0 = size * 0.08 + i * size * 0.84 / bars
        draw.rectangle(
            (x0, size * 0.92 - height, x0 + size * 0.84 / bars * 0.6, size * 0.92),
            fill=(*accent, 150),
        )  # fmt: skip
    image = Image.alpha_composite(image, shapes)
    text_layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    text_draw = ImageDraw.Draw(text_layer)
    if _glyph(text_draw, title.strip()[:1], round(size * 0.5), size, (255, 255, 255)):
        shadow = text_layer.filter(ImageFilter.GaussianBlur(size // 80))
        dark = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        dark.putalpha(shadow.getchannel("A").point(lambda a: a * 0.45))
        image = Image.alpha_composite(image, dark)
        image = Image.alpha_composite(image, text_layer)
        label = _font(round(size * 0.035))
        if label is not None:
            ImageDraw.Draw(image).text(
                (size * 0.06, size * 0.05), "Ting 聽 · 演示", font=label, fill=(255, 255, 255, 200)
            )
    return _jpeg(image)


def avatar(*, name: str, seed: int, size: int = AVATAR_SIZE) -> bytes:
    """A square JPEG portrait stand-in: a gradient disc and the name's first character."""
    top, bottom, accent = palette(seed)
    image = _gradient(size, accent, top).convert("RGBA")
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    margin = size * 0.12
    draw.ellipse((margin, margin, size - margin, size - margin), fill=(*bottom, 255))
    image = Image.alpha_composite(image, layer)
    text = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    if _glyph(ImageDraw.Draw(text), name.strip()[:1], round(size * 0.42), size, (255, 255, 255)):
        image = Image.alpha_composite(image, text)
    return _jpeg(image)


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=88, optimize=True, progressive=True)
    return buffer.getvalue()
