"""The observation phases, run in order inside one sandboxed child.

Each phase writes `obs/<phase>.json` as soon as it ends, and `progress` names the phase before it
starts, so that if the student's code hangs or kills the process in `train()`, everything observed
before still counts and the trusted side knows exactly where it stopped.
"""

from __future__ import annotations

import copy
import io
import json
import math
import os
import random
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import numpy as np
import torch
from safetensors.torch import save as safetensors_bytes

from ..sandbox.protocol import Job, ProbePlan
from . import datasets, standins
from .student import StudentError, call, describe_exception, import_module, wrong_type
from .tracing import OpRecorder, RootModules, TrainingCalls


@dataclass
class Mnist:
    """What the zygote loaded once: train set (images and labels) and test images, no test labels."""

    train: datasets.TensorMNIST
    test_images: torch.Tensor


@dataclass
class Context:
    job: Job
    data: Mnist
    out: Path
    device: str
    module: ModuleType | None = None
    trained: torch.nn.Module | None = None  # the model after the grading run, for evaluate()

    @property
    def plan(self) -> ProbePlan:
        return self.job.plan

    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        assert self.module is not None
        return call(self.module, self.job.module_path, function, *args, **kwargs)

    def seed(self) -> None:
        seed = self.plan.seed
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)

    def holdout(self) -> datasets.TensorMNIST:
        return self.data.train.subset(60000 - self.plan.holdout, 60000)

    def holdout_loader(self):
        return datasets.loader(self.holdout(), self.plan.batch_size, shuffle=False, seed=self.plan.seed)

    def train_loader(self, samples: int):
        return datasets.loader(self.data.train.subset(0, samples), self.plan.batch_size, shuffle=True,
                               seed=self.plan.seed)

    def fresh_model(self) -> torch.nn.Module:
        self.seed()
        model = self.call("build_model")
        if not isinstance(model, torch.nn.Module):
            raise wrong_type("build_model", "a torch.nn.Module", model)
        return model.to(self.device)


def _number(value: Any) -> float | None:
    """A student's scalar (float, int, 0-d tensor, numpy scalar) as a float, else None."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.detach().item()
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if math.isfinite(value) else None
    return None


def _flatten(images: torch.Tensor) -> torch.Tensor:
    return images.reshape(len(images), -1)


def predict(model: torch.nn.Module, images: torch.Tensor, device: str, batch: int = 1000) -> np.ndarray:
    """The grader's own measurement: eval mode, no gradients, argmax of the outputs."""
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(images), batch):
            logits = model(_flatten(images[start:start + batch]).to(device))
            out.append(torch.argmax(logits, 1).cpu())
    return torch.cat(out).numpy().astype(np.int64)


def holdout_accuracy(ctx: Context, model: torch.nn.Module) -> float:
    held = ctx.holdout()
    return float((predict(model, held.images, ctx.device) == held.targets.numpy()).mean())


def _buffers(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: value.detach().clone() for name, value in model.named_buffers()}


# --- phases -------------------------------------------------------------------------------------


def phase_import(ctx: Context) -> dict[str, Any]:
    standins.install()
    ctx.module = import_module(ctx.plan.module_name, ctx.job.module_path)
    if hasattr(ctx.module, "device"):
        ctx.module.device = ctx.device  # the course's `device = 'cuda' if ...` follows the grader's choice
    return {"device": ctx.device}


def phase_build(ctx: Context) -> dict[str, Any]:
    model = ctx.fresh_model()
    modules = []
    weights = {}
    for name, module in model.named_modules():
        entry: dict[str, Any] = {"name": name, "type": type(module).__name__}
        if isinstance(module, torch.nn.Linear):
            entry.update({"in": module.in_features, "out": module.out_features})
            weights[name or "linear"] = module.weight.detach().float().cpu().contiguous()
        elif isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            entry["features"] = module.num_features
        elif isinstance(module, torch.nn.modules.dropout._DropoutNd):
            entry["p"] = float(module.p)
        modules.append(entry)
    if weights:
        write_artifact(ctx.out / "init.safetensors", safetensors_bytes(weights))
    model.train()
    batch = _flatten(ctx.holdout().images[: ctx.plan.batch_size]).to(ctx.device)
    built = {"modules": modules, "weights": list(weights)}
    with OpRecorder() as recorder:
        try:
            output = model(batch)
        except BaseException as exc:
            # The layers and the initial weights are still observed (`shapes`, `init`); the checks
            # that need the forward pass report this error.
            return {**built, "forward_error": describe_exception(exc, "forward", ctx.job.module_path)}
    shape = list(output.shape) if isinstance(output, torch.Tensor) else None
    return {**built, "ops": recorder.ops, "output_shape": shape}


