"""Cover art: bounded decode, EXIF stripped, centred square, a fixed set of sizes.

Apple Podcasts wants at least 1400 px; smaller covers are upscaled to keep one URL scheme
and the result says so, so the UI can ask the creator for a better image.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageOps, UnidentifiedImageError

from ting.media.audio.errors import CoverRejected

SIZES: tuple[int, ...] = (1400, 640, 320, 160)
MAX_PIXELS = 40_000_000
MIN_SIDE = 32
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")


@dataclass(frozen=True, slots=True)
class ProcessedCover:
    source_width: int
    source_height: int
    upscaled: bool
    jpeg: dict[int, bytes] = field(repr=False)
    webp: dict[int, bytes] = field(repr=False)


def process_cover(
    data: bytes, *, sizes: tuple[int, ...] = SIZES, max_pixels: int = MAX_PIXELS
) -> ProcessedCover:
    """Return JPEG and WebP renditions keyed by side length, or raise CoverRejected."""
    try:
        with warnings.catch_warnings():
            # Pillow warns (then raises) past its own global limit; ours is checked below
            # from the header alone, before any pixel is decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise CoverRejected(
            "cover_too_large", {"width": "?", "height": "?", "limit": max_pixels // 1_000_000}
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise CoverRejected("cover_not_image") from exc
    with image:
        width, height = image.size
        if width * height > max_pixels:
            raise CoverRejected(
                "cover_too_large",
                {"width": width, "height": height, "limit": max_pixels // 1_000_000},
            )
        if min(width, height) < MIN_SIDE:
            raise CoverRejected("cover_too_small", {"width": width, "height": height})
        try:
            # JPEG can decode straight to a reduced scale, which makes huge covers cheap.
            image.draft("RGB", (max(sizes), max(sizes)))
            image.load()
            upright = ImageOps.exif_transpose(image)
            rgb = _to_rgb(upright)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            raise CoverRejected("cover_corrupt") from exc
    side = min(rgb.size)
    left = (rgb.width - side) // 2
    top = (rgb.height - side) // 2
    square = rgb.crop((left, top, left + side, top + side))
    jpeg: dict[int, bytes] = {}
    webp: dict[int, bytes] = {}
    for size in sizes:
        resized = square.resize((size, size), Image.Resampling.LANCZOS, reducing_gap=3.0)
        jpeg[size] = _save(resized, "JPEG", quality=85, optimize=True, progressive=True)
        webp[size] = _save(resized, "WEBP", quality=80, method=4)
    return ProcessedCover(
        source_width=width,
        source_height=height,
        upscaled=side < max(sizes),
        jpeg=jpeg,
        webp=webp,
    )


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        # Transparent regions go white: JPEG has no alpha and black looks like a hole.
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    # Saving without exif= drops EXIF (GPS, camera serials); orientation is already applied.
    image.save(buffer, fmt, **options)
    return buffer.getvalue()
