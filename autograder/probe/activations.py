"""Observations of a lab that compares activations (09-1: ReLU against sigmoid): the student's
`compare_activations()` run on the grader's loaders, every model it trained found and re-measured.
Judged by `checks/activations.py`, whose phase table entry this implements.

Also the core's `evaluate_scaling` (judged by `checks/evaluation.py`'s `evaluate`): the student's
evaluate() handed the grader's scaling probe, which measures whether it fed the model the loader's
images or raw 0-255 pixels (`test_data`, as the course's code reads them), and what it read.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import torch

from . import datasets
from .artifacts import write_artifact
from .context import MAX_MODELS, Context, flatten, holdout_accuracy, number, predict
from .phases import implements
from .tracing import OpRecorder, RootModules
from .student import StudentError, wrong_type

ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu")


def scaling_probe(ctx: Context, *args: Any) -> dict[str, Any]:
    """The student's evaluate() on the grader's scaling probe (`datasets.scaling_probe`; `args`: what
    evaluate() takes after the model and the loader): the accuracy it returned on each probe loader
    (None where it raised or returned no number), and the raw attributes of the stand-in datasets it
    read, in this call or an earlier one (`datasets.READS`)."""
    model, loaders = datasets.scaling_probe(ctx.holdout(), ctx.plan.batch_size, ctx.plan.seed)
    model.to(ctx.device)
    returned = []
    for loader in loaders:
        try:
            value = ctx.call("evaluate", model, loader, *args)
        except StudentError:
            value = None
        # the lab's evaluate() may return (loss, accuracy), as 09-4's does
        returned.append(number(value[-1] if isinstance(value, (tuple, list)) and value else value))
    return {"returned": returned, "reads": sorted(datasets.READS.get("evaluate", ()))}


@implements("evaluate_scaling")
def phase_evaluate_scaling(ctx: Context) -> dict[str, Any]:
    """A phase of its own, after `evaluate`: whether evaluate() feeds a model the loader's images."""
    return scaling_probe(ctx)


def _activations(ctx: Context, model: torch.nn.Module) -> list[str]:
    """The activation ops a forward pass of `model` runs, in order (the grader's batch, no gradients)."""
    model.eval()
    batch = flatten(ctx.holdout().images[: ctx.plan.batch_size]).to(ctx.device)
    with OpRecorder() as recorder, torch.no_grad():
        model(batch)
    return [op["kind"] for op in recorder.ops if op["kind"] in ACTIVATIONS]


@implements("compare_activations")
def phase_compare_activations(ctx: Context) -> dict[str, Any]:
    """Each network compare_activations() trained: its activations, its holdout accuracy (what the
    student's evaluate() should report of it, a consistency check) and its predictions of the first
    test images (`compare_activations.npz`), whose accuracy the trusted side measures on labels no
    sandbox has: what decides whether it learned."""
    asked = ctx.plan.params["compare_activations"]
    ctx.seed()
    with RootModules() as roots:
        reported = ctx.call(asked["function"], ctx.train_loader(asked["train_samples"]), ctx.holdout_loader(),
                            training_epochs=asked["epochs"])
    if not isinstance(reported, dict):
        raise wrong_type(asked["function"], "accuracy_by_activation", reported)
    found = [model for model in roots.roots.values()
             if any(isinstance(m, torch.nn.Linear) and m.in_features == 784 for m in model.modules())]
    test_images = ctx.data.test_images[: asked["test_samples"]]
    models, predictions = [], {}
    for index, model in enumerate(found[:MAX_MODELS]):
        models.append({"activations": _activations(ctx, model), "measured": holdout_accuracy(ctx, model)})
        predictions[f"predictions{index}"] = predict(model, test_images, ctx.device)
    buffer = io.BytesIO()
    np.savez(buffer, **predictions)
    write_artifact(ctx.out / "compare_activations.npz", buffer.getvalue())
    return {"reported": {str(key): number(value) for key, value in list(reported.items())[:10]}, "models": models,
            "test_samples": len(test_images)}
