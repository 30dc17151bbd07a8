"""Chapters: where the topic changes, in what is said, written and shown, each titled by the
phrase that best represents it.

At each gap between sentences three signals compare the stretch before it with the stretch
after it (after TextTiling, Hearst 1997): the sentences' meaning (the WINDOW sentences each
side), the picture (the frame features within PICTURE_WINDOW seconds), and, in a video that
talks, the on-screen text. Each says how unlike the two sides are against how alike each side
is within (change(): scale-free, so they combine); the sentences lead and the others raise it
(topic_change()). The gaps that change by CHANGE or more become boundaries, the largest first,
no chapter shorter than MIN_CHAPTER (YouTube's shortest), at the start of the sentence that
opens the new topic, or at a shot cut just before it: no fixed number a minute. The title: of the chapter's candidate phrases (runs of content
words), the one whose embedding lies nearest the chapter's meaning and farthest from the other
chapters'.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import cache
from itertools import pairwise

import numpy as np

from ..types import Chapter, Sentence, clock
from .embed import SentenceEmbedder, embedder_for
from .sentences import CJK_LANGUAGES, is_cjk

WINDOW = 3  # sentences each side of a gap
SHARP_WINDOW = 2  # ... for the sharper, noisier measure that places a boundary (see _boundaries)
MIN_CHAPTER = 10.0  # seconds: YouTube's shortest chapter
CUT_SNAP = 2.0  # a boundary moves back to a shot cut this close before it
CHANGE = 0.6  # topic_change() from which a gap is a boundary: the sentences' meaning or more than a new picture
PICTURE_WEIGHT = 0.5  # a change in the picture alone reaches half way to a topic change
SCREEN_WEIGHT = 0.25  # ... in the on-screen text, a quarter: OCR lines are short and often partial
PICTURE_WINDOW = 5.0  # seconds either side of a gap the picture is compared over: a cut is sharp
TITLE_CANDIDATES = 40  # phrases per chapter embedded, the best by TF-IDF
MAX_PHRASE = 4  # words in an English title phrase
MAX_PHRASE_ZH = 2  # jieba words in a Chinese one: longer runs are clauses ("倒入鸡蛋炒熟盛出")
NOUN_LIKE = ("n", "vn", "eng")  # jieba tags a Chinese title phrase ends in: nouns, verbal nouns, Latin words
DISTINCT = 0.5  # how much a phrase's likeness to other chapters counts against it
LONGER = 0.02  # a little for each word past the first: "tomato sauce" names more than "sauce"

# English function words and spoken fillers that never make a title
_STOPWORDS = """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't could couldn't did didn't do does doesn't
    doing don't down during each few for from further had has have having he her here hers
    herself him himself his how i if in into is isn't it it's its itself just let's me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that that's the their theirs them themselves then there
    there's these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours yourself yourselves i'm
    you're we're they're i've you've we've i'll you'll we'll i'd he's she's won't wouldn't
    okay ok yeah yes um uh oh like well really actually basically right gonna wanna going get
    got gets make makes made thing things lot lots kind sort way one two first next go goes
    went see look know think want need say said says tell today let us new good great much
    many every even still back maybe something anything everything people time little bit
    welcome hello hi thanks thank guys everyone video channel subscribe whose sometimes always
    never often usually simply exactly totally freely clearly quickly automatically luckily
    finally probably especially certainly easily together anywhere everywhere somewhere ago
    almost enough quite rather perhaps soon later yet ever else instead already
"""
STOPWORDS = frozenset(_STOPWORDS.split())
JOINERS = frozenset({"of"})  # may sit inside a title phrase: "Loaf of Bread"
# the word after these is a verb often enough that it never goes into a title
BEFORE_VERB = frozenset("""i you we they he she it who to will would can could should shall may might must
    don't doesn't didn't can't won't wouldn't couldn't shouldn't let's i'll you'll we'll they'll""".split())
# Chinese words of two or more characters that jieba keeps but carry no topic
_STOPWORDS_ZH = """
    我们 你们 他们 她们 它们 大家 自己 这个 那个 这些 那些 这样 那样 这种 那种 一个 一些 一下 就是 然后
    因为 所以 但是 如果 还是 可以 什么 怎么 为什么 已经 没有 今天 现在 时候 知道 觉得 其实 还有 比较 应该
    需要 可能 真的 非常 而且 或者 以及 不是 这里 那里 东西 问题 一样 开始 出来 起来 进行 一直 看到 看看
    一点 很多 所有 之后 之前 以后 以前 我们的 这么 那么 的话 大家好 谢谢 视频 频道 订阅 你好 欢迎 收看
"""
STOPWORDS_ZH = frozenset(_STOPWORDS_ZH.split())


