"""A generic storage probe: write, read back and delete a tiny object through default_storage.

Kept apart so the storage backend's own check (ting.media.storage.check_storage) can replace it
in MediaConfig.ready() with one line.
"""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _


def storage_probe() -> str | None:
    payload = uuid.uuid4().hex.encode()
    name = default_storage.save(f"health/probe-{payload.decode()}.txt", ContentFile(payload))
    try:
        with default_storage.open(name) as stored:
            if stored.read() != payload:
                raise RuntimeError(_("Storage returned different bytes than were written."))
    finally:
        default_storage.delete(name)
    return None


def storage_target() -> str:
    location = getattr(default_storage, "location", None) or getattr(
        default_storage, "bucket_name", ""
    )
    # default_storage is a lazy proxy; its __class__ is the configured backend's.
    return f"{default_storage.__class__.__name__} {location}".strip()
