"""A summary that holds on any video: every distinct scene shown, short clips summarized,
no segment too short to watch. On real footage (samples/scenes_sample.mp4) where scenes matter,
generated clips where exact lengths do."""

import shutil

import pytest
from clips import Scene, make_clip, speak, with_soundtrack
from conftest import ROOT, check_summary, run_cli

from vidgist import Summarizer, SummarizeOptions, summarize
from vidgist.selection.budget import MIN_PIECE

SCENES = ROOT / "samples" / "scenes_sample.mp4"
# its four clips, back to back (samples/README.md): surveillance, city at night, cockatoo, Big Buck Bunny
SCENE_SPANS = [(0.0, 20.0), (20.0, 24.4), (24.4, 31.4), (31.4, 38.04)]


def shown(segments, span) -> float:
    return sum(max(0.0, min(s["end"], span[1]) - max(s["start"], span[0])) for s in segments)


def test_every_scene_gets_a_piece_when_the_budget_allows(tmp_path):
    """7.6 s for four scenes of 4-20 s (1.9 s each): each is shown for at least a second, though
    the surveillance scene is over half the video."""
    out = tmp_path / "o"
    proc = run_cli("summarize", SCENES, "-o", out, "--ratio", "0.2", "-q")
    assert proc.returncode == 0, proc.stderr
    result = check_summary(out, source_has_audio=True)
    seconds = [shown(result["segments"], span) for span in SCENE_SPANS]
    assert all(s >= 1.0 for s in seconds), seconds
    scenes = {s["scene"] for s in result["shots"]} - {-1}
    assert len(scenes) >= 4  # the clips were found as scenes


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="needs espeak-ng")
def test_speech_in_one_scene_does_not_starve_the_others(tmp_path):
    """A voice over the long surveillance scene: what is said gains value, but the silent scenes
    still get their piece."""
    pcm, spans = speak(["The camera watches the square in front of the library all day long.",
                        "People cross it on their way to the station, alone or in small groups.",
                        "In the evening the lamps come on and the square empties."], gap=0.8, lead=1.0)
    narrated = with_soundtrack(SCENES, tmp_path / "narrated.mp4", pcm)
    assert spans[-1][1] < SCENE_SPANS[0][1]  # all of it over the first scene
    summary = summarize(narrated, tmp_path / "o", ratio=0.2)
    segments = [s.to_json() for s in summary.segments]
    seconds = [shown(segments, span) for span in SCENE_SPANS]
    assert all(s >= 1.0 for s in seconds), seconds
    assert summary.analysis.transcript.words  # the voice was heard


def test_the_storyboard_shows_the_whole_video(tmp_path):
    """A 3.8-s highlight of a 38-s video of four scenes: the storyboard still has a tile in every
    scene, at least 6 in all, in time order, and marks the ones the highlight plays."""
    out = tmp_path / "o"
    assert run_cli("summarize", SCENES, "-o", out, "--ratio", "0.1", "-q").returncode == 0
    result = check_summary(out, source_has_audio=True)
    tiles = result["keyframes"]
    times = [k["time"] for k in tiles]
    assert 6 <= len(tiles) <= 24 and times == sorted(times)
    assert all(any(a <= t < b for t in times) for a, b in SCENE_SPANS), times
    for k in tiles:
        inside = any(s["start"] <= k["time"] < s["end"] for s in result["segments"])
        assert k["in_highlight"] == inside and (out / k["image"]).is_file()
    assert 0 < sum(k["in_highlight"] for k in tiles) < len(tiles)  # the highlight shows a part


@pytest.mark.parametrize("seconds", [1.0, 3.0])
def test_a_short_clip_gets_a_watchable_summary(tmp_path, seconds):
    """15 % of 1 s or 3 s is shorter than anything worth watching: the budget becomes one piece
    (1.5 s) or the whole clip, and the summary says so."""
    clip = make_clip(tmp_path / "short.mp4", [Scene(seconds, 3)])
    proc = run_cli("summarize", clip, "-o", tmp_path / "o", "-q")
    assert proc.returncode == 0, proc.stderr
    result = check_summary(tmp_path / "o", source_has_audio=True)
    assert result["budget_requested"] == pytest.approx(0.15 * seconds, abs=0.01)
    assert result["budget"] == pytest.approx(min(MIN_PIECE, result["source"]["duration"]), abs=0.01)


def test_a_short_variable_rate_1080p_clip(tmp_path):
    """A phone clip: 1.5 s of 1080p at a jittery frame rate is summarized whole."""
    clip = make_clip(tmp_path / "phone.mp4", [Scene(1.5, 5)], fps=30, size=(1920, 1080), vfr_jitter=0.3)
    summary = summarize(clip, tmp_path / "o", speech="off")
    assert summary.segments and summary.duration == pytest.approx(summary.analysis.duration, abs=0.05)
    assert (tmp_path / "o" / "summary.mp4").stat().st_size > 1000


def test_the_selection_reports_the_budget_asked_and_given():
    selection = Summarizer(SummarizeOptions(ratio=0.01, speech="off", ocr=False)).select(
        Summarizer(SummarizeOptions(speech="off", ocr=False)).analyze(SCENES))
    assert selection.requested == pytest.approx(0.3804, abs=1e-3) and selection.budget == MIN_PIECE
    assert len(selection.segments) == 1 and selection.segments[0].duration >= 1.0


FLASHES = {  # scenes whose cuts leave shots under a second, at the start, the end or in between
    "end": [Scene(6, 1), Scene(5.5, 2), Scene(0.2, 3)],
    "start": [Scene(0.2, 1), Scene(6, 2), Scene(5.5, 3)],
    "between": [Scene(4, 1), Scene(0.7, 2), Scene(4, 3), Scene(0.7, 4), Scene(4, 5)],
}


@pytest.mark.parametrize("where", FLASHES)
def test_no_segment_is_shorter_than_a_second(tmp_path, where):
    """A shot under a second (a flash, the last frames after a cut) joins a neighbour rather than
    become a segment of its own: before, these gave segments of 0.16-0.76 s."""
    clip = make_clip(tmp_path / "flashes.mp4", FLASHES[where], tone_hz=None)
    for ratio in (0.15, 0.3, 0.5):
        summary = summarize(clip, None, ratio=ratio, speech="off")
        assert summary.segments and min(s.duration for s in summary.segments) >= 1.0, (ratio, summary.segments)
