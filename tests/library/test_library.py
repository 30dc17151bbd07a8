"""`vidgist index` and `vidgist search` on real clips, run in-process through the CLI's main().

The repository's samples have no speech: bbb_sample shows "THE PEACH OPEN MOVIE PROJECT" and
"PRESENTS" at 21.5 s (scenes_sample at 37.0 s, its last part being the same film) and a meadow
labelled "valley". The speech checks read ../shared/media (opt-in: VIDGIST_SHARED_TESTS=1).
The clips are analysed once per module (one analysis cache for all its tests); each test builds
its own folder and library.
"""

import importlib
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED_MEDIA

from vidgist.cli.main import main
from vidgist.library import Library, default_library_dir, words
from vidgist.library.search import char_ngram_similarity, fts_query
from vidgist.text.embed import CharNgramEmbedder, embed_with_query

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
LINE = re.compile(r"^(\S+)  (\d+:\d\d)-(\d+:\d\d)  \[(speech|screen|labels)\]  (.+)$")
HIT_KEYS = {"path", "start", "end", "text", "source", "score"}


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("library-cache")


@pytest.fixture(autouse=True)
def private_cache(module_cache, monkeypatch):
    """Overrides conftest's: one analysis cache for this module, so each clip is analysed once;
    what the library does on a re-run is seen in its report, not in the cache."""
    monkeypatch.setenv("VIDGIST_CACHE_DIR", str(module_cache))


@pytest.fixture
def folder(tmp_path) -> Path:
    """Two real clips (one in a subfolder), a text file and a broken mp4 (its first 20 kB)."""
    media = tmp_path / "media"
    (media / "more").mkdir(parents=True)
    shutil.copyfile(SAMPLES / "bbb_sample.mp4", media / "bbb_sample.mp4")
    shutil.copyfile(SAMPLES / "scenes_sample.mp4", media / "more" / "scenes_sample.mp4")
    (media / "notes.txt").write_text("ask not what your country can do for you\n")
    (media / "broken.mp4").write_bytes((SAMPLES / "bbb_sample.mp4").read_bytes()[:20_000])
    return media


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def index(capsys, folder: Path, library: Path, *more) -> tuple[int, list[str]]:
    code, out, _ = cli(capsys, "index", folder, "--library", library, "--speech", "off", *more)
    return code, out.splitlines()


def search_json(capsys, library: Path, *query, limit=10) -> list[dict]:
    code, out, err = cli(capsys, "search", *query, "--library", library, "--json", "--limit", limit)
    assert code == 0, err
    return json.loads(out)


def contents(library: Path) -> dict:
    """What a library holds, comparable across runs: files, moments, vectors, shots."""
    lib = Library(library, create=False)
    files = {f.path: (f.key, f.status, f.error, None if f.duration is None else round(f.duration, 3))
             for f in lib.files()}
    moments = {path: [(round(m.start, 3), round(m.end, 3), m.text, m.source, m.language)
                      for m in lib.file_moments(path)] for path in files}
    shots = {path: lib.shots(path) for path in files}
    ids, vectors = lib.vectors("minilm")
    by_text = {}
    for moment_id, vector in zip(ids, vectors):
        by_text.setdefault(lib.moments([int(moment_id)])[int(moment_id)].text, vector)
    return {"files": files, "moments": moments, "shots": shots, "vectors": by_text}


def test_index_a_folder_records_the_broken_file_and_ignores_the_text(folder, tmp_path, capsys):
    library = tmp_path / "lib"
    code, lines = index(capsys, folder, library)
    assert code == 3  # a media file could not be read
    assert lines[0] == "indexed 2, unchanged 0, failed 1, pruned 0"
    assert lines[1:] == [f"failed: {folder / 'broken.mp4'}: not a readable media file (end of file)"]
    lib = Library(library, create=False)
    assert (library / "library.sqlite3").is_file()
    status = {Path(f.path).name: (f.status, f.error) for f in lib.files()}
    assert status == {"bbb_sample.mp4": ("ok", None), "scenes_sample.mp4": ("ok", None),
                      "broken.mp4": ("failed", "not a readable media file (end of file)")}
    bbb = str(folder / "bbb_sample.mp4")
    found = {(m.text, m.source): m for m in lib.file_moments(bbb)}
    assert 21.0 <= found["PRESENTS", "screen"].start < found["PRESENTS", "screen"].end <= 22.5
    assert ("valley", "labels") in found
    # every moment (English) has a MiniLM vector; every shot a unit-length mean feature
    ids, vectors = lib.vectors("minilm")
    assert len(ids) == lib.moment_count() and vectors.shape[1] == 384
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    spans, features = lib.shots(bbb)
    assert len(spans) >= 4 and features.shape == (len(spans), 1280)
    np.testing.assert_allclose(np.linalg.norm(features, axis=1), 1.0, atol=1e-4)
    assert spans[0].start == 0.0 and all(a.end <= b.start + 1e-6 for a, b in zip(spans, spans[1:]))
    assert spans[-1].end <= lib.file(bbb).duration + 1e-6


