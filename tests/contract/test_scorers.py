"""Every registered scorer, learned ones with their shipped weights, honours the interface on real
features."""

import numpy as np
import pytest
from conftest import SAMPLE

from vidgist import Summarizer, list_scorers
from vidgist.models import ScoringContext, create_scorer


@pytest.fixture(scope="module")
def sample_analysis(tmp_path_factory):
    return Summarizer().analyze(SAMPLE)


def test_registry_is_not_empty():
    assert "greedy" in list_scorers()


def test_unknown_scorer_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown scorer 'nope'"):
        create_scorer("nope")


@pytest.mark.parametrize("name", list_scorers())
def test_scores_shape_range_and_sensitivity(name, sample_analysis):
    a = sample_analysis
    context = ScoringContext(times=a.times, shots=a.shots, duration=a.duration)
    scores = create_scorer(name).score(a.features, context)
    assert scores.shape == (len(a.times),)
    assert np.isfinite(scores).all() and scores.min() >= 0 and scores.max() <= 1
    assert scores.std() > 0.01  # a real video is not scored flat
    assert np.array_equal(scores, create_scorer(name).score(a.features, context))  # deterministic


def test_greedy_scores_a_distinct_moment_above_repetitive_material():
    """A needle: 40 near-identical shots and one different one; the different one ranks top."""
    from vidgist.types import Interval

    rng = np.random.default_rng(0)
    base, needle = rng.normal(size=64), rng.normal(size=64)
    features = np.stack([base + 0.05 * rng.normal(size=64) for _ in range(160)])
    features[100:104] = needle + 0.05 * rng.normal(size=(4, 64))
    times = np.arange(160) * 0.5
    shots = [Interval(t, t + 2.0) for t in np.arange(0, 80, 2.0)]
    scores = create_scorer("greedy").score(features.astype(np.float32), ScoringContext(times, shots, 80.0))
    shot_scores = [scores[i : i + 4].mean() for i in range(0, 160, 4)]
    assert np.argsort(shot_scores)[::-1][:2].tolist().count(25) == 1  # the needle's shot is in the top 2
