"""One small site with every kind of object in every state, built once per test module.

The actors: the owner (an anchor), another anchor, a listener who follows the owner, a signed-in
stranger, staff, and anonymous readers. The objects: the owner's tracks as published, draft,
failed, scheduled, private and unlisted; albums public, unlisted and private; a comment (and
one on a private track, and a stranger's), a notification, an upload, a feed token, an import
and an API token; and ids that were deleted.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client
from django.utils import timezone

from ting.accounts.models import User
from ting.api.models import PersonalAccessToken
from ting.api.services import token_create
from ting.catalog.models import Album, Anchor, Track, Visibility
from ting.catalog.tests.factories import (
    make_album,
    make_anchor,
    make_category,
    make_track,
    make_user,
)
from ting.feeds.models import FeedImport, FeedToken
from ting.media.models import AudioAsset, Rendition, Upload
from ting.social.models import Comment, Follow, Notification
from ting.social.text import body_key

ROLES = ("anonymous", "owner", "other_anchor", "listener", "stranger", "staff")
AUDIO = bytes(range(256)) * 64  # stands in for an encoded rendition


@dataclass
class World:
    owner: Anchor
    other_anchor: Anchor
    listener: User
    stranger: User
    staff: User
    category_slug: str
    albums: dict[str, Album]
    tracks: dict[str, Track]
    comment: Comment
    hidden_comment: Comment
    others_comment: Comment
    notification: Notification
    upload: Upload
    feed_token: FeedToken
    feed_import: FeedImport
    api_token: PersonalAccessToken
    api_secrets: dict[str, str] = field(default_factory=dict)
    deleted_id: int = 987_654

    def user(self, role: str) -> User | None:
        return {
            "anonymous": None,
            "owner": self.owner.user,
            "other_anchor": self.other_anchor.user,
            "listener": self.listener,
            "stranger": self.stranger,
            "staff": self.staff,
        }[role]

    def client(self, role: str, *, enforce_csrf_checks: bool = False) -> Client:
        client = Client(enforce_csrf_checks=enforce_csrf_checks)
        user = self.user(role)
        if user is not None:
            client.force_login(user)
        return client


def with_audio(track: Track) -> Track:
    key = f"audio/se/cu/{track.pk:032x}"
    asset = AudioAsset.objects.create(
        track=track,
        key=key,
        original=f"{key}/original",
        status=AudioAsset.Status.READY,
        duration=224.0,
        waveform=[0.5] * 10,
    )
    stored = default_storage.save(f"{key}/opus32.bin", ContentFile(AUDIO))
    Rendition.objects.create(
        asset=asset,
        format="opus32",
        file=stored,
        mime_type="audio/ogg; codecs=opus",
        codec="opus",
        bitrate=32_000,
        sample_rate=48_000,
        channels=2,
        duration=224.0,
        size=len(AUDIO),
        sha256=hashlib.sha256(AUDIO).hexdigest(),
    )
    return track


def build_world() -> World:
    category = make_category(slug="security-tests")
    owner = make_anchor(user=make_user(username="owner"), display_name="主人")
    other_anchor = make_anchor(user=make_user(username="other_anchor"), display_name="别人")
    listener = make_user(username="listener")
    stranger = make_user(username="stranger")
    staff = make_user(username="staff", is_staff=True, is_superuser=True)

    def album(visibility: str) -> Album:
        return make_album(anchor=owner, category=category, visibility=visibility)

    albums = {
        "public": album(Visibility.PUBLIC),
        "unlisted": album(Visibility.UNLISTED),
        "private": album(Visibility.PRIVATE),
    }
    public = albums["public"]
    soon = timezone.now() + timedelta(days=3)
    tracks = {
        "public": make_track(album=public),
        "unlisted": make_track(album=public, visibility=Visibility.UNLISTED),
        "private": make_track(album=public, visibility=Visibility.PRIVATE),
        "draft": make_track(album=public, status=Track.Status.DRAFT, published_at=None),
        "failed": make_track(album=public, status=Track.Status.FAILED, published_at=None),
        "scheduled": make_track(album=public, published_at=soon),
        "in_private_album": make_track(album=albums["private"]),
        "in_unlisted_album": make_track(album=albums["unlisted"]),
    }
    for track in tracks.values():
        with_audio(track)
    Follow.objects.create(user=listener, anchor=owner)
    comment = Comment.objects.create(
        track=tracks["public"], author=listener, body="好听", body_key=body_key("好听")
    )
    # On a track only its owner may see: acting on it by id must 404 for everyone else.
    hidden_comment = Comment.objects.create(
        track=tracks["private"], author=owner.user, body="自己听", body_key=body_key("自己听")
    )
    # The stranger's: the listener may not delete it, the track's anchor and staff may.
    others_comment = Comment.objects.create(
        track=tracks["public"], author=stranger, body="路过", body_key=body_key("路过")
    )
    notification = Notification.objects.create(
        user=listener, kind=Notification.Kind.NEW_TRACK, track=tracks["public"]
    )
    upload = Upload.objects.create(
        id=uuid.uuid4(), anchor=owner, album=public, filename="a.mp3", size=1000
    )
    feed_token = FeedToken.objects.create(album=albums["private"], label="我的")
    feed_import = FeedImport.objects.create(
        anchor=owner, album=albums["unlisted"], url="https://podcasts.example.com/feed.xml"
    )
    new_token = token_create(user=owner.user, name="script", scopes=["read", "write", "studio"])
    world = World(
        owner=owner,
        other_anchor=other_anchor,
        listener=listener,
        stranger=stranger,
        staff=staff,
        category_slug=category.slug,
        albums=albums,
        tracks=tracks,
        comment=comment,
        hidden_comment=hidden_comment,
        others_comment=others_comment,
        notification=notification,
        upload=upload,
        feed_token=feed_token,
        feed_import=feed_import,
        api_token=new_token.token,
    )
    world.api_secrets["owner"] = new_token.secret
    world.api_secrets["other_anchor"] = token_create(
        user=other_anchor.user, name="script", scopes=["read", "write", "studio"]
    ).secret
    world.api_secrets["listener"] = token_create(
        user=listener, name="script", scopes=["read", "write", "studio"]
    ).secret
    return world


def world_in_transaction() -> Iterator[World]:
    """Build the world inside a transaction that the module's end rolls back."""
    with transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
