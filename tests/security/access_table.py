"""Who may do what at every URL: the table the access test walks (ASVS V8.2.2).

Every URL pattern of the site has an entry, keyed by its route as the resolver spells it; a new
URL without one fails `test_every_url_pattern_has_an_access_rule`. Each case gives a method, a
URL built from the world, and the status each role gets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from tests.security.world import ROLES, World

Expect = dict[str, int]
UrlFor = Callable[[World], str]

# Object states of a track, and who may open a track in that state by URL.
VISIBLE_TRACKS = ("public", "unlisted", "in_unlisted_album")
HIDDEN_TRACKS = ("private", "draft", "failed", "scheduled", "in_private_album")
VISIBLE_ALBUMS = ("public", "unlisted")
HIDDEN_ALBUMS = ("private",)


@dataclass(frozen=True)
class Case:
    label: str
    method: str
    url: UrlFor
    expect: Expect
    data: dict[str, Any] | Callable[[World], dict[str, Any]] = field(default_factory=dict)
    content_type: str | None = None
    # Request headers as WSGI environ keys (HTTP_X_FORWARDED_FOR, REMOTE_ADDR), and settings
    # that hold for this case only (a metrics token).
    meta: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def body(self, world: World) -> dict[str, Any]:
        return self.data(world) if callable(self.data) else self.data


def everyone(status: int = 200) -> Expect:
    return dict.fromkeys(ROLES, status)


def signed_in(status: int = 200, anonymous: int = 302) -> Expect:
    return {**everyone(status), "anonymous": anonymous}


def owner_only(status: int = 200, others: int = 404, anonymous: int | None = None) -> Expect:
    expect = {**everyone(others), "owner": status}
    return {**expect, "anonymous": others if anonymous is None else anonymous}


def staff_only(status: int = 200, others: int = 403, anonymous: int = 302) -> Expect:
    return {**everyone(others), "staff": status, "anonymous": anonymous}


def studio(status: int = 200, other_anchor: int = 404, not_anchor: int = 302) -> Expect:
    """The owner's studio object: another anchor gets 404, people without a studio go set one up."""
    return {
        "anonymous": 302,
        "owner": status,
        "other_anchor": other_anchor,
        "listener": not_anchor,
        "stranger": not_anchor,
        "staff": not_anchor,
    }


def api_owner(status: int = 200, other_anchor: int = 404, not_anchor: int = 403) -> Expect:
    return {
        "anonymous": 401,
        "owner": status,
        "other_anchor": other_anchor,
        "listener": not_anchor,
        "stranger": not_anchor,
        "staff": not_anchor,
    }


def track_url(name: str, state: str, *extra: Any) -> UrlFor:
    return lambda w: reverse(name, args=[w.tracks[state].pk, *extra])


def album_url(name: str, state: str, *extra: Any) -> UrlFor:
    return lambda w: reverse(name, args=[w.albums[state].pk, *extra])


def deleted_url(name: str, *extra: Any) -> UrlFor:
    return lambda w: reverse(name, args=[w.deleted_id, *extra])


def per_track_state(
    name: str,
    *extra: Any,
    method: str = "GET",
    visible: Expect | None = None,
    hidden: Expect | None = None,
    data: dict[str, Any] | None = None,
    deleted: Expect | None = None,
) -> list[Case]:
    """A track URL for every state: visible ones open to all, hidden ones to the owner only."""
    cases = [
        Case(
            f"{state} track",
            method,
            track_url(name, state, *extra),
            visible or everyone(),
            data or {},
        )
        for state in VISIBLE_TRACKS
    ]
    cases += [
        Case(
            f"{state} track",
            method,
            track_url(name, state, *extra),
            hidden or owner_only(),
            data or {},
        )
        for state in HIDDEN_TRACKS
    ]
    cases.append(
        Case(
            "deleted track", method, deleted_url(name, *extra), deleted or everyone(404), data or {}
        )
    )
    return cases


