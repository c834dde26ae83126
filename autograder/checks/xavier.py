"""The statistics behind the `init` check, kept apart so the calibration script can reuse them.

For a weight of shape (fan_out, fan_in), Xavier/Glorot initialisation (uniform or normal) draws
i.i.d. values with mean 0 and variance s2 = 2 / (fan_in + fan_out). The check tests, per layer,
  - the mean: |mean(w)| <= sqrt(s2) * sqrt(2 L / n), a sub-Gaussian bound that holds for both
    the normal and the uniform law (the uniform law is strictly sub-Gaussian);
  - the scale: r = mean(w^2) / s2 inside [lo, hi], the union of a Laurent-Massart chi-square
    interval (normal law) and a Bernstein interval (uniform law: w^2/s2 lies in [0, 3] with
    variance 0.8).
with L = ln(2 / alpha). Both bounds are rigorous, not asymptotic: a correct Xavier init fails a
single test with probability at most alpha, and the check splits the configured false-failure
rate over 2 tests per layer (Bonferroni).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def xavier_var(fan_in: int, fan_out: int) -> float:
    return 2.0 / (fan_in + fan_out)


REFERENCE_SCALES = {
    "PyTorch's default init": lambda fan_in, fan_out: 1.0 / (3 * fan_in),
    "He (Kaiming) init": lambda fan_in, fan_out: 2.0 / fan_in,
    "N(0, 1)": lambda fan_in, fan_out: 1.0,
}


def scale_interval(n: int, alpha: float) -> tuple[float, float]:
    """Acceptance interval for r = mean(w^2) / s2 at two-sided level alpha."""
    log_term = math.log(2 / alpha)
    normal_lo = 1 - 2 * math.sqrt(log_term / n)
    normal_hi = 1 + 2 * math.sqrt(log_term / n) + 2 * log_term / n
    b, v = 2.0, 0.8
    t = (2 * b * log_term / 3 + math.sqrt((2 * b * log_term / 3) ** 2 + 8 * n * log_term * v)) / (2 * n)
    return min(normal_lo, 1 - t), max(normal_hi, 1 + t)


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

    def closest_other(self) -> str | None:
        """The common wrong init whose scale is nearest to the measured one, if nearer than Xavier's."""
        measured = self.std ** 2
        best, best_gap = None, abs(math.log(measured / self.expected_std ** 2))
        for name, var in REFERENCE_SCALES.items():
            gap = abs(math.log(measured / var(self.fan_in, self.fan_out)))
            if gap < best_gap:
                best, best_gap = name, gap
        return best


def layer_stats(weight: np.ndarray, alpha_per_test: float) -> LayerStats:
    w = weight.astype(np.float64).ravel()
    fan_out, fan_in = weight.shape
    var = xavier_var(fan_in, fan_out)
    n = w.size
    return LayerStats(
        fan_in=fan_in, fan_out=fan_out,
        std=float(np.sqrt(np.mean(w ** 2))), expected_std=math.sqrt(var),
        ratio=float(np.mean(w ** 2) / var), interval=scale_interval(n, alpha_per_test),
        mean_z=float(np.mean(w) / math.sqrt(var)), mean_limit=mean_bound(n, alpha_per_test),
    )
