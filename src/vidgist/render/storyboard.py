"""Keyframe images and the storyboard: a contact sheet of the tiles with their times and chapters."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..media.decode import frames_at
from ..types import Keyframe, MediaInfo

THUMB_WIDTH = 320
MAX_COLUMNS = 6
LABEL_HEIGHT = 26
HEADER_HEIGHT = 40
HIGHLIGHT = "#e8590c"  # frame and label of a tile the highlight plays


def write_keyframes(info: MediaInfo, times: list[float], folder: Path) -> tuple[list[str], list[Image.Image]]:
    """keyframes/001.jpg ..., the source frame shown at each time (the first at or after it,
    within one frame; black where none decodes), written as it is decoded: one full-size frame
    is held at a time (24 of 1080p held together: 150 MB); the file names and
    THUMB_WIDTH-wide thumbnails for the contact sheet."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"{i:03d}.jpg" for i in range(1, len(times) + 1)]
    thumbs: dict[int, Image.Image] = {}
    for index, rgb in frames_at(info, times):
        thumbs[index] = _saved(Image.fromarray(rgb), folder / names[index])
    for index in set(range(len(times))) - set(thumbs):  # not decodable: a black frame, as grab_frames
        thumbs[index] = _saved(Image.new("RGB", (info.width, info.height)), folder / names[index])
    return names, [thumbs[i] for i in range(len(times))]


def _saved(image: Image.Image, path: Path) -> Image.Image:
    image.save(path, quality=90)
    return image.resize((THUMB_WIDTH, max(1, round(THUMB_WIDTH * image.height / image.width))), Image.Resampling.BILINEAR)


def contact_sheet(images: list[Image.Image], tiles: list[Keyframe], title: str) -> Image.Image:
    """A grid of thumbnails under a one-line header, each labelled with its time and chapter
    title; a tile the highlight plays has a HIGHLIGHT frame and a play mark."""
    if not images:
        images, tiles = [Image.new("RGB", (THUMB_WIDTH, THUMB_WIDTH * 9 // 16))], [Keyframe(0.0)]
    aspect = images[0].height / images[0].width
    thumb_h = max(1, round(THUMB_WIDTH * aspect))
    cols = min(MAX_COLUMNS, max(1, math.ceil(math.sqrt(len(images)))))
    rows = math.ceil(len(images) / cols)
    cell = thumb_h + 2 * LABEL_HEIGHT
    sheet = Image.new("RGB", (cols * THUMB_WIDTH, HEADER_HEIGHT + rows * cell), "white")
    draw = ImageDraw.Draw(sheet)
    font, small = ImageFont.load_default(size=18), ImageFont.load_default(size=15)
    draw.text((10, 10), title, fill="black", font=font)
    for i, (image, tile) in enumerate(zip(images, tiles)):
        x, y = (i % cols) * THUMB_WIDTH, HEADER_HEIGHT + (i // cols) * cell
        sheet.paste(image.resize((THUMB_WIDTH, thumb_h), Image.Resampling.BILINEAR), (x, y))  # a no-op for thumbnails
        left = x + 6
        if tile.in_highlight:  # a frame and a play mark (drawn: the default font has no ▶)
            draw.rectangle((x, y, x + THUMB_WIDTH - 1, y + thumb_h - 1), outline=HIGHLIGHT, width=5)
            top = y + thumb_h + 6
            draw.polygon([(left, top), (left, top + 14), (left + 12, top + 7)], fill=HIGHLIGHT)
            left += 18
        draw.text((left, y + thumb_h + 4), clock(tile.time), fill=HIGHLIGHT if tile.in_highlight else "black", font=font)
        draw.text((x + 6, y + thumb_h + LABEL_HEIGHT + 2), _fit(draw, tile.title, small, THUMB_WIDTH - 12),
                  fill="#444444", font=small)
    return sheet


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    """The text, cut with an ellipsis to fit `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def clock(seconds: float) -> str:
    """12.5 -> '0:12.5'; 3725 -> '1:02:05.0'."""
    minutes, sec = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{sec:04.1f}" if hours else f"{minutes}:{sec:04.1f}"
