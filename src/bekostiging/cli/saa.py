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
from dataclasses import dataclass
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
from bekostiging.cli.runs import lang_option, runs_dir_option
from bekostiging.cli.types import FiniteFloatRange
from bekostiging.report.i18n import Lang, fmt_number, fmt_percent
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
@lang_option
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
    lang: Lang,
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
            progress=lambda event, values: click.echo(progress_line(event, values, lang), err=True),
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
    best = [r for r in report.replications if r.plan_on_set is not None]
    top = min(best, key=lambda r: r.plan_on_set or float("inf")) if best else None
    for line in saa_lines(
        SaaFigures(
            run_id=record.run_id,
            set_name=scenario_set.name,
            set_size=len(scenario_set.scenarios),
            mean=s.mean,
            ci_low=s.ci_low,
            ci_high=s.ci_high,
            replications=i.replications,
            sample_size=n,
            confidence=i.confidence,
            gap_mean=i.mean,
            gap_upper=i.upper,
            relative_upper=report.relative_upper(),
            best=(top.plan_on_set, top.index) if top is not None and top.plan_on_set is not None else None,
            seconds=seconds,
            paths=tuple(str(p) for p in paths),
        ),
        lang,
    ):
        click.echo(line)


@dataclass(frozen=True)
class SaaFigures:
    """What ``saa`` prints (money in M EUR, as the SAA report gives it)."""

    run_id: str
    set_name: str
    set_size: int
    mean: float
    ci_low: float
    ci_high: float
    replications: int
    sample_size: int
    confidence: float
    gap_mean: float
    gap_upper: float
    relative_upper: float
    best: tuple[float, int] | None
    seconds: float
    paths: tuple[str, ...]


SAA_WORDS: dict[str, tuple[str, str]] = {
    "plan": (
        "plan van {run} op {set} ({size} scenario's): verwachte kosten € {mean} mln, 95%-interval "
        "[€ {low} mln, € {high} mln]",
        "plan of {run} on {set} ({size} scenarios): expected cost €{mean} million, 95% CI "
        "[€{low} million, €{high} million]",
    ),
    "gap": (
        "afstand tot het optimum (Mak-Morton-Wood, {m} x {n} scenario's, eenzijdig {conf}): schatting "
        "€ {mean} mln, interval [0, € {upper} mln] = [0, {rel}] van de kosten van het plan",
        "optimality gap (Mak-Morton-Wood, {m} x {n} scenarios, one-sided {conf}): estimate "
        "€{mean} million, interval [0, €{upper} million] = [0, {rel}] of the plan's cost",
    ),
    "best": (
        "beste plan van een herhaling op {set}: € {value} mln (herhaling {index})",
        "best replication plan on {set}: €{value} million (replication {index})",
    ),
    "done": ("{seconds} s; tabellen: {paths}", "{seconds} s; tables: {paths}"),
}


PROGRESS_WORDS: dict[str, tuple[str, str]] = {  # (nl, en); money in € mln
    "evaluate": ("het plan doorrekenen op {n} scenario's", "evaluating the plan on {n} scenarios"),
    "parallel": (
        "{m} herhalingen van {n} scenario's, naast elkaar",
        "{m} replications of {n} scenarios, in parallel",
    ),
    "solved": ("herhaling {k}/{m} opgelost", "replication {k}/{m} solved"),
    "replication": (
        "herhaling {k}/{m}: SAA-ondergrens € {bound} mln, plan € {plan} mln",
        "replication {k}/{m}: SAA bound €{bound} million, plan €{plan} million",
    ),
}


def progress_line(event: str, values: dict[str, float], lang: Lang = "nl") -> str:
    """A progress line of ``saa_gap`` in ``lang``: counts whole, money (the model's unit,
    M EUR) in € mln in the language's number format."""
    nl, en = PROGRESS_WORDS[event]
    money = ("bound", "plan")
    shown = {k: fmt_number(v, lang, 1 if k in money else 0) for k, v in values.items()}
    return (nl if lang == "nl" else en).format(**shown)


def saa_lines(f: SaaFigures, lang: Lang = "nl") -> list[str]:
    """The saa result in ``lang``: € mln in the language's number format, percentages, no codes."""

    def word(key: str) -> str:
        nl, en = SAA_WORDS[key]
        return nl if lang == "nl" else en

    def mln(value: float) -> str:
        return fmt_number(value, lang, 1)

    lines = [
        word("plan").format(
            run=f.run_id,
            set=f.set_name,
            size=f.set_size,
            mean=mln(f.mean),
            low=mln(f.ci_low),
            high=mln(f.ci_high),
        ),
        word("gap").format(
            m=f.replications,
            n=f.sample_size,
            conf=fmt_percent(f.confidence, lang, 0),
            mean=mln(f.gap_mean),
            upper=mln(f.gap_upper),
            rel=fmt_percent(f.relative_upper, lang, 2),
        ),
    ]
    if f.best is not None:
        lines.append(word("best").format(set=f.set_name, value=mln(f.best[0]), index=f.best[1]))
    lines.append(word("done").format(seconds=fmt_number(f.seconds, lang, 1), paths=", ".join(f.paths)))
    return lines
