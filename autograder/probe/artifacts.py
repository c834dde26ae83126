"""Writing observations from inside the sandbox so that nothing the student's code left behind can
stand in for them."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np


def write_artifact(path: Path, data: bytes) -> None:
    """Write a fresh file: whatever student code left at `path` (a symlink, a forged file) is
    removed first, and O_EXCL | O_NOFOLLOW make sure this write cannot land anywhere else."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def write_json(path: Path, payload: dict[str, Any]) -> None:
    write_artifact(path, json.dumps(payload, allow_nan=False, default=str).encode())


def write_predictions(out: Path, predictions: np.ndarray) -> None:
    """`predictions.npy`: the grader's predicted class of each test image, for the trusted side's
    accuracy (`checks/training.measured_accuracy`)."""
    buffer = io.BytesIO()
    np.save(buffer, predictions.astype(np.int64), allow_pickle=False)
    write_artifact(out / "predictions.npy", buffer.getvalue())
