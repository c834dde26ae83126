"""The homework `mnist_bn` as a lab: its variants live in tests/variants.py (they came first)."""

from __future__ import annotations

from ..conftest import REFERENCE
from ..variants import VARIANTS

ASSIGNMENT = "mnist_bn"
__all__ = ["ASSIGNMENT", "CALIBRATION", "REFERENCE", "VARIANTS"]

# What benchmarks/calibrate.py grades next to the reference: a bug `accuracy` must catch, and a
# rule broken elsewhere that `accuracy` must not charge again.
CALIBRATION = ("no_zero_grad", "sgd")
