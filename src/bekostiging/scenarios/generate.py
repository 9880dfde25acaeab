"""Generate inflow scenario sets: calibrated on the history, bootstrap, lognormal, MPP bands.

``mpp-error`` and ``logar``
    The calibrated methods of :mod:`bekostiging.scenarios.calibrated`, fitted
    on the yearly total inflow of ``data/history`` up to the year before the
    case starts and anchored on the case's MPP (mid, summed over categories);
    the totals are split into categories by
    :func:`~bekostiging.scenarios.calibrated.split_categories` (nareis follow
    first applications with a one-year lag, repeat a share of first).

Every method works in yearly totals per inflow category. The calibrated methods
then make one monthly path per category that continues from the year before the
horizon as it is on record (:mod:`bekostiging.scenarios.monthly`, Denton): a
surge builds up from the last level instead of starting in January at the
year's full level. The other methods spread each year over its periods with the
case's monthly seasonality. Both round to whole persons so that each year's
periods add up to the rounded yearly total.

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
from bekostiging.history import History, load_history
from bekostiging.scenarios import history
from bekostiging.scenarios.calibrated import (
    HOUSING_PERSISTENCE,
    Origin,
    fit_housing,
    fit_logar,
    nareis_lag_ratio,
    origin_from_history,
    sample_housing_ratios,
    sample_totals,
    split_categories,
    vintage_errors,
)
from bekostiging.scenarios.monthly import Block, continue_paths, known_blocks
from bekostiging.schema import (
    MONTHS_PER_YEAR,
    Case,
    Category,
    Provenance,
    ScenarioInfo,
    ScenarioSet,
    months_per_period,
)

Method = Literal["bootstrap", "lognormal", "mpp-error", "logar"]
METHODS: tuple[str, ...] = ("bootstrap", "lognormal", "mpp-error", "logar")
CALIBRATED = ("mpp-error", "logar")
UNCALIBRATED = ("bootstrap", "lognormal")  # kept; their tails are checked against history
TAIL_FACTOR = 1.5  # a scenario year above 1.5 x the record year is flagged
HISTORY_VINTAGE_CALIBRATED = date(2026, 1, 23)  # latest figure in data/history (H3, 2025 first applications)

LOGNORMAL_SD = 0.35  # sd of the 1-year-ahead log forecast error (data-sources §1, §6; 9 pairs)
MPP_VINTAGE = date(2025, 9, 26)  # MPP Sep 2025 published (S23)
MPP_PROBABILITIES = {"low": 0.25, "mid": 0.5, "high": 0.25}  # estimate: band ends ~ P12.5/P87.5
MPP_SOURCE = "MPP September 2025 (S23), data/nl-2026/mpp.csv"
HISTORY_SOURCE = (
    "Yearly first applications and nareis of data/history (inflow_yearly.csv, sources in "
    "data/history/SOURCES.md), bekostiging.scenarios.history"
)


def _generator(method: str) -> str:
    return f"bekostiging {__version__} scenarios.generate(method={method})"


# --------------------------------------------------------------------------- spreading


def monthly_factors(case: Case) -> np.ndarray:
    """The case's seasonal factors of January..December."""
    factors = {row.month: row.factor for row in case.seasonality}
    return np.array([factors[m] for m in range(1, MONTHS_PER_YEAR + 1)], dtype=float)


def period_weights(case: Case) -> np.ndarray:
    """Share of a year's inflow in each period of one year (sums to 1), from seasonality."""
    step = months_per_period(case.settings.horizon)
    weights = monthly_factors(case).reshape(-1, step).sum(axis=1)
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


def before_horizon(case: Case, history_data: History) -> dict[Category, list[Block]]:
    """Per category the totals on record of the year before the horizon (:func:`known_blocks`)."""
    return {c: known_blocks(history_data, c.value, case.years[0] - 1) for c in Category}


