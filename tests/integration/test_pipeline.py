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
from vidgist.media.probe import probe
from vidgist.render.video import render_video
from vidgist.types import Interval


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


JOINS = [Interval(0.52, 1.48), Interval(3.0, 4.0), Interval(9.2, 10.0)]  # on frames; tone phase jumps 0.38, 0.84 cycle


def joined_audio(clip, tmp_path, fade_ms: float) -> tuple[np.ndarray, list[Interval]]:
    """The highlight's audio, and its segments as rendered (on the source's frames)."""
    out = tmp_path / f"fade{fade_ms}.mp4"
    rendered = render_video(probe(clip), JOINS, out, fade_ms=fade_ms)
    with av.open(str(out)) as c:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=48000)
        pcm = np.concatenate([f.to_ndarray().ravel() for fr in c.decode(audio=0) for f in resampler.resample(fr)])
    return pcm, rendered.segments


def largest_step_at_joins(pcm: np.ndarray, segments: list[Interval]) -> tuple[float, float]:
    """(largest sample-to-sample step within +-10 ms of a join, the tone's own largest step)."""
    joins = np.cumsum([s.duration for s in segments])[:-1]
    steady = np.abs(np.diff(pcm[9600:14400])).max()  # inside the first segment
    at_joins = max(np.abs(np.diff(pcm[int(t * 48000) - 480 : int(t * 48000) + 480])).max() for t in joins)
    return float(at_joins), float(steady)


def test_audio_joins_do_not_click(scenes_clip, tmp_path):
    """A tone cut where its phase jumps: with the default fade no sample jumps at a join."""
    at_joins, steady = largest_step_at_joins(*joined_audio(scenes_clip, tmp_path, fade_ms=5.0))
    assert at_joins <= 1.2 * steady


def test_without_fades_the_same_joins_click(scenes_clip, tmp_path):
    """The test above can fail: with no fade the same joins jump."""
    at_joins, steady = largest_step_at_joins(*joined_audio(scenes_clip, tmp_path, fade_ms=0.0))
    assert at_joins > 3 * steady


def test_options_are_validated():
    with pytest.raises(ValueError):
        SummarizeOptions(ratio=1.5)
    with pytest.raises(ValueError):
        SummarizeOptions(duration=0)
