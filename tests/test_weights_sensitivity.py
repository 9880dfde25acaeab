"""analytics.weights: the options ranking at other weights (issue 9, item 6), on hand-made rows."""

from __future__ import annotations

import pandas as pd
import pytest

from bekostiging.analytics.weights import objective_at, weight_sensitivity

pytestmark = pytest.mark.unit


def _frame() -> pd.DataFrame:
    """Two options, EUR: ``cheap`` spends 100 and carries late-case weight 50; ``fast`` spends 130
    and carries 10. At x1: cheap 150, fast 140 -> fast. Late weight x0.5: cheap 125, fast 135 ->
    cheap (changed). Late x2: cheap 200, fast 150 -> fast. Queue and supplementary parts are 0,
    so scaling them changes nothing."""
    zero = [0.0, 0.0]
    return pd.DataFrame(
        {
            "preset": ["cheap", "fast"],
            "cash_spending_eur": [100.0, 130.0],
            "end_state_value_eur": zero,
            "weight_unspent_budget_eur": zero,
            "weight_asielreserve_eur": zero,
            "weight_late_cases_eur": [50.0, 10.0],
            "weight_registration_queue_eur": zero,
            "weight_supplementary_funding_eur": zero,
        }
    )


def test_objective_at_scales_only_the_named_weight() -> None:
    assert list(objective_at(_frame(), {})) == [150.0, 140.0]
    assert list(objective_at(_frame(), {"late_cases": 0.5})) == [125.0, 135.0]
    assert list(objective_at(_frame(), {"registration_queue": 2.0})) == [150.0, 140.0]


def test_weight_sensitivity_says_when_the_recommendation_changes() -> None:
    table = weight_sensitivity(_frame()).set_index(["weight", "factor"])
    assert table.loc[("all", 1.0), "recommended"] == "fast"
    assert table.loc[("all", 1.0), "cash_rank"] == 2  # the recommended option is the dearer in cash
    assert table.loc[("late_cases", 0.5), "recommended"] == "cheap"
    assert bool(table.loc[("late_cases", 0.5), "changed"]) is True
    assert table.loc[("late_cases", 2.0), "recommended"] == "fast"
    assert not table.loc[[("registration_queue", 0.5), ("supplementary_funding", 2.0)], "changed"].any()
