"""Benchmark: `evaluate` of a fixed plan on a scenario set, by number of workers, before and after.

    .venv/bin/python bench/evaluate_scaling.py      # hist-50 plan on hist-200, 1 and 2 workers
    .venv/bin/python bench/evaluate_scaling.py --workers 1,2,4 --scenarios PATH --paths after

The plan is the extensive-form plan of the default case on ``hist-50`` (solved once, outside
the timings; ``--plan-set`` to change). Two paths of ``analytics.evaluate.evaluate_plan``:

* **before** — every scenario's own extensive form built by Pyomo, written as an LP file and
  solved by a fresh HiGHS (the problem without its scenario template, which is how every
  scenario was evaluated before the decomposition; the whole one-scenario problem is pickled
  with every task);
* **after** — the executor's workers build the scenario LP once (``decompose.ScenarioLP``) and
  receive per task only the scenario's data and the plan; each LP starts from the previous
  scenario's basis.

Wall time of the whole call (worker start-up included), KPI metrics on (as the CLI's
``evaluate``). Speed-up and parallel efficiency ``T1 / (n·Tn)`` per path; the machine's
1-minute load before and after each measurement. Writes
``bench/results/<date>-evaluate-scaling.csv``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from bekostiging.analytics.chain import kpi_callback
from bekostiging.analytics.evaluate import evaluate_plan
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set, resolve_scenario_set
from bekostiging.pipeline import prepare_problem, solve_case
from bekostiging.solver import SolverOptions

HERE = Path(__file__).resolve().parent
CASE_DIR = HERE.parent / "data" / "nl-2026"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenarios", default="hist-200")
    parser.add_argument("--plan-set", default="hist-50")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--paths", default="before,after")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    case = load_case(CASE_DIR)
    plan_set = load_scenario_set(resolve_scenario_set(CASE_DIR, args.plan_set), case)
    eval_set = load_scenario_set(resolve_scenario_set(CASE_DIR, args.scenarios), case)
    options = SolverOptions(threads=1)
    plan = solve_case(case, plan_set, options, method="ef").first_stage
    prepared = prepare_problem(case, eval_set, options)
    problem = prepared.problem
    assert problem is not None
    metrics = kpi_callback(prepared.data)
    rows = []
    for path in args.paths.split(","):
        pb = problem if path == "after" else replace(problem, template=None)
        base = None
        for n in [int(w) for w in args.workers.split(",")]:
            best = float("inf")
            load = os.getloadavg()[0]
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                ev = evaluate_plan(pb, plan, options=options, workers=n, metrics=metrics)
                best = min(best, time.perf_counter() - t0)
            base = base or best
            row = {
                "path": path,
                "scenarios": len(eval_set.scenarios),
                "workers": n,
                "seconds": round(best, 2),
                "speedup": round(base / best, 2),
                "efficiency": round(base / (n * best), 2),
                "objective_meur": round(ev.objective, 3),
                "load_1min": round(load, 1),
                "load_end": round(os.getloadavg()[0], 1),
            }
            rows.append(row)
            print(row, flush=True)
    out = HERE / "results" / f"{dt.date.today().isoformat()}-evaluate-scaling.csv"
    out.parent.mkdir(exist_ok=True)
    with out.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
