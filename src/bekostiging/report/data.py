"""Numbers for reports and comparisons, computed from a run's tables only.

Every function takes a :class:`~bekostiging.runs.store.RunRecord` (or its
tables) and returns a DataFrame or a number; nothing here formats or plots.
Expected values weight scenarios by their probability (``scenarios`` table).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bekostiging.analytics.stats import cvar
from bekostiging.runs.store import RunRecord
from bekostiging.twostage import Risk

EXPECTED = "expected"  # the scenario label of probability-weighted KPIs
LOW_QUANTILE = 0.10  # P10
MID_QUANTILE = 0.50
HIGH_QUANTILE = 0.90  # P90
FIVE_LEVERS = (
    "flexpool_fte",
    "asielreserve_eur",
    "funding_ratio",
    "reserve_places",
    "planned_occupancy_rate",
)
BACKLOG_QUANTITY = "ind_backlog"
INFLOW_QUANTITY = "inflow"
RESERVE_DRAW = "reserve_draw"  # prefix of the reserve-draw cost component / KPI
SUPPLEMENTARY = "supplementary_funding"  # prefix of the supplementary-funding component / KPI
SUCCESS_STATUSES = ("optimal", "limit")
CVAR_KPI = "cvar_total_cost_eur"  # expected row of the kpis table (results.py)


def probabilities(record: RunRecord) -> pd.Series:
    """Scenario → probability (equal weights when the run stored no scenarios table)."""
    scen = record.table("scenarios")
    if not scen.empty:
        return scen.set_index("scenario")["probability"].astype(float)
    flows = record.table("flows")
    names = sorted(flows["scenario"].unique()) if not flows.empty else []
    return pd.Series(1.0 / len(names), index=names) if names else pd.Series(dtype=float)


def weighted_quantile(values: pd.Series, weights: pd.Series, q: float) -> float | None:
    """The smallest value whose cumulative probability reaches ``q`` (a scenario value, not interpolated)."""
    frame = pd.DataFrame({"v": values.astype(float), "w": weights.reindex(values.index).fillna(0.0)})
    frame = frame.dropna().sort_values("v")
    if frame.empty or frame["w"].sum() <= 0:
        return None
    cum = frame["w"].cumsum() / frame["w"].sum()
    return float(frame.loc[cum >= q - 1e-12, "v"].iloc[0])


def scenario_kpi(record: RunRecord, kpi: str) -> pd.Series:
    """``kpi`` per scenario (without the expected row), indexed by scenario."""
    k = record.table("kpis")
    if k.empty:
        return pd.Series(dtype=float)
    rows = k[(k["kpi"] == kpi) & (k["scenario"] != EXPECTED)]
    return rows.set_index("scenario")["value"].astype(float)


def expected_kpi(record: RunRecord, kpi: str) -> float | None:
    k = record.table("kpis")
    if k.empty:
        return None
    rows = k[(k["kpi"] == kpi) & (k["scenario"] == EXPECTED)]
    if not rows.empty:
        return float(rows["value"].iloc[0])
    per = scenario_kpi(record, kpi)
    if per.empty:
        return None
    p = probabilities(record).reindex(per.index).fillna(0.0)
    return float((per * p).sum())


def expected_kpis(record: RunRecord) -> pd.DataFrame:
    """kpi, value, unit of the expected row."""
    k = record.table("kpis")
    if k.empty:
        return pd.DataFrame(columns=["kpi", "value", "unit"])
    return k[k["scenario"] == EXPECTED][["kpi", "value", "unit"]].reset_index(drop=True)


CASH_KIND = "cash"  # costs-table rows that are spending (kasuitgaven); the others are weights/valuations


def cost_kinds(costs: pd.DataFrame) -> pd.Series:
    """The ``kind`` of every costs row (runs from before issue 9: the ``chain`` line is weights)."""
    if "kind" in costs.columns:
        return costs["kind"].astype(str)
    return costs["partner"].map(lambda p: "weight" if p == "chain" else CASH_KIND)


def expected_costs(
    record: RunRecord, by: list[str], kinds: Sequence[str] | None = (CASH_KIND,)
) -> pd.DataFrame:
    """Probability-weighted ``value_eur`` of the costs table, grouped ``by`` columns.

    Cash only by default, so no chart or total ever stacks model weights on cash;
    ``kinds=None`` keeps every row (then group ``by`` ``kind`` to keep them apart).
    """
    costs = record.table("costs")
    if costs.empty:
        return pd.DataFrame(columns=[*by, "value_eur"])
    costs = costs.assign(kind=cost_kinds(costs))
    if kinds is not None:
        costs = costs[costs["kind"].isin(list(kinds))]
    p = probabilities(record)
    weighted = costs.assign(value_eur=costs["value_eur"] * costs["scenario"].map(p).fillna(0.0))
    return weighted.groupby(by, as_index=False)["value_eur"].sum()


def flow_totals(record: RunRecord, quantity: str, weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """scenario, period, year, value: ``quantity`` summed over categories.

    ``weights`` (category -> factor) sums only the categories it names, each times its
    factor: the registrations that pass registration, or decisions as IND work.
    """
    flows = record.table("flows")
    if flows.empty:
        return pd.DataFrame(columns=["scenario", "period", "year", "value"])
    rows = flows[flows["quantity"] == quantity]
    if weights is not None:
        factor = rows["category"].astype(str).map(dict(weights))
        rows = rows.assign(value=rows["value"] * factor)[factor.notna()]
    return rows.groupby(["scenario", "period", "year"], as_index=False, sort=True)["value"].sum()


def flow_categories(record: RunRecord, quantity: str) -> list[str]:
    """The categories ``quantity`` is stored for (e.g. those with a registration queue)."""
    flows = record.table("flows")
    if flows.empty:
        return []
    return sorted(set(flows.loc[flows["quantity"] == quantity, "category"].astype(str)) - {""})


def has_flow(record: RunRecord, quantity: str) -> bool:
    flows = record.table("flows")
    return not flows.empty and bool((flows["quantity"] == quantity).any())


def flow_quantiles(
    record: RunRecord, quantity: str, weights: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """period, year, expected, p10, p50, p90, min, max of ``quantity`` over scenarios."""
    return series_quantiles(flow_totals(record, quantity, weights), probabilities(record))


def series_quantiles(tot: pd.DataFrame, p: pd.Series) -> pd.DataFrame:
    """period, year, expected, p10, p50, p90, min, max of a (scenario, period, year, value) frame."""
    rows = []
    for (period, year), grp in tot.groupby(["period", "year"], sort=True):
        vals = grp.set_index("scenario")["value"]
        w = p.reindex(vals.index).fillna(0.0)
        rows.append(
            {
                "period": period,
                "year": year,
                "expected": float((vals * w).sum() / w.sum()) if w.sum() > 0 else math.nan,
                "p10": weighted_quantile(vals, w, LOW_QUANTILE),
                "p50": weighted_quantile(vals, w, MID_QUANTILE),
                "p90": weighted_quantile(vals, w, HIGH_QUANTILE),
                "min": float(vals.min()),
                "max": float(vals.max()),
            }
        )
    return pd.DataFrame(rows, columns=["period", "year", "expected", "p10", "p50", "p90", "min", "max"])


def expected_year_end(record: RunRecord, quantity: str) -> pd.DataFrame:
    """year, value: expected ``quantity`` in the last period of each year (a stock such as the backlog)."""
    q = flow_quantiles(record, quantity)
    if q.empty:
        return pd.DataFrame(columns=["year", "value"])
    last = q.sort_values("period").groupby("year", as_index=False).last()
    return last[["year", "expected"]].rename(columns={"expected": "value"})


def reserve_and_supplementary_per_year(record: RunRecord) -> pd.DataFrame:
    """year, reserve_draw_eur, supplementary_funding_eur (expected), from cost components.

    Empty when the costs table has no such components (then use the KPIs per scenario).
    """
    costs = record.table("costs")
    if costs.empty:
        return pd.DataFrame()
    comp = costs["component"].astype(str)
    out = {}
    for key, prefix in (("reserve_draw_eur", RESERVE_DRAW), ("supplementary_funding_eur", SUPPLEMENTARY)):
        mask = comp.str.startswith(prefix)
        if mask.any():
            sub = costs[mask]
            p = probabilities(record)
            w = sub.assign(v=sub["value_eur"] * sub["scenario"].map(p).fillna(0.0))
            out[key] = w.groupby("year")["v"].sum()
    if not out:
        return pd.DataFrame()
    return pd.DataFrame(out).fillna(0.0).reset_index().rename(columns={"index": "year"})


@dataclass(frozen=True)
class Summary:
    """The one-page summary of a run, as numbers."""

    run_id: str
    status: str
    status_text: str
    gap: float | None
    levers: pd.DataFrame  # lever, value, unit (the five levers first)
    expected_cost: float | None
    cost_p10: float | None
    cost_p50: float | None
    cost_p90: float | None
    backlog_expected: float | None
    backlog_p90: float | None
    late_case_months: float | None
    scenario_set: str
    scenario_count: int
    case_name: str
    cost_cvar: float | None = None  # CVaR of total cost at ``cvar_alpha``
    cvar_alpha: float = Risk().alpha
    risk_weight: float = Risk().weight  # weight of the CVaR in the objective of the run

    @property
    def usable(self) -> bool:
        return self.status in SUCCESS_STATUSES


def run_risk(record: RunRecord) -> Risk:
    """The CVaR weight and level the run was solved with (manifest ``settings.risk``)."""
    settings = record.manifest.raw.get("settings") or {}
    raw = settings.get("risk") if isinstance(settings, dict) else None
    raw = raw if isinstance(raw, dict) else {}
    default = Risk()
    return Risk(float(raw.get("weight", default.weight)), float(raw.get("alpha", default.alpha)))


def cost_cvar(record: RunRecord, alpha: float) -> float | None:
    """The stored ``cvar_total_cost_eur``; for older runs computed from the per-scenario totals."""
    k = record.table("kpis")
    if not k.empty:
        rows = k[(k["kpi"] == CVAR_KPI) & (k["scenario"] == EXPECTED)]
        if not rows.empty:
            return float(rows["value"].iloc[0])
    costs = scenario_kpi(record, "total_cost_eur").dropna()
    if costs.empty:
        return None
    p = probabilities(record).reindex(costs.index).fillna(0.0)
    if p.sum() <= 0:
        return None
    return cvar(costs.to_numpy(), p.to_numpy(), alpha)


def in_order(frame: pd.DataFrame, column: str, order: Sequence[str]) -> pd.DataFrame:
    """Rows in a canonical order of ``column`` (unknown values last, stable)."""
    if frame.empty:
        return frame
    rank = {name: i for i, name in enumerate(order)}
    return (
        frame.assign(_o=frame[column].map(rank).fillna(len(rank)))
        .sort_values(["_o", column], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def summarise(record: RunRecord) -> Summary:
    m = record.manifest
    levers = in_order(record.table("levers"), "lever", FIVE_LEVERS)
    costs = scenario_kpi(record, "total_cost_eur")
    p = probabilities(record)
    backlog = scenario_kpi(record, "backlog_end_persons")
    raw_case = m.raw.get("case", {})
    case_path = str(raw_case.get("path", "")) if isinstance(raw_case, dict) else ""
    risk = run_risk(record)
    return Summary(
        run_id=m.run_id,
        status=m.status,
        status_text=m.status_text,
        gap=m.gap,
        levers=levers,
        expected_cost=expected_kpi(record, "total_cost_eur"),
        cost_p10=weighted_quantile(costs, p, LOW_QUANTILE) if not costs.empty else None,
        cost_p50=weighted_quantile(costs, p, MID_QUANTILE) if not costs.empty else None,
        cost_p90=weighted_quantile(costs, p, HIGH_QUANTILE) if not costs.empty else None,
        backlog_expected=expected_kpi(record, "backlog_end_persons"),
        backlog_p90=weighted_quantile(backlog, p, HIGH_QUANTILE) if not backlog.empty else None,
        late_case_months=expected_kpi(record, "late_case_months"),
        scenario_set=record.scenario_set,
        scenario_count=len(p),
        case_name=case_path.rstrip("/").rsplit("/", 1)[-1] if case_path else "",
        cost_cvar=cost_cvar(record, risk.alpha),
        cvar_alpha=risk.alpha,
        risk_weight=risk.weight,
    )


def funding_table(record: RunRecord) -> pd.DataFrame:
    """partner, year, budget_eur, mpp_need_eur, ratio (ratio recomputed when missing)."""
    f = record.table("funding")
    if f.empty:
        return f
    f = f.copy()
    if "ratio" not in f.columns:
        need = f["mpp_need_eur"].replace(0.0, np.nan)
        f["ratio"] = f["budget_eur"] / need
    return f


def flatten(obj: Mapping[str, Any], prefix: str = "") -> dict[str, object]:
    """Nested settings as ``{"section.key": value}`` (TOML tables, manifest settings)."""
    out: dict[str, object] = {}
    for key, val in obj.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(val, Mapping):
            out.update(flatten(val, path))
        else:
            out[path] = val
    return out
