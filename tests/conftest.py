import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/clips.py

from clips import Scene, make_clip  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "bbb_sample.mp4"
SHARED_MEDIA = ROOT.parent / "shared" / "media"


def pytest_collection_modifyitems(config, items):
    if os.environ.get("VIDGIST_SHARED_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="reads ../shared/media: set VIDGIST_SHARED_TESTS=1")
    for item in items:
        if "shared" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Every test gets an empty analysis cache of its own."""
    monkeypatch.setenv("VIDGIST_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def every_summary_holds(tmp_path_factory):
    """After every test, each summary.json it wrote (anywhere under pytest's temporary folders)
    passes check_written: the contract is checked after every summarize in the suite."""
    started = time.time()
    yield
    for result in tmp_path_factory.getbasetemp().rglob("summary.json"):
        if result.stat().st_mtime >= started - 1 and result.parent.name != "summary.json":
            check_written(result.parent)


def check_written(outdir: Path) -> dict:
    """What every summary must hold: `outputs` names only files that exist, and a source with a
    picture gets a watchable summary: segments, none shorter than a second unless the source is."""
    result = load_json(outdir / "summary.json")
    for kind, name in result["outputs"].items():
        assert (outdir / name).exists(), f"{outdir}: outputs lists {kind} {name}, which was not written"
        assert (outdir / name).is_dir() or (outdir / name).stat().st_size > 0, f"{outdir}: {name} is empty"
    for keyframe in result["keyframes"]:  # an image, or null when no storyboard was asked for
        assert keyframe["image"] is None or (outdir / keyframe["image"]).is_file(), f"{outdir}: {keyframe} missing"
    source = result["source"]
    if source.get("width"):  # a picture: never an empty or unwatchable summary
        assert result["segments"], f"{outdir}: no segments for a video of {source['duration']} s"
        shortest = min(s["end"] - s["start"] for s in result["segments"])
        assert shortest >= min(1.0, source["duration"]) - 1e-3, f"{outdir}: a {shortest:.3f} s segment"
        # a storyboard of the whole video: tiles in order, a readable number of them
        times = [k["time"] for k in result["keyframes"]]
        assert times == sorted(times) and 1 <= len(times) <= result["settings"]["max_keyframes"], f"{outdir}: {times}"
    # one story: what the text summary and the storyboard say is in the highlight, is
    segments = [(s["start"], s["end"]) for s in result["segments"]]

    def agrees(flag: bool, start: float, end: float) -> bool:
        """flag says [start, end] is in the highlight: it is (to the JSON's rounding), and else it is not."""
        slack = 2e-3 if flag else -2e-3
        return flag == any(a - slack <= start and end <= b + slack for a, b in segments)

    for sentence in result["summary_text"]:
        assert agrees(sentence["in_highlight"], sentence["start"], sentence["end"]), f"{outdir}: {sentence}"
    for keyframe in result["keyframes"]:
        assert agrees(keyframe["in_highlight"], keyframe["time"], keyframe["time"]), f"{outdir}: {keyframe}"
    return result


@pytest.fixture(scope="session")
def scenes_clip(tmp_path_factory) -> Path:
    """14 s, 25 fps, with a tone: hard cuts at 4 and 11 s, a 1-s dissolve from 7 to 8 s."""
    path = tmp_path_factory.mktemp("clips") / "scenes.mp4"
    # a tone of a non-integer frequency: a join between whole seconds of it still jumps in phase
    return make_clip(path, [Scene(4, 1), Scene(3, 2), Scene(4, 3, dissolve=1.0), Scene(3, 4)], tone_hz=441.7)


def run_cli(*args, env=None, cwd=None, prefix=()) -> subprocess.CompletedProcess:
    """Run the installed `vidgist` command as a user would."""
    exe = Path(sys.executable).parent / "vidgist"
    return subprocess.run([*prefix, str(exe), *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=600)


def load_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def media_duration(path: Path, kind: str) -> float | None:
    """Duration of the first stream of a kind, decoded (not the header's claim); None if absent."""
    import av

    with av.open(str(path)) as c:
        streams = getattr(c.streams, kind)
        if not streams:
            return None
        end = 0.0
        for frame in c.decode(streams[0]):
            step = (frame.samples / frame.sample_rate) if kind == "audio" else 1 / float(streams[0].average_rate)
            end = max(end, frame.time + step)
        return end


CONTRACT_KEYS = {"schema", "source", "settings", "cuts", "shots", "frames", "segments", "keyframes",
                 "transcript", "summary_text", "chapters", "outputs"}


def check_summary(outdir, source_has_audio: bool) -> dict:
    """The acceptance checks every full summary must pass; returns summary.json."""
    result = check_written(outdir)
    assert CONTRACT_KEYS <= result.keys() and result["schema"] == "vidgist.summary/1"
    segments = result["segments"]
    total = sum(s["end"] - s["start"] for s in segments)
    assert abs(total - result["budget"]) <= 1.0
    assert all(0 <= s["start"] < s["end"] <= result["source"]["duration"] + 1e-3 for s in segments)
    assert all(a["end"] < b["start"] for a, b in zip(segments, segments[1:]))
    video = outdir / result["outputs"]["video"]
    assert abs(media_duration(video, "video") - total) <= 0.5
    audio = media_duration(video, "audio")
    assert (audio is not None) == source_has_audio
    if audio is not None:
        assert abs(audio - total) <= 0.5
    for keyframe in result["keyframes"]:
        assert (outdir / keyframe["image"]).stat().st_size > 1000
    assert (outdir / "storyboard.jpg").stat().st_size > 1000
    assert not [p for p in outdir.iterdir() if p.name.startswith(".vidgist-")]  # no staging left
    return result
