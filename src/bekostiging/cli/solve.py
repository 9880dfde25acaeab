"""``bekostiging solve``: solve a case on a scenario set and store the run.

Exit codes: 0 a plan was found (optimal, or stopped at a limit with a stated
gap); 2 input problems; 3 infeasible (explained); 4 solver error or a limit
reached before any plan was found.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import tempfile
from pathlib import Path

import click
import pandas as pd

from bekostiging.cli import main
from bekostiging.cli.case import InputProblemsError, in_folder
from bekostiging.cli.defaults import POLICY_HELP, case_line, case_or_default, policies_option
from bekostiging.cli.lang import LANG_DEFAULT_SHOWN
from bekostiging.cli.types import FiniteFloatRange
from bekostiging.errors import InputErrors, SolverFailure
from bekostiging.messages import env_lang
from bekostiging.schema import MAX_PENALTY_EUR

EXIT_INFEASIBLE = 3
EXIT_NO_PLAN = 4
SHOWN_KPIS = (
    "total_cost_eur",
    "spending_eur",
    "late_case_months",
    "backlog_end_persons",
    "emergency_place_months",
    "supplementary_funding_eur",
)
HEADINGS = {  # (nl, en); the summary's headings start with a capital, as its other lines do
    "objective": ("Doelfunctie", "Objective"),
    "bound": ("ondergrens", "lower bound"),  # as show and the progress line call it
    "levers": ("De vijf maatregelen van de Kamerbrief (2021)", "The five levers of the 2021 letter"),
    "expected": ("Verwacht over de scenario's", "Expected over the scenarios"),
    "policy": ("Beleid", "Policy"),
    "stored": ("opgeslagen in", "stored in"),
}
LABEL_WIDTH = 44
EXPECTED_INDENT = "  "  # the expected figures stand under their heading, amounts aligned with the levers'


def _h(key: str, lang: str) -> str:
    nl, en = HEADINGS[key]
    return nl if lang == "nl" else en


def summary_lines(solution: object, lang: str = "nl") -> list[str]:
    """The terminal summary of a solve in the users' terms: status, objective, the five levers, KPIs."""
    from bekostiging.report.data import FIVE_LEVERS
    from bekostiging.report.document import status_sentence
    from bekostiging.report.i18n import fmt_eur, fmt_unit_value, term

    outcome = solution.outcome  # type: ignore[attr-defined]
    sentence, _warn = status_sentence(str(outcome.status), outcome.gap, lang)  # type: ignore[arg-type]
    lines = [f"{term('solver_status', lang)}: {sentence}"]
    if outcome.objective is not None:
        lines.append(
            f"{_h('objective', lang)}: {fmt_eur(outcome.objective, lang)} "  # type: ignore[arg-type]
            f"({_h('bound', lang)} {fmt_eur(outcome.bound, lang)})"  # type: ignore[arg-type]
        )
    tables = solution.tables  # type: ignore[attr-defined]
    if "levers" in tables:
        lines.append(f"{_h('levers', lang)}:")
        levers = tables["levers"].set_index("lever")
        for key in FIVE_LEVERS:
            if key in levers.index:
                value = fmt_unit_value(levers.at[key, "value"], str(levers.at[key, "unit"]), lang)  # type: ignore[arg-type]
                lines.append(f"  {term(key, lang):<{LABEL_WIDTH}} {value:>18}")
    if "advice" in tables:
        from bekostiging.advice import advice_lines, tree_lines

        lines.extend(advice_lines(tables["advice"], lang))
        if "tree" in tables:
            lines.extend(tree_lines(tables["tree"], lang))
    if "kpis" in tables:
        from bekostiging.report.money import money_lines

        lines.append(f"{_h('expected', lang)}:")
        width = LABEL_WIDTH - len(EXPECTED_INDENT)
        lines += [EXPECTED_INDENT + line for line in money_lines(tables, lang, width)]
    return lines


def parse_branching(text: str | None, stages: str) -> tuple[int, ...]:
    """``--branching`` as a tuple of positive integers (the default when not given)."""
    from bekostiging.pipeline import DEFAULT_BRANCHING

    if text is None:
        return DEFAULT_BRANCHING
    if stages != "yearly":
        raise click.UsageError("--branching applies only with --stages yearly")
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        values = ()
    if not values or any(v < 1 for v in values):
        raise click.BadParameter(
            f"{text!r}: give positive whole numbers separated by commas, e.g. 3 or 3,2,2,2",
            param_hint="--branching",
        )
    return values


