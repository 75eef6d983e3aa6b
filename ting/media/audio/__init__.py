"""Ting's audio library: probe, measure, normalise, encode, tag and cover handling.

Plain functions and dataclasses with no Django imports; the media app wraps them.

The names below load their module on first use (PEP 562): importing one light module of
the package (``errors`` for the rejection messages) must not pull numpy, scipy, PyAV and
Pillow into every Django process, a task worker included (about 110 MB; ADR 0003).
``probe`` the function is not among them: the package attribute of that name is the
``probe`` submodule once anything has imported it, so import it from there.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ting.media.audio.cover import ProcessedCover, process_cover
    from ting.media.audio.errors import MESSAGES, AudioRejected, CoverRejected, MediaRejected
    from ting.media.audio.loudness import Loudness
    from ting.media.audio.pipeline import (
        PipelineConfig,
        PipelineResult,
        Rendition,
        process_audio,
    )
    from ting.media.audio.probe import Analysis, ProbeResult, analyse
    from ting.media.audio.tags import Chapter, Tags, read_tags, repair_text

_HOME = {
    "MESSAGES": "errors",
    "Analysis": "probe",
    "AudioRejected": "errors",
    "Chapter": "tags",
    "CoverRejected": "errors",
    "Loudness": "loudness",
    "MediaRejected": "errors",
    "PipelineConfig": "pipeline",
    "PipelineResult": "pipeline",
    "ProbeResult": "probe",
    "ProcessedCover": "cover",
    "Rendition": "pipeline",
    "Tags": "tags",
    "analyse": "probe",
    "process_audio": "pipeline",
    "process_cover": "cover",
    "read_tags": "tags",
    "repair_text": "tags",
}

__all__ = [
    "MESSAGES",
    "Analysis",
    "AudioRejected",
    "Chapter",
    "CoverRejected",
    "Loudness",
    "MediaRejected",
    "PipelineConfig",
    "PipelineResult",
    "ProbeResult",
    "ProcessedCover",
    "Rendition",
    "Tags",
    "analyse",
    "process_audio",
    "process_cover",
    "read_tags",
    "repair_text",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