def phase_data(ctx: Context) -> dict[str, Any]:
    root = ctx.job.data_root
    loaded = ctx.call("load_mnist", root=root)
    if not (isinstance(loaded, (tuple, list)) and len(loaded) == 2):
        raise wrong_type("load_mnist", "a pair (mnist_train, mnist_test)", loaded)
    mnist_train, mnist_test = loaded
    sizes = [len(mnist_train), len(mnist_test)]
    image, label = mnist_train[0]
    sample = {"type": type(image).__name__}
    if isinstance(image, torch.Tensor):
        sample.update(shape=list(image.shape), dtype=str(image.dtype).replace("torch.", ""),
                      min=float(image.min()), max=float(image.max()))
    loaders = ctx.call("make_loaders", mnist_train, mnist_test, batch_size=ctx.plan.batch_size)
    if not (isinstance(loaders, (tuple, list)) and len(loaders) == 2):
        raise wrong_type("make_loaders", "a pair (train_loader, test_loader)", loaders)
    train_loader = loaders[0]
    if not isinstance(train_loader, torch.utils.data.DataLoader):
        raise wrong_type("make_loaders", "a torch.utils.data.DataLoader", train_loader)
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
        raise wrong_type("make_criterion", "a loss function or module", criterion)
    generator = torch.Generator().manual_seed(ctx.plan.seed)
    cases, values = {}, []
    for i, n in enumerate((100, 7, 1)):
        logits = torch.randn(n, 10, generator=generator) * 3
        targets = torch.randint(0, 10, (n,), generator=generator)
        cases[f"logits{i}"], cases[f"targets{i}"] = logits.numpy(), targets.numpy()
        try:
            value = criterion(logits.to(ctx.device), targets.to(ctx.device))
        except BaseException as exc:
            raise StudentError(describe_exception(exc, "criterion", ctx.job.module_path)) from None
        values.append(_number(value))
    buffer = io.BytesIO()
    np.savez(buffer, **cases)
    write_artifact(ctx.out / "loss_cases.npz", buffer.getvalue())
    return {"values": values, "type": type(criterion).__name__}


def phase_optimizer(ctx: Context) -> dict[str, Any]:
    model = ctx.fresh_model()
    optimizer = ctx.call("make_optimizer", model, learning_rate=ctx.plan.learning_rate)
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise wrong_type("make_optimizer", "a torch.optim optimizer", optimizer)
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
    model, criterion, optimizer = _training_parts(ctx)
    model.eval()  # the grader hands train() a model left in eval mode on purpose
    samples = ctx.plan.train_probe_batches * ctx.plan.batch_size
    epochs = 2
    with RootModules() as modules, OpRecorder(keep=0) as ops, TrainingCalls(model, optimizer) as calls:
        ctx.call("train", model, ctx.train_loader(samples), criterion, optimizer, training_epochs=epochs)
    return {"counts": dict(ops.counts), "module_eval_calls": dict(modules.eval_calls), "module_calls": modules.calls,
            "batches": ctx.plan.train_probe_batches * epochs, "calls": calls.summary()}


def phase_train(ctx: Context) -> dict[str, Any]:
    model, criterion, optimizer = _training_parts(ctx)
    model.train()
    costs = ctx.call("train", model, ctx.train_loader(ctx.plan.train_samples), criterion, optimizer,
                     training_epochs=ctx.plan.epochs)
    ctx.trained = model
    buffer = io.BytesIO()
    np.save(buffer, predict(model, ctx.data.test_images, ctx.device), allow_pickle=False)
    write_artifact(ctx.out / "predictions.npy", buffer.getvalue())
    costs_list = [_number(c) for c in costs] if isinstance(costs, (list, tuple)) else None
    return {"costs": costs_list, "samples": ctx.plan.train_samples, "epochs": ctx.plan.epochs}


def _evaluate_call(ctx: Context, model: torch.nn.Module) -> dict[str, Any]:
    ctx.seed()  # the same random state as the grader's own measurement (see holdout_as_evaluate)
    try:
        with RootModules() as modules, OpRecorder(keep=0, modules=modules) as ops:
            value = ctx.call("evaluate", model, ctx.holdout_loader())
    except StudentError as error:
        return {"error": error.info}
    return {"returned": _number(value), "returned_type": type(value).__name__, "counts": dict(ops.counts),
            "module_calls": modules.calls, "module_eval_calls": dict(modules.eval_calls)}


