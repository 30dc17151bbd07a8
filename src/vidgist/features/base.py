"""The frame encoder interface: RGB frames in, one feature vector per frame out."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


class FrameEncoder(ABC):
    name: str  # registry name; part of the feature cache key
    dim: int  # feature size
    batch_size: int = 16

    @abstractmethod
    def encode(self, frames: np.ndarray) -> np.ndarray:
        """(N, 224, 224, 3) uint8 RGB (the decoder's FEATURE_SIZE) -> (N, dim) float32."""
