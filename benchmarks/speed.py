"""How fast grading is: seconds per submission of the batch command, as a multiple of one bare epoch.

    python -m benchmarks.speed [N] [--runs 3] [--assignment NAME] [--steady] [--data-root DIR]

Issue 23's figure: `autograde SUBMISSIONS/` on N copies of an assignment's reference (default 10 of
mnist_bn), the whole command in a fresh process (Python start, the zygote's start-up, grading,
the results files) divided by N, the median of `--runs` runs, against one bare one-thread epoch of
the reference measured in the same run (benchmarks/bare_epoch.py).

`--steady` adds, in this process, the interval between finished submissions of one batch (steady
state: the start-up is paid once per batch and reported apart); `--assignment all` does every
assignment of grader.toml, one after the other.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder import Grader, Submission, load_config
from benchmarks.bare_epoch import bare_epoch_s, describe

ROOT = Path(__file__).resolve().parents[1]


def copies(reference: Path, n: int, folder: Path) -> list[Submission]:
    """`n` students who handed in the reference."""
    folder.mkdir()
    paths = [folder / f"student{i:03d}.py" for i in range(n)]
    for path in paths:
        shutil.copy(reference, path)
    return [Submission(path.stem, path) for path in paths]


def command_s(name: str, n: int, reference: Path, data_root: Path) -> float:
    """Wall seconds of one fresh `autograde SUBMISSIONS/` on `n` copies (nothing re-used)."""
    with tempfile.TemporaryDirectory(prefix="speed-") as tmp:
        folder = Path(tmp) / "submissions"
        copies(reference, n, folder)
        start = time.monotonic()
        subprocess.run([sys.executable, "-m", "autograder", str(folder), "--assignment", name, "--out",
                        str(Path(tmp) / "results"), "--data-root", str(data_root), "--quiet"],
                       cwd=ROOT, check=True, capture_output=True)
        return time.monotonic() - start


def steady(config, name: str, n: int, data_root: Path) -> None:  # type: ignore[no-untyped-def]
    """One batch in this process: the interval between finished submissions, and the start-up."""
    reference = config.path(config.assignments[name].reference)
    with tempfile.TemporaryDirectory(prefix="speed-") as tmp:
        files = copies(reference, n, Path(tmp) / "submissions")
        finished: list[float] = []
        start = time.monotonic()
        results = Grader(config, name, data_root=data_root).grade(
            files, progress=lambda *_: finished.append(time.monotonic()))
        total = time.monotonic() - start
    assert all(r.score == r.max_score for r in results), f"the {name} reference did not get full marks"
    gaps = [b - a for a, b in zip(finished, finished[1:])]
    per_sub = (finished[-1] - finished[0]) / (len(finished) - 1) if len(finished) > 1 else total
    sandbox_times = [r.duration_s for r in results]
    print(f"  in one process: batch wall time {total:.2f} s (start-up until first result: {finished[0] - start:.2f} s)")
    print(f"  steady state, seconds/submission:   {per_sub:.2f} s (median gap {statistics.median(gaps) if gaps else 0:.2f} s)")
    print(f"  one submission, sandbox+judge:      median {statistics.median(sandbox_times):.2f} s, "
          f"max {max(sandbox_times):.2f} s; CPU time median {statistics.median(r.sandbox.cpu_s for r in results):.2f} s")


def measure(config, name: str, n: int, runs: int, data_root: Path, with_steady: bool) -> None:  # type: ignore[no-untyped-def]
    reference = config.path(config.assignments[name].reference)
    per_sub = [command_s(name, n, reference, data_root) / n for _ in range(runs)]
    print(f"{name}: autograde SUBMISSIONS/ on {n} copies of the reference (jobs={config.grader.jobs}, "
          f"threads={config.grader.threads}), {runs} runs")
    print(f"  per submission incl. start-up:      {describe(per_sub)}")
    if config.assignments[name].checks.first("accuracy"):  # a lab with the course's build_model/train
        epoch = bare_epoch_s(reference, data_root, runs)
        print(f"  one bare epoch of the reference:    {describe(epoch)}")
        print(f"  per submission / bare epoch:        {statistics.median(per_sub) / statistics.median(epoch):.2f}x")
    if with_steady:
        steady(config, name, n, data_root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--assignment", default="mnist_bn", help="an assignment of grader.toml, or 'all'")
    parser.add_argument("--steady", action="store_true", help="also the steady state of one batch in this process")
    parser.add_argument("--data-root", type=Path)
    args = parser.parse_args()
    config = load_config(ROOT / "grader.toml")
    data_root = args.data_root or config.path(config.data.root)
    for name in (config.assignments if args.assignment == "all" else [args.assignment]):
        measure(config, name, args.n, args.runs, data_root, args.steady)


if __name__ == "__main__":
    main()
