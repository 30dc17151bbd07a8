"""Result types and the one time convention.

Every time in vidgist is a float number of seconds in the *source timeline*: 0.0 is the start
of the file as a player shows it (the container's start time is subtracted), and an interval
is half-open, [start, end).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .speech import CutPoints, Transcript
    from .text.gist import TextSummary


def clock(seconds: float) -> str:
    """Whole seconds as m:ss, or h:mm:ss past an hour: how people (and YouTube chapters) write times."""
    s = int(seconds)
    h, m, s = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


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
    video_codec: str  # "" for an audio-only file
    container: str
    has_video: bool = True  # False: an audio-only file (podcast, call), summarized by its speech


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
    """A summary unit with its value: the mean importance of its frames, and the visually
    distinct scene it shows (-1: none the summary must cover, e.g. a flash or a fade)."""

    score: float = 0.0
    scene: int = -1

    def to_json(self) -> dict:
        return {**super().to_json(), "score": round(self.score, 4), "scene": self.scene}


@dataclass(frozen=True)
class Keyframe:
    """A storyboard tile."""

    time: float
    image: str | None = None  # path relative to the output folder; None until one is written
    title: str = ""  # of the chapter it is in
    in_highlight: bool = False  # the highlight plays this moment
    scene: int = -1  # the distinct scene it shows (-1: none found)

    def to_json(self) -> dict:
        return {"time": round(self.time, 3), "image": self.image, "chapter": self.title,
                "in_highlight": self.in_highlight, "scene": self.scene}


@dataclass(frozen=True)
class Word(Interval):
    """One recognised word with its time; `text` keeps Whisper's leading space (English) or none
    (Chinese), so joining words with "" rebuilds the sentence."""

    text: str = ""
    probability: float = 1.0

    def to_json(self) -> dict:
        return {**super().to_json(), "text": self.text, "p": round(self.probability, 3)}


@dataclass(frozen=True)
class Sentence(Interval):
    """A unit of the text summary: a spoken sentence, a line of on-screen text, or a shot's labels.

    `source` is "speech", "screen" or "labels"; `language` an ISO 639-1 code ("en", "zh") or "".
    """

    text: str = ""
    source: str = "speech"
    language: str = ""

    def to_json(self) -> dict:
        return {**super().to_json(), "text": self.text, "source": self.source}


@dataclass(frozen=True)
class Chapter(Interval):
    """A topic segment of the video with a short title taken from its key phrases."""

    title: str = ""

    def to_json(self) -> dict:
        return {**super().to_json(), "title": self.title}


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
    contrast: np.ndarray | None = None  # (T,) luma standard deviation, 0..1: ~0 for blank frames
    transcript: Transcript | None = None  # None with speech off
    cut_points: CutPoints | None = None  # speech pauses: where a segment may start or end cleanly
    screen: list[Sentence] = field(default_factory=list)  # on-screen text, each line once with its span
    labels: list[Sentence] = field(default_factory=list)  # what the shots show, in ImageNet class names

    @property
    def shown(self) -> list[Sentence]:
        """What is written and shown: the text summary's material where nothing is said."""
        return sorted(self.screen + self.labels, key=lambda s: (s.start, s.end))
    warnings: list[str] = field(default_factory=list)
    # seconds per stage in this run: decode, speech (beside decode and ocr), ocr, score
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Selection:
    """What the selection made of one budget."""

    segments: list[Interval]  # selected, sorted, non-overlapping, source time
    budget: float  # seconds allowed: the request, raised to one watchable piece
    requested: float  # seconds the options asked for
    units: list[Shot]  # the summary units with their values and scenes
    text: TextSummary | None = None  # the text summary, its key sentences chosen with the highlight


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
    text: TextSummary | None = None  # transcript, summary sentences, chapters
    requested_budget: float | None = None  # seconds the options asked for, before raising

    @property
    def duration(self) -> float:
        return sum(s.duration for s in self.segments)

    def in_highlight(self, span: Interval) -> bool:
        """Whether the highlight shows the whole span (a sentence said from start to end)."""
        return any(s.start <= span.start + 1e-3 and span.end <= s.end + 1e-3 for s in self.segments)
