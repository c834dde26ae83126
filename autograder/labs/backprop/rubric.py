"""The parameters of the backpropagation-by-hand lab's check kinds (08-2) in grader.toml, judged in
`checks.py`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...rubric_base import Check


class BpSigmoidCheck(Check):
    kind: Literal["bp_sigmoid"] = "bp_sigmoid"


class BpInitCheck(Check):
    kind: Literal["bp_init"] = "bp_init"
    hidden: list[int] = Field([30, 17], min_length=1, description="init_params(hidden=...) values tried")
    false_failure_rate: float = Field(1e-6, gt=0, lt=0.01)


class _BpNumbers(Check):
    tolerance: float = Field(1e-4, gt=0, description="largest relative error against the trusted float64 computation")


class BpForwardCheck(_BpNumbers):
    kind: Literal["bp_forward"] = "bp_forward"


class BpBackwardCheck(_BpNumbers):
    kind: Literal["bp_backward"] = "bp_backward"


class BpUpdateCheck(_BpNumbers):
    kind: Literal["bp_update"] = "bp_update"


class BpByHandCheck(Check):
    kind: Literal["bp_by_hand"] = "bp_by_hand"


class BpAccuracyCheck(Check):
    kind: Literal["bp_accuracy"] = "bp_accuracy"
    minimum: float = Field(gt=0, le=1)
    steps: int = Field(ge=1, description="train(..., steps=): batches of the assignment's batch_size")
    train_samples: int = Field(ge=100, description="the training images the grader's loader holds")
