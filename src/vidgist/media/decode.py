"""One streaming pass over a file: sampled frames for features, small frames for cuts, audio.

Memory stays flat in the video's length: every item is handed on as soon as it is decoded.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np

from ..types import Interval, MediaInfo
from .probe import open_container

AUDIO_RATE = 16_000  # what speech models and loudness need; mono float32
FEATURE_SIZE = 224
SMALL_WIDTH = 64  # cut detection works on tiny frames: fast and robust to noise
AUDIO_CHUNK = 0.25  # seconds of audio the decode pass hands on at a time
MAX_DECODE_ERRORS = 50  # corrupt packets tolerated before the rest of the file is given up


@dataclass(frozen=True)
class VideoSample:
    time: float  # seconds, source timeline
    small: np.ndarray  # (h, SMALL_WIDTH, 3) uint8 YUV, for the cut detector
    frame: av.VideoFrame | None  # the decoded frame when this is a feature sample
    rotation: int = 0  # display rotation, degrees counter-clockwise

    def full(self) -> np.ndarray | None:
        """(224, 224, 3) uint8 RGB of a feature sample, else None. Converted by whoever takes
        the sample, not on the decoding thread: the scaling (about 5 ms a 720p frame) then runs
        beside the decoding (the decode pass of a 3-minute 720p file: 14 % less wall time)."""
        if self.frame is None:
            return None
        image = self.frame.to_ndarray(width=FEATURE_SIZE, height=FEATURE_SIZE, format="rgb24", interpolation="AREA")
        return upright(image, self.rotation)


@dataclass(frozen=True)
class AudioSample:
    time: float
    pcm: np.ndarray  # (n,) float32 mono at AUDIO_RATE


@dataclass
class MediaReader:
    """Iterate to decode. After iteration, `end` is the end of the last decoded frame and
    `warnings` says what was skipped (corrupt packets, a truncated tail)."""

    info: MediaInfo
    sample_fps: float
    cut_fps: float
    audio: bool = True
    threads: int = 0
    end: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[VideoSample | AudioSample]:
        with open_container(self.info.path) as container:
            video = container.streams.video[0]
            _configure_decoder(video, self.info, self.cut_fps, self.threads)
            streams = [video]
            if self.audio and container.streams.audio:
                streams.append(container.streams.audio[0])
            offset = (container.start_time or 0) / av.time_base
            to_video = _VideoSampler(self.info, self.sample_fps, self.cut_fps)
            to_audio = _AudioSampler(chunk=AUDIO_CHUNK)
            for frame in self._frames(container, streams):
                t = frame.time
                if t is None:
                    continue  # no timestamp at all: cannot place it in the timeline
                t = max(0.0, t - offset)  # the first packet may sit a rounding error before 0
                if isinstance(frame, av.AudioFrame):
                    yield from to_audio(frame, t)
                else:
                    self.end = max(self.end, t + 1.0 / self.info.fps)
                    if item := to_video(frame, t):
                        yield item
            yield from to_audio.flush()
        if self.info.duration - self.end > 1.0:
            self.warnings.append(f"video ends at {self.end:.1f} s, the header says {self.info.duration:.1f} s "
                                 "(truncated?): summarized what could be read")

    def _frames(self, container, streams) -> Iterator[av.VideoFrame | av.AudioFrame]:
        """Demux and decode in file order; skip corrupt packets, stop at a truncated tail."""
        errors = 0
        packets = container.demux(*streams)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except av.FFmpegError as e:
                self.warnings.append(f"stopped reading at {self.end:.1f} s: {e.strerror}")
                break
            try:
                yield from packet.decode()
            except av.FFmpegError as e:
                errors += 1
                if errors == 1:
                    self.warnings.append(f"skipped corrupt data near {self.end:.1f} s")
                if errors > MAX_DECODE_ERRORS:
                    self.warnings.append(f"gave up after {errors} decode errors ({e.strerror})")
                    break


def _configure_decoder(stream, info: MediaInfo, cut_fps: float, threads: int) -> None:
    ctx = stream.codec_context
    stream.thread_type = "AUTO"
    ctx.thread_count = threads
    # Frames nothing else refers to (most B-frames) are not needed to sample at cut_fps:
    # not decoding them is the single largest saving (measured ~25 % of the decode time).
    if info.fps >= 1.5 * cut_fps and ctx.name in ("h264", "hevc", "mpeg2video", "mpeg4"):
        ctx.skip_frame = "NONREF"
    # No deblocking: ~20 % less decode time (H.264, 720p). The frames differ by ~1 grey level
    # on average; on real footage their features keep cosine >= 0.95 (median 0.993) with
    # those of fully decoded frames. Analysis only: rendering decodes normally.
    ctx.options = {**ctx.options, "skip_loop_filter": "all"}


class _VideoSampler:
    """Turns decoded frames into VideoSamples: at most one per 1/cut_fps slot, with the
    full-size picture on the first frame of every 1/sample_fps slot."""

    def __init__(self, info: MediaInfo, sample_fps: float, cut_fps: float):
        self.info, self.sample_fps, self.cut_fps = info, sample_fps, cut_fps
        self.last_cut_slot = self.last_sample_slot = -1
        # small frames keep the display aspect ratio; (width, height) of the coded frame,
        # which is the display frame turned back when the video is rotated by 90 or 270
        small_h = max(16, round(SMALL_WIDTH * info.height / info.width))
        self.small_size = (small_h, SMALL_WIDTH) if info.rotation % 180 else (SMALL_WIDTH, small_h)

    def __call__(self, frame: av.VideoFrame, t: float) -> VideoSample | None:
        cut_slot = math.floor(t * self.cut_fps + 1e-6)
        sample_slot = math.floor(t * self.sample_fps + 1e-6)
        if cut_slot <= self.last_cut_slot and sample_slot <= self.last_sample_slot:
            return None
        self.last_cut_slot = cut_slot
        sample = sample_slot > self.last_sample_slot
        if sample:
            self.last_sample_slot = sample_slot
        small = upright(small_yuv(frame, *self.small_size), self.info.rotation)
        return VideoSample(t, small, frame if sample else None, self.info.rotation)


def small_yuv(frame: av.VideoFrame, width: int, height: int) -> np.ndarray:
    """A (height, width, 3) uint8 YUV thumbnail.

    For 8-bit 4:2:0 frames (nearly all video) it averages a 4x4 grid of samples per output
    pixel straight from the planes: ~0.1 ms, where a swscale conversion of a 720p frame costs
    ~0.5-1 ms, a fifth of the decode time at 15 frames a second. Other formats go through swscale.
    """
    if frame.format.name not in ("yuv420p", "yuvj420p"):
        frame = frame.reformat(width=width, height=height, format="yuv420p")
    y = _plane(frame.planes[0], frame.height, frame.width)
    u = _plane(frame.planes[1], (frame.height + 1) // 2, (frame.width + 1) // 2)
    v = _plane(frame.planes[2], (frame.height + 1) // 2, (frame.width + 1) // 2)
    return np.stack([_grid_mean(p, height, width) for p in (y, u, v)], axis=-1)


def _plane(plane, height: int, width: int) -> np.ndarray:
    return np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[:height, :width]


def _grid_mean(plane: np.ndarray, height: int, width: int, k: int = 4) -> np.ndarray:
    """Each output pixel: the mean of a k x k grid of samples spread over its area."""
    rows, cols = _grid(plane.shape, height, width, k)
    sub = plane.take(rows, axis=0).take(cols, axis=1)  # (height*k, width*k)
    sums = sub.reshape(height, k, width * k).sum(axis=1, dtype=np.uint16)
    return (sums.reshape(height, width, k).sum(axis=2) // (k * k)).astype(np.uint8)


@functools.lru_cache(maxsize=16)
def _grid(shape: tuple[int, int], height: int, width: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    rows = np.linspace(0, shape[0] - 1, height * k).round().astype(np.intp)
    cols = np.linspace(0, shape[1] - 1, width * k).round().astype(np.intp)
    return rows, cols


def upright(image: np.ndarray, rotation: int) -> np.ndarray:
    """Apply a display rotation (degrees counter-clockwise) to an (h, w, c) image."""
    turns = (rotation // 90) % 4
    return np.ascontiguousarray(np.rot90(image, turns)) if turns else image


class _AudioSampler:
    """Resamples any audio to packed float32 at one rate and layout (16 kHz mono by default).

    Times follow the first frame's timestamp and then count samples, so they do not drift
    with the resampler's delay or jittery container timestamps. With `chunk` > 0, frames are
    gathered into samples of at least that many seconds: an AAC frame is 21 ms, and handing
    each on alone cost the decode pass more in queueing and bookkeeping than its decoding.
    """

    def __init__(self, rate: int = AUDIO_RATE, layout: str = "mono", chunk: float = 0.0):
        self.rate = rate
        self.channels = av.AudioLayout(layout).nb_channels
        self.resampler = av.AudioResampler(format="flt", layout=layout, rate=rate)
        self.next_time: float | None = None
        self.chunk = round(chunk * rate)
        self.held: list[np.ndarray] = []
        self.held_samples = 0

    def __call__(self, frame: av.AudioFrame, t: float) -> Iterator[AudioSample]:
        if self.next_time is None:
            self.next_time = max(0.0, t)
        frame.pts = None  # let the resampler count samples; container timestamps may jitter
        yield from self._emit(self.resampler.resample(frame))

    def flush(self) -> Iterator[AudioSample]:
        if self.next_time is not None:
            yield from self._emit(self.resampler.resample(None))
            if self.held:
                yield self._release()

    def _emit(self, frames) -> Iterator[AudioSample]:
        for out in frames:
            pcm = out.to_ndarray().reshape(-1, self.channels).squeeze(1 if self.channels == 1 else None)
            self.held.append(pcm)
            self.held_samples += len(pcm)
            if self.held_samples >= self.chunk:
                yield self._release()

    def _release(self) -> AudioSample:
        pcm = self.held[0] if len(self.held) == 1 else np.concatenate(self.held)
        sample = AudioSample(self.next_time, pcm)
        self.next_time += len(pcm) / self.rate
        self.held, self.held_samples = [], 0
        return sample


def frames_at(info: MediaInfo, times: list[float]) -> Iterator[tuple[int, np.ndarray]]:
    """(index into times, upright RGB frame) for the source frame shown at each sorted time (the
    first at or after it, within one frame), one image in memory at a time."""
    window = 1.0 / max(info.fps, 1.0)
    done = -1
    for index, _, frame in in_intervals(info.path, "video", [Interval(t, t + window) for t in times]):
        if index > done:
            done = index
            yield index, upright(frame.to_ndarray(format="rgb24"), info.rotation)


def frames_near(info: MediaInfo, times: list[float]) -> Iterator[tuple[int, np.ndarray]]:
    """(index into times, upright RGB frame) for the first decoded frame at or after each sorted
    time, decoding as little as it can: from the last key frame before a time when there is one
    after the frame decoded last, and (H.264, HEVC, MPEG-2/4) no frames that nothing refers to,
    so a time on one of those gets the next frame (at 30 fps with B-frames, <= 0.1 s later).
    For a frame every 4 s of a 10-min 720p H.264 video (key frames every 6 s) this is 0.4 of the
    CPU time of `frames_at`, which decodes every frame between times less than 10 s apart.

    Some files mark frames as key frames that need earlier frames (imageio_cockatoo.mp4: decoded
    from the one at 7.25 s, its picture at 12.2 s is mostly green); the decoder flags the first
    frame after such a seek as corrupt, and from then on the file is decoded straight through."""
    if not times:
        return
    with open_container(info.path) as container:
        stream = container.streams.video[0]
        offset = (container.start_time or 0) / av.time_base
        keys = sorted(p.pts for p in container.demux(stream) if p.is_keyframe and p.pts is not None)
        stream.thread_type = "AUTO"
        if stream.codec_context.name in ("h264", "hevc", "mpeg2video", "mpeg4"):
            stream.codec_context.skip_frame = "NONREF"
        frames, last, seeking = None, -math.inf, True  # the decoder; the time of its last frame
        for index, t in enumerate(times):
            at = bisect.bisect_right(keys, round((t + offset) / stream.time_base)) - 1
            key = keys[at] if at >= 0 else 0
            if frames is None or (seeking and key * stream.time_base - offset > last):
                frames = _decoded_from(container, stream, key, t + offset) if seeking else None
                if frames is None:
                    seeking, frames = False, _decoded_from(container, stream, 0, t + offset)
            for frame in frames:
                last = frame.time - offset
                if last >= t - 1e-6:
                    yield index, upright(frame.to_ndarray(format="rgb24"), info.rotation)
                    break


def _decoded_from(container, stream, pts: int, before: float) -> Iterator[av.VideoFrame] | None:
    """Timed frames decoded from the key frame at `pts` on, or from further back where the seek
    lands past time `before` (MPEG program streams: ~0.5 s past), from the start at worst.
    None where the first frame decoded is corrupt: that key frame needs frames before it."""
    for target in (pts, pts - round(1.0 / stream.time_base), 0):
        container.seek(max(target, 0), stream=stream, backward=True)
        frames = (frame for frame in container.decode(stream) if frame.time is not None)
        first = next(frames, None)
        if first is not None and first.is_corrupt and target > 0:
            return None
        if first is None or first.time <= before + 1e-6 or target <= 0:
            return itertools.chain([first] if first else [], frames)
    return None


def audio_pieces(info: MediaInfo, rate: int = AUDIO_RATE) -> Iterator[np.ndarray]:
    """The audio track as (n,) float32 mono pieces laid end to end from time 0, for a consumer
    that need not hold it all (an hour is 230 MB): silence where the track starts late or skips,
    the later piece where two overlap. Quantised to 16 bits, as speech recognition has always
    been given it, so transcripts stay the same."""
    if not info.has_audio:
        return
    done, held = 0, None  # samples laid so far (held included); the last piece, not yet handed on
    whole = Interval(0.0, 1e9)  # to the end (a finite end: sample counts are rounded)
    for _, t, pcm in in_intervals(info.path, "audio", [whole], rate, "mono"):
        at, pcm = round(t * rate), (np.clip(pcm.reshape(-1), -1, 1) * 32767).astype(np.int16) / 32767
        if held is not None:
            overlap = min(max(0, done - at), len(held))  # the later piece wins
            held, done = held[: len(held) - overlap], done - overlap
            if len(held):
                yield held.astype(np.float32)
        pcm = pcm[max(0, done - at) :]  # any overlap with what was handed on already is dropped
        if at > done:
            yield np.zeros(at - done, np.float32)
            done = at
        held, done = pcm, done + len(pcm)
    if held is not None and len(held):
        yield held.astype(np.float32)


def decode_audio(info: MediaInfo, rate: int = AUDIO_RATE) -> np.ndarray:
    """(n,) float32 mono with sample 0 at time 0: the whole track (see audio_pieces)."""
    return np.concatenate([np.zeros(0, np.float32), *audio_pieces(info, rate)])


SEEK_GAP = 10.0  # seconds: a shorter gap between intervals is decoded through, not seeked over


def in_intervals(path, stream_type: str, intervals, rate: int = 0, layout: str = "stereo") -> Iterator:
    """Frames of the first video (or audio) stream whose time falls in sorted intervals.

    Yields (interval index, time, frame) for video; for audio, (index, time, pcm) with pcm
    (n, channels) float32 at `rate`, cut sample-exactly to the interval. Seeks only across
    long gaps: short files are decoded straight through, which also avoids files whose
    index marks frames as key frames that cannot be decoded on their own.
    """
    with open_container(Path(path)) as container:
        stream = getattr(container.streams, stream_type)[0]
        stream.thread_type = "AUTO"
        offset = (container.start_time or 0) / av.time_base
        position = 0.0  # where plain decoding would continue from
        frames = None
        for index, iv in enumerate(intervals):
            if frames is None or iv.start - position > SEEK_GAP:
                if iv.start > SEEK_GAP:
                    target = int((iv.start + offset - 1.0) / stream.time_base)
                    container.seek(max(0, target), stream=stream, backward=True)
                frames = _timed(container.decode(stream), offset, stream_type, rate, layout)
            for t, item in frames:
                position = t
                if stream_type == "audio":
                    piece = _cut_audio(t, item, iv, rate)
                    if piece is not None:
                        yield index, max(t, iv.start), piece
                elif t >= iv.start:
                    yield index, t, item
                if t >= iv.end or (stream_type == "audio" and t + len(item) / rate >= iv.end):
                    break


def _timed(frames, offset: float, stream_type: str, rate: int, layout: str) -> Iterator:
    """(time, frame) for video; (time, pcm) for audio resampled to rate/layout."""
    if stream_type == "video":
        for frame in frames:
            if frame.time is not None:
                yield frame.time - offset, frame
        return
    sampler = _AudioSampler(rate, layout)
    for frame in frames:
        if frame.time is not None:
            for sample in sampler(frame, frame.time - offset):
                yield sample.time, sample.pcm


def _cut_audio(t: float, pcm: np.ndarray, iv, rate: int) -> np.ndarray | None:
    first = max(0, round((iv.start - t) * rate))
    last = min(len(pcm), round((iv.end - t) * rate))
    return pcm[first:last] if last > first else None


def in_background(items: Iterator, maxsize: int = 64) -> Iterator:
    """Run an iterator on a background thread with a bounded queue.

    Decoding (PyAV releases the GIL) then overlaps with the consumer's inference; the queue
    bound keeps memory flat; the producer's errors are re-raised here.
    """
    q: queue.Queue = queue.Queue(maxsize)
    done = object()
    stop = threading.Event()

    def produce():
        try:
            for item in items:
                if stop.is_set():
                    return
                q.put(item)
            q.put(done)
        except BaseException as e:  # handed to the consumer, re-raised there
            q.put(e)

    thread = threading.Thread(target=produce, name="vidgist-decode", daemon=True)
    thread.start()
    try:
        while (item := q.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(0.05)
