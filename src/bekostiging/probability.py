"""Discrete scenario distributions: normalised weights, quantiles and CVaR (numpy only).

A bottom layer: ``results.py`` (tidy tables of a solve) and ``analytics.stats``
(summaries over scenarios) both use it, and it imports nothing of the package, so
no module has to reach up into ``analytics`` for a tail mean.

* quantile q ``inf{x : F(x) ≥ q}`` with ``F(x) = Σ_{s: x_s ≤ x} w_s`` (the lower
  inverse of the discrete distribution, the VaR convention)
* CVaR_α ``min_η η + 1/(1 − α) Σ_s w_s (x_s − η)⁺`` (Rockafellar–Uryasev), the mean
  of the worst (1 − α) probability mass of x
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Cumulative sums of probabilities such as 0.2 + 0.3 + 0.4 are not exact in binary
# floating point; a level reached within this tolerance counts as reached.
CUMULATIVE_TOLERANCE = 1e-9


def weights(probabilities: Sequence[float]) -> np.ndarray:
    """Probabilities normalised to sum to one (non-negative, positive total)."""
    p = np.asarray(probabilities, dtype=float)
    if p.ndim != 1 or p.size == 0:
        raise ValueError("need at least one probability")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"probabilities must be finite and non-negative, got {p.tolist()}")
    total = float(p.sum())
    if total <= 0:
        raise ValueError("probabilities sum to zero")
    return p / total


def paired(values: Sequence[float], probabilities: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Values as an array and their normalised weights, checked to have the same length."""
    x = np.asarray(values, dtype=float)
    w = weights(probabilities)
    if x.shape != w.shape:
        raise ValueError(f"{x.size} values but {w.size} probabilities")
    return x, w


def weighted_quantile(values: Sequence[float], probabilities: Sequence[float], level: float) -> float:
    """``inf{x : F(x) ≥ level}`` of the discrete distribution (level in (0, 1])."""
    if not 0.0 < level <= 1.0:
        raise ValueError(f"quantile level must be in (0, 1], got {level}")
    x, w = paired(values, probabilities)
    order = np.argsort(x, kind="stable")
    cumulative = np.cumsum(w[order])
    index = int(np.searchsorted(cumulative, level - CUMULATIVE_TOLERANCE, side="left"))
    return float(x[order][min(index, x.size - 1)])


def cvar(values: Sequence[float], probabilities: Sequence[float], alpha: float) -> float:
    """Mean of the worst ``1 − alpha`` probability mass (largest values are worst)."""
    if not 0.0 <= alpha < 1.0:
        raise ValueError(f"CVaR level alpha must be in [0, 1), got {alpha}")
    x, w = paired(values, probabilities)
    tail = 1.0 - alpha
    remaining = tail
    total = 0.0
    for i in np.argsort(-x, kind="stable"):
        if remaining <= 0.0:
            break
        take = min(float(w[i]), remaining)
        total += take * float(x[i])
        remaining -= take
    return total / tail
