"""The RBM bonus lab's checks: `rbm_conditionals`, `rbm_sampling`, `rbm_free_energy`, `rbm_cd`,
`rbm_transfer`. Its phases are `probe/rbm.py`; their table entries are here. Every expected value
is computed here in float64 numpy from the parameters and inputs the grader drew; the sampling test
is Hoeffding's bound, at the configured false-failure rate."""

from __future__ import annotations

import math

import numpy as np

from ..config import Assignment
from ..rubric_base import Check
from ..rubric_labs import RbmCdCheck, RbmSamplingCheck, RbmTransferCheck
from ..sandbox.protocol import register_phase
from .base import Verdict, check, failed, passed
from .training import measured_accuracy
from .observations import Observations, Unavailable

register_phase("rbm_methods", "the RBM's methods", ("__init__", "p_h_given_v", "p_v_given_h", "sample_h", "sample_v",
                                                      "free_energy"), mnist=True)
register_phase("rbm_cd", "cd_step()", ("__init__", "cd_step", "p_h_given_v", "p_v_given_h", "sample_h", "sample_v"),
               mnist=True)
register_phase("rbm_pretrain", "pretrain() and mlp_from_rbm()", ("__init__", "pretrain", "cd_step", "mlp_from_rbm"),
               mnist=True)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _expected(a: dict[str, np.ndarray], prefix: str = "") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (a[f"{prefix}W"].astype(np.float64), a[f"{prefix}v_bias"].astype(np.float64),
            a[f"{prefix}h_bias"].astype(np.float64))


def _close(got: np.ndarray, want: np.ndarray) -> bool:
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-4, atol=1e-5))


@check("rbm_conditionals", "p_h_given_v() and p_v_given_h(): sigmoid(v·Wᵀ + h_bias), sigmoid(h·W + v_bias)",
       phases=("rbm_methods",))
