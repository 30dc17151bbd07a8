"""Training data in vidgist's own feature space: videos composed from a folder of clips (realbench's
composer, other seeds), with frame importance read off their provenance.

What a summary of such a video should show is known by construction: something of every source
(an insert in a looped background, each clip of a compilation), and little of what it has already
shown. Per frame, that is novelty: how much of the same clip the video has shown before it,

    importance(t) = exp(-(seconds of t's clip before t) / DECAY), x REPEAT_WEIGHT where that very
                    source moment was shown earlier (an exact repeat)

so each source's first seconds score high and its long tail low. This is what realbench rewards
(needles, coverage, redundancy), which is why realbench must never see these videos: they use
seeds realbench does not (its default is 0), and each checkpoint records them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..bench.compose import PLANS, BenchSettings, Clip, Composition, compose, find_clips
from ..options import SummarizeOptions
from ..pipeline import Summarizer
from .fit import Sequence as TrainSequence

REPEAT_WEIGHT = 0.2
DECAY = 10.0  # seconds of a clip after which more of it is worth 1/e as much
TASKS = ("needles", "coverage", "repeats")
SETTINGS = BenchSettings()  # realbench's own lengths: the same kind of video, never the same videos


def provenance_importance(comp: Composition, times: np.ndarray, bin_s: float = 0.5) -> np.ndarray:
    """(T,) importance in (0, 1] of the sampled frames at `times` (seconds, sorted) of a composed video."""
    clip, _ = comp.source_at(times)
    shown_before = np.asarray([_clip_seconds_before(comp, int(c), t) for c, t in zip(clip, times)])
    importance = np.exp(-shown_before / DECAY)
    importance[comp.shown_earlier(times, bin_s)] *= REPEAT_WEIGHT
    return importance.astype(np.float32)


def _clip_seconds_before(comp: Composition, clip: int, t: float) -> float:
    return sum(max(0.0, min(s.end, t) - s.start) for s in comp.spans if s.clip == clip)


def composed_sequences(media: Path, workdir: Path, seeds: Sequence[int],
                       progress: Callable[[str], None] | None = None) -> list[TrainSequence]:
    """Compose TASKS for each seed, analyse each video as `summarize` does, label it."""
    say = progress or (lambda message: None)
    clips, _ = find_clips(Path(media), progress=say)
    summarizer = Summarizer(SummarizeOptions(cache_dir=workdir / "cache"))
    out = []
    for seed in seeds:
        for index, task in enumerate(TASKS):
            comp = _compose(task, index, clips, workdir / f"seed-{seed}", seed)
            say(f"features of {comp.video}")
            analysis = summarizer.analyze(comp.video)
            out.append(TrainSequence(f"{task}-{seed}", analysis.features,
                                     provenance_importance(comp, analysis.times)))
    return out


def _compose(task: str, index: int, clips: list[Clip], outdir: Path, seed: int) -> Composition:
    plan = PLANS[task](clips, SETTINGS, np.random.default_rng([seed, 100 + index]))
    return compose(plan, clips, outdir, seed)
