"""Chain dynamics check (issue 16): the occupancy band per scenario, and what-ifs.

    PYTHONPATH=src .venv/bin/python bench/chain_check.py band --sets mpp,hist-50
    PYTHONPATH=src .venv/bin/python bench/chain_check.py whatif --sets mpp
    PYTHONPATH=src .venv/bin/python bench/chain_check.py binding --sets hist-50 --paths s14,s16,s21
    PYTHONPATH=src .venv/bin/python bench/chain_check.py band --sets hist-50 --variant "IND at the BAMF pace"

``band``: solves each shipped set (``--stages two`` or ``yearly``) and reports, for every
scenario and year, the implied stay: the window before the year end whose arrivals (first +
repeat inflow, plus the nareis that actually arrive: the scenario's or, linked to permits, the
model's; before the horizon at the history's rate of the year before, ``data/history``) add up
to the December COA occupancy — Little's law with the arrival rate over the stay window
(``stay``, years). The band is [BAND_LOW_YEARS, BAND_HIGH_YEARS]
(``bekostiging.analytics.occupancy``; ``model/formulation.md``, "Residence times and the
occupancy band"). Prints one line per set and the scenario-years outside the band.

``binding``: for the scenario-years above the band, what binds. Each path of ``--paths`` is
solved alone (perfect foresight: a plan for that path only, the most any plan of this model can
do for it), with the case as shipped and with one limit relaxed at a time: ``ind2x`` twice the
IND hiring pace (10 cohorts a quarter, trainees up to half the productive staff), ``reg``
registration growth without a limit, both, ``pool1500`` a flex pool of up to 1,500 FTE, the
case without its registration surge, without its IND surge, and the IND growing at the pace of
the German BAMF in 2015-2016 (four times the case's hiring cap).
Prints a Markdown table: the highest implied stay per path (its year; scenario-years above the
band).

``whatif``: solves the base case and four variants on a set and prints a Markdown table of
the plan (levers) and outcomes: housing -20 %, inflow +20 %, DT&V productivity / 2, COA cost x 2.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from bekostiging.analytics.occupancy import BAND_HIGH_YEARS, BAND_LOW_YEARS, arrivals_in_year, occupancy_band
from bekostiging.history.load import load_history
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set, resolve_scenario_set
from bekostiging.pipeline import solve_case
from bekostiging.schema import Case, ScenarioSet
from bekostiging.solver import SolverOptions

CASE_DIR = Path(__file__).parents[1] / "data" / "nl-2026"
WHATIF_FACTOR = 0.2  # housing -20 %, inflow +20 %
OPTIONS = SolverOptions(mip_gap=0.005, threads=1, time_limit=1800.0)
DECEMBER = "-12"


def arrivals_before(case: Case) -> float:
    """Arrivals in the year before the horizon (``data/history``): the band's rate before it."""
    return arrivals_in_year(load_history(), int(case.periods[0][:4]) - 1)


STOCKS_AT_YEAR_END = (  # the December occupancy's parts, as add_occupancy sums them (persons)
    "registration_queue",
    "ind_backlog",
    "status_holders",
    "rejected",
    "appeals",
    "dublin_claimants",
)


def surge_use(flows: pd.DataFrame, probability: pd.Series, quantity: str = "registration_surge") -> str:
    """A surge over the scenarios (``registration_surge``: police officers; ``ind_surge``:
    temporary IND staff): expected FTE-periods, how many scenarios use it, the most FTE at once."""
    label = {"registration_surge": "registration surge", "ind_surge": "IND surge"}[quantity]
    surge = flows[flows["quantity"] == quantity]
    if surge.empty:
        return f"{label}: not in the model"
    per = surge.groupby("scenario")["value"].sum()
    used = int((per > 0.5).sum())
    expected = float((per * probability.reindex(per.index)).sum())
    return (
        f"{label}: {expected:,.0f} FTE-periods expected, used in {used} of {len(per)} "
        f"scenarios, at most {surge['value'].max():,.0f} FTE at once"
    )


