"""The observation phases, one function per name of the phase table (`sandbox/protocol.py`).

Each takes the job's context and returns the JSON-able observations of one phase; artifacts that
are not JSON (initial weights, predictions, loss cases) are written with `write_artifact`. The
runner (`runner.py`) runs them in order and records what each observed or why it stopped.
"""

from __future__ import annotations

import copy
import io
import math
from typing import Any, Callable

import numpy as np
import torch
from safetensors.torch import save as safetensors_bytes

from . import standins
from .artifacts import write_artifact, write_predictions
from .context import MAX_MODELS, Context, buffers, holdout_accuracy, holdout_as_evaluate, number, predict
from .student import StudentError, describe_exception, import_module, wrong_type
from .tape import record
from .tracing import LossTrace, OpRecorder, RootModules, TrainingCalls

TAPE_BATCH = 97  # test images in the traced pass: a size no layer has, so a literal 97 in a reshape is the batch


def phase_import(ctx: Context) -> dict[str, Any]:
    standins.install()
    ctx.module = import_module(ctx.plan.module_name, ctx.job.module_path)
    if hasattr(ctx.module, "device"):
        ctx.module.device = ctx.device  # the course's `device = 'cuda' if ...` follows the grader's choice
    return {"device": ctx.device}


def phase_build(ctx: Context) -> dict[str, Any]:
    model = ctx.fresh_model()
    modules = ctx.builds[-1]["modules"]
    layers = [(name or type(module).__name__.lower(), module) for name, module in model.named_modules()
              if isinstance(module, (torch.nn.Linear, torch.nn.modules.conv._ConvNd))]
    weights = {name: module.weight.detach().float().cpu().contiguous() for name, module in layers}
    if weights:
        write_artifact(ctx.out / "init.safetensors", safetensors_bytes(weights))
    model.train()
    batch = ctx.inputs(ctx.holdout().images[: ctx.plan.batch_size]).to(ctx.device)
    # `weights`: the Linear weights (what `init` judges by default); `conv_weights`: the convolutions'
    built = {"modules": modules, "weights": [name for name, module in layers if isinstance(module, torch.nn.Linear)],
             "conv_weights": [name for name, module in layers if not isinstance(module, torch.nn.Linear)]}
    with OpRecorder(outputs=True) as recorder:
        try:
            output = model(batch)
        except BaseException as exc:
            # The layers and the initial weights are still observed (`shapes`, `init`); the checks
            # that need the forward pass report this error.
            return {**built, "forward_error": describe_exception(exc, "forward", ctx.job.module_path)}
    recorder.mark_live(output, ctx.plan.seed)  # what the output depends on: decoy branches are not live
    shape = list(output.shape) if isinstance(output, torch.Tensor) else None
    return {**built, "ops": recorder.ops, "output_shape": shape}


def phase_data(ctx: Context) -> dict[str, Any]:
    root = ctx.job.data_root
    loaded = ctx.call("load_mnist", root=root)
    if not (isinstance(loaded, (tuple, list)) and len(loaded) == 2):
        raise wrong_type("load_mnist", "pair", loaded, names="mnist_train, mnist_test")
    mnist_train, mnist_test = loaded
    sizes = [len(mnist_train), len(mnist_test)]
    image, label = mnist_train[0]
    sample = {"type": type(image).__name__}
    if isinstance(image, torch.Tensor):
        sample.update(shape=list(image.shape), dtype=str(image.dtype).replace("torch.", ""),
                      min=float(image.min()), max=float(image.max()))
    loaders = ctx.call("make_loaders", mnist_train, mnist_test, batch_size=ctx.plan.batch_size)
    if not (isinstance(loaders, (tuple, list)) and len(loaders) == 2):
        raise wrong_type("make_loaders", "pair", loaders, names="train_loader, test_loader")
    train_loader = loaders[0]
    if not isinstance(train_loader, torch.utils.data.DataLoader):
        raise wrong_type("make_loaders", "dataloader", train_loader)
    sampler = train_loader.batch_sampler.sampler if train_loader.batch_sampler is not None else train_loader.sampler
    return {
        "sizes": sizes,
        "sample": sample,
        "batch_size": train_loader.batch_size,
        "drop_last": bool(train_loader.drop_last),
        "sampler": type(sampler).__name__,
        "batches": len(train_loader),
    }


def phase_loss(ctx: Context) -> dict[str, Any]:
    criterion = ctx.call("make_criterion")
    if not callable(criterion):
        raise wrong_type("make_criterion", "loss", criterion)
    generator = torch.Generator().manual_seed(ctx.plan.seed)
    cases, values = {}, []
    for i, n in enumerate((100, 7, 1)):
        logits = torch.randn(n, 10, generator=generator) * 3
        targets = torch.randint(0, 10, (n,), generator=generator)
        cases[f"logits{i}"], cases[f"targets{i}"] = logits.numpy(), targets.numpy()
        try:
            # as in training: logits that track gradients (a criterion must not behave otherwise when tested)
            value = criterion(logits.to(ctx.device).requires_grad_(), targets.to(ctx.device))
        except BaseException as exc:
            raise StudentError(describe_exception(exc, "criterion", ctx.job.module_path)) from None
        values.append(number(value))
    buffer = io.BytesIO()
    np.savez(buffer, **cases)
    write_artifact(ctx.out / "loss_cases.npz", buffer.getvalue())
    return {"values": values, "type": type(criterion).__name__}


