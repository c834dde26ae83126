"""Checks on the training side: `loss`, `optimizer`, `train_mode`, `accuracy`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..config import Assignment
from ..rubric import AccuracyCheck, Check, LossCheck, OptimizerCheck
from .base import Verdict, check, failed, passed
from .observations import Observations, Unavailable


def cross_entropy(logits: np.ndarray, targets: np.ndarray) -> float:
    """Mean cross-entropy, computed by the trusted process itself (float64, stable log-softmax)."""
    z = logits.astype(np.float64)
    z = z - z.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(targets)), targets].mean())


@check("loss", "Cross-entropy loss", phases=("loss",))
def check_loss(obs: Observations, cfg: LossCheck, assignment: Assignment) -> Verdict:
    values = obs.phase("loss")["values"]
    cases = obs.arrays_npz("loss_cases.npz")
    for i, value in enumerate(values):
        logits, targets = cases[f"logits{i}"], cases[f"targets{i}"]
        expected = cross_entropy(logits, targets)
        if value is None:
            return failed("Your criterion did not return a finite number for a batch of logits and labels.")
        if not math.isclose(value, expected, rel_tol=cfg.rtol, abs_tol=1e-6):
            hint = ""
            if math.isclose(value, expected * len(targets), rel_tol=cfg.rtol):
                hint = " It looks like the sum over the batch: use the mean (the default reduction)."
            return failed(f"On {len(targets)} logits your criterion gave {value:.5f}, but the cross-entropy is "
                          f"{expected:.5f}. Use torch.nn.CrossEntropyLoss() (it applies log-softmax itself).{hint}")
    trained = _trained_loss_problem(obs, cfg)
    if trained:
        return failed(trained)
    return passed(f"Your criterion computes the mean cross-entropy ({len(values)} batches compared)"
                  + (", and train() back-propagated it." if trained == "" else "."))


def _trained_loss_problem(obs: Observations, cfg: LossCheck) -> str | None:
    """What `train()` back-propagated, against the cross-entropy of the model's outputs and the
    batch's labels (the train-mode probe's LossTrace): "" when it matched, a sentence when not,
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
            return (f"While train() ran, the loss it back-propagated was {case['value']:.5f}, but the cross-entropy "
                    f"of the model's outputs and the batch's labels was {expected[-1]:.5f}: in train(), minimise "
                    "criterion(hypothesis, Y) with the criterion you are given.")
    return "" if compared else None


@check("optimizer", lambda cfg: f"{cfg.name} over all parameters with the learning rate passed in",
       phases=("optimizer",), asks=lambda cfg: {"optimizer_builder": cfg.builder})
def check_optimizer(obs: Observations, cfg: OptimizerCheck, assignment: Assignment) -> Verdict:
    opt = obs.phase("optimizer")
    problems = []
    if opt["classes"][0] != cfg.name:  # exactly: AdamW subclasses Adam in torch, but is another optimizer
        problems.append(f"it is {opt['classes'][0]}, the lab asks for torch.optim.{cfg.name}")
    wrong_lr = sorted({lr for lr in opt["learning_rates"] if not math.isclose(lr, assignment.learning_rate)})
    if wrong_lr:
        problems.append(f"its learning rate is {', '.join(f'{lr:g}' for lr in wrong_lr)}, not the "
                        f"learning_rate argument ({assignment.learning_rate:g})")
    if opt["covered"] != opt["model_params"]:
        problems.append(f"it updates {opt['covered']} of the model's {opt['model_params']} parameter tensors "
                        "(pass model.parameters() of the model you were given)")
    if opt["extra"]:
        problems.append(f"it also holds {opt['extra']} tensors that are not the given model's parameters")
    swapped = _unused_optimizer(obs)
    if swapped:
        problems.append(swapped)
    if problems:
        return failed("Your optimizer: " + "; ".join(problems) + ".")
    return passed(f"{cfg.name} over all {opt['model_params']} parameter tensors, lr={assignment.learning_rate:g}.")


def _unused_optimizer(obs: Observations) -> str | None:
    """Whether train() changed the weights without the optimizer it was handed (the train-mode
    probe counts that optimizer's step() calls), when the probe ran."""
    try:
        probe = obs.phase("train_probe")
    except Unavailable:
        return None
    steps = (probe.get("calls") or {}).get("step")
    if steps == 0 and probe.get("weights_changed") is True:
        return ("train() changed the weights without calling step() of the optimizer it was handed (another "
                "optimizer made inside train()?): use the `optimizer` argument")
    return None


def eval_mode_modules(calls: dict[str, int]) -> list[str]:
    return sorted(name for name in calls if not name.endswith("Loss"))


