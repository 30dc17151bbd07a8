"""The library store: one SQLite file, `library.sqlite3`, in the library folder.

    files     one row per file looked at: its path (absolute, as walked), content key, the
              settings it was indexed with, size and mtime (to skip re-hashing an untouched
              file), duration, status ok | failed, the failure's one-line error, when indexed
    moments   what can be found in a file: a spoken sentence, a line of on-screen text or a
              shot's labels, with its span [start, end) in seconds of the source timeline
    terms     FTS5 over the moments' words (rowid = the moment's id). Chinese has no spaces,
              so a text with CJK characters goes in as jieba's words joined by spaces; the
              `unicode61` tokenizer then splits at spaces and punctuation and casefolds
    vectors   each moment's sentence embedder, and its float32 vector where the embedder's
              vectors mean something outside the call that made them (MiniLM). A fitted
              embedder's (character n-gram TF-IDF) do not: its vector is NULL and search fits
              it again over the library's texts and the query together
    shots     each shot's mean visual feature (float32, unit length), for "more like this"

WAL: searches read while an index run writes. Only the process that drives an index run writes;
a file's rows are replaced in one transaction, so a run stopped at any point leaves every file
either as it was or fully indexed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterable
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..options import default_data_dir
from ..types import Interval

STORE_NAME = "library.sqlite3"
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL,
    settings TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    duration REAL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    error TEXT,
    indexed REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS moments (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files (id),
    start REAL NOT NULL,
    "end" REAL NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('speech', 'screen', 'labels')),
    language TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS moments_file ON moments (file_id);
CREATE VIRTUAL TABLE IF NOT EXISTS terms USING fts5 (words, tokenize = 'unicode61');
CREATE TABLE IF NOT EXISTS vectors (
    moment_id INTEGER PRIMARY KEY REFERENCES moments (id),
    embedder TEXT NOT NULL,
    vector BLOB
);
CREATE INDEX IF NOT EXISTS vectors_embedder ON vectors (embedder);
CREATE TABLE IF NOT EXISTS shots (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES files (id),
    start REAL NOT NULL,
    "end" REAL NOT NULL,
    feature BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS shots_file ON shots (file_id);
"""


def default_library_dir() -> Path:
    """$VIDGIST_LIBRARY, else $XDG_DATA_HOME/vidgist/library, else ~/.local/share/vidgist/library."""
    if env := os.environ.get("VIDGIST_LIBRARY"):
        return Path(env)
    return default_data_dir() / "library"


# -- words for FTS ------------------------------------------------------------------------------
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+")


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict..." on every run's stderr
    return jieba


def words(text: str) -> list[str]:
    """The lower-cased words of a text, the same way for what is indexed and what is asked.
    Text with CJK characters is cut by jieba in its search mode, which gives a long word and the
    dictionary words inside it ("中华人民共和国" also as "人民", "共和国"), so a query for a
    part finds the whole; other text is split at what is not a letter or digit, as unicode61 does."""
    if _CJK.search(text):
        pieces = _jieba().cut_for_search(text)
        return [w for piece in pieces for w in _WORD.findall(piece.lower())]
    return _WORD.findall(text.lower())


# -- records ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Moment(Interval):
    """Something findable in a file, with the embedder its vector is of (None: not embedded)."""

    text: str = ""
    source: str = "speech"  # speech | screen | labels
    language: str = ""
    embedder: str | None = None
    vector: np.ndarray | None = None  # (D,) float32 unit row; None for a fitted embedder


@dataclass
class IndexedFile:
    """One file's analysis as the library keeps it."""

    path: str
    key: str
    duration: float
    moments: list[Moment]
    shots: list[Interval]
    shot_features: np.ndarray  # (len(shots), D) float32 unit rows; D = 0 without a picture


@dataclass(frozen=True)
class FileRecord:
    id: int
    path: str
    key: str
    settings: str
    size: int
    mtime_ns: int
    duration: float | None
    status: str  # ok | failed
    error: str | None
    indexed: float


@dataclass(frozen=True)
class StoredMoment(Interval):
    id: int = 0
    path: str = ""
    text: str = ""
    source: str = ""
    language: str = ""


