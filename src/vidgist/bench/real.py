"""realbench: what users of a summarizer notice, measured on real footage (docs/REALBENCH.md).

    run_realbench(media, workdir)  scan the clips -> compose each task's video (compose.py) ->
                                   summarize it with each scorer through the product's own path ->
                                   the baselines at the same budget -> metrics against provenance
    format_table(result)           one markdown row per method, one column per metric

The metrics are small pure functions over [start, end) second intervals, so tests can check them
on hand-made truth. Their conventions:

- cuts: detections are matched one-to-one to the truth (Hungarian, scipy), a pair only within the
  truth's tolerance (hard 0.5 s; dissolve 1.0 s around its middle): the most pairs, then the least
  total distance. Recall per kind: matched truths of the kind / truths of the kind. Precision per
  kind: a matched detection belongs to its truth's kind, an unmatched one to the kind of the
  nearest truth; precision = matched / detections belonging to the kind.
- needles, coverage: an insert or a clip counts as shown with >= 1 s of it in the summary.
- redundancy (lower is better): the summary played in order, sampled every 20 ms; a sample is
  redundant when its (clip, source time in 0.5 s bins) was already shown >= 0.5 s of output
  earlier, that is, not in the same continuous showing.
- speech_cut_in_pause: audio in 20 ms frames; the speech level is the median of the frames above
  -50 dBFS; a pause is >= 150 ms below that level minus 10 dB; a segment start or end (other than
  the clip's own start and end) falls in a pause when it is within 50 ms of one. Pooled over
  the speech clips.

Baselines, at the budget of the first scorer's summary.json:

- uniform: round(budget / 2) segments of equal length (about 2 s) summing to the budget, each
  centred in one of as many equal parts of the video.
- random: vidgist's own shots (summary.json) in a random order, each taken whole while it fits,
  then the rest of the budget, if >= 1 s (vidgist's MIN_FILL), from the middle of the next shot
  in that order, so it spends the budget as the product does; metrics are means over 20 seeds.
- scenedetect: PySceneDetect AdaptiveDetector shots; each gets an equal share of the budget
  capped at its length, shortest first so what a short shot cannot use goes to longer ones;
  the middle of each is kept.
- cuts task only: PySceneDetect ContentDetector and AdaptiveDetector cut lists, default settings.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..models import list_scorers
from ..options import SummarizeOptions
from ..pipeline import Summarizer
from ..selection import merge
from ..selection.budget import MIN_FILL
from ..types import Interval
from .compose import (
    FPS,
    FRAME_S,
    HEIGHT,
    PLANS,
    SILENCE_DB,
    WIDTH,
    BenchSettings,
    Clip,
    Composition,
    NotEnoughMaterial,
    compose,
    find_clips,
    scenedetect_cuts,
)

if TYPE_CHECKING:
    from .query import QuerySettings
    from .scenes import SceneTask

TOLERANCE = {"hard": 0.5, "dissolve": 1.0}  # seconds around a hard cut, a dissolve's middle
SHOWN = 1.0  # seconds of an insert or a clip in the summary that count as shown
BIN = 0.5  # redundancy: source time resolution, seconds
STEP = 0.02  # redundancy: the summary is sampled this often
PAUSE_MIN, PAUSE_BELOW, PAUSE_SLACK = 0.15, 10.0, 0.05  # seconds, dB under the speech level, seconds
UNIFORM_SEGMENT = 2.0
RANDOM_SEEDS = 20
# the table's columns: (task, metric); redundancy and background_share are lower-is-better
HEADLINE = [("cuts", "cuts_f1_hard"), ("cuts", "cuts_f1_dissolve"), ("needles", "needle_recall"),
            ("needles", "background_share"), ("coverage", "coverage"), ("coverage", "redundancy"),
            ("repeats", "redundancy"), ("speech", "speech_cut_in_pause"), ("query", "query_recall"),
            ("query", "query_recall_unasked"), ("query", "query_text_hit")]
LOWER_IS_BETTER = ("background_share", "redundancy")
TASKS = (*PLANS, "speech", "query", "topics", "scenes")  # every task, in running order; query.py, topics.py, scenes.py
METHOD_ORDER = ("uniform", "random", "scenedetect", "scenedetect-content", "scenedetect-adaptive")  # baselines

Progress = Callable[[str], None]
Metrics = dict[str, float | None]


# -- metrics ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoundaryScore:
    precision: float
    recall: float
    f1: float
    matched: int
    detected: int  # detections that belong to this kind
    truth: int


def boundary_scores(detected: Sequence[float], truth: Sequence[tuple[float, str]],
                    tolerance: Mapping[str, float] = TOLERANCE) -> dict[str, BoundaryScore]:
    """Precision, recall and F1 per kind of truth boundary, matched one-to-one.

    detected: (D,) seconds; truth: [(seconds, kind)] with kind a key of tolerance. With no truth
    at all, every detection counts against every kind.
    """
    d = np.asarray(detected, float).reshape(-1)
    t = np.asarray([time for time, _ in truth], float)
    kinds = [kind for _, kind in truth]
    pairs = _match(d, t, np.asarray([tolerance[k] for k in kinds], float))
    owner = np.abs(d[:, None] - t[None, :]).argmin(axis=1) if len(t) else np.full(len(d), -1)
    for i, j in pairs:
        owner[i] = j
    scores = {}
    for kind in tolerance:
        n_truth = kinds.count(kind)
        matched = sum(kinds[j] == kind for _, j in pairs)
        n_detected = len(d) if not len(t) else sum(kinds[j] == kind for j in owner)
        precision = matched / n_detected if n_detected else 1.0
        recall = matched / n_truth if n_truth else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[kind] = BoundaryScore(precision, recall, f1, matched, n_detected, n_truth)
    return scores


def _match(d: np.ndarray, t: np.ndarray, tol: np.ndarray) -> list[tuple[int, int]]:
    """(detection, truth) index pairs: the most pairs within tolerance, then the least distance."""
    if not len(d) or not len(t):
        return []
    dist = np.abs(d[:, None] - t[None, :])
    allowed = dist <= tol[None, :] + 1e-9
    if not allowed.any():
        return []
    # a pair out of tolerance costs more than all allowed pairs together: the count comes first
    rows, cols = linear_sum_assignment(np.where(allowed, dist, dist[allowed].sum() + 1.0))
    return [(int(i), int(j)) for i, j in zip(rows, cols) if allowed[i, j]]


def cut_metrics(detected: Sequence[float], truth: Sequence[tuple[float, str]]) -> Metrics:
    scores = boundary_scores(detected, truth)
    out: Metrics = {}
    for kind, s in scores.items():
        out |= {f"cuts_f1_{kind}": s.f1, f"cuts_precision_{kind}": s.precision, f"cuts_recall_{kind}": s.recall}
    return out


def overlap(segments: Sequence[Interval], interval: Interval) -> float:
    """Seconds of the segments inside the interval (segments do not overlap each other)."""
    return sum(max(0.0, min(s.end, interval.end) - max(s.start, interval.start)) for s in segments)


def needle_recall(segments: Sequence[Interval], needles: Sequence[Interval], shown: float = SHOWN) -> float:
    """Share of the needles with at least `shown` seconds in the summary."""
    if not needles:
        raise ValueError("no needles to find")
    return sum(overlap(segments, n) >= shown - 1e-6 for n in needles) / len(needles)


def clip_seconds(segments: Sequence[Interval], comp: Composition) -> dict[int, float]:
    """Summary seconds per source clip of the composition (every clip in it, 0 if unseen)."""
    seconds = dict.fromkeys((s.clip for s in comp.spans), 0.0)
    for span in comp.spans:
        seconds[span.clip] += overlap(segments, span)
    return seconds


def coverage(segments: Sequence[Interval], comp: Composition, shown: float = SHOWN) -> float:
    """Share of the composition's clips with at least `shown` seconds in the summary."""
    seconds = clip_seconds(segments, comp)
    return sum(v >= shown - 1e-6 for v in seconds.values()) / len(seconds)


