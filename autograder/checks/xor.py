"""The XOR lab's checks (08-1 perceptron, 08-2 multi-layer perceptron): `xor_data`,
`bce_loss`, `xor_fit` (perceptron_fails, mlp_learns,
wide_deep_learns) and `xor_predict`. Its phases run on four points, without MNIST
(`probe/xor.py`); their table entries are here. Its three `architecture` checks (perceptron, mlp,
wide_deep) are the core's (`model.py`)."""

from __future__ import annotations

import math

from ..catalog import Msg, join, msg
from ..config import Assignment
from ..rubric_base import Check
from ..rubric_labs import BceLossCheck, XorFitCheck
from ..sandbox.protocol import register_phase
from .base import Verdict, check, failed, passed, tensor_problem
from .observations import Observations
from .training import optimizer_hint

BUILDERS = ("build_perceptron", "build_mlp", "build_wide_deep")
register_phase("xor_data", ("xor_data",))
register_phase("xor_loss", ("make_criterion",))
register_phase("xor_train", ("make_criterion", "make_optimizer", "train", "predict"))

X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y = [[0.0], [1.0], [1.0], [0.0]]


@check("xor_data", msg("xor_data.title"), phases=("xor_data",))
def check_xor_data(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    data = obs.phase("xor_data")
    advice, whose = msg("xor_data.float_advice"), msg("xor_data.whose")
    problems = [p for p in (tensor_problem("X", data["X"], X, "float", advice, whose),
                            tensor_problem("Y", data["Y"], Y, "float", advice, whose)) if p]
    if problems:
        return failed(msg("xor_data.failed", problems=join(problems)))
    return passed(msg("xor_data.passed"))


def binary_cross_entropy(p: list[float], y: list[float]) -> float:
    """The mean binary cross-entropy, computed by the trusted process itself."""
    return -sum(t * math.log(q) + (1 - t) * math.log(1 - q) for q, t in zip(p, y)) / len(p)


@check("bce_loss", msg("bce_loss.title"), phases=("xor_loss",))
def check_bce_loss(obs: Observations, cfg: BceLossCheck, assignment: Assignment) -> Verdict:
    for case in obs.phase("xor_loss")["cases"]:
        expected = binary_cross_entropy(case["p"], case["y"])
        if case["value"] is None or not math.isclose(case["value"], expected, rel_tol=cfg.rtol, abs_tol=1e-6):
            return failed(msg("bce_loss.failed", count=len(case["p"]), value=case["value"], expected=expected))
    return passed(msg("bce_loss.passed"))


def _number(value: float | None) -> str:
    return "?" if value is None else f"{value:.4f}"


def _fit_title(cfg: XorFitCheck) -> Msg:
    return msg("xor_fit.title.learns" if cfg.fits else "xor_fit.title.cannot_learn", builder=cfg.builder)


@check("xor_fit", _fit_title, phases=("xor_train", "optimizer"),
       asks=lambda cfg: {"train": {cfg.builder: [cfg.steps, cfg.seeds, cfg.fits]}})
def check_xor_fit(obs: Observations, cfg: XorFitCheck, assignment: Assignment) -> Verdict:
    runs = obs.phase("xor_train")["runs"].get(cfg.builder, [])
    for run in runs:
        if "error" in run:
            obs.raise_student_error(run["error"])
    tried = msg("xor_fit.tried", seeds=len(runs), steps=cfg.steps)
    optimizer = optimizer_hint(obs, assignment, msg("xor_fit.goal"))
    fitted = [run for run in runs if run["fits"]]
    last = runs[-1] if runs else {}
    costs = msg("xor_fit.costs", first=_number(last.get("first_cost")), last=_number(last.get("last_cost")))
    if cfg.fits and fitted:
        return passed(msg("xor_fit.passed", builder=cfg.builder, tried=tried, predicted=fitted[0]["predicted"]))
    if cfg.fits:
        return failed(msg("xor_fit.failed.not_learned", builder=cfg.builder, tried=tried, costs=costs,
                          predicted=last.get("predicted"), advice=optimizer or msg("xor_fit.training_advice")))
    if fitted:
        return failed(msg("xor_fit.failed.perceptron_fits", builder=cfg.builder, predicted=fitted[0]["predicted"]))
    return passed(msg("xor_fit.passed.perceptron_fails", tried=tried, costs=costs, predicted=last.get("predicted")))


@check("xor_predict", msg("xor_predict.title"), phases=("xor_train",))
def check_xor_predict(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    runs = [run for runs in obs.phase("xor_train")["runs"].values() for run in runs if "predict" in run]
    # Compared on models that learned XOR, whose outputs are far from 0.5: the trained perceptron
    # outputs exactly 0.5, where `> 0.5` (the course's) and `>= 0.5` differ without either being wrong.
    runs = [run for run in runs if run["fits"]] or runs
    if not runs:
        return failed(msg("xor_predict.failed.no_model"))
    for run in runs:
        seen = run["predict"]
        if "error" in seen:
            obs.raise_student_error(seen["error"])
        values = [row[0] if isinstance(row, list) else row for row in seen.get("values") or []]
        if seen.get("type") != "Tensor" or values != run["predicted"]:
            return failed(msg("xor_predict.failed.not_thresholded", returned=values or seen.get("type"),
                              predicted=run["predicted"]))
        if seen["grad"]:
            return failed(msg("xor_predict.failed.gradients", grad=seen["grad"], linear=seen["linear"]))
    return passed(msg("xor_predict.passed"))
