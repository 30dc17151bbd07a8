"""Worker processes: each takes queued jobs from the store and runs the one pipeline on them.

The pipeline's own stage callbacks (those the CLI's progress bars draw) become the job's
`progress` and `stage`; a job cancelled or deleted meanwhile is noticed at the next report and
stopped there. Summaries run here, never in the app's request handlers, so the server stays
small and answers while a long video is analysed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from pathlib import Path

from ..errors import VidgistError
from ..options import SummarizeOptions
from ..pipeline import Summarizer
from .store import JobStore

log = logging.getLogger("vidgist.server")

POLL_S = 0.5  # how often an idle worker looks for a queued job
REPORT_S = 0.25  # the least time between two progress writes of a job
# each stage's share of a job's progress; speech runs beside the picture, so it shares its span
WEIGHTS = {"analyze": 0.55, "speech": 0.25, "text on screen": 0.15, "render": 0.05}


class Stopped(Exception):
    """The job was cancelled or deleted while it ran."""


class JobProgress:
    """(stage, done, total) reports as one number in 0..1 written to the store; raises Stopped
    when the job is no longer running."""

    def __init__(self, store: JobStore, job_id: str, options: SummarizeOptions, reselect: bool):
        self.store, self.job_id = store, job_id
        self.parent = os.getppid()
        self.weights = {"render": 1.0} if reselect else {
            stage: w for stage, w in WEIGHTS.items()
            if not (stage == "speech" and options.speech == "off") and not (stage == "text on screen" and not options.ocr)}
        self.done: dict[str, float] = {}
        self.last = 0.0

    def __call__(self, stage: str, done: float, total: float) -> None:
        if stage in self.weights:
            self.done[stage] = min(1.0, done / total) if total > 0 else 1.0
        now = time.monotonic()
        if now - self.last < REPORT_S and done < total:
            return
        self.last = now
        fraction = sum(self.weights[s] * f for s, f in self.done.items()) / sum(self.weights.values())
        if os.getppid() != self.parent:  # the server died: its next start queues the job again
            raise Stopped
        if self.store.report(self.job_id, round(min(fraction, 0.99), 3), stage) != "running":
            raise Stopped


def options_for(job_options: dict, cache_dir: Path) -> SummarizeOptions:
    """The pipeline's options from a job's (validated by the app), caching the analysis per job."""
    return SummarizeOptions(**job_options, cache_dir=cache_dir)


def run_job(store: JobStore, job_id: str, cache_dir: Path) -> None:
    """Summarize one claimed job into its out/ folder (a complete set or the old one: the
    pipeline publishes its outputs at once) and record how it ended."""
    job = store.get(job_id)
    if job is None:
        return
    reselect = job.kind == "reselect"
    try:
        options = options_for(job.options, cache_dir)
        summarizer = Summarizer(options, JobProgress(store, job_id, options, reselect))
        summarizer.summarize(store.folder(job_id) / job.source, store.outdir(job_id))
        store.finish(job_id, "done")
    except Stopped:
        log.info("job %s stopped", job_id)
    except (VidgistError, ValueError) as e:
        # a new length that fails leaves the summary that was there: the job stays done
        store.finish(job_id, "done" if reselect else "failed", str(e))
    except Exception as e:  # a bug: the message, not a traceback, reaches the client
        log.exception("job %s", job_id)
        store.finish(job_id, "done" if reselect else "failed", f"internal error: {e!r}")


def work(data_dir: Path, cache_dir: Path, stop) -> None:
    """A worker process's loop, until `stop` (the read end of a pipe) is closed at the other end:
    by Workers.close, or by the end of the server process, whatever ends it."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s vidgist worker: %(message)s")
    store = JobStore(data_dir)
    while True:
        job = store.claim()
        if job is not None:
            run_job(store, job.id, cache_dir)
        elif stop.poll(POLL_S):  # the server closed its end (no message is ever sent)
            return


class Workers:
    """N worker processes (spawned: no state copied from the server) for the app's lifetime."""

    def __init__(self, data_dir: Path, cache_dir: Path, count: int):
        context = multiprocessing.get_context("spawn")
        stop, self.stop = context.Pipe(duplex=False)
        self.processes = [context.Process(target=work, args=(data_dir, cache_dir, stop), daemon=True,
                                          name=f"vidgist-worker-{k}") for k in range(count)]

    def start(self) -> None:
        for p in self.processes:
            p.start()

    def close(self, grace: float = 5.0) -> None:
        """Stop taking jobs; a job still running after `grace` seconds is ended with its process
        (it is queued again at the next start)."""
        self.stop.close()
        deadline = time.monotonic() + grace
        for p in self.processes:
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.terminate()
                p.join(5)
