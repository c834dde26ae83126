"""The parameters of the softmax-tips lab's own check kinds in grader.toml (judged in `checks.py`).
Its `model` check is the core's `architecture` kind."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...rubric_base import Check


class TipsDataCheck(Check):
    kind: Literal["tips_data"] = "tips_data"


class TipsTrainCheck(Check):
    """The student's train() with the grader's SGD: zero_grad/backward/step every epoch, the cost falls."""

    kind: Literal["tips_train"] = "tips_train"
    learning_rate: float = Field(0.1, gt=0, description="the SGD learning rate the grader hands train() (the lab's)")
    epochs: int = Field(20, ge=1, description="nb_epochs passed to train()")


class TipsTestCheck(Check):
    kind: Literal["tips_test"] = "tips_test"


class TipsStandardizeCheck(Check):
    kind: Literal["tips_standardize"] = "tips_standardize"
