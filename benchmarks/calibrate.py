"""Calibrating the thresholds from the reference: reproducible, printed, never guessed.

    python -m benchmarks.calibrate [--seeds 20] [--data-root DIR] [--init-draws 20000]

1. `accuracy`: grades the reference, the same file without `optimizer.zero_grad()` (must fail)
   and with SGD instead of Adam (a rule broken elsewhere, must still pass `accuracy`) under
   grader seeds 0..S-1, through the real sandbox and budget of grader.toml, and prints each
   distribution next to the configured minimum.
2. `init`: draws Xavier uniform and normal weights of the homework's shapes many times, counts
   false failures of the statistical test at the configured rate, and the rejection rate of
   PyTorch's default init, He init and N(0, 1).
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

from tests.variants import VARIANTS, write_variant

ROOT = Path(__file__).resolve().parents[1]
SHAPES = [(100, 784), (100, 100), (10, 100)]


def _accuracy(result) -> float:
    message = next(c.message for c in result.checks if c.id == "accuracy")
    return float(message.split("classified ")[1].split("%")[0]) / 100


def calibrate_accuracy(config, data_root: Path, seeds: int) -> None:
    minimum = config.assignments["mnist_bn"].checks.first("accuracy").minimum
    with tempfile.TemporaryDirectory() as tmp:
        files = {"reference": ROOT / "reference" / "mnist_bn.py"}
        for name in ("no_zero_grad", "sgd"):
            files[name] = write_variant(files["reference"], Path(tmp), name, VARIANTS[name][0])
        table: dict[str, list[float]] = {name: [] for name in files}
        for seed in range(seeds):
            seeded = config.model_copy(update={"grader": config.grader.model_copy(update={"seed": seed})})
            results = Grader(seeded, data_root=data_root).grade([Submission(n, p) for n, p in files.items()])
            for result in results:
                table[result.student].append(_accuracy(result))
            print(f"  seed {seed:>2}: " + ", ".join(f"{name} {table[name][-1]:.4f}" for name in files), flush=True)
    print(f"\naccuracy after the grading budget, {seeds} seeds (configured minimum {minimum:.2f}):")
    print(f"  {'variant':<14} {'min':>7} {'p5':>7} {'median':>7} {'max':>7}  passes")
    for name, values in table.items():
        ordered = sorted(values)
        p5 = ordered[max(0, math.ceil(0.05 * len(ordered)) - 1)]
        passes = sum(v >= minimum for v in values)
        print(f"  {name:<14} {ordered[0]:7.4f} {p5:7.4f} {statistics.median(values):7.4f} {ordered[-1]:7.4f}  "
              f"{passes}/{len(values)}")
    ref = table["reference"]
    spread = statistics.stdev(ref) if len(ref) > 1 else 0.0
    print(f"  reference margin over the minimum: {min(ref) - minimum:+.4f} "
          f"({(min(ref) - minimum) / spread if spread else float('inf'):.1f} seed-to-seed standard deviations)")


def calibrate_init(rate: float, draws: int) -> None:
    alpha = rate / (2 * len(SHAPES))
    rng = np.random.default_rng(0)
    print(f"\ninit check at false-failure rate {rate:g} ({alpha:.2e} per test, 2 tests x {len(SHAPES)} layers):")
    for fan_out, fan_in in SHAPES:
        lo, hi = scale_interval(fan_in * fan_out, alpha)
        print(f"  Linear {fan_in}->{fan_out}: accepted std ratio {math.sqrt(lo):.4f}..{math.sqrt(hi):.4f}, "
              f"|mean|/std <= {mean_bound(fan_in * fan_out, alpha):.4f}")

    def pass_rate(sample, n: int) -> float:
        return sum(all(layer_stats(sample(s).astype(np.float32), alpha).ok for s in SHAPES) for _ in range(n)) / n

    def normal(var_of):
        return lambda shape: rng.normal(0, math.sqrt(var_of(shape[1], shape[0])), shape)

    def uniform(var_of):
        return lambda shape: rng.uniform(-1, 1, shape) * math.sqrt(3 * var_of(shape[1], shape[0]))

    def xavier_var(fan_in, fan_out):
        return 2 / (fan_in + fan_out)

    print(f"  Xavier uniform false failures: {1 - pass_rate(uniform(xavier_var), draws):.5f} of {draws} models")
    print(f"  Xavier normal  false failures: {1 - pass_rate(normal(xavier_var), draws):.5f} of {draws} models")
    small = max(200, draws // 20)
    for name, var_of in [("PyTorch default", lambda i, o: 1 / (3 * i)), ("He", lambda i, o: 2 / i),
                         ("N(0, 1)", lambda i, o: 1.0)]:
        print(f"  {name:<15} rejected:       {1 - pass_rate(uniform(var_of), small):.4f} of {small} models")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--init-draws", type=int, default=20000)
    parser.add_argument("--data-root", type=Path)
    parser.add_argument("--skip-accuracy", action="store_true")
    args = parser.parse_args()
    config = load_config(ROOT / "grader.toml")
    if not args.skip_accuracy:
        calibrate_accuracy(config, args.data_root or config.path(config.data.root), args.seeds)
    calibrate_init(config.assignments["mnist_bn"].checks.first("init").false_failure_rate, args.init_draws)


if __name__ == "__main__":
    main()
