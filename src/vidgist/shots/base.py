"""The cut detector interface: small frames stream in, shot boundaries come out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np

Changed = Callable[[float], bool]  # changed(t): does the content differ either side of t seconds?


class CutDetector(ABC):
    """Fed every small frame in time order, then asked once for the cuts.

    Detectors keep only per-frame scalars (or a short ring of frames), so memory stays flat.
    """

    @abstractmethod
    def push(self, time: float, frame: np.ndarray) -> None:
        """Feed one (h, w, 3) uint8 YUV thumbnail at `time` seconds."""

    @abstractmethod
    def cuts(self, changed: Changed | None = None) -> list[float]:
        """Shot boundaries in seconds: the time of the first frame of each new shot. changed,
        when given, tells whether the content differs either side of a time (from the frame
        features): a detector may keep a boundary too faint to trust on its own when it does."""
