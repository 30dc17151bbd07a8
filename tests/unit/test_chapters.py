from itertools import pairwise

import numpy as np
import pytest

from vidgist.text.chapters import chapters_txt, make_chapters
from vidgist.text.embed import CharNgramEmbedder, MiniLMEmbedder
from vidgist.types import Chapter, Sentence

COOKING = [
    "Today we are making a simple tomato pasta sauce at home.",
    "First, chop two onions and three cloves of garlic.",
    "Heat olive oil in a large pan and fry the onions until soft.",
    "Add the garlic and cook it for one more minute.",
    "Pour in a can of crushed tomatoes and a pinch of salt.",
    "Let the sauce simmer gently for twenty minutes.",
    "Meanwhile, boil the pasta in plenty of salted water.",
    "Drain the pasta and stir it into the tomato sauce with fresh basil.",
]
FOOTBALL = [
    "Now let's talk about last night's football match.",
    "The home team scored an early goal from a corner kick.",
    "Their striker missed a penalty just before half time.",
    "In the second half the visitors equalised with a header.",
    "The referee showed two yellow cards for rough tackles.",
    "The goalkeeper made a brilliant save in the final minute.",
    "The match ended in a draw, one goal each.",
    "Both teams stay in the middle of the league table.",
]
COOKING_ZH = [
    "今天我们在家做一道简单的番茄鸡蛋面。", "先把两个番茄切成小块，鸡蛋打散备用。",
    "锅里放油，油热以后倒入鸡蛋炒熟盛出。", "再放一点油，把番茄炒出汁来。",
    "番茄出汁以后加入炒好的鸡蛋和一点盐。", "另起一锅水，水开以后下面条。",
    "面条煮熟以后捞出来放进碗里。", "最后把番茄鸡蛋浇在面条上，撒点葱花就好了。",
]
FOOTBALL_ZH = [
    "接下来聊聊昨晚的足球比赛。", "主队开场十分钟就靠角球打进一球。",
    "上半场结束前客队前锋罚丢了点球。", "下半场客队用一个头球扳平了比分。",
    "裁判因为几次粗野的铲球出示了两张黄牌。", "比赛最后一分钟守门员做出了精彩的扑救。",
    "最终两队一比一战平。", "两支球队在联赛积分榜上都排在中游。",
]
STEP = 8.0  # seconds per sentence: 16 sentences, 128 s, the topic changes at 64 s


def timed(texts, language):
    return [
        Sentence(i * STEP, i * STEP + STEP - 0.5, text=t, language=language)
        for i, t in enumerate(texts)
    ]


@pytest.fixture(scope="module")
def minilm():
    return MiniLMEmbedder()


@pytest.fixture(scope="module")
def english(minilm):
    texts = COOKING + FOOTBALL
    return timed(texts, "en"), minilm.embed(texts)


def covers(chapters, duration):
    assert chapters[0].start == 0 and chapters[-1].end == duration
    assert all(a.end == b.start and a.start < a.end for a, b in pairwise(chapters))


def test_two_topics_give_a_boundary_at_the_change_and_topical_titles(english):
    ss, v = english
    chapters = make_chapters(ss, v, cuts=[], duration=128.0, language="en")
    covers(chapters, 128.0)
    assert len(chapters) == 2
    assert abs(chapters[1].start - 64.0) <= STEP  # within one sentence
    cooking, football = (c.title.lower() for c in chapters)
    assert any(w in cooking for w in ("pasta", "sauce", "tomato", "garlic", "onion"))
    assert any(w in football for w in ("goal", "match", "football", "penalty", "referee"))
    assert all(1 <= len(c.title.split()) <= 4 and "," not in c.title for c in chapters)  # a phrase, not a list
    assert chapters[0].title == chapters[0].title.title()  # title-cased


def test_boundary_moves_to_a_shot_cut_just_before_it(english):
    ss, v = english
    start = make_chapters(ss, v, cuts=[], duration=128.0, language="en")[1].start
    snapped = make_chapters(ss, v, cuts=[10.0, start - 1.5, 100.0], duration=128.0, language="en")
    assert snapped[1].start == start - 1.5 and snapped[0].end == start - 1.5
    # a cut after the sentence start, or too far before it, does not move the boundary
    for cut in (start + 1.0, start - 3.0):
        assert make_chapters(ss, v, cuts=[cut], duration=128.0, language="en")[1].start == start


