"""How much training grading one submission costs, per lab: optimizer steps and training forward passes.

    .venv/bin/python -m benchmarks.training_steps [--assignment NAME]

Counted, not estimated: each lab's reference runs its planned phases (the plan grader.toml and
the checks make, autograder/plan.py) through the probe's own runner, in a fresh process per lab
and outside the sandbox (the reference is the course's code), with two global torch hooks: every
`optimizer.step()`, and every forward pass of a top-level module with parameters while gradients
are on (a training batch, in whichever mode the student's train() leaves the model; a
manual-gradient lab's training shows here; a submodule's forward is not counted twice, nor a loss
module's; an evaluation under torch.no_grad() is not counted). Prints one Markdown row per lab: the totals, then the phases that trained.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def count(name: str) -> dict[str, dict[str, int]]:
    """{phase: {"steps": n, "forwards": n}} for assignment `name`'s reference (imports torch)."""
    import torch
    from torch.optim.optimizer import register_optimizer_step_post_hook

    from autograder import Grader, data, load_config
    from autograder.probe import artifacts, phases, runner
    from autograder.sandbox.batch import LocalBatch
    from autograder.sandbox.zygote import load

    config = load_config(ROOT / "grader.toml")
    grader = Grader(config, name)
    torch.set_num_threads(grader.config.grader.threads)
    tmp = Path(tempfile.mkdtemp(prefix="training-steps-"))
    local = LocalBatch(grader._settings())
    local.tmp = tmp  # the job folders of a batch, without its zygote: this process runs the phases
    if grader.plan.needs_mnist:
        local.sandbox_root = data.make_sandbox_root(grader.data_root, tmp / "data", config.grader.seed)
    job = local.job("count", config.path(grader.assignment.reference).read_text(encoding="utf-8"))
    counts: dict[str, Counter[str]] = {}
    current = Counter[str]()
    depth = [0]

    def pre(module: torch.nn.Module, _inputs: Any) -> None:
        if depth[0] == 0 and torch.is_grad_enabled() and next(module.parameters(), None) is not None:
            current["forwards"] += 1
        depth[0] += 1

    def post(*_: Any) -> None:
        depth[0] -= 1

    register_optimizer_step_post_hook(lambda *_: current.update(steps=1))
    torch.nn.modules.module.register_module_forward_pre_hook(pre)
    torch.nn.modules.module.register_module_forward_hook(post, always_call=True)

    def counted(phase: str, function: Callable[[Any], dict[str, Any]]) -> Callable[[Any], dict[str, Any]]:
        def run(ctx: Any) -> dict[str, Any]:
            nonlocal current
            current = counts.setdefault(phase, Counter())
            depth[0] = 0
            return function(ctx)
        return run

    for phase, function in list(phases.PHASE_FUNCTIONS.items()):
        phases.PHASE_FUNCTIONS[phase] = counted(phase, function)
    os.chdir(job.workdir)
    sys.path.insert(0, job.workdir)
    artifacts.open_channel(os.open(os.devnull, os.O_WRONLY), Path(job.outdir), 1 << 20)  # records: not read here
    try:
        with open(os.devnull, "w") as null, contextlib.redirect_stdout(null), contextlib.redirect_stderr(null):
            runner.run(job, load(local.sandbox_root) if local.sandbox_root else None)
    finally:
        shutil.rmtree(tmp)
    return {phase: dict(found) for phase, found in counts.items() if found}


def row(name: str, counts: dict[str, dict[str, int]]) -> str:
    steps = sum(found.get("steps", 0) for found in counts.values())
    forwards = sum(found.get("forwards", 0) for found in counts.values())
    parts = ", ".join(f"{phase} {found.get('steps', 0)}/{found.get('forwards', 0)}" for phase, found in counts.items())
    return f"| `{name}` | {steps} | {forwards} | {parts or 'none seen: plain tensors, no optimizer, no module'} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", help="one assignment (default: every one of grader.toml)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the child that counts one lab, printing JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(count(args.one)))
        return
    from autograder import load_config

    names = [args.assignment] if args.assignment else list(load_config(ROOT / "grader.toml").assignments)
    print("| lab | optimizer steps | forward passes with gradients | per phase (steps/forwards) |")
    print("| --- | --- | --- | --- |")
    for name in names:
        done = subprocess.run([sys.executable, "-m", "benchmarks.training_steps", "--one", name], cwd=ROOT,
                              capture_output=True, text=True, check=True)
        print(row(name, json.loads(done.stdout.splitlines()[-1])), flush=True)


if __name__ == "__main__":
    main()
