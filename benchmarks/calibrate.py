"""Calibrating a lab's thresholds from its reference: reproducible, printed, never guessed.

    python -m benchmarks.calibrate --assignment NAME [--check ID] [--seeds 20] [--init-draws 20000] [--data-root DIR]

1. `accuracy` (or, with `--check sweep`, `sweep`'s hidden-test accuracy of each model): grades the reference and the lab's calibration variants (`CALIBRATION` in
   `tests/labs/<name>.py`: bugs `accuracy` must catch, and rules broken elsewhere it should not
   charge again) under grader seeds 0..S-1, one batch per seed, through the real sandbox and the
   budget in grader.toml, and prints each distribution next to the configured minimum, with the
   reference's margin in seed-to-seed standard deviations and the CPU seconds per submission.
2. `xor_fit` (the XOR lab): from which seeds the reference's networks fit XOR within the
   configured steps (the configured seeds must be among them), and the chance that a correct
   model built another way fails all of them.
3. `init` (labs that have it): draws Xavier uniform and normal weights of the lab's Linear shapes
   many times, counts false failures of the statistical test at the configured rate, and the
   rejection of PyTorch's default init, He init and N(0, 1).
4. `init_function` (the weight_init lab): draws each function's law with torch, as a correct
   submission does, on the configured shapes many times (--init-draws / 10), counts false failures,
   and how often each common mistake (`init_stats.mistakes`) and the other law are rejected.

The outputs are kept in `benchmarks/calibration_<name>.md` (`calibration.md` for mnist_bn).
"""

from __future__ import annotations

import argparse
import importlib
import math
import re
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from autograder import Grader, Submission, load_config
from autograder.checks.init_stats import law_stats, layer_stats, mean_bound, mistakes, scale_interval
from autograder.config import Config
from autograder.results import SubmissionResult

from tests.variants import write_variant

ROOT = Path(__file__).resolve().parents[1]


def _accuracy(result, check_id: str) -> float:
    message = next(c.message for c in result.checks if c.id == check_id)
    return float(message.split("classified ")[1].split("%")[0]) / 100


def graded_at_seeds(config: Config, assignment: str, reference: Path, variants: dict[str, list[tuple[str, str]]],
                    data_root: Path, seeds: int) -> Iterator[tuple[int, list[SubmissionResult]]]:
    """The reference and each variant (name -> edits), graded in one batch per grader seed 0..seeds-1."""
    with tempfile.TemporaryDirectory() as tmp:
        files = {"reference": reference, **{name: write_variant(reference, Path(tmp), name, edits)
                                            for name, edits in variants.items()}}
        for seed in range(seeds):
            seeded = config.model_copy(update={"grader": config.grader.model_copy(update={"seed": seed})})
            yield seed, Grader(seeded, assignment, data_root=data_root).grade([Submission(n, p) for n, p in files.items()])


def calibrate_accuracy(config: Config, assignment: str, reference: Path, variants: dict[str, list[tuple[str, str]]],
                       data_root: Path, seeds: int, check_id: str = "accuracy") -> dict[str, list[float]]:
    """Accuracy of the reference and of each variant (name -> edits) under seeds 0..seeds-1."""
    budget = config.assignments[assignment].checks.enabled()[check_id]  # an accuracy-type check, of any kind
    table: dict[str, list[float]] = {"reference": [], **{name: [] for name in variants}}
    cpu: list[float] = []
    for seed, results in graded_at_seeds(config, assignment, reference, variants, data_root, seeds):
        for result in results:
            table[result.student].append(_accuracy(result, check_id))
            cpu.append(result.sandbox.cpu_s)
        print(f"  seed {seed:>2}: " + ", ".join(f"{name} {values[-1]:.4f}" for name, values in table.items()), flush=True)
    minimum = budget.minimum
    spent = ", ".join(f"{key} {value}" for key, value in budget.model_dump(exclude={"kind", "points", "minimum"}).items())
    print(f"\n{assignment}: accuracy after {spent}, {seeds} seeds "
          f"(configured minimum {minimum:.2f}); CPU s per submission: median {statistics.median(cpu):.2f}, "
          f"max {max(cpu):.2f}")
    print(f"  {'variant':<26} {'min':>7} {'median':>7} {'mean':>7} {'sd':>7} {'max':>7}  passes")
    for name, values in table.items():
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        print(f"  {name:<26} {min(values):7.4f} {statistics.median(values):7.4f} {statistics.fmean(values):7.4f} "
              f"{sd:7.4f} {max(values):7.4f}  {sum(v >= minimum for v in values)}/{len(values)}")
    ref = table["reference"]
    sd = statistics.stdev(ref) if len(ref) > 1 else 0.0
    mean = statistics.fmean(ref)
    print(f"  reference: worst seed {min(ref) - minimum:+.4f} over the minimum; mean {mean - minimum:+.4f} = "
          f"{(mean - minimum) / sd if sd else float('inf'):.1f} seed-to-seed standard deviations"
          + (f" (normal-fit false-failure rate {0.5 * math.erfc((mean - minimum) / sd / math.sqrt(2)):.1e})" if sd else ""))
    return table


