"""Generate inflow scenario sets: bootstrap of history, lognormal around the MPP, MPP bands.

Every method works in yearly totals per inflow category and then spreads each
year over its periods with the case's monthly seasonality, rounding to whole
persons so that each year's periods add up to the rounded yearly total.

``bootstrap``
    Yearly log-changes of first applications and nareis, 2010/2015-2025
    (:mod:`bekostiging.scenarios.history`), resampled with replacement and
    compounded from the 2025 level. A draw is first a shock year or not, with
    the historical shock frequency (log-change >= ``SHOCK_LOG_CHANGE``), then a
    historical year of that kind; first applications and nareis take the change
    of the same year where both are known (keeping their co-movement), nareis
    otherwise draw from their own changes.
``lognormal``
    ``ln Y[s,k,c] = ln MPPmid[k,c] + e[s,k]``, ``e[s,k] = e[s,k-1] + sd * z[s,k]``,
    ``z ~ N(0,1)``: the median path is the MPP mid forecast, the sd of the log
    error is ``sd * sqrt(k)`` at lead ``k`` years, and the sd of a yearly
    log-change is ``sd`` (default 0.35, the one-year-ahead forecast error of
    data-sources §1). The error is common to all categories (the MPP is a
    forecast of total inflow).

Repeat applications are a fixed share of first applications: the ratio of the
case's MPP mid forecasts. Each scenario has probability 1/n. The random
generator is made inside :func:`generate` from ``seed``, so the same seed gives
the same set (and byte-identical files).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

import numpy as np

from bekostiging import __version__
from bekostiging.scenarios import history
from bekostiging.schema import (
    MONTHS_PER_YEAR,
    Case,
    Category,
    Provenance,
    ScenarioInfo,
    ScenarioSet,
    months_per_period,
)

Method = Literal["bootstrap", "lognormal"]
METHODS: tuple[str, ...] = ("bootstrap", "lognormal")

LOGNORMAL_SD = 0.35  # sd of the 1-year-ahead log forecast error (data-sources §1, §6; 9 pairs)
MPP_VINTAGE = date(2025, 9, 26)  # MPP Sep 2025 published (S23)
MPP_PROBABILITIES = {"low": 0.25, "mid": 0.5, "high": 0.25}  # estimate: band ends ~ P12.5/P87.5
MPP_SOURCE = "MPP September 2025 (S23), data/nl-2026/mpp.csv"
HISTORY_SOURCE = (
    "Yearly first applications 2010-2025 and nareis 2015-2025 (data-sources §1: S1-S14), "
    "bekostiging.scenarios.history"
)


def _generator(method: str) -> str:
    return f"bekostiging {__version__} scenarios.generate(method={method})"


# --------------------------------------------------------------------------- spreading


def period_weights(case: Case) -> np.ndarray:
    """Share of a year's inflow in each period of one year (sums to 1), from seasonality."""
    factors = {row.month: row.factor for row in case.seasonality}
    step = months_per_period(case.settings.horizon)
    monthly = np.array([factors[m] for m in range(1, MONTHS_PER_YEAR + 1)]) / MONTHS_PER_YEAR
    weights = monthly.reshape(-1, step).sum(axis=1)
    return weights / weights.sum()


def spread_year(total: float, weights: np.ndarray) -> np.ndarray:
    """Whole persons per period adding up to ``round(total)`` (largest remainder)."""
    target = round(total)
    exact = target * weights
    base = np.floor(exact)
    short = int(target - base.sum())
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:short]] += 1
    return base


