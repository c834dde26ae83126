"""The RBM bonus lab's checks: `rbm_conditionals`, `rbm_sampling`, `rbm_free_energy`, `rbm_cd`,
`rbm_transfer`. Its phases are `phases.py`; their table entries are here. Every expected value
is computed here in float64 numpy from the parameters and inputs the grader drew; the sampling test
is Hoeffding's bound, at the configured false-failure rate."""

from __future__ import annotations

import math

import numpy as np

from ...catalog import join, msg
from ...config import Assignment
from ...rubric_base import Check
from ...sandbox.protocol import register_phase
from ...checks.base import Verdict, check, failed, passed
from ...checks.training import measured_accuracy
from ...checks.observations import Observations, Unavailable
from .rubric import RbmCdCheck, RbmSamplingCheck, RbmTransferCheck

register_phase("rbm_methods", ("__init__", "p_h_given_v", "p_v_given_h", "sample_h", "sample_v",
                                                      "free_energy"), mnist=True)
register_phase("rbm_cd", ("__init__", "cd_step", "p_h_given_v", "p_v_given_h", "sample_h", "sample_v"),
               mnist=True)
register_phase("rbm_pretrain", ("__init__", "pretrain", "cd_step", "mlp_from_rbm"),
               mnist=True)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _expected(a: dict[str, np.ndarray], prefix: str = "") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (a[f"{prefix}W"].astype(np.float64), a[f"{prefix}v_bias"].astype(np.float64),
            a[f"{prefix}h_bias"].astype(np.float64))


def _close(got: np.ndarray, want: np.ndarray) -> bool:
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-4, atol=1e-5))


@check("rbm_conditionals", msg("rbm_conditionals.title"),
       phases=("rbm_methods",))
def check_rbm_conditionals(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    obs.phase("rbm_methods")
    a = obs.arrays("rbm_methods.safetensors")
    W, v_bias, h_bias = _expected(a)
    for name, got, want, formula in (
            ("p_h_given_v", a["p_h"], sigmoid(a["v"] @ W.T + h_bias), "sigmoid(v @ W.t() + h_bias)"),
            ("p_v_given_h", a["p_v"], sigmoid(a["h"] @ W + v_bias), "sigmoid(h @ W + v_bias)")):
        if not _close(got, want):
            return failed(msg("rbm_conditionals.failed", name=name, formula=formula))
    return passed(msg("rbm_conditionals.passed"))


@check("rbm_sampling", msg("rbm_sampling.title"), phases=("rbm_methods",),
       asks=lambda cfg: {"rbm_methods": {"draws": cfg.draws}})
def check_rbm_sampling(obs: Observations, cfg: RbmSamplingCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("rbm_methods")
    if not seen["binary"]:
        return failed(msg("rbm_sampling.failed.not_binary"))
    a = obs.arrays("rbm_methods.safetensors")
    W, v_bias, h_bias = _expected(a)
    units = W.shape[0] + W.shape[1]
    limit = math.sqrt(math.log(2 * units / cfg.false_failure_rate) / (2 * seen["draws"]))  # Hoeffding, every unit
    for name, means, probabilities in (("sample_h", a["mean_h"], sigmoid(a["v"][:1] @ W.T + h_bias)[0]),
                                       ("sample_v", a["mean_v"], sigmoid(a["h"][:1] @ W + v_bias)[0])):
        worst = float(np.max(np.abs(means.astype(np.float64) - probabilities)))
        if worst > limit:
            return failed(msg("rbm_sampling.failed.frequency", draws=seen["draws"], name=name, worst=worst,
                              limit=limit))
    return passed(msg("rbm_sampling.passed", draws=seen["draws"], limit=limit, rate=cfg.false_failure_rate))


@check("rbm_free_energy", msg("rbm_free_energy.title"),
       phases=("rbm_methods",))
def check_rbm_free_energy(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    obs.phase("rbm_methods")
    a = obs.arrays("rbm_methods.safetensors")
    W, v_bias, h_bias = _expected(a)
    v = a["v"].astype(np.float64)
    want = -(v @ v_bias) - np.logaddexp(0, v @ W.T + h_bias).sum(axis=1)
    if not _close(a["free_energy"], want):
        shape = list(a["free_energy"].shape)
        return failed(msg("rbm_free_energy.failed", shape=shape, examples=len(v)))
    return passed(msg("rbm_free_energy.passed"))


@check("rbm_cd", msg("rbm_cd.title"),
       phases=("rbm_cd", "rbm_pretrain"), asks=lambda cfg: {"rbm_cd": {"k": cfg.k, "learning_rate": cfg.learning_rate}})
def check_rbm_cd(obs: Observations, cfg: RbmCdCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("rbm_cd")
    if seen["samples_v"] != cfg.k or seen["samples_h"] < 1:
        return failed(msg("rbm_cd.failed.samples", k=cfg.k, samples_v=seen["samples_v"], samples_h=seen["samples_h"]))
    a = obs.arrays("rbm_cd.safetensors")
    W, v_bias, h_bias = _expected(a, "old_")
    v0, vk = a["v0"].astype(np.float64), a[f"sample_v{cfg.k - 1}"].astype(np.float64)
    h0 = a["sample_h0"].astype(np.float64)
    p0, pk, lr = sigmoid(v0 @ W.T + h_bias), sigmoid(vk @ W.T + h_bias), cfg.learning_rate
    want = {"W": W + lr * (p0.T @ v0 - pk.T @ vk) / len(v0), "v_bias": v_bias + lr * (v0 - vk).mean(0),
            "h_bias": h_bias + lr * (p0 - pk).mean(0)}
    wrong = [name for name in want if not _close(a[f"new_{name}"], want[name])]
    if wrong:
        return failed(msg("rbm_cd.failed.update", names=join(wrong, ", "), k=cfg.k))
    error = float(np.mean((v0 - sigmoid(h0 @ W + v_bias)) ** 2))
    if seen["error"] is None or not math.isclose(seen["error"], error, rel_tol=1e-3):
        return failed(msg("rbm_cd.failed.error", returned=seen["error"], error=error))
    try:
        errors = obs.phase("rbm_pretrain")["errors"]
    except Unavailable:
        errors = None
    if not errors or any(e is None for e in errors) or len(errors) < 10:
        return failed(msg("rbm_cd.failed.no_errors"))
    first, last = float(np.mean(errors[:5])), float(np.mean(errors[-5:]))
    if not last < first:
        return failed(msg("rbm_cd.failed.not_falling", first=first, last=last))
    return passed(msg("rbm_cd.passed", k=cfg.k, first=first, last=last))


@check("rbm_transfer", msg("rbm_transfer.title"),
       phases=("rbm_pretrain",), asks=lambda cfg: {"rbm_pretrain": {
           "pretrain_samples": cfg.pretrain_samples, "train_samples": cfg.train_samples, "learning_rate": cfg.learning_rate}})
def check_rbm_transfer(obs: Observations, cfg: RbmTransferCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("rbm_pretrain")
    if not seen["starts_equal"]:
        return failed(msg("rbm_transfer.failed.not_copied", layer=seen["first_layer"] or msg("rbm_transfer.no_layer"),
                          shape=seen["rbm_shape"]))
    accuracy = measured_accuracy(obs)
    if accuracy >= cfg.minimum:
        return passed(msg("rbm_transfer.passed", images=seen["train_samples"], accuracy=accuracy, minimum=cfg.minimum),
                      accuracy, cfg.minimum)
    return failed(msg("rbm_transfer.failed.accuracy", images=seen["train_samples"], accuracy=accuracy,
                      minimum=cfg.minimum), accuracy, cfg.minimum)
