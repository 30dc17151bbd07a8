"""Where on-screen text reading spends its time, and what a cheap text/no-text test could save.

For one video: the frames the pipeline picks for OCR (vidgist.text.ocr.ocr_times over the cached
analysis), then, for those frames, the seconds spent decoding them, running PP-OCR's detector
(at the product's DET_SIDE) and its recogniser, how many frames have detector boxes and how many
a line that passes (MIN_SCORE, MIN_CHARS). Then, for the detector at lower resolutions used as a
gate: its cost a frame, and the share of frames WITHOUT a line it must still let through to keep
every frame WITH one (its maximum text probability over the frame as the score). Prints a table.

Usage: python scripts/bench_ocr.py VIDEO [--sides 480,640]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("video", type=Path)
    p.add_argument("--sides", default="480,640", help="detector sides to try as a gate")
    args = p.parse_args()

    from rapidocr.ch_ppocr_det.utils import DetPreProcess
    from rapidocr.ch_ppocr_rec import TextRecInput
    from rapidocr.utils.process_img import get_rotate_crop_image

    from vidgist.media.decode import frames_near
    from vidgist.options import SummarizeOptions
    from vidgist.pipeline import OCR_MIN_READS, OCR_SECONDS, Summarizer
    from vidgist.text.ocr import DET_SIDE, MIN_CHARS, MIN_SCORE, ScreenTextReader, ocr_times

    analysis = Summarizer(SummarizeOptions(speech="off", ocr=False)).analyze(args.video)
    picks = ocr_times(analysis.times, analysis.features, analysis.shots,
                      limit=max(OCR_MIN_READS, int(analysis.duration / OCR_SECONDS)))
    started = time.perf_counter()
    frames = [image for _, image in frames_near(analysis.info, picks)]
    decode_s = time.perf_counter() - started
    engine = ScreenTextReader().engine
    det_s = rec_s = 0.0
    boxed, lined = [], []
    for image in frames:
        bgr = np.ascontiguousarray(image[..., ::-1])
        started = time.perf_counter()
        found = engine.det(bgr)
        det_s += time.perf_counter() - started
        boxes = [] if found.boxes is None else np.asarray(found.boxes, np.float32)
        ok = False
        if len(boxes):
            started = time.perf_counter()
            out = engine.rec(TextRecInput(img=[get_rotate_crop_image(bgr, b.copy()) for b in boxes]))
            rec_s += time.perf_counter() - started
            ok = any(s >= MIN_SCORE and sum(c.isalnum() for c in t) >= MIN_CHARS for t, s in zip(out.txts, out.scores))
        boxed.append(len(boxes) > 0)
        lined.append(ok)
    lined_a = np.asarray(lined)
    n = len(frames)
    print(f"{args.video.name}: {n} frames picked, {sum(boxed)} with detector boxes, {lined_a.sum()} with a line\n")
    print("| step | seconds | per frame |\n|---|---:|---:|")
    for name, s in (("decode the picks", decode_s), (f"detector at {DET_SIDE} px", det_s), ("recogniser", rec_s)):
        print(f"| {name} | {s:.1f} | {s / max(n, 1):.3f} |")
    if not lined_a.any() or lined_a.all():
        return 0
    print("\n| gate: detector at | per frame s | frames without a line it passes |\n|---:|---:|---:|")
    for side in (int(x) for x in args.sides.split(",")):
        prepare = DetPreProcess(side, "max", engine.det.mean, engine.det.std)
        started = time.perf_counter()
        score = np.asarray([float(engine.det.session(prepare(np.ascontiguousarray(f[..., ::-1])))[0, 0].max())
                            for f in frames])
        per_frame = (time.perf_counter() - started) / n
        passed = (score[~lined_a] >= score[lined_a].min()).mean()
        print(f"| {side} px | {per_frame:.3f} | {100 * passed:.0f} % |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
