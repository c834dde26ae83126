"""The batch-normalization lab's checks (09-4, with and without BatchNorm): `pair_shapes`,
`pair_order`, `pair_train_mode`, `pair_eval_mode`, `pair_evaluate`, `pair_accuracy`,
`pair_compare`. Its phases are `probe/bn_pair.py`; their table entries are here. Losses and
accuracies are recomputed here from the raw logits the grader measured."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np

from ..config import Assignment
from ..rubric_base import Check
from ..rubric_labs import PairAccuracyCheck, PairCompareCheck, PairEvaluateCheck, PairShapesCheck
from ..sandbox.protocol import register_phase
from .base import Verdict, check, failed, passed
from .evaluation import eval_mode_verdict
from .observations import Observations, Unavailable
from .training import cross_entropy, measured_accuracy, train_mode_verdict

register_phase("pair_build", "build_models()", ("build_models",), mnist=True)
register_phase("pair_train", "train_epoch() (the grading run)", ("build_models", "make_criterion", "make_optimizer",
                                                                  "train_epoch"), mnist=True)
register_phase("pair_evaluate", "evaluate()", ("build_models", "make_criterion", "evaluate"), mnist=True)
register_phase("pair_compare", "compare()", ("compare", "build_models", "make_criterion", "make_optimizer",
                                             "train_epoch", "evaluate"), mnist=True)
MODELS = ("bn_model", "nn_model")


def per_batch(logits: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The lab's measurement: the mean over batches of each batch's cross-entropy and accuracy."""
    losses = [cross_entropy(batch, targets) for batch, targets in zip(logits, labels)]
    accuracies = [float((batch.argmax(axis=1) == targets).mean()) for batch, targets in zip(logits, labels)]
    return float(np.mean(losses)), float(np.mean(accuracies))


@check("pair_shapes", "build_models(): the layer sizes of both models", phases=("pair_build",))
def check_pair_shapes(obs: Observations, cfg: PairShapesCheck, assignment: Assignment) -> Verdict:
    built = obs.phase("pair_build")
    problems = []
    for name, norms in (("bn_model", cfg.batchnorm), ("nn_model", [])):
        modules = built[name]["modules"]
        linear = [(m["in"], m["out"]) for m in modules if m["type"] == "Linear"]
        found = [m["features"] for m in modules if "features" in m]
        if Counter(linear) != Counter(tuple(pair) for pair in cfg.linear):
            problems.append(f"{name} has Linear {', '.join(f'{a}→{b}' for a, b in linear) or 'none'}; the lab's are "
                            f"{', '.join(f'{a}→{b}' for a, b in cfg.linear)}")
        if Counter(found) != Counter(norms):
            wanted = ", ".join(f"BatchNorm1d({n})" for n in norms) or "no BatchNorm"
            problems.append(f"{name} has {', '.join(f'BatchNorm1d({n})' for n in found) or 'no BatchNorm'}; it needs {wanted}")
    if problems:
        return failed("; ".join(problems) + ".")
    return passed(f"Both models have Linear {', '.join(f'{a}→{b}' for a, b in cfg.linear)}; bn_model also "
                  f"{', '.join(f'BatchNorm1d({n})' for n in cfg.batchnorm)}.")


def _blocks(ops: list[dict[str, Any]]) -> list[list[str]]:
    """The ops the output depends on, cut at each Linear: each block is a Linear and what follows it."""
    blocks: list[list[str]] = []
    for op in ops:
        if not op.get("live", True):
            continue
        if op["kind"] == "linear" or not blocks:
            blocks.append([op["kind"]])
        else:
            blocks[-1].append(op["kind"])
    return blocks


@check("pair_order", "bn_model: Linear, BatchNorm and ReLU in each hidden block; nn_model: no BatchNorm",
       phases=("pair_build",))
