"""The MNIST files as torchvision reads them, read once in the zygote and shared with every child.

A student's `load_mnist()` builds torchvision's `MNIST` datasets, which read the IDX files into new
tensors: in every child, about 55 MB of private memory and a tenth of a second or more of its CPU
time, each submission again. `share()` reads them once in the zygote with torchvision's own
functions (`read_image_file`, `read_label_file`), and each child's first read of each file gets that
tensor: the same values, dtype and shape, its pages shared with the zygote until the child writes
them (fork's copy-on-write). A later read of the same file in the same child reads the disk, as
before, so no two of a child's datasets share a tensor: what one call's caller does to its data
never shows in another's. A file is known by its identity on disk (device, inode, size, mtime), so
any root or symlink that leads to it, `MNIST_data/` included, finds it, and a changed file is read
anew.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

import torch

from ..data import FILES

Read = Callable[[str], torch.Tensor]
_read: dict[tuple[str, tuple[int, ...]], torch.Tensor] = {}  # (function, file identity) -> tensor


def _identity(path: object) -> tuple[int, ...] | None:
    try:
        stat = os.stat(path)  # type: ignore[arg-type]  # whatever torchvision was handed
    except (OSError, TypeError, ValueError):
        return None
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def _first_read_shared(read: Read) -> Read:
    @functools.wraps(read)
    def first_read(path: str) -> torch.Tensor:
        identity = _identity(path)
        shared = _read.pop((read.__name__, identity), None) if identity is not None else None
        return shared if shared is not None else read(path)

    return first_read


def share(raw: Path) -> None:
    """Read the four IDX files of `raw` (the sandbox's MNIST/raw, test labels a decoy) as torchvision
    does, and let each child's first read of each take them (in the zygote, before any fork)."""
    from torchvision.datasets import mnist

    readers = {"images": mnist.read_image_file, "labels": mnist.read_label_file}
    for key, name in FILES.items():
        read = readers["images" if key.endswith("images") else "labels"]
        identity = _identity(raw / name)
        if identity is not None:
            _read[(read.__name__, identity)] = read(str(raw / name))
    mnist.read_image_file = _first_read_shared(readers["images"])
    mnist.read_label_file = _first_read_shared(readers["labels"])
