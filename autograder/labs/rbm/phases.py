"""The RBM bonus lab's observations (09-2's history: restricted Boltzmann machine pre-training).
Judged by `checks.py`, whose phase table entries these implement.

The grader builds the student's `RBM`, sets weights of its own, and records what each method
returns; `cd_step()` is watched through the instance's `sample_h`/`sample_v` (wrapped to record
every sample they draw), so the trusted process can recompute the exact CD-k update those samples
imply. Everything travels as raw arrays.

Pre-training is measured, not reported: `rbm_learn` hands `pretrain()` the grader's own data
(`patterns.py`) and an RBM it set itself, and exports the weights that came back, which the trusted
process measures on held-out data it builds itself. `rbm_pretrain` gives `pretrain()` MNIST, then
trains a classifier on the RBM's frozen features: what pre-training transfers, which an untrained
RBM does not. Both run pretrain() with the grader's CD step, so that they judge its loop.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from safetensors.torch import save as safetensors_bytes

from ...probe.artifacts import write_artifact, write_predictions
from ...probe.context import Context, flatten, number, predict
from ...probe.datasets import TensorMNIST, loader
from ...probe.phases import implements
from ...probe.student import StudentError, describe_exception, wrong_type
from .patterns import initial_weights, patterns

PARAMETERS = ("W", "v_bias", "h_bias")


def _rbm(ctx: Context, seed_offset: int = 0) -> torch.nn.Module:
    ctx.seed(seed_offset)
    rbm = ctx.call("RBM")
    if not isinstance(rbm, torch.nn.Module) or not all(isinstance(getattr(rbm, n, None), torch.Tensor) for n in PARAMETERS):
        raise wrong_type("RBM", "rbm_module", rbm)
    return rbm


def _set(rbm: torch.nn.Module, generator: torch.Generator, scale: float) -> dict[str, torch.Tensor]:
    """Give the RBM the grader's parameters; return copies of them."""
    with torch.no_grad():
        for name in PARAMETERS:
            value = getattr(rbm, name)
            value.copy_(torch.randn(value.shape, generator=generator) * scale)
    return {name: getattr(rbm, name).detach().float().clone() for name in PARAMETERS}


def _binary(ctx: Context, start: int, count: int) -> torch.Tensor:
    return (flatten(ctx.holdout().images[start:start + count]) > 0.5).float()


def _method(ctx: Context, rbm: torch.nn.Module, name: str, *args: Any) -> torch.Tensor:
    try:
        value = getattr(rbm, name)(*args)
    except BaseException as exc:
        raise StudentError(describe_exception(exc, name, ctx.job.module_path)) from None
    if not isinstance(value, torch.Tensor):
        raise wrong_type(name, "tensor", value)
    return value.detach().float().cpu().contiguous()


@implements("rbm_methods")
def phase_rbm_methods(ctx: Context) -> dict[str, Any]:
    generator = torch.Generator().manual_seed(ctx.plan.seed)
    rbm = _rbm(ctx)
    arrays = _set(rbm, generator, 0.1)
    v = _binary(ctx, 0, 20)
    h = (torch.rand(20, arrays["W"].shape[0], generator=generator) > 0.5).float()
    draws = ctx.plan.params["rbm_methods"]["draws"]
    arrays.update(v=v, h=h, p_h=_method(ctx, rbm, "p_h_given_v", v), p_v=_method(ctx, rbm, "p_v_given_h", h),
                  free_energy=_method(ctx, rbm, "free_energy", v))
    _grader_conditionals(rbm)
    ctx.seed()
    sampled_h = _method(ctx, rbm, "sample_h", v[:1].repeat(draws, 1))
    sampled_v = _method(ctx, rbm, "sample_v", h[:1].repeat(draws, 1))
    arrays.update(mean_h=sampled_h.mean(0), mean_v=sampled_v.mean(0))
    binary = all(bool(((s == 0) | (s == 1)).all()) for s in (sampled_h, sampled_v))
    write_artifact(ctx.out / "rbm_methods.safetensors", safetensors_bytes(arrays))
    return {"draws": draws, "binary": binary, "shapes": {k: list(arrays[k].shape) for k in ("p_h", "p_v", "free_energy")}}


