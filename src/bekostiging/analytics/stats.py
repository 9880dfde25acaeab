"""Probability-weighted statistics over scenarios: mean, sd, confidence interval, quantiles, CVaR.

Scenarios carry probabilities ``p_s`` (normalised here to weights ``w_s = p_s / Σ p``).
With equal weights every formula below reduces to the textbook sample formula.

* mean          ``μ = Σ_s w_s x_s``
* effective n   ``n_eff = 1 / Σ_s w_s²`` (Kish); equals n for equal weights
* sd            ``sd² = n_eff / (n_eff − 1) · Σ_s w_s (x_s − μ)²``; the usual sample
                variance ``Σ (x_s − μ)² / (n − 1)`` for equal weights
* CI of mean    ``μ ± z · sd / √n_eff`` with ``z = Φ⁻¹((1 + 0.95) / 2) ≈ 1.96``
                (normal approximation; scenarios treated as independent draws)
The weights, quantiles and CVaR themselves live in :mod:`bekostiging.probability`
(a bottom layer, also used by ``results.py``); they are re-exported here.

* quantile q    ``inf{x : F(x) ≥ q}`` with ``F(x) = Σ_{s: x_s ≤ x} w_s`` (the lower
                inverse of the discrete distribution, the VaR convention)
* CVaR_α        ``min_η η + 1/(1 − α) Σ_s w_s (x_s − η)⁺`` (Rockafellar–Uryasev),
                the mean of the worst (1 − α) probability mass of x
* risk value    ``(1 − W) · μ + W · CVaR_α``, the objective the extensive form
                minimises for :class:`~bekostiging.twostage.Risk` ``(W, α)``
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from bekostiging.probability import CUMULATIVE_TOLERANCE, cvar, paired, weighted_quantile, weights
from bekostiging.twostage import Risk

__all__ = [
    "CUMULATIVE_TOLERANCE",
    "Summary",
    "cvar",
    "effective_sample_size",
    "risk_value",
    "summarise",
    "weighted_mean",
    "weighted_quantile",
    "weights",
]

CONFIDENCE_LEVEL = 0.95  # two-sided confidence level of the interval of the mean
P50, P90, P99 = 0.5, 0.9, 0.99  # quantile levels reported in every summary
_pair = paired  # the name used below; the functions live in bekostiging.probability


def weighted_mean(values: Sequence[float], probabilities: Sequence[float]) -> float:
    x, w = _pair(values, probabilities)
    return float(np.dot(w, x))


def effective_sample_size(probabilities: Sequence[float]) -> float:
    """Kish's effective number of scenarios ``1 / Σ w²``."""
    w = weights(probabilities)
    return float(1.0 / np.dot(w, w))


def risk_value(values: Sequence[float], probabilities: Sequence[float], risk: Risk) -> float:
    """``(1 − W)·mean + W·CVaR_α``; +inf when any value is +inf (a scenario cannot be served)."""
    x, w = _pair(values, probabilities)
    if np.any(np.isnan(x)):
        return math.nan
    if np.any(np.isposinf(x)):
        return math.inf
    mean = float(np.dot(w, x))
    if risk.weight <= 0.0:
        return mean
    return (1.0 - risk.weight) * mean + risk.weight * cvar(x, w, risk.alpha)


@dataclass(frozen=True)
class Summary:
    """Probability-weighted summary of one quantity over scenarios (formulas: module docstring)."""

    n: int
    effective_n: float
    mean: float
    sd: float
    ci_low: float
    ci_high: float
    p50: float
    p90: float
    p99: float

    def as_dict(self) -> dict[str, float]:
        return {
            "n": self.n,
            "effective_n": self.effective_n,
            "mean": self.mean,
            "sd": self.sd,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p50": self.p50,
            "p90": self.p90,
            "p99": self.p99,
        }


def summarise(values: Sequence[float], probabilities: Sequence[float]) -> Summary:
    """Mean, sd, CI of the mean and P50/P90/P99; sd and CI are NaN for one scenario."""
    x, w = _pair(values, probabilities)
    if not np.all(np.isfinite(x)):
        raise ValueError("summarise finite values only (drop scenarios without a cost first)")
    mean = float(np.dot(w, x))
    n_eff = float(1.0 / np.dot(w, w))
    if n_eff > 1.0 + CUMULATIVE_TOLERANCE:
        variance = n_eff / (n_eff - 1.0) * float(np.dot(w, (x - mean) ** 2))
        sd = math.sqrt(variance)
        z = NormalDist().inv_cdf((1.0 + CONFIDENCE_LEVEL) / 2.0)
        half_width = z * sd / math.sqrt(n_eff)
    else:
        sd = half_width = math.nan
    return Summary(
        n=int(x.size),
        effective_n=n_eff,
        mean=mean,
        sd=sd,
        ci_low=mean - half_width,
        ci_high=mean + half_width,
        p50=weighted_quantile(x, w, P50),
        p90=weighted_quantile(x, w, P90),
        p99=weighted_quantile(x, w, P99),
    )
