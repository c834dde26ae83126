"""The XOR lab's checks (08-1 perceptron, 08-2 multi-layer perceptron): `xor_data`,
`bce_loss`, `xor_fit` (perceptron_fails, mlp_learns, wide_deep_learns: judged from the weights
before and after each training run, recomputed here in numpy, `measure.py`) and `xor_predict`.
Its phases run on four points, without MNIST (`phases.py`); their table entries are here. Its
three `architecture` checks (perceptron, mlp, wide_deep) are the core's (`checks/model.py`)."""

from __future__ import annotations

import math
from typing import Any

from ...catalog import Joined, Msg, Text, join, msg
from ...config import Assignment
from ...rubric_base import Check
from ...sandbox.protocol import register_phase
from ...checks.base import REGISTRY, Verdict, check, failed, passed, tensor_problem
from ...checks.model import _layers as layers_text
from ...checks.observations import Observations, Unavailable
from ...checks.training import optimizer_hint
from ...rubric import ArchitectureCheck
from . import measure
from .rubric import BceLossCheck, XorFitCheck

BUILDERS = ("build_perceptron", "build_mlp", "build_wide_deep")
register_phase("xor_data", ("xor_data",))
register_phase("xor_loss", ("make_criterion",))
register_phase("xor_predict", ("predict",))
register_phase("xor_train", ("make_criterion", "make_optimizer", "train"))

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


# The student function each kind of check judges, when an xor_fit check names it as a cause.
JUDGED_FUNCTION = {"bce_loss": "make_criterion", "loss": "make_criterion", "optimizer": "make_optimizer"}


def failing_parts(obs: Observations, cfg: XorFitCheck, assignment: Assignment) -> list[tuple[str, str]]:
    """The (check id, function) of the checks that judge what `train()` is handed here (the
    builder's `architecture` check, the loss, the optimizer) and do not pass: each is judged by its
    own pure function on the same observations, as `verdicts.judge` does."""
    found = []
    for check_id, other in assignment.checks.enabled().items():
        if other.kind == "architecture" and getattr(other, "builder", None) == cfg.builder:
            function = cfg.builder
        elif other.kind in JUDGED_FUNCTION:
            function = JUDGED_FUNCTION[other.kind]
        else:
            continue
        try:
            passes = REGISTRY[other.kind].judge(obs, other, assignment).passed
        except Unavailable:
            passes = False
        if not passes:
            found.append((check_id, function))
    return found


def _causes(parts: list[tuple[str, str]]) -> Joined:
    return join((msg("xor_fit.cause", function=function, check=check_id) for check_id, function in parts), "; ")


def _architecture(cfg: XorFitCheck, assignment: Assignment) -> ArchitectureCheck | None:
    """The `architecture` check that describes the builder's layers, if any."""
    return next((other for other in assignment.checks.of_kind("architecture").values()
                 if other.builder == cfg.builder), None)


def _lab_model(cfg: XorFitCheck, assignment: Assignment) -> Text:
    """The lab's model for the builder, as its `architecture` check describes it."""
    architecture = _architecture(cfg, assignment)
    return layers_text(architecture.layers, architecture.activation) if architecture else cfg.builder


def measured_runs(obs: Observations, cfg: XorFitCheck,
                  assignment: Assignment) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The builder's runs and the lab model's run (None if there was none), each as the trusted
    side measures it from the weights (`measure.judge_run`), or its error: nothing the sandbox
    concluded about fitting is used. The grader names each run's weights itself (`phases.py`)."""
    observed = obs.phase("xor_train")
    arrays = obs.arrays("xor_train.safetensors")
    architecture = _architecture(cfg, assignment)
    activation = architecture.activation if architecture else "sigmoid"

    def judged(run: dict[str, Any], prefix: str, cross_check: bool) -> dict[str, Any]:
        if "error" in run:
            return run
        reported = run.get("reported_last")
        reported = float(reported) if isinstance(reported, (int, float)) and math.isfinite(reported) else None
        return {**{k: run[k] for k in ("calls", "steps") if k in run}, "reported_last": reported,
                **measure.judge_run(arrays, prefix, activation, reported, cross_check)}

    runs = [judged(run, f"{cfg.builder}.{seed}", True)
            for run, seed in zip(observed["runs"].get(cfg.builder, []), cfg.seeds)]
    lab = (observed.get("lab_parts") or {}).get(cfg.builder)
    return runs, None if lab is None else judged(lab, f"{cfg.builder}.lab", False)


