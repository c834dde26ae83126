"""What a sandbox is asked to run for an assignment: the phases its checks read (`@check(...,
phases=...)`), in the order of the one table of phases (`sandbox/protocol.py`), with the
parameters grader.toml gives."""

from __future__ import annotations

from typing import Any

from .checks import REGISTRY
from .config import Assignment, Config
from .sandbox.protocol import PHASES, ProbePlan, SweepPlan


def plan(name: str, assignment: Assignment, config: Config) -> ProbePlan:
    """The sandbox's instructions for one assignment: the phases its checks read, and their budgets."""
    checks = assignment.checks
    needed = {phase for check in checks.enabled().values() for phase in REGISTRY[check.kind].phases}
    phases = [phase for phase in PHASES if phase in needed and phase != "import"]
    sweep, accuracy = checks.first("sweep"), checks.first("accuracy")
    return ProbePlan(
        module_name=assignment.module_name,
        phases=phases,
        seed=config.grader.seed,
        device=config.grader.device,
        learning_rate=assignment.learning_rate,
        batch_size=assignment.batch_size,
        holdout=assignment.holdout,
        epochs=accuracy.epochs if accuracy else 1,
        train_samples=accuracy.train_samples if accuracy else 1000,
        test_samples=accuracy.test_samples if accuracy else 10000,
        input_shape=list(assignment.input_shape),
        sweep=SweepPlan(configs=sweep.configs, train_samples=sweep.train_samples, epochs=sweep.epochs,
                        test_samples=sweep.test_samples) if sweep else None,
        needs_mnist=any(PHASES[phase].mnist for phase in phases),
        params=_asked(checks.enabled().values()),
    )


def _asked(checks) -> dict[str, Any]:
    """What the checks ask their phases to do, joined: lists are merged in order without repeats,
    dicts key by key, and a scalar is the first check's."""
    params: dict[str, Any] = {}
    for check in checks:
        asks = REGISTRY[check.kind].asks
        for key, value in (asks(check) if asks else {}).items():
            if isinstance(value, list):
                params[key] = list(dict.fromkeys([*params.get(key, []), *value]))
            elif isinstance(value, dict):
                params[key] = {**params.get(key, {}), **value}
            else:
                params.setdefault(key, value)
    return params
