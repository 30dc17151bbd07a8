"""Memory of `vidgist serve` over many sequential jobs: does the server process stay flat?

Starts a real server on a free loopback port with a fresh data folder, then uploads the real
clips of --media (and the bundled samples) one after another, round-robin, each job waited for
before the next. After each job it reads the resident memory (VmRSS from /proc) of the server
process and of its worker processes. Prints a table and, for the server, the RSS after the
first job, after the last, and the largest; Linux only.

Usage: python scripts/bench_server.py [--jobs 20] [--media ../shared/media] [--speech off]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
SUFFIXES = (".mp4", ".webm", ".mpg", ".avi", ".mkv", ".mov", ".wav", ".flac")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--jobs", type=int, default=20)
    p.add_argument("--media", type=Path, default=REPO.parent / "shared" / "media")
    p.add_argument("--speech", default="accurate", choices=["accurate", "fast", "off"])
    args = p.parse_args()
    clips = sorted(f for f in args.media.glob("*") if f.suffix.lower() in SUFFIXES) if args.media.is_dir() else []
    clips += sorted((REPO / "samples").glob("*.mp4"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="vidgist-serve-") as data:
        server = subprocess.Popen([sys.executable, "-m", "vidgist", "serve", "--port", str(port), "--data-dir", data],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        try:
            for _ in range(300):
                try:
                    client.get("/openapi.json")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            print("| job | clip | status | seconds | server RSS MB | workers RSS MB |\n|---:|---|---|---:|---:|---:|")
            server_rss = []
            for k in range(args.jobs):
                clip = clips[k % len(clips)]
                started = time.perf_counter()
                with open(clip, "rb") as f:
                    job = client.post("/api/jobs", files={"file": (clip.name, f)}, data={"speech": args.speech}).json()
                while (status := client.get(f"/api/jobs/{job['id']}").json()["status"]) in ("queued", "running"):
                    time.sleep(0.2)
                server_rss.append(rss_mb(server.pid))
                workers = sum(rss_mb(c) for c in children(server.pid))
                print(f"| {k + 1} | {clip.name} | {status} | {time.perf_counter() - started:.1f} | "
                      f"{server_rss[-1]:.0f} | {workers:.0f} |", flush=True)
            print(f"\nserver RSS: {server_rss[0]:.0f} MB after job 1, {server_rss[-1]:.0f} MB after job {args.jobs}, "
                  f"largest {max(server_rss):.0f} MB")
        finally:
            client.close()
            server.terminate()
            server.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