def short_error(info: dict[str, Any]) -> Text:
    """An error a phase recorded, in a few words ("`train()` raised ValueError")."""
    function, exception = info.get("function", "?"), info.get("exception")
    return (msg("observations.short.raised", function=function, exception=exception) if exception
            else msg("observations.short.no_result", function=function))


def _student_outcome(runs: list[dict[str, Any]], tried: Text, costs: Text) -> Text:
    """What the student's own run ended with, in a few words: an error, or its predictions."""
    error = next((run["error"] for run in runs if "error" in run), None)
    if error is not None:
        return msg("xor_fit.outcome.raised", error=short_error(error))
    last = runs[-1] if runs else {}
    if last.get("predicted") is not None and not last.get("agrees"):
        return msg("xor_fit.outcome.not_its_layers", tried=tried, costs=costs, predicted=last["predicted"])
    return msg("xor_fit.outcome.predicted", tried=tried, costs=costs, predicted=last.get("predicted"))


def _loop_facts(lab: dict[str, Any]) -> Text:
    """What the student's train() did with the lab's model, counted: the advice that follows facts."""
    calls, steps = lab.get("calls") or {}, lab.get("steps")
    counted = {"optimizer.zero_grad()": calls.get("zero_grad"), "cost.backward()": calls.get("backward"),
               "optimizer.step()": calls.get("step")}
    if not isinstance(steps, int) or not all(isinstance(count, int) for count in counted.values()):
        return msg("xor_fit.training_advice")
    sentences: list[Text] = [msg("xor_fit.loop.counts", steps=steps, zero_grad=counted["optimizer.zero_grad()"],
                                 backward=counted["cost.backward()"], step=counted["optimizer.step()"])]
    short = [name for name, count in counted.items() if count < steps]
    if short:
        sentences.append(msg("xor_fit.loop.short", calls=join(short, ", ")))
    if calls.get("step_without_grad"):
        sentences.append(msg("xor_fit.loop.no_gradients", count=calls["step_without_grad"]))
    if not short and not calls.get("step_without_grad"):
        sentences.append(msg("xor_fit.loop.ran"))
    return join(sentences, " ")


@check("xor_fit", _fit_title, phases=("xor_train", "optimizer"),
       asks=lambda cfg: {"train": {cfg.builder: [cfg.steps, cfg.seeds, cfg.fits]}})
