"""The HTTP API and the page: a FastAPI app over the job store; the work is the workers'.

    POST   /api/jobs                    upload (multipart: file, ratio, duration, query, language,
                                        speech, ocr) -> 202 job; 413 over the limit; 415 not media
    GET    /api/jobs                    {"jobs": [...]}, newest first
    GET    /api/jobs/{id}               the job: status, progress (0..1), stage, error, outputs
    POST   /api/jobs/{id}/cancel        stop it
    DELETE /api/jobs/{id}               cancel it and remove its files -> 204
    GET    /api/jobs/{id}/result        summary.json (409 until there is one)
    GET    /api/jobs/{id}/files/{name}  a file named in outputs, or a keyframe (HTTP Range)
    GET    /api/jobs/{id}/source        the upload (HTTP Range: the page plays the source)
    POST   /api/jobs/{id}/reselect      {"ratio" | "duration", "query"}: a new summary from the
                                        cached analysis -> 200 summary.json (202 job if it takes long)
    GET    /                            the page; /static/* its assets; /docs the OpenAPI page

With a token every /api call needs `Authorization: Bearer <token>` or `?token=<token>` (the
form a <video> element can send).
"""

from __future__ import annotations

import asyncio
import hmac
import json
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi_offline import FastAPIOffline
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from ..errors import InputError
from ..media.probe import probe
from ..options import SummarizeOptions, default_data_dir
from ..version import VERSION
from .store import FINISHED, JobStore
from .worker import Workers

STATIC = Path(__file__).parent / "static"
FIELDS = {"ratio": float, "duration": float, "query": str, "language": str, "speech": str, "ocr": bool}
RESELECT_WAIT_S = 60.0  # a reselect answers with the result when done within this, else with the job
# the page loads only its own files: nothing from elsewhere, no inline script
CSP = ("default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "
       "script-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'")
# /docs: Swagger UI from the fastapi-offline wheel (no CDN), which starts itself with an inline script
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'")


@dataclass(frozen=True)
class ServerSettings:
    data_dir: Path
    max_upload_mb: float = 2048
    workers: int = 1
    token: str | None = None

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


