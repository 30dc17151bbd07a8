"""realbench's scenes tasks: lengths, plans and metrics on hand-made truth; the whole task on
generated clips; (opt-in) every default task on ../shared/media."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from test_realbench import fake_clip

from vidgist.bench.compose import FPS, Clip, Composition, Piece, Plan, layout
from vidgist.bench.scenes import (
    EDIT_SLACK,
    LEAD,
    NARRATION,
    SCENE_TASKS,
    SHORTEST,
    SceneTask,
    compose_scenes,
    editor_cut,
    narrated_scenes,
    plan_scenes,
    scene_lengths,
    scene_metrics,
)
from vidgist.types import Interval

I = Interval


@pytest.mark.parametrize("total, count", [(30, 3), (45, 7), (90, 5), (1200, 12)])
def test_scene_lengths_run_geometrically_from_three_seconds(total, count):
    lengths = scene_lengths(total, count)
    assert len(lengths) == count and sum(lengths) == pytest.approx(total)
    assert lengths[0] == pytest.approx(SHORTEST)
    ratios = np.asarray(lengths[1:]) / np.asarray(lengths[:-1])
    assert np.allclose(ratios, ratios[0]) and ratios[0] > 1


def test_scene_lengths_are_equal_when_three_seconds_each_is_too_much():
    assert scene_lengths(10, 5) == [2.0] * 5


def test_task_names_say_length_scenes_and_sound():
    assert [t.name for t in SCENE_TASKS][:3] == ["scenes-30s-3", "scenes-45s-7", "scenes-90s-5-narrated"]
    assert SceneTask(1200, 12, narrated=True).name == "scenes-20m-12-narrated"


def test_plan_plays_each_clip_once_longest_lengths_to_longest_clips():
    clips = [fake_clip(0, 8.0), fake_clip(1, 400.0), fake_clip(2, 30.0), fake_clip(3, 12.0)]
    plan = plan_scenes(clips, SceneTask(90, 5), np.random.default_rng(0))  # 5 asked, 4 clips
    comp = layout(plan, clips, Path("s.mp4"), seed=0)
    runs = comp.clip_runs()
    order = [comp.spans[0].clip] + [s.clip for a, s in zip(comp.spans, comp.spans[1:]) if s.clip != a.clip]
    assert len(runs) == 4 and sorted(order) == [0, 1, 2, 3]  # one run per clip
    assert comp.duration == pytest.approx(90.0, abs=1 / FPS)
    seconds = {clip: run.duration for clip, run in zip(order, runs)}
    assert seconds[1] == max(seconds.values()) and seconds[0] == pytest.approx(SHORTEST, abs=1 / FPS)
    # the 8-s clip plays 3 s as an excerpt; the 30-s clip loops past its end only if it must
    assert all(p.start + p.seconds <= clips[p.clip].duration for p in plan.pieces)


@pytest.fixture
def three() -> Composition:
    """Clip 0 for 0-10 s, clip 1 for 10-13 s, clip 2 for 13-30 s."""
    clips = [fake_clip(0, 60), fake_clip(1, 60), fake_clip(2, 60)]
    pieces = [Piece(0, 0.0, 10.0), Piece(1, 5.0, 3.0), Piece(2, 0.0, 17.0)]
    return layout(Plan("three", pieces), clips, Path("three.mp4"), seed=0)


def test_coverage_counts_the_scenes_the_budget_can_give_a_piece(three):
    segments = [I(1, 3), I(20, 21.5)]
    m = scene_metrics(segments, three, budget=4.5)
    assert m["scenes_shown"] == pytest.approx(2 / 3) and m["coverage"] == pytest.approx(2 / 3)
    # 3 s of budget owes only two pieces of 1.5 s: two scenes shown is all of it
    assert scene_metrics(segments, three, budget=3.0)["coverage"] == 1.0
    assert scene_metrics(segments, three, budget=4.5)["shortest"] == 1.5
    assert scene_metrics([I(1, 3), I(10.5, 11.2), I(20, 22)], three, budget=4.5)["coverage"] == pytest.approx(2 / 3)


def test_boundaries_in_pauses_are_counted_for_narrated_tasks(three):
    pauses = [I(4.0, 4.6), I(20.9, 21.6)]
    m = scene_metrics([I(1, 4.3), I(20, 21.5)], three, budget=4.5, pauses=pauses)
    assert m["speech_cut_in_pause"] == pytest.approx(2 / 4)  # 4.3 and 21.5 in a pause; 1.0 and 20 not
    assert scene_metrics([I(1, 4.3)], three, budget=4.5)["speech_cut_in_pause"] is None  # not narrated


def test_own_audio_excerpts_are_cut_in_pauses_of_their_sound():
    rng = np.random.default_rng(0)
    level = np.full(500, -20.0)  # 10 s of sound in 20 ms frames, with pauses at 3-3.4 s and 7-7.5 s
    level[150:170], level[350:375] = -60.0, -60.0
    clip = fake_clip(0, 10.0)
    clip = Clip(**{**clip.__dict__, "level_db": level})
    for _ in range(20):
        start, seconds = editor_cut(clip, 4.0, rng)
        assert start in (0.0, 3.2) and start + seconds in (3.2, 7.25)  # pause middles, or the start
        assert abs(seconds - 4.0) <= EDIT_SLACK * 4.0
    assert editor_cut(clip, 1.0, rng) is None  # no two pauses a second apart: cut anywhere
    assert editor_cut(fake_clip(1, 10.0), 4.0, rng) is None  # no sound


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="needs espeak-ng")
def test_narration_stays_inside_the_narrated_scenes(tmp_path):
    from test_realbench import drifting_clip

    from vidgist.bench.compose import find_clips

    media = tmp_path / "media"
    media.mkdir()
    for k, seconds in enumerate((12, 9, 6, 7)):
        drifting_clip(media / f"{k}.mp4", [(seconds, 20 + k)], tone_hz=None)
    clips, _ = find_clips(media)
    made = compose_scenes(clips, SceneTask(40, 4, narrated=True), tmp_path / "v", seed=3)
    record = json.loads(made.video.with_suffix(".json").read_text())
    narrated = narrated_scenes(made.composition)
    assert made.sentences and record["sentences"] == [s.to_json() for s in made.sentences]
    for sentence in made.sentences:
        home = [s for s in narrated if s.start + LEAD - 1e-6 <= sentence.start and sentence.end <= s.end - LEAD + 1e-6]
        assert home and sentence.end <= home[0].start + LEAD + NARRATION
    assert len(narrated) >= 2
