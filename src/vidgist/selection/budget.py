"""From importance to a summary: shot values, the budget, knapsack, then filling the slack."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..models.base import shot_index
from ..types import Interval, Shot
from .knapsack import knapsack

MAX_CELLS = 20_000  # knapsack capacity units; the unit grows past this so memory stays bounded
MIN_FILL = 1.0  # seconds: leftover budget smaller than this is left unused (no flash cuts)
UNCLEAN_VALUE = 0.5  # a shot's value is scaled by this for each end that cannot be cut in a pause


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


def select(shots: list[Shot], times: np.ndarray, scores: np.ndarray, budget: float,
           unclean: list[int] | None = None, place: Callable[[Interval], Interval | None] | None = None,
           value_seconds: float = math.inf) -> list[Interval]:
    """Sorted, non-overlapping segments of total length <= budget.

    Exact knapsack over whole shots (value = score x length: importance per second times
    seconds, counting at most `value_seconds` of a shot, halved for each end that would cut
    speech outside a pause, `unclean`), then the leftover budget, if any, goes to the best part
    of the best unused shots; `place` may move such a part (to pauses) or refuse it (None).
    """
    if budget <= 0 or not shots:
        return []
    unit = max(0.1, budget / MAX_CELLS)
    weights = np.asarray([math.ceil(s.duration / unit - 1e-9) for s in shots])
    values = np.asarray([s.score * min(s.duration, value_seconds) for s in shots])
    values *= UNCLEAN_VALUE ** np.asarray(unclean or [0] * len(shots))
    chosen = knapsack(values, weights, int(budget / unit + 1e-9))
    picked: list[Interval] = [Interval(shots[i].start, shots[i].end) for i in chosen]
    slack = budget - sum(p.duration for p in picked)
    refused = None  # the best piece `place` turned down: better than an empty summary
    for i in sorted(set(range(len(shots))) - set(chosen), key=lambda i: -shots[i].score):
        if slack < MIN_FILL:
            break
        piece = _best_part(shots[i], min(slack, shots[i].duration), times, scores)
        if place is not None:
            placed = place(piece)
            if placed is None or placed.duration > slack + 1e-9:
                refused = refused or piece
                continue
            piece = placed
        picked.append(piece)
        slack -= piece.duration
    if not picked and refused is not None:
        picked.append(refused)
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
