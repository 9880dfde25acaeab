"""The occupancy band check of issue 16 (``analytics.occupancy``) on a hand-made flows table."""

from __future__ import annotations

import pandas as pd
import pytest

from bekostiging.analytics.occupancy import BAND_HIGH_YEARS, BAND_LOW_YEARS, occupancy_band


def _row(scenario: str, period: str, quantity: str, category: str, value: float) -> dict[str, object]:
    return {
        "scenario": scenario,
        "period": period,
        "year": int(period[:4]),
        "quantity": quantity,
        "category": category,
        "value": value,
    }


def _flows() -> pd.DataFrame:
    """a: 2026 arrivals 10,000 first + 1,000 repeat + 4,000 nareis registered = 15,000 (the
    scenario's own 9,999 nareis do not count: they were replaced by the linked ones), December
    occupancy 15,000; 2027 arrivals 5,000, occupancy 10,000. b: 2026 arrivals 20,000, occupancy
    5,000. c: 30,000 arrivals and residents, then 10,000 arrivals and 4,000 residents (0.4 of the
    year, 0.2 of the two years). November occupancy never counts."""
    rows = []
    cases = (
        ("a", 2026, 10_000, 1_000, 4_000, 15_000),
        ("a", 2027, 4_000, 1_000, 0, 10_000),
        ("b", 2026, 19_000, 1_000, 0, 5_000),
        ("c", 2026, 29_000, 1_000, 0, 30_000),
        ("c", 2027, 9_000, 1_000, 0, 4_000),
    )
    for s, year, first, repeat, nareis, occupancy in cases:
        rows += [
            _row(s, f"{year}-01", "inflow", "first", first),
            _row(s, f"{year}-01", "inflow", "repeat", repeat),
            _row(s, f"{year}-01", "inflow", "nareis", 9_999),
            _row(s, f"{year}-01", "registered", "nareis", nareis),
            _row(s, f"{year}-01", "registered", "first", 123_456),
            _row(s, f"{year}-11", "occupancy", "", 99_999),
            _row(s, f"{year}-12", "occupancy", "", occupancy),
        ]
    return pd.DataFrame(rows)


@pytest.mark.unit
def test_occupancy_band_ratios_by_hand():
    table = occupancy_band(_flows()).set_index(["scenario", "year"])
    assert table.loc[("a", 2026), "arrivals"] == pytest.approx(15_000)
    assert table.loc[("a", 2026), "ratio"] == pytest.approx(1.0)
    assert table.loc[("a", 2026), "trailing"] == pytest.approx(1.0)  # first year: the year itself
    assert table.loc[("a", 2027), "ratio"] == pytest.approx(2.0)  # 10,000 / 5,000: above the band
    assert table.loc[("a", 2027), "trailing"] == pytest.approx(1.0)  # 10,000 / mean(15,000, 5,000)
    assert table.loc[("b", 2026), "trailing"] == pytest.approx(0.25)
    assert table.loc[("c", 2027), "ratio"] == pytest.approx(0.4)
    assert table.loc[("c", 2027), "trailing"] == pytest.approx(0.2)
    inside = {("a", 2026): True, ("a", 2027): True, ("b", 2026): False, ("c", 2026): True, ("c", 2027): True}
    assert table["inside"].to_dict() == inside  # either ratio in the band will do
    assert BAND_LOW_YEARS < 1.0 < BAND_HIGH_YEARS


@pytest.mark.unit
def test_occupancy_band_limits_are_parameters():
    table = occupancy_band(_flows(), low=0.2, high=0.9).set_index(["scenario", "year"])
    outside = {("a", 2026), ("a", 2027), ("c", 2026)}
    assert table["inside"].to_dict() == {key: key not in outside for key in table.index}
