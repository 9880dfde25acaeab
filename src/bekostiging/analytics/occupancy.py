"""The occupancy band of issue 16: year-end COA occupancy against inflow x average stay.

Little's law: occupancy = arrival rate x average stay. For every scenario and budget year of a
solved run's ``flows`` table, year-end (December) occupancy is divided by the arrivals of that
year — the inflow of the categories that register (first and repeat applications) plus the
nareis that actually arrive (the scenario's, or linked to permits, the model's) — and by the
mean arrivals of that year and the year before (the arrivals of the people still there when
stays are one to two years; in the first year the year itself). Both ratios are average stays
in years. A scenario-year lies in the band when either ratio lies in
[:data:`BAND_LOW_YEARS`, :data:`BAND_HIGH_YEARS`]: after a surge the residents arrived in the
years before (the one-year ratio overstates the stay), after a drop the trailing mean
understates it (``model/formulation.md``, "Residence times and the occupancy band", states the
band and its sources).
"""

from __future__ import annotations

import pandas as pd

BAND_LOW_YEARS = 0.35  # the minimum-stay floor at MPP low (formulation.md)
BAND_HIGH_YEARS = 1.8  # above the highest ratio on record (~1.6 in 2025, S28, S13)
DECEMBER = "-12"
NAREIS = "nareis"


def arrivals_per_year(flows: pd.DataFrame) -> pd.DataFrame:
    """Arrivals per scenario and year: registering inflow plus the nareis that arrive."""
    inflow = flows[(flows["quantity"] == "inflow") & (flows["category"] != NAREIS)]
    nareis = flows[(flows["quantity"] == "registered") & (flows["category"] == NAREIS)]
    both = pd.concat([inflow, nareis])
    totals = both.groupby(["scenario", "year"], as_index=False)["value"].sum()
    return totals.rename(columns={"value": "arrivals"})


def occupancy_band(
    flows: pd.DataFrame, low: float = BAND_LOW_YEARS, high: float = BAND_HIGH_YEARS
) -> pd.DataFrame:
    """Per scenario and year: December occupancy, arrivals, ``ratio`` (occupancy / that year's
    arrivals), ``trailing`` (occupancy / the mean arrivals of that year and the one before) and
    ``inside`` (either ratio within ``[low, high]``)."""
    december = flows[(flows["quantity"] == "occupancy") & flows["period"].str.endswith(DECEMBER)]
    occupancy = december[["scenario", "year", "value"]].rename(columns={"value": "occupancy"})
    arrivals = arrivals_per_year(flows).sort_values(["scenario", "year"])
    previous = arrivals.groupby("scenario")["arrivals"].shift(1)
    mean = (arrivals["arrivals"] + previous.fillna(arrivals["arrivals"])) / 2
    arrivals = arrivals.assign(trailing_arrivals=mean)
    out = occupancy.merge(arrivals, on=["scenario", "year"])
    out = out.assign(
        ratio=out["occupancy"] / out["arrivals"], trailing=out["occupancy"] / out["trailing_arrivals"]
    )
    one_year = (out["ratio"] >= low) & (out["ratio"] <= high)
    two_years = (out["trailing"] >= low) & (out["trailing"] <= high)
    return out.assign(inside=one_year | two_years)
