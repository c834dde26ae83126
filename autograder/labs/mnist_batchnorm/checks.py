"""The batch-normalization lab's checks (09-4, with and without BatchNorm): `pair_shapes`,
`pair_order`, `pair_train_mode`, `pair_eval_mode`, `pair_evaluate`, `pair_accuracy`,
`pair_compare`. Its phases are `phases.py`; their table entries are here. Losses and
accuracies are recomputed here from the raw logits the grader measured; whether compare()'s models
learned, from their predictions of hidden test images (what compare() reports is only compared).
`pair_accuracy` is defined before `pair_compare`, which asks it whether train_epoch() is to blame."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np

from ...catalog import join, msg
from ...config import Assignment
from ...rubric_base import Check
from ...sandbox.protocol import register_phase
from ...checks.hidden import hidden_accuracy
from ...checks.base import Verdict, check, failed, passed
from ...checks.evaluation import eval_mode_verdict, fed_raw_pixels, raw_pixels_verdict
from ...checks.observations import Observations, Unavailable
from ...checks.training import cross_entropy, measured_accuracy, train_mode_verdict
from .rubric import PairAccuracyCheck, PairCompareCheck, PairEvaluateCheck, PairShapesCheck

register_phase("pair_build", ("build_models",), mnist=True)
register_phase("pair_train", ("build_models", "make_criterion", "make_optimizer",
                                                                  "train_epoch"), mnist=True)
register_phase("pair_evaluate", ("build_models", "make_criterion", "evaluate"), mnist=True)
register_phase("pair_compare", ("compare", "build_models", "make_criterion", "make_optimizer",
                                             "train_epoch", "evaluate"), mnist=True)
MODELS = ("bn_model", "nn_model")


def per_batch(logits: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The lab's measurement: the mean over batches of each batch's cross-entropy and accuracy."""
    losses = [cross_entropy(batch, targets) for batch, targets in zip(logits, labels)]
    accuracies = [float((batch.argmax(axis=1) == targets).mean()) for batch, targets in zip(logits, labels)]
    return float(np.mean(losses)), float(np.mean(accuracies))


def _linear(pairs: Any) -> str:
    """Linear sizes as code shows them: `784→64, 64→10` (the same in every language)."""
    return ", ".join(f"{a}→{b}" for a, b in pairs)


def _batchnorm(features: list[int]) -> str:
    return ", ".join(f"BatchNorm1d({n})" for n in features)


@check("pair_shapes", msg("pair_shapes.title"), phases=("pair_build",))
def check_pair_shapes(obs: Observations, cfg: PairShapesCheck, assignment: Assignment) -> Verdict:
    built = obs.phase("pair_build")
    problems = []
    for name, norms in (("bn_model", cfg.batchnorm), ("nn_model", [])):
        modules = built[name]["modules"]
        linear = [(m["in"], m["out"]) for m in modules if m["type"] == "Linear"]
        found = [m["features"] for m in modules if "features" in m]
        if Counter(linear) != Counter(tuple(pair) for pair in cfg.linear):
            problems.append(msg("pair_shapes.failed.linear" if linear else "pair_shapes.failed.linear.none",
                                name=name, found=_linear(linear), expected=_linear(cfg.linear)))
        if Counter(found) != Counter(norms):
            problems.append(msg("pair_shapes.failed.batchnorm.missing" if not found else
                                "pair_shapes.failed.batchnorm.extra" if not norms else "pair_shapes.failed.batchnorm",
                                name=name, found=_batchnorm(found), wanted=_batchnorm(norms)))
    if problems:
        return failed(msg("pair_shapes.failed", problems=join(problems)))
    return passed(msg("pair_shapes.passed", linear=_linear(cfg.linear), batchnorm=_batchnorm(cfg.batchnorm)))


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


