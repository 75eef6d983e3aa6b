"""Every model has an admin, every admin page opens, lists cost no query per row, no secrets show.

A model added later without an admin fails `test_every_ting_model_is_registered`; give it one
and a row builder below.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ting.api.models import PersonalAccessToken
from ting.catalog.models import Track
from ting.catalog.tests.factories import make_album, make_anchor, make_track, make_user
from ting.discovery.models import (
    AlbumNeighbour,
    IndexWatermark,
    SearchDocument,
    SearchQuery,
    TrackNeighbour,
)
from ting.feeds.models import FeedImport, FeedToken, ImportedEpisode
from ting.media.models import AudioAsset, Rendition, Upload
from ting.playback.models import ListeningPosition
from ting.social.models import (
    Ban,
    Comment,
    CommentLike,
    CommentReport,
    Follow,
    ListenLater,
    ModerationAction,
    Notification,
    Preference,
    Subscription,
    TrackLike,
    Watermark,
)
from ting.stats.models import (
    CountingCursor,
    DailyClientStats,
    DailyReferrerStats,
    DailySalt,
    DailyTrackStats,
    DownloadWindow,
    ListenBeacon,
    LogFileCursor,
    StreamLog,
)

_serial = itertools.count(1)


def _n() -> int:
    return next(_serial)


def changelist_url(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj: Model) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def _asset(**fields: object) -> AudioAsset:
    return AudioAsset.objects.create(
        track=make_track(), key=f"k{_n()}", original="x/original", **fields
    )


def _comment(**fields: object) -> Comment:
    fields.setdefault("track", make_track())
    fields.setdefault("author", make_user())
    return Comment.objects.create(body=f"<b>评论</b> {_n()}", body_key="k", **fields)


def _stream_log() -> StreamLog:
    return StreamLog.objects.create(
        at=timezone.now(), track_id=_n(), format="mp3_128", method="GET", status=200,
        ip_hash="f" * 32, bytes_planned=1, size=1, bitrate=1, duration=1.0,
    )  # fmt: skip


def _rendition() -> Rendition:
    return Rendition.objects.create(
        asset=_asset(), format="opus32", file="x/opus32.ogg", mime_type="audio/ogg",
        codec="opus", bitrate=32_000, sample_rate=48_000, channels=1, duration=1.0, size=1,
        sha256="0" * 64,
    )  # fmt: skip


def _upload() -> Upload:
    album = make_album()
    return Upload.objects.create(anchor=album.anchor, album=album, filename="a.mp3", size=10)


def _feed_import() -> FeedImport:
    return FeedImport.objects.create(anchor=make_anchor(), url=f"https://example.com/{_n()}.xml")


def _token() -> PersonalAccessToken:
    n = _n()
    return PersonalAccessToken.objects.create(
        user=make_user(), name=f"t{n}", token_hash=f"{n:064x}", prefix="ting_abcde", scopes="read"
    )


def _day() -> date:
    return date(2024, 1, 1) + timedelta(days=_n())


# One fresh row per call, related rows made as needed.
BUILDERS: dict[type[Model], Callable[[], Model]] = {
    AudioAsset: lambda: _asset(status=AudioAsset.Status.FAILED, failure_message="bad file"),
    Rendition: _rendition,
    Upload: _upload,
    ListeningPosition: lambda: ListeningPosition.objects.create(
        user=make_user(), track=make_track(), position=12
    ),
    DailySalt: lambda: DailySalt.objects.create(day=_day(), salt=b"s" * 32),
    StreamLog: _stream_log,
    ListenBeacon: lambda: ListenBeacon.objects.create(
        at=timezone.now(), track_id=1, session=f"s{_n()}", listened=1, max_position=1, duration=2
    ),
    CountingCursor: lambda: CountingCursor.objects.create(name=f"c{_n()}", last_id=3),
    LogFileCursor: lambda: LogFileCursor.objects.create(name=f"l{_n()}", inode=7, offset=120),
    DownloadWindow: lambda: DownloadWindow.objects.create(
        key=f"7:{_n():032x}:agentdigest", started_at=timezone.now(), last_at=timezone.now()
    ),
    DailyTrackStats: lambda: DailyTrackStats.objects.create(track=make_track(), day=_day()),
    DailyClientStats: lambda: DailyClientStats.objects.create(
        track=make_track(), day=_day(), client="Overcast"
    ),
    DailyReferrerStats: lambda: DailyReferrerStats.objects.create(
        track=make_track(), day=_day(), host="example.com"
    ),
    SearchDocument: lambda: SearchDocument.objects.create(
        kind=SearchDocument.Kind.TRACK, object_id=10_000 + _n(), title="t"
    ),
    IndexWatermark: lambda: IndexWatermark.objects.create(name=f"w{_n()}", value=timezone.now()),
    SearchQuery: lambda: SearchQuery.objects.create(
        query="相声", client="c" * 32, at=timezone.now()
    ),
    TrackNeighbour: lambda: TrackNeighbour.objects.create(
        track=make_track(), neighbour=make_track(), rank=1, score=0.5, reason="topic"
    ),
    AlbumNeighbour: lambda: AlbumNeighbour.objects.create(
        album=make_album(), neighbour=make_album(), rank=1, score=0.5, reason="topic"
    ),
    Comment: _comment,
    CommentLike: lambda: CommentLike.objects.create(user=make_user(), comment=_comment()),
    CommentReport: lambda: CommentReport.objects.create(
        comment=_comment(), reporter=make_user(), reason=CommentReport.Reason.SPAM
    ),
    Ban: lambda: Ban.objects.create(
        user=make_user(), until=timezone.now() + timedelta(days=1), created_by=make_user()
    ),
    ModerationAction: lambda: ModerationAction.objects.create(
        actor=make_user(),
        kind=ModerationAction.Kind.HIDE,
        comment=_comment(),
        target_user=make_user(),
        body_snapshot="x",
    ),
    Follow: lambda: Follow.objects.create(user=make_user(), anchor=make_anchor()),
    Subscription: lambda: Subscription.objects.create(user=make_user(), album=make_album()),
    TrackLike: lambda: TrackLike.objects.create(user=make_user(), track=make_track()),
    ListenLater: lambda: ListenLater.objects.create(user=make_user(), track=make_track()),
    Notification: lambda: Notification.objects.create(
        user=make_user(),
        kind=Notification.Kind.REPLY,
        comment=_comment(),
        actor=make_user(),
        track=make_track(),
    ),
    Preference: lambda: Preference.objects.create(user=make_user(), email_digest=True),
    Watermark: lambda: Watermark.objects.create(name=f"w{_n()}", at=timezone.now()),
    FeedToken: lambda: FeedToken.objects.create(album=make_album(), label="podcast app"),
    FeedImport: _feed_import,
    ImportedEpisode: lambda: ImportedEpisode.objects.create(
        feed_import=_feed_import(), guid=f"g{_n()}", enclosure_url="https://example.com/a.mp3"
    ),
    PersonalAccessToken: _token,
}


def _label(model: type[Model]) -> str:
    return model._meta.label


def test_every_ting_model_is_registered() -> None:
    ting_models = {
        model
        for config in apps.get_app_configs()
        if config.name.startswith("ting.")
        for model in config.get_models()
    }
    missing = sorted(_label(model) for model in ting_models - set(admin.site._registry))
    assert missing == []


def test_every_model_outside_accounts_and_catalog_has_a_row_builder() -> None:
    # Accounts and catalog build their rows in ting/catalog/tests/test_admin.py.
    missing = sorted(
        _label(model)
        for model in admin.site._registry
        if model.__module__.startswith("ting.")
        and model._meta.app_label not in {"accounts", "catalog"}
        and model not in BUILDERS
    )
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(admin.site._registry), ids=_label)
def test_every_changelist_and_change_page_opens_for_a_superuser(
    admin_client: Client, model: type[Model]
) -> None:
    row = BUILDERS[model]() if model in BUILDERS else None
    response = admin_client.get(changelist_url(model))
    assert response.status_code == 200
    if row is not None:
        assert response.context["cl"].result_count >= 1
        assert admin_client.get(change_url(row)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(BUILDERS), ids=_label)
def test_a_changelist_costs_no_query_per_row(admin_client: Client, model: type[Model]) -> None:
    url = changelist_url(model)
    BUILDERS[model]()
    admin_client.get(url)  # warms caches (content types, session)
    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(url).status_code == 200
    for _ in range(3):
        BUILDERS[model]()
    with CaptureQueriesContext(connection) as four:
        response = admin_client.get(url)
    assert response.context["cl"].result_count >= 4
    assert len(four.captured_queries) == len(one.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "secret"),
    [
        (DailySalt, "salt"),
        (PersonalAccessToken, "token_hash"),
        (FeedToken, "token"),
        (StreamLog, "ip_hash"),
        (SearchQuery, "client"),
        (DownloadWindow, "key"),
    ],
    ids=lambda value: value if isinstance(value, str) else _label(value),
)
def test_secrets_and_address_hashes_are_never_shown(
    admin_client: Client, model: type[Model], secret: str
) -> None:
    row = BUILDERS[model]()
    value = getattr(row, secret)
    shown = value.hex() if isinstance(value, bytes) else str(value)
    for url in (changelist_url(model), change_url(row)):
        page = admin_client.get(url).content.decode()
        assert shown not in page
        assert f'name="{secret}"' not in page
        assert f"field-{secret}" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", [StreamLog, ListenBeacon, DailyTrackStats, DailySalt, SearchDocument], ids=_label
)
def test_logs_and_derived_data_cannot_be_added_changed_or_deleted(
    admin_client: Client, model: type[Model]
) -> None:
    row = BUILDERS[model]()
    meta = model._meta
    add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
    delete = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[row.pk])
    assert admin_client.get(add).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.post(change_url(row), {}).status_code == 403
    assert model._default_manager.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_comment_text_is_escaped_and_hide_unhide_go_through_moderation(
    admin_client: Client,
) -> None:
    parent = _comment()
    reply = _comment(track=parent.track, parent=parent)
    Comment.objects.filter(pk=parent.pk).update(reply_count=1)
    page = admin_client.get(changelist_url(Comment)).content.decode()
    assert "<b>评论</b>" not in page
    assert "&lt;b&gt;评论&lt;/b&gt;" in page

    url = changelist_url(Comment)
    admin_client.post(url, {"action": "hide_comments", "_selected_action": [reply.pk]})
    reply.refresh_from_db()
    parent.refresh_from_db()
    assert (reply.status, parent.reply_count) == (Comment.Status.HIDDEN, 0)
    assert ModerationAction.objects.filter(comment=reply, kind="hide").count() == 1

    response = admin_client.post(
        url, {"action": "unhide_comments", "_selected_action": [reply.pk, parent.pk]}, follow=True
    )
    assert "1 comment is visible again." in response.content.decode()
    reply.refresh_from_db()
    parent.refresh_from_db()
    assert (reply.status, parent.reply_count) == (Comment.Status.VISIBLE, 1)
    assert reply.body.startswith("<b>评论</b>")
    assert ModerationAction.objects.filter(comment=reply, kind="approve").count() == 1


@pytest.mark.django_db
def test_reprocess_requeues_only_failed_audio_once_committed(
    admin_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    failed = BUILDERS[AudioAsset]()
    assert isinstance(failed, AudioAsset)
    Track.objects.filter(pk=failed.track_id).update(status=Track.Status.FAILED)
    ready = _asset(status=AudioAsset.Status.READY)
    with (
        mock.patch("ting.media.tasks.process_audio_asset") as task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin_client.post(
            changelist_url(AudioAsset),
            {"action": "reprocess_failed", "_selected_action": [failed.pk, ready.pk]},
            follow=True,
        )
    page = response.content.decode()
    assert "1 file was queued for processing again." in page
    assert "1 file was left as it was: only failed audio can be reprocessed." in page
    task.enqueue.assert_called_once_with(asset_id=failed.pk)
    failed.refresh_from_db()
    ready.refresh_from_db()
    assert (failed.status, failed.stage, failed.attempts) == ("pending", "queued", 0)
    assert failed.failure_message == ""
    assert ready.status == AudioAsset.Status.READY
    assert Track.objects.get(pk=failed.track_id).status == Track.Status.PROCESSING


@pytest.mark.django_db
def test_revoking_tokens_and_feed_links_goes_through_the_services(admin_client: Client) -> None:
    token = _token()
    link = BUILDERS[FeedToken]()
    admin_client.post(
        changelist_url(PersonalAccessToken),
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )
    admin_client.post(
        changelist_url(FeedToken), {"action": "revoke_links", "_selected_action": [link.pk]}
    )
    token.refresh_from_db()
    link.refresh_from_db()
    assert isinstance(link, FeedToken)
    assert token.revoked_at is not None
    assert link.revoked_at is not None
