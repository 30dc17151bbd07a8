"""`vidgist index` and `vidgist search`: the library (see vidgist.library) from the command line.

    vidgist index ~/Videos --jobs 2         analyse what is new or changed; one bar, one report line
    vidgist search ask not what your country
    vidgist search 交易 --json

index exits 0, or with the first failed file's code (3: a media file that cannot be read);
search exits 3 when there is no library or nothing in it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from ..library import IndexOptions, Library, default_library_dir, index_paths, search_library
from ..library.search import DEFAULT_LIMIT
from ..options import SummarizeOptions
from ..speech import speech_modes
from ..types import clock
from .serve import UsageError


def add_parser(commands) -> None:
    where = f"library folder (default: $VIDGIST_LIBRARY, else {default_library_dir()})"
    i = commands.add_parser("index", help="add videos and recordings to the library, to search what is said and shown")
    i.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files, and folders walked recursively")
    i.add_argument("--library", type=Path, metavar="DIR", help=where)
    i.add_argument("--jobs", type=int, default=1, metavar="N", help="files analysed at once, one process each (1)")
    i.add_argument("--outputs", type=Path, metavar="DIR",
                   help="also write each file's summary to DIR/<its path under PATH, without suffix>/")
    i.add_argument("--prune", action="store_true", help="forget files under the PATHs that no longer exist")
    i.add_argument("--speech", default="accurate", choices=[*speech_modes(), "off"],
                   help="speech recognition: accurate (default), fast (English only) or off")
    i.add_argument("--no-ocr", action="store_true", help="do not read on-screen text")
    i.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    s = commands.add_parser("search", help="find moments in the library by words or meaning")
    s.add_argument("query", nargs="+", metavar="QUERY", help="words (several are joined)")
    s.add_argument("--library", type=Path, metavar="DIR", help=where)
    s.add_argument("--limit", type=int, default=DEFAULT_LIMIT, metavar="N",
                   help=f"moments shown at most ({DEFAULT_LIMIT})")
    s.add_argument("--json", action="store_true", help="print the hits as a JSON list")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    return _index(args) if args.command == "index" else _search(args)


def _index(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    options = IndexOptions(summarize=SummarizeOptions(speech=args.speech, ocr=not args.no_ocr),
                           jobs=args.jobs, outputs=args.outputs, prune=args.prune)
    library = Library(args.library or default_library_dir())
    bar = _Bar(enabled=not args.quiet and sys.stderr.isatty())
    try:
        report = index_paths(args.paths, library, options, bar.update)
    finally:
        bar.close()
    print(report.line())
    for failure in report.failed:
        print(f"failed: {failure.path}: {failure.error}")
    return report.exit_code


def _search(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    query = " ".join(args.query).strip()
    if not query:
        raise UsageError("the query is empty")
    hits = search_library(Library(args.library or default_library_dir(), create=False), query, args.limit)
    if args.json:
        print(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=1))
    else:
        for h in hits:
            # the end rounded up, so the span shown holds the whole moment
            print(f"{h.path}  {clock(h.start)}-{clock(math.ceil(h.end))}  [{h.source}]  {h.text}")
    return 0


class _Bar:
    """One tqdm bar for the batch: files done of those to analyse, and the time left."""

    def __init__(self, enabled: bool):
        self.enabled, self.bar = enabled, None

    def update(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="index", unit="file", leave=False)  # the report line follows
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
