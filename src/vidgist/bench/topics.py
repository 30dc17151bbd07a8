"""realbench task "topics": do the highlight, the text summary, the chapters and the storyboard
tell one story on a video that talks?

The video: eight spoken passages on eight distinct topics, back to back, each over footage of its
own (query.py's composition with no gaps between passages: a passage's footage runs PAD seconds
before and after its speech, so the picture and the topic change together). The truth: the
topic spans (each passage's footage, output time) and the seven topic changes between them.

Metrics of one summary:

- sentences_shown: the share of the text summary's spoken sentences that the highlight shows
  whole (the sentence's [start, end) inside one segment, within WHOLE seconds);
- topics_touched: the topics with at least SHOWN seconds in the highlight; segments: how many
  segments it has; topics_per_segment: topics_touched / min(segments, topics): 1.0 when no two
  segments spend themselves on one topic while another goes unshown;
- chapter_recall: the share of topic changes with a chapter start within CHAPTER_TOLERANCE
  seconds; chapters: how many chapters;
- storyboard_topics: the share of topics with a keyframe in their span.

Baselines (uniform, random, scenedetect) have segments only: the text, chapter and storyboard
metrics are None for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..types import Interval
from .compose import Clip
from .query import QuerySettings, Topic, TOPICS, compose_query, spoken_sentences
from .real import SHOWN, Metrics, intervals, mean_known, overlap, rounded

TASK_INDEX = 6  # rng stream: default_rng([seed, TASK_INDEX]); query.py has 4, scenes.py 9 and up
WHOLE = 0.05  # seconds a sentence may stick out of its segment and still count as shown whole
CHAPTER_TOLERANCE = 3.0  # seconds between a topic change and a chapter start
SETTINGS = QuerySettings(topics=8, sentences=3, gap=(0.0, 0.0))

POOL: tuple[Topic, ...] = (*TOPICS,
    Topic("volcanoes", "eruption of a mountain", (
        "A volcano erupts when molten rock from deep inside the earth rises through cracks in the crust.",
        "Clouds of ash can climb many kilometres into the sky and ground aeroplanes for days.",
        "Lava flows slowly downhill and buries everything in its path.")),
    Topic("bees", "insects making honey", (
        "Honey bees live in colonies of thousands of workers that serve a single queen.",
        "The workers visit flowers to collect nectar and pollen, and dance to tell each other where food is.",
        "Back in the hive they turn the nectar into honey and store it in wax combs.")),
)


def shown_whole(segments: Sequence[Interval], sentence: Interval, slack: float = WHOLE) -> bool:
    return any(s.start - slack <= sentence.start and sentence.end <= s.end + slack for s in segments)


def topic_metrics(topics: Sequence[Interval], segments: Sequence[Interval], summary: dict | None) -> Metrics:
    """topics: each topic's span, in order; summary: the product's summary.json (None for a
    baseline, which has segments only)."""
    touched = sum(overlap(segments, t) >= SHOWN - 1e-6 for t in topics)
    out: Metrics = {"topics_touched": float(touched), "segments": float(len(segments)),
                    "topics_per_segment": touched / min(len(segments), len(topics)) if segments else None,
                    "sentences_shown": None, "chapter_recall": None, "chapters": None, "storyboard_topics": None}
    if summary is None:
        return out
    said = spoken_sentences(summary)
    changes = [t.start for t in topics[1:]]
    starts = np.asarray([c["start"] for c in summary["chapters"][1:]])
    keyframes = [k["time"] for k in summary["keyframes"]]
    out |= {
        "sentences_shown": sum(shown_whole(segments, s) for s in said) / len(said) if said else None,
        "chapter_recall": (sum(bool(len(starts)) and np.abs(starts - c).min() <= CHAPTER_TOLERANCE for c in changes)
                           / len(changes)) if changes else None,
        "chapters": float(len(summary["chapters"])),
        "storyboard_topics": sum(any(t.start <= k < t.end for k in keyframes) for t in topics) / len(topics),
    }
    return out


def run_topics(clips: Sequence[Clip], runner, workdir: Path, seed: int,
               settings: QuerySettings = SETTINGS) -> tuple[dict[str, Metrics], dict]:
    """Compose topics.mp4, summarize it with each scorer, score every method. runner: real.py's
    _Runner; settings: how many topics and sentences (tests make it small; gap must be 0).
    Returns (metrics per method, provenance)."""
    runner.say("composing topics.mp4")
    made = compose_query(clips, workdir / "videos", seed, settings, name="topics", pool=POOL, task_index=TASK_INDEX)
    comp = made.composition
    # a passage's piece is its footage: the passages are the pieces, in order, with no gaps
    topics = [Interval(s.start, s.end) for s in comp.spans]
    summaries = runner.summaries(made.video, workdir / "summaries" / "topics")
    runner.say("scoring topics")
    results: dict[str, Metrics] = {}
    for name, runs in runner.methods(made.video, summaries).items():
        values = [topic_metrics(topics, seg, summaries.get(name)) for seg in runs]
        results[name] = rounded({key: mean_known([v[key] for v in values]) for key in values[0]})
    first = summaries[runner.scorers[0]]
    described = {"video": str(made.video), "duration": comp.duration, "budget": first["budget"],
                 "topics": [{"topic": p.topic, "span": [t.start, t.end]} for p, t in zip(made.passages, topics)],
                 "chapters": first["chapters"],
                 "summary_text": [{"start": s["start"], "text": s["text"], "in_highlight": s.get("in_highlight")}
                                  for s in first["summary_text"]]}
    return results, described
