"""Calibrating a lab's `accuracy` minimum from its reference and single-bug variants, over grader seeds.

    python -m benchmarks.calibrate_mnist_softmax [--seeds 20] [--per-batch 20] [--data-root DIR]

Every file is graded through the real sandbox and the budget of grader.toml, under grader seeds
0..S-1. Several seeds share one sandbox batch (one start-up instead of one per seed): each file is
copied once per seed with a marker comment, and the seed of each job is set from that marker, so
the result does not depend on the order the grader schedules jobs in. `calibrate_accuracy()` is
the reusable part: any lab, any reference, any variants.
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import tempfile
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from autograder import Grader, Submission, load_config
from autograder import grading
from autograder.config import Config

from tests.variants import write_variant

ROOT = Path(__file__).resolve().parents[1]
MARKER = "# calibration seed: "
_SEED = re.compile(r"^# calibration seed: (\d+)$", re.M)


def accuracy_of(result) -> float:
    """The accuracy the `accuracy` check measured, from its message ("... classified 91.22% of ...")."""
    message = next(c.message for c in result.checks if c.id == "accuracy")
    return float(message.split("classified ")[1].split("%")[0]) / 100


@contextmanager
def _seed_per_job():
    """Grade each job under the seed written in its module (MARKER), whatever the batch's config says."""

    class SeededSandbox(grading.Sandbox):
        def run(self, jobs, *args, **kwargs):
            seeded = []
            for job in jobs:
                found = _SEED.search(Path(job.module_path).read_text(encoding="utf-8"))
                assert found, f"{job.module_path}: no calibration seed marker"
                plan = job.plan.model_copy(update={"seed": int(found.group(1))})
                seeded.append(job.model_copy(update={"plan": plan}))
            return super().run(seeded, *args, **kwargs)

    with mock.patch.object(grading, "Sandbox", SeededSandbox):
        yield


def calibrate_accuracy(config: Config, assignment: str, files: dict[str, Path], seeds: int, data_root: Path,
                       per_batch: int = 20) -> dict[str, list[float]]:
    """Accuracy of each file under grader seeds 0..seeds-1: {name: [accuracy at seed 0, 1, ...]}."""
    table: dict[str, list[float]] = {name: [] for name in files}
    with tempfile.TemporaryDirectory() as tmp, _seed_per_job():
        for first in range(0, seeds, per_batch):
            batch = range(first, min(seeds, first + per_batch))
            submissions = []
            for seed in batch:
                for name, path in files.items():
                    copy = Path(tmp) / f"{name}@{seed}" / path.name
                    copy.parent.mkdir()
                    copy.write_text(path.read_text(encoding="utf-8") + f"\n{MARKER}{seed}\n", encoding="utf-8")
                    submissions.append(Submission(f"{name}@{seed}", copy))
            by_student = {r.student: r for r in Grader(config, assignment, data_root=data_root).grade(submissions)}
            for seed in batch:
                print(f"  seed {seed:>2}: " + ", ".join(
                    f"{name} {accuracy_of(by_student[f'{name}@{seed}']):.4f}" for name in files), flush=True)
                for name in files:
                    table[name].append(accuracy_of(by_student[f"{name}@{seed}"]))
    return table


def report(table: dict[str, list[float]], minimum: float, reference: str = "reference") -> None:
    """Each distribution next to the minimum; the reference's margin in seed-to-seed standard deviations
    and the false-failure rate of a normal fit, and each variant's distance below the minimum."""
    print(f"\naccuracy after the grading budget, {len(table[reference])} seeds (minimum {minimum:.3f}):")
    print(f"  {'variant':<24} {'min':>7} {'median':>7} {'max':>7} {'mean':>7} {'sd':>7}  passes")
    for name, values in table.items():
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        print(f"  {name:<24} {min(values):7.4f} {statistics.median(values):7.4f} {max(values):7.4f} "
              f"{statistics.mean(values):7.4f} {sd:7.4f}  {sum(v >= minimum for v in values)}/{len(values)}")
    ref = table[reference]
    mean, sd = statistics.mean(ref), statistics.stdev(ref)
    z = (mean - minimum) / sd
    print(f"  {reference}: worst seed {min(ref) - minimum:+.4f} over the minimum ({(min(ref) - minimum) / sd:.1f} sd), "
          f"mean {z:.1f} sd over it: normal-fit false-failure rate {0.5 * math.erfc(z / math.sqrt(2)):.1e}")
    for name, values in table.items():
        if name != reference and len(values) > 1:
            vmean, vsd = statistics.mean(values), statistics.stdev(values)
            zv = (minimum - vmean) / vsd if vsd else math.inf
            print(f"  {name}: mean {zv:.1f} of its sd below the minimum, best seed {max(values) - minimum:+.4f}: "
                  f"normal-fit pass rate {0.5 * math.erfc(zv / math.sqrt(2)):.1e}")


def main() -> None:
    from tests.labs.mnist_softmax import ASSIGNMENT, REFERENCE, VARIANTS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--per-batch", type=int, default=20, help="seeds graded in one sandbox batch")
    parser.add_argument("--data-root", type=Path)
    args = parser.parse_args()
    config = load_config(ROOT / "grader.toml")
    # Must fail: no zero_grad(). Shown for what else the minimum decides: Adam at lr 0.1, SGD at lr 0.01
    # and a summed loss (rules `optimizer` and `loss` charge), a softmax output layer.
    names = ["no_zero_grad", "adam", "lr_001", "sum_loss", "softmax_output"]
    with tempfile.TemporaryDirectory() as tmp:
        files = {"reference": REFERENCE}
        files.update({name: write_variant(REFERENCE, Path(tmp), name, VARIANTS[name][0]) for name in names})
        table = calibrate_accuracy(config, ASSIGNMENT, files, args.seeds,
                                   args.data_root or config.path(config.data.root), args.per_batch)
    report(table, config.assignments[ASSIGNMENT].checks.first("accuracy").minimum)


if __name__ == "__main__":
    main()
