"""realbench: metrics on hand-made truth, composition provenance on generated clips, and
(opt-in) the whole benchmark on ../shared/media."""

import itertools
import json
import math
from pathlib import Path

import av
import numpy as np
import pytest
from clips import make_audio_only, scene_picture, write_tone
from conftest import SHARED_MEDIA

from vidgist.bench.compose import (
    DISSOLVE_FRAMES,
    FPS,
    BenchSettings,
    Clip,
    Composition,
    Piece,
    Plan,
    compose,
    find_clips,
    frame_db,
    layout,
    letterbox,
    plan_coverage,
    plan_cuts,
    plan_needles,
    plan_repeats,
    speech_like,
)
from vidgist.bench.real import (
    background_share,
    boundary_scores,
    coverage,
    find_pauses,
    format_table,
    in_pause,
    needle_recall,
    random_segments,
    redundancy,
    run_realbench,
    segment_boundaries,
    shot_middles,
    uniform_segments,
)
from vidgist.bench.scenes import SceneTask
from vidgist.errors import InputError
from vidgist.types import Interval

I = Interval


# -- metrics on hand-made truth ---------------------------------------------------------------


def test_boundary_scores_split_by_kind_with_tolerance():
    truth = [(10.0, "hard"), (20.0, "hard"), (30.0, "dissolve"), (40.0, "dissolve")]
    # 10.3 matches; 10.4 is a duplicate (one-to-one: unmatched); 20.7 is out of the 0.5 s
    # tolerance; 30.9 is within the dissolve's 1.0 s; 41.2 is out of it
    scores = boundary_scores([10.3, 10.4, 20.7, 30.9, 41.2], truth)
    hard, dissolve = scores["hard"], scores["dissolve"]
    assert (hard.matched, hard.detected, hard.truth) == (1, 3, 2)
    assert hard.precision == pytest.approx(1 / 3) and hard.recall == 0.5 and hard.f1 == pytest.approx(0.4)
    assert (dissolve.matched, dissolve.detected, dissolve.truth) == (1, 2, 2)
    assert dissolve.f1 == pytest.approx(0.5)


def test_boundary_matching_is_one_to_one_and_maximal():
    # nearest-first matching would pair 1.45 with 1.7 and leave 2.15 and 1.0 unmatched
    scores = boundary_scores([1.45, 2.15], [(1.0, "hard"), (1.7, "hard")])
    assert scores["hard"].matched == 2 and scores["hard"].f1 == 1.0
    assert boundary_scores([], [(1.0, "hard")])["hard"].recall == 0.0
    assert boundary_scores([5.0], [])["hard"].precision == 0.0  # no truth: every detection is wrong


def test_needle_recall_needs_a_second_of_each_insert():
    needles = [I(10, 12), I(50, 53), I(80, 82)]
    summary = [I(11.2, 13), I(49, 51.5), I(81, 90)]  # 0.8 s, 1.5 s and exactly 1.0 s inside
    assert needle_recall(summary, needles) == pytest.approx(2 / 3)
    assert needle_recall([], needles) == 0.0


def fake_clip(clip_id: int, duration: float, boundaries=(), motion: float = 0.05) -> Clip:
    return Clip(clip_id, Path(f"clip{clip_id}.mp4"), duration, 0, True, tuple(boundaries), motion, False)


@pytest.fixture
def abab() -> Composition:
    """A[0,5) B[0,5) A[0,5) again, B[10,15): output 0-5 A, 5-10 B, 10-15 A (a repeat), 15-20 B."""
    clips = [fake_clip(0, 20), fake_clip(1, 20)]
    pieces = [Piece(0, 0.0, 5.0), Piece(1, 0.0, 5.0), Piece(0, 0.0, 5.0), Piece(1, 10.0, 5.0)]
    return layout(Plan("abab", pieces, background=0), clips, Path("abab.mp4"), seed=0)


