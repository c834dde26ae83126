"""The parameters of the weight-initialisation lab's check kinds (09-2) in grader.toml, judged in
`checks.py` (statistics in the core's `checks/init_stats.py`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...rubric_base import Check


class InitFunctionCheck(Check):
    """One hand-written init function, called by the grader on weights of several shapes: does it fill
    each in place with the scheme's variance and the law's shape (statistics in `checks/init_stats.py`)?"""

    kind: Literal["init_function"] = "init_function"
    function: str = Field(description="the student function, e.g. xavier_uniform_")
    scheme: Literal["xavier", "he"] = Field(description="xavier: variance 2/(fan_in+fan_out); he: 2/fan_in")
    law: Literal["uniform", "normal"]
    shapes: list[tuple[int, int]] = Field(min_length=1, description="(fan_out, fan_in) weights it is handed, "
                                          "as nn.Linear stores them; include non-square ones so swapped fans show")
    false_failure_rate: float = Field(1e-6, gt=0, lt=0.01, description="chance that a correct function fails, "
                                      "all shapes and tests together")


class FromScratchCheck(Check):
    """The init functions are written from the formulas: none of them calls into torch.nn.init."""

    kind: Literal["from_scratch"] = "from_scratch"
    functions: list[str] = Field(min_length=1)


class ModelInitCheck(Check):
    """The builder applies the init function it is handed to every Linear weight (the grader hands
    its own, which leaves a mark)."""

    kind: Literal["model_init"] = "model_init"
    builder: str = "build_model"
    parameter: str = Field("init_fn", description="the builder's keyword argument that takes the init function")
