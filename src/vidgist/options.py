"""Every user setting, as one typed dataclass shared by the CLI, the Python API and batch."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path


def default_cache_dir() -> Path:
    """$VIDGIST_CACHE_DIR, else $XDG_CACHE_HOME/vidgist, else ~/.cache/vidgist."""
    if env := os.environ.get("VIDGIST_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vidgist"


def default_data_dir() -> Path:
    """$XDG_DATA_HOME/vidgist, else ~/.local/share/vidgist: the server's jobs, the library."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "vidgist"


@dataclass(frozen=True)
class SummarizeOptions:
    # -- analysis: these shape the cached features, shots and scores -----------------------
    sample_fps: float = 2.0  # frames per second fed to the frame encoder (the field's 2 fps)
    cut_fps: float = 15.0  # small frames per second fed to the cut detector
    encoder: str = "efficientnet-lite0"
    scorer: str = "greedy"
    checkpoint: Path | None = None  # weights of a learned scorer; None: the shipped ones
    speech: str = "accurate"  # accurate (Whisper base, multilingual), fast (tiny.en), off
    language: str | None = None  # spoken language (ISO 639-1); None: detected
    ocr: bool = True  # read on-screen text (slides, titles, captions)
    max_shot: float | None = None  # seconds; KTS splits longer shots so each can be a summary
    #                                unit. None: duration / 15, within [3, 8] (>= 15 units)
    # -- selection: cheap, recomputed every run --------------------------------------------
    ratio: float = 0.15  # budget as a share of the duration ...
    duration: float | None = None  # ... or in seconds (wins over ratio)
    query: str | None = None  # favour what matches this text (transcript, on-screen text, labels)
    # -- rendering ------------------------------------------------------------------------
    video: bool = True  # summary.mp4
    storyboard: bool = True  # storyboard.jpg + keyframes/
    max_keyframes: int = 24  # storyboard tiles at most (a scene or chapter each; at least 6 where there is room)
    max_height: int | None = None  # summary.mp4 is scaled down to this height, never up; None: the
    #                                source's size, which lets H.264 be copied instead of re-encoded
    fade_ms: float = 5.0  # audio fade at each join, so joins do not click
    # -- machinery -------------------------------------------------------------------------
    threads: int = 0  # 0: all cores
    cache: bool = True
    cache_dir: Path | None = None  # None: default_cache_dir()

    DECODE_FIELDS = ("sample_fps", "cut_fps", "encoder")  # what the cached decode pass depends on

    def __post_init__(self) -> None:
        if not 0 < self.ratio <= 1:
            raise ValueError(f"ratio must be in (0, 1], got {self.ratio}")
        if self.duration is not None and self.duration <= 0:
            raise ValueError(f"duration must be positive, got {self.duration}")
        if self.max_shot is not None and self.max_shot < 2.0:
            raise ValueError(f"max_shot must be at least 2 seconds, got {self.max_shot}")
        from .models.registry import check_checkpoint  # the registry knows which scorers learn

        check_checkpoint(self.scorer, self.checkpoint)
        from .speech import check_speech

        check_speech(self.speech, self.language)
        if self.max_height is not None and self.max_height < 2:
            raise ValueError(f"max_height must be at least 2 pixels, got {self.max_height}")
        if self.sample_fps <= 0 or self.cut_fps < self.sample_fps:
            raise ValueError("need 0 < sample_fps <= cut_fps")

    def decode_key(self) -> dict:
        """The settings the cached decode pass (features, cuts, loudness) depends on."""
        return {name: getattr(self, name) for name in self.DECODE_FIELDS}

    def speech_key(self) -> dict:
        """The settings the cached transcript depends on."""
        return {"speech": self.speech, "language": self.language}

    def to_json(self) -> dict:
        d = asdict(self)
        d["cache_dir"] = str(self.resolved_cache_dir())
        d["checkpoint"] = None if self.checkpoint is None else str(self.checkpoint)
        return d

    def max_shot_for(self, duration: float) -> float:
        return self.max_shot or min(8.0, max(3.0, duration / 15))

    def resolved_cache_dir(self) -> Path:
        return self.cache_dir or default_cache_dir()
