"""The one way the product opens an ONNX Runtime session on CPU."""

from __future__ import annotations

from pathlib import Path


def cpu_session(path: Path, threads: int):
    """An InferenceSession on `threads` cores whose idle threads sleep: ORT's spin-wait by
    default, between operators and after each run (0.04-0.08 s of CPU per idle pause), taking
    the cores the decoder, Whisper and the other models run on beside it."""
    import onnxruntime as ort  # loaded on use: not at start-up

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
