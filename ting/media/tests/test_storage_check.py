"""check_storage(): a probe object written, read and deleted; each failure explained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from ting.media.storage import StorageUnavailable, check_storage
from ting.media.tests.s3 import S3, MotoAuth, free_port, use_s3


def test_a_working_bucket_passes_and_keeps_no_probe(s3_storage: S3) -> None:
    check_storage()
    assert s3_storage.keys() == []


def test_a_working_media_folder_passes(settings: Any) -> None:
    check_storage()
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_a_missing_bucket_is_named(s3_storage: S3, settings: Any) -> None:
    use_s3(settings, endpoint=s3_storage.endpoint, bucket="no-such-bucket", key="k", secret="s")
    with pytest.raises(StorageUnavailable) as raised:
        check_storage()
    assert raised.value.code == "storage_no_bucket"
    assert "no-such-bucket" in str(raised.value) and "S3_BUCKET" in str(raised.value)


def test_an_unreachable_endpoint_is_named(settings: Any) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    use_s3(settings, endpoint=endpoint, bucket="ting", key="k", secret="s")
    with pytest.raises(StorageUnavailable) as raised:
        check_storage()
    assert raised.value.code == "storage_unreachable"
    assert endpoint in str(raised.value)


def test_a_wrong_key_is_told_apart_from_a_missing_permission(
    s3_storage: S3, settings: Any, moto_auth: MotoAuth
) -> None:
    endpoint, bucket = s3_storage.endpoint, s3_storage.bucket
    use_s3(settings, endpoint=endpoint, bucket=bucket, key="AKIAWRONG", secret="wrong")
    with pytest.raises(StorageUnavailable) as wrong:
        check_storage()
    assert wrong.value.code == "storage_wrong_key"
    assert "S3_ACCESS_KEY_ID" in str(wrong.value)

    use_s3(
        settings, endpoint=endpoint, bucket=bucket, key=moto_auth.no_rights_key,
        secret=moto_auth.no_rights_secret,
    )  # fmt: skip
    with pytest.raises(StorageUnavailable) as denied:
        check_storage()
    assert denied.value.code == "storage_no_permission"
    assert "s3:PutObject" in str(denied.value)

    use_s3(
        settings, endpoint=endpoint, bucket=bucket, key=moto_auth.full_key,
        secret=moto_auth.full_secret,
    )  # fmt: skip
    check_storage()


def test_the_explanation_is_in_the_operators_language(s3_storage: S3, settings: Any) -> None:
    use_s3(settings, endpoint=s3_storage.endpoint, bucket="no-such-bucket", key="k", secret="s")
    for language, word in (("zh-hans", "存储桶"), ("zh-hant", "儲存桶"), ("en", "bucket")):
        with translation.override(language), pytest.raises(StorageUnavailable) as raised:
            check_storage()
        assert word in str(raised.value)


def test_a_media_folder_that_cannot_be_made_is_explained(settings: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"
    with pytest.raises(StorageUnavailable) as raised:
        check_storage()
    assert raised.value.code == "storage_local"
    assert str(blocker) in str(raised.value)
