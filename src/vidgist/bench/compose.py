"""Realbench videos composed from any folder of clips, with exact provenance.

A benchmark video is a list of pieces, each (clip, source start, seconds, how it joins the one
before), laid out on a constant 25 fps timeline. Every output frame then has a known source:
the `spans` (output [start, end) -> clip, source time) are the ground truth, and the `junctions`
are the shot boundaries composing made. Both are saved as JSON next to the video.

Pictures: every clip is scaled to fit 640x360 with its aspect ratio kept and centred on black
(letterbox, as ffmpeg's scale+pad would), so no clip is distorted. Each output frame shows the
latest source frame at or before its time: the recorded source time is exact to within one
source frame. Audio: AAC 48 kHz stereo, silence where a clip has none. A cross-dissolve blends
pictures and audio linearly over 1 s; its provenance switches to the new clip at the middle,
which is also where the cuts task puts its ground truth.

The clips' own cuts. The folder can hold anything, so its clips' cuts are not known, and a
source cut inside an excerpt would be a boundary missing from the truth. So the cuts task only
takes excerpts in which no detector sees a boundary: vidgist's cut detector and PySceneDetect's
ContentDetector and AdaptiveDetector run on every source clip, and excerpts keep 1 s away from
the union of their boundaries (plus any known cuts the caller passes). Then the junctions are
the whole truth. Residual risk: a source boundary all three miss; it can only count against a
method that finds it in the composed video but not in the source. The price: excerpts avoid
whatever any detector fires on (fast pans, flashes), so the task under-samples the material
that causes false positives; it measures finding joins more than resisting motion.

Determinism: each task draws its plan from numpy's default_rng([seed, task index]), and the
encoder settings and thread count are fixed, so one seed gives the same videos (byte for byte,
with the same PyAV build) and the same truth. A video whose provenance JSON is unchanged is reused.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..errors import InputError
from ..media.decode import AUDIO_RATE, AudioSample, MediaReader, in_intervals, upright
from ..media.probe import probe
from ..shots import DiffCutDetector
from ..types import Interval

WIDTH, HEIGHT, FPS = 640, 360, 25
OUT_RATE = 48_000  # audio sample rate of the composed videos
SPF = OUT_RATE // FPS  # audio samples per video frame
DISSOLVE = 1.0  # seconds
DISSOLVE_FRAMES = round(DISSOLVE * FPS)
ENCODE = {"preset": "veryfast", "crf": "23"}
ENCODE_THREADS = 2  # x264's output depends on its thread count: pinned, so bytes repeat
CUT_FPS = 15.0  # the pipeline's default: the same cut detector settings as `summarize`
MARGIN = 1.0  # seconds an excerpt keeps from any boundary found in its source
END_GUARD = 0.1  # seconds at a clip's end never used: the last frame's length is a guess
MIN_CLIPS = 4
MIN_CLIP_SECONDS = 2.0
# speech-like audio, by plain energy (measured on ../shared/media: narration 0.43-0.50 of the
# envelope's modulation in 2-8 Hz, syllable rate; Big Buck Bunny's music 0.24)
SPEECH_MIN_SECONDS = 30.0
SPEECH_MIN_ACTIVE = 0.5
SPEECH_MIN_MODULATION = 0.35
SILENCE_DB = -50.0  # a 20 ms audio frame below this is silent (dBFS)
FRAME_S = 0.02  # audio energy frames


class NotEnoughMaterial(Exception):
    """The clips cannot make this task's video; the benchmark skips the task with this note."""


@dataclass(frozen=True)
class BenchSettings:
    """How long and how many: the defaults make the REALBENCH.md tasks; tests make them small."""

    cut_pieces: int = 15  # excerpts joined; junctions alternate kinds, half hard, half dissolve
    cut_seconds: tuple[float, float] = (3.0, 6.0)  # each excerpt, besides a dissolve's overlap
    needle_seconds: float = 300.0  # the looped background
    needles: tuple[int, int] = (4, 6)
    needle_length: tuple[float, float] = (2.0, 4.0)
    coverage_clips: tuple[int, int] = (5, 8)
    coverage_length: tuple[float, float] = (10.0, 180.0)  # shortest and longest clip
    repeat_others: int = 4  # other excerpts between the 3 copies
    repeat_length: tuple[float, float] = (5.0, 8.0)
    ratio: float = 0.15


