"""`greedy`: a training-free scorer, representativeness plus diversity over the features.

Shots are chosen one by one to maximise a weighted facility-location objective,
F(S) = sum_i w_i max_{j in S} sim(i, j) (every second of the video should look like something
in the summary: representativeness), picking at each step the shot with the largest gain per
second. A shot's gain shrinks once a similar shot is chosen (diversity), so near-duplicates
come late while short, distinct moments (a needle in a monotonous video) come early. The
objective is submodular, so greedy is within 1 - 1/e of optimal and lazy evaluation is exact.

A shot's importance is how early greedy picks it, 1 for the first down to 1/K for the last,
lowered for blank frames and, in a video that talks, for frames without speech.
Ranks rather than the gains themselves: the first pick's gain counts every second that looks
like it, and would flatten every other score to nothing.
"""

from __future__ import annotations

import heapq

import numpy as np

from ..shots.kts import normalise
from ..shots.scenes import BLANK_CONTRAST
from .base import Scorer, ScoringContext, shot_index
from .registry import register_scorer

SPEECH_WEIGHT = 0.5  # how much less a frame without speech counts in a video that is all talk


@register_scorer
class GreedyScorer(Scorer):
    name = "greedy"

    def score(self, features: np.ndarray, context: ScoringContext) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0, np.float32)
        x = normalise(features.astype(np.float64))
        of_shot = shot_index(context.times, context.shots)
        used = np.unique(of_shot)  # shots without a sampled frame take no part
        emb = np.zeros((len(context.shots), x.shape[1]))
        emb[used] = normalise(np.stack([x[of_shot == k].mean(0) for k in used]))
        weight = np.asarray([context.shots[k].duration for k in used])
        order = greedy_order(np.clip(emb[used] @ emb[used].T, 0, 1), weight)
        shot_score = np.zeros(len(context.shots))
        shot_score[used[order]] = 1 - np.arange(len(used)) / len(used)
        # within a shot, the frames most like the shot as a whole score highest: keyframes
        typical = np.einsum("td,td->t", x, emb[of_shot])
        score = shot_score[of_shot] * (0.8 + 0.2 * np.clip(typical, 0, 1))
        if context.contrast is not None:  # blank frames (black, fades) are distinct but say nothing
            score *= np.clip(context.contrast / BLANK_CONTRAST, 0, 1)
        if context.speech is not None:
            # the more of a video is talk, the more the talk is its content: in a narrated video
            # frames without speech count half; in one with a few words, almost fully
            share = float(context.speech.mean())
            score *= 1 - SPEECH_WEIGHT * share * (1 - context.speech)
        return score.astype(np.float32)


def greedy_order(sim: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Lazy greedy facility location. sim: (K, K) in [0, 1]; weight: (K,) seconds.

    Returns (K,) shot indices in the order greedy picks them, by gain per second.
    """
    k = len(weight)
    covered = np.zeros(k)  # best similarity of each shot to anything picked so far

    def density(j: int) -> float:
        return float(weight @ np.maximum(sim[:, j] - covered, 0)) / weight[j]

    heap = [(-density(j), j) for j in range(k)]
    heapq.heapify(heap)
    order = []
    while heap:
        _, j = heapq.heappop(heap)
        fresh = density(j)
        if heap and fresh < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-fresh, j))  # gains only shrink: re-queue with the true value
            continue
        order.append(j)
        covered = np.maximum(covered, sim[:, j])
    return np.asarray(order, dtype=int)