def create_app(settings: ServerSettings) -> FastAPI:
    store = JobStore(settings.data_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        store.requeue_interrupted()
        workers = Workers(settings.data_dir, settings.cache_dir, settings.workers)
        workers.start()
        try:
            yield
        finally:
            await run_in_threadpool(workers.close)

    app = FastAPIOffline(title="vidgist", version=VERSION, lifespan=lifespan, redoc_url=None,
                         description="Upload a video, follow its analysis, fetch its summary; try another length.")

    @app.middleware("http")
    async def safe_headers(request: Request, call_next):
        response = await call_next(request)
        docs = request.url.path == "/docs"
        response.headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def authorised(request: Request) -> None:
        if settings.token is None:
            return
        given = request.query_params.get("token") or request.headers.get("authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(given.encode(), settings.token.encode()):
            raise HTTPException(401, "a valid token is needed (Authorization: Bearer <token> or ?token=)")

    def job_or_404(job_id: str):
        job = store.get(job_id)
        if job is None:
            raise HTTPException(404, "no such job")
        return job

    api = Depends(authorised)

    @app.post("/api/jobs", status_code=202, dependencies=[api])
    async def create_job(request: Request) -> dict:
        """Upload a video (multipart `file`) with optional ratio, duration, query, language,
        speech (accurate, fast, off) and ocr (true/false)."""
        job_id = store.new_id()
        folder = store.folder(job_id)
        folder.mkdir(parents=True)
        try:
            name, fields, source = await _receive_upload(request, folder, settings.max_upload_mb * 2**20)
            options = _job_options(fields)
            await run_in_threadpool(_check_media, folder / source)
        except BaseException:
            store.delete(job_id)  # nothing of a refused upload is kept
            raise
        return store.add(job_id, name, source, options).public()

    @app.get("/api/jobs", dependencies=[api])
    def list_jobs() -> dict:
        return {"jobs": [job.public() for job in store.all()]}

    @app.get("/api/jobs/{job_id}", dependencies=[api])
    def get_job(job_id: str) -> dict:
        return job_or_404(job_id).public()

    @app.post("/api/jobs/{job_id}/cancel", dependencies=[api])
    def cancel_job(job_id: str) -> dict:
        job_or_404(job_id)
        store.cancel(job_id)
        return store.get(job_id).public()

    @app.delete("/api/jobs/{job_id}", status_code=204, dependencies=[api])
    def delete_job(job_id: str) -> Response:
        job_or_404(job_id)
        store.cancel(job_id)  # its worker stops at its next progress report
        store.delete(job_id)
        return Response(status_code=204)

    @app.get("/api/jobs/{job_id}/result", dependencies=[api])
    def get_result(job_id: str) -> FileResponse:
        job_or_404(job_id)
        result = store.outdir(job_id) / "summary.json"
        if not result.exists():  # during a reselect the summary before it stands (outputs are swapped in whole)
            raise HTTPException(409, "the job has no summary yet")
        return FileResponse(result, media_type="application/json")

    @app.get("/api/jobs/{job_id}/files/{name:path}", dependencies=[api])
    def get_file(job_id: str, name: str) -> FileResponse:
        """A file the summary names (HTTP Range supported); nothing else."""
        job_or_404(job_id)
        if name not in _published(store.outdir(job_id)):
            raise HTTPException(404, "no such file")
        return FileResponse(store.outdir(job_id) / name)

    @app.get("/api/jobs/{job_id}/source", dependencies=[api])
    def get_source(job_id: str) -> FileResponse:
        job = job_or_404(job_id)
        return FileResponse(store.folder(job_id) / job.source)

    @app.post("/api/jobs/{job_id}/reselect", dependencies=[api])
    async def reselect(job_id: str, request: Request) -> Response:
        """A new summary of a done job from its cached analysis: JSON {"ratio": r} or
        {"duration": s}, and "query". Answers with the new summary.json."""
        job = job_or_404(job_id)
        try:
            asked = await request.json()
        except ValueError:
            raise HTTPException(422, "the body must be JSON") from None
        if not isinstance(asked, dict):
            raise HTTPException(422, "the body must be a JSON object")
        changes = _job_options({k: asked[k] for k in ("ratio", "duration", "query") if asked.get(k) is not None})
        if "ratio" in changes:
            changes.setdefault("duration", None)
        options = _job_options({**job.options, **changes, "query": changes.get("query")})
        if not store.reselect(job_id, options):
            raise HTTPException(409, f"the job is {job.status}, not done")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RESELECT_WAIT_S
        while loop.time() < deadline:
            await asyncio.sleep(0.1)
            job = store.get(job_id)
            if job is None or job.status in FINISHED:
                break
        if job is None:
            raise HTTPException(404, "the job was deleted")
        if job.status != "done":
            return JSONResponse(job.public(), status_code=202)
        if job.error:
            raise HTTPException(422, job.error)
        return FileResponse(store.outdir(job_id) / "summary.json", media_type="application/json")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    return app


async def _receive_upload(request: Request, folder: Path, limit: float) -> tuple[str, dict, str]:
    """Stream a multipart upload to disk, counting bytes as they come: 413 past `limit`. The
    file is stored as `source<ext>` (the extension only, lower-cased, kept from the client's
    name, for the demuxer's sake). Returns (client file name, form fields, stored name)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise HTTPException(413, f"the upload is over the limit of {limit / 2**20:.0f} MB")
    kind, params = parse_options_header(request.headers.get("content-type", ""))
    if kind != b"multipart/form-data" or b"boundary" not in params:
        raise HTTPException(415, "send the video as multipart/form-data with a `file` field")
    upload = _Upload(folder)
    parser = MultipartParser(params[b"boundary"], upload.callbacks())
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit + 64 * 1024:  # the form's other fields and boundaries: a few hundred bytes
                raise HTTPException(413, f"the upload is over the limit of {limit / 2**20:.0f} MB")
            parser.write(chunk)
        parser.finalize()
    finally:
        upload.close()
    if upload.stored is None or upload.size == 0:
        raise HTTPException(422, "no file in the form's `file` field")
    if upload.size > limit:
        raise HTTPException(413, f"the upload is over the limit of {limit / 2**20:.0f} MB")
    return upload.filename, upload.fields, upload.stored


class _Upload:
    """python-multipart callbacks: the `file` part to disk, other parts as short text fields."""

    MAX_FIELD = 4096

    def __init__(self, folder: Path):
        self.folder = folder
        self.fields: dict[str, str] = {}
        self.filename, self.stored, self.size = "", None, 0
        self._headers: dict[bytes, bytes] = {}
        self._header = b""
        self._name: str | None = None
        self._file = None
        self._value = bytearray()

    def callbacks(self) -> dict:
        return {"on_part_begin": self._begin, "on_header_field": self._field, "on_header_value": self._hvalue,
                "on_headers_finished": self._headers_done, "on_part_data": self._data, "on_part_end": self._end}

    def _begin(self) -> None:
        self._headers, self._header, self._value = {}, b"", bytearray()

    def _field(self, data: bytes, start: int, end: int) -> None:
        self._header = data[start:end].lower()

    def _hvalue(self, data: bytes, start: int, end: int) -> None:
        self._headers[self._header] = self._headers.get(self._header, b"") + data[start:end]

    def _headers_done(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        if self._name == "file" and self.stored is None:
            self.filename = Path(params.get(b"filename", b"upload").decode("utf-8", "replace")).name[:255]
            ext = Path(self.filename).suffix.lower()
            self.stored = "source" + (ext if ext[1:].isalnum() and len(ext) <= 6 else "")
            self._file = open(self.folder / self.stored, "wb")

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._file is not None and self._name == "file":
            self._file.write(data[start:end])
            self.size += end - start
        elif len(self._value) < self.MAX_FIELD:
            self._value += data[start:end]

    def _end(self) -> None:
        if self._name == "file" and self._file is not None:
            self._file.close()
            self._file = None
        elif self._name:
            self.fields[self._name] = self._value.decode("utf-8", "replace")[: self.MAX_FIELD]

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def _job_options(fields: dict) -> dict:
    """The pipeline options a form or JSON body asks for, checked by SummarizeOptions: 422 when wrong."""
    options: dict = {}
    for name, value in fields.items():
        if name not in FIELDS or value in ("", None):
            continue
        try:
            if FIELDS[name] is bool:
                options[name] = value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
            else:
                options[name] = FIELDS[name](value)
        except (TypeError, ValueError):
            raise HTTPException(422, f"{name}: not a {FIELDS[name].__name__}: {value!r}") from None
    try:
        SummarizeOptions(**options)
    except (TypeError, ValueError) as e:
        raise HTTPException(422, str(e)) from None
    return options


def _check_media(path: Path) -> None:
    """415 unless the upload has a video or audio stream we can decode."""
    try:
        info = probe(path)
    except InputError as e:
        raise HTTPException(415, str(e).replace(str(path), "the upload")) from None
    if not (info.has_video or info.has_audio):
        raise HTTPException(415, "the upload holds neither video nor audio")


def _published(outdir: Path) -> set[str]:
    """The names a summary's files may be fetched by: its outputs and its keyframe images."""
    try:
        result = json.loads((outdir / "summary.json").read_text())
    except (OSError, ValueError):
        return set()
    names = {name for name in result.get("outputs", {}).values() if not name.endswith("/")}
    return names | {k["image"] for k in result.get("keyframes", []) if k.get("image")}
