"""The standard protocol's steps and corner cases, each against a hand count or brute force."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_knapsack import brute_force

from vidgist.bench import protocol as P


def test_upsample_holds_each_score_until_the_next_pick():
    frames = P.upsample(np.array([0.1, 0.5, 0.9]), np.array([0, 15, 30]), 40)
    assert frames.shape == (40,)
    assert (frames[:15] == 0.1).all() and (frames[15:30] == 0.5).all() and (frames[30:] == 0.9).all()


def test_upsample_refuses_mismatched_picks():
    with pytest.raises(ValueError):
        P.upsample(np.zeros(3), np.array([0, 15]), 40)


def test_shot_value_is_the_mean_not_the_sum():
    frames = np.array([1.0, 1.0, 1.0, 4.0])
    assert P.shot_values(frames, np.array([[0, 2], [3, 3]])).tolist() == [1.0, 4.0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 30), min_size=1, max_size=8), st.integers(0, 2**32 - 1))
def test_summary_is_the_best_set_of_whole_shots_within_15_percent(lengths, seed):
    n = sum(lengths)
    ends = np.cumsum(lengths)
    shots = np.stack([ends - lengths, ends - 1], axis=1)
    frames = np.random.default_rng(seed).random(n)
    summary = P.summarize_frames(frames, shots)
    values = P.shot_values(frames, shots)
    capacity = int(np.floor(0.15 * n))
    assert summary.sum() <= capacity
    chosen = [k for k, (a, b) in enumerate(shots) if summary[a : b + 1].all()]
    # whole shots only: every selected frame lies in a fully selected shot
    assert summary.sum() == sum(lengths[k] for k in chosen) or not chosen
    if chosen:
        assert values[chosen].sum() == pytest.approx(brute_force(values, lengths, capacity))


def test_fallback_takes_the_best_frames_when_no_shot_fits():
    frames = np.linspace(0, 1, 100)  # best frames are the last ones
    summary = P.summarize_frames(frames, np.array([[0, 49], [50, 99]]))  # shots of 50 > budget 15
    assert summary.sum() == 15
    assert summary[85:].all() and not summary[:85].any()


def test_f1_pads_or_cuts_the_summary_to_the_user_length():
    user = np.array([1, 1, 0, 0])
    assert P.f_measure(np.array([1, 1]), user) == 1.0  # shorter summary: padded with zeros
    assert P.f_measure(np.array([1, 1, 0, 0, 1, 1, 1]), user) == 1.0  # longer: the tail is cut
    assert P.f_measure(np.array([0, 0, 1, 1]), user) == 0.0  # no overlap is 0, not NaN


def test_f1_hand_count():
    y = np.array([1, 1, 1, 0, 0, 0])
    u = np.array([0, 1, 1, 1, 1, 0])
    # overlap 2, P = 2/3, R = 2/4 -> F = 2 * (2/3 * 1/2) / (2/3 + 1/2) = 4/7
    assert P.f_measure(y, u) == pytest.approx(4 / 7)


def test_aggregate_is_max_for_summe_and_mean_for_tvsum():
    y = np.array([1, 1, 0, 0])
    users = np.array([[1, 1, 0, 0], [0, 0, 1, 1]])  # F1 1 and 0
    assert P.f1_against_users(y, users, P.DATASET_AGGREGATE["summe"]) == 1.0
    assert P.f1_against_users(y, users, P.DATASET_AGGREGATE["tvsum"]) == 0.5


def _tau_b_by_pairs(x, y) -> float:
    """Kendall tau-b from its definition, O(n^2): (C - D) / sqrt((n0 - n1)(n0 - n2))."""
    concordant = discordant = ties_x = ties_y = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        dx, dy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        ties_x += dx == 0
        ties_y += dy == 0
        concordant += dx * dy > 0
        discordant += dx * dy < 0
    n0 = len(x) * (len(x) - 1) / 2
    return (concordant - discordant) / np.sqrt((n0 - ties_x) * (n0 - ties_y))


def _rho_by_average_ranks(x, y) -> float:
    def ranks(v):
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(1, len(v) + 1)
        for value in np.unique(v):  # ties share their average rank
            r[v == value] = r[v == value].mean()
        return r

    return float(np.corrcoef(ranks(x), ranks(y))[0, 1])


def test_rank_correlation_with_ties_matches_the_definitions():
    pred = np.array([0.1, 0.1, 0.4, 0.4, 0.4, 0.9, 0.2, 0.2])
    annotators = np.array([[1, 1, 3, 3, 2, 5, 1, 2], [2, 2, 2, 4, 4, 4, 1, 1]], dtype=float)
    tau, rho = P.rank_correlation(pred, annotators)
    assert tau == pytest.approx(np.mean([_tau_b_by_pairs(pred, a) for a in annotators]))
    assert rho == pytest.approx(np.mean([_rho_by_average_ranks(pred, a) for a in annotators]))


def test_constant_prediction_has_no_correlation_not_nan():
    assert P.rank_correlation(np.ones(10), np.arange(10.0)[None]) == (0.0, 0.0)


def test_random_baseline_is_a_fixed_mean_over_seeds():
    def draw(rng):
        return float(rng.random())

    assert P.random_mean(draw) == P.random_mean(draw)
    assert P.random_mean(draw) == pytest.approx(np.mean([np.random.default_rng(s).random() for s in range(100)]))


def test_uniform_shots_cover_every_frame_once():
    shots = P.uniform_shots(130, 60)
    assert shots.tolist() == [[0, 59], [60, 119], [120, 129]]
