"""``bekostiging options``: every policy preset solved (one run each), compared against
status-quo in a table (CSV, xlsx) and a chart (PNG); exit 4 if a preset has no plan.

Shares the run and scenario-set helpers of :mod:`bekostiging.cli.analytics`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bekostiging.cli.analytics import EUR_MILLION, P90, _find_preset, _load_set, _write

if TYPE_CHECKING:
    from bekostiging.pipeline import ChainSolution

import dataclasses
import datetime as dt
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pandas as pd

from bekostiging.cli import main
from bekostiging.cli.case import InputProblemsError, in_folder
from bekostiging.cli.defaults import case_line, case_or_default, policies_option
from bekostiging.cli.runs import lang_option, runs_dir_option
from bekostiging.cli.types import FiniteFloatRange
from bekostiging.errors import InputErrors, SolverFailure
from bekostiging.report.i18n import DEFAULT_LANG, Lang, fmt_number, fmt_scaled, status_word, term
from bekostiging.report.options_workbook import (
    DIFF_SUFFIX,
    OPTIONS_BESIDE,
    OPTIONS_METRICS,
    options_sheets,
)
from bekostiging.runs.store import resolve_runs_dir
from bekostiging.solver import SolverOptions
from bekostiging.twostage import Risk

EXIT_NO_PLAN = 4


OPTIONS_TABLE = "options"


WEIGHT_PARTS = (
    "weight_late_cases_eur",
    "weight_registration_queue_eur",
    "weight_supplementary_funding_eur",
    "weight_unspent_budget_eur",
    "weight_asielreserve_eur",
)


OPTION_CELL = 24  # characters per measure in the printed options table


MONEY_DECIMALS = 1  # € mln in the printed options table


_NOT_STORED = ("log_file", "stream")  # solver options not recorded in a manifest


CHART_PANEL_WIDTH_IN = 3.2
A4_CHART_WIDTH_IN = 6.7  # the text width of an A4 page (170 mm)
OPTIONS_CHART_COLUMNS = 3
OPTIONS_PANEL_HEIGHT_IN = 2.6


CHART_HEIGHT_IN = 3.6


CHART_DPI = 150


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


def options_chart(frame: pd.DataFrame, status_quo: str, title: str, lang: Lang = DEFAULT_LANG) -> bytes:
    """One panel per measure, a bar per preset; the status quo in grey."""
    import io

    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(OPTIONS_METRICS)
    cols = OPTIONS_CHART_COLUMNS
    rows_n = math.ceil(n / cols)
    fig, grid = plt.subplots(
        rows_n,
        cols,
        figsize=(A4_CHART_WIDTH_IN, OPTIONS_PANEL_HEIGHT_IN * rows_n),
        sharey=True,
        squeeze=False,
    )
    axes = list(grid.flat)
    names = list(frame["preset"])
    for ax, (col, _label, scale, unit) in zip(axes, OPTIONS_METRICS, strict=False):
        values = [float(v) / scale for v in frame[col]]
        bars = ax.barh(names, values, color="#4a7ab5")
        for name, bar in zip(names, bars, strict=True):
            if name == status_quo:
                bar.set_color("#b0b0b0")
        unit_word = term("eur_million", lang) if scale == EUR_MILLION else term(unit, lang)
        ax.set_title(f"{term(col, lang)}\n({unit_word})", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(plt.MaxNLocator(4))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _pos: fmt_number(v, lang, 0)))
    for ax in axes[n:]:
        ax.set_visible(False)
    axes = axes[:n]
    axes[0].invert_yaxis()  # first preset on top (the axes share y)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=CHART_DPI)
    plt.close(fig)
    return buf.getvalue()


def options_lines(frame: pd.DataFrame, lang: Lang = DEFAULT_LANG) -> list[str]:
    """The options table as text in ``lang``: ranked on cash, difference against the status quo."""
    head = f"{'preset':<24} {'status':<11}" + "".join(
        f" {term(col, lang)[: OPTION_CELL - 1]:>{OPTION_CELL}}" for col, *_ in OPTIONS_METRICS
    )
    lines = [
        head
        + (
            "   (gerangschikt op kasuitgaven; verschil met huidig beleid tussen haakjes)"
            if lang == "nl"
            else "   (ranked on cash; difference against the status quo in brackets)"
        )
    ]
    for r in frame.sort_values("cash_rank", kind="stable").to_dict("records"):
        cells = []
        for col, _, scale, _unit in OPTIONS_METRICS:
            v, d = float(r[col]), float(r[f"{col}{DIFF_SUFFIX}"])
            places = MONEY_DECIMALS if scale == EUR_MILLION else 0
            sign = "+" if math.isfinite(d) and d >= 0 else ""
            cells.append(
                f"{fmt_scaled(v, lang, scale, places)} ({sign}{fmt_scaled(d, lang, scale, places)})"
                if math.isfinite(v)
                else "–"
            )
        status = status_word(r["status"], lang)
        lines.append(f"{r['preset']:<24} {status:<11}" + "".join(f" {c:>{OPTION_CELL}}" for c in cells))
    units = ", ".join(
        f"{term(col, lang)}: {term('eur_million', lang) if scale == EUR_MILLION else term(unit, lang)}"
        for col, _, scale, unit in OPTIONS_METRICS
    )
    lines.append(f"{'eenheden' if lang == 'nl' else 'units'} — {units}")
    lines.append(
        ("daarnaast, geen uitgave (€ mln): " if lang == "nl" else "beside, not spending (€ mln): ")
        + "; ".join(
            f"{r['preset']} {term('weights_eur', lang).lower()} "
            f"{fmt_scaled(r['weights_eur'], lang, EUR_MILLION, 1)}, "
            f"{term('objective', lang).lower()} {fmt_scaled(r['objective_eur'], lang, EUR_MILLION, 1)}"
            for r in frame.to_dict("records")
            if math.isfinite(float(r.get("weights_eur", math.nan)))
        )
    )
    return lines


def sensitivity_lines(table: pd.DataFrame, lang: Lang = DEFAULT_LANG) -> list[str]:
    """The weight-sensitivity table as text: does the recommended option change?"""
    nl = lang == "nl"
    lines = [
        "hoeveel beslissen de modelwegingen? — de optie met de laagste doelfunctie als één weging "
        "wordt geschaald (plannen zoals berekend bij x1):"
        if nl
        else "how much the weights decide — the option with the lowest objective when one weight is "
        "scaled (plans as solved at x1):",
        f"  {'weging' if nl else 'weight':<24} {'factor':>6}  {'aanbevolen' if nl else 'recommended':<24} "
        f"{'kas € mln' if nl else 'cash €m':>12} {'rang kas' if nl else 'cash rank':>9}  "
        f"{'anders' if nl else 'changed'}",
    ]
    for r in table.to_dict("records"):
        cash = fmt_scaled(r["recommended_cash_eur"], lang, EUR_MILLION, 1)
        changed = ("ja" if nl else "yes") if r["changed"] else ("nee" if nl else "no")
        lines.append(
            f"  {r['weight']:<24} {fmt_number(float(r['factor']), lang, 1):>6}  {r['recommended']:<24} "
            f"{cash:>12} {int(r['cash_rank']):>9}  {changed}"
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
@click.option(
    "--simulate-paths",
    type=click.IntRange(min=1),
    default=None,
    help="Also simulate every preset as a rule through the budget cycle (bekostiging simulate) on the "
    "first N paths of the set: the headline comparison (options-simulated.csv/.png); the two-stage "
    "table is then the quick screen.",
)
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Workers for --simulate-paths.")
@runs_dir_option
@click.option("--quiet", "-q", is_flag=True, help="No progress line.")
@lang_option
def options_cmd(
    case_dir: Path | None,
    scenarios: str | None,
    presets: str | None,
    policies_dir: Path | None,
    time_limit: float | None,
    mip_gap: float,
    seed: int,
    out: Path | None,
    simulate_paths: int | None,
    workers: int | None,
    runs_dir: Path | None,
    quiet: bool,
    lang: Lang,
) -> None:
    """Solve every policy preset on one scenario set and compare them with the status quo.

    With --simulate-paths N the headline comparison is by simulation: every preset as a
    decision rule re-planned each spring and autumn along the first N paths of the set
    (``bekostiging simulate``): mean and P90 over paths of cash, supplementary funding,
    late case-months, emergency place-months and the IND backlog (options-simulated.csv,
    options-simulated.png). The two-stage table below it is a quick screen: one plan fixed
    for the whole horizon.

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
    from bekostiging.report.workbook import write_workbook
    from bekostiging.runs.progress import Progress, Verbosity
    from bekostiging.runs.store import start_run

    case_dir = case_or_default(case_dir)
    try:
        case = load_case(case_dir)
    except InputErrors as exc:
        raise InputProblemsError(in_folder(exc.problems, case_dir)) from exc
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
        progress = Progress(sys.stderr, Verbosity.QUIET if quiet else Verbosity.NORMAL, lang=lang)
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
    title = (
        f"Opties op {scenario_set.name} ({len(scenario_set.scenarios)} scenario's); huidig beleid in grijs"
        if lang == "nl"
        else f"Options on {scenario_set.name} ({len(scenario_set.scenarios)} scenarios); status quo in grey"
    )
    from bekostiging.analytics.chain import analysis_dir
    from bekostiging.analytics.weights import weight_sensitivity
    from bekostiging.report.analysis import SENSITIVITY_FILE

    sensitivity = weight_sensitivity(frame)
    _publish_bytes(targets[0], frame.to_csv(index=False).encode("utf-8"))
    tmp_xlsx = folder / f".{OPTIONS_TABLE}.xlsx.tmp"
    write_workbook(options_sheets(frame, sensitivity, lang), tmp_xlsx, lang)
    _link(tmp_xlsx, targets[1])
    _publish_bytes(targets[2], options_chart(frame, STATUS_QUO, title, lang))
    sens_path = folder / SENSITIVITY_FILE
    if not sens_path.exists():
        _publish_bytes(sens_path, sensitivity.to_csv(index=False).encode("utf-8"))
    for row in rows:  # each preset's annex shows the options and the sensitivity too
        if row.get("run_id"):
            _write(
                analysis_dir(root / str(row["run_id"])),
                {SENSITIVITY_FILE[: -len(".csv")]: sensitivity, OPTIONS_TABLE: frame},
            )
    simulated = _simulated(
        case, case_dir, scenario_set.name, list(presets), simulate_paths, workers, folder, lang
    )
    if simulated:
        click.echo(
            "Hoofdvergelijking: door simulatie door de begrotingscyclus (elk voorjaar en najaar herplannen)"
            if lang == "nl"
            else "Headline comparison: simulated through the budget cycle (re-planned each spring and autumn)"
        )
        for line in simulated:
            click.echo(f"  {line}")
    click.echo(
        "Snelle toets: twee-fasenmodel (één plan vast voor de hele horizon)"
        if lang == "nl"
        else "Quick screen: two-stage model (one plan fixed for the whole horizon)"
    )
    for line in options_lines(frame, lang):
        click.echo(line)
    for line in sensitivity_lines(sensitivity, lang):
        click.echo(line)
    for p in (*targets, sens_path):
        click.echo(term("wrote", lang).format(path=p))
    failed = [r["preset"] for r in rows if r["status"] not in ("optimal", "limit")]
    if failed:
        names = ", ".join(map(str, failed))
        line = f"waarschuwing: geen plan voor {names}" if lang == "nl" else f"warning: no plan for {names}"
        click.echo(line, err=True)
        sys.exit(EXIT_NO_PLAN)


