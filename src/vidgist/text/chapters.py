"""Chapters: topic segments of the transcript, TextTiling-style, titled by their key phrases.

The similarity of the window of sentences before each gap to the window after it dips where
the topic changes; the deepest dips (depth score, Hearst 1997) become boundaries, at the start
of the sentence that opens the new topic, or at a shot cut just before it.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from functools import cache
from itertools import pairwise

import numpy as np

from ..types import Chapter, Sentence, clock
from .sentences import CJK_LANGUAGES, is_cjk

WINDOW = 3  # sentences each side of a gap
SECONDS_PER_CHAPTER = 60.0  # at most one chapter per minute of video
CUT_SNAP = 2.0  # a boundary moves back to a shot cut this close before it
MIN_DEPTH = 0.05  # a dip shallower than this is noise whatever the statistics say

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
    welcome hello hi thanks thank guys everyone video channel subscribe
"""
STOPWORDS = frozenset(_STOPWORDS.split())
# Chinese words of two or more characters that jieba keeps but carry no topic
_STOPWORDS_ZH = """
    我们 你们 他们 她们 它们 大家 自己 这个 那个 这些 那些 这样 那样 这种 那种 一个 一些 一下 就是 然后
    因为 所以 但是 如果 还是 可以 什么 怎么 为什么 已经 没有 今天 现在 时候 知道 觉得 其实 还有 比较 应该
    需要 可能 真的 非常 而且 或者 以及 不是 这里 那里 东西 问题 一样 开始 出来 起来 进行 一直 看到 看看
    一点 很多 所有 之后 之前 以后 以前 我们的 这么 那么 的话 大家好 谢谢 视频 频道 订阅 你好 欢迎 收看
"""
STOPWORDS_ZH = frozenset(_STOPWORDS_ZH.split())


def _windows_similarity(vectors: np.ndarray, window: int) -> np.ndarray:
    """Cosine between the mean of the `window` sentences before gap i (between sentence i-1
    and i, i = 1..n-1) and the mean of the `window` after it."""
    n = len(vectors)
    out = np.zeros(max(n - 1, 0))
    for i in range(1, n):
        left = vectors[max(0, i - window) : i].mean(axis=0)
        right = vectors[i : i + window].mean(axis=0)
        norm = np.linalg.norm(left) * np.linalg.norm(right)
        out[i - 1] = left @ right / norm if norm > 0 else 0.0
    return out


def depth_scores(similarity: np.ndarray) -> np.ndarray:
    """Hearst's depth: how far a gap's similarity lies below the peaks reached by climbing
    left and right from it."""
    depth = np.zeros_like(similarity)
    for i, s in enumerate(similarity):
        left = right = s
        for v in similarity[i::-1]:
            if v < left:
                break
            left = v
        for v in similarity[i:]:
            if v < right:
                break
            right = v
        depth[i] = (left - s) + (right - s)
    return depth


def _snap(time: float, cuts: list[float]) -> float:
    """The latest shot cut within CUT_SNAP seconds before `time`, else `time`."""
    near = [c for c in cuts if time - CUT_SNAP <= c <= time]
    return max(near) if near else time


