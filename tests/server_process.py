"""A real `vidgist serve` for the tests: a child process on a free loopback port, stopped by
the test (or by its own timeout) within bounds."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

LIFETIME_S = 900  # a server the tests forget still stops


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, *args: str, token: str | None = None, port: int | None = None):
        self.data_dir, self.token = data_dir, token
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = ["timeout", "-s", "TERM", str(LIFETIME_S), sys.executable, "-m", "vidgist", "serve",
                   "--host", "127.0.0.1", "--port", str(self.port), "--data-dir", str(data_dir), *args]
        if token:
            command += ["--token", token]
        self.log = open(data_dir.parent / f"server-{self.port}.log", "ab")
        # `timeout` passes the signals it gets on to the server
        self.process = subprocess.Popen(command, stdout=self.log,
                                        stderr=subprocess.STDOUT, env={**os.environ, "VIDGIST_CACHE_DIR": str(data_dir / "cache")})
        self.client = httpx.Client(base_url=self.url, timeout=60,
                                   headers={"Authorization": f"Bearer {token}"} if token else {})
        self._wait_up()

    def _wait_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                self.client.get("/openapi.json")
                return
            except httpx.TransportError:
                time.sleep(0.2)
        raise TimeoutError("the server did not answer")

    def upload(self, path: Path, **fields) -> httpx.Response:
        with open(path, "rb") as f:
            return self.client.post("/api/jobs", files={"file": (path.name, f)}, data={k: str(v) for k, v in fields.items()})

    def wait(self, job_id: str, until=("done", "failed", "cancelled"), timeout: float = 300) -> dict:
        """The job once its status is one of `until`; every job state seen on the way in `seen`."""
        deadline, self.seen = time.monotonic() + timeout, []
        while time.monotonic() < deadline:
            job = self.client.get(f"/api/jobs/{job_id}").json()
            self.seen.append(job)
            if job["status"] in until:
                return job
            time.sleep(0.2)
        raise TimeoutError(f"job {job_id} is still {job['status']}")

    def stop(self, sig: int = signal.SIGTERM) -> bool:
        """Signal the server; whether it then ended by itself within 30 s (else it is killed)."""
        clean = True
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                clean = False
                self.process.kill()
                self.process.wait(10)
        self.client.close()
        self.log.close()
        return clean