def _simulated(
    case: object,
    case_dir: Path,
    set_name: str,
    presets: list[str],
    n_paths: int | None,
    workers: int | None,
    folder: Path,
    lang: Lang,
) -> list[str]:
    """The options compared by simulation (``bekostiging simulate``) on the first ``n_paths``
    paths of the set: options-simulated.csv/.png in ``folder``; the comparison in words."""
    if not n_paths:
        return []
    from bekostiging.simulate import Context, SimulationError, make_policy, simulate
    from bekostiging.simulate.engine import tidy
    from bekostiging.simulate.output import chart, comparison_lines, comparison_table, summary_table
    from bekostiging.simulate.sources import PathRequest, load_paths

    paths = load_paths(set_name, case, case_dir, PathRequest())[:n_paths]  # type: ignore[arg-type]
    rules = case.settings.policy  # type: ignore[attr-defined]
    policies = [make_policy(name, rules, [case_dir]) for name in presets]
    ctx = Context.of(case, SolverOptions(mip_gap=0.005, threads=1))  # type: ignore[arg-type]
    try:
        results = simulate(ctx, paths, policies, workers=workers)
    except SimulationError as exc:
        raise click.ClickException(str(exc)) from exc
    summary = summary_table(tidy(results), {r.path: r.probability for r in results})
    comparison = comparison_table(summary)
    title = (
        f"Opties door simulatie op {set_name} ({len(paths)} paden)"
        if lang == "nl"
        else f"Options simulated on {set_name} ({len(paths)} paths)"
    )
    _publish_bytes(folder / "options-simulated.csv", comparison.to_csv(index=False).encode("utf-8"))
    _publish_bytes(folder / "options-simulated.png", chart(summary, title, lang))
    return comparison_lines(comparison, lang)


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
