"""Query focus: how much each sampled frame is about a text query, from what is said, written
on screen and shown (labels) around it. No image-text model exists offline (docs: MODELS.md), so
a query is matched against text only, with the same sentence embeddings as the summary."""

from __future__ import annotations

import numpy as np

from ..types import Sentence
from .embed import embed_with_query, embedder_for
from .sentences import guess_language

# cosine under which a text is not about the query. MiniLM puts unrelated English pairs at
# -0.1..0.1 and paraphrases at 0.6-0.8 (tests/unit/test_text_summary.py)
FLOOR = 0.2
BOOST = 2.0  # a frame entirely about the query counts (1 + BOOST) times as much


def query_relevance(query: str, items: list[Sentence], times: np.ndarray) -> np.ndarray:
    """(T,) in [0, 1]: at each time, the relevance of the most relevant item shown or said then;
    1 for the best match, 0 under FLOOR (and everywhere when nothing passes it)."""
    out = np.zeros(len(times), np.float32)
    if not items:
        return out
    texts = [s.text for s in items]
    vectors, focus = embed_with_query(embedder_for(guess_language(" ".join(texts))), texts, query)
    similarity = vectors @ focus
    top = float(similarity.max())
    if top <= FLOOR:
        return out
    relevance = np.clip((similarity - FLOOR) / (top - FLOOR), 0, 1)
    for item, r in zip(items, relevance):
        inside = (times >= item.start) & (times < item.end)
        out[inside] = np.maximum(out[inside], r)
    return out


def focused(scores: np.ndarray, relevance: np.ndarray) -> np.ndarray:
    """Importance raised where the query matches, kept in [0, 1]."""
    return (scores * (1 + BOOST * relevance) / (1 + BOOST)).astype(np.float32)