def _grader_conditionals(rbm: torch.nn.Module) -> None:
    """Replace the instance's conditionals by the formulas (instance attributes, which the student's
    sample_h/sample_v and cd_step call through `self`/`rbm`): a conditional's bug then costs
    `rbm_conditionals` alone, not sampling and CD too."""
    rbm.p_h_given_v = lambda v: torch.sigmoid(v @ rbm.W.t() + rbm.h_bias)
    rbm.p_v_given_h = lambda h: torch.sigmoid(h @ rbm.W + rbm.v_bias)


def _grader_methods(rbm: torch.nn.Module) -> None:
    """The conditionals and the samplers by the formulas, for the phases that measure pre-training:
    a bug in a method is charged by that method's check alone."""
    _grader_conditionals(rbm)
    rbm.sample_h = lambda v: torch.bernoulli(rbm.p_h_given_v(v))
    rbm.sample_v = lambda h: torch.bernoulli(rbm.p_v_given_h(h))


def _recording(method: Callable[[torch.Tensor], Any], log: list[torch.Tensor]) -> Callable[[torch.Tensor], Any]:
    def record(x: torch.Tensor) -> Any:
        value = method(x)
        if isinstance(value, torch.Tensor) and len(log) < 20:
            log.append(value.detach().float().cpu().clone())
        return value

    return record


@implements("rbm_cd")
def phase_rbm_cd(ctx: Context) -> dict[str, Any]:
    asked = ctx.plan.params["rbm_cd"]
    rbm = _rbm(ctx)
    before = _set(rbm, torch.Generator().manual_seed(ctx.plan.seed + 1), 0.1)
    v0 = _binary(ctx, 20, 30)
    _grader_conditionals(rbm)
    drawn_h: list[torch.Tensor] = []
    drawn_v: list[torch.Tensor] = []
    rbm.sample_h = _recording(rbm.sample_h, drawn_h)  # instance attributes: what cd_step() calls through rbm
    rbm.sample_v = _recording(rbm.sample_v, drawn_v)
    ctx.seed()
    error = number(ctx.call("cd_step", rbm, v0.clone(), k=asked["k"], learning_rate=asked["learning_rate"]))
    arrays = {f"old_{k}": v for k, v in before.items()}
    arrays.update({f"new_{k}": getattr(rbm, k).detach().float().clone() for k in PARAMETERS}, v0=v0)
    arrays.update({f"sample_h{i}": h for i, h in enumerate(drawn_h)})
    arrays.update({f"sample_v{i}": v for i, v in enumerate(drawn_v)})
    write_artifact(ctx.out / "rbm_cd.safetensors", safetensors_bytes(arrays))
    return {"error": error, "samples_h": len(drawn_h), "samples_v": len(drawn_v), **asked}


def _errors(value: Any) -> list[float | None] | None:
    return [number(e) for e in value][:2000] if isinstance(value, (list, tuple)) else None


def _grader_cd_step(rbm: torch.nn.Module, v: torch.Tensor, k: int = 1, learning_rate: float = 0.1) -> float:
    """CD-k as the lab defines it, standing in for the student's `cd_step` while pretrain() runs:
    `rbm_cd` judges cd_step() exactly, so a bug there costs that alone, and what is measured after
    pretrain() is its loop (every batch, binarised, on the rbm it is handed)."""
    with torch.no_grad():
        p_h0 = torch.sigmoid(v @ rbm.W.t() + rbm.h_bias)
        h = torch.bernoulli(p_h0)
        error = float(torch.mean((v - torch.sigmoid(h @ rbm.W + rbm.v_bias)) ** 2))
        vk = v
        for _ in range(k):
            vk = torch.bernoulli(torch.sigmoid(h @ rbm.W + rbm.v_bias))
            h = torch.bernoulli(torch.sigmoid(vk @ rbm.W.t() + rbm.h_bias))
        p_hk = torch.sigmoid(vk @ rbm.W.t() + rbm.h_bias)
        rbm.W += learning_rate * (p_h0.t() @ v - p_hk.t() @ vk) / len(v)
        rbm.v_bias += learning_rate * (v - vk).mean(0)
        rbm.h_bias += learning_rate * (p_h0 - p_hk).mean(0)
    return error


