"""realbench tasks "scenes-*": does the summary show every distinct scene, whatever the length of
the video, the number of scenes and the budget?

Each task joins `count` clips of the folder, one scene each (footage of one clip is one scene,
two clips are two), hard cuts between them, in random order. The scenes' lengths run from
SHORTEST (3 s) up, spread geometrically so that they add up to the task's length; the longest
clips get the longest lengths (a clip shorter than its scene loops, a longer one gives an
excerpt). A folder with fewer clips than `count` gives a task of as many scenes as it has clips,
and the result says so. Two soundtracks:

- own audio: each clip's own sound (narration, music, silence), its excerpt cut as an editor
  cuts, in pauses of that sound (the benchmark's energy detector) where they allow an excerpt
  within EDIT_SLACK of the planned length, so the task measures the scenes, not words the
  composing chopped (speech cut by the footage is the narrated variant's and the speech task's);
- narrated: the clips' sound replaced by espeak-ng narration over the longest scene and every
  other scene in playing order (from 0.5 s into the scene, up to NARRATION seconds), silence
  elsewhere: what is said must not starve the scenes where nothing is said.

Metrics (summary.json `segments` against the provenance):

- scenes_shown: the share of scenes with >= 1 s in the summary;
- coverage: scenes shown / the scenes the budget can give a piece of PIECE (1.5 s) each,
  min(count, floor(budget / PIECE)), at most 1: every scene gets a piece whenever the budget
  allows about 1.5 s for each;
- redundancy, as in the coverage task;
- shortest: the shortest segment in seconds (a watchable summary has none under 1 s);
- speech_cut_in_pause (narrated only): the share of segment boundaries in a pause of the
  soundtrack, as in the speech task (real.py's energy detector).

Deterministic from the seed and the task's place in SCENE_TASKS, given the same espeak-ng build
(its version and the soundtrack's sha256 are in the provenance).
"""

from __future__ import annotations

import hashlib
import json
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..media.decode import decode_audio
from ..media.probe import probe
from ..types import Interval
from .compose import (
    END_GUARD,
    FPS,
    OUT_RATE,
    SPF,
    Clip,
    Composition,
    NotEnoughMaterial,
    Piece,
    Plan,
    compose,
    frame_db,
    frames,
    layout,
    loop_clip,
)
from .query import espeak_version, speak, write_video
from .real import (
    SHOWN,
    Metrics,
    clip_seconds,
    find_pauses,
    in_pause,
    mean_known,
    overlap,
    redundancy,
    rounded,
    segment_boundaries,
)

SHORTEST = 3.0  # seconds: the shortest scene
PIECE = 1.5  # seconds a scene needs in the budget to be owed a piece
LEAD = 0.5  # seconds into a narrated scene before the narration starts
NARRATION = 90.0  # seconds: the most narration in one scene
SENTENCE_GAP = (0.5, 1.0)  # seconds of silence between narrated sentences
EDIT_SLACK = 0.2  # an own-audio excerpt may be this share longer or shorter to end in a pause
FIRST_TASK_INDEX = 10  # rng streams: default_rng([seed, FIRST_TASK_INDEX + k]) for SCENE_TASKS[k]

# plain sentences on many subjects: a narrator describing what is on screen, read in turn
NARRATION_TEXT = (
    "The city wakes up slowly, and the first buses leave the depot before sunrise.",
    "In the mountains, the snow stays on the northern slopes until the end of May.",
    "The old harbour was rebuilt after the storm, with a longer wall against the waves.",
    "Farmers in the valley grow apples, pears and a few rows of grapes for wine.",
    "The museum keeps more than ten thousand coins, some of them two thousand years old.",
    "A good bicycle needs little more than air in the tyres and oil on the chain.",
    "Every spring the river floods the meadows, and the birds come back to nest.",
    "The library opens at nine, and the reading room fills up within the hour.",
    "Engineers tested the bridge with trucks full of sand before it opened to traffic.",
    "The market sells fish in the morning and flowers in the afternoon.",
    "Children learn to swim in the lake, where the water is shallow and warm.",
    "The train crosses three countries in a single day, stopping only in the capitals.",
    "Our team measured the temperature every hour for a whole year.",
    "The bakery on the corner has made the same rye bread for four generations.",
    "At night the lighthouse turns its lamp once every twelve seconds.",
    "The new school has solar panels on the roof and a garden behind the gym.",
    "Volunteers planted two thousand trees along the motorway last autumn.",
    "The orchestra rehearses twice a week in the hall above the fire station.",
    "Most visitors arrive by ferry, although a small airport opened last year.",
    "The factory closed in the nineties, and artists turned it into studios.",
    "Bees from the rooftop hives make honey from the lime trees in the park.",
    "The footpath follows the coast for forty kilometres, from cliff to cliff.",
    "On Sundays the main street is closed to cars and open to musicians.",
    "The observatory on the hill lets the public look at the moon on clear nights.",
)


