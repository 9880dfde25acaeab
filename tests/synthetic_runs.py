"""Synthetic test data for the run store, comparison and report layers.

These tables and folders are NOT model output: they are small hand-made frames
in the shape of ``ChainSolution.tables`` (long format, unit column), so that
storage, comparison and reporting can be tested without Pyomo or HiGHS.
Every number is chosen to be easy to check by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

YEARS = (2026, 2027)
SCENARIOS = (("low", 0.25), ("mid", 0.5), ("high", 0.25))
PARTNERS = ("registration", "ind", "coa", "dtv")
MONTHS = 12
BASE_INFLOW = 3000.0  # persons per month in scenario "mid"
INFLOW_FACTOR = {"low": 0.5, "mid": 1.0, "high": 2.0}
FORMULA_TEXT = '=HYPERLINK("http://x","klik")'  # an input cell that must never become a formula


@dataclass
class FakeOutcome:
    status: str = "optimal"
    objective: float | None = 1.5e9
    bound: float | None = 1.4955e9
    gap: float | None = 0.003
    solve_seconds: float = 2.5
    solver: str = "HiGHS"
    solver_version: str = "1.16.0"
    message: str = ""

    def describe(self) -> str:
        if self.status == "optimal":
            return f"optimal (gap {self.gap:.3%})"
        return self.status


@dataclass
class FakeSolution:
    tables: dict[str, pd.DataFrame]
    outcome: FakeOutcome = field(default_factory=FakeOutcome)
    timings: dict[str, float] = field(
        default_factory=lambda: {"build_seconds": 1.0, "solve_seconds": 2.5, "total_seconds": 3.5}
    )


def periods() -> list[tuple[str, int]]:
    return [(f"{y}-{m:02d}", y) for y in YEARS for m in range(1, MONTHS + 1)]


def make_tables(flexpool_fte: float = 50.0, cost_scale: float = 1.0) -> dict[str, pd.DataFrame]:
    """Result tables; ``flexpool_fte`` and ``cost_scale`` let two runs differ on purpose."""
    levers = pd.DataFrame(
        [
            ("flexpool_fte", flexpool_fte, "FTE"),
            ("asielreserve_eur", 100e6, "EUR"),
            ("funding_ratio", 1.05, "ratio"),
            ("reserve_places", 2000.0, "places"),
            ("planned_occupancy_rate", 0.9, "ratio"),
            ("ind_hired_fte", 120.0, "FTE"),
            ("coa_regular_places_mean", 40000.0, "places"),
        ],
        columns=["lever", "value", "unit"],
    )
    plan_rows = [("ind_hiring_fte", "ind", p, y, 10.0, "FTE") for p, y in periods()]
    plan_rows += [("asielreserve_eur", "", "", y, 100e6, "EUR") for y in YEARS]
    plan = pd.DataFrame(plan_rows, columns=["lever", "partner", "period", "year", "value", "unit"])
    funding = pd.DataFrame(
        [
            (p, y, 1.05 * need, need, 1.05)
            for p, need in zip(PARTNERS, (50e6, 600e6, 2000e6, 80e6), strict=True)
            for y in YEARS
        ],
        columns=["partner", "year", "budget_eur", "mpp_need_eur", "ratio"],
    )
    flow_rows = []
    for s, _ in SCENARIOS:
        f = INFLOW_FACTOR[s]
        for i, (p, y) in enumerate(periods()):
            flow_rows.append((s, p, y, "inflow", "first", BASE_INFLOW * f, "persons"))
            flow_rows.append((s, p, y, "inflow", "nareis", 0.3 * BASE_INFLOW * f, "persons"))
            flow_rows.append((s, p, y, "ind_backlog", "", 20000.0 * f + 100.0 * i, "persons"))
            flow_rows.append((s, p, y, "decisions", "", 3000.0, "persons"))
            flow_rows.append((s, p, y, "decision_capacity", "", 3500.0, "persons"))
            flow_rows.append((s, p, y, "occupancy", "", 40000.0 * f, "persons"))
            flow_rows.append((s, p, y, "regular_capacity", "", 42000.0, "places"))
            flow_rows.append((s, p, y, "reserve_active", "", 2000.0 * (f > 1), "places"))
            flow_rows.append((s, p, y, "emergency_places", "", max(0.0, 40000.0 * f - 44000.0), "places"))
    flows = pd.DataFrame(
        flow_rows, columns=["scenario", "period", "year", "quantity", "category", "value", "unit"]
    )
    cost_rows = []
    for s, _ in SCENARIOS:
        f = INFLOW_FACTOR[s]
        for p in PARTNERS:
            for y in YEARS:
                cost_rows.append((s, p, y, "staff", "stage1", 100e6 * cost_scale))
                cost_rows.append((s, p, y, "operations", "stage2", 50e6 * f * cost_scale))
        cost_rows.append((s, "coa", YEARS[-1], "reserve_draw", "stage2", 10e6 * f))
    costs = pd.DataFrame(
        cost_rows, columns=["scenario", "partner", "year", "component", "stage", "value_eur"]
    )
    kpi_rows = []
    totals = {}
    for s, _ in SCENARIOS:
        f = INFLOW_FACTOR[s]
        total = float(costs.loc[costs.scenario == s, "value_eur"].sum())
        totals[s] = total
        kpi_rows += [
            (s, "total_cost_eur", total, "EUR"),
            (s, "penalty_eur", 1e6 * f, "EUR"),
            (s, "late_case_months", 500.0 * f, "case-months"),
            (s, "backlog_end_persons", 20000.0 * f + 2300.0, "persons"),
            (s, "reserve_draw_eur", 10e6 * f, "EUR"),
            (s, "supplementary_funding_eur", 5e6 * f, "EUR"),
        ]
    probs = dict(SCENARIOS)
    exp = pd.DataFrame(kpi_rows, columns=["scenario", "kpi", "value", "unit"])
    expected = (
        exp.assign(w=exp.scenario.map(probs) * exp.value).groupby(["kpi", "unit"], as_index=False)["w"].sum()
    )
    expected = expected.rename(columns={"w": "value"}).assign(scenario="expected")
    kpis = pd.concat([exp, expected[["scenario", "kpi", "value", "unit"]]], ignore_index=True)
    scenarios = pd.DataFrame(SCENARIOS, columns=["scenario", "probability"])
    return {
        "levers": levers,
        "plan": plan,
        "funding": funding,
        "flows": flows,
        "costs": costs,
        "kpis": kpis,
        "scenarios": scenarios,
    }


def make_case(
    root: Path,
    *,
    penalty: float = 1000.0,
    high_probability: float = 0.25,
    description: str = "Synthetic test case",
    mpp_2027_mid: int = 40000,
) -> tuple[Path, Path]:
    """A small case folder with one scenario set; returns (case_dir, scenarios_dir)."""
    case = root / "case"
    sset = case / "scenarios" / "mpp"
    sset.mkdir(parents=True)
    (case / "case.toml").write_text(
        f'[case]\nname = "synthetic"\ndescription = "{description}"\nprice_year = 2025\n\n'
        f"[penalties]\nlate_case_eur_per_month = {penalty}\nbacklog_eur_per_person = 50.0\n",
        encoding="utf-8",
    )
    (case / "mpp.csv").write_text(
        f"year,category,low,mid,high\n2026,first,30000,38000,48000\n2027,first,30000,{mpp_2027_mid},48000\n",
        encoding="utf-8",
    )
    (case / "locations.csv").write_text(
        f"location,places\nazc-a,500\n{FORMULA_TEXT.replace(',', ';')},200\n", encoding="utf-8"
    )
    (case / "SOURCES.md").write_text(
        "# Sources\n\n- S1: MPP september 2025 (Ministerie van JenV)\n- S2: COA jaarverslag 2024\n",
        encoding="utf-8",
    )
    low = (1 - high_probability) / 3
    mid = 1 - high_probability - low
    (sset / "scenarios.csv").write_text(
        f"scenario,probability,description\nlow,{low},laag\nmid,{mid},midden\nhigh,{high_probability},hoog\n",
        encoding="utf-8",
    )
    (sset / "inflow.csv").write_text(
        "scenario,period,category,persons\nlow,2026-01,first,1500\nmid,2026-01,first,3000\nhigh,2026-01,first,6000\n",
        encoding="utf-8",
    )
    (sset / "provenance.toml").write_text(
        'method = "manual"\nsource = "synthetic"\ncreated = 2025-09-01\n', encoding="utf-8"
    )
    return case, sset
