"""summary.mp4 (summary.m4a from an audio-only source): the selected segments joined, H.264 +
AAC in MP4, playable in browsers.

H.264 kept at its size is smart-cut (see smartcut.py): most of the video is copied, only each
segment's head before its first keyframe is re-encoded, and frames keep the source's timing.
Anything else is decoded and re-encoded, re-timed to a constant frame rate (each output tick
shows the latest source frame), so variable-rate sources come out smooth and every segment
lasts exactly its frame count.

Audio is cut sample-exactly to the segments' rendered lengths and faded over a few
milliseconds at each join, so joins do not click.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..media.decode import in_intervals, upright
from ..types import Chapter, Interval, MediaInfo
from . import smartcut

AUDIO_RATE = 48_000
MAX_FPS = 30.5
# errors of the output itself: re-encoding instead would fail the same way
_OUTPUT_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


@dataclass(frozen=True)
class Rendered:
    """What render_video made."""

    segments: list[Interval]  # as rendered, source timeline
    frames_copied: int = 0
    frames_encoded: int = 0


def render_video(info: MediaInfo, segments: list[Interval], out: Path, max_height: int | None = None,
                 fade_ms: float = 5.0, progress=None, chapters: list[Chapter] = ()) -> Rendered:
    """The highlight: video and audio, or audio alone (AAC in .m4a) for an audio-only source.
    max_height: scale down to it (None: keep the source's size). chapters: in the summary's own
    timeline, written as the file's chapter list. Segments are cut as smartcut.cut_plan says."""
    if info.has_video:
        try:
            plan = smartcut.plan(info, segments, max_height)
        except (smartcut.Refused, av.FFmpegError):
            plan = None
        if plan:
            try:
                video = _write(info, plan.segments, out, lambda c: smartcut.CopiedVideo(c, plan, info),
                               fade_ms, progress, chapters)
                return Rendered(plan.segments, video.copied, video.encoded)
            except Exception as e:  # whatever stopped the copy: re-encode it all instead
                if isinstance(e, OSError) and e.errno in _OUTPUT_ERRORS:
                    raise
                out.unlink(missing_ok=True)
    make = (lambda c: _ReencodedVideo(c, info, segments, max_height)) if info.has_video else None
    video = _write(info, segments, out, make, fade_ms, progress, chapters)
    return Rendered(list(segments), 0, video.encoded if video else 0)


def _write(info: MediaInfo, segments: list[Interval], out: Path, make_video, fade_ms: float, progress,
           chapters: list[Chapter]):
    """Mux the video (made by make_video on the output container) and the audio, segment by
    segment; returns the video writer."""
    with av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        video = make_video(container) if make_video else None
        try:
            # without pictures, lengths are still counted in ticks: milliseconds
            edges = video.edges if video else np.round(np.cumsum([0.0] + [s.duration for s in segments]) * 1000) / 1000
            audio = _Audio(container, info, segments, edges, fade_ms) if info.has_audio else None
            container.set_chapters([{"id": k, "start": round(c.start * 1000), "end": round(c.end * 1000),
                                     "time_base": Fraction(1, 1000), "metadata": {"title": c.title}}
                                    for k, c in enumerate(chapters)])
            tracks = [track for track in (video, audio) if track]
            for k in range(len(segments)):
                for track in tracks:
                    track.write(k)
                if progress:
                    progress("render", float(edges[k + 1]), float(edges[-1]))
            for track in tracks:
                track.finish()
        finally:
            if video:
                video.close()
    return video


class _Audio:
    """The source's audio cut sample-exactly to the output's segment edges (seconds), faded in
    and out over fade_ms at each join."""

    def __init__(self, container, info: MediaInfo, segments: list[Interval], edges: np.ndarray, fade_ms: float):
        self.container = container
        self.stream = container.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
        self.pieces = _Grouped(in_intervals(info.path, "audio", segments, AUDIO_RATE))
        self.counts = np.diff(np.round(edges * AUDIO_RATE)).astype(int)
        self.fade = round(fade_ms * AUDIO_RATE / 1000)
        self.done = 0  # samples

    def write(self, k: int) -> None:
        for pcm in _faded(self.pieces.take(k), self.counts[k], self.fade):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm.reshape(1, -1)), format="flt",
                                               layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, self.done, Fraction(1, AUDIO_RATE)
            self.done += len(pcm)
            self.container.mux(self.stream.encode(frame))

    def finish(self) -> None:
        self.container.mux(self.stream.encode(None))


