"""Renderers: highlight video, keyframes and storyboard, subtitles and text, summary.json;
written atomically.

Everything is rendered into a staging folder inside the output folder and then moved into
place with renames, summary.json last: an interrupted run leaves the previous outputs whole
and no half-written file under a final name.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from ..errors import OutputError
from ..options import SummarizeOptions
from ..timing import timed
from ..types import Sentence, Summary
from ..text.chapters import chapters_txt
from .markdown import summary_markdown
from .result import summary_json
from .storyboard import clock, contact_sheet, write_keyframes
from .smartcut import cut_plan
from .subtitles import retime, retime_chapters, srt, timestamped_text, vtt
from .video import render_video

__all__ = ["summary_json", "write_outputs"]


def write_outputs(summary: Summary, options: SummarizeOptions, outdir: Path, progress, started: float) -> None:
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".vidgist-", dir=outdir))
    except OSError as e:
        raise OutputError(f"{outdir}: cannot write here ({e.strerror or e})") from None
    try:
        render_start = time.perf_counter()
        info = summary.analysis.info
        text = summary.text
        video = options.video and bool(summary.segments)
        if video:
            _cut_on_frames(summary, options)
        # the storyboard's frames are decoded beside the highlight, which mostly copies
        with ThreadPoolExecutor(1, thread_name_prefix="vidgist-storyboard") as pool:
            board = None
            if options.storyboard and info.has_video:
                board = pool.submit(_timed, summary.timings, "storyboard", _storyboard, summary, staging)
            if video:
                chapters = retime_chapters(text.chapters, summary.segments) if text else []
                kind, name = ("video", "summary.mp4") if info.has_video else ("audio", "summary.m4a")
                with timed(summary.timings, "video"):
                    render_video(info, summary.segments, staging / name, options.max_height, options.fade_ms,
                                 progress, chapters)
                summary.outputs[kind] = name
            if board:
                board.result()
        if text:
            _text(summary, staging, options.video)
        summary.timings["render"] = time.perf_counter() - render_start
        summary.timings["total"] = time.perf_counter() - started
        # the contract: outputs name only what was written
        summary.outputs = {kind: name for kind, name in summary.outputs.items() if (staging / name).exists()}
        summary.outputs["json"] = "summary.json"
        (staging / "summary.json").write_text(json.dumps(summary_json(summary), indent=1))
        _publish(staging, outdir)
        summary.outdir = outdir
    except OSError as e:
        raise OutputError(f"{outdir}: cannot write outputs ({e.strerror or e})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _timed(timings: dict[str, float], stage: str, work, *args) -> None:
    with timed(timings, stage):
        work(*args)


def _cut_on_frames(summary: Summary, options: SummarizeOptions) -> None:
    """The segments as the highlight renders them (a copied run can only end on a clean cut, a
    few frames from the planned end): what the subtitles, chapters, storyboard and summary.json
    then say is played, is."""
    summary.segments = cut_plan(summary.analysis.info, summary.segments, options.max_height,
                                until=summary.analysis.duration)
    summary.keyframes = [replace(k, in_highlight=any(s.start <= k.time < s.end for s in summary.segments))
                         for k in summary.keyframes]


def _storyboard(summary: Summary, staging: Path) -> None:
    names, thumbs = write_keyframes(summary.analysis.info, [k.time for k in summary.keyframes], staging / "keyframes")
    summary.keyframes = [replace(k, image=f"keyframes/{n}") for k, n in zip(summary.keyframes, names)]
    a = summary.analysis
    title = (f"{a.info.path.name}  ·  {clock(a.duration)}  ·  {len(names)} tiles  ·  "
             f"framed: in the {clock(summary.duration)} highlight")
    contact_sheet(thumbs, summary.keyframes, title).save(staging / "storyboard.jpg", quality=88)
    summary.outputs["storyboard"] = "storyboard.jpg"
    summary.outputs["keyframes"] = "keyframes/"


def _text(summary: Summary, staging: Path, video: bool) -> None:
    """The transcript as subtitles and text, the highlight's own subtitles, chapters, summary.md."""
    text = summary.text
    written = {}
    if text.transcript:
        written |= {"transcript": ("transcript.txt", timestamped_text(text.transcript)),
                    "transcript_srt": ("transcript.srt", srt(text.transcript)),
                    "transcript_vtt": ("transcript.vtt", vtt(text.transcript))}
        cues = retime(text.transcript, summary.segments) if video else []
        if cues:  # nothing said in the highlight: no subtitles for it
            written |= {"subtitles_srt": ("summary.srt", srt(cues)), "subtitles_vtt": ("summary.vtt", vtt(cues))}
    if text.chapters and text.chapters[0].title:
        written["chapters"] = ("chapters.txt", chapters_txt(text.chapters))
        if shown := retime_chapters(text.chapters, summary.segments) if video else []:
            # a player's <track kind="chapters">, in the highlight's own timeline
            written["chapters_vtt"] = ("summary-chapters.vtt", vtt([Sentence(c.start, c.end, c.title) for c in shown]))
    for kind, (name, content) in written.items():
        (staging / name).write_text(content, encoding="utf-8")
        summary.outputs[kind] = name
    summary.outputs["markdown"] = "summary.md"
    (staging / "summary.md").write_text(summary_markdown(summary), encoding="utf-8")


def _publish(staging: Path, outdir: Path) -> None:
    """Rename each staged output into place; summary.json goes last, marking a complete set."""
    names = sorted(p.name for p in staging.iterdir() if p.name != "summary.json") + ["summary.json"]
    for name in names:
        target = outdir / name
        if (staging / name).is_dir() and target.exists():
            old = staging / f"old-{name}"
            os.replace(target, old)  # a folder cannot be replaced in one rename: swap it out
        os.replace(staging / name, target)
