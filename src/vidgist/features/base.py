"""The frame encoder interface: RGB frames in, one feature vector per frame out."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


class FrameEncoder(ABC):
    name: str  # registry name; part of the feature cache key
    dim: int  # feature size
    input_size: int = 224  # frames arrive as (N, input_size, input_size, 3) uint8 RGB
    batch_size: int = 16

    @abstractmethod
    def encode(self, frames: np.ndarray) -> np.ndarray:
        """(N, S, S, 3) uint8 RGB -> (N, dim) float32."""
