"""The text side of a summary: what is said (or, without speech, what is shown and written),
the few sentences that carry it, and chapters. Extractive throughout: every sentence of the
summary is one that was said or shown, with its time."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..speech import Transcript
from ..types import Chapter, Sentence
from .chapters import make_chapters
from .embed import embed_with_query, embedder_for
from .extract import centrality, summarize_sentences, summary_length
from .sentences import guess_language, sentences_from_words


@dataclass
class TextSummary:
    language: str  # of the sentences summarized; "" with nothing to read
    transcript: list[Sentence] = field(default_factory=list)  # every spoken sentence
    summary: list[Sentence] = field(default_factory=list)  # the chosen ones, in time order
    chapters: list[Chapter] = field(default_factory=list)

    @property
    def source(self) -> str:
        """'speech', 'screen' (what is shown and written), or '' (nothing to read)."""
        return "speech" if self.transcript else (self.summary[0].source if self.summary else "")


def summarize_text(transcript: Transcript | None, shown: list[Sentence], cuts: list[float],
                   duration: float, query: str | None = None) -> TextSummary:
    """shown: on-screen text and visual labels as sentences, used where nothing is said."""
    spoken = sentences_from_words(transcript.words, transcript.language) if transcript else []
    units = spoken or sorted(shown, key=lambda s: s.start)
    if not units:
        return TextSummary("", chapters=[Chapter(0.0, duration)])
    language = transcript.language if spoken else guess_language(" ".join(s.text for s in units))
    vectors, focus = embed_with_query(embedder_for(language), [s.text for s in units], query)
    chosen = summarize_sentences(units, vectors, summary_length(duration, len(units)), focus=focus)
    chapters = make_chapters(units, vectors, cuts, duration, language)
    return TextSummary(language, spoken, chosen, chapters)


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
