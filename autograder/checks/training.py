"""Checks on the training side: `loss`, `optimizer`, `train_mode`, `training_loop`, `accuracy`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..catalog import Joined, Msg, Text, join, msg
from ..config import Assignment
from ..rubric import AccuracyCheck, Check, LossCheck, OptimizerCheck
from .base import REGISTRY, Verdict, check, failed, passed
from .observations import Observations, Unavailable
from .rebuilt import confirm, unreplayed_note


def cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """Mean cross-entropy, computed by the trusted process itself (float64, stable log-softmax)."""
    z = logits.astype(np.float64)
    z = z - z.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(targets)), targets].mean())


@check("loss", msg("loss.title"), phases=("loss",))
def check_loss(obs: Observations, cfg: LossCheck, assignment: Assignment) -> Verdict:
    values = obs.phase("loss")["values"]
    cases = obs.arrays_npz("loss_cases.npz")
    for i, value in enumerate(values):
        logits, targets = cases[f"logits{i}"], cases[f"targets{i}"]
        expected = cross_entropy(logits, targets)
        if value is None:
            return failed(msg("loss.failed.not_finite"))
        if not math.isclose(value, expected, rel_tol=cfg.rtol, abs_tol=1e-6):
            summed = math.isclose(value, expected * len(targets), rel_tol=cfg.rtol)
            return failed(msg("loss.failed.wrong_value.sum" if summed else "loss.failed.wrong_value",
                              count=len(targets), value=value, expected=expected))
    trained = _trained_loss_problem(obs, cfg)
    if trained:
        return failed(trained)
    return passed(msg("loss.passed" if trained is None else "loss.passed.backpropagated", count=len(values)))


def _trained_loss_problem(obs: Observations, cfg: LossCheck) -> Msg | str | None:
    """What `train()` back-propagated, against the cross-entropy of the model's outputs and the
    batch's labels (the train-mode probe's LossTrace): "" when it matched, a message when not,
    None when the probe did not run or saw nothing comparable."""
    try:
        seen = obs.phase("train_probe").get("backpropagated") or []
        arrays = obs.arrays_npz("train_losses.npz")
    except Unavailable:
        return None
    compared = False
    for i, case in enumerate(seen[:3]):
        targets = arrays.get(f"targets{i}")
        outputs = [arrays.get(f"outputs{i}_{j}") for j in range(min(int(case.get("outputs", 0)), 4))]
        if case.get("value") is None or targets is None or targets.dtype != np.int64 or targets.ndim != 1:
            continue
        expected = [cross_entropy(o, targets) for o in outputs if o is not None and o.ndim == 2
                    and o.shape[0] == len(targets) and o.dtype == np.float32 and (targets < o.shape[1]).all()
                    and (targets >= 0).all()]
        if not expected:
            continue
        compared = True
        if not any(math.isclose(case["value"], e, rel_tol=cfg.rtol, abs_tol=1e-6) for e in expected):
            return msg("loss.failed.backpropagated", value=case["value"], expected=expected[-1])
    return "" if compared else None


@check("optimizer", lambda cfg: msg("optimizer.title", name=cfg.name),
       phases=("optimizer",), asks=lambda cfg: {"optimizer_builder": cfg.builder})
def check_optimizer(obs: Observations, cfg: OptimizerCheck, assignment: Assignment) -> Verdict:
    opt = obs.phase("optimizer")
    problems = []
    if opt["classes"][0] != cfg.name:  # exactly: AdamW subclasses Adam in torch, but is another optimizer
        problems.append(msg("optimizer.failed.class", found=opt["classes"][0], name=cfg.name))
    wrong_lr = sorted({lr for lr in opt["learning_rates"] if not math.isclose(lr, assignment.learning_rate)})
    if wrong_lr:
        problems.append(msg("optimizer.failed.learning_rate", rates=_rates(wrong_lr),
                            learning_rate=assignment.learning_rate))
    if opt["covered"] != opt["model_params"]:
        problems.append(msg("optimizer.failed.coverage", covered=opt["covered"], total=opt["model_params"]))
    if opt["extra"]:
        problems.append(msg("optimizer.failed.extra", extra=opt["extra"]))
    swapped = _unused_optimizer(obs)
    if swapped:
        problems.append(swapped)
    if problems:
        return failed(msg("optimizer.failed", problems=join(problems)))
    return passed(msg("optimizer.passed", name=cfg.name, tensors=opt["model_params"],
                      learning_rate=assignment.learning_rate))


def _rates(rates: list[float]) -> Joined:
    """Learning rates as a message shows them (`0.1, 0.001`)."""
    return join((format(lr, "g") for lr in rates), ", ")


def _unused_optimizer(obs: Observations) -> Msg | None:
    """Whether train() changed the weights without the optimizer it was handed (the train-mode
    probe counts that optimizer's step() calls), when the probe ran."""
    try:
        probe = obs.phase("train_probe")
    except Unavailable:
        return None
    steps = (probe.get("calls") or {}).get("step")
    if steps == 0 and probe.get("weights_changed") is True:
        return msg("optimizer.failed.unused")
    return None


def eval_mode_modules(calls: dict[str, int]) -> list[str]:
    return sorted(name for name in calls if not name.endswith("Loss"))


@check("train_mode", msg("train_mode.title"), phases=("train_probe",))
def check_train_mode(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    return train_mode_verdict(obs.phase("train_probe"), "train()")


def train_mode_verdict(probe: dict[str, Any], function: str) -> Verdict:
    """What `function` (code: "train()") did with a model handed to it in eval mode (op counts,
    module calls)."""
    counts = probe["counts"]
    if not (counts.get("linear") or counts.get("weighted")):  # no layer with weights ran (Linear, Conv2d, ...)
        return failed(msg("train_mode.failed.never_ran", function=function))
    wrong = []
    if counts.get("batch_norm:eval"):
        wrong.append(msg("train_mode.failed.batch_norm", eval=counts["batch_norm:eval"],
                         calls=counts.get("batch_norm", 0)))
    if counts.get("dropout:eval"):
        wrong.append(msg("train_mode.failed.dropout", eval=counts["dropout:eval"], calls=counts.get("dropout", 0)))
    modules = eval_mode_modules(probe["module_eval_calls"])
    if modules:
        wrong.append(msg("train_mode.failed.eval_layers", layers=join(modules, ", ")))
    if wrong:
        return failed(msg("train_mode.failed", function=function, problems=join(wrong)))
    return passed(msg("train_mode.passed", function=function))


def _ends_in_softmax(obs: Observations) -> bool:
    """Whether the forward pass of `build` ended in softmax (before CrossEntropyLoss, which applies
    log-softmax itself, it flattens the gradients: the model learns slowly, if at all)."""
    try:
        ops = obs.phase("build").get("ops") or []
    except Unavailable:
        return False
    return bool(ops) and isinstance(ops[-1], dict) and ops[-1].get("kind") == "softmax"


def _training_loop_problem(obs: Observations) -> Msg | str | None:
    """What the train-mode probe saw missing from the training loop ("" when nothing), None if it
    could not tell."""
    try:
        probe = obs.phase("train_probe")
    except Unavailable:
        return None
    calls, batches, counts = probe.get("calls"), probe.get("batches"), probe.get("counts")
    if not isinstance(calls, dict) or not isinstance(counts, dict) or not isinstance(batches, int) or batches < 1:
        return None
    counted = {"optimizer.zero_grad()": calls.get("zero_grad"), "loss.backward()": counts.get("backward", 0),
               "optimizer.step()": calls.get("step")}
    if not all(isinstance(count, int) for count in counted.values()):
        return None  # an optimizer the grader could not count
    problems = [msg("training_loop.short_run.ran.one" if count == 1 else "training_loop.short_run.ran.many",
                    call=name, count=count) for name, count in counted.items() if count < batches]
    if calls.get("step_without_grad"):
        problems.append(msg("training_loop.short_run.step_without_grad", count=calls["step_without_grad"]))
    return msg("training_loop.short_run", batches=batches, problems=join(problems)) if problems else ""


@check("training_loop", msg("training_loop.title"), phases=("train_probe",))
def check_training_loop(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    """The course's loop, judged from what the train-mode probe counted rather than from accuracy:
    with Adam, gradients summed over every batch (no `zero_grad()`) still learn, and in a short
    training budget score as well as a correct loop on some seeds (benchmarks/calibration_mnist_relu.md).
    `model.zero_grad()` counts as well as `optimizer.zero_grad()`, and so does zero_grad() at the
    end of a batch instead of the start."""
    probe = obs.phase("train_probe")
    loop = _training_loop_problem(obs)
    if loop is None:
        return failed(msg("training_loop.failed.uncounted"))
    if loop:
        summed = probe["calls"]["zero_grad"] < probe["batches"]  # the usual case, worth its reason
        return failed(msg("training_loop.failed.summed" if summed else "training_loop.failed", problem=loop))
    return passed(msg("training_loop.passed", batches=probe["batches"]))


def optimizer_hint(obs: Observations, assignment: Assignment, goal: Text) -> Msg | None:
    """When the optimizer is not the lab's (class or learning rate; charged by `optimizer`), it is
    usually why training falls short too: say so, instead of suspecting the training loop. `goal`
    is what the lab's optimizer achieves in the budget, a catalog message whose text completes
    the sentence ("learns XOR")."""
    wanted = assignment.checks.first("optimizer")
    try:
        seen = obs.phase("optimizer") if wanted else None
    except Unavailable:  # the optimizer phase's own failure is reported by `optimizer`
        return None
    if seen is None:
        return None
    rates = sorted(set(seen["learning_rates"]))
    if seen["classes"][0] == wanted.name and rates == [assignment.learning_rate]:
        return None
    return msg("optimizer.hint", found=seen["classes"][0], rates=_rates(rates), name=wanted.name,
               learning_rate=assignment.learning_rate, goal=goal)


def measured_accuracy(obs: Observations, samples: int | None = None, rebuilt: np.ndarray | None = None) -> float:
    """The fraction of the hidden test labels the grader's predictions (`predictions.npy`, written by
    a training phase) match: the one measurement every accuracy-type check reads. `samples`: the
    predictions cover only the first so many test images (a slow model's budget), exactly.
    `rebuilt`: the trusted side's own predictions of the same images (`rebuilt.py`), which count
    instead of the sandbox's once the file is checked."""
    predictions = obs.array("predictions.npy")
    labels = obs.test_labels
    if labels is None:
        raise Unavailable(msg("training.no_test_labels"))
    labels = labels[:samples] if samples is not None else labels
    if predictions.shape != labels.shape or predictions.dtype != np.int64 or not (
            (predictions >= 0) & (predictions <= 9)).all():
        raise Unavailable(msg("training.malformed_predictions"))
    return float(((predictions if rebuilt is None else rebuilt) == labels).mean())


# What `train()` is handed, and the check kinds that judge each part (the optimizer has its own hint).
HANDED = {"shapes": "build_model", "order": "build_model", "dropout": "build_model", "init": "build_model",
          "loss": "make_criterion"}


def failing_parts(obs: Observations, assignment: Assignment) -> list[tuple[str, str]]:
    """The (check id, function) of the checks that judge the model and the loss `train()` is handed
    and do not pass, each judged by its own pure function on the same observations: when the loop
    itself ran completely, these are what to fix first, rather than a list of guesses."""
    found = []
    for check_id, other in assignment.checks.enabled().items():
        if other.kind not in HANDED:
            continue
        try:
            passes = REGISTRY[other.kind].judge(obs, other, assignment).passed
        except Unavailable:
            passes = False
        if not passes:
            found.append((check_id, HANDED[other.kind]))
    return found


@check("accuracy", msg("accuracy.title"), phases=("train", "build", "train_probe", "optimizer"))
def check_accuracy(obs: Observations, cfg: AccuracyCheck, assignment: Assignment) -> Verdict:
    """On a failure the message names what the other phases saw: a model ending in softmax, or a
    training loop without zero_grad()/backward()/step() in every batch (counted in `train_probe`);
    it never blames the training loop when the probe saw all three in every batch."""
    run = obs.phase("train")
    rebuilt = confirm(obs, None)  # the model that ran, whatever it is: its layers are the structure checks' concern
    accuracy = measured_accuracy(obs, cfg.test_samples, rebuilt.predictions if rebuilt else None)
    measured = {"epochs": run["epochs"], "samples": run["samples"], "accuracy": accuracy, "minimum": cfg.minimum,
                "tested": cfg.test_samples}
    costs = run.get("costs")
    note = unreplayed_note(rebuilt)
    if accuracy >= cfg.minimum:
        return passed(join([msg("accuracy.passed", **measured), note], " ") if note else
                      msg("accuracy.passed", **measured), accuracy, cfg.minimum)
    hints = []
    if costs is not None and any(c is None for c in costs):
        hints.append(msg("accuracy.failed.not_finite"))
    if _ends_in_softmax(obs):
        hints.append(msg("accuracy.failed.ends_in_softmax"))
    optimizer = optimizer_hint(obs, assignment, msg("accuracy.optimizer_goal"))
    if optimizer:
        hints.append(optimizer)
    loop = _training_loop_problem(obs)
    if loop and assignment.checks.of_kind("training_loop"):
        hints.append(msg("accuracy.failed.loop_charged"))  # explained once, by `training_loop`
    elif loop is None:
        hints.append(msg("accuracy.failed.check_loop"))
    elif loop:
        hints.append(msg("accuracy.failed.loop", problem=loop))
    elif len(hints) == 0:
        parts = failing_parts(obs, assignment)
        hints.append(msg("accuracy.failed.other_checks", causes=join(
            (msg("accuracy.cause", function=function, check=check_id) for check_id, function in parts), "; "))
            if parts else msg("accuracy.failed.loop_ran"))
    return failed(msg("accuracy.failed", **measured, hints=join(hints + ([note] if note else []), " ")),
                  accuracy, cfg.minimum)