def background_share(segments: Sequence[Interval], comp: Composition) -> float | None:
    total = sum(s.duration for s in segments)
    return clip_seconds(segments, comp).get(comp.background, 0.0) / total if total else None


def redundancy(segments: Sequence[Interval], comp: Composition, bin_s: float = BIN,
               step: float = STEP) -> float | None:
    """Share of summary time showing source time already shown earlier in the summary."""
    times = np.concatenate([s.start + (np.arange(round(s.duration / step)) + 0.5) * step for s in segments] or [[]])
    if not len(times):
        return None
    return float(comp.shown_earlier(times, bin_s).mean())


def find_pauses(db: np.ndarray, frame: float = FRAME_S, min_pause: float = PAUSE_MIN,
                below: float = PAUSE_BELOW, silence: float = SILENCE_DB) -> list[Interval]:
    """Runs of `frame`-second audio frames quieter than the speech level - `below` dB, at least
    min_pause long. db: (n,) dBFS per frame; speech level: the median of frames above `silence`."""
    active = db > silence
    level = float(np.median(db[active])) if active.any() else silence
    quiet = np.concatenate([[0], (db < level - below).astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(quiet))  # starts and ends of quiet runs, alternating
    need = math.ceil(min_pause / frame - 1e-9)
    return [Interval(a * frame, b * frame) for a, b in zip(edges[::2], edges[1::2]) if b - a >= need]


def in_pause(times: Sequence[float], pauses: Sequence[Interval], slack: float = PAUSE_SLACK) -> int:
    """How many of the times fall in a pause, give or take `slack` seconds."""
    return sum(any(p.start - slack <= t <= p.end + slack for p in pauses) for t in times)


def segment_boundaries(segments: Sequence[Interval], duration: float, edge: float = 0.05) -> list[float]:
    """Every segment start and end, except those at the clip's own start and end."""
    return [t for s in segments for t in (s.start, s.end) if edge < t < duration - edge]


# -- baselines ----------------------------------------------------------------------------------


def uniform_segments(duration: float, budget: float, length: float = UNIFORM_SEGMENT) -> list[Interval]:
    n = max(1, round(budget / length))
    size, part = budget / n, duration / n
    return merge([Interval(max(0.0, (k + 0.5) * part - size / 2), min(duration, (k + 0.5) * part + size / 2))
                  for k in range(n)])


def random_segments(shots: Sequence[Interval], budget: float, rng: np.random.Generator) -> list[Interval]:
    order = rng.permutation(len(shots))
    picked, slack, rest = [], budget, []
    for i in order:
        if shots[i].duration <= slack + 1e-9:
            picked.append(shots[i])
            slack -= shots[i].duration
        else:
            rest.append(shots[i])
    if rest and slack >= MIN_FILL:
        picked.append(_middle(rest[0], slack))
    return merge(picked)


def shot_middles(shots: Sequence[Interval], budget: float) -> list[Interval]:
    picked, left = [], budget
    by_length = sorted(shots, key=lambda s: s.duration)
    for k, shot in enumerate(by_length):
        share = min(shot.duration, left / (len(by_length) - k))
        if share > 1e-3:
            picked.append(_middle(shot, share))
        left -= share
    return merge(picked)


def shots_from_cuts(cuts: Sequence[float], duration: float) -> list[Interval]:
    edges = [0.0, *sorted(c for c in cuts if 0 < c < duration), duration]
    return [Interval(a, b) for a, b in itertools.pairwise(edges) if b > a]


def _middle(shot: Interval, length: float) -> Interval:
    centre = (shot.start + shot.end) / 2
    return Interval(centre - length / 2, centre + length / 2)


# -- running ------------------------------------------------------------------------------------


@dataclass
class _Runner:
    """The product and PySceneDetect on benchmark videos, each run once per video."""

    workdir: Path
    scorers: Sequence[str]
    ratio: float
    seed: int
    say: Progress
    detected: dict[tuple[Path, str], list[float]] = field(default_factory=dict)

    def summaries(self, video: Path, outdir: Path, query: str | None = None) -> dict[str, dict]:
        """summary.json of each scorer, through the same path as `vidgist summarize`."""
        out = {}
        for scorer in self.scorers:
            self.say(f"{video.name}: summarize with {scorer}" + (f", query {query!r}" if query else ""))
            options = SummarizeOptions(scorer=scorer, ratio=self.ratio, video=False, storyboard=False, query=query,
                                       cache_dir=self.workdir / "cache")  # later scorers reuse the decode
            Summarizer(options).summarize(video, outdir / scorer)
            out[scorer] = json.loads((outdir / scorer / "summary.json").read_text())
        return out

    def scenedetect(self, video: Path, kind: str) -> list[float]:
        if (video, kind) not in self.detected:
            self.say(f"{video.name}: PySceneDetect {kind}")
            self.detected[video, kind] = scenedetect_cuts(video, kind)
        return self.detected[video, kind]

    def methods(self, video: Path, summaries: dict[str, dict]) -> dict[str, list[list[Interval]]]:
        """Each method's summaries: one per scorer and deterministic baseline, 20 for random."""
        runs = {name: [intervals(s["segments"])] for name, s in summaries.items()}
        first = summaries[self.scorers[0]]
        duration, budget, shots = first["source"]["duration"], first["budget"], intervals(first["shots"])
        runs["uniform"] = [uniform_segments(duration, budget)]
        runs["random"] = [random_segments(shots, budget, np.random.default_rng([self.seed, k]))
                          for k in range(RANDOM_SEEDS)]
        runs["scenedetect"] = [shot_middles(shots_from_cuts(self.scenedetect(video, "adaptive"), duration), budget)]
        return runs


def run_realbench(media: Path, workdir: Path, seed: int = 0, scorers: Sequence[str] = ("greedy",),
                  progress: Progress | None = None, *, settings: BenchSettings | None = None,
                  known_cuts: Mapping[str, Sequence[float]] | None = None, only: Sequence[str] | None = None,
                  query_settings: QuerySettings | None = None, scene_tasks: Sequence[SceneTask] | None = None,
                  topic_settings: QuerySettings | None = None) -> dict:
    """Compose the benchmark videos from any folder of videos, run each scorer through the real
    summarize path and every baseline, and return
    {"tasks": {task: {method: {metric: value}}}, "provenance": ..., "settings": ..., "notes": [...],
    "timings": {...}}. known_cuts: {file name: [seconds]} that excerpts must also avoid.
    only: the tasks to run (names in TASKS; default all; "scenes" runs every one of scene_tasks,
    default scenes.SCENE_TASKS; topic_settings: the topics task's, default topics.SETTINGS)."""
    # query.py and scenes.py build on this module's metrics: imported here, not at the top
    from .query import QuerySettings, run_query
    from .scenes import SCENE_TASKS, run_scenes
    from .topics import SETTINGS as TOPIC_SETTINGS
    from .topics import run_topics

    say = progress or (lambda message: None)
    settings = settings or BenchSettings()
    query_settings = query_settings or QuerySettings()
    unknown = [s for s in scorers if s not in list_scorers()]
    if not scorers or unknown:
        raise ValueError(f"unknown scorers {unknown}; choose from {', '.join(list_scorers())}")
    chosen = list(TASKS if only is None else only)
    if not chosen or set(chosen) - set(TASKS):
        raise ValueError(f"unknown tasks {sorted(set(chosen) - set(TASKS))}; choose from {', '.join(TASKS)}")
    workdir = Path(workdir)
    runner = _Runner(workdir, list(scorers), settings.ratio, seed, say)
    started = time.perf_counter()
    clips, notes = find_clips(Path(media), known_cuts, say)
    timings = {"scan": time.perf_counter() - started}
    tasks: dict[str, dict[str, Metrics]] = {}
    provenance: dict[str, dict] = {}
    for index, (name, plan_task) in enumerate(PLANS.items()):
        if name not in chosen:
            continue
        begin = time.perf_counter()
        try:
            plan = plan_task(clips, settings, np.random.default_rng([seed, index]))
        except NotEnoughMaterial as e:
            notes.append(f"{name}: skipped ({e})")
            continue
        say(f"composing {name}.mp4")
        comp = compose(plan, clips, workdir / "videos", seed)
        summaries = runner.summaries(comp.video, workdir / "summaries" / name)
        say(f"scoring {name}")
        tasks[name] = _evaluate(comp, summaries, runner)
        provenance[name] = _describe(comp, summaries[runner.scorers[0]])
        timings[name] = time.perf_counter() - begin
    begin = time.perf_counter()
    speakers = [c for c in clips if c.speech]
    if speakers and "speech" in chosen:
        tasks["speech"], provenance["speech"] = _speech(speakers, runner, workdir / "summaries" / "speech")
        timings["speech"] = time.perf_counter() - begin
    elif "speech" in chosen:
        notes.append("speech: skipped (no clip of 30 s or more with speech-like audio)")
    if "query" in chosen:
        begin = time.perf_counter()
        try:
            tasks["query"], provenance["query"] = run_query(clips, runner, workdir, seed, query_settings)
            timings["query"] = time.perf_counter() - begin
        except NotEnoughMaterial as e:
            notes.append(f"query: skipped ({e})")
    if "topics" in chosen:
        begin = time.perf_counter()
        try:
            tasks["topics"], provenance["topics"] = run_topics(clips, runner, workdir, seed,
                                                               topic_settings or TOPIC_SETTINGS)
            timings["topics"] = time.perf_counter() - begin
        except NotEnoughMaterial as e:
            notes.append(f"topics: skipped ({e})")
    for task in (scene_tasks or SCENE_TASKS) if "scenes" in chosen else ():
        begin = time.perf_counter()
        try:
            tasks[task.name], provenance[task.name] = run_scenes(clips, runner, workdir, seed, task)
            timings[task.name] = time.perf_counter() - begin
        except NotEnoughMaterial as e:
            notes.append(f"{task.name}: skipped ({e})")
    timings["total"] = time.perf_counter() - started
    return {"tasks": tasks, "provenance": provenance, "notes": notes,
            "settings": {"media": str(media), "seed": seed, "scorers": list(scorers), "ratio": settings.ratio,
                         "size": [WIDTH, HEIGHT], "fps": FPS, "tolerance": TOLERANCE, "random_seeds": RANDOM_SEEDS,
                         "compose": asdict(settings), "clips": [c.name for c in clips], "tasks": chosen,
                         "query": asdict(query_settings), "topics": asdict(topic_settings or TOPIC_SETTINGS),
                         "scenes": [asdict(t) | {"name": t.name} for t in (scene_tasks or SCENE_TASKS)]},
            "timings": {k: round(v, 1) for k, v in timings.items()}}


def _evaluate(comp: Composition, summaries: dict[str, dict], runner: _Runner) -> dict[str, Metrics]:
    if comp.name == "cuts":
        truth = comp.truth()
        detected = {name: s["cuts"] for name, s in summaries.items()}
        detected["scenedetect-content"] = runner.scenedetect(comp.video, "content")
        detected["scenedetect-adaptive"] = runner.scenedetect(comp.video, "adaptive")
        return {name: rounded(cut_metrics(cuts, truth)) for name, cuts in detected.items()}
    metrics: dict[str, Callable[[list[Interval]], Metrics]] = {
        "needles": lambda seg: {"needle_recall": needle_recall(seg, comp.needles()),
                                "background_share": background_share(seg, comp)},
        "coverage": lambda seg: {"coverage": coverage(seg, comp), "redundancy": redundancy(seg, comp)},
        "repeats": lambda seg: {"redundancy": redundancy(seg, comp)},
    }
    return _score(runner.methods(comp.video, summaries), metrics[comp.name])


def _speech(clips: Sequence[Clip], runner: _Runner, outdir: Path) -> tuple[dict[str, Metrics], dict]:
    """Each speech clip summarized as it is; boundaries in pauses, pooled over the clips."""
    per_clip = []
    for clip in clips:
        summaries = runner.summaries(clip.path, outdir / f"{clip.id}-{clip.path.stem}")
        duration = summaries[runner.scorers[0]]["source"]["duration"]
        per_clip.append((runner.methods(clip.path, summaries), find_pauses(clip.level_db), duration))
    results: dict[str, Metrics] = {}
    for name, runs in per_clip[0][0].items():
        shares = []
        for k in range(len(runs)):
            bounds = [(segment_boundaries(methods[name][k], duration), pauses)
                      for methods, pauses, duration in per_clip]
            total = sum(len(b) for b, _ in bounds)
            shares.append(sum(in_pause(b, p) for b, p in bounds) / total if total else None)
        results[name] = rounded({"speech_cut_in_pause": mean_known(shares)})
    paused = sum(p.duration for _, pauses, _ in per_clip for p in pauses)
    described = {"clips": [c.name for c in clips], "pauses": sum(len(p) for _, p, _ in per_clip),
                 "pause_time_share": round(paused / sum(d for _, _, d in per_clip), 4)}  # chance level, about
    return results, described


def _score(methods: dict[str, list[list[Interval]]],
           metric: Callable[[list[Interval]], Metrics]) -> dict[str, Metrics]:
    """Each method's metrics, the mean over its runs (random's seeds)."""
    out = {}
    for name, runs in methods.items():
        values = [metric(segments) for segments in runs]
        out[name] = rounded({key: mean_known([v[key] for v in values]) for key in values[0]})
    return out


def _describe(comp: Composition, summary: dict) -> dict:
    kinds = [j.kind for j in comp.junctions]
    return {"video": str(comp.video), "provenance": str(comp.video.with_suffix(".json")),
            "duration": comp.duration, "budget": summary["budget"],
            "clips": sorted({comp.clips[s.clip]["name"] for s in comp.spans}),
            "junctions": {"hard": kinds.count("hard"), "dissolve": kinds.count("dissolve")}}


def intervals(items: list[dict]) -> list[Interval]:
    return [Interval(s["start"], s["end"]) for s in items]


def mean_known(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None


def rounded(metrics: Metrics) -> Metrics:
    return {k: None if v is None else round(float(v), 4) for k, v in metrics.items()}


# -- the table ----------------------------------------------------------------------------------


def format_table(result: dict) -> str:
    """A markdown table: one row per method, one column per headline metric; then, when the
    scenes tasks ran, their table (scenes_table)."""
    tasks = result["tasks"]
    columns = [(task, metric) for task, metric in HEADLINE if task in tasks]
    names = [metric for _, metric in columns]
    header = [f"{metric} ({task})" if names.count(metric) > 1 else metric for task, metric in columns]
    lines = ["| method | " + " | ".join(header) + " |", "|---|" + "---:|" * len(columns)]
    for method in _methods(tasks):
        cells = [_cell(tasks[task].get(method, {}).get(metric)) for task, metric in columns]
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    lines.append(f"\nLower is better for {' and '.join(LOWER_IS_BETTER)}; higher for the rest. "
                 "'-': does not apply.")
    if "query" in tasks:
        lines.append("query_recall_unasked: the same passages in the summary made without the query, a reference.")
    more = [table for table in (topics_table(result), scenes_table(result)) if table]
    return "\n\n".join(["\n".join(lines), *more])


TOPIC_COLUMNS = ("sentences_shown", "segments", "topics_touched", "topics_per_segment", "chapter_recall", "chapters",
                 "storyboard_topics")


def topics_table(result: dict) -> str:
    """The topics task (topics.py): one row per method."""
    if "topics" not in result["tasks"]:
        return ""
    task = result["tasks"]["topics"]
    lines = ["| method | " + " | ".join(TOPIC_COLUMNS) + " |", "|---|" + "---:|" * len(TOPIC_COLUMNS)]
    for method in _methods({"topics": task}):
        lines.append(f"| {method} | " + " | ".join(_cell(task[method].get(c)) for c in TOPIC_COLUMNS) + " |")
    p = result["provenance"]["topics"]
    lines.append(f"\ntopics: {len(p['topics'])} narrated topics in {p['duration']:.0f} s, budget {p['budget']:.1f} s; "
                 "sentences_shown: the text summary's sentences the highlight shows whole; topics_per_segment: "
                 "topics touched (>= 1 s) / min(segments, topics); chapter_recall: topic changes with a chapter "
                 "start within 3 s; storyboard_topics: topics with a storyboard tile.")
    return "\n".join(lines)


def scenes_table(result: dict) -> str:
    """The scenes tasks: one row per method, its coverage on each task, then over all of them
    the mean redundancy, the shortest segment and the share of boundaries in pauses."""
    names = [t for t in result["tasks"] if t.startswith("scenes-")]
    if not names:
        return ""
    tasks = {t: result["tasks"][t] for t in names}
    lines = ["| method | " + " | ".join(names) + " | redundancy | shortest s | speech_cut_in_pause |",
             "|---|" + "---:|" * (len(names) + 3)]
    for method in _methods(tasks):
        rows = [tasks[t][method] for t in names if method in tasks[t]]
        shortest = [r["shortest"] for r in rows if r["shortest"] is not None]
        cells = [_cell(tasks[t].get(method, {}).get("coverage")) for t in names]
        cells += [_cell(mean_known([r["redundancy"] for r in rows])), f"{min(shortest):.2f}" if shortest else "-",
                  _cell(mean_known([r["speech_cut_in_pause"] for r in rows]))]
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    described = [f"{t}: {p['duration']:.0f} s, {p['scenes']} scenes, budget {p['budget']:.1f} s"
                 for t, p in ((t, result["provenance"][t]) for t in names)]
    lines.append("\ncoverage: scenes shown (>= 1 s) / the scenes the budget can give 1.5 s each; "
                 "redundancy: mean; shortest: the shortest segment of any task; speech_cut_in_pause: "
                 "boundaries in pauses of the narrated tasks' soundtracks, mean. " + "; ".join(described) + ".")
    return "\n".join(lines)


def _methods(tasks: dict[str, dict]) -> list[str]:
    """Every method in the tasks, scorers first, then the baselines in METHOD_ORDER."""
    methods: list[str] = []
    for by_method in tasks.values():
        methods += [m for m in by_method if m not in methods]
    return sorted(methods, key=lambda m: METHOD_ORDER.index(m) if m in METHOD_ORDER else -1)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
