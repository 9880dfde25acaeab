"""Cost of ``bekostiging simulate`` (issue 10 §6) and the options ranked by simulation (§5).

Two measurements, one command each:

* ``--profile N``: every policy on the first N paths, serially in this process (one HiGHS
  thread: the cost of a path on one core), once on a 'before' path (``--before previous``: the
  fast path of 8fdd6d8; ``--before lpfile``: LP files, every model built by Pyomo, every
  moment planned afresh; :func:`before_context`) and once on the fast path, policy by policy,
  alternating which goes first; CPU seconds of this process per path per policy (robust to the
  other jobs on a shared machine), wall beside them, and the two columns' cash and hires.
* the run (default): ``--max-paths`` paths x every policy on ``--workers`` processes of the
  executor the analytics use (``executor.open_executor``; one pool for the whole run, so a
  worker keeps its shared plans), path by path in batches of ``--workers`` paths, until the
  paths run out or the next batch would end after ``--deadline`` minutes: the number of
  paths reported is the number that completed for every policy. Prints and writes
  ``cost.csv`` (seconds per policy per path), ``comparison.csv`` (the simulated ranking:
  mean and P90 over paths of cash and service, as ``simulate`` writes it), ``ranking.md``
  (beside the two-stage ``options.csv`` of ``--options DIR`` when given) and ``run.json``
  (wall, paths, workers, load before and after).

    PYTHONPATH=src python bench/simulate.py --paths hist-50 --max-paths 200 --workers 2 \\
        --deadline 42 --options DIR --out bench/results/simulate-200
    PYTHONPATH=src python bench/simulate.py --profile 1
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from bekostiging.executor import open_executor
from bekostiging.io.case import load_case
from bekostiging.shipped import default_case_dir
from bekostiging.simulate import Context, engine, make_policy, simulate_path
from bekostiging.simulate.engine import DEFAULT_REPLAN, PathResult, _run_task, _Task, probabilities, tidy
from bekostiging.simulate.output import comparison_table, summary_table
from bekostiging.simulate.policies import LOOKAHEAD_SCENARIOS
from bekostiging.simulate.sources import PathRequest, load_paths
from bekostiging.solver import SolverOptions

POLICIES = (
    "lookahead",  # the dearest first: a batch's tail is then short
    "combinatie",
    "reservecapaciteit",
    "asielreserve",
    "boven-mpp",
    "lagere-bezettingsgraad",
    "flexpool",
    "tuned",
    "status-quo",
)
MIP_GAP = 0.005  # the planners' gap, as simulate and options use it
EUR_PER_MEUR = 1e6
# two-stage options.csv columns beside the simulated ones (comparison.csv)
TWO_STAGE = {
    "expected_cash_eur": "cash_eur_mean",
    "p90_cash_eur": "cash_eur_p90",
    "late_case_months": "late_cases_mean",
    "emergency_place_months": "emergency_places_mean",
    "supplementary_funding_eur": "supplementary_eur_mean",
}


def load() -> float:
    """The 1-minute load average."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def _policies(names: str, case, case_dir: Path, lookahead_scenarios: int) -> list:  # type: ignore[no-untyped-def]
    out = []
    for name in names.split(","):
        policy = make_policy(name, case.settings.policy, [case_dir])
        if hasattr(policy, "n"):
            policy = replace(policy, n=lookahead_scenarios)
        out.append(policy)
    return out


def before_context(case, options: SolverOptions, before: str) -> Context:  # type: ignore[no-untyped-def]
    """The context of the 'before' column: ``lpfile`` (the first implementation: LP files, every
    block built by Pyomo, every moment planned afresh, Python's own collector) or ``previous``
    (the fast path of 1 Dec 03:00, 8fdd6d8: in memory, the band assembled from a template,
    Pyomo's walker, Python's own collector, OpenBLAS threads as they are)."""
    if before == "lpfile":
        return Context.of(
            case,
            options,
            assemble=False,
            share_plans=False,
            direct=False,
            gc_thresholds=None,
            fast_walker=False,
            blas_threads=None,
        )
    return Context.of(
        case, options, assemble_from=3, gc_thresholds=None, fast_walker=False, blas_threads=None
    )


