"""The HTTP API against a real `vidgist serve` (uvicorn, SQLite, worker processes) on loopback,
with the bundled real clip."""

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent))  # tests/server_process.py

from server_process import Server  # noqa: E402

from vidgist.server.store import JobStore  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CLIP = ROOT / "samples" / "scenes_sample.mp4"  # 40 s of real footage, several scenes
FAST = {"speech": "off"}  # the speech path has tests of its own; here the server is under test


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    (folder / "data").mkdir()
    s = Server(folder / "data", "--max-upload-mb", "1")
    yield s
    assert s.stop()  # a clean shutdown


@pytest.fixture(scope="module")
def done_job(server):
    answer = server.upload(CLIP, ratio=0.15, **FAST)
    assert answer.status_code == 202, answer.text
    job = server.wait(answer.json()["id"])
    assert job["status"] == "done", job
    return job


def test_upload_progress_result(server, done_job):
    assert len(done_job["id"]) >= 22  # 128 random bits
    progress = [j["progress"] for j in server.seen]
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert {"analyze", "text on screen"} & {j["stage"] for j in server.seen} or len(server.seen) == 1
    result = server.client.get(f"/api/jobs/{done_job['id']}/result").json()
    assert result["schema"] == "vidgist.summary/1" and result["segments"]
    assert result["outputs"] == done_job["outputs"] and "video" in result["outputs"]
    assert Path(result["source"]["path"]).name.startswith("source")  # stored under its own name
    listed = server.client.get("/api/jobs").json()["jobs"]
    assert done_job["id"] in [j["id"] for j in listed]


