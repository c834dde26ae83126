"""The batch-normalization lab's observations (09-4: the same network with and without
BatchNorm). Judged by `checks.py`, whose phase table entries these implement.

`pair_build` describes both models of `build_models()` and a forward pass of each (what the output
depends on); `pair_train` hands `train_epoch()` the BatchNorm model left in eval mode, watched, then
trains it for the grading run and predicts the test images; `pair_evaluate` hands `evaluate()` that
model left in train mode, on loaders of whole batches, with the grader's own per-batch measurement,
then the grader's pixel-scale probe (`probe/activations.scaling_probe`); `pair_compare` runs
`compare()` and re-measures the models it trained, on its loaders and on hidden test images.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import torch

from ...probe import datasets
from ...probe.activations import scaling_probe
from ...probe.artifacts import write_artifact, write_predictions
from ...probe.context import Context, buffers, describe_modules, flatten, number, predict
from ...probe.phases import implements
from ...probe.student import wrong_type
from ...probe.tracing import OpRecorder, RootModules, TrainingCalls


def _models(ctx: Context) -> tuple[torch.nn.Module, torch.nn.Module]:
    ctx.seed()
    pair = ctx.call("build_models")
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(isinstance(m, torch.nn.Module) for m in pair)):
        raise wrong_type("build_models", "pair_of_models", pair, names="bn_model, nn_model")
    return pair[0].to(ctx.device), pair[1].to(ctx.device)


def _whole_batches(ctx: Context, start: int, batches: int) -> torch.utils.data.DataLoader:
    """Holdout images in whole batches of the assignment's batch size, in order."""
    end = start + batches * ctx.plan.batch_size
    return datasets.loader(ctx.data.train.subset(start, end), ctx.plan.batch_size, shuffle=False, seed=ctx.plan.seed)


def _measure(ctx: Context, model: torch.nn.Module, loader: Any) -> dict[str, Any]:
    """The grader's own per-batch logits and labels (eval mode, no gradients), for the trusted side."""
    model.eval()
    logits, labels = [], []
    with torch.no_grad():
        for images, targets in loader:
            logits.append(model(flatten(images).to(ctx.device)).float().cpu())
            labels.append(targets)
    return {"logits": torch.stack(logits).numpy(), "labels": torch.stack(labels).numpy()}


def _save(ctx: Context, name: str, arrays: dict[str, np.ndarray]) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_artifact(ctx.out / name, buffer.getvalue())


@implements("pair_build")
def phase_pair_build(ctx: Context) -> dict[str, Any]:
    described = {}
    batch = flatten(ctx.holdout().images[: ctx.plan.batch_size]).to(ctx.device)
    for name, model in zip(("bn_model", "nn_model"), _models(ctx)):
        model.train()
        with OpRecorder(outputs=True) as recorder:
            output = model(batch)
        recorder.mark_live(output, ctx.plan.seed)
        described[name] = {"modules": describe_modules(model), "ops": recorder.ops}
    return described


def _parts(ctx: Context, model: torch.nn.Module) -> tuple[Any, Any]:
    criterion = ctx.call("make_criterion")
    optimizer = ctx.call("make_optimizer", model, learning_rate=ctx.plan.learning_rate)
    return criterion, optimizer


@implements("pair_train")
def phase_pair_train(ctx: Context) -> dict[str, Any]:
    asked = ctx.plan.params["pair_train"]
    bn_model, _ = _models(ctx)
    criterion, optimizer = _parts(ctx, bn_model)
    bn_model.eval()  # handed in eval mode on purpose: train_epoch() must switch it
    with RootModules() as modules, OpRecorder(keep=0) as ops, TrainingCalls(bn_model, optimizer) as calls:
        ctx.call("train_epoch", bn_model, ctx.train_loader(3 * ctx.plan.batch_size), criterion, optimizer)
    probe = {"counts": dict(ops.counts), "module_eval_calls": dict(modules.eval_calls), "calls": calls.summary(),
             "batches": 3}
    bn_model, _ = _models(ctx)
    criterion, optimizer = _parts(ctx, bn_model)
    losses = [number(ctx.call("train_epoch", bn_model, ctx.train_loader(asked["train_samples"]), criterion, optimizer))
              for _ in range(asked["epochs"])]
    ctx.trained = bn_model
    write_predictions(ctx.out, predict(bn_model, ctx.data.test_images, ctx.device))
    return {"probe": probe, "losses": losses, "epochs": asked["epochs"], "samples": asked["train_samples"]}


