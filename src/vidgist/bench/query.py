"""realbench task "query": does a query bring the matching part of a video into the summary?

The video: spoken passages on clearly distinct topics (cooking, football, weather, computers,
gardening, music; a few plain sentences each, spoken by espeak-ng, en-us at 160 words a minute)
laid over real footage, each passage over an excerpt of its own, separated by 15-25 s of other
footage in silence. The clips' own audio is dropped: the soundtrack is the speech alone, so a
passage is exactly where its samples were placed. A passage's footage starts PAD seconds before
its speech and ends PAD after it, and passages never share source footage with each other or
with the gaps. Deterministic from the seed (which topics, in which order, which footage, how
long each gap), given the same espeak-ng build; the passages' times and the soundtrack's sha256 are part of
the recorded provenance, so another build makes a new video rather than a wrong truth.

The truth: each passage's output [start, end) from its first to its last speech sample above
-50 dBFS (20 ms frames), and its topic's query, a short phrase that paraphrases the passage
rather than quoting it.

The runs: each scorer summarizes the video once without a query and once per topic with the
topic's query, at the realbench budget (15 %), through the product's own path. Metrics, means
over the topics (the video's passages):

- query_recall: the passage of the queried topic counts as recalled when at least RECALLED
  (50 %) of its speech time lies inside the summary's segments (summary.json `segments`,
  source time) of the run with that topic's query.
- query_recall_unasked: the same passages, in the one summary made without a query: how often
  the matching passage is shown without being asked for. A reference, not a goal.
- query_text_hit: the text summary (summary.json `summary_text`) of the run with the query
  holds a spoken sentence from the queried passage; a sentence is from a passage when at least
  half of its [start, end) lies inside the passage.
- query_text_hit_unasked: the same in the summary without a query.

Baselines (uniform, random over 20 seeds, scenedetect, as in real.py) ignore the query: their
query_recall is their query_recall_unasked, and they have no text summary (None).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import av
import numpy as np

from ..types import Interval
from .compose import (
    END_GUARD,
    FPS,
    OUT_RATE,
    SILENCE_DB,
    SPF,
    Clip,
    Composition,
    NotEnoughMaterial,
    Piece,
    Plan,
    Sink,
    excerpt,
    frame_db,
    frames,
    layout,
    piece_video,
)
from .real import Metrics, intervals, mean_known, overlap, rounded

TASK_INDEX = 4  # rng stream: default_rng([seed, TASK_INDEX]), after the four composed tasks of PLANS
VOICE, SPEED = "en-us", 160  # espeak-ng voice and words per minute
PEAK = 0.5  # the speech's peak amplitude (-6 dBFS)
PAD = 0.5  # seconds of the passage's footage before and after its speech
RECALLED = 0.5  # share of a passage's speech time that must be in the summary
TEXT_INSIDE = 0.5  # share of a summary sentence that must lie in a passage to be from it
MIN_PIECE = 2.0  # seconds: no gap piece shorter, except a gap shorter than this


@dataclass(frozen=True)
class Topic:
    name: str
    query: str  # what a user would type: a paraphrase, never a quote of the passage
    sentences: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic("cooking", "baking bread at home", (
        "To bake a simple loaf of bread, mix flour, water, salt and a little yeast in a large bowl.",
        "Knead the dough for ten minutes and let it rise until it doubles in size.",
        "Then bake it in a hot oven until the crust is golden brown.")),
    Topic("football", "soccer match result", (
        "The home team scored twice in the second half to win the match.",
        "Their striker curled a free kick past the goalkeeper into the top corner.",
        "The fans in the stadium sang until the referee blew the final whistle.")),
    Topic("weather", "forecast for the next days", (
        "Tomorrow will start cloudy, with light rain during the morning.",
        "In the afternoon the wind turns north and the temperature drops to eight degrees.",
        "Expect snow on the hills overnight.")),
    Topic("computers", "how a PC works inside", (
        ("A computer keeps the programs it is running in memory, while the processor executes "
         "millions of instructions every second."),
        "When the memory fills up, the operating system moves data to the disk, and everything slows down.")),
    Topic("gardening", "growing vegetables in the backyard", (
        "Plant tomato seedlings in spring, once the soil is warm, in a sunny corner of the garden.",
        "Water them deeply twice a week and tie the stems to wooden stakes.",
        "Pick the fruit when it turns red.")),
    Topic("music", "classical orchestra performance", (
        "The orchestra tuned their violins and cellos before the concert began.",
        "The conductor raised his baton, and the symphony opened with a slow melody on the piano.",
        "Then the trumpets and drums joined in.")),
)


@dataclass(frozen=True)
class QuerySettings:
    """The defaults make the task's 3-4 minute video; tests make it small."""

    topics: int = 6  # passages, one per topic (at most len(TOPICS))
    sentences: int = 3  # each passage speaks at most its topic's first this many sentences
    gap: tuple[float, float] = (15.0, 25.0)  # seconds of other footage before, between and after passages
    gap_piece: tuple[float, float] = (4.0, 8.0)  # a gap is cut from excerpts this long


