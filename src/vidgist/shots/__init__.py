"""Shots: a cut detector finds the boundaries, then KTS splits shots too long to be summary units."""

from __future__ import annotations

import math

import numpy as np

from ..types import Interval
from .base import CutDetector
from .diff import DiffCutDetector, DiffOptions
from .kts import kts_windowed, normalise
from .scenes import content_changed, find_scenes

__all__ = ["CutDetector", "DiffCutDetector", "DiffOptions", "content_changed", "find_scenes", "make_shots"]

MIN_SHOT = 1.0  # seconds


def make_shots(
    times: np.ndarray, features: np.ndarray, cuts: list[float], duration: float, max_shot: float
) -> list[Interval]:
    """Shots covering [0, duration): the cuts, plus KTS change points inside every shot longer
    than max_shot (aiming at half that on average), plus even splits of any still too long;
    pieces under MIN_SHOT join a neighbour."""
    bounds = [0.0, *[c for c in cuts if 0 < c < duration], duration]
    shots: list[Interval] = []
    for start, end in zip(bounds[:-1], bounds[1:]):
        inner = _kts_points(times, features, start, end, max_shot) if end - start > max_shot else []
        edges = [start, *inner, end]
        pieces = [piece for a, b in zip(edges[:-1], edges[1:]) for piece in _split_evenly(a, b, max_shot)]
        shots += _merge_short(pieces, MIN_SHOT, max_shot)  # within the cut's shot: cuts are never undone
    return shots


def _merge_short(shots: list[Interval], min_len: float, max_len: float) -> list[Interval]:
    """Join every piece shorter than min_len to its shorter neighbour (re-split in two halves
    if that makes it longer than max_len): a flash is no summary unit."""
    shots = list(shots)
    while len(shots) > 1:
        short = min(range(len(shots)), key=lambda i: shots[i].duration)
        if shots[short].duration >= min_len:
            break
        left = shots[short - 1].duration if short > 0 else float("inf")
        right = shots[short + 1].duration if short + 1 < len(shots) else float("inf")
        other = short - 1 if left <= right else short + 1
        a, b = sorted((short, other))
        shots[a : b + 1] = _split_evenly(shots[a].start, shots[b].end, max_len)  # one, or two halves
    return shots


def _kts_points(times, features, start, end, max_shot) -> list[float]:
    idx = np.flatnonzero((times >= start) & (times < end))
    n_points = math.ceil((end - start) / (max_shot / 2)) - 1
    if len(idx) < 4 or n_points <= 0:
        return []
    points = kts_windowed(normalise(features[idx].astype(np.float64)), n_points)
    # a change happened somewhere between two sampled frames: put the boundary half-way
    return [float((times[idx[p - 1]] + times[idx[p]]) / 2) for p in points if 0 < p < len(idx)]


def _split_evenly(start: float, end: float, max_len: float) -> list[Interval]:
    n = max(1, math.ceil((end - start) / max_len - 1e-9))
    step = (end - start) / n
    return [Interval(start + i * step, end if i == n - 1 else start + (i + 1) * step) for i in range(n)]
