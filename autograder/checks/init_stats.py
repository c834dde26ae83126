"""The statistics behind the `init` and `init_function` checks, kept apart so the calibration
script can reuse them.

For a weight of shape (fan_out, fan_in) (a convolution's: `fans`), Xavier/Glorot initialisation (uniform or normal) draws
i.i.d. values with mean 0 and variance s2 = 2 / (fan_in + fan_out). The check tests, per layer,
  - the mean: |mean(w)| <= sqrt(s2) * sqrt(2 L / n), a sub-Gaussian bound that holds for both
    the normal and the uniform law (the uniform law is strictly sub-Gaussian);
  - the scale: r = mean(w^2) / s2 inside [lo, hi], the union of a Laurent-Massart chi-square
    interval (normal law) and a Bernstein interval (uniform law: w^2/s2 lies in [0, 3] with
    variance 0.8).
with L = ln(2 / alpha). Both bounds are rigorous, not asymptotic: a correct Xavier init fails a
single test with probability at most alpha, and the check splits the configured false-failure
rate over 2 tests per layer (Bonferroni).

`init_function` (the 09-2 lab: Xavier and He written by hand) knows the scheme and the law it
expects, so it uses that law's scale interval alone and adds a third test, of the law's shape:
  - uniform U(-a, a): no value lies outside +-a (a correct function never fails this one);
  - normal: the fraction of values beyond sqrt(3) s, the uniform law's bound, is within Hoeffding's
    sqrt(L / 2n) of 2 (1 - Phi(sqrt(3))) = 0.0833; a uniform law with the right variance has none.
The configured rate is split over 3 tests per shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..catalog import Msg, msg


def xavier_var(fan_in: int, fan_out: int) -> float:
    return 2.0 / (fan_in + fan_out)


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight, as torch.nn.init counts them: a Linear weight (out, in); a
    convolution's (out_channels, in_channels / groups, *kernel) counts each kernel position."""
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


PYTORCH_DEFAULT = msg("init_stats.mistake.pytorch_default")
HE_INIT = msg("init_stats.mistake.he")
UNIT_NORMAL = msg("init_stats.mistake.unit_normal")
REFERENCE_SCALES = (  # the common wrong inits, named (a catalog message) with the variance they give
    (PYTORCH_DEFAULT, lambda fan_in, fan_out: 1.0 / (3 * fan_in)),
    (HE_INIT, lambda fan_in, fan_out: 2.0 / fan_in),
    (UNIT_NORMAL, lambda fan_in, fan_out: 1.0),
)


def normal_scale_interval(n: int, alpha: float) -> tuple[float, float]:
    """Acceptance interval for r = mean(w^2) / s2 of a normal law, at two-sided level alpha
    (Laurent-Massart: n r is chi-square with n degrees of freedom)."""
    log_term = math.log(2 / alpha)
    return 1 - 2 * math.sqrt(log_term / n), 1 + 2 * math.sqrt(log_term / n) + 2 * log_term / n


def uniform_scale_interval(n: int, alpha: float) -> tuple[float, float]:
    """The same for a uniform law (Bernstein: w^2 / s2 lies in [0, 3], with variance 0.8)."""
    log_term = math.log(2 / alpha)
    b, v = 2.0, 0.8
    t = (2 * b * log_term / 3 + math.sqrt((2 * b * log_term / 3) ** 2 + 8 * n * log_term * v)) / (2 * n)
    return 1 - t, 1 + t


def scale_interval(n: int, alpha: float) -> tuple[float, float]:
    """Acceptance interval for r = mean(w^2) / s2 at two-sided level alpha, whichever of the two laws."""
    normal, uniform = normal_scale_interval(n, alpha), uniform_scale_interval(n, alpha)
    return min(normal[0], uniform[0]), max(normal[1], uniform[1])


def mean_bound(n: int, alpha: float) -> float:
    """Largest accepted |mean(w)| / sqrt(s2) at two-sided level alpha."""
    return math.sqrt(2 * math.log(2 / alpha) / n)


@dataclass(frozen=True)
class LayerStats:
    fan_in: int
    fan_out: int
    std: float
    expected_std: float
    ratio: float
    interval: tuple[float, float]
    mean_z: float
    mean_limit: float

    @property
    def ok(self) -> bool:
        lo, hi = self.interval
        return lo <= self.ratio <= hi and abs(self.mean_z) <= self.mean_limit

    def closest_other(self) -> Msg | None:
        """The common wrong init whose scale is nearest to the measured one, if nearer than Xavier's
        (a catalog message: a noun phrase, its `str` the English one)."""
        measured = self.std ** 2
        best, best_gap = None, abs(math.log(measured / self.expected_std ** 2))
        for name, var in REFERENCE_SCALES:
            gap = abs(math.log(measured / var(self.fan_in, self.fan_out)))
            if gap < best_gap:
                best, best_gap = name, gap
        return best


def layer_stats(weight: np.ndarray, alpha_per_test: float) -> LayerStats:
    w = weight.astype(np.float64).ravel()
    fan_in, fan_out = fans(weight.shape)
    var = xavier_var(fan_in, fan_out)
    n = w.size
    return LayerStats(
        fan_in=fan_in, fan_out=fan_out,
        std=float(np.sqrt(np.mean(w ** 2))), expected_std=math.sqrt(var),
        ratio=float(np.mean(w ** 2) / var), interval=scale_interval(n, alpha_per_test),
        mean_z=float(np.mean(w) / math.sqrt(var)), mean_limit=mean_bound(n, alpha_per_test),
    )


