"""Small synthetic datasets in the exact layout of `eccv16_dataset_*_google_pool5.h5`.

Written with h5py directly, dtypes as in the published files (float32 features and user
summaries, int picks and change points, a scalar n_frames, SumMe's video_name as bytes), so
the reader is tested against the layout, not against our own writer.
"""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np

from vidgist.bench import protocol as P

STEP = 15  # source frames per sampled frame


def target(features: np.ndarray) -> np.ndarray:
    """A fixed nonlinear function of the features: the importance a model could learn."""
    return 1 / (1 + np.exp(-3 * (np.sin(features[:, 0] * 2) + features[:, 1] * features[:, 2])))


def make_h5(path: Path, n_videos: int = 10, dim: int = 16, users: int = 5, seed: int = 0,
            summe: bool = False) -> Path:
    rng = np.random.default_rng(seed)
    with h5py.File(path, "w") as f:
        for i in range(1, n_videos + 1):
            t = int(rng.integers(40, 90))
            n_frames = t * STEP + int(rng.integers(0, STEP))
            # features drift slowly, as real frame features do
            features = np.cumsum(rng.normal(0, 0.3, (t, dim)), axis=0).astype(np.float32)
            gtscore = target(features).astype(np.float32)
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
