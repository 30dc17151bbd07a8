"""The importance scorer interface: frame features (and side signals) in, frame scores out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from ..types import Interval


@dataclass(frozen=True)
class ScoringContext:
    times: np.ndarray  # (T,) seconds of the sampled frames
    shots: list[Interval]  # cover [0, duration)
    duration: float
    contrast: np.ndarray | None = None  # (T,) luma standard deviation, 0..1: ~0 for blank frames
    speech: np.ndarray | None = None  # (T,) 1 where the frame lies in a stretch of speech, else 0


class Scorer(ABC):
    name: str
    learns: bool = False  # True: has weights, from a checkpoint or shipped with the package

    @abstractmethod
    def score(self, features: np.ndarray, context: ScoringContext) -> np.ndarray:
        """(T, D) float32 features -> (T,) importance, finite, in [0, 1]."""


def shot_index(times: np.ndarray, shots: list[Interval]) -> np.ndarray:
    """(T,) index of the shot each sampled frame falls in."""
    starts = np.asarray([s.start for s in shots])
    return np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(shots) - 1)