# --- the hand-written init functions of the 09-2 lab ---------------------------------------------

SCHEMES = {"xavier": xavier_var, "he": lambda fan_in, fan_out: 2.0 / fan_in, "unit": lambda fan_in, fan_out: 1.0}
SCHEME_NAMES = {"xavier": "Xavier", "he": "He", "unit": "N(0, 1)"}
NORMAL_TAIL = math.erfc(math.sqrt(1.5))  # P(|Z| > sqrt(3)): beyond the bound of a uniform law of the same variance
ROUNDING = 1e-6  # float32 rounding of a uniform bound


def named_mistakes(scheme: str, law: str, fan_in: int, fan_out: int) -> list[tuple[Msg, float]]:
    """The variances the common mistakes give, named as a student would fix them (catalog
    messages: noun phrases, in the order they are tried)."""
    var = SCHEMES[scheme](fan_in, fan_out)
    named = [(msg("init_stats.mistake.other_scheme", scheme=SCHEME_NAMES[other]), SCHEMES[other](fan_in, fan_out))
             for other in ("he", "xavier") if other != scheme]
    if scheme == "unit":
        named = [(msg("init_stats.mistake.xavier"), xavier_var(fan_in, fan_out)), (HE_INIT, 2.0 / fan_in)]
    if scheme == "he" and fan_in != fan_out:
        named.append((msg("init_stats.mistake.swapped_fans"), 2.0 / fan_out))
    named.append((msg("init_stats.mistake.missing_two"), var / 2))
    if law == "normal":
        named.append((msg("init_stats.mistake.variance_as_std"), var ** 2))
        named.append((msg("init_stats.mistake.bound_as_std"), 3 * var))
    else:
        named.append((msg("init_stats.mistake.no_square_root"), 3 * var ** 2))
        named.append((msg("init_stats.mistake.std_as_bound"), var / 3))
    named.append((PYTORCH_DEFAULT, 1.0 / (3 * fan_in)))
    named.append((UNIT_NORMAL, 1.0))
    return named


def mistakes(scheme: str, law: str, fan_in: int, fan_out: int) -> dict[str, float]:
    """The same, named in English (the calibration script's table)."""
    return {str(name): var for name, var in named_mistakes(scheme, law, fan_in, fan_out)}


@dataclass(frozen=True)
class LawStats:
    """One weight a student's init function filled, measured against its scheme and law."""

    scheme: str
    law: str
    fan_in: int
    fan_out: int
    std: float  # sqrt(mean(w^2)): the measured scale
    expected_std: float
    ratio: float
    interval: tuple[float, float]
    mean_z: float
    mean_limit: float
    outside: int  # uniform: values beyond the bound a
    tail: float  # normal: fraction of values beyond sqrt(3) * expected std
    tail_limit: float

    @property
    def scale_ok(self) -> bool:
        return self.interval[0] <= self.ratio <= self.interval[1]

    @property
    def mean_ok(self) -> bool:
        return abs(self.mean_z) <= self.mean_limit

    @property
    def law_ok(self) -> bool:
        return self.outside == 0 if self.law == "uniform" else abs(self.tail - NORMAL_TAIL) <= self.tail_limit

    @property
    def ok(self) -> bool:
        return self.scale_ok and self.mean_ok and self.law_ok

    def likely_mistake(self) -> Msg | None:
        """The common mistake whose variance is nearest the measured one, if nearer than the right one
        (a catalog message: a noun phrase, its `str` the English one)."""
        measured = self.std ** 2
        best, best_gap = None, abs(math.log(measured / self.expected_std ** 2)) if measured > 0 else math.inf
        for name, var in named_mistakes(self.scheme, self.law, self.fan_in, self.fan_out):
            gap = abs(math.log(measured / var)) if measured > 0 else math.inf
            if gap < best_gap:
                best, best_gap = name, gap
        return best


def law_stats(weight: np.ndarray, scheme: str, law: str, alpha_per_test: float) -> LawStats:
    w = weight.astype(np.float64).ravel()
    fan_in, fan_out = fans(weight.shape)
    var = SCHEMES[scheme](fan_in, fan_out)
    n = w.size
    bound = math.sqrt(3 * var)  # the uniform law's a; for the normal law, where its tail is measured
    interval = (uniform_scale_interval if law == "uniform" else normal_scale_interval)(n, alpha_per_test)
    return LawStats(
        scheme=scheme, law=law, fan_in=fan_in, fan_out=fan_out,
        std=float(np.sqrt(np.mean(w ** 2))), expected_std=math.sqrt(var),
        ratio=float(np.mean(w ** 2) / var), interval=interval,
        mean_z=float(np.mean(w) / math.sqrt(var)), mean_limit=mean_bound(n, alpha_per_test),
        outside=int(np.sum(np.abs(w) > bound * (1 + ROUNDING))),
        tail=float(np.mean(np.abs(w) > bound)), tail_limit=math.sqrt(math.log(2 / alpha_per_test) / (2 * n)),
    )
