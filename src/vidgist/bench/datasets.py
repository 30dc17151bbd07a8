"""Readers for the files researchers have: the standard h5 datasets, split files, raw annotations.

- `eccv16_dataset_{summe,tvsum,ovp,youtube}_google_pool5.h5`: one group per video (`video_1`, ...)
  with features, picks, n_frames, change_points, n_frame_per_seg, user_summary, gtscore, gtsummary
  (and video_name in SumMe). Read unchanged; optional keys may be missing.
- Split files: a list of 5 {train_keys, test_keys} in json (VASNet, MSVA) or yml (DSNet). Keys are
  `video_1`, `eccv16_dataset_tvsum_google_pool5/video_1` or `../datasets/eccv16_..._pool5.h5/video_1`.
- TVSum's `ydata-tvsum50.mat` (MATLAB v7.3, i.e. HDF5): 20 annotators' 1-5 scores per frame.
- SumMe's `GT/*.mat` (MATLAB v5): per-frame selections of 15-18 users, > 0 where selected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError


@dataclass(frozen=True)
class VideoRecord:
    """One video of a standard h5 file. T sampled frames, N source frames, K shots, U users."""

    key: str  # e.g. "video_1"
    features: np.ndarray  # (T, D) float32
    picks: np.ndarray  # (T,) source frame of each row
    n_frames: int  # N
    change_points: np.ndarray  # (K, 2) inclusive [first, last] source frames
    user_summary: np.ndarray  # (U, N) binary
    gtscore: np.ndarray | None = None  # (T,) mean user score per sampled frame
    gtsummary: np.ndarray | None = None  # (T,) binary keyshot target
    name: str | None = None  # SumMe's video_name


def read_h5(path: str | Path, keys: list[str] | None = None) -> dict[str, VideoRecord]:
    """Videos of a standard h5 file, by group name (all, or just `keys`)."""
    path = Path(path)
    with _open_hdf5(path, "a standard summarization h5") as f:
        missing = [k for k in keys or [] if k not in f]
        if missing:
            raise InputError(f"{path}: no video {', '.join(missing[:5])} (has {len(f)} videos)")
        return {key: _record(key, f[key], path) for key in (keys or sorted(f, key=_natural))}


def _open_hdf5(path: Path, what: str):
    import h5py

    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        return h5py.File(path, "r")
    except OSError:
        raise InputError(f"{path}: not an HDF5 file; expected {what}") from None


def _record(key: str, group, path: Path) -> VideoRecord:
    def get(name, dtype=None):
        return np.asarray(group[name][()], dtype=dtype) if name in group else None

    required = ("features", "picks", "n_frames", "change_points", "user_summary")
    if lacking := [k for k in required if k not in group]:
        raise InputError(f"{path}/{key}: missing {', '.join(lacking)}; not a standard summarization h5")
    name = get("video_name")
    return VideoRecord(
        key=key,
        features=get("features", np.float32),
        picks=get("picks", np.int64),
        n_frames=int(get("n_frames")),
        change_points=get("change_points", np.int64).reshape(-1, 2),
        user_summary=get("user_summary", np.float32).reshape(-1, int(get("n_frames"))),
        gtscore=get("gtscore", np.float32),
        gtsummary=get("gtsummary", np.float32),
        name=None if name is None else _text(name.item()),
    )


def _text(value) -> str:
    """h5py gives fixed-length strings as bytes and variable-length ones as bytes or str."""
    return value.decode() if isinstance(value, bytes) else str(value)


def _natural(key: str) -> tuple:
    """video_2 before video_10."""
    stem, _, number = key.rpartition("_")
    return (stem, int(number)) if number.isdigit() else (key, 0)


@dataclass(frozen=True)
class Split:
    train_keys: list[str]  # normalised: "dataset/video_N", or "video_N" when the file names none
    test_keys: list[str]


def read_splits(path: str | Path) -> list[Split]:
    """The folds of a split file, json or yml, keys normalised to `dataset/video_N` or `video_N`."""
    path = Path(path)
    try:
        text = path.read_text()
        if path.suffix in (".yml", ".yaml"):
            import yaml

            folds = yaml.safe_load(text)
        else:
            folds = json.loads(text)
        return [Split([split_key(k) for k in fold["train_keys"]], [split_key(k) for k in fold["test_keys"]])
                for fold in folds]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(f"{path}: not a split file ({type(e).__name__}: {e})") from None


def split_key(key: str) -> str:
    """`../datasets/eccv16_dataset_tvsum_google_pool5.h5/video_1` -> `eccv16_dataset_tvsum_google_pool5/video_1`."""
    parts = key.replace("\\", "/").split("/")
    if len(parts) == 1:
        return parts[0]
    return f"{parts[-2].removesuffix('.h5')}/{parts[-1]}"


def keys_in(keys: list[str], h5_path: str | Path) -> list[str]:
    """The video names among split keys that belong to the h5 file (all unqualified keys do)."""
    dataset = Path(h5_path).stem
    out = []
    for key in keys:
        where, _, video = key.rpartition("/")
        if where in ("", dataset):
            out.append(video)
    return out


@dataclass(frozen=True)
class TvsumVideo:
    key: str  # "video_N", the group name of the standard h5 files (same order)
    video_id: str  # YouTube id
    category: str
    n_frames: int
    user_anno: np.ndarray  # (20, N) float, 1-5, constant over 2-second shots


def read_tvsum(path: str | Path) -> list[TvsumVideo]:
    """The 50 videos of `ydata-tvsum50.mat`, in file order (video_1 first)."""
    path = Path(path)
    with _open_hdf5(path, "ydata-tvsum50.mat (MATLAB v7.3)") as f:
        if "tvsum50" not in f:
            raise InputError(f"{path}: no 'tvsum50' struct; not ydata-tvsum50.mat")
        t = f["tvsum50"]

        def deref(field: str, i: int) -> np.ndarray:
            return np.asarray(f[t[field][i, 0]][()])

        def text(field: str, i: int) -> str:
            return "".join(map(chr, deref(field, i).ravel()))

        return [TvsumVideo(key=f"video_{i + 1}", video_id=text("video", i), category=text("category", i),
                           n_frames=int(deref("nframes", i).item()), user_anno=deref("user_anno", i))
                for i in range(t["video"].shape[0])]


@dataclass(frozen=True)
class SummeVideo:
    name: str  # e.g. "Air_Force_One"
    fps: float
    n_frames: int
    user_summary: np.ndarray  # (U, N) bool


def read_summe(gt_dir: str | Path) -> list[SummeVideo]:
    """SumMe's `GT/*.mat`, sorted by name. A frame is in a user's summary where user_score > 0
    (the values number the user's segments), as in SumMe's own evaluation code."""
    from scipy.io import loadmat

    gt_dir = Path(gt_dir)
    files = sorted(gt_dir.glob("*.mat"))
    if not files:
        raise InputError(f"{gt_dir}: no SumMe GT/*.mat files")
    videos = []
    for file in files:
        try:
            m = loadmat(file)
            videos.append(SummeVideo(name=file.stem, fps=float(m["FPS"].item()), n_frames=int(m["nFrames"].item()),
                                     user_summary=(m["user_score"].T > 0)))
        except (OSError, ValueError, KeyError) as e:
            raise InputError(f"{file}: not a SumMe annotation ({type(e).__name__}: {e})") from None
    return videos