def _continued_periods(
    case: Case, yearly: np.ndarray, before: dict[Category, list[Block]]
) -> tuple[np.ndarray, int]:
    """(scenarios, years, categories) yearly totals -> (scenarios, periods, categories) whose
    months continue from ``before`` (:func:`before_horizon`, :mod:`~bekostiging.scenarios.monthly`),
    rounded per year to whole persons that add up to the rounded yearly total; and the number of
    category paths pulled towards the seasonal spread to stay at or above zero."""
    n_s, n_y, n_c = yearly.shape
    step = months_per_period(case.settings.horizon)
    per_year = MONTHS_PER_YEAR // step
    factors = monthly_factors(case)
    out = np.zeros((n_s, n_y * per_year, n_c))
    damped = 0
    for c, category in enumerate(Category):
        paths = continue_paths(yearly[:, :, c], factors, before[category])
        damped += paths.damped
        periods = paths.months.reshape(n_s, n_y * per_year, step).sum(axis=2)
        for s in range(n_s):
            for y in range(n_y):
                exact = periods[s, y * per_year : (y + 1) * per_year]
                total = exact.sum()
                share = exact / total if total > 0 else np.full(per_year, 1.0 / per_year)
                out[s, y * per_year : (y + 1) * per_year, c] = spread_year(yearly[s, y, c], share)
    return out, damped


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
    housing: np.ndarray | None = None,
    periods: np.ndarray | None = None,
) -> ScenarioSet:
    """A scenario set of yearly totals, spread over the periods with the seasonality unless
    ``periods`` (scenarios, periods, categories) gives the persons per period already."""
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
        inflow_persons=_to_periods(yearly, period_weights(case)) if periods is None else periods,
        housing_persons=housing,
    )


def housing_paths(case: Case, ratios: np.ndarray) -> np.ndarray:
    """(n, periods) housing outflow: the case's series times each scenario's ratio of that year,
    rounded to whole persons."""
    base = np.array([row.housing_outflow_persons for row in case.series], dtype=float)
    index = {y: i for i, y in enumerate(case.years)}
    years = [index[int(p[:4])] for p in case.periods]
    return np.round(ratios[:, years] * base[None, :])


# --------------------------------------------------------------------------- methods


def _bootstrap_yearly(
    case: Case, n: int, rng: np.random.Generator, shock_probability: float | None
) -> tuple[np.ndarray, list[str]]:
    first_changes = history.log_changes(history.first_applications())
    nareis_changes = history.log_changes(history.nareis())
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
    first = history.last_level(history.first_applications()).persons * np.exp(np.cumsum(first_log, axis=1))
    nareis = history.last_level(history.nareis()).persons * np.exp(np.cumsum(nareis_log, axis=1))
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


def case_origin(case: Case, history_data: History) -> Origin:
    """The case's forecast origin: history up to the year before the horizon, anchor = MPP mid."""
    year = case.years[0] - 1
    base = origin_from_history(history_data, year, len(case.years))
    anchor = _mpp_band(case, "mid").sum(axis=1)
    return Origin(
        year=year,
        totals=base.totals,
        anchor=anchor,
        anchor_label=f"case {case.settings.case.name} MPP mid",
        vintages=base.vintages,
    )


def _calibrated_yearly(
    case: Case, method: str, n: int, rng: np.random.Generator, history_data: History
) -> tuple[np.ndarray, list[str], str]:
    origin = case_origin(case, history_data)
    totals = sample_totals(method, origin, n, len(case.years), rng)
    first_now = history_data.inflow("first").get(origin.year)
    if first_now is None:
        raise ValueError(f"first applications of {origin.year} are missing in the history")
    kappa = nareis_lag_ratio(history_data)
    rho = repeat_share(case)
    split = split_categories(totals, first_now, kappa, rho)  # first, nareis, repeat
    order = [Category.FIRST, Category.NAREIS, Category.REPEAT]
    yearly = split[:, :, [order.index(c) for c in Category]]
    descriptions = ["total per year: " + ", ".join(f"{v:,.0f}" for v in row) for row in totals]
    years = sorted(origin.totals)
    window = f"{years[0]}-{years[-1]} ({len(years)} known years)"
    if method == "logar":
        fit = fit_logar(origin.totals)
        detail = (
            f"log-AR(1) + surge fitted by maximum likelihood on total inflow {window}: "
            f"level exp(mu) {np.exp(fit.mu):,.0f}, phi {fit.phi:.3f}, sigma {fit.sigma:.3f} "
            f"(predictive scale {fit.scale:.3f}, Student t {fit.dof} df), surge probability "
            f"{fit.p:.3f} of +{fit.d:.3f} log; the median of {case.years[0]} is the MPP mid total"
        )
    else:
        errors = vintage_errors(origin, 1)
        detail = (
            f"MPP horizon-1 errors ln(realised/forecast) of {len(errors)} vintages "
            f"({', '.join(f'{t}: {e:+.3f}' for t, e in errors)}) applied to the MPP mid total; "
            f"later years follow historical paths of total inflow {window}"
        )
    notes = (
        f"{detail}. Categories: nareis = {kappa:.3f} x first applications of the year before "
        f"(median ratio in data/history), repeat = {rho:.4f} x first (case MPP mid), first the rest."
    )
    return yearly, descriptions, notes


