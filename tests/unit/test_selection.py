import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vidgist.selection import budget_seconds, merge, score_shots, select
from vidgist.selection.budget import MIN_FILL
from vidgist.types import Interval


def shots_from(lengths):
    edges = np.cumsum([0.0, *lengths])
    return [Interval(a, b) for a, b in zip(edges[:-1], edges[1:])]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(0.3, 12.0), min_size=1, max_size=40),
    st.floats(0.05, 1.0),
    st.integers(0, 10_000),
)
def test_segments_are_sorted_disjoint_inside_and_fill_the_budget(lengths, ratio, seed):
    shots = shots_from(lengths)
    duration = shots[-1].end
    times = np.arange(0, duration, 0.5)
    scores = np.random.default_rng(seed).random(len(times))
    budget = budget_seconds(duration, ratio, None)
    segments = select(score_shots(shots, times, scores), times, scores, budget)
    total = sum(s.duration for s in segments)
    assert total <= budget + 1e-6
    assert total >= budget - MIN_FILL - 1e-6  # the slack left is under a second
    for a, b in zip(segments, segments[1:]):
        assert a.end < b.start  # sorted, disjoint, and touching ones merged
    assert all(0 <= s.start < s.end <= duration + 1e-9 for s in segments)


def test_high_scores_win():
    shots = shots_from([2.0] * 10)
    times = np.arange(0, 20, 0.5)
    scores = np.where((times >= 12) & (times < 14), 1.0, 0.1)
    segments = select(score_shots(shots, times, scores), times, scores, budget=2.0)
    assert segments == [Interval(12.0, 14.0)]


def test_budget_in_seconds_wins_and_is_capped():
    assert budget_seconds(100.0, 0.15, None) == pytest.approx(15.0)
    assert budget_seconds(100.0, 0.15, 30.0) == 30.0
    assert budget_seconds(10.0, 0.15, 30.0) == 10.0


def test_merge_joins_touching_intervals():
    merged = merge([Interval(5, 6), Interval(0, 1), Interval(1, 2), Interval(5.5, 7)])
    assert merged == [Interval(0, 2), Interval(5, 7)]
