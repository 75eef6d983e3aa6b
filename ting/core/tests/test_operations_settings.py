"""TASKS_BACKEND, REDIS_URL and LOG_FORMAT: a bad value stops start-up with a message naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ting.core.env import redact_url
from ting.core.tests.test_settings import PRODUCTION, start_django


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param({"TASKS_BACKEND": "rq"}, "TASKS_BACKEND=rq needs REDIS_URL", id="rq-no-redis"),
        pytest.param({"REDIS_URL": "localhost:6379"}, "REDIS_URL must start with", id="no-scheme"),
        pytest.param({"REDIS_URL": "http://cache:6379"}, "REDIS_URL must start", id="wrong-scheme"),
        pytest.param({"REDIS_URL": "redis://:6379/0"}, "REDIS_URL must name a host", id="no-host"),
        pytest.param({"REDIS_URL": "redis://cache:port/0"}, "REDIS_URL is not a valid", id="port"),
        pytest.param({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be one of", id="log-format"),
        pytest.param(
            {**PRODUCTION, "TASKS_BACKEND": "immediate"}, "TASKS_BACKEND=immediate", id="prod"
        ),
    ],
)
def test_a_bad_operations_setting_stops_start_up_naming_it(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = start_django(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_a_redis_url_with_a_password_is_never_echoed_in_the_error(tmp_path: Path) -> None:
    result = start_django(tmp_path, REDIS_URL="ftp://user:hunter2@cache:6379/0")
    assert result.returncode != 0
    assert "hunter2" not in result.stderr
    assert "user:***@cache:6379" in result.stderr


def test_rq_with_a_redis_url_starts(tmp_path: Path) -> None:
    result = start_django(tmp_path, TASKS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:6379/9")
    assert result.returncode == 0, result.stderr


def test_redact_url_hides_only_the_password() -> None:
    assert redact_url("redis://:pw@h:1/0") == "redis://:***@h:1/0"
    assert redact_url("redis://u:pw@h:1/0") == "redis://u:***@h:1/0"
    assert redact_url("redis://h:1/0") == "redis://h:1/0"
