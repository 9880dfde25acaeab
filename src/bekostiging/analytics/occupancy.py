"""The occupancy band of issue 16: year-end COA occupancy against inflow x average stay.

Little's law: occupancy = arrival rate x average stay, with the arrival rate taken over the
window in which the residents arrived — the stay itself. For every scenario and budget year of
a solved run's ``flows`` table the **implied stay** ``stay`` is the length :math:`w` (years) of
the window before the year end whose arrivals equal the December occupancy:

.. math:: Occ_{Dec} = \\sum_{m \\in (Dec - w,\\, Dec]} a_m

(linear within a period; before the horizon the arrivals run at ``before_per_year``). With a
constant arrival rate :math:`\\lambda` this is :math:`Occ/\\lambda`, Little's average stay; with a
changing rate it is the stay of a first-in-first-out chain, measured against the arrivals of the
window those residents came in — after a surge the people of the surge, after a drop the people
of the years before. Arrivals are the inflow of the categories that register (first and repeat
applications) plus the nareis that actually arrive (the scenario's, or linked to permits, the
model's). A scenario-year lies in the band when
:data:`BAND_LOW_YEARS` <= ``stay`` <= :data:`BAND_HIGH_YEARS` (``model/formulation.md``,
"Residence times and the occupancy band", derives the rule and states the band's sources).
``ratio`` (occupancy / that year's arrivals) and ``trailing`` (occupancy / the mean arrivals of
that year and the one before) are kept for reading only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bekostiging.history.schema import History

BAND_LOW_YEARS = 0.35  # the minimum-stay floor at MPP low (formulation.md)
BAND_HIGH_YEARS = 1.8  # the longest average stays on record, step by step (formulation.md)
DECEMBER = "-12"
NAREIS = "nareis"
MONTHS_PER_YEAR = 12


def arrivals_in_year(history: History, year: int) -> float:
    """Arrivals of a calendar year in the chain's history (first, repeat and nareis, as the band
    counts them): the rate before the horizon for :func:`occupancy_band`."""
    counted = {"first", "repeat", NAREIS}
    return float(
        sum(
            r.persons
            for r in history.inflow_yearly
            if r.year == year
            and r.persons is not None
            and str(getattr(r.category, "value", r.category)) in counted
        )
    )


def arrivals_per_period(flows: pd.DataFrame) -> pd.DataFrame:
    """Arrivals per scenario and period (``period``, ``year``, ``arrivals``): registering inflow
    plus the nareis that arrive."""
    inflow = flows[(flows["quantity"] == "inflow") & (flows["category"] != NAREIS)]
    nareis = flows[(flows["quantity"] == "registered") & (flows["category"] == NAREIS)]
    both = pd.concat([inflow, nareis])
    totals = both.groupby(["scenario", "period", "year"], as_index=False)["value"].sum()
    return totals.rename(columns={"value": "arrivals"}).sort_values(["scenario", "period"])


def arrivals_per_year(flows: pd.DataFrame) -> pd.DataFrame:
    """Arrivals per scenario and year: registering inflow plus the nareis that arrive."""
    per_period = arrivals_per_period(flows)
    return per_period.groupby(["scenario", "year"], as_index=False)["arrivals"].sum()


def implied_stay_years(
    arrivals: np.ndarray, end: int, occupancy: float, before_per_period: float, periods_per_year: int
) -> float:
    """The window :math:`w` (years) before the end of period ``end`` whose arrivals add up to
    ``occupancy``: the latest periods first, the last one needed in part, and before period 0
    the constant ``before_per_period``."""
    behind = arrivals[: end + 1][::-1]
    cumulative = np.cumsum(behind)
    full = int(np.searchsorted(cumulative, occupancy))  # periods wholly inside the window
    if full < len(behind):
        covered = cumulative[full - 1] if full > 0 else 0.0
        part = (occupancy - covered) / behind[full] if behind[full] > 0 else 0.0
        periods = full + part
    else:
        rest = occupancy - (cumulative[-1] if len(cumulative) else 0.0)
        periods = len(behind) + (rest / before_per_period if before_per_period > 0 else np.inf)
    return float(periods / periods_per_year)


def occupancy_band(
    flows: pd.DataFrame,
    low: float = BAND_LOW_YEARS,
    high: float = BAND_HIGH_YEARS,
    before_per_year: float | None = None,
) -> pd.DataFrame:
    """Per scenario and year: December occupancy, arrivals, ``stay`` (the implied stay in years,
    module docstring), ``ratio``, ``trailing`` and ``inside`` (``low`` <= ``stay`` <= ``high``).

    ``before_per_year``: arrivals per year before the horizon (the caller's history, e.g. 2025);
    ``None`` takes each scenario's own first year.
    """
    per_period = arrivals_per_period(flows)
    december = flows[(flows["quantity"] == "occupancy") & flows["period"].str.endswith(DECEMBER)]
    occupancy = december[["scenario", "year", "period", "value"]].rename(columns={"value": "occupancy"})
    stays: list[tuple[str, int, float]] = []
    for scenario, own in per_period.groupby("scenario", sort=False):
        periods = list(own["period"])
        values = own["arrivals"].to_numpy(dtype=float)
        years = own["year"].to_numpy()
        per_year = int(np.sum(years == years[0]))  # periods in a (whole) first year
        first_year_total = float(values[:per_year].sum())
        before = (first_year_total if before_per_year is None else before_per_year) / per_year
        rows = occupancy[occupancy["scenario"] == scenario]
        for period, year, occ in zip(rows["period"], rows["year"], rows["occupancy"], strict=True):
            end = periods.index(period)
            stays.append((scenario, int(year), implied_stay_years(values, end, float(occ), before, per_year)))
    stay = pd.DataFrame(stays, columns=["scenario", "year", "stay"])
    arrivals = arrivals_per_year(flows).sort_values(["scenario", "year"])
    previous = arrivals.groupby("scenario")["arrivals"].shift(1)
    mean = (arrivals["arrivals"] + previous.fillna(arrivals["arrivals"])) / 2
    arrivals = arrivals.assign(trailing_arrivals=mean)
    out = (
        occupancy.drop(columns="period")
        .merge(arrivals, on=["scenario", "year"])
        .merge(stay, on=["scenario", "year"])
    )
    out = out.assign(
        ratio=out["occupancy"] / out["arrivals"], trailing=out["occupancy"] / out["trailing_arrivals"]
    )
    return out.assign(inside=(out["stay"] >= low) & (out["stay"] <= high))
