"""How much the model weights decide: the options ranking at other weights (issue 9, item 6).

The weights on late cases, the registration queue and supplementary funding steer
the plan but are not money. :func:`weight_sensitivity` takes the options table (one
row per preset with its expected cash spending, its weighted parts and its
valuations) and asks, for each of the three weights at ×0.5 and ×2 (the others at
×1), which preset has the lowest objective

.. math::
    J_o(f) = C_o + V_o + U_o + R_o + f_{late} L_o + f_q Q_o + f_{sup} S_o

(cash :math:`C`, end-state valuation :math:`V`, unspent-budget and reserve weights
:math:`U, R`, and the three weighted parts :math:`L, Q, S` at ×1). Each preset's plan
is kept as solved at ×1 (no re-solve: a plan re-optimised at the new weights could
only lower its :math:`J_o(f)`, so the table is a first answer, not the last); it says
whether the recommendation moves and where the recommended option ranks on cash alone.
"""

from __future__ import annotations

import math

import pandas as pd

FACTORS = (0.5, 2.0)
SCALED = {  # weight name -> column of the options table holding its part at x1 (EUR)
    "late_cases": "weight_late_cases_eur",
    "registration_queue": "weight_registration_queue_eur",
    "supplementary_funding": "weight_supplementary_funding_eur",
}
CASH = "cash_spending_eur"  # column of the options table: expected cash spending
FIXED_PARTS = (
    CASH,
    "end_state_value_eur",
    "weight_unspent_budget_eur",
    "weight_asielreserve_eur",
)
COLUMNS = [
    "weight",
    "factor",
    "recommended",
    "recommended_cash_eur",
    "recommended_objective_eur",
    "cash_rank",
    "changed",
]


def objective_at(frame: pd.DataFrame, factors: dict[str, float]) -> pd.Series:
    """J_o(f) per row of the options table (NaN where a part is missing)."""
    total = sum(frame[c].astype(float) for c in FIXED_PARTS if c in frame.columns)
    for name, col in SCALED.items():
        if col in frame.columns:
            total = total + factors.get(name, 1.0) * frame[col].astype(float)
    return total


def _pick(frame: pd.DataFrame, factors: dict[str, float]) -> tuple[str, float, float, int]:
    if CASH not in frame.columns:  # no preset has a plan (options exits 4): nothing to recommend
        return "", math.nan, math.nan, 0
    j = objective_at(frame, factors)
    ok = j.notna() & frame[CASH].notna()
    if not ok.any():
        return "", math.nan, math.nan, 0
    best = j[ok].idxmin()
    cash_rank = int(frame.loc[ok, CASH].rank(method="min")[best])
    return (
        str(frame.at[best, "preset"]),
        float(frame.at[best, CASH]),
        float(j[best]),
        cash_rank,
    )


def weight_sensitivity(frame: pd.DataFrame, factors: tuple[float, ...] = FACTORS) -> pd.DataFrame:
    """weight, factor, recommended preset, its cash and objective, its rank on cash, changed?

    The first row is every weight at ×1 (the recommendation as solved).
    """
    base, cash, obj, rank = _pick(frame, {})
    rows = [("all", 1.0, base, cash, obj, rank, False)]
    for name in SCALED:
        for f in factors:
            pick, cash, obj, rank = _pick(frame, {name: f})
            rows.append((name, f, pick, cash, obj, rank, pick != base))
    return pd.DataFrame(rows, columns=COLUMNS)