def per_album_state(
    name: str,
    *extra: Any,
    method: str = "GET",
    visible: Expect | None = None,
    hidden: Expect | None = None,
    data: dict[str, Any] | None = None,
    deleted: Expect | None = None,
) -> list[Case]:
    cases = [
        Case(
            f"{state} album",
            method,
            album_url(name, state, *extra),
            visible or everyone(),
            data or {},
        )
        for state in VISIBLE_ALBUMS
    ]
    cases += [
        Case(
            f"{state} album",
            method,
            album_url(name, state, *extra),
            hidden or owner_only(),
            data or {},
        )
        for state in HIDDEN_ALBUMS
    ]
    cases.append(
        Case(
            "deleted album", method, deleted_url(name, *extra), deleted or everyone(404), data or {}
        )
    )
    return cases


def get(url: UrlFor, expect: Expect, label: str = "") -> Case:
    return Case(label or "GET", "GET", url, expect)


def post(url: UrlFor, expect: Expect, label: str = "", **data: Any) -> Case:
    return Case(label or "POST", "POST", url, expect, data)


def fixed(name: str, *args: Any) -> UrlFor:
    return lambda w: reverse(name, args=list(args))


def upload_url(w: World) -> str:
    return reverse("studio:upload", args=[w.upload.pk])


def comment_url(name: str) -> UrlFor:
    return lambda w: reverse(name, args=[w.comment.pk])


def api(path: str) -> UrlFor:
    def build(w: World) -> str:
        return "/api/v1/" + path.format(
            track=w.tracks["public"].pk,
            draft=w.tracks["draft"].pk,
            album=w.albums["public"].pk,
            private_album=w.albums["private"].pk,
            anchor=w.owner.pk,
            upload=w.upload.pk,
        )

    return build


# --- the API's library and comments ----------------------------------------------------------


def api_signed_in(status: int = 200) -> Expect:
    """Any account (the session holds every scope); nobody gets the API's 401, not a redirect."""
    return signed_in(status, anonymous=401)


def api_track(path: str, state: str) -> UrlFor:
    return lambda w: "/api/v1/" + path.format(w.tracks[state].pk if state else w.deleted_id)


def api_album(path: str, state: str) -> UrlFor:
    return lambda w: "/api/v1/" + path.format(w.albums[state].pk if state else w.deleted_id)


def api_per_state(
    path: str,
    kind: str,
    method: str,
    *,
    visible: Expect,
    hidden: Expect,
    deleted: Expect,
    data: dict[str, Any] | None = None,
) -> list[Case]:
    """An API path with `{}` for a track or album id, in every state: visible, hidden, gone."""
    url = api_track if kind == "track" else api_album
    states = (VISIBLE_TRACKS, HIDDEN_TRACKS) if kind == "track" else (VISIBLE_ALBUMS, HIDDEN_ALBUMS)
    content_type = "application/json" if data is not None else None
    cases = [
        Case(f"{s} {kind}", method, url(path, s), visible, data or {}, content_type)
        for s in states[0]
    ]
    cases += [
        Case(f"{s} {kind}", method, url(path, s), hidden, data or {}, content_type)
        for s in states[1]
    ]
    cases.append(Case(f"deleted {kind}", method, url(path, ""), deleted, data or {}, content_type))
    return cases


def api_reads(path: str, kind: str) -> list[Case]:
    """Public reads about a track or album: hidden ones exist for their owner only."""
    return api_per_state(
        path, kind, "GET", visible=everyone(), hidden=owner_only(), deleted=everyone(404)
    )


def api_writes(
    path: str, kind: str, method: str, status: int = 200, data: dict[str, Any] | None = None
) -> list[Case]:
    """A signed-in write on a track or album: one the caller may not see is a 404."""
    return api_per_state(
        path,
        kind,
        method,
        visible=api_signed_in(status),
        hidden={**api_signed_in(404), "owner": status},
        deleted=api_signed_in(404),
        data=data,
    )


def deleted_url_api(path: str) -> UrlFor:
    return lambda w: "/api/v1/" + path.format(w.deleted_id)


