"""Index files into the library: walk the paths, skip what is up to date, analyse the rest with
the one pipeline, and write each file to the store as soon as it is done.

A file is media when `probe` accepts it, whatever its name. A file probe refuses is passed over
in silence unless its name says it is audio or video (`MEDIA_SUFFIXES`): then it is a broken
media file, recorded as failed like one that probes but cannot be analysed. Failures never stop
the batch; they are tried again on the next run (a failure is not a result to keep).

A file is unchanged, and not analysed again, when the library holds it under the same path,
content key (vidgist.features.cache.content_key) and index settings (speech, OCR, the analysis
versions: the library then says what these settings would find). Its size and mtime are kept
too, so an untouched file is not even hashed again. With --prune, files under the given paths
that no longer exist are forgotten.

With jobs > 1, files are analysed in worker processes (spawned: no forked model sessions or
threads); only this process writes the store, in the order results arrive. At most `jobs` files
are in flight, so a stopped run loses at most those.
"""

from __future__ import annotations

import mimetypes
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import InputError, VidgistError
from ..features.cache import content_key
from ..media.probe import probe
from ..options import SummarizeOptions
from ..pipeline import DECODE_VERSION, OCR_VERSION, SPEECH_VERSION, Summarizer
from ..text.embed import embedder_for
from ..text.sentences import guess_language
from ..types import Interval, Sentence, Summary
from .store import IndexedFile, Library, Moment, settings_text

INDEX_VERSION = 1  # bump when what is taken from an analysis into the library changes

# names that claim audio or video: probe refusing such a file is a failure worth reporting
MEDIA_SUFFIXES = frozenset(
    ".3g2 .3gp .aac .aif .aiff .amr .ape .asf .avi .divx .dv .f4v .flac .flv .h264 .hevc .m1v .m2t .m2ts .m2v "
    ".m4a .m4b .m4v .mj2 .mjpeg .mka .mkv .mod .mov .mp2 .mp3 .mp4 .mpeg .mpg .mts .mxf .nut .oga .ogg .ogv "
    ".opus .qt .rm .rmvb .spx .tod .ts .vob .wav .weba .webm .wma .wmv .wv .y4m".split())

# progress(files done, files to analyse): the library prints nothing; the CLI draws a bar
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IndexOptions:
    summarize: SummarizeOptions = field(default_factory=SummarizeOptions)  # speech, OCR, cache
    jobs: int = 1  # files analysed at once, one worker process each (1: in this process)
    outputs: Path | None = None  # also write each file's summary to outputs/<relative path without suffix>/
    prune: bool = False  # forget files under the given paths that no longer exist

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {self.jobs}")

    def settings(self) -> dict:
        """What shapes a file's entry in the library: a file indexed otherwise is indexed again."""
        opt = self.summarize
        return {"index": INDEX_VERSION, "decode": DECODE_VERSION, "speech_version": SPEECH_VERSION,
                "ocr_version": OCR_VERSION, **opt.decode_key(), **opt.speech_key(), "ocr": opt.ocr}


@dataclass(frozen=True)
class Failure:
    path: str
    error: str  # one line, without the path
    exit_code: int = InputError.exit_code


@dataclass
class IndexReport:
    indexed: int = 0
    unchanged: int = 0
    pruned: int = 0
    failed: list[Failure] = field(default_factory=list)

    def line(self) -> str:
        return f"indexed {self.indexed}, unchanged {self.unchanged}, failed {len(self.failed)}, pruned {self.pruned}"

    @property
    def exit_code(self) -> int:
        """That of the first failure, as `vidgist summarize` does with several inputs; 0 without."""
        return self.failed[0].exit_code if self.failed else 0


@dataclass(frozen=True)
class _Job:
    """One file to analyse: everything a worker process needs, and what the driver stores with it."""

    path: str
    key: str
    size: int
    mtime_ns: int
    outdir: Path | None
    options: SummarizeOptions