def test_coverage_counts_clips_with_a_second_in_the_summary(abab):
    assert coverage([I(1, 3)], abab) == 0.5
    assert coverage([I(1, 3), I(6, 6.5)], abab) == 0.5  # half a second of B is not enough
    assert coverage([I(1, 3), I(16, 17)], abab) == 1.0


def test_redundancy_is_the_share_already_shown(abab):
    assert redundancy([I(0, 5)], abab) == 0.0  # one continuous showing is never redundant
    assert redundancy([I(1, 3), I(11, 12)], abab) == pytest.approx(1 / 3)  # A 1-2 s shown twice
    assert redundancy([I(1, 3), I(16, 17)], abab) == 0.0  # B 11-12 s is new
    # source time is compared in 0.5 s bins: 1.2-2.0 s falls in bins already shown
    assert redundancy([I(1, 3), I(11.2, 12)], abab) == pytest.approx(0.8 / 2.8)
    assert redundancy([], abab) is None


def test_background_share(abab):
    assert background_share([I(1, 3), I(6, 8)], abab) == pytest.approx(0.5)
    assert background_share([I(5, 10)], abab) == 0.0


def tone_with_gaps(rate: int = 16_000) -> np.ndarray:
    """4 s of a tone (-9 dBFS) with a 300 ms silent gap at 1.0 s, a 100 ms one at 2.0 s, a
    500 ms one at 3.0 s at -29 dBFS (quiet, not silent) and 200 ms at 3.6 s only 4 dB down."""
    t = np.arange(4 * rate) / rate
    amplitude = np.full(len(t), 0.5)
    for start, end, level in [(1.0, 1.3, 0.0), (2.0, 2.1, 0.0), (3.0, 3.5, 0.05), (3.6, 3.8, 0.3)]:
        amplitude[round(start * rate) : round(end * rate)] = level
    return (amplitude * np.sin(2 * np.pi * 441.3 * t)).astype(np.float32)


def test_pauses_are_long_quiet_runs_under_the_speech_level():
    pauses = find_pauses(frame_db(tone_with_gaps()))
    assert [(round(p.start, 2), round(p.end, 2)) for p in pauses] == [(1.0, 1.3), (3.0, 3.5)]
    assert in_pause([1.15, 1.34, 2.96], pauses) == 3  # inside, and within 50 ms of either end
    assert in_pause([1.4, 2.05, 3.7], pauses) == 0  # after, in the 100 ms gap, in the 4 dB dip


def test_segment_boundaries_leave_out_the_clip_ends():
    assert segment_boundaries([I(0, 2), I(5, 7), I(9, 10)], duration=10) == [2, 5, 7, 9]


def test_speech_like_wants_a_long_mostly_active_syllable_rhythm():
    rate = 16_000
    t = np.arange(40 * rate) / rate
    carrier = np.sin(2 * np.pi * 220.7 * t)
    syllables = (0.2 + 0.8 * (np.sin(2 * np.pi * 4.0 * t) > 0)) * carrier  # 4 Hz on/off loudness
    assert speech_like(syllables.astype(np.float32))
    assert not speech_like((0.5 * carrier).astype(np.float32))  # steady: no syllables
    assert not speech_like(syllables[: 20 * rate].astype(np.float32))  # too short


# -- baselines ------------------------------------------------------------------------------------


def total(segments) -> float:
    return sum(s.duration for s in segments)


def test_uniform_spreads_two_second_segments_over_the_video():
    segments = uniform_segments(100.0, 15.0)
    assert len(segments) == 8 and total(segments) == pytest.approx(15.0)
    starts = np.diff([s.start for s in segments])
    assert np.allclose(starts, 12.5)


def test_random_takes_whole_shots_then_fills_the_budget():
    shots = [I(k * 4.0, (k + 1) * 4.0) for k in range(25)]  # 100 s of 4 s shots
    for seed in range(5):
        segments = random_segments(shots, 15.0, np.random.default_rng(seed))
        assert total(segments) == pytest.approx(15.0)
        whole = [s for s in segments if s.duration % 4.0 == 0]
        assert total(whole) == pytest.approx(12.0)  # three shots whole, then 3 s of a fourth
    one, two = (random_segments(shots, 15.0, np.random.default_rng(seed)) for seed in (1, 2))
    assert one != two


