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
    """backward() without autograd: decided by what its source can reach (read by the trusted side)
    and by what it did (a graph recorded, work in another thread), not only by the calls seen."""

    kind: Literal["bp_by_hand"] = "bp_by_hand"
    other_threads_ms: float = Field(0.2, gt=0, description="CPU time other threads may spend while forward(), "
                                    "backward() and update() run (honest code: none, measured within 0.005 ms)")


class BpAccuracyCheck(Check):
    kind: Literal["bp_accuracy"] = "bp_accuracy"
    minimum: float = Field(gt=0, le=1)
    steps: int = Field(ge=1, description="train(..., steps=): batches of the assignment's batch_size")
    train_samples: int = Field(ge=100, description="the training images the grader's loader holds")
