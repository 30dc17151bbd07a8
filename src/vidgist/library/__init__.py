"""The library: many videos and recordings indexed once, searched for what is said, written and
shown in them, with the time it happens.

    store.py    the SQLite store (library.sqlite3): files, moments (spoken sentences, on-screen
                text, shot labels), FTS5 over their words (jieba for Chinese), sentence vectors,
                per-shot visual features
    index.py    `vidgist index`: walk, skip what is up to date, analyse the rest with the one
                pipeline (in worker processes with jobs > 1), store each file when it is done
    search.py   `vidgist search`: bm25 and exact cosine rankings fused by reciprocal rank

    from vidgist.library import IndexOptions, Library, default_library_dir, index_paths, search_library
    library = Library(default_library_dir())
    report = index_paths([Path.home() / "Videos"], library, IndexOptions(jobs=2))
    for hit in search_library(library, "ask not what your country"):
        print(hit.path, hit.start, hit.text)
"""

from .index import Failure, IndexOptions, IndexReport, index_paths
from .search import Hit, search_library
from .store import Library, Moment, default_library_dir, words

__all__ = ["Failure", "Hit", "IndexOptions", "IndexReport", "Library", "Moment", "default_library_dir",
           "index_paths", "search_library", "words"]
