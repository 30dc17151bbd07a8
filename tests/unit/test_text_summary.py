"""Embedders (with the measurement that picks one per language) and the extractive summary."""

import hashlib
import math

import numpy as np
import pytest

from vidgist.errors import VidgistError
from vidgist.text.embed import (
    CharNgramEmbedder,
    MiniLMEmbedder,
    check_sha256,
    embed_with_query,
    embedder_for,
)
from vidgist.text.extract import mmr, summarize_sentences, summary_length, textrank
from vidgist.types import Sentence

# 4 topics x 5 sentences per language, written to share few words within a topic, so the test
# rewards meaning over word overlap
EN = {
    "weather": [
        "It will rain heavily tomorrow afternoon, so bring an umbrella.",
        "The forecast says temperatures drop below freezing this weekend.",
        "A strong wind and thunderstorms are expected along the coast.",
        "After a week of sunshine, clouds are finally moving in from the west.",
        "Snow covered the streets overnight and the airport closed.",
    ],
    "cooking": [
        "Chop the onions finely and fry them in butter until golden.",
        "Season the soup with salt, pepper and a little fresh thyme.",
        "Bake the bread at two hundred degrees for about forty minutes.",
        "Whisk the eggs with sugar before folding in the flour.",
        "Let the steak rest for five minutes after grilling it.",
    ],
    "football": [
        "The striker scored twice in the second half to win the match.",
        "Our goalkeeper saved a penalty in the last minute.",
        "The referee showed a red card after a dangerous tackle.",
        "The team climbed to third place in the league table.",
        "Fans sang in the stadium long after the final whistle.",
    ],
    "computers": [
        "My laptop gets slow when too many programs are open.",
        "Install the latest update to fix the security bug.",
        "The new processor has eight cores and a large cache.",
        "Back up your files before you reformat the hard drive.",
        "The software crashes whenever I plug in a second monitor.",
    ],
}
ZH = {
    "weather": [
        "明天下午有大雨，出门记得带伞。",
        "天气预报说这个周末气温会降到零度以下。",
        "沿海地区预计会有强风和雷阵雨。",
        "晴了一个星期以后，云终于从西边飘过来了。",
        "昨晚下了一夜的雪，机场已经关闭。",
    ],
    "cooking": [
        "把洋葱切碎，用黄油炒到金黄色。",
        "汤里加一点盐、胡椒和新鲜的香草调味。",
        "面包放进烤箱，两百度烤四十分钟左右。",
        "先把鸡蛋和白糖打匀，再拌入面粉。",
        "牛排煎好以后要静置五分钟再切。",
    ],
    "football": [
        "这名前锋下半场梅开二度，帮助球队赢下比赛。",
        "我们的守门员在最后一分钟扑出了点球。",
        "裁判因为一次危险的铲球出示了红牌。",
        "球队在联赛积分榜上升到了第三名。",
        "终场哨响以后，球迷们还在球场里唱歌。",
    ],
    "computers": [
        "同时打开太多程序的时候，我的笔记本电脑就会变慢。",
        "安装最新的更新来修复这个安全漏洞。",
        "新的处理器有八个核心和很大的缓存。",
        "重装系统之前先把文件备份好。",
        "每次接上第二台显示器，这个软件就会崩溃。",
    ],
}


@pytest.fixture(scope="module")
def minilm():
    return MiniLMEmbedder()


def nn_accuracy(vectors, labels):
    """Share of sentences whose nearest other sentence has the same topic."""
    sim = vectors @ vectors.T
    np.fill_diagonal(sim, -np.inf)
    return float(np.mean(labels[sim.argmax(axis=1)] == labels))


def measure(data, embedder):
    texts = [t for topic in data.values() for t in topic]
    labels = np.repeat(np.arange(len(data)), [len(v) for v in data.values()])
    return nn_accuracy(embedder.embed(texts), labels)