LEARNED = re.compile(r"\((\d+), (\d+)\) (\d\.\d+)")  # "(200, 150) 0.860": a model and its hidden-test accuracy


def calibrate_sweep(config: Config, assignment: str, reference: Path, variants: dict[str, list[tuple[str, str]]],
                    data_root: Path, seeds: int) -> None:
    """`sweep`'s `learned`: each configuration's accuracy on the hidden test images, as the check
    measures it (read from its message), for the reference and each variant under seeds 0..seeds-1."""
    cfg = config.assignments[assignment].checks.first("sweep")
    table: dict[tuple[str, str], list[float]] = {}
    for seed, results in graded_at_seeds(config, assignment, reference, variants, data_root, seeds):
        for result in results:
            message = next(c.message for c in result.checks if c.id == "sweep")
            for h1, h2, value in LEARNED.findall(message):
                table.setdefault((result.student, f"({h1}, {h2})"), []).append(float(value))
        print(f"  seed {seed:>2} done", flush=True)
    print(f"\n{assignment}: sweep models' accuracy on {cfg.test_samples} hidden test images, {seeds} seeds "
          f"(configured `learned` {cfg.learned:.2f})")
    print(f"  {'variant':<20} {'model':<11} {'min':>7} {'mean':>7} {'sd':>7} {'max':>7}  learned")
    for (name, label), values in table.items():
        sd = statistics.stdev(values) if len(values) > 1 else 0.0
        print(f"  {name:<20} {label:<11} {min(values):7.4f} {statistics.fmean(values):7.4f} {sd:7.4f} "
              f"{max(values):7.4f}  {sum(v >= cfg.learned for v in values)}/{len(values)}")


