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


def knapsack_one_per_group(values: np.ndarray, weights: np.ndarray, groups: np.ndarray, capacity: int) -> list[int]:
    """Indices maximising sum(values) with sum(weights) <= capacity, at most one item per group
    (the multiple-choice knapsack). groups: (n,) int, items of group < 0 are never taken.

    Exact, O(n * capacity) time, O(groups * capacity) memory; ties go to the earlier item.
    """
    values = np.asarray(values, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.int64)
    groups = np.asarray(groups)
    capacity = max(0, int(capacity))
    best = np.zeros(capacity + 1)
    picks = []  # per group: (capacity + 1,) the item taken at each capacity, -1 for none
    for g in np.unique(groups[groups >= 0]):
        new, pick = best.copy(), np.full(capacity + 1, -1, np.int32)
        for i in np.flatnonzero(groups == g):
            w, v = int(weights[i]), values[i]
            if w > capacity or v <= 0:
                continue
            candidate = best[: capacity + 1 - w] + v  # from the best without this group
            better = candidate > new[w:]
            new[w:] = np.where(better, candidate, new[w:])
            pick[w:][better] = i
        best = new
        picks.append(pick)
    chosen, c = [], capacity
    for pick in reversed(picks):
        if pick[c] >= 0:
            chosen.append(int(pick[c]))
            c -= int(weights[pick[c]])
    return sorted(chosen)