def check_xor_fit(obs: Observations, cfg: XorFitCheck, assignment: Assignment) -> Verdict:
    """What the check judges is the student's train(), by what the weights it leaves compute
    (`measured_runs`): a model whose forward pass is not its layers' never fits, and the run that
    would pass must return costs that agree with its weights. When the student's own model, loss and
    optimizer do not end as the lab says, the phase has trained the lab's own model with the grader's
    BCELoss and SGD by the same train() (`lab_parts`): if that also falls short, train() is the
    cause, and the message counts its calls; if it does not, the cause is in what train() was
    handed, and when another check already charges that function (the builder's architecture, the
    loss, the optimizer), this one does not charge it again: it passes and names that function."""
    runs, lab = measured_runs(obs, cfg, assignment)
    tried = msg("xor_fit.tried", seeds=len(runs), steps=cfg.steps)
    fitted = [run for run in runs if run.get("fits")]
    last = runs[-1] if runs else {}
    costs = msg("xor_fit.costs", first=_number(last.get("first_cost")), last=_number(last.get("last_cost")))
    errors = [run["error"] for run in runs if "error" in run]
    if errors and (lab is None or errors[0].get("function") != "train"):
        obs.raise_student_error(errors[0])  # the builder, the loss or the optimizer stopped it: that error, once
    parts = failing_parts(obs, cfg, assignment)
    # The run that would pass must return costs that agree with its weights, when its criterion is
    # BCELoss (the loss check passes): another criterion's costs are not BCE's.
    bce = not any(function == "make_criterion" for _, function in parts)
    judged = (fitted[:1] if cfg.fits else runs if not (fitted or errors) else []) if bce else []
    contradicted = next((run for run in judged if not run["consistent"]), None)
    if contradicted:
        return failed(msg("xor_fit.failed.costs_contradict", builder=cfg.builder, tried=tried,
                          reported=_number(contradicted["reported_last"]), measured=_number(contradicted["last_cost"])))
    if cfg.fits and fitted:
        return passed(msg("xor_fit.passed", builder=cfg.builder, tried=tried, predicted=fitted[0]["predicted"]))
    if not cfg.fits and not fitted and not errors:
        return passed(msg("xor_fit.passed.perceptron_fails", tried=tried, costs=costs, predicted=last.get("predicted")))
    if lab is not None and "error" in lab:
        obs.raise_student_error(lab["error"])  # train() raises on the lab's own model too: train() is the cause
    model = _lab_model(cfg, assignment)
    if not cfg.fits and fitted:
        lesson = msg("xor_fit.failed.perceptron_fits", builder=cfg.builder, predicted=fitted[0]["predicted"])
        if parts:
            return passed(msg("xor_fit.passed.not_charged.perceptron_fits", lesson=lesson, causes=_causes(parts)))
        return failed(lesson)
    if lab is None:  # no lab model to compare with (no architecture check names the builder)
        if errors:
            obs.raise_student_error(errors[0])
        optimizer = optimizer_hint(obs, assignment, msg("xor_fit.goal"))
        return failed(msg("xor_fit.failed.not_learned", builder=cfg.builder, tried=tried, costs=costs,
                          predicted=last.get("predicted"), advice=optimizer or msg("xor_fit.training_advice")))
    if not cfg.fits:  # the student's run raised in train(), the lab's perceptron trained without error
        if parts:
            return passed(msg("xor_fit.passed.not_charged.cannot_learn", builder=cfg.builder,
                              outcome=_student_outcome(runs, tried, costs), model=model,
                              learning_rate=assignment.learning_rate, causes=_causes(parts)))
        obs.raise_student_error(errors[0])
    lab_costs = msg("xor_fit.costs", first=_number(lab.get("first_cost")), last=_number(lab.get("last_cost")))
    if not lab.get("fits"):  # the lab's own model, loss and optimizer fall short too: train() is the cause
        return failed(msg("xor_fit.failed.train", builder=cfg.builder, outcome=_student_outcome(runs, tried, costs),
                          model=model, learning_rate=assignment.learning_rate, costs=lab_costs,
                          predicted=lab.get("predicted"), facts=_loop_facts(lab)))
    outcome = _student_outcome(runs, tried, costs)
    if parts:
        optimizer = optimizer_hint(obs, assignment, msg("xor_fit.goal"))
        return passed(msg("xor_fit.passed.not_charged", builder=cfg.builder, outcome=outcome, model=model,
                          learning_rate=assignment.learning_rate, causes=_causes(parts),
                          optimizer=join([" ", optimizer], "") if optimizer else ""))
    if errors:
        obs.raise_student_error(errors[0])
    return failed(msg("xor_fit.failed.own_parts", builder=cfg.builder, outcome=outcome, model=model,
                      learning_rate=assignment.learning_rate))


def _values(seen: dict[str, Any]) -> list[Any]:
    return [row[0] if isinstance(row, list) and len(row) == 1 else row for row in seen.get("values") or []]


@check("xor_predict", msg("xor_predict.title"), phases=("xor_predict",))
def check_xor_predict(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    """predict() on a model with weights the grader chose (`phases.py`), never on one the
    student's train() trained: a bug elsewhere costs `predict` nothing. The course asks for float
    0./1. predictions; bools (True/False) are not floats."""
    seen = obs.phase("xor_predict")
    expected = seen["expected"]
    values = _values(seen)
    if seen.get("type") != "Tensor" or values != expected:
        return failed(msg("xor_predict.failed.not_thresholded", returned=values or seen.get("type"),
                          predicted=expected))
    if not str(seen.get("dtype", "")).startswith("float"):
        return failed(msg("xor_predict.failed.dtype", dtype=seen.get("dtype")))
    if seen["grad"]:
        return failed(msg("xor_predict.failed.gradients", grad=seen["grad"], linear=seen["linear"]))
    return passed(msg("xor_predict.passed"))
