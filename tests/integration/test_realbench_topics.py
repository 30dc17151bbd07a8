"""realbench's topics task: one story in every form on a narrated video of distinct topics.
The metrics on hand-made truth; the task on generated clips narrated by espeak-ng; (opt-in) on
../shared/media, with the acceptance figures."""

import shutil

import pytest
from conftest import SHARED_MEDIA

from vidgist.bench.compose import BenchSettings
from vidgist.bench.query import QuerySettings
from vidgist.bench.real import format_table, run_realbench
from vidgist.bench.topics import topic_metrics
from vidgist.types import Interval

I = Interval
TOPICS = [I(0, 12), I(12, 25), I(25, 40), I(40, 52)]


def summary(sentences, chapters, keyframes) -> dict:
    return {"summary_text": [{"start": a, "end": b, "source": "speech"} for a, b in sentences],
            "chapters": [{"start": a, "end": b} for a, b in chapters],
            "keyframes": [{"time": t} for t in keyframes]}


def test_topic_metrics_on_hand_made_truth():
    made = summary(sentences=[(1, 4), (13, 17), (41, 45)], chapters=[(0, 11), (11, 27.5), (27.5, 52)],
                   keyframes=[2, 14, 30])
    segments = [I(0.8, 4.2), I(13, 16), I(30, 32)]
    m = topic_metrics(TOPICS, segments, made)
    assert m["sentences_shown"] == pytest.approx(1 / 3)  # (13, 17) is cut at 16, (41, 45) not shown
    assert (m["topics_touched"], m["segments"], m["topics_per_segment"]) == (3, 3, 1.0)
    assert m["chapter_recall"] == pytest.approx(2 / 3)  # 12 (11) and 25 (27.5) within 3 s; 40 not
    assert m["storyboard_topics"] == pytest.approx(3 / 4) and m["chapters"] == 3
    # two segments on one topic while others go unshown
    assert topic_metrics(TOPICS, [I(1, 3), I(5, 8)], made)["topics_per_segment"] == 0.5
    baseline = topic_metrics(TOPICS, segments, None)
    assert baseline["sentences_shown"] is None and baseline["topics_touched"] == 3


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="needs espeak-ng")
def test_the_highlight_speaks_the_summary_on_generated_topics(tmp_path):
    """Four topics of three sentences over four generated clips (about 52 s, at 30 %): a chapter
    at two of the three changes, a tile for every topic, most of the text summary said in the
    highlight (Whisper hears each passage as one or two long sentences here, 7-12 s, so of the
    three the summary lists one may not fit 16 s), and segments on different topics. x264 does
    not encode these clips bit for bit the same from run to run (thread count pinned or not),
    and in about one run in six the leftover second goes to a topic already shown, 2 topics in
    3 segments: the bound allows that one. (realbench's own videos are bit-exact.)"""
    from test_realbench import drifting_clip

    media = tmp_path / "media"
    media.mkdir()
    for k in range(4):
        drifting_clip(media / f"{k}.mp4", [(18, 30 + k)], tone_hz=None)
    result = run_realbench(media, tmp_path / "work", only=["topics"], settings=BenchSettings(ratio=0.3),
                           topic_settings=QuerySettings(topics=4, sentences=3, gap=(0.0, 0.0)))
    m = result["tasks"]["topics"]["greedy"]
    print(format_table(result))
    assert m["sentences_shown"] >= 2 / 3 and m["topics_per_segment"] >= 2 / 3 and m["topics_touched"] >= 2
    assert m["chapter_recall"] >= 2 / 3 and m["storyboard_topics"] == 1.0


@pytest.mark.shared
def test_topics_on_shared_media(tmp_path):
    """The acceptance: >= 80 % of the summary's sentences shown whole, a topic per segment,
    chapter-boundary recall >= 0.7, a storyboard tile for every topic."""
    result = run_realbench(SHARED_MEDIA, tmp_path, only=["topics"])
    print(format_table(result))
    m = result["tasks"]["topics"]["greedy"]
    assert m["sentences_shown"] >= 0.8 and m["topics_per_segment"] == 1.0
    assert m["chapter_recall"] >= 0.7 and m["storyboard_topics"] == 1.0
