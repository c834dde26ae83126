"""The backpropagation lab's observations (08-2 by hand, lab-10-X1): every function called on inputs
the grader drew (parameters, a batch of MNIST training images and their one-hot labels), the raw
results written as safetensors for the trusted process, which recomputes the forward pass, the
chain rule and the update itself, in float64 numpy. Judged by `checks.py`, whose phase
table entries these implement.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import torch
from safetensors.torch import save as safetensors_bytes

from ...probe.artifacts import write_artifact, write_predictions
from ...probe.context import Context, flatten, number
from ...probe.phases import implements
from ...probe.student import wrong_type
from ...probe.tracing import PythonCalls
from ...probe.watch import GraphWatch, OtherThreads

NAMES = ("w1", "b1", "w2", "b2")
CACHE = ("l1", "a1", "l2", "y_pred")
GRADS = ("d_w1", "d_b1", "d_w2", "d_b2")
# What asking autograd for gradients runs, however it is called or imported.
AUTOGRAD = {torch.autograd.grad.__code__: "torch.autograd.grad", torch.autograd.backward.__code__: "torch.autograd.backward",
            torch.Tensor.backward.__code__: ".backward()"}


def _tensors(function: str, value: Any, keys: tuple[str, ...]) -> dict[str, torch.Tensor]:
    if not isinstance(value, dict) or not all(isinstance(value.get(k), torch.Tensor) for k in keys):
        raise wrong_type(function, "dict_of_tensors", value, keys=", ".join(keys))
    return {k: value[k].detach().float().cpu().contiguous() for k in keys}


def _drawn(ctx: Context, offset: int, hidden: int) -> tuple[dict[str, torch.Tensor], torch.Tensor, torch.Tensor]:
    """Parameters at a scale where no sigmoid saturates, a batch of 10 holdout images and their one-hot labels."""
    generator = torch.Generator().manual_seed(ctx.plan.seed + offset)
    params = {"w1": torch.randn(784, hidden, generator=generator) * 0.1, "b1": torch.randn(hidden, generator=generator),
              "w2": torch.randn(hidden, 10, generator=generator), "b2": torch.randn(10, generator=generator)}
    held = ctx.holdout()
    start = 10 * offset
    x = flatten(held.images[start:start + 10]).float()
    y = torch.zeros(10, 10).scatter_(1, held.targets[start:start + 10].long().unsqueeze(1), 1)
    return params, x, y


def _cache(params: dict[str, torch.Tensor], x: torch.Tensor) -> dict[str, torch.Tensor]:
    """The lab's forward pass, computed by the grader."""
    l1 = x @ params["w1"] + params["b1"]
    a1 = torch.sigmoid(l1)
    l2 = a1 @ params["w2"] + params["b2"]
    return {"l1": l1, "a1": a1, "l2": l2, "y_pred": torch.sigmoid(l2)}


def _grads(cache: dict[str, torch.Tensor], params: dict[str, torch.Tensor], x: torch.Tensor,
           y: torch.Tensor) -> dict[str, torch.Tensor]:
    """The lab's chain rule, computed by the grader: what `update()` is handed, so that a backward()
    bug costs `backward` alone and `update` judges only the update."""
    d_l2 = (cache["y_pred"] - y) * cache["y_pred"] * (1 - cache["y_pred"])
    d_l1 = (d_l2 @ params["w2"].T) * cache["a1"] * (1 - cache["a1"])
    return {"d_w1": x.T @ d_l1, "d_b1": d_l1, "d_w2": cache["a1"].T @ d_l2, "d_b2": d_l2}


@implements("bp_functions")
def phase_bp_functions(ctx: Context) -> dict[str, Any]:
    x = torch.linspace(-20, 20, 81)
    out: dict[str, Any] = {"x": x.tolist()}
    for function in ("sigmoid", "sigmoid_prime"):
        value = ctx.call(function, x.clone())
        out[function] = value.detach().double().tolist() if isinstance(value, torch.Tensor) else None
    return out


@implements("bp_init")
def phase_bp_init(ctx: Context) -> dict[str, Any]:
    arrays, shapes = {}, {}
    for hidden in ctx.plan.params["bp_init"]:
        ctx.seed(hidden)
        params = ctx.call("init_params", hidden=hidden)
        if not isinstance(params, dict):
            raise wrong_type("init_params", "dict_of_tensors", params, keys="w1, b1, w2, b2")
        shapes[str(hidden)] = {k: list(v.shape) if isinstance(v, torch.Tensor) else None for k, v in
                               ((k, params.get(k)) for k in NAMES)}
        arrays.update({f"{k}.{hidden}": v.detach().float().cpu().contiguous() for k, v in params.items()
                       if k in NAMES and isinstance(v, torch.Tensor)})
    write_artifact(ctx.out / "bp_init.safetensors", safetensors_bytes(arrays))
    return {"shapes": shapes}