def _gap_windows(sentences: list[Sentence], window: int) -> list[tuple[float, float, float]]:
    """For each gap: (start of the window before, the gap's middle, end of the window after),
    the windows spanning the `window` sentences each side, in seconds."""
    n = len(sentences)
    return [(sentences[max(0, i - window)].start, (sentences[i - 1].end + sentences[i].start) / 2,
             sentences[min(n, i + window) - 1].end) for i in range(1, n)]


def change(left: np.ndarray, right: np.ndarray) -> float:
    """How unlike two sets of unit vectors are, measured against how alike each is within
    itself: 1 - (mean cosine across) / (mean cosine within), in [0, 1]: about 0 where the two
    sides are as alike as each side is inside, 1 where they share nothing. Scale-free, so
    sentence meaning and picture features compare. NaN where neither side has two vectors."""
    within = [_mean_pair_cosine(side) for side in (left, right) if len(side) > 1]
    if not within or not len(left) or not len(right) or np.mean(within) <= 0:
        return math.nan
    across = float((left @ right.T).mean())
    return float(np.clip(1 - across / np.mean(within), 0.0, 1.0))


def _mean_pair_cosine(x: np.ndarray) -> float:
    n = len(x)
    return float(((x @ x.T).sum() - np.trace(x @ x.T)) / (n * (n - 1)))


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _changes(times: np.ndarray, vectors: np.ndarray, windows: list[tuple[float, float, float]],
             most: int = 64) -> np.ndarray:
    """change() between the vectors timed in [a, m) and in [m, b) for each window, at most
    `most` evenly spread a side."""
    out = np.full(len(windows), np.nan)
    for k, (a, m, b) in enumerate(windows):
        sides = [np.flatnonzero((times >= lo) & (times < hi)) for lo, hi in ((a, m), (m, b))]
        left, right = (vectors[i[np.linspace(0, len(i) - 1, min(len(i), most)).astype(int)]] if len(i) else
                       vectors[:0] for i in sides)
        out[k] = change(left, right)
    return out


def topic_change(sentences: list[Sentence], vectors: np.ndarray, frames: tuple[np.ndarray, np.ndarray] | None = None,
                 screen: tuple[np.ndarray, np.ndarray] | None = None, window: int = WINDOW) -> np.ndarray:
    """(n-1,) how much the content changes at each gap between sentences, 0..1.

    The sentences lead: change() of their meaning, the `window` sentences either side. The picture
    (frame features centred on the video's mean, so that what all frames share does not count,
    within PICTURE_WINDOW seconds of the gap) and the on-screen text lines raise it, each by a
    share of what the sentences leave (1 - (1 - text)(1 - w x picture)...): a new picture over a
    sentence that already turns counts, a new picture alone (the camera cuts to the slides)
    does not make a topic, and a still picture never vetoes one."""
    windows = _gap_windows(sentences, window)
    middles = np.asarray([(s.start + s.end) / 2 for s in sentences])
    unchanged = 1 - np.nan_to_num(_changes(middles, _unit(vectors), windows))
    if frames is not None and len(frames[0]):
        times, features = frames
        near = [(max(a, m - PICTURE_WINDOW), m, min(b, m + PICTURE_WINDOW)) for a, m, b in windows]
        unchanged *= 1 - PICTURE_WEIGHT * np.nan_to_num(_changes(times, _unit(features - features.mean(axis=0)), near))
    if screen is not None and len(screen[0]):
        unchanged *= 1 - SCREEN_WEIGHT * np.nan_to_num(_changes(screen[0], _unit(screen[1]), windows))
    return 1 - unchanged


def _snap(time: float, cuts: list[float]) -> float:
    """The latest shot cut within CUT_SNAP seconds before `time`, else `time`."""
    near = [c for c in cuts if time - CUT_SNAP <= c <= time]
    return max(near) if near else time


def _boundaries(sentences: list[Sentence], changes: np.ndarray, sharp: np.ndarray, cuts: list[float],
                duration: float, min_seconds: float) -> list[float]:
    """The gaps where the content changes by at least CHANGE, the largest changes first, each
    moved to the neighbouring gap where the change is sharpest (`sharp`: over SHARP_WINDOW
    sentences; a wide window also changes a sentence away from a change where topics are
    short), and at least min_seconds from the others and the ends."""
    chosen: list[float] = []
    for gap in np.argsort(-changes, kind="stable"):
        if changes[gap] < CHANGE:
            break
        near = range(max(0, gap - 1), min(len(sharp), gap + 2))
        gap = max(near, key=lambda g: (sharp[g], g == gap))
        time = _snap(sentences[gap + 1].start, cuts)
        if all(abs(time - e) >= min_seconds for e in [0.0, *chosen, duration]):
            chosen.append(time)
    return sorted(chosen)


def _content(word: str) -> bool:
    return len(word) > 1 and word not in STOPWORDS and not word.isdigit()