@check("train_mode", "train() runs the model in training mode", phases=("train_probe",))
def check_train_mode(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    return train_mode_verdict(obs.phase("train_probe"), "train()")


def train_mode_verdict(probe: dict[str, Any], function: str) -> Verdict:
    """What `function` did with a model handed to it in eval mode (op counts, module calls)."""
    counts = probe["counts"]
    if not counts.get("linear"):
        return failed(f"{function} never ran the model it was given on a batch.")
    wrong = []
    if counts.get("batch_norm:eval"):
        wrong.append(f"BatchNorm used its running statistics in {counts['batch_norm:eval']} of "
                     f"{counts.get('batch_norm', 0)} calls")
    if counts.get("dropout:eval"):
        wrong.append(f"Dropout was off in {counts['dropout:eval']} of {counts.get('dropout', 0)} calls")
    modules = eval_mode_modules(probe["module_eval_calls"])
    if modules:
        wrong.append(f"these layers ran in eval mode: {', '.join(modules)}")
    if wrong:
        return failed(f"The grader handed {function} a model left in eval mode, and it trained in eval mode: "
                      + "; ".join(wrong) + ". Call model.train() before training, as the course does (once before the loop, "
                      "or at the start of each epoch).")
    return passed(f"Handed a model in eval mode, {function} switched it to training mode for every forward pass.")


def _ends_in_softmax(obs: Observations) -> bool:
    """Whether the forward pass of `build` ended in softmax (before CrossEntropyLoss, which applies
    log-softmax itself, it flattens the gradients: the model learns slowly, if at all)."""
    try:
        ops = obs.phase("build").get("ops") or []
    except Unavailable:
        return False
    return bool(ops) and isinstance(ops[-1], dict) and ops[-1].get("kind") == "softmax"


def _training_loop_problem(obs: Observations) -> str | None:
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
    problems = [f"{name} ran {count} time{'' if count == 1 else 's'}" for name, count in counted.items()
                if count < batches]
    if calls.get("step_without_grad"):
        problems.append(f"optimizer.step() found no gradients {calls['step_without_grad']} times (call zero_grad() "
                        "before backward(), not between backward() and step())")
    return f"In the grader's short run of your train() ({batches} batches), {'; '.join(problems)}." if problems else ""


def optimizer_hint(obs: Observations, assignment: Assignment, goal: str) -> str | None:
    """When the optimizer is not the lab's (class or learning rate; charged by `optimizer`), it is
    usually why training falls short too: say so, instead of suspecting the training loop. `goal`
    is what the lab's optimizer achieves in the budget ("learns XOR")."""
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
    return (f"Your optimizer is {seen['classes'][0]} with lr {', '.join(f'{r:g}' for r in rates)} (see the "
            f"`optimizer` check); the lab's {wanted.name} with lr {assignment.learning_rate:g} {goal} in this budget.")


def measured_accuracy(obs: Observations) -> float:
    """The fraction of the hidden test labels the grader's predictions (`predictions.npy`, written by
    a training phase) match: the one measurement every accuracy-type check reads."""
    predictions = obs.array("predictions.npy")
    labels = obs.test_labels
    if labels is None:
        raise Unavailable("the grader has no test labels")
    if predictions.shape != labels.shape or predictions.dtype != np.int64 or not (
            (predictions >= 0) & (predictions <= 9)).all():
        raise Unavailable("the grader's predictions from your model are malformed (shape, type or classes)")
    return float((predictions == labels).mean())


@check("accuracy", "Test accuracy after a short training run", phases=("train", "build", "train_probe", "optimizer"))
def check_accuracy(obs: Observations, cfg: AccuracyCheck, assignment: Assignment) -> Verdict:
    """On a failure the message names what the other phases saw: a model ending in softmax, or a
    training loop without zero_grad()/backward()/step() in every batch (counted in `train_probe`);
    it never blames the training loop when the probe saw all three in every batch."""
    run = obs.phase("train")
    accuracy = measured_accuracy(obs)
    what = (f"After {run['epochs']} epoch(s) of your train() on {run['samples']} images, your model classified {accuracy:.2%} of the 10000 hidden test images")
    costs = run.get("costs")
    if accuracy >= cfg.minimum:
        return passed(f"{what} (minimum {cfg.minimum:.0%}).")
    hints = []
    if costs is not None and any(c is None for c in costs):
        hints.append("The cost became NaN or infinite.")
    if _ends_in_softmax(obs):
        hints.append("Your model ends in softmax: CrossEntropyLoss applies log-softmax itself, so the extra softmax "
                     "flattens the gradients and the model learns slowly. Return the last Linear layer's output "
                     "(the logits) without softmax.")
    optimizer = optimizer_hint(obs, assignment, "gets the model far enough")
    if optimizer:
        hints.append(optimizer)
    loop = _training_loop_problem(obs)
    if loop is None:
        hints.append("Check optimizer.zero_grad(), loss.backward() and optimizer.step() in every batch.")
    elif loop:
        hints.append(f"{loop} Call optimizer.zero_grad(), loss.backward() and optimizer.step() once in every "
                     "batch, in that order.")
    elif len(hints) == 0:
        hints.append("Your train() called zero_grad(), backward() and step() in every batch; check what else "
                     "differs from the homework: the loss (CrossEntropyLoss on the logits and the labels), the "
                     "images reshaped with view(-1, 28 * 28), and the learning rate passed to the optimizer.")
    return failed(f"{what}; at least {cfg.minimum:.0%} is needed. " + " ".join(hints))