@check("pair_order", msg("pair_order.title"), phases=("pair_build",))
def check_pair_order(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    built = obs.phase("pair_build")
    shown = {name: " | ".join(" → ".join(block) for block in _blocks(built[name]["ops"])) for name in MODELS}
    bn, nn = _blocks(built["bn_model"]["ops"]), _blocks(built["nn_model"]["ops"])
    hidden_bn, hidden_nn = bn[:-1], nn[:-1]
    good_bn = (len(bn) >= 2 and bn[-1] == ["linear"]
               and all(sorted(block[1:]) == ["batch_norm", "relu"] for block in hidden_bn))
    good_nn = len(nn) >= 2 and nn[-1] == ["linear"] and all(block[1:] == ["relu"] for block in hidden_nn)
    if good_bn and good_nn and len(bn) == len(nn):
        batchnorm_first = hidden_bn[0][1] == "batch_norm"
        return passed(msg("pair_order.passed.batchnorm_first" if batchnorm_first else "pair_order.passed.relu_first"))
    nothing = msg("pair_order.nothing")
    return failed(msg("pair_order.failed", bn_model=shown["bn_model"] or nothing,
                      nn_model=shown["nn_model"] or nothing))


@check("pair_train_mode", msg("pair_train_mode.title"), phases=("pair_train",))
def check_pair_train_mode(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    return train_mode_verdict(obs.phase("pair_train")["probe"], "train_epoch()")


@check("pair_eval_mode", msg("pair_eval_mode.title"), phases=("pair_evaluate",))
def check_pair_eval_mode(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    return eval_mode_verdict(obs.phase("pair_evaluate"), assignment)


@check("pair_evaluate", msg("pair_evaluate.title"), phases=("pair_evaluate",))
def check_pair_evaluate(obs: Observations, cfg: PairEvaluateCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("pair_evaluate")
    arrays = obs.arrays_npz("pair_evaluate.npz")
    loss, accuracy = per_batch(arrays["logits"], arrays["labels"])
    if seen["returned"] is None or None in seen["returned"]:
        return failed(msg("pair_evaluate.failed.not_two_numbers", type=seen["returned_type"]))
    got_loss, got_accuracy = seen["returned"]
    if fed_raw_pixels(seen["scaling_probe"]):
        return raw_pixels_verdict(seen["scaling_probe"], got_accuracy, accuracy)
    if abs(got_accuracy - accuracy) > cfg.tolerance:
        percentage = abs(got_accuracy / 100 - accuracy) <= cfg.tolerance
        return failed(msg("pair_evaluate.failed.accuracy.percentage" if percentage else
                          "pair_evaluate.failed.accuracy", returned=got_accuracy, measured=accuracy))
    if not math.isclose(got_loss, loss, rel_tol=1e-3):
        return failed(msg("pair_evaluate.failed.loss", returned=got_loss, measured=loss))
    return passed(msg("pair_evaluate.passed", loss=got_loss, accuracy=got_accuracy))


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
            or not math.isclose(returned[0], loss, rel_tol=1e-3) or fed_raw_pixels(seen["scaling_probe"]))


def _train_epoch_charged(obs: Observations, assignment: Assignment) -> bool:
    """Whether the grader's own run of train_epoch() did not learn enough either (`accuracy` fails,
    measured on the hidden labels): then compare()'s models not learning is that check's, not this one's."""
    cfg = assignment.checks.first("pair_accuracy")
    try:
        return cfg is not None and not check_pair_accuracy(obs, cfg, assignment).passed
    except Unavailable:
        return False


@check("pair_accuracy", msg("pair_accuracy.title"), phases=("pair_train",),
       asks=lambda cfg: {"pair_train": {"epochs": cfg.epochs, "train_samples": cfg.train_samples}})
def check_pair_accuracy(obs: Observations, cfg: PairAccuracyCheck, assignment: Assignment) -> Verdict:
    run = obs.phase("pair_train")
    accuracy = measured_accuracy(obs)
    measured = {"epochs": run["epochs"], "samples": run["samples"], "accuracy": accuracy, "minimum": cfg.minimum}
    if accuracy >= cfg.minimum:
        return passed(msg("pair_accuracy.passed", **measured), accuracy, cfg.minimum)
    return failed(msg("pair_accuracy.failed", **measured), accuracy, cfg.minimum)


@check("pair_compare", msg("pair_compare.title"), phases=("pair_compare",),
       asks=lambda cfg: {"pair_compare": {"epochs": cfg.epochs, "train_samples": cfg.train_samples,
                                          "valid_batches": cfg.valid_batches, "test_samples": cfg.test_samples}})
def check_pair_compare(obs: Observations, cfg: PairCompareCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("pair_compare")
    reported, kinds = seen["reported"], seen["batchnorm"]
    lists = ("train_losses", "train_accs", "valid_losses", "valid_accs")
    broken = [key for key in lists if not reported.get(key) or len(reported[key]) != seen["epochs"]
              or any(pair is None or len(pair) != 2 or None in pair for pair in reported[key])]
    if broken:
        return failed(msg("pair_compare.failed.not_lists", lists=join(lists, ", "), epochs=seen["epochs"],
                          broken=join(broken, ", ")))
    if sorted(kinds) != [False, True]:
        return failed(msg("pair_compare.failed.models.one" if len(kinds) == 1 else "pair_compare.failed.models.many",
                          models=len(kinds), batchnorm=sum(kinds)))
    samples = seen["test_samples"]
    arrays = obs.arrays_npz("pair_compare.npz")
    learned = [hidden_accuracy(obs, arrays.get(f"test_predictions{kinds.index(with_bn)}"), samples)
               for with_bn in (True, False)]
    untrained = [msg("pair_compare.untrained", model=name, measured=measured, samples=samples, minimum=cfg.minimum)
                 for name, measured in zip(MODELS, learned) if measured < cfg.minimum]
    if untrained and _train_epoch_charged(obs, assignment):
        return passed(msg("pair_compare.passed.train_charged", untrained=join(untrained)))
    if untrained:
        return failed(msg("pair_compare.failed.untrained", untrained=join(untrained)))
    if _evaluate_faulty(obs, cfg.tolerance):
        return passed(msg("pair_compare.passed.not_compared", bn=learned[0], nn=learned[1], samples=samples))
    problems = []
    for split in ("train", "valid"):
        train = split == "train"
        for position, with_bn in enumerate((True, False)):
            index = kinds.index(with_bn)
            loss, accuracy = per_batch(arrays[f"{split}_logits{index}"], arrays[f"{split}_labels{index}"])
            got_loss, got_accuracy = reported[f"{split}_losses"][-1][position], reported[f"{split}_accs"][-1][position]
            name = MODELS[position]
            if abs(got_accuracy - accuracy) > cfg.tolerance or not math.isclose(got_loss, loss, rel_tol=1e-3):
                problems.append(msg("pair_compare.failed.misreported.train" if train else
                                    "pair_compare.failed.misreported.valid", model=name, loss=got_loss,
                                    accuracy=got_accuracy, measured_loss=loss, measured_accuracy=accuracy))
    if problems:
        return failed(msg("pair_compare.failed", problems=join(problems)))
    valid = reported["valid_accs"][-1]
    return passed(msg("pair_compare.passed", bn=valid[0], nn=valid[1], test_bn=learned[0], test_nn=learned[1],
                      samples=samples))
