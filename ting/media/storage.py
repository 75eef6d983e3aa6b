"""Opaque storage keys, and getting a stored file onto local disk for the pipeline."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import Storage, default_storage


def new_asset_key() -> str:
    """`audio/3f/a9/3fa9…`: random, fanned out so no folder grows past a few hundred entries."""
    hexed = uuid.uuid4().hex
    return f"audio/{hexed[:2]}/{hexed[2:4]}/{hexed}"


def save_whole(name: str, content: File[Any], storage: Storage = default_storage) -> str:
    """Save `content` under `name`, or leave nothing there.

    Django's FileSystemStorage keeps what it wrote when a write fails (a full disk, say); a
    stump under a key we then forget would be half a file nobody cleans up.
    """
    try:
        return storage.save(name, content)
    except OSError:
        storage.delete(name)
        raise


_SCRATCH = re.compile(r"ting-(?:renditions|repair|src)-(\d+)-\w+")


def scratch_dir(kind: str) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder named after this process, so a reaper can tell when it is orphaned."""
    return tempfile.TemporaryDirectory(prefix=f"ting-{kind}-{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive, and not ours to judge
    return True


def scratch_delete_orphans() -> list[str]:
    """Delete scratch folders whose process is gone (kill -9 skips TemporaryDirectory's cleanup).

    A killed encode leaves up to a few hundred MB behind; nobody else would ever remove it.
    """
    removed: list[str] = []
    for folder in Path(tempfile.gettempdir()).glob("ting-*"):
        named = _SCRATCH.fullmatch(folder.name)
        if named and folder.is_dir() and not _alive(int(named.group(1))):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


@contextlib.contextmanager
def local_copy(name: str, storage: Storage = default_storage) -> Iterator[Path]:
    """A local path for a stored file: the file itself on disk storage, a temp copy on S3."""
    try:
        yield Path(storage.path(name))
        return
    except NotImplementedError:
        pass
    with scratch_dir("src") as tmp:
        target = Path(tmp) / "source"
        with storage.open(name, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, length=1024 * 1024)
        yield target
