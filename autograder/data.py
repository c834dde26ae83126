"""MNIST on disk, in torchvision's layout, read without torch.

The trusted process reads the IDX files with numpy: it needs the test labels (which never enter
a sandbox) and nothing else. Sandboxes get a copy of the layout in which the test labels are a
decoy, so a student's `load_mnist()` works unchanged but cannot see the answers.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
_HEADER = {"images": 16, "labels": 8}
_COUNT = {"train": 60000, "test": 10000}


class DataError(Exception):
    """MNIST is missing or damaged; the message says how to provide it."""


def raw_dir(root: Path) -> Path:
    return root / "MNIST" / "raw"


def _missing(root: Path) -> list[str]:
    return [name for name in FILES.values() if not (raw_dir(root) / name).is_file()]


def locate_root(root: Path) -> tuple[Path, str | None]:
    """The data root a user meant, and a note when it differs from what they wrote.

    A likely slip is pointing at the files themselves (`.../data/MNIST/raw` or `.../data/MNIST`)
    instead of the folder that holds `MNIST/`: when the files are there, use the folder above.
    """
    if not _missing(root):
        return root, None
    for meant in (root.parent, root.parent.parent):
        if root.resolve() in ((meant / "MNIST").resolve(), raw_dir(meant).resolve()) and not _missing(meant):
            return meant, (f"{root} holds MNIST itself; using {meant}, the folder that holds MNIST/raw/ "
                           "(what --data-root and [data] root expect)")
    return root, None


def _created_folders(root: Path) -> list[Path]:
    """The folders of `root/MNIST/raw` that do not exist yet, deepest first."""
    return [folder for folder in (raw_dir(root), root / "MNIST") if not folder.exists()]


def ensure_mnist(root: Path, download: bool = True) -> Path:
    """Return `root` once the four IDX files are there, downloading them if needed and allowed.

    A data root that does not exist is an error, not a download target (a typo must not start a
    download somewhere new), and a failed download leaves no empty folders behind.
    """
    if not root.is_dir():
        raise DataError(f"the MNIST data folder {root} does not exist. Point the grader at the folder that holds "
                        f"MNIST/raw/ ({', '.join(FILES.values())}): --data-root DIR, the environment variable "
                        "AUTOGRADE_DATA, or [data] root in grader.toml")
    missing = _missing(root)
    if missing and download:
        created = _created_folders(root)
        try:
            import torchvision.datasets as dsets  # only on this rare path: keeps start-up light

            for train in (True, False):
                dsets.MNIST(root=str(root), train=train, download=True)
        except Exception as exc:  # no network, disk full, ...: all end in the same advice
            reason = f"{type(exc).__name__}: {exc}".strip()
        else:
            reason = ""
        missing = _missing(root)
        for folder in created:
            if missing and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    else:
        reason = "download not attempted"
    if missing:
        raise DataError(
            f"MNIST is not in {raw_dir(root)} (missing: {', '.join(missing)}).\n"
            f"  The download failed ({reason}).\n"
            "  Provide the data in torchvision's layout, one of:\n"
            f"    - copy the four uncompressed files {', '.join(FILES.values())} into {raw_dir(root)}/\n"
            "    - point the grader at a folder that has MNIST/raw/ inside: --data-root DIR, the environment variable\n"
            "      AUTOGRADE_DATA, or [data] root in grader.toml\n"
            "    - run once on a machine with internet: the grader downloads MNIST into the data root itself"
        )
    return root


def read_idx(path: Path, kind: str, split: str) -> np.ndarray:
    """Read one uncompressed IDX file and check its size, without trusting its header blindly."""
    offset = _HEADER[kind]
    data = np.fromfile(path, dtype=np.uint8)
    expected = offset + _COUNT[split] * (784 if kind == "images" else 1)
    if data.size != expected:
        raise DataError(f"{path}: {data.size} bytes, expected {expected}; the file is damaged or not MNIST")
    body = data[offset:]
    return body.reshape(-1, 28, 28) if kind == "images" else body.astype(np.int64)


def read_test_labels(root: Path) -> np.ndarray:
    return read_idx(raw_dir(root) / FILES["test_labels"], "labels", "test")


def read_test_images(root: Path) -> np.ndarray:
    """The test images as uint8 (10000, 28, 28): the trusted side replays a student's model on its own
    copy (checks/rebuilt.py), never on pixels a sandbox handed back."""
    return read_idx(raw_dir(root) / FILES["test_images"], "images", "test")


def make_sandbox_root(root: Path, dest: Path, seed: int) -> Path:
    """A data root for sandboxes: the real train files and test images, decoy test labels.

    The decoy keeps the file valid (so torchvision loads it) while carrying no information about
    the real labels.
    """
    raw = raw_dir(dest)
    raw.mkdir(parents=True, exist_ok=True)
    for key, name in FILES.items():
        target = raw / name
        if target.exists() or target.is_symlink():
            target.unlink()
        if key == "test_labels":
            header = (raw_dir(root) / name).read_bytes()[: _HEADER["labels"]]
            decoy = np.random.default_rng(seed).integers(0, 10, _COUNT["test"], dtype=np.uint8)
            target.write_bytes(header + decoy.tobytes())
        else:
            os.symlink((raw_dir(root) / name).resolve(), target)
    return dest
