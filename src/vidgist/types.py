"""Result types and the one time convention.

Every time in vidgist is a float number of seconds in the *source timeline*: 0.0 is the start
of the file as a player shows it (the container's start time is subtracted), and an interval
is half-open, [start, end).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class MediaInfo:
    """What the probe learned about a file before decoding it."""

    path: Path
    duration: float  # container estimate; the decoded duration in `Analysis` is authoritative
    fps: float  # average frame rate (may be non-integer, e.g. 30000/1001)
    width: int  # display size, after rotation
    height: int
    rotation: int  # degrees counter-clockwise the picture must be turned to display upright
    has_audio: bool
    video_codec: str
    container: str


@dataclass(frozen=True)
class Interval:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start

    def to_json(self) -> dict:
        return {"start": round(self.start, 3), "end": round(self.end, 3)}


@dataclass(frozen=True)
class Shot(Interval):
    score: float = 0.0

    def to_json(self) -> dict:
        return {**super().to_json(), "score": round(self.score, 4)}


@dataclass(frozen=True)
class Keyframe:
    time: float
    image: str  # path relative to the output folder

    def to_json(self) -> dict:
        return {"time": round(self.time, 3), "image": self.image}


@dataclass
class Analysis:
    """The expensive, budget-independent part of a summary: decode, features, shots, scores.

    Cached on disk, so a new budget or new outputs never decode the video again.
    """

    info: MediaInfo
    duration: float  # decoded duration: end of the last decoded frame
    times: np.ndarray  # (T,) seconds of the sampled frames
    features: np.ndarray  # (T, D) float32 frame features
    cuts: list[float]  # shot boundaries found by the cut detector, seconds
    shots: list[Interval]  # cut-detector shots split by KTS; cover [0, duration)
    scores: np.ndarray  # (T,) importance in [0, 1]
    scorer: str
    loudness: np.ndarray  # (T,) audio level in dBFS at each sampled frame; -120 without audio
    warnings: list[str] = field(default_factory=list)


@dataclass
class Summary:
    """What `summarize` returns: the analysis, the selection and where the outputs are."""

    analysis: Analysis
    segments: list[Interval]  # selected, sorted, non-overlapping, source time
    budget: float  # seconds the selection was allowed
    shots: list[Shot]  # analysis shots with their values
    keyframes: list[Keyframe]
    outdir: Path | None
    outputs: dict[str, str]  # output kind -> path relative to outdir
    settings: dict
    timings: dict[str, float]

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.segments)
