"""Rejections a user can understand: a stable code plus an English template.

The templates use ``%(name)s`` placeholders so the Django layer can run them through
gettext (``_(MESSAGES[code]) % params``) without this library importing Django.
"""

from __future__ import annotations

from collections.abc import Mapping


def gettext_noop(message: str) -> str:
    """Marks a template for `makemessages` (a name xgettext knows) without importing Django."""
    return message


MESSAGES: dict[str, str] = {
    "empty_file": gettext_noop("The file is empty."),
    "unreadable": gettext_noop("The file could not be read."),
    "not_audio": gettext_noop("This file is not audio Ting can read (%(detail)s)."),
    "no_audio_stream": gettext_noop("The file contains no audio stream."),
    "unsupported_codec": gettext_noop("The audio codec “%(codec)s” is not supported."),
    "no_decodable_frames": gettext_noop("No audio could be decoded from the file."),
    "too_many_errors": gettext_noop(
        "The audio is damaged: %(errors)s of its %(packets)s packets failed to decode."
    ),
    "truncated": gettext_noop(
        "The file ends after %(decoded)s s of its announced %(declared)s s: it is truncated."
    ),
    "too_long": gettext_noop("The audio is longer than the %(limit)s hour limit."),
    "too_short": gettext_noop("The audio is shorter than %(limit)s s."),
    "cover_not_image": gettext_noop("The cover is not an image Ting can read."),
    "cover_corrupt": gettext_noop("The cover image is damaged."),
    "cover_too_large": gettext_noop(
        "The cover image is %(width)s×%(height)s pixels, more than the %(limit)s megapixel limit."
    ),
    "cover_too_small": gettext_noop("The cover image is only %(width)s×%(height)s pixels."),
}


class MediaRejected(Exception):
    """Bad input, as opposed to a bug: carries a stable code and translatable message."""

    def __init__(self, code: str, params: Mapping[str, object] | None = None) -> None:
        if code not in MESSAGES:
            raise KeyError(f"unknown rejection code {code!r}")
        self.code = code
        self.params: dict[str, object] = dict(params or {})
        super().__init__(self.message_en)

    @property
    def template(self) -> str:
        return MESSAGES[self.code]

    @property
    def message_en(self) -> str:
        return self.template % self.params if self.params else self.template

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.params!r})"


class AudioRejected(MediaRejected):
    """The uploaded audio cannot be processed; show ``message_en`` (translated) to the user."""


class CoverRejected(MediaRejected):
    """The cover image cannot be used; the audio itself may still be fine."""
