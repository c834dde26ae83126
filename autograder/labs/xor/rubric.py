"""The parameters of the XOR lab's own check kinds in grader.toml (judged in `checks.py`). Its
three builders' layers are the core's `architecture` kind (`rubric.py`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...rubric_base import Check


class XorDataCheck(Check):
    kind: Literal["xor_data"] = "xor_data"


class BceLossCheck(Check):
    kind: Literal["bce_loss"] = "bce_loss"
    rtol: float = Field(1e-4, gt=0)


class XorFitCheck(Check):
    """Trained by the student's train(), does the builder's model fit XOR (or, for the perceptron,
    must it not)? A network that can fit XOR does not from every initialisation, so it is trained
    from each of `seeds` in turn (offsets to the grader's seed) and passes at the first that fits.
    The seeds are calibrated: ones from which the reference fits within `steps`, so a model built
    the course's way (same layers, same order) fits at the first; one built otherwise gets fresh
    chances. A model that cannot fit XOR never will, whatever the seed: all seeds run."""

    kind: Literal["xor_fit"] = "xor_fit"
    builder: str
    fits: bool = Field(description="true: must fit all four points; false: must not (a single layer cannot)")
    steps: int = Field(ge=1, description="train(..., steps=) for each seed; calibrated in benchmarks/")
    seeds: list[int] = Field([0], min_length=1, max_length=10)


class XorPredictCheck(Check):
    kind: Literal["xor_predict"] = "xor_predict"
