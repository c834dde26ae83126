"""How long a student waits for `autograde check FILE`, cold, and where the time goes.

    .venv/bin/python -m benchmarks.check_time [FILE] [--runs 3]

Prints the whole command (a fresh `autograde check` process, as a student runs it), then in this
process: importing the CLI, starting the warm sandbox (the zygote imports torch and loads MNIST),
and grading the file once the sandbox is warm; each a median of `--runs`. Then what each import of
the sandbox costs, in fresh processes, one after the other as the zygote does them. Issue 23's
figure is the whole command as a multiple of one bare epoch of the homework's reference, measured
in the same run (benchmarks/bare_epoch.py). `--warm` also times the same command with a warm
sandbox running (`autograde warm`, started and stopped here).
Figures, not a test: on a shared machine compare runs made in the same session.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.bare_epoch import bare_epoch_s, describe

ROOT = Path(__file__).resolve().parents[1]

# Timed in a fresh interpreter, in the zygote's order; each line prints "name seconds".
IMPORTS = """
import sys, time
from pathlib import Path
def step(name, run):
    start = time.monotonic(); run(); print(name, round(time.monotonic() - start, 3))
step("torch (with torch.nn.functional, torch.optim)", lambda: __import__("torch.nn.functional") and __import__("torch.optim"))
step("what children import on first use (numpy.random, sympy)",
     lambda: [__import__(name) for name in ("numpy.ctypeslib", "numpy.random", "torch.fx.experimental.symbolic_shapes")])
step("the stand-in for torch._dynamo (sandbox/lazy_dynamo.py)",
     lambda: __import__("autograder.sandbox.lazy_dynamo").sandbox.lazy_dynamo.install())
step("torchvision.datasets, .transforms, PIL.ImageFile",
     lambda: [__import__(name) for name in ("torchvision.datasets", "torchvision.transforms", "PIL.ImageFile")])
step("matplotlib.pyplot", lambda: __import__("matplotlib.pyplot"))
step("the sandbox's own modules (probe, labs)", lambda: __import__("autograder.sandbox.zygote"))
from autograder.data import raw_dir
from autograder.probe import mnist_files
from autograder.sandbox import lazy_dynamo, zygote
root = Path(sys.argv[1])
step("MNIST: numpy from the IDX files, and torchvision's read", lambda: (zygote.load(root), mnist_files.share(raw_dir(root))))
step("not in the zygote: the real torch._dynamo the stand-in saves", lazy_dynamo._real)
"""


def import_costs(data_root: Path, runs: int) -> None:
    """Median seconds of each import of the zygote, each run in a fresh process."""
    steps: dict[str, list[float]] = {}
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", IMPORTS, str(data_root)], capture_output=True, text=True,
                             cwd=ROOT, check=True).stdout
        for line in out.splitlines():
            name, seconds = line.rsplit(" ", 1)
            steps.setdefault(name, []).append(float(seconds))
    for name, seconds in steps.items():
        print(f"    {name + ':':58} {statistics.median(seconds):.2f} s")


def check_s(file: Path, warm: bool = False) -> float:
    """Wall seconds of one `autograde check FILE`, command to verdict; it must say it graded warm
    (or cold) as asked, or the figure would time the other path."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "autograder", "check", str(file), "--language", "en"],
                          capture_output=True, cwd=ROOT, check=False)
    seconds = time.monotonic() - start
    said = b"Using your warm sandbox" if warm else b"No warm sandbox runs for this configuration"
    if b"points" not in done.stdout or said not in done.stderr:  # a check that did not grade would time nothing real
        sys.exit(f"autograde check did not grade {file} as asked:\n{done.stdout.decode()}{done.stderr.decode()}")
    return seconds


def warm_checks(file: Path, runs: int) -> list[float]:
    """`runs` checks of `file` with a warm sandbox for this configuration (started here, stopped after)."""
    autograde = [sys.executable, "-m", "autograder"]
    subprocess.run([*autograde, "warm", str(file)], cwd=ROOT, check=True, capture_output=True)  # its zygote started now
    try:
        return [check_s(file, warm=True) for _ in range(runs)]
    finally:
        subprocess.run([*autograde, "warm", "--stop"], cwd=ROOT, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=ROOT / "reference" / "mnist_bn.py")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warm", action="store_true", help="also time checks with a warm sandbox (autograde warm)")
    args = parser.parse_args()
    whole = [check_s(args.file) for _ in range(args.runs)]
    warm = warm_checks(args.file, args.runs) if args.warm else []
    epoch = bare_epoch_s(runs=args.runs)
    imports = []
    for _ in range(args.runs):
        start = time.monotonic()
        subprocess.run([sys.executable, "-c", "import autograder.cli"], check=True, cwd=ROOT)
        imports.append(time.monotonic() - start)

    from autograder.cli import find_config
    from autograder.config import load_config
    from autograder.course import assignment_for_file
    from autograder.grading import Grader
    from autograder.sandbox.batch import LocalBatch

    config = load_config(find_config(None))
    name, _ = assignment_for_file(config, args.file, None)
    grader = Grader(config, name)
    settings = grader._settings([args.file.read_text(encoding="utf-8")])  # as the check starts it (plots or not)
    starts = []
    for _ in range(args.runs):
        start = time.monotonic()
        with LocalBatch(settings):
            starts.append(time.monotonic() - start)
    whole_s, imports_s, start_s, epoch_s = (statistics.median(values) for values in (whole, imports, starts, epoch))
    print(f"one bare epoch of the homework's reference: {describe(epoch)}")
    print(f"autograde check {args.file.name}, cold, {args.runs} runs: median {whole_s:.2f} s "
          f"(min {min(whole):.2f}, max {max(whole):.2f}), {whole_s / epoch_s:.2f}x the bare epoch")
    if warm:
        print(f"autograde check {args.file.name}, warm sandbox, {args.runs} runs: {describe(warm)}, "
              f"{statistics.median(warm) / epoch_s:.2f}x the bare epoch")
    print(f"  python start + import autograder.cli: {imports_s:.2f} s")
    print(f"  sandbox start (zygote: imports, MNIST): {start_s:.2f} s")
    print(f"  the rest (reading, running the checks in the sandbox, judging, printing): "
          f"{whole_s - imports_s - start_s:.2f} s")
    if settings.data_root is not None:
        print("  the sandbox's imports, each alone in a fresh process (medians):")
        import_costs(settings.data_root, args.runs)


if __name__ == "__main__":
    main()
