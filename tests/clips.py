"""Generated clips for tests that need exact ground truth (cut times, rotation, frame timing,
where speech is and what it says).

Every scene is a distinct blocky random picture drifting slowly sideways, so scenes differ
clearly while frames within a scene do not stand still.
"""

from __future__ import annotations

import io
import subprocess
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np


@dataclass(frozen=True)
class Scene:
    seconds: float
    seed: int
    dissolve: float = 0.0  # seconds of cross-fade from the previous scene into this one


def scene_picture(seed: int, width: int, height: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, (height // 16 + 2, width // 16 + 2, 3), dtype=np.uint8)
    tint = rng.integers(0, 256, 3, dtype=np.uint8)
    picture = np.repeat(np.repeat(blocks, 16, 0), 16, 1)
    return (picture // 2 + tint // 2).astype(np.uint8)


def frames_for(scenes: list[Scene], fps: float, width: int, height: int):
    """(time, picture) for every frame of the scenes at a constant rate."""
    pictures = [scene_picture(s.seed, width + 64, height) for s in scenes]
    starts = np.cumsum([0.0] + [s.seconds for s in scenes])
    total = int(round(starts[-1] * fps))
    for i in range(total):
        t = i / fps
        k = min(int(np.searchsorted(starts, t, side="right")) - 1, len(scenes) - 1)
        shift = int(t * 20) % 64
        frame = pictures[k][:, shift : shift + width]
        into = t - starts[k]
        if k and into < scenes[k].dissolve:
            previous = pictures[k - 1][:, shift : shift + width]
            a = into / scenes[k].dissolve
            frame = (a * frame + (1 - a) * previous).astype(np.uint8)
        yield t, np.ascontiguousarray(frame)


def make_clip(path: Path, scenes: list[Scene], fps: float = 25, size: tuple[int, int] = (320, 180),
              tone_hz: float | None = 440.0, rotation: int = 0, vfr_jitter: float = 0.0) -> Path:
    """Write an H.264 (+ AAC sine tone) MP4. rotation: display rotation metadata in degrees.
    vfr_jitter: each frame's timestamp moves by up to this share of a frame (variable rate)."""
    width, height = size
    rng = np.random.default_rng(0)
    with av.open(str(path), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.time_base = Fraction(1, 90_000)
        if rotation:
            video.set_display_rotation(rotation)
        audio = out.add_stream("aac", rate=48_000, layout="stereo") if tone_hz else None
        last_pts = -1
        for t, picture in frames_for(scenes, fps, width, height):
            jitter = rng.uniform(-vfr_jitter, vfr_jitter) / fps if vfr_jitter else 0.0
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24").reformat(format="yuv420p")
            frame.pts = max(last_pts + 1, int(round((t + jitter) * 90_000)))
            frame.time_base = Fraction(1, 90_000)
            last_pts = frame.pts
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if audio:
            seconds = sum(s.seconds for s in scenes)
            write_tone(out, audio, seconds, tone_hz)
    return path


def write_tone(out, audio, seconds: float, hz: float, amplitude: float = 0.5) -> None:
    t = np.arange(int(seconds * 48_000)) / 48_000
    write_pcm(out, audio, (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32))


def write_pcm(out, audio, mono: np.ndarray, rate: int = 48_000, chunk: int = 1024) -> None:
    """Encode mono float32 samples into a stereo audio stream opened at `rate`, and flush it."""
    for start in range(0, len(mono), chunk):
        piece = mono[start : start + chunk]
        frame = av.AudioFrame.from_ndarray(np.repeat(piece, 2)[None, :], format="flt", layout="stereo")
        frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
        out.mux(audio.encode(frame))
    out.mux(audio.encode(None))


def speak(sentences: list[str], voice: str = "en-us", wpm: int = 160, gap: float = 1.2,
          lead: float = 0.6, rate: int = 48_000) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """espeak-ng reading each sentence, with `gap` seconds of silence between them. Returns mono
    float32 at `rate` and each sentence's (start, end) of sound, in seconds: exact ground truth
    for where speech is and where a cut is clean."""
    pieces, spans, t = [np.zeros(int(lead * rate), np.float32)], [], lead
    for sentence in sentences:
        wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "--stdout", sentence],
                             capture_output=True, check=True).stdout
        with wave.open(io.BytesIO(wav)) as w:
            native = np.frombuffer(w.readframes(w.getnframes()), np.int16) / 32768
            source_rate = w.getframerate()
        sound = np.flatnonzero(np.abs(native) > 0.01)
        native = native[sound[0] : sound[-1] + 1]  # espeak pads with silence: trim it
        n = int(len(native) * rate / source_rate)
        pcm = np.interp(np.arange(n) * source_rate / rate, np.arange(len(native)), native).astype(np.float32)
        spans.append((t, t + n / rate))
        pieces += [pcm, np.zeros(int(gap * rate), np.float32)]
        t += n / rate + gap
    return np.concatenate(pieces), spans


def make_narrated_clip(path: Path, sentences: list[str], voice: str = "en-us", wpm: int = 160,
                       scene_seconds: float = 3.7, size: tuple[int, int] = (320, 180),
                       fps: float = 25) -> list[tuple[float, float]]:
    """An MP4 of changing scenes (cuts every scene_seconds, wherever the speech is) narrated by
    espeak-ng; or, for a .flac path, the narration alone. Returns each sentence's span."""
    pcm, spans = speak(sentences, voice, wpm)
    seconds = len(pcm) / 48_000
    with av.open(str(path), "w") as out:
        if path.suffix == ".flac":
            write_pcm(out, out.add_stream("flac", rate=48_000, layout="stereo"), pcm)
            return spans
        video = out.add_stream("libx264", rate=Fraction(fps))
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        audio = out.add_stream("aac", rate=48_000, layout="stereo")
        count = int(np.ceil(seconds / scene_seconds))
        scenes = [Scene(min(scene_seconds, seconds - k * scene_seconds), seed=k + 1) for k in range(count)]
        for _, picture in frames_for(scenes, fps, *size):
            out.mux(video.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
        out.mux(video.encode(None))
        write_pcm(out, audio, pcm)
    return spans


def make_audio_only(path: Path, seconds: float = 3.0) -> Path:
    with av.open(str(path), "w") as out:
        audio = out.add_stream("flac", rate=48_000, layout="stereo")
        write_tone(out, audio, seconds, 440.0)
    return path


def with_soundtrack(source: Path, path: Path, mono: np.ndarray, rate: int = 48_000) -> Path:
    """A copy of the source's video stream (packets copied, not re-encoded) with `mono` (float32
    at `rate`, padded with silence to the video's length) as its only audio."""
    with av.open(str(source)) as src, av.open(str(path), "w", format="mp4") as out:
        video_in = src.streams.video[0]
        seconds = float(video_in.duration * video_in.time_base)
        video = out.add_stream_from_template(video_in)
        audio = out.add_stream("aac", rate=rate, layout="stereo")
        for packet in src.demux(video_in):
            if packet.dts is not None:
                packet.stream = video
                out.mux(packet)
        track = np.zeros(round(seconds * rate), np.float32)
        track[: min(len(mono), len(track))] = mono[: len(track)]
        write_pcm(out, audio, track, rate)
    return path
