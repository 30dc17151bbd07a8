"""The storyboard's tiles: the whole video at a glance, one tile per distinct scene and chapter.

A storyboard made of the highlight's keyframes shows only what the highlight shows (three
tiles for a three-minute talk). A reader wants the whole video: every scene, every chapter,
in order, a readable number of tiles (MIN_TILES to the options' max_keyframes), and which of
them the highlight plays. Each scene's tile is its best frame (the highest importance, not a
blank one), inside the highlight where the highlight shows that scene.
"""

from __future__ import annotations

import numpy as np

from ..models.base import shot_index
from ..shots.scenes import BLANK_CONTRAST, find_scenes
from ..types import Analysis, Chapter, Interval, Keyframe

MIN_TILES = 6  # fewer tiles than this leave a storyboard that says little ...
SECONDS_PER_TILE = 2.0  # ... unless the video is too short: at most one tile per this many seconds


def pick_keyframes(analysis: Analysis, segments: list[Interval], chapters: list[Chapter], most: int) -> list[Keyframe]:
    """Tiles in time order: one per distinct scene (at most `most` scenes), one in each chapter
    that has none yet, and the best frame of the longest stretch without a tile while there are
    fewer than MIN_TILES or a stretch longer than 1/MIN_TILES of the video has none; each with
    its chapter's title and whether the highlight shows it."""
    times, scores = analysis.times, analysis.scores
    if not len(times) or not analysis.features.shape[1]:
        return []
    least = min(MIN_TILES, most, max(1, int(analysis.duration // SECONDS_PER_TILE)))
    usable = np.ones(len(times), bool) if analysis.contrast is None else analysis.contrast >= BLANK_CONTRAST
    if not usable.any():
        usable[:] = True  # a video that is all fade: its frames are what there is
    shown = np.zeros(len(times), bool)
    for s in segments:
        shown |= (times >= s.start) & (times < s.end)

    def best(mask: np.ndarray) -> int | None:
        """The frame to show for these frames: a highlight frame if any, the highest score."""
        for pool in (mask & usable & shown, mask & usable, mask):
            if pool.any():
                index = np.flatnonzero(pool)
                return int(index[scores[index].argmax()])
        return None

    room = max(1, most - len(chapters))  # the scenes' share of the tiles: chapters may need theirs
    scene_of_shot = find_scenes(analysis.features, times, analysis.shots, most=room, contrast=analysis.contrast)
    scene_of_frame = scene_of_shot[shot_index(times, analysis.shots)]
    picks = {best(scene_of_frame == scene) for scene in np.unique(scene_of_shot[scene_of_shot >= 0])}
    for chapter in chapters:
        inside = (times >= chapter.start) & (times < chapter.end)
        if not any(inside[k] for k in picks if k is not None):
            picks.add(best(inside))
    picks.discard(None)
    while len(picks) < most:  # split the longest stretch without a tile while it is long
        edges = [0.0, *sorted(float(times[k]) for k in picks), analysis.duration]
        a, b = max(zip(edges, edges[1:]), key=lambda gap: gap[1] - gap[0])
        if len(picks) >= least and b - a <= analysis.duration / MIN_TILES:
            break
        margin = (b - a) / 4
        k = best((times >= a + margin) & (times < b - margin))
        if k is None or k in picks:
            break
        picks.add(k)
    chosen = sorted(picks)
    if len(chosen) > most:  # chapters past `most`: keep the best-scoring
        chosen = sorted(sorted(chosen, key=lambda k: -scores[k])[:most])
    return [Keyframe(float(times[k]), title=_title_at(chapters, float(times[k])), in_highlight=bool(shown[k]),
                     scene=int(scene_of_frame[k])) for k in chosen]


def _title_at(chapters: list[Chapter], t: float) -> str:
    return next((c.title for c in chapters if c.start <= t < c.end), "")
