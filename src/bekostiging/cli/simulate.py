"""``bekostiging simulate``: policies re-planned through the budget cycle along inflow paths."""

from __future__ import annotations

import re
import sys
import time
from dataclasses import replace
from pathlib import Path

import click

from bekostiging.cli import main, version_line
from bekostiging.cli.case import InputProblemsError, in_folder
from bekostiging.cli.defaults import case_line, case_or_default, policies_option
from bekostiging.cli.runs import lang_option, runs_dir_option
from bekostiging.cli.types import FiniteFloatRange
from bekostiging.errors import InputErrors
from bekostiging.report.i18n import Lang, term

INPUT_EXIT = 2


class SimulateInputError(click.ClickException):
    """A bad option value: one line on stderr, exit 2."""

    exit_code = INPUT_EXIT


def _names(value: str) -> list[str]:
    """Comma-separated names; a comma before ``y=`` belongs to ``tuned:x=X,y=Y``."""
    return [x.strip() for x in re.split(r",(?!\s*[a-z]\s*=)", value) if x.strip()]


@main.command("simulate")
@click.argument("case_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--policy",
    "policy_names",
    default="status-quo",
    show_default=True,
    help="Policies, comma-separated: status-quo, a letter option or combination by preset name "
    "(flexpool, asielreserve, boven-mpp, reservecapaciteit, lagere-bezettingsgraad, combinatie, "
    "asielreserve-huidig, or a preset file), combinations a+b (flexpool+reservecapaciteit), lookahead "
    "(lookahead:PRESET), tuned (tuned:x=X,y=Y).",
)
@click.option(
    "--paths",
    "paths_name",
    default=None,
    help="Inflow paths: a scenario set of the case (default: its default set), 'history' (real inflow "
    "and MPP vintages) or a named stress path.",
)
@click.option("--max-paths", type=click.IntRange(min=1), default=None, help="Use only the first N paths.")
@click.option("--from", "first_year", type=click.IntRange(1900, 2200), default=None, help="First year.")
@click.option("--to", "last_year", type=click.IntRange(1900, 2200), default=None, help="Last year.")
@click.option(
    "--replan",
    default="spring,autumn",
    show_default=True,
    help="Planning moments after the start: spring (June: after the spring MPP and Voorjaarsnota), "
    "autumn (December: after the autumn MPP and Najaarsnota), both, or 'none' (plan once, at the start).",
)
@click.option(
    "--shock",
    "shocks",
    multiple=True,
    help="YEAR:+P% scales every path's inflow in YEAR (a surprise to the forecasts); repeatable.",
)
@click.option(
    "--segment-months",
    type=click.IntRange(min=1),
    default=None,
    help="Run the chain between planning moments in pieces of this many months (1: month by month; "
    "default: one piece, the recourse sees the half-year's realised inflow).",
)
@click.option(
    "--lookahead-scenarios",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Scenario paths per lookahead solve.",
)
@click.option(
    "--warm-start",
    is_flag=True,
    help="Start each lookahead MIP from the previous moment's plan (measured: no gain on nl-2026).",
)
@click.option(
    "--planning-years",
    type=click.IntRange(min=1, max=5),
    default=2,
    show_default=True,
    help="The planner looks from its moment to the end of the year + this many years.",
)
@click.option(
    "--mip-gap", type=FiniteFloatRange(0, 1), default=0.005, show_default=True, help="Relative gap."
)
@click.option(
    "--tune",
    is_flag=True,
    help="Tune x and y of 'tuned' on the first half of the paths (a small grid: lowest cash plus late "
    "case-months at the case's late-case weight); every policy is then judged on the other half.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the lookahead's scenarios.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Parallel worker processes.")
