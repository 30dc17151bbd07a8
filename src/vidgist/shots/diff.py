"""A fast cut detector on frame differences of tiny frames.

Hard cuts are spikes in the difference between consecutive frames. Gradual transitions
(dissolves, fades, wipes) change the picture slowly, so consecutive differences stay small;
they show up instead as a bump in the difference between frames one window (~1 s) apart,
which a pan or zoom also raises, but for longer: a bump well above its surroundings counts,
and so does a fainter one (between footage that moves a lot anyway) where the content on
either side differs (the caller's `changed`, from the frame features).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .base import Changed, CutDetector


@dataclass(frozen=True)
class DiffOptions:
    hard_threshold: float = 0.12  # consecutive difference that can be a hard cut (0..1)
    hard_ratio: float = 2.5  # ... and must exceed this many times its neighbours' level
    gradual_threshold: float = 0.15  # 1-s-apart difference that can be a transition
    gradual_ratio: float = 2.0  # ... and must exceed this many times its local baseline
    faint_ratio: float = 1.5  # ... or this many, where the content either side differs (realbench:
    #                           a dissolve between two handheld clips at 2.0x, a pan inside one under 1.5x)
    window: float = 1.0  # seconds between the frames compared for gradual transitions
    min_shot: float = 0.6  # seconds; closer boundaries are merged (flashes, flicker)


class DiffCutDetector(CutDetector):
    def __init__(self, options: DiffOptions | None = None):
        self.opt = options or DiffOptions()
        self.times: list[float] = []
        self.d1: list[float] = []  # difference to the previous frame
        self.dw: list[float] = []  # difference to the frame `window` seconds earlier
        self.recent: deque[tuple[float, np.ndarray]] = deque()

    def push(self, time: float, frame: np.ndarray) -> None:
        sig = _signature(frame)
        if self.recent:
            self.d1.append(_distance(sig, self.recent[-1][1]))
            while len(self.recent) > 1 and self.recent[1][0] <= time - self.opt.window:
                self.recent.popleft()
            self.dw.append(_distance(sig, self.recent[0][1]))
        else:
            self.d1.append(0.0)
            self.dw.append(0.0)
        self.times.append(time)
        self.recent.append((time, sig))

    def cuts(self, changed: Changed | None = None) -> list[float]:
        t = np.asarray(self.times)
        if len(t) < 3:
            return []
        fps = (len(t) - 1) / max(t[-1] - t[0], 1e-6)
        hard = self._hard(np.asarray(self.d1), fps)
        gradual = self._gradual(np.asarray(self.dw), fps, hard, lambda i: changed is not None and changed(t[i]))
        boundaries = sorted([(t[i], 2) for i in hard] + [(t[i], 1) for i in gradual])
        return _merge_close(boundaries, self.opt.min_shot)

    def _hard(self, d1: np.ndarray, fps: float) -> list[int]:
        """Frames whose consecutive difference is a spike over the neighbours on both sides."""
        k = max(2, round(0.25 * fps))  # neighbours within a quarter second
        out = []
        for i in np.flatnonzero(d1 >= self.opt.hard_threshold):
            around = np.concatenate([d1[max(0, i - k) : i], d1[i + 1 : i + 1 + k]])
            level = float(np.mean(around)) if len(around) else 0.0
            if d1[i] >= self.opt.hard_ratio * level and d1[i] == d1[max(0, i - k) : i + k + 1].max():
                out.append(int(i))
        return out

    def _gradual(self, dw: np.ndarray, fps: float, hard: list[int], changed: Callable[[int], bool]) -> list[int]:
        """Peaks of the window difference well above the baseline, away from hard cuts; fainter
        ones where changed(frame index of the transition's middle) says the content differs."""
        w = max(2, round(self.opt.window * fps))
        base_half = max(w, round(3 * self.opt.window * fps))
        hard_arr = np.asarray(hard, dtype=int)
        out = []
        for i in np.flatnonzero(dw >= self.opt.gradual_threshold):
            if dw[i] < dw[max(0, i - w) : i + w + 1].max():
                continue  # not the peak of its bump
            if len(hard_arr) and np.min(np.abs(hard_arr - i)) <= w + 1:
                continue  # the bump of a hard cut, seen through the window
            lo, hi = max(0, i - base_half), i + base_half + 1
            baseline = float(np.median(dw[lo:hi]))
            middle = _half_rise(dw, i, w)
            if dw[i] >= self.opt.gradual_ratio * baseline or (
                    dw[i] >= self.opt.faint_ratio * baseline and changed(middle)):
                out.append(middle)
        return out


def _signature(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """YUV histograms (robust to motion) and the luma thumbnail (catches same-colour cuts)."""
    hist = np.stack([np.bincount(frame[..., c].ravel() >> 4, minlength=16) for c in range(3)])
    hist = hist.astype(np.float32) / (frame.shape[0] * frame.shape[1])
    luma = frame[..., 0].astype(np.float32) / 255.0
    return hist, luma


def _distance(a, b) -> float:
    """Mean of the histogram distance (half L1, 0..1) and the mean absolute pixel change."""
    hist = 0.5 * float(np.abs(a[0] - b[0]).sum(axis=1).mean())
    pixels = float(np.abs(a[1] - b[1]).mean())
    return 0.5 * (hist + pixels)


def _half_rise(dw: np.ndarray, peak: int, w: int) -> int:
    """The frame where the window difference first reaches half its peak.

    A transition from a to b raises dw roughly linearly from a to b, so half the rise is
    its middle; for a hard cut it is the cut itself.
    """
    lo = max(0, peak - w)
    return lo + int(np.argmax(dw[lo : peak + 1] >= dw[peak] / 2))


def _merge_close(boundaries: list[tuple[float, int]], min_gap: float) -> list[float]:
    """Keep boundaries at least min_gap apart; of two close ones the hard cut wins, else the first."""
    kept: list[tuple[float, int]] = []
    for t, rank in boundaries:
        if kept and t - kept[-1][0] < min_gap:
            if rank > kept[-1][1]:
                kept[-1] = (t, rank)
            continue
        kept.append((t, rank))
    return [round(t, 3) for t, _ in kept if t > 0]
