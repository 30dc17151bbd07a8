"""The cut detector's faint transitions: a dissolve between two busy pictures rises less above
its surroundings than one between still pictures; it counts where the content either side
differs, and a bump of motion inside one scene does not."""

import numpy as np

from vidgist.shots import DiffCutDetector

FPS = 15.0


def busy_clip(seed_before: int, seed_after: int, dissolve_at: float, seconds: float = 12.0):
    """(time, 16x16 YUV frame) at FPS: flickering noise around one base picture, then a 1-s
    dissolve to another base picture with the same flicker."""
    rng = np.random.default_rng(0)
    before = np.random.default_rng(seed_before).integers(40, 216, (16, 16, 3))
    after = np.random.default_rng(seed_after).integers(40, 216, (16, 16, 3))
    for k in range(int(seconds * FPS)):
        t = k / FPS
        a = np.clip((t - dissolve_at) / 1.0, 0.0, 1.0)
        base = (1 - a) * before + a * after
        yield t, np.clip(base + rng.normal(0, 30, base.shape), 0, 255).astype(np.uint8)


def detect(frames, changed=None) -> list[float]:
    detector = DiffCutDetector()
    for t, frame in frames:
        detector.push(t, frame)
    return detector.cuts(changed)


def test_a_faint_dissolve_counts_where_the_content_changes():
    frames = list(busy_clip(1, 2, dissolve_at=6.0))
    alone = detect(frames)
    with_features = detect(frames, changed=lambda t: 5.0 < t < 8.0)  # the features differ across 6-7 s
    assert not any(5.5 <= c <= 7.5 for c in alone)  # too faint against the flicker on its own
    assert [c for c in with_features if 5.5 <= c <= 7.5], with_features
    # where the features say nothing changed, the same bump stays no cut
    assert not any(5.5 <= c <= 7.5 for c in detect(frames, changed=lambda t: False))
