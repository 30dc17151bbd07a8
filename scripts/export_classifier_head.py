"""One-off export of EfficientNet-Lite0's ImageNet classifier head, and the ImageNet class names.

The pipeline caches only the 1280-d pooled `features` of each sampled frame. The classifier is
one linear layer on them (the ONNX graph ends in Gemm(features, net._fc.weight, net._fc.bias,
transB=1)), so logits = features @ W.T + b come from cached features without running the CNN.

Writes into src/vidgist/features/weights/:
  efficientnet_lite0_head.npz  weight (1000, 1280) float16 (~2.5 MB), bias (1000,) float32,
                               both taken from the initializers of efficientnet_lite0.onnx
  imagenet_labels.txt          the 1000 ImageNet-1k class names, one a line, in class-index order

Where the class names come from
  package  torchvision 0.29.1 (PyPI wheel torchvision-0.29.1-cp311-cp311-manylinux_2_28_x86_64.whl,
           sha256 2cb678029a5dd45afbbfa662fce49736827d52be33242b5a8a731e0db02ccdf5)
  file     torchvision/models/_meta.py, the list `_IMAGENET_CATEGORIES`
  licence  BSD-3-Clause (torchvision-0.29.1.dist-info/LICENSE, "Copyright (c) Soumith Chintala 2016")
  form     short human names: the first WordNet synonym of each ILSVRC-2012 synset ("tabby",
           "sulphur-crested cockatoo", "mountain bike"), with the two names that repeat in the
           synsets made unique by torchvision ("crane bird" 134 / "crane" 517, "maillot" 638 /
           "maillot tank suit" 639). Used as they are.
  The index order is the standard ILSVRC-2012 one (synsets sorted by wnid), the order of the
  efficientnet-lite0 classifier's outputs; the check below (the cockatoo clip's top class is
  "sulphur-crested cockatoo") confirms the two agree.
  torchvision is not a dependency: the script reads the one file out of the wheel, which it
  fetches with `pip download --no-deps` unless --torchvision-wheel names a local copy.

Verification (printed, and the script fails if it does not hold): on frames decoded from a clip,
logits from the exported head on the ONNX `features` match the ONNX `logits` output, and on the
cockatoo clip the top class is a cockatoo.

Needs the `train` extra (onnx).

Usage:
  python scripts/export_classifier_head.py [--torchvision-wheel WHL] [--video CLIP ...]
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import av
import numpy as np
import onnx
from onnx import numpy_helper

REPO = Path(__file__).resolve().parents[1]
WEIGHTS = REPO / "src/vidgist/features/weights"
ONNX_PATH = WEIGHTS / "efficientnet_lite0.onnx"
HEAD_PATH = WEIGHTS / "efficientnet_lite0_head.npz"
LABELS_PATH = WEIGHTS / "imagenet_labels.txt"
TORCHVISION = "torchvision==0.29.1"
META_FILE = "torchvision/models/_meta.py"
COCKATOO = REPO.parent / "shared/media/imageio_cockatoo.mp4"
DEFAULT_VIDEOS = [REPO / "samples/bbb_sample.mp4", COCKATOO]


def extract_head(model: onnx.ModelProto) -> tuple[np.ndarray, np.ndarray]:
    """The classifier's (weight, bias), checked to be what the final Gemm applies to `features`."""
    (gemm,) = [n for n in model.graph.node if "logits" in n.output]
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in gemm.attribute}
    assert gemm.op_type == "Gemm" and gemm.input[0] == "features", gemm
    assert attrs.get("transB") == 1 and attrs.get("transA", 0) == 0, attrs
    assert attrs.get("alpha", 1.0) == 1.0 and attrs.get("beta", 1.0) == 1.0, attrs
    init = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    weight, bias = init[gemm.input[1]], init[gemm.input[2]]
    assert gemm.input[1:] == ["net._fc.weight", "net._fc.bias"], gemm.input
    assert weight.shape == (1000, 1280) and bias.shape == (1000,)
    return weight, bias


