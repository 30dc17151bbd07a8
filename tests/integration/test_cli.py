"""`vidgist summarize` as a user runs it: outputs, exit codes, bad input, offline."""

import json
import shutil
import subprocess

import numpy as np
import pytest
from conftest import SAMPLE, check_summary, run_cli
from vidgist.render.smartcut import SNAP


def test_sample_end_to_end(tmp_path):
    out = tmp_path / "out"
    proc = run_cli("summarize", SAMPLE, "-o", out)
    assert proc.returncode == 0, proc.stderr
    result = check_summary(out, source_has_audio=True)
    assert result["source"]["duration"] == pytest.approx(30.0, abs=0.1)
    assert result["budget"] == pytest.approx(4.5, abs=0.01)  # default ratio 0.15
    # the clip's own hard cuts (samples/README.md) are found
    for cut in (11.8, 15.7, 23.0):
        assert min(abs(c - cut) for c in result["cuts"]) <= 0.5
    assert len(result["frames"]["times"]) == len(result["frames"]["scores"]) == 60


def test_duration_budget_and_json_stdout(tmp_path):
    proc = run_cli("summarize", SAMPLE, "-o", tmp_path / "o", "--duration", "8", "--json", "-q")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["budget"] == 8.0
    # as rendered: a copied run ends on the clean cut nearest its planned end (a few frames), and
    # may start on a keyframe up to SNAP before its planned start
    slack = len(result["segments"]) * (SNAP + 4 / result["source"]["fps"])
    assert 7.0 <= sum(s["end"] - s["start"] for s in result["segments"]) <= 8.0 + slack


def test_runs_with_networking_disabled(tmp_path):
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-n", "true"]).returncode != 0:
        pytest.skip("cannot make a network namespace here (needs unshare and root)")
    probe = subprocess.run(["unshare", "-n", "python3", "-c",
                            "import socket; socket.create_connection(('1.1.1.1', 80), timeout=2)"])
    assert probe.returncode != 0  # really no network inside
    out = tmp_path / "offline"
    proc = run_cli("summarize", SAMPLE, "-o", out, prefix=("unshare", "-n"))
    assert proc.returncode == 0, proc.stderr
    check_summary(out, source_has_audio=True)


def bad_inputs(folder):
    (folder / "empty.mp4").write_bytes(b"")
    (folder / "random.mp4").write_bytes(np.random.default_rng(0).bytes(200_000))
    (folder / "notes.txt").write_text("not a video\n" * 100)
    from PIL import Image

    Image.new("RGB", (64, 48), "red").save(folder / "picture.png")
    (folder / "a-folder.mp4").mkdir()
    return {
        "empty.mp4": "empty file",
        "random.mp4": "not a readable media file",
        "notes.txt": "not a video",
        "picture.png": "still image",
        "a-folder.mp4": "is a folder",
        "missing.mp4": "no such file",
    }


def test_bad_inputs_get_exit_3_and_one_line(tmp_path):
    expected = bad_inputs(tmp_path)
    for name, message in expected.items():
        proc = run_cli("summarize", tmp_path / name, "-o", tmp_path / f"out-{name}")
        assert proc.returncode == 3, (name, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0] and lines[0].startswith("vidgist: error:"), (name, lines)
        assert not (tmp_path / f"out-{name}" / "summary.json").exists()


def test_one_bad_input_does_not_stop_the_others(tmp_path):
    (tmp_path / "empty.mp4").write_bytes(b"")
    proc = run_cli("summarize", tmp_path / "empty.mp4", SAMPLE, "-o", tmp_path / "out", "-q")
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr
    check_summary(tmp_path / "out" / "bbb_sample", source_has_audio=True)


def test_truncated_mp4_summarizes_the_readable_part(tmp_path):
    data = SAMPLE.read_bytes()
    cut = tmp_path / "truncated.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])  # faststart: the index survives, the tail does not
    proc = run_cli("summarize", cut, "-o", tmp_path / "out", "-q")
    assert proc.returncode == 0, proc.stderr
    result = check_summary(tmp_path / "out", source_has_audio=True)
    assert 8.0 < result["source"]["duration"] < 25.0  # the readable part, not the header's 30 s
    assert "truncated?" in proc.stderr and "truncated?" in result["warnings"][0]
    assert result["budget"] == pytest.approx(0.15 * result["source"]["duration"], abs=0.01)


@pytest.mark.parametrize("args", [["--ratio", "0"], ["--ratio", "0.1", "--duration", "5"], ["--duration", "-1"], []])
def test_usage_errors_exit_2(tmp_path, args):
    inputs = [SAMPLE] if args else []
    proc = run_cli("summarize", *inputs, *args)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "usage:" in proc.stderr


def test_unwritable_output_exits_4(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the output folder should go")
    proc = run_cli("summarize", SAMPLE, "-o", blocker / "out", "-q")
    assert proc.returncode == 4
    assert len(proc.stderr.strip().splitlines()) == 1 and "cannot write" in proc.stderr
