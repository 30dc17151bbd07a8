"""Frame encoders behind one interface, and the on-disk feature cache."""

from __future__ import annotations

import importlib

from .base import FrameEncoder

ENCODERS = {"efficientnet-lite0": "vidgist.features.efficientnet:EfficientNetLite0"}


def create_encoder(name: str, threads: int = 0) -> FrameEncoder:
    """Import lazily: onnxruntime loads only when frames are actually encoded."""
    if name not in ENCODERS:
        raise ValueError(f"unknown frame encoder {name!r}; choose from {sorted(ENCODERS)}")
    module, _, cls = ENCODERS[name].partition(":")
    return getattr(importlib.import_module(module), cls)(threads=threads)