def test_files_with_range(server, done_job):
    base = f"/api/jobs/{done_job['id']}/files"
    whole = server.client.get(f"{base}/summary.mp4")
    assert whole.status_code == 200 and whole.content[4:8] == b"ftyp"
    part = server.client.get(f"{base}/summary.mp4", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == whole.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
    result = server.client.get(f"/api/jobs/{done_job['id']}/result").json()
    keyframe = result["keyframes"][0]["image"]
    assert server.client.get(f"{base}/{keyframe}").content[:2] == b"\xff\xd8"  # a JPEG
    source = server.client.get(f"/api/jobs/{done_job['id']}/source", headers={"Range": "bytes=0-7"})
    assert source.status_code == 206 and source.content == CLIP.read_bytes()[:8]


@pytest.mark.parametrize("name", ["../../jobs.sqlite3", "..%2F..%2Fjobs.sqlite3", "%2e%2e/source.mp4",
                                  "/etc/passwd", "keyframes/", "keyframes/%2E%2E/source.mp4", "nothere.txt"])
def test_path_tricks_are_404(server, done_job, name):
    answer = server.client.get(f"/api/jobs/{done_job['id']}/files/{name}")
    assert answer.status_code == 404


def test_reselect_from_the_cached_analysis(server, done_job):
    job_id = done_job["id"]
    before = server.client.get(f"/api/jobs/{job_id}/result").json()
    answer = server.client.post(f"/api/jobs/{job_id}/reselect", json={"ratio": 0.4})
    assert answer.status_code == 200, answer.text
    after = answer.json()
    assert after["budget"] > 2 * before["budget"]
    assert sum(s["end"] - s["start"] for s in after["segments"]) > sum(s["end"] - s["start"] for s in before["segments"])
    assert after["timings"]["decode"] < 0.5  # the analysis came from the cache
    assert server.client.get(f"/api/jobs/{job_id}/result").json() == after
    assert server.client.post(f"/api/jobs/{job_id}/reselect", json={"ratio": 7}).status_code == 422
    assert server.client.get(f"/api/jobs/{job_id}").json()["status"] == "done"


def test_refusals(server, done_job, tmp_path):
    c = server.client
    assert c.get("/api/jobs/nosuchjob").status_code == 404
    assert c.get("/api/jobs/nosuchjob/result").status_code == 404
    assert c.post("/api/jobs/nosuchjob/reselect", json={"ratio": 0.2}).status_code == 404
    big = tmp_path / "big.mp4"
    big.write_bytes(CLIP.read_bytes()[:1024] + bytes(2 * 2**20))
    assert server.upload(big).status_code == 413
    text = tmp_path / "notes.mp4"
    text.write_text("not a video at all\n" * 100)
    answer = server.upload(text)
    assert answer.status_code == 415 and "Traceback" not in answer.text and answer.json()["detail"]
    assert server.upload(CLIP, ratio="lots").status_code == 422
    assert c.post("/api/jobs", content=b"raw bytes").status_code == 415
    jobs = c.get("/api/jobs").json()["jobs"]
    assert [j["id"] for j in jobs] == [done_job["id"]]  # refused uploads left no job behind
    assert sorted(p.name for p in (server.data_dir / "jobs").iterdir()) == [done_job["id"]]  # nor files


def test_an_upload_over_the_limit_is_stopped_while_it_streams(server):
    """No Content-Length (a chunked upload): refused once the bytes pass the limit."""
    def chunks():
        yield b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\n\r\n"
        for _ in range(64):  # 4 MB, against a 1 MB limit
            yield bytes(64 * 1024)
        yield b"\r\n--xyz--\r\n"

    answer = server.client.post("/api/jobs", content=chunks(), headers={"content-type": "multipart/form-data; boundary=xyz"})
    assert answer.status_code == 413


def test_cancel_and_delete(server):
    job = server.upload(CLIP, **FAST).json()
    cancelled = server.client.post(f"/api/jobs/{job['id']}/cancel").json()
    assert cancelled["status"] == "cancelled"
    assert server.wait(job["id"], timeout=30)["status"] == "cancelled"  # the worker does not bring it back
    assert server.client.delete(f"/api/jobs/{job['id']}").status_code == 204
    assert server.client.get(f"/api/jobs/{job['id']}").status_code == 404
    assert not (server.data_dir / "jobs" / job["id"]).exists()


def test_a_restart_runs_queued_and_interrupted_jobs(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    first = Server(data, "--workers", "1")
    running = first.upload(CLIP, **FAST).json()["id"]
    queued = first.upload(CLIP, ratio=0.3, **FAST).json()["id"]
    first.wait(running, until=("running",), timeout=60)
    assert first.stop(signal.SIGTERM)  # stopped mid-job
    store = JobStore(data)
    assert store.get(running).status == "running" and store.get(queued).status == "queued"
    second = Server(data, "--workers", "1")
    try:
        assert second.wait(running)["status"] == "done"
        assert second.wait(queued)["status"] == "done"
    finally:
        second.stop()


def test_a_token_guards_every_api_call(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    guarded = Server(data, token="s3cret")
    try:
        bare = {"Authorization": ""}
        assert guarded.client.get("/api/jobs", headers=bare).status_code == 401
        assert guarded.client.get("/api/jobs", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert guarded.client.get("/api/jobs").status_code == 200
        assert guarded.client.get("/api/jobs?token=s3cret", headers=bare).status_code == 200
        assert guarded.client.get("/api/jobs/x/files/summary.mp4", headers=bare).status_code == 401
        assert guarded.client.get("/", headers=bare).status_code == 200  # the page itself holds nothing
    finally:
        guarded.stop()


def test_another_host_than_loopback_needs_a_token(tmp_path):
    run = subprocess.run([sys.executable, "-m", "vidgist", "serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "--token" in run.stderr


def test_openapi_and_its_page_work_offline(server):
    schema = server.client.get("/openapi.json").json()
    assert {"/api/jobs", "/api/jobs/{job_id}", "/api/jobs/{job_id}/result", "/api/jobs/{job_id}/files/{name}",
            "/api/jobs/{job_id}/reselect"} <= set(schema["paths"])
    docs = server.client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.text
    assert "http://" not in docs.text and "https://" not in docs.text  # nothing from a CDN
    for asset in re.findall(r'(?:src|href)="([^"]+)"', docs.text):
        assert server.client.get(asset).status_code == 200, asset
