"""From albums and renditions to `rss.Channel` and `rss.Item`: URLs, signing, sanitising."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from ting.catalog.models import Album, Track
from ting.core.sanitize import sanitize_rich_text
from ting.feeds import rss
from ting.feeds.categories import apple_category
from ting.feeds.selectors import FeedSource, FeedState, podcast_guid
from ting.media.models import Rendition
from ting.playback import access, signing

LANGUAGES = {Album.Language.CHINESE: "zh", Album.Language.CANTONESE: "yue", Album.Language.ENGLISH: "en"}

Absolute = Callable[[str], str]


def feed_path(source: FeedSource) -> str:
    if source.token is not None:
        return reverse("feeds:private_album", args=[source.token.token])
    return reverse("feeds:album", args=[source.album.pk])


def _page_url(absolute: Absolute, path: str, page: int) -> str:
    return absolute(path if page == 1 else f"{path}?{urlencode({'page': page})}")


def channel(
    *,
    source: FeedSource,
    state: FeedState,
    keywords: list[str],
    page: int,
    pages: int,
    absolute: Absolute,
) -> rss.Channel:
    album, anchor = source.album, source.album.anchor
    path = feed_path(source)
    paging: dict[str, str] = {}
    if pages > 1:
        paging = {"first": _page_url(absolute, path, 1), "last": _page_url(absolute, path, pages)}
        if page < pages:
            paging["next"] = _page_url(absolute, path, page + 1)
        if page > 1:
            paging["previous"] = _page_url(absolute, path, page - 1)
    return rss.Channel(
        title=album.title,
        link=absolute(reverse("album", args=[album.pk])),
        self_url=_page_url(absolute, path, page),
        description_html=sanitize_rich_text(album.intro),
        language=LANGUAGES.get(album.language, ""),
        author=anchor.display_name,
        owner_name=anchor.display_name,
        owner_email=anchor.user.email,
        # The public URL names the podcast, whichever door this copy came through.
        podcast_guid=podcast_guid(absolute(reverse("feeds:album", args=[album.pk]))),
        person_name=anchor.display_name,
        person_href=absolute(reverse("anchor", args=[anchor.pk])),
        person_img=absolute(anchor.avatar.url) if anchor.avatar else "",
        image_url=absolute(album.cover.url) if album.cover else "",
        category=apple_category(album.category),
        explicit=state.explicit,
        serial=album.track_order == Album.TrackOrder.ASCENDING,
        complete=album.status == Album.Status.FINISHED,
        keywords=keywords,
        last_build=state.changed_at,
        paging=paging,
    )


def _guid(track: Track) -> str:
    try:
        imported = track.imported_episode  # select_related: no query
    except Track.imported_episode.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        imported = None
    # An imported episode keeps its original GUID so subscribers who follow it here see no
    # duplicates; everything else is named by its id, which no edit changes.
    return imported.guid if imported is not None else f"ting:track:{track.pk}"


def item(
    *, rendition: Rendition, source: FeedSource, state: FeedState, absolute: Absolute
) -> rss.Item:
    asset = rendition.asset
    track = asset.track
    track.album = source.album
    stream = reverse("playback:stream", args=[track.pk, rendition.format])
    if not access.is_public(track):
        ttl = settings.TING_FEED_SIGNED_URL_TTL
        stream = f"{stream}?{signing.sign(track.pk, rendition.format, ttl=ttl, now=state.signing_epoch)}"
    chapters = ""
    if asset.tags.get("chapters"):
        chapters = reverse("feeds:chapters", args=[track.pk])
        if source.token is not None:
            chapters = f"{chapters}?{urlencode({'token': source.token.token})}"
        chapters = absolute(chapters)
    assert track.published_at is not None  # the feed carries published tracks only
    return rss.Item(
        guid=_guid(track),
        title=track.title,
        link=absolute(reverse("track", args=[track.pk])),
        description_html=sanitize_rich_text(track.intro),
        published_at=track.published_at,
        enclosure_url=absolute(stream),
        enclosure_length=rendition.size,
        enclosure_type="audio/mpeg",
        duration=round(rendition.duration or track.duration or 0),
        episode=track.position,
        explicit=track.explicit,
        chapters_url=chapters,
    )
