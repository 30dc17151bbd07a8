"""Kernel temporal segmentation (KTS, Potapov et al., ECCV 2014), windowed for long inputs.

Exact KTS: with a linear kernel K = X X^T on L2-normalised features, the cost of a segment
[i, j) is its within-segment scatter, sum_t K[t,t] - sum_{s,t in [i,j)} K[s,t] / (j - i), and
dynamic programming finds the m change points of least total cost. That needs O(n^2) memory
and O(m n^2) time in the number of frames n: fine for minutes, not for hours.

`kts_windowed` bounds both: an input longer than `window` frames is first split where the
features change most near every `window`-th frame, and exact KTS runs in each piece. On inputs
of at most `window` frames the result is exactly that of `kts`; on longer ones the only
difference is that the piece borders are forced change points.
"""

from __future__ import annotations

import math

import numpy as np

WINDOW = 512  # frames: 4.3 minutes at 2 fps, a 2 MB cost matrix


def segment_costs(x: np.ndarray) -> np.ndarray:
    """(n, d) L2-normalised features -> (n+1, n+1) cost matrix C[i, j] of segment [i, j), j > i.

    Entries with j <= i are +inf.
    """
    n = len(x)
    k = x @ x.T
    integral = np.zeros((n + 1, n + 1))
    integral[1:, 1:] = k.cumsum(0).cumsum(1)
    diag = np.concatenate([[0.0], np.cumsum(np.diag(k))])
    i, j = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    inside = integral[j, j] - integral[i, j] - integral[j, i] + integral[i, i]
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = diag[j] - diag[i] - inside / (j - i)
    cost[j <= i] = np.inf
    return cost


def kts(x: np.ndarray, n_change_points: int) -> list[int]:
    """Exact KTS: the n_change_points frame indices (each the first frame of a new segment)
    that minimise the total within-segment scatter. x: (n, d), rows L2-normalised."""
    n = len(x)
    m = min(n_change_points, n - 1)
    if m <= 0:
        return []
    cost = segment_costs(x)
    # best[k, j]: least cost of splitting frames [0, j) into k+1 segments
    best = np.full((m + 1, n + 1), np.inf)
    arg = np.zeros((m + 1, n + 1), dtype=int)
    best[0] = cost[0]
    for k in range(1, m + 1):
        total = best[k - 1][:, None] + cost  # (start of last segment i, end j)
        arg[k] = total.argmin(axis=0)
        best[k] = total[arg[k], np.arange(n + 1)]
    points, j = [], n
    for k in range(m, 0, -1):
        j = int(arg[k, j])
        points.append(j)
    return sorted(points)


def kts_windowed(x: np.ndarray, n_change_points: int, window: int = WINDOW) -> list[int]:
    """KTS with O(window^2) memory and O(n * window) time; exact when n <= window."""
    n = len(x)
    if n <= window:
        return kts(x, n_change_points)
    pieces = _split_points(x, window)
    bounds = [0, *pieces, n]
    points = list(pieces)
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        share = math.ceil(n_change_points * (hi - lo) / n)  # change points spread by length
        points += [lo + p for p in kts(x[lo:hi], max(0, share - 1))]
    return sorted(set(points))


def _split_points(x: np.ndarray, window: int) -> list[int]:
    """Indices near every window-th frame (within +-window/8) where consecutive frames differ most."""
    change = 1.0 - np.einsum("ij,ij->i", x[1:], x[:-1])  # change[i]: between frame i and i+1
    slack = window // 8
    points, last = [], 0
    while len(x) - last > window:
        lo, hi = last + window - 2 * slack, last + window
        point = lo + int(np.argmax(change[lo - 1 : hi - 1]))
        points.append(point)
        last = point
    return points


def normalise(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
