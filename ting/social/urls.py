from django.urls import path

from ting.social.views import comments, library, me, moderation

app_name = "social"

urlpatterns = [
    path("social/track/<int:track_id>/comments/", comments.track_comments, name="track_comments"),
    path("social/album/<int:album_id>/comments/", comments.album_comments, name="album_comments"),
    path("social/comments/<int:comment_id>/replies/", comments.comment_replies, name="replies"),
    path("social/comments/<int:comment_id>/like", comments.comment_like, name="comment_like"),
    path("social/comments/<int:comment_id>/pin", comments.comment_pin, name="comment_pin"),
    path("social/comments/<int:comment_id>/delete", comments.comment_delete, name="comment_delete"),
    path("social/comments/<int:comment_id>/report", comments.comment_report, name="comment_report"),
    path("social/anchor/<int:anchor_id>/follow", library.follow, name="follow"),
    path("social/album/<int:album_id>/subscribe", library.subscribe, name="subscribe"),
    path("social/track/<int:track_id>/like", library.track_like, name="track_like"),
    path("social/track/<int:track_id>/later", library.track_later, name="track_later"),
    path("social/moderation/", moderation.queue, name="moderation"),
    path("social/moderation/comments/<int:comment_id>", moderation.act, name="moderate"),
    path("me/likes/", me.likes, name="likes"),
    path("me/later/", me.later, name="later"),
    path("me/subscriptions/", me.subscriptions, name="subscriptions"),
    path("me/following/", me.following, name="following"),
    path("me/history/", me.history, name="history"),
    path("me/notifications/", me.notification_list, name="notifications"),
    path("me/notifications/read", me.notifications_read, name="notifications_read"),
    path("me/notifications/<int:notification_id>/", me.notification_open, name="notification"),
    path("me/settings/", me.settings_page, name="settings"),
    path("me/export.json", me.export, name="export"),
    path("me/delete", me.delete_account, name="delete_account"),
]
