"""Calibrating the RBM lab's two measurements of pre-training, pretrained against random:

    python -m benchmarks.calibrate_rbm_transfer [--seeds 20] [--data-root DIR]

Grades, through the real sandbox and grader.toml's budgets, under grader seeds 0..S-1, the reference
and the submissions that skip pre-training, the attacks of tests/hostile/rbm/ (no CD behind a
made-up error list; real CD on a copy, the handed RBM left random; no CD and W redrawn 30 times
larger, so that frozen random features are as strong as they get; no CD and an RBM written to fit
the grader's public patterns). For each it prints `cd`'s measured held-out reconstruction error (the maximum is in grader.toml) and `transfer`'s accuracy on frozen
features (the minimum too), with the gap between the reference's worst seed and the best seed of
any submission without pre-training, and the CPU seconds per submission.
The output is kept in benchmarks/calibration_rbm.md.
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import tempfile
from pathlib import Path

from autograder import Grader, Submission, load_config

from tests.test_lab_rbm import HOSTILE, attack_source
from tests.labs import rbm

ROOT = Path(__file__).resolve().parents[1]
AFTER = re.compile(r"from (\d+\.\d+) to (\d+\.\d+)")


def submissions(folder: Path) -> dict[str, Path]:
    reference = rbm.REFERENCE.read_text(encoding="utf-8")
    sources = {"reference": reference}
    sources.update({path.stem: attack_source(path)[2] for path in sorted(HOSTILE.glob("*.py"))})
    files = {}
    for name, source in sources.items():
        files[name] = folder / f"{name}.py"
        files[name].write_text(source, encoding="utf-8")
    return files


def _summary(values: list[float]) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return (f"{min(values):7.4f} {statistics.median(values):7.4f} {statistics.fmean(values):7.4f} {sd:7.4f} "
            f"{max(values):7.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--data-root", type=Path)
    args = parser.parse_args()
    config = load_config(ROOT / "grader.toml")
    checks = config.assignments["rbm"].checks.enabled()
    errors: dict[str, list[float]] = {}
    accuracies: dict[str, list[float]] = {}
    scores: dict[str, list[float]] = {}
    cpu: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        files = submissions(Path(tmp))
        for seed in range(args.seeds):
            seeded = config.model_copy(update={"grader": config.grader.model_copy(update={"seed": seed})})
            grader = Grader(seeded, "rbm", data_root=args.data_root or config.path(config.data.root))
            for result in grader.grade([Submission(name, path) for name, path in files.items()]):
                by_id = {c.id: c for c in result.checks}
                found = AFTER.search(by_id["cd"].message)
                errors.setdefault(result.student, []).append(float(found.group(2)) if found else math.nan)
                accuracies.setdefault(result.student, []).append(by_id["transfer"].measured or math.nan)
                scores.setdefault(result.student, []).append(result.score)
                if result.student == "reference":
                    cpu.append(result.sandbox.cpu_s)
            print(f"  seed {seed:>2}: " + ", ".join(f"{name} {errors[name][-1]:.4f}/{accuracies[name][-1]:.4f}"
                                                    f"/{scores[name][-1]:.0f}" for name in files), flush=True)
    cd, transfer = checks["cd"], checks["transfer"]
    print(f"\nrbm, {args.seeds} seeds; reference CPU s per submission: median {statistics.median(cpu):.2f}, "
          f"max {max(cpu):.2f}")
    for title, table, limit, better in (
            (f"cd: held-out reconstruction error after pretrain() (maximum {cd.maximum_error})", errors,
             cd.maximum_error, min),
            (f"transfer: accuracy on frozen RBM features (minimum {transfer.minimum})", accuracies,
             transfer.minimum, max)):
        print(f"\n{title}\n  {'submission':<22} {'min':>7} {'median':>7} {'mean':>7} {'sd':>7} {'max':>7}  passes")
        for name, values in table.items():
            passes = sum(v <= limit if better is min else v >= limit for v in values)
            print(f"  {name:<22} {_summary(values)}  {passes}/{len(values)}")
        reference = table["reference"]
        worst = max(reference) if better is min else min(reference)
        sd = statistics.stdev(reference)
        margin = abs(statistics.fmean(reference) - limit) / sd if sd else math.inf
        print(f"  reference: worst seed {worst:.4f}; mean {margin:.1f} seed-to-seed sd from the limit (normal-fit "
              f"false-failure rate {0.5 * math.erfc(margin / math.sqrt(2)):.1e})")
        for name, values in table.items():
            if name != "reference":
                closest = min(values) if better is min else max(values)
                print(f"  {name}: best seed {closest:.4f}, {abs(closest - worst):.4f} from the reference's worst")
    print("\nscores: " + ", ".join(f"{name} {min(s):.0f}-{max(s):.0f}" for name, s in scores.items()))


if __name__ == "__main__":
    main()