def _boundaries(
    sentences: list[Sentence],
    vectors: np.ndarray,
    cuts: list[float],
    duration: float,
    min_seconds: float,
) -> list[float]:
    if len(sentences) < 2:
        return []
    depth = depth_scores(_windows_similarity(vectors, WINDOW))
    valleys = depth[depth > 0]
    if not len(valleys):
        return []
    # TextTiling's liberal cutoff: deeper than the mean less half a standard deviation
    cutoff = max(MIN_DEPTH, valleys.mean() - valleys.std() / 2)
    most = max(1, int(duration // SECONDS_PER_CHAPTER)) - 1
    chosen: list[float] = []
    for gap in np.argsort(-depth, kind="stable"):
        if len(chosen) >= most or depth[gap] < cutoff:
            break
        time = _snap(sentences[gap + 1].start, cuts)
        edges = [0.0, *chosen, duration]
        if all(abs(time - e) >= min_seconds for e in edges):
            chosen.append(time)
    return sorted(chosen)


def _latin_terms(text: str) -> list[str]:
    """Content words and two-word phrases of content words, lower-cased."""
    terms = []
    for clause in re.split(r"[^\w'\s-]+", text.lower()):
        words = [w.strip("'-") for w in clause.split()]
        run: list[str] = []
        for w in [*words, ""]:
            if w and w not in STOPWORDS and not w.isdigit() and len(w) > 1:
                run.append(w)
                continue
            terms += run + [f"{a} {b}" for a, b in pairwise(run)]
            run = []
    return terms


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict..." on every run's stderr
    return jieba


def _chinese_terms(text: str) -> list[str]:
    """jieba words of two or more characters that are not function words or numbers."""
    words = _jieba().lcut(text)
    return [w for w in words if len(w) > 1 and w not in STOPWORDS_ZH and _is_word(w)]


def _is_word(token: str) -> bool:
    return any(c.isalnum() for c in token) and not token.isdigit()


def _idf(bags: list[Counter]) -> dict[str, float]:
    df = Counter(t for bag in bags for t in bag)
    return {t: math.log((1 + len(bags)) / (1 + d)) + 1 for t, d in df.items()}


def _title_case(phrase: str, surface: dict[str, str]) -> str:
    """Capitalise lower-case words; keep the spoken spelling of names and acronyms (GPU)."""
    return " ".join(
        surface.get(w, w) if surface.get(w, w) != w else w.capitalize() for w in phrase.split()
    )


def _pick(scores: dict[str, float], max_words: int, max_terms: int) -> list[str]:
    """The best-scoring phrases (ties: the first mentioned), skipping words already inside a
    chosen phrase."""
    picked: list[str] = []
    first = {t: i for i, t in enumerate(scores)}  # insertion order: first mention
    for term in sorted(scores, key=lambda t: (-scores[t], first[t])):
        words = term.split()
        used = {w for p in picked for w in p.split()}
        if any(w in used for w in words) or any(term in p for p in picked):
            continue
        if sum(len(p.split()) for p in picked) + len(words) > max_words:
            continue
        picked.append(term)
        if len(picked) == max_terms:
            break
    return picked


def _phrase_weight(term: str, count: int) -> float:
    """A two-word phrase said twice in a chapter names it better than either word; said once it
    is usually a chance neighbour."""
    if " " not in term:
        return 1.0
    return 1.5 if count > 1 else 0.5


def _titles(groups: list[list[Sentence]], language: str) -> list[str]:
    """For each group: its highest TF-IDF phrases, TF over the group against IDF over all the
    sentences of the transcript, so what a chapter says more than the others names it."""
    everything = [s for g in groups for s in g]
    text = " ".join(s.text for s in everything)
    chinese = language in CJK_LANGUAGES if language else is_cjk(text)
    terms = _chinese_terms if chinese else _latin_terms
    idf = _idf([Counter(terms(s.text)) for s in everything])
    surface = _surface_forms(text) if not chinese else {}
    titles = []
    for group in groups:
        tf = Counter(t for s in group for t in terms(s.text))
        scores = {t: c * idf[t] * _phrase_weight(t, c) for t, c in tf.items()}
        if chinese:
            # and a word common in all Chinese text (jieba's corpus IDF) is not a topic
            general, median = _general_idf()
            scores = {t: v * general.get(t, median) for t, v in scores.items()}
            titles.append("、".join(_pick(scores, max_words=3, max_terms=3)))
        else:
            phrases = _pick(scores, max_words=4, max_terms=3)
            titles.append(", ".join(_title_case(p, surface) for p in phrases))
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


def make_chapters(
    sentences: list[Sentence],
    vectors: np.ndarray,
    cuts: list[float],
    duration: float,
    language: str,
    min_seconds: float = 30.0,
) -> list[Chapter]:
    """Chapters covering [0, duration) without gaps, at most one per minute, none shorter than
    `min_seconds`, each titled by 2-5 words of key phrases (English) or 2-3 words joined by "、"
    (Chinese). No sentences: one untitled chapter."""
    if not sentences:
        return [Chapter(0.0, duration, title="")]
    order = sorted(range(len(sentences)), key=lambda i: sentences[i].start)
    sentences = [sentences[i] for i in order]
    vectors = np.asarray(vectors, np.float32)[order]
    bounds = _boundaries(sentences, vectors, sorted(cuts), duration, min_seconds)
    edges = [0.0, *bounds, duration]
    inner = [-math.inf, *bounds, math.inf]  # a sentence past the decoded end joins the last
    groups = [[s for s in sentences if a <= _mid(s) < b] for a, b in pairwise(inner)]
    titles = _titles(groups, language)
    return [Chapter(a, b, title=t) for (a, b), t in zip(pairwise(edges), titles)]


def _mid(sentence: Sentence) -> float:
    return (sentence.start + sentence.end) / 2


def chapters_txt(chapters: list[Chapter]) -> str:
    """YouTube's chapter list: one "m:ss Title" line per chapter (h:mm:ss past an hour), the
    first at 0:00."""
    starts = [0.0, *(c.start for c in chapters[1:])]
    lines = [f"{clock(t)} {c.title}".rstrip() for t, c in zip(starts, chapters)]
    return "\n".join(lines) + ("\n" if lines else "")
