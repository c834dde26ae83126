"""The parameters of the RBM bonus lab's check kinds in grader.toml, judged in `checks.py`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...rubric_base import Check


class RbmConditionalsCheck(Check):
    kind: Literal["rbm_conditionals"] = "rbm_conditionals"


class RbmSamplingCheck(Check):
    kind: Literal["rbm_sampling"] = "rbm_sampling"
    draws: int = Field(4000, ge=100, description="samples of one input, whose frequencies are compared per unit")
    false_failure_rate: float = Field(1e-6, gt=0, lt=0.01, description="chance that a correct sampler fails")


class RbmFreeEnergyCheck(Check):
    kind: Literal["rbm_free_energy"] = "rbm_free_energy"


class RbmCdCheck(Check):
    kind: Literal["rbm_cd"] = "rbm_cd"
    k: int = Field(2, ge=1, le=10, description="cd_step(..., k=): Gibbs steps")
    learning_rate: float = Field(0.1, gt=0)
    patterns_seed: int = Field(21, description="the grader's pre-training data and starting W (patterns.py)")
    pretrain_samples: int = Field(3000, ge=500, description="patterns pretrain() runs over (one epoch)")
    maximum_error: float = Field(gt=0, lt=0.25, description="held-out reconstruction error pretrain() must reach "
                                 "(an untouched RBM: 0.25)")


class RbmTransferCheck(Check):
    kind: Literal["rbm_transfer"] = "rbm_transfer"
    minimum: float = Field(gt=0, le=1)
    pretrain_samples: int = Field(ge=100, description="images pretrain() runs over (one epoch)")
    train_samples: int = Field(ge=100, description="images the grader trains the MLP's later layers on, the "
                               "first frozen (one pass)")
    learning_rate: float = Field(0.01, gt=0, description="the grader's Adam")
