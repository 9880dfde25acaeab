"""Monthly paths that continue from the history (bekostiging.scenarios.monthly, Denton)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from bekostiging.history import load_history
from bekostiging.io.case import load_case
from bekostiging.scenarios.generate import (
    _calibrated_yearly,
    _continued_periods,
    before_horizon,
    generate,
    monthly_factors,
    period_weights,
    spread_year,
)
from bekostiging.scenarios.monthly import Block, continue_paths, denton, known_blocks
from bekostiging.schema import Category

CASE_DIR = Path(__file__).parents[1] / "data" / "nl-2026"

FLAT = np.ones(12)
SEASONAL = np.array([0.95, 0.79, 0.91, 0.92, 0.90, 0.83, 1.09, 1.09, 1.20, 1.21, 1.09, 1.03])


def test_denton_of_a_steady_level_is_the_seasonal_pattern() -> None:
    """Every year at the same total: the smoothest path is a constant level times the factors."""
    seasonal = np.tile(SEASONAL / SEASONAL.mean(), 3)
    blocks = [(0, 12), (12, 12), (24, 12)]
    x = denton(seasonal, blocks, np.array([[12_000.0, 12_000.0, 12_000.0]]))
    np.testing.assert_allclose(x[0], 1_000.0 * seasonal, rtol=1e-9)


def test_a_doubling_year_builds_up_from_the_year_before() -> None:
    """The seasonal spread starts a year of twice the inflow at twice the level in January; the
    continued path starts near December of the year before and meets every total."""
    before = [Block(0, 12, 12_000.0, "2025")]
    out = continue_paths(np.array([[24_000.0, 24_000.0]]), FLAT, before)
    months = out.months[0]
    np.testing.assert_allclose([months[:12].sum(), months[12:].sum()], [24_000.0, 24_000.0])
    assert months[0] < 1_700.0  # the flat spread: 2,000 in January (measured: 1,599)
    assert np.all(np.diff(months[:6]) > 0)  # it builds up through the first half of the surge year
    assert out.damped == 0


def test_known_quarters_of_the_year_before_set_the_start() -> None:
    """Same year total, a last quarter on record high or low: January follows that quarter."""
    yearly = np.array([[12_000.0]])
    high = continue_paths(yearly, FLAT, [Block(0, 12, 12_000.0, "y"), Block(9, 3, 4_500.0, "Q4")])
    low = continue_paths(yearly, FLAT, [Block(0, 12, 12_000.0, "y"), Block(9, 3, 1_500.0, "Q4")])
    assert high.months[0, 0] > 1_000.0 > low.months[0, 0]
    np.testing.assert_allclose([high.months.sum(), low.months.sum()], [12_000.0, 12_000.0])


def test_a_year_whose_quarters_are_all_known_adds_no_constraint() -> None:
    """Year total and its four quarters on record: the rows are dependent, the solve still works
    and meets the quarters."""
    quarters = [Block(3 * q, 3, v, f"Q{q + 1}") for q, v in enumerate((2_000.0, 3_000.0, 3_000.0, 4_000.0))]
    out = continue_paths(np.array([[15_000.0]]), FLAT, [Block(0, 12, 12_000.0, "y"), *quarters])
    assert out.months.sum() == pytest.approx(15_000.0)
    assert out.months[0, 0] > 1_000.0  # continues from the last quarter's 1,333 a month


def test_a_steep_fall_is_pulled_towards_the_spread_and_stays_non_negative() -> None:
    """A surge year and then almost nothing: the smooth path would go below zero; it is damped,
    counted, and still meets every year's total."""
    before = [Block(0, 12, 10_000.0, "y")]
    yearly = np.array([[60_000.0, 500.0, 40_000.0], [12_000.0, 12_000.0, 12_000.0]])
    out = continue_paths(yearly, FLAT, before)
    assert out.damped == 1
    assert out.months.min() >= 0.0
    np.testing.assert_allclose(out.months.reshape(2, 3, 12).sum(axis=2), yearly, rtol=1e-9)


def test_known_blocks_read_the_year_and_its_quarters_from_the_history() -> None:
    blocks = {b.label: b for b in known_blocks(load_history(), "first", 2025)}
    assert blocks["2025"].months == 12 and blocks["2025"].persons == pytest.approx(24_000.0)
    assert (blocks["2025-Q3"].start, blocks["2025-Q3"].months) == (6, 3)
    assert all(b.label.startswith("2025") for b in blocks.values())


def test_calibrated_sets_start_from_the_last_level_and_keep_their_yearly_totals() -> None:
    """The logar set's January 2026 lies near the 2025 level on record in every path (the
    seasonal spread put the largest path at 9,987 first applications, 4.4 x the 2025-Q3 month),
    and each year's total per category is the drawn total, whole persons."""
    case = load_case(CASE_DIR)
    n = 40
    made = generate(case, "logar", n, 7)
    drawn, _, _ = _calibrated_yearly(case, "logar", n, np.random.default_rng(7), load_history())
    np.testing.assert_array_equal(made.inflow_persons.reshape(n, 5, 12, 3).sum(axis=2), np.round(drawn))
    first = list(Category).index(Category.FIRST)
    q3_month = 6_800.0 / 3
    jan_spread = np.array([spread_year(drawn[s, 0, first], period_weights(case))[0] for s in range(n)])
    jan_made = made.inflow_persons[:, 0, first]
    assert np.abs(np.log(jan_made / q3_month)).max() < np.abs(np.log(jan_spread / q3_month)).max()
    assert np.all(jan_made < 2.5 * q3_month)
    np.testing.assert_array_equal(made.inflow_persons, np.round(made.inflow_persons))
    assert "Denton" in made.provenance.notes
    assert len(monthly_factors(case)) == 12
    with (CASE_DIR / "seasonality.csv").open(encoding="utf-8") as f:  # January..December, as the file
        on_file = {int(r["month"]): float(r["factor"]) for r in csv.DictReader(f)}
    np.testing.assert_allclose(monthly_factors(case), [on_file[m] for m in range(1, 13)])


def test_a_quarterly_case_gets_the_quarters_of_the_same_monthly_path() -> None:
    """With period = "quarter" each quarter is the sum of the monthly path's three months (up to
    the rounding to whole persons) and each year keeps its drawn total."""
    case = load_case(CASE_DIR)
    horizon = case.settings.horizon.model_copy(update={"period": "quarter"})
    quarterly = case.model_copy(update={"settings": case.settings.model_copy(update={"horizon": horizon})})
    history = load_history()
    drawn, _, _ = _calibrated_yearly(case, "logar", 12, np.random.default_rng(3), history)
    before = before_horizon(case, history)
    quarters, _ = _continued_periods(quarterly, drawn, before)
    months, _ = _continued_periods(case, drawn, before)
    assert quarters.shape == (12, 20, 3)
    assert np.abs(quarters - months.reshape(12, 20, 3, 3).sum(axis=2)).max() <= 2.0
    np.testing.assert_array_equal(quarters.reshape(12, 5, 4, 3).sum(axis=2), np.round(drawn))