def api_comment(which: str, suffix: str = "") -> UrlFor:
    def build(w: World) -> str:
        pk = w.deleted_id if which == "deleted" else getattr(w, which).pk
        return f"/api/v1/comments/{pk}{suffix}"

    return build


def api_on_comments(
    method: str,
    suffix: str = "",
    *,
    status: int = 200,
    visible: Expect | None = None,
    data: dict[str, Any] | None = None,
) -> list[Case]:
    """An action on a comment by id: the listener's on a public track, the owner's on a private
    track (a 404 for whoever may not see that track), and one that is gone."""
    signed = api_signed_in if method != "GET" else everyone
    content_type = "application/json" if data is not None else None
    body = data or {}
    hidden = {**signed(404), "owner": status}
    return [
        Case("visible comment", method, api_comment("comment", suffix), visible or signed(status),
             body, content_type),
        Case("comment on a private track", method, api_comment("hidden_comment", suffix), hidden,
             body, content_type),
        Case("deleted comment", method, api_comment("deleted", suffix), signed(404), body,
             content_type),
    ]  # fmt: skip


def metrics_cases() -> list[Case]:
    """/metrics: loopback without a proxy header, or the bearer token when one is set."""
    url = fixed("metrics")
    token = {"TING_METRICS_TOKEN": "scrape-secret"}
    return [
        Case("loopback, no token set", "GET", url, everyone(), settings={"TING_METRICS_TOKEN": ""}),
        Case(
            "through the proxy",
            "GET",
            url,
            everyone(403),
            meta={"HTTP_X_FORWARDED_FOR": "203.0.113.9"},
            settings={"TING_METRICS_TOKEN": ""},
        ),
        Case(
            "from another host",
            "GET",
            url,
            everyone(403),
            meta={"REMOTE_ADDR": "203.0.113.9"},
            settings={"TING_METRICS_TOKEN": ""},
        ),
        Case("loopback, a token set but not sent", "GET", url, everyone(401), settings=token),
        Case(
            "the wrong token",
            "GET",
            url,
            everyone(401),
            meta={"HTTP_AUTHORIZATION": "Bearer nope"},
            settings=token,
        ),
        Case(
            "the token, through the proxy",
            "GET",
            url,
            everyone(),
            meta={"HTTP_AUTHORIZATION": "Bearer scrape-secret", "HTTP_X_FORWARDED_FOR": "1.2.3.4"},
            settings=token,
        ),
    ]


ACCESS: dict[str, list[Case]] = {}  # filled in by access_rules.py


def position_of(state: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"track": w.tracks[state].pk, "position": "12"}


def oembed_of(state: str) -> UrlFor:
    return lambda w: "/oembed?url=http://testserver" + reverse("track", args=[w.tracks[state].pk])


