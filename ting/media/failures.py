"""Why an upload could not become a track, in the words of whoever reads it.

Processing runs in a worker, whose language is the server's; the anchor may read the studio in
another. So a failure is stored as a code and its parameters (AudioAsset.failure_code and
failure_params) and rendered here, in the active language of the request that shows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from django.utils.translation import gettext

from ting.catalog.models import Track
from ting.media.audio.errors import MESSAGES, gettext_noop
from ting.media.models import AudioAsset

FAILURE_MESSAGES: Final[dict[str, str]] = {
    **MESSAGES,
    "disk_full": gettext_noop(
        "The server's disk was full while saving the listening versions, so nothing "
        "was kept. The uploaded file is safe: once the site's administrators free some "
        "space, they can process it again."
    ),
    "internal_error": gettext_noop(
        "Ting could not process this file (it failed twice the same way). "
        "Try another export of the audio, or contact the site's administrators."
    ),
}


def failure_text(code: str, params: Mapping[str, object] | None) -> str:
    """The message for ``code`` in the active language ("" for an unknown code)."""
    template = FAILURE_MESSAGES.get(code)
    if template is None or ("%(" in template and not params):
        # Unknown, or stored before parameters were kept: the caller has the stored text.
        return ""
    text = gettext(template)
    if not params:
        return text
    try:
        return text % dict(params)
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder must not break the page: fall back to the
        # source text, which has them all.
        return template % dict(params)


def json_params(params: Mapping[str, object]) -> dict[str, str | int | float | bool | None]:
    """``params`` as JSON can store them: numbers and text as they are, anything else as text."""
    return {
        str(key): value if value is None or isinstance(value, str | int | float) else str(value)
        for key, value in params.items()
    }


def track_failure_reason(track: Track) -> str:
    """Why ``track`` failed, in the active language when its audio's failure has a code."""
    if track.status != Track.Status.FAILED:
        return track.failure_reason  # no query for the audio of a track that did not fail
    try:
        asset: AudioAsset | None = track.audio
    except AudioAsset.DoesNotExist:
        asset = None
    if asset is not None and asset.status == AudioAsset.Status.FAILED and asset.failure_code:
        text = failure_text(asset.failure_code, asset.failure_params)
        if text:
            return text
    return track.failure_reason