@dataclass(frozen=True)
class Clip:
    """A usable source clip and what the scan learned about it."""

    id: int
    path: Path
    duration: float  # decoded seconds
    rotation: int
    has_audio: bool
    boundaries: tuple[float, ...]  # what any detector found, plus known cuts: seconds
    motion: float  # mean luma change between frames 0.2 s apart, 0..1
    speech: bool
    level_db: np.ndarray | None = field(default=None, repr=False, compare=False)  # 20 ms frames; None: no sound

    @property
    def name(self) -> str:
        return self.path.name

    def free_windows(self) -> list[Interval]:
        """Stretches at least MARGIN away from every boundary: no cut inside, by any detector."""
        edges = [b for b in self.boundaries if 0 < b < self.duration]
        starts = [0.0] + [b + MARGIN for b in edges]
        ends = [b - MARGIN for b in edges] + [self.duration - END_GUARD]
        return [Interval(a, b) for a, b in zip(starts, ends) if b > a]

    def longest_free(self) -> float:
        return max((w.duration for w in self.free_windows()), default=0.0)


@dataclass(frozen=True)
class Piece:
    clip: int
    start: float  # source seconds
    seconds: float  # a whole number of output frames
    join: str = "hard"  # how it joins the piece before: "hard" or "dissolve"


@dataclass(frozen=True)
class Span(Interval):
    """Output [start, end) shows `clip` from source time `source` on, at normal speed."""

    clip: int = 0
    source: float = 0.0


@dataclass(frozen=True)
class Junction:
    time: float  # hard: the first frame of the new piece; dissolve: its middle
    kind: str


@dataclass(frozen=True)
class Plan:
    name: str
    pieces: list[Piece]
    background: int | None = None  # needles: the looped clip


# -- the source clips ---------------------------------------------------------------------


def find_clips(media: Path, known_cuts: Mapping[str, Sequence[float]] | None = None,
               progress: Callable[[str], None] | None = None) -> tuple[list[Clip], list[str]]:
    """Every usable video clip in a folder, scanned; notes say which files were left out."""
    say = progress or (lambda message: None)
    if not media.is_dir():
        raise InputError(f"{media}: not a folder of videos")
    clips: list[Clip] = []
    notes: list[str] = []
    for path in sorted(p for p in media.iterdir() if p.is_file()):
        say(f"scanning {path.name}")
        try:
            clip = scan_clip(path, len(clips), (known_cuts or {}).get(path.name, ()))
        except (InputError, av.FFmpegError) as e:
            notes.append(f"skipped {path.name}: {str(e).removeprefix(f'{path}: ')}")
            continue
        if clip.duration < MIN_CLIP_SECONDS:
            notes.append(f"skipped {path.name}: only {clip.duration:.1f} s of video")
            continue
        clips.append(clip)
    if len(clips) < MIN_CLIPS:
        raise InputError(f"{media}: realbench needs at least {MIN_CLIPS} video clips, found {len(clips)}")
    return clips, notes


def scan_clip(path: Path, clip_id: int, known_cuts: Sequence[float] = ()) -> Clip:
    """One decode pass (vidgist's cut detector, motion, audio energy) plus PySceneDetect's cuts."""
    info = probe(path)
    if not info.has_video:
        raise InputError(f"{path}: no video stream (an audio-only file)")
    reader = MediaReader(info, sample_fps=1e-6, cut_fps=CUT_FPS)  # small frames only: no features
    detector, motion = DiffCutDetector(), _Motion()
    audio: list[AudioSample] = []
    for item in reader:
        if isinstance(item, AudioSample):
            audio.append(item)
        else:
            detector.push(item.time, item.small)
            motion.push(item.time, item.small)
    if reader.end <= 0:
        raise InputError(f"{path}: no video frame could be decoded")
    found = [*detector.cuts(), *scenedetect_cuts(path, "content"), *scenedetect_cuts(path, "adaptive"), *known_cuts]
    boundaries = sorted({round(float(b), 3) for b in found})
    pcm = _join_audio(audio)
    speech = speech_like(pcm)
    return Clip(clip_id, path, reader.end, info.rotation, info.has_audio, tuple(boundaries),
                motion.value, speech, frame_db(pcm) if len(pcm) else None)


