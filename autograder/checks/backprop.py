"""The backpropagation lab's checks (08-2 by hand): `bp_sigmoid`, `bp_init`, `bp_forward`,
`bp_backward`, `bp_by_hand`, `bp_update`, `bp_accuracy`. Its phases are `probe/backprop.py`;
their table entries are here. The trusted process recomputes everything in float64 numpy from the
inputs the sandbox drew: the expected gradients are the chain rule's, so no autograd (and no torch)
is needed here to check the student's."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..config import Assignment
from ..rubric_base import Check
from ..rubric_labs import BpAccuracyCheck, BpBackwardCheck, BpForwardCheck, BpInitCheck, BpUpdateCheck
from ..sandbox.protocol import register_phase
from .base import Verdict, check, failed, passed
from .init_stats import law_stats
from .training import measured_accuracy
from .observations import Observations

register_phase("bp_functions", "sigmoid() and sigmoid_prime()", ("sigmoid", "sigmoid_prime"))
register_phase("bp_init", "init_params()", ("init_params",))
register_phase("bp_steps", "forward(), backward() and update()", ("forward", "backward", "update"), mnist=True)
register_phase("bp_train", "train() (the grading run)", ("init_params", "train", "forward", "backward", "update"),
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


@check("bp_sigmoid", "sigmoid() and sigmoid_prime()", phases=("bp_functions",))
def check_bp_sigmoid(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    seen = obs.phase("bp_functions")
    x = np.asarray(seen["x"])
    s = sigmoid(x)
    for name, want in (("sigmoid", s), ("sigmoid_prime", s * (1 - s))):
        got = seen[name]
        if got is None or np.asarray(got).shape != x.shape:
            return failed(f"{name}() must return a tensor of its input's shape.")
        worst = float(np.max(np.abs(np.asarray(got) - want)))
        if worst > 1e-5:
            formula = "1 / (1 + exp(-x))" if name == "sigmoid" else "sigmoid(x) * (1 - sigmoid(x))"
            return failed(f"{name}() is off by up to {worst:.3g} on x in [-20, 20]: it should be {formula}.")
    return passed("sigmoid() and sigmoid_prime() match 1/(1+e^-x) and its derivative on [-20, 20].")


@check("bp_init", "init_params(): shapes from `hidden`, N(0, 1) values", phases=("bp_init",),
       asks=lambda cfg: {"bp_init": list(cfg.hidden)})
def check_bp_init(obs: Observations, cfg: BpInitCheck, assignment: Assignment) -> Verdict:
    shapes = obs.phase("bp_init")["shapes"]
    arrays = obs.arrays("bp_init.safetensors")
    for hidden in cfg.hidden:
        want = {"w1": [784, hidden], "b1": [hidden], "w2": [hidden, 10], "b2": [10]}
        got = shapes.get(str(hidden), {})
        if got != want:
            return failed(f"init_params(hidden={hidden}) gave shapes {got}; the lab's are {want}.")
    weights = [(f"{k}.{hidden}", arrays[f"{k}.{hidden}"]) for hidden in cfg.hidden for k in ("w1", "w2")]
    alpha = cfg.false_failure_rate / (3 * len(weights))
    for name, weight in weights:
        stats = law_stats(weight.reshape(weight.shape[0], -1), "unit", "normal", alpha)
        if not stats.ok:
            return failed(f"{name.split('.')[0]} of init_params() has std {stats.std:.4f} and mean "
                          f"{stats.mean_z:+.4f}: not N(0, 1). Draw it with torch.randn (or torch.nn.init.normal_).")
    return passed(f"init_params() follows `hidden` ({', '.join(map(str, cfg.hidden))}) and draws N(0, 1) weights.")


def _steps(obs: Observations) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    return obs.phase("bp_steps"), obs.arrays("bp_steps.safetensors")


@check("bp_forward", "forward(): l1, a1, l2, y_pred", phases=("bp_steps",))
def check_bp_forward(obs: Observations, cfg: BpForwardCheck, assignment: Assignment) -> Verdict:
    seen, arrays = _steps(obs)
    for batch in range(seen["batches"]):
        want = expected_step(arrays, batch, seen["learning_rate"])
        for name in ("l1", "a1", "l2", "y_pred"):
            error = relative_error(arrays[f"{name}.{batch}"], want[name])
            if error > cfg.tolerance:
                return failed(f"forward(): {name} differs from the lab's (relative error {error:.2g}): l1 = X·w1 + b1, "
                              "a1 = sigmoid(l1), l2 = a1·w2 + b2, y_pred = sigmoid(l2).")
    return passed(f"forward() matches the lab's l1, a1, l2 and y_pred on {seen['batches']} batches.")


def _bias(got: np.ndarray, want: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bias terms compared through their batch sum (the lab keeps them per example)."""
    return (got.sum(axis=0) if got.ndim == 2 else got), want.sum(axis=0)


