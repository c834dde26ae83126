"""What a training run of the XOR lab achieved, measured from the weights alone, in numpy: shared
by the sandbox (`phases.py`, which only uses it to decide which runs to do next) and the trusted
process (`checks.py`, whose verdicts rest on it). No torch, no student code.

The grader hands train() data it chose: the four points in a row order drawn from its seed, with
the XNOR labels (1 - XOR), and the model with its last Linear layer negated. Because
sigmoid(-z) = 1 - sigmoid(z), BCE(1 - p, 1 - y) = BCE(p, y) and the gradients mirror exactly, a
network trained that way follows the same path as the course's network on XOR (the calibrated
seeds stay valid), while a train() that hard-codes XOR's answer, or never trains, learns nothing.
Predictions and costs are reported as the student's model (last layer as built) sees them: on
XOR."""

from __future__ import annotations

from typing import Any

import numpy as np

POINTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR = [0.0, 1.0, 1.0, 0.0]
HANDED = [1.0 - y for y in XOR]  # the labels train() is handed (in the grader's row order)
MAX_LAYERS = 16
MAX_WEIGHTS = 100_000  # a model larger than this is not the lab's: not exported, not recomputed
AGREE = 1e-4  # the student's forward pass and the recomputation agree within this (float32 vs float64)
COST_TOLERANCE = 0.02  # a returned last cost this far from the measured one contradicts the weights


def key(prefix: str, stage: str, index: int, part: str) -> str:
    """The safetensors name of one weight of one run: `build_mlp.0.after.1.weight`."""
    return f"{prefix}.{stage}.{index}.{part}"


def layers(arrays: dict[str, np.ndarray], prefix: str, stage: str) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """The (weight, bias) of each Linear layer of a run, in the order they ran; None when they do
    not chain from 2 inputs to 1 output (then the outputs cannot be recomputed)."""
    found, index = [], 0
    while key(prefix, stage, index, "weight") in arrays:
        weight = np.asarray(arrays[key(prefix, stage, index, "weight")], dtype=np.float64)
        bias = np.asarray(arrays.get(key(prefix, stage, index, "bias"), np.zeros(len(weight))), dtype=np.float64)
        found.append((weight, bias))
        index += 1
    widths = [2] + [w.shape[0] if w.ndim == 2 else -1 for w, _ in found]
    chained = found and all(w.ndim == 2 and w.shape[1] == n and b.shape == (w.shape[0],)
                            for (w, b), n in zip(found, widths))
    return found if chained and widths[-1] == 1 else None


def outputs(chain: list[tuple[np.ndarray, np.ndarray]], activation: str) -> np.ndarray:
    """The network's outputs on the four points: each Linear layer followed by the lab's activation."""
    h = POINTS
    for weight, bias in chain:
        h = h @ weight.T + bias
        if activation == "sigmoid":
            h = 1.0 / (1.0 + np.exp(-np.clip(h, -500, 500)))
        elif activation == "relu":
            h = np.maximum(h, 0.0)
    return h.reshape(-1)


def bce(p: np.ndarray, labels: list[float]) -> float:
    """The mean binary cross-entropy as torch's BCELoss computes it (each log clamped at -100)."""
    y = np.asarray(labels)
    with np.errstate(divide="ignore"):
        return float(-np.mean(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log(1 - p), -100)))


def judge_run(arrays: dict[str, np.ndarray], prefix: str, activation: str, reported_last: float | None,
              cross_check: bool) -> dict[str, Any]:
    """One run, measured: the costs before and after training recomputed from the weights, the
    thresholded predictions (as the model built by the student sees XOR), whether the model's own
    forward pass gave what its layers compute (`cross_check`: on the student's model, not the
    grader's), whether that fits XOR, and whether the last cost train() returned agrees."""
    before, after = layers(arrays, prefix, "before"), layers(arrays, prefix, "after")
    if before is None or after is None:
        return {"fits": False, "agrees": False, "predicted": None, "first_cost": None, "last_cost": None,
                "consistent": True}
    p = outputs(after, activation)
    ran = arrays.get(f"{prefix}.outputs")
    agrees = not cross_check or (ran is not None and ran.size == 4 and
                                 bool(np.all(np.abs(ran.astype(np.float64).reshape(-1) - p) <= AGREE)))
    predicted = [float(1.0 - q > 0.5) for q in p]
    last = bce(p, HANDED)
    return {"fits": agrees and predicted == XOR, "agrees": agrees, "predicted": predicted,
            "first_cost": bce(outputs(before, activation), HANDED), "last_cost": last,
            "consistent": reported_last is None or abs(reported_last - last) <= COST_TOLERANCE}