class _Motion:
    """Mean absolute luma change between small frames STEP seconds apart, 0..1."""

    STEP = 0.2  # a fixed time step, so clips of different frame rates compare

    def __init__(self):
        self.last: np.ndarray | None = None
        self.last_time = -math.inf
        self.total, self.count = 0.0, 0

    def push(self, time: float, small: np.ndarray) -> None:
        if time - self.last_time < self.STEP - 1e-6:
            return
        luma = small[..., 0].astype(np.float32)
        if self.last is not None and self.last.shape == luma.shape:
            self.total += float(np.abs(luma - self.last).mean()) / 255
            self.count += 1
        self.last, self.last_time = luma, time

    @property
    def value(self) -> float:
        return self.total / self.count if self.count else 0.0


def _join_audio(samples: list[AudioSample]) -> np.ndarray:
    """(n,) float32 mono at AUDIO_RATE from time 0; samples follow each other without gaps."""
    if not samples:
        return np.zeros(0, np.float32)
    lead = np.zeros(round(samples[0].time * AUDIO_RATE), np.float32)
    return np.concatenate([lead, *(s.pcm for s in samples)])


def frame_db(pcm: np.ndarray, rate: int = AUDIO_RATE, frame: float = FRAME_S) -> np.ndarray:
    """(n,) dBFS RMS of consecutive `frame`-second frames; -120 for digital silence."""
    size = round(frame * rate)
    n = len(pcm) // size
    power = (pcm[: n * size].astype(np.float64).reshape(n, size) ** 2).mean(axis=1)
    return 10 * np.log10(np.maximum(power, 1e-12))


def speech_like(pcm: np.ndarray, rate: int = AUDIO_RATE) -> bool:
    """Long enough, mostly active, and its loudness pulses at syllable rate (2-8 Hz) as speech does."""
    if len(pcm) < SPEECH_MIN_SECONDS * rate:
        return False
    if (frame_db(pcm, rate) > SILENCE_DB).mean() < SPEECH_MIN_ACTIVE:
        return False
    return modulation_share(pcm, rate) >= SPEECH_MIN_MODULATION


def modulation_share(pcm: np.ndarray, rate: int = AUDIO_RATE) -> float:
    """Share of the 10 ms RMS envelope's fluctuation (0.25-25 Hz) that lies in 2-8 Hz."""
    size = rate // 100
    n = len(pcm) // size
    envelope = np.sqrt((pcm[: n * size].astype(np.float64).reshape(n, size) ** 2).mean(axis=1))
    power = np.abs(np.fft.rfft((envelope - envelope.mean()) * np.hanning(n))) ** 2
    hz = np.fft.rfftfreq(n, 1 / 100)
    total = power[(hz >= 0.25) & (hz <= 25)].sum()
    return float(power[(hz >= 2) & (hz <= 8)].sum() / total) if total > 0 else 0.0