def torchvision_wheel(path: Path | None, workdir: Path) -> Path:
    if path:
        return path
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(workdir), TORCHVISION],
                   check=True)
    (wheel,) = workdir.glob("torchvision-*.whl")
    return wheel


def imagenet_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        source = z.read(META_FILE).decode()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "_IMAGENET_CATEGORIES":
            names = ast.literal_eval(node.value)
            break
    else:
        raise SystemExit(f"no _IMAGENET_CATEGORIES in {wheel}:{META_FILE}")
    assert len(names) == 1000 and len(set(names)) == 1000
    assert all(n and n == n.strip() and "\n" not in n for n in names)
    return names


def frames_224(path: Path, count: int) -> np.ndarray:
    """`count` frames spread over the clip, squashed to 224x224 RGB with swscale's AREA filter,
    as the pipeline's decoder makes its feature frames."""
    with av.open(str(path)) as c:
        frames = [f.to_ndarray(width=224, height=224, format="rgb24", interpolation="AREA")
                  for f in c.decode(c.streams.video[0])]
    picks = np.linspace(0, len(frames) - 1, count).round().astype(int)
    return np.stack([frames[i] for i in picks])


def verify(weight16: np.ndarray, bias: np.ndarray, names: list[str], videos: list[Path]) -> None:
    sys.path.insert(0, str(REPO / "src"))
    from vidgist.features import create_encoder

    encoder = create_encoder("efficientnet-lite0")
    w = weight16.astype(np.float32)
    worst = 0.0
    for video in videos:
        if not video.exists():
            print(f"skip {video}: not there")
            continue
        x = encoder.preprocess(frames_224(video, 8))
        features, logits = encoder.session.run(["features", "logits"], {"images": x})
        head = features @ w.T + bias
        diff = float(np.abs(head - logits).max())
        worst = max(worst, diff)
        agree = float((head.argmax(1) == logits.argmax(1)).mean())
        top = [names[k] for k in logits.argmax(1)]
        print(f"{video.name}: max |head - onnx logits| = {diff:.2e} (logit range "
              f"{logits.min():.1f}..{logits.max():.1f}); argmax agreement {agree:.0%}; top {top}")
        if video == COCKATOO:  # the class most probable on average over the frames
            z = np.exp(logits - logits.max(1, keepdims=True))
            best = names[int((z / z.sum(1, keepdims=True)).mean(0).argmax())]
            print(f"{video.name}: mean-probability top class {best!r}")
            assert "cockatoo" in best, best
    assert worst < 0.05, worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--torchvision-wheel", type=Path, help="a local torchvision wheel to read the names from")
    ap.add_argument("--video", type=Path, nargs="*", default=DEFAULT_VIDEOS, help="clips to verify on")
    args = ap.parse_args()

    weight, bias = extract_head(onnx.load(str(ONNX_PATH)))
    weight16 = weight.astype(np.float16)
    np.savez(HEAD_PATH, weight=weight16, bias=bias.astype(np.float32))
    print(f"wrote {HEAD_PATH.relative_to(REPO)} ({HEAD_PATH.stat().st_size / 1e6:.2f} MB); "
          f"fp16 rounding of W: max {np.abs(weight16.astype(np.float32) - weight).max():.1e}")

    with tempfile.TemporaryDirectory() as tmp:
        wheel = torchvision_wheel(args.torchvision_wheel, Path(tmp))
        print(f"names from {wheel.name} sha256 {hashlib.sha256(wheel.read_bytes()).hexdigest()}")
        names = imagenet_names(wheel)
    LABELS_PATH.write_text("\n".join(names) + "\n")
    print(f"wrote {LABELS_PATH.relative_to(REPO)} ({len(names)} names)")

    verify(weight16, bias, names, args.video)


if __name__ == "__main__":
    main()