def holdout_as_evaluate(ctx: Context, model: torch.nn.Module) -> float:
    """The accuracy `evaluate()` should return: the grader's own measurement, done the way a correct
    `evaluate()` does it, on the very batches it is handed (`holdout_loader()`, in order, one forward
    pass each, eval mode, no gradients) from the same seeded random state (`_evaluate_call` seeds too).

    Why not simply excuse `evaluate` when `eval_mode` fails? For a deterministic model this equals
    any other measurement. For a model that stays random in eval mode (`F.dropout(x, p)` without
    `training=self.training`), the dropout masks are then the same as in the student's call, so a
    correct `evaluate()` returns exactly this number and is not charged for the model's bug, which
    `eval_mode` already charges, while a wrong `evaluate()` (percentages, unscaled pixels, a wrong
    count) is still caught: the two checks stay independent. (An `evaluate()` that batches
    differently sees other masks, and may then differ by the noise of dropout.)
    """
    model.eval()
    ctx.seed()
    correct = total = 0
    with torch.no_grad():
        for images, labels in ctx.holdout_loader():
            logits = model(_flatten(images).to(ctx.device))
            # Compared in numpy: a submission that patches torch.Tensor.__eq__ cannot fool the grader here.
            correct += int((torch.argmax(logits, 1).cpu().numpy() == labels.numpy()).sum())
            total += len(labels)
    return correct / total


def phase_evaluate(ctx: Context) -> dict[str, Any]:
    trained = ctx.trained is not None
    model = ctx.trained if trained else ctx.fresh_model()
    state = copy.deepcopy(model.state_dict())
    try:
        measured = holdout_as_evaluate(ctx, model)
    except Exception as exc:  # the model's own forward pass failed, not evaluate()
        raise StudentError(describe_exception(exc, "forward", ctx.job.module_path)) from None
    before = _buffers(model)
    model.train()  # handed a model left in train mode: evaluate() must switch it itself
    handed_train = _evaluate_call(ctx, model)
    after = _buffers(model)
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
    sweep = ctx.plan.sweep
    assert sweep is not None
    ctx.seed()
    with RootModules() as roots:
        rows = ctx.call("compare_hidden_sizes", [tuple(c) for c in sweep.configs],
                        ctx.train_loader(sweep.train_samples), ctx.holdout_loader(), training_epochs=sweep.epochs)
    if not isinstance(rows, (list, tuple)):
        raise wrong_type("compare_hidden_sizes", "a list of dicts", rows)
    reported = []
    for row in rows:
        if not isinstance(row, dict):
            reported.append({"type": type(row).__name__})
            continue
        hidden = row.get("hidden")
        hidden_ints = [int(h) for h in hidden] if isinstance(hidden, (list, tuple)) and all(
            isinstance(h, int) for h in hidden) else None
        reported.append({"type": "dict", "keys": sorted(map(str, row)), "hidden": hidden_ints,
                         "train_cost": _number(row.get("train_cost")),
                         "test_accuracy": _number(row.get("test_accuracy"))})
    models = [_describe_model(ctx, m) for m in roots.roots.values()
              if any(isinstance(x, torch.nn.Linear) and x.in_features == 784 for x in m.modules())]
    return {"reported": reported, "models": models}


PHASE_FUNCTIONS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "import": phase_import, "build": phase_build, "data": phase_data, "loss": phase_loss,
    "optimizer": phase_optimizer, "train_probe": phase_train_probe, "train": phase_train,
    "evaluate": phase_evaluate, "sweep": phase_sweep,
}


def write_artifact(path: Path, data: bytes) -> None:
    """Write a fresh file: whatever student code left at `path` (a symlink, a forged file) is
    removed first, and O_EXCL | O_NOFOLLOW make sure this write cannot land anywhere else."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    write_artifact(path, json.dumps(payload, allow_nan=False, default=str).encode())


def run(job: Job, data: Mnist) -> None:
    """Run every planned phase; a phase that fails is recorded and the next one still runs."""
    out = Path(job.outdir)
    (out / "obs").mkdir(parents=True, exist_ok=True)
    device = job.plan.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    ctx = Context(job=job, data=data, out=out, device=device)
    progress = os.open(out / "progress", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    for phase in ["import", *job.plan.phases]:
        os.write(progress, f"{phase}\n".encode())
        try:
            payload = {"ok": True, **PHASE_FUNCTIONS[phase](ctx)}
        except StudentError as error:
            payload = {"ok": False, "error": error.info}
        except Exception as exc:  # student objects that break the grader's inspection of them
            payload = {"ok": False, "error": {"kind": "unusable", "function": phase, "exception": type(exc).__name__,
                                              "message": str(exc)[:600]}}
        _write_json(out / "obs" / f"{phase}.json", payload)
        if phase == "import" and not payload["ok"]:
            break
    os.write(progress, b"done\n")
    os.close(progress)
