"""The occupancy band check of issue 16 (``analytics.occupancy``) on a hand-made flows table."""

from __future__ import annotations

import pandas as pd
import pytest

from bekostiging import shipped
from bekostiging.analytics.occupancy import BAND_HIGH_YEARS, BAND_LOW_YEARS, arrivals_in_year, occupancy_band
from bekostiging.history.load import load_history


def _row(scenario: str, period: str, quantity: str, category: str, value: float) -> dict[str, object]:
    return {
        "scenario": scenario,
        "period": period,
        "year": int(period[:4]),
        "quantity": quantity,
        "category": category,
        "value": value,
    }


# scenario -> (arrivals per month in 2026, in 2027, December occupancy 2026, 2027)
CASES = {
    "steady": (1_000, 1_000, 6_000, 18_000),
    "surge": (1_000, 4_000, 3_000, 60_000),
    "drop": (4_000, 1_000, 30_000, 30_000),
}


def _flows() -> pd.DataFrame:
    """Monthly arrivals: 80 % first and 10 % repeat inflow, 10 % nareis registered (the scenario's
    own nareis inflow of 9,999 a month does not count: the linked ones replaced it, nor does the
    registration of first applicants). Only December occupancy counts."""
    rows = []
    for s, (rate_26, rate_27, occ_26, occ_27) in CASES.items():
        for year, rate, occ in ((2026, rate_26, occ_26), (2027, rate_27, occ_27)):
            for month in range(1, 13):
                p = f"{year}-{month:02d}"
                rows += [
                    _row(s, p, "inflow", "first", 0.8 * rate),
                    _row(s, p, "inflow", "repeat", 0.1 * rate),
                    _row(s, p, "inflow", "nareis", 9_999),
                    _row(s, p, "registered", "nareis", 0.1 * rate),
                    _row(s, p, "registered", "first", 123_456),
                    _row(s, p, "occupancy", "", occ if month == 12 else 99_999),
                ]
    return pd.DataFrame(rows)


@pytest.mark.unit
def test_implied_stay_by_hand():
    """The stay is the window before the year end whose arrivals fill the December occupancy.

    steady: 6,000 residents = the last 6 months (0.5 yr); 18,000 = 12,000 of 2027 + 6 months of
    2026 (1.5). surge: 3,000 = 3 months (0.25, below the band); 60,000 = 48,000 of 2027 + all 12,000
    of 2026 (2.0, above it) although 60,000 / 48,000 arrivals of that year is only 1.25 — the old
    rule (either the one-year or the two-year ratio in the band) called it inside. drop: 30,000 =
    12,000 of 2027 + 18,000 / 4,000 = 4.5 months of 2026 (1.375) although the one-year ratio is 2.5.
    """
    table = occupancy_band(_flows()).set_index(["scenario", "year"])
    stays = {
        ("steady", 2026): 0.5,
        ("steady", 2027): 1.5,
        ("surge", 2026): 0.25,
        ("surge", 2027): 2.0,
        ("drop", 2026): 7.5 / 12,
        ("drop", 2027): 1.375,
    }
    for key, stay in stays.items():
        assert table.loc[key, "stay"] == pytest.approx(stay), key
    assert table.loc[("surge", 2027), "arrivals"] == pytest.approx(48_000)
    assert table.loc[("surge", 2027), "ratio"] == pytest.approx(1.25)  # the one-year ratio: in band
    assert table.loc[("drop", 2027), "ratio"] == pytest.approx(2.5)
    assert table.loc[("drop", 2027), "trailing"] == pytest.approx(1.0)  # 30,000 / mean(48,000, 12,000)
    outside = {("surge", 2026), ("surge", 2027)}
    assert table["inside"].to_dict() == {key: key not in outside for key in table.index}
    assert BAND_LOW_YEARS < 0.5 and 1.5 < BAND_HIGH_YEARS < 2.0


@pytest.mark.unit
def test_stay_before_the_horizon_runs_at_the_given_rate():
    """steady 2026 with 18,000 residents: 12,000 arrived in 2026, 6,000 before the horizon —
    6 months at the first year's own 1,000 a month (1.5 yr), 3 months at 24,000 a year (1.25)."""
    flows = _flows()
    flows.loc[
        (flows["scenario"] == "steady") & (flows["period"] == "2026-12") & (flows["quantity"] == "occupancy"),
        "value",
    ] = 18_000
    own = occupancy_band(flows).set_index(["scenario", "year"])
    given = occupancy_band(flows, before_per_year=24_000).set_index(["scenario", "year"])
    assert own.loc[("steady", 2026), "stay"] == pytest.approx(1.5)
    assert given.loc[("steady", 2026), "stay"] == pytest.approx(1.25)
    assert given.loc[("steady", 2027), "stay"] == pytest.approx(1.5)  # inside the horizon: unchanged


@pytest.mark.unit
def test_occupancy_band_limits_are_parameters():
    table = occupancy_band(_flows(), low=0.6, high=1.45).set_index(["scenario", "year"])
    inside = {("drop", 2026), ("drop", 2027)}  # 0.625 and 1.375; steady 0.5 and 1.5 fall out
    assert table["inside"].to_dict() == {key: key in inside for key in table.index}


@pytest.mark.unit
def test_arrivals_in_year_counts_first_repeat_and_nareis_of_the_history():
    """The rate before the horizon: the year's first, repeat and nareis rows of
    data/history/inflow_yearly.csv (the 'total' row and empty cells do not count)."""
    history = load_history()
    rows = pd.read_csv(shipped.history_dir() / "inflow_yearly.csv")
    for year in (2024, 2025):
        own = rows[(rows["year"] == year) & rows["category"].isin(["first", "repeat", "nareis"])]
        assert arrivals_in_year(history, year) == pytest.approx(own["persons"].sum())
        total = rows[(rows["year"] == year) & (rows["category"] == "total")]["persons"].iloc[0]
        assert arrivals_in_year(history, year) == pytest.approx(total, rel=0.01)
    assert arrivals_in_year(history, 1800) == 0.0
