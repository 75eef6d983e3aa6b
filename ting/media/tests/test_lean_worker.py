"""A task worker starts without the audio pipeline's or the search index's libraries.

`manage.py db_worker` runs Django's system checks, which import every URL module and with
them most of the project. Those libraries cost ~200 MB in a process that may never ingest
or index (ADR 0003, "Memory"), so they are imported where they are used. A fresh process
shows what a module-level import would pull back in. (The recommender's tasks need numpy
and scipy.sparse when they run, and import them: ting.discovery.tasks is not checked.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]

HEAVY = ("numpy", "scipy", "av", "mutagen", "rjieba", "pypinyin")

STARTUP = f"""
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("check", verbosity=0)
import ting.media.tasks, ting.stats.tasks, ting.studio.tasks
print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]))
"""


def test_a_worker_that_has_run_its_checks_holds_no_pipeline_or_segmenter_libraries() -> None:
    done = subprocess.run(
        [sys.executable, "-c", STARTUP],
        cwd=REPO_ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "TING_ENV": "test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_pipeline_still_loads_on_first_use() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from ting.media.audio import process_audio; print(process_audio)"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "function process_audio" in done.stdout