def _blob(vector: np.ndarray | None) -> bytes | None:
    return None if vector is None else np.ascontiguousarray(vector, np.float32).tobytes()


class Library:
    """The store in `folder`. create=False: a missing store is an InputError (exit 3)."""

    def __init__(self, folder: Path, create: bool = True):
        self.folder = Path(folder)
        self.path = self.folder / STORE_NAME
        if not create:
            if not self.path.is_file():
                raise InputError(f"no library at {self.folder}: build one with `vidgist index PATH`")
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")  # searches do not wait on an index run
            with self._transaction(db):
                for statement in SCHEMA.split(";"):  # not executescript: it commits first
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        return db

    @staticmethod
    @contextmanager
    def _transaction(db: sqlite3.Connection):
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _run(self, sql: str, args: Iterable = ()) -> list[sqlite3.Row]:
        with closing(self._connect()) as db:
            return db.execute(sql, tuple(args)).fetchall()

    # -- files ----------------------------------------------------------------------------------
    def file(self, path: str) -> FileRecord | None:
        rows = self._run("SELECT * FROM files WHERE path = ?", (path,))
        return FileRecord(**dict(rows[0])) if rows else None

    def files(self) -> list[FileRecord]:
        return [FileRecord(**dict(r)) for r in self._run("SELECT * FROM files ORDER BY path")]

    def put(self, item: IndexedFile, settings: dict, size: int, mtime_ns: int) -> None:
        """Store a file's analysis in place of what the library held of it, in one transaction."""
        with closing(self._connect()) as db, self._transaction(db):
            file_id = self._upsert(db, item.path, item.key, settings, size, mtime_ns, item.duration, "ok", None)
            for m in item.moments:
                moment_id = db.execute(
                    'INSERT INTO moments (file_id, start, "end", text, source, language) VALUES (?, ?, ?, ?, ?, ?)',
                    (file_id, float(m.start), float(m.end), m.text, m.source, m.language)).lastrowid
                db.execute("INSERT INTO terms (rowid, words) VALUES (?, ?)", (moment_id, " ".join(words(m.text))))
                if m.embedder is not None:
                    db.execute("INSERT INTO vectors (moment_id, embedder, vector) VALUES (?, ?, ?)",
                               (moment_id, m.embedder, _blob(m.vector)))
            db.executemany('INSERT INTO shots (file_id, start, "end", feature) VALUES (?, ?, ?, ?)',
                           [(file_id, float(s.start), float(s.end), _blob(f))
                            for s, f in zip(item.shots, item.shot_features)])

    def put_failed(self, path: str, key: str, settings: dict, size: int, mtime_ns: int, error: str) -> None:
        """Record a media file that could not be indexed; what was indexed of it before is dropped
        (it no longer describes the file)."""
        with closing(self._connect()) as db, self._transaction(db):
            self._upsert(db, path, key, settings, size, mtime_ns, None, "failed", error)

    def _upsert(self, db: sqlite3.Connection, path: str, key: str, settings: dict, size: int, mtime_ns: int,
                duration: float | None, status: str, error: str | None) -> int:
        (file_id,) = db.execute(
            "INSERT INTO files (path, key, settings, size, mtime_ns, duration, status, error, indexed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET key = excluded.key, "
            "settings = excluded.settings, size = excluded.size, mtime_ns = excluded.mtime_ns, "
            "duration = excluded.duration, status = excluded.status, error = excluded.error, "
            "indexed = excluded.indexed RETURNING id",
            (path, key, settings_text(settings), size, mtime_ns, duration, status, error, time.time())).fetchone()
        self._clear(db, file_id)
        return file_id

    @staticmethod
    def _clear(db: sqlite3.Connection, file_id: int) -> None:
        """Drop a file's moments, words, vectors and shots (FTS5 rows have no foreign key)."""
        mine = "SELECT id FROM moments WHERE file_id = ?"
        db.execute(f"DELETE FROM terms WHERE rowid IN ({mine})", (file_id,))
        db.execute(f"DELETE FROM vectors WHERE moment_id IN ({mine})", (file_id,))
        db.execute("DELETE FROM moments WHERE file_id = ?", (file_id,))
        db.execute("DELETE FROM shots WHERE file_id = ?", (file_id,))

    def touch(self, path: str, size: int, mtime_ns: int) -> None:
        """Remember a file's new size and mtime after its content key was found unchanged."""
        self._run("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?", (size, mtime_ns, path))

    def remove(self, paths: Iterable[str]) -> int:
        """Forget these files and everything found in them; how many were known."""
        removed = 0
        with closing(self._connect()) as db, self._transaction(db):
            for path in paths:
                row = db.execute("SELECT id FROM files WHERE path = ?", (path,)).fetchone()
                if row:
                    self._clear(db, row["id"])
                    db.execute("DELETE FROM files WHERE id = ?", (row["id"],))
                    removed += 1
        return removed

    # -- what search reads ------------------------------------------------------------------------
    def moment_count(self) -> int:
        return self._run("SELECT count(*) FROM moments")[0][0]

    def match(self, fts_query: str) -> list[int]:
        """Moment ids whose words match an FTS5 query, best bm25 first."""
        rows = self._run("SELECT rowid FROM terms WHERE terms MATCH ? ORDER BY bm25(terms), rowid", (fts_query,))
        return [r[0] for r in rows]

    def embedders(self) -> list[str]:
        return [r[0] for r in self._run("SELECT DISTINCT embedder FROM vectors ORDER BY embedder")]

    def vectors(self, embedder: str) -> tuple[np.ndarray, np.ndarray]:
        """(ids, (N, D) float32 matrix) of the moments with a stored vector of this embedder."""
        rows = self._run("SELECT moment_id, vector FROM vectors WHERE embedder = ? AND vector IS NOT NULL "
                         "ORDER BY moment_id", (embedder,))
        if not rows:
            return np.zeros(0, np.int64), np.zeros((0, 0), np.float32)
        ids = np.array([r[0] for r in rows], np.int64)
        return ids, np.stack([np.frombuffer(r[1], np.float32) for r in rows])

    def texts(self, embedder: str) -> tuple[np.ndarray, list[str]]:
        """(ids, texts) of the moments of this embedder: what a fitted embedder is fitted on."""
        rows = self._run("SELECT m.id, m.text FROM vectors v JOIN moments m ON m.id = v.moment_id "
                         "WHERE v.embedder = ? ORDER BY m.id", (embedder,))
        return np.array([r[0] for r in rows], np.int64), [r[1] for r in rows]

    def moments(self, ids: list[int]) -> dict[int, StoredMoment]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._run('SELECT m.id, f.path, m.start, m."end", m.text, m.source, m.language FROM moments m '
                         f"JOIN files f ON f.id = m.file_id WHERE m.id IN ({marks})", ids)
        return {r["id"]: StoredMoment(r["start"], r["end"], r["id"], r["path"], r["text"], r["source"], r["language"])
                for r in rows}

    def file_moments(self, path: str) -> list[StoredMoment]:
        """A file's moments in time order."""
        rows = self._run('SELECT m.id, f.path, m.start, m."end", m.text, m.source, m.language FROM moments m '
                         'JOIN files f ON f.id = m.file_id WHERE f.path = ? ORDER BY m.start, m."end", m.id', (path,))
        return [StoredMoment(r["start"], r["end"], r["id"], r["path"], r["text"], r["source"], r["language"])
                for r in rows]

    def shots(self, path: str) -> tuple[list[Interval], np.ndarray]:
        """A file's shots and their mean visual features."""
        rows = self._run('SELECT s.start, s."end", s.feature FROM shots s JOIN files f ON f.id = s.file_id '
                         "WHERE f.path = ? ORDER BY s.start", (path,))
        spans = [Interval(r[0], r[1]) for r in rows]
        return spans, (np.stack([np.frombuffer(r[2], np.float32) for r in rows]) if rows
                       else np.zeros((0, 0), np.float32))


def settings_text(settings: dict) -> str:
    """The settings a file was indexed with, as stored and compared: canonical JSON."""
    return json.dumps(settings, sort_keys=True)
