"""Text-path benchmark: what speech recognition and on-screen text cost, and how well the
transcript matches what was said.

On the narrated clip (../shared/media/cc_wanna_work_together.mp4, 180 s) it times `vidgist
summarize` (no highlight video or storyboard, fresh cache each run) with the text path off
(--speech off --no-ocr), with each part alone, and whole, and prints the median wall time of
--repeat runs and what each adds as a share of the clip's length (x real time: the target is
at most 0.25 for the whole text path). On the JFK clip it prints the word error rate and the
transcription speed of --speech accurate (Whisper base) and fast (tiny.en).

    python scripts/bench_text.py [--media ../shared/media] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jiwer

JFK = ("and so my fellow americans ask not what your country can do for you "
       "ask what you can do for your country")
VARIANTS = {
    "visual only": ["--speech", "off", "--no-ocr"],
    "+ speech (accurate)": ["--no-ocr"],
    "+ speech (fast)": ["--no-ocr", "--speech", "fast"],
    "+ on-screen text": ["--speech", "off"],
    "whole (default)": [],
}


def run(path: Path, args: list[str], workdir: Path) -> tuple[float, dict]:
    """One cold `vidgist summarize`; (wall seconds, summary.json)."""
    out = Path(tempfile.mkdtemp(dir=workdir))
    cmd = [sys.executable, "-m", "vidgist.cli.main", "summarize", str(path), "-o", str(out / "o"), "-q",
           "--no-video", "--no-storyboard", *args]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   env={"VIDGIST_CACHE_DIR": str(out / "cache"), "PATH": "/usr/bin:/bin"})
    return time.perf_counter() - start, json.loads((out / "o" / "summary.json").read_text())


def words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z' ]", " ", text.lower()).split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--media", type=Path, default=Path("../shared/media"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clip = args.media / "cc_wanna_work_together.mp4"
        walls = {name: [] for name in VARIANTS}
        duration = 0.0
        for _ in range(args.repeat):  # rounds, so load on the machine falls on every variant alike
            for name, extra in VARIANTS.items():
                wall, result = run(clip, extra, work)
                walls[name].append(wall)
                duration = result["source"]["duration"]
        base = statistics.median(walls["visual only"])
        print(f"{clip.name}, {duration:.1f} s, median of {args.repeat} cold runs\n")
        print("| variant | wall s | added s | added x real time |\n|---|---:|---:|---:|")
        for name, w in walls.items():
            m = statistics.median(w)
            print(f"| {name} | {m:.1f} | {m - base:+.1f} | {(m - base) / duration:+.3f} |")
        print("\n| speech mode | WER on whisper_jfk.flac | wall s (11 s clip, cold, incl. start-up) |\n|---|---:|---:|")
        for mode in ("accurate", "fast"):
            w, result = zip(*(run(args.media / "whisper_jfk.flac", ["--speech", mode], work) for _ in range(args.repeat)))
            heard = words(" ".join(s["text"] for s in result[0]["transcript"]))
            print(f"| {mode} ({result[0]['speech']['model']}) | {jiwer.wer(JFK, heard):.3f} | {statistics.median(w):.1f} |")


if __name__ == "__main__":
    main()
