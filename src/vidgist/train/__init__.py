"""Training (the `train` extra, torch): supervised on the standard h5 files, unsupervised on a
folder of videos in vidgist's own feature space. Both end in ONNX files the product runs.

    train_on_splits(h5, splits, ...)   one model per split, selected on a validation part of the
                                       split's training videos, exported, then the protocol
    train_on_videos(folder, ...)       sumgan / dr-dsn on the features `vidgist summarize` computes
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..bench.datasets import keys_in, read_h5, read_splits
from ..errors import InputError
from .export import export_onnx
from .fit import Log, Sequence, TrainOptions, fit, load_checkpoint
from .nets import SUPERVISED, UNSUPERVISED

VAL_SHARE = 0.2  # of each split's training videos, held out to choose the epoch


def train_on_splits(h5: Path, splits: Path, options: TrainOptions, out: Path,
                    log: Callable[[int, dict], None] | None = None) -> list[Path]:
    """One model per split in out/split_K/ (best.pt, last.pt, MODEL.onnx + .json). Returns the
    ONNX paths. The test keys are never seen: not in training, not in choosing the epoch."""
    videos = read_h5(h5)
    dim = next(iter(videos.values())).features.shape[1]
    options.net.dim = dim
    exported = []
    for k, fold in enumerate(read_splits(splits)):
        train_keys = [key for key in keys_in(fold.train_keys, h5) if key in videos]
        test_keys = set(keys_in(fold.test_keys, h5))
        if leaked := test_keys & set(train_keys):
            raise InputError(f"split {k}: {sorted(leaked)[:3]} are both training and test videos")
        rng = np.random.default_rng([options.seed, k])
        val_keys = sorted(rng.choice(train_keys, math.ceil(VAL_SHARE * len(train_keys)), replace=False).tolist())
        fit_keys = [key for key in train_keys if key not in val_keys]
        provenance = {
            "features": {"extractor": f"{Path(h5).name} (GoogLeNet pool5 in the standard files)", "dim": dim,
                         "sample_fps": 2.0},
            "data": str(h5), "splits": str(splits), "split": k,
            "train_keys": fit_keys, "val_keys": val_keys, "selection": "best validation Kendall tau (not test)",
        }
        folder = out / f"split_{k}"
        fit([_sequence(videos[key]) for key in fit_keys], [_sequence(videos[key]) for key in val_keys],
            options, folder, provenance, log=(lambda row, k=k: log(k, row)) if log else None)
        exported.append(export_best(options.model, folder, provenance))
    return exported


def export_best(model: str, folder: Path, provenance: dict, onnx: Path | None = None) -> Path:
    """MODEL.onnx (folder/MODEL.onnx unless given) from folder/best.pt, the kept epoch, with a
    sidecar saying what the model saw."""
    net, state = load_checkpoint(folder / "best.pt")
    return export_onnx(model, net, onnx or folder / f"{model}.onnx",
                       {**provenance, "epoch": state["epoch"], "vidgist": state["vidgist"]})


def _sequence(video) -> Sequence:
    if video.gtscore is None:
        raise InputError(f"{video.key}: no gtscore to train on")
    return Sequence(video.key, video.features, video.gtscore)


def train_on_videos(folder: Path, options: TrainOptions, out: Path, log: Log | None = None,
                    progress: Callable[[str], None] | None = None) -> Path:
    """An unsupervised model on every video in a folder, in the product's feature space (the
    analysis cache makes a second run, or a later `summarize`, skip the decoding)."""
    from ..options import SummarizeOptions
    from ..pipeline import Summarizer

    if options.model not in UNSUPERVISED:
        raise InputError(f"--videos trains {' or '.join(UNSUPERVISED)}; {options.model} needs labels (--h5)")
    summarizer_options = SummarizeOptions()
    summarizer = Summarizer(summarizer_options)
    sequences = []
    for path in sorted(p for p in Path(folder).iterdir() if p.is_file()):
        if progress:
            progress(f"features of {path.name}")
        try:
            sequences.append(Sequence(path.name, summarizer.analyze(path).features))
        except InputError as e:
            if progress:
                progress(f"skipped: {e}")
    if not sequences:
        raise InputError(f"{folder}: no readable video to train on")
    options.net.dim = sequences[0].features.shape[1]
    provenance = {
        "features": {"extractor": summarizer_options.encoder, "dim": options.net.dim,
                     "sample_fps": summarizer_options.sample_fps},
        "data": str(folder), "train_keys": [s.key for s in sequences], "val_keys": [],
        "selection": "last epoch (no labels)",
    }
    fit(sequences, [], options, out, provenance, log)
    return export_best(options.model, out, provenance)


__all__ = ["SUPERVISED", "UNSUPERVISED", "TrainOptions", "export_best", "train_on_splits", "train_on_videos"]