def _kept(function: str, value: Any, keys: tuple[str, ...]) -> dict[str, torch.Tensor]:
    """`_tensors`, copied: what a thread writes into the returned tensors afterwards is not kept."""
    return {k: v.clone() for k, v in _tensors(function, value, keys).items()}


@implements("bp_steps")
def phase_bp_steps(ctx: Context) -> dict[str, Any]:
    """forward(), backward() and update() on two batches the grader drew, each handed the grader's
    own inputs (backward() the grader's forward cache, update() the grader's gradients), none
    carrying a graph. What backward() asked of autograd, measured three ways: the autograd
    functions a profiler saw it call, the results autograd tracked (`watch.GraphWatch`: any route
    to gradients needs a recorded graph), and the CPU time the three calls spent in other threads
    (`watch.OtherThreads`), where neither can look."""
    arrays, autograd, used, replaced, tracked, threads = {}, 0, [], False, Counter(), 0.0
    for batch in range(2):
        params, x, y = _drawn(ctx, batch, 30)
        arrays.update({f"{k}.{batch}": v for k, v in params.items()})
        arrays.update({f"X.{batch}": x, f"Y.{batch}": y})
        given = _grads(_cache(params, x), params, x, y)
        with OtherThreads() as elsewhere:
            cache = _kept("forward", ctx.call("forward", {k: v.clone() for k, v in params.items()}, x.clone()), CACHE)
            # handed the grader's own cache: a forward() bug costs `forward` alone
            with PythonCalls(AUTOGRAD.get) as calls, GraphWatch() as graph:
                grads = _kept("backward", ctx.call("backward", {k: v.clone() for k, v in params.items()},
                                                    _cache(params, x), x.clone(), y.clone()), GRADS)
            updated = _kept("update", ctx.call("update", {k: v.clone() for k, v in params.items()},
                                               {k: v.clone() for k, v in given.items()},
                                               learning_rate=ctx.plan.learning_rate), NAMES)
        arrays.update({f"{k}.{batch}": v for k, v in cache.items()})
        autograd += len(calls.names)
        used.extend(calls.names)
        replaced = replaced or calls.replaced
        tracked.update(graph.tracked)
        threads += elsewhere.cpu_s
        arrays.update({f"{k}.{batch}": v for k, v in grads.items()})
        arrays.update({f"given_{k}.{batch}": v for k, v in given.items()})
        arrays.update({f"new_{k}.{batch}": v for k, v in updated.items()})
    write_artifact(ctx.out / "bp_steps.safetensors", safetensors_bytes(arrays))
    return {"batches": 2, "autograd_calls": autograd, "autograd": sorted(set(used)), "profiler_replaced": replaced,
            "tracked": sum(tracked.values()), "tracked_by": list(tracked)[:3],
            "other_threads_ms": threads * 1000, "learning_rate": ctx.plan.learning_rate}


@implements("bp_train")
def phase_bp_train(ctx: Context) -> dict[str, Any]:
    """The student's train() from the student's init_params(), on the grader's loader; the grader's own
    forward pass of the trained parameters on the test images gives the predictions."""
    asked = ctx.plan.params["bp_train"]
    ctx.seed()
    params = ctx.call("init_params")
    returned = ctx.call("train", params, ctx.train_loader(asked["train_samples"]),
                        learning_rate=ctx.plan.learning_rate, steps=asked["steps"])
    if not (isinstance(returned, (tuple, list)) and len(returned) == 2):
        raise wrong_type("train", "pair", returned, names="params, costs")
    trained = _tensors("train", returned[0], NAMES)
    images = flatten(ctx.data.test_images).float()
    with torch.no_grad():
        hidden = torch.sigmoid(images @ trained["w1"] + trained["b1"])
        scores = hidden @ trained["w2"] + trained["b2"]
    predictions = torch.argmax(scores, 1).numpy().astype(np.int64)
    write_predictions(ctx.out, predictions)
    costs = returned[1]
    return {"steps": asked["steps"], "samples": asked["train_samples"],
            "costs": [number(c) for c in costs][:100] if isinstance(costs, (list, tuple)) else None}

