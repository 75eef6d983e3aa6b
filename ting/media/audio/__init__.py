"""Ting's audio library: probe, measure, normalise, encode, tag and cover handling.

Plain functions and dataclasses with no Django imports; the media app wraps them.
"""

from ting.media.audio.cover import ProcessedCover, process_cover
from ting.media.audio.errors import MESSAGES, AudioRejected, CoverRejected, MediaRejected
from ting.media.audio.loudness import Loudness
from ting.media.audio.pipeline import (
    PipelineConfig,
    PipelineResult,
    Rendition,
    process_audio,
)
from ting.media.audio.probe import Analysis, ProbeResult, analyse, probe
from ting.media.audio.tags import Chapter, Tags, read_tags, repair_text

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
    "probe",
    "process_audio",
    "process_cover",
    "read_tags",
    "repair_text",
]
