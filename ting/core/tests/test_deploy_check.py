"""Production settings pass Django's deployment checklist, and media never goes through Django."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SECRET = "x7Qp2mVb9Lr4Tz8Ws1Kd6Hf3Jn5Yc0Ga7Ue2Io9Pl4Mk8Nj1Bh6Vg3Cf5Dx0Sz"


def run_python(
    tmp_path: Path, *args: str, production: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TING_DATA_DIR": str(tmp_path / "data"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if production:
        env |= {"TING_ENV": "production", "SECRET_KEY": SECRET, "ALLOWED_HOSTS": "ting.example.com"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


RESOLVE_MEDIA = """
import django
django.setup()
from django.urls import Resolver404, resolve
for path in ("/media/covers/a.jpg", "/media/avatars/a.jpg", "/media/audio/3f/a9/3fa9.opus"):
    try:
        resolve(path)
    except Resolver404:
        print("not served")
    else:
        print("served")
"""


def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path: Path) -> None:
    result = run_python(tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_does_not_serve_media_through_django(tmp_path: Path) -> None:
    result = run_python(tmp_path, "-c", RESOLVE_MEDIA)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["not", "served"] * 3


def test_development_serves_images_so_a_fresh_clone_shows_covers_but_never_audio(
    tmp_path: Path,
) -> None:
    result = run_python(tmp_path, "-c", RESOLVE_MEDIA, production=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["served", "served", "not served"]


SECURITY_HEADERS = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="ting.example.com")
plain = client.get("/healthz")
secure = client.get("/healthz", secure=True)
print(json.dumps({
    "redirect": [plain.status_code, plain.get("Location")],
    "headers": {k: secure.get(k) for k in (
        "Strict-Transport-Security", "Content-Security-Policy", "X-Frame-Options",
        "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy")},
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,
                settings.SESSION_COOKIE_HTTPONLY],
    "backends": settings.AUTHENTICATION_BACKENDS,
}))
"""


def test_production_answers_with_the_security_headers_and_secure_cookies(tmp_path: Path) -> None:
    result = run_python(tmp_path, "-c", SECURITY_HEADERS)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["redirect"] == [301, "https://ting.example.com/healthz"]
    headers = seen["headers"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert seen["cookies"] == [True, True, True]
    # Sign-in goes through django-axes first, so brute force is throttled in production too.
    assert seen["backends"][0] == "axes.backends.AxesStandaloneBackend"
