"""On-screen text: which sampled frames to read, reading them with PP-OCR, merging lines over time.

    ocr_times(times, features, shots)   the sampled frames worth reading (one per shot, plus slides)
    ScreenTextReader().read(image)      the text lines of one RGB frame, in reading order
    screen_text(samples, reader, hold)  the distinct lines of a run of frames, as timed Sentences

The OCR is RapidOCR's PP-OCRv6 detector and recogniser in ONNX Runtime; the models ship inside
the `rapidocr` wheel and are loaded by path, so nothing is ever downloaded. A frame showing the
same picture as the frame read before it is not read again.
"""

from __future__ import annotations

import difflib
import importlib.util
import logging
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ..onnx import cpu_session
from ..types import Interval, Sentence

if TYPE_CHECKING:
    from rapidocr.ch_ppocr_det import TextDetector
    from rapidocr.ch_ppocr_rec import TextRecognizer

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
# Nor does a first look at lower scale, to skip frames or parts of frames without text, pay:
# at half scale the detector's text probability on that title bar is 0.002 (0.85 at 2/3 scale,
# which costs 0.44 of the full pass and sees text in 89 % of the frames picked from the shared clips).
DET_SIDE = 960
# A frame whose grey thumbnail (THUMB_WIDTH wide, each pixel the mean of 8x8 at 720p) nowhere
# differs from that of the last frame read by more than SAME_PICTURE levels shows the same text:
# its reading is reused. In the screencast clip the terminal's part of the thumbnail changes by
# up to 226 levels when `ls` prints its 9-px listing, by at most 1 while it stands still. A 60-s
# still slide, split into 25 shots, is read once instead of 15 times.
THUMB_WIDTH = 160
SAME_PICTURE = 10
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


class _Models(NamedTuple):
    det: TextDetector
    rec: TextRecognizer


class ScreenTextReader:
    """PP-OCR on CPU; the models load on the first `read`. `counts` tallies the frames read
    ("read") and those given the last reading ("reused")."""

    def __init__(self, threads: int = 0, det_side: int = DET_SIDE):
        self.threads = threads or os.cpu_count() or 1
        self.det_side = det_side
        self.counts: Counter[str] = Counter()
        self._last: tuple[np.ndarray, list[tuple[str, float]]] | None = None  # thumbnail, lines

    @cached_property
    def engine(self) -> _Models:
        """rapidocr's detector and recogniser (no angle classifier: video text is upright)."""
        from omegaconf import OmegaConf
        from rapidocr.ch_ppocr_det import TextDetector
        from rapidocr.ch_ppocr_rec import TextRecognizer
        from rapidocr.main import DEFAULT_CFG_PATH
        from rapidocr.utils.parse_parameters import ParseParams

        logging.getLogger("RapidOCR").setLevel(logging.ERROR)  # it logs each model it loads
        cfg = ParseParams.load(DEFAULT_CFG_PATH)
        cfg.Det.limit_type, cfg.Det.limit_side_len = "max", self.det_side

        def section(name: str, model: str):
            # rapidocr's own ORT sessions cannot be told not to spin; a section that carries a
            # session gets it used as is (and nothing is loaded or fetched by rapidocr)
            part = OmegaConf.create(OmegaConf.to_container(cfg[name]), flags={"allow_objects": True})
            part.session = self._session(MODELS / model)
            part.font_path = None  # only for drawing results
            return part

        return _Models(TextDetector(section("Det", DET_MODEL)), TextRecognizer(section("Rec", REC_MODEL)))

    def _session(self, path: Path):
        # sleeping idle threads (cpu_session): 30 bench frames read in 11.5 s of CPU, against
        # 18-19.5 s with rapidocr's spinning ones, the same lines
        return cpu_session(path, self.threads)

    def read(self, image: np.ndarray) -> list[tuple[str, float]]:
        """The text lines of an (H, W, 3) RGB uint8 image with their confidence, in reading order;
        the last reading again if the picture is that of the last frame read."""
        thumb = _thumbnail(image)
        if self._last is not None and _same_picture(self._last[0], thumb):
            self.counts["reused"] += 1
            return list(self._last[1])
        lines = self._read(image)
        self._last = (thumb, lines)
        return lines

    def _read(self, image: np.ndarray) -> list[tuple[str, float]]:
        """The detector on the whole frame, the recogniser on each box it found."""
        from rapidocr.ch_ppocr_rec import TextRecInput
        from rapidocr.utils.process_img import get_rotate_crop_image

        self.counts["read"] += 1
        bgr = np.ascontiguousarray(image[..., ::-1])  # rapidocr takes arrays as OpenCV BGR
        found = self.engine.det(bgr)
        if found.boxes is None:
            return []
        boxes = np.asarray(found.boxes, np.float32)
        out = self.engine.rec(TextRecInput(img=[get_rotate_crop_image(bgr, box.copy()) for box in boxes]))
        keep = [i for i, text in enumerate(out.txts) if text.strip()]
        return text_lines(boxes[keep], [out.txts[i] for i in keep], [out.scores[i] for i in keep])


def _thumbnail(image: np.ndarray) -> np.ndarray:
    """A grey THUMB_WIDTH-wide thumbnail, each pixel the mean of its area."""
    import cv2

    height = max(1, round(THUMB_WIDTH * image.shape[0] / image.shape[1]))
    grey = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, (THUMB_WIDTH, height), interpolation=cv2.INTER_AREA)


def _same_picture(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and int(np.abs(a.astype(np.int16) - b).max()) <= SAME_PICTURE


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
