"""From importance to a summary: shot values, the budget, knapsack, then filling the slack."""

from __future__ import annotations

import math

import numpy as np

from ..models.base import shot_index
from ..types import Interval, Shot
from .knapsack import knapsack

MAX_CELLS = 20_000  # knapsack capacity units; the unit grows past this so memory stays bounded
MIN_FILL = 1.0  # seconds: leftover budget smaller than this is left unused (no flash cuts)


def budget_seconds(duration: float, ratio: float, seconds: float | None) -> float:
    """A budget in seconds wins over a ratio; never more than the video."""
    return min(duration, seconds if seconds is not None else ratio * duration)


def score_shots(shots: list[Interval], times: np.ndarray, scores: np.ndarray) -> list[Shot]:
    """Each shot's score is the mean of its frames' scores (the nearest frame's if it has none)."""
    of_shot = shot_index(times, shots) if len(times) else np.zeros(0, int)
    out = []
    for k, s in enumerate(shots):
        inside = scores[of_shot == k]
        if len(inside):
            value = float(inside.mean())
        elif len(times):
            value = float(scores[np.abs(times - (s.start + s.end) / 2).argmin()])
        else:
            value = 0.0
        out.append(Shot(s.start, s.end, value))
    return out


def select(shots: list[Shot], times: np.ndarray, scores: np.ndarray, budget: float) -> list[Interval]:
    """Sorted, non-overlapping segments of total length <= budget.

    Exact knapsack over whole shots (value = score x length: importance per second times
    seconds), then the leftover budget, if any, goes to the best part of the best unused shots.
    """
    if budget <= 0 or not shots:
        return []
    unit = max(0.1, budget / MAX_CELLS)
    weights = np.asarray([math.ceil(s.duration / unit - 1e-9) for s in shots])
    values = np.asarray([s.score * s.duration for s in shots])
    chosen = knapsack(values, weights, int(budget / unit + 1e-9))
    picked: list[Interval] = [Interval(shots[i].start, shots[i].end) for i in chosen]
    slack = budget - sum(p.duration for p in picked)
    for i in sorted(set(range(len(shots))) - set(chosen), key=lambda i: -shots[i].score):
        if slack < MIN_FILL:
            break
        piece = _best_part(shots[i], min(slack, shots[i].duration), times, scores)
        picked.append(piece)
        slack -= piece.duration
    return merge(picked)


def _best_part(shot: Shot, length: float, times: np.ndarray, scores: np.ndarray) -> Interval:
    """A `length`-second piece of the shot, centred on its highest-scoring frame."""
    inside = np.flatnonzero((times >= shot.start) & (times < shot.end))
    centre = float(times[inside[scores[inside].argmax()]]) if len(inside) else (shot.start + shot.end) / 2
    start = min(max(shot.start, centre - length / 2), shot.end - length)
    return Interval(start, start + length)


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sort, and join intervals that touch or overlap."""
    out: list[Interval] = []
    for iv in sorted(intervals, key=lambda iv: iv.start):
        if out and iv.start <= out[-1].end + 1e-6:
            out[-1] = Interval(out[-1].start, max(out[-1].end, iv.end))
        else:
            out.append(iv)
    return out