def composition(flows: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """For each scenario-year of ``rows``: the December stocks that make up the occupancy (persons,
    in reception or not: the queue and backlog of every category) and the surge officers of that
    year (officer-periods), read from the model's flows."""
    out = []
    for _, r in rows.iterrows():
        scen, dec = r["scenario"], f"{int(r['year'])}{DECEMBER}"
        f = flows[flows["scenario"] == scen]
        at = f[f["period"] == dec].groupby("quantity")["value"].sum()
        year = f[f["year"] == int(r["year"])].groupby("quantity")["value"].sum()
        item = {"scenario": scen, "year": int(r["year"]), "stay": round(float(r["stay"]), 2)}
        item["occupancy"] = round(float(at.get("occupancy", 0.0)))
        for q in STOCKS_AT_YEAR_END:
            item[q] = round(float(at.get(q, 0.0)))
        for q in ("inflow", "registered", "decisions", "housed", "returns"):
            item[f"{q} (year)"] = round(float(year.get(q, 0.0)))
        item["surge officer-periods"] = round(float(year.get("registration_surge", 0.0)))
        item["IND surge FTE-periods"] = round(float(year.get("ind_surge", 0.0)))
        out.append(item)
    return pd.DataFrame(out)


def band(
    sets: list[str],
    stages: str = "two",
    method: str = "ef",
    workers: int | None = None,
    save: Path | None = None,
    variant: str = "",
) -> None:
    case = load_case(CASE_DIR)
    if variant:  # one of the binding check's limits lifted, for every scenario of the set
        case = _with_settings(case, BINDING_VARIANTS[variant])
    before = arrivals_before(case)
    for name in sets:
        scenario_set = load_scenario_set(resolve_scenario_set(CASE_DIR, name), case)
        start = time.perf_counter()
        sol = solve_case(case, scenario_set, OPTIONS, stages=stages, method=method, workers=workers)
        seconds = time.perf_counter() - start
        if "flows" not in sol.tables:
            status = sol.outcome.status.value
            print(f"{name}: {status} after {seconds:.0f} s, no plan: {sol.outcome.describe()}")
            continue
        table = occupancy_band(sol.tables["flows"], before_per_year=before)
        outside = table[~table["inside"]]
        last = table[table["year"] == table["year"].max()]
        form = f"{stages}, {variant}" if variant else stages
        print(
            f"{name} ({form}): {sol.outcome.status.value}, objective EUR "
            f"{sol.outcome.objective / 1e6:,.1f} mln, {seconds:.0f} s; implied stay (years) "
            f"min {table['stay'].min():.2f} max {table['stay'].max():.2f} (band {BAND_LOW_YEARS}-"
            f"{BAND_HIGH_YEARS}; arrivals before the horizon {before:,.0f} a year); {len(outside)} of "
            f"{len(table)} scenario-years outside ({int((table['stay'] < BAND_LOW_YEARS).sum())} below); "
            f"year-end occupancy / that year's arrivals min {table['ratio'].min():.2f} max "
            f"{table['ratio'].max():.2f}; Dec {last['year'].iloc[0]} occupancy min "
            f"{last['occupancy'].min():,.0f} max {last['occupancy'].max():,.0f}"
        )
        for scen in ("low", "mid", "high"):
            row = last[last["scenario"] == scen]
            if len(row):
                occ, arr = row["occupancy"].iloc[0], row["arrivals"].iloc[0]
                print(f"  {scen}: Dec occupancy {occ:,.0f}, arrivals {arr:,.0f}")
        probability = sol.tables["scenarios"].set_index("scenario")["probability"]
        print("  " + surge_use(sol.tables["flows"], probability))
        print("  " + surge_use(sol.tables["flows"], probability, "ind_surge"))
        if save is not None:
            save.mkdir(parents=True, exist_ok=True)
            sol.tables["flows"].to_csv(save / f"flows-{name}-{stages}.csv.gz", index=False)
        if len(outside):
            print(outside.round(2).to_string(index=False))
            print(composition(sol.tables["flows"], outside).to_string(index=False))


UNBOUNDED_COHORTS = 1000  # cohorts per intake: no limit in practice
UNBOUNDED_TRAINEE_SHARE = 2.0  # the schema's largest trainee cap
BINDING_VARIANTS: dict[str, dict[str, dict[str, float]]] = {
    "as shipped": {},
    "no police surge": {"registration_surge": {"max_fte": 0.0}},
    "no IND surge": {"ind_surge": {"max_fte": 0.0}},
    "IND hiring x2": {"ind": {"max_cohorts_per_intake": 10, "trainee_cap_share": 0.5}},
    "registration unbounded": {
        "registration": {
            "max_cohorts_per_intake": UNBOUNDED_COHORTS,
            "trainee_cap_share": UNBOUNDED_TRAINEE_SHARE,
        }
    },
    "both": {
        "ind": {"max_cohorts_per_intake": 10, "trainee_cap_share": 0.5},
        "registration": {
            "max_cohorts_per_intake": UNBOUNDED_COHORTS,
            "trainee_cap_share": UNBOUNDED_TRAINEE_SHARE,
        },
    },
    "pool 1,500 FTE": {"flexpool": {"max_teams": 150}},
    # The German BAMF in 2015-2016: deciders 360 -> 1,500 in about 15 months, staff about 2,300 ->
    # 10,000 FTE by autumn 2016 with some 2,000 seconded from other agencies (tagesschau.de
    # 5 Feb 2016, heute.de 2017, haufe.de Aug 2016): four times the IND's hiring pace (20
    # cohorts of 20 a quarter, trainees up to the productive staff).
    "IND at the BAMF pace": {"ind": {"max_cohorts_per_intake": 20, "trainee_cap_share": 1.0}},
}


def _with_settings(case: Case, changes: dict[str, dict[str, float]]) -> Case:
    data = case.model_dump()
    for section, values in changes.items():
        data["settings"][section].update(values)
    return Case.model_validate(data)


def binding(set_name: str, paths: list[str]) -> None:
    case = load_case(CASE_DIR)
    before = arrivals_before(case)
    scenario_set = load_scenario_set(resolve_scenario_set(CASE_DIR, set_name), case)
    print(f"| `{set_name}` path | arrivals 2026-2028 | " + " | ".join(BINDING_VARIANTS) + " |")
    print("|---|---|" + "---|" * len(BINDING_VARIANTS))
    for path in paths:
        one = scenario_set.subset([path])
        cells: list[str] = []
        arrivals = 0.0
        for changes in BINDING_VARIANTS.values():
            sol = solve_case(_with_settings(case, changes), one, OPTIONS)
            if "flows" not in sol.tables:
                cells.append(sol.outcome.status.value)
                continue
            table = occupancy_band(sol.tables["flows"], before_per_year=before)
            if not cells:  # as shipped: its arrivals (the linked nareis depend on the plan)
                arrivals = float(table[table["year"] <= table["year"].min() + 2]["arrivals"].sum())
            top = table.loc[table["stay"].idxmax()]
            above = int((table["stay"] > BAND_HIGH_YEARS).sum())
            cells.append(f"{top['stay']:.2f} ({int(top['year'])}; {above} above)")
        print(f"| `{path}` | {arrivals:,.0f} | " + " | ".join(cells) + " |", flush=True)


def _scaled_case(case: Case, **paths: float) -> Case:
    data = case.model_dump()
    s = data["settings"]
    if "housing" in paths:  # the base outflow and the catch-up on the arrears alike
        for row in data["series"]:
            row["housing_outflow_persons"] *= paths["housing"]
        s["housing"]["catch_up_share_per_month"] *= paths["housing"]
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


def _scaled_set(scenario_set: ScenarioSet, factor: float, housing: float = 1.0) -> ScenarioSet:
    """Inflow x factor; a set's own housing series (housing.csv) x housing."""
    update: dict[str, object] = {"inflow_persons": scenario_set.inflow_persons * factor}
    if scenario_set.housing_persons is not None:
        update["housing_persons"] = scenario_set.housing_persons * housing
    return scenario_set.model_copy(update=update)


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

    occ = occupancy_band(flows)  # only December occupancy is read here
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
        "police at registration (officer-months, E)": round(flow_total("registration_surge"))
        if "registration_surge" in set(flows["quantity"])
        else 0,
        "IND surge (FTE-months, E)": round(flow_total("ind_surge"))
        if "ind_surge" in set(flows["quantity"])
        else 0,
        "returns (persons, E)": round(flow_total("returns")),
        "Dublin transfers (persons, E)": round(flow_total("dublin_transfers"))
        if "dublin_transfers" in set(flows["quantity"])
        else 0,
        "housed (persons, E)": round(flow_total("housed")),
        "emergency place-months (E)": round(kpi("emergency_place_months")),
        "late case-months (E)": round(kpi("late_case_months")),
        "Dec 2030 occupancy low/high": f"{dec['occupancy'].min():,.0f} / {dec['occupancy'].max():,.0f}",
        "Dec 2030 status holders (E)": round(
            float(
                (
                    flows[
                        (flows["quantity"] == "status_holders") & flows["period"].str.endswith("2030-12")
                    ].set_index("scenario")["value"]
                    * prob
                ).sum()
            )
        ),
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
    housing = 1 - WHATIF_FACTOR
    variants: list[tuple[str, Callable[[], tuple[Case, float, float]]]] = [
        ("base", lambda: (case, 1.0, 1.0)),
        ("housing -20 %", lambda: (_scaled_case(case, housing=housing), 1.0, housing)),
        ("inflow +20 %", lambda: (case, 1 + WHATIF_FACTOR, 1.0)),
        ("DT&V productivity / 2", lambda: (_scaled_case(case, dtv=0.5), 1.0, 1.0)),
        ("COA cost x 2", lambda: (_scaled_case(case, coa=2.0), 1.0, 1.0)),
    ]
    for name in sets:
        base_set = load_scenario_set(resolve_scenario_set(CASE_DIR, name), case)
        rows = []
        for label, make in variants:
            variant, factor, housing_factor = make()
            start = time.perf_counter()
            sol = solve_case(variant, _scaled_set(base_set, factor, housing_factor), OPTIONS)
            seconds = time.perf_counter() - start
            rows.append(_summary(label, sol))
            print(f"{label}: {sol.outcome.status.value} in {seconds:.0f} s", flush=True)
        table = pd.DataFrame(rows).set_index("what-if").T
        print(f"\n### What-ifs on `{name}`\n")
        print(_markdown(table))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=["band", "whatif", "binding"])
    parser.add_argument("--paths", default="", help="binding: paths of the first set in --sets")
    parser.add_argument("--sets", default="mpp,hist-50")
    parser.add_argument("--stages", choices=["two", "yearly"], default="two")
    parser.add_argument("--method", choices=["ef", "lshaped", "auto"], default="ef", help="band: solved by")
    parser.add_argument("--workers", type=int, default=None, help="band: L-shaped workers")
    parser.add_argument("--save", type=Path, default=None, help="band: write each set's flows here")
    parser.add_argument(
        "--variant", default="", choices=["", *BINDING_VARIANTS], help="band: the case with one limit lifted"
    )
    args = parser.parse_args()
    sets = [s for s in args.sets.split(",") if s]
    if args.check == "band":
        band(sets, args.stages, args.method, args.workers, args.save, args.variant)
    elif args.check == "binding":
        binding(sets[0], [p for p in args.paths.split(",") if p])
    else:
        whatif(sets)


if __name__ == "__main__":
    main()
