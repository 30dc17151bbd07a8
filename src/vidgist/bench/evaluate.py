"""`vidgist bench protocol`: a scorer over each split's test videos of a standard h5 file.

A scorer sees what it sees in the product: the (T, D) features and a ScoringContext in seconds.
The standard files carry no frame rate, so times are picks / 30 (the files sample every 15th
frame and call it 2 fps); scorers depend on relative time only. Per video: F1 by the dataset's
aggregate, tau/rho against graded annotations, and the random baseline through the same steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..models import create_scorer
from ..models.base import Scorer, ScoringContext
from ..types import Interval
from . import protocol as P
from .datasets import VideoRecord, keys_in, read_h5, read_splits, read_tvsum

NOMINAL_FPS = 30.0
RANK_SEEDS = 10  # random tau/rho converge to 0 fast; F1 uses the protocol's 100 seeds


@dataclass(frozen=True)
class VideoResult:
    f1: float
    tau: float | None
    rho: float | None
    random_f1: float
    random_tau: float | None
    random_rho: float | None


def context_for(video: VideoRecord) -> ScoringContext:
    """The product's view of an h5 video: seconds at a nominal 30 fps, shots as half-open intervals."""
    shots = [Interval(a / NOMINAL_FPS, (b + 1) / NOMINAL_FPS) for a, b in video.change_points]
    return ScoringContext(times=video.picks / NOMINAL_FPS, shots=shots, duration=video.n_frames / NOMINAL_FPS)


class RankReference:
    """What tau/rho are measured against: the raw per-annotator scores where given (Otani et al.,
    TVSum), else the h5's gtscore at the sampled frames (an internal measure, not a paper's)."""

    def __init__(self, annotations: dict[str, np.ndarray] | None):
        self.annotations = annotations
        self.name = ("user_anno: every annotator's 1-5 frame scores (Otani et al. 2019)" if annotations
                     else "gtscore at the sampled frames (not comparable with published tau/rho)")

    def __call__(self, video: VideoRecord, scores: np.ndarray) -> tuple[float, float] | None:
        if self.annotations is not None:
            if video.key not in self.annotations:
                raise InputError(f"no graded annotations for {video.key}")
            anno = self.annotations[video.key]
            if anno.shape[1] != video.n_frames:
                raise InputError(f"{video.key}: annotations have {anno.shape[1]} frames, the h5 {video.n_frames}")
            return P.rank_correlation(P.upsample(scores, video.picks, video.n_frames), anno)
        if video.gtscore is None:
            return None
        return P.rank_correlation(np.asarray(scores, np.float64), video.gtscore[None].astype(np.float64))


def evaluate_video(scores: np.ndarray, video: VideoRecord, aggregate: P.Aggregate,
                   rank: RankReference) -> VideoResult:
    """(T,) predicted scores at the sampled frames -> the protocol's numbers for one video."""
    def f1(s: np.ndarray) -> float:
        frames = P.upsample(s, video.picks, video.n_frames)
        return P.f1_against_users(P.summarize_frames(frames, video.change_points), video.user_summary, aggregate)

    def random_scores(rng: np.random.Generator) -> np.ndarray:
        return rng.random(len(video.picks))

    corr = rank(video, scores)
    random_corr = None
    if corr is not None:
        random_corr = np.mean([rank(video, random_scores(np.random.default_rng(s))) for s in range(RANK_SEEDS)], 0)
    return VideoResult(
        f1=f1(scores),
        tau=None if corr is None else corr[0],
        rho=None if corr is None else corr[1],
        random_f1=P.random_mean(lambda rng: f1(random_scores(rng))),
        random_tau=None if random_corr is None else float(random_corr[0]),
        random_rho=None if random_corr is None else float(random_corr[1]),
    )


def evaluate_splits(h5: str | Path, splits: str | Path, scorer_for_split: Callable[[int], Scorer],
                    aggregate: P.Aggregate, annotations: str | Path | None = None,
                    progress: Callable[[Iterable], Iterable] = iter) -> dict:
    """Per-split and overall means (F1 x100, tau, rho, and the random baseline's).

    Only each split's test videos are scored; a scorer that learns gets the split index and must
    have been trained and selected on that split's training keys alone.
    """
    folds = read_splits(splits)
    videos = read_h5(h5)
    rank = RankReference({v.key: v.user_anno for v in read_tvsum(annotations)} if annotations else None)
    memo: dict[tuple[int, str], VideoResult] = {}  # a training-free scorer gives each video one result
    per_split = []
    for i, fold in enumerate(folds):
        keys = keys_in(fold.test_keys, h5)
        if missing := [k for k in keys if k not in videos]:
            raise InputError(f"split {i}: test videos {', '.join(missing[:3])} are not in {h5}")
        if not keys:
            raise InputError(f"split {i}: no test video belongs to {Path(h5).name} "
                             f"(its test keys: {fold.test_keys[:2]})")
        scorer = scorer_for_split(i)
        _refuse_test_leak(scorer, keys, i)
        results = []
        for key in progress(keys):
            if (id(scorer), key) not in memo:
                scores = scorer.score(videos[key].features, context_for(videos[key]))
                memo[id(scorer), key] = evaluate_video(scores, videos[key], aggregate, rank)
            results.append(memo[id(scorer), key])
        per_split.append({"split": i, "test_videos": len(keys), **_means(results)})
    overall = {k: _mean([s[k] for s in per_split]) for k in per_split[0] if k not in ("split", "test_videos")}
    return {**overall, "per_split": per_split, "aggregate": aggregate.value, "rank_reference": rank.name,
            "random_seeds": P.RANDOM_SEEDS}


def _refuse_test_leak(scorer: Scorer, test_keys: list[str], split: int) -> None:
    """A learned scorer says what it trained and chose its epoch on; neither may be a test video."""
    meta = getattr(scorer, "meta", {})
    seen = {*meta.get("train_keys", []), *meta.get("val_keys", [])} & set(test_keys)
    if seen:
        raise InputError(f"split {split}: the model was trained or selected on test videos "
                         f"{', '.join(sorted(seen)[:3])}; use the checkpoint folder of this split file")


def _means(results: list[VideoResult]) -> dict[str, float | None]:
    rows = [asdict(r) for r in results]
    out = {k: _mean([r[k] for r in rows]) for k in rows[0]}
    for k in ("f1", "random_f1"):
        out[k] = round(out[k] * 100, 2)  # F1 x100, as papers report it
    return out


def _mean(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else round(float(np.mean(values)), 4)


def scorer_factory(name: str, checkpoint: str | Path | None = None) -> Callable[[int], Scorer]:
    """The scorer for each split: one for all (training-free, or a single .onnx file), or a
    folder from `vidgist train` with the model of split K in split_K/."""
    if checkpoint is None:
        scorer = create_scorer(name)
        return lambda split: scorer
    checkpoint = Path(checkpoint)
    if (checkpoint / "split_0").is_dir():
        return lambda split: create_scorer(name, checkpoint=checkpoint / f"split_{split}")
    scorer = create_scorer(name, checkpoint=checkpoint)
    return lambda split: scorer