@dataclass(frozen=True)
class Passage(Interval):
    """Output [start, end) of one topic's speech."""

    topic: str = ""
    query: str = ""
    text: str = ""

    def to_json(self) -> dict:
        return {"start": self.start, "end": self.end, "topic": self.topic, "query": self.query, "text": self.text}


@dataclass
class QueryVideo:
    composition: Composition
    passages: list[Passage]

    @property
    def video(self) -> Path:
        return self.composition.video


# -- metrics --------------------------------------------------------------------------------------


def passage_share(segments: Sequence[Interval], passage: Interval) -> float:
    """Share of the passage's time inside the summary's segments (which do not overlap)."""
    return overlap(segments, passage) / passage.duration


def recalled(segments: Sequence[Interval], passage: Interval, share: float = RECALLED) -> bool:
    return passage_share(segments, passage) >= share - 1e-6


def text_hit(sentences: Sequence[Interval], passage: Interval, inside: float = TEXT_INSIDE) -> bool:
    """Whether one of the sentences is from the passage: at least `inside` of its time lies in it
    (a sentence of no length: its start does)."""
    for s in sentences:
        if s.duration <= 0:
            if passage.start <= s.start < passage.end:
                return True
        elif overlap([passage], s) >= inside * s.duration - 1e-6:
            return True
    return False


def query_metrics(passages: Sequence[Passage], asked: Mapping[str, Sequence[Interval]],
                  unasked: Sequence[Interval], asked_text: Mapping[str, Sequence[Interval]] | None = None,
                  unasked_text: Sequence[Interval] | None = None) -> Metrics:
    """Means over the passages. asked: {topic: segments of the summary made with its query};
    unasked: segments of the summary without a query; the *_text arguments likewise for the
    text summary's sentences, None for a method without one."""
    if not passages:
        raise ValueError("no passages to recall")
    out: Metrics = {
        "query_recall": _share([recalled(asked[p.topic], p) for p in passages]),
        "query_recall_unasked": _share([recalled(unasked, p) for p in passages]),
        "query_text_hit": None,
        "query_text_hit_unasked": None,
    }
    if asked_text is not None:
        out["query_text_hit"] = _share([text_hit(asked_text[p.topic], p) for p in passages])
    if unasked_text is not None:
        out["query_text_hit_unasked"] = _share([text_hit(unasked_text, p) for p in passages])
    return out


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags)


def spoken_sentences(summary: dict) -> list[Interval]:
    """The text summary's spoken sentences (summary.json `summary_text`, source "speech")."""
    return intervals([s for s in summary["summary_text"] if s.get("source", "speech") == "speech"])


# -- speech -------------------------------------------------------------------------------------


