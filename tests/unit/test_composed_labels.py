"""Importance read off a composed video's provenance: each source's first seconds high, its long
tail low, exact repeats lower still."""

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

from vidgist.bench.compose import Clip, Piece, Plan, layout  # noqa: E402
from vidgist.train.composed import DECAY, REPEAT_WEIGHT, provenance_importance  # noqa: E402


def clip(clip_id: int, duration: float) -> Clip:
    return Clip(clip_id, Path(f"c{clip_id}.mp4"), duration, 0, False, (), 0.0, False)


def test_insert_scores_above_background_and_a_repeat_drops():
    # background 0-40 s from clip 0, then clip 1 for 4 s, then clip 0 again (its source 0-10 s: a repeat)
    clips = [clip(0, 60), clip(1, 10)]
    pieces = [Piece(0, 0.0, 40.0), Piece(1, 2.0, 4.0), Piece(0, 0.0, 10.0)]
    comp = layout(Plan("t", pieces, background=0), clips, Path("t.mp4"), seed=0)
    times = np.arange(0, 54, 0.5)
    y = provenance_importance(comp, times)
    assert y[0] == 1.0 and y[times == 20][0] == pytest.approx(np.exp(-20 / DECAY))  # the tail fades
    insert = y[(times >= 40) & (times < 44)]
    assert insert[0] == 1.0 and insert.min() > y[times == 39.5][0]  # new material beats the tail
    # clip 0 again after 40 s of it, at source times already shown: faded and a repeat
    assert y[times == 44][0] == pytest.approx(np.exp(-40 / DECAY) * REPEAT_WEIGHT)
    assert y.min() > 0 and y.max() <= 1