def test_an_unchanged_folder_is_not_analysed_again(folder, tmp_path, capsys, monkeypatch):
    library = tmp_path / "lib"
    assert index(capsys, folder, library)[1][0] == "indexed 2, unchanged 0, failed 1, pruned 0"
    before = contents(library)

    def no_analysis(*args, **kwargs):
        raise AssertionError("an unchanged file was analysed")

    monkeypatch.setattr("vidgist.library.index.Summarizer.summarize", no_analysis)
    os.utime(folder / "bbb_sample.mp4")  # touched, same content: hashed, found unchanged
    code, lines = index(capsys, folder, library)
    assert code == 3 and lines[0] == "indexed 0, unchanged 2, failed 1, pruned 0"  # the broken one is retried
    assert index(capsys, folder, library)[1][0] == "indexed 0, unchanged 2, failed 1, pruned 0"
    after = contents(library)
    assert after["moments"] == before["moments"] and after["files"] == before["files"]


def test_a_changed_file_is_indexed_again(folder, tmp_path, capsys):
    library = tmp_path / "lib"
    index(capsys, folder, library)
    scenes, bbb = folder / "more" / "scenes_sample.mp4", folder / "bbb_sample.mp4"
    assert "sulphur-crested cockatoo" in {m.text for m in Library(library).file_moments(str(scenes))}
    shutil.copyfile(bbb, scenes)  # new content under the old name
    code, lines = index(capsys, folder, library)
    assert lines[0] == "indexed 1, unchanged 1, failed 1, pruned 0"
    held = contents(library)["moments"]
    assert held[str(scenes)] == held[str(bbb)]  # the old moments replaced, none left over
    assert not [h for h in search_json(capsys, library, "cockatoo", limit=50) if "cockatoo" in h["text"]]


def test_prune_forgets_deleted_files(folder, tmp_path, capsys):
    library = tmp_path / "lib"
    index(capsys, folder, library)
    (folder / "bbb_sample.mp4").unlink()
    (folder / "broken.mp4").unlink()
    assert index(capsys, folder, library)[1] == ["indexed 0, unchanged 1, failed 0, pruned 0"]
    assert Library(library).file(str(folder / "bbb_sample.mp4")) is not None  # kept without --prune
    code, lines = index(capsys, folder, library, "--prune")
    assert code == 0 and lines == ["indexed 0, unchanged 1, failed 0, pruned 2"]
    lib = Library(library)
    assert [Path(f.path).name for f in lib.files()] == ["scenes_sample.mp4"]
    hits = search_json(capsys, library, "presents", limit=100)
    assert {h["path"] for h in hits} == {str(folder / "more" / "scenes_sample.mp4")}
    # a deleted folder given as the path is pruned too
    shutil.rmtree(folder / "more")
    assert index(capsys, folder / "more", library, "--prune")[1] == ["indexed 0, unchanged 0, failed 0, pruned 1"]
    assert lib.moment_count() == 0


