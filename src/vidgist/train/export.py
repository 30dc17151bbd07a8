"""Export a trained scorer to ONNX: `NAME.onnx` plus `NAME.json`, all the runtime needs (no torch).

Only the scoring part leaves: the BiLSTM head of lstm, sumgan's selector, dr-dsn's policy, and
the attention network with its global attention weights as a second output (for the report).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .fit import predict

OPSET = 17


class _WithAttention(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net.attend(x)


def scoring_module(model: str, net: nn.Module) -> tuple[nn.Module, list[str]]:
    """The part of `net` that maps (1, T, D) features to (1, T) scores, and its output names."""
    if model == "attention":
        return _WithAttention(net), ["scores", "attention"]
    part = {"lstm": lambda: net.head, "sumgan": lambda: net.selector, "dr-dsn": lambda: net.policy}[model]()
    return part, ["scores"]


def export_onnx(model: str, net: nn.Module, path: Path, meta: dict) -> Path:
    """Write path (.onnx) and its .json sidecar; check ONNX against torch on random input first."""
    module, outputs = scoring_module(model, net.eval().cpu())
    dim = meta["features"]["dim"]
    dummy = torch.randn(1, 40, dim)
    axes = {"features": {1: "T"}, "scores": {1: "T"}}
    if "attention" in outputs:
        axes["attention"] = {1: "T", 2: "T"}
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # the batch-size caveat for LSTMs: we export and run batch 1
        warnings.filterwarnings("ignore", message=".*batch_size other than 1.*")
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)  # LSTM's shape checks
        warnings.filterwarnings("ignore", category=DeprecationWarning)  # the TorchScript exporter, on purpose
        torch.onnx.export(module, (dummy,), str(path), dynamo=False, opset_version=OPSET,
                          input_names=["features"], output_names=outputs, dynamic_axes=axes)
    worst = onnx_torch_difference(path, net, np.random.default_rng(0).normal(size=(73, dim)).astype(np.float32))
    if worst > 1e-4:
        path.unlink()
        raise RuntimeError(f"ONNX export of {model} differs from torch by {worst:.2g}")
    path.with_suffix(".json").write_text(json.dumps({**meta, "model": model, "onnx_parity": worst}, indent=1))
    return path


def onnx_torch_difference(path: Path, net: nn.Module, features: np.ndarray) -> float:
    """Largest absolute difference of the scores, ONNX Runtime against torch, on (T, D) features."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    onnx_scores = session.run(["scores"], {"features": features[None]})[0][0]
    return float(np.abs(onnx_scores - predict(net, features)).max())
