"""STORAGE=s3 is checked when settings load, with a message that names what to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SETTINGS_PROBE = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
    "from django.conf import settings; "
    "print(settings.STORAGES['default']['BACKEND'], settings.MEDIA_DELIVERY); "
    "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['media-src']))"
)


def _load(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "STORAGE"))}
    clean.pop("MEDIA_DELIVERY", None)
    return subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE],
        env={**clean, "TING_ENV": "test", **env},
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        check=False,
    )


def test_s3_settings_with_a_bucket_load_and_deliver_by_redirect() -> None:
    done = _load(STORAGE="s3", S3_BUCKET="ting", S3_ENDPOINT_URL="http://127.0.0.1:9000")
    assert done.returncode == 0, done.stderr
    backend_line, media_src = done.stdout.splitlines()
    assert backend_line.split() == ["storages.backends.s3.S3Storage", "redirect"]
    # The player fetches audio from the store itself: the CSP must allow it.
    assert "http://127.0.0.1:9000" in media_src.split()


def test_the_csp_names_the_cdn_in_front_of_the_bucket() -> None:
    done = _load(STORAGE="s3", S3_BUCKET="ting", S3_CUSTOM_DOMAIN="cdn.example.com")
    assert done.returncode == 0, done.stderr
    media_src = done.stdout.splitlines()[1].split()
    assert "https://cdn.example.com" in media_src
    assert "https://*.amazonaws.com" in media_src


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORAGE": "s3"}, "STORAGE=s3 needs S3_BUCKET"),
        ({"STORAGE": "s3", "S3_BUCKET": "t", "S3_ENDPOINT_URL": "minio:9000"}, "http://"),
        ({"STORAGE": "s3", "S3_BUCKET": "t", "S3_ACCESS_KEY_ID": "k"}, "both"),
        ({"STORAGE": "s3", "S3_BUCKET": "t", "S3_CUSTOM_DOMAIN": "https://cdn"}, "host name"),
        ({"STORAGE": "s3", "S3_BUCKET": "t", "MEDIA_DELIVERY": "app"}, "MEDIA_DELIVERY=redirect"),
        ({"STORAGE": "ftp"}, "STORAGE must be one of local, s3"),
    ],
)
def test_bad_storage_settings_stop_start_up_with_a_clear_message(
    env: dict[str, str], message: str
) -> None:
    done = _load(**env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and message in done.stderr
