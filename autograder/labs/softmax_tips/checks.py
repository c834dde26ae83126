"""The softmax-tips lab's checks (07-1): `tips_data`, `tips_train`, `tips_test`, `tips_standardize`
(its `model` check is the core's `architecture`, `checks/model.py`). Its phases run on small tensors,
without MNIST (`phases.py`); their table entries are here. Every number is recomputed
here, in float64, from the raw values the sandbox sent."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...catalog import join, msg
from ...config import Assignment
from ...rubric_base import Check
from ...sandbox.protocol import register_phase
from ...checks.base import Verdict, check, failed, passed, tensor_problem
from ...checks.capability import AUTOGRAD, written_out
from ...checks.observations import Observations
from ...checks.training import cross_entropy
from .rubric import TipsTrainCheck

register_phase("tips_data", ("toy_data",))
register_phase("tips_train", ("build_model", "train"))
register_phase("tips_test", ("build_model", "test"))
register_phase("tips_standardize", ("standardize",))

EXPECTED = {
    "x_train": ([[1, 2, 1], [1, 3, 2], [1, 3, 4], [1, 5, 5], [1, 7, 5], [1, 2, 5], [1, 6, 6], [1, 7, 7]], "float"),
    "y_train": ([2, 2, 2, 1, 1, 1, 0, 0], "int64"),
    "x_test": ([[2, 1, 1], [3, 1, 2], [3, 3, 4]], "float"),
    "y_test": ([2, 2, 2], "int64"),
}


@check("tips_data", msg("tips_data.title"), phases=("tips_data",))
def check_tips_data(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    data = obs.phase("tips_data")
    problems = []
    for name, (values, dtype) in EXPECTED.items():
        floats = dtype == "float"
        advice = msg("tips_data.advice.float" if floats else "tips_data.advice.long")
        expected = [[float(v) for v in row] if isinstance(row, list) else float(row) for row in values]
        problem = tensor_problem(name, data[name], expected, dtype, advice, msg("tips_data.whose"))
        if problem:
            problems.append(problem)
    if problems:
        return failed(msg("tips_data.failed", problems=join(problems)))
    return passed(msg("tips_data.passed"))


def _array(values: Any) -> np.ndarray | None:
    array = np.asarray(values, dtype=np.float64) if isinstance(values, list) else None
    return array if array is not None and array.ndim == 2 and np.isfinite(array).all() else None


@check("tips_train", lambda cfg: msg("tips_train.title", learning_rate=cfg.learning_rate), phases=("tips_train",),
       asks=lambda cfg: {"tips_train": {"learning_rate": cfg.learning_rate, "epochs": cfg.epochs}})
def check_tips_train(obs: Observations, cfg: TipsTrainCheck, assignment: Assignment) -> Verdict:
    run = obs.phase("tips_train")
    epochs, calls = run["epochs"], run["calls"] or {}
    counted = {"optimizer.zero_grad()": calls.get("zero_grad"), "cost.backward()": run["backward"],
               "optimizer.step()": calls.get("step")}
    short = [msg("tips_train.short.uncounted" if not isinstance(count, int) else
                 "tips_train.short.once" if count == 1 else "tips_train.short", call=name, count=count)
             for name, count in counted.items() if not isinstance(count, int) or count < epochs]
    if short:
        return failed(msg("tips_train.failed.calls", epochs=epochs, calls=join(short)))
    costs = run["costs"]
    if costs is None or len(costs) != epochs or any(c is None for c in costs):
        return failed(msg("tips_train.failed.costs.type" if costs is None else "tips_train.failed.costs.count",
                          epochs=epochs, type=run["costs_type"], count=0 if costs is None else len(costs)))
    targets = np.asarray(run["targets"])
    before, after = _array(run["before"]), _array(run["after"])
    if before is None or after is None:
        return failed(msg("tips_train.failed.not_finite"))
    start, end = cross_entropy(before, targets), cross_entropy(after, targets)
    if not end < start:
        return failed(msg("tips_train.failed.no_fall", start=start, end=end, learning_rate=cfg.learning_rate))
    if not math.isclose(costs[0], start, rel_tol=1e-4, abs_tol=1e-6):
        return failed(msg("tips_train.failed.first_cost", returned=costs[0], measured=start))
    return passed(msg("tips_train.passed", start=start, end=end, epochs=epochs))


def _accuracy(logits: np.ndarray, targets: np.ndarray) -> float:
    return float((logits.argmax(axis=1) == targets).mean())


@check("tips_test", msg("tips_test.title"), phases=("tips_test",))
def check_tips_test(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    cases = obs.phase("tips_test")["cases"]
    for case in cases:
        if "error" in case:
            obs.raise_student_error(case["error"])
    for case in cases:
        logits, targets = _array(case["logits"]), np.asarray(case["targets"])
        if logits is None:
            return failed(msg("tips_test.failed.not_finite"))
        accuracy, cost = _accuracy(logits, targets), cross_entropy(logits, targets)
        if case["returned"] is None or None in case["returned"]:
            return failed(msg("tips_test.failed.not_two_numbers", type=case["returned_type"]))
        got_accuracy, got_cost = case["returned"]
        if not math.isclose(got_accuracy, accuracy, abs_tol=1e-6):
            return failed(msg("tips_test.failed.accuracy.percentage" if math.isclose(got_accuracy, accuracy * 100) else
                              "tips_test.failed.accuracy", points=len(targets), returned=got_accuracy,
                              measured=accuracy))
        if not math.isclose(got_cost, cost, rel_tol=1e-4, abs_tol=1e-6):
            return failed(msg("tips_test.failed.cost", points=len(targets), returned=got_cost, measured=cost))
        if case["changed"]:
            return failed(msg("tips_test.failed.changed"))
        read = written_out(obs, ["test"], AUTOGRAD)
        if read is not None:
            return failed(msg("tips_test.failed.source", found=read))
        if case["grad"]:
            return failed(msg("tips_test.failed.gradients", tracked=case["grad"], calls=case["calls"],
                              ops=join(case["tracked_by"], ", ")))
    return passed(msg("tips_test.passed", sets=len(cases)))


@check("tips_standardize", msg("tips_standardize.title"), phases=("tips_standardize",))
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
            return failed(msg("tips_standardize.failed.not_a_tensor", type=seen.get("type")))
        got = np.asarray(seen["values"], dtype=np.float64)
        if got.shape != x.shape or not np.allclose(got, expected, rtol=1e-4, atol=1e-5):
            population = (x - x.mean(axis=0)) / x.std(axis=0)
            population_std = got.shape == x.shape and np.allclose(got, population, rtol=1e-4, atol=1e-5)
            return failed(msg("tips_standardize.failed.values.population_std" if population_std else
                              "tips_standardize.failed.values", rows=x.shape[0], columns=x.shape[1]))
        if not case["unchanged"]:
            return failed(msg("tips_standardize.failed.in_place"))
    return passed(msg("tips_standardize.passed", inputs=len(cases)))