@implements("pair_evaluate")
def phase_pair_evaluate(ctx: Context) -> dict[str, Any]:
    model = ctx.trained if ctx.trained is not None else _models(ctx)[0]
    criterion = ctx.call("make_criterion")
    start, batches = 60000 - ctx.plan.holdout, ctx.plan.holdout // ctx.plan.batch_size
    measured = _measure(ctx, model, _whole_batches(ctx, start, batches))
    _save(ctx, "pair_evaluate.npz", measured)
    before = buffers(model)
    model.train()  # handed in train mode: evaluate() must switch to eval mode itself
    with RootModules() as modules, OpRecorder(keep=0, modules=modules) as ops:
        returned = ctx.call("evaluate", model, _whole_batches(ctx, start, batches), criterion)
    after = buffers(model)
    pair = [number(v) for v in returned][:2] if isinstance(returned, (tuple, list)) and len(returned) == 2 else None
    return {"returned": pair, "returned_type": type(returned).__name__, "counts": dict(ops.counts),
            "buffers_changed": sorted(k for k in before if k in after and not torch.equal(before[k], after[k])),
            "scaling_probe": scaling_probe(ctx, criterion)}


@implements("pair_compare")
def phase_pair_compare(ctx: Context) -> dict[str, Any]:
    asked = ctx.plan.params["pair_compare"]
    # whole batches: every shuffled epoch then covers the same images, so the grader's re-measurement after
    # compare() sees what the student's last evaluate() saw
    train_loader = ctx.train_loader(asked["train_samples"] // ctx.plan.batch_size * ctx.plan.batch_size)
    valid = _whole_batches(ctx, 60000 - ctx.plan.holdout, asked["valid_batches"])
    ctx.seed()
    with RootModules() as roots:
        reported = ctx.call("compare", train_loader, valid, training_epochs=asked["epochs"])
    if not isinstance(reported, dict):
        raise wrong_type("compare", "dict_of_four_lists", reported)
    keys = ("train_losses", "train_accs", "valid_losses", "valid_accs")
    lists = {key: [[number(v) for v in pair] if isinstance(pair, (list, tuple)) else None for pair in reported.get(key, [])]
             if isinstance(reported.get(key), (list, tuple)) else None for key in keys}
    models = [m for m in roots.roots.values() if any(isinstance(x, torch.nn.Linear) and x.in_features == 784
                                                      for x in m.modules())]
    arrays, kinds = {}, []
    test_images = ctx.data.test_images[: asked["test_samples"]]
    for index, model in enumerate(models[:4]):
        kinds.append(any(isinstance(x, torch.nn.modules.batchnorm._BatchNorm) for x in model.modules()))
        for split, loader in (("valid", valid), ("train", train_loader)):
            measured = _measure(ctx, model, loader)
            arrays[f"{split}_logits{index}"], arrays[f"{split}_labels{index}"] = measured["logits"], measured["labels"]
        # what decides whether it learned: its predictions of test images whose labels only the trusted side has
        arrays[f"test_predictions{index}"] = predict(model, test_images, ctx.device)
    _save(ctx, "pair_compare.npz", arrays)
    return {"reported": lists, "batchnorm": kinds, "epochs": asked["epochs"], "test_samples": len(test_images)}
