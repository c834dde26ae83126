"""The parameters of the batch-normalization lab's own check kinds (09-4: a pair of models, with and
without BatchNorm) in grader.toml, judged in `checks.py`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...rubric_base import Check


class PairShapesCheck(Check):
    kind: Literal["pair_shapes"] = "pair_shapes"
    linear: list[tuple[int, int]] = Field(min_length=1, description="Linear (in, out) of both models")
    batchnorm: list[int] = Field(description="BatchNorm1d sizes of bn_model (nn_model has none)")


class PairOrderCheck(Check):
    kind: Literal["pair_order"] = "pair_order"


class PairTrainModeCheck(Check):
    kind: Literal["pair_train_mode"] = "pair_train_mode"


class PairEvalModeCheck(Check):
    kind: Literal["pair_eval_mode"] = "pair_eval_mode"


class PairEvaluateCheck(Check):
    kind: Literal["pair_evaluate"] = "pair_evaluate"
    tolerance: float = Field(0.002, ge=0)


class PairAccuracyCheck(Check):
    kind: Literal["pair_accuracy"] = "pair_accuracy"
    minimum: float = Field(gt=0, le=1)
    epochs: int = Field(1, ge=1)
    train_samples: int = Field(ge=100)


class PairCompareCheck(Check):
    kind: Literal["pair_compare"] = "pair_compare"
    epochs: int = Field(1, ge=1)
    train_samples: int = Field(2000, ge=100)
    valid_batches: int = Field(50, ge=1, description="whole batches of the holdout handed as valid_loader")
    tolerance: float = Field(0.002, ge=0)
    minimum: float = Field(gt=0, le=1, description="the hidden-test accuracy each model must reach to count as trained")
    test_samples: int = Field(2000, ge=100, le=10000, description="the hidden test images each model predicts")
