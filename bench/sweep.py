"""Benchmark: a 10-point late-penalty sweep (persistent re-solve) against one solve.

    .venv/bin/python bench/sweep.py                 # default case, hist-50, 2 workers, gap 0.5 %
    .venv/bin/python bench/sweep.py --workers 1 --mip-gap 0.0005   # serial, the CLI's gap
    .venv/bin/python bench/sweep.py --scenarios mpp --cold

Both sides start from the same data (the case with its MPP baseline solved once,
outside the timings) and use threads=1 per HiGHS, the same gap (``--mip-gap``,
default 0.5 %):

* one solve: build the extensive form, solve it with a fresh ``HighsSolver``;
* the sweep: ``bekostiging.analytics.sweep.sweep`` over 10 values of the mutable
  ``first.late_case_month_meur`` (M EUR per late case-month), ``--workers`` processes
  (default as in the library), each building the model once and re-solving a
  contiguous chunk of the values with one persistent solver and warm starts; wall
  time of the whole call (process start-up included).

The ratio sweep / one solve is reported (target <= 4). ``--cold`` also times ten
independent build + solve runs (what the sweep saves). Writes
``bench/results/<date>-sweep-w<workers>-gap<gap>.csv`` and ``.txt``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import time
from functools import partial
from pathlib import Path

import pyomo.environ as pyo

from bekostiging.analytics.sweep import DEFAULT_WORKERS, sweep
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set
from bekostiging.model import chain_data, chain_problem, scenario_inflows
from bekostiging.model.data import MONEY_SCALE
from bekostiging.pipeline import solve_baseline
from bekostiging.solver import HighsSolver, SolverOptions
from bekostiging.twostage import Risk, extensive_form

HERE = Path(__file__).resolve().parent
CASE_DIR = HERE.parent / "data" / "nl-2026"
PARAM = "first.late_case_month_meur"
# EUR per late case-month; the case default is 1,000
PENALTIES_EUR = (0.0, 250.0, 500.0, 1000.0, 1500.0, 2000.0, 3000.0, 5000.0, 7500.0, 10000.0)


def expected_late(m: pyo.ConcreteModel) -> dict[str, float]:
    late = sum(pyo.value(m.prob[s]) * pyo.value(m.scen[s].LateCaseMonths) for s in m.SCENARIOS)
    return {"expected_late_case_months": float(late)}


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", default="hist-50", help="shipped scenario set (default hist-50)")
    ap.add_argument("--time-limit", type=float, default=600.0, help="seconds per solve")
    ap.add_argument("--mip-gap", type=float, default=0.005, help="relative MIP gap (default 0.005)")
    ap.add_argument(
        "--workers", type=int, default=DEFAULT_WORKERS, help=f"sweep processes (default {DEFAULT_WORKERS})"
    )
    ap.add_argument("--cold", action="store_true", help="also time 10 independent build + solve runs")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)

    case = load_case(CASE_DIR)
    scenario_set = load_scenario_set(CASE_DIR / "scenarios" / args.scenarios, case)
    options = SolverOptions(time_limit=args.time_limit, mip_gap=args.mip_gap, threads=1, seed=0)
    data = chain_data(case, case.settings.policy)
    baseline, _, _ = solve_baseline(case, data, options)
    if baseline is None:
        print("the MPP baseline has no solution", file=sys.stderr)
        return 1
    data = data.with_baseline(baseline)
    risk = Risk(case.settings.risk.weight, case.settings.risk.alpha)

    # picklable (a partial of a top-level function), so the sweep can send it to worker processes
    factory = partial(
        chain_problem, data, scenario_inflows(scenario_set), list(scenario_set.probabilities), risk
    )

    values = [eur / MONEY_SCALE for eur in PENALTIES_EUR]

    t0 = time.perf_counter()
    m = extensive_form(factory())
    build = time.perf_counter() - t0
    one = HighsSolver(options).solve(m)
    one_wall = time.perf_counter() - t0
    del m

    t0 = time.perf_counter()
    curve = sweep(factory, values, options, param=PARAM, metrics=expected_late, workers=args.workers)
    sweep_wall = time.perf_counter() - t0

    cold_wall = None
    if args.cold:
        t0 = time.perf_counter()
        for v in values:
            mc = extensive_form(factory())
            mc.first.late_case_month_meur.set_value(v)
            HighsSolver(options).solve(mc)
            del mc
        cold_wall = time.perf_counter() - t0

    ratio = sweep_wall / one_wall
    curve.insert(0, "penalty_eur_per_case_month", list(PENALTIES_EUR))
    workers = curve.attrs["workers"]
    print(
        f"## Late-penalty sweep, {args.scenarios}, default case "
        f"(threads=1, gap {args.mip_gap:.2%}, {workers} worker(s))\n"
    )
    print(f"one solve: build {build:.2f}s + solve {one.solve_seconds:.2f}s = {one_wall:.2f}s ({one.status})")
    print(
        f"sweep of {len(values)} points, {workers} worker(s): {sweep_wall:.2f}s (build "
        f"{curve.attrs['build_seconds']:.2f}s, solves {curve['seconds'].sum():.2f}s summed over workers)"
        f" -> ratio {ratio:.2f}x (target <= 4x)"
    )
    if cold_wall is not None:
        print(f"10 independent build + solve: {cold_wall:.2f}s ({cold_wall / one_wall:.2f}x one solve)")
    print()
    cols = [
        "penalty_eur_per_case_month",
        "worker",
        "status",
        "gap",
        "seconds",
        "warm_start_rejected",
        "expected_late_case_months",
    ]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in curve[cols].itertuples(index=False):
        print("| " + " | ".join(_cell(v) for v in row) + " |")

    name = f"{dt.date.today().isoformat()}-sweep-w{workers}-gap{args.mip_gap:g}.csv"
    out = args.out or HERE / "results" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    curve.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL)
    with out.with_suffix(".txt").open("w") as fh:
        fh.write(
            f"scenarios={args.scenarios} workers={workers} mip_gap={args.mip_gap:g} "
            f"one_solve_s={one_wall:.3f} build_s={build:.3f} "
            f"sweep_s={sweep_wall:.3f} ratio={ratio:.3f} cold_s={cold_wall}\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
