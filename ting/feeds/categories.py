"""Ting's categories on Apple Podcasts' category list (podcasts.apple.com/…/itunes-categories).

Categories are data (the demo and admins make them), so the mapping goes by slug and falls back
to the English name; a category Apple has no place for gets no <itunes:category> rather than a
guess.
"""

from __future__ import annotations

from ting.catalog.models import Category

# Apple's (category, subcategory) by Ting slug or English name (lower case).
APPLE_CATEGORIES: dict[str, tuple[str, str | None]] = {
    "news": ("News", None),
    "tech": ("Technology", None),
    "technology": ("Technology", None),
    "business": ("Business", None),
    "finance": ("Business", "Investing"),
    "kids": ("Kids & Family", "Stories for Kids"),
    "kids' stories": ("Kids & Family", "Stories for Kids"),
    "history": ("History", None),
    "language": ("Education", "Language Learning"),
    "languages": ("Education", "Language Learning"),
    "comedy": ("Comedy", None),
    "education": ("Education", None),
    "music": ("Music", None),
    "books": ("Arts", "Books"),
    "audiobooks": ("Arts", "Books"),
    "novels": ("Fiction", None),
    "fiction": ("Fiction", None),
    "health": ("Health & Fitness", None),
    "sports": ("Sports", None),
    "science": ("Science", None),
    "society": ("Society & Culture", None),
    "culture": ("Society & Culture", None),
    "religion": ("Religion & Spirituality", None),
    "tv": ("TV & Film", None),
    "film": ("TV & Film", None),
    "true-crime": ("True Crime", None),
    "leisure": ("Leisure", None),
    "government": ("Government", None),
    "arts": ("Arts", None),
}


def apple_category(category: Category | None) -> tuple[str, str | None] | None:
    if category is None:
        return None
    return APPLE_CATEGORIES.get(category.slug) or APPLE_CATEGORIES.get(category.name_en.lower())
