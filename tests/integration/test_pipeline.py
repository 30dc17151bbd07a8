"""The library path: cuts on known transitions, the cache, atomic outputs, clean audio joins."""

import json

import av
import numpy as np
import pytest
from conftest import SAMPLE

import vidgist.pipeline
import vidgist.render
from vidgist import Summarizer, SummarizeOptions, summarize
from vidgist.errors import OutputError


def test_cuts_on_known_hard_cuts_and_dissolve(scenes_clip):
    analysis = Summarizer().analyze(scenes_clip)
    cuts = analysis.cuts
    assert min(abs(c - 4.0) for c in cuts) <= 0.5
    assert min(abs(c - 11.0) for c in cuts) <= 0.5
    assert min(abs(c - 7.5) for c in cuts) <= 1.0  # the middle of the 7-8 s dissolve
    assert len(cuts) == 3  # and nothing else: each scene only drifts sideways
    assert analysis.shots[0].start == 0.0 and analysis.shots[-1].end == pytest.approx(analysis.duration)


def test_second_run_reuses_the_analysis_without_decoding(tmp_path, monkeypatch):
    first = summarize(SAMPLE, tmp_path / "a", duration=6)

    def no_decoding(*args, **kwargs):
        raise AssertionError("the second run decoded the video again")

    monkeypatch.setattr(vidgist.pipeline, "MediaReader", no_decoding)
    second = summarize(SAMPLE, tmp_path / "b", duration=12)
    assert np.array_equal(first.analysis.features, second.analysis.features)
    assert second.budget == 12 and abs(second.duration - 12) <= 1.0
    with pytest.raises(AssertionError, match="decoded the video again"):
        summarize(SAMPLE, tmp_path / "c", duration=12, cache=False)


def test_a_failed_render_leaves_previous_outputs_whole(tmp_path, monkeypatch):
    out = tmp_path / "out"
    summarize(SAMPLE, out, duration=5)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def broken(info, segments, path, *args):
        path.write_bytes(b"half a video")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(vidgist.render, "render_video", broken)
    with pytest.raises(OutputError, match="No space left"):
        summarize(SAMPLE, out, duration=9)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
    assert json.loads(after["summary.json"])["budget"] == 5
    assert not [p for p in out.iterdir() if p.name.startswith(".vidgist-")]


def test_audio_joins_do_not_click(scenes_clip, tmp_path):
    """A 440 Hz tone cut at several places: with fades no sample jumps at a join."""
    summary = summarize(scenes_clip, tmp_path / "out", duration=4, storyboard=False)
    assert len(summary.segments) >= 2
    with av.open(str(tmp_path / "out" / "summary.mp4")) as c:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=48000)
        pcm = np.concatenate([f.to_ndarray().ravel() for fr in c.decode(audio=0) for f in resampler.resample(fr)])
    joins = np.cumsum([s.duration for s in summary.segments])[:-1]
    steady = np.abs(np.diff(pcm[4800:9600])).max()  # the tone's own largest step, inside a segment
    for t in joins:
        i = int(round(t * 48000))
        around = np.abs(np.diff(pcm[i - 480 : i + 480])).max()  # +-10 ms
        assert around <= 1.5 * steady, f"click at {t:.2f} s: step {around:.3f} vs {steady:.3f}"


def test_without_fades_the_join_check_would_fail(scenes_clip, tmp_path):
    """The click test above can fail: with fade_ms=0 the same joins jump."""
    summary = summarize(scenes_clip, tmp_path / "out", duration=4, storyboard=False, fade_ms=0)
    with av.open(str(tmp_path / "out" / "summary.mp4")) as c:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=48000)
        pcm = np.concatenate([f.to_ndarray().ravel() for fr in c.decode(audio=0) for f in resampler.resample(fr)])
    steady = np.abs(np.diff(pcm[4800:9600])).max()
    joins = np.cumsum([s.duration for s in summary.segments])[:-1]
    worst = max(np.abs(np.diff(pcm[int(t * 48000) - 480 : int(t * 48000) + 480])).max() for t in joins)
    assert worst > 1.5 * steady


def test_options_are_validated():
    with pytest.raises(ValueError):
        SummarizeOptions(ratio=1.5)
    with pytest.raises(ValueError):
        SummarizeOptions(duration=0)