def phase_optimizer(ctx: Context) -> dict[str, Any]:
    model = ctx.fresh_model(ctx.plan.params.get("optimizer_builder", "build_model"))
    optimizer = ctx.call("make_optimizer", model, learning_rate=ctx.plan.learning_rate)
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise wrong_type("make_optimizer", "optimizer", optimizer)
    given = {id(p) for group in optimizer.param_groups for p in group["params"]}
    params = list(model.parameters())
    return {
        "classes": [cls.__name__ for cls in type(optimizer).__mro__],
        "learning_rates": [float(group["lr"]) for group in optimizer.param_groups],
        "model_params": len(params),
        "covered": sum(id(p) in given for p in params),
        "extra": len(given - {id(p) for p in params}),
    }


def _training_parts(ctx: Context) -> tuple[torch.nn.Module, Any, Any]:
    model = ctx.fresh_model()
    criterion = ctx.call("make_criterion")
    optimizer = ctx.call("make_optimizer", model, learning_rate=ctx.plan.learning_rate)
    return model, criterion, optimizer


def phase_train_probe(ctx: Context) -> dict[str, Any]:
    """A short run of the student's train(), watched: modes, zero_grad/backward/step counts, whether
    the weights changed, and what was back-propagated (`LossTrace`, written to train_losses.npz)."""
    model, criterion, optimizer = _training_parts(ctx)
    model.eval()  # the grader hands train() a model left in eval mode on purpose
    samples = ctx.plan.train_probe_batches * ctx.plan.batch_size
    epochs = 2
    before = [parameter.detach().clone() for parameter in model.parameters()]
    loader, trace = ctx.train_loader(samples), LossTrace()
    loader.collate_fn = trace.collate(loader.collate_fn)
    hook = model.register_forward_hook(trace.output)
    try:
        with RootModules() as modules, OpRecorder(keep=0, on_backward=trace.backward) as ops, \
                TrainingCalls(model, optimizer) as calls:
            ctx.call("train", model, loader, criterion, optimizer, training_epochs=epochs)
    finally:
        hook.remove()
    changed = any(not torch.equal(old, new.detach()) for old, new in zip(before, model.parameters()))
    arrays = {f"targets{i}": case["targets"].numpy() for i, case in enumerate(trace.cases)}
    arrays.update({f"outputs{i}_{j}": output.numpy() for i, case in enumerate(trace.cases)
                   for j, output in enumerate(case["outputs"])})
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_artifact(ctx.out / "train_losses.npz", buffer.getvalue())
    return {"counts": dict(ops.counts), "module_eval_calls": dict(modules.eval_calls), "module_calls": modules.calls,
            "batches": ctx.plan.train_probe_batches * epochs, "calls": calls.summary(), "weights_changed": changed,
            "backpropagated": [{"value": case["value"], "outputs": len(case["outputs"])} for case in trace.cases]}


def phase_train(ctx: Context) -> dict[str, Any]:
    model, criterion, optimizer = _training_parts(ctx)
    model.train()
    costs = ctx.call("train", model, ctx.train_loader(ctx.plan.train_samples), criterion, optimizer,
                     training_epochs=ctx.plan.epochs)
    ctx.trained = model
    write_predictions(ctx.out, predict(model, ctx.data.test_images[: ctx.plan.test_samples], ctx.device,
                                       input_shape=ctx.plan.input_shape))
    # The same model's forward pass as data, for the trusted side to rebuild (checks/replay.py).
    tape, constants = record(model, ctx.inputs(ctx.data.test_images[:TAPE_BATCH]).to(ctx.device))
    write_artifact(ctx.out / "tape.safetensors", safetensors_bytes(constants))
    costs_list = [number(c) for c in costs] if isinstance(costs, (list, tuple)) else None
    return {"costs": costs_list, "samples": ctx.plan.train_samples, "epochs": ctx.plan.epochs, "tape": tape,
            "builds": [build for build in ctx.builds if build["builder"] == "build_model" and not build["kwargs"]]}


def _evaluate_call(ctx: Context, model: torch.nn.Module) -> dict[str, Any]:
    ctx.seed()  # the same random state as the grader's own measurement (see holdout_as_evaluate)
    try:
        with RootModules() as modules, OpRecorder(keep=0, modules=modules) as ops:
            value = ctx.call("evaluate", model, ctx.holdout_loader())
    except StudentError as error:
        return {"error": error.info}
    return {"returned": number(value), "returned_type": type(value).__name__, "counts": dict(ops.counts),
            "module_calls": modules.calls, "module_eval_calls": dict(modules.eval_calls)}


