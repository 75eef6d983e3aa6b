import pytest

from ting.catalog import services
from ting.catalog.models import Anchor, Tag, Track
from ting.catalog.tests.factories import make_album, make_track, make_user
from ting.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_becoming_an_anchor_twice_returns_the_same_anchor() -> None:
    user = make_user()
    first = services.anchor_become(user=user, display_name="小明")
    second = services.anchor_become(user=user, display_name="另一个名字")
    assert first.pk == second.pk
    assert second.display_name == "小明"


def test_it_sanitises_the_bio_on_the_way_in() -> None:
    anchor = services.anchor_become(
        user=make_user(), display_name="x", bio="<p>hi</p><script>alert(1)</script>"
    )
    assert anchor.bio == "<p>hi</p>"


def test_tags_in_either_script_are_one_tag(anchor: Anchor) -> None:
    album = services.album_create(anchor=anchor, title="t", tags=["網絡", "网络", " #AI ", "ai"])
    assert album.tags.count() == 2
    assert Tag.objects.count() == 2


def test_new_tracks_go_to_the_end_of_the_album(anchor: Anchor) -> None:
    album = make_album(anchor=anchor)
    first = services.track_create(album=album, title="一")
    second = services.track_create(album=album, title="二")
    assert (first.position, second.position) == (1, 2)


def test_publishing_a_ready_track_updates_the_album(anchor: Anchor) -> None:
    album = make_album(anchor=anchor)
    track = make_track(album=album, status=Track.Status.READY, published_at=None)
    services.track_publish(track=track)
    album.refresh_from_db()
    assert track.status == Track.Status.PUBLISHED
    assert album.published_track_count == 1
    assert album.last_published_at == track.published_at


def test_a_draft_cannot_be_published(anchor: Anchor) -> None:
    track = make_track(album__anchor=anchor, status=Track.Status.DRAFT, published_at=None)
    with pytest.raises(ApplicationError) as raised:
        services.track_publish(track=track)
    assert raised.value.code == "track_not_ready"
