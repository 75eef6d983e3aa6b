"""What `ting check` says the storage probe (ting.media.storage.check_storage) connects to."""

from __future__ import annotations

from django.core.files.storage import default_storage


def storage_target() -> str:
    location = getattr(default_storage, "location", None) or getattr(
        default_storage, "bucket_name", ""
    )
    # default_storage is a lazy proxy; its __class__ is the configured backend's.
    return f"{default_storage.__class__.__name__} {location}".strip()