@check("bp_backward", "backward(): the chain rule's gradients (w1, b1, w2, b2)", phases=("bp_steps",))
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
                shape = "" if got.shape == expected.shape else f" (shape {list(got.shape)}, expected {list(expected.shape)})"
                return failed(f"backward(): {name} differs from the chain rule's (relative error {error:.2g}){shape}. "
                              "From diff = y_pred - Y: d_l2 = diff * sigmoid_prime(l2), d_w2 = a1ᵀ·d_l2, "
                              "d_a1 = d_l2·w2ᵀ, d_l1 = d_a1 * sigmoid_prime(l1), d_w1 = Xᵀ·d_l1, d_b = d_l.")
    return passed(f"backward() matches the chain rule on {seen['batches']} batches (largest relative error "
                  f"{worst:.1e}; bias terms through their batch sum).")


@check("bp_by_hand", "backward() by hand: no autograd", phases=("bp_steps",))
def check_bp_by_hand(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    seen = obs.phase("bp_steps")
    if seen["profiler_replaced"]:
        return failed("backward() replaced the grader's profiler (sys.setprofile): remove that.")
    if seen["autograd_calls"]:
        return failed(f"backward() asked autograd for the gradients ({', '.join(seen['autograd'])}): this lab is the "
                      "chain rule by hand, with tensor operations only.")
    return passed("backward() computed the gradients without autograd.")


@check("bp_update", "update(): w -= lr·d_w, b -= lr·mean(d_b)", phases=("bp_steps",))
def check_bp_update(obs: Observations, cfg: BpUpdateCheck, assignment: Assignment) -> Verdict:
    seen, arrays = _steps(obs)
    lr = seen["learning_rate"]
    for batch in range(seen["batches"]):
        for name in ("w1", "b1", "w2", "b2"):
            grad = arrays[f"d_{name}.{batch}"].astype(np.float64)
            step = grad.mean(axis=0) if name.startswith("b") and grad.ndim == 2 else grad
            want = arrays[f"{name}.{batch}"].astype(np.float64) - lr * step
            error = relative_error(arrays[f"new_{name}.{batch}"], want)
            if error > cfg.tolerance:
                return failed(f"update(): the new {name} is not {name} - learning_rate * "
                              f"{'mean(d_' + name + ', 0)' if name.startswith('b') else 'd_' + name} (relative error "
                              f"{error:.2g}, learning_rate {lr:g}).")
    return passed(f"update() steps each parameter by the learning rate ({lr:g}), biases by their batch mean.")


@check("bp_accuracy", "Test accuracy after training with your train()", phases=("bp_train",),
       asks=lambda cfg: {"bp_train": {"steps": cfg.steps, "train_samples": cfg.train_samples}})
def check_bp_accuracy(obs: Observations, cfg: BpAccuracyCheck, assignment: Assignment) -> Verdict:
    run = obs.phase("bp_train")
    accuracy = measured_accuracy(obs)
    what = (f"After {run['steps']} steps of your train() (batches of {assignment.batch_size}, lr "
            f"{assignment.learning_rate:g}), the grader's forward pass of your parameters classified {accuracy:.2%} "
            "of the 10000 hidden test images")
    if accuracy >= cfg.minimum:
        return passed(f"{what} (minimum {cfg.minimum:.0%}).")
    return failed(f"{what}; at least {cfg.minimum:.0%} is needed. In train(), each step: X.view(-1, 28 * 28), Y "
                  "one-hot, then forward, backward and params = update(params, grads, learning_rate).")
