"""Scenes: the shots grouped by what they show.

A summary should show every visually distinct scene before it shows more of any one, so the
selection needs to know which shots show the same thing. Shots are grouped by average linkage
on the cosine similarity of their mean features, each shot weighted by its length (the
similarity of two groups is the mean over all pairs of their seconds):

1. neighbours in time join while they are at least SAME_SCENE alike: a scene is a stretch of
   the video (a film's scene, a clip, a talk's slide);
2. scenes anywhere in the video join while they are at least SAME_REPEAT alike: a scene that
   comes back (a speaker between slides, the same excerpt three times) is covered once, but
   two stretches that are only alike (a cockatoo, a cartoon bird) stay two scenes;
3. when the budget cannot give each scene a piece, scenes that meet in time join, short and
   alike ones first (Ward's criterion), so a short budget still spreads over the timeline.
"""

from __future__ import annotations

import numpy as np

from ..models.base import shot_index
from ..types import Interval
from .base import Changed
from .kts import normalise

SAME_SCENE = 0.5  # mean cosine similarity of EfficientNet-Lite0 features at which neighbouring shot
#                   groups show one scene (measured on clips joined from ../shared/media: within
#                   a clip 0.5-0.9, between clips 0.2-0.45, a cockatoo and Big Buck Bunny's bird 0.58)
SAME_REPEAT = 0.75  # ... at which two scenes anywhere in the video show the same thing
CHANGE_APART = 1.5  # seconds either side of a transition's middle: clear of a 1-s dissolve
MIN_SCENE = 1.5  # seconds: a scene shorter than this in all (a flash) gets no glimpse of its own
BLANK_CONTRAST = 0.08  # luma std below which a frame counts as partly blank (measured: black 0.00,
#                        mid-fade 0.03-0.07, ordinary footage 0.15-0.27)


def shot_embeddings(features: np.ndarray, times: np.ndarray, shots: list[Interval]) -> tuple[np.ndarray, np.ndarray]:
    """(K, D) L2-normalised mean feature of each shot, and (K,) whether it has a sampled frame."""
    x = normalise(features.astype(np.float64))
    of_shot = shot_index(times, shots) if len(times) else np.zeros(0, int)
    emb = np.zeros((len(shots), x.shape[1]))
    for k in np.unique(of_shot):
        emb[k] = x[of_shot == k].mean(0)
    return normalise(emb), np.isin(np.arange(len(shots)), of_shot)


def content_changed(times: np.ndarray, features: np.ndarray, apart: float = CHANGE_APART) -> Changed:
    """changed(t) for a cut detector: the sampled frames `apart` seconds either side of t show
    different scenes (cosine of their features under SAME_SCENE). times: (T,); features: (T, D)."""
    x = normalise(features.astype(np.float64))

    def changed(t: float) -> bool:
        before, after = (int(np.abs(times - (t + d)).argmin()) for d in (-apart, apart))
        return before != after and float(x[before] @ x[after]) < SAME_SCENE

    return changed


def average_linkage(emb: np.ndarray, weight: np.ndarray, neighbours: bool = False,
                    floor: float = -np.inf) -> list[tuple[int, int, float]]:
    """Weighted average-linkage merges, most alike first: [(kept, absorbed, similarity)], until
    no pair left is at least `floor` alike.

    emb: (K, D), rows L2-normalised, or groups' weighted mean rows (the mean similarity of two
    groups is the dot product of their means); weight: (K,) > 0. neighbours: only groups next
    to each other in row order merge (then a later merge can be more alike than an earlier
    one, which is why the floor is applied here). Keeps each row's best partner, so a merge
    costs O(K) (O(K^2) in all) rather than a search of the whole matrix.
    """
    k = len(weight)
    sim = emb @ emb.T
    np.fill_diagonal(sim, -np.inf)
    rows = np.arange(k)
    # allowed[i, j]: groups i and j may merge (with neighbours: they touch)
    allowed = np.abs(rows[:, None] - rows[None, :]) == 1 if neighbours else ~np.eye(k, dtype=bool)
    usable = np.where(allowed, sim, -np.inf)
    weight = weight.astype(np.float64).copy()
    alive = np.ones(k, bool)
    best = usable.argmax(1) if k > 1 else np.zeros(k, int)
    merges = []
    while alive.sum() > 1:
        top = np.where(alive, usable[rows, best], -np.inf)
        i = int(top.argmax())
        if top[i] == -np.inf or top[i] < floor:
            break  # nothing left that may merge
        j = int(best[i])
        merges.append((i, j, float(sim[i, j])))
        merged = (weight[i] * sim[i] + weight[j] * sim[j]) / (weight[i] + weight[j])  # Lance-Williams
        sim[i], sim[:, i] = merged, merged
        allowed[i] |= allowed[j]
        allowed[:, i] = allowed[i]
        allowed[i, i] = False
        allowed[j], allowed[:, j] = False, False
        weight[i] += weight[j]
        alive[j] = False
        usable[i] = np.where(allowed[i], sim[i], -np.inf)
        usable[:, i] = usable[i]
        usable[j], usable[:, j] = -np.inf, -np.inf
        # a row whose partner was i or j may now have a better one elsewhere; any row may now
        # prefer the grown group i
        for r in np.flatnonzero(alive & ((best == i) | (best == j) | (rows == i))):
            best[r] = int(usable[r].argmax())
        better = alive & (usable[:, i] > usable[rows, best])
        best[better] = i
    return merges


