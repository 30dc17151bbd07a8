"""Speed benchmark: wall time, stages and peak memory of `vidgist summarize` beside two baselines.

What it measures (the "speed" task of shared/docs/REALBENCH.md), on a 10-minute 1280x720 and a
60-minute 1920x1080 H.264/AAC video composed from the real clips in ../shared/media:

  ffmpeg decode                 ffmpeg -i X -f null -        (full decode: the yardstick)
  PySceneDetect detect-content  scenedetect -i X -q detect-content   (finds cuts, nothing else)
  vidgist default settings      vidgist summarize X -o OUT   (speech, on-screen text, every output)
  vidgist --speech off          the same without speech recognition
  vidgist analysis only         --speech off --no-ocr --no-video --no-storyboard
  vidgist again (cached)        the default run's cache, --duration 30

Every vidgist run but the last starts from a fresh VIDGIST_CACHE_DIR. Each command runs as a
child process: wall time is time.perf_counter() around it, peak memory is ru_maxrss from
os.wait4(), i.e. the largest single process of its tree. The commands run in rounds (one of
each per round) after the file has been read once, so all see a warm page cache. Reported:
median wall over --repeat runs, max peak RSS, the ratios of the medians to ffmpeg's decode and
to PySceneDetect, and the stages of the default and --speech off runs (median seconds from
their summary.json `timings`; speech runs beside decode and on-screen text, so stages overlap).

Composition (ffmpeg CLI, cached in --work, redone with --recompose):
  bench-10min.mp4        every video clip in --media, sorted by name, scaled and padded to
                         1280x720 at 30 fps, with its audio (or silence), concatenated and the
                         list looped until exactly 600 s; one libx264 veryfast / AAC encode.
  bench-60min-1080p.mp4  the same at 1920x1080, six times through the concat demuxer (copy).

Needs ffmpeg/ffprobe on PATH, PySceneDetect's CLI (`pip install -e .[bench]`, i.e.
scenedetect-headless==0.7.2) and vidgist; rows whose command is missing or fails are
printed as n/a with the reason. Nothing beyond the standard library is imported.

Usage:
  python scripts/bench_speed.py [--only 10] [--repeat 3] [--rows decode,default,speech-off]
                                [--json bench-out/speed.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MEDIA = REPO.parent / "shared" / "media"
DEFAULT_WORK = REPO / "bench-out"

FPS = 30
SIZES = {"10": (1280, 720), "60": (1920, 1080)}
SHORT_S = 600  # the 10-minute file
LONG_COPIES = 6  # the 60-minute file is this many copies of a 10-minute one
AUDIO_RATE = 48000
# x264's output depends on its thread count; pinning it keeps the composed file
# byte-identical across machines with different core counts.
ENCODE_THREADS = 4

# row key -> the name printed
ROWS = {
    "decode": "ffmpeg decode",
    "scenedetect": "PySceneDetect detect-content",
    "default": "vidgist default settings",
    "speech-off": "vidgist --speech off",
    "analysis": "vidgist analysis only",
    "warm": "vidgist again (cached, --duration 30)",
}
STAGE_RUNS = ("default", "speech-off")  # the runs whose summary.json timings are tabled


def die(message: str) -> NoReturn:
    print(f"bench_speed: {message}", file=sys.stderr)
    sys.exit(2)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- composition ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Clip:
    path: Path
    duration: float  # seconds of video
    has_audio: bool


def probe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
         str(path)],
        capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(out)


def media_duration(path: Path) -> float:
    return float(probe(path)["format"]["duration"])


def as_clip(path: Path) -> Clip | None:
    """A Clip for a file with a real video stream (not cover art), else None."""
    try:
        info = probe(path)
    except (subprocess.CalledProcessError, json.JSONDecodeError):
        return None
    streams = info.get("streams", [])
    video = [s for s in streams if s.get("codec_type") == "video"
             and not s.get("disposition", {}).get("attached_pic")]
    if not video:
        return None
    # webm and others leave the stream duration unset; the container's is close enough.
    duration = float(video[0].get("duration") or info["format"]["duration"])
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    return Clip(path, duration, has_audio)


def video_clips(media: Path) -> list[Clip]:
    if not media.is_dir():
        die(f"media folder not found: {media} (use --media DIR)")
    clips = [c for p in sorted(media.iterdir()) if p.is_file() and (c := as_clip(p))]
    if not clips:
        die(f"no video clips in {media}")
    return clips


def looped(clips: list[Clip], seconds: float) -> list[Clip]:
    """The clip list, looped, up to the first clip that reaches `seconds`."""
    playlist: list[Clip] = []
    while sum(c.duration for c in playlist) < seconds:
        playlist.append(clips[len(playlist) % len(clips)])
    return playlist


def segment_filters(i: int, clip: Clip, size: tuple[int, int]) -> str:
    """Filter chains turning input i into [v{i}][a{i}]: `size` @30 fps, stereo 48 kHz.

    Both streams are cut to the clip's video duration so audio and video stay in sync
    across the concatenation; clips without audio get silence.
    """
    d = f"{clip.duration:.6f}"
    width, height = size
    video = (
        f"[{i}:v:0]setpts=PTS-STARTPTS,"
        f"scale={width}:{height}:force_original_aspect_ratio=decrease:force_divisible_by=2,"
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={FPS},format=yuv420p,"
        f"trim=duration={d}[v{i}]"
    )
    if clip.has_audio:
        source = f"[{i}:a:0]asetpts=PTS-STARTPTS,"
    else:
        source = f"anullsrc=r={AUDIO_RATE}:cl=stereo,"
    audio = (
        f"{source}aresample={AUDIO_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
        f"apad,atrim=duration={d}[a{i}]"
    )
    return f"{video};{audio}"


def compose_short(clips: list[Clip], size: tuple[int, int], out: Path) -> list[str]:
    """Encode the looped clip list into `out` at `size`, trimmed at exactly SHORT_S seconds."""
    playlist = looped(clips, SHORT_S)
    inputs = [arg for c in playlist for arg in ("-i", str(c.path))]
    chains = [segment_filters(i, c, size) for i, c in enumerate(playlist)]
    pads = "".join(f"[v{i}][a{i}]" for i in range(len(playlist)))
    graph = ";".join(chains) + f";{pads}concat=n={len(playlist)}:v=1:a=1[v][a]"
    cmd = [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *inputs,
        "-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-t", str(SHORT_S),
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-threads", str(ENCODE_THREADS),
        "-c:a", "aac", "-b:a", "128k",
        # No creation time or tool strings: the same inputs give the same bytes.
        "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
        "-movflags", "+faststart", str(out),
    ]
    subprocess.run(cmd, check=True)
    return cmd


def compose_long(short: Path, out: Path) -> list[str]:
    """Concatenate LONG_COPIES copies of `short` without re-encoding."""
    listing = out.parent / "concat-60min.txt"
    line = f"file '{short.resolve()}'\n"  # absolute, so the list may live anywhere
    listing.write_text(line * LONG_COPIES)
    cmd = [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "concat", "-safe", "0", "-i", str(listing),
        "-c", "copy", "-map_metadata", "-1", "-fflags", "+bitexact",
        "-movflags", "+faststart", str(out),
    ]
    subprocess.run(cmd, check=True)
    return cmd


def build(out: Path, make, *args) -> None:
    """Run make(*args, tmp) and move tmp to `out`, so a half-written file is never reused."""
    tmp = out.with_name(out.stem + ".part" + out.suffix)
    start = time.perf_counter()
    try:
        cmd = make(*args, tmp)
    except subprocess.CalledProcessError as e:  # ffmpeg has printed its own error above
        die(f"composing {out.name} failed (ffmpeg exit status {e.returncode})")
    tmp.replace(out)
    log(f"composed {out.name} in {time.perf_counter() - start:.1f} s:\n  {shlex.join(cmd)}")


def compose(media: Path, work: Path, recompose: bool, labels: list[str]) -> dict[str, Path]:
    """The composed files for `labels` ("10", "60"), built where missing or stale."""
    work.mkdir(parents=True, exist_ok=True)
    short, short_1080 = work / "bench-10min.mp4", work / "bench-10min-1080p.mp4"
    long = work / "bench-60min-1080p.mp4"
    clips = None
    if "10" in labels and (recompose or not short.exists()):
        clips = video_clips(media)
        log(f"composing {short} from {len(clips)} clips in {media} ...")
        build(short, compose_short, clips, SIZES["10"])
    if "60" in labels and (recompose or not long.exists()):
        clips = clips or video_clips(media)
        log(f"composing {long} from {len(clips)} clips in {media} ...")
        build(short_1080, compose_short, clips, SIZES["60"])
        build(long, compose_long, short_1080)
    return {"10": short, "60": long}


# -- measurement ---------------------------------------------------------------------------


@dataclass
class Run:
    wall: float  # seconds
    rss_kib: int  # ru_maxrss: KiB on Linux
    error: str | None = None


def error_line(stderr: str, returncode: int) -> str:
    """One line saying why a command failed: a traceback's last line, else the first line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if lines and lines[0].startswith("Traceback"):
        return lines[-1]
    if lines:
        return lines[0]
    if returncode < 0:
        return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


