"""The softmax-tips lab's observations (07-1: a softmax classifier, train/test sets, preprocessing),
on small tensors built here, without MNIST. Judged by `checks.py`, whose phase table
entries these implement.

`train()` and `test()` run on the lab's data (the grader's own copy), and `test()` and
`standardize()` also on data drawn here from the grader's seed, so that a wrong formula cannot
hide behind the lab's small numbers. Values travel raw: the trusted process recomputes accuracy,
cross-entropy and standardisation itself.
"""

from __future__ import annotations

from typing import Any

import torch

from ...probe.context import Context, number, plain
from ...probe.phases import implements
from ...probe.student import StudentError, wrong_type
from ...probe.tracing import OpRecorder, TrainingCalls
from ...probe.watch import GraphWatch  # the measure backprop's backward() gets too (probe/watch.py)

X_TRAIN = [[1, 2, 1], [1, 3, 2], [1, 3, 4], [1, 5, 5], [1, 7, 5], [1, 2, 5], [1, 6, 6], [1, 7, 7]]
Y_TRAIN = [2, 2, 2, 1, 1, 1, 0, 0]
X_TEST = [[2, 1, 1], [3, 1, 2], [3, 3, 4]]
Y_TEST = [2, 2, 2]


def _values(tensor: torch.Tensor) -> list[Any]:
    return tensor.detach().cpu().double().tolist()


@implements("tips_data")
def phase_tips_data(ctx: Context) -> dict[str, Any]:
    data = ctx.call("toy_data")
    if not (isinstance(data, (tuple, list)) and len(data) == 4):
        raise wrong_type("toy_data", "four_tensors", data, names="x_train, y_train, x_test, y_test")
    return {name: plain(value) for name, value in zip(("x_train", "y_train", "x_test", "y_test"), data)}


@implements("tips_train")
def phase_tips_train(ctx: Context) -> dict[str, Any]:
    """The student's train() from the grader's seed, with the grader's SGD at the configured
    learning rate, watched: zero_grad/backward/step counts, the costs it returns, and the model's
    logits on the lab's training set before and after (for the grader's own cross-entropy)."""
    asked = ctx.plan.params["tips_train"]
    x, y = torch.tensor(X_TRAIN, dtype=torch.float32), torch.tensor(Y_TRAIN)
    model = ctx.fresh_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=asked["learning_rate"])
    with torch.no_grad():
        before = model(x)
    with OpRecorder(keep=0) as ops, TrainingCalls(model, optimizer) as calls:
        costs = ctx.call("train", model, optimizer, x, y, nb_epochs=asked["epochs"])
    with torch.no_grad():
        after = model(x)
    return {"costs": [number(c) for c in costs][:1000] if isinstance(costs, (list, tuple)) else None,
            "costs_type": type(costs).__name__, "epochs": asked["epochs"], "backward": ops.counts.get("backward", 0),
            "calls": calls.summary(), "targets": Y_TRAIN, "before": _values(before), "after": _values(after)}


def _test_case(ctx: Context, model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, Any]:
    """test() on one set: what it returned, whether it changed the model, and how many of its torch
    calls gave results that autograd tracks, whatever op (F.linear, a matmul, ...) made them."""
    with torch.no_grad():
        logits = model(x)
    state = {name: value.detach().clone() for name, value in model.state_dict().items()}
    try:
        with GraphWatch() as graph:
            returned = ctx.call("test", model, x, y)
    except StudentError as error:
        return {"error": error.info}
    changed = any(not torch.equal(state[name], value) for name, value in model.state_dict().items())
    pair = list(returned)[:2] if isinstance(returned, (tuple, list)) and len(returned) == 2 else None
    return {"returned": [number(v) for v in pair] if pair else None, "returned_type": type(returned).__name__,
            "logits": _values(logits), "targets": y.tolist(), "changed": changed,
            "grad": sum(graph.tracked.values()), "tracked_by": list(graph.tracked)[:3], "calls": graph.calls}


@implements("tips_test")
def phase_tips_test(ctx: Context) -> dict[str, Any]:
    """test() on the lab's test set and on a set drawn here, with a model whose weights the grader
    drew (a trained lab model gets every test point wrong, which hides a wrong accuracy formula)."""
    model = ctx.fresh_model()
    generator = torch.Generator().manual_seed(ctx.plan.seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
    drawn_x = torch.randn(7, 3, generator=generator) * 3
    drawn_y = torch.randint(0, 3, (7,), generator=generator)
    cases = [(torch.tensor(X_TEST, dtype=torch.float32), torch.tensor(Y_TEST)), (drawn_x, drawn_y)]
    return {"cases": [_test_case(ctx, model, x, y) for x, y in cases]}


@implements("tips_standardize")
def phase_tips_standardize(ctx: Context) -> dict[str, Any]:
    """standardize() on the lab's exam scores and on columns of other scales drawn here; whether it
    left its input unchanged."""
    generator = torch.Generator().manual_seed(ctx.plan.seed)
    scores = torch.tensor([[73, 80, 75], [93, 88, 93], [89, 91, 90], [96, 98, 100], [73, 66, 70]], dtype=torch.float32)
    drawn = torch.randn(6, 4, generator=generator) * torch.tensor([1.0, 10.0, 0.1, 3.0]) + torch.tensor([0.0, 50.0, -2.0, 7.0])
    cases = []
    for x in (scores, drawn):
        original = x.clone()
        try:
            returned = ctx.call("standardize", x)
        except StudentError as error:
            cases.append({"error": error.info})
            continue
        cases.append({"input": _values(original), "returned": plain(returned), "unchanged": bool(torch.equal(x, original))})
    return {"cases": cases}
