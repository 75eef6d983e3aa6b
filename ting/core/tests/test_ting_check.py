"""`ting check` connects to each configured service and prints what works, exiting 1 if not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ting.core import health
from ting.core.tests.private_services import free_port

REPO = Path(__file__).resolve().parents[3]


def ting(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        **os.environ,
        "TING_ENV": "test",
        "TING_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ting.sqlite3'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "ting.core.cli", *args],
        cwd=REPO, env={**clean, **env}, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_ting_check_prints_each_service_and_exits_0_when_all_answer(tmp_path: Path) -> None:
    result = ting("check", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    for service in ("database", "cache", "queue", "storage"):
        assert service in result.stdout
    assert "失败" not in result.stdout  # the default language is Simplified Chinese


def test_ting_check_names_the_service_that_is_down_and_hides_the_password(
    tmp_path: Path,
) -> None:
    nothing_there = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    result = ting("check", tmp_path=tmp_path, REDIS_URL=nothing_there, TASKS_BACKEND="rq")
    assert result.returncode == 1
    cache_line = next(line for line in result.stdout.splitlines() if line.startswith("cache"))
    assert "失败" in cache_line
    assert "Connection refused" in cache_line
    assert ":***@127.0.0.1" in cache_line
    assert "hunter2" not in result.stdout + result.stderr
    assert "无法使用：cache, queue" in result.stderr


@pytest.mark.django_db
def test_a_probe_another_app_registers_is_run_by_check_and_readyz(client: object) -> None:
    def payments() -> str | None:
        raise ConnectionError("payment gateway refused the connection")

    health.register_probe("payments", payments, target=lambda: "https://pay.example")
    try:
        with pytest.raises(CommandError, match="payments"):
            call_command("check_services")
        response = client.get("/readyz")  # type: ignore[attr-defined]
        assert response.status_code == 503
        assert response.json()["checks"]["payments"] == "error: ConnectionError"
    finally:
        health._PROBES.pop("payments")