def scenedetect_cuts(path: Path, kind: str) -> list[float]:
    """PySceneDetect's cuts with default settings, kind "content" or "adaptive", in seconds.

    OpenCV first (PySceneDetect's default); PyAV when OpenCV reads no frame of the file.
    """
    try:
        import scenedetect as sd
    except ImportError:
        raise ImportError("realbench needs PySceneDetect: pip install 'vidgist[bench]'") from None
    detector = {"content": sd.ContentDetector, "adaptive": sd.AdaptiveDetector}[kind]
    failures = []
    for backend in ("opencv", "pyav"):
        try:
            manager = sd.SceneManager()
            manager.add_detector(detector())
            if manager.detect_scenes(sd.open_video(str(path), backend=backend)) == 0:
                failures.append(f"{backend}: no frames")
                continue
        except (sd.VideoOpenFailure, av.FFmpegError, OSError) as e:
            failures.append(f"{backend}: {e}")
            continue
        return [round(float(start.seconds), 3) for start, _ in manager.get_scene_list()[1:]]
    raise InputError(f"{path}: PySceneDetect cannot read it ({'; '.join(failures)})")


# -- plans: which pieces make each task's video ------------------------------------------------


def frames(seconds: float) -> int:
    return round(seconds * FPS)


def _seconds(n_frames: int) -> float:
    return round(n_frames / FPS, 6)


def _fit(seconds: float, room: float) -> int:
    """Whole frames for `seconds`, never more than fit in `room` seconds."""
    return min(frames(seconds), math.floor(room * FPS + 1e-6))


