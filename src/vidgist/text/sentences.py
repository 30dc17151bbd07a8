"""Sentences from timed words (speech) or from plain text (on-screen text), English and Chinese.

Whisper's English comes with punctuation, its Chinese often without any, so a sentence ends at
sentence-final punctuation, else at a pause between words, else when it grows too long; a long
one is broken at a clause mark (，、,;) where there is one, else at the widest gap between words.
"""

from __future__ import annotations

import re

from ..types import Sentence, Word

SENTENCE_END = ".!?。！？…"
CLAUSE_MARKS = ",;:，、；："
CLOSERS = "\"')]}”’」』）】》"  # may follow the final mark: 'He said "stop."'
CJK_LANGUAGES = {"zh", "ja", "ko", "yue"}
# a spoken Chinese sentence of ~40 characters takes ~10 s; Latin text is ~5x longer per idea
MAX_CHARS = {"cjk": 40, "latin": 250}
# "Mr." and friends end with a period but not a sentence
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "st", "vs", "e.g", "i.e", "jr", "sr"}

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def is_cjk(text: str) -> bool:
    """True when the text is mostly CJK by meaning: one CJK character carries about as much as
    a four-letter word, so a Chinese line holding an English name still counts."""
    cjk = len(_CJK.findall(text))
    return cjk > 0 and cjk >= len(_LATIN.findall(text)) / 4


def guess_language(text: str) -> str:
    """Language code from the characters alone: "zh" for CJK text (Japanese and Korean too, as
    they need the same rules), else "en"."""
    return "zh" if is_cjk(text) else "en"


def _cjk_rules(language: str, text: str) -> bool:
    return language in CJK_LANGUAGES if language else is_cjk(text)


def default_max_chars(language: str, text: str = "") -> int:
    return MAX_CHARS["cjk" if _cjk_rules(language, text) else "latin"]


def _ends_sentence(token: str) -> bool:
    token = token.strip().rstrip(CLOSERS)
    if not token or token[-1] not in SENTENCE_END:
        return False
    return not (token.endswith(".") and token[:-1].lower().lstrip("(\"'") in ABBREVIATIONS)


def _ends_clause(token: str) -> bool:
    token = token.strip().rstrip(CLOSERS)
    return bool(token) and token[-1] in CLAUSE_MARKS


def _join(words: list[Word]) -> str:
    return "".join(w.text for w in words).strip()


def _sentence(words: list[Word], language: str) -> Sentence:
    text = _join(words)
    lang = language or guess_language(text)
    return Sentence(words[0].start, words[-1].end, text=text, source="speech", language=lang)


def _break_index(words: list[Word], max_chars: int) -> int:
    """Where to cut an over-long run of words: after the last clause mark that leaves a first
    part of at least a third of the limit, else at the widest pause, else before the last word."""
    lengths = [len(_join(words[: i + 1])) for i in range(len(words))]
    for i in range(len(words) - 2, -1, -1):
        if _ends_clause(words[i].text) and max_chars / 3 <= lengths[i] <= max_chars:
            return i + 1
    gaps = [(words[i + 1].start - words[i].end, i + 1) for i in range(len(words) - 1)]
    fitting = [g for g in gaps if lengths[g[1] - 1] <= max_chars]
    if fitting:
        widest, index = max(fitting)
        if widest > 0:
            return index
    return max(1, len(words) - 1)


def sentences_from_words(
    words: list[Word], language: str, pause: float = 0.8, max_chars: int | None = None
) -> list[Sentence]:
    """Group timed words into sentences. `max_chars` defaults to 40 for CJK languages and 250
    otherwise; `language` "" guesses from the text of the words."""
    words = [w for w in words if w.text.strip()]
    if not words:
        return []
    limit = max_chars or default_max_chars(language, _join(words[:50]))
    out: list[Sentence] = []
    run: list[Word] = []
    for word in words:
        if run and word.start - run[-1].end >= pause:
            out.append(_sentence(run, language))
            run = []
        run.append(word)
        while len(_join(run)) > limit and len(run) > 1:
            cut = _break_index(run, limit)
            out.append(_sentence(run[:cut], language))
            run = run[cut:]
        if _ends_sentence(word.text):
            out.append(_sentence(run, language))
            run = []
    if run:
        out.append(_sentence(run, language))
    return out


# a break goes after a final mark and its closing quotes: CJK marks need no space after them
_CJK_END = re.compile(rf"([。！？]+[{re.escape(CLOSERS)}]*)")
_LATIN_END = re.compile(rf"([.!?…]+[{re.escape(CLOSERS)}]*)\s+")


def _split_long(text: str, limit: int, cjk: bool) -> list[str]:
    """Break a piece longer than `limit` at clause marks, else at spaces (Latin) or anywhere."""
    out = []
    while len(text) > limit:
        head = text[:limit]
        marks = [i for i, c in enumerate(head) if c in CLAUSE_MARKS and i + 1 >= limit / 3]
        spaces = [i for i, c in enumerate(head) if c.isspace() and i >= limit / 3]
        cut = marks[-1] + 1 if marks else (spaces[-1] + 1 if spaces and not cjk else limit)
        out.append(text[:cut].strip())
        text = text[cut:].strip()
    return [*out, text] if text else out


def split_sentences(text: str, language: str) -> list[str]:
    """Split plain text into stripped sentences at final punctuation and line breaks; pieces
    longer than the language's limit are broken at clause marks."""
    pieces: list[str] = []
    marked = _LATIN_END.sub("\\1\n", _CJK_END.sub("\\1\n", text))
    for raw in marked.split("\n"):
        piece = raw.strip()
        if not piece:
            continue
        if pieces and _joins_previous(pieces[-1]):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    cjk = _cjk_rules(language, text)
    limit = default_max_chars(language, text)
    return [part for piece in pieces for part in _split_long(piece, limit, cjk)]


def _joins_previous(previous: str) -> bool:
    """The previous piece ended in an abbreviation ("Dr."), so the split was wrong."""
    last = previous.split()[-1] if previous.split() else ""
    return last.endswith(".") and not _ends_sentence(last)
