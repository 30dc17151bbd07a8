"""Keyframe images and the storyboard: a contact sheet of keyframes with their timestamps."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..media.decode import frames_at
from ..types import MediaInfo

THUMB_WIDTH = 320
MAX_COLUMNS = 6
LABEL_HEIGHT = 26
HEADER_HEIGHT = 40


def grab_frames(info: MediaInfo, times: list[float]) -> list[Image.Image]:
    """The source frame shown at each time (the first at or after it, within one frame)."""
    images = {index: Image.fromarray(rgb) for index, rgb in frames_at(info, times)}
    blank = Image.new("RGB", (info.width, info.height))
    return [images.get(i, blank) for i in range(len(times))]


def write_keyframes(images: list[Image.Image], folder: Path) -> list[str]:
    """keyframes/001.jpg ...; returns the file names."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i, image in enumerate(images, 1):
        name = f"{i:03d}.jpg"
        image.save(folder / name, quality=90)
        names.append(name)
    return names


def contact_sheet(images: list[Image.Image], times: list[float], title: str) -> Image.Image:
    """A grid of thumbnails, each labelled with its time, under a one-line header."""
    if not images:
        images, times = [Image.new("RGB", (THUMB_WIDTH, THUMB_WIDTH * 9 // 16))], [0.0]
    aspect = images[0].height / images[0].width
    thumb_h = max(1, round(THUMB_WIDTH * aspect))
    cols = min(MAX_COLUMNS, max(1, math.ceil(math.sqrt(len(images)))))
    rows = math.ceil(len(images) / cols)
    sheet = Image.new("RGB", (cols * THUMB_WIDTH, HEADER_HEIGHT + rows * (thumb_h + LABEL_HEIGHT)), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=18)
    draw.text((10, 10), title, fill="black", font=font)
    for i, (image, t) in enumerate(zip(images, times)):
        x, y = (i % cols) * THUMB_WIDTH, HEADER_HEIGHT + (i // cols) * (thumb_h + LABEL_HEIGHT)
        sheet.paste(image.resize((THUMB_WIDTH, thumb_h), Image.Resampling.BILINEAR), (x, y))
        draw.text((x + 6, y + thumb_h + 4), clock(t), fill="black", font=font)
    return sheet


def clock(seconds: float) -> str:
    """12.5 -> '0:12.5'; 3725 -> '1:02:05.0'."""
    minutes, sec = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{sec:04.1f}" if hours else f"{minutes}:{sec:04.1f}"
