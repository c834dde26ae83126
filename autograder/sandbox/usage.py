"""What a running job uses, as the zygote measures it: the processes of its tree, their CPU time,
and the disk its folders take. Read from /proc and the file system, never from anything the job
says about itself.

CPU time counts every process the job ever ran: the live tree's own time plus what each process
has waited for (`cutime`). A child reaped by the kernel itself (its parent ignoring SIGCHLD) would
escape that sum, so the sandbox's seccomp filter refuses a new action for SIGCHLD (confine.py).
"""

from __future__ import annotations

import os


def children(pid: int) -> list[int]:
    """Direct children of `pid`, from /proc/PID/task/*/children: cost grows with the submission's
    processes, not with everything else running on the machine."""
    kids: list[int] = []
    try:
        tasks = list(os.scandir(f"/proc/{pid}/task"))
    except OSError:
        return kids
    for task in tasks:
        try:
            with open(f"{task.path}/children", "rb") as handle:
                kids.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return kids


def tree(pid: int, limit: int) -> list[int]:
    """`pid` and its descendants, stopping once more than `limit` are found."""
    family, stack = [], [pid]
    while stack and len(family) <= limit:
        current = stack.pop()
        family.append(current)
        stack.extend(children(current))
    return family + stack


TICK_S = 1.0 / os.sysconf("SC_CLK_TCK")
DISK_EVERY_S = 0.05  # how often a job's folders are measured: what it can write past its budget in that time
DISK_EVERY_MANY_S = 0.25  # the same for a job with many files, whose measuring costs more
MANY_ENTRIES = 1000
MAX_DISK_ENTRIES = 20000  # files and folders a job may make; past this it is stopped, and the walk stays cheap


def disk_used(folders: list[str], most: int = MAX_DISK_ENTRIES) -> tuple[float, int] | None:
    """Bytes the files under `folders` take on disk (allocated blocks, so sparse files count for
    what they use) and how many entries there are, never following a link; None when there are
    more than `most` entries, which the caller treats as over budget. An explicit stack: 3000
    nested folders cost no recursion."""
    total, seen, stack = 0, 0, list(folders)
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:  # removed meanwhile, or made unreadable: what is left is still counted
            continue
        seen += len(entries)
        if seen > most:
            return None
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            total += info.st_blocks * 512
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    return float(total), seen


def cpu_s(pid: int) -> float:
    """CPU time of `pid` (all its threads) plus that of the children it has already waited for,
    from /proc/PID/stat: what the process tree has used, independent of how busy the machine is."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    # After the command name: state is field 3; utime, stime, cutime, cstime are fields 14-17.
    return sum(int(value) for value in fields[11:15]) * TICK_S
