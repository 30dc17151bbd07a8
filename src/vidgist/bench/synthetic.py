"""Synthetic datasets in the exact layout of `eccv16_dataset_*_google_pool5.h5`, with a target a
model can learn: for checking a reader, a training loop or the protocol end to end without the
real files (which cannot be redistributed).

Each video is a run of shots; a shot's frames scatter around the shot's own feature vector.
Importance is a fixed nonlinear function of the features plus noise, and each user's summary is
the protocol's knapsack over that importance plus the user's own noise. Written with h5py
directly, dtypes as in the published files (float32 features and user summaries, int picks and
change points, a scalar n_frames, SumMe's video_name as bytes), so a reader is tested against
the published layout.
"""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np

from . import protocol as P

STEP = 15  # source frames per sampled frame


def target(features: np.ndarray) -> np.ndarray:
    """(T, D) -> (T,) in (0, 1): a fixed nonlinear function of three fixed projections."""
    w = np.random.default_rng(12345).normal(size=(features.shape[1], 3)) / np.sqrt(features.shape[1])
    z = features @ w  # (T, 3)
    return 1 / (1 + np.exp(-2 * (z[:, 0] + np.tanh(2 * z[:, 1]) * z[:, 2])))


def video_features(rng: np.random.Generator, t: int, dim: int) -> np.ndarray:
    """(T, D) float32: 4-12 shots, each frame its shot's vector plus a little noise."""
    bounds = np.sort(rng.choice(np.arange(1, t), int(rng.integers(3, 12)), replace=False))
    shot_of = np.searchsorted(bounds, np.arange(t), side="right")
    centres = rng.normal(size=(len(bounds) + 1, dim))
    return (centres[shot_of] + rng.normal(0, 0.3, (t, dim))).astype(np.float32)


def make_h5(path: Path, n_videos: int = 10, dim: int = 16, users: int = 5, seed: int = 0,
            summe: bool = False, steps: tuple[int, int] = (40, 90), noise: float = 0.05) -> Path:
    """n_videos of `steps` sampled frames each; returns path."""
    rng = np.random.default_rng(seed)
    with h5py.File(path, "w") as f:
        for i in range(1, n_videos + 1):
            t = int(rng.integers(*steps))
            n_frames = t * STEP + int(rng.integers(0, STEP))
            features = video_features(rng, t, dim)
            gtscore = np.clip(target(features) + rng.normal(0, noise, t), 0, 1).astype(np.float32)
            picks = np.arange(t) * STEP
            bounds = np.unique(np.r_[0, np.sort(rng.choice(np.arange(30, n_frames - 30), 6, replace=False)), n_frames])
            change_points = np.stack([bounds[:-1], bounds[1:] - 1], axis=1)
            frames = P.upsample(gtscore, picks, n_frames)
            user_summary = np.stack([
                P.summarize_frames(frames + rng.normal(0, 0.1, n_frames), change_points) for _ in range(users)
            ]).astype(np.float32)
            g = f.create_group(f"video_{i}")
            g["features"] = features
            g["gtscore"] = gtscore
            g["user_summary"] = user_summary
            g["change_points"] = change_points.astype(np.int32)
            g["n_frame_per_seg"] = (change_points[:, 1] - change_points[:, 0] + 1).astype(np.int32)
            g["n_frames"] = np.int64(n_frames)
            g["picks"] = picks.astype(np.int32)
            g["gtsummary"] = (gtscore > np.median(gtscore)).astype(np.float32)
            if summe:
                g["video_name"] = np.bytes_(f"clip {i}")
    return path


def make_splits(path: Path, n_videos: int = 10, folds: int = 5, prefix: str = "") -> Path:
    """Five folds, each video in exactly one test set; json (VASNet) or yml (DSNet) by suffix."""
    keys = [f"{prefix}video_{i}" for i in range(1, n_videos + 1)]
    splits = []
    for k in range(folds):
        test = keys[k::folds]
        splits.append({"train_keys": [x for x in keys if x not in test], "test_keys": test})
    if path.suffix == ".yml":
        import yaml

        path.write_text(yaml.safe_dump(splits))
    else:
        path.write_text(json.dumps(splits))
    return path