def test_a_stopped_run_resumes_where_it_stopped(folder, tmp_path, capsys, monkeypatch):
    indexing = importlib.import_module("vidgist.library.index")

    analyse, calls = indexing.analyse, []

    def stopped_at_the_second(job):
        calls.append(job.path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return analyse(job)

    monkeypatch.setattr(indexing, "analyse", stopped_at_the_second)
    library = tmp_path / "lib"
    code, _ = index(capsys, folder, library)
    assert code == 130
    assert {Path(f.path).name: f.status for f in Library(library).files()} == {"bbb_sample.mp4": "ok",
                                                                                "broken.mp4": "failed"}
    monkeypatch.setattr(indexing, "analyse", analyse)
    assert index(capsys, folder, library)[1][0] == "indexed 1, unchanged 1, failed 1, pruned 0"


def test_search_finds_on_screen_text_at_its_time(folder, tmp_path, capsys):
    library = tmp_path / "lib"
    index(capsys, folder, library)
    code, out, _ = cli(capsys, "search", "Presents", "--library", library)
    assert code == 0
    hits = [LINE.match(line).groups() for line in out.splitlines()]
    # the word matches first, then every other moment with a meaning near the query (here all 9)
    assert len(hits) == min(10, Library(library).moment_count()) == 9
    top = {(Path(path).name, start, end, source, text) for path, start, end, source, text in hits[:2]}
    assert top == {("bbb_sample.mp4", "0:21", "0:23", "screen", "PRESENTS"),
                   ("scenes_sample.mp4", "0:37", "0:38", "screen", "PRESENTS")}
    # words are casefolded, and a query of several finds a line with any of them
    first = search_json(capsys, library, "open", "movie", "PROJECT")[0]
    assert first["text"] == "THE PEACH OPEN MOVIE PROJECT" and first["source"] == "screen"
    assert first["path"] in {str(folder / "bbb_sample.mp4"), str(folder / "more" / "scenes_sample.mp4")}


def test_search_json_shape(folder, tmp_path, capsys):
    library = tmp_path / "lib"
    index(capsys, folder, library)
    hits = search_json(capsys, library, "peach", limit=3)
    assert len(hits) == 3 and all(set(h) == HIT_KEYS for h in hits)
    for h in hits:
        assert isinstance(h["path"], str) and Path(h["path"]).is_file()
        assert isinstance(h["start"], float) and isinstance(h["end"], float) and 0 <= h["start"] < h["end"]
        assert h["source"] in ("speech", "screen", "labels") and h["text"] and h["score"] > 0
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    bbb = next(h for h in hits if h["path"].endswith("bbb_sample.mp4"))
    assert bbb["text"] == "THE PEACH OPEN MOVIE PROJECT" and 21.0 <= bbb["start"] < bbb["end"] <= 22.5
    # found by the words and by meaning: two reciprocal ranks, at most 2 / (60 + 1)
    assert 1 / 61 < hits[0]["score"] <= 2 / 61 + 1e-6
    # what FTS5 would read as syntax is only words here
    assert search_json(capsys, library, 'peach" AND (OR NOT * -', limit=1)[0]["text"] == bbb["text"]


def test_missing_empty_and_bad_use(tmp_path, capsys, monkeypatch):
    code, out, err = cli(capsys, "search", "anything", "--library", tmp_path / "none")
    assert code == 3 and not out and err.strip() == f"vidgist: error: no library at {tmp_path / 'none'}: " \
                                                    "build one with `vidgist index PATH`"
    assert not (tmp_path / "none").exists()  # a search creates nothing
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("hello")
    monkeypatch.setenv("VIDGIST_LIBRARY", str(tmp_path / "default"))  # no --library: this one
    code, out, _ = cli(capsys, "index", texts, "--speech", "off")
    assert code == 0 and out.splitlines() == ["indexed 0, unchanged 0, failed 0, pruned 0"]
    assert (tmp_path / "default" / "library.sqlite3").is_file()
    code, out, err = cli(capsys, "search", "hello")
    assert code == 3 and len(err.splitlines()) == 1 and "holds nothing to search yet" in err
    code, _, err = cli(capsys, "index", tmp_path / "nowhere")
    assert code == 3 and "no such file or folder" in err
    assert cli(capsys, "index", texts, "--jobs", "0")[0] == 2
    assert cli(capsys, "search", " ", "--library", tmp_path / "default")[0] == 2


def test_default_library_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("VIDGIST_LIBRARY", str(tmp_path / "a"))
    assert default_library_dir() == tmp_path / "a"
    monkeypatch.delenv("VIDGIST_LIBRARY")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_library_dir() == tmp_path / "data" / "vidgist" / "library"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_library_dir() == tmp_path / "home" / ".local" / "share" / "vidgist" / "library"


def test_two_jobs_give_the_same_library_as_one(folder, tmp_path, capsys, monkeypatch):
    # the second library and the summaries inside the folder indexed: neither is taken for material
    one, two, outputs = tmp_path / "one", folder / "lib", folder / "summaries"
    assert index(capsys, folder, one)[0] == 3
    monkeypatch.setenv("VIDGIST_CACHE_DIR", str(tmp_path / "fresh-cache"))  # analysed anew, in the workers
    code, lines = index(capsys, folder, two, "--jobs", 2, "--outputs", outputs)
    assert code == 3 and lines[0] == "indexed 2, unchanged 0, failed 1, pruned 0"
    a, b = contents(one), contents(two)
    assert a["files"] == b["files"] and a["moments"] == b["moments"]
    assert a["vectors"].keys() == b["vectors"].keys()
    for text in a["vectors"]:
        np.testing.assert_allclose(a["vectors"][text], b["vectors"][text], atol=1e-5)
    for path in a["shots"]:
        assert a["shots"][path][0] == b["shots"][path][0]
        np.testing.assert_allclose(a["shots"][path][1], b["shots"][path][1], atol=1e-5)
    # each file's summary under its path below the folder, without the suffix
    assert (outputs / "bbb_sample" / "summary.json").is_file()
    assert (outputs / "more" / "scenes_sample" / "summary.json").is_file()
    assert not (outputs / "broken").exists()
    assert index(capsys, folder, two, "--jobs", 2, "--outputs", outputs)[1][0] == \
        "indexed 0, unchanged 2, failed 1, pruned 0"


def test_words_for_fts():
    assert words("THE Peach, open-movie!") == ["the", "peach", "open", "movie"]
    assert words("甚至出现交易几乎停制的情况")[:3] == ["甚至", "出现", "交易"]
    assert "人民" in words("中华人民共和国")  # search mode: the words inside a long one too
    assert fts_query("serve the nation") == '"serve" OR "nation"'
    assert fts_query("to be or") == '"to" OR "be" OR "or"'  # nothing but function words: all kept


def test_char_ngram_similarity_is_the_embedders():
    """The sparse refit gives the numbers of CharNgramEmbedder fitted on the texts and the query."""
    texts = ["甚至出现交易几乎停滞的情况", "今天天气很好我们去公园", "交易所的情况", "市场 trading 交易量",
             "completely different words"]
    for query in ["交易", "天气 公园", "trading", "无关"]:
        vectors, focus = embed_with_query(CharNgramEmbedder(), texts, query)
        np.testing.assert_allclose(char_ngram_similarity(texts, query), vectors @ focus, atol=1e-5)


# -- speech (../shared/media) -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def spoken_library(tmp_path_factory, module_cache):
    """JFK's "ask not" (English), an AISHELL sentence (Mandarin) and bbb_sample, indexed with
    speech (Whisper base)."""
    folder = tmp_path_factory.mktemp("spoken")
    for source in (SHARED_MEDIA / "whisper_jfk.flac", SHARED_MEDIA / "aishell_BAC009S0764W0121.wav",
                   SAMPLES / "bbb_sample.mp4"):
        shutil.copyfile(source, folder / source.name)
    library = folder / "lib"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VIDGIST_CACHE_DIR", str(module_cache))
        code = main(["index", str(folder), "--library", str(library), "-q"])
    assert code == 0
    return folder, library


@pytest.mark.shared
def test_english_by_words_and_by_meaning(spoken_library, capsys):
    folder, library = spoken_library
    jfk = str(folder / "whisper_jfk.flac")
    first = search_json(capsys, library, "ask not what your country")[0]
    assert first["path"] == jfk and first["source"] == "speech"
    assert "ask not what your country can do for you" in first["text"]
    assert first["start"] < 1.0 and 9.5 < first["end"] <= 11.0
    # no word shared ("the" is left out of the word query): found by MiniLM alone, whose cosine
    # is 0.37 to the JFK sentence and at most 0.18 to the library's other moments
    hits = search_json(capsys, library, "serve the nation", limit=50)
    assert hits[0]["path"] == jfk and hits[0]["source"] == "speech"
    assert hits[0]["score"] == pytest.approx(1 / 61, abs=1e-6)


@pytest.mark.shared
def test_chinese_by_words(spoken_library, capsys):
    folder, library = spoken_library
    aishell = str(folder / "aishell_BAC009S0764W0121.wav")
    (said,) = Library(library).file_moments(aishell)
    assert said.source == "speech" and said.language == "zh"
    assert "交易" in words(said.text)  # Whisper: 甚至出现交易几乎停制的情况 (the reference has 停滞)
    hits = search_json(capsys, library, "交易")
    assert hits[0]["path"] == aishell and hits[0]["text"] == said.text
    assert hits[0]["score"] == pytest.approx(2 / 61, abs=1e-6)  # first by bm25 and by character n-grams
    # a phrase that is not said as such: its words are
    assert search_json(capsys, library, "交易情况")[0]["path"] == aishell
