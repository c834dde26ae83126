"""Calibrating the `accuracy` minimum and checking the `init` test of one lab; written for
`mnist_dropout`, reusable for any lab (to be merged into benchmarks/calibrate.py).

    python -m benchmarks.calibrate_mnist_dropout [--seeds 20] [--train-samples N] [--init-draws 2000]

`calibrate_lab()` grades the reference and some variants under grader seeds 0..S-1, one batch per
seed, through the real sandbox and the budget of grader.toml (or `--train-samples`), and prints
each variant's accuracy distribution next to the configured minimum, with the CPU seconds each
submission used. `calibrate_init_shapes()` counts false failures of the Xavier test for the
lab's Linear shapes and the rejection of PyTorch's default init, He and N(0, 1).
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
from pathlib import Path

import numpy as np

from autograder import Grader, Submission, load_config
from autograder.checks.xavier import layer_stats, mean_bound, scale_interval
from autograder.config import Config

from tests.variants import write_variant

ROOT = Path(__file__).resolve().parents[1]


def _accuracy(result) -> float:
    message = next(c.message for c in result.checks if c.id == "accuracy")
    return float(message.split("classified ")[1].split("%")[0]) / 100


def calibrate_lab(config: Config, assignment: str, reference: Path, variants: dict[str, list[tuple[str, str]]],
                  data_root: Path, seeds: int) -> dict[str, list[float]]:
    """Accuracy of the reference and of each variant (name -> edits) under seeds 0..seeds-1."""
    lab = config.assignments[assignment]
    minimum, budget = lab.checks.first("accuracy").minimum, lab.checks.first("accuracy")
    table: dict[str, list[float]] = {"reference": [], **{name: [] for name in variants}}
    cpu: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        files = {"reference": reference}
        for name, edits in variants.items():
            files[name] = write_variant(reference, Path(tmp), name, edits)
        for seed in range(seeds):
            seeded = config.model_copy(update={"grader": config.grader.model_copy(update={"seed": seed})})
            results = Grader(seeded, assignment, data_root=data_root).grade(
                [Submission(n, p) for n, p in files.items()])
            for result in results:
                table[result.student].append(_accuracy(result))
                cpu.append(result.sandbox.cpu_s)
            print(f"  seed {seed:>2}: " + ", ".join(f"{name} {table[name][-1]:.4f}" for name in files), flush=True)
    print(f"\n{assignment}: accuracy after {budget.epochs} epoch(s) on {budget.train_samples} images, {seeds} seeds "
          f"(configured minimum {minimum:.2f}); CPU s per submission: median {statistics.median(cpu):.2f}, "
          f"max {max(cpu):.2f}")
    print(f"  {'variant':<26} {'min':>7} {'median':>7} {'mean':>7} {'sd':>7} {'max':>7}  passes")
    for name, values in table.items():
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        passes = sum(v >= minimum for v in values)
        print(f"  {name:<26} {min(values):7.4f} {statistics.median(values):7.4f} {statistics.fmean(values):7.4f} "
              f"{sd:7.4f} {max(values):7.4f}  {passes}/{len(values)}")
    ref = table["reference"]
    sd = statistics.stdev(ref) if len(ref) > 1 else 0.0
    mean = statistics.fmean(ref)
    print(f"  reference: worst seed {min(ref) - minimum:+.4f} over the minimum; mean {mean - minimum:+.4f} = "
          f"{(mean - minimum) / sd if sd else float('inf'):.1f} seed-to-seed standard deviations"
          + (f" (normal-fit false-failure rate {0.5 * math.erfc((mean - minimum) / sd / math.sqrt(2)):.1e})" if sd else ""))
    return table


def calibrate_init_shapes(shapes: list[tuple[int, int]], rate: float, draws: int, seed: int = 0) -> None:
    """`shapes` as (fan_out, fan_in), i.e. the weights' shapes."""
    alpha = rate / (2 * len(shapes))
    rng = np.random.default_rng(seed)
    print(f"\ninit check at false-failure rate {rate:g} ({alpha:.2e} per test, 2 tests x {len(shapes)} layers):")
    for fan_out, fan_in in shapes:
        lo, hi = scale_interval(fan_in * fan_out, alpha)
        print(f"  Linear {fan_in}->{fan_out}: accepted std ratio {math.sqrt(lo):.4f}..{math.sqrt(hi):.4f}, "
              f"|mean|/std <= {mean_bound(fan_in * fan_out, alpha):.4f}")

    def failures(var_of, law: str, n: int) -> tuple[int, dict[str, int]]:
        bad, per_layer = 0, {f"{i}->{o}": 0 for o, i in shapes}
        for _ in range(n):
            ok = True
            for fan_out, fan_in in shapes:
                std = math.sqrt(var_of(fan_in, fan_out))
                w = (rng.normal(0, std, (fan_out, fan_in)) if law == "normal"
                     else rng.uniform(-1, 1, (fan_out, fan_in)) * std * math.sqrt(3)).astype(np.float32)
                if not layer_stats(w, alpha).ok:
                    ok = False
                    per_layer[f"{fan_in}->{fan_out}"] += 1
            bad += not ok
        return bad, per_layer

    xavier = lambda i, o: 2 / (i + o)  # noqa: E731
    for law in ("uniform", "normal"):
        bad, per_layer = failures(xavier, law, draws)
        print(f"  Xavier {law:<7} false failures: {bad} of {draws} models")
    small = max(100, draws // 20)
    for name, var_of in [("PyTorch default", lambda i, o: 1 / (3 * i)), ("He", lambda i, o: 2 / i),
                         ("N(0, 1)", lambda i, o: 1.0)]:
        bad, per_layer = failures(var_of, "uniform", small)
        print(f"  {name:<15} rejected: {bad} of {small} models (rejected per layer: {per_layer})")


def main() -> None:
    from tests.labs.mnist_dropout import ASSIGNMENT, REFERENCE, VARIANTS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--train-samples", type=int, help="override the accuracy budget of grader.toml")
    parser.add_argument("--variants", default="no_zero_grad,rmsprop,sgd")
    parser.add_argument("--init-draws", type=int, default=2000)
    parser.add_argument("--data-root", type=Path)
    parser.add_argument("--skip-accuracy", action="store_true")
    args = parser.parse_args()
    config = load_config(ROOT / "grader.toml")
    lab = config.assignments[ASSIGNMENT]
    if args.train_samples:
        accuracy = lab.checks.first("accuracy").model_copy(update={"train_samples": args.train_samples})
        lab = lab.model_copy(update={"checks": type(lab.checks)({**lab.checks.enabled(), "accuracy": accuracy.model_dump()})})
        config = config.model_copy(update={"assignments": {**config.assignments, ASSIGNMENT: lab}})
    if not args.skip_accuracy:
        variants = {name: VARIANTS[name][0] for name in args.variants.split(",") if name}
        calibrate_lab(config, ASSIGNMENT, REFERENCE, variants, args.data_root or config.path(config.data.root),
                      args.seeds)
    shapes = [(n_out, n_in) for n_in, n_out in lab.checks.first("shapes").linear]
    calibrate_init_shapes(shapes, lab.checks.first("init").false_failure_rate, args.init_draws)


if __name__ == "__main__":
    main()
