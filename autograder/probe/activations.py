"""Observations of a lab that compares activations (09-1: ReLU against sigmoid): the student's
`compare_activations()` run on the grader's loaders, every model it trained found and re-measured.
Judged by `checks/activations.py`, whose phase table entry this implements."""

from __future__ import annotations

from typing import Any

import torch

from .context import Context, flatten, holdout_accuracy, number
from .phases import implements
from .tracing import OpRecorder, RootModules
from .student import wrong_type

ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu")


def _activations(ctx: Context, model: torch.nn.Module) -> list[str]:
    """The activation ops a forward pass of `model` runs, in order (the grader's batch, no gradients)."""
    model.eval()
    batch = flatten(ctx.holdout().images[: ctx.plan.batch_size]).to(ctx.device)
    with OpRecorder() as recorder, torch.no_grad():
        model(batch)
    return [op["kind"] for op in recorder.ops if op["kind"] in ACTIVATIONS]


@implements("compare_activations")
def phase_compare_activations(ctx: Context) -> dict[str, Any]:
    asked = ctx.plan.params["compare_activations"]
    ctx.seed()
    with RootModules() as roots:
        reported = ctx.call(asked["function"], ctx.train_loader(asked["train_samples"]), ctx.holdout_loader(),
                            training_epochs=asked["epochs"])
    if not isinstance(reported, dict):
        raise wrong_type(asked["function"], "accuracy_by_activation", reported)
    models = [{"activations": _activations(ctx, model), "measured": holdout_accuracy(ctx, model)}
              for model in roots.roots.values()
              if any(isinstance(m, torch.nn.Linear) and m.in_features == 784 for m in model.modules())]
    return {"reported": {str(key): number(value) for key, value in list(reported.items())[:10]}, "models": models}
