"""Benchmark: extensive form vs L-shaped vs SAA at S ∈ {200, 1000, 5000} × T = 60 (issue 12).

    .venv/bin/python bench/scale.py --sizes 200,1000 --methods ef,lshaped --time-limit 900
    .venv/bin/python bench/scale.py --sizes 200 --methods lshaped --cuts multi,single,20
    .venv/bin/python bench/scale.py --sizes 1000 --methods reduce --k 50

Scenario sets: S = 200 is the shipped ``hist-200``; other sizes are generated with the
calibrated generator (``logar``, seed 2026, as the shipped sets) into ``--sets-dir`` (a temporary folder; not
committed). Each (size, method, cuts) runs in a fresh subprocess (peak memory of its own), on
the default case, ``--mip-gap`` 0.5 %, one HiGHS thread (EF) and ``--workers`` workers
(L-shaped, default 2):

* **ef** — ``solve_case(method="ef")`` (the assembled extensive form); above ``--ef-max``
  (1000) scenarios not attempted: the row gives memory scaled from the largest EF row measured;
* **lshaped** — ``solve_case(method="lshaped", cuts=...)`` (above 100 scenarios started from
  the plan of a 50-scenario reduction, ``warm_start_s``); ``iterations`` and the split
  master / scenario LP seconds are reported;
* **saa** — ``--replications`` (5) samples of ``--n`` (50) scenarios solved by the extensive
  form; the first sample's plan evaluated on the whole set (incumbent); bound = the mean of
  the SAA lower bounds (a statistical lower bound, not a proof); gap = the MMW one-sided 95 %
  upper limit of that plan's optimality gap, relative;
* **reduce** — fast forward selection to ``--k`` scenarios, solved by the extensive form, the
  plan evaluated on the whole set (``incumbent``), against a random ``k``-subset's plan.

Columns: wall_s (the whole call, baseline included), status, incumbent and bound in M EUR,
gap, peak_mb (this process) and workers_peak_mb (the largest worker process), the machine's
1-minute load at the start and the end, cpu_s (CPU seconds of the row's processes: with the
wall time, the share of the machine the row got), reference_s (``--reference``: HiGHS alone
on the ``hist-50`` extensive form, one thread, timed before the row).
Writes ``bench/results/<date>-scale.csv`` (appends).
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
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASE_DIR = HERE.parent / "data" / "nl-2026"
GENERATOR = "logar"
GENERATOR_SEED = 2026  # as the shipped hist-50 / hist-200
REFERENCE_SET = "hist-50"  # the HiGHS-alone reference job: this set's extensive form, written as MPS
EF_MAX_SCENARIOS = 1000  # above this the extensive form is not attempted: memory/time estimated instead
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
    "warm_start_s",
    "load_1min",
    "load_end",
    "cpu_s",
    "reference_s",
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
            warm_start_s=sol.timings.get("warm_start_seconds"),
            note=f"model {sol.model_size}; plan box used: {bool(out.extra.get('plan_box_used'))}"
            if method == "lshaped"
            else f"model {sol.model_size}",
        )
    elif method == "saa":
        from bekostiging.analytics.saa import saa_gap
        from bekostiging.cli.saa import solve_sample_ef
        from bekostiging.pipeline import prepare_problem

        prepared = prepare_problem(case, full, options)
        problem = prepared.problem
        assert problem is not None
        sample_options = SolverOptions(mip_gap=args.mip_gap, threads=1)
        solve_sample = partial(solve_sample_ef, options=sample_options)  # replications side by side

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
            candidates=False,
            parallel_samples=True,
        )
        # the first sample's plan, evaluated on the whole set, and its MMW interval
        value = report.plan_cost
        lowers = [r.lower for r in report.replications]
        row.update(
            status="statistical",
            incumbent_meur=value,
            bound_meur=float(np.mean(lowers)),
            gap=report.relative_upper(),
            iterations=args.replications,
            note=(
                f"N={args.n}, M={args.replications}; MMW 95% upper {report.interval.upper:,.1f} M EUR; "
                f"evaluate {report.seconds.get('evaluate', 0):.0f}s, "
                f"replications {report.seconds.get('replications', 0):.0f}s"
            ),
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


def _append(out: Path, row: dict[str, object]) -> None:
    new = not out.exists()
    with out.open("a", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, extrasaction="ignore")
        if new:
            writer.writeheader()
        writer.writerow(row)


def reference_mps(sets_dir: Path) -> Path:
    """The reference job's model: the extensive form of ``hist-50`` as HiGHS holds it (MPS)."""
    path = sets_dir / f"reference-{REFERENCE_SET}.mps"
    if not path.exists():
        from bekostiging.assemble import BlockHighs
        from bekostiging.io.case import load_case
        from bekostiging.io.scenarios import load_scenario_set
        from bekostiging.pipeline import prepare_problem
        from bekostiging.solver import SolverOptions

        case = load_case(CASE_DIR)
        scenarios = load_scenario_set(CASE_DIR / "scenarios" / REFERENCE_SET, case)
        options = SolverOptions(threads=1, mip_gap=0.005, time_limit=1.0)
        blocks = BlockHighs(prepare_problem(case, scenarios, options).problem, options)
        blocks.solve_problem()  # only to assemble the model; the 1 s limit stops it early
        sets_dir.mkdir(parents=True, exist_ok=True)
        blocks._highs.writeModel(str(path))
    return path


