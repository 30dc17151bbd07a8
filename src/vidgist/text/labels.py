"""What each shot shows, in ImageNet class names, from the frame features already computed.

    shot_labels(features, times, shots)   one Sentence (source "labels") per run of shots that
                                          the classifier names with confidence

For a video without speech or on-screen text the text summary has nothing to say, and no
captioning model runs offline here. The frame encoder, though, is an ImageNet classifier: its
pooled 1280-d `features`, which the pipeline caches for every sampled frame, go through one
linear layer (efficientnet_lite0_head.npz, exported from the ONNX file by
scripts/export_classifier_head.py) to the logits of the 1000 ImageNet-1k classes. So labels cost
one small matrix product and no extra pass over the video.

They are a weak but honest description: 1000 object classes, many of them dog breeds, no
people, no actions, no scenes beyond a few ("valley", "lakeside"); a name is only given when
the classifier is fairly sure of it over the whole shot. Per frame the logits go through a
softmax; the probabilities are averaged over the shot's sampled frames, so a label stands for
the shot rather than one frame, and a label is kept when its mean probability reaches
`min_prob` and it is among each frame's `top` most probable classes in at least `min_share` of
the shot's frames.

The default floor, 0.3, was read off the shared test clips, looking at each shot's frames
(the best class's mean probability per shot): a surveillance clip of people walking on a path,
30 shots, peaks at 0.21 ("pole", "mobile home": nothing in ImageNet fits, and nothing is said);
the cockatoo clip's two shots of the bird in profile reach 0.51 and 0.34 "sulphur-crested
cockatoo", its face-on and close-up shots 0.06-0.10, except a close-up of the beak read as
"fur coat" at 0.65; Big Buck Bunny's meadow is "valley" at 0.32-0.41 (0.18-0.20 in the shots
either side), its other shots 0.02-0.19 ("daisy" for a flowery bank, then "nematode" on black,
"patas", "frilled lizard", "tench": wrong, and dropped); a screen recording is "web site" at
0.58-0.70. Confident mistakes remain above any floor that keeps the
cockatoo: a city timelapse of towers is "steel arch bridge" at 0.28-0.31 and "scoreboard" at
0.40, a taxi "streetcar" at 0.41, which is why this is a list of labels, not a caption.
`min_share` (0.5) changes nothing on those clips: it guards against a few very sure frames
lifting the mean of a long shot.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from ..types import Interval, Sentence

WEIGHTS = Path(__file__).resolve().parent.parent / "features" / "weights"
HEAD = WEIGHTS / "efficientnet_lite0_head.npz"
NAMES = WEIGHTS / "imagenet_labels.txt"

MIN_PROB = 0.3  # a label's mean probability over the shot's frames (see the module docstring)
MIN_SHARE = 0.5  # ... and the share of the shot's frames that have it among their `top` classes


@cache
def classifier_head() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """(weight (1000, 1280) float32, bias (1000,) float32, the 1000 class names), loaded once."""
    with np.load(HEAD) as head:
        weight, bias = head["weight"].astype(np.float32), head["bias"].astype(np.float32)
    names = tuple(NAMES.read_text(encoding="utf-8").splitlines())
    if weight.shape != (len(names), 1280) or bias.shape != (len(names),):
        raise ValueError(f"{HEAD.name} {weight.shape} does not match {len(names)} names in {NAMES.name}")
    return weight, bias, names


def class_probabilities(features: np.ndarray) -> np.ndarray:
    """(N, 1280) EfficientNet-Lite0 features -> (N, 1000) ImageNet class probabilities."""
    weight, bias, _ = classifier_head()
    logits = np.asarray(features, np.float32) @ weight.T + bias
    logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=1, keepdims=True)
    return logits


def shot_labels(features: np.ndarray, times: np.ndarray, shots: list[Interval], top: int = 2,
                min_share: float = MIN_SHARE, min_prob: float = MIN_PROB) -> list[Sentence]:
    """One Sentence per shot, or run of consecutive shots, with confident ImageNet labels.

    features: (T, 1280) frame features of the sampled frames at `times` (T,), seconds.
    A shot's frames are those with shot.start <= t < shot.end. Its labels: at most `top`
    classes, by mean probability over those frames, each with a mean probability >= min_prob
    and among the `top` most probable classes of at least min_share of the frames. The text is
    the names joined by ", ", most probable first. Consecutive shots with the same label set
    become one sentence spanning them; a shot without confident labels ends such a run, a shot
    with no sampled frame (shorter than the sampling step) does not.
    """
    times = np.asarray(times, dtype=float)
    if len(times) != len(features):
        raise ValueError(f"{len(features)} feature rows for {len(times)} times")
    if not shots or not len(times):
        return []
    _, _, names = classifier_head()
    probs = class_probabilities(features)
    k = max(1, top)
    ranks = np.argsort(-probs, axis=1)[:, :k]  # each frame's `top` classes
    out: list[Sentence] = []
    run: tuple[frozenset[int], Sentence] | None = None  # the label set and sentence being extended
    for shot in shots:
        inside = (times >= shot.start) & (times < shot.end)
        if not inside.any():
            continue
        mean = probs[inside].mean(axis=0)
        keep = []
        for c in np.argsort(-mean)[:k]:
            share = (ranks[inside] == c).any(axis=1).mean()
            if mean[c] >= min_prob and share >= min_share:
                keep.append(int(c))
        if not keep:
            run = None
            continue
        label_set = frozenset(keep)
        if run is not None and run[0] == label_set:
            merged = Sentence(run[1].start, shot.end, text=run[1].text, source="labels", language="en")
            out[-1] = merged
            run = (label_set, merged)
            continue
        sentence = Sentence(shot.start, shot.end, text=", ".join(names[c] for c in keep),
                            source="labels", language="en")
        out.append(sentence)
        run = (label_set, sentence)
    return out