def test_minilm_rows_are_unit_and_paraphrases_beat_unrelated_pairs(minilm):
    v = minilm.embed([
        "A man is playing a guitar.",
        "Someone plays the guitar.",
        "The stock market fell sharply today.",
        "Share prices dropped a lot this afternoon.",
    ])
    assert v.shape == (4, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    sim = v @ v.T
    assert min(sim[0, 1], sim[2, 3]) > max(sim[0, 2], sim[0, 3], sim[1, 2], sim[1, 3]) + 0.3


def test_minilm_batching_and_padding_do_not_change_a_vector(minilm):
    texts = ["Short.", "A much longer sentence that needs many more word pieces than the first."]
    together = minilm.embed(texts)
    alone = np.vstack([minilm.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)
    assert minilm.embed([]).shape == (0, 384)


def test_minilm_truncates_long_input(minilm):
    assert minilm.embed(["word " * 2000]).shape == (1, 384)


def test_the_chosen_embedder_wins_the_nearest_neighbour_measurement(minilm):
    # measured: English MiniLM 1.00 vs char-ngram 0.40; Chinese char-ngram 0.65 vs MiniLM 0.50;
    # chance is about 4/19 = 0.21
    chars = CharNgramEmbedder()
    en = {"minilm": measure(EN, minilm), "char-ngram": measure(EN, chars)}
    zh = {"minilm": measure(ZH, minilm), "char-ngram": measure(ZH, chars)}
    assert embedder_for("en").name == "minilm" and embedder_for("zh").name == "char-ngram"
    assert en["minilm"] >= 0.9 and en["minilm"] > en["char-ngram"]
    assert zh["char-ngram"] >= 0.6 and zh["char-ngram"] > zh["minilm"]


def test_char_ngram_embedder_shares_space_within_one_call():
    vectors, query = embed_with_query(CharNgramEmbedder(), ["番茄炒蛋很好吃", "足球比赛很精彩", ""], "足球")
    assert vectors.shape[0] == 3 and query.shape == (vectors.shape[1],)
    assert np.argmax(vectors @ query) == 1
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1) and not vectors[2].any()


def sentences(texts, step=5.0):
    return [
        Sentence(i * step, i * step + step - 0.5, text=t, language="en")
        for i, t in enumerate(texts)
    ]


COOKING = [
    "Today we are making a simple tomato pasta sauce at home.",
    "First, chop two onions and three cloves of garlic.",
    "Heat olive oil in a large pan and fry the onions until soft.",
    "Pour in a can of crushed tomatoes and let the sauce simmer.",
    "Boil the pasta in plenty of salted water.",
    "Drain the pasta and stir it into the tomato sauce.",
]


def test_textrank_ranks_the_hub_of_a_star_highest():
    sim = np.eye(5)
    sim[0, 1:] = sim[1:, 0] = 0.8
    rank = textrank(sim)
    assert np.isclose(rank.sum(), 1) and np.argmax(rank) == 0
    assert np.allclose(textrank(np.eye(3)), 1 / 3)  # no edges: uniform


def test_summary_does_not_pick_two_near_duplicates(minilm):
    texts = [*COOKING, "Drain the pasta, then stir it into the tomato sauce."]
    ss = sentences(texts)
    v = minilm.embed(texts)
    assert v[5] @ v[6] > 0.9
    # both duplicates are among the most central, so plain ranking would take both
    assert {5, 6} <= set(np.argsort(-textrank(v @ v.T))[:3])
    picked = summarize_sentences(ss, v, 3)
    assert len(picked) == 3 and not {ss[5], ss[6]} <= set(picked)
    assert picked[0] == ss[int(np.argmax(textrank(v @ v.T)))]  # the most central first


def test_focus_pulls_a_matching_sentence_into_the_summary(minilm):
    texts = [*COOKING, "After dinner we watched the football match on television."]
    ss = sentences(texts)
    v = minilm.embed(texts)
    football = ss[-1]
    assert football not in summarize_sentences(ss, v, 2)
    focus = minilm.embed(["football game"])[0]
    assert football in summarize_sentences(ss, v, 2, focus=focus)


def test_summary_of_tiny_inputs(minilm):
    assert summarize_sentences([], np.zeros((0, 384), np.float32), 3) == []
    one = sentences(["Only one thing was said."])
    assert summarize_sentences(one, minilm.embed([one[0].text]), 3) == one
    two = sentences(["Hello there.", "Goodbye now."])
    assert sorted(summarize_sentences(two, minilm.embed([s.text for s in two]), 5), key=lambda s: s.start) == two
    assert summarize_sentences(two, minilm.embed([s.text for s in two]), 0) == []


def test_summary_length():
    assert summary_length(30, 20) == 3
    assert 3 <= summary_length(180, 35) <= 6
    assert summary_length(600, 200) > summary_length(180, 200)
    assert summary_length(3 * 3600, 3000) <= 15
    assert summary_length(180, 2) == 2 and summary_length(180, 0) == 0


def test_a_model_file_with_the_wrong_checksum_is_refused(tmp_path):
    model = tmp_path / "model.onnx"
    model.write_bytes(b"not the model")
    check_sha256(model, hashlib.sha256(b"not the model").hexdigest(), "reinstall")
    with pytest.raises(VidgistError, match="sha256.*reinstall"):
        check_sha256(model, "0" * 64, "reinstall")


def test_mmr_with_a_highlight_budget_shows_the_key_sentences_it_has_room_for():
    """Five items: 0 and 1 share one 6-s piece, 2 costs 8 s, 3 cannot be cut out (inf), 4 is
    cheap (1 s) but barely relevant. With 7 s: 0 and 1 are shown together; the cheap 4 does
    not pass a better one, but the first `least` are all shown where any fits; where none
    does, the best of the rest is listed, not shown."""
    relevance = np.asarray([0.9, 0.8, 0.85, 1.0, 0.1])
    similarity = np.eye(5)
    pieces = {0: (0.0, 6.0), 1: (0.0, 6.0), 2: (10.0, 18.0), 4: (20.0, 21.0)}

    def cost(items: list[int]) -> float:
        if any(i not in pieces for i in items):
            return math.inf
        return sum(b - a for a, b in {pieces[i] for i in items})

    assert mmr(relevance, similarity, 4, 0.3, cost, capacity=7.0) == [0, 1]  # 1 for free beside 0
    assert mmr(relevance, similarity, 4, 0.3, cost, capacity=7.0, least=3) == [0, 1, 4]
    assert mmr(relevance, similarity, 4, 0.3, cost, capacity=6.0, least=3) == [0, 1, 3]  # 3 listed, not shown
    assert mmr(relevance, similarity, 4, 0.3) == [3, 0, 2, 1]  # without a budget: by relevance
    assert mmr(relevance, similarity, 4, 0.3, cost, capacity=0.5, least=2) == [3, 0]  # none fits
