"""The backpropagation lab's checks (08-2 by hand): `bp_sigmoid`, `bp_init`, `bp_forward`,
`bp_backward`, `bp_by_hand`, `bp_update`, `bp_accuracy`. Its phases are `phases.py`;
their table entries are here. The trusted process recomputes everything in float64 numpy from the
inputs the sandbox drew: the expected gradients are the chain rule's, so no autograd (and no torch)
is needed here to check the student's."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...catalog import join, msg
from ...config import Assignment
from ...rubric_base import Check
from ...sandbox.protocol import register_phase
from ...checks.base import Verdict, check, failed, passed
from ...checks.capability import AUTOGRAD, written_out
from ...checks.init_stats import law_stats
from ...checks.training import measured_accuracy
from ...checks.observations import Observations
from .rubric import BpAccuracyCheck, BpBackwardCheck, BpByHandCheck, BpForwardCheck, BpInitCheck, BpUpdateCheck

register_phase("bp_functions", ("sigmoid", "sigmoid_prime"))
register_phase("bp_init", ("init_params",))
register_phase("bp_steps", ("forward", "backward", "update"), mnist=True)
register_phase("bp_train", ("init_params", "train", "forward", "backward", "update"),
               mnist=True)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def expected_step(a: dict[str, np.ndarray], batch: int, lr: float) -> dict[str, np.ndarray]:
    """The lab's forward pass, chain rule and update, in float64, for the inputs of one batch."""
    get = {k: a[f"{k}.{batch}"].astype(np.float64) for k in ("w1", "b1", "w2", "b2", "X", "Y")}
    l1 = get["X"] @ get["w1"] + get["b1"]
    a1 = sigmoid(l1)
    l2 = a1 @ get["w2"] + get["b2"]
    y_pred = sigmoid(l2)
    d_l2 = (y_pred - get["Y"]) * y_pred * (1 - y_pred)
    d_l1 = (d_l2 @ get["w2"].T) * a1 * (1 - a1)
    return {"l1": l1, "a1": a1, "l2": l2, "y_pred": y_pred, "d_w2": a1.T @ d_l2, "d_b2": d_l2, "d_w1": get["X"].T @ d_l1,
            "d_b1": d_l1}


def relative_error(got: np.ndarray, want: np.ndarray) -> float:
    if got.shape != want.shape:
        return float("inf")
    return float(np.linalg.norm(got.astype(np.float64) - want) / max(np.linalg.norm(want), 1e-12))