def measure(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> Run:
    """Run cmd to completion; wall time around it, peak RSS from os.wait4."""
    with tempfile.TemporaryFile("w+") as stderr:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=stderr, env=env, cwd=cwd)
        except OSError as e:
            return Run(0.0, 0, f"cannot run {cmd[0]}: {e.strerror}")
        # wait4 rather than proc.wait(): only it returns the child's rusage.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: keep Popen from waiting
        if proc.returncode != 0:
            stderr.seek(0)
            return Run(wall, usage.ru_maxrss, error_line(stderr.read(), proc.returncode))
    return Run(wall, usage.ru_maxrss)


@dataclass
class Row:
    name: str
    cmd: str
    walls: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    error: str | None = None

    def add(self, run: Run) -> None:
        if run.error:
            self.error = run.error
        else:
            self.walls.append(run.wall)
            self.rss_kib.append(run.rss_kib)

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.walls)

    @property
    def median(self) -> float | None:
        return statistics.median(self.walls) if self.ok else None

    @property
    def peak_mb(self) -> float | None:
        return max(self.rss_kib) / 1024 if self.ok and self.rss_kib else None


def find_tool(name: str) -> str | None:
    """The venv's copy next to sys.executable first, then PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name)


def read_timings(summary_json: Path) -> dict[str, float]:
    """The run's stage timings from its summary.json ({} if it has none)."""
    try:
        return {k: float(v) for k, v in json.loads(summary_json.read_text())["timings"].items()}
    except (OSError, KeyError, TypeError, ValueError):
        return {}


