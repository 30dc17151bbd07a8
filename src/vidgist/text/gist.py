"""The text side of a summary: what is said (or, without speech, what is shown and written),
the few sentences that carry it, and chapters. Extractive throughout: every sentence of the
summary is one that was said or shown, with its time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from ..speech import Transcript
from ..types import Chapter, Sentence
from .chapters import make_chapters
from .embed import embed_with_query, embedder_for
from .extract import DIVERSITY, centrality, mmr, sentence_relevance, summary_length
from .sentences import guess_language, sentences_from_words


MIN_LISTED = 3  # key sentences listed where the highlight has room for fewer


@dataclass
class TextSummary:
    language: str  # of the sentences summarized; "" with nothing to read
    transcript: list[Sentence] = field(default_factory=list)  # every spoken sentence
    ranked: list[Sentence] = field(default_factory=list)  # the chosen ones, the most important first
    chapters: list[Chapter] = field(default_factory=list)
    # what the key sentences are chosen from, again for a highlight (fitted)
    units: list[Sentence] = field(default_factory=list, repr=False)
    vectors: np.ndarray | None = field(default=None, repr=False)
    relevance: np.ndarray | None = field(default=None, repr=False)

    @property
    def summary(self) -> list[Sentence]:
        """The chosen sentences in time order."""
        return sorted(self.ranked, key=lambda s: (s.start, s.end))

    @property
    def spine(self) -> list[Sentence]:
        """The key sentences a highlight should show being said (ranked): none without speech."""
        return self.ranked if self.transcript else []

    @property
    def source(self) -> str:
        """'speech', 'screen' (what is shown and written), or '' (nothing to read)."""
        return "speech" if self.transcript else (self.summary[0].source if self.summary else "")

    def fitted(self, cost: Callable[[list[int]], float], capacity: float) -> TextSummary:
        """The key sentences chosen with the highlight: the same count, centrality and diversity,
        but the first MIN_LISTED each the best of the sentences that still fit `capacity`
        seconds beside those picked (cost: the seconds a set of `units` takes in the highlight,
        inf where one cannot be cut out cleanly), then more only where the highlight can show
        them and they are nearly as good as the best left (see mmr). A video that does not talk
        is returned as it is."""
        if not self.transcript or self.vectors is None or not self.ranked:
            return self
        similarity = self.vectors @ self.vectors.T
        chosen = mmr(self.relevance, similarity, len(self.ranked), DIVERSITY, cost, capacity, least=MIN_LISTED)
        return replace(self, ranked=[self.units[i] for i in chosen])


def summarize_text(transcript: Transcript | None, shown: list[Sentence], cuts: list[float],
                   duration: float, query: str | None = None,
                   frames: tuple[np.ndarray, np.ndarray] | None = None) -> TextSummary:
    """shown: on-screen text and visual labels as sentences, what is summarized where nothing is
    said; frames: (times, features) of the picture, which chapters follow too."""
    spoken = sentences_from_words(transcript.words, transcript.language) if transcript else []
    units = spoken or sorted(shown, key=lambda s: s.start)
    if not units:
        return TextSummary("", chapters=[Chapter(0.0, duration)])
    language = transcript.language if spoken else guess_language(" ".join(s.text for s in units))
    vectors, focus = embed_with_query(embedder_for(language), [s.text for s in units], query)
    relevance = sentence_relevance(vectors, focus)
    chosen = mmr(relevance, vectors @ vectors.T, summary_length(duration, len(units)), DIVERSITY)
    screen = [s for s in shown if s.source == "screen"] if spoken else []  # else they are the units
    chapters = make_chapters(units, vectors, cuts, duration, language, frames=frames, screen=screen)
    return TextSummary(language, spoken, [units[i] for i in chosen], chapters, units, vectors, relevance)


UNSPOKEN = 0.05  # importance between sentences, so silence and music come last


def spoken_importance(transcript: Transcript, times: np.ndarray) -> np.ndarray:
    """(T,) importance of a recording without pictures: at each time, the TextRank centrality of
    the sentence being said (the more a sentence shares with the rest, the more it is the gist)."""
    scores = np.full(len(times), UNSPOKEN, np.float32)
    sentences = sentences_from_words(transcript.words, transcript.language)
    if not sentences:
        return scores
    vectors = embedder_for(transcript.language).embed([s.text for s in sentences])
    for sentence, value in zip(sentences, centrality(vectors)):
        inside = (times >= sentence.start) & (times < sentence.end)
        scores[inside] = max(UNSPOKEN, float(value))
    return scores