def generate(
    case: Case,
    method: Method | str,
    n: int,
    seed: int,
    *,
    name: str | None = None,
    sd: float = LOGNORMAL_SD,
    shock_probability: float | None = None,
    history_data: History | None = None,
    notes_extra: str = "",
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
    if method in CALIBRATED:
        data = history_data if history_data is not None else load_history()
        yearly, descriptions, notes = _calibrated_yearly(case, method, n, rng, data)
        before = before_horizon(case, data)
        periods, damped = _continued_periods(case, yearly, before)
        on_record = "; ".join(
            c.value + " " + ", ".join(f"{b.label} {b.persons:,.0f}" for b in blocks)
            for c, blocks in before.items()
            if blocks
        )
        notes += (
            f" Months: each category's path continues from {case.years[0] - 1} on record ({on_record}; "
            f"data/history) as the smoothest deseasonalised series meeting those totals and each "
            f"drawn year (Denton proportional first difference, bekostiging.scenarios.monthly); "
            f"{damped} of {n * len(Category)} category paths pulled towards the seasonal spread to "
            f"stay at or above zero."
        )
        housing = None
        if len(data.housing_realisation()) >= 2:  # drawn after the inflow: the inflow stays as it was
            fit = fit_housing(data)
            housing = housing_paths(case, sample_housing_ratios(fit, n, len(case.years), rng))
            notes += (
                f" Housing of status holders per scenario (housing.csv): the case's series times a "
                f"yearly realisation ratio exp({fit.mu:+.3f} + {fit.sd:.3f} z), z an AR(1) with phi "
                f"{HOUSING_PERSISTENCE} (estimate), fitted on housed / (task + arrears) of "
                + ", ".join(f"{p} {r:.3f}" for p, r in fit.points.items())
                + " (data/history/housing.csv)."
            )
        provenance = Provenance(
            method=method,  # type: ignore[arg-type]
            seed=seed,
            source=f"data/history (yearly total inflow, MPP vintages) and {MPP_SOURCE}",
            created=HISTORY_VINTAGE_CALIBRATED,
            generator=_generator(method),
            notes=f"{notes} Monthly seasonality of case {case.settings.case.name}; equal "
            f"probabilities.{(' ' + notes_extra) if notes_extra else ''}",
        )
        return _build(
            case, name or f"{method}-{n}", yearly, descriptions, provenance, housing=housing, periods=periods
        )
    if method == "bootstrap":
        yearly, descriptions = _bootstrap_yearly(case, n, rng, shock_probability)
        first_changes = history.log_changes(history.first_applications())
        p_shock = history.shock_share(first_changes) if shock_probability is None else shock_probability
        provenance = Provenance(
            method="bootstrap",
            seed=seed,
            source=HISTORY_SOURCE,
            created=history.HISTORY_VINTAGE,
            generator=_generator(method),
            notes=(
                f"Resampled yearly log-changes from the 2025 level (first "
                f"{history.last_level(history.first_applications()).persons:.0f}, nareis "
                f"{history.last_level(history.nareis()).persons:.0f}); shock years "
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


def yearly_totals(scenario_set: ScenarioSet) -> tuple[list[int], np.ndarray]:
    """Years and (scenarios, years) total inflow of a set."""
    years = sorted({int(p[:4]) for p in scenario_set.periods})
    labels = np.array([int(p[:4]) for p in scenario_set.periods])
    totals = scenario_set.inflow_persons.sum(axis=2)
    return years, np.column_stack([totals[:, labels == y].sum(axis=1) for y in years])


def tail_check(scenario_set: ScenarioSet, history_data: History) -> tuple[int, int, float, float]:
    """(scenario-years above TAIL_FACTOR x record, scenario-years, record, highest drawn year)."""
    _, totals = yearly_totals(scenario_set)
    _, record = history_data.record()
    above = int((totals > TAIL_FACTOR * record).sum())
    return above, int(totals.size), record, float(totals.max())
