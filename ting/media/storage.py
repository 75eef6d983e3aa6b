"""Where media live: opaque keys, local copies for the pipeline, and the object store's health.

`STORAGE=local` keeps files under MEDIA_ROOT; `STORAGE=s3` keeps them in a bucket
(docs/adr/0013-object-storage.md). Code outside this module talks to `default_storage` and
never assumes a local path exists; what differs between the two lives here.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.utils.translation import gettext as _

from ting.core.errors import ApplicationError

logger = logging.getLogger(__name__)

PROBE_PREFIX = "ting-probe"


def new_asset_key() -> str:
    """`audio/3f/a9/3fa9…`: random, fanned out so no folder grows past a few hundred entries."""
    hexed = uuid.uuid4().hex
    return f"audio/{hexed[:2]}/{hexed[2:4]}/{hexed}"


def is_object_storage(storage: Storage = default_storage) -> bool:
    """True when the storage has no local paths (S3 and the like)."""
    try:
        storage.path("probe")
    except NotImplementedError:
        return True
    return False


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


def presigned_url(
    key: str, *, expires: int, content_type: str | None = None, storage: Storage = default_storage
) -> str:
    """A GET URL for `key` that the object store itself refuses after `expires` seconds.

    Always signed against the store's endpoint, even with a CDN domain configured: a CDN URL
    without a signature would never expire, and private tracks must.
    """
    client = _s3_client(storage)
    params: dict[str, Any] = {"Bucket": storage.bucket_name, "Key": key}  # type: ignore[attr-defined]
    if content_type:
        params["ResponseContentType"] = content_type
    return str(client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires))


def _s3_client(storage: Storage) -> Any:
    connection = getattr(storage, "connection", None)
    if connection is None:
        raise NotImplementedError("this storage has no S3 client")
    return connection.meta.client


# --- health -------------------------------------------------------------------------------


class StorageUnavailable(ApplicationError):
    """The media store refused or could not be reached; `str()` says why and what to do."""

    status = 503

    def __init__(self, message: str, *, code: str = "storage_unavailable") -> None:
        super().__init__(message, code=code)


# S3 error codes (and botocore's own exception classes) → what an operator should do.
_WRONG_KEY = {"InvalidAccessKeyId", "InvalidClientTokenId", "SignatureDoesNotMatch"}
_NO_BUCKET = {"NoSuchBucket"}
_NO_PERMISSION = {"AccessDenied", "AllAccessDisabled", "AccountProblem", "Forbidden", "403"}


def explain_storage_error(exc: BaseException) -> StorageUnavailable:
    """Turn a boto/OS error into a translated explanation; the raw detail goes to the log."""
    from botocore import exceptions as boto

    bucket = getattr(settings, "S3_BUCKET", "")
    endpoint = getattr(settings, "S3_ENDPOINT_URL", "") or "AWS S3"
    if isinstance(exc, boto.ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _WRONG_KEY:
            return StorageUnavailable(
                _(
                    "The object store rejected Ting's credentials: check S3_ACCESS_KEY_ID and "
                    "S3_SECRET_ACCESS_KEY (the store said %(code)s)."
                )
                % {"code": code},
                code="storage_wrong_key",
            )
        if code in _NO_BUCKET or (code == "404" and "HeadBucket" in str(exc)):
            return StorageUnavailable(
                _(
                    "The bucket %(bucket)s does not exist at %(endpoint)s: create it, or fix "
                    "S3_BUCKET and S3_ENDPOINT_URL."
                )
                % {"bucket": bucket, "endpoint": endpoint},
                code="storage_no_bucket",
            )
        if code in _NO_PERMISSION:
            return StorageUnavailable(
                _(
                    "Ting's key may not read, write and delete objects in the bucket "
                    "%(bucket)s: grant s3:GetObject, s3:PutObject, s3:DeleteObject and "
                    "s3:ListBucket to it."
                )
                % {"bucket": bucket},
                code="storage_no_permission",
            )
        return StorageUnavailable(
            _("The object store answered with an error (%(code)s); see the server log.")
            % {"code": code or "?"},
        )
    if isinstance(exc, boto.NoCredentialsError):
        return StorageUnavailable(
            _("Ting has no credentials for the object store: set S3_ACCESS_KEY_ID and "
              "S3_SECRET_ACCESS_KEY."),
            code="storage_wrong_key",
        )  # fmt: skip
    if isinstance(exc, boto.EndpointConnectionError | boto.ConnectTimeoutError):
        return StorageUnavailable(
            _(
                "Ting cannot reach the object store at %(endpoint)s: check S3_ENDPOINT_URL "
                "and that the store is running."
            )
            % {"endpoint": endpoint},
            code="storage_unreachable",
        )
    if isinstance(exc, boto.BotoCoreError):
        return StorageUnavailable(
            _("The object store did not answer properly (%(error)s); see the server log.")
            % {"error": type(exc).__name__},
        )
    if isinstance(exc, OSError):
        return StorageUnavailable(
            _("Ting cannot write to its media folder %(folder)s (%(error)s).")
            % {"folder": settings.MEDIA_ROOT, "error": exc.strerror or type(exc).__name__},
            code="storage_local",
        )
    return StorageUnavailable(_("The media store failed; see the server log."))


def storage_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a storage call raises when the store, not Ting, is at fault."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError, OSError)


@contextlib.contextmanager
def translating_storage_errors(what: str) -> Iterator[None]:
    """Log the raw failure of `what`, re-raise it as a StorageUnavailable people can read."""
    try:
        yield
    except storage_errors() as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        logger.exception("storage failed while %s", what)
        raise explain_storage_error(exc) from exc


def check_storage(storage: Storage = default_storage) -> None:
    """Write, read back and delete a tiny probe object; StorageUnavailable says what failed.

    The probe is written first and under an exact name: a HEAD (which `save()` would send to
    find a free name) carries no error body, and the store's error code is what tells a wrong
    key from a missing permission.
    """
    payload = uuid.uuid4().bytes
    name = f"{PROBE_PREFIX}/{uuid.uuid4().hex}"
    with translating_storage_errors("checking the media store"):
        put_exact(name, io.BytesIO(payload), storage)
        try:
            with storage.open(name, "rb") as handle:
                if handle.read() != payload:
                    raise StorageUnavailable(
                        _("The media store returned different bytes than were written to it."),
                        code="storage_corrupt",
                    )
        finally:
            storage.delete(name)


# --- manifests (backups) ------------------------------------------------------------------


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str


def iter_keys(prefix: str = "", storage: Storage = default_storage) -> Iterator[str]:
    """Every stored key under `prefix`, on disk or in a bucket (no folder entries)."""
    try:
        client = _s3_client(storage)
    except NotImplementedError:
        root = Path(storage.path(""))
        base = root / prefix if prefix else root
        if not base.exists():
            return
        for path in sorted(base.rglob("*")):
            if path.is_file():
                yield path.relative_to(root).as_posix()
        return
    paginator = client.get_paginator("list_objects_v2")
    bucket = storage.bucket_name  # type: ignore[attr-defined]
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", ()):
            yield str(entry["Key"])


def describe_object(key: str, storage: Storage = default_storage) -> StoredObject:
    """Size and sha256 of a stored object, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    size = 0
    with storage.open(key, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
            size += len(block)
    return StoredObject(key=key, size=size, sha256=digest.hexdigest())


# --- raw object access (uploads in flight) ------------------------------------------------


def put_exact(key: str, content: BinaryIO, storage: Storage = default_storage) -> None:
    """Store `content` under exactly `key`, replacing what is there (no renaming, no HEAD)."""
    try:
        client = _s3_client(storage)
    except NotImplementedError:
        storage.delete(key)
        storage.save(key, File(content))
        return
    bucket = storage.bucket_name  # type: ignore[attr-defined]
    client.upload_fileobj(content, bucket, key)


def list_sizes(prefix: str, storage: Storage = default_storage) -> dict[str, int]:
    """Key → size of every object under `prefix`, in one listing on S3."""
    if not _has_client(storage):
        return {key: storage.size(key) for key in iter_keys(prefix, storage)}
    client = _s3_client(storage)
    bucket = storage.bucket_name  # type: ignore[attr-defined]
    sizes: dict[str, int] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", ()):
            sizes[str(entry["Key"])] = int(entry["Size"])
    return sizes


def _has_client(storage: Storage) -> bool:
    return getattr(storage, "connection", None) is not None


def delete_prefix(prefix: str, storage: Storage = default_storage) -> int:
    """Delete every object under `prefix` (which must end in '/'); how many went."""
    if not prefix.endswith("/"):
        raise ValueError("a prefix to delete must end in '/'")
    keys = list(iter_keys(prefix, storage))
    for key in keys:
        storage.delete(key)
    return len(keys)
