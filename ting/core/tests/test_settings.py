"""Settings come from the environment; a missing or bad value stops start-up and names itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ting.core.env import env_bool, env_choice, env_int, env_list, env_path, env_str

REPO = Path(__file__).resolve().parents[3]
SECRET = "x7Qp2mVb9Lr4Tz8Ws1Kd6Hf3Jn5Yc0Ga7Ue2Io9Pl4Mk8Nj1Bh6Vg3Cf5Dx0Sz"
PRODUCTION = {"TING_ENV": "production", "SECRET_KEY": SECRET, "ALLOWED_HOSTS": "ting.example.com"}


def start_django(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Runs `django.setup()` in a fresh interpreter that sees only the given environment."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TING_DATA_DIR": str(tmp_path / "data"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_start_up_fails_naming(tmp_path: Path, env: dict[str, str], variable: str) -> None:
    """Start-up stops, and its last line is Django's ImproperlyConfigured naming ``variable``."""
    result = start_django(tmp_path, **env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured:"), result.stderr
    assert variable in last_line


def without(env: dict[str, str], name: str) -> dict[str, str]:
    return {key: value for key, value in env.items() if key != name}


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        pytest.param(without(PRODUCTION, "SECRET_KEY"), "SECRET_KEY", id="no-secret-key"),
        pytest.param({**PRODUCTION, "SECRET_KEY": "short"}, "SECRET_KEY", id="short-secret-key"),
        pytest.param({**PRODUCTION, "SECRET_KEY": "a" * 60}, "SECRET_KEY", id="one-char-key"),
        pytest.param(without(PRODUCTION, "ALLOWED_HOSTS"), "ALLOWED_HOSTS", id="no-hosts"),
        pytest.param({**PRODUCTION, "ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS", id="blank-hosts"),
        pytest.param({**PRODUCTION, "DEBUG": "1"}, "DEBUG", id="debug-in-production"),
        pytest.param({"DEBUG": "maybe"}, "DEBUG", id="debug-not-a-boolean"),
        pytest.param({"DATABASE_URL": "nonsense://x"}, "DATABASE_URL", id="unknown-db-scheme"),
        pytest.param({"DATABASE_URL": "ting.sqlite3"}, "DATABASE_URL", id="db-not-a-url"),
        pytest.param({"TING_ENV": "staging"}, "TING_ENV", id="unknown-env"),
        pytest.param({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND", id="unknown-tasks-backend"),
        pytest.param({"TING_PAGE_SIZE": "twenty"}, "TING_PAGE_SIZE", id="int-not-a-number"),
        pytest.param({"EMAIL_PORT": "0"}, "EMAIL_PORT", id="int-below-minimum"),
        pytest.param({"EMAIL_USE_TLS": "sometimes"}, "EMAIL_USE_TLS", id="tls-not-a-boolean"),
        pytest.param(
            {**PRODUCTION, "SECURE_SSL_REDIRECT": "nah"}, "SECURE_SSL_REDIRECT", id="ssl-redirect"
        ),
    ],
)
def test_start_up_fails_naming_the_bad_variable(
    tmp_path: Path, env: dict[str, str], variable: str
) -> None:
    assert_start_up_fails_naming(tmp_path, env, variable)


def test_production_starts_when_everything_it_needs_is_set(tmp_path: Path) -> None:
    result = start_django(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_development_starts_with_no_environment_at_all(tmp_path: Path) -> None:
    result = start_django(tmp_path)
    assert result.returncode == 0, result.stderr


# --- the helpers themselves ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", " yes ", "on"])
def test_env_bool_reads_the_usual_spellings_of_true(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("TING_FLAG", raw)
    assert env_bool("TING_FLAG", default=False) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_env_bool_reads_the_usual_spellings_of_false(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("TING_FLAG", raw)
    assert env_bool("TING_FLAG", default=True) is False


def test_env_bool_falls_back_to_the_default_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TING_FLAG", raising=False)
    assert env_bool("TING_FLAG", default=True) is True


def test_env_bool_refuses_anything_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TING_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"TING_FLAG must be a boolean .*'maybe'"):
        env_bool("TING_FLAG", default=False)


def test_env_int_parses_and_checks_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TING_N", " 42 ")
    assert env_int("TING_N", 1, minimum=0) == 42
    monkeypatch.setenv("TING_N", "-1")
    with pytest.raises(ImproperlyConfigured, match="TING_N must be at least 0"):
        env_int("TING_N", 1, minimum=0)
    monkeypatch.setenv("TING_N", "4.5")
    with pytest.raises(ImproperlyConfigured, match="TING_N must be an integer"):
        env_int("TING_N", 1)


def test_env_int_treats_blank_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TING_N", "  ")
    assert env_int("TING_N", 7) == 7


def test_env_str_treats_blank_as_unset_and_can_require_a_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TING_S", "")
    assert env_str("TING_S", "fallback") == "fallback"
    assert env_str("TING_S") == ""
    with pytest.raises(ImproperlyConfigured, match="TING_S must be set"):
        env_str("TING_S", required=True)
    monkeypatch.setenv("TING_S", "value")
    assert env_str("TING_S", required=True) == "value"


def test_env_choice_is_case_insensitive_and_names_the_choices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TING_C", " Production ")
    assert env_choice("TING_C", "development", ("development", "production")) == "production"
    monkeypatch.setenv("TING_C", "staging")
    with pytest.raises(ImproperlyConfigured, match="TING_C must be one of development, production"):
        env_choice("TING_C", "development", ("development", "production"))


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TING_L", " a.example , ,b.example,")
    assert env_list("TING_L") == ["a.example", "b.example"]
    monkeypatch.delenv("TING_L")
    assert env_list("TING_L", ("localhost",)) == ["localhost"]


def test_env_path_expands_home_and_resolves(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TING_P", "~/data/../media")
    assert env_path("TING_P", Path("unused")) == tmp_path.resolve() / "media"
    monkeypatch.delenv("TING_P")
    assert env_path("TING_P", Path("var")) == Path("var").resolve()


def test_production_keeps_compiled_templates_in_memory(tmp_path: Path) -> None:
    """Re-reading and re-parsing templates on every request would double a page's cost."""
    show_loaders = (
        "import django; django.setup(); from django.template import engines; "
        "print(*(type(l).__module__ for l in engines['django'].engine.template_loaders))"
    )
    env = {**PRODUCTION, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", TING_DATA_DIR=str(tmp_path / "data"))
    result = subprocess.run(
        [sys.executable, "-c", show_loaders],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.stdout.split() == ["django.template.loaders.cached"], result.stderr
