"""Limits that count everything a submission does: the CPU time of children the kernel would reap
by itself, a disk budget for all its files together, and no way to take more than one share of
the CPU (no new session, no higher priority). Each against an honest neighbour in the same batch,
whose result must be the one it gets alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.sandbox import isolation

from .conftest import ROOT, grade_files, with_limits

XOR = (ROOT / "reference" / "xor.py").read_text(encoding="utf-8")

# Many short children, each burning 0.1 s of CPU; with SIGCHLD ignored the kernel reaps them itself
# and their time would be added to no one's `cutime` (what the red team used to run 15 s on a 10 s
# budget). Where ignoring SIGCHLD is refused, the parent waits for them, as ordinary code does.
REAPED_BY_THE_KERNEL = """import os, signal, time
try:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    print("SIGCHLD ignored", flush=True)
except OSError as exc:
    print("SIGCHLD refused:", exc, flush=True)
for _ in range(120):
    pid = os.fork()
    if pid == 0:
        start = time.process_time()
        while time.process_time() - start < 0.1:
            pass
        os._exit(0)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
"""

NEW_SESSIONS = """import os
for call in (os.setsid, lambda: os.nice(-1)):
    try:
        call()
        print("allowed")
    except OSError as exc:
        print("refused:", exc.strerror)
"""

FILLS_THE_DISK = """n = 0
while True:  # 20 MB files until something stops it
    with open(f"fill{n}.bin", "wb") as handle:
        handle.write(b"x" * (20 * 1024 * 1024))
    n += 1
"""


TIERS = [tier for tier in ("bwrap", "landlock") if tier in isolation.available()]


@pytest.fixture(scope="module", params=TIERS)
def graded(request, config, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fair")
    files = {"honest": folder / "honest.py", "reaped": folder / "reaped.py", "sessions": folder / "sessions.py",
             "disk": folder / "disk.py"}
    files["honest"].write_text(XOR, encoding="utf-8")
    files["reaped"].write_text(REAPED_BY_THE_KERNEL + XOR, encoding="utf-8")
    files["sessions"].write_text(NEW_SESSIONS + XOR, encoding="utf-8")
    files["disk"].write_text(FILLS_THE_DISK + XOR, encoding="utf-8")
    limited = with_limits(config, cpu_s=6, wall_s=60, disk_mb=64, isolation=request.param)
    out = tmp_path_factory.mktemp("fair-out")
    return grade_files(limited, files, out=out, assignment="xor"), out


def test_children_the_kernel_would_reap_count_toward_the_cpu_limit(graded):
    results, _ = graded
    reaped = results["reaped"]
    assert "SIGCHLD refused" in reaped.output
    assert reaped.sandbox.limit == "cpu" and reaped.score == 0
    assert reaped.sandbox.cpu_accounting.startswith("process tree, kernel reaping denied")


def test_a_submission_cannot_take_a_second_share_of_the_cpu(graded):
    results, _ = graded
    assert results["sessions"].output.count("refused: Operation not permitted") == 2
    assert results["sessions"].score == 100


def test_a_submission_that_fills_the_disk_is_stopped_alone(graded):
    results, out = graded
    disk = results["disk"]
    assert disk.sandbox.limit == "disk" and disk.score == 0
    assert "64 MB" in disk.checks[0].message or any("64 MB" in text for text in disk.fix_first)
    assert results["honest"].score == 100
    assert (out / "gradebook.csv").is_file() and (out / "honest" / "result.json").is_file()
