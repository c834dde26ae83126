"""The grader's own binary data for measuring pre-training, built from a seed by numpy alone, so that
the sandbox (which hands it to `pretrain()`) and the trusted process (which measures the RBM that
came back) build the same arrays without either trusting the other.

Why not MNIST: the trusted process never reads the training images, and a measurement on data the
student's process reported would measure nothing. These are noisy copies of a few random binary
prototypes with MNIST's density of ink: an RBM that runs CD on them learns the prototypes and
reconstructs held-out copies far better than any choice of biases alone can, while a random or
untouched RBM reconstructs every pixel as about one half.
"""

from __future__ import annotations

import numpy as np

PIXELS = 784
PROTOTYPES = 10
INK = 0.15  # share of a prototype's pixels that are 1, about binarised MNIST's
FLIP = 0.03  # chance that a copy flips a pixel of its prototype
HELD_OUT = 1000  # copies kept for the measurement, never handed to pretrain()


def patterns(seed: int, count: int) -> np.ndarray:
    """`count` training copies then `HELD_OUT` held-out ones, float32 0/1 rows of `PIXELS`."""
    rng = np.random.default_rng(seed)
    prototypes = rng.random((PROTOTYPES, PIXELS)) < INK
    copied = rng.integers(PROTOTYPES, size=count + HELD_OUT)
    return (prototypes[copied] ^ (rng.random((count + HELD_OUT, PIXELS)) < FLIP)).astype(np.float32)


def initial_weights(seed: int, hidden: int, visible: int) -> np.ndarray:
    """The W the RBM starts from before `pretrain()`: N(0, 0.01²), as the lab's RBM() draws it."""
    return (np.random.default_rng(seed + 1).standard_normal((hidden, visible)) * 0.01).astype(np.float32)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def reconstruction_error(W: np.ndarray, v_bias: np.ndarray, h_bias: np.ndarray, v: np.ndarray) -> float:
    """mean((v − p(v | p(h|v)))²), the mean-field up-down pass in float64: deterministic, so the
    same RBM always gets the same number (the lab's own error samples h and is not)."""
    W, v = W.astype(np.float64), v.astype(np.float64)
    hidden = _sigmoid(v @ W.T + h_bias.astype(np.float64))
    return float(np.mean((v - _sigmoid(hidden @ W + v_bias.astype(np.float64))) ** 2))