def reference_seconds(mps: Path) -> float:
    """HiGHS alone on the reference model (one thread, gap 0.5 %, seed 0), in a fresh process:
    the same job before every row, so a wall time can be read against the machine's load."""
    code = (
        "import highspy, sys, time\n"
        "h = highspy.Highs(); h.setOptionValue('output_flag', False)\n"
        "h.readModel(sys.argv[1]); h.setOptionValue('threads', 1)\n"
        "h.setOptionValue('mip_rel_gap', 0.005); h.setOptionValue('random_seed', 0)\n"
        "t = time.perf_counter(); h.run(); print(time.perf_counter() - t)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(mps)], capture_output=True, text=True, check=True)
    return float(proc.stdout.strip().splitlines()[-1])


def ef_estimate(size: int, results: Path) -> str:
    """Why the extensive form is not attempted at ``size``: memory scaled from the largest EF row
    measured so far (the newest results file that has one, ``results`` first: a run of only
    the large sizes has none of its own); memory grows linearly in S (the model does)."""
    rows: list[dict[str, str]] = []
    for path in [results, *sorted(results.parent.glob("*-scale.csv"), reverse=True)]:
        if path.exists():
            with path.open() as fh:
                rows = [r for r in csv.DictReader(fh) if r["method"] == "ef" and r.get("peak_mb")]
        if rows:
            break
    if not rows:
        return "not attempted (no EF row measured to scale from)"
    last = max(rows, key=lambda r: int(r["scenarios"]))
    s0, mb0 = int(last["scenarios"]), float(last["peak_mb"])
    mem_gb = mb0 * size / s0 / 1024.0
    total_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024.0**3
    return (
        f"not attempted: memory ~{mem_gb:,.1f} GB (EF peak {mb0:,.0f} MB at S={s0}, linear in S) on a "
        f"{total_gb:,.0f} GB machine; its root LP already stalled at S=1000"
    )


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
    parser.add_argument("--ef-max", type=int, default=EF_MAX_SCENARIOS)
    parser.add_argument("--reference", action="store_true", help="time the HiGHS-alone job before each row")
    parser.add_argument("--one", nargs=3, metavar=("SIZE", "METHOD", "CUTS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        row = run_one(int(args.one[0]), args.one[1], args.one[2], args)
        print("RESULT " + json.dumps(row), flush=True)
        return 0
    out = HERE / "results" / f"{dt.date.today().isoformat()}-scale.csv"
    out.parent.mkdir(exist_ok=True)
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
    reference = reference_mps(Path(args.sets_dir)) if args.reference else None
    for size in [int(s) for s in args.sizes.split(",")]:
        scenario_set_path(size, Path(args.sets_dir))  # generate outside the timings
        for method in args.methods.split(","):
            for cuts in args.cuts.split(",") if method == "lshaped" else ["-"]:
                if method == "ef" and size > args.ef_max:
                    row = {"scenarios": size, "method": method, "cuts": cuts, "status": "not attempted",
                           "note": ef_estimate(size, out)}
                    print(row, flush=True)
                    _append(out, row)
                    continue
                ref = reference_seconds(reference) if reference is not None else None
                load = os.getloadavg()[0]
                cmd = [sys.executable, __file__, "--one", str(size), method, cuts, *passthrough]
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
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
                row["load_end"] = round(os.getloadavg()[0], 1)
                row["cpu_s"] = round(cpu, 1)  # the row's process and its workers: CPU we actually got
                row["reference_s"] = None if ref is None else round(ref, 2)
                print(row, flush=True)
                _append(out, row)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
