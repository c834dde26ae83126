"""The check of a lab that compares activations (09-1: ReLU against sigmoid): `activation_compare`.
Its phase is `probe/activations.py`; its table entry is here."""

from __future__ import annotations

from ..config import Assignment
from ..rubric import ActivationCompareCheck
from ..sandbox.protocol import register_phase
from .base import Verdict, check, failed, passed
from .evaluation import evaluate_fault
from .observations import Observations

register_phase("compare_activations", "the comparison of activations", ("build_model", "make_criterion",
               "make_optimizer", "train", "evaluate"), mnist=True)

NAMES = {"relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh", "leaky_relu": "LeakyReLU", "elu": "ELU", "gelu": "GELU"}


@check("activation_compare", lambda cfg: f"{cfg.function}(): " + " against ".join(NAMES[a] for a in cfg.activations)
       + ", each network of its kind, reported as measured", phases=("compare_activations",),
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
            problems.append(f"the value for \"{activation}\" is {'missing' if activation not in reported else 'not a number in [0, 1]'}")
            continue
        model = next((m for m in models if m["activations"] and set(m["activations"]) == {activation}), None)
        if model is None:
            kinds = "; ".join(", ".join(NAMES.get(k, k) for k in m["activations"]) or "no activation" for m in models)
            problems.append(f"no network whose activations are all {NAMES[activation]} was trained (the grader "
                            f"found: {kinds or 'no network'}): build_model(\"{activation}\") must use {NAMES[activation]}")
            continue
        if abs(model["measured"] - accuracy) > cfg.tolerance and not fault:
            problems.append(f"you report {accuracy:.4f} for {activation}, the grader measured {model['measured']:.4f} "
                            "for that network")
            continue
        summary.append(f"{NAMES[activation]} {accuracy:.3f}")
    if problems:
        return failed(f"{cfg.function}(): " + "; ".join(problems) + ".")
    how = (f"reported accuracies (not compared: evaluate() is already marked down by the `{fault}` check)"
           if fault else "reported what the grader measured")
    return passed(f"Each network was of its kind and {how}: " + ", ".join(summary) + ".")
