"""Per-shot ImageNet labels from cached frame features (vidgist.text.labels)."""

from functools import cache
from itertools import pairwise

import av
import numpy as np
import pytest
from conftest import SAMPLE, SHARED_MEDIA

from vidgist import Summarizer
from vidgist.features import create_encoder
from vidgist.media.decode import FEATURE_SIZE, frames_at
from vidgist.media.probe import probe
from vidgist.options import SummarizeOptions
from vidgist.text.labels import (
    MIN_PROB,
    class_probabilities,
    classifier_head,
    shot_labels,
)
from vidgist.types import Interval

# Measured: max |head logits - ONNX logits| was 1.0e-3 on 8 frames of each of 8 clips (the fp16
# weight costs that; the ONNX graph's own Gemm is float32), with logits spanning about -6..10.
LOGIT_TOLERANCE = 5e-3

COCKATOO, MOUNTAIN_BIKE, CRASH_HELMET, TENCH = 89, 671, 518, 0


@cache
def _gram() -> tuple[np.ndarray, np.ndarray]:
    weight, _, _ = classifier_head()
    w = weight.astype(np.float64)
    return w, w @ w.T


def features_for(probs: dict[int, float]) -> np.ndarray:
    """A (1280,) feature vector whose class probabilities are `probs`, the rest spread evenly.

    The head maps 1280 -> 1000 with a full-rank weight, so any logits are reachable:
    f = W.T (W W.T)^-1 (log p - b).
    """
    _, bias, names = classifier_head()
    p = np.full(len(names), (1 - sum(probs.values())) / (len(names) - len(probs)))
    for k, v in probs.items():
        p[k] = v
    w, gram = _gram()
    return (w.T @ np.linalg.solve(gram, np.log(p) - bias)).astype(np.float32)


