"""summary.mp4 (summary.m4a from an audio-only source): the selected segments joined, H.264 +
AAC in MP4, playable in browsers.

Video is re-timed to a constant frame rate (each output tick shows the latest source frame),
so variable-rate sources come out smooth and every segment lasts exactly its frame count.
Audio is cut sample-exactly to the same lengths and faded over a few milliseconds at each
join, so joins do not click.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..media.decode import in_intervals, upright
from ..types import Chapter, Interval, MediaInfo

AUDIO_RATE = 48_000
MAX_FPS = 30.5


def render_video(info: MediaInfo, segments: list[Interval], out: Path, max_height: int = 720,
                 fade_ms: float = 5.0, progress=None, chapters: list[Chapter] = ()) -> None:
    """The highlight: video and audio, or audio alone (AAC in .m4a) for an audio-only source.
    chapters: in the summary's own timeline, written as the file's chapter list."""
    # without pictures, lengths are still counted in ticks: milliseconds
    fps = output_rate(info.fps) if info.has_video else Fraction(1000)
    # cumulative rounding: lengths never drift from the segments' total
    edges = np.cumsum([0.0] + [s.duration for s in segments])
    frame_edges = np.round(edges * float(fps))
    frame_counts = np.diff(frame_edges).astype(int)
    sample_counts = np.diff(np.round(frame_edges / float(fps) * AUDIO_RATE)).astype(int)
    with av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        vstream = video = None
        if info.has_video:
            width, height = output_size(info.width, info.height, max_height)
            vstream = container.add_stream("libx264", rate=fps, options={"preset": "veryfast", "crf": "23"})
            vstream.width, vstream.height, vstream.pix_fmt = width, height, "yuv420p"
            video = _Grouped(in_intervals(info.path, "video", segments))
        astream = container.add_stream("aac", rate=AUDIO_RATE, layout="stereo") if info.has_audio else None
        audio = _Grouped(in_intervals(info.path, "audio", segments, AUDIO_RATE)) if astream else None
        container.set_chapters([{"id": k, "start": round(c.start * 1000), "end": round(c.end * 1000),
                                 "time_base": Fraction(1, 1000), "metadata": {"title": c.title}}
                                for k, c in enumerate(chapters)])
        frames_done = samples_done = 0
        for k, seg in enumerate(segments):
            if vstream:
                for frame in _constant_rate(video.take(k), seg.start, frame_counts[k], fps, width, height,
                                            info.rotation):
                    frame.pts, frame.time_base = frames_done, 1 / fps  # decoded frames carry the source's
                    frames_done += 1
                    container.mux(vstream.encode(frame))
            if astream:
                for pcm in _faded(audio.take(k), sample_counts[k], round(fade_ms * AUDIO_RATE / 1000)):
                    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm.reshape(1, -1)), format="flt",
                                                       layout="stereo")
                    frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, samples_done, Fraction(1, AUDIO_RATE)
                    samples_done += len(pcm)
                    container.mux(astream.encode(frame))
            if progress:
                progress("render", float(edges[k + 1]), float(edges[-1]))
        if vstream:
            container.mux(vstream.encode(None))
        if astream:
            container.mux(astream.encode(None))


def output_rate(fps: float) -> Fraction:
    rate = Fraction(fps).limit_denominator(1001)
    while rate > MAX_FPS:  # 50/60 fps sources become 25/30: half the encoding work, still smooth
        rate /= 2
    return rate


def output_size(width: int, height: int, max_height: int) -> tuple[int, int]:
    """Scaled down (never up) to max_height, aspect kept, both even as yuv420p needs."""
    scale = min(1.0, max_height / height)
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


def _constant_rate(frames, start: float, count: int, fps: Fraction, width: int, height: int,
                   rotation: int) -> Iterator[av.VideoFrame]:
    """`count` output frames: tick j shows the latest source frame at or before start + j/fps."""
    j, shown = 0, None
    for t, frame in frames:
        while j < count and start + j / fps < t:
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
