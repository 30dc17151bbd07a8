"""Search the library: moments, best first, by words and by meaning.

Two kinds of ranking, fused by reciprocal rank fusion (score = sum over rankings of
1 / (RRF_K + rank), rank 1 the best; Cormack et al. 2009, k = 60):

- words: FTS5's bm25 over the moments' words (store.words: jieba for Chinese), the query's
  words joined by OR, so a moment with some of them is found and bm25 puts those with more, and
  rarer, ones first. Function words ("the", "的") are left out of the query unless it has
  nothing else: on their own they would put any line holding "the" above a paraphrase's match.
- meaning: one ranking per sentence embedder in the library, the exact cosine of the query's
  vector to every moment of that embedder (numpy; vectors of different embedders are never
  compared). A fitted embedder (character n-gram TF-IDF, for Chinese) is fitted again over the
  library's texts and the query together, as the summarizer does within one video. Only moments
  with a positive cosine are ranked.

A moment that both rankings find beats one that only one finds at the same rank.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np

from ..errors import InputError
from ..text.embed import CharNgramEmbedder, SentenceEmbedder, char_ngrams, create_embedder, embed_with_query
from .store import Library, words

RRF_K = 60
DEFAULT_LIMIT = 10

STOPWORDS = frozenset("""
    a an and are as at be been but by can could did do does for from had has have he her his i if in
    into is it its me my of on or our she so than that the their them then there these they this those
    to was we were what when where which who will with would you your
    的 了 和 是 在 也 都 就 而 与 及 着 或 把 被 之 呢 吗 吧 啊 呀
""".split())


@dataclass(frozen=True)
class Hit:
    path: str
    start: float  # seconds in the source timeline; the moment is [start, end)
    end: float
    text: str
    source: str  # speech | screen | labels
    score: float  # reciprocal rank fusion: higher is better

    def to_json(self) -> dict:
        d = asdict(self)
        d["start"], d["end"], d["score"] = round(self.start, 3), round(self.end, 3), round(self.score, 6)
        return d


def search_library(library: Library, query: str, limit: int = DEFAULT_LIMIT) -> list[Hit]:
    """The `limit` moments that best match the query. InputError for a library with nothing in
    it; ValueError for an empty query."""
    query = query.strip()
    if not query:
        raise ValueError("the query is empty")
    if library.moment_count() == 0:
        raise InputError(f"the library at {library.folder} holds nothing to search yet: "
                         "index some videos with `vidgist index PATH`")
    rankings = [library.match(q)] if (q := fts_query(query)) else []
    rankings += [meaning_ranking(library, name, query) for name in library.embedders()]
    scores = fuse(rankings)
    best = sorted(scores, key=lambda i: (-scores[i], i))[:limit]
    found = library.moments(best)
    return [Hit(found[i].path, found[i].start, found[i].end, found[i].text, found[i].source, scores[i])
            for i in best]


def fts_query(query: str) -> str:
    """The query's words as an FTS5 query: each quoted (no operators from the user's text),
    joined by OR; function words dropped unless that leaves nothing. "" without a word."""
    found = list(dict.fromkeys(words(query)))
    content = [w for w in found if w not in STOPWORDS] or found
    return " OR ".join(f'"{w}"' for w in content)  # words() holds only letters and digits


def fuse(rankings: list[list[int]], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion of rankings of ids, best first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, moment in enumerate(ranking, 1):
            scores[moment] = scores.get(moment, 0.0) + 1.0 / (k + rank)
    return scores


def meaning_ranking(library: Library, embedder_name: str, query: str) -> list[int]:
    """Ids of the moments of one embedder by cosine to the query, best first; positive only."""
    try:
        embedder = create_embedder(embedder_name)
    except ValueError:  # written by a vidgist with an embedder this one lacks
        return []
    if embedder.fitted:
        ids, texts = library.texts(embedder_name)
        similarity = fitted_similarity(embedder, texts, query)
    else:
        ids, matrix = library.vectors(embedder_name)
        similarity = matrix @ embedder.embed([query])[0] if len(ids) else np.zeros(0, np.float32)
    order = np.lexsort((ids, -similarity))  # by cosine, ties by id: the same order every run
    return [int(ids[i]) for i in order if similarity[i] > 0]


def fitted_similarity(embedder: SentenceEmbedder, texts: list[str], query: str) -> np.ndarray:
    """(N,) cosine of the query to each text under an embedder fitted on the texts and the query
    together (embed_with_query)."""
    if not texts:
        return np.zeros(0, np.float32)
    if isinstance(embedder, CharNgramEmbedder):
        return char_ngram_similarity(texts, query)
    vectors, focus = embed_with_query(embedder, texts, query)
    return vectors @ focus


def char_ngram_similarity(texts: list[str], query: str) -> np.ndarray:
    """The numbers CharNgramEmbedder gives (its sublinear tf, smoothed idf over texts + query,
    cosine), computed sparsely: its dense (N, vocabulary) matrix would take gigabytes for a
    library of some thousand Chinese sentences, while only texts sharing a term with the query
    have a cosine above 0."""
    bags = [Counter(char_ngrams(t)) for t in texts]
    asked = Counter(char_ngrams(query))
    df = Counter(asked.keys())
    for bag in bags:
        df.update(bag.keys())
    n = len(texts) + 1

    def weighted(bag: Counter) -> dict[str, float]:
        return {t: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in bag.items()}

    def norm(w: dict[str, float]) -> float:
        return math.sqrt(sum(x * x for x in w.values()))

    q = weighted(asked)
    q_norm = norm(q)
    similarity = np.zeros(len(texts), np.float32)
    if q_norm == 0:
        return similarity
    for i, bag in enumerate(bags):
        shared = bag.keys() & q.keys()
        if shared:
            w = weighted(bag)
            similarity[i] = sum(q[t] * w[t] for t in shared) / (q_norm * norm(w))
    return similarity
