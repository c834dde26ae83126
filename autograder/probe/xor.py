"""The XOR lab's observations (08-1 perceptron, 08-2 multi-layer perceptron), on four points
built here, without MNIST. Judged by `checks/xor.py`, whose phase table entries these implement.

The grader's own data (the four XOR points) is used for every call, whatever `xor_data()`
returns, so that a wrong dataset costs `data` alone. The architectures are observed by the core
phase `architectures` (`phases.py`). `xor_train` trains each builder a check asks
for with the student's `train()` from the grader's seeds, and records the grader's own
thresholded predictions and what the student's `predict()` returns on the same trained model.
"""

from __future__ import annotations

from typing import Any

import torch

from .context import Context, number, plain
from .phases import implements
from .student import StudentError, describe_exception, wrong_type
from .tracing import OpRecorder

X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y = [[0.0], [1.0], [1.0], [0.0]]


def _xy(ctx: Context) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.tensor(X, device=ctx.device), torch.tensor(Y, device=ctx.device)


@implements("xor_data")
def phase_xor_data(ctx: Context) -> dict[str, Any]:
    data = ctx.call("xor_data")
    if not (isinstance(data, (tuple, list)) and len(data) == 2):
        raise wrong_type("xor_data", "pair", data, names="X, Y")
    return {"X": plain(data[0]), "Y": plain(data[1])}


@implements("xor_loss")
def phase_xor_loss(ctx: Context) -> dict[str, Any]:
    criterion = ctx.call("make_criterion")
    if not callable(criterion):
        raise wrong_type("make_criterion", "loss", criterion)
    generator = torch.Generator().manual_seed(ctx.plan.seed)
    cases = []
    for n in (4, 7):
        probabilities = torch.rand(n, 1, generator=generator) * 0.98 + 0.01
        targets = torch.randint(0, 2, (n, 1), generator=generator).float()
        try:
            value = criterion(probabilities.to(ctx.device), targets.to(ctx.device))
        except BaseException as exc:
            raise StudentError(describe_exception(exc, "criterion", ctx.job.module_path)) from None
        cases.append({"p": probabilities.flatten().tolist(), "y": targets.flatten().tolist(), "value": number(value)})
    return {"cases": cases}


def _predict(ctx: Context, model: torch.nn.Module, x: torch.Tensor) -> dict[str, Any]:
    with OpRecorder(keep=0) as ops:
        try:
            returned = ctx.call("predict", model, x)
        except StudentError as error:
            return {"error": error.info}
    return {**plain(returned), "grad": ops.counts.get("linear:grad", 0), "linear": ops.counts.get("linear", 0)}


def _train_once(ctx: Context, builder: str, steps: int, attempt: int) -> dict[str, Any]:
    x, y = _xy(ctx)
    model = ctx.fresh_model(builder, seed_offset=attempt)
    criterion = ctx.call("make_criterion")
    optimizer = ctx.call("make_optimizer", model, learning_rate=ctx.plan.learning_rate)
    costs = ctx.call("train", model, x, y, criterion, optimizer, steps=steps)
    with torch.no_grad():
        hypothesis = model(x)
    predicted = (hypothesis > 0.5).float().flatten().tolist()
    costs_list = [number(c) for c in costs] if isinstance(costs, (list, tuple)) else None
    return {"predicted": predicted, "fits": predicted == [row[0] for row in Y],
            "first_cost": costs_list[0] if costs_list else None, "last_cost": costs_list[-1] if costs_list else None,
            "costs": len(costs_list) if costs_list is not None else None, "predict": _predict(ctx, model, x)}


@implements("xor_train")
def phase_xor_train(ctx: Context) -> dict[str, Any]:
    """Each builder asked for, trained by the student's train() from each of its seeds in turn
    (offsets to the grader's seed), until one fits when it should, or all of them when it should not."""
    runs: dict[str, list[dict[str, Any]]] = {}
    for builder, (steps, seeds, stop_when_fit) in ctx.plan.params.get("train", {}).items():
        runs[builder] = []
        for seed in seeds:
            try:
                run = _train_once(ctx, builder, steps, seed)
            except StudentError as error:
                run = {"error": error.info}
            runs[builder].append(run)
            if "error" in run or (stop_when_fit and run["fits"]):
                break
    return {"runs": runs}
