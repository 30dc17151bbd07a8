import numpy as np

from vidgist.shots import make_shots
from vidgist.shots.kts import kts, kts_windowed, normalise


def piecewise(lengths, dim=32, noise=0.05, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(lengths), dim))
    x = np.concatenate([c + noise * rng.normal(size=(n, dim)) for c, n in zip(centres, lengths)])
    truth = list(np.cumsum(lengths)[:-1])
    return normalise(x), truth


def test_kts_finds_the_true_change_points():
    x, truth = piecewise([30, 12, 45, 20, 8])
    assert kts(x, len(truth)) == truth


def test_windowed_equals_exact_on_short_inputs():
    x, truth = piecewise([100, 150, 90, 60], seed=1)
    for m in (1, 3, 7):
        assert kts_windowed(x, m, window=512) == kts(x, m)


def test_windowed_on_long_input_keeps_true_points_and_bounds_pieces():
    lengths = [300] * 10  # 3000 frames: six windows of at most 512
    x, truth = piecewise(lengths, seed=2)
    # change points are shared among the windows by length, so ask for more than the truth,
    # as the product does (it asks for one every max_shot / 2 seconds)
    points = kts_windowed(x, 2 * len(truth), window=512)
    assert all(any(abs(p - t) <= 1 for p in points) for t in truth)
    gaps = np.diff([0, *points, len(x)])
    assert gaps.max() <= 512


def test_make_shots_cover_the_video_and_respect_max_length():
    times = np.arange(0, 60, 0.5)
    x, _ = piecewise([40, 40, 40], seed=3)
    shots = make_shots(times, x, cuts=[10.0, 33.3], duration=60.0, max_shot=8.0)
    assert shots[0].start == 0.0 and shots[-1].end == 60.0
    assert all(a.end == b.start for a, b in zip(shots, shots[1:]))
    assert max(s.duration for s in shots) <= 8.0 + 1e-9
    assert any(abs(s.start - 10.0) < 1e-9 for s in shots) and any(abs(s.start - 33.3) < 1e-9 for s in shots)
    # the KTS change points inside the first cut-shot land on the feature changes (20 s, 40 s)
    assert any(abs(s.start - 20.0) <= 0.5 for s in shots) and any(abs(s.start - 40.0) <= 0.5 for s in shots)
