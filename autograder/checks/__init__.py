"""The rubric's checks. Each id in a feedback report is the `check_<id>` function in one of:
`model.py` (shapes, order, dropout, init), `data.py` (loaders), `training.py` (loss, optimizer,
train_mode, accuracy), `evaluation.py` (eval_mode, evaluate, sweep)."""

from . import data, evaluation, model, training  # noqa: F401  (registers the checks)
from .base import REGISTRY, CheckSpec, Verdict
from .observations import Observations, Unavailable

__all__ = ["REGISTRY", "CheckSpec", "Observations", "Unavailable", "Verdict"]
