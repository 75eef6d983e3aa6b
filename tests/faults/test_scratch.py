"""Scratch folders a killed worker left behind are removed; live and foreign ones are not."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from ting.media.storage import scratch_delete_orphans, scratch_dir

pytestmark = pytest.mark.faults


def test_only_the_scratch_folders_of_dead_processes_are_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    finished = subprocess.Popen(["true"])
    finished.wait()
    orphan = tmp_path / f"ting-renditions-{finished.pid}-abc123_x"
    orphan.mkdir()
    (orphan / "opus.opus").write_bytes(b"half an encode")
    foreign = tmp_path / f"ting-browser-{finished.pid}-abc"
    foreign.mkdir()

    with scratch_dir("renditions") as live:
        assert Path(live).name.startswith(f"ting-renditions-{os.getpid()}-")
        assert scratch_delete_orphans() == [orphan.name]
        assert Path(live).is_dir()
    assert not orphan.exists()
    assert foreign.is_dir()
