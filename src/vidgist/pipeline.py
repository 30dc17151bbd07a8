"""The one pipeline every front end calls.

    Summarizer.analyze(path)      decode -> features, cuts, audio -> transcript, pauses -> shots
                                  -> on-screen text, labels -> scores      (expensive, cached)
    Summarizer.select(analysis)   scores (+ query) -> units to a budget     (cheap, repeatable)
    Summarizer.summarize(path, outdir) = analyze + select + text summary + render
"""

from __future__ import annotations

import ctypes
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from .errors import InputError
from .features import create_encoder
from .features.cache import ArrayCache, content_key, settings_key
from .media.decode import (
    AUDIO_RATE,
    AudioSample,
    MediaReader,
    audio_pieces,
    decode_audio,
    frames_near,
    in_background,
)
from .media.probe import probe
from .models import ScoringContext, create_scorer
from .options import SummarizeOptions
from .models.base import shot_index
from .selection import budget_seconds, merge, requested_budget, score_shots, select, split_shots, unit_length
from .selection.budget import MIN_PIECE, MIN_SEGMENT
from .selection.keyframes import pick_keyframes
from .shots import DiffCutDetector, content_changed, find_scenes, make_shots
from .speech import CutPoints, Transcript, create_transcriber, find_pauses
from .speech.pauses import FRAME as LEVEL_FRAME
from .speech.pauses import fit_words_to_sound
from .text.gist import TextSummary, spoken_importance, summarize_text
from .text.labels import shot_labels
from .text.ocr import ScreenTextReader, ocr_times, screen_text
from .text.query import focused, query_relevance
from .text.sentences import sentences_from_words
from .timing import timed
from .types import Analysis, Interval, MediaInfo, Selection, Sentence, Shot, Summary
from .version import VERSION

# progress(stage, done, total): the library prints nothing; front ends draw bars from this
Progress = Callable[[str, float, float], None]

DECODE_VERSION = 6  # bump when decoding, features or cut detection change their output
SPEECH_VERSION = 1  # ... when transcription does
OCR_VERSION = 2  # ... when reading on-screen text does
OCR_SECONDS = 4.0  # at most one frame read for on-screen text per this many seconds of video
OCR_MIN_READS = 8  # ... or this many frames, for short videos
SPEECH_UNIT_VALUE = 0.75  # of the longest shot: the most a unit in speech counts for in the knapsack
RELEVANT = 0.5  # mean query relevance (1: the best match) of a unit the summary takes first
# seconds of budget per scene at each level of coverage, coarse to fine: 4 x a piece's worth
# groups the video into as few scenes as leave room for their sentences, 1 x into all it can show
COVERAGE_PIECES = (4 * MIN_PIECE, 2 * MIN_PIECE, MIN_PIECE)
TALKING = 0.25  # share of a unit or shot in speech from which it talks
GLIMPSES = 0.25  # share of the budget a glimpse of every scene may take before the key sentences


class _Abandoned(Exception):
    """Speech recognition stopped because the analysis it was for failed."""