def espeak_version() -> str:
    """espeak-ng's version line; NotEnoughMaterial when it is not installed or does not run."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise NotEnoughMaterial("espeak-ng is not installed")
    try:
        proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise NotEnoughMaterial(f"espeak-ng does not run: {e}") from None
    if proc.returncode != 0:
        raise NotEnoughMaterial(f"espeak-ng --version failed: {proc.stderr.strip()}")
    return proc.stdout.split("Data at:")[0].strip()  # not where this install keeps its data


def speak(text: str, workdir: Path) -> np.ndarray:
    """(n,) float32 mono speech at OUT_RATE, peak PEAK, its leading and trailing silence cut off
    at the first and last 20 ms frame above SILENCE_DB."""
    wav = workdir / "speech.wav"
    proc = subprocess.run(["espeak-ng", "-v", VOICE, "-s", str(SPEED), "-w", str(wav), text],
                          capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0 or not wav.exists():
        raise NotEnoughMaterial(f"espeak-ng failed: {proc.stderr.strip()}")
    resampler = av.AudioResampler(format="flt", layout="mono", rate=OUT_RATE)
    with av.open(str(wav)) as container:
        chunks = [f.to_ndarray().reshape(-1) for frame in container.decode(audio=0)
                  for f in resampler.resample(frame)]
    chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    pcm = np.concatenate(chunks).astype(np.float32)
    active = np.flatnonzero(frame_db(pcm, OUT_RATE) > SILENCE_DB)
    if not len(active):
        raise NotEnoughMaterial("espeak-ng produced silence")
    size = round(0.02 * OUT_RATE)  # frame_db's frames
    pcm = pcm[active[0] * size : (active[-1] + 1) * size]
    return pcm * np.float32(PEAK / np.abs(pcm).max())  # espeak-ng peaks near full scale: headroom for AAC


# -- the plan -------------------------------------------------------------------------------------


def choose_topics(settings: QuerySettings, rng: np.random.Generator,
                  topics: Sequence[Topic] = TOPICS) -> list[Topic]:
    """Which topics, in playing order."""
    n = min(settings.topics, len(topics))
    if n < 1 or settings.sentences < 1:
        raise ValueError("a narrated task needs at least one topic and one sentence")
    return [topics[int(i)] for i in rng.choice(len(topics), n, replace=False)]


def passage_text(topic: Topic, settings: QuerySettings) -> str:
    return " ".join(topic.sentences[: settings.sentences])


def plan_query(clips: Sequence[Clip], speech_frames: Sequence[int], settings: QuerySettings,
               rng: np.random.Generator, name: str = "query") -> tuple[Plan, list[int]]:
    """Gap, passage, gap, ..., passage, gap; returns the plan and each passage piece's index.

    Each passage gets one excerpt (PAD + speech + PAD) of a clip, passages spread over the clips
    that are long enough, no two on the same source footage. Gaps are excerpts settings.gap_piece
    long of footage no passage shows, never of the clip of the piece before or of the passage
    after (where another clip can give it)."""
    taken: dict[int, list[Interval]] = {c.id: [] for c in clips}
    used = dict.fromkeys(taken, 0)
    passages: list[Piece] = []
    for n_speech in speech_frames:
        n = n_speech + 2 * frames(PAD)
        fits = [c for c in clips if _longest(c, taken) >= n / FPS - 1e-6]
        if not fits:
            raise NotEnoughMaterial(f"no clip has {n / FPS:.1f} s of footage left for a passage")
        if passages:  # not the previous passage's clip, where there is a choice
            fits = [c for c in fits if c.id != passages[-1].clip] or fits
        clip = _least_used(fits, used, rng)
        piece = Piece(clip.id, excerpt(_free(clip, taken), n / FPS, rng), round(n / FPS, 6))
        taken[clip.id].append(Interval(piece.start, piece.start + piece.seconds))
        passages.append(piece)
    pieces: list[Piece] = []
    where: list[int] = []
    for k in range(len(passages) + 1):
        after = passages[k].clip if k < len(passages) else None
        pieces += _gap(clips, taken, used, frames(rng.uniform(*settings.gap)), pieces[-1].clip if pieces else None,
                       after, settings, rng)
        if k < len(passages):
            where.append(len(pieces))
            pieces.append(passages[k])
    return Plan(name, pieces), where


def _gap(clips: Sequence[Clip], taken: dict[int, list[Interval]], used: dict[int, int], total: int,
         before: int | None, after: int | None, settings: QuerySettings, rng: np.random.Generator) -> list[Piece]:
    pieces: list[Piece] = []
    left = total
    while left > 0:
        want = min(left, frames(rng.uniform(*settings.gap_piece)))
        if left - want < frames(MIN_PIECE):
            want = left
        previous = pieces[-1].clip if pieces else before
        others = [c for c in clips if c.id not in (previous, after)] or [c for c in clips if c.id != previous]
        fits = [c for c in others if _longest(c, taken) >= want / FPS - 1e-6]
        if not fits:  # take what the roomiest clip has, and go on with the next piece
            roomiest = max(others, key=lambda c: _longest(c, taken))
            want = min(want, math.floor(_longest(roomiest, taken) * FPS + 1e-6))
            if want < frames(MIN_PIECE) and want < left:
                raise NotEnoughMaterial("the clips have too little footage for the gaps")
            fits = [roomiest]
        clip = _least_used(fits, used, rng)
        pieces.append(Piece(clip.id, excerpt(_free(clip, taken), want / FPS, rng), round(want / FPS, 6)))
        left -= want
    return pieces


def _least_used(clips: Sequence[Clip], used: dict[int, int], rng: np.random.Generator) -> Clip:
    """A random one of the clips used least so far (and count it used): spreads the footage."""
    fewest = min(used[c.id] for c in clips)
    least = [c for c in clips if used[c.id] == fewest]
    clip = least[int(rng.integers(len(least)))]
    used[clip.id] += 1
    return clip


def _free(clip: Clip, taken: dict[int, list[Interval]]) -> list[Interval]:
    """The clip's usable time minus what passages took."""
    windows, at = [], 0.0
    for t in sorted(taken[clip.id], key=lambda iv: iv.start):
        if t.start > at:
            windows.append(Interval(at, t.start))
        at = max(at, t.end)
    end = clip.duration - END_GUARD
    if end > at:
        windows.append(Interval(at, end))
    return windows