class _ReencodedVideo:
    """Every frame decoded, scaled, re-timed to a constant rate and encoded."""

    def __init__(self, container, info: MediaInfo, segments: list[Interval], max_height: int | None):
        self.container, self.info = container, info
        self.fps = output_rate(info.fps)
        # cumulative rounding: lengths never drift from the segments' total
        frame_edges = np.round(np.cumsum([0.0] + [s.duration for s in segments]) * float(self.fps))
        self.edges = frame_edges / float(self.fps)
        self.counts = np.diff(frame_edges).astype(int)
        self.width, self.height = output_size(info.width, info.height, max_height)
        # the preset and why: smartcut.X264_OPTIONS
        self.stream = container.add_stream("libx264", rate=self.fps, options=dict(smartcut.X264_OPTIONS))
        self.stream.width, self.stream.height, self.stream.pix_fmt = self.width, self.height, "yuv420p"
        self.frames = _Grouped(in_intervals(info.path, "video", segments))
        self.encoded = 0

    def write(self, k: int) -> None:
        for frame in _constant_rate(self.frames.take(k), self.counts[k], self.fps, self.width, self.height,
                                    self.info.rotation):
            frame.pts, frame.time_base = self.encoded, 1 / self.fps  # decoded frames carry the source's
            self.encoded += 1
            self.container.mux(self.stream.encode(frame))

    def finish(self) -> None:
        self.container.mux(self.stream.encode(None))

    def close(self) -> None:
        pass


def output_rate(fps: float) -> Fraction:
    rate = Fraction(fps).limit_denominator(1001)
    while rate > MAX_FPS:  # 50/60 fps sources become 25/30: half the encoding work, still smooth
        rate /= 2
    return rate


def output_size(width: int, height: int, max_height: int | None) -> tuple[int, int]:
    """Scaled down (never up) to max_height (None: the source's), aspect kept, both even as
    yuv420p needs."""
    scale = min(1.0, max_height / height) if max_height else 1.0
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


class _Grouped:
    """Items (index, ...) in index order, taken one index at a time without loading them all."""

    def __init__(self, items: Iterator):
        self.items = iter(items)
        self.head = next(self.items, None)

    def take(self, index: int) -> Iterator:
        while self.head is not None and self.head[0] <= index:
            item, self.head = self.head, next(self.items, None)
            if item[0] == index:
                yield item[1:]


def _constant_rate(frames, count: int, fps: Fraction, width: int, height: int,
                   rotation: int) -> Iterator[av.VideoFrame]:
    """`count` output frames: tick j shows the latest source frame at or before first + j/fps,
    first being the segment's first frame, so a source at the output rate maps one to one."""
    j, shown, first = 0, None, None
    for t, frame in frames:
        first = t if first is None else first
        while j < count and first + j / fps < t - 1e-4:  # a timestamp's rounding is not a frame
            yield _convert(shown or frame, width, height, rotation)
            j += 1
        shown = frame
    if shown is None:  # nothing decodable in this segment: keep the timing with black
        shown = av.VideoFrame.from_ndarray(np.zeros((height, width, 3), np.uint8), format="rgb24")
    for _ in range(j, count):
        yield _convert(shown, width, height, rotation)


def _convert(frame: av.VideoFrame, width: int, height: int, rotation: int) -> av.VideoFrame:
    if rotation % 360:
        frame = av.VideoFrame.from_ndarray(upright(frame.to_ndarray(format="rgb24"), rotation), format="rgb24")
    return frame.reformat(width=width, height=height, format="yuv420p")


def _faded(pieces, total: int, fade: int) -> Iterator[np.ndarray]:
    """Exactly `total` stereo samples from the pieces (padded with silence), faded in over the
    first `fade` samples and out over the last `fade`. Streams: holds back only the tail."""
    fade = min(fade, total // 2)
    ramp = np.linspace(0.0, 1.0, fade, endpoint=False, dtype=np.float32)[:, None]
    done, faded, tail = 0, 0, np.zeros((0, 2), np.float32)  # faded: samples already faded in
    for _, pcm in pieces:
        pcm = np.concatenate([tail, pcm[: total - done - len(tail)]])  # pcm[0] is sample `done`
        if faded < fade:
            upto = min(fade, done + len(pcm))
            pcm[faded - done : upto - done] *= ramp[faded:upto]
            faded = upto
        keep = max(0, len(pcm) - fade)
        if keep:
            yield pcm[:keep]
            done += keep
        tail = pcm[keep:]
    tail = np.concatenate([tail, np.zeros((total - done - len(tail), 2), np.float32)])
    if fade:
        tail[-fade:] *= ramp[::-1]
    if len(tail):  # an empty frame would upset the encoder
        yield tail