def clip(*frames: dict[int, float], step: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """(features, times) of frames sampled every `step` seconds from 0."""
    return np.stack([features_for(f) for f in frames]), np.arange(len(frames)) * step


def name(k: int) -> str:
    return classifier_head()[2][k]


# -- the head and its class names ----------------------------------------------------------


def test_head_and_names_load_once_and_agree():
    weight, bias, names = classifier_head()
    assert weight.shape == (1000, 1280) and bias.shape == (1000,) and len(set(names)) == 1000
    assert names[COCKATOO] == "sulphur-crested cockatoo" and names[MOUNTAIN_BIKE] == "mountain bike"
    assert classifier_head() is classifier_head()  # functools.cache: read from disk once


def test_features_along_a_class_weight_pick_that_class():
    weight, _, _ = classifier_head()
    probs = class_probabilities(4 * weight[[COCKATOO, TENCH]])
    assert probs.shape == (2, 1000) and np.allclose(probs.sum(1), 1, atol=1e-5)
    assert probs[0].argmax() == COCKATOO and probs[1].argmax() == TENCH and probs.min(1).min() >= 0


def _frames_224(path, times):
    """The sampled frames the pipeline encodes: full frame squashed to 224x224 RGB with
    swscale's AREA filter (media/decode.py, _VideoSampler._rgb)."""
    info = probe(path)
    out = []
    for _, image in frames_at(info, times):
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        out.append(frame.to_ndarray(width=FEATURE_SIZE, height=FEATURE_SIZE, format="rgb24",
                                    interpolation="AREA"))
    assert len(out) == len(times)
    return np.stack(out)


def test_head_reproduces_the_onnx_logits_on_real_frames():
    encoder = create_encoder("efficientnet-lite0")
    images = _frames_224(SAMPLE, [3.0, 7.0, 13.0, 19.0, 24.0, 27.0])
    features, logits = encoder.session.run(["features", "logits"], {"images": encoder.preprocess(images)})
    weight, bias, _ = classifier_head()
    head = features @ weight.T + bias
    assert np.abs(head - logits).max() < LOGIT_TOLERANCE
    assert (head.argmax(1) == logits.argmax(1)).all()
    softmax = np.exp(logits - logits.max(1, keepdims=True))
    softmax /= softmax.sum(1, keepdims=True)
    assert np.abs(class_probabilities(features) - softmax).max() < 1e-3


# -- shot_labels on synthetic features -----------------------------------------------------


def test_a_confident_shot_is_named_by_its_class():
    features, times = clip({COCKATOO: 0.8}, {COCKATOO: 0.7}, {COCKATOO: 0.9})
    (sentence,) = shot_labels(features, times, [Interval(0.0, 1.5)])
    assert sentence.text == "sulphur-crested cockatoo"
    assert (sentence.start, sentence.end) == (0.0, 1.5)
    assert sentence.source == "labels" and sentence.language == "en"


def test_two_confident_classes_are_listed_most_probable_first():
    features, times = clip(*[{MOUNTAIN_BIKE: 0.5, CRASH_HELMET: 0.35}] * 4)
    (sentence,) = shot_labels(features, times, [Interval(0.0, 2.0)], min_prob=0.3)
    assert sentence.text == "mountain bike, crash helmet"
    (only,) = shot_labels(features, times, [Interval(0.0, 2.0)], top=1, min_prob=0.3)
    assert only.text == "mountain bike"
    (strict,) = shot_labels(features, times, [Interval(0.0, 2.0)], min_prob=0.4)
    assert strict.text == "mountain bike"  # the helmet does not pass a higher floor


def test_a_label_stands_for_the_shot_not_one_frame():
    # each frame sure of something else: the mean over the shot is what counts
    features, times = clip({COCKATOO: 0.9}, {TENCH: 0.9}, {CRASH_HELMET: 0.9}, {MOUNTAIN_BIKE: 0.9})
    assert shot_labels(features, times, [Interval(0.0, 2.0)]) == []
    # one very sure frame in three lifts the mean over the floor, but it is one frame of three
    features, times = clip({COCKATOO: 0.999}, {}, {})
    assert class_probabilities(features)[:, COCKATOO].mean() > MIN_PROB
    assert shot_labels(features, times, [Interval(0.0, 1.5)]) == []
    assert shot_labels(features, times, [Interval(0.0, 1.5)], min_share=0.3)[0].text == name(COCKATOO)


def test_consecutive_shots_with_the_same_labels_merge():
    features, times = clip(*[{TENCH: 0.8}] * 4, *[{TENCH: 0.6}] * 2, *[{COCKATOO: 0.8}] * 2, *[{TENCH: 0.8}] * 2)
    shots = [Interval(0.0, 2.0), Interval(2.0, 3.0), Interval(3.0, 4.0), Interval(4.0, 5.0)]
    got = shot_labels(features, times, shots)
    assert [(s.start, s.end, s.text) for s in got] == [
        (0.0, 3.0, "tench"), (3.0, 4.0, "sulphur-crested cockatoo"), (4.0, 5.0, "tench")]


def test_a_flat_shot_gets_no_sentence_and_breaks_a_run():
    features, times = clip({TENCH: 0.8}, {TENCH: 0.8}, {}, {}, {TENCH: 0.8}, {TENCH: 0.8})
    flat = class_probabilities(features[2:4])
    assert flat.max() < 0.01  # no class stands out
    shots = [Interval(0.0, 1.0), Interval(1.0, 2.0), Interval(2.0, 3.0)]
    got = shot_labels(features, times, shots)
    assert [(s.start, s.end, s.text) for s in got] == [(0.0, 1.0, "tench"), (2.0, 3.0, "tench")]


def test_a_shot_without_sampled_frames_is_skipped_without_breaking_a_run():
    features, times = clip({TENCH: 0.8}, {TENCH: 0.8}, {TENCH: 0.8}, {TENCH: 0.8})
    shots = [Interval(0.0, 1.0), Interval(1.0, 1.3), Interval(1.3, 1.4), Interval(1.4, 2.0)]
    got = shot_labels(features, times, shots)
    assert [(s.start, s.end, s.text) for s in got] == [(0.0, 2.0, "tench")]


def test_empty_inputs_and_mismatched_lengths():
    features, times = clip({TENCH: 0.8})
    assert shot_labels(features, times, []) == []
    assert shot_labels(np.zeros((0, 1280), np.float32), np.zeros(0), [Interval(0.0, 1.0)]) == []
    with pytest.raises(ValueError):
        shot_labels(features, np.zeros(2), [Interval(0.0, 1.0)])


# -- real features ----------------------------------------------------------------------------


def _analyze(path):
    return Summarizer(SummarizeOptions(speech="off", ocr=False, cache=False)).analyze(path)


def _check_sentences(got, analysis):
    assert all(s.source == "labels" and s.language == "en" and s.text for s in got)
    assert all(a.end <= b.start for a, b in pairwise(got))
    bounds = {s.start for s in analysis.shots} | {s.end for s in analysis.shots}
    assert all(s.start in bounds and s.end in bounds for s in got)


def test_the_sample_meadow_is_a_valley():
    analysis = _analyze(SAMPLE)
    got = shot_labels(analysis.features, analysis.times, analysis.shots)
    _check_sentences(got, analysis)
    # Big Buck Bunny's opening meadow (mean p 0.3-0.4); the rest of the sample stays below the floor
    assert got and {s.text for s in got} == {"valley"}


@pytest.mark.shared
def test_the_cockatoo_clip_is_labelled_a_cockatoo():
    analysis = _analyze(SHARED_MEDIA / "imageio_cockatoo.mp4")
    got = shot_labels(analysis.features, analysis.times, analysis.shots)
    _check_sentences(got, analysis)
    assert any("cockatoo" in s.text for s in got), got


@pytest.mark.shared
def test_people_walking_past_a_camera_get_no_label():
    # nothing in ImageNet-1k fits; the best shot class ("pole", "mobile home") peaks near 0.2
    analysis = _analyze(SHARED_MEDIA / "opencv_vtest.avi")
    assert shot_labels(analysis.features, analysis.times, analysis.shots) == []
