"""The standard SumMe/TVSum evaluation protocol, exactly (docs: README "Evaluation").

Pure functions, numpy in and numbers out. Frames are the source video's frames, indexed from 0;
shots are inclusive [first, last] frame ranges, as in the standard h5 files. The steps:

  upsample -> shot_values -> knapsack to floor(0.15 N) frames -> binary summary
  -> F1 against each user, aggregated by the dataset's rule (max: SumMe, mean: TVSum)
  -> rank correlation (Kendall tau-b, Spearman rho) against graded annotations (Otani et al. 2019)
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

import numpy as np
from scipy import stats

from ..selection.knapsack import knapsack

BUDGET_RATIO = 0.15
RANDOM_SEEDS = 100


class Aggregate(str, Enum):
    """How one video's F1 comes from its users' F1: a property of the dataset, stated, never guessed."""

    MAX = "max"  # SumMe: users made free selections; the closest one counts
    MEAN = "mean"  # TVSum: every user's summary comes from the same knapsack step

    def __call__(self, values: np.ndarray) -> float:
        return float(np.max(values) if self is Aggregate.MAX else np.mean(values))


DATASET_AGGREGATE = {"summe": Aggregate.MAX, "tvsum": Aggregate.MEAN}


def upsample(scores: np.ndarray, picks: np.ndarray, n_frames: int) -> np.ndarray:
    """(T,) scores at the sampled frames `picks` (T,) -> (N,) frame scores.

    Frame j with picks[i] <= j < picks[i+1] takes scores[i]; frames after the last pick take the
    last score. Frames before the first pick (picks[0] > 0 in no standard file) take the first.
    """
    scores, picks = np.asarray(scores, np.float64), np.asarray(picks, np.int64)
    if len(scores) != len(picks) or len(scores) == 0:
        raise ValueError(f"need one score per pick, got {len(scores)} scores and {len(picks)} picks")
    which = np.searchsorted(picks, np.arange(n_frames), side="right") - 1
    return scores[np.clip(which, 0, len(scores) - 1)]


def shot_values(frame_scores: np.ndarray, shots: np.ndarray) -> np.ndarray:
    """(N,) frame scores, (K, 2) inclusive shots -> (K,) mean score of each shot (mean, not sum)."""
    sums = np.concatenate([[0.0], np.cumsum(frame_scores, dtype=np.float64)])
    first, last = shots[:, 0], np.minimum(shots[:, 1], len(frame_scores) - 1)
    return (sums[last + 1] - sums[first]) / np.maximum(last + 1 - first, 1)


def budget_frames(n_frames: int, ratio: float = BUDGET_RATIO) -> int:
    return int(np.floor(ratio * n_frames))


def summarize_frames(frame_scores: np.ndarray, shots: np.ndarray, ratio: float = BUDGET_RATIO) -> np.ndarray:
    """(N,) frame scores, (K, 2) inclusive shots -> (N,) bool summary of at most floor(ratio N) frames.

    Exact 0/1 knapsack over shots (value: mean score, weight: length in frames). If no shot fits,
    the highest-scoring frames up to the budget, as the original TVSum code does.
    """
    n = len(frame_scores)
    shots = np.asarray(shots, np.int64)
    lengths = shots[:, 1] - shots[:, 0] + 1
    capacity = budget_frames(n, ratio)
    chosen = knapsack(shot_values(frame_scores, shots), lengths, capacity)
    summary = np.zeros(n, dtype=bool)
    if not chosen:
        summary[np.argsort(-frame_scores, kind="stable")[:capacity]] = True
        return summary
    for first, last in shots[chosen]:
        summary[first : last + 1] = True
    return summary


def f_measure(summary: np.ndarray, user: np.ndarray) -> float:
    """F1 of a binary summary against one user's binary summary, padded or cut to the user's length."""
    user = np.asarray(user) > 0
    y = np.zeros(len(user), dtype=bool)
    m = min(len(user), len(summary))
    y[:m] = np.asarray(summary[:m]) > 0
    overlap = int(np.count_nonzero(y & user))
    if overlap == 0:
        return 0.0
    precision, recall = overlap / np.count_nonzero(y), overlap / np.count_nonzero(user)
    return 2 * precision * recall / (precision + recall)


def f1_against_users(summary: np.ndarray, users: np.ndarray, aggregate: Aggregate) -> float:
    """(N,) summary, (U, N') user summaries -> one F1 for the video (x1, not x100)."""
    return aggregate(np.asarray([f_measure(summary, u) for u in users]))


def rank_correlation(frame_scores: np.ndarray, annotations: np.ndarray) -> tuple[float, float]:
    """(N,) predicted frame scores, (U, N) graded annotations -> (Kendall tau-b, Spearman rho),
    each averaged over annotators (Otani et al., CVPR 2019). Ties count as ties (tau-b)."""
    taus, rhos = [], []
    for user in annotations:
        n = min(len(user), len(frame_scores))
        x, y = frame_scores[:n], user[:n]
        if np.ptp(x) == 0 or np.ptp(y) == 0:  # no rank order: no correlation, rather than NaN
            taus.append(0.0)
            rhos.append(0.0)
            continue
        taus.append(float(stats.kendalltau(x, y).statistic))
        rhos.append(float(stats.spearmanr(x, y).statistic))
    return float(np.mean(taus)), float(np.mean(rhos))


def random_mean(metric: Callable[[np.random.Generator], float], seeds: int = RANDOM_SEEDS) -> float:
    """The random baseline: a metric of uniform random scores, averaged over seeds 0..seeds-1."""
    return float(np.mean([metric(np.random.default_rng(seed)) for seed in range(seeds)]))


def uniform_shots(n_frames: int, length: int) -> np.ndarray:
    """(K, 2) inclusive shots of `length` frames covering 0..N-1 (the last may be shorter)."""
    starts = np.arange(0, n_frames, length)
    return np.stack([starts, np.minimum(starts + length, n_frames) - 1], axis=1)
