"""How long a student waits for `autograde check FILE`, cold, and where the time goes.

    .venv/bin/python -m benchmarks.check_time [FILE] [--runs 3]

Prints, per run: the whole command (a fresh `autograde check` process, as a student runs it), and
in this process: importing the CLI, starting the warm sandbox (the zygote imports torch and loads
MNIST), and grading the file once the sandbox is warm. Figures, not a test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=ROOT / "reference" / "mnist_bn.py")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    whole = []
    for _ in range(args.runs):
        start = time.monotonic()
        subprocess.run([sys.executable, "-m", "autograder", "check", str(args.file), "--language", "en"],
                       capture_output=True, cwd=ROOT, check=False)
        whole.append(time.monotonic() - start)
    start = time.monotonic()
    subprocess.run([sys.executable, "-c", "import autograder.cli"], check=True, cwd=ROOT)
    imports = time.monotonic() - start

    from autograder.cli import find_config
    from autograder.config import load_config
    from autograder.course import assignment_for_file
    from autograder.grading import Grader
    from autograder.sandbox.batch import LocalBatch

    config = load_config(find_config(None))
    name, _ = assignment_for_file(config, args.file, None)
    grader = Grader(config, name)
    start = time.monotonic()
    with LocalBatch(grader._settings()):
        warm = time.monotonic() - start
    print(f"autograde check {args.file.name}, cold, {args.runs} runs: median {statistics.median(whole):.2f} s "
          f"(min {min(whole):.2f}, max {max(whole):.2f})")
    print(f"  python start + import autograder.cli: {imports:.2f} s")
    print(f"  sandbox start (zygote: torch, MNIST):  {warm:.2f} s")
    print(f"  the rest (reading, running the checks in the sandbox, judging, printing): "
          f"{statistics.median(whole) - imports - warm:.2f} s")


if __name__ == "__main__":
    main()
