"""Cost of ``bekostiging simulate``: seconds per path for every policy, and 200 paths x all
policies with the lookahead at every planning moment on 2 cores (issue 10 §6).

Runs ``--sample`` paths of the set for each policy (serially, one HiGHS thread: the cost
of one path on one core), then — unless ``--no-parallel`` — the same tasks on
``--workers`` processes of the executor to measure the parallel efficiency, and
extrapolates to ``--target`` paths. Prints a markdown table (bench/README.md).

    PYTHONPATH=src python bench/simulate.py --sample 2 --workers 2
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bekostiging.io.case import load_case
from bekostiging.shipped import default_case_dir
from bekostiging.simulate import Context, make_policy, simulate, simulate_path
from bekostiging.simulate.sources import PathRequest, load_paths
from bekostiging.solver import SolverOptions

POLICIES = (
    "status-quo",
    "flexpool",
    "asielreserve",
    "boven-mpp",
    "reservecapaciteit",
    "lagere-bezettingsgraad",
    "combinatie",
    "tuned",
    "lookahead",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--case", default=None)
    ap.add_argument("--paths", default="hist-50")
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--sample", type=int, default=2, help="paths measured per policy")
    ap.add_argument("--target", type=int, default=200, help="paths extrapolated to")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--lookahead-scenarios", type=int, default=10)
    ap.add_argument("--segment-months", type=int, default=None)
    ap.add_argument("--no-parallel", action="store_true")
    args = ap.parse_args()
    case_dir = default_case_dir() if args.case is None else Path(args.case)
    case = load_case(case_dir)
    ctx = Context.of(case, SolverOptions(mip_gap=0.005, threads=1), segment_months=args.segment_months)
    paths = load_paths(args.paths, case, case_dir, PathRequest())[: args.sample]
    rows = []
    serial_total = 0.0
    policies = []
    for name in args.policies.split(","):
        policy = make_policy(name, case.settings.policy, [case_dir])
        if hasattr(policy, "n"):
            from dataclasses import replace

            policy = replace(policy, n=args.lookahead_scenarios)
        policies.append(policy)
        t0 = time.perf_counter()
        results = [simulate_path(ctx, p, policy) for p in paths]
        wall = time.perf_counter() - t0
        serial_total += wall
        moments = sum(len(r.decisions) for r in results)
        plan = sum(r.plan_seconds for r in results)
        run = sum(r.run_seconds for r in results)
        rows.append((name, wall / len(paths), plan / moments, run / moments, moments // len(paths)))
        print(f"{name}: {wall / len(paths):.1f} s/path", flush=True)
    print()
    print(
        "| policy | s per path (1 core) | planning s per moment | chain run s per segment | moments |"
    )
    print("|---|---|---|---|---|")
    for name, per_path, per_plan, per_run, moments in rows:
        print(f"| {name} | {per_path:.1f} | {per_plan:.2f} | {per_run:.2f} | {moments} |")
    per_path_all = sum(r[1] for r in rows)
    print(f"\nall {len(rows)} policies, one path, one core: {per_path_all:.1f} s")
    efficiency = 1.0
    if not args.no_parallel and args.workers > 1:
        t0 = time.perf_counter()
        simulate(ctx, paths, policies, workers=args.workers)
        wall = time.perf_counter() - t0
        efficiency = serial_total / (wall * args.workers)
        print(
            f"the same {len(paths) * len(policies)} tasks on {args.workers} workers: {wall:.1f} s "
            f"(serial {serial_total:.1f} s; parallel efficiency {efficiency:.2f})"
        )
    hours = args.target * per_path_all / (args.workers * efficiency) / 3600
    print(
        f"extrapolated: {args.target} paths x {len(rows)} policies on {args.workers} cores: {hours:.1f} h "
        f"(from {args.sample} measured paths per policy)"
    )


if __name__ == "__main__":
    main()