def test_shot_middles_share_the_budget_short_shots_first():
    shots = [I(0, 1), I(1, 21), I(21, 61)]
    segments = shot_middles(shots, 9.0)
    assert total(segments) == pytest.approx(9.0)
    assert segments == [I(0, 1), I(9, 13), I(39, 43)]  # 1 s (all of it), then 4 s each, centred


# -- plans ----------------------------------------------------------------------------------------


def fake_clips() -> list[Clip]:
    return [fake_clip(0, 120, (30.0, 60.0), motion=0.04), fake_clip(1, 80, (), motion=0.005),
            fake_clip(2, 14, (7.0,)), fake_clip(3, 25, (10.0, 20.0), motion=0.002),
            fake_clip(4, 9, ()), fake_clip(5, 10, (2.0, 4.0, 6.0, 8.0))]


def test_cuts_plan_alternates_clips_in_cut_free_excerpts():
    clips = fake_clips()
    plan = plan_cuts(clips, BenchSettings(), np.random.default_rng(0))
    joins = [p.join for p in plan.pieces[1:]]
    assert len(plan.pieces) == 15 and joins.count("hard") == 7 and joins.count("dissolve") == 7
    assert all(a.clip != b.clip for a, b in itertools.pairwise(plan.pieces))
    for p in plan.pieces:
        windows = clips[p.clip].free_windows()
        assert any(w.start - 1e-6 <= p.start and p.start + p.seconds <= w.end + 1e-6 for w in windows)
    assert 5 not in {p.clip for p in plan.pieces}  # every stretch of clip 5 is within 1 s of a cut
    comp = layout(plan, clips, Path("cuts.mp4"), 0)
    assert comp.source_cuts == [] and len(comp.truth()) == 14
    assert np.all(np.diff([t for t, _ in comp.truth()]) >= 2.5)


def test_needles_plan_hides_short_inserts_in_the_stillest_long_clip():
    clips, settings = fake_clips(), BenchSettings()
    for seed in range(3):
        plan = plan_needles(clips, settings, np.random.default_rng(seed))
        comp = layout(plan, clips, Path("needles.mp4"), seed)
        assert plan.background == 1  # clip 3 is stiller, but shorter than 30 s
        assert comp.duration == 300.0
        needles = comp.needles()
        assert 4 <= len(needles) <= 6
        assert all(2.0 <= n.duration <= 4.0 for n in needles)
        assert all(b.start - a.end >= 10.0 for a, b in itertools.pairwise(needles))
        # the background's clock runs with the output's: source time = output time mod its loop
        times = np.arange(0.5, 300, 1.0)
        clip, source = comp.source_at(times)
        still = clip == 1
        period = math.floor((80 - 0.1) * FPS) / FPS
        assert np.allclose(source[still], times[still] % period)
    a, b = (plan_needles(clips, settings, np.random.default_rng(7)) for _ in range(2))
    assert a == b


def test_coverage_plan_gives_unequal_lengths_longest_to_longest_clips():
    clips = fake_clips()
    comp = layout(plan_coverage(clips, BenchSettings(), np.random.default_rng(0)), clips, Path("c.mp4"), 0)
    seconds = dict.fromkeys((c.id for c in clips), 0.0)
    for span in comp.spans:
        seconds[span.clip] += span.duration
    assert sorted(seconds.values()) == pytest.approx([10, 18, 32, 57, 101, 180])  # 10 s to 3 min, log-spaced
    assert [c for c, _ in sorted(seconds.items(), key=lambda kv: -kv[1])] == [0, 1, 3, 2, 5, 4]  # by clip length
    assert all(j.kind == "hard" for j in comp.junctions)