def phase_evaluate(ctx: Context) -> dict[str, Any]:
    trained = ctx.trained is not None
    model = ctx.trained if trained else ctx.fresh_model()
    state = copy.deepcopy(model.state_dict())
    try:
        measured = holdout_as_evaluate(ctx, model)
    except Exception as exc:  # the model's own forward pass failed, not evaluate()
        raise StudentError(describe_exception(exc, "forward", ctx.job.module_path)) from None
    before = buffers(model)
    model.train()  # handed a model left in train mode: evaluate() must switch it itself
    handed_train = _evaluate_call(ctx, model)
    after = buffers(model)
    handed_train["buffers_changed"] = sorted(
        name for name in before if name in after and not torch.equal(before[name], after[name]))
    model.load_state_dict(state)
    model.eval()
    handed_eval = _evaluate_call(ctx, model)
    model.load_state_dict(state)
    return {"measured": measured, "trained": trained, "handed_train": handed_train, "handed_eval": handed_eval,
            "samples": ctx.plan.holdout}


def _describe_model(ctx: Context, model: torch.nn.Module) -> dict[str, Any]:
    linear = [[m.in_features, m.out_features] for m in model.modules() if isinstance(m, torch.nn.Linear)]
    norms = [m.num_features for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    return {"linear": linear, "batchnorm": norms, "measured": holdout_accuracy(ctx, model)}


def phase_sweep(ctx: Context) -> dict[str, Any]:
    """compare_hidden_sizes() on the grader's loaders: what it reported, and each model it trained
    found, described and re-measured: its holdout accuracy (what the student's evaluate() should
    report of it, a consistency check) and its predictions of the first test images (`sweep.npz`),
    whose accuracy the trusted side measures on labels no sandbox has: what decides that it learned."""
    sweep = ctx.plan.sweep
    assert sweep is not None
    ctx.seed()
    with RootModules() as roots:
        rows = ctx.call("compare_hidden_sizes", [tuple(c) for c in sweep.configs],
                        ctx.train_loader(sweep.train_samples), ctx.holdout_loader(), training_epochs=sweep.epochs)
    if not isinstance(rows, (list, tuple)):
        raise wrong_type("compare_hidden_sizes", "list_of_dicts", rows)
    reported = []
    for row in rows:
        if not isinstance(row, dict):
            reported.append({"type": type(row).__name__})
            continue
        hidden = row.get("hidden")
        hidden_ints = [int(h) for h in hidden] if isinstance(hidden, (list, tuple)) and all(
            isinstance(h, int) for h in hidden) else None
        reported.append({"type": "dict", "keys": sorted(map(str, row)), "hidden": hidden_ints,
                         "train_cost": number(row.get("train_cost")),
                         "test_accuracy": number(row.get("test_accuracy"))})
    features = math.prod(ctx.plan.input_shape)  # a model the sweep trained takes the grader's images
    found = [m for m in roots.roots.values()  # up to MAX_MODELS per configuration: a bounded artifact
             if any(isinstance(x, torch.nn.Linear) and x.in_features == features for x in m.modules())]
    found = found[: MAX_MODELS * len(sweep.configs)]
    models = [_describe_model(ctx, m) for m in found]
    test_images = ctx.data.test_images[: sweep.test_samples]
    buffer = io.BytesIO()
    np.savez(buffer, **{f"predictions{index}": predict(model, test_images, ctx.device, input_shape=ctx.plan.input_shape)
                        for index, model in enumerate(found)})
    write_artifact(ctx.out / "sweep.npz", buffer.getvalue())
    return {"reported": reported, "models": models, "test_samples": len(test_images)}


def phase_architectures(ctx: Context) -> dict[str, Any]:
    """For each builder a check names, with the input size of its first layer: the ops a forward pass
    on random inputs ran (a layer shared between positions, as the course's one Sigmoid module,
    counts at every position it runs)."""
    models: dict[str, Any] = {}
    generator = torch.Generator().manual_seed(ctx.plan.seed)
    for builder, n_in in ctx.plan.params.get("architectures", {}).items():
        x = torch.rand(4, int(n_in), generator=generator).to(ctx.device)
        try:
            model = ctx.fresh_model(builder)
            with OpRecorder() as recorder, torch.no_grad():
                model(x)
        except StudentError as error:
            models[builder] = {"error": error.info}
            continue
        except BaseException as exc:
            models[builder] = {"error": describe_exception(exc, "forward", ctx.job.module_path)}
            continue
        models[builder] = {"ops": recorder.ops}
    return {"models": models}


PHASE_FUNCTIONS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "import": phase_import, "build": phase_build, "data": phase_data, "loss": phase_loss,
    "optimizer": phase_optimizer, "train_probe": phase_train_probe, "train": phase_train,
    "evaluate": phase_evaluate, "sweep": phase_sweep, "architectures": phase_architectures,
}


def implements(name: str) -> Callable[[Callable[[Context], dict[str, Any]]], Callable[[Context], dict[str, Any]]]:
    """Register the implementation of a phase a lab adds to the table (`probe/<lab>.py`)."""

    def register(function: Callable[[Context], dict[str, Any]]) -> Callable[[Context], dict[str, Any]]:
        PHASE_FUNCTIONS[name] = function
        return function

    return register