def _pretrain(ctx: Context, rbm: torch.nn.Module, batches: Any) -> tuple[Any, list[float]]:
    """The student's pretrain(rbm, batches, epochs=1), with the grader's conditionals, samplers and
    CD step (what pretrain() calls by its global name `cd_step`); with what pretrain() returned, the
    error of every CD step it ran on the RBM it was handed, in order."""
    _grader_methods(rbm)
    ran: list[float] = []

    def cd_step(machine: torch.nn.Module, v: torch.Tensor, k: int = 1, learning_rate: float = 0.1) -> float:
        error = _grader_cd_step(machine, v, k, learning_rate)
        if machine is rbm:
            ran.append(error)
        return error

    own = vars(ctx.module).get("cd_step")
    ctx.module.cd_step = cd_step
    try:
        return ctx.call("pretrain", rbm, batches, epochs=1), ran
    finally:
        ctx.module.cd_step = own


@implements("rbm_learn")
def phase_rbm_learn(ctx: Context) -> dict[str, Any]:
    """pretrain() over the grader's patterns from W ~ N(0, 0.01²) (its seed), zero biases, with the
    grader's CD step; the weights that came back are what `rbm_cd` measures."""
    asked = ctx.plan.params["rbm_learn"]
    rbm = _rbm(ctx)
    hidden, visible = rbm.W.shape
    count = asked["samples"]
    data = torch.from_numpy(patterns(asked["seed"], count)[:count]).view(-1, 1, 28, 28)
    # labels all 0: the loader looks like MNIST's, and tells nothing about which prototype a copy is of
    dataset = TensorMNIST((data * 255).to(torch.uint8), data, torch.zeros(count, dtype=torch.int64), train=True)
    with torch.no_grad():
        rbm.W.copy_(torch.from_numpy(initial_weights(asked["seed"], hidden, visible)))
        rbm.v_bias.zero_()
        rbm.h_bias.zero_()
    ctx.seed()
    errors, ran = _pretrain(ctx, rbm, loader(dataset, ctx.plan.batch_size, shuffle=True, seed=ctx.plan.seed))
    write_artifact(ctx.out / "rbm_learn.safetensors", safetensors_bytes(
        {name: getattr(rbm, name).detach().float().cpu().contiguous() for name in PARAMETERS}))
    return {"errors": _errors(errors), "ran": ran[:2000], **asked}


@implements("rbm_pretrain")
def phase_rbm_pretrain(ctx: Context) -> dict[str, Any]:
    """pretrain() on MNIST from the grader's starting weights (N(0, 0.01²)), with the grader's CD
    step; mlp_from_rbm() of the result, its first layer compared with the RBM's W, then frozen: the
    grader trains the layers after it (Adam, cross-entropy) and measures them on the test images.
    Frozen, because an MLP fine-tuned from an untrained RBM classifies as well as one from a trained
    RBM (benchmarks/calibration_rbm.md); on frozen features only what pre-training learned counts."""
    asked = ctx.plan.params["rbm_pretrain"]
    rbm = _rbm(ctx)
    _set(rbm, torch.Generator().manual_seed(ctx.plan.seed + 2), 0.01)
    ran = _pretrain(ctx, rbm, ctx.train_loader(asked["pretrain_samples"]))[1]
    weights = rbm.W.detach().float().clone()
    model = ctx.call("mlp_from_rbm", rbm)
    if not isinstance(model, torch.nn.Module):
        raise wrong_type("mlp_from_rbm", "module", model)
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    starts_equal = bool(linears) and linears[0].weight.shape == weights.shape and bool(
        torch.equal(linears[0].weight.detach().float().cpu(), weights))
    model.to(ctx.device).train()
    if linears:
        linears[0].requires_grad_(False)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=asked["learning_rate"])
    for images, labels in ctx.train_loader(asked["train_samples"]):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(flatten(images).to(ctx.device)), labels.to(ctx.device))
        loss.backward()
        optimizer.step()
    write_predictions(ctx.out, predict(model, ctx.data.test_images, ctx.device))
    return {"ran": len(ran), "starts_equal": starts_equal, "first_layer": [list(linears[0].weight.shape)] if linears else [],
            "rbm_shape": list(weights.shape), **asked}
