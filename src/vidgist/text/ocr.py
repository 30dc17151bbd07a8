"""On-screen text: which sampled frames to read, reading them with PP-OCR, merging lines over time.

    ocr_times(times, features, shots)   the sampled frames worth reading (one per shot, plus slides)
    ScreenTextReader().read(image)      the text lines of one RGB frame, in reading order
    screen_text(samples, reader, hold)  the distinct lines of a run of frames, as timed Sentences

The OCR is RapidOCR's PP-OCRv6 detector and recogniser in ONNX Runtime; the models ship inside
the `rapidocr` wheel and are passed by path, so nothing is ever downloaded.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import re
import unicodedata
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..types import Interval, Sentence

if TYPE_CHECKING:
    from rapidocr import RapidOCR

# the rapidocr wheel's own models folder, found without importing rapidocr (cv2, omegaconf: slow)
MODELS = Path(importlib.util.find_spec("rapidocr").origin).parent / "models"
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"  # Chinese + English (+ Latin scripts); charset inside the file

# The detector sees at most this long side; the recogniser reads crops of the full frame.
# Shrinking the frame to 960 px ourselves does not pay: rapidocr's detector default (short side
# >= 736) scales it back up to 1312x736, and the recogniser reads blurrier crops ("~" became
# "-"). Capping only the detector does. 720p, 2 threads on a 2-core machine (min of 7 runs):
# screencast frame, 9 lines, 0.57 s (rapidocr default 0.64 s, shrunk first 0.69 s); frame
# without text 0.22 s (default 0.34 s); the same lines at the same confidence. The recogniser,
# ~0.025 s a detected box, is the rest; at 640 the detector lost the terminal's small title bar.
DET_SIDE = 960
# On the shared clips real lines read 0.78-1.0; garble from textures and faces 0.1-0.5.
MIN_SCORE = 0.6
MIN_CHARS = 2  # letters, digits or CJK characters a line needs to count as text
SAME_LINE = 0.8  # difflib ratio from which two readings are the same line (OCR drifts by a char)
FUZZY_FROM = 5  # ...for lines this long: one letter is a real difference in "bin" vs "sbin"
JOIN_GAP = 1.5  # boxes of a row closer than this many line heights are one line (see text_lines)
# ocr_times defaults, from the features (EfficientNet-Lite0, cosine distance) of the shared
# clips. In cc_wanna_work_together a new credits card inside one shot moves them 0.05-0.16 from
# the last (0.08 reads all 11 cards, 0.1 misses one), the same card < 0.05. Camera and subject
# motion moves them 0.3-0.5 within a shot, so live footage mostly reads MAX_PER_SHOT frames a
# shot: 134 frames for that 180-s clip's 51 shots. Text added to a screen (a terminal's output)
# moves them < 0.03, below any threshold that is not noise: one frame a shot is all it gets.
CHANGE = 0.08
MAX_PER_SHOT = 3
MISSES = 1  # frames read without a line before its span closes (OCR misses a line now and then)

# Han, kana and hangul: any of them makes a line "zh"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


class ScreenTextReader:
    """PP-OCR on CPU; the engine loads on the first `read`."""

    def __init__(self, threads: int = 0, det_side: int = DET_SIDE):
        self.threads = threads or os.cpu_count() or 1
        self.det_side = det_side

    @cached_property
    def engine(self) -> RapidOCR:
        from rapidocr import RapidOCR

        ort = "EngineConfig.onnxruntime."
        return RapidOCR(params={
            # explicit model paths: rapidocr's default path checks a URL's checksum and can fetch
            "Det.model_path": str(MODELS / DET_MODEL),
            "Rec.model_path": str(MODELS / REC_MODEL),
            "Det.limit_type": "max",
            "Det.limit_side_len": self.det_side,
            # video text is upright; the 180-degree classifier only costs time (and can misfire)
            "Global.use_cls": False,
            # frames without text log a warning each ("detection result is empty")
            "Global.log_level": "error",
            "Global.text_score": 0.0,  # the floor is applied by the caller, with its own value
            # rapidocr ignores a count outside 1..cpu_count (ORT then takes every core)
            f"{ort}intra_op_num_threads": min(self.threads, os.cpu_count() or 1),
            f"{ort}inter_op_num_threads": 1,
        })

    def read(self, image: np.ndarray) -> list[tuple[str, float]]:
        """The text lines of an (H, W, 3) RGB uint8 image with their confidence, in reading order."""
        bgr = np.ascontiguousarray(image[..., ::-1])  # rapidocr takes arrays as OpenCV BGR
        result = self.engine(bgr)
        if not result.txts:
            return []
        return text_lines(np.asarray(result.boxes, np.float32), list(result.txts), list(result.scores))


def text_lines(boxes: np.ndarray, texts: list[str], scores: list[float]) -> list[tuple[str, float]]:
    """Detected boxes ((N, 4, 2) quads) as lines, top to bottom and left to right.

    The detector splits a row at wide spaces, and where differs from frame to frame ("Arquivo
    Editar" + "Exibir" in one frame, one box in the next); joining boxes of a row that are less
    than JOIN_GAP line heights apart makes a line read the same in every frame. A line's
    confidence is that of its least sure part.
    """
    lines = []
    for row in _rows(boxes):
        left, right = boxes[row, :, 0].min(1), boxes[row, :, 0].max(1)
        height = boxes[row, :, 1].max(1) - boxes[row, :, 1].min(1)
        parts = [[texts[row[0]].strip(), scores[row[0]]]]
        for k in range(1, len(row)):
            if left[k] - right[k - 1] <= JOIN_GAP * max(height[k - 1], height[k]):
                parts[-1] = [f"{parts[-1][0]} {texts[row[k]].strip()}", min(parts[-1][1], scores[row[k]])]
            else:
                parts.append([texts[row[k]].strip(), scores[row[k]]])
        lines += [(text, float(score)) for text, score in parts if text]
    return lines


def _rows(boxes: np.ndarray) -> list[list[int]]:
    """Box indices grouped in rows, top to bottom, each left to right: a box whose vertical centre
    is within half a line height of a row's first box joins it (rapidocr's own sort uses a
    fixed 10 px, too tight for large titles, too loose for small print)."""
    top, bottom = boxes[:, :, 1].min(1), boxes[:, :, 1].max(1)
    centre, height, left = (top + bottom) / 2, bottom - top, boxes[:, :, 0].min(1)
    rows: list[list[int]] = []
    for i in np.argsort(centre, kind="stable"):
        if rows and abs(centre[i] - centre[rows[-1][0]]) <= height[rows[-1][0]] / 2:
            rows[-1].append(int(i))
        else:
            rows.append([int(i)])
    return [sorted(row, key=lambda j: left[j]) for row in rows]


def ocr_times(times: np.ndarray, features: np.ndarray, shots: list[Interval], change: float = CHANGE,
              max_per_shot: int = MAX_PER_SHOT, limit: int | None = None) -> list[float]:
    """Sampled times to read: per shot the frame nearest its middle, plus frames whose features
    moved more than `change` (cosine distance) from the last frame chosen in that shot. Over
    `limit`, the middles of the longest shots come first, then the other picks by shot length."""
    times = np.asarray(times, np.float64)
    unit = np.asarray(features, np.float32)
    unit = unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    ranked: list[tuple[int, float, float]] = []  # (0 for a middle frame, -shot length, time)
    for shot in shots:
        idx = np.flatnonzero((times >= shot.start) & (times < shot.end))
        if len(idx):
            picks = _shot_picks(idx, times, unit, shot, change, max_per_shot)
            middle = int(idx[np.argmin(np.abs(times[idx] - (shot.start + shot.end) / 2))])
            ranked += [(int(i != middle), -shot.duration, float(times[i])) for i in picks]
    return sorted(t for _, _, t in sorted(ranked)[:limit])


def _shot_picks(idx: np.ndarray, times: np.ndarray, unit: np.ndarray, shot: Interval, change: float,
                max_per_shot: int) -> list[int]:
    """The middle frame, then in time order each frame far enough from the last one picked (the
    middle one counts as picked from the start); over the cap, the largest jumps win."""
    middle = int(idx[np.argmin(np.abs(times[idx] - (shot.start + shot.end) / 2))])
    jumps: list[tuple[float, int]] = []
    last = middle
    for i in idx:
        if i == middle:
            last = middle
            continue
        distance = 1.0 - float(unit[i] @ unit[last])
        if distance > change:
            jumps.append((distance, int(i)))
            last = int(i)
    jumps = sorted(jumps, reverse=True)[:max(max_per_shot - 1, 0)]
    return sorted([middle] + [i for _, i in jumps])


def screen_text(samples: Iterable[tuple[float, np.ndarray]], reader: ScreenTextReader,
                hold: float) -> list[Sentence]:
    """Each distinct line of on-screen text, from its first sighting to its last + `hold` (the
    sampling step). (time, RGB image) samples, in time order, are read as they come, so a
    generator of decoded frames holds one image at a time."""
    spans: list[list] = []  # [key, first, last, text, score, last read index] per distinct line
    for k, (t, image) in enumerate(samples):
        for text, score in reader.read(image):
            if score >= MIN_SCORE and _chars(text) >= MIN_CHARS:
                _note(spans, k, float(t), text, score)
    sentences = [Sentence(start, last + hold, text=text, source="screen", language=language(text))
                 for _, start, last, text, _, _ in spans]
    return sorted(sentences, key=lambda s: (s.start, s.end))


def _note(spans: list[list], k: int, t: float, text: str, score: float) -> None:
    """Extend the span of the same line (keeping its most confident reading) if it was on screen
    in one of the last MISSES + 1 frames read, or start a new span: a logo shown at the start and
    again at the end is two spans, not one across the whole video."""
    key = normalise(text)
    for span in spans:
        if k - span[5] <= MISSES + 1 and same_line(span[0], key):
            span[2], span[5] = t, k
            if score > span[4]:
                span[0], span[3], span[4] = key, text, score
            return
    spans.append([key, t, t, text, score, k])


def normalise(text: str) -> str:
    """Casefolded, whitespace collapsed, full-width forms folded (NFKC): what "same text" means."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def same_line(a: str, b: str) -> bool:
    """Equal normalised texts, or (both at least FUZZY_FROM long) a difflib ratio >= SAME_LINE."""
    if a == b:
        return True
    if min(len(a), len(b)) < FUZZY_FROM:
        return False
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= SAME_LINE


def _chars(text: str) -> int:
    return sum(ch.isalnum() for ch in text)  # isalnum covers CJK ideographs and kana too


def language(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"
