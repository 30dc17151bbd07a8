"""The job store: one SQLite file under the data folder, shared by the app and its workers.

A job is one upload and the summary made of it. Its files live in `jobs/<id>/`: the upload as
`source<ext>` (never under the client's name) and the outputs in `out/`. Status moves
queued -> running -> done | failed | cancelled; a reselect puts a done job back to queued with
kind "reselect". Workers claim jobs in one UPDATE, so two never take the same one, and a job
left "running" when the server stopped is queued again when it starts.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path

STATUSES = ("queued", "running", "done", "failed", "cancelled")
FINISHED = ("done", "failed", "cancelled")

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'summarize',
    status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    stage TEXT,
    error TEXT,
    options TEXT NOT NULL,
    source TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
)
"""


@dataclass
class Job:
    id: str
    name: str  # the client's file name: shown, never used as a path
    kind: str  # "summarize", or "reselect" (a new summary from the cached analysis)
    status: str
    progress: float
    stage: str | None
    error: str | None
    options: dict
    source: str  # the upload's file name inside the job's folder
    created: float
    updated: float
    outputs: dict = field(default_factory=dict)

    def public(self) -> dict:
        """The job as the API shows it."""
        d = asdict(self)
        del d["source"]
        return d


class JobStore:
    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        (self.data_dir / "jobs").mkdir(parents=True, exist_ok=True)
        self.path = self.data_dir / "jobs.sqlite3"
        with closing(self._connect()) as db, db:
            db.execute("PRAGMA journal_mode=WAL")  # readers (the app) do not wait on the writer (a worker)
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        return db

    def _run(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with closing(self._connect()) as db:
            return db.execute(sql, args).fetchall()

    # -- paths ------------------------------------------------------------------------------
    def folder(self, job_id: str) -> Path:
        return self.data_dir / "jobs" / job_id

    def outdir(self, job_id: str) -> Path:
        return self.folder(job_id) / "out"

    # -- jobs -------------------------------------------------------------------------------
    @staticmethod
    def new_id() -> str:
        return secrets.token_urlsafe(16)  # 128 random bits: ids cannot be guessed

    def add(self, job_id: str, name: str, source: str, options: dict) -> Job:
        now = time.time()
        self._run("INSERT INTO jobs (id, name, status, options, source, created, updated) VALUES (?, ?, 'queued', ?, ?, ?, ?)",
                  (job_id, name, json.dumps(options), source, now, now))
        return self.get(job_id)

    def get(self, job_id: str) -> Job | None:
        rows = self._run("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return self._job(rows[0]) if rows else None

    def all(self) -> list[Job]:
        return [self._job(r) for r in self._run("SELECT * FROM jobs ORDER BY created DESC")]

    def _job(self, row: sqlite3.Row) -> Job:
        d = dict(row)
        d["options"] = json.loads(d["options"])
        job = Job(**d)
        if job.status == "done":
            result = self.outdir(job.id) / "summary.json"
            if result.exists():
                job.outputs = json.loads(result.read_text())["outputs"]
        return job

    def claim(self) -> Job | None:
        """The oldest queued job, now running, or None."""
        rows = self._run("UPDATE jobs SET status = 'running', progress = 0, stage = NULL, error = NULL, updated = ? "
                         "WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY created LIMIT 1) "
                         "AND status = 'queued' RETURNING id", (time.time(),))
        return self.get(rows[0]["id"]) if rows else None

    def report(self, job_id: str, progress: float, stage: str | None) -> str | None:
        """Record a running job's progress; its status (it may have been cancelled meanwhile)."""
        rows = self._run("UPDATE jobs SET progress = ?, stage = ?, updated = ? WHERE id = ? RETURNING status",
                         (progress, stage, time.time(), job_id))
        return rows[0]["status"] if rows else None

    def finish(self, job_id: str, status: str, error: str | None = None) -> None:
        """A running job's end; a job cancelled or deleted meanwhile stays so."""
        progress = 1.0 if status == "done" else None
        self._run("UPDATE jobs SET status = ?, error = ?, progress = COALESCE(?, progress), stage = NULL, updated = ? "
                  "WHERE id = ? AND status = 'running'", (status, error, progress, time.time(), job_id))

    def reselect(self, job_id: str, options: dict) -> bool:
        """Queue a new summary of a done job with these options; False unless it was done."""
        rows = self._run("UPDATE jobs SET kind = 'reselect', status = 'queued', options = ?, progress = 0, "
                         "updated = ? WHERE id = ? AND status = 'done' RETURNING id",
                         (json.dumps(options), time.time(), job_id))
        return bool(rows)

    def cancel(self, job_id: str) -> None:
        self._run("UPDATE jobs SET status = 'cancelled', stage = NULL, updated = ? "
                  "WHERE id = ? AND status IN ('queued', 'running')", (time.time(), job_id))

    def delete(self, job_id: str) -> None:
        self._run("DELETE FROM jobs WHERE id = ?", (job_id,))
        shutil.rmtree(self.folder(job_id), ignore_errors=True)

    def requeue_interrupted(self) -> int:
        """Jobs left running by a server that stopped: queued again. How many."""
        return len(self._run("UPDATE jobs SET status = 'queued', progress = 0, stage = NULL, updated = ? "
                             "WHERE status = 'running' RETURNING id", (time.time(),)))