def _groups(merges: list[tuple[int, int, float]], k: int, until) -> np.ndarray:
    """(k,) the group of each row after the merges in order, while until(similarity, groups so
    far) allows; groups are named by a member row."""
    root = np.arange(k)
    for kept, absorbed, similarity in merges:
        if not until(similarity, root):
            break
        root[root == absorbed] = kept  # every member points at its group: no path to follow
    return root


def find_scenes(features: np.ndarray, times: np.ndarray, shots: list[Interval], most: int | None = None,
                min_scene: float = MIN_SCENE, contrast: np.ndarray | None = None) -> np.ndarray:
    """(K,) scene number of each shot, numbered by first appearance; -1 for shots in no scene
    (a group shorter than min_scene in all, a shot without a sampled frame, or a blank one:
    black or fading, by its frames' mean `contrast`, (T,) luma std).

    most: the most scenes wanted (what the budget can give a piece each): past the passes
    above, scenes that meet in time join, short and alike ones first, until at most `most`
    scenes of min_scene seconds or more remain (a coarser timeline, not distant things linked).
    """
    emb, sampled = shot_embeddings(features, times, shots)
    if contrast is not None and len(times):  # black and fading shots look distinct but show nothing
        of_shot = shot_index(times, shots)
        frames = np.maximum(np.bincount(of_shot, minlength=len(shots)), 1)
        sampled &= np.bincount(of_shot, weights=contrast, minlength=len(shots)) / frames >= BLANK_CONTRAST
    index = np.flatnonzero(sampled)
    label = np.full(len(shots), -1)
    if not len(index):
        return label
    seconds = np.asarray([shots[i].duration for i in index])
    groups = np.arange(len(index))  # (n,) the group of each shot, 0.. in time order

    def join(neighbours: bool, floor: float) -> None:
        """One pass of average linkage over the current groups, their members re-pointed."""
        nonlocal groups
        means, weight = _pool(emb[index], np.maximum(seconds, 1e-3), groups)
        root = _groups(average_linkage(means, weight, neighbours, floor), len(means), lambda *_: True)
        groups = np.unique(root, return_inverse=True)[1][groups]

    def enough(groups: np.ndarray) -> bool:
        return most is None or int((np.bincount(groups, weights=seconds) >= min_scene).sum()) <= max(1, most)

    join(neighbours=True, floor=SAME_SCENE)  # 1. stretches of the video
    join(neighbours=False, floor=SAME_REPEAT)  # 2. the same thing again anywhere
    groups = _coarsen(emb[index], np.maximum(seconds, 1e-3), groups, enough)  # 3. as few as the budget needs
    total = np.bincount(groups, weights=seconds)
    numbered = {g: n for n, g in enumerate(g for g in dict.fromkeys(groups.tolist()) if total[g] >= min_scene)}
    label[index] = [numbered.get(g, -1) for g in groups.tolist()]
    return label


def _coarsen(x: np.ndarray, weight: np.ndarray, groups: np.ndarray, enough) -> np.ndarray:
    """Join groups that meet in time (one's shot next to the other's), the cheapest first by
    Ward's criterion, the rise in scatter w_a w_b / (w_a + w_b) |mean_a - mean_b|^2 (short and
    alike groups join first: a fragment before a scene of its own), until enough(groups).
    groups: (n,) numbered 0..G-1."""
    while not enough(groups):
        pairs = {(min(a, b), max(a, b)) for a, b in zip(groups[:-1].tolist(), groups[1:].tolist()) if a != b}
        if not pairs:
            break
        means, w = _pool(x, weight, groups)
        a, b = min(pairs, key=lambda p: w[p[0]] * w[p[1]] / (w[p[0]] + w[p[1]])
                   * float(((means[p[0]] - means[p[1]]) ** 2).sum()))
        groups = np.unique(np.where(groups == b, a, groups), return_inverse=True)[1]
    return groups


def _pool(x: np.ndarray, weight: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(G, D) weighted mean rows and (G,) summed weights of the groups 0..G-1: the mean
    similarity of two groups is the dot product of their mean rows."""
    total = np.bincount(groups, weights=weight)
    means = np.zeros((len(total), x.shape[1]))
    np.add.at(means, groups, x * weight[:, None])
    return means / total[:, None], total
