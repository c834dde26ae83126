"""The XOR lab's checks (08-1 perceptron, 08-2 multi-layer perceptron): `xor_data`,
`bce_loss`, `xor_fit` (perceptron_fails, mlp_learns,
wide_deep_learns) and `xor_predict`. Its phases run on four points, without MNIST
(`probe/xor.py`); their table entries are here. Its three `architecture` checks (perceptron, mlp,
wide_deep) are the core's (`model.py`)."""

from __future__ import annotations

import math

from ..config import Assignment
from ..rubric_base import Check
from ..rubric_labs import BceLossCheck, XorFitCheck
from ..sandbox.protocol import register_phase
from .base import Verdict, check, failed, passed, tensor_problem
from .observations import Observations
from .training import optimizer_hint

BUILDERS = ("build_perceptron", "build_mlp", "build_wide_deep")
register_phase("xor_data", "xor_data()", ("xor_data",))
register_phase("xor_loss", "make_criterion()", ("make_criterion",))
register_phase("xor_train", "train() on the XOR points", ("make_criterion", "make_optimizer", "train", "predict"))

X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y = [[0.0], [1.0], [1.0], [0.0]]


@check("xor_data", "xor_data(): the four XOR points", phases=("xor_data",))
def check_xor_data(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    data = obs.phase("xor_data")
    advice = "use torch.FloatTensor (BCELoss and Linear need floats)"
    problems = [p for p in (tensor_problem("X", data["X"], X, "float", advice, "XOR's"),
                            tensor_problem("Y", data["Y"], Y, "float", advice, "XOR's")) if p]
    if problems:
        return failed("; ".join(problems) + ".")
    return passed("X and Y are the four XOR points and their labels, as float tensors.")


def binary_cross_entropy(p: list[float], y: list[float]) -> float:
    """The mean binary cross-entropy, computed by the trusted process itself."""
    return -sum(t * math.log(q) + (1 - t) * math.log(1 - q) for q, t in zip(p, y)) / len(p)


@check("bce_loss", "Binary cross-entropy loss (BCELoss)", phases=("xor_loss",))
def check_bce_loss(obs: Observations, cfg: BceLossCheck, assignment: Assignment) -> Verdict:
    for case in obs.phase("xor_loss")["cases"]:
        expected = binary_cross_entropy(case["p"], case["y"])
        if case["value"] is None or not math.isclose(case["value"], expected, rel_tol=cfg.rtol, abs_tol=1e-6):
            return failed(f"On {len(case['p'])} probabilities your criterion gave {case['value']}, but the binary "
                          f"cross-entropy is {expected:.5f}. Use torch.nn.BCELoss(): the model ends in a sigmoid, "
                          "so its outputs are probabilities.")
    return passed("Your criterion computes the mean binary cross-entropy.")


def _number(value: float | None) -> str:
    return "?" if value is None else f"{value:.4f}"


def _fit_title(cfg: XorFitCheck) -> str:
    return f"{cfg.builder}() trained by your train(): {'learns XOR' if cfg.fits else 'cannot learn XOR'}"


@check("xor_fit", _fit_title, phases=("xor_train", "optimizer"),
       asks=lambda cfg: {"train": {cfg.builder: [cfg.steps, cfg.seeds, cfg.fits]}})
def check_xor_fit(obs: Observations, cfg: XorFitCheck, assignment: Assignment) -> Verdict:
    runs = obs.phase("xor_train")["runs"].get(cfg.builder, [])
    for run in runs:
        if "error" in run:
            obs.raise_student_error(run["error"])
    tried = f"{len(runs)} seed(s), {cfg.steps} steps each"
    optimizer = optimizer_hint(obs, assignment, "learns XOR")
    fitted = [run for run in runs if run["fits"]]
    last = runs[-1] if runs else {}
    costs = f"cost {_number(last.get('first_cost'))} → {_number(last.get('last_cost'))}"
    if cfg.fits and fitted:
        return passed(f"{cfg.builder}() learned XOR ({tried}; predictions {fitted[0]['predicted']}).")
    if cfg.fits:
        advice = optimizer or ("In train(): optimizer.zero_grad(), cost.backward() and optimizer.step() at every "
                               "step, on the whole X and Y.")
        return failed(f"{cfg.builder}() did not learn XOR in {tried} ({costs}; predictions {last.get('predicted')}, "
                      f"XOR is [0, 1, 1, 0]). {advice}")
    if fitted:
        return failed(f"{cfg.builder}() fitted XOR ({fitted[0]['predicted']}), which one Linear layer and a sigmoid "
                      "cannot: the perceptron must be a single layer, Linear(2, 1) → Sigmoid. That it fails is the "
                      "lesson of lab 08-1.")
    return passed(f"As the lab shows, a single-layer perceptron cannot learn XOR ({tried}; {costs}, "
                  f"predictions {last.get('predicted')}).")


@check("xor_predict", "predict(): 0./1. predictions without gradients", phases=("xor_train",))
def check_xor_predict(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    runs = [run for runs in obs.phase("xor_train")["runs"].values() for run in runs if "predict" in run]
    # Compared on models that learned XOR, whose outputs are far from 0.5: the trained perceptron
    # outputs exactly 0.5, where `> 0.5` (the course's) and `>= 0.5` differ without either being wrong.
    runs = [run for run in runs if run["fits"]] or runs
    if not runs:
        return failed("The grader trained no model whose predict() it could compare.")
    for run in runs:
        seen = run["predict"]
        if "error" in seen:
            obs.raise_student_error(seen["error"])
        values = [row[0] if isinstance(row, list) else row for row in seen.get("values") or []]
        if seen.get("type") != "Tensor" or values != run["predicted"]:
            return failed(f"predict() returned {values or seen.get('type')}, but the model's outputs thresholded at "
                          f"0.5 are {run['predicted']}: return (hypothesis > 0.5).float().")
        if seen["grad"]:
            return failed(f"predict() tracked gradients in {seen['grad']} of {seen['linear']} Linear calls: "
                          "predict inside `with torch.no_grad():`.")
    return passed("predict() returned the model's outputs thresholded at 0.5, as floats, without gradients.")
