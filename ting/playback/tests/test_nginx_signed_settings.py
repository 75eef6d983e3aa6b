"""MEDIA_DELIVERY=nginx-signed needs its own secret in production, one nginx.conf can carry."""

from __future__ import annotations

from pathlib import Path

import pytest

from ting.core.tests.test_settings import PRODUCTION, assert_start_up_fails_naming, start_django

SIGNED = {**PRODUCTION, "MEDIA_DELIVERY": "nginx-signed"}


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        pytest.param(SIGNED, "TING_NGINX_SECRET", id="no-secret-in-production"),
        pytest.param({"TING_NGINX_SECRET": "short"}, "TING_NGINX_SECRET", id="short"),
        pytest.param(
            {"TING_NGINX_SECRET": "a" * 40 + " $x;"}, "TING_NGINX_SECRET", id="breaks-nginx-conf"
        ),
        pytest.param(
            {"TING_NGINX_SIGNED_PREFIX": "/listen"}, "TING_NGINX_SIGNED_PREFIX", id="prefix"
        ),
    ],
)
def test_start_up_fails_naming_the_bad_variable(
    tmp_path: Path, env: dict[str, str], variable: str
) -> None:
    assert_start_up_fails_naming(tmp_path, env, variable)


def test_production_starts_with_the_secret_set(tmp_path: Path) -> None:
    result = start_django(tmp_path, **SIGNED, TING_NGINX_SECRET="k" * 20 + "Q-_9" * 5)
    assert result.returncode == 0, result.stderr


def test_the_development_secret_is_derived_not_the_secret_key() -> None:
    from django.conf import settings

    assert len(settings.TING_NGINX_SECRET) == 64
    assert settings.TING_NGINX_SECRET not in settings.SECRET_KEY