def command_lines(video: Path, runs: Path, vidgist: list[str] | None,
                  scenedetect: str | None) -> dict[str, list[str]]:
    """The command of each row; a missing tool keeps its bare name for display."""
    vidgist = vidgist or ["vidgist"]

    def summarize(out: str, *flags: str) -> list[str]:
        return [*vidgist, "summarize", str(video), "-o", str(runs / out), *flags]

    return {
        "decode": ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(video),
                   "-f", "null", "-"],
        "scenedetect": [scenedetect or "scenedetect", "-i", str(video), "-q", "detect-content"],
        "default": summarize("default"),
        "speech-off": summarize("speech-off", "--speech", "off"),
        "analysis": summarize("analysis", "--speech", "off", "--no-ocr", "--no-video", "--no-storyboard"),
        "warm": summarize("warm", "--duration", "30"),
    }


def bench_file(video: Path, repeat: int, keys: list[str], vidgist: list[str] | None,
               work: Path) -> tuple[list[Row], dict[str, dict[str, list[float]]]]:
    """Run every command of `keys` `repeat` times on `video`: the rows in table order, and the
    stage timings of the STAGE_RUNS (stage -> seconds per round)."""
    runs = work / "runs" / video.stem
    runs.mkdir(parents=True, exist_ok=True)
    scenedetect = find_tool("scenedetect")
    cmds = command_lines(video, runs, vidgist, scenedetect)
    rows = {key: Row(ROWS[key], shlex.join(cmds[key])) for key in keys}
    stages: dict[str, dict[str, list[float]]] = {key: {} for key in STAGE_RUNS if key in rows}
    if "scenedetect" in rows and not scenedetect:
        rows["scenedetect"].error = "scenedetect CLI not found (pip install -e .[bench])"
    for key in rows:
        if not vidgist and key in ("default", "speech-off", "analysis", "warm"):
            rows[key].error = "vidgist executable not found (pip install -e . or --vidgist)"

    warm_page_cache(video)
    (work / "cache").mkdir(exist_ok=True)
    for i in range(repeat):
        log(f"[{video.name}] round {i + 1}/{repeat}")
        # each vidgist run on a fresh cache; "warm" reuses the default run's
        cache = Path(tempfile.mkdtemp(prefix="vidgist-", dir=work / "cache"))
        try:
            for key, row in rows.items():
                fresh = key in ("default", "speech-off", "analysis")
                env = {**os.environ, "VIDGIST_CACHE_DIR": str(fresh_cache(cache / (key if fresh else "default"), work))}
                shutil.rmtree(runs / key, ignore_errors=True)
                timed(row, cmds[key], env=env, cwd=runs)  # cwd: PySceneDetect may write there
                for stage, seconds in read_timings(runs / key / "summary.json").items():
                    if key in stages:
                        stages[key].setdefault(stage, []).append(seconds)
        finally:
            shutil.rmtree(cache, ignore_errors=True)  # a 60-minute cache is worth freeing
    return list(rows.values()), stages


