"""What a sandbox run leaves on the record of a result, read by the trusted process: the student's
printed output (head and tail, capped), the confinement the child reported, and how it ended in
words a TA reads (`sandbox.exit`)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .checks import Unavailable
from .checks.observations import read_child_file
from .config import Limits
from .sandbox.batch import WORK_PATH
from .sandbox.protocol import Outcome, open_regular_file


# The grader's own files and the installed packages, wherever the grader is installed (a TA's
# checkout, a Dask worker's environment): a student reads `torch/nn/functional.py:12: UserWarning`,
# never the machine's folders, and nothing of the grader's code.
_GRADER_FILE = re.compile(r"(?:/[^\s/\"':]+)*/autograder/(?:[\w.]+/)*[\w.]+\.py")
_PACKAGES = re.compile(r"(?:/[^\s/\"':]+)*/(?:site|dist)-packages/")
_GRADER_WARNING = re.compile(r"^<grader>:\d+: (?=\w+(?:Warning|Error)\b)")


def scrub(text: str) -> str:
    """What the student's code printed, with the sandbox's job folder, the grader's files and the
    installed packages' folders cut from the paths in it (`mnist_bn.py:18: UserWarning`, not a
    random scratch path: the same record on every run, and nothing of the grader's folders). A
    warning the grader's code was blamed for (Python names the caller one level up) keeps its
    text and loses the grader's line of code that `warnings` prints under it."""
    text = _PACKAGES.sub("", _GRADER_FILE.sub("<grader>", WORK_PATH.sub("", text)))
    lines: list[str] = []
    dropping = False
    for line in text.split("\n"):
        if dropping and line.startswith("  "):
            dropping = False
            continue
        dropping = bool(_GRADER_WARNING.match(line))
        lines.append(_GRADER_WARNING.sub("", line))
    return "\n".join(lines)


def read_output(path: Path, limit: int) -> str:
    """Head and tail of what the student printed, never more than `limit` characters, scrubbed."""
    handle = open_regular_file(path) if limit else None
    if handle is None:
        return ""
    with handle:
        size = os.fstat(handle.fileno()).st_size
        if size <= limit:
            return scrub(handle.read(limit).decode("utf-8", "replace"))
        head = handle.read(limit // 2).decode("utf-8", "replace")
        handle.seek(size - limit // 2)
        tail = handle.read().decode("utf-8", "replace")
    return scrub(f"{head}\n[... {size - limit} bytes not shown ...]\n{tail}")


LOST = "lost (grading worker died)"


def lost(outcome: Outcome) -> bool:
    """Whether the run was lost to the grader: the zygote died or fell silent (runner.py), or the
    cluster lost the job, so no exit of the child was ever seen. The zygote reports every child's
    exit code or signal, so this is never something the student's code did to its own process."""
    return outcome.exit_code is None and outcome.signal is None and outcome.limit is None


def confinement(outdir: Path) -> dict[str, str | bool | None] | None:
    """What the child wrote about its own confinement, if it is the small plain record it should be."""
    try:
        raw = read_child_file(outdir / "confinement.json", 256)
        record = json.loads(raw) if raw else None
    except (Unavailable, ValueError):
        return None
    if not (isinstance(record, dict) and set(record) == {"namespaces", "seccomp"}
            and isinstance(record["namespaces"], (str, type(None))) and isinstance(record["seccomp"], bool)):
        return None
    return record


def cpu_accounting(record: dict[str, str | bool | None] | None) -> str:
    """How the zygote's CPU time was counted, for result.json: every process of the tree as it runs
    plus the children it waited for. With seccomp, SIGCHLD cannot be ignored, so no child is reaped
    by the kernel behind the count's back (confine.py); without it, such children are missed."""
    if record and record.get("seccomp"):
        return "process tree, kernel reaping denied: every process counted, exited ones included"
    return "process tree: children reaped by the kernel (SIGCHLD ignored) are not counted"


def exit_text(outcome: Outcome, limits: Limits) -> str:
    if outcome.limit == "processes":
        return f"killed for running more than {limits.processes} processes"
    if outcome.limit == "disk":
        return f"killed for writing more than {limits.disk_mb} MB of files"
    if outcome.limit == "cpu":
        return f"killed at the CPU time limit ({limits.cpu_s:g} s)"
    if outcome.limit == "wall":
        return f"killed at the wall-clock limit ({limits.wall_s:g} s)"
    if outcome.signal is not None:
        return f"signal {outcome.signal}"
    if lost(outcome):
        return LOST
    return f"exit {outcome.exit_code}"