def _latin_words(text: str) -> list[str]:
    """The content words, lower-cased."""
    return [w for w in (w.strip("'-") for w in re.findall(r"[\w'-]+", text.lower())) if _content(w)]


def _latin_phrases(text: str) -> list[tuple[str, ...]]:
    """Runs of up to MAX_PHRASE lower-cased content words within a clause, with joiners inside
    ("loaf of bread"), and no verb where one can be told without a tagger: the word after a
    subject pronoun, a modal or "to" ("we provide free licenses" gives "free licenses")."""
    out = []
    for clause in re.split(r"[^\w'\s-]+", text.lower()):
        words = [w.strip("'-") for w in clause.split()]
        usable = [_content(w) and not _verb_or_adverb(w) and not (k and words[k - 1] in BEFORE_VERB)
                  for k, w in enumerate(words)]
        for i in range(len(words)):
            if not usable[i]:
                continue
            for j in range(i, min(len(words), i + MAX_PHRASE)):
                if usable[j]:
                    out.append(tuple(words[i : j + 1]))
                elif words[j] not in JOINERS:
                    break
    return out


def _verb_or_adverb(word: str) -> bool:
    """By its ending: "scored", "tuned" (a verb or participle; "speed" is not), "slowly" (an
    adverb; "family", "supply", "assembly", "butterfly" are not). Not what a title names."""
    if len(word) >= 5 and word.endswith("ed") and not word.endswith("eed"):
        return True
    return len(word) >= 6 and word.endswith("ly") and not word.endswith(("ily", "ply", "bly", "fly"))


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict..." on every run's stderr
    return jieba


def _chinese_terms(text: str) -> list[str]:
    """jieba words of two or more characters that are not function words or numbers."""
    return [w for w in _jieba().lcut(text) if _chinese_content(w)]


def _chinese_content(word: str) -> bool:
    return len(word) > 1 and word not in STOPWORDS_ZH and any(c.isalnum() for c in word) and not word.isdigit()


def _chinese_phrases(text: str) -> list[tuple[str, ...]]:
    """Noun phrases: runs of up to MAX_PHRASE_ZH consecutive content words (jieba, with its
    part-of-speech tags) within a clause that end in a noun, led by nouns or adjectives."""
    import jieba.posseg

    _jieba()
    out = []
    for clause in re.split(r"[\s,.!?;:，。！？、；：]+", text):
        tagged = [(w, flag) for w, flag in jieba.posseg.lcut(clause)]
        for i in range(len(tagged)):
            for j in range(i, min(len(tagged), i + MAX_PHRASE_ZH)):
                word, flag = tagged[j]
                if not _chinese_content(word) or not flag.startswith(NOUN_LIKE + ("a",)):
                    break
                if flag.startswith(NOUN_LIKE):
                    out.append(tuple(w for w, _ in tagged[i : j + 1]))
    return out


def _idf(bags: list[Counter]) -> dict[str, float]:
    df = Counter(t for bag in bags for t in bag)
    return {t: math.log((1 + len(bags)) / (1 + d)) + 1 for t, d in df.items()}


def _title_case(phrase: tuple[str, ...], surface: dict[str, str]) -> str:
    """Capitalise the words but the joiners inside ("Loaf of Bread"); keep the spoken spelling
    of names and acronyms (GPU)."""
    out = []
    for k, w in enumerate(phrase):
        spoken = surface.get(w, w)
        out.append(spoken if spoken != w else w if (k and w in JOINERS) else w.capitalize())
    return " ".join(out)


def _shortlist(group: list[Sentence], chinese: bool, idf: dict[str, float]) -> list[tuple[str, ...]]:
    """The group's TITLE_CANDIDATES most promising phrases: the mean TF-IDF of their content
    words (times jieba's corpus IDF in Chinese, where a word common in all text is no topic),
    more for a phrase said again; ties: the first said."""
    terms, phrases = (_chinese_terms, _chinese_phrases) if chinese else (_latin_words, _latin_phrases)
    tf = Counter(t for s in group for t in terms(s.text))
    said = Counter(p for s in group for p in phrases(s.text))
    general, median = _general_idf() if chinese else ({}, 1.0)

    def promise(phrase: tuple[str, ...]) -> float:
        words = [w for w in phrase if w in tf]
        if not words:
            return 0.0
        weight = np.mean([tf[w] * idf.get(w, 1.0) * (general.get(w, median) if chinese else 1.0) for w in words])
        return float(weight) * (1 + math.log(said[phrase]))

    first = {p: k for k, p in enumerate(said)}
    return sorted(said, key=lambda p: (-promise(p), first[p]))[:TITLE_CANDIDATES]


