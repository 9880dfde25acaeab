"""``bekostiging value | evaluate | options``: decision analytics on runs and policy presets.

* ``value RUN`` — EV, EEV, RP, WS, VSS and EVPI of a stored run (with statuses,
  gaps and proven intervals), and the ``status-quo`` plan on the same scenarios:
  what the run's plan saves, overall and per KPI. Stored as
  ``analysis/value.csv`` and ``analysis/value_scenarios.csv`` in the run
  (``solve --analyse`` does the same right after a solve).
* ``evaluate RUN --scenarios SET`` — the run's stage-1 plan fixed, stage 2 solved
  for each scenario of SET (in parallel processes); mean, sd, 95 % CI of the
  mean and P50/P90/P99 of cost, backlog and late case-months; scenarios the plan
  cannot serve are named (exit 0 with a warning line: the evaluation is still a
  result). Stored as ``analysis/evaluate-<set>.csv`` and
  ``analysis/evaluate-<set>-summary.csv`` (or in ``--out``).
* ``options [CASE]`` — every policy preset solved on one scenario set (each a
  run named by its preset), one table (CSV, xlsx) and a chart (PNG).

Analysis files are written atomically and never replaced (exit 1 when one exists).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pandas as pd

from bekostiging.analytics.chain import DEFAULT_WORKERS, AnalysisExistsError, ValueAnalysis
from bekostiging.cli import main
from bekostiging.cli.case import InputProblemsError
from bekostiging.cli.defaults import policies_option
from bekostiging.cli.runs import lang_option, runs_dir_option
from bekostiging.cli.types import FiniteFloatRange
from bekostiging.errors import InputErrors, InputProblem, SolverFailure
from bekostiging.report.i18n import (
    DEFAULT_LANG,
    TERMS,
    Lang,
    fmt_number,
    fmt_percent,
    fmt_scaled,
    status_word,
    term,
)
from bekostiging.runs.store import RunRecord, RunStoreError, find_run, read_run, resolve_runs_dir
from bekostiging.schema import Case, Policy, ScenarioSet
from bekostiging.solver import SolverOptions
from bekostiging.twostage import Risk

if TYPE_CHECKING:
    from bekostiging.pipeline import ChainSolution, PreparedProblem

EUR_MILLION = 1e6
P90 = 0.9
SUMMARY_SHOWN = (  # evaluate: quantity, label, scale, unit — cash first, weights and objective apart
    ("spending_eur", "cash spending (kasuitgaven)", EUR_MILLION, "€ mln"),
    ("supplementary_funding_eur", "supplementary funding", EUR_MILLION, "€ mln"),
    ("weights_eur", "model weights, not spending", EUR_MILLION, "€ mln"),
    ("total_cost_eur", "objective (cash + weights + valuation)", EUR_MILLION, "€ mln"),
    ("second_stage_cost_eur", "objective, stage-2 part", EUR_MILLION, "€ mln"),
    ("backlog_end_persons", "IND backlog at the end", 1.0, "persons"),
    ("backlog_mean_persons", "IND backlog, mean", 1.0, "persons"),
    ("late_case_months", "late case-months", 1.0, "case-months"),
    ("emergency_place_months", "emergency place-months", 1.0, "place-months"),
)
MAX_NAMED_SCENARIOS = 20  # the warning names this many; the per-scenario CSV has them all
LABEL_WIDTH = 26

workers_option = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=DEFAULT_WORKERS,
    show_default=True,
    help="Processes solving scenario problems in parallel (one HiGHS thread each).",
)
time_limit_option = click.option(
    "--time-limit",
    type=FiniteFloatRange(min=0, min_open=True),
    default=None,
    help="Seconds per solve (default: the run's own limit).",
)


# --------------------------------------------------------------------------- shared


@dataclass(frozen=True)
class RunInputs:
    """What a stored run was solved with: case (its copy), policy, risk, solver options."""

    record: RunRecord
    case: Case
    case_dirs: tuple[Path, ...]  # the run's case copy, then the original case folder
    policy: Policy
    risk: Risk
    options: SolverOptions


def _load_record(ref: str, runs_dir: Path | None) -> RunRecord:
    try:
        record = read_run(find_run(ref, resolve_runs_dir(runs_dir)))
    except RunStoreError as exc:
        raise click.ClickException(str(exc)) from exc
    if record.failed or record.manifest.status not in ("optimal", "limit"):
        raise click.ClickException(f"run {record.run_id} has no plan (status {record.manifest.status})")
    return record


def _run_inputs(record: RunRecord, time_limit: float | None) -> RunInputs:
    from bekostiging.cli.runs import _stored_policy_and_risk
    from bekostiging.io.case import load_case

    try:
        case = load_case(record.case_copy)
    except InputErrors as exc:
        raise click.ClickException(f"the stored case of {record.run_id} no longer loads: {exc}") from exc
    policy, risk = _stored_policy_and_risk(dict(record.manifest.raw.get("settings") or {}), case)
    stored = dict(record.manifest.raw.get("solver", {}).get("options", {}))
    allowed = {f.name for f in dataclasses.fields(SolverOptions)} - {"log_file", "stream"}
    kw = {k: v for k, v in stored.items() if k in allowed}
    if record.manifest.raw.get("seed") is not None:
        kw["seed"] = record.manifest.raw["seed"]
    kw["threads"] = None  # the worker pool sets one thread per worker
    if time_limit is not None:
        kw["time_limit"] = time_limit
    raw_settings = record.manifest.raw.get("settings") or {}
    originals = (raw_settings.get("case_source"), record.manifest.raw.get("case", {}).get("path"))
    dirs = tuple(dict.fromkeys([record.case_copy, *(Path(str(o)) for o in originals if o)]))
    return RunInputs(record, case, dirs, policy, risk, SolverOptions(**kw))  # type: ignore[arg-type]


def _located(problems: Sequence[InputProblem], folder: Path) -> list[InputProblem]:
    """Name each file with its folder unless it already has one."""
    return [
        dataclasses.replace(p, file=str(folder / p.file)) if Path(p.file).name == p.file else p
        for p in problems
    ]


def _load_set(case: Case, case_dirs: Sequence[Path], name: str) -> tuple[Path, ScenarioSet]:
    """SET as ``solve`` resolves it, in the first case folder that has it; exit 2 on problems."""
    from bekostiging.io.scenarios import load_scenario_set, resolve_scenario_set

    candidates = [resolve_scenario_set(d, name) for d in case_dirs]
    found = next((c for c in candidates if c.is_dir()), candidates[0])
    try:
        return found, load_scenario_set(found, case)
    except InputErrors as exc:
        raise InputProblemsError(_located(exc.problems, found) if found.is_dir() else exc.problems) from exc


def _policy(name: str, case_dirs: Sequence[Path], default: Policy, policies_dir: Path | None) -> Policy:
    """A preset by name, resolved as every command does (``bekostiging.policies.resolve_policy``)."""
    return _find_preset(name, case_dirs, default, policies_dir)[0]


def _find_preset(
    name: str, case_dirs: Sequence[Path], default: Policy, policies_dir: Path | None
) -> tuple[Policy, Path | None]:
    from bekostiging.policies import find_policy

    try:
        return find_policy(name, case_dirs, default, policies_dir)
    except InputErrors as exc:
        raise InputProblemsError(exc.problems) from exc


def _prepare(
    case: Case, scenario_set: ScenarioSet, options: SolverOptions, policy: Policy, risk: Risk
) -> PreparedProblem:
    from bekostiging.pipeline import prepare_problem

    try:
        prepared = prepare_problem(case, scenario_set, options, policy=policy, risk=risk)
    except SolverFailure as exc:
        raise InputProblemsError(
            [InputProblem(scenario_set.name, "scenario set", "does not fit the case", str(exc))]
        ) from exc
    if prepared.problem is None:
        lines = "; ".join(c.line() for c in prepared.conflicts) or prepared.baseline_outcome.describe()
        raise click.ClickException(f"the MPP-mid baseline of policy {policy.name} has no plan: {lines}")
    return prepared


def _write(folder: Path, tables: dict[str, pd.DataFrame]) -> list[Path]:
    from bekostiging.analytics.chain import write_tables

    try:
        return write_tables(folder, tables)
    except AnalysisExistsError as exc:
        raise click.ClickException(f"{exc}; use --out for a new folder") from exc


# --------------------------------------------------------------------------- value


def analyse(
    case: Case,
    case_dirs: Sequence[Path],
    scenario_set: ScenarioSet,
    policy: Policy,
    risk: Risk,
    options: SolverOptions,
    rp: object | None,
    recommended_kpis: pd.DataFrame,
    workers: int,
    policies_dir: Path | None = None,
) -> ValueAnalysis:
    """VSS/EVPI of a plan (``rp``: the run's stochastic solution, re-solved when None) and the status quo."""
    from bekostiging.analytics import value_of_information
    from bekostiging.analytics.chain import PART_KPIS, compare_with_status_quo, kpi_callback
    from bekostiging.policies import STATUS_QUO

    options = dataclasses.replace(options, log_file=None, stream=False)
    prepared = _prepare(case, scenario_set, options, policy, risk)
    voi = value_of_information(prepared.problem, options, workers, rp=rp, metrics=kpi_callback(prepared.data))
    sq_policy = _policy(STATUS_QUO, case_dirs, case.settings.policy, policies_dir)
    sq = _prepare(case, scenario_set, options, sq_policy, risk)
    comparison = compare_with_status_quo(sq.problem, sq.data, recommended_kpis, voi.rp, options, workers)
    expected = recommended_kpis[recommended_kpis["scenario"] == "expected"]
    rp_expected = dict(zip(expected["kpi"].astype(str), expected["value"].astype(float), strict=True))
    return ValueAnalysis(voi, comparison, voi.parts(rp_expected, PART_KPIS))


def analyse_solution(
    solution: ChainSolution,
    case: Case,
    case_dir: Path,
    scenario_set: ScenarioSet,
    options: SolverOptions,
    workers: int,
    policies_dir: Path | None = None,
) -> ValueAnalysis:
    """``solve --analyse``: the value analysis of a fresh ``ChainSolution`` (its RP is reused)."""
    from bekostiging.analytics.chain import stochastic_solution_from_tables

    tables = solution.tables
    rp = stochastic_solution_from_tables(solution.outcome, solution.first_stage, tables["kpis"])
    policy = solution.policy or case.settings.policy
    kpis = tables["kpis"]
    return analyse(
        case, (case_dir,), scenario_set, policy, solution.risk, options, rp, kpis, workers, policies_dir
    )


def store_value(analysis: ValueAnalysis, run_path: Path) -> list[Path]:
    from bekostiging.analytics.chain import analysis_dir, value_tables

    return _write(analysis_dir(run_path), value_tables(analysis))


@main.command("value")
@click.argument("run")
@workers_option
@time_limit_option
@runs_dir_option
@policies_option
@lang_option
def value_cmd(
    run: str,
    workers: int,
    time_limit: float | None,
    runs_dir: Path | None,
    policies_dir: Path | None,
    lang: Lang,
) -> None:
    """Value of the stochastic solution (VSS) and of perfect information (EVPI) for RUN.

    Reuses the run's solution as RP; solves EV, then EEV and WS (one problem per
    scenario, in parallel) and the status-quo plan on the same scenarios. Prints
    each measure with its status, gap and proven interval, and stores
    analysis/value.csv and analysis/value_scenarios.csv in the run (never
    replaced: exit 1 if the run already has them).
    """
    from bekostiging.analytics.chain import (
        VALUE_TABLE,
        analysis_dir,
        outcome_from_manifest,
        stochastic_solution_from_tables,
        value_lines,
    )
    from bekostiging.pipeline import first_stage_from_table

    record = _load_record(run, runs_dir)
    existing = analysis_dir(record.path) / f"{VALUE_TABLE}.csv"
    if existing.exists():
        raise click.ClickException(f"{existing} exists and is never replaced; `bekostiging show` prints it")
    inputs = _run_inputs(record, time_limit)
    _, scenario_set = _load_set(inputs.case, inputs.case_dirs[:1], record.scenario_set)
    first = record.table("first_stage")
    rp = None
    if not first.empty:
        rp = stochastic_solution_from_tables(
            outcome_from_manifest(record.manifest.raw), first_stage_from_table(first), record.table("kpis")
        )
    else:
        click.echo(
            "note: the run stored no first_stage table; solving the stochastic problem again", err=True
        )
    start = time.perf_counter()
    analysis = analyse(
        inputs.case,
        inputs.case_dirs,
        scenario_set,
        inputs.policy,
        inputs.risk,
        inputs.options,
        rp,
        record.table("kpis"),
        workers,
        policies_dir,
    )
    paths = store_value(analysis, record.path)
    for line in value_lines(analysis.to_frame(), lang):
        click.echo(line)
    click.echo(f"({fmt_number(time.perf_counter() - start, lang, 1)} s)")
    for p in paths:
        click.echo(term("wrote", lang).format(path=p))


# --------------------------------------------------------------------------- evaluate


MIN_SCENARIOS_FOR_INTERVAL = 10  # below this the 95% interval of the mean is not shown ("too few")
MIN_SCENARIOS_FOR_P99 = 100  # below this P99 is (near) the largest scenario: not shown


def evaluation_lines(summary: pd.DataFrame, lang: Lang = DEFAULT_LANG) -> list[str]:
    """The evaluate statistics in ``lang``: counts never below zero, no interval or P99 from too few."""
    head = (
        f"  {'':<{LABEL_WIDTH}} {term('mean', lang):>11} {term('sd', lang):>13} {term('ci95', lang):>25} "
        f"{'P50':>11} {'P90':>11} {'P99':>11}"
    )
    lines = [head]
    rows = summary.set_index("quantity")
    few = 0
    for key, _label, scale, unit in SUMMARY_SHOWN:
        if key not in rows.index or "mean" not in rows.columns:
            continue
        r = rows.loc[key]
        n = int(r["n"]) if "n" in r.index and pd.notna(r["n"]) else MIN_SCENARIOS_FOR_P99
        money = scale == EUR_MILLION

        def f(x: object, s: float = scale, money: bool = money) -> str:
            v = float(x)  # type: ignore[arg-type]
            if math.isfinite(v) and not money:
                v = max(v, 0.0)  # a count: the bound respects the range
            return fmt_scaled(v, lang, s, 1)

        if n < MIN_SCENARIOS_FOR_INTERVAL:
            ci = term("too_small", lang)
            few = n
        else:
            ci = f"[{f(r['ci_low'])}; {f(r['ci_high'])}]"
        p99 = f(r["p99"]) if n >= MIN_SCENARIOS_FOR_P99 else term("too_small", lang)
        label = term(key, lang)[:LABEL_WIDTH]
        unit_word = term("eur_million", lang) if money else (term(unit, lang) if unit in TERMS else unit)
        lines.append(
            f"  {label:<{LABEL_WIDTH}} {f(r['mean']):>11} {f(r['sd']):>13} {ci:>25} "
            f"{f(r['p50']):>11} {f(r['p90']):>11} {p99:>11}  {unit_word}"
        )
    if few:
        lines.append("  " + term("small_sample_note", lang).format(n=few))
    return lines


@main.command("evaluate")
@click.argument("run")
@click.option("--scenarios", "scenarios", required=True, help="Scenario set name or folder (as for solve).")
@workers_option
@time_limit_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the tables here instead of the run's analysis/ folder.",
)
@click.option(
    "--root-only",
    is_flag=True,
    help="Fix only the decisions of the coming budget year and re-optimise later years per "
    "scenario (model/stages.md; always so for a run solved with --stages yearly).",
)
@runs_dir_option
@lang_option
def evaluate_cmd(
    run: str,
    scenarios: str,
    workers: int,
    time_limit: float | None,
    out: Path | None,
    root_only: bool,
    runs_dir: Path | None,
    lang: Lang,
) -> None:
    """Out-of-sample test of RUN's plan on the scenario set SET.

    The run's stage-1 plan (its first_stage table) is fixed and stage 2 is solved
    for each scenario of SET on its own, in parallel. Prints mean, sd, 95%
    confidence interval of the mean and P50/P90/P99 of total cost, IND backlog and
    late case-months over the scenarios the plan serves. Scenarios the plan cannot
    serve (stage 2 infeasible) are named on a warning line and the exit code stays 0;
    the statistics then cover the served scenarios (share stated). SET is a set of
    the run's stored case, a set of the original case folder, or a path.
    Writes evaluate-<set>.csv (per scenario) and evaluate-<set>-summary.csv to
    the run's analysis/ folder or --out; existing files are never replaced.

    With --root-only, and always for a run solved with --stages yearly (whose later
    years are contingent, not one plan), only the decisions taken in the coming budget
    year are fixed; later years are re-optimised per scenario with its whole future
    known — an optimistic test of the later years, the honest one of the first.
    """
    from bekostiging.analytics import evaluate_plan
    from bekostiging.analytics.chain import (
        analysis_dir,
        evaluate_names,
        evaluation_frame,
        evaluation_summary,
        kpi_callback,
        served_share,
    )
    from bekostiging.pipeline import first_stage_from_table
    from bekostiging.runs.store import slug

    record = _load_record(run, runs_dir)
    first = record.table("first_stage")
    if first.empty:
        raise click.ClickException(
            f"run {record.run_id} stored no first_stage table; solve it again to evaluate"
        )
    inputs = _run_inputs(record, time_limit)
    set_dir, scenario_set = _load_set(inputs.case, inputs.case_dirs, scenarios)
    stems = evaluate_names(slug(set_dir.name))
    folder = out if out is not None else analysis_dir(record.path)
    taken = [folder / f"{s}.csv" for s in stems if (folder / f"{s}.csv").exists()]
    if taken:
        raise click.ClickException(f"{taken[0]} exists and is never replaced; use --out for a new folder")
    prepared = _prepare(inputs.case, scenario_set, inputs.options, inputs.policy, inputs.risk)
    plan = first_stage_from_table(first)
    yearly = "common" in first.columns
    if root_only or yearly:
        from bekostiging.multistage import root_of

        plan = root_of(prepared.problem, plan)
        click.echo(
            f"vast: de {len(plan)} besluiten van het komende begrotingsjaar; latere jaren per scenario "
            "opnieuw geoptimaliseerd"
            if lang == "nl"
            else f"fixed: the {len(plan)} decisions of the coming budget year; "
            "later years re-optimised per scenario"
        )
    start = time.perf_counter()
    evaluation = evaluate_plan(
        prepared.problem,
        plan,
        options=inputs.options,
        workers=workers,
        metrics=kpi_callback(prepared.data),
        partial=root_only or yearly,
    )
    seconds = time.perf_counter() - start
    per, summary = evaluation_frame(evaluation), evaluation_summary(evaluation)
    paths = _write(folder, dict(zip(stems, (per, summary), strict=True)))
    n = len(evaluation.results)
    if lang == "nl":
        click.echo(
            f"plan van {record.run_id} ({record.scenario_set}) op {scenario_set.name}: {n} scenario's, "
            f"status {status_word(evaluation.status, lang)}, grootste gap {_pct(evaluation.max_gap, lang)}, "
            f"{fmt_number(seconds, lang, 1)} s met {workers} proces(sen)"
        )
    else:
        click.echo(
            f"plan of {record.run_id} ({record.scenario_set}) on {scenario_set.name}: {n} scenarios, "
            f"status {evaluation.status}, max gap {_pct(evaluation.max_gap, lang)}, "
            f"{seconds:.1f} s with {workers} worker(s)"
        )
    nl = lang == "nl"
    for label, names in (
        ("kan niet bedienen (onuitvoerbaar)" if nl else "cannot serve (infeasible)", evaluation.infeasible),
        ("heeft geen oplossing voor" if nl else "has no solution for", evaluation.unsolved),
    ):
        if names:
            shown = ", ".join(names[:MAX_NAMED_SCENARIOS]) + (
                " …" if len(names) > MAX_NAMED_SCENARIOS else ""
            )
            share = fmt_percent(served_share(evaluation), lang)
            click.echo(
                f"waarschuwing: het plan {label} {len(names)} van {n} scenario's: {shown}; de cijfers "
                f"gelden voor de bediende {share} van de kans"
                if nl
                else f"warning: the plan {label} {len(names)} of {n} scenarios: {shown}; the statistics "
                f"cover the served {share} of the probability",
                err=True,
            )
    if any(r.solved for r in evaluation.results):
        for line in evaluation_lines(summary, lang):
            click.echo(line)
    for p in paths:
        click.echo(term("wrote", lang).format(path=p))


GAP_DECIMALS = 3


def _pct(x: float | None, lang: Lang = DEFAULT_LANG) -> str:
    return fmt_percent(x, lang, GAP_DECIMALS)


# --------------------------------------------------------------------------- options
