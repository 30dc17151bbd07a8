"""Exact 0/1 knapsack by dynamic programming: the same code for the product and the benchmark."""

from __future__ import annotations

import numpy as np


def knapsack(values: np.ndarray, weights: np.ndarray, capacity: int) -> list[int]:
    """Indices of the items maximising sum(values) with sum(weights) <= capacity.

    values: (n,) float, never quantised (rounding flips near-ties); weights: (n,) int >= 0.
    Exact, O(n * capacity) time and memory. Ties go to the solution found first, which leaves
    out later items: the result is deterministic.
    """
    values = np.asarray(values, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.int64)
    if len(values) != len(weights) or (weights < 0).any():
        raise ValueError("need one non-negative integer weight per value")
    capacity = max(0, int(capacity))
    best = np.zeros(capacity + 1)  # best[c]: the best value with total weight <= c
    take = np.zeros((len(values), capacity + 1), dtype=bool)
    for i, (v, w) in enumerate(zip(values, weights)):
        if w > capacity or v <= 0:
            continue  # never helps: cannot fit, or adds no value
        candidate = best[: capacity + 1 - w] + v
        better = candidate > best[w:]
        take[i, w:] = better
        best[w:] = np.where(better, candidate, best[w:])
    chosen, c = [], capacity
    for i in range(len(values) - 1, -1, -1):
        if take[i, c]:
            chosen.append(i)
            c -= int(weights[i])
    return sorted(chosen)