class Summarizer:
    def __init__(self, options: SummarizeOptions | None = None, progress: Progress | None = None):
        self.options = options or SummarizeOptions()
        self.progress = progress or (lambda stage, done, total: None)

    # -- analyze ------------------------------------------------------------------------
    def analyze(self, path: str | Path) -> Analysis:
        path = Path(path)
        info = probe(path)
        opt = self.options
        cache = ArrayCache(opt.resolved_cache_dir() / content_key(path), opt.cache)
        if not info.has_video:
            return self._analyze_audio(info, cache)
        decode_name = "decode-" + settings_key({"v": DECODE_VERSION, **opt.decode_key()})
        timings: dict[str, float] = {}
        with self._speech_beside(info, cache, timings) as spoken:
            with timed(timings, "decode"):
                if cached := cache.load(decode_name):
                    decoded, meta = cached
                else:
                    decoded, meta = self._decode(info)
                    cache.save(decode_name, decoded, meta)
            times, features = decoded["times"], decoded["features"]
            duration = meta["duration"]
            shots = make_shots(times, features, meta["cuts"], duration, opt.max_shot_for(duration))
            with timed(timings, "ocr"):
                screen = self._screen_text(info, cache, times, features, shots, duration)
            transcript = spoken.result()
        transcript, cut_points = self._speech(transcript, decoded["level"], duration, meta["cuts"])
        context = ScoringContext(times=times, shots=shots, duration=duration, contrast=decoded["contrast"],
                                 speech=cut_points.speaking(times) if transcript else None)
        with timed(timings, "score"):
            scores = create_scorer(opt.scorer, checkpoint=opt.checkpoint).score(features, context)
        return Analysis(info=info, duration=duration, times=times, features=features, cuts=meta["cuts"],
                        shots=shots, scores=scores, scorer=opt.scorer, loudness=decoded["loudness"],
                        contrast=decoded["contrast"],
                        transcript=transcript, cut_points=cut_points, screen=screen,
                        labels=shot_labels(features, times, shots), warnings=meta["warnings"], timings=timings)

    @contextmanager
    def _speech_beside(self, info: MediaInfo, cache: ArrayCache, timings: dict[str, float]
                       ) -> Iterator[Future[Transcript | None]]:
        """The transcript, made on a thread of its own from an audio-only pass (about 1 s for 10
        minutes) while the block analyses the picture: Whisper and the picture share the cores
        instead of taking turns. Leaving the block with an error abandons it."""
        stop = threading.Event()

        def transcribe() -> Transcript | None:
            with timed(timings, "speech"):
                return self._transcript(cache, lambda: audio_pieces(info), info.duration, stop)

        pool = ThreadPoolExecutor(1, thread_name_prefix="vidgist-speech")
        try:
            yield pool.submit(transcribe)
        except BaseException:
            stop.set()
            raise
        finally:
            pool.shutdown()

    def _analyze_audio(self, info: MediaInfo, cache: ArrayCache) -> Analysis:
        """A recording without pictures (podcast, call): units of about max_shot seconds cut at
        pauses, importance from what is said."""
        opt = self.options
        if opt.speech == "off":
            raise InputError(f"{info.path}: an audio-only file is summarized by its speech; drop --speech off")
        pcm = decode_audio(info)
        duration = len(pcm) / AUDIO_RATE
        if duration < 1.0:
            raise InputError(f"{info.path}: no audio could be decoded")
        times = np.arange(0.0, duration, 1 / opt.sample_fps)
        loudness, level = _Loudness(opt.sample_fps), _Loudness(1 / LEVEL_FRAME)
        for envelope in (loudness, level):
            envelope.add(AudioSample(0.0, pcm))
        timings: dict[str, float] = {}
        with timed(timings, "speech"):
            transcript = self._transcript(cache, lambda: [pcm], duration)
        transcript, cut_points = self._speech(transcript, level.db(_frame_times(duration)), duration, [])
        step = opt.max_shot_for(duration)
        shots = [Interval(a, min(a + step, duration)) for a in np.arange(0.0, duration, step)]
        return Analysis(info=info, duration=duration, times=times, features=np.zeros((len(times), 0), np.float32),
                        cuts=[], shots=shots, scores=spoken_importance(transcript, times), scorer="speech",
                        loudness=loudness.db(times), transcript=transcript, cut_points=cut_points, timings=timings)

    @staticmethod
    def _speech(transcript: Transcript | None, level_db: np.ndarray, duration: float,
                cuts: list[float]) -> tuple[Transcript | None, CutPoints]:
        """The transcript with its word times fitted to the sound, and the pauses between words."""
        if transcript is None:
            return None, CutPoints(duration, cuts=cuts)
        transcript = replace(transcript, words=fit_words_to_sound(transcript.words, level_db))
        return transcript, find_pauses(level_db, transcript.words, duration, cuts)

    def _transcript(self, cache: ArrayCache, audio: Callable[[], Iterable[np.ndarray]], total: float,
                    stop: threading.Event | None = None) -> Transcript | None:
        """The cached transcript, else one made from audio() (16 kHz mono pieces, see
        audio_pieces; `total` seconds), called only then. None with --speech off. Setting `stop`
        abandons the work within a Whisper window."""
        opt = self.options
        if opt.speech == "off":
            return None
        name = "speech-" + settings_key({"v": SPEECH_VERSION, **opt.speech_key()})
        if cached := cache.load(name):
            return Transcript.from_json(cached[1])
        stop = stop or threading.Event()

        def progress(done: float) -> None:
            if stop.is_set():
                raise _Abandoned
            self.progress("speech", min(done, total), total)

        progress(0.0)
        transcriber = create_transcriber(opt.speech, opt.resolved_cache_dir(), opt.threads, opt.language)
        transcript = transcriber.transcribe(audio(), progress)
        self.progress("speech", total, total)
        cache.save(name, {}, transcript.to_json())
        return transcript

    def _screen_text(self, info: MediaInfo, cache: ArrayCache, times: np.ndarray, features: np.ndarray,
                     shots: list[Interval], duration: float) -> list[Sentence]:
        """On-screen text: each shot's middle frame and the frames where the picture changes
        within a shot, at most one read per OCR_SECONDS of video; cached."""
        opt = self.options
        if not opt.ocr:
            return []
        limit = max(OCR_MIN_READS, int(duration / OCR_SECONDS))
        name = "screen-" + settings_key({"v": OCR_VERSION, "max_shot": opt.max_shot, "limit": limit, **opt.decode_key()})
        if cached := cache.load(name):
            return [Sentence(**s) for s in cached[1]["lines"]]
        picks = ocr_times(times, features, shots, limit=limit)
        reader = ScreenTextReader(opt.threads)
        self.progress("text on screen", 0, len(picks))

        def frames():  # decoded on a thread of its own: PyAV and ONNX Runtime release the GIL
            for k, image in in_background(frames_near(info, picks), maxsize=4):
                self.progress("text on screen", k, len(picks))
                yield picks[k], image

        lines = screen_text(frames(), reader, hold=1 / opt.sample_fps)
        lines = [replace(s, end=min(s.end, duration)) for s in lines]
        self.progress("text on screen", len(picks), len(picks))
        cache.save(name, {}, {"lines": [asdict(s) for s in lines]})
        return lines

    def _decode(self, info: MediaInfo) -> tuple[dict[str, np.ndarray], dict]:
        """The one streaming pass over the picture: features in batches, cuts and loudness as
        frames go by."""
        opt = self.options
        encoder = create_encoder(opt.encoder, opt.threads)
        reader = MediaReader(info, opt.sample_fps, opt.cut_fps, threads=opt.threads)
        detector = DiffCutDetector()
        loudness = _Loudness(opt.sample_fps)
        level = _Loudness(1 / LEVEL_FRAME)  # the fine envelope pauses are found in
        times: list[float] = []
        contrast: list[float] = []
        batch: list[np.ndarray] = []
        features: list[np.ndarray] = []
        total = max(info.duration, 1e-3)
        for item in in_background(iter(reader)):
            if isinstance(item, AudioSample):
                loudness.add(item)
                level.add(item)
                continue
            detector.push(item.time, item.small)
            if item.frame is not None:
                times.append(item.time)
                contrast.append(float(item.small[..., 0].std()) / 255)
                batch.append(item.full())
                if len(batch) == encoder.batch_size:
                    features.append(encoder.encode(np.stack(batch)))
                    batch.clear()
                    self.progress("analyze", min(item.time, total), total)
        if batch:
            features.append(encoder.encode(np.stack(batch)))
        if not times:
            raise InputError(f"{info.path}: no video frame could be decoded")
        self.progress("analyze", total, total)
        times_array, features_array = np.asarray(times), np.concatenate(features).astype(np.float32)
        arrays = {
            "times": times_array,
            "features": features_array,
            "loudness": loudness.db(np.asarray(times)),
            "contrast": np.asarray(contrast, np.float32),
            "level": level.db(_frame_times(reader.end)),
        }
        cuts = detector.cuts(content_changed(times_array, features_array))
        return arrays, {"duration": reader.end, "cuts": cuts, "warnings": reader.warnings}

    # -- select -------------------------------------------------------------------------
    def select(self, analysis: Analysis, text: TextSummary | None = None) -> Selection:
        """The segments for this options' budget: scenes, units, then the knapsack (see
        selection/budget.py for how they interact). The key sentences of the text summary
        (made here when not given) are the spine of a video that talks."""
        opt = self.options
        budget = budget_seconds(analysis.duration, opt.ratio, opt.duration)
        longest = opt.max_shot_for(analysis.duration)
        # pictures: spread the budget over the distinct scenes, coarse to fine (the most
        # different first, so that a talking scene whose sentences cost more than a glimpse is
        # not crowded out by shades of another); a query narrows the summary to what it asks for
        levels = []
        if analysis.features.shape[1] and not opt.query:
            levels = [find_scenes(analysis.features, analysis.times, analysis.shots, most=int(budget // piece),
                                  contrast=analysis.contrast) for piece in COVERAGE_PIECES]
        scene_of_shot = levels[-1] if levels else None
        length = unit_length(budget, int(scene_of_shot.max()) + 1 if scene_of_shot is not None else 1, longest)
        # with speech, the units are the shots re-cut at pauses, and a leftover-budget piece is
        # taken only where both its ends fit in pauses: no segment starts or ends mid-word
        cut_points = analysis.cut_points or CutPoints(analysis.duration)
        units, unclean = cut_points.units(split_shots(analysis.shots, length, scene_of_shot))
        scenes = cores = None
        if scene_of_shot is not None:
            scenes, cores = _unit_scenes(units, analysis.shots, scene_of_shot)
        coarser = [_unit_scenes(units, analysis.shots, level)[0] for level in levels[:-1]]
        relevance = self.relevance(analysis)
        scores = focused(analysis.scores, relevance) if relevance is not None else analysis.scores
        shots = score_shots(units, analysis.times, scores, scenes)
        first = None  # what the query asks for comes first: the units mostly about it
        if relevance is not None:
            first = np.asarray([u.score for u in score_shots(units, analysis.times, relevance)]) >= RELEVANT
        # a unit that speech made longer than a shot is worth no more than most of a shot: its
        # length is there to finish sentences (realbench: without this, 15-s units of narration
        # took the budget from a whole clip, coverage 6/7; with it 7/7, speech cuts unchanged)
        value_seconds = SPEECH_UNIT_VALUE * longest if cut_points.spans else math.inf
        # a video that talks: its key sentences, chosen with the highlight, are its spine, in
        # what the budget leaves for them (see _glimpses) and no more than the share of the video
        # its sentences fill: a video that talks half the time shows what it shows the other half
        # (realbench: narration over 3 of 5 scenes took all but 3.6 s of 13.5 without this, and
        # left one scene out, coverage 0.8)
        talks = np.asarray([_talks(u, cut_points) for u in units], bool)
        reserve = _glimpses(scene_of_shot, [_talks(s, cut_points) for s in analysis.shots], budget)
        text = text or self.text(analysis)
        said = sum(s.duration for s in text.transcript) / analysis.duration if analysis.duration > 0 else 0.0
        spine_budget = min(budget - reserve, said * budget)
        placed = _placed(text.units, cut_points) if text.transcript else {}

        def cost(chosen: list[int]) -> float:
            """Seconds these sentences take in the highlight (neighbours may share a piece)."""
            pieces = [placed.get(text.units[i]) for i in chosen]
            return math.inf if None in pieces else sum(p.duration for p in merge(pieces))

        text = text.fitted(cost, spine_budget)
        spine = [Shot(placed[s].start, placed[s].end) for s in text.spine if s in placed]
        segments = select(shots, analysis.times, scores, budget, unclean=unclean, cut_points=cut_points,
                          value_seconds=value_seconds, first=first, cores=cores, coarser=coarser,
                          spine=spine, spine_budget=spine_budget, talks=talks)
        requested = requested_budget(analysis.duration, opt.ratio, opt.duration)
        return Selection(segments, budget, requested, shots, text)

    def relevance(self, analysis: Analysis) -> np.ndarray | None:
        """(T,) how much each sampled frame is about --query, from what is said, written or
        shown then; None without a query."""
        if not self.options.query:
            return None
        spoken = analysis.transcript
        items = sentences_from_words(spoken.words, spoken.language) if spoken else []
        return query_relevance(self.options.query, items + analysis.shown, analysis.times)

    def text(self, analysis: Analysis) -> TextSummary:
        """The text summary: the transcript (or, without speech, what is shown and written), its
        key sentences and chapters."""
        frames = (analysis.times, analysis.features) if analysis.features.shape[1] else None
        return summarize_text(analysis.transcript, analysis.shown, analysis.cuts, analysis.duration,
                              self.options.query, frames)

    # -- summarize ----------------------------------------------------------------------
    def summarize(self, path: str | Path, outdir: str | Path | None = None) -> Summary:
        """Analyze, select and (when outdir is given) write the outputs."""
        from .render import write_outputs  # rendering pulls in PIL and encoders: load on use

        timings: dict[str, float] = {}
        start = time.perf_counter()
        with timed(timings, "analyze"):
            analysis = self.analyze(path)
        timings.update(analysis.timings)
        with timed(timings, "text"):
            text = self.text(analysis)
        with timed(timings, "select"):
            selection = self.select(analysis, text)
        segments, text = selection.segments, selection.text
        keyframes = pick_keyframes(analysis, segments, text.chapters, self.options.max_keyframes)
        summary = Summary(analysis=analysis, segments=segments, budget=selection.budget, shots=selection.units,
                          keyframes=keyframes, outdir=None, outputs={},
                          settings={"version": VERSION, **self.options.to_json()}, timings=timings, text=text,
                          requested_budget=selection.requested)
        if outdir is not None:
            _trim_heap()  # the models of the analysis are gone: give their memory back before rendering
            write_outputs(summary, self.options, Path(outdir), self.progress, start)
        return summary


def _trim_heap() -> None:
    """Hand the C heap's free pages back to the system (glibc keeps them by default, per thread
    arena; Whisper, PP-OCR and the decoders freed hundreds of MB by now). No-op elsewhere."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def summarize(path: str | Path, outdir: str | Path | None = None, progress: Progress | None = None,
              **options) -> Summary:
    """Summarize one video: `summarize("talk.mp4", "out", ratio=0.1)`. Options: SummarizeOptions."""
    return Summarizer(SummarizeOptions(**options), progress).summarize(path, outdir)


def _unit_scenes(units: list[Interval], shots: list[Interval], scene_of_shot: np.ndarray
                 ) -> tuple[np.ndarray, list[Interval]]:
    """Each unit's scene (that of the shot at its middle) and its core: the part of it in that
    scene's run of shots (a unit that speech joined across a scene change shows two)."""
    middles = np.asarray([(u.start + u.end) / 2 for u in units])
    at = shot_index(middles, shots)
    cores = []
    for unit, k in zip(units, at):
        lo = hi = int(k)
        while lo > 0 and scene_of_shot[lo - 1] == scene_of_shot[k] and shots[lo - 1].end > unit.start:
            lo -= 1
        while hi + 1 < len(shots) and scene_of_shot[hi + 1] == scene_of_shot[k] and shots[hi + 1].start < unit.end:
            hi += 1
        cores.append(Interval(max(unit.start, shots[lo].start), min(unit.end, shots[hi].end)))
    return scene_of_shot[at], cores


def _talks(span: Interval, cut_points: CutPoints) -> bool:
    """Whether speech fills TALKING of the span or more (not a word that strays in)."""
    heard = sum(max(0.0, min(span.end, s.end) - max(span.start, s.start)) for s in cut_points.spans)
    return heard >= TALKING * span.duration


def _glimpses(scene_of_shot: np.ndarray | None, talks: list[bool], budget: float) -> float:
    """Seconds of the budget kept from the key sentences for glimpses of the scenes: one
    MIN_PIECE for every scene where that takes at most GLIMPSES of the budget (a summary that
    can show the whole video in a quarter of its time does), else only for the scenes where
    nothing is said (showing every scene would crowd out what is said)."""
    if scene_of_shot is None:
        return 0.0
    scenes = set(scene_of_shot[scene_of_shot >= 0])
    every = MIN_PIECE * len(scenes)
    quiet = scenes - set(scene_of_shot[np.asarray(talks, bool)])
    return every if every <= GLIMPSES * budget else MIN_PIECE * len(quiet)


def _placed(sentences: list[Sentence], cut_points: CutPoints) -> dict[Sentence, Interval]:
    """Each sentence that can be cut out whole, widened to its pauses (CutPoints.around); two
    that would overlap in the pause between them meet in its middle (where there is no pause
    between them, they overlap, and the selection shows both as one piece)."""
    placed = {s: piece for s in sentences if (piece := cut_points.around(s)) is not None
              and piece.duration >= MIN_SEGMENT}
    order = sorted(placed, key=lambda s: s.start)
    for a, b in zip(order, order[1:]):
        middle = (a.end + b.start) / 2
        if placed[a].end > placed[b].start and a.end < b.start and cut_points.is_clean(middle):
            placed[a], placed[b] = Interval(placed[a].start, middle), Interval(middle, placed[b].end)
    return placed


def _frame_times(duration: float) -> np.ndarray:
    """The middles of the LEVEL_FRAME slots covering [0, duration)."""
    return (np.arange(int(np.ceil(duration / LEVEL_FRAME))) + 0.5) * LEVEL_FRAME


class _Loudness:
    """Audio energy per 1/fps slot, in dBFS: the loudness curve beside the importance curve."""

    def __init__(self, fps: float):
        self.fps = fps
        self.energy = np.zeros(0)  # sum of squares per slot
        self.count = np.zeros(0)

    def _slot(self, times: np.ndarray) -> np.ndarray:
        """The same 1/fps slots as the frame sampler's."""
        return np.floor(times * self.fps + 1e-6).astype(np.int64)

    def add(self, sample: AudioSample) -> None:
        slots = self._slot(sample.time + np.arange(len(sample.pcm)) / AUDIO_RATE)
        if not len(slots):
            return
        grow = slots[-1] + 1 - len(self.energy)
        if grow > 0:
            self.energy = np.concatenate([self.energy, np.zeros(max(grow, 256))])
            self.count = np.concatenate([self.count, np.zeros(max(grow, 256))])
        lo = slots[0]
        self.energy[lo : slots[-1] + 1] += np.bincount(slots - lo, weights=sample.pcm.astype(np.float64) ** 2)
        self.count[lo : slots[-1] + 1] += np.bincount(slots - lo)

    def db(self, times: np.ndarray) -> np.ndarray:
        """(T,) dBFS of the slot each time falls in; -120 where there is no audio."""
        slots = self._slot(times)
        energy, count = np.zeros(len(times)), np.zeros(len(times))
        inside = slots < len(self.count)
        energy[inside], count[inside] = self.energy[slots[inside]], self.count[slots[inside]]
        level = 10 * np.log10(np.maximum(energy / np.maximum(count, 1), 1e-12))
        return np.where(count > 0, level, -120.0).astype(np.float32)
