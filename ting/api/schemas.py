"""What the API says, as pydantic schemas (explicit In/Out, examples for the OpenAPI page)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

Language = Literal["zh", "yue", "en", "other"]
AlbumStatus = Literal["serialising", "finished"]
VisibilityValue = Literal["public", "unlisted", "private"]
TrackOrder = Literal["asc", "desc"]


class CategoryOut(Schema):
    slug: str = Field(examples=["tech"])
    name: str = Field(examples=["科技"])
    name_zh_hans: str
    name_zh_hant: str
    name_en: str = Field(examples=["Tech"])


class AnchorBrief(Schema):
    id: int
    display_name: str = Field(examples=["紅星新聞"])


class AnchorOut(AnchorBrief):
    bio: str = Field(description="Sanitised HTML.", examples=["<p>一位认真的主播。</p>"])
    verified: bool
    follower_count: int
    url: str = Field(examples=["/anchor/1/"])


class AlbumOut(Schema):
    id: int = Field(examples=[1])
    title: str = Field(examples=["科技早知道"])
    intro: str = Field(description="Sanitised HTML.", examples=["<p>专辑简介。</p>"])
    cover: str | None = Field(examples=["/media/covers/3f2a.jpg"])
    anchor: AnchorBrief
    category: str | None = Field(description="Category slug.", examples=["tech"])
    language: str = Field(examples=["zh"])
    status: str = Field(examples=["serialising"])
    track_order: str = Field(examples=["asc"])
    published_track_count: int
    last_published_at: datetime | None
    play_count: int
    url: str = Field(examples=["/album/1/"])
    feed_url: str | None = Field(description="Public RSS feed, for public albums.")


class TrackOut(Schema):
    id: int = Field(examples=[7])
    album_id: int
    title: str = Field(examples=["第1期：开场"])
    intro: str = Field(description="Sanitised HTML.")
    position: int = Field(examples=[1])
    duration: float | None = Field(examples=[1834.5])
    published_at: datetime | None
    explicit: bool
    play_count: int
    url: str = Field(examples=["/track/7/"])


class SourceOut(Schema):
    format: str = Field(examples=["mp3_128"])
    type: str = Field(examples=["audio/mpeg"])
    url: str = Field(examples=["/stream/7/mp3_128"])


class TrackDetailOut(TrackOut):
    album: AlbumOut
    sources: list[SourceOut]
    chapters: list[dict[str, str | float | None]]


class AlbumPage(Schema):
    items: list[AlbumOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class TrackPage(Schema):
    items: list[TrackOut]
    next_cursor: str | None


class MeOut(Schema):
    id: int
    username: str = Field(examples=["listener"])
    anchor_id: int | None
    scopes: list[str] = Field(examples=[["read", "write"]])


class PositionIn(Schema):
    position: float = Field(ge=0, le=10 * 24 * 3600, examples=[312.5])
    finished: bool = False


class PositionOut(Schema):
    track: TrackOut
    position: float
    finished: bool
    updated_at: datetime


class PositionPage(Schema):
    items: list[PositionOut]
    next_cursor: str | None


# --- studio -----------------------------------------------------------------------------------


class StudioAlbumIn(Schema):
    title: str = Field(min_length=1, max_length=120, pattern=r"\S", examples=["我的新专辑"])
    intro: str = Field("", max_length=20_000, examples=["<p>每周一期。</p>"])
    category: str | None = Field(None, max_length=50, examples=["tech"])
    tags: list[str] = Field(default_factory=list, max_length=20, examples=[["科技", "AI"]])
    language: Language = "zh"
    status: AlbumStatus = "serialising"
    visibility: VisibilityValue = "public"
    track_order: TrackOrder = "asc"


class StudioAlbumPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=120, pattern=r"\S")
    intro: str | None = Field(None, max_length=20_000)
    category: str | None = Field(None, max_length=50)
    tags: list[str] | None = Field(None, max_length=20)
    language: Language | None = None
    status: AlbumStatus | None = None
    visibility: VisibilityValue | None = None
    track_order: TrackOrder | None = None


class StudioAlbumOut(AlbumOut):
    visibility: str = Field(examples=["public"])
    tags: list[str]


class StudioAlbumPage(Schema):
    items: list[StudioAlbumOut]
    next_cursor: str | None


class StudioTrackOut(TrackOut):
    status: str = Field(examples=["ready"])
    visibility: str
    failure_reason: str


class StudioTrackPage(Schema):
    items: list[StudioTrackOut]
    next_cursor: str | None


class StudioTrackPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200, pattern=r"\S")
    intro: str | None = Field(None, max_length=20_000)
    position: int | None = Field(None, ge=1, le=100_000)
    visibility: VisibilityValue | None = None
    explicit: bool | None = None


class PublishIn(Schema):
    at: datetime | None = Field(None, description="A future time schedules the track.")


class UploadIn(Schema):
    album_id: int = Field(ge=1, le=2**62, examples=[1])
    filename: str = Field(min_length=1, max_length=255, examples=["第1期.mp3"])
    size: int = Field(ge=1, le=2**62, examples=[28_800_000])
    last_modified: int | None = Field(None, ge=0, le=2**62)


class UploadOut(Schema):
    id: str = Field(examples=["0b6f3c5e-7a53-4c3f-9d1e-3c1b1f0a9e21"])
    filename: str
    size: int
    offset: int = Field(description="Bytes received; PATCH the next chunk at this offset.")
    status: str = Field(examples=["receiving"])
    error: str
    track_id: int | None


class DayOut(Schema):
    day: date
    downloads: int
    plays: int
    listeners: int
    completions: int


class AnalyticsOut(Schema):
    start: date
    end: date
    downloads: int
    plays: int
    listeners: int
    completions: int
    days: list[DayOut]


# --- comments ---------------------------------------------------------------------------------


class CommentAuthorOut(Schema):
    id: int | None = Field(description="Null once the account is deleted.")
    name: str = Field(examples=["听众小王"])
    is_anchor: bool = Field(description="The anchor of the track or album wrote it.")


class ReplyOut(Schema):
    id: int = Field(examples=[42])
    parent_id: int | None
    author: CommentAuthorOut
    body: str = Field(description="Plain text as written.", examples=["03:15 这里讲得好"])
    html: str = Field(description="Sanitised HTML: links, and timestamps that seek the player.")
    like_count: int
    liked: bool = Field(description="The caller liked it.")
    created_at: datetime


class CommentOut(ReplyOut):
    reply_count: int
    pinned: bool
    replies: list[ReplyOut] = Field(description="The first replies; page the rest.")


class CommentPage(Schema):
    pinned: list[CommentOut] = Field(description="Pinned by the anchor; on the first page only.")
    items: list[CommentOut]
    next_cursor: str | None


class ReplyPage(Schema):
    items: list[ReplyOut]
    next_cursor: str | None


class CommentIn(Schema):
    body: str = Field(min_length=1, max_length=3_600, examples=["第一次听，很喜欢！"])
    parent_id: int | None = Field(
        None, ge=1, le=2**62, description="Reply to this comment (on the same track or album)."
    )


class CommentPosted(Schema):
    comment: ReplyOut
    held: bool = Field(description="Held for a moderator: visible once approved.")


ReportReason = Literal["spam", "abuse", "illegal", "other"]


class ReportIn(Schema):
    reason: ReportReason
    note: str = Field("", max_length=300)


class DoneOut(Schema):
    ok: bool = True


# --- the listener's library -------------------------------------------------------------------


class AlbumBrief(Schema):
    id: int
    title: str = Field(examples=["科技早知道"])
    anchor: AnchorBrief
    cover: str | None


class SavedTrackOut(Schema):
    track: TrackOut
    album: AlbumBrief
    saved_at: datetime


class SavedTrackPage(Schema):
    items: list[SavedTrackOut]
    next_cursor: str | None


class FollowOut(Schema):
    anchor: AnchorBrief
    followed_at: datetime


class FollowPage(Schema):
    items: list[FollowOut]
    next_cursor: str | None


class SubscriptionOut(Schema):
    album: AlbumBrief
    new_count: int = Field(description="Tracks out since the caller last opened or played it.")
    subscribed_at: datetime


class SubscriptionPage(Schema):
    items: list[SubscriptionOut]
    next_cursor: str | None


class ResumeOut(Schema):
    track_id: int
    position: float = Field(description="Seconds; 0 when never played.", examples=[312.5])
    finished: bool
    updated_at: datetime | None


class NotificationOut(Schema):
    id: int
    kind: Literal["new_track", "reply", "anchor_reply", "pinned"]
    text: str = Field(examples=["New track in an album you subscribe to"])
    track_id: int | None
    comment_id: int | None
    created_at: datetime
    read: bool


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread: int
    next_cursor: str | None


class CountOut(Schema):
    count: int


# --- discovery --------------------------------------------------------------------------------


class TrackHitOut(Schema):
    track: TrackOut
    album: AlbumBrief
    snippet: str = Field(description="Plain text around the match.")


class SearchOut(Schema):
    query: str
    terms: list[str] = Field(description="What was searched for, after 繁→简 and segmenting.")
    tracks: list[TrackHitOut]
    albums: list[AlbumBrief] = Field(description="The best albums; on the first page only.")
    anchors: list[AnchorBrief] = Field(description="The best anchors; on the first page only.")
    next_cursor: str | None


class RecommendationOut(Schema):
    track: TrackOut
    album: AlbumBrief
    reason: str = Field(examples=["Because you listened to 第1期"])


class HotOut(Schema):
    queries: list[str] = Field(examples=[["人工智能", "三体"]])


# --- OPML -------------------------------------------------------------------------------------


class OutlineOut(Schema):
    url: str = Field(examples=["https://example.com/podcast.xml"])
    title: str


class OpmlImportOut(Schema):
    subscribed: list[AlbumBrief] = Field(description="Ting albums the caller is now subscribed to.")
    unavailable: list[OutlineOut] = Field(
        description="Ting feeds of albums the caller may not open."
    )
    not_on_ting: list[OutlineOut] = Field(
        description="Other podcasts. Anchors may import them as albums (POST the URL to the "
        "studio's feed import); listeners can keep them in their other apps."
    )
    may_import: bool = Field(description="The caller is an anchor and may import feeds.")