def parse_cuts(text: str) -> int | str:
    """--cuts: multi, single or a positive whole number of scenario groups."""
    if text in ("multi", "single"):
        return text
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise click.BadParameter(
            f"{text!r}: give multi, single or a positive whole number", param_hint="--cuts"
        )
    return value


def check_executor(text: str | None) -> str | None:
    """--executor (or $BEKOSTIGING_EXECUTOR): a known kind or a scheduler address; exit 2 otherwise."""
    from bekostiging.executor import resolve_kind

    try:
        return resolve_kind(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--executor") from exc


def _effective_case(
    case: object, case_dir: Path, penalties: dict[str, float], workdir: Path
) -> tuple[object, Path]:
    """The case with overridden penalties, written as a folder so the run stores what was solved.

    The run's stored inputs then hold the effective values: ``compare`` shows them as
    input differences and ``rerun`` reproduces the run from its inputs alone.
    """
    from bekostiging.io.case import SOURCES_DOC, format_value
    from bekostiging.io.sources import save_case_folder

    settings = case.settings  # type: ignore[attr-defined]
    updated = settings.model_copy(update={"penalties": settings.penalties.model_copy(update=penalties)})
    sources = dict(case.sources)  # type: ignore[attr-defined]
    for key, value in penalties.items():
        old = getattr(settings.penalties, key)
        if value != old:  # the source says where the value came from, and what it replaced
            was = sources.get(f"penalties.{key}")
            sources[f"penalties.{key}"] = (
                f"definition: set on the solve command line; was {format_value(old)}"
                + (f" ({was})" if was else "")
            )
    effective = case.model_copy(update={"settings": updated, "sources": sources})  # type: ignore[attr-defined]
    folder = workdir / case_dir.name
    save_case_folder(effective, folder)
    hand_written = case_dir / SOURCES_DOC
    if not (folder / SOURCES_DOC).is_file() and hand_written.is_file():  # a case without source data
        shutil.copy2(hand_written, folder / SOURCES_DOC)
    return effective, folder


def _check_out(out: Path | None) -> None:
    """Refuse ``--out`` before solving: a folder that exists and is not empty (exit 2)."""
    if out is not None and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise click.BadParameter(f"{out} exists and is not empty; choose a new folder", param_hint="--out")


def _write_tables(tables: dict[str, pd.DataFrame], out: Path) -> None:
    _check_out(out)  # checked before the solve too; this catches a folder filled meanwhile
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(out / f"{name}.csv", index=False)


@main.command("solve")
@click.argument("case_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--scenarios", "scenarios", default=None, help="Scenario set name (in CASE/scenarios/) or folder."
)
@click.option("--policy", default=None, help=POLICY_HELP)
@policies_option
@click.option("--time-limit", type=FiniteFloatRange(min=0, min_open=True), default=None, help="Seconds.")
@click.option(
    "--mip-gap", type=FiniteFloatRange(0, 1), default=0.005, show_default=True, help="Relative gap."
)
@click.option("--threads", type=click.IntRange(min=1), default=None, help="HiGHS threads.")
@click.option("--seed", type=int, default=0, show_default=True, help="HiGHS random seed.")
@click.option(
    "--risk-weight", type=FiniteFloatRange(0, 1), default=None, help="CVaR weight W (0 = expected cost)."
)
@click.option(
    "--risk-alpha", type=FiniteFloatRange(0.5, 1, max_open=True), default=None, help="CVaR level alpha."
)
@click.option(
    "--late-penalty",
    type=FiniteFloatRange(min=0, max=MAX_PENALTY_EUR),
    default=None,
    help="Override penalties.late_case_month_eur (EUR per late case-month) for this run.",
)
@click.option(
    "--queue-penalty",
    type=FiniteFloatRange(min=0, max=MAX_PENALTY_EUR),
    default=None,
    help="Override penalties.registration_queue_person_day_eur (EUR per person-day).",
)
@click.option(
    "--stages",
    type=click.Choice(["two", "yearly"]),
    default="two",
    show_default=True,
    help="two: the whole plan now for all scenarios; yearly: only the coming budget year common, "
    "later years per node of a scenario tree (model/stages.md).",
)
@click.option(
    "--branching",
    default=None,
    help="With --stages yearly: children per tree node at each budget-year boundary, "
    "one value or a comma list (default 3,2,2,2).",
)
@click.option(
    "--method",
    type=click.Choice(["auto", "ef", "lshaped"]),
    default="auto",
    show_default=True,
    help="ef: the extensive form in one HiGHS; lshaped: master over the plan + one LP per scenario "
    "(L-shaped, parallel; above 100 scenarios it starts from the plan of 50 representative ones); "
    "auto: lshaped from 300 scenarios (risk-neutral, two-stage), else ef.",
)
@click.option(
    "--cuts",
    default="multi",
    show_default=True,
    help="L-shaped cuts: multi (one per scenario), a number of scenario groups (one cut each per "
    "iteration) or single (aggregated).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel workers for per-scenario work (default $BEKOSTIGING_WORKERS, else all cores).",
)
@click.option(
    "--executor",
    default=None,
    help="processes (default), serial, dask (local cluster) or a Dask scheduler address "
    "tcp://host:8786; default $BEKOSTIGING_EXECUTOR.",
)
@click.option("--name", default="run", show_default=True, help="Readable name in the run id.")
@click.option(
    "--runs-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of runs (default: $BEKOSTIGING_RUNS_DIR, else ./runs).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write the result tables as CSV to this (new or empty) folder.",
)
@click.option(
    "--analyse",
    is_flag=True,
    help="Also compute VSS/EVPI and the status-quo comparison (bekostiging value) into the run.",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default=env_lang,
    show_default=LANG_DEFAULT_SHOWN,
    help="Summary language.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress line.")
@click.option("--verbose", "-v", is_flag=True, help="Also show solver notes.")
def solve_cmd(
    case_dir: Path | None,
    scenarios: str | None,
    policy: str | None,
    policies_dir: Path | None,
    time_limit: float | None,
    mip_gap: float,
    threads: int | None,
    seed: int,
    risk_weight: float | None,
    risk_alpha: float | None,
    late_penalty: float | None,
    queue_penalty: float | None,
    stages: str,
    branching: str | None,
    method: str,
    cuts: str,
    workers: int | None,
    executor: str | None,
    name: str,
    runs_dir: Path | None,
    out: Path | None,
    analyse: bool,
    lang: str,
    quiet: bool,
    verbose: bool,
) -> None:
    """Solve CASE on a scenario set and store the run in runs/.

    CASE defaults to the default case shipped with the package (nl-2026); the first
    line says which case was solved. Prints the solver status (optimal, or the gap
    when stopped at a limit), the objective, the five levers of the 2021 letter and
    the expected cost and backlog. Infeasible cases are explained by partner, period
    and scenario.
    """
    from bekostiging.io.case import load_case
    from bekostiging.io.scenarios import load_scenario_set, resolve_scenario_set
    from bekostiging.pipeline import solve_case
    from bekostiging.policies import find_policy
    from bekostiging.runs.progress import Progress, Verbosity
    from bekostiging.runs.store import start_run
    from bekostiging.solver import SolverOptions
    from bekostiging.twostage import Risk

    case_dir = case_or_default(case_dir)
    tree_branching = parse_branching(branching, stages)
    cut_groups = parse_cuts(cuts)
    executor = check_executor(executor)
    if method == "lshaped" and stages == "yearly":
        raise click.UsageError(
            "--method lshaped decomposes the two-stage form; use it without --stages yearly"
        )
    if analyse and stages == "yearly":
        raise click.UsageError("--analyse compares two-stage plans; use it without --stages yearly")
    _check_out(out)
    try:  # each problem names its file with its folder (c2/series.csv, …/scenarios/mpp/inflow.csv)
        case = load_case(case_dir)
    except InputErrors as exc:
        raise InputProblemsError(in_folder(exc.problems, case_dir)) from exc
    click.echo(case_line(case_dir, case.settings.case.name, lang))
    set_dir = resolve_scenario_set(case_dir, scenarios or case.settings.case.default_scenarios)
    try:
        scenario_set = load_scenario_set(set_dir, case)
    except InputErrors as exc:
        raise InputProblemsError(in_folder(exc.problems, set_dir)) from exc
    try:
        chosen, preset_file = find_policy(policy, case_dir, case.settings.policy, policies_dir)
    except InputErrors as exc:
        raise InputProblemsError(exc.problems) from exc
    overrides = {
        key: value
        for key, value in (
            ("late_case_month_eur", late_penalty),
            ("registration_queue_person_day_eur", queue_penalty),
        )
        if value is not None
    }
    workdir = tempfile.TemporaryDirectory(prefix="bekostiging-case-")
    stored_case_dir = case_dir
    if overrides:
        case, stored_case_dir = _effective_case(case, case_dir, overrides, Path(workdir.name))
    base_risk = case.settings.risk
    risk = Risk(
        base_risk.weight if risk_weight is None else risk_weight,
        base_risk.alpha if risk_alpha is None else risk_alpha,
    )
    verbosity = Verbosity.QUIET if quiet else (Verbosity.VERBOSE if verbose else Verbosity.NORMAL)
    progress = Progress(sys.stderr, verbosity, lang=lang)
    settings = {
        "policy": chosen.model_dump(mode="json"),
        "risk": {"weight": risk.weight, "alpha": risk.alpha},
        "policy_source": policy or "case",
        "policy_file": str(preset_file) if preset_file is not None else None,  # which folder's preset won
        "case_source": str(case_dir),
        "overrides": {f"penalties.{k}": v for k, v in overrides.items()},
        "stages": {"form": stages, "branching": list(tree_branching)},
        "method": {"method": method, "cuts": cut_groups},
    }
    with start_run(runs_dir, name, command_line=sys.argv) as run:
        options = SolverOptions(
            time_limit=time_limit, mip_gap=mip_gap, threads=threads, seed=seed, log_file=str(run.log_path)
        )
        try:
            solution = solve_case(
                case,
                scenario_set,
                options,
                policy=chosen,
                risk=risk,
                progress=progress,
                stages=stages,
                branching=tree_branching,
                method=method if stages == "two" else "ef",
                cuts=cut_groups,
                workers=workers,
                executor=executor,
            )
        except SolverFailure as exc:
            raise click.ClickException(str(exc)) from exc
        stored = {k: v for k, v in dataclasses.asdict(options).items() if k not in ("log_file", "stream")}
        run.finish(
            solution,
            case_dir=stored_case_dir,
            scenarios_dir=set_dir,
            solver_options=stored,
            seed=seed,
            settings=settings,
        )
        analysis = None
        if analyse and solution.ok:
            from bekostiging.cli.analytics import DEFAULT_WORKERS, analyse_solution, store_value

            progress(phase="value of information")
            analysis = analyse_solution(
                solution, case, case_dir, scenario_set, options, DEFAULT_WORKERS, policies_dir
            )
            store_value(analysis, run.tmp)  # published with the run
    workdir.cleanup()
    progress.close()
    click.echo(f"{_h('stored', lang)}: {run.final_path}")
    from bekostiging.report.i18n import term

    sentence = term("scenario_set_sentence", lang).format(  # type: ignore[arg-type]
        name=scenario_set.name, count=len(scenario_set.scenarios), case=case.settings.case.name
    )
    click.echo(f"{sentence} {_h('policy', lang)}: {chosen.name}")
    for line in summary_lines(solution, lang):
        click.echo(line)
    if analysis is not None:
        from bekostiging.analytics.chain import value_lines

        for line in value_lines(analysis.to_frame(), lang):
            click.echo(line)
    if solution.ok and out is not None:
        _write_tables(solution.tables, out)
        click.echo(term("wrote", lang).format(path=out))  # type: ignore[arg-type]
    if solution.ok:
        return
    from bekostiging.report.i18n import status_word

    nl = lang == "nl"
    stage = ""
    if solution.failed_stage == "baseline":
        stage = " (in het MPP-basisplan)" if nl else " (in the MPP-mid baseline plan)"
    if solution.conflicts:
        click.echo(
            f"geen uitvoerbaar plan{stage}; deze eisen zijn strijdig:"
            if nl
            else f"no feasible plan{stage}; these requirements conflict:",
            err=True,
        )
        for conflict in solution.conflicts:
            click.echo(f"  {conflict.line()}", err=True)
        sys.exit(EXIT_INFEASIBLE)
    outcome = solution.outcome
    sentence = status_word(outcome.status, "nl") if nl else outcome.describe()
    click.echo(f"{'geen plan' if nl else 'no plan'}{stage}: {sentence}", err=True)
    sys.exit(EXIT_NO_PLAN)
