"""Probe a file before decoding: container facts, or one clear reason why it cannot be used."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import av

from ..errors import InputError
from ..types import MediaInfo

# Demuxers that read a single picture or a text file: ffmpeg opens them as one-frame "video".
_STILL_FORMATS = {"image2", "tty"} | {f for f in av.formats_available if f.endswith("_pipe")}


def open_container(path: Path) -> av.container.InputContainer:
    """av.open with errors turned into one-line InputErrors."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a video file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: empty file (0 bytes)")
    try:
        return av.open(str(path), metadata_errors="ignore")
    except av.FFmpegError as e:
        raise InputError(f"{path}: not a readable media file ({_reason(e)})") from None


def probe(path: Path) -> MediaInfo:
    """Container facts; InputError if the file holds neither video nor audio we can decode."""
    with open_container(path) as container:
        fmt = container.format.name.split(",")[0]
        if fmt in _STILL_FORMATS:
            raise InputError(f"{path}: a still image or text file ({fmt}), not a video")
        has_audio = bool(container.streams.audio)
        if not container.streams.video:
            if not has_audio:
                raise InputError(f"{path}: no audio or video streams")
            return MediaInfo(path=path, duration=_duration(container, container.streams.audio[0]), fps=0.0,
                             width=0, height=0, rotation=0, has_audio=True, video_codec="", container=fmt,
                             has_video=False)
        stream = container.streams.video[0]
        ctx = stream.codec_context
        if not ctx.width or not ctx.height:
            raise InputError(f"{path}: video stream has no picture size (codec {ctx.name})")
        rotation = _rotation(container, stream)
        width, height = (ctx.height, ctx.width) if rotation % 180 else (ctx.width, ctx.height)
        return MediaInfo(
            path=path,
            duration=_duration(container, stream),
            fps=float(_rate(stream)),
            width=width,
            height=height,
            rotation=rotation,
            has_audio=has_audio,
            video_codec=ctx.name,
            container=fmt,
        )


def _rate(stream) -> Fraction:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and 0 < rate < 1000:
            return Fraction(rate)
    return Fraction(25)


def _duration(container, stream) -> float:
    if container.duration:
        return container.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return 0.0  # unknown until decoded (e.g. some webm and streamed files)


def _rotation(container, stream) -> int:
    """Display rotation in degrees (0, 90, 180, 270), from the first frame's display matrix."""
    try:
        for frame in container.decode(stream):
            return int(round(frame.rotation or 0)) % 360
    except av.FFmpegError:
        pass  # the decode pass reports unreadable data; rotation stays 0
    return 0


def _reason(error: av.FFmpegError) -> str:
    return (error.strerror or type(error).__name__).rstrip(".").lower()