def plan_cuts(clips: Sequence[Clip], s: BenchSettings, rng: np.random.Generator) -> Plan:
    """Cut-free excerpts of different clips in turn, joined half hard, half by 1 s dissolves."""
    lo, hi = s.cut_seconds
    usable = [c for c in clips if c.longest_free() >= lo + DISSOLVE]
    if len(usable) < 2:
        raise NotEnoughMaterial(f"fewer than 2 clips have {lo + DISSOLVE:.0f} s without a cut")
    n_joins = s.cut_pieces - 1
    joins = ["hard", *rng.permutation(["hard"] * math.ceil(n_joins / 2) + ["dissolve"] * (n_joins // 2))]
    used = dict.fromkeys((c.id for c in usable), 0)
    pieces: list[Piece] = []
    for i, join in enumerate(joins):
        overlap = DISSOLVE if i + 1 < len(joins) and joins[i + 1] == "dissolve" else 0.0
        previous = pieces[-1].clip if pieces else None
        candidates = [c for c in usable if c.id != previous]
        fewest = min(used[c.id] for c in candidates)  # spread the pieces over the clips
        least_used = [c for c in candidates if used[c.id] == fewest]
        clip = least_used[int(rng.integers(len(least_used)))]
        used[clip.id] += 1
        n = _fit(rng.uniform(lo, hi) + overlap, clip.longest_free())
        pieces.append(Piece(clip.id, excerpt(clip.free_windows(), n / FPS, rng), _seconds(n), str(join)))
    return Plan("cuts", pieces)


def plan_needles(clips: Sequence[Clip], s: BenchSettings, rng: np.random.Generator) -> Plan:
    """The most monotonous long clip looped, with short excerpts of the others cut in."""
    background = least_motion(clips)
    others = [clips[i] for i in rng.permutation(len(clips)) if clips[i].id != background.id]
    others.sort(key=lambda c: c.longest_free() < s.needle_length[1])  # one-shot inserts where they exist
    count = int(rng.integers(s.needles[0], s.needles[1] + 1))
    total = frames(s.needle_seconds)
    slot, margin = total // count, frames(5.0)  # one needle per slot, none at a slot's edge
    pieces: list[Piece] = []
    at = 0
    for k in range(count):
        clip = others[k % len(others)]
        length = _fit(rng.uniform(*s.needle_length), clip.duration - END_GUARD)
        where = int(rng.integers(k * slot + margin, max(k * slot + margin, (k + 1) * slot - margin - length) + 1))
        pieces += loop_clip(background, at, where - at)
        windows = clip.free_windows()
        if clip.longest_free() < length / FPS:  # no cut-free stretch that long: anywhere will do
            windows = [Interval(0, clip.duration - END_GUARD)]
        pieces.append(Piece(clip.id, excerpt(windows, length / FPS, rng), _seconds(length)))
        at = where + length
    pieces += loop_clip(background, at, total - at)
    return Plan("needles", pieces, background=background.id)


def least_motion(clips: Sequence[Clip]) -> Clip:
    """The stillest clip among those of 30 s or more (else the longer half): the needles' haystack."""
    long = [c for c in clips if c.duration >= 30.0]
    if not long:
        long = sorted(clips, key=lambda c: -c.duration)[: max(1, len(clips) // 2)]
    return min(long, key=lambda c: (c.motion, c.id))


def plan_coverage(clips: Sequence[Clip], s: BenchSettings, rng: np.random.Generator) -> Plan:
    """Up to 8 clips (all, if fewer) at lengths spread evenly on a log scale from 10 s to 3 min,
    in random order. The longest clips get the longest lengths, so as little as possible loops."""
    n = min(len(clips), s.coverage_clips[1])
    chosen = [clips[i] for i in sorted(rng.choice(len(clips), n, replace=False))]
    lengths = np.geomspace(*s.coverage_length, n).round()
    by_length = sorted(chosen, key=lambda c: (-c.duration, c.id))
    target = {c.id: frames(length) for c, length in zip(by_length, lengths[::-1])}
    pieces: list[Piece] = []
    for i in rng.permutation(n):
        pieces += loop_clip(chosen[i], 0, target[chosen[i].id])
    return Plan("coverage", pieces)


def plan_repeats(clips: Sequence[Clip], s: BenchSettings, rng: np.random.Generator) -> Plan:
    """One excerpt three times (exact copies), never twice in a row, among excerpts of other clips."""
    order = rng.permutation(len(clips))
    repeated, rest = clips[order[0]], [clips[i] for i in order[1:]]
    others = [rest[k % len(rest)] for k in range(s.repeat_others)]
    slots = s.repeat_others + 3
    layouts = [p for p in itertools.combinations(range(slots), 3) if all(b - a > 1 for a, b in itertools.pairwise(p))]
    copies = layouts[int(rng.integers(len(layouts)))]
    copy = _random_excerpt(repeated, s.repeat_length, rng)
    pieces = [copy if k in copies else _random_excerpt(others.pop(0), s.repeat_length, rng) for k in range(slots)]
    return Plan("repeats", pieces)


PLANS: dict[str, Callable[[Sequence[Clip], BenchSettings, np.random.Generator], Plan]] = {
    "cuts": plan_cuts, "needles": plan_needles, "coverage": plan_coverage, "repeats": plan_repeats,
}


def _random_excerpt(clip: Clip, length: tuple[float, float], rng: np.random.Generator) -> Piece:
    n = _fit(rng.uniform(*length), clip.duration - END_GUARD)
    return Piece(clip.id, excerpt([Interval(0, clip.duration - END_GUARD)], n / FPS, rng), _seconds(n))


def excerpt(windows: Sequence[Interval], seconds: float, rng: np.random.Generator) -> float:
    """A random start for `seconds` inside one of the windows, longer windows more likely."""
    fits = [w for w in windows if w.duration >= seconds - 1e-6]
    if not fits:
        raise NotEnoughMaterial(f"no {seconds:.1f} s excerpt fits")
    room = np.asarray([w.duration - seconds for w in fits]) + 1e-3
    window = fits[int(rng.choice(len(fits), p=room / room.sum()))]
    return round(float(rng.uniform(window.start, max(window.start, window.end - seconds))), 3)


def loop_clip(clip: Clip, at: int, n: int) -> list[Piece]:
    """n frames of the clip looped, its clock running with the output's from output frame `at`."""
    period = math.floor((clip.duration - END_GUARD) * FPS)
    pieces = []
    while n > 0:
        offset = at % period
        take = min(n, period - offset)
        pieces.append(Piece(clip.id, round(offset / FPS, 6), _seconds(take)))
        at, n = at + take, n - take
    return pieces


# -- layout and provenance ---------------------------------------------------------------------


@dataclass
class Composition:
    """A composed video and its ground truth (the JSON written beside it)."""

    name: str
    video: Path
    seed: int
    clips: list[dict]  # id, name, path, duration, has_audio
    pieces: list[Piece]
    spans: list[Span]
    junctions: list[Junction]
    source_cuts: list[float]  # output times of boundaries found inside the sources (not truth)
    duration: float
    background: int | None = None

    def source_at(self, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(clip ids, source seconds) shown at output times."""
        starts = np.asarray([s.start for s in self.spans])
        k = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(self.spans) - 1)
        clip = np.asarray([s.clip for s in self.spans])[k]
        source = np.asarray([s.source for s in self.spans])[k] + (times - starts[k])
        return clip, source

    def shown_earlier(self, times: np.ndarray, bin_s: float) -> np.ndarray:
        """(T,) bool for output times in playing order: the same source moment (clip, source time
        in bin_s bins) already came at least bin_s earlier among `times`, that is, in an earlier
        showing rather than the same continuous one."""
        clip, source = self.source_at(times)
        bins = np.floor(source / bin_s + 1e-9).astype(int)
        first: dict[tuple[int, int], float] = {}
        return np.asarray([t - first.setdefault(key, t) >= bin_s - 1e-9
                           for t, key in zip(times.tolist(), zip(clip.tolist(), bins.tolist()))], dtype=bool)

    def clip_runs(self) -> list[Interval]:
        """Output intervals where one clip plays on (its consecutive spans joined), in order."""
        runs: list[Interval] = []
        for k, s in enumerate(self.spans):
            if k and s.clip == self.spans[k - 1].clip:
                runs[-1] = Interval(runs[-1].start, s.end)
            else:
                runs.append(Interval(s.start, s.end))
        return runs

    def needles(self) -> list[Interval]:
        """Output intervals of everything that is not the background (needles task)."""
        return [Interval(s.start, s.end) for s in self.spans if s.clip != self.background]

    def truth(self) -> list[tuple[float, str]]:
        return [(j.time, j.kind) for j in self.junctions]

    def to_json(self) -> dict:
        return {
            "schema": "vidgist.realbench.composition/1",
            "name": self.name,
            "video": self.video.name,
            "seed": self.seed,
            "fps": FPS,
            "size": [WIDTH, HEIGHT],
            "scaling": "letterbox",
            "encode": {"video": {"codec": "libx264", **ENCODE}, "audio": {"codec": "aac", "rate": OUT_RATE}},
            "duration": self.duration,
            "clips": self.clips,
            "background": self.background,
            "pieces": [asdict(p) for p in self.pieces],
            "spans": [{"start": s.start, "end": s.end, "clip": s.clip, "source": s.source} for s in self.spans],
            "per_second": self._per_second(),  # the spans again, read off at every whole second
            "junctions": [asdict(j) for j in self.junctions],
            "source_cuts": self.source_cuts,
        }

    def _per_second(self) -> list[list]:
        """[clip id, source seconds] at output times 0, 1, 2, ..."""
        clip, source = self.source_at(np.arange(math.ceil(self.duration), dtype=float))
        return [[int(c), round(float(t), 3)] for c, t in zip(clip, source)]

    @classmethod
    def from_json(cls, path: Path) -> Composition:
        d = json.loads(Path(path).read_text())
        return cls(d["name"], Path(path).with_name(d["video"]), d["seed"], d["clips"],
                   [Piece(**p) for p in d["pieces"]], [Span(**s) for s in d["spans"]],
                   [Junction(**j) for j in d["junctions"]], d["source_cuts"], d["duration"], d["background"])


def layout(plan: Plan, clips: Sequence[Clip], video: Path, seed: int) -> Composition:
    """Output times of every piece: spans, junctions and the sources' own boundaries."""
    spans: list[Span] = []
    junctions: list[Junction] = []
    at = 0  # output frame where the next piece starts
    for i, piece in enumerate(plan.pieces):
        n = frames(piece.seconds)
        start = at
        if i and piece.join == "dissolve":
            at -= DISSOLVE_FRAMES
            start = at + DISSOLVE_FRAMES // 2  # the new clip outweighs the old from here on
            junctions.append(Junction(round((at + DISSOLVE_FRAMES / 2) / FPS, 6), "dissolve"))
            last = spans[-1]
            spans[-1] = Span(last.start, _seconds(start), last.clip, last.source)
        elif i:
            junctions.append(Junction(_seconds(at), "hard"))
        spans.append(Span(_seconds(start), _seconds(at + n), piece.clip, round(piece.start + (start - at) / FPS, 6)))
        at += n
    source_cuts = sorted(round(s.start + b - s.source, 6) for s in spans for b in clips[s.clip].boundaries
                         if s.source < b < s.source + s.duration)
    described = [{"id": c.id, "name": c.name, "path": str(c.path), "duration": round(c.duration, 3),
                  "has_audio": c.has_audio} for c in clips]
    return Composition(plan.name, video, seed, described, plan.pieces, spans, junctions, source_cuts,
                       _seconds(at), plan.background)


def compose(plan: Plan, clips: Sequence[Clip], outdir: Path, seed: int) -> Composition:
    """Write plan.name.mp4 and its provenance JSON; reuse both when the provenance is unchanged."""
    outdir.mkdir(parents=True, exist_ok=True)
    video, record = outdir / f"{plan.name}.mp4", outdir / f"{plan.name}.json"
    composition = layout(plan, clips, video, seed)
    wanted = composition.to_json()
    if video.exists() and record.exists() and json.loads(record.read_text()) == json.loads(json.dumps(wanted)):
        return composition
    record.unlink(missing_ok=True)  # the JSON marks a finished video: never beside a half-written one
    write_video(plan.pieces, clips, video)
    record.write_text(json.dumps(wanted, indent=1))
    return composition


# -- encoding -----------------------------------------------------------------------------------


def write_video(pieces: Sequence[Piece], clips: Sequence[Clip], path: Path) -> None:
    """Encode the pieces in order: H.264 + AAC, each dissolve blending the last second of one
    piece with the first of the next. Written to a temporary name, then renamed."""
    part = path.with_name(path.stem + ".part" + path.suffix)
    with av.open(str(part), "w", format="mp4") as out:
        sink = Sink(out)
        held: list[tuple[np.ndarray, np.ndarray]] = []  # the last second of the previous piece
        for i, piece in enumerate(pieces):
            fades_out = i + 1 < len(pieces) and pieces[i + 1].join == "dissolve"
            clip, n = clips[piece.clip], frames(piece.seconds)
            pcm = _piece_audio(clip, piece.start, n)
            keep = []
            for k, picture in enumerate(piece_video(clip, piece.start, n)):
                sound = pcm[k * SPF : (k + 1) * SPF]
                if k < len(held):
                    picture, sound = _blend(held[k], picture, sound, k)
                if fades_out and k >= n - DISSOLVE_FRAMES:
                    keep.append((picture, sound))
                else:
                    sink.write(picture, sound)
            held = keep
        sink.close()
    os.replace(part, path)


def _blend(old: tuple[np.ndarray, np.ndarray], picture: np.ndarray, sound: np.ndarray,
           k: int) -> tuple[np.ndarray, np.ndarray]:
    """Frame k of a dissolve: the new piece weighs (k + 0.5) / DISSOLVE_FRAMES, 0.5 at the middle."""
    a = (k + 0.5) / DISSOLVE_FRAMES
    mixed = (a * picture + (1 - a) * old[0].astype(np.float32)).round().astype(np.uint8)
    ramp = ((k * SPF + np.arange(SPF) + 0.5) / (DISSOLVE_FRAMES * SPF))[:, None]
    return mixed, (ramp * sound + (1 - ramp) * old[1]).astype(np.float32)


class Sink:
    """The encoder pair; one video frame and its 1/FPS of audio at a time, interleaved."""

    def __init__(self, out):
        self.out = out
        self.video = out.add_stream("libx264", rate=FPS)
        self.video.width, self.video.height, self.video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        self.video.codec_context.options = dict(ENCODE)
        self.video.codec_context.thread_count = ENCODE_THREADS
        self.audio = out.add_stream("aac", rate=OUT_RATE, layout="stereo")
        self.count = 0

    def write(self, picture: np.ndarray, sound: np.ndarray) -> None:
        frame = av.VideoFrame.from_ndarray(picture, format="yuv420p")
        frame.pts, frame.time_base = self.count, Fraction(1, FPS)
        self.out.mux(self.video.encode(frame))
        chunk = av.AudioFrame.from_ndarray(np.ascontiguousarray(sound).reshape(1, -1), format="flt", layout="stereo")
        chunk.sample_rate, chunk.pts, chunk.time_base = OUT_RATE, self.count * SPF, Fraction(1, OUT_RATE)
        self.out.mux(self.audio.encode(chunk))
        self.count += 1

    def close(self) -> None:
        self.out.mux(self.video.encode(None))
        self.out.mux(self.audio.encode(None))


def piece_video(clip: Clip, start: float, n: int) -> Iterator[np.ndarray]:
    """n letterboxed yuv420p frames at FPS from source time `start`: each the latest source
    frame at or before its time (the first source frame for times before it)."""
    k = 0
    shown: np.ndarray | None = None
    for _, t, frame in in_intervals(clip.path, "video", [Interval(start, start + n / FPS)]):
        while shown is not None and k < n and start + k / FPS < t - 1e-6:
            yield shown
            k += 1
        if k >= n:
            break
        shown = letterbox(frame, clip.rotation)
    if shown is None:  # nothing decodable there: black, rather than a shorter video
        shown = _canvas()
    for _ in range(k, n):
        yield shown


def _piece_audio(clip: Clip, start: float, n: int) -> np.ndarray:
    """(n * SPF, 2) float32 stereo at OUT_RATE from source time `start`; silence where none."""
    out = np.zeros((n * SPF, 2), np.float32)
    if not clip.has_audio:
        return out
    for _, t, pcm in in_intervals(clip.path, "audio", [Interval(start, start + n / FPS)], rate=OUT_RATE):
        at = round((t - start) * OUT_RATE)
        if at >= len(out):
            break
        piece = pcm[: len(out) - at]
        out[at : at + len(piece)] = piece
    return out


def letterbox(frame: av.VideoFrame, rotation: int = 0) -> np.ndarray:
    """(HEIGHT * 3/2, WIDTH) uint8 yuv420p: the upright picture scaled to fit, centred on black."""
    if rotation % 360:
        frame = av.VideoFrame.from_ndarray(upright(frame.to_ndarray(format="rgb24"), rotation), format="rgb24")
    scale = min(WIDTH / frame.width, HEIGHT / frame.height)
    w = min(WIDTH, max(2, 2 * round(frame.width * scale / 2)))
    h = min(HEIGHT, max(2, 2 * round(frame.height * scale / 2)))
    scaled = _planes(frame.reformat(width=w, height=h, format="yuv420p").to_ndarray(), w, h)
    canvas = _canvas()
    x, y = (WIDTH - w) // 2 // 2 * 2, (HEIGHT - h) // 2 // 2 * 2  # even: chroma has half the size
    for plane, part, step in zip(_planes(canvas, WIDTH, HEIGHT), scaled, (1, 2, 2)):
        plane[y // step : y // step + part.shape[0], x // step : x // step + part.shape[1]] = part
    return canvas


def _canvas() -> np.ndarray:
    canvas = np.full((HEIGHT * 3 // 2, WIDTH), 128, np.uint8)
    canvas[:HEIGHT] = 16  # black in limited-range YUV
    return canvas


def _planes(image: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, U and V planes of a (height * 3/2, width) yuv420p array."""
    flat = image.reshape(-1)
    y, quarter = width * height, (width // 2) * (height // 2)
    return (flat[:y].reshape(height, width), flat[y : y + quarter].reshape(height // 2, width // 2),
            flat[y + quarter : y + 2 * quarter].reshape(height // 2, width // 2))
