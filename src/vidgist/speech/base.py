"""The transcript and the one interface every speech recogniser implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..types import Word


@dataclass
class Transcript:
    language: str  # ISO 639-1 ("en", "zh"); "" when nothing was said
    words: list[Word] = field(default_factory=list)
    model: str = ""

    def to_json(self) -> dict:
        return {"language": self.language, "model": self.model,
                "words": [[w.start, w.end, w.text, w.probability] for w in self.words]}

    @classmethod
    def from_json(cls, d: dict) -> Transcript:
        return cls(d["language"], [Word(s, e, text=t, probability=p) for s, e, t, p in d["words"]], d["model"])


class Transcriber(ABC):
    """Audio in, words with times out. `mode` names the user-facing setting (--speech MODE)."""

    mode: str
    model: str  # what the cache key and summary.json record
    languages: tuple[str, ...] = ()  # what it can transcribe; () = any

    @abstractmethod
    def transcribe(self, audio: np.ndarray | Iterable[np.ndarray],
                   progress: Callable[[float], None] | None = None) -> Transcript:
        """audio: (n,) float32 mono at 16 kHz, time 0 at the source's 0, whole or as pieces laid
        end to end (a long file need not be held at once). progress(seconds done)."""


_MODES: dict[str, type[Transcriber]] = {}


def register_transcriber(cls: type[Transcriber]) -> type[Transcriber]:
    _MODES[cls.mode] = cls
    return cls


def speech_modes() -> list[str]:
    """The --speech choices besides "off"."""
    from . import whisper  # noqa: F401  (registers the modes)

    return sorted(_MODES)


def check_speech(mode: str, language: str | None) -> None:
    """ValueError unless `mode` exists ("off" does) and can transcribe `language` (None: any)."""
    if mode == "off":
        return
    if mode not in speech_modes():
        raise ValueError(f"speech must be off or one of {', '.join(speech_modes())}, got {mode!r}")
    known = _MODES[mode].languages
    if language and known and language not in known:
        raise ValueError(f"--speech {mode} transcribes only {', '.join(known)}; use --speech accurate for {language!r}")


def create_transcriber(mode: str, cache_dir: Path, threads: int = 0, language: str | None = None) -> Transcriber:
    """language: ISO 639-1 code of the speech, or None to detect it."""
    check_speech(mode, language)
    return _MODES[mode](cache_dir, threads, language)
