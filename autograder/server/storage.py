"""The server's folder: uploaded files (named by their SHA-256, written and fsynced before the
database row that names them), results (`results/<assignment>/<submission id>/result.json`, the
grader's own layout and cache), the cookie key, and the worker's lock."""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..catalog import Msg, msg
from ..config import Config, load_config

SUFFIXES = (".py", ".ipynb", ".zip")
CHUNK = 1 << 16


class Rejected(Exception):
    """An upload refused before it was stored; the message is the student's."""

    def __init__(self, message: Msg, status: int = 400):
        super().__init__(str(message))
        self.message, self.status = message, status


@dataclass(frozen=True)
class Store:
    root: Path

    @property
    def uploads(self) -> Path:
        return self.root / "uploads"

    def results(self, assignment: str) -> Path:
        return self.root / "results" / assignment

    @property
    def lock(self) -> Path:
        return self.root / "worker.lock"

    def secret(self) -> str:
        """The key that signs session cookies, made once: sessions survive a restart."""
        path = self.root / "secret.key"
        if not path.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    def save(self, source: BinaryIO, filename: str, cap_bytes: int) -> tuple[str, str]:
        """Store an upload durably; (its path relative to the folder, its SHA-256). Refuses another
        type than .py/.ipynb/.zip, an empty file and one over `cap_bytes`, reading no more than that."""
        suffix = Path(filename).suffix.lower()
        if suffix not in SUFFIXES:
            raise Rejected(msg("server.upload.type", suffixes=", ".join(SUFFIXES)))
        self.uploads.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with tempfile.NamedTemporaryFile(dir=self.uploads, prefix=".upload-", delete=False) as handle:
            try:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > cap_bytes:
                        raise Rejected(msg("server.upload.too_big", mb=round(cap_bytes / 2**20, 1)), 413)
                    digest.update(chunk)
                    handle.write(chunk)
                if size == 0:
                    raise Rejected(msg("server.upload.empty"))
                handle.flush()
                os.fsync(handle.fileno())
            except BaseException:
                os.unlink(handle.name)
                raise
        name = f"{digest.hexdigest()}{suffix}"
        os.replace(handle.name, self.uploads / name)
        directory = os.open(self.uploads, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)
        return f"uploads/{name}", digest.hexdigest()


class Course:
    """grader.toml, read again when it changes (a TA edits a threshold, then re-grades)."""

    def __init__(self, path: Path):
        self.path = path.resolve()
        self._stamp: float | None = None
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        stamp = self.path.stat().st_mtime
        if self._config is None or stamp != self._stamp:
            self._config, self._stamp = load_config(self.path), stamp
        return self._config

    @property
    def folder(self) -> Path:
        return self.path.parent


