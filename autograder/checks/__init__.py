"""The rubric's checks. A check in a feedback report is the `check_<kind>` function (its kind is
its id unless grader.toml sets `kind`) in one of: `model.py` (shapes, order, dropout, init, architecture),
`data.py` (loaders), `training.py` (loss, optimizer, train_mode, accuracy), `evaluation.py`
(eval_mode, evaluate, sweep), `activations.py` (activation_compare), and the labs with observations of their own: `bn_pair.py` (pair_shapes, pair_order, pair_train_mode,
pair_eval_mode, pair_evaluate, pair_accuracy, pair_compare), `backprop.py` (bp_sigmoid, bp_init, bp_forward, bp_backward,
bp_by_hand, bp_update, bp_accuracy), `xor.py` (xor_data,
bce_loss, xor_fit, xor_predict), `softmax_tips.py` (tips_data, tips_train, tips_test, tips_standardize) and `weight_init.py` (init_function, from_scratch,
model_init)."""

from . import activations, backprop, bn_pair, data, evaluation, model, softmax_tips, training, weight_init, xor  # noqa: F401  (registers the checks)
from .base import REGISTRY, CheckSpec, Verdict
from .observations import Observations, Unavailable

__all__ = ["REGISTRY", "CheckSpec", "Observations", "Unavailable", "Verdict"]
