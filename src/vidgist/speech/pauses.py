"""Pauses: where a summary segment can start or end without cutting a word.

A pause is a run of at least MIN_PAUSE seconds that no recognised word overlaps. It is *quiet*
when the audio there is also BELOW_DB under the speech level (the median level inside words):
a gap between words over loud music is a pause, but a worse place to cut than a silence. A cut
is *clean* at the file's ends, inside a quiet pause, or at a cut in the picture away from speech.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..types import Interval, Word

FRAME = 0.02  # seconds per value of the level envelope the decode pass records
MIN_PAUSE = 0.2  # longer than the closure before a stop consonant (p, t, k), about 0.1 s
BELOW_DB = 12.0
MAX_SHIFT = 2.0  # a boundary moves at most this far to reach a pause
NOT_QUIET_COST = 1.0  # seconds of extra shift a quiet pause is worth
SENTENCE_END_BONUS = 0.5  # ... and a pause after a full stop
SENTENCE_END = tuple(".?!。？！…")
SPEECH_JOIN = 2.0  # words closer than this belong to one stretch of speech
SPEECH_MARGIN = 0.5  # a cut this close to speech counts as a cut in speech
CUT_SLACK = 0.1  # seconds between a boundary and the picture cut it stands for
MAX_UNIT = 15.0  # seconds: a unit longer than this is cut even where no cut is clean
EDGE = 2 * FRAME  # a quiet run this close to a word's end is at that end
MIN_WORD = 0.1
LONG_PAUSE = 0.5  # a quiet pause this long ends a sentence, punctuated or not
BREATH = 0.3  # seconds of pause a whole sentence keeps before and after it, where the pause allows
CONTEXT = 10.0  # seconds of neighbouring speech a sentence may take in to reach a clean cut


@dataclass(frozen=True)
class Pause(Interval):
    quiet: bool = True
    after_sentence: bool = False


@dataclass(frozen=True)
class CutPoints:
    """The pauses and stretches of speech of one file, and the cutting rules built on them.
    Without speech every cut is clean and every method returns its input."""

    duration: float
    pauses: list[Pause] = field(default_factory=list)
    spans: list[Interval] = field(default_factory=list)  # stretches of speech
    cuts: list[float] = field(default_factory=list)  # the picture's own cuts

    def is_clean(self, t: float) -> bool:
        """Whether a segment may start or end at t without cutting a word."""
        if not self.spans:  # a video without speech: cut wherever the picture says
            return True
        if t <= 0.0 or t >= self.duration or any(p.quiet and p.start <= t <= p.end for p in self.pauses):
            return True
        if not any(abs(t - c) <= CUT_SLACK for c in self.cuts):
            return False
        # a cut in the picture is clean away from speech (music under it or not), and where
        # speech starts or stops with the shot: only a cut within a stretch would cut a word
        return not any(s.start - SPEECH_MARGIN < t < s.end + SPEECH_MARGIN
                       and min(abs(t - s.start), abs(t - s.end)) > CUT_SLACK for s in self.spans)

    def speech_share(self) -> float:
        """The share of the video inside stretches of speech."""
        return sum(s.duration for s in self.spans) / self.duration if self.duration > 0 else 0.0

    def speaking(self, times: np.ndarray) -> np.ndarray:
        """(T,) 1.0 at the times that fall in a stretch of speech, else 0.0."""
        inside = np.zeros(len(times), np.float32)
        for s in self.spans:
            inside[(times >= s.start) & (times < s.end)] = 1.0
        return inside

    def snap(self, t: float, after: float = -np.inf) -> float:
        """The best cut point within MAX_SHIFT of t (and not before `after`): t itself when it is
        clean, else a quiet pause, a pause after a full stop, any pause, nearest first."""
        if self.is_clean(t) and t >= after:
            return t
        lo, hi = max(t - MAX_SHIFT, after), t + MAX_SHIFT
        best, best_cost = t, float("inf")
        for p in self.pauses:
            if p.end < lo or p.start > hi:
                continue
            # the pause's middle where the window allows: silence on both sides of the cut
            point = float(np.clip((p.start + p.end) / 2, max(lo, p.start), min(hi, p.end)))
            cost = abs(point - t) + (0 if p.quiet else NOT_QUIET_COST) - (SENTENCE_END_BONUS if p.after_sentence else 0)
            if cost < best_cost:
                best, best_cost = point, cost
        return best

    def units(self, shots: list[Interval], min_length: float = 1.0) -> tuple[list[Interval], list[int]]:
        """The summary units: the shots with each boundary snapped, also cut at the pauses between
        sentences. A boundary that still is not clean is dropped (its shots join) unless the
        joined unit would pass MAX_UNIT. Returns the units and how many of each one's two ends
        are not clean."""
        if not self.spans or not shots:
            return shots, [0] * len(shots)
        # the ends of sentences are units' ends too: speech is summarized a sentence at a time
        breaks = {float(p.start + p.end) / 2 for p in self.pauses if p.quiet and (p.after_sentence or p.duration >= LONG_PAUSE)}
        candidates = sorted(({self.snap(s.start) for s in shots[1:]} | breaks) - {0.0, self.duration})
        bounds = [0.0] + [t for t in candidates if self.is_clean(t)] + [self.duration]
        for t in (t for t in candidates if not self.is_clean(t)):
            k = int(np.searchsorted(bounds, t))
            if bounds[k] - bounds[k - 1] > MAX_UNIT:
                bounds.insert(k, t)
        kept = [0.0]
        for t in bounds[1:-1]:
            if t - kept[-1] >= min_length and self.duration - t >= min_length:
                kept.append(t)
        units = [Interval(a, b) for a, b in zip(kept, kept[1:] + [self.duration])]
        return units, [(not self.is_clean(u.start)) + (not self.is_clean(u.end)) for u in units]

    def clean_points(self, within: Interval, between_words: bool = False) -> list[float]:
        """Times in `within` where a segment may start or end: its ends where clean, and the
        start, middle and end of each quiet pause in it; with between_words, of every pause
        (music or noise under it), which cuts no word but may cut a sentence short."""
        points = [t for t in (within.start, within.end) if self.is_clean(t)]
        for p in self.pauses:
            if p.quiet or between_words:
                inner = (p.start + EDGE, (p.start + p.end) / 2, p.end - EDGE) if p.duration > 2 * EDGE else (p.start,)
                points += [t for t in inner if within.start <= t <= within.end]
        return sorted(set(points))

    def around(self, span: Interval, reach: float = CONTEXT) -> Interval | None:
        """The span (a sentence) widened to the nearest clean cut point outside it on each
        side: a quiet pause (a BREATH from the word next to it, but no more than half the pause:
        the rest belongs to the sentence on its other side), a clean picture cut, or the file's
        own ends. A pause counts where it adjoins the span or ends a sentence (a full stop, or
        LONG_PAUSE), so that where the words run on, the piece takes in whole neighbouring
        sentences up to one, at most `reach` seconds out. None where an end has none."""
        ends = []
        for lo, hi, side in ((span.start - reach, span.start, max), (span.end, span.end + reach, min)):
            lo, hi = max(0.0, lo), min(self.duration, hi)
            points = [t for t in (0.0, self.duration, *self.cuts) if lo <= t <= hi and self.is_clean(t)]
            for p in self.pauses:
                adjoins = span.start - EDGE <= p.end <= span.start + EDGE or span.end - EDGE <= p.start <= span.end + EDGE
                between = adjoins or p.after_sentence or p.duration >= LONG_PAUSE
                if p.quiet and between and p.start < hi and p.end > lo and p.duration > 2 * EDGE:
                    # before the span the next word starts at p.end; after it the last ended at p.start
                    breath = p.end - BREATH if side is max else p.start + BREATH
                    t = float(np.clip(side((p.start + p.end) / 2, breath), p.start + EDGE, p.end - EDGE))
                    points += [t] if lo <= t <= hi else []
            if not points:
                return None
            ends.append(side(points))  # the nearest to the span
        return Interval(*ends)

    def place(self, piece: Interval) -> Interval | None:
        """The piece with both ends snapped, or None where either end still is not clean."""
        start = self.snap(piece.start)
        end = self.snap(piece.end, after=start + min(1.0, piece.duration))
        return Interval(start, end) if self.is_clean(start) and self.is_clean(end) and end > start else None


def find_pauses(level_db: np.ndarray, words: list[Word], duration: float, cuts: list[float],
                frame: float = FRAME) -> CutPoints:
    """Pauses between (and around) words. level_db: (n,) dBFS per `frame` seconds of audio;
    cuts: the picture's cuts, seconds."""
    if not words:
        return CutPoints(duration, cuts=cuts)
    quiet = _quiet_frames(level_db, words, frame)
    ends = [0.0] + [w.end for w in words]
    starts = [w.start for w in words] + [duration]
    pauses = []
    for k, (a, b) in enumerate(zip(ends, starts)):
        if b - a < MIN_PAUSE:
            continue
        after = k > 0 and words[k - 1].text.strip().endswith(SENTENCE_END)
        runs = _runs(quiet, a, b, frame)
        if runs:
            pauses += [Pause(s, e, quiet=True, after_sentence=after) for s, e in runs]
        else:
            pauses.append(Pause(a, b, quiet=False, after_sentence=after))
    return CutPoints(duration, pauses, speech_spans(words), cuts)


