"""Two-stage against decisions by budget year on the same scenario set, and out of sample.

    .venv/bin/python bench/stages_compare.py [--scenarios hist-50] [--oos hist-200]
        [--branching 3,2,2,2] [--mip-gap 0.005] [--workers 2] [--out bench/results/stages]

1. ``solve_case`` with ``stages="two"`` and with ``stages="yearly"`` on ``--scenarios``
   (MPP baseline, then HiGHS, as ``bekostiging solve`` runs them): objective, bound, gap, wall.
2. The year-1 decisions of both ("nu besluiten"): every lever of ``advice.ADVICE_QUANTITIES``
   in the coming budget year; for the two-stage plan the same summary of its plan table.
3. Out of sample on ``--oos``: each plan's **root-stage decisions** (stage 0 of
   ``model/stages.py``: everything decided in the coming budget year, including openings
   decided now for later) are fixed and every later decision is re-optimised per
   out-of-sample scenario (``evaluate_plan(..., partial=True)``) — the same test for both
   forms, so the difference is the year-1 decisions. The later years then see their
   scenario's whole future (perfect foresight after year 1): an optimistic bound on any
   policy that re-plans yearly, identical for both. The two-stage plan is also evaluated
   as a whole plan fixed for five years (``evaluate``'s usual test).

Writes ``OUT/summary.csv`` (form, test, mean, ci, P90, status; with the paired difference
yearly − two-stage over the same out-of-sample scenarios), ``OUT/per_scenario.csv``,
``OUT/year1.csv`` and prints them.
Money in M EUR (the model's unit).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from bekostiging.advice import _yearly
from bekostiging.analytics.evaluate import evaluate_plan
from bekostiging.analytics.occupancy import arrivals_in_year, occupancy_band
from bekostiging.analytics.stats import summarise
from bekostiging.history.load import load_history
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set, resolve_scenario_set
from bekostiging.model.data import MONEY_SCALE
from bekostiging.multistage import root_of
from bekostiging.pipeline import DEFAULT_BRANCHING, prepare_problem, solve_case
from bekostiging.shipped import default_case_dir
from bekostiging.solver import SolverOptions

CASE = default_case_dir()  # the shipped default case
ROOT_DIFFERENCE = 1e-6  # model units: a root decision that differs between the two forms


def _year1(solution: object, data: object, year: int) -> pd.DataFrame:
    plan = solution.tables["plan"]  # type: ignore[attr-defined]
    frame = _yearly(plan, data)  # type: ignore[arg-type]
    return frame[frame["year"] == year].set_index(["lever", "partner"])["value"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenarios", default="hist-50")
    ap.add_argument("--oos", default="hist-200")
    ap.add_argument("--branching", default=",".join(str(b) for b in DEFAULT_BRANCHING))
    ap.add_argument("--mip-gap", type=float, default=0.005)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("bench/results/stages"))
    args = ap.parse_args()
    branching = tuple(int(b) for b in args.branching.split(","))
    case = load_case(CASE)
    inset = load_scenario_set(resolve_scenario_set(CASE, args.scenarios), case)
    oos = load_scenario_set(resolve_scenario_set(CASE, args.oos), case)
    options = SolverOptions(mip_gap=args.mip_gap, threads=1)
    rows, year1 = [], {}
    per_scenario: dict[str, pd.Series] = {}
    roots: dict[str, pd.Series] = {}
    solutions = {}
    for form in ("two", "yearly"):
        t0 = time.perf_counter()
        sol = solve_case(case, inset, options, stages=form, branching=branching)
        wall = time.perf_counter() - t0
        solutions[form] = sol
        o = sol.outcome
        rows.append(
            {
                "form": form,
                "test": f"in-sample {args.scenarios} (objective)",
                "mean_meur": o.objective / MONEY_SCALE,
                "bound_meur": o.bound / MONEY_SCALE if o.bound is not None else float("nan"),
                "gap": o.gap,
                "status": str(o.status),
                "wall_s": wall,
            }
        )
        print(rows[-1], flush=True)
        if "flows" in sol.tables:  # the occupancy band of issue 16 in this form's own solution
            before = arrivals_in_year(load_history(), int(case.periods[0][:4]) - 1)  # as chain_check
            band = occupancy_band(sol.tables["flows"], before_per_year=before)
            outside = band[~band["inside"]]
            args.out.mkdir(parents=True, exist_ok=True)
            band.to_csv(args.out / f"band_{form}.csv", index=False)
            print(f"{form}: {len(outside)} of {len(band)} scenario-years outside the band", flush=True)
            print(outside.round(2).to_string(index=False), flush=True)
    prepared = prepare_problem(case, oos, options)
    problem = prepared.problem
    if problem is None:
        raise SystemExit("the MPP baseline has no solution")
    data = prepared.data
    first_year = data.years[0]
    for form, sol in solutions.items():
        year1[form] = _year1(sol, data, first_year)
        root = root_of(problem, sol.first_stage)
        roots[form] = pd.Series(root)
        tests = [("root fixed, later re-optimised", True, root)]
        if form == "two":
            tests.append(("whole plan fixed", False, sol.first_stage))
        for label, partial, plan in tests:
            t0 = time.perf_counter()
            ev = evaluate_plan(problem, plan, options=options, workers=args.workers, partial=partial)
            stats = ev.statistics()
            per_scenario[f"{form}: {label}"] = ev.to_frame().set_index("scenario")["total_cost_eur"]
            rows.append(
                {
                    "form": form,
                    "test": f"out-of-sample {args.oos}: {label}",
                    "mean_meur": stats.mean,
                    "ci_low_meur": stats.ci_low,
                    "ci_high_meur": stats.ci_high,
                    "p90_meur": stats.p90,
                    "status": str(ev.status),
                    "max_gap": ev.max_gap,
                    "root_variables": len(plan),
                    "wall_s": time.perf_counter() - t0,
                }
            )
            print(rows[-1], flush=True)
    # paired: the same out-of-sample scenarios under both year-1 plans
    both = pd.DataFrame(per_scenario)
    weights = [s.probability for s in problem.scenarios]
    root_label = "root fixed, later re-optimised"
    diff = (both[f"yearly: {root_label}"] - both[f"two: {root_label}"]).loc[problem.names]
    paired = summarise(diff.tolist(), weights)
    rows.append(
        {
            "form": "yearly - two",
            "test": f"out-of-sample {args.oos}: {root_label}, paired difference",
            "mean_meur": paired.mean,
            "ci_low_meur": paired.ci_low,
            "ci_high_meur": paired.ci_high,
            "p90_meur": paired.p90,
            "status": "",
        }
    )
    print(rows[-1], flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    both.to_csv(args.out / "per_scenario.csv")
    root_frame = pd.DataFrame(roots)
    root_frame.to_csv(args.out / "root.csv")
    differ = root_frame[(root_frame["two"] - root_frame["yearly"]).abs() > ROOT_DIFFERENCE]
    print(f"root decisions that differ (of {len(root_frame)}):")
    print(differ.to_string())
    summary = pd.DataFrame(rows)
    summary.to_csv(args.out / "summary.csv", index=False)
    y1 = pd.DataFrame(year1)
    y1.to_csv(args.out / "year1.csv")
    with pd.option_context("display.width", 200, "display.max_rows", 100):
        print(summary.to_string(index=False))
        print(y1.round(1).to_string())


if __name__ == "__main__":
    main()
