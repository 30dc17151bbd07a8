"""The on-disk analysis cache, keyed by file content and the settings that shaped the result.

The content key hashes the file's size and sampled bytes (its first and last MiB and 64
chunks spread over it) rather than every byte: a renamed or copied file hits the cache, an
edited or re-encoded one misses it, and a 2-hour file is keyed in milliseconds, not seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

CHUNK = 1 << 16
EDGE = 1 << 20
SAMPLES = 64


def content_key(path: Path) -> str:
    size = path.stat().st_size
    h = hashlib.blake2b(str(size).encode(), digest_size=16)
    with open(path, "rb") as f:
        if size <= 2 * EDGE + SAMPLES * CHUNK:
            h.update(f.read())
        else:
            for offset in [0, *np.linspace(EDGE, size - EDGE - CHUNK, SAMPLES, dtype=np.int64), size - EDGE]:
                f.seek(int(offset))
                h.update(f.read(EDGE if offset in (0, size - EDGE) else CHUNK))
    return h.hexdigest()


def settings_key(settings: dict) -> str:
    return hashlib.blake2b(json.dumps(settings, sort_keys=True).encode(), digest_size=8).hexdigest()


class ArrayCache:
    """Named groups of numpy arrays (plus a JSON dict) in one folder, written atomically."""

    def __init__(self, folder: Path, enabled: bool = True):
        self.folder, self.enabled = folder, enabled

    def load(self, name: str) -> tuple[dict[str, np.ndarray], dict] | None:
        path = self.folder / f"{name}.npz"
        if not self.enabled or not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files if k != "_meta"}
                return arrays, json.loads(str(data["_meta"]))
        except (OSError, ValueError, KeyError):
            return None  # a damaged entry is recomputed, never trusted

    def save(self, name: str, arrays: dict[str, np.ndarray], meta: dict) -> None:
        if not self.enabled:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        except OSError:
            return  # a cache that cannot be written only costs time on the next run
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, _meta=np.asarray(json.dumps(meta)), **arrays)
            os.replace(tmp, self.folder / f"{name}.npz")
        except OSError:
            pass
        finally:
            Path(tmp).unlink(missing_ok=True)