def _build() -> dict[str, list[Case]]:
    t = "public"
    return {
        "metrics": metrics_cases(),
        # --- health -------------------------------------------------------------------------
        "healthz": [get(fixed("healthz"), everyone())],
        "readyz": [get(fixed("readyz"), everyone())],
        # --- catalog ------------------------------------------------------------------------
        "": [get(fixed("home"), everyone())],
        "category/<slug:slug>/": [
            get(lambda w: reverse("category", args=[w.category_slug]), everyone()),
            get(fixed("category", "no-such-category"), everyone(404), "missing category"),
        ],
        "album/<int:album_id>/": per_album_state("album"),
        "anchor/<int:anchor_id>/": [
            get(lambda w: reverse("anchor", args=[w.owner.pk]), everyone()),
            get(deleted_url("anchor"), everyone(404), "deleted anchor"),
        ],
        "anchor/new/": [
            get(fixed("become_anchor"), {**signed_in(), "owner": 302, "other_anchor": 302})
        ],
        "track/<int:track_id>/": per_track_state("track"),
        # --- playback -----------------------------------------------------------------------
        # Only public tracks stream from a bare URL; the others need the signed URL their page
        # gives (ting/playback/tests/test_stream_access.py), the owner included.
        "stream/<int:track_id>/<str:fmt>": [
            *per_track_state(
                "playback:stream", "opus32", visible=everyone(404), hidden=everyone(404)
            )[1:],
            get(track_url("playback:stream", "public", "opus32"), everyone(), "public track"),
        ],
        "playback/track/<int:track_id>.json": per_track_state("playback:player_data"),
        "playback/position": [
            Case(
                f"{state} track",
                "POST",
                fixed("playback:position"),
                expect,
                position_of(state),
            )
            for state, expect in [
                # Anonymous listeners keep their place in the browser: 204, nothing written.
                ("public", signed_in(204, anonymous=204)),
                ("private", {**signed_in(404, anonymous=204), "owner": 204}),
                ("draft", {**signed_in(404, anonymous=204), "owner": 204}),
            ]
        ],
        "embed/track/<int:track_id>": per_track_state("playback:embed_track", hidden=everyone(404)),
        "embed/album/<int:album_id>": per_album_state("playback:embed_album", hidden=everyone(404)),
        "oembed": [
            get(
                oembed_of(state),
                everyone(200 if state in VISIBLE_TRACKS else 404),
                f"{state} track",
            )
            for state in (*VISIBLE_TRACKS, *HIDDEN_TRACKS)
        ],
        # --- accounts -----------------------------------------------------------------------
        "accounts/signup/": [get(fixed("accounts:signup"), {**everyone(302), "anonymous": 200})],
        "accounts/login/": [get(fixed("accounts:login"), {**everyone(302), "anonymous": 200})],
        "accounts/logout/": [
            get(fixed("accounts:logout"), everyone(405), "GET never signs out"),
            post(fixed("accounts:logout"), everyone(302)),
        ],
        "accounts/profile/": [get(fixed("accounts:profile"), signed_in())],
        "accounts/password/change/": [get(fixed("accounts:password_change"), signed_in())],
        "accounts/password/change/done/": [
            get(fixed("accounts:password_change_done"), signed_in())
        ],
        "accounts/password/reset/": [get(fixed("accounts:password_reset"), everyone())],
        "accounts/password/reset/sent/": [get(fixed("accounts:password_reset_done"), everyone())],
        "accounts/password/reset/<uidb64>/<token>/": [
            get(
                fixed("accounts:password_reset_confirm", "MQ", "bad-token"),
                everyone(),
                "a bad token shows the 'invalid link' page",
            )
        ],
        "accounts/password/reset/done/": [
            get(fixed("accounts:password_reset_complete"), everyone())
        ],
        # --- studio -------------------------------------------------------------------------
        "studio/": [get(fixed("studio:dashboard"), studio(other_anchor=200))],
        "studio/albums/new/": [get(fixed("studio:album_new"), studio(other_anchor=200))],
        "studio/albums/<int:album_id>/": [
            get(album_url("studio:album", s), studio(), f"{s} album") for s in ("public", "private")
        ],
        "studio/albums/<int:album_id>/edit/": [
            get(album_url("studio:album_edit", s), studio(), f"{s} album")
            for s in ("public", "private")
        ],
        "studio/albums/<int:album_id>/delete/": [
            get(album_url("studio:album_delete", t), studio()),
            post(album_url("studio:album_delete", t), studio(302)),
        ],
        "studio/albums/<int:album_id>/order/": [
            post(album_url("studio:album_reorder", t), studio(302), "an empty order")
        ],
        "studio/albums/<int:album_id>/upload/": [
            post(album_url("studio:album_upload", t), studio(302), "no files")
        ],
        "studio/tracks/<int:track_id>/": [
            get(track_url("studio:track", s), studio(), f"{s} track")
            for s in ("public", "draft", "failed", "private")
        ],
        "studio/tracks/<int:track_id>/status/": [
            get(track_url("studio:track_status", s), studio(), f"{s} track")
            for s in ("public", "draft")
        ],
        "studio/uploads/": [
            post(
                fixed("studio:upload_create"),
                {**studio(400, other_anchor=400, not_anchor=403), "anonymous": 403},
                "an empty request",
            )
        ],
        "studio/uploads/<uuid:upload_id>": [
            get(upload_url, {**studio(not_anchor=403), "anonymous": 403})
        ],
        # --- stats --------------------------------------------------------------------------
        "counting/": [get(fixed("stats:counting"), everyone())],
        "stats/beacon": [post(fixed("stats:beacon"), everyone(400), "an empty beacon")],
        "stats/": [get(fixed("stats:anchor"), studio(other_anchor=200, not_anchor=404))],
        "stats/export.csv": [
            get(fixed("stats:anchor_csv"), studio(other_anchor=200, not_anchor=404))
        ],
        "stats/album/<int:album_id>/": [
            get(album_url("stats:album", s), studio(not_anchor=404), f"{s} album")
            for s in ("public", "private")
        ],
        "stats/album/<int:album_id>/export.csv": [
            get(album_url("stats:album_csv", s), studio(not_anchor=404), f"{s} album")
            for s in ("public", "private")
        ],
        "stats/track/<int:track_id>/": [
            get(track_url("stats:track", s), studio(not_anchor=404), f"{s} track")
            for s in ("public", "draft")
        ],
        "stats/track/<int:track_id>/export.csv": [
            get(track_url("stats:track_csv", s), studio(not_anchor=404), f"{s} track")
            for s in ("public", "draft")
        ],
        # --- discovery ----------------------------------------------------------------------
        "search/": [get(lambda w: "/search/?q=声音", everyone())],
        "search/suggest": [get(lambda w: "/search/suggest?q=声", everyone())],
        # --- social -------------------------------------------------------------------------
        "social/track/<int:track_id>/comments/": per_track_state("social:track_comments"),
        "social/album/<int:album_id>/comments/": per_album_state("social:album_comments"),
        "social/comments/<int:comment_id>/replies/": [
            get(comment_url("social:replies"), everyone())
        ],
        "social/comments/<int:comment_id>/like": [
            post(comment_url("social:comment_like"), signed_in(303))
        ],
        "social/comments/<int:comment_id>/pin": [
            post(comment_url("social:comment_pin"), {**signed_in(403), "owner": 303, "staff": 303})
        ],
        "social/comments/<int:comment_id>/delete": [
            post(
                comment_url("social:comment_delete"),
                {**signed_in(403), "owner": 303, "staff": 303, "listener": 303},
            )
        ],
        "social/comments/<int:comment_id>/report": [
            get(comment_url("social:comment_report"), signed_in())
        ],
        "social/anchor/<int:anchor_id>/follow": [
            post(lambda w: reverse("social:follow", args=[w.owner.pk]), signed_in(303))
        ],
        "social/album/<int:album_id>/subscribe": per_album_state(
            "social:subscribe",
            method="POST",
            visible=signed_in(303),
            hidden={**signed_in(404), "owner": 303},
            deleted=signed_in(404),
        ),
        "social/track/<int:track_id>/like": per_track_state(
            "social:track_like",
            method="POST",
            visible=signed_in(303),
            hidden={**signed_in(404), "owner": 303},
            deleted=signed_in(404),
        ),
        "social/track/<int:track_id>/later": per_track_state(
            "social:track_later",
            method="POST",
            visible=signed_in(303),
            hidden={**signed_in(404), "owner": 303},
            deleted=signed_in(404),
        ),
        "social/moderation/": [get(fixed("social:moderation"), staff_only(others=404))],
        "social/moderation/comments/<int:comment_id>": [
            post(comment_url("social:moderate"), staff_only(302, others=404), action="approve")
        ],
        "me/likes/": [get(fixed("social:likes"), signed_in())],
        "me/later/": [get(fixed("social:later"), signed_in())],
        "me/subscriptions/": [get(fixed("social:subscriptions"), signed_in())],
        "me/following/": [get(fixed("social:following"), signed_in())],
        "me/history/": [get(fixed("social:history"), signed_in())],
        "me/notifications/": [get(fixed("social:notifications"), signed_in())],
        "me/notifications/read": [post(fixed("social:notifications_read"), signed_in(302))],
        "me/notifications/<int:notification_id>/": [
            get(
                lambda w: reverse("social:notification", args=[w.notification.pk]),
                {**signed_in(404), "listener": 302},
            )
        ],
        "me/settings/": [get(fixed("social:settings"), signed_in())],
        "me/export.json": [get(fixed("social:export"), signed_in())],
        "me/delete": [post(fixed("social:delete_account"), signed_in(400), "no confirmation")],
        # --- feeds --------------------------------------------------------------------------
        # Unlisted and private albums have feeds only under a secret token (the next entry).
        "feeds/album/<int:album_id>.xml": [
            get(album_url("feeds:album", "public"), everyone(), "public album"),
            get(album_url("feeds:album", "unlisted"), everyone(404), "unlisted album"),
            get(album_url("feeds:album", "private"), everyone(404), "private album"),
            get(deleted_url("feeds:album"), everyone(404), "deleted album"),
        ],
        "feeds/private/<str:token>.xml": [
            get(lambda w: reverse("feeds:private_album", args=[w.feed_token.token]), everyone()),
            get(fixed("feeds:private_album", "not-a-token"), everyone(404), "unknown token"),
        ],
        "feeds/track/<int:track_id>/chapters.json": per_track_state(
            "feeds:chapters", hidden=everyone(404)
        ),
        "feeds/anchor/<int:anchor_id>.opml": [
            get(lambda w: reverse("feeds:anchor_opml", args=[w.owner.pk]), everyone()),
            get(deleted_url("feeds:anchor_opml"), everyone(404), "deleted anchor"),
        ],
        "feeds/studio/albums/<int:album_id>/": [
            get(album_url("feeds:studio_album_feeds", s), studio(), f"{s} album")
            for s in ("public", "private")
        ],
        "feeds/studio/albums/<int:album_id>/links/": [
            post(album_url("feeds:studio_token_create", "private"), studio(302))
        ],
        "feeds/studio/albums/<int:album_id>/links/<int:token_id>/revoke/": [
            post(
                lambda w: reverse(
                    "feeds:studio_token_revoke", args=[w.albums["private"].pk, w.feed_token.pk]
                ),
                studio(302),
            )
        ],
        "feeds/studio/import/": [get(fixed("feeds:studio_import"), studio(other_anchor=200))],
        "feeds/studio/import/<int:import_id>/": [
            get(
                lambda w: reverse("feeds:studio_import_detail", args=[w.feed_import.pk]),
                studio(),
            )
        ],
        "feeds/studio/import/<int:import_id>/sync/": [
            post(
                lambda w: reverse("feeds:studio_import_resync", args=[w.feed_import.pk]),
                studio(302),
            )
        ],
        # --- API ----------------------------------------------------------------------------
        "api/v1/openapi.json": [get(api("openapi.json"), everyone())],
        "api/v1/docs": [get(api("docs"), everyone())],
        "api/v1/categories": [get(api("categories"), everyone())],
        "api/v1/albums": [get(api("albums"), everyone())],
        "api/v1/albums/<album_id>": [
            get(api("albums/{album}"), everyone(), "public album"),
            get(api("albums/{private_album}"), owner_only(), "private album"),
        ],
        "api/v1/albums/<album_id>/tracks": [
            get(api("albums/{album}/tracks"), everyone(), "public album"),
            get(api("albums/{private_album}/tracks"), owner_only(), "private album"),
        ],
        "api/v1/tracks/<track_id>": [
            get(api("tracks/{track}"), everyone(), "public track"),
            get(api("tracks/{draft}"), owner_only(), "draft track"),
        ],
        "api/v1/anchors/<anchor_id>": [get(api("anchors/{anchor}"), everyone())],
        "api/v1/anchors/<anchor_id>/albums": [get(api("anchors/{anchor}/albums"), everyone())],
        "api/v1/me": [get(api("me"), signed_in(anonymous=401))],
        "api/v1/me/history": [get(api("me/history"), signed_in(anonymous=401))],
        "api/v1/me/recommendations": [get(api("me/recommendations"), api_signed_in())],
        "api/v1/search": [get(lambda w: "/api/v1/search?q=声音", everyone())],
        "api/v1/search/hot": [get(api("search/hot"), everyone())],
        # Comments: reading follows the track's (album's) visibility; writing needs an account
        # that may see it.
        "api/v1/tracks/<track_id>/comments": [
            *api_reads("tracks/{}/comments", "track"),
            *api_writes("tracks/{}/comments", "track", "POST", 201, {"body": "第一次听，很喜欢"}),
        ],
        "api/v1/albums/<album_id>/comments": [
            *api_reads("albums/{}/comments", "album"),
            *api_writes("albums/{}/comments", "album", "POST", 201, {"body": "第一次听，很喜欢"}),
        ],
        "api/v1/comments/<comment_id>/replies": api_on_comments("GET", "/replies"),
        "api/v1/comments/<comment_id>/like": [
            *api_on_comments("PUT", "/like"),
            *api_on_comments("DELETE", "/like"),
        ],
        "api/v1/comments/<comment_id>/reports": api_on_comments(
            "POST", "/reports", data={"reason": "spam"}
        ),
        # Deleting: the author, the track's anchor and staff; never another listener.
        "api/v1/comments/<comment_id>": [
            *api_on_comments(
                "DELETE",
                visible={**api_signed_in(403), "listener": 200, "owner": 200, "staff": 200},
            ),
            Case(
                "another listener's comment",
                "DELETE",
                api_comment("others_comment"),
                {**api_signed_in(403), "stranger": 200, "owner": 200, "staff": 200},
            ),
        ],
        # The caller's library: lists are their own; adding needs a track (album) they may see.
        "api/v1/me/likes": [get(api("me/likes"), api_signed_in())],
        "api/v1/me/likes/<track_id>": [
            *api_writes("me/likes/{}", "track", "PUT"),
            *api_writes("me/likes/{}", "track", "DELETE"),
        ],
        "api/v1/me/later": [get(api("me/later"), api_signed_in())],
        "api/v1/me/later/<track_id>": [
            *api_writes("me/later/{}", "track", "PUT"),
            *api_writes("me/later/{}", "track", "DELETE"),
        ],
        "api/v1/me/subscriptions": [get(api("me/subscriptions"), api_signed_in())],
        "api/v1/me/subscriptions/<album_id>": [
            *api_writes("me/subscriptions/{}", "album", "PUT"),
            *api_writes("me/subscriptions/{}", "album", "DELETE"),
        ],
        "api/v1/me/subscriptions/<album_id>/seen": api_writes(
            "me/subscriptions/{}/seen", "album", "POST"
        ),
        "api/v1/me/follows": [get(api("me/follows"), api_signed_in())],
        "api/v1/me/follows/<anchor_id>": [
            Case("follow", "PUT", api("me/follows/{anchor}"), {**api_signed_in(), "owner": 400}),
            Case("unfollow", "DELETE", api("me/follows/{anchor}"), api_signed_in()),
            Case(
                "follow a deleted anchor",
                "PUT",
                deleted_url_api("me/follows/{}"),
                api_signed_in(404),
            ),
        ],
        "api/v1/me/notifications": [get(api("me/notifications"), api_signed_in())],
        "api/v1/me/notifications/read": [
            Case("mark all read", "POST", api("me/notifications/read"), api_signed_in())
        ],
        # The notification is the listener's: to anyone else it does not exist.
        "api/v1/me/notifications/<notification_id>/read": [
            Case(
                "the listener's notification",
                "POST",
                lambda w: f"/api/v1/me/notifications/{w.notification.pk}/read",
                {**api_signed_in(404), "listener": 200},
            )
        ],
        "api/v1/me/opml": [
            get(api("me/opml"), api_signed_in()),
            Case("no file", "POST", api("me/opml"), api_signed_in(422)),
        ],
        "api/v1/me/positions/<track_id>": [
            Case(
                "draft track",
                "PUT",
                api("me/positions/{draft}"),
                {**signed_in(404, anonymous=401), "owner": 200},
                {"position": 3},
                "application/json",
            ),
        ],
        "api/v1/studio/albums": [
            get(api("studio/albums"), api_owner(other_anchor=200)),
            Case(
                "create",
                "POST",
                api("studio/albums"),
                api_owner(201, other_anchor=201),
                {"title": "新的"},
                "application/json",
            ),
        ],
        "api/v1/studio/albums/<album_id>": [
            get(api("studio/albums/{album}"), api_owner()),
            get(api("studio/albums/{private_album}"), api_owner(), "private album"),
            Case(
                "update",
                "PATCH",
                api("studio/albums/{album}"),
                api_owner(),
                {"title": "改了"},
                "application/json",
            ),
        ],
        "api/v1/studio/albums/<album_id>/tracks": [
            get(api("studio/albums/{album}/tracks"), api_owner())
        ],
        "api/v1/studio/tracks/<track_id>": [
            Case(
                "update",
                "PATCH",
                api("studio/tracks/{draft}"),
                api_owner(),
                {"title": "改了"},
                "application/json",
            ),
        ],
        "api/v1/studio/tracks/<track_id>/publish": [
            Case(
                "publish a draft",
                "POST",
                api("studio/tracks/{draft}/publish"),
                api_owner(400),
                {},
                "application/json",
            ),
        ],
        "api/v1/studio/uploads": [
            Case(
                "create in the owner's album",
                "POST",
                api("studio/uploads"),
                api_owner(201),
                lambda w: {"album_id": w.albums["public"].pk, "filename": "a.mp3", "size": 1000},
                "application/json",
            ),
        ],
        "api/v1/studio/uploads/<upload_id>": [
            get(api("studio/uploads/{upload}"), api_owner()),
            Case("cancel", "DELETE", api("studio/uploads/{upload}"), api_owner(204)),
        ],
        "api/v1/studio/analytics": [
            get(api("studio/analytics"), api_owner(other_anchor=200, not_anchor=404))
        ],
        "api/v1/": [get(api(""), everyone(404))],
        "api/tokens/": [get(fixed("api_pages:tokens"), signed_in())],
        "api/tokens/<int:token_id>/revoke/": [
            post(
                lambda w: reverse("api_pages:token_revoke", args=[w.api_token.pk]),
                {**signed_in(404), "owner": 302},
            )
        ],
        "api/subscriptions/opml/": [
            get(fixed("api_pages:subscriptions_opml"), signed_in()),
            post(
                fixed("api_pages:subscriptions_opml"),
                signed_in(),
                "an empty post shows the form again",
            ),
        ],
        "api/subscriptions/opml/export/": [
            get(fixed("api_pages:subscriptions_opml_export"), signed_in())
        ],
        "api/^v1/": [get(lambda w: "/api/v1/no/such/thing", everyone(404))],
        # --- language, admin, media -----------------------------------------------------------
        "i18n/setlang/": [post(fixed("set_language"), everyone(302), language="en")],
        "admin/": [
            get(lambda w: "/admin/", staff_only(others=302)),
            get(lambda w: "/admin/catalog/track/", staff_only(others=302), "a changelist"),
            get(
                lambda w: f"/admin/catalog/track/{w.tracks['draft'].pk}/change/",
                staff_only(others=302),
                "a change form",
            ),
        ],
        "^media/(?P<path>(?:covers|avatars)/.+)$": [
            get(lambda w: "/media/covers/missing.jpg", everyone(404), "a missing image"),
            get(lambda w: "/media/covers/", everyone(404), "no directory listing"),
            get(lambda w: "/media/audio/", everyone(404), "audio is never served as a file"),
        ],
    }


ACCESS.update(_build())