def test_repeats_plan_shows_one_excerpt_three_times_apart():
    clips = fake_clips()
    plan = plan_repeats(clips, BenchSettings(), np.random.default_rng(3))
    counts = {p: plan.pieces.count(p) for p in plan.pieces}
    copy = max(counts, key=counts.get)
    at = [k for k, p in enumerate(plan.pieces) if p == copy]
    assert counts[copy] == 3 and len(plan.pieces) == 7 and np.all(np.diff(at) >= 2)
    assert all(p.clip != copy.clip for p in plan.pieces if p != copy)


# -- composing real files -------------------------------------------------------------------------


def drifting_clip(path: Path, scenes: list[tuple[float, int]], size=(320, 180), fps: int = 25,
                  tone_hz: float | None = 440.0) -> Path:
    """Like clips.make_clip, but each (seconds, seed) scene drifts without wrapping around:
    make_clip's drift jumps back every 3.2 s, which PySceneDetect reports as a cut."""
    width, height = size
    seconds = sum(s for s, _ in scenes)
    pictures = [scene_picture(seed, width + int(20 * seconds) + 16, height) for _, seed in scenes]
    ends = np.cumsum([s for s, _ in scenes])
    with av.open(str(path), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio = out.add_stream("aac", rate=48_000, layout="stereo") if tone_hz else None
        for i in range(round(seconds * fps)):
            t = i / fps
            picture = pictures[int(np.searchsorted(ends, t, side="right"))]
            shift = int(t * 20)
            visible = np.ascontiguousarray(picture[:, shift : shift + width])
            frame = av.VideoFrame.from_ndarray(visible, format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame.reformat(format="yuv420p")))
        out.mux(video.encode(None))
        if audio:
            write_tone(out, audio, seconds, tone_hz)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Four generated clips of different shapes, one without audio, and an audio-only file."""
    media = tmp_path_factory.mktemp("media")
    drifting_clip(media / "a.mp4", [(7, 11)], size=(320, 180))
    drifting_clip(media / "b.mp4", [(7, 12)], size=(240, 180), tone_hz=None)  # 4:3, silent
    drifting_clip(media / "c.mp4", [(4, 13), (5, 14)], size=(320, 180), tone_hz=330.3)
    drifting_clip(media / "d.mp4", [(8, 15)], size=(320, 240), fps=30)
    make_audio_only(media / "voice.flac")
    return media


@pytest.fixture(scope="module")
def scanned(folder):
    return find_clips(folder)


def picture_at(path: Path, t: float) -> np.ndarray:
    """The frame a player shows at time t (the latest at or before it), letterboxed yuv420p."""
    shown = None
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            if shown is not None and frame.time > t + 1e-6:
                break
            shown = frame
    return letterbox(shown).astype(np.float32)


def audio_of(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=48_000)
        return np.concatenate([f.to_ndarray().ravel() for fr in c.decode(audio=0) for f in resampler.resample(fr)])


def luma_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a[:360].astype(np.float32) - b[:360]).mean())


def test_scan_skips_audio_only_files_and_sees_the_cut(scanned):
    clips, notes = scanned
    assert [c.name for c in clips] == ["a.mp4", "b.mp4", "c.mp4", "d.mp4"]
    assert any("voice.flac" in n and "audio-only" in n for n in notes)
    c = clips[2]
    assert c.boundaries and all(abs(b - 4.0) <= 0.2 for b in c.boundaries)
    assert not clips[0].boundaries and not clips[1].has_audio


def test_too_few_clips_is_a_clear_input_error(tmp_path, folder):
    for name in ("a.mp4", "b.mp4", "voice.flac"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    with pytest.raises(InputError, match="at least 4 video clips, found 2"):
        find_clips(tmp_path)


def test_composed_frames_come_from_the_recorded_source(scanned, tmp_path):
    clips, _ = scanned
    plan = Plan("t", [Piece(0, 1.0, 2.0), Piece(1, 0.5, 3.0, "hard"), Piece(3, 2.0, 3.0, "dissolve")])
    comp = compose(plan, clips, tmp_path, seed=0)
    assert [(j.time, j.kind) for j in comp.junctions] == [(2.0, "hard"), (4.5, "dissolve")]
    assert comp.duration == 7.0 and comp.spans[1].end == 4.0 + (DISSOLVE_FRAMES // 2) / FPS
    assert Composition.from_json(tmp_path / "t.json") == comp
    with av.open(str(comp.video)) as c:
        assert c.streams.video[0].frames == 7 * FPS
    paths = {c.id: c.path for c in clips}
    for t in [0.1, 1.0, 1.96, 2.0, 3.0, 3.96, 5.52, 6.96]:
        [clip], [source] = comp.source_at(np.asarray([t]))
        shown = picture_at(comp.video, t)
        right = luma_error(shown, picture_at(paths[clip], source))
        assert right < 3, (t, clip, right)  # the recorded clip at the recorded time, through x264
        assert luma_error(shown, picture_at(paths[clip], source + 0.5)) > 3 * right + 5  # the time matters
        for other in set(paths) - {clip}:  # (measured: 0.2-1.1 right, 10-16 half a second off, > 20 others)
            assert luma_error(shown, picture_at(paths[other], source)) > 12
    # frame 12 of the 25-frame dissolve (at 4.48 s) is half of each: b at 2.98 s, d at 2.48 s
    middle = 0.5 * picture_at(paths[1], 2.98) + 0.5 * picture_at(paths[3], 2.48)
    assert luma_error(picture_at(comp.video, 4.48), middle) < 3
    # letterboxed: the 4:3 clip has black bars, the 16:9 one fills the frame
    assert picture_at(comp.video, 3.0)[:360, :40].mean() < 20 and picture_at(comp.video, 1.0)[:360, :40].mean() > 40


def test_composed_audio_follows_the_pieces_with_silence_where_none(scanned, tmp_path):
    clips, _ = scanned
    plan = Plan("s", [Piece(0, 0.0, 2.0), Piece(1, 0.0, 2.0), Piece(2, 0.0, 2.0)])
    comp = compose(plan, clips, tmp_path, seed=0)
    pcm = audio_of(comp.video)
    assert abs(len(pcm) / 48_000 - 6.0) < 0.05
    inside = [(0.2, 1.8), (2.2, 3.8), (4.2, 5.8)]  # each piece, away from the joins
    rms = [float(np.sqrt(np.mean(pcm[round(a * 48_000) : round(b * 48_000)] ** 2))) for a, b in inside]
    assert rms[0] > 0.2 and rms[1] < 0.01 and rms[2] > 0.2  # tone, the silent clip, tone


def test_same_plan_same_bytes(scanned, tmp_path):
    clips, _ = scanned
    plan = plan_cuts(clips, BenchSettings(cut_pieces=4), np.random.default_rng(5))
    one = compose(plan, clips, tmp_path / "one", seed=5)
    two = compose(plan_cuts(clips, BenchSettings(cut_pieces=4), np.random.default_rng(5)), clips, tmp_path / "two", 5)
    assert one.video.read_bytes() == two.video.read_bytes()
    assert (tmp_path / "one" / "cuts.json").read_text() == (tmp_path / "two" / "cuts.json").read_text()


TINY = BenchSettings(cut_pieces=5, needle_seconds=40.0, needles=(4, 4), coverage_length=(5.0, 12.0),
                     repeat_others=2, repeat_length=(3.0, 4.0))


def test_run_realbench_on_generated_clips(folder, tmp_path):
    messages = []
    result = run_realbench(folder, tmp_path, seed=1, settings=TINY, progress=messages.append,
                           scene_tasks=[SceneTask(20, 3)])
    tasks = result["tasks"]
    assert set(tasks) == {"cuts", "needles", "coverage", "repeats", "scenes-20s-3"}
    assert any("speech: skipped" in n for n in result["notes"])  # a steady tone is no speech
    assert set(tasks["cuts"]) == {"greedy", "scenedetect-content", "scenedetect-adaptive"}
    for name in ("needles", "coverage", "repeats", "scenes-20s-3"):
        assert set(tasks[name]) == {"greedy", "uniform", "random", "scenedetect"}
    for by_method in tasks.values():
        for metrics in by_method.values():
            assert all(v is None or 0 <= v <= 1 for k, v in metrics.items() if k != "shortest")
    assert result["provenance"]["scenes-20s-3"]["scenes"] == 3
    # the generated scenes are clean: the product finds every join, hard and dissolve
    assert tasks["cuts"]["greedy"]["cuts_f1_hard"] == 1.0
    assert tasks["cuts"]["greedy"]["cuts_f1_dissolve"] == 1.0
    for name, described in result["provenance"].items():
        record = json.loads(Path(described["provenance"]).read_text())
        assert Path(described["video"]).exists() and record["name"] == name
    assert any(m.startswith("composing needles") for m in messages)
    table = format_table(result)
    assert table.splitlines()[0].startswith("| method | cuts_f1_hard | cuts_f1_dissolve | needle_recall")
    assert "| greedy | 1.000 | 1.000 |" in table
    assert "| method | scenes-20s-3 | redundancy | shortest s | speech_cut_in_pause |" in table


# -- the real clips (opt-in) ----------------------------------------------------------------------


@pytest.mark.shared
def test_realbench_on_shared_media(tmp_path):
    result = run_realbench(SHARED_MEDIA, tmp_path, seed=0)
    print(format_table(result))
    tasks = result["tasks"]
    expected = {"cuts": ("cuts_f1_hard", "cuts_f1_dissolve"), "needles": ("needle_recall", "background_share"),
                "coverage": ("coverage", "redundancy"), "repeats": ("redundancy",),
                "speech": ("speech_cut_in_pause",)}
    baselines = {"cuts": ("scenedetect-content", "scenedetect-adaptive")}
    for task, keys in expected.items():
        for method in ("greedy", *baselines.get(task, ("uniform", "random", "scenedetect"))):
            for key in keys:
                value = tasks[task][method][key]
                assert value is not None and 0 <= value <= 1, (task, method, key, value)
    for metric, task in (("needle_recall", "needles"), ("coverage", "coverage")):
        greedy = tasks[task]["greedy"][metric]
        assert greedy >= tasks[task]["uniform"][metric], (metric, tasks[task])
        assert greedy >= tasks[task]["random"][metric], (metric, tasks[task])
    # what holds: every insert, clip and dissolve found, boundaries in pauses, repeats shown once
    greedy = {task: by_method["greedy"] for task, by_method in tasks.items()}
    assert greedy["needles"]["needle_recall"] == 1.0 and greedy["coverage"]["coverage"] == 1.0
    assert greedy["cuts"]["cuts_f1_hard"] == 1.0 and greedy["cuts"]["cuts_f1_dissolve"] >= 0.95
    assert greedy["speech"]["speech_cut_in_pause"] >= 0.95 and greedy["repeats"]["redundancy"] <= 0.05
    # every scene the budget allows 1.5 s for, at every length and scene count, none shorter than 1 s
    scenes = [task for task in tasks if task.startswith("scenes-")]
    assert len(scenes) == 6
    for task in scenes:
        assert greedy[task]["coverage"] == 1.0, (task, result["provenance"][task]["shown_per_scene"])
        assert greedy[task]["shortest"] >= 1.0
        if task.endswith("narrated"):
            assert greedy[task]["speech_cut_in_pause"] >= 0.95


def test_cli_refuses_a_folder_without_enough_clips(tmp_path):
    from conftest import run_cli

    proc = run_cli("bench", "real", "--media", tmp_path, "--workdir", tmp_path / "work")
    assert proc.returncode == 3 and "at least 4 video clips" in proc.stderr
    assert "Traceback" not in proc.stderr