def fresh_cache(folder: Path, work: Path) -> Path:
    """A cache folder with no analyses in it that shares the models folder (the joined Whisper
    weights, made once per machine) across runs."""
    models = work / "cache" / "models"
    models.mkdir(parents=True, exist_ok=True)
    if not folder.exists():
        folder.mkdir(parents=True)
        (folder / "models").symlink_to(models.resolve(), target_is_directory=True)
    return folder


def timed(row: Row, cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> None:
    if row.error:  # failed once (or missing): not worth repeating
        return
    run = measure(cmd, env=env, cwd=cwd)
    row.add(run)
    log(f"  {row.name}: " + (f"n/a ({run.error})" if run.error else
                             f"{run.wall:.1f} s, {run.rss_kib / 1024:.0f} MB"))


def warm_page_cache(path: Path) -> None:
    """Read the file once so the first measured command does not pay for the disk."""
    with path.open("rb") as f:
        while f.read(1 << 24):
            pass


# -- report --------------------------------------------------------------------------------


def share(value: float | None, base: float | None) -> float | None:
    return value / base if value is not None and base else None


def ratio(value: float | None, base: float | None) -> str:
    r = share(value, base)
    return "n/a" if r is None else f"{r:.2f}x"


def markdown_table(rows: list[Row]) -> str:
    decode, scene = (next((r.median for r in rows if r.name == ROWS[k]), None) for k in ("decode", "scenedetect"))
    lines = ["| command | median wall s | ratio to ffmpeg decode | ratio to PySceneDetect"
             " | peak RSS MB |", "|---|---:|---:|---:|---:|"]
    for r in rows:
        if not r.ok:
            why = (r.error or "no run").replace("|", "\\|")  # a bare | would split the cell
            lines.append(f"| {r.name} | n/a | n/a | n/a | n/a ({why}) |")
            continue
        lines.append(f"| {r.name} | {r.median:.2f} | {ratio(r.median, decode)} |"
                     f" {ratio(r.median, scene)} | {r.peak_mb:.0f} |")
    return "\n".join(lines)


def stages_table(stages: dict[str, dict[str, list[float]]], decode: float | None) -> str:
    """Median seconds of each stage (summary.json timings) per run, and as a ratio to decode."""
    names = list(dict.fromkeys(name for runs in stages.values() for name in runs))
    head = " | ".join(f"{ROWS[k]} s | x decode" for k in stages)
    lines = [f"| stage | {head} |", "|---|" + "---:|" * (2 * len(stages))]
    for name in names:
        cells = []
        for runs in stages.values():
            value = statistics.median(runs[name]) if name in runs else None
            cells += ["-", "-"] if value is None else [f"{value:.2f}", ratio(value, decode)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": model}


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "uncommitted"


def file_info(video: Path) -> dict:
    # The load average shows whether other work shared the CPUs during the run.
    return {"path": str(video), "duration_s": media_duration(video),
            "size_mb": video.stat().st_size / 1e6, "load_before": os.getloadavg()[0]}


def print_report(label: str, info: dict, header: dict, repeat: int, rows: list[Row],
                 stages: dict[str, dict[str, list[float]]]) -> None:
    print(f"\n## {label}-minute file: {info['path']}\n")
    print(f"- machine: {header['nproc']} CPUs, {header['cpu']};"
          f" load average {info['load_before']:.2f} before the run")
    print(f"- file: {info['duration_s']:.2f} s, {info['size_mb']:.1f} MB")
    print(f"- commit: {header['commit']}; N = {repeat} (median wall, max peak RSS)\n")
    print(markdown_table(rows))
    if stages:
        decode = next((r.median for r in rows if r.name == ROWS["decode"]), None)
        print("\nStages (summary.json `timings`; speech runs beside decode and ocr):\n")
        print(stages_table(stages, decode))
    print()
    for r in rows:
        print(f"- {r.name}: `{r.cmd}`")
    sys.stdout.flush()


def rows_json(rows: list[Row]) -> list[dict]:
    decode, scene = (next((r.median for r in rows if r.name == ROWS[k]), None) for k in ("decode", "scenedetect"))
    return [{"name": r.name, "cmd": r.cmd, "walls_s": r.walls, "median_wall_s": r.median,
             "ratio_to_ffmpeg_decode": share(r.median, decode),
             "ratio_to_scenedetect": share(r.median, scene),
             "peak_rss_mb": r.peak_mb, "error": r.error}
            for r in rows]


# -- main ----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--media", type=Path, default=DEFAULT_MEDIA,
                   help="folder of real clips to compose from (default: %(default)s)")
    p.add_argument("--work", type=Path, default=DEFAULT_WORK,
                   help="composed files, outputs and caches (default: %(default)s)")
    p.add_argument("--only", choices=["10", "60"], help="measure only this file")
    p.add_argument("--repeat", type=int,
                   help="runs per command (default: 3 for the 10-minute file, 1 for the 60)")
    p.add_argument("--rows", default=",".join(ROWS),
                   help=f"the commands to run, comma-separated, of {', '.join(ROWS)} (default: all)")
    p.add_argument("--vidgist", help="vidgist command (default: the venv's, then PATH)")
    p.add_argument("--recompose", action="store_true", help="rebuild the composed files")
    p.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    args = p.parse_args()
    if args.repeat is not None and args.repeat < 1:
        p.error("--repeat must be at least 1")
    chosen = args.rows.split(",")
    if unknown := [k for k in chosen if k not in ROWS]:
        p.error(f"unknown rows {', '.join(unknown)}; choose from {', '.join(ROWS)}")
    args.rows = [k for k in ROWS if k in chosen]  # table order; "warm" after "default"
    return args


def main() -> None:
    args = parse_args()
    for tool in ("ffmpeg", "ffprobe"):
        if not shutil.which(tool):
            die(f"{tool} not found on PATH; install it (Debian: apt-get install ffmpeg)")
    vidgist_exe = shlex.split(args.vidgist) if args.vidgist else None
    if vidgist_exe is None and (found := find_tool("vidgist")):
        vidgist_exe = [found]

    labels = [args.only] if args.only else ["10", "60"]
    files = compose(args.media, args.work, args.recompose, labels)
    header = {**machine(), "commit": git_commit()}
    report = {**header, "files": {}}
    for label in labels:
        repeat = args.repeat or (3 if label == "10" else 1)
        info = file_info(files[label])
        rows, stages = bench_file(files[label], repeat, args.rows, vidgist_exe, args.work)
        print_report(label, info, header, repeat, rows, stages)
        report["files"][label] = {**info, "repeat": repeat, "rows": rows_json(rows),
                                  "stages": {ROWS[k]: v for k, v in stages.items()}}
        if args.json:  # after each file, so a long run leaves its partial numbers behind
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
