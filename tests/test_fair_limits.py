"""Limits that count everything a submission does: the CPU time of children the kernel would reap
by itself, a disk budget for all its files together, and no way to take more than one share of
the CPU (no new session, no higher priority). Each against an honest neighbour in the same batch,
whose result must be the one it gets alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.sandbox import isolation

from .conftest import ROOT, grade_files, with_limits

LAB = "softmax_tips"  # the cheapest lab to grade: 0.1 s of CPU for its reference
SOURCE = (ROOT / "reference" / f"{LAB}.py").read_text(encoding="utf-8")

# Many short children, each burning 0.1 s of CPU; with SIGCHLD ignored the kernel reaps them itself
# and their time would be added to no one's `cutime` (what the red team used to run 15 s on a 10 s
# budget). Where ignoring SIGCHLD is refused, the parent waits for them, as ordinary code does.
REAPED_BY_THE_KERNEL = """import os, signal, time
try:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    print("SIGCHLD ignored", flush=True)
except OSError as exc:
    print("SIGCHLD refused:", exc, flush=True)
for _ in range(120):  # 12 s of CPU in all
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
        print("allowed", flush=True)
    except OSError as exc:
        print("refused:", exc.strerror, flush=True)
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
    """Per tier: the kernel-reaping submission alone on a 2 s budget (it needs 12 s), then the other
    attacks beside an honest submission on a generous one."""
    folder = tmp_path_factory.mktemp("fair")
    files = {name: folder / f"{name}.py" for name in ("honest", "reaped", "sessions", "disk")}
    for name, prefix in (("honest", ""), ("reaped", REAPED_BY_THE_KERNEL), ("sessions", NEW_SESSIONS),
                         ("disk", FILLS_THE_DISK)):
        files[name].write_text(prefix + SOURCE, encoding="utf-8")
    tight = with_limits(config, cpu_s=2, wall_s=60, isolation=request.param)
    results = grade_files(tight, {"reaped": files.pop("reaped")}, assignment=LAB)
    out = tmp_path_factory.mktemp("fair-out")
    generous = with_limits(config, cpu_s=30, wall_s=120, disk_mb=64, isolation=request.param)
    return {**results, **grade_files(generous, files, out=out, assignment=LAB)}, out


def test_children_the_kernel_would_reap_count_toward_the_cpu_limit(graded):
    results, _ = graded
    reaped = results["reaped"]
    assert "SIGCHLD refused" in reaped.output
    assert reaped.sandbox.limit == "cpu" and reaped.score == 0
    assert reaped.sandbox.cpu_accounting.startswith("process tree, kernel reaping denied")


def test_a_submission_cannot_take_a_second_share_of_the_cpu(graded):
    results, _ = graded
    assert results["sessions"].output.count("refused: Operation not permitted") == 2
    assert results["sessions"].score == results["honest"].score == 100


def test_a_submission_that_fills_the_disk_is_stopped_alone(graded):
    results, out = graded
    disk = results["disk"]
    assert disk.sandbox.limit == "disk" and disk.score == 0
    assert "64 MB" in disk.checks[0].message or any("64 MB" in text for text in disk.fix_first)
    assert results["honest"].score == 100
    assert (out / "gradebook.csv").is_file() and (out / "honest" / "result.json").is_file()