def index_paths(paths: Sequence[Path], library: Library, options: IndexOptions | None = None,
                progress: Progress | None = None) -> IndexReport:
    """Bring the library up to date with these files and folders (folders walked recursively)."""
    options = options or IndexOptions()
    progress = progress or (lambda done, total: None)
    # resolved here, so worker processes use the same cache whatever their environment
    summarize = replace(options.summarize, cache_dir=options.summarize.resolved_cache_dir())
    if options.jobs > 1 and not summarize.threads:  # the cores are shared among the workers
        summarize = replace(summarize, threads=max(1, (os.cpu_count() or 1) // options.jobs))
    options = replace(options, summarize=summarize)
    roots = [Path(os.path.abspath(p)) for p in paths]
    if not options.prune:
        for root in roots:
            if not root.exists():
                raise InputError(f"{root}: no such file or folder")
    settings = options.settings()
    report = IndexReport()
    # the library and the outputs are not material: summary.mp4 files would be indexed next time
    skip = {os.path.abspath(library.folder)} | ({os.path.abspath(options.outputs)} if options.outputs else set())
    todo = [job for path, root in _walk(roots, skip)
            if (job := _plan(path, root, library, options, settings, report)) is not None]
    progress(0, len(todo))
    for done, (job, result) in enumerate(_analysed(todo, options.jobs), 1):
        if isinstance(result, IndexedFile):
            library.put(result, settings, job.size, job.mtime_ns)
            report.indexed += 1
        else:
            library.put_failed(job.path, job.key, settings, job.size, job.mtime_ns, result.error)
            report.failed.append(result)
        progress(done, len(todo))
    if options.prune:
        gone = [f.path for f in library.files() if _under(f.path, roots) and not os.path.exists(f.path)]
        report.pruned += library.remove(gone)
    return report


# -- finding the work ------------------------------------------------------------------------------
def _walk(roots: list[Path], skip: set[str]) -> Iterator[tuple[str, Path]]:
    """(absolute path, the root it was found under) of every file, each once, in a stable order.
    Hidden files and folders (".git", ".DS_Store") are passed over inside folders; symlinked
    folders are not followed (no cycles)."""
    seen: set[str] = set()
    for root in roots:
        if root.is_file():
            found = [str(root)]
        elif root.is_dir():
            found = []
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and os.path.join(folder, d) not in skip)
                found += [os.path.join(folder, f) for f in sorted(files) if not f.startswith(".")]
        else:
            continue  # gone (allowed with --prune)
        for path in found:
            if path not in seen and os.path.isfile(path):
                seen.add(path)
                yield path, root


def _plan(path: str, root: Path, library: Library, options: IndexOptions, settings: dict,
          report: IndexReport) -> _Job | None:
    """The job for a file that needs analysing; None for one that is up to date, not media, or
    broken (recorded here)."""
    outdir = None
    if options.outputs is not None:
        relative = Path(path).relative_to(root) if root.is_dir() else Path(Path(path).name)
        outdir = options.outputs / relative.with_suffix("")
    record = library.file(path)
    current = (record is not None and record.status == "ok" and record.settings == settings_text(settings)
               and (outdir is None or (outdir / "summary.json").is_file()))
    key, size, mtime_ns = "", 0, 0  # what is known of a file that cannot be read
    try:
        stat = os.stat(path)
        size, mtime_ns = stat.st_size, stat.st_mtime_ns
        if current and (record.size, record.mtime_ns) == (size, mtime_ns):
            report.unchanged += 1
            return None
        key = content_key(Path(path))
        if current and record.key == key:
            library.touch(path, size, mtime_ns)
            report.unchanged += 1
            return None
        probe(Path(path))
    except (InputError, OSError) as e:
        error = e if isinstance(e, InputError) else InputError(f"{path}: {e.strerror or e}")
        if _claims_media(path):
            failure = _failure(path, error)
            library.put_failed(path, key, settings, size, mtime_ns, failure.error)
            report.failed.append(failure)
        elif record is not None:  # it was media once; what the library says of it is stale
            report.pruned += library.remove([path])
        return None
    return _Job(path, key, size, mtime_ns, outdir, options.summarize)


def _claims_media(path: str) -> bool:
    suffix = Path(path).suffix.lower()
    kind = mimetypes.guess_type(path, strict=False)[0] or ""
    return suffix in MEDIA_SUFFIXES or kind.startswith(("audio/", "video/"))


def _under(path: str, roots: list[Path]) -> bool:
    return any(path == str(root) or path.startswith(os.path.join(str(root), "")) for root in roots)


# -- analysing --------------------------------------------------------------------------------------
def _analysed(jobs: list[_Job], workers: int) -> Iterator[tuple[_Job, IndexedFile | Failure]]:
    """(job, result) for each job, as they finish: in this process with one worker, else in a
    pool of spawned processes with at most `workers` jobs in flight."""
    if workers == 1 or len(jobs) <= 1:
        for job in jobs:
            yield job, analyse(job)
        return
    context = multiprocessing.get_context("spawn")
    pending, running = deque(jobs), {}
    pool = ProcessPoolExecutor(min(workers, len(jobs)), mp_context=context)
    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.popleft()
                running[pool.submit(analyse, job)] = job
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                job = running.pop(future)
                try:
                    yield job, future.result()
                except BrokenProcessPool:  # a worker was killed (out of memory?): the pool is lost
                    broken = True
                    yield job, Failure(job.path, "the worker process analysing it died (out of memory?)",
                                       VidgistError.exit_code)
            if broken:  # the other files in flight went down with it; the rest get a new pool
                for future, job in list(running.items()):
                    try:
                        yield job, future.result()
                    except BrokenProcessPool:
                        yield job, Failure(job.path, "the worker process analysing it died (out of memory?)",
                                           VidgistError.exit_code)
                running.clear()
                pool.shutdown(wait=True)
                pool = ProcessPoolExecutor(workers, mp_context=context)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def analyse(job: _Job) -> IndexedFile | Failure:
    """One file through the pipeline (in a worker process with --jobs): what the library keeps
    of it, or the failure in one line."""
    try:
        summary = Summarizer(job.options).summarize(job.path, job.outdir)
    except VidgistError as e:
        return _failure(job.path, e)
    except Exception as e:  # a bug: recorded like any failure, so the batch goes on
        return Failure(job.path, f"internal error: {e!r}", VidgistError.exit_code)
    analysis = summary.analysis
    shots, features = shot_features(analysis.times, analysis.features, analysis.shots)
    return IndexedFile(path=job.path, key=job.key, duration=float(analysis.duration),
                       moments=moments_of(summary), shots=shots, shot_features=features)


def _failure(path: str, error: VidgistError) -> Failure:
    """The error in one line without the path the message starts with (the report adds it)."""
    message = (str(error).splitlines() or [type(error).__name__])[0]
    prefix = f"{path}: "
    return Failure(path, message[len(prefix):] if message.startswith(prefix) else message, error.exit_code)


def moments_of(summary: Summary) -> list[Moment]:
    """Every spoken sentence, line of on-screen text and run of shot labels, with the vector of
    the sentence embedder measured best for its language. A fitted embedder's vectors are not
    kept (they mean nothing outside the call that made them): search fits it again."""
    analysis = summary.analysis
    spoken = summary.text.transcript if summary.text else []
    found: list[Sentence] = [s for s in [*spoken, *analysis.screen, *analysis.labels] if s.text.strip()]
    languages = [s.language or guess_language(s.text) for s in found]
    embedders = [embedder_for(language) for language in languages]
    vectors: list[np.ndarray | None] = [None] * len(found)
    for embedder in {e.name: e for e in embedders}.values():
        if embedder.fitted:
            continue
        mine = [i for i, e in enumerate(embedders) if e.name == embedder.name]
        for i, vector in zip(mine, embedder.embed([found[i].text for i in mine])):
            vectors[i] = vector
    return [Moment(float(s.start), float(s.end), s.text, s.source, language, e.name, v)
            for s, language, e, v in zip(found, languages, embedders, vectors)]


def shot_features(times: np.ndarray, features: np.ndarray, shots: list[Interval]
                  ) -> tuple[list[Interval], np.ndarray]:
    """Each shot's mean frame feature, of unit length (cosine is then a dot product); shots with
    no sampled frame are left out, and so is everything for a file without a picture."""
    if features.ndim != 2 or not features.shape[1] or not len(times):
        return [], np.zeros((0, 0), np.float32)
    spans, rows = [], []
    for shot in shots:
        inside = (times >= shot.start) & (times < shot.end)
        if inside.any():
            spans.append(Interval(float(shot.start), float(shot.end)))
            rows.append(features[inside].mean(axis=0))
    if not rows:
        return [], np.zeros((0, features.shape[1]), np.float32)
    means = np.stack(rows).astype(np.float32)
    return spans, (means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)).astype(np.float32)