def profile(args: argparse.Namespace, case, case_dir: Path, paths: list) -> None:  # type: ignore[no-untyped-def]
    """CPU seconds per path per policy, a 'before' path (``--before``) against the fast path,
    serially and alternating (before first for every other policy), so a change in the
    machine's load falls on both columns alike; cash and hires of the two compared."""
    options = SolverOptions(mip_gap=MIP_GAP, threads=1)
    old = before_context(case, options, args.before)
    new = Context.of(case, options)
    rows = []
    print(f"load before: {load():.1f}; before = {args.before}", flush=True)
    for k, policy in enumerate(_policies(args.policies, case, case_dir, args.lookahead_scenarios)):
        row: dict[str, object] = {"policy": policy.name}
        hires: dict[str, list] = {}
        order = [("old", old), ("fast", new)]
        for label, ctx in order if k % 2 == 0 else order[::-1]:
            engine._PLANS.clear()  # the other column's plans are not this one's to share
            t0 = time.perf_counter()
            results = [simulate_path(ctx, p, policy) for p in paths]
            hires[label] = [d["hires"] for r in results for d in r.decisions]
            row[f"{label}_wall_s"] = (time.perf_counter() - t0) / len(paths)
            row[f"{label}_s"] = sum(r.cpu_seconds for r in results) / len(paths)
            row[f"{label}_plan_s"] = sum(r.plan_seconds for r in results) / len(paths)
            row[f"{label}_run_s"] = sum(r.run_seconds for r in results) / len(paths)
            row[f"{label}_cash_eur"] = sum(_cash(r) for r in results) / len(paths)
        row["max_hires_diff"] = max(
            (abs(a - b) for a, b in zip(hires["old"], hires["fast"], strict=True)), default=0.0
        )
        rows.append(row)
        print(
            f"{policy.name}: before {row['old_s']:.1f} s, fast {row['fast_s']:.1f} s CPU per path "
            f"(cash {row['old_cash_eur'] / EUR_PER_MEUR:,.3f} / "
            f"{row['fast_cash_eur'] / EUR_PER_MEUR:,.3f} M EUR; hires differ by at most "
            f"{row['max_hires_diff']:.2g})",
            flush=True,
        )
    print(f"load after: {load():.1f}")
    frame = pd.DataFrame(rows)
    print()
    print("| policy | before CPU s/path | fast CPU s/path | speed-up | before / fast wall s/path |")
    print("|---|---|---|---|---|")
    for r in frame.itertuples():
        print(
            f"| {r.policy} | {r.old_s:.1f} | {r.fast_s:.1f} | {r.old_s / r.fast_s:.1f}x "
            f"| {r.old_wall_s:.1f} / {r.fast_wall_s:.1f} |"
        )
    old, fast = frame["old_s"].sum(), frame["fast_s"].sum()
    print(f"| all {len(frame)} | {old:.1f} | {fast:.1f} | {old / fast:.1f}x | |")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        frame.to_csv(args.out / "profile.csv", index=False)


def _cash(result: PathResult) -> float:
    return sum(v for (_m, k, v) in result.rows if k == "cash_eur")


