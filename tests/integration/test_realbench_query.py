"""realbench's query task: the recall arithmetic and the plan on hand-made input, and (opt-in)
the task on ../shared/media, with its composed ground truth checked against the audio."""

import itertools
import json
import shutil
from pathlib import Path

import av
import numpy as np
import pytest
from conftest import SHARED_MEDIA

from vidgist.bench.compose import FPS, Clip, frame_db, layout
from vidgist.bench.query import (
    PAD,
    TOPICS,
    Passage,
    QuerySettings,
    passage_share,
    plan_query,
    query_metrics,
    recalled,
    text_hit,
)
from vidgist.bench.real import TASKS, format_table, run_realbench
from vidgist.cli.bench import REAL_TASKS
from vidgist.types import Interval

I = Interval


# -- metrics on hand-made intervals -----------------------------------------------------------------


def test_a_passage_is_recalled_with_half_its_speech_time_in_the_summary():
    passage = I(10, 20)
    assert passage_share([I(0, 12), I(15, 16), I(19, 30)], passage) == pytest.approx(0.4)  # 2 + 1 + 1 s
    assert not recalled([I(0, 12), I(15, 16), I(19, 30)], passage)
    assert recalled([I(12, 17)], passage)  # exactly half
    assert not recalled([I(12, 16.9)], passage)
    assert recalled([I(5, 25)], passage) and passage_share([I(5, 25)], passage) == 1.0
    assert not recalled([], passage)


def test_a_sentence_is_from_the_passage_when_half_of_it_lies_inside():
    passage = I(10, 20)
    assert text_hit([I(2, 5), I(9, 12)], passage)  # 2 of its 3 s inside
    assert not text_hit([I(2, 5), I(8, 11)], passage)  # 1 of 3 s
    assert text_hit([I(18, 22)], passage)  # exactly half
    assert text_hit([I(15, 15)], passage) and not text_hit([I(20, 20)], passage)  # no length: its start
    assert not text_hit([], passage)


def passages() -> list[Passage]:
    return [Passage(10, 20, "cooking", "baking bread"), Passage(40, 50, "football", "soccer"),
            Passage(70, 80, "music", "orchestra")]


def test_query_metrics_are_means_over_the_topics():
    asked = {"cooking": [I(9, 21)], "football": [I(40, 44)], "music": [I(72, 80)]}  # 1.0, 0.4, 0.8
    unasked = [I(10, 16), I(60, 75)]  # cooking 0.6, football 0, music 0.5
    asked_text = {"cooking": [I(11, 14)], "football": [I(30, 41)], "music": [I(0, 2), I(74, 76)]}
    unasked_text = [I(45, 48)]
    m = query_metrics(passages(), asked, unasked, asked_text, unasked_text)
    assert m["query_recall"] == pytest.approx(2 / 3)
    assert m["query_recall_unasked"] == pytest.approx(2 / 3)
    assert m["query_text_hit"] == pytest.approx(2 / 3)
    assert m["query_text_hit_unasked"] == pytest.approx(1 / 3)
    # a baseline: the same summary for every query, no text summary
    plain = [I(12, 19), I(40, 41)]
    b = query_metrics(passages(), dict.fromkeys(["cooking", "football", "music"], plain), plain)
    assert b["query_recall"] == b["query_recall_unasked"] == pytest.approx(1 / 3)
    assert b["query_text_hit"] is None and b["query_text_hit_unasked"] is None
    with pytest.raises(ValueError):
        query_metrics([], {}, [])


def test_topics_are_distinct_and_queries_do_not_quote_the_passages():
    assert len({t.name for t in TOPICS}) == len(TOPICS) == 6
    for t in TOPICS:
        assert t.query.lower() not in " ".join(t.sentences).lower()
        assert 2 <= len(t.sentences) <= 3


# -- the plan on made-up clips --------------------------------------------------------------------


def fake_clip(clip_id: int, duration: float) -> Clip:
    return Clip(clip_id, Path(f"clip{clip_id}.mp4"), duration, 0, False, (), 0.02, False)


def test_plan_puts_each_passage_on_footage_of_its_own_between_gaps():
    clips = [fake_clip(0, 180), fake_clip(1, 80), fake_clip(2, 30), fake_clip(3, 14), fake_clip(4, 10),
             fake_clip(5, 8)]
    settings = QuerySettings()
    speech = [300, 350, 280, 320, 310, 290]  # frames of speech
    plan, where = plan_query(clips, speech, settings, np.random.default_rng([3, 4]))
    comp = layout(plan, clips, Path("query.mp4"), 3)
    assert len(where) == 6 and all(a < b for a, b in itertools.pairwise(where))
    for k, n in zip(where, speech):
        assert round(plan.pieces[k].seconds * FPS) == n + 2 * round(PAD * FPS)
    footage = [(p.clip, p.start, p.start + p.seconds) for p in (plan.pieces[k] for k in where)]
    for (c1, a1, b1), (c2, a2, b2) in itertools.combinations(footage, 2):  # no passage footage twice
        assert c1 != c2 or b1 <= a2 or b2 <= a1
    for piece in plan.pieces:  # gaps never show passage footage
        if piece not in [plan.pieces[k] for k in where]:
            assert all(c != piece.clip or piece.start + piece.seconds <= a + 1e-6 or b <= piece.start + 1e-6
                       for c, a, b in footage)
        assert piece.start + piece.seconds <= clips[piece.clip].duration
    assert all(a.clip != b.clip for a, b in itertools.pairwise(plan.pieces))
    edges = [0.0] + [x for k in where for x in (comp.spans[k].start, comp.spans[k].end)] + [comp.duration]
    gaps = [b - a for a, b in zip(edges[::2], edges[1::2])]
    assert len(gaps) == 7 and all(15.0 - 0.05 <= g <= 25.0 + 0.05 for g in gaps)
    again, _ = plan_query(clips, speech, settings, np.random.default_rng([3, 4]))
    assert again == plan


