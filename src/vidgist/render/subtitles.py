"""Subtitles and plain-text transcripts: SRT, WebVTT, and a timestamped .txt.

The formats differ only in the header and the decimal mark of the timestamp, so one writer
serves both. Cues for the highlight video are re-timed from the source timeline to the
summary's own (segments played back to back).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from ..types import Interval, Sentence, clock

Timed = TypeVar("Timed", bound=Interval)


def _stamp(seconds: float, mark: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{mark}{ms:03d}"


def srt(cues: list[Sentence]) -> str:
    blocks = [f"{k}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n{c.text}\n" for k, c in enumerate(cues, 1)]
    return "\n".join(blocks)


def vtt(cues: list[Sentence]) -> str:
    blocks = [f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n{c.text}\n" for c in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


def timestamped_text(sentences: list[Sentence]) -> str:
    """One '[m:ss] sentence' line each: a transcript to read or grep."""
    return "".join(f"[{clock(s.start)}] {s.text}\n" for s in sentences)


def retime(items: list[Timed], segments: list[Interval], min_length: float = 0.05) -> list[Timed]:
    """The items (cues, chapters) as they play in the highlight video: each part of an item
    inside a segment, moved to where that segment starts in the summary."""
    out = []
    offset = 0.0  # where the current segment starts in the summary
    for seg in segments:
        for item in items:
            start, end = max(item.start, seg.start), min(item.end, seg.end)
            if end - start > min_length:
                out.append(replace(item, start=start - seg.start + offset, end=end - seg.start + offset))
        offset += seg.duration
    return out


def retime_chapters(chapters: list[Timed], segments: list[Interval]) -> list[Timed]:
    """Chapters in the summary's timeline: a chapter's parts are consecutive there, so each
    becomes one span; a chapter the summary does not show is left out."""
    out = []
    for chapter in chapters:
        if parts := retime([chapter], segments, min_length=0.0):
            out.append(replace(chapter, start=parts[0].start, end=parts[-1].end))
    return out