def fit_words_to_sound(words: list[Word], level_db: np.ndarray, frame: float = FRAME) -> list[Word]:
    """Words with silence trimmed off their ends. Whisper's word times often stretch a word over
    the pause before or after it (measured: " We" from 2.70 to 4.02 s where the voice starts at
    3.90 s), which hides the pause; a quiet run of MIN_PAUSE or more at either end of a word is
    silence, not part of it. A word is never shortened below MIN_WORD."""
    if not words:
        return words
    quiet = _quiet_frames(level_db, words, frame)
    fitted = []
    for w in words:
        start, end = w.start, w.end
        for a, b in _runs(quiet, w.start, w.end, frame):
            if a - start <= EDGE and end - b >= MIN_WORD:
                start = b  # silence at the word's start
            elif end - b <= EDGE and a - start >= MIN_WORD:
                end = a  # silence at its end
        fitted.append(replace(w, start=start, end=end) if (start, end) != (w.start, w.end) else w)
    return fitted


def speech_spans(words: list[Word], join: float = SPEECH_JOIN) -> list[Interval]:
    """Stretches of speech: words with less than `join` seconds between them, merged."""
    spans: list[Interval] = []
    for w in words:
        if spans and w.start - spans[-1].end < join:
            spans[-1] = Interval(spans[-1].start, max(spans[-1].end, w.end))
        else:
            spans.append(Interval(w.start, w.end))
    return spans


def _quiet_frames(level_db: np.ndarray, words: list[Word], frame: float) -> np.ndarray:
    inside = np.zeros(len(level_db), bool)
    for w in words:
        inside[int(w.start / frame) : int(np.ceil(w.end / frame))] = True
    level = float(np.median(level_db[inside])) if inside.any() else -120.0
    return level_db < level - BELOW_DB


def _runs(quiet: np.ndarray, start: float, end: float, frame: float) -> list[tuple[float, float]]:
    """Quiet runs of at least MIN_PAUSE within [start, end), in seconds."""
    lo, hi = int(np.ceil(start / frame)), min(len(quiet), int(end / frame))
    if hi - lo < 1:
        return []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], quiet[lo:hi].astype(np.int8), [0]])))
    need = int(np.ceil(MIN_PAUSE / frame - 1e-9))
    return [(float(lo + a) * frame, float(lo + b) * frame) for a, b in zip(edges[::2], edges[1::2]) if b - a >= need]