def _longest(clip: Clip, taken: dict[int, list[Interval]]) -> float:
    return max((w.duration for w in _free(clip, taken)), default=0.0)


# -- the video ----------------------------------------------------------------------------------


def compose_query(clips: Sequence[Clip], outdir: Path, seed: int, settings: QuerySettings | None = None,
                  name: str = "query", pool: Sequence[Topic] = TOPICS, task_index: int = TASK_INDEX) -> QueryVideo:
    """Write NAME.mp4 and NAME.json (the composition's provenance plus the passages); reuse
    both when the provenance is unchanged. The passages' topics are drawn from `pool` with the
    rng stream [seed, task_index]."""
    settings = settings or QuerySettings()
    version = espeak_version()
    rng = np.random.default_rng([seed, task_index])
    topics = choose_topics(settings, rng, pool)
    with tempfile.TemporaryDirectory(prefix="vidgist-speech-") as tmp:
        speech = [speak(passage_text(t, settings), Path(tmp)) for t in topics]
    # whole output frames around each speech; the speech starts PAD into its piece
    plan, where = plan_query(clips, [math.ceil(len(s) / SPF) for s in speech], settings, rng, name)
    outdir.mkdir(parents=True, exist_ok=True)
    video, record = outdir / f"{name}.mp4", outdir / f"{name}.json"
    comp = layout(plan, clips, video, seed)
    soundtrack = np.zeros((frames(comp.duration) * SPF, 2), np.float32)
    passages = []
    for topic, pcm, k in zip(topics, speech, where):
        at = round((comp.spans[k].start + PAD) * OUT_RATE)
        soundtrack[at : at + len(pcm)] = pcm[:, None]
        passages.append(Passage(round(at / OUT_RATE, 6), round((at + len(pcm)) / OUT_RATE, 6),
                                topic.name, topic.query, passage_text(topic, settings)))
    wanted = comp.to_json() | {
        "audio": "the clips' own audio is replaced: spoken passages, digital silence elsewhere",
        "speech": {"engine": "espeak-ng", "version": version, "voice": VOICE, "speed": SPEED, "peak": PEAK,
                   "soundtrack_sha256": hashlib.sha256(soundtrack.tobytes()).hexdigest()},
        "settings": asdict(settings),
        "passages": [p.to_json() for p in passages],
    }
    if not (video.exists() and record.exists() and json.loads(record.read_text()) == json.loads(json.dumps(wanted))):
        record.unlink(missing_ok=True)  # the JSON marks a finished video: never beside a half-written one
        write_video(plan.pieces, clips, soundtrack, video)
        record.write_text(json.dumps(wanted, indent=1))
    return QueryVideo(comp, passages)