@dataclass(frozen=True)
class SceneTask:
    seconds: float  # the video's length
    count: int  # scenes asked for; at most the folder's clips
    narrated: bool = False

    @property
    def name(self) -> str:
        length = f"{self.seconds / 60:g}m" if self.seconds >= 120 else f"{self.seconds:g}s"
        return f"scenes-{length}-{self.count}" + ("-narrated" if self.narrated else "")


# short and long, few and many scenes, 1 s to tens of seconds of budget a scene at 15 %
SCENE_TASKS = (SceneTask(30, 3), SceneTask(45, 7), SceneTask(90, 5, narrated=True), SceneTask(300, 8),
               SceneTask(300, 8, narrated=True), SceneTask(1200, 12, narrated=True))


# -- metrics --------------------------------------------------------------------------------------


def scene_metrics(segments: Sequence[Interval], comp: Composition, budget: float,
                  pauses: Sequence[Interval] | None = None) -> Metrics:
    """The task's metrics for one summary; pauses: the narrated soundtrack's, None without."""
    seconds = clip_seconds(segments, comp)
    shown = sum(v >= SHOWN - 1e-6 for v in seconds.values())
    owed = min(len(seconds), math.floor(budget / PIECE + 1e-9))
    out: Metrics = {
        "scenes_shown": shown / len(seconds),
        "coverage": min(1.0, shown / owed) if owed else None,
        "redundancy": redundancy(segments, comp),
        "shortest": min((s.duration for s in segments), default=None),
        "speech_cut_in_pause": None,
    }
    if pauses is not None:
        bounds = segment_boundaries(segments, comp.duration)
        out["speech_cut_in_pause"] = in_pause(bounds, pauses) / len(bounds) if bounds else None
    return out


def shown_per_scene(segments: Sequence[Interval], comp: Composition) -> list[float]:
    """Seconds of each scene in the summary, in playing order."""
    return [round(overlap(segments, span), 3) for span in comp.clip_runs()]


# -- the plan -------------------------------------------------------------------------------------


def scene_lengths(total: float, count: int, shortest: float = SHORTEST) -> list[float]:
    """`count` lengths from `shortest` up, in a geometric series adding up to `total` (all equal
    when `shortest` each is already too much)."""
    if count * shortest >= total:
        return [total / count] * count
    lo, hi = 1.0, 2.0
    while shortest * sum(hi**k for k in range(count)) < total:
        hi *= 2
    for _ in range(60):  # bisection on the ratio
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if shortest * sum(mid**k for k in range(count)) < total else (lo, mid)
    return [shortest * lo**k for k in range(count)]


def plan_scenes(clips: Sequence[Clip], task: SceneTask, rng: np.random.Generator) -> Plan:
    n = min(task.count, len(clips))
    chosen = [clips[i] for i in sorted(rng.choice(len(clips), n, replace=False))]
    lengths = [frames(s) for s in scene_lengths(task.seconds, n)]
    lengths[-1] += frames(task.seconds) - sum(lengths)  # whole frames adding up exactly
    by_length = sorted(chosen, key=lambda c: (-c.duration, c.id))
    target = {c.id: n_frames for c, n_frames in zip(by_length, sorted(lengths, reverse=True))}
    pieces: list[Piece] = []
    for i in rng.permutation(n):
        clip, n_frames = chosen[i], target[chosen[i].id]
        room = clip.duration - END_GUARD - n_frames / FPS
        if room < 0:  # a clip shorter than its scene loops
            pieces += loop_clip(clip, 0, n_frames)
            continue
        cut = None if task.narrated else editor_cut(clip, n_frames / FPS, rng)
        start, seconds = cut or (round(float(rng.uniform(0, room)), 3), n_frames / FPS)
        pieces.append(Piece(clip.id, start, round(frames(seconds) / FPS, 6)))
    return Plan(task.name, pieces)


def editor_cut(clip: Clip, seconds: float, rng: np.random.Generator) -> tuple[float, float] | None:
    """(start, seconds) of an excerpt within EDIT_SLACK of `seconds` long whose ends lie in
    pauses of the clip's sound (or at its start and end); None where its sound allows none
    (no sound, no pauses, or none at the right distance): then it is cut anywhere."""
    if clip.level_db is None:
        return None
    middles = [(p.start + p.end) / 2 for p in find_pauses(clip.level_db)]
    if not middles:
        return None
    end = clip.duration - END_GUARD
    options = [(a, b - a) for a in [0.0, *middles] for b in [*middles, end]
               if abs(b - a - seconds) <= EDIT_SLACK * seconds and 0.0 <= a < b <= end]
    return options[int(rng.integers(len(options)))] if options else None


def narrated_scenes(comp: Composition) -> list[Interval]:
    """The scenes that get narration: the longest, and every other one in playing order."""
    scenes = comp.clip_runs()
    longest = max(range(len(scenes)), key=lambda k: scenes[k].duration)
    return [s for k, s in enumerate(scenes) if k % 2 == 0 or k == longest]


