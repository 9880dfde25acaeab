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
import datetime as dt
import math
import sys
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
from bekostiging.cli.defaults import case_line, case_or_default, policies_option
from bekostiging.cli.runs import runs_dir_option
from bekostiging.cli.types import FiniteFloatRange
from bekostiging.errors import InputErrors, InputProblem, SolverFailure
from bekostiging.runs.store import RunRecord, RunStoreError, find_run, read_run, resolve_runs_dir
from bekostiging.schema import Case, Policy, ScenarioSet
from bekostiging.solver import SolverOptions
from bekostiging.twostage import Risk

if TYPE_CHECKING:
    from bekostiging.pipeline import ChainSolution, PreparedProblem

EXIT_NO_PLAN = 4
EUR_MILLION = 1e6
OPTIONS_TABLE = "options"
OPTIONS_METRICS = (  # column, label, scale, unit — the options table and chart: cash and service first
    ("expected_cash_eur", "expected cash spending", EUR_MILLION, "€ mln"),
    ("p90_cash_eur", "P90 cash spending", EUR_MILLION, "€ mln"),
    ("late_case_months", "late case-months", 1.0, "case-months"),
    ("emergency_place_months", "emergency place-months", 1.0, "place-months"),
    ("supplementary_funding_eur", "supplementary funding", EUR_MILLION, "€ mln"),
    ("backlog_end_persons", "IND backlog at the end", 1.0, "persons"),
)
OPTIONS_BESIDE = (  # not money spent: model weights, end-state valuation, and the objective they make up
    ("weights_eur", "model weights, not spending", EUR_MILLION, "€ mln"),
    ("end_state_value_eur", "end state valued, not spent", EUR_MILLION, "€ mln"),
    ("objective_eur", "objective (cash + weights + valuation)", EUR_MILLION, "€ mln"),
)
WEIGHT_PARTS = (
    "weight_late_cases_eur",
    "weight_registration_queue_eur",
    "weight_supplementary_funding_eur",
    "weight_unspent_budget_eur",
    "weight_asielreserve_eur",
)
DIFF_SUFFIX = "_vs_status_quo"
P90 = 0.9
OPTION_CELL = 24  # characters per measure in the printed options table
MONEY_DECIMALS = 1  # € mln in the printed options table
_NOT_STORED = ("log_file", "stream")  # solver options not recorded in a manifest
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
CHART_PANEL_WIDTH_IN = 3.2
CHART_HEIGHT_IN = 3.6
CHART_DPI = 150

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
def value_cmd(
    run: str, workers: int, time_limit: float | None, runs_dir: Path | None, policies_dir: Path | None
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
    for line in value_lines(analysis.to_frame()):
        click.echo(line)
    click.echo(f"({time.perf_counter() - start:.1f} s)")
    for p in paths:
        click.echo(f"wrote {p}")


# --------------------------------------------------------------------------- evaluate


def evaluation_lines(summary: pd.DataFrame) -> list[str]:
    head = (
        f"  {'':<{LABEL_WIDTH}} {'mean':>11} {'sd':>10} {'95% CI of the mean':>25} "
        f"{'P50':>11} {'P90':>11} {'P99':>11}"
    )
    lines = [head]
    rows = summary.set_index("quantity")
    for key, label, scale, unit in SUMMARY_SHOWN:
        if key not in rows.index or "mean" not in rows.columns:
            continue
        r = rows.loc[key]

        def f(x: object, s: float = scale) -> str:
            v = float(x)  # type: ignore[arg-type]
            return f"{v / s:,.1f}" if math.isfinite(v) else "–"

        ci = f"[{f(r['ci_low'])}, {f(r['ci_high'])}]"
        lines.append(
            f"  {label:<{LABEL_WIDTH}} {f(r['mean']):>11} {f(r['sd']):>10} {ci:>25} "
            f"{f(r['p50']):>11} {f(r['p90']):>11} {f(r['p99']):>11}  {unit}"
        )
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
def evaluate_cmd(
    run: str,
    scenarios: str,
    workers: int,
    time_limit: float | None,
    out: Path | None,
    root_only: bool,
    runs_dir: Path | None,
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
            f"fixed: the {len(plan)} decisions of the coming budget year; "
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
    click.echo(
        f"plan of {record.run_id} ({record.scenario_set}) on {scenario_set.name}: {n} scenarios, "
        f"status {evaluation.status}, max gap {_pct(evaluation.max_gap)}, "
        f"{seconds:.1f} s with {workers} worker(s)"
    )
    for label, names in (
        ("cannot serve (infeasible)", evaluation.infeasible),
        ("has no solution for", evaluation.unsolved),
    ):
        if names:
            shown = ", ".join(names[:MAX_NAMED_SCENARIOS]) + (
                " …" if len(names) > MAX_NAMED_SCENARIOS else ""
            )
            click.echo(
                f"warning: the plan {label} {len(names)} of {n} scenarios: {shown}; the statistics cover "
                f"the served {served_share(evaluation):.1%} of the probability",
                err=True,
            )
    if any(r.solved for r in evaluation.results):
        for line in evaluation_lines(summary):
            click.echo(line)
    for p in paths:
        click.echo(f"wrote {p}")


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.3%}"


# --------------------------------------------------------------------------- options


def option_row(preset: str, solution: ChainSolution, run_path: Path | None) -> dict[str, object]:
    """One row of the options table from a solve: status and the five outcome measures."""
    from bekostiging.analytics.stats import weighted_quantile
    from bekostiging.results import EXPECTED

    outcome = solution.outcome
    row: dict[str, object] = {
        "preset": preset,
        "run_id": run_path.name if run_path is not None else "",
        "status": str(outcome.status),
        "gap": outcome.gap,
    }
    kpis = solution.tables.get("kpis")
    if kpis is None or kpis.empty:
        return row | {m[0]: math.nan for m in (*OPTIONS_METRICS, *OPTIONS_BESIDE)}
    expected = kpis[kpis["scenario"] == EXPECTED].set_index("kpi")["value"]
    per = kpis[(kpis["scenario"] != EXPECTED) & (kpis["kpi"] == "spending_eur")]
    prob = solution.tables["scenarios"].set_index("scenario")["probability"]
    row["expected_cash_eur"] = float(expected.get("spending_eur", math.nan))
    row["p90_cash_eur"] = weighted_quantile(
        per["value"].to_numpy(), per["scenario"].map(prob).to_numpy(), P90
    )
    for key in (
        "late_case_months",
        "emergency_place_months",
        "supplementary_funding_eur",
        "backlog_end_persons",
        "weights_eur",
        "end_state_value_eur",
        *WEIGHT_PARTS,
    ):
        row[key] = float(expected.get(key, math.nan))
    row["objective_eur"] = float(expected.get("total_cost_eur", math.nan))
    row["cash_spending_eur"] = row["expected_cash_eur"]  # the name analytics.weights reads
    return row


def options_frame(rows: Sequence[dict[str, object]], status_quo: str) -> pd.DataFrame:
    """The options table with, per measure, the difference against the status-quo row."""
    frame = pd.DataFrame(rows)
    base = frame[frame["preset"] == status_quo]
    for col, *_ in OPTIONS_METRICS:
        ref = float(base[col].iloc[0]) if not base.empty else math.nan
        frame[f"{col}{DIFF_SUFFIX}"] = frame[col] - ref
    frame["cash_rank"] = frame["expected_cash_eur"].rank(method="min")  # options are ranked on cash
    return frame


def options_chart(frame: pd.DataFrame, status_quo: str, title: str) -> bytes:
    """One panel per measure, a bar per preset; the status quo in grey."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(OPTIONS_METRICS)
    fig, axes = plt.subplots(1, n, figsize=(CHART_PANEL_WIDTH_IN * n, CHART_HEIGHT_IN), sharey=True)
    names = list(frame["preset"])
    for ax, (col, label, scale, unit) in zip(axes, OPTIONS_METRICS, strict=True):
        values = [float(v) / scale for v in frame[col]]
        bars = ax.barh(names, values, color="#4a7ab5")
        for name, bar in zip(names, bars, strict=True):
            if name == status_quo:
                bar.set_color("#b0b0b0")
        ax.set_title(f"{label}\n({unit})", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(labelsize=8)
    axes[0].invert_yaxis()  # first preset on top (the axes share y)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=CHART_DPI)
    plt.close(fig)
    return buf.getvalue()


def options_lines(frame: pd.DataFrame) -> list[str]:
    head = f"{'preset':<24} {'status':<9}" + "".join(
        f" {label[: OPTION_CELL - 1]:>{OPTION_CELL}}" for _, label, *_ in OPTIONS_METRICS
    )
    lines = [head + "   (ranked on cash; difference against the status quo in brackets)"]
    for r in frame.sort_values("cash_rank", kind="stable").to_dict("records"):
        cells = []
        for col, _, scale, _unit in OPTIONS_METRICS:
            v, d = float(r[col]), float(r[f"{col}{DIFF_SUFFIX}"])
            places = MONEY_DECIMALS if scale == EUR_MILLION else 0
            cells.append(f"{v / scale:,.{places}f} ({d / scale:+,.{places}f})" if math.isfinite(v) else "–")
        lines.append(f"{r['preset']:<24} {r['status']:<9}" + "".join(f" {c:>{OPTION_CELL}}" for c in cells))
    units = ", ".join(f"{label}: {unit}" for _, label, _, unit in OPTIONS_METRICS)
    lines.append(f"units — {units}")
    lines.append(
        "beside, not spending (€ mln): "
        + "; ".join(
            f"{r['preset']} weights {float(r['weights_eur']) / EUR_MILLION:,.1f}, "
            f"objective {float(r['objective_eur']) / EUR_MILLION:,.1f}"
            for r in frame.to_dict("records")
            if math.isfinite(float(r.get("weights_eur", math.nan)))
        )
    )
    return lines


def sensitivity_lines(table: pd.DataFrame) -> list[str]:
    """The weight-sensitivity table as text: does the recommended option change?"""
    lines = [
        "how much the weights decide — the option with the lowest objective when one weight is "
        "scaled (plans as solved at x1):",
        f"  {'weight':<24} {'factor':>6}  {'recommended':<24} {'cash €m':>12} {'cash rank':>9}  changed",
    ]
    for r in table.to_dict("records"):
        cash = float(r["recommended_cash_eur"]) / EUR_MILLION
        lines.append(
            f"  {r['weight']:<24} {float(r['factor']):>6g}  {r['recommended']:<24} {cash:>12,.1f} "
            f"{int(r['cash_rank']):>9}  {'yes' if r['changed'] else 'no'}"
        )
    return lines


def _presets(value: str | None, case_dir: Path, policies_dir: Path | None) -> list[str]:
    """The presets named, else every one on offer (``--policies``, CASE/policies/, shipped)."""
    from bekostiging.policies import STATUS_QUO, available_presets

    chosen = (
        [p.strip() for p in value.split(",") if p.strip()]
        if value
        else available_presets(case_dir, policies_dir)
    )
    if STATUS_QUO not in chosen:
        chosen.insert(0, STATUS_QUO)  # the reference of every difference
    return list(dict.fromkeys(chosen))


@main.command("options")
@click.argument("case_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--scenarios", "scenarios", default=None, help="Scenario set name (in CASE/scenarios/) or folder."
)
@click.option(
    "--presets",
    default=None,
    help="Comma-separated presets (default: every preset in --policies, CASE/policies/ and the shipped "
    "ones; status-quo always added).",
)
@policies_option
@click.option(
    "--time-limit", type=FiniteFloatRange(min=0, min_open=True), default=None, help="Seconds per solve."
)
@click.option(
    "--mip-gap", type=FiniteFloatRange(0, 1), default=0.005, show_default=True, help="Relative gap."
)
@click.option("--seed", type=int, default=0, show_default=True, help="HiGHS random seed.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for options.csv/.xlsx/.png (default: <runs-dir>/options-<set>-<time>).",
)
@runs_dir_option
@click.option("--quiet", "-q", is_flag=True, help="No progress line.")
def options_cmd(
    case_dir: Path | None,
    scenarios: str | None,
    presets: str | None,
    policies_dir: Path | None,
    time_limit: float | None,
    mip_gap: float,
    seed: int,
    out: Path | None,
    runs_dir: Path | None,
    quiet: bool,
) -> None:
    """Solve every policy preset on one scenario set and compare them with the status quo.

    Each preset is stored as a run named after it. The table (options.csv,
    options.xlsx) and chart (options.png) give per preset, ranked on cash: expected
    and P90 cash spending (kasuitgaven), late case-months, emergency place-months,
    supplementary funding and the IND backlog at the end, each also as the
    difference against status-quo; beside them, not spending, the model weights,
    the end-state valuation and the objective. weights-sensitivity.csv says which
    option has the lowest objective when the weight on late cases, the queue or
    supplementary funding is halved or doubled. Exit 4 when a preset has no plan.
    """
    from bekostiging.io.case import load_case
    from bekostiging.pipeline import solve_case
    from bekostiging.policies import STATUS_QUO
    from bekostiging.report.xlsx import Sheet, write_workbook
    from bekostiging.runs.progress import Progress, Verbosity
    from bekostiging.runs.store import start_run

    case_dir = case_or_default(case_dir)
    try:
        case = load_case(case_dir)
    except InputErrors as exc:
        raise InputProblemsError(exc.problems) from exc
    click.echo(case_line(case_dir, case.settings.case.name))
    set_dir, scenario_set = _load_set(case, (case_dir,), scenarios or case.settings.case.default_scenarios)
    chosen = _presets(presets, case_dir, policies_dir)
    presets = {name: _find_preset(name, (case_dir,), case.settings.policy, policies_dir) for name in chosen}
    root = resolve_runs_dir(runs_dir)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = out if out is not None else root / f"{OPTIONS_TABLE}-{scenario_set.name}-{stamp}"
    targets = [folder / f"{OPTIONS_TABLE}.{ext}" for ext in ("csv", "xlsx", "png")]
    if any(p.exists() for p in targets):
        raise click.ClickException(f"{folder} already holds an options table; choose a new --out")
    risk = Risk(case.settings.risk.weight, case.settings.risk.alpha)
    rows = []
    for name, (policy, preset_file) in presets.items():
        progress = Progress(sys.stderr, Verbosity.QUIET if quiet else Verbosity.NORMAL)
        settings = {
            "policy": policy.model_dump(mode="json"),
            "risk": {"weight": risk.weight, "alpha": risk.alpha},
            "policy_source": name,
            "policy_file": str(preset_file),
        }
        with start_run(root, name, command_line=sys.argv) as run:
            options = SolverOptions(
                time_limit=time_limit, mip_gap=mip_gap, seed=seed, log_file=str(run.log_path)
            )
            try:
                solution = solve_case(
                    case, scenario_set, options, policy=policy, risk=risk, progress=progress
                )
            except SolverFailure as exc:
                raise click.ClickException(str(exc)) from exc
            stored = {k: v for k, v in dataclasses.asdict(options).items() if k not in _NOT_STORED}
            run.finish(
                solution,
                case_dir=case_dir,
                scenarios_dir=set_dir,
                solver_options=stored,
                seed=seed,
                settings=settings,
            )
        progress.close()
        rows.append(option_row(name, solution, run.final_path))
        click.echo(f"{name}: {solution.outcome.describe()} → {run.final_path}", err=True)
    frame = options_frame(rows, STATUS_QUO)
    folder.mkdir(parents=True, exist_ok=True)
    title = f"Options on {scenario_set.name} ({len(scenario_set.scenarios)} scenarios); status quo in grey"
    _publish_bytes(targets[0], frame.to_csv(index=False).encode("utf-8"))
    tmp_xlsx = folder / f".{OPTIONS_TABLE}.xlsx.tmp"
    write_workbook([Sheet(OPTIONS_TABLE, frame)], tmp_xlsx)
    _link(tmp_xlsx, targets[1])
    _publish_bytes(targets[2], options_chart(frame, STATUS_QUO, title))
    from bekostiging.analytics.chain import analysis_dir
    from bekostiging.analytics.weights import weight_sensitivity
    from bekostiging.report.analysis import SENSITIVITY_FILE

    sensitivity = weight_sensitivity(frame)
    sens_path = folder / SENSITIVITY_FILE
    if not sens_path.exists():
        _publish_bytes(sens_path, sensitivity.to_csv(index=False).encode("utf-8"))
    for row in rows:  # each preset's annex shows the table too
        if row.get("run_id"):
            _write(analysis_dir(root / str(row["run_id"])), {SENSITIVITY_FILE[: -len(".csv")]: sensitivity})
    for line in options_lines(frame):
        click.echo(line)
    for line in sensitivity_lines(sensitivity):
        click.echo(line)
    for p in (*targets, sens_path):
        click.echo(f"wrote {p}")
    failed = [r["preset"] for r in rows if r["status"] not in ("optimal", "limit")]
    if failed:
        click.echo(f"warning: no plan for {', '.join(map(str, failed))}", err=True)
        sys.exit(EXIT_NO_PLAN)


def _publish_bytes(target: Path, payload: bytes) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(payload)
    _link(tmp, target)


def _link(tmp: Path, target: Path) -> None:
    """Move a finished temporary file to ``target`` without ever replacing one."""
    import os

    try:
        os.link(tmp, target)
    except FileExistsError as exc:
        raise click.ClickException(f"{target} appeared while writing; it was left as it is") from exc
    finally:
        tmp.unlink(missing_ok=True)
