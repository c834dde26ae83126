"""The softmax-tips lab's checks (07-1): `tips_data`, `tips_train`, `tips_test`, `tips_standardize`
(its `model` check is the core's `architecture`, `model.py`). Its phases run on small tensors,
without MNIST (`probe/softmax_tips.py`); their table entries are here. Every number is recomputed
here, in float64, from the raw values the sandbox sent."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..config import Assignment
from ..rubric_base import Check
from ..rubric_labs import TipsTrainCheck
from ..sandbox.protocol import register_phase
from .base import Verdict, check, failed, passed, tensor_problem
from .observations import Observations
from .training import cross_entropy

register_phase("tips_data", "toy_data()", ("toy_data",))
register_phase("tips_train", "train() on the lab's data", ("build_model", "train"))
register_phase("tips_test", "test()", ("build_model", "test"))
register_phase("tips_standardize", "standardize()", ("standardize",))

EXPECTED = {
    "x_train": ([[1, 2, 1], [1, 3, 2], [1, 3, 4], [1, 5, 5], [1, 7, 5], [1, 2, 5], [1, 6, 6], [1, 7, 7]], "float"),
    "y_train": ([2, 2, 2, 1, 1, 1, 0, 0], "int64"),
    "x_test": ([[2, 1, 1], [3, 1, 2], [3, 3, 4]], "float"),
    "y_test": ([2, 2, 2], "int64"),
}


@check("tips_data", "toy_data(): the lab's training and test sets", phases=("tips_data",))
def check_tips_data(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    data = obs.phase("tips_data")
    problems = []
    for name, (values, dtype) in EXPECTED.items():
        advice = ("make it a torch.FloatTensor" if dtype == "float" else
                  "make it a torch.LongTensor (F.cross_entropy needs class indices)")
        expected = [[float(v) for v in row] if isinstance(row, list) else float(row) for row in values]
        problem = tensor_problem(name, data[name], expected, dtype, advice, "the lab's")
        if problem:
            problems.append(problem)
    if problems:
        return failed("; ".join(problems) + ".")
    return passed("x_train, y_train, x_test and y_test are the lab's tensors, with float inputs and long labels.")


def _array(values: Any) -> np.ndarray | None:
    array = np.asarray(values, dtype=np.float64) if isinstance(values, list) else None
    return array if array is not None and array.ndim == 2 and np.isfinite(array).all() else None


@check("tips_train", lambda cfg: f"train(): zero_grad, backward and step every epoch; the cost falls (SGD, lr "
       f"{cfg.learning_rate:g})", phases=("tips_train",),
       asks=lambda cfg: {"tips_train": {"learning_rate": cfg.learning_rate, "epochs": cfg.epochs}})
def check_tips_train(obs: Observations, cfg: TipsTrainCheck, assignment: Assignment) -> Verdict:
    run = obs.phase("tips_train")
    epochs, calls = run["epochs"], run["calls"] or {}
    counted = {"optimizer.zero_grad()": calls.get("zero_grad"), "cost.backward()": run["backward"],
               "optimizer.step()": calls.get("step")}
    short = [f"{name} ran {count} times" for name, count in counted.items() if not isinstance(count, int) or count < epochs]
    if short:
        return failed(f"In {epochs} epochs of your train(), {'; '.join(short)}: each epoch computes the cost on "
                      "x_train, then calls optimizer.zero_grad(), cost.backward() and optimizer.step().")
    costs = run["costs"]
    if costs is None or len(costs) != epochs or any(c is None for c in costs):
        return failed(f"train() must return the {epochs} costs of its epochs as a list of numbers (cost.item()); it "
                      f"returned {run['costs_type'] if costs is None else f'{len(costs)} values'}.")
    targets = np.asarray(run["targets"])
    before, after = _array(run["before"]), _array(run["after"])
    if before is None or after is None:
        return failed("The model's outputs on x_train are not finite numbers after training.")
    start, end = cross_entropy(before, targets), cross_entropy(after, targets)
    if not end < start:
        return failed(f"The cost on the lab's x_train did not fall: {start:.4f} before train(), {end:.4f} after "
                      f"(SGD with lr {cfg.learning_rate:g}). Use F.cross_entropy(prediction, y_train) as the cost.")
    if not math.isclose(costs[0], start, rel_tol=1e-4, abs_tol=1e-6):
        return failed(f"train() returned {costs[0]:.4f} as the first epoch's cost, but the cross-entropy of the model's "
                      f"outputs on x_train was {start:.4f}: compute cost = F.cross_entropy(prediction, y_train).")
    return passed(f"Each epoch stepped once; the cost fell from {start:.4f} to {end:.4f} in {epochs} epochs.")


def _accuracy(logits: np.ndarray, targets: np.ndarray) -> float:
    return float((logits.argmax(axis=1) == targets).mean())


@check("tips_test", "test(): accuracy in [0, 1] and cost, without gradients, the model unchanged", phases=("tips_test",))
def check_tips_test(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    cases = obs.phase("tips_test")["cases"]
    for case in cases:
        if "error" in case:
            obs.raise_student_error(case["error"])
    for case in cases:
        logits, targets = _array(case["logits"]), np.asarray(case["targets"])
        if logits is None:
            return failed("The model's outputs on the test set are not finite numbers.")
        accuracy, cost = _accuracy(logits, targets), cross_entropy(logits, targets)
        if case["returned"] is None or None in case["returned"]:
            return failed(f"test() must return two numbers, (accuracy, cost); it returned a {case['returned_type']}.")
        got_accuracy, got_cost = case["returned"]
        if not math.isclose(got_accuracy, accuracy, abs_tol=1e-6):
            hint = " (a percentage? return a fraction between 0 and 1)" if math.isclose(got_accuracy, accuracy * 100) else ""
            return failed(f"On {len(targets)} points test() returned accuracy {got_accuracy:g}, but {accuracy:g} of them "
                          f"are classified right{hint}: compare prediction.max(1)[1] with y_test.")
        if not math.isclose(got_cost, cost, rel_tol=1e-4, abs_tol=1e-6):
            return failed(f"On {len(targets)} points test() returned cost {got_cost:.5f}, but the cross-entropy is "
                          f"{cost:.5f}: use F.cross_entropy(prediction, y_test).")
        if case["changed"]:
            return failed("test() changed the model's parameters: testing must only measure.")
        if case["grad"]:
            return failed(f"test() tracked gradients in {case['grad']} of {case['linear']} Linear calls: compute inside "
                          "`with torch.no_grad():`.")
    return passed(f"test() returned the accuracy and cost the grader computes, on {len(cases)} test sets, without "
                  "gradients and without changing the model.")


@check("tips_standardize", "standardize(): (x - mean) / std per column, x unchanged", phases=("tips_standardize",))
def check_tips_standardize(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    cases = obs.phase("tips_standardize")["cases"]
    for case in cases:
        if "error" in case:
            obs.raise_student_error(case["error"])
    for case in cases:
        x = np.asarray(case["input"], dtype=np.float64)
        expected = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
        seen = case["returned"]
        if seen.get("type") != "Tensor" or seen.get("values") is None:
            return failed(f"standardize() must return a tensor of x's shape; it returned a {seen.get('type')}.")
        got = np.asarray(seen["values"], dtype=np.float64)
        if got.shape != x.shape or not np.allclose(got, expected, rtol=1e-4, atol=1e-5):
            population = (x - x.mean(axis=0)) / x.std(axis=0)
            hint = (" It looks like the population std (unbiased=False): use x.std(dim=0), the lab's."
                    if got.shape == x.shape and np.allclose(got, population, rtol=1e-4, atol=1e-5) else
                    " Standardise each column: mu = x.mean(dim=0), sigma = x.std(dim=0), (x - mu) / sigma.")
            return failed(f"On a {x.shape[0]}×{x.shape[1]} input, standardize() returned values that are not "
                          f"(x - mean) / std per column.{hint}")
        if not case["unchanged"]:
            return failed("standardize() changed the tensor it was given: compute a new tensor, (x - mu) / sigma, "
                          "instead of changing x in place.")
    return passed(f"Each column standardised with its mean and unbiased std, on {len(cases)} inputs, x unchanged.")
