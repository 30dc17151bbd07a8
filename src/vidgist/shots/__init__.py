"""Shots: a cut detector finds the boundaries, then KTS splits shots too long to be summary units."""

from __future__ import annotations

import math

import numpy as np

from ..types import Interval
from .base import CutDetector
from .diff import DiffCutDetector, DiffOptions
from .kts import kts_windowed, normalise

__all__ = ["CutDetector", "DiffCutDetector", "DiffOptions", "make_shots"]


def make_shots(
    times: np.ndarray, features: np.ndarray, cuts: list[float], duration: float, max_shot: float
) -> list[Interval]:
    """Shots covering [0, duration): the cuts, plus KTS change points inside every shot longer
    than max_shot (aiming at half that on average), plus even splits of any still too long."""
    bounds = [0.0, *[c for c in cuts if 0 < c < duration], duration]
    shots: list[Interval] = []
    for start, end in zip(bounds[:-1], bounds[1:]):
        inner = _kts_points(times, features, start, end, max_shot) if end - start > max_shot else []
        edges = [start, *inner, end]
        for a, b in zip(edges[:-1], edges[1:]):
            shots += _split_evenly(a, b, max_shot)
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
