"""From albums and renditions to `rss.Channel` and `rss.Item`: URLs, signing, sanitising."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from ting.catalog.models import Album, Visibility
from ting.core.sanitize import sanitize_rich_text
from ting.feeds import rss
from ting.feeds.categories import apple_category
from ting.feeds.selectors import Episode, FeedSource, FeedState, podcast_guid
from ting.media.models import Rendition
from ting.playback import signing

LANGUAGES: dict[str, str] = {
    Album.Language.CHINESE: "zh",
    Album.Language.CANTONESE: "yue",
    Album.Language.ENGLISH: "en",
}

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


_SENTINEL = 987654321


class IdUrl:
    """An absolute URL pattern with one integer id, reversed once per feed, not per item."""

    def __init__(self, absolute: Absolute, name: str, *rest: str) -> None:
        self.prefix, self.suffix = absolute(reverse(name, args=[_SENTINEL, *rest])).split(
            str(_SENTINEL), 1
        )

    def __call__(self, pk: int) -> str:
        return f"{self.prefix}{int(pk)}{self.suffix}"


class ItemBuilder:
    def __init__(self, *, source: FeedSource, state: FeedState, absolute: Absolute) -> None:
        self.source, self.state = source, state
        self.track_url = IdUrl(absolute, "track")
        self.stream_url = IdUrl(absolute, "playback:stream", Rendition.Format.MP3_128)
        self.chapters_url = IdUrl(absolute, "feeds:chapters")
        self.album_public = source.album.visibility == Visibility.PUBLIC

    def _enclosure(self, episode: Episode) -> str:
        url = self.stream_url(episode.track_id)
        if self.album_public and episode.visibility == Visibility.PUBLIC:
            return url  # the stable URL: anyone may fetch it, CDNs may cache it
        signed = signing.sign(
            episode.track_id, Rendition.Format.MP3_128,
            ttl=settings.TING_FEED_SIGNED_URL_TTL, now=self.state.signing_epoch,
        )  # fmt: skip
        return f"{url}?{signed}"

    def __call__(self, episode: Episode) -> rss.Item:
        chapters = ""
        if episode.has_chapters:
            chapters = self.chapters_url(episode.track_id)
            if self.source.token is not None:
                chapters = f"{chapters}?{urlencode({'token': self.source.token.token})}"
        return rss.Item(
            # An imported episode keeps its original GUID so subscribers who followed it here
            # see no duplicates; everything else is named by its id, which no edit changes.
            guid=episode.imported_guid or f"ting:track:{episode.track_id}",
            title=episode.title,
            link=self.track_url(episode.track_id),
            description_html=sanitize_rich_text(episode.intro),
            published_at=episode.published_at,
            enclosure_url=self._enclosure(episode),
            enclosure_length=episode.size,
            enclosure_type="audio/mpeg",
            duration=round(episode.duration or 0),
            episode=episode.position,
            explicit=episode.explicit,
            chapters_url=chapters,
        )