def check_rbm_conditionals(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    obs.phase("rbm_methods")
    a = obs.arrays("rbm_methods.safetensors")
    W, v_bias, h_bias = _expected(a)
    for name, got, want, formula in (
            ("p_h_given_v", a["p_h"], sigmoid(a["v"] @ W.T + h_bias), "sigmoid(v @ W.t() + h_bias)"),
            ("p_v_given_h", a["p_v"], sigmoid(a["h"] @ W + v_bias), "sigmoid(h @ W + v_bias)")):
        if not _close(got, want):
            return failed(f"{name}() differs from {formula} on the grader's parameters (W is (n_hidden, n_visible)).")
    return passed("Both conditionals match the formulas on the grader's parameters and inputs.")


@check("rbm_sampling", "sample_h() and sample_v(): Bernoulli draws of those probabilities", phases=("rbm_methods",),
       asks=lambda cfg: {"rbm_methods": {"draws": cfg.draws}})
def check_rbm_sampling(obs: Observations, cfg: RbmSamplingCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("rbm_methods")
    if not seen["binary"]:
        return failed("sample_h() and sample_v() must return 0s and 1s: torch.bernoulli(probabilities).")
    a = obs.arrays("rbm_methods.safetensors")
    W, v_bias, h_bias = _expected(a)
    units = W.shape[0] + W.shape[1]
    limit = math.sqrt(math.log(2 * units / cfg.false_failure_rate) / (2 * seen["draws"]))  # Hoeffding, every unit
    for name, means, probabilities in (("sample_h", a["mean_h"], sigmoid(a["v"][:1] @ W.T + h_bias)[0]),
                                       ("sample_v", a["mean_v"], sigmoid(a["h"][:1] @ W + v_bias)[0])):
        worst = float(np.max(np.abs(means.astype(np.float64) - probabilities)))
        if worst > limit:
            return failed(f"Over {seen['draws']} draws, a unit of {name}() was 1 with a frequency {worst:.3f} away from "
                          f"its probability (accepted {limit:.3f}): draw with torch.bernoulli of the conditional.")
    return passed(f"Over {seen['draws']} draws every unit's frequency is within {limit:.3f} of its probability "
                  f"(false-failure rate {cfg.false_failure_rate:g}).")


@check("rbm_free_energy", "free_energy(): -v·v_bias - Σ log(1 + exp(v·Wᵀ + h_bias)), one value per example",
       phases=("rbm_methods",))
def check_rbm_free_energy(obs: Observations, cfg: Check, assignment: Assignment) -> Verdict:
    obs.phase("rbm_methods")
    a = obs.arrays("rbm_methods.safetensors")
    W, v_bias, h_bias = _expected(a)
    v = a["v"].astype(np.float64)
    want = -(v @ v_bias) - np.logaddexp(0, v @ W.T + h_bias).sum(axis=1)
    if not _close(a["free_energy"], want):
        shape = list(a["free_energy"].shape)
        return failed(f"free_energy() gave {shape} values that differ from -v·v_bias - Σ softplus(v·Wᵀ + h_bias) "
                      f"(expected one per example, shape [{len(v)}]).")
    return passed("free_energy() matches the formula, one value per example.")


@check("rbm_cd", "cd_step(): CD-k's positive and negative phases; the reconstruction error falls in pretraining",
       phases=("rbm_cd", "rbm_pretrain"), asks=lambda cfg: {"rbm_cd": {"k": cfg.k, "learning_rate": cfg.learning_rate}})
def check_rbm_cd(obs: Observations, cfg: RbmCdCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("rbm_cd")
    if seen["samples_v"] != cfg.k or seen["samples_h"] < 1:
        return failed(f"With k={cfg.k}, cd_step() called rbm.sample_v() {seen['samples_v']} times and rbm.sample_h() "
                      f"{seen['samples_h']} times: draw h0 with rbm.sample_h(v0), then k Gibbs steps (rbm.sample_v, "
                      "rbm.sample_h).")
    a = obs.arrays("rbm_cd.safetensors")
    W, v_bias, h_bias = _expected(a, "old_")
    v0, vk = a["v0"].astype(np.float64), a[f"sample_v{cfg.k - 1}"].astype(np.float64)
    h0 = a["sample_h0"].astype(np.float64)
    p0, pk, lr = sigmoid(v0 @ W.T + h_bias), sigmoid(vk @ W.T + h_bias), cfg.learning_rate
    want = {"W": W + lr * (p0.T @ v0 - pk.T @ vk) / len(v0), "v_bias": v_bias + lr * (v0 - vk).mean(0),
            "h_bias": h_bias + lr * (p0 - pk).mean(0)}
    wrong = [name for name in want if not _close(a[f"new_{name}"], want[name])]
    if wrong:
        return failed(f"After cd_step(), {', '.join(wrong)} differ from CD-{cfg.k}'s update: W += lr·(p(h|v0)ᵀ·v0 − "
                      "p(h|v_k)ᵀ·v_k)/batch, v_bias += lr·mean(v0 − v_k), h_bias += lr·mean(p(h|v0) − p(h|v_k)), "
                      "probabilities (not samples) in both phases.")
    error = float(np.mean((v0 - sigmoid(h0 @ W + v_bias)) ** 2))
    if seen["error"] is None or not math.isclose(seen["error"], error, rel_tol=1e-3):
        return failed(f"cd_step() returned {seen['error']}; the reconstruction error mean((v0 − p(v|h0))²) with its "
                      f"h0 is {error:.5f}.")
    try:
        errors = obs.phase("rbm_pretrain")["errors"]
    except Unavailable:
        errors = None
    if not errors or any(e is None for e in errors) or len(errors) < 10:
        return failed("pretrain() must return the reconstruction error of every batch (cd_step's return values).")
    first, last = float(np.mean(errors[:5])), float(np.mean(errors[-5:]))
    if not last < first:
        return failed(f"The reconstruction error did not fall during pretrain(): {first:.4f} → {last:.4f}.")
    return passed(f"cd_step() makes CD-{cfg.k}'s update and returns its reconstruction error; in pretrain() the error "
                  f"fell from {first:.4f} to {last:.4f}.")


@check("rbm_transfer", "mlp_from_rbm(): the first layer starts from the RBM's W, and the MLP trains",
       phases=("rbm_pretrain",), asks=lambda cfg: {"rbm_pretrain": {
           "pretrain_samples": cfg.pretrain_samples, "train_samples": cfg.train_samples, "learning_rate": cfg.learning_rate}})
def check_rbm_transfer(obs: Observations, cfg: RbmTransferCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("rbm_pretrain")
    if not seen["starts_equal"]:
        return failed(f"The first Linear layer of mlp_from_rbm()'s model ({seen['first_layer'] or 'none'}) does not start "
                      f"equal to the RBM's W ({seen['rbm_shape']}): copy rbm.W into it (torch.no_grad(), weight.copy_).")
    accuracy = measured_accuracy(obs)
    what = (f"Started from the RBM and trained by the grader (Adam, one pass over {seen['train_samples']} images), the MLP "
            f"classified {accuracy:.2%} of the 10000 hidden test images")
    if accuracy >= cfg.minimum:
        return passed(f"{what} (minimum {cfg.minimum:.0%}).")
    return failed(f"{what}; at least {cfg.minimum:.0%} is needed: a 784-128-10 MLP, Linear → sigmoid → Linear.")
