"""Learned scorers at run time: ONNX files written by `vidgist train`, run by ONNX Runtime (no torch).

A scorer reads `NAME.onnx` and its `NAME.json` sidecar (the features the model expects, what it
was trained on) from `checkpoint`, or the weights shipped in `models/weights/`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import InputError
from .base import Scorer, ScoringContext
from .registry import register_scorer

SHIPPED = Path(__file__).parent / "weights"


class LearnedScorer(Scorer):
    learns = True

    def __init__(self, checkpoint: str | Path | None = None, threads: int = 0):
        path = Path(checkpoint) if checkpoint else SHIPPED / f"{self.name}.onnx"
        if path.is_dir():
            path = path / f"{self.name}.onnx"
        if not path.is_file() or not path.with_suffix(".json").is_file():
            raise InputError(f"scorer {self.name!r}: no weights at {path} (train with `vidgist train`, "
                             "then pass the .onnx it writes with --checkpoint)")
        self.meta = json.loads(path.with_suffix(".json").read_text())
        if self.meta.get("model") != self.name:
            raise InputError(f"{path}: weights of {self.meta.get('model')!r}, not {self.name!r}")
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.attention: np.ndarray | None = None  # (T, T) of the last video, where the model has it

    def score(self, features: np.ndarray, context: ScoringContext) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0, np.float32)
        expected = self.meta["features"]
        if features.shape[1] != expected["dim"]:
            raise InputError(f"scorer {self.name!r} was trained on {expected['dim']}-d {expected['extractor']} "
                             f"features; this analysis has {features.shape[1]}-d features")
        outputs = self.session.run(None, {"features": features[None].astype(np.float32)})
        if len(outputs) > 1:
            self.attention = outputs[1][0]
        return np.clip(outputs[0][0], 0, 1).astype(np.float32)


def _define(name: str) -> type[LearnedScorer]:
    return register_scorer(type(f"Learned_{name.replace('-', '_')}", (LearnedScorer,), {"name": name}))


for _name in ("lstm", "attention", "sumgan", "dr-dsn"):
    _define(_name)
