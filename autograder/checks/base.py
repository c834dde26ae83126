"""The shape every check has: a small pure function from observations to a verdict.

A check is registered with `@check(id, title, phases)`: `phases` are the probe phases whose
observations it reads, which is also how the trusted side plans what a sandbox runs and which
student functions the check exercises (the phase table in `sandbox/protocol.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..catalog import Text, msg
from ..config import Assignment
from ..rubric import Check
from ..sandbox.protocol import PHASES
from .observations import Observations


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: Text  # a catalog message (catalog/), in no language yet
    measured: float | None = None  # the value a measuring check compared (an accuracy), for the class report
    threshold: float | None = None  # what it was compared with (grader.toml)


Judge = Callable[[Observations, Any, Assignment], Verdict]
Title = Text | Callable[[Any], Text]  # fixed, or built from the check's parameters in grader.toml
Asks = Callable[[Any], dict[str, Any]]  # from a check's parameters, what its phases should do (ProbePlan.params)


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: Title
    phases: tuple[str, ...]
    judge: Judge
    asks: Asks | None = None

    @property
    def functions(self) -> tuple[str, ...]:
        """The student functions this check exercises: those its phases call (the phase table)."""
        return tuple(dict.fromkeys(name for phase in self.phases for name in PHASES[phase].functions))

    def functions_for(self, cfg: Check) -> tuple[str, ...]:
        """Those of one configured check: its phases' functions, and the student functions its
        parameters name (`builder`, `function`, `functions`), if any."""
        named = [getattr(cfg, "builder", None), getattr(cfg, "function", None), *getattr(cfg, "functions", [])]
        return tuple(dict.fromkeys([*self.functions, *(name for name in named if name)]))

    def title_for(self, cfg: Check) -> Text:
        """The title a report shows: what this assignment's parameters ask for, not a fixed text."""
        return self.title(cfg) if callable(self.title) else self.title


REGISTRY: dict[str, CheckSpec] = {}


def check(id: str, title: Title, phases: tuple[str, ...], asks: Asks | None = None) -> Callable[[Judge], Judge]:
    """Register a check that reads the observations of `phases` (which also says which student
    functions it exercises, for "not implemented yet"). `asks` turns the check's parameters into
    what its phases should do, e.g. `{"train": ["build_mlp"]}`: lists from several checks are
    joined, so two checks of one kind can ask the same phase for different models."""

    def register(judge: Judge) -> Judge:
        REGISTRY[id] = CheckSpec(id, title, phases, judge, asks)
        return judge

    return register


def tensor_problem(name: str, seen: dict[str, Any], expected: list[Any], dtype: str, advice: Text,
                   whose: Text) -> Text | None:
    """What is wrong with a tensor a student function returned (as `probe.context.plain` describes
    it), against the lab's values: not a tensor, another dtype (`advice` says which to use), other
    values (`whose`: whose values they should be). None when it is the lab's."""
    if seen.get("type") != "Tensor":
        return msg("tensor_problem.not_a_tensor", name=name, type=seen.get("type"))
    if not seen.get("dtype", "").startswith(dtype):
        return msg("tensor_problem.dtype", name=name, dtype=seen["dtype"], advice=advice)
    if seen.get("values") != expected:
        return msg("tensor_problem.values", name=name, seen=seen.get("values"), whose=whose, expected=expected)
    return None


def passed(message: Text, measured: float | None = None, threshold: float | None = None) -> Verdict:
    return Verdict(True, message, measured, threshold)


def failed(message: Text, measured: float | None = None, threshold: float | None = None) -> Verdict:
    return Verdict(False, message, measured, threshold)


__all__ = ["Check", "CheckSpec", "REGISTRY", "Verdict", "check", "failed", "passed", "tensor_problem"]