def _titles(groups: list[list[Sentence]], vectors: list[np.ndarray], language: str,
            embedder: SentenceEmbedder) -> list[str]:
    """For each group of sentences (and their vectors), the candidate phrase most like the
    group's meaning and least like the other groups' (KeyBERT-style, with MiniLM in English)."""
    everything = [s for g in groups for s in g]
    text = " ".join(s.text for s in everything)
    chinese = language in CJK_LANGUAGES if language else is_cjk(text)
    terms = _chinese_terms if chinese else _latin_words
    idf = _idf([Counter(terms(s.text)) for s in everything])
    shortlists = [_shortlist(g, chinese, idf) for g in groups]
    phrases = list(dict.fromkeys(p for short in shortlists for p in short))
    if not phrases:
        return [""] * len(groups)
    joined = ["".join(p) if chinese else " ".join(p) for p in phrases]
    if embedder.fitted:  # vectors of one call only compare with each other: embed it all at once
        both = embedder.embed([*("".join(s.text for s in g) for g in groups), *joined])
        means, found = both[: len(groups)], both[len(groups) :]
    else:
        means = np.stack([v.mean(axis=0) if len(v) else np.zeros(v.shape[1]) for v in vectors])
        found = embedder.embed(joined)
    means = means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
    likeness = found @ means.T  # (phrases, groups)
    index = {p: k for k, p in enumerate(phrases)}
    surface = {} if chinese else _surface_forms(text)
    titles = []
    for g, short in enumerate(shortlists):
        if not short:
            titles.append("")
            continue
        others = np.delete(likeness, g, axis=1)

        def fit(p: tuple[str, ...]) -> float:
            k = index[p]
            unlike = DISTINCT * others[k].max() if others.shape[1] else 0.0
            return likeness[k, g] - unlike + LONGER * (len(p) - 1)

        best = max(short, key=fit)
        titles.append("".join(best) if chinese else _title_case(best, surface))
    return titles


def _surface_forms(text: str) -> dict[str, str]:
    """Lower-case word -> its most frequent spelling in the transcript."""
    counts = Counter(re.findall(r"[\w'-]+", text))
    out: dict[str, str] = {}
    for word, _ in counts.most_common():
        out.setdefault(word.lower(), word)
    return out


@cache
def _general_idf() -> tuple[dict[str, float], float]:
    """jieba's IDF from its general corpus, and its median for unknown words."""
    _jieba()
    import jieba.analyse

    tfidf = jieba.analyse.default_tfidf
    return tfidf.idf_freq, tfidf.median_idf


def make_chapters(sentences: list[Sentence], vectors: np.ndarray, cuts: list[float], duration: float,
                  language: str, *, frames: tuple[np.ndarray, np.ndarray] | None = None,
                  screen: Sequence[Sentence] = (), embedder: SentenceEmbedder | None = None,
                  min_seconds: float = MIN_CHAPTER) -> list[Chapter]:
    """Chapters covering [0, duration) without gaps, none shorter than `min_seconds`, where the
    content changes (sentences with their unit `vectors`; frames: (times, features) of the
    picture; screen: on-screen text lines), each titled by a phrase in the language of the
    sentences. No sentences: one untitled chapter."""
    if not sentences:
        return [Chapter(0.0, duration, title="")]
    embedder = embedder or embedder_for(language)
    order = sorted(range(len(sentences)), key=lambda i: sentences[i].start)
    sentences = [sentences[i] for i in order]
    vectors = np.asarray(vectors, np.float32)[order]
    lines = sorted(screen, key=lambda s: s.start)
    written = (np.asarray([_mid(s) for s in lines]), embedder.embed([s.text for s in lines])) if lines else None
    bounds = []
    if len(sentences) > 1:
        sharp = topic_change(sentences, vectors, frames, written, window=SHARP_WINDOW)
        changes = topic_change(sentences, vectors, frames, written)
        bounds = _boundaries(sentences, changes, sharp, sorted(cuts), duration, min_seconds)
    edges = [0.0, *bounds, duration]
    inner = [-math.inf, *bounds, math.inf]  # a sentence past the decoded end joins the last
    members = [[k for k, s in enumerate(sentences) if a <= _mid(s) < b] for a, b in pairwise(inner)]
    titles = _titles([[sentences[k] for k in m] for m in members], [vectors[m] for m in members], language, embedder)
    return [Chapter(a, b, title=t) for (a, b), t in zip(pairwise(edges), titles)]


def _mid(sentence: Sentence) -> float:
    return (sentence.start + sentence.end) / 2


def chapters_txt(chapters: list[Chapter]) -> str:
    """YouTube's chapter list: one "m:ss Title" line per chapter (h:mm:ss past an hour), the
    first at 0:00."""
    starts = [0.0, *(c.start for c in chapters[1:])]
    lines = [f"{clock(t)} {c.title}".rstrip() for t, c in zip(starts, chapters)]
    return "\n".join(lines) + ("\n" if lines else "")
