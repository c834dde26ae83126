"""The check of a lab that compares activations (09-1: ReLU against sigmoid): `activation_compare`.
Its phase is `probe/activations.py`; its table entry is here.

What decides it is measured, not reported: every network the student's function trained is found
and predicts test images whose labels only this process holds; each activation asked for needs a
network of its kind whose accuracy there shows that it learned. The numbers the function reports
come from the student's own evaluate(), so they are only compared with the grader's measurement
(when evaluate() is right: a wrong one is charged by `evaluate`, once)."""

from __future__ import annotations

from typing import Any

from ..catalog import join, msg
from ..config import Assignment
from ..rubric import ActivationCompareCheck
from ..sandbox.protocol import register_phase
from .base import Verdict, check, failed, passed
from .evaluation import evaluate_fault
from .hidden import hidden_accuracy, train_excused
from .observations import Observations

register_phase("compare_activations", ("build_model", "make_criterion",
               "make_optimizer", "train", "evaluate"), mnist=True)

NAMES = {"relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh", "leaky_relu": "LeakyReLU", "elu": "ELU", "gelu": "GELU"}
TEST_IMAGES = 2000  # the hidden test images each network of the comparison predicts
# The accuracy on them that a network must reach to count as trained. Measured at grader seeds 0-11
# (the lab's budget, 50 Adam steps per network): the networks of a comparison that trains nothing score
# 0.043-0.147 (24 networks, mean 0.095, sd 0.020); the reference's sigmoid network 0.246-0.341 (mean
# 0.302, sd 0.032) and its ReLU one 0.347-0.463; without zero_grad() the sigmoid one 0.203-0.357 (mean
# 0.281, sd 0.037). The threshold is 4.3 sd above the untrained mean and 3.9 sd below the reference's.
# It belongs in grader.toml once `rubric.ActivationCompareCheck` has a field for it (that module is
# not this check's).
LEARNED = 0.18


def _network(models: list[dict[str, Any]], activation: str) -> int | None:
    return next((i for i, m in enumerate(models) if m["activations"] and set(m["activations"]) == {activation}), None)


@check("activation_compare", lambda cfg: msg("activation_compare.title", function=cfg.function,
                                             activations=join((NAMES[a] for a in cfg.activations), " / ")),
       phases=("compare_activations",),
       asks=lambda cfg: {"compare_activations": {"function": cfg.function, "train_samples": cfg.train_samples,
                                                 "epochs": cfg.epochs, "test_samples": TEST_IMAGES}})
def check_activation_compare(obs: Observations, cfg: ActivationCompareCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("compare_activations")
    reported, models = seen["reported"], seen["models"]
    arrays = obs.arrays_npz("compare_activations.npz")
    learned = [hidden_accuracy(obs, arrays.get(f"predictions{i}"), seen["test_samples"]) for i in range(len(models))]
    fault = evaluate_fault(obs, cfg.tolerance)
    problems, summary, untrained = [], [], []
    for activation in cfg.activations:
        index = _network(models, activation)
        if index is None:
            kinds = join((join((NAMES.get(k, k) for k in m["activations"]), ", ") if m["activations"]
                          else msg("activation_compare.no_activation") for m in models))
            problems.append(msg("activation_compare.failed.not_of_its_kind", name=NAMES[activation],
                                activation=activation,
                                found=kinds if models else msg("activation_compare.no_network")))
            continue
        if learned[index] < LEARNED:
            untrained.append(msg("activation_compare.untrained", name=NAMES[activation], measured=learned[index],
                                 samples=seen["test_samples"], minimum=LEARNED))
            continue
        accuracy = reported.get(activation)
        if accuracy is None or not 0 <= accuracy <= 1:
            problems.append(msg("activation_compare.failed.missing" if activation not in reported else
                                "activation_compare.failed.not_a_fraction", activation=activation))
            continue
        if abs(models[index]["measured"] - accuracy) > cfg.tolerance and not fault:
            problems.append(msg("activation_compare.failed.misreported", accuracy=accuracy, activation=activation,
                                measured=models[index]["measured"]))
            continue
        summary.append(msg("activation_compare.summary", name=NAMES[activation], measured=learned[index]))
    if untrained and not problems and train_excused(obs, assignment):
        return passed(msg("activation_compare.passed.train_charged", untrained=join(untrained)))
    if problems or untrained:
        return failed(msg("activation_compare.failed", function=cfg.function, problems=join([*untrained, *problems])))
    measured = msg("activation_compare.measured", summary=join(summary, ", "), samples=seen["test_samples"])
    if fault:
        return passed(msg("activation_compare.passed.not_compared", fault=fault, measured=measured))
    return passed(msg("activation_compare.passed", measured=measured))