@policies_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="New folder for the results (default: <runs-dir>/simulate-<paths>-<time>); never overwritten.",
)
@runs_dir_option
@lang_option
def simulate_cmd(
    case_dir: Path | None,
    policy_names: str,
    paths_name: str | None,
    max_paths: int | None,
    first_year: int | None,
    last_year: int | None,
    replan: str,
    shocks: tuple[str, ...],
    segment_months: int | None,
    lookahead_scenarios: int,
    warm_start: bool,
    planning_years: int,
    mip_gap: float,
    tune: bool,
    seed: int,
    workers: int | None,
    policies_dir: Path | None,
    out: Path | None,
    runs_dir: Path | None,
    lang: Lang,
) -> None:
    """Simulate policies through the budget cycle, month by month along inflow paths.

    At every planning moment (the start, then June and December: after the MPP's spring
    and autumn vintages and the Voorjaars- and Najaarsnota) each policy decides with only
    what is known then — the forecast of that moment and the chain's state (staff and
    trainees, open and committed locations, reserve places, queue, backlog, occupancy,
    asielreserve). Decisions take effect with
    their lead times; the budget of a year is fixed at the last moment before it starts.
    Between moments the chain runs on the realised inflow through the model's own
    constraint families with the plan fixed; within that half-year the operational
    recourse (registrations, decisions, pool and reserve activation, emergency shelter)
    sees the half-year's realised inflow (the stated simplification; --segment-months 1:
    month by month). Overspend is drawn from the asielreserve, then covered by
    supplementary funding.

    Writes DIR/simulation.csv (policy, path, month, metric, value), summary.csv (per
    policy and year: mean and P90 over paths), comparison.csv (the options compared by
    simulation, against status-quo), decisions.csv, simulation.png and manifest.json.
    Exit 2 on a bad option (an unknown policy name lists the allowed ones).
    """
    from bekostiging.io.case import load_case
    from bekostiging.simulate import (
        Context,
        Lookahead,
        Shock,
        SimulationError,
        SimulationInputError,
        Tuned,
        make_policy,
    )
    from bekostiging.simulate.engine import decisions_frame, simulate, tidy
    from bekostiging.simulate.output import manifest, outputs, write_folder
    from bekostiging.simulate.policies import tune as tune_tuned
    from bekostiging.simulate.sources import PathRequest, load_paths
    from bekostiging.solver import SolverOptions

    case_dir = case_or_default(case_dir)
    try:
        case = load_case(case_dir)
    except InputErrors as exc:
        raise InputProblemsError(in_folder(exc.problems, case_dir)) from exc
    click.echo(case_line(case_dir, case.settings.case.name, lang))
    try:
        replan_moments = () if replan.strip() == "none" else tuple(_names(replan))
        shock_list = [one for text in shocks for one in Shock.parse(text)]
        policies = [
            make_policy(n, case.settings.policy, [case_dir], policies_dir) for n in _names(policy_names)
        ]
        if not policies:
            raise SimulationInputError("--policy: give at least one policy name")
        policies = [
            replace(p, n=lookahead_scenarios, warm=warm_start) if isinstance(p, Lookahead) else p
            for p in policies
        ]
        source = paths_name or case.settings.case.default_scenarios
        if source == "history":  # the chain's parameters of those years, as bench/backtest.py
            from bekostiging.simulate.history import history_simulation_case

            case = history_simulation_case(case)
        request = PathRequest(first_year, last_year, seed)
        paths = load_paths(source, case, case_dir, request)
        if max_paths is not None:
            paths = paths[:max_paths]
        for shock in shock_list:
            paths = [shock.apply(p) for p in paths]
        from bekostiging.simulate.engine import planning_moments

        for p in paths[:1]:
            planning_moments(p, replan_moments)  # checks the --replan names
    except SimulationInputError as exc:
        raise SimulateInputError(str(exc)) from exc
    except InputErrors as exc:
        raise InputProblemsError(exc.problems) from exc
    ctx = Context.of(
        case,
        SolverOptions(mip_gap=mip_gap, seed=seed, threads=1),
        planning_years=planning_years,
        seed=seed,
        segment_months=segment_months,
    )
    import datetime as dt

    from bekostiging.runs.store import resolve_runs_dir

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = out if out is not None else resolve_runs_dir(runs_dir) / f"simulate-{source}-{stamp}"
    if folder.exists():
        raise click.ClickException(f"{folder} already exists; choose a new --out (nothing is overwritten)")
    n_paths, n_pol = len(paths), len(policies)
    click.echo(
        f"{n_pol} beleid(en) x {n_paths} paden, herplannen: {', '.join(replan_moments) or 'geen'}"
        if lang == "nl"
        else f"{n_pol} policies x {n_paths} paths, re-planning: {', '.join(replan_moments) or 'none'}",
        err=True,
    )
    start = time.perf_counter()
    extra: dict[str, bytes] = {}
    tuned_note: dict[str, object] = {}
    if tune:
        if len(paths) < 2:
            raise SimulateInputError("--tune needs at least two paths (half to tune on, half to judge)")
        if not any(isinstance(p, Tuned) for p in policies):
            policies.append(Tuned())
        half = len(paths) // 2
        training, paths = paths[:half], paths[half:]
        tuning = tune_tuned(ctx, training, replan=replan_moments, workers=workers)
        policies = [tuning.best if isinstance(p, Tuned) else p for p in policies]
        import pandas as pd

        extra["tuning.csv"] = pd.DataFrame(tuning.table).to_csv(index=False).encode("utf-8")
        tuned_note = {"tuned_on": list(tuning.training), "tuned": tuning.best.name}
        click.echo(f"tuned: {tuning.best.name} ({len(training)} paths)", err=True)
        n_paths = len(paths)
    try:
        results = simulate(ctx, paths, policies, replan_moments, workers=workers)
    except SimulationError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(4)
    wall = time.perf_counter() - start
    table = tidy(results)
    decisions = decisions_frame(results)
    if source == "history":  # the back-test: MAPE per policy and the chart (history.validation)
        from bekostiging.history import load_history
        from bekostiging.history.validation import validation_files

        extra.update(validation_files(table, load_history(), lang, first_year, last_year))
    probabilities = {r.path: r.probability for r in results}
    settings = {
        "command_line": sys.argv,
        "case": str(case_dir),
        "paths": source,
        "paths_count": n_paths,
        "from": first_year,
        "to": last_year,
        "shocks": list(shocks),
        "policies": [p.name for p in policies],
        "replan": list(replan_moments),
        "segment_months": segment_months,
        "planning_years": planning_years,
        "lookahead_scenarios": lookahead_scenarios,
        "mip_gap": mip_gap,
        "seed": seed,
        "workers": workers,
        **tuned_note,
    }
    timings = {
        "wall": wall,
        "planning": sum(r.plan_seconds for r in results),
        "chain_runs": sum(r.run_seconds for r in results),
    }
    title = (
        f"Simulatie op {source} ({n_paths} paden): gemiddelde, P90 gestreept"
        if lang == "nl"
        else f"Simulation on {source} ({n_paths} paths): mean, P90 dashed"
    )
    inputs = {"case": case_dir}
    files, comparison = outputs(
        table, decisions, probabilities, title, lang, manifest(inputs, settings, timings, version_line())
    )
    files.update(extra)
    if source == "history":
        files["validation.csv"] = _validation(table, first_year, last_year)
    try:
        write_folder(folder, files)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    from bekostiging.simulate.output import comparison_lines

    for line in comparison_lines(comparison, lang):
        click.echo(line)
    for name in files:
        click.echo(term("wrote", lang).format(path=folder / name))


def _validation(table: object, first_year: int | None, last_year: int | None) -> bytes:
    """validation.csv for history runs: per policy the simulated year-end COA occupancy, IND
    backlog and yearly IND decisions against the real ones (the back-test's scoring,
    ``history.validation``), with the MAPE per policy and metric in a ``mape`` row."""
    import pandas as pd

    from bekostiging.history.load import load_history
    from bekostiging.history.validation import (
        actuals,
        mape,
        monthly_from_simulation,
        scored_years,
        validation_frame,
    )

    tidy: pd.DataFrame = table  # type: ignore[assignment]
    real = actuals(load_history(), *scored_years(tidy, first_year, last_year))
    frames = []
    for policy, part in tidy.groupby("policy", sort=False):
        frame = validation_frame(monthly_from_simulation(part), real).assign(policy=policy)
        scores = mape(frame)
        summary = pd.DataFrame(
            {"policy": policy, "metric": list(scores), "year": "mape", "simulated": list(scores.values())}
        )
        frames += [frame, summary]
    out = pd.concat(frames, ignore_index=True)
    columns = ["policy", "metric", "year", "simulated", "actual", "date", "source"]
    return out.reindex(columns=columns).to_csv(index=False).encode("utf-8")
