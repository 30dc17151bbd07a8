import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vidgist.selection import budget_seconds, merge, score_shots, select, split_shots, unit_length
from vidgist.selection.budget import BRIDGE, MIN_FILL, MIN_PIECE, MIN_SEGMENT, bridged
from vidgist.types import Interval, Shot


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
    units = split_shots(shots, unit_length(budget, 1, 8.0))  # as the pipeline makes them
    segments = select(score_shots(units, times, scores), times, scores, budget)
    total = sum(s.duration for s in segments)
    assert total <= budget + 1e-6
    assert total >= budget - MIN_FILL - 1e-6  # the slack left is under a second
    for a, b in zip(segments, segments[1:]):
        assert a.end < b.start  # sorted, disjoint, and touching ones merged
    assert all(0 <= s.start < s.end <= duration + 1e-9 for s in segments)
    # watchable: no segment under a second unless the whole video is
    assert all(s.duration >= min(MIN_SEGMENT, duration) - 1e-9 for s in segments)


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


def test_a_budget_too_short_to_watch_is_raised_to_one_piece():
    assert budget_seconds(5.3, 0.15, None) == MIN_PIECE  # 0.8 s asked
    assert budget_seconds(100.0, 1e-9, None) == MIN_PIECE
    assert budget_seconds(1.2, 0.15, None) == 1.2  # shorter than a piece: the whole clip
    assert budget_seconds(60.0, 0.15, 0.5) == MIN_PIECE


def test_units_follow_the_budget_and_the_scenes():
    assert unit_length(14.0, 5, 6.0) == pytest.approx(2.8)  # 14 s over 5 scenes
    assert unit_length(14.0, 20, 6.0) == MIN_PIECE  # never shorter than a watchable piece
    assert unit_length(90.0, 3, 6.0) == 6.0  # never longer than a shot
    units = split_shots(shots_from([8.0, 0.4, 2.0]), 2.8)
    assert [round(u.duration, 3) for u in units] == [2.667, 2.667, 2.667, 2.4]  # the flash joins its shorter neighbour


def test_every_scene_gets_a_piece_before_any_gets_two():
    """Five scenes, the first with the highest scores everywhere: by value alone it would take
    the whole budget; with coverage each scene gets one unit."""
    lengths = [19.0, 14.0, 46.0, 9.5, 5.2]
    scenes = shots_from(lengths)
    units = split_shots(scenes, unit_length(14.0, 5, 6.0))
    times = np.arange(0, sum(lengths), 0.5)
    scores = np.where(times < 19.0, 0.9, 0.2) + 0.01 * np.sin(times)
    scene_of = np.asarray([next(k for k, s in enumerate(scenes) if s.start <= u.start < s.end) for u in units])
    segments = select(score_shots(units, times, scores, scene_of), times, scores, budget=14.0)
    shown = [sum(max(0.0, min(g.end, s.end) - max(g.start, s.start)) for g in segments) for s in scenes]
    assert all(seconds >= 1.0 for seconds in shown), shown
    without = select(score_shots(units, times, scores), times, scores, budget=14.0)  # no scenes known
    assert sum(g.duration for g in without if g.end <= 19.0) >= 13.0  # the test can fail


def test_when_the_budget_cannot_cover_every_scene_it_covers_as_many_as_fit():
    """Six 3-s scenes: 9 s gives each a 1.5-s piece; 6 s gives the four most valuable one each."""
    units = [Shot(k * 4.0, k * 4.0 + 3.0, score=0.5 + 0.01 * k, scene=k) for k in range(6)]  # 1-s gaps
    times = np.arange(0, 24, 0.5)
    scores = np.full(len(times), 0.5)
    every = select(units, times, scores, budget=9.0)
    assert len(every) == 6 and all(s.duration == pytest.approx(MIN_PIECE) for s in every)
    four = select(units, times, scores, budget=6.0)
    assert [int(s.start // 4) for s in four] == [2, 3, 4, 5]


def test_the_key_sentences_lead_and_the_silent_scenes_keep_a_glimpse():
    """Four scenes of 10 s; speech in the first two. The spine (three key sentences, the most
    important first) takes what its budget holds (the budget less a glimpse of each silent
    scene), each sentence whole; then the silent scenes get their glimpses, before the
    talking scene the spine left out."""
    units = [Shot(k * 10.0 + a, k * 10.0 + a + 2.5, score=0.5, scene=k) for k in range(4) for a in (0.0, 2.5, 5.0, 7.5)]
    times = np.arange(0, 40, 0.5)
    scores = np.full(len(times), 0.5)
    talks = np.asarray([u.scene < 2 for u in units])
    spine = [Shot(11.0, 15.2), Shot(2.0, 6.1), Shot(5.0, 9.0)]  # the third overlaps the second
    segments = select(units, times, scores, budget=12.0, spine=spine, spine_budget=9.0, talks=talks)
    assert Interval(11.0, 15.2) in segments and Interval(2.0, 6.1) in segments  # whole, as placed
    silent = [s for s in segments if s.start >= 20.0]
    assert {int(s.start // 10) for s in silent} == {2, 3} and sum(s.duration for s in silent) <= 12.0 - 8.3 + 1e-6
    # a spine budget that holds one sentence takes the first-ranked one
    segments = select(units, times, scores, budget=7.5, spine=spine, spine_budget=4.5, talks=talks)
    assert Interval(11.0, 15.2) in segments and not any(s.start < 10.0 for s in segments)
    assert {int(s.start // 10) for s in segments} == {1, 2, 3}  # the silent scenes before the talking one


def test_picks_a_few_frames_apart_play_as_one_while_the_budget_lasts():
    picks = [Interval(14.25, 15.667), Interval(15.75, 17.25), Interval(17.4, 20.0), Interval(28.29, 29.79)]
    assert bridged(picks, spare=1.0) == [Interval(14.25, 20.0), Interval(28.29, 29.79)]
    assert bridged(picks, spare=0.1) == [Interval(14.25, 17.25), Interval(17.4, 20.0), Interval(28.29, 29.79)]
    assert bridged(picks, spare=0.0) == picks
    apart = [Interval(0, 1), Interval(1 + BRIDGE, 2)]
    assert bridged(apart, spare=10.0) == apart
