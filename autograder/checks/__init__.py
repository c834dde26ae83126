"""The rubric's checks. A check in a feedback report is the `check_<kind>` function (its kind is
its id unless grader.toml sets `kind`) in one of:

- the core: `model.py` (shapes, order, dropout, init, architecture), `data.py` (loaders),
  `training.py` (loss, optimizer, train_mode, accuracy), `evaluation.py` (eval_mode, evaluate,
  sweep), `activations.py` (activation_compare);
- the labs with observations of their own: `softmax_tips.py` (tips_*), `xor.py` (xor_data,
  bce_loss, xor_fit, xor_predict), `backprop.py` (bp_*), `weight_init.py` (init_function,
  from_scratch, model_init), `bn_pair.py` (pair_*), `rbm.py` (rbm_*).
"""

from . import activations, backprop, bn_pair, data, evaluation, model, rbm, softmax_tips, training, weight_init, xor  # noqa: F401  (registers the checks)
from .base import REGISTRY, CheckSpec, Verdict
from .observations import Observations, Unavailable

__all__ = ["REGISTRY", "CheckSpec", "Observations", "Unavailable", "Verdict"]
