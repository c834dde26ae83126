"""How fast grading is: seconds per submission at steady state, and one epoch of the reference.

    python -m benchmarks.speed [N] [--assignment NAME] [--data-root DIR]

Grades N copies of an assignment's reference (default 8 of mnist_bn; `--assignment all` does
every assignment in grader.toml, one after the other) in one batch, as `autograde submissions/` would, and
prints the interval between finished submissions (steady state: the zygote's start-up is paid
once per batch and reported apart). In the same run it times one bare epoch of the reference's own
train() on 55000 images (what the course trains on per epoch), in this process, with the grader's
thread setting, and prints the ratio.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from autograder import Grader, Submission, load_config

ROOT = Path(__file__).resolve().parents[1]
FULL_EPOCH = 55000  # the training images a course epoch sees here (60000 less the 5000 held out)


def one_epoch_of_reference(reference: Path, data_root: Path, threads: int, samples: int) -> float:
    import torch

    from autograder.sandbox.zygote import load

    torch.set_num_threads(threads)
    spec = importlib.util.spec_from_file_location(f"reference_{reference.stem}", reference)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.device = "cpu"
    from autograder.probe import datasets

    mnist = load(data_root)
    loader = datasets.loader(mnist.train.subset(0, samples), 100, shuffle=True, seed=0)
    torch.manual_seed(0)
    model = module.build_model()
    start = time.perf_counter()
    module.train(model, loader, module.make_criterion(), module.make_optimizer(model), training_epochs=1)
    return time.perf_counter() - start


def measure(config, name: str, n: int, data_root: Path) -> None:
    reference = config.path(config.assignments[name].reference)
    tmp = Path(tempfile.mkdtemp())
    try:
        files = []
        for i in range(n):
            path = tmp / f"student{i:03d}.py"
            shutil.copy(reference, path)
            files.append(Submission(path.stem, path))
        finished: list[float] = []
        start = time.monotonic()
        results = Grader(config, name, data_root=data_root).grade(
            files, progress=lambda *_: finished.append(time.monotonic()))
        total = time.monotonic() - start
    finally:
        shutil.rmtree(tmp)
    assert all(r.score == r.max_score for r in results), f"the {name} reference did not get full marks"
    gaps = [b - a for a, b in zip(finished, finished[1:])]
    per_sub = (finished[-1] - finished[0]) / (len(finished) - 1) if len(finished) > 1 else total
    accuracy = config.assignments[name].checks.first("accuracy")
    sandbox_times = [r.duration_s for r in results]
    print(f"{name}: {n} submissions graded (jobs={config.grader.jobs}, threads={config.grader.threads}, "
          f"isolation tier {results[0].sandbox.tier})")
    print(f"  batch wall time:                    {total:.2f} s (start-up until first result: {finished[0] - start:.2f} s)")
    print(f"  steady state, seconds/submission:   {per_sub:.2f} s (median gap {statistics.median(gaps) if gaps else 0:.2f} s)")
    print(f"  one submission, sandbox+judge:      median {statistics.median(sandbox_times):.2f} s, "
          f"max {max(sandbox_times):.2f} s; CPU time median {statistics.median(r.sandbox.cpu_s for r in results):.2f} s")
    if accuracy:  # a lab with the course's build_model/make_criterion/make_optimizer/train
        epoch = one_epoch_of_reference(reference, data_root, config.grader.threads, FULL_EPOCH)
        print(f"  reference alone, 1 epoch train():   {epoch:.2f} s on {FULL_EPOCH} images "
              f"(a submission costs {per_sub / epoch:.2f} of it at steady state)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=8)
    parser.add_argument("--assignment", default="mnist_bn", help="an assignment of grader.toml, or 'all'")
    parser.add_argument("--data-root", type=Path)
    args = parser.parse_args()
    config = load_config(ROOT / "grader.toml")
    data_root = args.data_root or config.path(config.data.root)
    for name in (config.assignments if args.assignment == "all" else [args.assignment]):
        measure(config, name, args.n, data_root)


if __name__ == "__main__":
    main()
