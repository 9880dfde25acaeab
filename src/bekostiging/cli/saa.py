"""``bekostiging saa RUN --scenarios SET``: is RUN's plan good on a large scenario set?

The plan of RUN is evaluated on every scenario of SET; ``--replications`` samples of ``--n``
scenarios of SET are solved (extensive form or L-shaped, ``--method``); the Mak-Morton-Wood
interval of the optimality gap follows (``analytics/saa.py``). Tables go to the run's
analysis/ folder (or ``--out``): ``saa-<set>.csv`` (per replication) and
``saa-<set>-summary.csv``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import click

from bekostiging.cli import main
from bekostiging.cli.analytics import (
    _load_record,
    _load_set,
    _prepare,
    _run_inputs,
    _write,
    time_limit_option,
)
from bekostiging.cli.runs import runs_dir_option
from bekostiging.cli.types import FiniteFloatRange
from bekostiging.solver import SolveOutcome, SolverOptions

DEFAULT_REPLICATIONS = 10
DEFAULT_SAMPLE = 50


def solve_sample_ef(problem: object, options: SolverOptions) -> tuple[SolveOutcome, dict[str, float] | None]:
    """One SAA problem by the assembled extensive form (model units)."""
    from bekostiging.assemble import AssemblyUnsupported, BlockHighs
    from bekostiging.solver import OneShotHighs
    from bekostiging.twostage import extensive_form, first_stage_values

    try:
        solver = BlockHighs(problem, options)  # type: ignore[arg-type]
        outcome = solver.solve_problem()
        first = solver.first
    except AssemblyUnsupported:
        m = extensive_form(problem)  # type: ignore[arg-type]
        outcome = OneShotHighs(options).solve(m)
        first = m.first
    plan = first_stage_values(first) if outcome.status.has_solution else None
    return outcome, plan


def solve_sample_lshaped(
    problem: object, options: SolverOptions, workers: int | None, executor: str | None
) -> tuple[SolveOutcome, dict[str, float] | None]:
    from bekostiging.lshaped import LShaped

    solver = LShaped(problem, options, workers=workers, executor=executor)  # type: ignore[arg-type]
    result = solver.solve()
    return result.outcome, solver.first_stage() if result.x is not None else None


@main.command("saa")
@click.argument("run")
@click.option("--scenarios", "scenarios", required=True, help="The large scenario set (name or folder).")
@click.option(
    "--n", "n", type=click.IntRange(min=1), default=DEFAULT_SAMPLE, show_default=True, help="Sample size N."
)
@click.option(
    "--replications",
    type=click.IntRange(min=2),
    default=DEFAULT_REPLICATIONS,
    show_default=True,
    help="Number of SAA samples M (disjoint while M x N fits in the set).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sample draw.")
@click.option(
    "--method",
    type=click.Choice(["ef", "lshaped"]),
    default="ef",
    show_default=True,
    help="How each N-scenario SAA problem is solved.",
)
@click.option(
    "--mip-gap",
    type=FiniteFloatRange(0, 1),
    default=0.001,
    show_default=True,
    help="Relative gap of each SAA solve (its lower bound enters the gap estimate).",
)
@click.option("--candidates", is_flag=True, help="Also evaluate each replication's own plan on SET.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Parallel workers.")
@click.option("--executor", default=None, help="processes, serial, dask or tcp://scheduler:8786.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the tables here instead of the run's analysis/ folder.",
)
@time_limit_option
@runs_dir_option
def saa_cmd(
    run: str,
    scenarios: str,
    n: int,
    replications: int,
    seed: int,
    method: str,
    mip_gap: float,
    candidates: bool,
    workers: int | None,
    executor: str | None,
    out: Path | None,
    time_limit: float | None,
    runs_dir: Path | None,
) -> None:
    """How far RUN's plan is from optimal on SET: the 95 % interval of the optimality gap.

    The plan is evaluated on every scenario of SET (mean cost and its 95 % interval);
    then M samples of N scenarios of SET are solved, and with the plan's cost on the
    same samples the Mak-Morton-Wood interval [0, upper] of the gap E[cost(plan)] - z*
    is printed (one-sided 95 %; z* the optimum on SET).
    """
    from bekostiging.analytics.chain import analysis_dir
    from bekostiging.analytics.saa import saa_gap
    from bekostiging.cli.solve import check_executor
    from bekostiging.model.data import MONEY_SCALE
    from bekostiging.pipeline import first_stage_from_table
    from bekostiging.runs.store import slug

    executor = check_executor(executor)
    record = _load_record(run, runs_dir)
    first = record.table("first_stage")
    if first.empty or "common" in first.columns:
        raise click.ClickException(f"run {record.run_id} has no two-stage plan (first_stage table)")
    inputs = _run_inputs(record, time_limit)
    set_dir, scenario_set = _load_set(inputs.case, inputs.case_dirs, scenarios)
    if n > len(scenario_set.scenarios):
        raise click.BadParameter(
            f"{n} is more than the {len(scenario_set.scenarios)} scenarios of {scenario_set.name}",
            param_hint="--n",
        )
    stem = f"saa-{slug(set_dir.name)}"
    folder = out if out is not None else analysis_dir(record.path)
    for name in (stem, f"{stem}-summary"):
        if (folder / f"{name}.csv").exists():
            raise click.ClickException(f"{folder / name}.csv exists and is never replaced; use --out")
    prepared = _prepare(inputs.case, scenario_set, inputs.options, inputs.policy, inputs.risk)
    if prepared.problem is None or prepared.problem.risk.weight > 0:
        raise click.ClickException("saa measures the expected cost: the run must be risk-neutral")
    plan = first_stage_from_table(first)
    options = SolverOptions(mip_gap=mip_gap, time_limit=inputs.options.time_limit, threads=1)

    # the extensive-form replications (one HiGHS thread each) run side by side on the workers;
    # L-shaped replications use the workers themselves, one after the other
    solve_sample: Callable[[object], tuple[SolveOutcome, dict[str, float] | None]] = (
        partial(solve_sample_lshaped, options=options, workers=workers, executor=executor)
        if method == "lshaped"
        else partial(solve_sample_ef, options=options)
    )

    start = time.perf_counter()
    try:
        report = saa_gap(
            prepared.problem,
            plan,
            solve_sample,
            sample_size=n,
            replications=replications,
            seed=seed,
            options=options,
            workers=workers,
            executor=executor,
            candidates=candidates,
            progress=lambda line: click.echo(line, err=True),
            parallel_samples=method == "ef",
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    seconds = time.perf_counter() - start
    per = report.to_frame()
    summary = report.summary()
    for frame in (per, summary):
        for col in frame.columns:
            if col in ("saa_objective", "saa_bound", "plan_sample_mean", "gap_estimate", "own_plan_on_set"):
                frame[col] = frame[col].astype(float) * MONEY_SCALE
    money = summary["quantity"].isin(
        ["plan_cost_mean", "plan_cost_ci_low", "plan_cost_ci_high", "gap_mean", "gap_sd", "gap_upper"]
    )
    summary.loc[money, "value"] = summary.loc[money, "value"].astype(float) * MONEY_SCALE
    paths = _write(folder, {stem: per, f"{stem}-summary": summary})
    s = report.evaluation.statistics()
    i = report.interval
    click.echo(
        f"plan of {record.run_id} on {scenario_set.name} ({len(scenario_set.scenarios)} scenarios): "
        f"expected cost {s.mean:,.1f} M EUR, 95% CI [{s.ci_low:,.1f}, "
        f"{s.ci_high:,.1f}]"
    )
    click.echo(
        f"optimality gap (Mak-Morton-Wood, {i.replications} x {n} scenarios, one-sided "
        f"{i.confidence:.0%}): estimate {i.mean:,.1f} M EUR, interval [0, "
        f"{i.upper:,.1f}] M EUR = [0, {report.relative_upper():.2%}] of the plan's cost"
    )
    best = [r for r in report.replications if r.plan_on_set is not None]
    if best:
        top = min(best, key=lambda r: r.plan_on_set or float("inf"))
        click.echo(
            f"best replication plan on {scenario_set.name}: {top.plan_on_set:,.1f} M EUR "
            f"(replication {top.index})"
        )
    click.echo(f"{seconds:.1f} s; tables: {', '.join(str(p) for p in paths)}")