def test_chapters_as_short_as_the_content_changes(english):
    ss, v = english
    # the same talk three times faster: the topic changes at 21 s of 43, both halves >= 10 s
    squeezed = [Sentence(s.start / 3, s.end / 3, text=s.text) for s in ss]
    chapters = make_chapters(squeezed, v, cuts=[], duration=43.0, language="en")
    assert len(chapters) == 2 and abs(chapters[1].start - 64.0 / 3) <= STEP / 3
    # eight times faster: a chapter would be under MIN_CHAPTER (10 s)
    fast = [Sentence(s.start / 8, s.end / 8, text=s.text) for s in ss]
    assert len(make_chapters(fast, v, cuts=[], duration=16.0, language="en")) == 1
    assert len(make_chapters(ss, v, cuts=[], duration=128.0, language="en", min_seconds=70)) == 1


def test_one_topic_is_one_chapter_whatever_the_picture_does(minilm):
    """Sixteen sentences of one recipe: no boundary from the words' small turns, nor from a
    new picture alone (a camera that cuts to the stove); the same picture change under a turn
    of topic confirms it, and a still picture does not hide one."""
    texts = COOKING + COOKING[::-1]
    ss, v = timed(texts, "en"), minilm.embed(texts)
    times = np.arange(0.0, 128.0, 0.5)
    rng = np.random.default_rng(0)
    before, after = rng.random(64), rng.random(64)
    cut = (np.where((times < 64)[:, None], before, after) + 0.05 * rng.random((len(times), 64))).astype(np.float32)
    still = np.repeat(before[None], len(times), axis=0).astype(np.float32)
    assert len(make_chapters(ss, v, [], 128.0, "en")) == 1
    assert len(make_chapters(ss, v, [], 128.0, "en", frames=(times, cut))) == 1
    two = COOKING + FOOTBALL
    ss2, v2 = timed(two, "en"), minilm.embed(two)
    for frames in ((times, cut), (times, still)):
        chapters = make_chapters(ss2, v2, [], 128.0, "en", frames=frames)
        assert [c.start for c in chapters] == [0.0, 64.0]


def test_chinese_two_topics():
    texts = COOKING_ZH + FOOTBALL_ZH
    chapters = make_chapters(timed(texts, "zh"), CharNgramEmbedder().embed(texts), [], 128.0, "zh")
    covers(chapters, 128.0)
    assert len(chapters) == 2 and abs(chapters[1].start - 64.0) <= STEP
    assert "番茄" in chapters[0].title or "鸡蛋" in chapters[0].title
    assert any(w in chapters[1].title for w in ("足球", "比赛", "客队", "点球", "球队", "守门员"))
    assert all(c.title and " " not in c.title and "、" not in c.title and len(c.title) <= 8 for c in chapters)


def test_no_sentences_give_one_untitled_chapter():
    got = make_chapters([], np.zeros((0, 384)), [5.0], 42.0, "en")
    assert got == [Chapter(0.0, 42.0, title="")]


def test_one_sentence_gives_one_titled_chapter(minilm):
    ss = [Sentence(3.0, 6.0, text="Welcome to the tomato garden tour.", language="en")]
    (chapter,) = make_chapters(ss, minilm.embed([ss[0].text]), [], 20.0, "en")
    assert (chapter.start, chapter.end) == (0.0, 20.0) and "Tomato" in chapter.title


def test_chapters_txt():
    chapters = [
        Chapter(0.0, 65.4, title="Intro"),
        Chapter(65.4, 3661.9, title="Tomato Sauce, Pasta"),
        Chapter(3661.9, 3700.0, title=""),
    ]
    assert chapters_txt(chapters) == "0:00 Intro\n1:05 Tomato Sauce, Pasta\n1:01:01\n"
    # the first line is 0:00 even if a chapter list starts late
    assert chapters_txt([Chapter(2.0, 10.0, title="A")]) == "0:00 A\n"
    assert chapters_txt([]) == ""
