"""Who may see what: drafts, scheduled, private and unlisted tracks and albums."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ting.accounts.models import User
from ting.catalog.models import Album, Anchor, Track, Visibility
from ting.catalog.tests.factories import make_album, make_track

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_and_scheduled_tracks(anchor: Anchor) -> None:
    album = make_album(anchor=anchor)
    live = make_track(album=album)
    make_track(album=album, status=Track.Status.READY, published_at=None)
    make_track(album=album, published_at=timezone.now() + timedelta(days=1))
    assert list(Track.objects.published()) == [live]


def test_listed_excludes_unlisted_and_private_tracks_and_albums(anchor: Anchor) -> None:
    public_album = make_album(anchor=anchor)
    hidden_album = make_album(anchor=anchor, visibility=Visibility.PRIVATE)
    listed = make_track(album=public_album)
    make_track(album=public_album, visibility=Visibility.UNLISTED)
    make_track(album=hidden_album)
    assert list(Track.objects.listed()) == [listed]
    assert list(Album.objects.listed()) == [public_album]


def test_an_album_whose_only_track_is_scheduled_is_not_listed(anchor: Anchor) -> None:
    album = make_album(anchor=anchor)
    make_track(album=album, published_at=timezone.now() + timedelta(hours=2))
    assert not Album.objects.listed().exists()


def test_visible_to_lets_an_anchor_see_their_own_drafts(anchor: Anchor, stranger: User) -> None:
    draft = make_track(album__anchor=anchor, status=Track.Status.DRAFT, published_at=None)
    assert Track.objects.visible_to(anchor.user).filter(pk=draft.pk).exists()
    assert not Track.objects.visible_to(stranger).filter(pk=draft.pk).exists()
    assert not Track.objects.visible_to(None).filter(pk=draft.pk).exists()


def test_visible_to_lets_anyone_with_the_link_open_an_unlisted_track(anchor: Anchor) -> None:
    unlisted = make_track(album__anchor=anchor, visibility=Visibility.UNLISTED)
    assert Track.objects.visible_to(None).filter(pk=unlisted.pk).exists()
