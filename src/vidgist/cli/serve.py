"""`vidgist serve`: the web page and HTTP API (see vidgist.server), on uvicorn."""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path

from ..errors import VidgistError


class UsageError(VidgistError):
    exit_code = 2


def add_parser(commands) -> None:
    s = commands.add_parser("serve", help="a local web page and JSON API: upload, watch the summary, try another length")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (127.0.0.1); another than loopback needs --token")
    s.add_argument("--port", type=int, default=8000, help="port (8000)")
    s.add_argument("--data-dir", type=Path, help="jobs, uploads and results (default: $XDG_DATA_HOME/vidgist)")
    s.add_argument("--max-upload-mb", type=float, default=2048, help="largest upload accepted, MB (2048)")
    s.add_argument("--workers", type=int, default=1, help="videos summarized at once, one process each (1)")
    s.add_argument("--token", help="require this token on every API call (Authorization: Bearer or ?token=)")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import uvicorn

    from ..server import ServerSettings, create_app, default_data_dir

    if not _loopback(args.host) and not args.token:
        raise UsageError(f"--host {args.host} is reachable from other machines: give a --token too")
    if args.workers < 1 or args.max_upload_mb <= 0:
        raise UsageError("--workers and --max-upload-mb must be positive")
    settings = ServerSettings(data_dir=(args.data_dir or default_data_dir()).resolve(), max_upload_mb=args.max_upload_mb,
                              workers=args.workers, token=args.token)
    print(f"vidgist: serving http://{args.host}:{args.port}/ (data in {settings.data_dir})", flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")
    return 0


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
