"""Choosing and describing the isolation tier, on the trusted side.

Tiers, strongest first (docs/security.md has the threat model):
  - `bwrap`: the zygote and every child run inside bubblewrap: new PID, network, IPC and UTS
    namespaces, a read-only view of the system, a private /tmp, and `--die-with-parent`; each
    child then adds Landlock and its limits. Nothing a submission starts outlives the batch.
  - `landlock`: no namespaces; each child restricts itself with Landlock (filesystem allowlist,
    TCP denied, signals scoped to itself) plus rlimits, its own session, a process cap and the
    wall-clock kill.
  - `process`: rlimits, own session, process cap and wall-clock kill only (old kernels).
"""

from __future__ import annotations

import functools
import glob
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from ..catalog import msg, render
from .protocol import Isolation

TIERS = ("bwrap", "landlock", "process")
SYSTEM_READ = ["/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/proc", "/sys", "/dev"]


class IsolationError(Exception):
    """A forced tier is not available here."""


@functools.cache
def bwrap_works() -> bool:
    if not shutil.which("bwrap"):
        return False
    try:
        done = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                               "--unshare-pid", "--unshare-net", "--die-with-parent", "true"],
                              capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _not_linux() -> str:
    """Why nothing runs here, in Korean and in English (this layer does not know the [report]
    language)."""
    text = msg("isolation.not_linux", platform=platform.system() or sys.platform)
    return "\n".join(dict.fromkeys(render(text, language) for language in ("ko", "en")))


def available() -> list[str]:
    """The tiers this machine offers, strongest first. Every tier, `process` included, relies on
    Linux (/proc for CPU time, prctl, Landlock's and seccomp's system calls, fork after importing
    torch): elsewhere (macOS, Windows without WSL) nothing is offered and the error says where a
    student can run the self-check instead; there is deliberately no weaker tier for them."""
    if not sys.platform.startswith("linux"):
        raise IsolationError(_not_linux())
    from . import landlock  # here, not at the top: its ctypes set-up is Linux's, and the error above must reach Windows

    tiers = []
    if landlock.abi() >= 1:
        if bwrap_works():
            tiers.append("bwrap")
        tiers.append("landlock")
    tiers.append("process")
    return tiers


def choose(requested: str) -> str:
    offered = available()
    if requested == "auto":
        return offered[0]
    if requested not in offered:
        raise IsolationError(f"[limits] isolation = {requested!r} is not available on this machine "
                             f"(available: {', '.join(offered)}); use \"auto\"")
    return requested


def _gpu_devices() -> list[str]:
    return sorted(glob.glob("/dev/nvidia*"))


def bwrap_prefix(writable: Path, readable: list[Path]) -> list[str]:
    """bubblewrap arguments that put the zygote (and so every child) in fresh namespaces.

    `/tmp` becomes private; `readable` (Python, the grader, the data: any of which may live under
    /tmp, as in a CI checkout) is bound back read-only, and `writable` (the batch folder) read-write.
    """
    dev = ["--dev-bind", "/dev", "/dev"] if _gpu_devices() else ["--dev", "/dev"]
    binds = []
    for path in dict.fromkeys(str(p.resolve()) for p in readable):
        binds += ["--ro-bind", path, path]
    return ["bwrap", "--ro-bind", "/", "/", *dev, "--proc", "/proc", "--tmpfs", "/tmp", *binds,
            "--bind", str(writable), str(writable), "--unshare-pid", "--unshare-net", "--unshare-ipc",
            "--unshare-uts", "--new-session", "--die-with-parent", "--"]


def runtime_paths() -> list[Path]:
    """What the zygote needs to see: the Python installation and the grader's source tree."""
    return [Path(sys.prefix), Path(sys.base_prefix), Path(__file__).resolve().parents[2]]


def child_rules(tier: str, workdir: Path, outdir: Path, data_root: Path | None, data_files: list[Path],
                processes: int) -> Isolation:
    """What a child may read and write: the system and Python, its own folders, the MNIST files
    it needs; never the reference, grader.toml, the real test labels or other students' files."""
    package = Path(__file__).resolve().parents[1]
    read = [*SYSTEM_READ, sys.base_prefix, sys.prefix, str(package),
            *([str(data_root)] if data_root else []), *(str(path.resolve()) for path in data_files)]
    write = [str(workdir), str(outdir), "/dev/null", *_gpu_devices()]
    return Isolation(landlock=tier in ("bwrap", "landlock"), read=read, write=write, processes=processes)
