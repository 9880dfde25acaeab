"""Benchmark: extensive form vs L-shaped vs SAA at S ∈ {200, 1000, 5000} × T = 60 (issue 12).

    .venv/bin/python bench/scale.py --sizes 200,1000 --methods ef,lshaped --time-limit 900
    .venv/bin/python bench/scale.py --sizes 200 --methods lshaped --cuts multi,single,20
    .venv/bin/python bench/scale.py --sizes 1000 --methods reduce --k 50

Scenario sets: S = 200 is the shipped ``hist-200``; other sizes are generated with the
calibrated generator (``logar``, seed 7) into ``--sets-dir`` (a temporary folder; not
committed). Each (size, method, cuts) runs in a fresh subprocess (peak memory of its own), on
the default case, ``--mip-gap`` 0.5 %, one HiGHS thread (EF) and ``--workers`` workers
(L-shaped, default 2):

* **ef** — ``solve_case(method="ef")`` (the assembled extensive form);
* **lshaped** — ``solve_case(method="lshaped", cuts=...)``; ``iterations`` and the split
  master / scenario LP seconds are reported;
* **saa** — ``--replications`` (5) samples of ``--n`` (50) scenarios solved by the extensive
  form; each sample's plan evaluated on the whole set; incumbent = the best of them on the
  set; bound = the mean of the SAA lower bounds (a statistical lower bound, not a proof);
  gap = the MMW one-sided 95 % upper limit of the incumbent's optimality gap, relative;
* **reduce** — fast forward selection to ``--k`` scenarios, solved by the extensive form, the
  plan evaluated on the whole set (``incumbent``), against a random ``k``-subset's plan.

Columns: wall_s (the whole call, baseline included), status, incumbent and bound in M EUR,
gap, peak_mb (this process) and workers_peak_mb (the largest worker process), the machine's
1-minute load at the start. Writes ``bench/results/<date>-scale.csv`` (appends).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASE_DIR = HERE.parent / "data" / "nl-2026"
GENERATOR = "logar"
GENERATOR_SEED = 7
FIELDS = [
    "scenarios",
    "method",
    "cuts",
    "workers",
    "wall_s",
    "status",
    "incumbent_meur",
    "bound_meur",
    "gap",
    "iterations",
    "master_s",
    "subproblem_s",
    "peak_mb",
    "workers_peak_mb",
    "load_1min",
    "note",
]


def scenario_set_path(size: int, sets_dir: Path) -> Path:
    if size == 200:
        return CASE_DIR / "scenarios" / "hist-200"
    path = sets_dir / f"{GENERATOR}-{size}"
    if not path.is_dir():
        from bekostiging.io.case import load_case
        from bekostiging.io.scenarios import write_scenario_set
        from bekostiging.scenarios import generate

        case = load_case(CASE_DIR)
        write_scenario_set(generate(case, GENERATOR, size, GENERATOR_SEED, name=path.name), path)
    return path


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0


def run_one(size: int, method: str, cuts: str, args: argparse.Namespace) -> dict[str, object]:
    import numpy as np

    from bekostiging.io.case import load_case
    from bekostiging.io.scenarios import load_scenario_set
    from bekostiging.model.data import MONEY_SCALE
    from bekostiging.pipeline import solve_case
    from bekostiging.solver import SolverOptions

    case = load_case(CASE_DIR)
    full = load_scenario_set(scenario_set_path(size, Path(args.sets_dir)), case)
    options = SolverOptions(mip_gap=args.mip_gap, time_limit=args.time_limit, threads=1)
    row: dict[str, object] = {"scenarios": size, "method": method, "cuts": cuts, "workers": args.workers}
    start = time.perf_counter()
    if method in ("ef", "lshaped"):
        cut = cuts if cuts in ("multi", "single") else int(cuts) if cuts != "-" else 20
        sol = solve_case(case, full, options, method=method, cuts=cut, workers=args.workers)
        out = sol.outcome
        row.update(
            status=str(out.status),
            incumbent_meur=None if out.objective is None else out.objective / MONEY_SCALE,
            bound_meur=None if out.bound is None else out.bound / MONEY_SCALE,
            gap=out.gap,
            iterations=out.extra.get("iterations"),
            master_s=out.extra.get("master_seconds"),
            subproblem_s=out.extra.get("subproblem_seconds"),
        )
    elif method == "saa":
        from bekostiging.analytics.saa import saa_gap
        from bekostiging.cli.saa import solve_sample_ef
        from bekostiging.pipeline import prepare_problem

        prepared = prepare_problem(case, full, options)
        problem = prepared.problem
        assert problem is not None
        sample_options = SolverOptions(mip_gap=args.mip_gap, threads=1)
        plans: list[dict[str, float]] = []

        def solve_sample(sub: object) -> tuple[object, dict[str, float] | None]:
            outcome, plan = solve_sample_ef(sub, sample_options)
            if plan is not None:
                plans.append(plan)
            return outcome, plan

        # the first replication's plan is the reference; the others are candidates too
        first_sub = problem.with_scenarios(problem.scenarios[: args.n])
        _ref_outcome, ref_plan = solve_sample_ef(
            first_sub.with_scenarios(
                [s.__class__(s.name, 1.0 / args.n, s.data) for s in first_sub.scenarios]
            ),
            sample_options,
        )
        assert ref_plan is not None
        report = saa_gap(
            problem,
            ref_plan,
            solve_sample,
            sample_size=args.n,
            replications=args.replications,
            seed=args.seed,
            options=sample_options,
            workers=args.workers,
            candidates=True,
        )
        values = [(r.plan_on_set, r) for r in report.replications if r.plan_on_set is not None]
        best_value, _best = min(values, key=lambda v: v[0])
        lowers = [r.lower for r in report.replications]
        # the MMW interval of the best candidate: its cost on the samples from its evaluation
        cost = {r.name: r.total_cost for r in _best.candidate.results}
        from bekostiging.analytics.saa import mmw_interval

        gaps = [float(np.mean([cost[n] for n in r.scenarios])) - r.lower for r in report.replications]
        interval = mmw_interval(gaps)
        row.update(
            status="statistical",
            incumbent_meur=best_value,
            bound_meur=float(np.mean(lowers)),
            gap=interval.upper / abs(best_value),
            iterations=args.replications,
            note=f"N={args.n}, M={args.replications}; reference plan gap upper {report.relative_upper():.4%}",
        )
    elif method == "reduce":
        from bekostiging.analytics.evaluate import evaluate_plan
        from bekostiging.pipeline import prepare_problem
        from bekostiging.scenarios.reduce import reduce_set

        reduced, red = reduce_set(full, args.k)
        t_reduce = time.perf_counter() - start
        sol = solve_case(case, reduced, options, method="ef")
        prepared = prepare_problem(case, full, options)
        ev = evaluate_plan(prepared.problem, sol.first_stage, options=options, workers=args.workers)
        rng = np.random.default_rng(args.seed)
        names = [full.names[i] for i in sorted(rng.choice(len(full.names), size=args.k, replace=False))]
        rand = solve_case(case, full.subset(names), options, method="ef")
        ev_rand = evaluate_plan(prepared.problem, rand.first_stage, options=options, workers=args.workers)
        row.update(
            status=str(sol.outcome.status),
            incumbent_meur=ev.objective,
            bound_meur=None,
            gap=None,
            note=(
                f"k={args.k}: FFS {t_reduce:.1f}s, Kantorovich {red.distance:,.0f}; reduced-set objective "
                f"{sol.outcome.objective / MONEY_SCALE:,.1f}; "
                f"random k-subset plan on the set {ev_rand.objective:,.1f}"
            ),
        )
    row["wall_s"] = round(time.perf_counter() - start, 1)
    row["peak_mb"] = round(_peak_mb(resource.RUSAGE_SELF))
    row["workers_peak_mb"] = round(_peak_mb(resource.RUSAGE_CHILDREN))
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="200,1000,5000")
    parser.add_argument("--methods", default="ef,lshaped,saa")
    parser.add_argument("--cuts", default="multi")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mip-gap", type=float, default=0.005)
    parser.add_argument("--time-limit", type=float, default=900.0)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sets-dir", default=os.environ.get("TMPDIR", "/tmp") + "/bekostiging-scale-sets")
    parser.add_argument("--one", nargs=3, metavar=("SIZE", "METHOD", "CUTS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        row = run_one(int(args.one[0]), args.one[1], args.one[2], args)
        print("RESULT " + json.dumps(row), flush=True)
        return 0
    out = HERE / "results" / f"{dt.date.today().isoformat()}-scale.csv"
    out.parent.mkdir(exist_ok=True)
    new = not out.exists()
    passthrough = [
        f"--workers={args.workers}",
        f"--mip-gap={args.mip_gap}",
        f"--time-limit={args.time_limit}",
        f"--n={args.n}",
        f"--replications={args.replications}",
        f"--k={args.k}",
        f"--seed={args.seed}",
        f"--sets-dir={args.sets_dir}",
    ]
    for size in [int(s) for s in args.sizes.split(",")]:
        scenario_set_path(size, Path(args.sets_dir))  # generate outside the timings
        for method in args.methods.split(","):
            for cuts in args.cuts.split(",") if method == "lshaped" else ["-"]:
                load = os.getloadavg()[0]
                cmd = [sys.executable, __file__, "--one", str(size), method, cuts, *passthrough]
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
                if lines:
                    row = json.loads(lines[-1][len("RESULT ") :])
                else:
                    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
                    row = {
                        "scenarios": size,
                        "method": method,
                        "cuts": cuts,
                        "status": "failed",
                        "note": tail[0],
                    }
                row["load_1min"] = round(load, 1)
                print(row, flush=True)
                with out.open("a", newline="") as fh:
                    writer = csv.DictWriter(fh, fieldnames=FIELDS, extrasaction="ignore")
                    if new:
                        writer.writeheader()
                        new = False
                    writer.writerow(row)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