def calibrate_init(shapes: list[tuple[int, int]], rate: float, draws: int, seed: int = 0) -> None:
    """`shapes` as the weights' shapes, (fan_out, fan_in)."""
    alpha = rate / (2 * len(shapes))
    rng = np.random.default_rng(seed)
    print(f"\ninit check at false-failure rate {rate:g} ({alpha:.2e} per test, 2 tests x {len(shapes)} layers):")
    for fan_out, fan_in in shapes:
        lo, hi = scale_interval(fan_in * fan_out, alpha)
        print(f"  Linear {fan_in}->{fan_out}: accepted std ratio {math.sqrt(lo):.4f}..{math.sqrt(hi):.4f}, "
              f"|mean|/std <= {mean_bound(fan_in * fan_out, alpha):.4f}")

    def rejected(var_of, law: str, n: int) -> int:
        bad = 0
        for _ in range(n):
            for fan_out, fan_in in shapes:
                std = math.sqrt(var_of(fan_in, fan_out))
                w = (rng.normal(0, std, (fan_out, fan_in)) if law == "normal"
                     else rng.uniform(-1, 1, (fan_out, fan_in)) * std * math.sqrt(3)).astype(np.float32)
                if not layer_stats(w, alpha).ok:
                    bad += 1
                    break
        return bad

    for law in ("uniform", "normal"):
        print(f"  Xavier {law:<7} false failures: {rejected(lambda i, o: 2 / (i + o), law, draws)} of {draws} models")
    small = max(100, draws // 20)
    for name, var_of in [("PyTorch default", lambda i, o: 1 / (3 * i)), ("He", lambda i, o: 2 / i),
                         ("N(0, 1)", lambda i, o: 1.0)]:
        print(f"  {name:<15} rejected: {rejected(var_of, 'uniform', small)} of {small} models")


def calibrate_standard_normal(shapes: list[tuple[int, int]], rate: float, draws: int, seed: int = 0) -> None:
    """`init` with scheme "normal" (N(0, 1), lab 09-1): false failures of N(0, 1) models, and the
    rejection of the inits a student might use instead. `shapes` as the weights' shapes."""
    alpha = rate / (3 * len(shapes))
    rng = np.random.default_rng(seed)

    def failures(std_of, n: int) -> int:
        return sum(any(not law_stats(rng.normal(0, std_of(o, i), (o, i)).astype(np.float32), "unit", "normal", alpha).ok
                       for o, i in shapes) for _ in range(n))

    print(f"\ninit (N(0, 1)) at false-failure rate {rate:g} ({alpha:.2e} per test, 3 tests x {len(shapes)} layers):")
    print(f"  N(0, 1) false failures: {failures(lambda o, i: 1.0, draws)} of {draws} models")
    small = max(20, draws // 100)
    for name, std_of in [("Xavier normal", lambda o, i: math.sqrt(2 / (o + i))), ("He normal", lambda o, i: math.sqrt(2 / i)),
                         ("N(0, 0.5)", lambda o, i: 0.5), ("N(0, 0.9)", lambda o, i: 0.9)]:
        print(f"  {name:<15} rejected: {failures(std_of, small)} of {small} models")


def calibrate_init_functions(checks: dict, draws: int, seed: int = 0) -> None:
    """False failures and rejections of each `init_function` check, on torch's own float32 draws."""
    import torch

    generator = torch.Generator().manual_seed(seed)

    def draw(shape: tuple[int, int], law: str, var: float) -> np.ndarray:
        weight = torch.empty(shape)
        if law == "uniform":
            bound = math.sqrt(3 * var)
            weight.uniform_(-bound, bound, generator=generator)
        else:
            weight.normal_(0, math.sqrt(var), generator=generator)
        return weight.numpy()

    def failures(cfg, law: str, var_of, n: int) -> int:
        alpha = cfg.false_failure_rate / (3 * len(cfg.shapes))
        return sum(any(not law_stats(draw(shape, law, var_of(shape)), cfg.scheme, cfg.law, alpha).ok
                       for shape in cfg.shapes) for _ in range(n))

    for check_id, cfg in checks.items():
        expected = {"xavier": lambda s: 2 / (s[0] + s[1]), "he": lambda s: 2 / s[1]}[cfg.scheme]
        print(f"\n{check_id}: {cfg.function}() at false-failure rate {cfg.false_failure_rate:g} "
              f"({cfg.false_failure_rate / (3 * len(cfg.shapes)):.1e} per test, 3 tests x {len(cfg.shapes)} shapes)")
        print(f"  correct ({cfg.law}): {failures(cfg, cfg.law, expected, draws)} false failures of {draws} submissions",
              flush=True)
        other = "normal" if cfg.law == "uniform" else "uniform"
        small = max(20, draws // 100)
        print(f"  rejected, of {small} submissions each:")
        print(f"    {'the other law (' + other + ', the right variance)':<62} {failures(cfg, other, expected, small)}")
        for name in mistakes(cfg.scheme, cfg.law, cfg.shapes[0][1], cfg.shapes[0][0]):
            def var_of(shape: tuple[int, int], name: str = name) -> float:
                # a mistake that makes no difference on this shape (swapped fans of a square weight) draws right
                return mistakes(cfg.scheme, cfg.law, shape[1], shape[0]).get(name, expected(shape))
            print(f"    {name[:62]:<62} {failures(cfg, cfg.law, var_of, small)}", flush=True)


def calibrate_fit(config: Config, assignment: str, reference: Path, seeds: int) -> None:
    """For each `xor_fit` check that must fit: from how many seeds the reference's own model,
    trained the reference's way, fits within the check's steps; the false-failure rate of a
    correct model built another way is then about (1 - that share) ** len(seeds). Runs the
    reference in-process."""
    import importlib.util

    import torch

    spec = importlib.util.spec_from_file_location("calibrated_reference", reference)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.set_num_threads(config.grader.threads)
    x, y = module.xor_data()
    for check_id, cfg in config.assignments[assignment].checks.of_kind("xor_fit").items():
        if not cfg.fits:
            continue
        limit = max(cfg.steps, 10001)
        fitted_at = []
        for seed in range(seeds):
            torch.manual_seed(config.grader.seed + seed)
            model = getattr(module, cfg.builder)()
            criterion, optimizer = module.make_criterion(), module.make_optimizer(model, config.assignments[assignment].learning_rate)
            at = None
            for step in range(1, limit + 1):
                optimizer.zero_grad()
                cost = criterion(model(x), y)
                cost.backward()
                optimizer.step()
                if step % 50 == 0 and torch.equal((model(x) > 0.5).float(), y):
                    at = step
                    break
            fitted_at.append(at)
        share = sum(a is not None and a <= cfg.steps for a in fitted_at) / seeds
        fitting = [seed for seed, at in enumerate(fitted_at) if at is not None and at <= cfg.steps]
        unfit = [seed for seed in cfg.seeds if seed not in fitting]
        print(f"{check_id}: {cfg.builder}() fitted XOR at steps {fitted_at} (None: not within {limit}) over {seeds} "
              f"seeds; within the configured {cfg.steps} steps from {share:.0%} of seeds ({fitting}). Configured "
              f"seeds {cfg.seeds}: " + (f"the reference does NOT fit from {unfit}" if unfit else
                                         "the reference fits from each") +
              f"; a model built another way fails all {len(cfg.seeds)} with probability about "
              f"{(1 - share) ** len(cfg.seeds):.1e}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assignment", default="mnist_bn", help="a lab with tests/labs/<name>.py (default: mnist_bn)")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--init-draws", type=int, default=20000)
    parser.add_argument("--data-root", type=Path)
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--check", default="accuracy", help="the id of the accuracy-type check to calibrate "
                        "(default: accuracy; the rbm bonus: transfer)")
    args = parser.parse_args()
    config = load_config(ROOT / "grader.toml")
    lab = importlib.import_module(f"tests.labs.{args.assignment}")
    checks = config.assignments[args.assignment].checks
    if not args.skip_accuracy and args.check in checks.enabled() and args.check != "sweep":
        variants = {name: lab.VARIANTS[name][0] for name in lab.CALIBRATION}
        calibrate_accuracy(config, args.assignment, lab.REFERENCE, variants,
                           args.data_root or config.path(config.data.root), args.seeds, args.check)
    if args.check == "sweep" and checks.first("sweep"):
        variants = {name: lab.VARIANTS[name][0] for name in (*lab.CALIBRATION, "sweep_untrained")}
        calibrate_sweep(config, args.assignment, lab.REFERENCE, variants, args.data_root or config.path(config.data.root),
                        args.seeds)
    if checks.first("xor_fit"):
        calibrate_fit(config, args.assignment, lab.REFERENCE, args.seeds)
    if checks.first("init_function"):
        calibrate_init_functions(checks.of_kind("init_function"), max(10, args.init_draws // 10))
    if checks.first("init") and checks.first("shapes"):
        shapes = [(fan_out, fan_in) for fan_in, fan_out in checks.first("shapes").linear]
        if checks.first("init").scheme == "xavier":
            calibrate_init(shapes, checks.first("init").false_failure_rate, args.init_draws)
        else:
            calibrate_standard_normal(shapes, checks.first("init").false_failure_rate, args.init_draws)


if __name__ == "__main__":
    main()
