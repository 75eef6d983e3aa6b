"""The operator's admin: every page opens, lists cost a fixed number of queries, nothing unsafe."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from ting.accounts.models import User
from ting.catalog import services
from ting.catalog.models import Album, Anchor, Category, Tag, Track
from ting.catalog.tests.factories import (
    make_album,
    make_anchor,
    make_category,
    make_track,
)

pytestmark = pytest.mark.django_db


def changelist_url(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj: Model) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def in_english(client: Client) -> Client:
    client.cookies["ting_language"] = "en"
    return client


def make_tag_rows(count: int) -> None:
    start = Tag.objects.count()
    names = [f"tag{n}" for n in range(start, start + count)]
    make_album().tags.add(*services.tags_get_or_create(names=names))


# Each builder adds `count` rows that the model's changelist shows.
ROW_BUILDERS: dict[type[Model], Callable[[int], object]] = {
    User: lambda count: [make_anchor() for _ in range(count)],
    Category: lambda count: [make_category() for _ in range(count)],
    Tag: make_tag_rows,
    Anchor: lambda count: [make_anchor() for _ in range(count)],
    Album: lambda count: [make_album() for _ in range(count)],
    Track: lambda count: [make_track() for _ in range(count)],
}

# The most queries a changelist may cost (session, user, counts, filters, rows), whatever its size.
MAX_QUERIES = {User: 7, Category: 5, Tag: 5, Anchor: 7, Album: 8, Track: 7}


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label)
def test_every_registered_changelist_opens_for_a_superuser(
    admin_client: Client, model: type[Model]
) -> None:
    assert admin_client.get(changelist_url(model)).status_code == 200


def test_every_catalog_and_account_change_page_opens_for_a_superuser(
    admin_client: Client, anchor: Anchor
) -> None:
    track = make_track(album__anchor=anchor)
    album = track.album
    album.tags.add(*services.tags_get_or_create(names=["科技"]))
    assert album.category is not None
    objects: list[Model] = [anchor.user, anchor, album, album.category, album.tags.get(), track]
    for obj in objects:
        response = admin_client.get(change_url(obj))
        assert response.status_code == 200, obj._meta.label


@pytest.mark.parametrize("model", [User, Category, Tag, Anchor, Album])
def test_the_add_pages_open_for_a_superuser(admin_client: Client, model: type[Model]) -> None:
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
    assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("model", list(ROW_BUILDERS), ids=lambda model: model._meta.label)
def test_a_changelist_costs_the_same_queries_for_3_rows_as_for_30(
    admin_client: Client, model: type[Model], django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    url = changelist_url(model)
    ROW_BUILDERS[model](3)
    admin_client.get(url)  # the first request warms caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    ROW_BUILDERS[model](27)
    with django_assert_max_num_queries(MAX_QUERIES[model]) as many:
        response = admin_client.get(url)
    assert response.context["cl"].result_count >= 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_stored_markup_in_anchor_fields_is_shown_escaped_in_the_changelist(
    admin_client: Client, anchor: Anchor
) -> None:
    # Written past the services, as an old import or a raw SQL fix could have.
    Anchor.objects.filter(pk=anchor.pk).update(
        display_name='<script>alert("name")</script>',
        bio='<p>你好</p><script>alert("bio")</script>',
    )
    page = admin_client.get(changelist_url(Anchor)).content.decode()
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in page
    assert "你好" in page


def test_the_anchor_change_page_previews_only_sanitised_bio(
    admin_client: Client, anchor: Anchor
) -> None:
    Anchor.objects.filter(pk=anchor.pk).update(
        bio='<p>你好</p><img src=x onerror="alert(1)"><script>alert("bio")</script>'
    )
    page = admin_client.get(change_url(anchor)).content.decode()
    assert "<p>你好</p>" in page
    assert "<script>alert(" not in page
    assert "<img src=x onerror" not in page


def test_saving_an_anchor_in_the_admin_sanitises_the_bio(
    admin_client: Client, anchor: Anchor
) -> None:
    response = admin_client.post(
        change_url(anchor),
        {
            "user": anchor.user_id,
            "display_name": "新名字",
            "bio": '<p>ok</p><script>alert("x")</script>',
            "verified": "on",
        },
    )
    assert response.status_code == 302
    anchor.refresh_from_db()
    assert (anchor.display_name, anchor.bio, anchor.verified) == ("新名字", "<p>ok</p>", True)


def test_the_track_changelist_shows_durations_as_listeners_see_them(
    admin_client: Client, anchor: Anchor
) -> None:
    make_track(album__anchor=anchor, duration=3723.4)
    make_track(album__anchor=anchor, duration=224.0)
    page = admin_client.get(changelist_url(Track)).content.decode()
    assert "1:02:03" in page
    assert "03:44" in page


def test_the_publish_action_publishes_ready_tracks_through_the_service(
    admin_client: Client, anchor: Anchor
) -> None:
    album = make_album(anchor=anchor)
    ready = make_track(album=album, status=Track.Status.READY, published_at=None)
    draft = make_track(album=album, status=Track.Status.DRAFT, published_at=None)
    already = make_track(album=album)
    response = in_english(admin_client).post(
        changelist_url(Track),
        {"action": "publish_ready_tracks", "_selected_action": [ready.pk, draft.pk, already.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "1 track was published." in page
    assert "2 tracks were left as they were: only ready tracks can be published." in page
    ready.refresh_from_db()
    draft.refresh_from_db()
    album.refresh_from_db()
    assert ready.status == Track.Status.PUBLISHED
    assert ready.published_at is not None
    assert draft.status == Track.Status.DRAFT
    assert album.published_track_count == 2


def test_tracks_cannot_be_added_as_bare_rows(admin_client: Client) -> None:
    assert admin_client.get(reverse("admin:catalog_track_add")).status_code == 403


def test_deleting_a_track_in_the_admin_refreshes_its_album_counts(
    admin_client: Client, anchor: Anchor
) -> None:
    album = make_album(anchor=anchor)
    kept = make_track(album=album)
    deleted = make_track(album=album)
    url = reverse("admin:catalog_track_delete", args=[deleted.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    album.refresh_from_db()
    assert album.published_track_count == 1
    assert album.last_published_at == kept.published_at


def test_moving_a_track_to_another_album_refreshes_both_albums(
    admin_client: Client, anchor: Anchor
) -> None:
    source = make_album(anchor=anchor)
    target = make_album(anchor=anchor)
    track = make_track(album=source)
    response = admin_client.post(
        change_url(track),
        {
            "album": target.pk,
            "title": track.title,
            "intro": track.intro,
            "position": 1,
            "visibility": track.visibility,
        },
    )
    assert response.status_code == 302
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.published_track_count, target.published_track_count) == (0, 1)


def test_a_tag_added_in_traditional_script_gets_the_simplified_key(admin_client: Client) -> None:
    response = admin_client.post(reverse("admin:catalog_tag_add"), {"name": "網絡"})
    assert response.status_code == 302
    assert Tag.objects.get().key == "网络"


def test_a_tag_spelled_in_the_other_script_is_refused_as_a_duplicate(
    admin_client: Client,
) -> None:
    services.tags_get_or_create(names=["网络"])
    response = in_english(admin_client).post(reverse("admin:catalog_tag_add"), {"name": "網絡"})
    assert response.status_code == 200
    assert "This tag exists already under another spelling." in response.content.decode()
    assert Tag.objects.count() == 1


def test_the_tag_changelist_counts_albums_per_tag(admin_client: Client) -> None:
    (tag,) = services.tags_get_or_create(names=["科技"])
    for album in (make_album(), make_album()):
        album.tags.add(tag)
    response = admin_client.get(changelist_url(Tag))
    (row,) = response.context["cl"].result_list
    assert row.album_count == 2


def test_the_user_changelist_filters_people_who_are_anchors(
    admin_client: Client, anchor: Anchor, listener: User
) -> None:
    response = admin_client.get(changelist_url(User), {"is_anchor": "yes"})
    assert [user.pk for user in response.context["cl"].result_list] == [anchor.user_id]
    response = admin_client.get(changelist_url(User), {"is_anchor": "no"})
    listed = {user.pk for user in response.context["cl"].result_list}
    assert listener.pk in listed
    assert anchor.user_id not in listed


def test_an_operator_can_add_a_user_from_the_admin(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newcomer",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="newcomer").check_password("a-long-and-unusual-passphrase")


def test_categories_list_their_three_names(admin_client: Client) -> None:
    make_category(slug="history", name_zh_hans="历史", name_zh_hant="歷史", name_en="History")
    page = admin_client.get(changelist_url(Category)).content.decode()
    assert all(name in page for name in ("历史", "歷史", "History"))
