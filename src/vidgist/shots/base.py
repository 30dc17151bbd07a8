"""The cut detector interface: small frames stream in, shot boundaries come out."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


class CutDetector(ABC):
    """Fed every small frame in time order, then asked once for the cuts.

    Detectors keep only per-frame scalars (or a short ring of frames), so memory stays flat.
    """

    @abstractmethod
    def push(self, time: float, frame: np.ndarray) -> None:
        """Feed one (h, w, 3) uint8 YUV thumbnail at `time` seconds."""

    @abstractmethod
    def cuts(self) -> list[float]:
        """Shot boundaries in seconds: the time of the first frame of each new shot."""
