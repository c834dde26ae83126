"""The yardstick of issue 23's figures: one bare one-thread training epoch of a lab's reference.

    .venv/bin/python -m benchmarks.bare_epoch [--reference reference/mnist_bn.py] [--runs 3]

One epoch of the reference's own `train()` on 55000 MNIST images (what a course epoch trains on
here: 60000 less the 5000 held out), batches of 100, one torch thread, no sandbox and no grader.
Every speed figure divides by it, measured in the same run, so that a figure means the same on an
idle and on a busy machine. Each measurement runs in a fresh interpreter: the benchmark that asks
never imports torch itself, and the thread setting of one run cannot leak into the next.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOMEWORK = ROOT / "reference" / "mnist_bn.py"
FULL_EPOCH = 55000  # the training images a course epoch sees here (60000 less the 5000 held out)


def one_epoch(reference: Path, data_root: Path, threads: int = 1, samples: int = FULL_EPOCH) -> float:
    """Seconds of one epoch of `reference`'s train() in this process (imports torch)."""
    import torch
    import torch._dynamo  # noqa: F401  (the first optimizer step imports it: plain PyTorch, outside the timing)

    from autograder.probe import datasets
    from autograder.sandbox.zygote import load

    torch.set_num_threads(threads)
    spec = importlib.util.spec_from_file_location(f"reference_{reference.stem}", reference)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.device = "cpu"
    loader = datasets.loader(load(data_root).train.subset(0, samples), 100, shuffle=True, seed=0)
    torch.manual_seed(0)
    model = module.build_model()
    start = time.perf_counter()
    module.train(model, loader, module.make_criterion(), module.make_optimizer(model), training_epochs=1)
    return time.perf_counter() - start


def default_data_root() -> Path:
    """grader.toml's [data] root (what `autograde` grades with)."""
    from autograder import load_config

    config = load_config(ROOT / "grader.toml")
    return config.path(config.data.root)


def bare_epoch_s(reference: Path = HOMEWORK, data_root: Path | None = None, runs: int = 3) -> list[float]:
    """`runs` bare epochs of `reference`, each in a fresh one-thread interpreter; their seconds."""
    command = [sys.executable, "-m", "benchmarks.bare_epoch", "--reference", str(reference), "--runs", "0"]
    if data_root is not None:
        command += ["--data-root", str(data_root)]
    return [float(subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()[-1])
            for _ in range(runs)]


def describe(seconds: list[float]) -> str:
    """'1.02 s (median of 3: 0.98 to 1.10)': how every benchmark prints the yardstick."""
    return f"{statistics.median(seconds):.2f} s (median of {len(seconds)}: {min(seconds):.2f} to {max(seconds):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=HOMEWORK)
    parser.add_argument("--data-root", type=Path)
    parser.add_argument("--runs", type=int, default=3, help="fresh interpreters to measure in (0: this one, once)")
    args = parser.parse_args()
    if args.runs == 0:
        print(f"{one_epoch(args.reference, args.data_root or default_data_root()):.4f}")
        return
    print(f"one bare epoch of {args.reference.name}: {describe(bare_epoch_s(args.reference, args.data_root, args.runs))}")


if __name__ == "__main__":
    main()