def run(args: argparse.Namespace, case, case_dir: Path, paths: list) -> None:  # type: ignore[no-untyped-def]
    """The measured run: batches of ``workers`` paths x every policy until paths or time run out."""
    ctx = Context.of(case, SolverOptions(mip_gap=MIP_GAP, threads=1))
    policies = _policies(args.policies, case, case_dir, args.lookahead_scenarios)
    deadline = args.deadline * 60.0
    before = load()
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    print(f"start {started}, load {before:.1f}; {len(policies)} policies, <= {len(paths)} paths", flush=True)
    results: list[PathResult] = []
    done = 0
    batch_walls: list[float] = []
    t0 = time.perf_counter()
    with open_executor(args.workers, args.executor) as ex:
        while done < len(paths):
            elapsed = time.perf_counter() - t0
            expected = max(batch_walls) if batch_walls else 0.0
            if elapsed + expected > deadline:
                break
            batch = paths[done : done + ex.workers]
            # policy-major over the batch's paths: with one task per chunk, chunk j goes to
            # worker j mod n, so worker j runs path j of the batch for every policy
            tasks = [_Task(ctx, path, policy, DEFAULT_REPLAN) for policy in policies for path in batch]
            b0 = time.perf_counter()
            results += ex.map(_run_task, tasks, chunks=len(tasks))
            batch_walls.append(time.perf_counter() - b0)
            done += len(batch)
            print(
                f"{done} paths x {len(policies)} policies: {time.perf_counter() - t0:,.0f} s "
                f"(batch {batch_walls[-1]:.0f} s, load {load():.1f})",
                flush=True,
            )
    wall = time.perf_counter() - t0
    after = load()
    cost = (
        pd.DataFrame(
            [
                {"policy": r.policy, "plan_s": r.plan_seconds, "run_s": r.run_seconds, "cpu_s": r.cpu_seconds}
                for r in results
            ]
        )
        .groupby("policy", sort=False)
        .agg(
            paths=("plan_s", "size"),
            plan_s=("plan_s", "mean"),
            run_s=("run_s", "mean"),
            cpu_s=("cpu_s", "mean"),
        )
        .reset_index()
    )
    cost["s_per_path"] = cost["plan_s"] + cost["run_s"]
    summary = summary_table(tidy(results), probabilities(results))
    comparison = comparison_table(summary)
    info = {
        "started": started,
        "paths_set": args.paths,
        "paths_completed": done,
        "paths_asked": args.max_paths,
        "policies": [p.name for p in policies],
        "workers": ex.workers,
        "lookahead_scenarios": args.lookahead_scenarios,
        "wall_s": wall,
        "deadline_min": args.deadline,
        "load_before": before,
        "load_after": after,
        "task_seconds_total": float((cost["s_per_path"] * cost["paths"]).sum()),
        "task_cpu_seconds_total": float((cost["cpu_s"] * cost["paths"]).sum()),
    }
    print()
    print(
        f"{done} paths x {len(policies)} policies with the lookahead (S = {args.lookahead_scenarios}) at "
        f"every planning moment on {ex.workers} workers: wall {wall:,.0f} s ({wall / 3600:.2f} h); "
        f"load {before:.1f} before, {after:.1f} after"
    )
    print()
    print("| policy | paths | wall s per path in a worker | planning s | chain runs s | CPU s per path |")
    print("|---|---|---|---|---|---|")
    for r in cost.itertuples():
        print(
            f"| {r.policy} | {r.paths} | {r.s_per_path:.1f} | {r.plan_s:.1f} | {r.run_s:.1f} "
            f"| {r.cpu_s:.1f} |"
        )
    ranking = ranking_table(comparison, args.options)
    print()
    print(ranking)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        cost.to_csv(args.out / "cost.csv", index=False)
        summary.to_csv(args.out / "summary.csv", index=False)
        comparison.to_csv(args.out / "comparison.csv", index=False)
        (args.out / "ranking.md").write_text(ranking + "\n", encoding="utf-8")
        (args.out / "run.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def _meur(x: float) -> str:
    return "–" if pd.isna(x) else f"{x / EUR_PER_MEUR:,.0f}"


def _count(x: float) -> str:
    return "–" if pd.isna(x) else f"{x:,.0f}"


def two_stage_on(options_dir: Path, runs_dir: Path, scenarios: list[str]) -> pd.DataFrame:
    """The two-stage plans of an ``options`` folder judged on some of their scenarios only (the
    simulated paths): per preset the mean over ``scenarios`` (equal weights) of each run's
    per-scenario cash, late case-months, emergency place-months and supplementary funding,
    and the P90 of cash — the options table's columns on the simulation's paths."""
    raw = pd.read_csv(options_dir / "options.csv")
    rows = []
    for r in raw.itertuples():
        kpis = pd.read_csv(runs_dir / str(r.run_id) / "tables" / "kpis.csv")
        mine = kpis[kpis["scenario"].isin(scenarios)].pivot_table(
            index="scenario", columns="kpi", values="value"
        )
        if len(mine) != len(scenarios):
            raise SystemExit(f"{r.run_id}: not every simulated path is a scenario of the run")
        rows.append(
            {
                "policy": r.preset,
                "expected_cash_eur": float(mine["spending_eur"].mean()),
                "p90_cash_eur": float(mine["spending_eur"].quantile(0.9, interpolation="higher")),
                "late_case_months": float(mine["late_case_months"].mean()),
                "emergency_place_months": float(mine["emergency_place_months"].mean()),
                "supplementary_funding_eur": float(mine["supplementary_funding_eur"].mean()),
            }
        )
    return pd.DataFrame(rows)


def ranking_table(
    comparison: pd.DataFrame,
    options_dir: Path | None,
    runs_dir: Path | None = None,
    scenarios: list[str] | None = None,
) -> str:
    """The simulated ranking (rank on mean cash) beside the two-stage one of ``options.csv`` —
    on the options' whole set, or (``runs_dir`` and ``scenarios``) on the simulated paths only."""
    sim = comparison.copy()
    sim["sim_rank"] = range(1, len(sim) + 1)
    two = pd.DataFrame(columns=["policy"])
    if options_dir is not None:
        if runs_dir is not None and scenarios:
            raw = two_stage_on(options_dir, runs_dir, scenarios)
        else:
            raw = pd.read_csv(options_dir / "options.csv").rename(columns={"preset": "policy"})
        two = raw[["policy", *TWO_STAGE]].copy()
        two = two.sort_values("expected_cash_eur", kind="stable").reset_index(drop=True)
        two["two_rank"] = range(1, len(two) + 1)
    table = sim.merge(two, on="policy", how="outer")
    table = table.sort_values(["sim_rank", "two_rank"] if "two_rank" in table else ["sim_rank"])
    lines = [
        "| policy | simulated: rank | cash mean | cash P90 | late case-months mean / P90 | emergency "
        "place-months mean / P90 | supplementary mean | two-stage: rank | cash E | cash P90 | late "
        "case-months | emergency place-months | supplementary |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        sim_rank = "–" if pd.isna(r.get("sim_rank")) else str(int(r["sim_rank"]))
        two_rank = "–" if pd.isna(r.get("two_rank", float("nan"))) else str(int(r["two_rank"]))
        lines.append(
            f"| {r['policy']} | {sim_rank} | {_meur(r.get('cash_eur_mean'))} "
            f"| {_meur(r.get('cash_eur_p90'))} "
            f"| {_count(r.get('late_cases_mean'))} / {_count(r.get('late_cases_p90'))} "
            f"| {_count(r.get('emergency_places_mean'))} / {_count(r.get('emergency_places_p90'))} "
            f"| {_meur(r.get('supplementary_eur_mean'))} | {two_rank} "
            f"| {_meur(r.get('expected_cash_eur', float('nan')))} "
            f"| {_meur(r.get('p90_cash_eur', float('nan')))} "
            f"| {_count(r.get('late_case_months', float('nan')))} "
            f"| {_count(r.get('emergency_place_months', float('nan')))} "
            f"| {_meur(r.get('supplementary_funding_eur', float('nan')))} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", type=Path, default=None)
    ap.add_argument("--paths", default="hist-50", help="scenario set whose paths are simulated")
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--max-paths", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--executor", default=None, help="processes (default), serial or dask")
    ap.add_argument(
        "--deadline", type=float, default=42.0, help="minutes; no batch starts that would end later"
    )
    ap.add_argument("--lookahead-scenarios", type=int, default=LOOKAHEAD_SCENARIOS)
    ap.add_argument("--options", type=Path, default=None, help="an `options` folder: its options.csv")
    ap.add_argument("--profile", type=int, default=0, help="N: before vs fast path, serially, on N paths")
    ap.add_argument(
        "--before",
        choices=("previous", "lpfile"),
        default="previous",
        help="--profile's before column: the previous fast path (8fdd6d8) or the LP-file path",
    )
    ap.add_argument(
        "--from-run",
        type=Path,
        default=None,
        help="a finished run's --out folder: print its ranking again (with --options, --options-runs)",
    )
    ap.add_argument(
        "--options-runs",
        type=Path,
        default=None,
        help="the runs folder of --options: judge its plans on the simulated paths only",
    )
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    case_dir = default_case_dir() if args.case is None else args.case
    case = load_case(case_dir)
    if args.from_run is not None:
        info = json.loads((args.from_run / "run.json").read_text(encoding="utf-8"))
        names = [p.name for p in load_paths(info["paths_set"], case, case_dir, PathRequest())]
        done = names[: info["paths_completed"]]
        comparison = pd.read_csv(args.from_run / "comparison.csv")
        print(ranking_table(comparison, args.options, args.options_runs, done))
        return
    n = args.profile or args.max_paths
    paths = load_paths(args.paths, case, case_dir, PathRequest())[:n]
    if args.profile:
        profile(args, case, case_dir, paths)
    else:
        run(args, case, case_dir, paths)


if __name__ == "__main__":
    main()
