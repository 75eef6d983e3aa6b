"""Typed factories for the catalog; tests build only what they look at."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from ting.accounts.models import User
from ting.catalog.models import Album, Anchor, Category, Track


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class AnchorFactory(factory.django.DjangoModelFactory[Anchor]):
    class Meta:
        model = Anchor

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"主播{n}")
    bio = "<p>一位认真的主播。</p>"


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"category-{n}")
    name_zh_hans = "科技"
    name_zh_hant = "科技"
    name_en = "Tech"


class AlbumFactory(factory.django.DjangoModelFactory[Album]):
    class Meta:
        model = Album

    anchor = factory.SubFactory(AnchorFactory)
    title = factory.Sequence(lambda n: f"专辑{n}")
    intro = "<p>专辑简介。</p>"
    category = factory.SubFactory(CategoryFactory)


class TrackFactory(factory.django.DjangoModelFactory[Track]):
    """A published, public track unless told otherwise."""

    class Meta:
        model = Track

    album = factory.SubFactory(AlbumFactory)
    title = factory.Sequence(lambda n: f"声音{n}")
    intro = "<p>声音简介。</p>"
    position = factory.Sequence(lambda n: n + 1)
    duration = 224.0
    status = Track.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    @classmethod
    def _after_postgeneration(cls, instance: Track, create: bool, results: Any = None) -> None:
        super()._after_postgeneration(instance, create, results)
        if create:
            from ting.catalog.services import album_refresh_counts

            album_refresh_counts(album_id=instance.album_id)


# Typed entry points: factory_boy's classes are untyped, so tests call these instead.
def make_user(**fields: Any) -> User:
    return UserFactory.create(**fields)


def make_anchor(**fields: Any) -> Anchor:
    return AnchorFactory.create(**fields)


def make_category(**fields: Any) -> Category:
    return CategoryFactory.create(**fields)


def make_album(**fields: Any) -> Album:
    return AlbumFactory.create(**fields)


def make_track(**fields: Any) -> Track:
    return TrackFactory.create(**fields)
