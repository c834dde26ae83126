"""The RBM bonus lab's checks: `rbm_conditionals`, `rbm_sampling`, `rbm_free_energy`, `rbm_cd`,
`rbm_transfer`. Its phases are `phases.py`; their table entries are here. Every expected value
is computed here in float64 numpy from the parameters and inputs the grader drew; the sampling test
is Hoeffding's bound, at the configured false-failure rate. Pre-training is measured here too: the
weights `pretrain()` left, on held-out data this process builds itself (`patterns.py`); the errors
`pretrain()` returns are only counted."""

from __future__ import annotations

import math

import numpy as np

from ...catalog import Msg, join, msg
from ...config import Assignment
from ...rubric_base import Check
from ...sandbox.protocol import register_phase
from ...checks.base import Verdict, check, failed, passed
from ...checks.training import measured_accuracy
from ...checks.observations import Observations, Unavailable
from .patterns import HELD_OUT, PIXELS, initial_weights, patterns, reconstruction_error
from .rubric import RbmCdCheck, RbmSamplingCheck, RbmTransferCheck

register_phase("rbm_methods", ("__init__", "p_h_given_v", "p_v_given_h", "sample_h", "sample_v",
                                                      "free_energy"), mnist=True)
register_phase("rbm_cd", ("__init__", "cd_step", "p_h_given_v", "p_v_given_h", "sample_h", "sample_v"),
               mnist=True)
register_phase("rbm_learn", ("__init__", "pretrain"))  # both with the grader's cd_step
register_phase("rbm_pretrain", ("__init__", "pretrain", "mlp_from_rbm"),
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


@check("rbm_cd", msg("rbm_cd.title"), phases=("rbm_cd", "rbm_learn"), asks=lambda cfg: {
    "rbm_cd": {"k": cfg.k, "learning_rate": cfg.learning_rate},
    "rbm_learn": {"seed": cfg.patterns_seed, "samples": cfg.pretrain_samples}})
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
    problem = untrained(obs, cfg, assignment)
    if problem:
        return failed(problem)
    seen = obs.phase("rbm_learn")
    errors, ran = seen["errors"] or [], seen["ran"]
    if len(errors) != len(ran) or not all(e is not None and math.isclose(e, r, rel_tol=1e-6)
                                          for e, r in zip(errors, ran)):
        return failed(msg("rbm_cd.failed.no_errors", batches=len(ran), returned=len(errors)))
    before, after = measured_pretraining(obs, cfg)
    return passed(msg("rbm_cd.passed", k=cfg.k, held_out=HELD_OUT, before=before, after=after))


def untrained(obs: Observations, cfg: RbmCdCheck, assignment: Assignment) -> Msg | None:
    """Why pretrain() did not train the RBM over the grader's patterns, None when it did. Decided by
    the measurement; then, as consistency, the grader's CD step must have run on the RBM pretrain()
    was handed, once per batch (a forger who writes weights that fit the patterns some other way,
    running no CD, fails here). What pretrain() returns is `rbm_cd`'s own business, not this."""
    before, after = measured_pretraining(obs, cfg)
    if not after <= cfg.maximum_error:  # NaN fails too
        return msg("rbm_cd.failed.not_learned", samples=cfg.pretrain_samples, held_out=HELD_OUT, before=before,
                   after=after, maximum=cfg.maximum_error)
    ran, batches = obs.phase("rbm_learn")["ran"], cfg.pretrain_samples // assignment.batch_size
    if len(ran) != batches:
        return msg("rbm_cd.failed.calls", calls=len(ran), batches=batches, before=before, after=after)
    return None


def measured_pretraining(obs: Observations, cfg: RbmCdCheck) -> tuple[float, float]:
    """The reconstruction error of the grader's held-out patterns through the RBM `pretrain()` started
    from (re-derived here from the seed) and through the one it left (its weights, exported): the
    measurement that decides whether pretrain() trains. NaN for weights of the wrong shape."""
    obs.phase("rbm_learn")
    a = obs.arrays("rbm_learn.safetensors")
    held_out = patterns(cfg.patterns_seed, cfg.pretrain_samples)[cfg.pretrain_samples:]
    W, v_bias, h_bias = (a.get(name, np.zeros(0, np.float32)) for name in ("W", "v_bias", "h_bias"))
    if W.ndim != 2 or W.shape[1] != PIXELS or v_bias.shape != (PIXELS,) or h_bias.shape != (W.shape[0],):
        return math.nan, math.nan
    start = initial_weights(cfg.patterns_seed, W.shape[0], PIXELS)
    before = reconstruction_error(start, np.zeros(PIXELS), np.zeros(W.shape[0]), held_out)
    with np.errstate(all="ignore"):
        return before, reconstruction_error(W, v_bias, h_bias, held_out)


@check("rbm_transfer", msg("rbm_transfer.title"),
       phases=("rbm_pretrain",), asks=lambda cfg: {"rbm_pretrain": {
           "pretrain_samples": cfg.pretrain_samples, "train_samples": cfg.train_samples, "learning_rate": cfg.learning_rate}})
def check_rbm_transfer(obs: Observations, cfg: RbmTransferCheck, assignment: Assignment) -> Verdict:
    seen = obs.phase("rbm_pretrain")
    if not seen["starts_equal"]:
        return failed(msg("rbm_transfer.failed.not_copied", layer=seen["first_layer"] or msg("rbm_transfer.no_layer"),
                          shape=seen["rbm_shape"]))
    accuracy = measured_accuracy(obs)
    said = {"pretrained": cfg.pretrain_samples, "images": cfg.train_samples, "accuracy": accuracy,
            "minimum": cfg.minimum}
    if _untrained(obs, assignment):
        return failed(msg("rbm_transfer.failed.untrained", **said), accuracy, cfg.minimum)
    batches = cfg.pretrain_samples // assignment.batch_size
    if seen["ran"] != batches:
        return failed(msg("rbm_transfer.failed.calls", calls=seen["ran"], batches=batches, **said), accuracy,
                      cfg.minimum)
    if accuracy >= cfg.minimum:
        return passed(msg("rbm_transfer.passed", **said), accuracy, cfg.minimum)
    return failed(msg("rbm_transfer.failed.accuracy", **said), accuracy, cfg.minimum)


def _untrained(obs: Observations, assignment: Assignment) -> bool:
    """Whether `rbm_cd` measured that pretrain() does not train (its own pure function on the same
    observations). Then there is nothing pretrained to transfer, whatever the features score:
    random features of a large enough scale classify as well as pretrained ones
    (benchmarks/calibration_rbm.md), so accuracy alone cannot tell them apart. The cause is
    explained once, under `cd`."""
    measuring = assignment.checks.first("rbm_cd")
    try:
        return measuring is not None and untrained(obs, measuring, assignment) is not None
    except Unavailable:
        return False
