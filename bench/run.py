"""Benchmark: the solve pipeline against HiGHS alone, for S scenarios x T periods.

    .venv/bin/python bench/run.py                      # all sizes (make bench)
    .venv/bin/python bench/run.py --sizes 3x24,50x60 --time-limit 300 --repeat 3
    .venv/bin/python bench/run.py --profile 200x60     # cProfile of one pipeline solve

Per size and repeat, two fresh subprocesses (so that peak memory is the
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of that run alone):

1. *pipeline*: ``solve_case`` (MPP baseline, model build, hand-off, HiGHS, solution
   load, result tables) with threads=1, gap 0.5 %; ``--assembler blocks`` (default:
   Pyomo template + numpy assembly, ``assemble.py``) or ``pyomo`` (whole model, LP file).
   The solver reports its split (template/LP write, ``readModel``, assembly, HiGHS's own
   run time, solution load in ``outcome.extra``); the bench records it with the node
   count. Peak memory is read right after ``solve_case``; the very model HiGHS solved is
   then written as MPS by HiGHS (``writeModel``, same column order).
2. *HiGHS alone*: ``highspy.Highs().readModel(mps)`` and ``run()`` with the same
   options (threads, mip_rel_gap, random_seed, time_limit); its peak memory too.

Writes ``bench/results/<date>.csv`` (medians over repeats) and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import io
import json
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DEFAULT_SIZES = "3x24,3x60,50x24,50x60,200x24,200x60"
MIP_GAP = 0.005
THREADS = 1
SEED = 0
DEFAULT_TIME_LIMIT = 600.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


# --------------------------------------------------------------------------- pipeline worker


HANDOFF_IN_KEYS = ("write_seconds", "read_seconds", "analyse_seconds", "assemble_seconds", "pass_seconds")


def _record(calls: list[dict[str, Any]], solver: Any, model: Any, outcome: Any) -> None:
    extra = outcome.extra
    calls.append(
        {
            "model": model,
            "highs": solver.highs,
            "outcome": outcome,
            "handoff_in_seconds": sum(extra.get(k, 0.0) for k in HANDOFF_IN_KEYS),
            "write_seconds": extra.get("write_seconds", 0.0),
            "read_seconds": extra.get("read_seconds", 0.0),
            "assemble_seconds": sum(extra.get(k, 0.0) for k in HANDOFF_IN_KEYS[2:]),
            "highs_seconds": extra.get("highs_seconds", 0.0),
            "nodes": int(solver.highs.getInfo().mip_node_count),
        }
    )


def _recording_solvers() -> tuple[type, type, list[dict[str, Any]]]:
    """OneShotHighs and BlockHighs that record the model, its nodes and the split of their wall time."""
    from bekostiging.assemble import BlockHighs
    from bekostiging.solver import OneShotHighs

    calls: list[dict[str, Any]] = []

    class RecordingSolver(OneShotHighs):
        def solve(self, model: Any, on_progress: Any = None) -> Any:
            outcome = super().solve(model, on_progress)
            _record(calls, self, model, outcome)
            return outcome

    class RecordingBlocks(BlockHighs):
        def solve_problem(self, on_progress: Any = None) -> Any:
            outcome = super().solve_problem(on_progress)
            _record(calls, self, None, outcome)
            return outcome

    return RecordingSolver, RecordingBlocks, calls


def pipeline_worker(
    scenarios: int, periods: int, time_limit: float, mps: Path, assembler: str = "blocks"
) -> dict[str, Any]:
    from bekostiging import pipeline
    from bekostiging.solver import SolverOptions
    from sizes import instance

    case, scenario_set = instance(scenarios, periods)
    rss_inputs = _peak_mb()
    solver_cls, blocks_cls, calls = _recording_solvers()
    pipeline.OneShotHighs = solver_cls  # type: ignore[misc]  # only in this subprocess
    pipeline.BlockHighs = blocks_cls  # type: ignore[misc]
    options = SolverOptions(time_limit=time_limit, mip_gap=MIP_GAP, threads=THREADS, seed=SEED)
    wall0 = time.perf_counter()
    sol = pipeline.solve_case(case, scenario_set, options, assembler=assembler)
    wall = time.perf_counter() - wall0
    peak = _peak_mb()
    main = calls[-1]
    t = sol.timings
    handoff_out = sol.outcome.solve_seconds - main["handoff_in_seconds"] - main["highs_seconds"]
    row = {
        "S": scenarios,
        "T": periods,
        "columns": sol.model_size.get("columns"),
        "rows": sol.model_size.get("rows"),
        "integers": sol.model_size.get("integer_columns"),
        "baseline_s": t.get("baseline_seconds"),
        "build_s": t.get("build_seconds"),
        "handoff_in_s": main["handoff_in_seconds"],
        "lp_write_s": main["write_seconds"],
        "lp_read_s": main["read_seconds"],
        "assemble_s": main["assemble_seconds"],
        "assembler": "blocks" if t.get("assembler") else "pyomo",
        "highs_s": main["highs_seconds"],
        "handoff_out_s": handoff_out,
        "solve_s": t.get("solve_seconds"),
        "results_s": t.get("results_seconds", 0.0),
        "total_s": t.get("total_seconds"),
        "wall_s": wall,
        "status": str(sol.outcome.status),
        "gap": sol.outcome.gap,
        "objective": sol.outcome.objective,
        "nodes": main["nodes"],
        "rss_inputs_mb": rss_inputs,
        "peak_mb": peak,
    }
    t0 = time.perf_counter()
    main["highs"].writeModel(str(mps))  # the model exactly as HiGHS held it (same column order)
    row["mps_write_s"] = time.perf_counter() - t0
    return row


# --------------------------------------------------------------------------- HiGHS-alone worker


def highs_worker(mps: Path, time_limit: float) -> dict[str, Any]:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in {
        "threads": THREADS,
        "mip_rel_gap": MIP_GAP,
        "random_seed": SEED,
        "time_limit": time_limit,
    }.items():
        h.setOptionValue(key, value)
    t0 = time.perf_counter()
    h.readModel(str(mps))
    read = time.perf_counter() - t0
    t0 = time.perf_counter()
    h.run()
    wall = time.perf_counter() - t0
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    return {
        "alone_read_s": read,
        "alone_s": wall,
        "alone_status": status,
        "alone_gap": float(info.mip_gap) if has_solution else None,
        "alone_objective": float(info.objective_function_value) if has_solution else None,
        "alone_nodes": int(info.mip_node_count),
        "alone_peak_mb": _peak_mb(),
    }


# --------------------------------------------------------------------------- driver


def _subprocess(args: list[str], out: Path, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args, "--json", str(out)]
    done = subprocess.run(cmd, cwd=HERE.parent, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(out.read_text())


def measure(
    scenarios: int, periods: int, time_limit: float, tmp: Path, assembler: str = "blocks"
) -> dict[str, Any]:
    mps = tmp / f"s{scenarios}-t{periods}.mps"
    timeout = 3 * time_limit + 900
    common = ["--time-limit", str(time_limit)]
    row = _subprocess(
        [
            "--worker",
            "pipeline",
            "--size",
            f"{scenarios}x{periods}",
            "--mps",
            str(mps),
            "--assembler",
            assembler,
            *common,
        ],
        tmp / "pipeline.json",
        timeout,
    )
    row.update(_subprocess(["--worker", "highs", "--mps", str(mps), *common], tmp / "highs.json", timeout))
    mps.unlink(missing_ok=True)
    return row


def derive(row: dict[str, Any]) -> dict[str, Any]:
    overhead = row["build_s"] + row["handoff_in_s"] + row["handoff_out_s"] + row["results_s"]
    row["overhead_s"] = overhead
    row["ratio_total_alone"] = row["total_s"] / row["alone_s"]
    row["overhead_pct_alone"] = 100.0 * overhead / row["alone_s"]
    row["overhead_pct_own"] = 100.0 * overhead / row["highs_s"]  # against the pipeline's own HiGHS run
    return row


def median_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"repeats": len(rows)}
    for key in rows[0]:
        values = [r[key] for r in rows]
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if numbers and len(numbers) == len(values):
            out[key] = statistics.median(numbers)
        else:
            out[key] = "/".join(dict.fromkeys(str(v) for v in values))
    return out


def _f(value: Any, fmt: str) -> str:
    return "–" if value is None or isinstance(value, str) else format(value, fmt)


def markdown(rows: list[dict[str, Any]]) -> str:
    head = (
        "| S | T | columns | rows | int | build s | hand-off s | HiGHS s | results s | baseline s "
        "| total s | HiGHS alone s | total / alone | overhead % (alone / own) | gap (pipe / alone) "
        "| status (pipe / alone) | peak MB (pipe / alone) |"
    )
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in rows:
        gap = f"{_f(r['gap'], '.3%')} / {_f(r['alone_gap'], '.3%')}"
        lines.append(
            f"| {r['S']} | {r['T']} | {r['columns']:,.0f} | {r['rows']:,.0f} | {r['integers']:.0f} "
            f"| {r['build_s']:.2f} | {r['handoff_in_s'] + r['handoff_out_s']:.2f} | {r['highs_s']:.2f} "
            f"| {r['results_s']:.2f} | {r['baseline_s']:.2f} | {r['total_s']:.2f} | {r['alone_s']:.2f} "
            f"| {r['ratio_total_alone']:.2f} | {r['overhead_pct_alone']:.1f} / {r['overhead_pct_own']:.1f} "
            f"| {gap} | {r['status']} / {r['alone_status']} "
            f"| {r['peak_mb']:.0f} / {r['alone_peak_mb']:.0f} |"
        )
    return "\n".join(lines)


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        s, _, t = part.strip().lower().partition("x")
        sizes.append((int(s), int(t)))
    return sizes


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=keys)
        writer.writeheader()
        for r in rows:
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})


# --------------------------------------------------------------------------- profile


def profile(scenarios: int, periods: int, time_limit: float) -> Path:
    """cProfile of one solve_case; the top functions by cumulative and own time."""
    from bekostiging import pipeline
    from bekostiging.solver import SolverOptions
    from sizes import instance

    case, scenario_set = instance(scenarios, periods)
    options = SolverOptions(time_limit=time_limit, mip_gap=MIP_GAP, threads=THREADS, seed=SEED)
    prof = cProfile.Profile()
    prof.enable()
    sol = pipeline.solve_case(case, scenario_set, options)
    prof.disable()
    buf = io.StringIO()
    buf.write(f"# cProfile of solve_case, S={scenarios}, T={periods}; timings {sol.timings}\n")
    stats = pstats.Stats(prof, stream=buf).strip_dirs()
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    path = RESULTS / f"{dt.date.today().isoformat()}-profile-S{scenarios}-T{periods}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buf.getvalue())
    return path


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help=f"SxT list (default {DEFAULT_SIZES})")
    ap.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="seconds per solve")
    ap.add_argument("--repeat", type=int, default=1, help="runs per size; the median is reported")
    ap.add_argument("--out", type=Path, default=None, help="CSV path (default bench/results/<date>.csv)")
    ap.add_argument("--profile", metavar="SxT", help="profile one pipeline solve with cProfile instead")
    ap.add_argument(
        "--assembler",
        choices=["blocks", "pyomo"],
        default="blocks",
        help="solve_case's model hand-off: numpy block assembly (default) or the whole Pyomo model",
    )
    ap.add_argument("--worker", choices=["pipeline", "highs"], help=argparse.SUPPRESS)
    ap.add_argument("--size", help=argparse.SUPPRESS)
    ap.add_argument("--mps", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        if args.worker == "pipeline":
            ((s, t),) = parse_sizes(args.size)
            result = pipeline_worker(s, t, args.time_limit, args.mps, args.assembler)
        else:
            result = highs_worker(args.mps, args.time_limit)
        args.json.write_text(json.dumps(result))
        return 0
    if args.profile:
        ((s, t),) = parse_sizes(args.profile)
        print(f"profile written to {profile(s, t, args.time_limit)}")
        return 0

    out = args.out or RESULTS / f"{dt.date.today().isoformat()}.csv"
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmpdir:
        for s, t in parse_sizes(args.sizes):
            runs = []
            for r in range(args.repeat):
                print(f"S={s} T={t} run {r + 1}/{args.repeat} ...", file=sys.stderr, flush=True)
                runs.append(derive(measure(s, t, args.time_limit, Path(tmpdir), args.assembler)))
                last = runs[-1]
                print(
                    f"  total {last['total_s']:.1f}s, HiGHS {last['highs_s']:.1f}s, "
                    f"alone {last['alone_s']:.1f}s, ratio {last['ratio_total_alone']:.2f}",
                    file=sys.stderr,
                    flush=True,
                )
            rows.append(median_row(runs))
            write_csv(rows, out)  # after every size, so a long run leaves partial results
    print(markdown(rows))
    print(
        f"\nassembler={args.assembler}, threads={THREADS}, mip_rel_gap={MIP_GAP}, random_seed={SEED}, "
        f"time limit {args.time_limit:g}s, "
        f"median of {args.repeat}; CSV: {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
