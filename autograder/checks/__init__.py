"""The rubric's checks. A check in a feedback report is the `check_<kind>` function (its kind is
its id unless grader.toml sets `kind`), registered with `@check("<kind>", ...)` in one of:

- the core: `model.py` (shapes, order, dropout, init, architecture), `data.py` (loaders),
  `training.py` (loss, optimizer, train_mode, training_loop, accuracy), `evaluation.py`
  (eval_mode, evaluate, sweep), `activations.py` (activation_compare);
- a lab's folder, for the kinds of the labs with observations of their own:
  `autograder/labs/<name>/checks.py` (found by `labs.load`, never listed here).
"""

from . import activations, data, evaluation, model, training  # noqa: F401  (registers the core's checks)
from .. import labs
from .base import REGISTRY, CheckSpec, Verdict
from .observations import Observations, Unavailable

labs.load("checks")  # registers every lab's checks and its phases' table entries, after the core's

__all__ = ["REGISTRY", "CheckSpec", "Observations", "Unavailable", "Verdict"]
