"""Removing what a sandbox left behind, whatever it left: the trusted process must survive any tree.

`shutil.rmtree` (Python 3.11) recurses once per folder level, so 3000 nested folders raise
RecursionError, and a path that deep is longer than PATH_MAX. `remove_tree` walks with one open
folder at a time, by name relative to it (`dir_fd`), never following a symbolic link, making each
folder writable before emptying it, and never opening anything but folders (a FIFO is unlinked,
not opened). It never raises: what it could not remove stays, and it says how many entries.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def _open_child(parent: int, name: str) -> int | None:
    try:
        os.chmod(name, stat.S_IRWXU, dir_fd=parent)  # a folder left read-only or unsearchable
    except OSError:
        pass
    try:
        return os.open(name, DIRECTORY, dir_fd=parent)
    except OSError:
        return None


def _next_folder(fd: int, skip: set[str]) -> str | None:
    """Unlink every non-folder entry of the open folder `fd`; return a subfolder still to empty."""
    try:
        entries = list(os.scandir(fd))
    except OSError:
        return None
    for entry in entries:
        if entry.name in skip:
            continue
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_folder = False
        if is_folder:
            return entry.name
        try:
            os.unlink(entry.name, dir_fd=fd)
        except OSError:
            skip.add(entry.name)
    return None


def remove_tree(path: Path) -> int:
    """Remove `path` and everything under it; return how many entries could not be removed."""
    try:
        root = os.open(path, DIRECTORY)
    except FileNotFoundError:
        return 0
    except OSError:
        try:
            os.unlink(path)
            return 0
        except OSError:
            return 1
    fd, names, skips, left = root, [], [set()], 0  # names: the folders entered below `path`
    while True:
        name = _next_folder(fd, skips[-1])
        if name is not None:
            child = _open_child(fd, name)
            if child is None:
                skips[-1].add(name)  # counted as left when this folder is done
                continue
            os.close(fd)  # one open folder at a time: the way back up is "..", not a stack of descriptors
            fd = child
            names.append(name)
            skips.append(set())
            continue
        left += len(skips[-1])
        if not names:
            break
        try:
            parent = os.open("..", DIRECTORY, dir_fd=fd)
        except OSError:
            break
        os.close(fd)
        fd, finished = parent, names.pop()
        skips.pop()
        try:
            os.rmdir(finished, dir_fd=fd)
        except OSError:
            skips[-1].add(finished)
    os.close(fd)
    try:
        os.rmdir(path)
    except OSError:
        left += 1
    return left
