"""Back-test of the inflow generators on the history: coverage, width and CRPS.

For every origin year ``o`` each method is calibrated on what was known at
the end of ``o`` only (:func:`~bekostiging.scenarios.calibrated.origin_from_history`),
draws ``n`` yearly totals for ``o+1 .. o+H``, and is scored against the
realised total of every year that is known:

* ``covered``: the realised total lies in the central interval of ``level``
  (quantiles ``(1-level)/2`` and ``(1+level)/2`` of the draws);
* ``width``: that interval's width in persons;
* ``crps``: the continuous ranked probability score of the draws (persons;
  lower is better), ``E|X - y| - E|X - X'| / 2`` (:func:`crps_sample`).

The MPP's own band is scored as method ``mpp-band`` where a vintage published
in the origin year gives both ``low`` and ``high`` for the target year: a
three-point distribution low/mid/high with probabilities 0.25/0.5/0.25 (the
case's convention; mid = midpoint when not published), its interval the band
itself at every level.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from bekostiging.history.schema import History
from bekostiging.scenarios.calibrated import origin_from_history, sample_totals

LEVELS: tuple[float, ...] = (0.5, 0.8, 0.9)
MPP_BAND = "mpp-band"
MPP_BAND_WEIGHTS = (0.25, 0.5, 0.25)  # low / mid / high, the case's MPP-set convention
BACKTEST_DRAWS = 2000
BACKTEST_COLUMNS = ("method", "origin", "horizon", "target_year", "level", "realised", "lower",
                    "upper", "covered", "width", "crps", "anchor")
SUMMARY_COLUMNS = ("method", "horizon", "level", "n", "coverage", "mean_width", "mean_crps")


def crps_sample(draws: np.ndarray, observed: float) -> float:
    """CRPS of an equally weighted sample: ``mean|X - y| - mean|X - X'| / 2``."""
    x = np.sort(np.asarray(draws, dtype=float))
    n = x.size
    first = float(np.abs(x - observed).mean())
    ranks = 2 * np.arange(1, n + 1) - n - 1
    pairwise = float(2.0 * (ranks * x).sum() / (n * n))  # mean |X - X'| over all ordered pairs
    return first - pairwise / 2.0


def crps_discrete(values: Sequence[float], weights: Sequence[float], observed: float) -> float:
    """CRPS of a discrete distribution: ``sum w|x - y| - sum_ij w_i w_j |x_i - x_j| / 2``."""
    x = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    first = float((w * np.abs(x - observed)).sum())
    pairwise = float((w[:, None] * w[None, :] * np.abs(x[:, None] - x[None, :])).sum())
    return first - pairwise / 2.0


def central_interval(draws: np.ndarray, level: float) -> tuple[float, float]:
    """Central ``level`` interval of the draws (linear-interpolated quantiles)."""
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(draws, [tail, 1.0 - tail])
    return float(low), float(high)


def _rows_for(method: str, origin_year: int, horizon: int, target: int, realised: float,
              draws: np.ndarray, anchor: str) -> list[dict[str, object]]:
    crps = crps_sample(draws, realised)
    rows = []
    for level in LEVELS:
        low, high = central_interval(draws, level)
        rows.append({
            "method": method, "origin": origin_year, "horizon": horizon, "target_year": target,
            "level": level, "realised": realised, "lower": low, "upper": high,
            "covered": bool(low <= realised <= high), "width": high - low, "crps": crps,
            "anchor": anchor,
        })
    return rows


def _mpp_band_rows(history: History, origin_year: int, horizons: int,
                   realised: dict[int, float]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    published = [v for v in history.mpp_vintages if v.published.year == origin_year]
    for h in range(1, horizons + 1):
        target = origin_year + h
        banded = [v for v in published if v.target_year == target and v.low is not None
                  and v.high is not None]
        if not banded or target not in realised:
            continue
        v = max(banded, key=lambda x: x.published)
        y = realised[target]
        low, high = float(v.low), float(v.high)  # type: ignore[arg-type]
        mid = float(v.centre)  # type: ignore[arg-type]
        crps = crps_discrete((low, mid, high), MPP_BAND_WEIGHTS, y)
        for level in LEVELS:
            rows.append({
                "method": MPP_BAND, "origin": origin_year, "horizon": h, "target_year": target,
                "level": level, "realised": y, "lower": low, "upper": high,
                "covered": bool(low <= y <= high), "width": high - low, "crps": crps,
                "anchor": f"{v.document} ({v.published.isoformat()})",
            })
    return rows


def run_backtest(
    history: History,
    methods: Sequence[str],
    origins: Sequence[int],
    horizons: int,
    *,
    seed: int = 2026,
    draws: int = BACKTEST_DRAWS,
) -> pd.DataFrame:
    """One row per method x origin x horizon x level with a realised total.

    Each (method, origin) draws from its own generator seeded by
    ``[seed, origin, method index]``, so a method's scores do not depend on
    which other methods run. ``mpp-band`` is added where vintages exist.
    """
    realised = history.totals()
    rows: list[dict[str, object]] = []
    for o in origins:
        origin = origin_from_history(history, o, horizons)
        for m_i, method in enumerate(methods):
            if method == MPP_BAND:
                rows += _mpp_band_rows(history, o, horizons, realised)
                continue
            rng = np.random.default_rng([seed, o, m_i])
            sample = sample_totals(method, origin, draws, horizons, rng)
            for h in range(1, horizons + 1):
                target = o + h
                if target in realised:
                    rows += _rows_for(method, o, h, target, realised[target], sample[:, h - 1],
                                      origin.anchor_label)
    return pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS))


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Coverage, mean width and mean CRPS per method x horizon x level."""
    if table.empty:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    grouped = table.groupby(["method", "horizon", "level"], sort=False)
    out = grouped.agg(n=("covered", "size"), coverage=("covered", "mean"),
                      mean_width=("width", "mean"), mean_crps=("crps", "mean")).reset_index()
    return out[list(SUMMARY_COLUMNS)].sort_values(["method", "horizon", "level"], kind="stable")
