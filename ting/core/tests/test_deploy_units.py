"""docs/deploy/systemd/: the unit set is valid, runs real `ting` commands and known settings."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ting.playback.tests.servers import free_port

REPO = Path(__file__).resolve().parents[3]
UNITS = REPO / "docs" / "deploy" / "systemd"
ENV_EXAMPLE = UNITS / "ting.env.example"
README = REPO / "docs" / "deploy" / "README.md"
SERVICES = ["ting-web.service", "ting-worker@.service", "ting-periodic.service"]
INSTALLED_TING = "/srv/ting/.venv/bin/ting"
TING = Path(sys.executable).parent / "ting"  # this checkout's own
# Read by a library, not by config/settings.py.
FOREIGN_VARIABLES = {"PROMETHEUS_MULTIPROC_DIR"}


def directives(unit: Path) -> list[tuple[str, str, str]]:
    """(section, key, value) for every line: systemd allows a key more than once."""
    section, found = "", []
    for line in unit.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _sep, value = line.partition("=")
        found.append((section, key.strip(), value.strip()))
    return found


def values(unit: Path, key: str) -> list[str]:
    return [value for _section, k, value in directives(unit) if k == key]


def env_example() -> dict[str, str]:
    pairs = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _sep, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def settings_names() -> set[str]:
    """Every variable config/settings.py or the `ting` command reads."""
    sources = (REPO / "config" / "settings.py").read_text() + (
        REPO / "ting" / "core" / "cli.py"
    ).read_text()
    return set(re.findall(r"""(?:env_\w+|environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']""", sources))


def installed_copies(tmp_path: Path) -> Path:
    """The units as installed on this machine: the checkout for /srv/ting, the example env."""
    folder = tmp_path / "units"
    folder.mkdir()
    for unit in UNITS.glob("ting*.*"):
        if unit.suffix in (".service", ".target"):
            text = unit.read_text().replace(
                INSTALLED_TING, str(Path(sys.executable).parent / "ting")
            )
            text = text.replace("/etc/ting/ting.env", str(ENV_EXAMPLE))
            (folder / unit.name).write_text(text)
    return folder


def test_the_unit_set_has_its_units() -> None:
    names = {unit.name for unit in UNITS.iterdir()}
    assert {*SERVICES, "ting.target", "ting.env.example"} <= names


def test_systemd_analyze_verify_accepts_every_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed; the parser checks below still run")
    folder = installed_copies(tmp_path)
    done = subprocess.run(
        [analyze, "verify", "--man=no", "ting.target", *SERVICES],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # verify only warns (exit 0) on a misspelt key: any output at all is a defect.
    assert done.returncode == 0, done.stdout + done.stderr
    assert (done.stdout + done.stderr).strip() == ""


def test_the_verify_check_would_catch_a_misspelt_hardening_key(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    folder = installed_copies(tmp_path)
    web = folder / "ting-web.service"
    web.write_text(web.read_text().replace("ProtectSystem=strict", "ProtectSystm=strict"))
    done = subprocess.run(
        [analyze, "verify", "--man=no", "ting-web.service"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Unknown key" in done.stdout + done.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_each_exec_start_is_a_ting_sub_command_that_runs(service: str) -> None:
    (command,) = values(UNITS / service, "ExecStart")
    binary, sub, *_args = command.split()
    assert binary == INSTALLED_TING
    done = subprocess.run(
        [str(TING), sub, "--help"],
        env={**os.environ, "TASKS_BACKEND": "rq", "REDIS_URL": "redis://127.0.0.1:6379/15"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"`ting {sub} --help` failed:\n{done.stderr[-2000:]}"
    assert "usage:" in done.stdout.lower()


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_hardened_and_runs_as_the_ting_user(service: str) -> None:
    unit = UNITS / service
    for key, expected in {
        "User": "ting",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "ReadWritePaths": "/var/lib/ting",
        "EnvironmentFile": "/etc/ting/ting.env",
    }.items():
        assert values(unit, key) == [expected], f"{service}: {key}"


def test_every_variable_the_units_set_is_a_documented_setting() -> None:
    known = settings_names() | FOREIGN_VARIABLES
    used = set(env_example())
    for service in SERVICES:
        for assignment in values(UNITS / service, "Environment"):
            used.add(assignment.partition("=")[0])
    assert used - known == set(), "not read by config/settings.py or `ting`"
    guide = README.read_text()
    undocumented = {name for name in used if name not in guide}
    assert undocumented == set(), "not explained in docs/deploy/README.md"


def test_the_environment_file_example_passes_the_deploy_check(tmp_path: Path) -> None:
    env = {
        **env_example(),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "TING_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ting_web_serves_with_several_workers_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "TING_DATA_DIR": str(tmp_path), "TING_WEB_WORKERS": "2"}
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        web = subprocess.Popen(
            [str(TING), "web", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert web.poll() is None, log.read_text()
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert answer.status_code == 200
        # TING_WEB_WORKERS=2: two server processes under one parent. The first to start may
        # answer before the second has finished importing the app, so wait for both.
        while log.read_text().count("Started server process") < 2:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert log.read_text().count("Started server process") == 2, log.read_text()
        # exec: the pid systemd knows is uvicorn's own, so its SIGTERM reaches uvicorn.
        assert "uvicorn" in Path(f"/proc/{web.pid}/cmdline").read_text()
        web.send_signal(signal.SIGTERM)
        assert web.wait(timeout=40) == 0
    finally:
        if web.poll() is None:
            web.kill()
