"""Sending observations out of the sandbox: every record goes down the channel the zygote made
for this child (`sandbox/seal.py`), never into a file the child could change later. What the
zygote received when a phase ended is sealed; a later phase, a thread or a child process that
writes files changes nothing, and one that sends a record of an earlier phase voids the run.

`open_channel` is called by the zygote's child before any student code runs."""

from __future__ import annotations

import errno
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..sandbox.seal import ARTIFACT, BEGIN, frame_header

_channel: int | None = None  # the write end of this child's channel
_root = Path("/")  # the job's output folder: record names are paths relative to it
_largest = 0  # the job's largest file in bytes (`file_mb`)


def open_channel(fd: int, outdir: Path, file_mb: int) -> None:
    global _channel, _root, _largest
    _channel, _root, _largest = fd, outdir, file_mb * 1024 * 1024


def _send(kind: bytes, name: str, data: bytes = b"") -> None:
    assert _channel is not None, "the probe runs only in a zygote's child"
    if len(data) > _largest:  # what the file system's RLIMIT_FSIZE said when artifacts were files
        raise OSError(errno.EFBIG, os.strerror(errno.EFBIG), name)
    for part in (frame_header(kind, name, len(data)), data):
        view = memoryview(part)
        while view:
            view = view[os.write(_channel, view):]


def begin(phase: str) -> None:
    """Say that `phase` starts (or "done": all have ended); what came before it is sealed."""
    _send(BEGIN, phase)


def write_artifact(path: Path, data: bytes) -> None:
    """Record `data` as the file `path` of the job's output folder."""
    _send(ARTIFACT, path.relative_to(_root).as_posix(), data)


def write_json(path: Path, payload: dict[str, Any]) -> None:
    write_artifact(path, json.dumps(payload, allow_nan=False, default=str).encode())


def write_predictions(out: Path, predictions: np.ndarray) -> None:
    """`predictions.npy`: the grader's predicted class of each test image, for the trusted side's
    accuracy (`checks/training.measured_accuracy`)."""
    buffer = io.BytesIO()
    np.save(buffer, predictions.astype(np.int64), allow_pickle=False)
    write_artifact(out / "predictions.npy", buffer.getvalue())
