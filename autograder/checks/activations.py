"""The check of a lab that compares activations (09-1: ReLU against sigmoid): `activation_compare`.
Its phase is `probe/activations.py`; its table entry is here."""

from __future__ import annotations

from ..catalog import join, msg
from ..config import Assignment
from ..rubric import ActivationCompareCheck
from ..sandbox.protocol import register_phase
from .base import Verdict, check, failed, passed
from .evaluation import evaluate_fault
from .observations import Observations

register_phase("compare_activations", ("build_model", "make_criterion",
               "make_optimizer", "train", "evaluate"), mnist=True)

NAMES = {"relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh", "leaky_relu": "LeakyReLU", "elu": "ELU", "gelu": "GELU"}


@check("activation_compare", lambda cfg: msg("activation_compare.title", function=cfg.function,
                                             activations=join((NAMES[a] for a in cfg.activations), " / ")),
       phases=("compare_activations",),
       asks=lambda cfg: {"compare_activations": {"function": cfg.function, "train_samples": cfg.train_samples,
                                          "epochs": cfg.epochs}})
def check_activation_compare(obs: Observations, cfg: ActivationCompareCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("compare_activations")
    reported, models = seen["reported"], seen["models"]
    fault = evaluate_fault(obs, cfg.tolerance)
    problems, summary = [], []
    for activation in cfg.activations:
        accuracy = reported.get(activation)
        if accuracy is None or not 0 <= accuracy <= 1:
            problems.append(msg("activation_compare.failed.missing" if activation not in reported else
                                "activation_compare.failed.not_a_fraction", activation=activation))
            continue
        model = next((m for m in models if m["activations"] and set(m["activations"]) == {activation}), None)
        if model is None:
            kinds = join((join((NAMES.get(k, k) for k in m["activations"]), ", ") if m["activations"]
                          else msg("activation_compare.no_activation") for m in models))
            problems.append(msg("activation_compare.failed.not_of_its_kind", name=NAMES[activation],
                                activation=activation,
                                found=kinds if models else msg("activation_compare.no_network")))
            continue
        if abs(model["measured"] - accuracy) > cfg.tolerance and not fault:
            problems.append(msg("activation_compare.failed.misreported", accuracy=accuracy, activation=activation,
                                measured=model["measured"]))
            continue
        summary.append(f"{NAMES[activation]} {accuracy:.3f}")
    if problems:
        return failed(msg("activation_compare.failed", function=cfg.function, problems=join(problems)))
    if fault:
        return passed(msg("activation_compare.passed.not_compared", fault=fault, summary=join(summary, ", ")))
    return passed(msg("activation_compare.passed", summary=join(summary, ", ")))