def _to_periods(yearly: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(scenarios, years, categories) yearly totals -> (scenarios, periods, categories)."""
    n_s, n_y, n_c = yearly.shape
    per_year = len(weights)
    out = np.zeros((n_s, n_y * per_year, n_c))
    for s in range(n_s):
        for y in range(n_y):
            for c in range(n_c):
                out[s, y * per_year : (y + 1) * per_year, c] = spread_year(yearly[s, y, c], weights)
    return out


def _mpp_band(case: Case, band: str) -> np.ndarray:
    """(years, categories) MPP values of one band (low/mid/high)."""
    table = {(row.year, row.category): getattr(row, band) for row in case.mpp}
    return np.array([[table[(y, c)] for c in Category] for y in case.years], dtype=float)


def repeat_share(case: Case) -> float:
    """Repeat applications per first application: ratio of the case's MPP mid totals."""
    mid = _mpp_band(case, "mid")
    first = mid[:, list(Category).index(Category.FIRST)].sum()
    repeat = mid[:, list(Category).index(Category.REPEAT)].sum()
    return float(repeat / first) if first > 0 else 0.0


def _names(n: int) -> list[str]:
    width = len(str(n))
    return [f"s{i:0{width}d}" for i in range(1, n + 1)]


def _build(
    case: Case,
    name: str,
    yearly: np.ndarray,
    descriptions: Sequence[str],
    provenance: Provenance,
    *,
    names: Sequence[str] | None = None,
    probabilities: Sequence[float] | None = None,
) -> ScenarioSet:
    n = yearly.shape[0]
    names = list(names) if names is not None else _names(n)
    probs = list(probabilities) if probabilities is not None else [1.0 / n] * n
    infos = tuple(
        ScenarioInfo(scenario=s, probability=p, description=d)
        for s, p, d in zip(names, probs, descriptions, strict=True)
    )
    return ScenarioSet(
        name=name,
        provenance=provenance,
        scenarios=infos,
        periods=tuple(case.periods),
        categories=tuple(Category),
        inflow_persons=_to_periods(yearly, period_weights(case)),
    )


# --------------------------------------------------------------------------- methods


def _bootstrap_yearly(
    case: Case, n: int, rng: np.random.Generator, shock_probability: float | None
) -> tuple[np.ndarray, list[str]]:
    first_changes = history.log_changes(history.FIRST_APPLICATIONS)
    nareis_changes = history.log_changes(history.NAREIS)
    shock_years = [y for y, v in first_changes.items() if v >= history.SHOCK_LOG_CHANGE]
    normal_years = [y for y in first_changes if y not in shock_years]
    p_shock = history.shock_share(first_changes) if shock_probability is None else shock_probability
    nareis_years = list(nareis_changes)
    n_years = len(case.years)
    is_shock = rng.random((n, n_years)) < p_shock
    shock_pick = rng.integers(len(shock_years), size=(n, n_years))
    normal_pick = rng.integers(len(normal_years), size=(n, n_years))
    nareis_pick = rng.integers(len(nareis_years), size=(n, n_years))
    drawn = np.where(is_shock, np.array(shock_years)[shock_pick], np.array(normal_years)[normal_pick])
    first_log = np.vectorize(first_changes.__getitem__)(drawn).astype(float)
    nareis_year = np.where(np.isin(drawn, nareis_years), drawn, np.array(nareis_years)[nareis_pick])
    nareis_log = np.vectorize(nareis_changes.__getitem__)(nareis_year).astype(float)
    first = history.last_level(history.FIRST_APPLICATIONS).persons * np.exp(np.cumsum(first_log, axis=1))
    nareis = history.last_level(history.NAREIS).persons * np.exp(np.cumsum(nareis_log, axis=1))
    yearly = np.stack([first, nareis, first * repeat_share(case)], axis=2)
    order = [Category.FIRST, Category.NAREIS, Category.REPEAT]
    yearly = yearly[:, :, [order.index(c) for c in Category]]
    descriptions = ["first-application changes of " + ", ".join(str(y) for y in row) for row in drawn]
    return yearly, descriptions


def _lognormal_yearly(
    case: Case, n: int, rng: np.random.Generator, sd: float
) -> tuple[np.ndarray, list[str]]:
    mid = _mpp_band(case, "mid")
    errors = np.cumsum(sd * rng.standard_normal((n, len(case.years))), axis=1)
    yearly = mid[np.newaxis, :, :] * np.exp(errors)[:, :, np.newaxis]
    descriptions = ["log error vs MPP mid per year: " + ", ".join(f"{e:+.3f}" for e in row) for row in errors]
    return yearly, descriptions


def generate(
    case: Case,
    method: Method | str,
    n: int,
    seed: int,
    *,
    name: str | None = None,
    sd: float = LOGNORMAL_SD,
    shock_probability: float | None = None,
) -> ScenarioSet:
    """Draw ``n`` equally likely inflow scenarios over the case's horizon.

    ``sd`` is the yearly sd of the log error (lognormal); ``shock_probability``
    overrides the historical shock-year frequency (bootstrap; None = historical).
    Raises ValueError for an unknown method or n < 1.
    """
    if method not in METHODS:
        raise ValueError(f"method {method!r} unknown; choose one of {', '.join(METHODS)}")
    if n < 1:
        raise ValueError(f"n = {n}: need at least one scenario")
    rng = np.random.default_rng(seed)
    if method == "bootstrap":
        yearly, descriptions = _bootstrap_yearly(case, n, rng, shock_probability)
        first_changes = history.log_changes(history.FIRST_APPLICATIONS)
        p_shock = history.shock_share(first_changes) if shock_probability is None else shock_probability
        provenance = Provenance(
            method="bootstrap",
            seed=seed,
            source=HISTORY_SOURCE,
            created=history.HISTORY_VINTAGE,
            generator=_generator(method),
            notes=(
                f"Resampled yearly log-changes from the 2025 level (first "
                f"{history.last_level(history.FIRST_APPLICATIONS).persons:.0f}, nareis "
                f"{history.last_level(history.NAREIS).persons:.0f}); shock years "
                f"(>= +{np.expm1(history.SHOCK_LOG_CHANGE):.0%}) drawn with probability "
                f"{p_shock:.3f}; repeat = {repeat_share(case):.4f} x first (case MPP mid); "
                f"monthly seasonality of case {case.settings.case.name}; equal probabilities."
            ),
        )
    else:
        yearly, descriptions = _lognormal_yearly(case, n, rng, sd)
        provenance = Provenance(
            method="lognormal",
            seed=seed,
            source=MPP_SOURCE,
            created=MPP_VINTAGE,
            generator=_generator(method),
            notes=(
                f"Median path = case MPP mid; log error a random walk with yearly sd {sd} "
                f"(sd {sd} x sqrt(lead years)), common to all categories; monthly seasonality "
                f"of case {case.settings.case.name}; equal probabilities."
            ),
        )
    return _build(case, name or f"{method}-{n}", yearly, descriptions, provenance)


def mpp_scenarios(case: Case, name: str = "mpp") -> ScenarioSet:
    """Three scenarios low/mid/high from the case's MPP bands, probabilities 0.25/0.5/0.25."""
    bands = list(MPP_PROBABILITIES)
    yearly = np.stack([_mpp_band(case, band) for band in bands])
    provenance = Provenance(
        method="mpp",
        seed=None,
        source=MPP_SOURCE,
        created=MPP_VINTAGE,
        generator=_generator("mpp"),
        notes=(
            "MPP Sep 2025 bands for 2026 carried over the horizon (case mpp.csv), spread over the "
            "months with the case seasonality. Probabilities 0.25/0.5/0.25 are an estimate: the "
            "MPP gives a minimum and maximum scenario, not probabilities."
        ),
    )
    descriptions = [f"MPP {band} band" for band in bands]
    return _build(
        case,
        name,
        yearly,
        descriptions,
        provenance,
        names=bands,
        probabilities=[MPP_PROBABILITIES[b] for b in bands],
    )
