"""The XOR lab's observations (08-1 perceptron, 08-2 multi-layer perceptron), on four points
built here, without MNIST. Judged by `checks.py`, whose phase table entries these implement.

The grader's own data (the four XOR points) is used for every call, whatever `xor_data()`
returns, so that a wrong dataset costs `data` alone. The architectures are observed by the core
phase `architectures` (`probe/phases.py`). `xor_train` trains each builder a check asks for with
the student's `train()` from the grader's seeds, on data the grader chose (`measure.py`: its own
row order, XNOR labels, the last layer negated), and writes the weights of the layers that ran,
before and after, with the model's own outputs, to `xor_train.safetensors`: the trusted side
recomputes the network from those weights and judges that, never the costs train() returns or
what the model's forward pass says alone. When that does not end as the lab says (the network
did not learn, the perceptron did, or `train()` raised), it trains the lab's own model (the layers
the `architecture` check of that builder names, built here), with the grader's BCELoss and SGD,
by the student's `train()` once more, at the first seed: that run tells whether `train()` or the
student's model, loss or optimizer is the cause (one extra run, only for a submission whose run
fell short). `xor_predict` calls the
student's `predict()` on a model with weights the grader chose, so that `predict` never depends
on `train()`.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from safetensors.torch import save as safetensors_bytes

from ...probe.artifacts import write_artifact
from ...probe.context import Context, number, plain
from ...probe.phases import implements
from ...probe.student import StudentError, describe_exception, wrong_type
from ...probe.tracing import OpRecorder, TrainingCalls
from . import measure


def _points(ctx: Context) -> torch.Tensor:
    """The four XOR points in the course's order, where the grader reads a model's outputs."""
    return torch.tensor(measure.POINTS, dtype=torch.float32, device=ctx.device)


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


# The grader's model for `predict`: one Linear(2, 1) and a sigmoid with weights chosen so that its
# outputs on the four points, about [0.38, 0.08, 0.92, 0.62], are neither XOR nor all alike, and
# far from 0.5 (where `>` and `>=` would differ).
PREDICT_WEIGHT = [[3.0, -2.0]]
PREDICT_BIAS = [-0.5]


@implements("xor_predict")
def phase_xor_predict(ctx: Context) -> dict[str, Any]:
    x = _points(ctx)
    model = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Sigmoid()).to(ctx.device)
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(PREDICT_WEIGHT))
        model[0].bias.copy_(torch.tensor(PREDICT_BIAS))
        expected = (model(x) > 0.5).float().flatten().tolist()
    with OpRecorder(keep=0) as ops:
        returned = ctx.call("predict", model, x)
    return {**plain(returned), "expected": expected, "grad": ops.counts.get("linear:grad", 0),
            "linear": ops.counts.get("linear", 0)}


def _handed(ctx: Context, attempt: int) -> tuple[torch.Tensor, torch.Tensor]:
    """What train() is handed (`measure.py`): the four points in a row order drawn from the grader's
    seed (never the course's), with the XNOR labels."""
    order = torch.randperm(4, generator=torch.Generator().manual_seed(ctx.plan.seed * 100 + attempt))
    if order.tolist() == [0, 1, 2, 3]:
        order = order.flip(0)
    x = torch.tensor(measure.POINTS, dtype=torch.float32)[order]
    return x.to(ctx.device), torch.tensor(measure.HANDED, dtype=torch.float32)[order].reshape(4, 1).to(ctx.device)


def _linears_run(model: torch.nn.Module, x: torch.Tensor) -> list[torch.nn.Linear]:
    """The model's Linear layers in the order its forward pass runs them (a failing forward pass:
    none, and train() reports the error)."""
    ran: list[torch.nn.Linear] = []
    handles = [m.register_forward_pre_hook(lambda module, _: ran.append(module)) for m in model.modules()
               if isinstance(m, torch.nn.Linear)]
    try:
        with torch.no_grad():
            model(x)
    except BaseException:
        ran = []
    finally:
        for handle in handles:
            handle.remove()
    return ran[:measure.MAX_LAYERS]


def _snapshot(linears: list[torch.nn.Linear], prefix: str, stage: str) -> dict[str, torch.Tensor]:
    """The weights of the layers the grader holds (whatever train() rebinds), for the trusted side."""
    arrays = {}
    for index, linear in enumerate(linears):
        for part in ("weight", "bias"):
            value = getattr(linear, part, None)
            if isinstance(value, torch.Tensor):
                arrays[measure.key(prefix, stage, index, part)] = value.detach().double().cpu().contiguous().clone()
    return arrays if sum(a.numel() for a in arrays.values()) <= measure.MAX_WEIGHTS else {}


def _mirror(linears: list[torch.nn.Linear]) -> None:
    """Negate the last Linear layer: trained on XNOR, the network then mirrors the course's on XOR."""
    if linears:
        with torch.no_grad():
            for part in (linears[-1].weight, linears[-1].bias):
                if isinstance(part, torch.Tensor):
                    part.neg_()


class Run:
    """One training run by the student's train(), recorded for `measure.judge_run`: the weights of
    the layers that ran, before and after, and (for the student's own model) what its forward pass
    gives on the four points after training. `fits` is the sandbox's own reading of the same
    measurement, used only to decide which runs come next."""

    def __init__(self, ctx: Context, prefix: str, model: torch.nn.Module, activation: str,
                 linears: list[torch.nn.Linear] | None = None):
        self.ctx, self.prefix, self.model, self.activation = ctx, prefix, model, activation
        self.linears = linears if linears is not None else _linears_run(model, _points(ctx))
        _mirror(self.linears)
        self.arrays = _snapshot(self.linears, prefix, "before")

    def finish(self, costs: Any, cross_check: bool) -> dict[str, Any]:
        self.arrays.update(_snapshot(self.linears, self.prefix, "after"))
        if cross_check:
            try:
                with torch.no_grad():
                    out = self.model(_points(self.ctx))
                if isinstance(out, torch.Tensor) and out.numel() == 4:
                    self.arrays[f"{self.prefix}.outputs"] = out.detach().double().cpu().reshape(-1).contiguous()
            except BaseException:
                pass  # no output to compare: not the model its layers describe
        last = number(costs[-1]) if isinstance(costs, (list, tuple)) and costs else None  # a consistency check only
        numpy_arrays = {name: value.numpy() for name, value in self.arrays.items()}
        fits = measure.judge_run(numpy_arrays, self.prefix, self.activation, last, cross_check)["fits"]
        return {"fits": fits, "reported_last": last}


def _activation(ctx: Context, builder: str) -> str:
    return ctx.plan.params.get("lab_layers", {}).get(builder, [None, "sigmoid"])[1]


def _train_once(ctx: Context, builder: str, steps: int, attempt: int, arrays: dict[str, torch.Tensor]) -> dict[str, Any]:
    x, y = _handed(ctx, attempt)
    model = ctx.fresh_model(builder, seed_offset=attempt)
    run = Run(ctx, f"{builder}.{attempt}", model, _activation(ctx, builder))
    criterion = ctx.call("make_criterion")
    optimizer = ctx.call("make_optimizer", model, learning_rate=ctx.plan.learning_rate)
    labs_optimizer = _labs_optimizer(ctx, optimizer)
    costs = ctx.call("train", model, x, y, criterion, optimizer, steps=steps)
    outcome = run.finish(costs, cross_check=True)
    arrays.update(run.arrays)
    return {**outcome, "labs_optimizer": labs_optimizer}


def _labs_optimizer(ctx: Context, optimizer: Any) -> bool:
    """Whether the student's optimizer is the one the lab's own run uses (`_train_lab_parts`): SGD
    at the lab's rate. Read before train() runs it, from the object make_optimizer() returned."""
    try:
        return type(optimizer) is torch.optim.SGD and all(
            isinstance(group["lr"], (int, float)) and math.isclose(group["lr"], ctx.plan.learning_rate)
            for group in optimizer.param_groups)
    except Exception:  # noqa: BLE001 - whatever the object is, it is not the lab's optimizer
        return False


def lab_model(layers: list[list[int]], activation: str) -> torch.nn.Sequential:
    """The lab's model as its `architecture` check describes it: its Linear layers created first, in
    order (as the reference does, so that from one seed it starts from the reference's weights),
    each followed by the activation."""
    linears = [torch.nn.Linear(int(a), int(b)) for a, b in layers]
    act = {"sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU}.get(activation)
    return torch.nn.Sequential(*[m for linear in linears for m in ((linear, act()) if act else (linear,))])


def _train_lab_parts(ctx: Context, layers: list[list[int]], activation: str, steps: int, attempt: int,
                     prefix: str, arrays: dict[str, torch.Tensor]) -> dict[str, Any]:
    """The student's train() alone: handed the lab's model (the grader's layers, from the grader's
    seed), BCELoss and SGD at the lab's rate, with its zero_grad(), backward() and step() calls counted."""
    x, y = _handed(ctx, attempt)
    ctx.seed(attempt)
    model = lab_model(layers, activation).to(ctx.device)
    run = Run(ctx, prefix, model, activation, [m for m in model if isinstance(m, torch.nn.Linear)])
    optimizer = torch.optim.SGD(model.parameters(), lr=ctx.plan.learning_rate)
    backward = [0]
    first = next(iter(model.parameters()))
    handle = first.register_hook(lambda grad: backward.__setitem__(0, backward[0] + 1))
    try:
        with TrainingCalls(model, optimizer) as calls:
            costs = ctx.call("train", model, x, y, torch.nn.BCELoss(), optimizer, steps=steps)
    finally:
        handle.remove()
    outcome = run.finish(costs, cross_check=False)
    arrays.update(run.arrays)
    return {**outcome, "calls": {**calls.summary(), "backward": backward[0]}, "steps": steps}


def _expected(runs: list[dict[str, Any]], fits: bool) -> bool:
    """Whether the student's runs ended as the lab says (an error never does)."""
    if any("error" in run for run in runs):
        return False
    return any(run["fits"] for run in runs) if fits else not any(run["fits"] for run in runs)


@implements("xor_train")
def phase_xor_train(ctx: Context) -> dict[str, Any]:
    """Each builder asked for, trained by the student's train() from each of its seeds in turn
    (offsets to the grader's seed), until one fits when it should, or all of them when it should not;
    then, where that fell short and `train()` was reached, the lab's own model once (`lab_parts`).
    A builder that should fit, handed an optimizer other than the lab's, is tried from its first
    seed only: when it falls short, the optimizer is the likely cause and the `optimizer` check
    charges it; the learn check then rests on the lab's own run, which the other seeds would not
    change unless train() learned with that optimizer and not with the lab's SGD."""
    runs: dict[str, list[dict[str, Any]]] = {}
    lab_parts: dict[str, dict[str, Any]] = {}
    arrays: dict[str, torch.Tensor] = {}
    architectures = ctx.plan.params.get("lab_layers", {})
    for builder, (steps, seeds, stop_when_fit) in ctx.plan.params.get("train", {}).items():
        runs[builder] = []
        for seed in seeds:
            try:
                run = _train_once(ctx, builder, steps, seed, arrays)
            except StudentError as error:
                run = {"error": error.info}
            runs[builder].append(run)
            if "error" in run or (stop_when_fit and run["fits"]):
                break
            if stop_when_fit and not run["labs_optimizer"]:
                # Not the lab's optimizer: the lab's own run below (SGD, the first seed) decides, as the
                # other seeds could not. Saves up to 4 x 8000 steps (Adam: 40 s of CPU) per builder.
                break
        failed_before_train = any(run.get("error", {}).get("function") not in (None, "train") for run in runs[builder])
        # A perceptron that fitted is judged without it: the lab's perceptron never fits.
        fitted_wrongly = not stop_when_fit and any(run.get("fits") for run in runs[builder])
        if builder in architectures and not failed_before_train and not fitted_wrongly and \
                not _expected(runs[builder], stop_when_fit):
            layers, activation = architectures[builder]
            try:
                lab_parts[builder] = _train_lab_parts(ctx, layers, activation, steps, seeds[0],
                                                     f"{builder}.lab", arrays)
            except StudentError as error:
                lab_parts[builder] = {"error": error.info}
    write_artifact(ctx.out / "xor_train.safetensors", safetensors_bytes(arrays))
    return {"runs": runs, "lab_parts": lab_parts}