def narration(comp: Composition, rng: np.random.Generator, workdir: Path) -> tuple[np.ndarray, list[Interval]]:
    """The soundtrack ((frames * SPF, 2) float32 at OUT_RATE) and each sentence's output span."""
    soundtrack = np.zeros((frames(comp.duration) * SPF, 2), np.float32)
    spoken: list[Interval] = []
    voice = {}  # text -> pcm: each sentence synthesised once
    turn = 0
    for scene in narrated_scenes(comp):
        at, end = scene.start + LEAD, min(scene.end - LEAD, scene.start + LEAD + NARRATION)
        while True:
            text = NARRATION_TEXT[turn % len(NARRATION_TEXT)]
            if text not in voice:
                voice[text] = speak(text, workdir)
            pcm = voice[text]
            if at + len(pcm) / OUT_RATE > end:
                break
            start = round(at * OUT_RATE)
            soundtrack[start : start + len(pcm)] = pcm[:, None]
            spoken.append(Interval(round(start / OUT_RATE, 6), round((start + len(pcm)) / OUT_RATE, 6)))
            at = (start + len(pcm)) / OUT_RATE + float(rng.uniform(*SENTENCE_GAP))
            turn += 1
    return soundtrack, spoken


# -- the video ------------------------------------------------------------------------------------


@dataclass
class SceneVideo:
    composition: Composition
    sentences: list[Interval] | None  # the narration's spans; None with the clips' own sound
    scenes: int  # the scenes it has (count, or the folder's clips if fewer)

    @property
    def video(self) -> Path:
        return self.composition.video


def compose_scenes(clips: Sequence[Clip], task: SceneTask, outdir: Path, seed: int) -> SceneVideo:
    """Write the task's video and provenance JSON; reuse both when the provenance is unchanged."""
    index = FIRST_TASK_INDEX + SCENE_TASKS.index(task) if task in SCENE_TASKS else FIRST_TASK_INDEX - 1
    rng = np.random.default_rng([seed, index])
    plan = plan_scenes(clips, task, rng)
    if not task.narrated:
        comp = compose(plan, clips, outdir, seed)
        return SceneVideo(comp, None, len(comp.clip_runs()))
    version = espeak_version()
    outdir.mkdir(parents=True, exist_ok=True)
    video, record = outdir / f"{plan.name}.mp4", outdir / f"{plan.name}.json"
    comp = layout(plan, clips, video, seed)
    with tempfile.TemporaryDirectory(prefix="vidgist-speech-") as tmp:
        soundtrack, sentences = narration(comp, rng, Path(tmp))
    wanted = comp.to_json() | {
        "audio": "the clips' own audio is replaced: narration over some scenes, digital silence elsewhere",
        "speech": {"engine": "espeak-ng", "version": version,
                   "soundtrack_sha256": hashlib.sha256(soundtrack.tobytes()).hexdigest()},
        "sentences": [s.to_json() for s in sentences],
    }
    if not (video.exists() and record.exists() and json.loads(record.read_text()) == json.loads(json.dumps(wanted))):
        record.unlink(missing_ok=True)  # the JSON marks a finished video: never beside a half-written one
        write_video(plan.pieces, clips, soundtrack, video)
        record.write_text(json.dumps(wanted, indent=1))
    return SceneVideo(comp, sentences, len(comp.clip_runs()))


# -- the task -------------------------------------------------------------------------------------


def run_scenes(clips: Sequence[Clip], runner, workdir: Path, seed: int,
               task: SceneTask) -> tuple[dict[str, Metrics], dict]:
    """Compose, summarize with each scorer, score every method. runner: real.py's _Runner."""
    if len(clips) < 2:
        raise NotEnoughMaterial("fewer than 2 clips")
    runner.say(f"composing {task.name}.mp4")
    made = compose_scenes(clips, task, workdir / "videos", seed)
    summaries = runner.summaries(made.video, workdir / "summaries" / task.name)
    budget = summaries[runner.scorers[0]]["budget"]
    runner.say(f"scoring {task.name}")
    pauses = find_pauses(frame_db(decode_audio(probe(made.video)))) if made.sentences else None
    results: dict[str, Metrics] = {}
    per_scene: dict[str, list[float]] = {}
    for name, runs in runner.methods(made.video, summaries).items():
        values = [scene_metrics(segments, made.composition, budget, pauses) for segments in runs]
        results[name] = rounded({key: mean_known([v[key] for v in values]) for key in values[0]})
        per_scene[name] = shown_per_scene(runs[0], made.composition)
    described = {"video": str(made.video), "provenance": str(made.video.with_suffix(".json")),
                 "duration": made.composition.duration, "budget": budget, "scenes": made.scenes,
                 "scenes_asked": task.count, "narrated": task.narrated,
                 "scene_seconds": [round(s.duration, 3) for s in made.composition.clip_runs()],
                 "shown_per_scene": per_scene}
    return results, described

