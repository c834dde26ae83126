"""What the trusted side measures of a network a student's function trained: its accuracy on test
labels only this process holds. The sandbox writes the network's predicted class of the first test
images; it never sees their labels, so a network scores well here only by having learned. Shared
by the checks that judge a comparison of networks: `sweep` (compare_hidden_sizes), `activation_compare`
and mnist_batchnorm's `pair_compare`."""

from __future__ import annotations

import numpy as np

from ..catalog import msg
from ..config import Assignment
from .base import REGISTRY
from .observations import Observations, Unavailable


def hidden_accuracy(obs: Observations, predictions: np.ndarray | None, samples: int) -> float:
    """The fraction of the first `samples` hidden test labels that predictions the sandbox wrote of
    the first test images match, compared here (also mnist_batchnorm's `pair_compare`)."""
    labels = obs.test_labels
    if labels is None:
        raise Unavailable(msg("training.no_test_labels"))
    if predictions is None or predictions.shape != (samples,) or predictions.dtype != np.int64:
        raise Unavailable(msg("training.malformed_predictions"))
    return float((predictions == labels[:samples]).mean())


def train_excused(obs: Observations, assignment: Assignment) -> bool:
    """Whether a network of the comparison that did not learn is already explained by train(): the
    grader's own run of it did not reach `accuracy`'s minimum either (measured on the hidden labels),
    and `accuracy` charges that. (A train() broken on purpose then saves these points for those:
    docs/security.md's limits.)"""
    cfg = assignment.checks.first("accuracy")
    if cfg is None:
        return False
    try:
        return not REGISTRY[cfg.kind].judge(obs, cfg, assignment).passed
    except Unavailable:
        return False