@check("bp_sigmoid", msg("bp_sigmoid.title"), phases=("bp_functions",))
def check_bp_sigmoid(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    seen = obs.phase("bp_functions")
    x = np.asarray(seen["x"])
    s = sigmoid(x)
    for name, want in (("sigmoid", s), ("sigmoid_prime", s * (1 - s))):
        got = seen[name]
        if got is None or np.asarray(got).shape != x.shape:
            return failed(msg("bp_sigmoid.failed.shape", name=name))
        worst = float(np.max(np.abs(np.asarray(got) - want)))
        if worst > 1e-5:
            formula = "1 / (1 + exp(-x))" if name == "sigmoid" else "sigmoid(x) * (1 - sigmoid(x))"
            return failed(msg("bp_sigmoid.failed.off", name=name, worst=worst, formula=formula))
    return passed(msg("bp_sigmoid.passed"))


@check("bp_init", msg("bp_init.title"), phases=("bp_init",),
       asks=lambda cfg: {"bp_init": list(cfg.hidden)})
def check_bp_init(obs: Observations, cfg: BpInitCheck, assignment: Assignment) -> Verdict:
    shapes = obs.phase("bp_init")["shapes"]
    arrays = obs.arrays("bp_init.safetensors")
    for hidden in cfg.hidden:
        want = {"w1": [784, hidden], "b1": [hidden], "w2": [hidden, 10], "b2": [10]}
        got = shapes.get(str(hidden), {})
        if got != want:
            return failed(msg("bp_init.failed.shapes", hidden=hidden, got=got, want=want))
    weights = [(f"{k}.{hidden}", arrays[f"{k}.{hidden}"]) for hidden in cfg.hidden for k in ("w1", "w2")]
    alpha = cfg.false_failure_rate / (3 * len(weights))
    for name, weight in weights:
        stats = law_stats(weight.reshape(weight.shape[0], -1), "unit", "normal", alpha)
        if not stats.ok:
            return failed(msg("bp_init.failed.not_normal", name=name.split(".")[0], std=stats.std,
                              mean=stats.mean_z))
    return passed(msg("bp_init.passed", hidden=join(cfg.hidden, ", ")))


def _steps(obs: Observations) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    return obs.phase("bp_steps"), obs.arrays("bp_steps.safetensors")


@check("bp_forward", msg("bp_forward.title"), phases=("bp_steps",))
def check_bp_forward(obs: Observations, cfg: BpForwardCheck, assignment: Assignment) -> Verdict:
    seen, arrays = _steps(obs)
    for batch in range(seen["batches"]):
        want = expected_step(arrays, batch, seen["learning_rate"])
        for name in ("l1", "a1", "l2", "y_pred"):
            error = relative_error(arrays[f"{name}.{batch}"], want[name])
            if error > cfg.tolerance:
                return failed(msg("bp_forward.failed", name=name, error=error))
    return passed(msg("bp_forward.passed", batches=seen["batches"]))


def _bias(got: np.ndarray, want: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bias terms compared through their batch sum (the lab keeps them per example)."""
    return (got.sum(axis=0) if got.ndim == 2 else got), want.sum(axis=0)


@check("bp_backward", msg("bp_backward.title"), phases=("bp_steps",))
def check_bp_backward(obs: Observations, cfg: BpBackwardCheck, assignment: Assignment) -> Verdict:
    seen, arrays = _steps(obs)
    worst = 0.0
    for batch in range(seen["batches"]):
        want = expected_step(arrays, batch, seen["learning_rate"])
        for name in ("d_w2", "d_b2", "d_w1", "d_b1"):
            got, expected = arrays[f"{name}.{batch}"], want[name]
            if name.startswith("d_b"):
                got, expected = _bias(got, expected)
            error = relative_error(got, expected)
            worst = max(worst, error)
            if error > cfg.tolerance:
                if got.shape == expected.shape:
                    return failed(msg("bp_backward.failed", name=name, error=error))
                return failed(msg("bp_backward.failed.shape", name=name, error=error, shape=list(got.shape),
                                  expected=list(expected.shape)))
    return passed(msg("bp_backward.passed", batches=seen["batches"], worst=worst))


@check("bp_by_hand", msg("bp_by_hand.title"), phases=("bp_steps",))
def check_bp_by_hand(obs: Observations, cfg: BpByHandCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("bp_steps")
    read = written_out(obs, ["backward"], AUTOGRAD)
    if read is not None:
        return failed(msg("bp_by_hand.failed.source", found=read))
    if seen["profiler_replaced"]:
        return failed(msg("bp_by_hand.failed.profiler"))
    if seen["autograd_calls"]:
        return failed(msg("bp_by_hand.failed.autograd", calls=join(seen["autograd"], ", ")))
    if seen["tracked"]:
        return failed(msg("bp_by_hand.failed.graph", tracked=seen["tracked"], ops=join(seen["tracked_by"], ", ")))
    if seen["other_threads_ms"] > cfg.other_threads_ms:
        return failed(msg("bp_by_hand.failed.thread", cpu_ms=seen["other_threads_ms"]))
    return passed(msg("bp_by_hand.passed"))


@check("bp_update", msg("bp_update.title"), phases=("bp_steps",))
def check_bp_update(obs: Observations, cfg: BpUpdateCheck, assignment: Assignment) -> Verdict:
    seen, arrays = _steps(obs)
    lr = seen["learning_rate"]
    for batch in range(seen["batches"]):
        for name in ("w1", "b1", "w2", "b2"):
            grad = arrays[f"given_d_{name}.{batch}"].astype(np.float64)  # the grader's, not backward()'s
            step = grad.mean(axis=0) if name.startswith("b") and grad.ndim == 2 else grad
            want = arrays[f"{name}.{batch}"].astype(np.float64) - lr * step
            error = relative_error(arrays[f"new_{name}.{batch}"], want)
            if error > cfg.tolerance:
                formula = f"mean(d_{name}, 0)" if name.startswith("b") else f"d_{name}"  # code, not words
                return failed(msg("bp_update.failed", name=name, step=formula, error=error, lr=lr))
    return passed(msg("bp_update.passed", lr=lr))


@check("bp_accuracy", msg("bp_accuracy.title"), phases=("bp_train",),
       asks=lambda cfg: {"bp_train": {"steps": cfg.steps, "train_samples": cfg.train_samples}})
def check_bp_accuracy(obs: Observations, cfg: BpAccuracyCheck, assignment: Assignment) -> Verdict:
    run = obs.phase("bp_train")
    accuracy = measured_accuracy(obs)
    what = msg("bp_accuracy.measured", steps=run["steps"], batch_size=assignment.batch_size,
               lr=assignment.learning_rate, accuracy=accuracy)
    if accuracy >= cfg.minimum:
        return passed(msg("bp_accuracy.passed", measured=what, minimum=cfg.minimum))
    return failed(msg("bp_accuracy.failed.below_minimum", measured=what, minimum=cfg.minimum))