def write_video(pieces: Sequence[Piece], clips: Sequence[Clip], soundtrack: np.ndarray, path: Path) -> None:
    """The pieces' pictures joined hard, with `soundtrack` ((frames * SPF, 2) float32 at OUT_RATE)
    as the audio; compose.py's encoder settings. Written to a temporary name, then renamed."""
    part = path.with_name(path.stem + ".part" + path.suffix)
    with av.open(str(part), "w", format="mp4") as out:
        sink = Sink(out)
        for piece in pieces:
            for picture in piece_video(clips[piece.clip], piece.start, frames(piece.seconds)):
                sink.write(picture, soundtrack[sink.count * SPF : (sink.count + 1) * SPF])
        sink.close()
    os.replace(part, path)


# -- the task -------------------------------------------------------------------------------------


def run_query(clips: Sequence[Clip], runner, workdir: Path, seed: int,
              settings: QuerySettings | None = None) -> tuple[dict[str, Metrics], dict]:
    """Compose, summarize without and with each topic's query, score every method.
    runner: real.py's _Runner. Returns (metrics per method, provenance with per-topic numbers)."""
    settings = settings or QuerySettings()
    runner.say("composing query.mp4")
    made = compose_query(clips, workdir / "videos", seed, settings)
    outdir = workdir / "summaries" / "query"
    unasked = runner.summaries(made.video, outdir / "no-query")
    asked = {p.topic: runner.summaries(made.video, outdir / p.topic, query=p.query) for p in made.passages}
    runner.say("scoring query")
    passages = made.passages
    results: dict[str, Metrics] = {}
    per_topic: dict[str, dict] = {p.topic: {"query": p.query, "passage": [p.start, p.end], "methods": {}}
                                  for p in passages}
    for name, runs in runner.methods(made.video, unasked).items():
        if name in unasked:  # a scorer: one summary per query, with text
            segments = {p.topic: intervals(asked[p.topic][name]["segments"]) for p in passages}
            sentences = {p.topic: spoken_sentences(asked[p.topic][name]) for p in passages}
            plain, plain_text = runs[0], spoken_sentences(unasked[name])
            results[name] = rounded(query_metrics(passages, segments, plain, sentences, plain_text))
            for p in passages:
                per_topic[p.topic]["methods"][name] = {
                    "share": round(passage_share(segments[p.topic], p), 4),
                    "share_unasked": round(passage_share(plain, p), 4),
                    "text_hit": text_hit(sentences[p.topic], p), "text_hit_unasked": text_hit(plain_text, p)}
        else:  # a baseline: the query changes nothing
            values = [query_metrics(passages, {p.topic: seg for p in passages}, seg) for seg in runs]
            results[name] = rounded({key: mean_known([v[key] for v in values]) for key in values[0]})
            for p in passages:
                share = float(np.mean([passage_share(seg, p) for seg in runs]))
                per_topic[p.topic]["methods"][name] = {"share": round(share, 4)}
    first = unasked[runner.scorers[0]]
    described = {"video": str(made.video), "provenance": str(made.video.with_suffix(".json")),
                 "duration": made.composition.duration, "budget": first["budget"],
                 "clips": sorted({made.composition.clips[s.clip]["name"] for s in made.composition.spans}),
                 "recalled_share": RECALLED, "topics": per_topic}
    return results, described
