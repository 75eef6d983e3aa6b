"""Generated covers and avatars: square JPEGs, deterministic, with or without a CJK font."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from ting.demo import covers


def test_album_cover_is_a_1400_square_jpeg() -> None:
    data = covers.album_cover(title="小米的奇妙一天", seed=3)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.size == (1400, 1400)
    assert data == covers.album_cover(title="小米的奇妙一天", seed=3)
    assert data != covers.album_cover(title="小米的奇妙一天", seed=4)


def test_avatar_is_a_400_square_jpeg() -> None:
    image = Image.open(io.BytesIO(covers.avatar(name="島嶼說書人", seed=1)))
    assert (image.format, image.size) == ("JPEG", (400, 400))


def test_covers_without_a_cjk_font_keep_their_shapes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(covers, "_font", lambda size: None)
    image = Image.open(io.BytesIO(covers.album_cover(title="科技早知道", seed=1, size=300)))
    assert image.size == (300, 300)
    assert len(image.getcolors(maxcolors=100_000) or []) > 50  # shapes on a gradient, not flat