def check_pair_order(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    built = obs.phase("pair_build")
    shown = {name: " | ".join(" → ".join(block) for block in _blocks(built[name]["ops"])) for name in MODELS}
    bn, nn = _blocks(built["bn_model"]["ops"]), _blocks(built["nn_model"]["ops"])
    hidden_bn, hidden_nn = bn[:-1], nn[:-1]
    good_bn = (len(bn) >= 2 and bn[-1] == ["linear"]
               and all(sorted(block[1:]) == ["batch_norm", "relu"] for block in hidden_bn))
    good_nn = len(nn) >= 2 and nn[-1] == ["linear"] and all(block[1:] == ["relu"] for block in hidden_nn)
    if good_bn and good_nn and len(bn) == len(nn):
        order = "BatchNorm → ReLU" if hidden_bn[0][1] == "batch_norm" else "ReLU → BatchNorm (the course's code)"
        return passed(f"bn_model runs Linear then {order} in each hidden block; nn_model the same without BatchNorm.")
    return failed(f"The outputs are computed by: bn_model {shown['bn_model'] or 'nothing'}; nn_model "
                  f"{shown['nn_model'] or 'nothing'}. Each hidden block of bn_model is a Linear, a BatchNorm1d and a "
                  "ReLU (either order: the lab's code puts ReLU first, the paper BatchNorm), then the output Linear; "
                  "nn_model is the same without BatchNorm.")


@check("pair_train_mode", "train_epoch() runs the model in training mode", phases=("pair_train",))
def check_pair_train_mode(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    return train_mode_verdict(obs.phase("pair_train")["probe"], "train_epoch()")


@check("pair_eval_mode", "evaluate() runs in eval mode without gradients", phases=("pair_evaluate",))
def check_pair_eval_mode(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    return eval_mode_verdict(obs.phase("pair_evaluate"), assignment)


@check("pair_evaluate", "evaluate(): the loss and accuracy the grader measures", phases=("pair_evaluate",))
def check_pair_evaluate(obs: Observations, cfg: PairEvaluateCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("pair_evaluate")
    arrays = obs.arrays_npz("pair_evaluate.npz")
    loss, accuracy = per_batch(arrays["logits"], arrays["labels"])
    if seen["returned"] is None or None in seen["returned"]:
        return failed(f"evaluate() must return two numbers, (loss, accuracy); it returned a {seen['returned_type']}.")
    got_loss, got_accuracy = seen["returned"]
    if abs(got_accuracy - accuracy) > cfg.tolerance:
        hint = " (a percentage? return a fraction)" if abs(got_accuracy / 100 - accuracy) <= cfg.tolerance else ""
        return failed(f"evaluate() returned accuracy {got_accuracy:.4f}; in eval mode the model classifies "
                      f"{accuracy:.4f} of the loader's images{hint}.")
    if not math.isclose(got_loss, loss, rel_tol=1e-3):
        return failed(f"evaluate() returned loss {got_loss:.4f}; the mean of the batches' cross-entropy is {loss:.4f}.")
    return passed(f"evaluate() returned loss {got_loss:.4f} and accuracy {got_accuracy:.4f}, as the grader measured.")


def _evaluate_faulty(obs: Observations, tolerance: float) -> bool:
    """Whether evaluate() itself is wrong (then compare(), which reports what it returns, is not
    charged for the same mistake)."""
    try:
        seen, arrays = obs.phase("pair_evaluate"), obs.arrays_npz("pair_evaluate.npz")
    except Unavailable:
        return False
    loss, accuracy = per_batch(arrays["logits"], arrays["labels"])
    returned = seen["returned"]
    return (returned is None or None in returned or abs(returned[1] - accuracy) > tolerance
            or not math.isclose(returned[0], loss, rel_tol=1e-3))


@check("pair_accuracy", "bn_model's test accuracy after training with train_epoch()", phases=("pair_train",),
       asks=lambda cfg: {"pair_train": {"epochs": cfg.epochs, "train_samples": cfg.train_samples}})
def check_pair_accuracy(obs: Observations, cfg: PairAccuracyCheck, assignment: Assignment) -> Verdict:
    run = obs.phase("pair_train")
    accuracy = measured_accuracy(obs)
    what = (f"After {run['epochs']} epoch(s) of your train_epoch() on {run['samples']} images, bn_model classified "
            f"{accuracy:.2%} of the 10000 hidden test images")
    if accuracy >= cfg.minimum:
        return passed(f"{what} (minimum {cfg.minimum:.0%}).")
    return failed(f"{what}; at least {cfg.minimum:.0%} is needed. In train_epoch(): model.train(), then for each batch "
                  "optimizer.zero_grad(), loss.backward(), optimizer.step().")


@check("pair_compare", "compare(): both models trained, the last epoch reported as measured", phases=("pair_compare",),
       asks=lambda cfg: {"pair_compare": {"epochs": cfg.epochs, "train_samples": cfg.train_samples,
                                          "valid_batches": cfg.valid_batches}})
def check_pair_compare(obs: Observations, cfg: PairCompareCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("pair_compare")
    reported, kinds = seen["reported"], seen["batchnorm"]
    lists = ("train_losses", "train_accs", "valid_losses", "valid_accs")
    broken = [key for key in lists if not reported.get(key) or len(reported[key]) != seen["epochs"]
              or any(pair is None or len(pair) != 2 or None in pair for pair in reported[key])]
    if broken:
        return failed(f"compare() must return {', '.join(lists)}: each a list with one [bn, nn] pair of numbers per "
                      f"epoch ({seen['epochs']} here); these are not: {', '.join(broken)}.")
    if sorted(kinds) != [False, True]:
        return failed(f"compare() trained {len(kinds)} models ({sum(kinds)} with BatchNorm); it should train one "
                      "bn_model and one nn_model from build_models().")
    if _evaluate_faulty(obs, cfg.tolerance):
        return passed("compare() trained both models and returned one [bn, nn] pair per epoch (the values are not "
                      "compared: evaluate() is already marked down by the `evaluate` check).")
    arrays = obs.arrays_npz("pair_compare.npz")
    problems = []
    for split in ("train", "valid"):
        for position, with_bn in enumerate((True, False)):
            index = kinds.index(with_bn)
            loss, accuracy = per_batch(arrays[f"{split}_logits{index}"], arrays[f"{split}_labels{index}"])
            got_loss, got_accuracy = reported[f"{split}_losses"][-1][position], reported[f"{split}_accs"][-1][position]
            name = MODELS[position]
            if abs(got_accuracy - accuracy) > cfg.tolerance or not math.isclose(got_loss, loss, rel_tol=1e-3):
                problems.append(f"the last {split} pair reports {name} loss {got_loss:.4f}, accuracy {got_accuracy:.4f}; "
                                f"the grader measured {loss:.4f}, {accuracy:.4f} (eval mode, after training)")
    if problems:
        return failed("compare(): " + "; ".join(problems) + ". Measure each model with evaluate() after its epoch.")
    valid = reported["valid_accs"][-1]
    return passed(f"compare() trained both models and reported what the grader measured (last valid accuracy: "
                  f"bn {valid[0]:.4f}, nn {valid[1]:.4f}).")
