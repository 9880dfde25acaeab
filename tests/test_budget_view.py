"""bekostiging.budget: the budget view of a run (issue 9), on hand-made tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bekostiging.budget import (
    CONSTANT,
    CURRENT,
    budget_table,
    budget_wide,
    funding_flags,
    reconciliation_table,
    reserve_per_year,
)
from bekostiging.schema import BudgetArticle, Prices

pytestmark = pytest.mark.unit
M = 1e6


def _costs() -> pd.DataFrame:
    """Two scenarios (p = 0.25 / 0.75): COA spends 100 + 20 (low) or 100 + 60 (high) in 2026;
    a weight row on the chain line that must never reach the budget view."""
    rows = [
        ("low", "coa", 2026, "structural", 1, "cash", 100 * M),
        ("low", "coa", 2026, "operating", 2, "cash", 20 * M),
        ("high", "coa", 2026, "structural", 1, "cash", 100 * M),
        ("high", "coa", 2026, "operating", 2, "cash", 60 * M),
        ("low", "chain", 2026, "weight_late_cases", 2, "weight", 999 * M),
        ("high", "chain", 2026, "weight_late_cases", 2, "weight", 999 * M),
    ]
    return pd.DataFrame(
        rows, columns=["scenario", "partner", "year", "component", "stage", "kind", "value_eur"]
    )


SCENARIOS = pd.DataFrame({"scenario": ["low", "high"], "probability": [0.25, 0.75]})
ARTICLES = {
    "coa": BudgetArticle(article="37.2 COA", published_eur={2025: 140 * M, 2026: 153 * M}),
    "registration": BudgetArticle(article="politie"),
}
PRICES = Prices(index={2025: 1.0, 2026: 1.02})


def test_budget_table_is_expected_cash_per_article_in_both_price_levels() -> None:
    """Expected COA cash 2026 = 100 + 0.25 x 20 + 0.75 x 60 = 150; current prices x 1.02 = 153.
    The deposit into the fund is its own article; the weight row is not in the view."""
    reserve = pd.DataFrame({"scenario": ["low"], "year": [2026], "deposit_eur": [5 * M]})
    table = budget_table(_costs(), SCENARIOS, reserve, ARTICLES, PRICES)
    coa = table[table["partner"] == "coa"].set_index("prices")["cash_eur"]
    assert coa[CONSTANT] == pytest.approx(150 * M)
    assert coa[CURRENT] == pytest.approx(153 * M)
    assert set(table["partner"]) == {"coa", "asielreserve"}
    wide = budget_wide(table, CONSTANT).set_index("partner")
    assert wide.loc["coa", "2026"] == pytest.approx(150 * M)
    assert wide.loc["coa", "article"] == "37.2 COA"


def test_reconciliation_brings_published_figures_to_the_price_year() -> None:
    """MPP need 150 in 2026. 2025 published 140 (price year): +7.1 %; 2026 published 153 in
    2026 prices = 150 at the price year: 0 %. A line without a published figure: no difference."""
    funding = pd.DataFrame(
        {
            "partner": ["coa", "registration"],
            "year": [2026, 2026],
            "budget_eur": [0.0, 0.0],
            "mpp_need_eur": [150 * M, 30 * M],
        }
    )
    rec = reconciliation_table(funding, ARTICLES, PRICES, [2026], {"articles.coa.published_eur": "B2"})
    coa = rec[rec["partner"] == "coa"].set_index("year")
    assert coa.loc[2025, "difference_pct"] == pytest.approx((150 / 140 - 1) * 100)
    assert coa.loc[2026, "published_price_year_eur"] == pytest.approx(150 * M)
    assert coa.loc[2026, "difference_pct"] == pytest.approx(0.0, abs=1e-9)
    assert (coa["source"] == "B2").all()
    reg = rec[rec["partner"] == "registration"].iloc[0]
    assert reg["model_mpp_need_eur"] == pytest.approx(30 * M) and math.isnan(reg["difference_pct"])


def test_funding_flags_name_partner_years_below_95_percent() -> None:
    funding = pd.DataFrame(
        {
            "partner": ["coa", "coa", "ind", "flexpool"],
            "year": [2026, 2027, 2026, 2026],
            "budget_eur": [94.0, 96.0, 100.0, 5.0],
            "mpp_need_eur": [100.0, 100.0, 100.0, 0.0],
        }
    )
    flags = funding_flags(funding)
    assert list(zip(flags["partner"], flags["year"], strict=True)) == [("coa", 2026)]


def test_reserve_per_year_is_the_probability_weighted_fund() -> None:
    reserve = pd.DataFrame(
        {
            "scenario": ["low", "high"],
            "year": [2026, 2026],
            "opening_eur": [0.0, 0.0],
            "closing_eur": [40.0, 0.0],
        }
    )
    per = reserve_per_year(reserve, SCENARIOS).set_index("year")
    assert per.loc[2026, "closing_eur"] == pytest.approx(10.0)