def test_the_table_and_the_cli_know_the_task():
    assert TASKS == REAL_TASKS
    result = {"tasks": {"query": {"greedy": {"query_recall": 0.5, "query_recall_unasked": 0.25,
                                             "query_text_hit": 1.0},
                                  "random": {"query_recall": 0.1, "query_recall_unasked": 0.1,
                                             "query_text_hit": None}}}}
    table = format_table(result)
    assert table.splitlines()[0] == "| method | query_recall | query_recall_unasked | query_text_hit |"
    assert "| greedy | 0.500 | 0.250 | 1.000 |" in table and "| random | 0.100 | 0.100 | - |" in table


def test_unknown_task_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown tasks"):
        run_realbench(tmp_path, tmp_path, only=["nonsense"])


# -- the real clips (opt-in) ----------------------------------------------------------------------


def audio_db(path: Path) -> np.ndarray:
    """dBFS of 20 ms frames of the file's audio, mono at 48 kHz."""
    with av.open(str(path)) as c:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=48_000)
        pcm = np.concatenate([f.to_ndarray().ravel() for fr in c.decode(audio=0) for f in resampler.resample(fr)])
    return frame_db(pcm, 48_000)


SMALL = QuerySettings(topics=3, sentences=1, gap=(5.0, 8.0), gap_piece=(2.0, 4.0))


@pytest.mark.shared
def test_query_task_on_shared_media(tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    result = run_realbench(SHARED_MEDIA, tmp_path, seed=0, only=["query"], query_settings=SMALL)
    print(format_table(result))
    assert set(result["tasks"]) == {"query"}, result["notes"]
    described = result["provenance"]["query"]
    record = json.loads(Path(described["provenance"]).read_text())
    passages = record["passages"]
    assert len(passages) == 3 and len({p["topic"] for p in passages}) == 3
    # the truth: speech exactly inside the passages, silence between them
    db = audio_db(Path(described["video"]))
    assert abs(len(db) * 0.02 - record["duration"]) < 0.1
    edges = [0.0] + [x for p in passages for x in (p["start"], p["end"])] + [record["duration"]]
    for p in passages:
        inside = db[round(p["start"] / 0.02) : round(p["end"] / 0.02)]
        assert 3.0 <= p["end"] - p["start"] <= 8.0  # one sentence
        assert (inside > -50).mean() > 0.6 and np.median(inside) > -35, p  # mostly speaking
        # it starts and ends where recorded: silence up to 20 ms before, speech in the first
        # and last 60 ms, silence again from 20 ms after
        a, b = round(p["start"] / 0.02), round(p["end"] / 0.02)
        assert db[a - 10 : a - 1].max() < -60 and db[a : a + 3].max() > -50, p
        assert db[b - 3 : b].max() > -50 and db[b + 1 : b + 10].max() < -60, p
    for a, b in zip(edges[::2], edges[1::2]):  # before, between and after the passages
        assert b - a >= 5.0 - 0.05
        assert db[round((a + 0.1) / 0.02) : round((b - 0.1) / 0.02)].max() < -60, (a, b)
    # the metrics: every method, every topic, in [0, 1]
    metrics = result["tasks"]["query"]
    assert set(metrics) == {"greedy", "uniform", "random", "scenedetect"}
    for method, values in metrics.items():
        for key in ("query_recall", "query_recall_unasked"):
            assert 0 <= values[key] <= 1, (method, key, values)
    for key in ("query_text_hit", "query_text_hit_unasked"):
        assert 0 <= metrics["greedy"][key] <= 1
    for topic, numbers in described["topics"].items():
        assert set(numbers["methods"]) == set(metrics), topic
        greedy = numbers["methods"]["greedy"]
        assert 0 <= greedy["share"] <= 1 and 0 <= greedy["share_unasked"] <= 1
        print(topic, numbers["query"], greedy)
    # --query shows the passages asked for more often than the same summary made without it
    # (this small setting measured 0.667 against 0.333; the full task, 1.0 against 0.167)
    greedy = metrics["greedy"]
    assert greedy["query_recall"] > greedy["query_recall_unasked"], greedy
