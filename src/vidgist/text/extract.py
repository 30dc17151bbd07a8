"""The extractive text summary: the most central sentences that do not repeat each other.

Centrality is TextRank (PageRank over the sentence cosine-similarity graph); the selection is
maximal marginal relevance (MMR), so a sentence said twice is not picked twice. A `focus` vector
(a query embedded in the same space) pulls sentences about it forward.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..types import Sentence

DAMPING = 0.85
DUPLICATE = 0.9  # cosine above which a sentence repeats one already chosen
DIVERSITY = 0.3  # MMR's weight on not repeating what is chosen
SHOWABLE = 0.5  # share of the best MMR gain a sentence the highlight can show needs to go first


def textrank(similarity: np.ndarray, damping: float = DAMPING, tol: float = 1e-8) -> np.ndarray:
    """PageRank scores (sum 1) of the graph whose edge weights are the positive similarities."""
    n = len(similarity)
    if n == 0:
        return np.zeros(0)
    w = np.clip(similarity, 0, None).astype(np.float64)
    np.fill_diagonal(w, 0)
    out = w.sum(axis=1, keepdims=True)
    # a sentence like no other has no out-edges: it jumps anywhere, as in PageRank
    transition = np.where(out > 0, w / np.where(out > 0, out, 1), 1 / n)
    rank = np.full(n, 1 / n)
    for _ in range(200):
        new = (1 - damping) / n + damping * transition.T @ rank
        if np.abs(new - rank).sum() < tol:
            return new
        rank = new
    return rank


def _scale(x: np.ndarray) -> np.ndarray:
    """To [0, 1], so relevance and the redundancy penalty (a cosine) are commensurate."""
    span = x.max() - x.min()
    return (x - x.min()) / span if span > 0 else np.ones_like(x)


def mmr(relevance: np.ndarray, similarity: np.ndarray, count: int, diversity: float,
        cost: Callable[[list[int]], float] | None = None, capacity: float = math.inf,
        least: int = 0) -> list[int]:
    """Greedy maximal marginal relevance; near-duplicates of a chosen item come last.

    With `cost` (the seconds a set of items takes together in a highlight of `capacity`
    seconds: items that share a piece share its cost), the first `least` picks are each the
    best of the items that still fit beside the ones shown so far (the best of all, listed but
    not shown, once none fits); after them, the best that fits where its gain is at least
    SHOWABLE of the best gain, and the picks end where none is: a sentence does not become key
    because it is cheap."""
    chosen: list[int] = []
    shown: list[int] = []  # the chosen that fit
    redundancy = np.zeros(len(relevance))
    for _ in range(min(count, len(relevance))):
        gain = (1 - diversity) * relevance - diversity * redundancy
        gain[redundancy >= DUPLICATE] -= 2  # any fresh sentence beats a repeat
        gain[chosen] = -np.inf
        fits = np.ones(len(relevance), bool)
        if cost is not None:
            fits = np.asarray([cost([*shown, i]) <= capacity + 1e-9 for i in range(len(relevance))], bool)
        fits[chosen] = False
        best = int(np.argmax(gain))
        if not fits[best]:
            showable = int(np.argmax(np.where(fits, gain, -np.inf)))
            if fits[showable] and (len(chosen) < least or gain[showable] >= SHOWABLE * gain[best]):
                best = showable
            elif len(chosen) >= least:
                break
        chosen.append(best)
        shown += [best] if fits[best] else []
        redundancy = np.maximum(redundancy, similarity[best])
    return chosen


def centrality(vectors: np.ndarray) -> np.ndarray:
    """(N,) TextRank centrality of unit-row sentence vectors, scaled to [0, 1]."""
    vectors = np.asarray(vectors, np.float32)
    return _scale(textrank(vectors @ vectors.T))


def sentence_relevance(vectors: np.ndarray, focus: np.ndarray | None = None, focus_weight: float = 0.5) -> np.ndarray:
    """(N,) how much each sentence is the gist: TextRank centrality, with a unit `focus` vector's
    similarity blended in with `focus_weight`."""
    relevance = centrality(vectors)
    if focus is not None:
        match = np.clip(np.asarray(vectors, np.float32) @ np.asarray(focus, np.float32).ravel(), 0, None)
        relevance = (1 - focus_weight) * relevance + focus_weight * _scale(match)
    return relevance


def summarize_sentences(
    sentences: list[Sentence],
    vectors: np.ndarray,
    count: int,
    diversity: float = DIVERSITY,
    focus: np.ndarray | None = None,
    focus_weight: float = 0.5,
) -> list[Sentence]:
    """`count` sentences by TextRank centrality and MMR, the most important first. `vectors`
    are the unit rows of the sentences; `focus` a unit query vector whose similarity is blended
    into the relevance with `focus_weight`."""
    if count <= 0 or not sentences:
        return []
    vectors = np.asarray(vectors, np.float32)
    relevance = sentence_relevance(vectors, focus, focus_weight)
    return [sentences[i] for i in mmr(relevance, vectors @ vectors.T, count, diversity)]


def summary_length(duration: float, n_sentences: int) -> int:
    """How many sentences to extract: 3 up to a minute, +1.5 per doubling (5 at 3 min, 8 at
    10 min, 12 at an hour), at most 15 and never more than there are."""
    minutes = max(duration / 60, 1.0)
    return max(0, min(15, round(3 + 1.5 * math.log2(minutes)), n_sentences))
