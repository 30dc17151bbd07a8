"""Reference figures computed from the raw human annotations: what humans and chance reach.

These pin the protocol implementation to published numbers (TVSum: Otani et al., CVPR 2019) and
give every model result its floor (random) and its ceiling (another human).

TVSum
- human tau/rho: each annotator's 1-5 frame scores against each of the other 19 annotators'
  (Kendall tau-b, Spearman rho), averaged over the 380 ordered pairs of a video, then over videos.
- random tau/rho: uniform random scores at the 2 fps sampled frames (every 15th), upsampled,
  against every annotator; mean over `rank_seeds` seeds.
- uniform-shot F1: the video cut into 2-second shots of 60 frames; each annotator's summary is the
  knapsack of their own scores at 15 %. Human: each annotator's summary against the other 19
  (mean, or max, over them); random: random scores (as above) against all 20; mean over 100 seeds.

SumMe (no graded scores, so no tau/rho; nothing here is comparable with a paper's table)
- human F1: each user's own selection against the other users' (mean, or max, over them).
- uniform-shot random F1: 2-second shots (round(2 fps) frames), random scores at every 15th
  frame, knapsack at 15 %, against every user (mean, or max); mean over 100 seeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
from scipy import stats

from . import protocol as P
from .datasets import SummeVideo, TvsumVideo

SAMPLE_STEP = 15  # source frames between sampled frames in the standard files ("2 fps")
TVSUM_SHOT = 60  # frames in a 2-second shot of the uniform-shot figures


def _random_scores(rng: np.random.Generator, n_frames: int) -> np.ndarray:
    """Uniform random scores at every 15th frame, upsampled to every frame (protocol step 1)."""
    picks = np.arange(0, n_frames, SAMPLE_STEP)
    return P.upsample(rng.random(len(picks)), picks, n_frames)


def _others_f1(summaries: np.ndarray) -> tuple[float, float]:
    """Leave-one-out: each summary against every other one; (mean of means, mean of maxima)."""
    means, maxima = [], []
    for u, y in enumerate(summaries):
        f = np.asarray([P.f_measure(y, other) for w, other in enumerate(summaries) if w != u])
        means.append(f.mean())
        maxima.append(f.max())
    return float(np.mean(means)), float(np.mean(maxima))


def _random_f1(n_frames: int, shots: np.ndarray, users: np.ndarray, seeds: int) -> tuple[float, float]:
    pairs = []
    for seed in range(seeds):
        y = P.summarize_frames(_random_scores(np.random.default_rng(seed), n_frames), shots)
        f = np.asarray([P.f_measure(y, u) for u in users])
        pairs.append((f.mean(), f.max()))
    mean, maximum = np.mean(pairs, axis=0)
    return float(mean), float(maximum)


def human_rank_correlation(annotations: np.ndarray) -> tuple[float, float]:
    """(U, N) graded scores -> mean (tau-b, rho) over ordered pairs of different annotators.

    Both statistics are symmetric, so each unordered pair is computed once."""
    taus, rhos = [], []
    for u in range(len(annotations)):
        for w in range(u + 1, len(annotations)):
            taus.append(stats.kendalltau(annotations[u], annotations[w]).statistic)
            rhos.append(stats.spearmanr(annotations[u], annotations[w]).statistic)
    return float(np.nanmean(taus)), float(np.nanmean(rhos))


def tvsum_reference(videos: list[TvsumVideo], f1_seeds: int = P.RANDOM_SEEDS, rank_seeds: int = 10,
                    progress: Callable[[Iterable], Iterable] = iter) -> dict[str, float]:
    rows = []
    for v in progress(videos):
        shots = P.uniform_shots(v.n_frames, TVSUM_SHOT)
        summaries = np.stack([P.summarize_frames(a, shots) for a in v.user_anno])
        human_tau, human_rho = human_rank_correlation(v.user_anno)
        random_tau, random_rho = np.mean(
            [P.rank_correlation(_random_scores(np.random.default_rng(s), v.n_frames), v.user_anno)
             for s in range(rank_seeds)], axis=0)
        rows.append((human_tau, human_rho, random_tau, random_rho,
                     *_others_f1(summaries), *_random_f1(v.n_frames, shots, summaries, f1_seeds)))
    names = ("tvsum_human_tau", "tvsum_human_rho", "tvsum_random_tau", "tvsum_random_rho",
             "tvsum_uniform_human_f1_mean", "tvsum_uniform_human_f1_max",
             "tvsum_uniform_random_f1_mean", "tvsum_uniform_random_f1_max")
    return _averaged(names, rows)


def summe_reference(videos: list[SummeVideo], f1_seeds: int = P.RANDOM_SEEDS,
                    progress: Callable[[Iterable], Iterable] = iter) -> dict[str, float]:
    rows = []
    for v in progress(videos):
        shots = P.uniform_shots(v.n_frames, int(round(2 * v.fps)))
        rows.append((*_others_f1(v.user_summary), *_random_f1(v.n_frames, shots, v.user_summary, f1_seeds)))
    names = ("summe_human_f1_mean", "summe_human_f1_max",
             "summe_uniform_random_f1_mean", "summe_uniform_random_f1_max")
    return _averaged(names, rows)


def _averaged(names: tuple[str, ...], rows: list[tuple]) -> dict[str, float]:
    """Mean over videos; F1 figures x100 as papers report them, rank statistics as they are."""
    means = np.mean(np.asarray(rows, dtype=np.float64), axis=0)
    return {n: round(float(m) * (100 if "_f1_" in n else 1), 4) for n, m in zip(names, means)}
