"""Chain dynamics check (issue 16): the occupancy band per scenario, and what-ifs.

    PYTHONPATH=src .venv/bin/python bench/chain_check.py band --sets mpp,hist-50
    PYTHONPATH=src .venv/bin/python bench/chain_check.py whatif --sets mpp

``band``: solves each shipped set and reports, for every scenario and year, year-end
(December) COA occupancy divided by that year's arrivals (first + repeat inflow, plus the
nareis that actually arrive: the scenario's or, linked to permits, the model's). Little's
law: occupancy ≈ arrivals x average stay, so the ratio is the average stay in years. The
band is [BAND_LOW, BAND_HIGH] (``model/formulation.md``, "Residence times and the occupancy
band"). Prints one line per set and the scenarios outside the band.

``whatif``: solves the base case and four variants on a set and prints a Markdown table of
the plan (levers) and outcomes: housing -20 %, inflow +20 %, DT&V productivity / 2, COA cost x 2.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set, resolve_scenario_set
from bekostiging.pipeline import solve_case
from bekostiging.schema import Case, ScenarioSet
from bekostiging.solver import SolverOptions

CASE_DIR = Path(__file__).parents[1] / "data" / "nl-2026"
BAND_LOW = 0.35  # years of inflow: the minimum-stay floor at MPP low (formulation.md)
BAND_HIGH = 1.8  # above the highest ratio on record (~1.6 in 2025)
WHATIF_FACTOR = 0.2  # housing -20 %, inflow +20 %
OPTIONS = SolverOptions(mip_gap=0.005, threads=1, time_limit=1800.0)
DECEMBER = "-12"


def _arrivals(flows: pd.DataFrame) -> pd.DataFrame:
    """Arrivals per scenario and year: inflow of registered categories + nareis that arrive."""
    inflow = flows[(flows["quantity"] == "inflow") & (flows["category"] != "nareis")]
    nareis = flows[(flows["quantity"] == "registered") & (flows["category"] == "nareis")]
    both = pd.concat([inflow, nareis])
    return (
        both.groupby(["scenario", "year"], as_index=False)["value"]
        .sum()
        .rename(columns={"value": "arrivals"})
    )


def occupancy_ratios(flows: pd.DataFrame) -> pd.DataFrame:
    """Year-end occupancy, arrivals and their ratio (average stay in years) per scenario and year."""
    occ = flows[(flows["quantity"] == "occupancy") & flows["period"].str.endswith(DECEMBER)]
    occ = occ[["scenario", "year", "value"]].rename(columns={"value": "occupancy"})
    out = occ.merge(_arrivals(flows), on=["scenario", "year"])
    return out.assign(ratio=out["occupancy"] / out["arrivals"])


def band(sets: list[str]) -> None:
    case = load_case(CASE_DIR)
    for name in sets:
        scenario_set = load_scenario_set(resolve_scenario_set(CASE_DIR, name), case)
        start = time.perf_counter()
        sol = solve_case(case, scenario_set, OPTIONS)
        seconds = time.perf_counter() - start
        if "flows" not in sol.tables:
            status = sol.outcome.status.value
            print(f"{name}: {status} after {seconds:.0f} s, no plan: {sol.outcome.describe()}")
            continue
        ratios = occupancy_ratios(sol.tables["flows"])
        outside = ratios[(ratios["ratio"] < BAND_LOW) | (ratios["ratio"] > BAND_HIGH)]
        last = ratios[ratios["year"] == ratios["year"].max()]
        print(
            f"{name}: {sol.outcome.status.value}, objective EUR {sol.outcome.objective / 1e6:,.1f} mln, "
            f"{seconds:.0f} s; year-end occupancy / arrivals min {ratios['ratio'].min():.2f} "
            f"max {ratios['ratio'].max():.2f} (band {BAND_LOW}-{BAND_HIGH}); "
            f"{len(outside)} of {len(ratios)} scenario-years outside; Dec {last['year'].iloc[0]} occupancy "
            f"min {last['occupancy'].min():,.0f} max {last['occupancy'].max():,.0f}"
        )
        for scen in ("low", "mid", "high"):
            row = last[last["scenario"] == scen]
            if len(row):
                occ, arr = row["occupancy"].iloc[0], row["arrivals"].iloc[0]
                print(f"  {scen}: Dec occupancy {occ:,.0f}, arrivals {arr:,.0f}")
        if len(outside):
            print(outside.to_string(index=False))


def _scaled_case(case: Case, **paths: float) -> Case:
    data = case.model_dump()
    s = data["settings"]
    if "housing" in paths:
        for row in data["series"]:
            row["housing_outflow_persons"] *= paths["housing"]
    if "dtv" in paths:
        s["dtv"]["output_per_fte_year"] *= paths["dtv"]
    if "coa" in paths:
        f = paths["coa"]
        for key in (
            "cost_per_resident_year_eur",
            "reserve_holding_cost_per_place_year_eur",
            "reserve_activation_cost_per_place_year_eur",
            "emergency_cost_per_place_year_eur",
            "external_staff_cost_per_fte_year_eur",
        ):
            s["coa"][key] *= f
        for row in data["locations"]:
            row["cost_per_place_year_eur"] *= f
    return Case.model_validate(data)


def _scaled_set(scenario_set: ScenarioSet, factor: float) -> ScenarioSet:
    return scenario_set.model_copy(update={"inflow_persons": scenario_set.inflow_persons * factor})


def _summary(label: str, sol: object) -> dict[str, object]:
    plan = sol.tables["plan"]  # type: ignore[attr-defined]
    kpis = sol.tables["kpis"]  # type: ignore[attr-defined]
    flows = sol.tables["flows"]  # type: ignore[attr-defined]
    last = plan["period"].max()

    def staff(p: str) -> float:
        row = plan[(plan["lever"] == "staff_fte") & (plan["partner"] == p) & (plan["period"] == last)]
        return float(row["value"].iloc[0])

    def mean(lever: str) -> float:
        return float(plan[plan["lever"] == lever]["value"].mean())

    def kpi(name: str) -> float:
        return float(kpis[(kpis["scenario"] == "expected") & (kpis["kpi"] == name)]["value"].iloc[0])

    prob = sol.tables["scenarios"].set_index("scenario")["probability"]  # type: ignore[attr-defined]

    def flow_total(q: str) -> float:
        f = flows[flows["quantity"] == q]
        per = f.groupby("scenario")["value"].sum()
        return float((per * prob.reindex(per.index)).sum())

    occ = occupancy_ratios(flows)
    dec = occ[occ["year"] == occ["year"].max()]
    return {
        "what-if": label,
        "objective EUR mln": round(sol.outcome.objective / 1e6, 1),  # type: ignore[attr-defined]
        "IND FTE Dec 2030": round(staff("ind")),
        "DT&V FTE Dec 2030": round(staff("dtv")),
        "DISA FTE Dec 2030": round(staff("registration")),
        "regular places Dec 2030": round(
            float(plan[(plan["lever"] == "regular_places") & (plan["period"] == last)]["value"].iloc[0])
        ),
        "reserve places (avg)": round(mean("reserve_places")),
        "pool FTE (avg)": round(mean("flexpool_fte")),
        "asielreserve EUR mln (avg)": round(mean("asielreserve") / 1e6, 1),
        "accelerated housing (persons, E)": round(flow_total("accelerated_housing")),
        "returns (persons, E)": round(flow_total("returns")),
        "emergency place-months (E)": round(kpi("emergency_place_months")),
        "late case-months (E)": round(kpi("late_case_months")),
        "Dec 2030 occupancy low/high": f"{dec['occupancy'].min():,.0f} / {dec['occupancy'].max():,.0f}",
    }


def _markdown(table: pd.DataFrame) -> str:
    """A pipe table (no optional dependency)."""
    head = ["", *map(str, table.columns)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for index, row in table.iterrows():
        lines.append(
            "| "
            + " | ".join([str(index), *(f"{v:,}" if isinstance(v, int | float) else str(v) for v in row)])
            + " |"
        )
    return "\n".join(lines)


def whatif(sets: list[str]) -> None:
    case = load_case(CASE_DIR)
    variants: list[tuple[str, Callable[[], tuple[Case, float]]]] = [
        ("base", lambda: (case, 1.0)),
        ("housing -20 %", lambda: (_scaled_case(case, housing=1 - WHATIF_FACTOR), 1.0)),
        ("inflow +20 %", lambda: (case, 1 + WHATIF_FACTOR)),
        ("DT&V productivity / 2", lambda: (_scaled_case(case, dtv=0.5), 1.0)),
        ("COA cost x 2", lambda: (_scaled_case(case, coa=2.0), 1.0)),
    ]
    for name in sets:
        base_set = load_scenario_set(resolve_scenario_set(CASE_DIR, name), case)
        rows = []
        for label, make in variants:
            variant, factor = make()
            sol = solve_case(variant, _scaled_set(base_set, factor), OPTIONS)
            rows.append(_summary(label, sol))
            print(f"{label}: {sol.outcome.status.value}", flush=True)
        table = pd.DataFrame(rows).set_index("what-if").T
        print(f"\n### What-ifs on `{name}`\n")
        print(_markdown(table))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=["band", "whatif"])
    parser.add_argument("--sets", default="mpp,hist-50")
    args = parser.parse_args()
    sets = [s for s in args.sets.split(",") if s]
    (band if args.check == "band" else whatif)(sets)


if __name__ == "__main__":
    main()
