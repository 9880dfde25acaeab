"""``bekostiging runs | show | compare | report | rerun``: working with stored runs.

Thin commands over ``bekostiging.runs`` (run folders) and ``bekostiging.report``
(annex and comparisons). They read run folders only; ``rerun`` is the one that
solves again, from the inputs stored in the run.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import click
import pandas as pd

from bekostiging.cli import main
from bekostiging.cli.lang import LANG_DEFAULT_SHOWN
from bekostiging.messages import env_lang
from bekostiging.report import DEFAULT_FORMATS, FORMATS, ReportError, write_report
from bekostiging.report.compare import compare_runs
from bekostiging.report.compare_out import comparison_text, write_comparison
from bekostiging.report.i18n import (
    LANGS,
    check_lang,
    fmt_eur,
    fmt_number,
    fmt_percent,
    status_word,
    term,
)
from bekostiging.runs.progress import Progress, Verbosity
from bekostiging.runs.store import (
    RunRecord,
    RunStoreError,
    find_run,
    list_runs,
    read_run,
    resolve_runs_dir,
    start_run,
    unfinished_runs,
)

RERUN_RTOL = 1e-6  # objective and plan values must agree within this relative tolerance
RERUN_ATOL = 1e-6  # … or this absolute one (values near zero)
MISMATCH_EXIT = 1
MAX_SHOWN_DIFFERENCES = 20  # rerun lists this many differing plan values; the count covers all
PLAN_TABLES = ("levers", "plan")
ID_WIDTH = 44  # listing column: a run id with a 16-character name
HASH_CHARS = 12  # hash prefix shown by ``show``; the manifest has the full one
KPI_LABEL_WIDTH = 58  # label column of the levers and KPIs in ``show``

runs_dir_option = click.option(
    "--runs-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of run folders (default: $BEKOSTIGING_RUNS_DIR, else ./runs).",
)
lang_option = click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=env_lang,
    show_default=LANG_DEFAULT_SHOWN,
    help="Language of words and number formats (nl: 1.234,5; en: 1,234.5).",
)


def _load(ref: str, runs_dir: Path | None) -> RunRecord:
    try:
        return read_run(find_run(ref, resolve_runs_dir(runs_dir)))
    except RunStoreError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("runs")
@runs_dir_option
@click.option("--failed/--no-failed", default=True, show_default=True, help="Also list failed runs.")
@lang_option
def runs_cmd(runs_dir: Path | None, failed: bool, lang: str) -> None:
    """List stored runs: id, name, created, status, objective, gap."""
    lg = check_lang(lang)
    root = resolve_runs_dir(runs_dir)
    found = list_runs(root, include_failed=failed)
    stale = unfinished_runs(root)
    if stale:
        click.echo(term("unfinished_runs", lg).format(n=len(stale), first=stale[0].name), err=True)
    if not found:
        click.echo(term("no_runs", lg).format(root=root))
        return
    click.echo(
        f"{term('run_id', lg):<{ID_WIDTH}} {term('name', lg):<16} {term('created', lg):<25} "
        f"{term('status', lg):<12} {term('objective', lg):>16} {term('gap', lg):>8}"
    )
    for m in found:
        objective = fmt_eur(m.objective, lg) if m.objective is not None else "–"
        gap = fmt_percent(m.gap, lg, 2) if m.gap is not None else "–"
        status = status_word(m.status, lg)
        click.echo(
            f"{m.run_id:<{ID_WIDTH}} {m.name:<16} {m.created:<25} {status:<12} {objective:>16} {gap:>8}"
        )


SHOW_WIDTH = 12  # label column of ``show``
# The manifest's timing keys in words (nl, en), in the order a solve runs them; ``assembler`` is a flag.
TIMING_WORDS = {
    "baseline_seconds": ("MPP-basisrun", "MPP baseline"),
    "build_seconds": ("model bouwen", "building the model"),
    "solve_seconds": ("oplossen", "solving"),
    "results_seconds": ("tabellen", "tables"),
    "total_seconds": ("totaal", "total"),
}
ASSEMBLER_WORDS = {1.0: ("blokken", "blocks"), 0.0: ("Pyomo", "Pyomo")}


def _timing_words(timings: dict, lang: str) -> str:
    """``MPP-basisrun 5,2 s, model bouwen 4,5 s (blokken), …`` from the manifest's ``timings``."""
    nl = lang == "nl"
    assembler = ASSEMBLER_WORDS.get(timings.get("assembler"))  # type: ignore[arg-type]
    parts = []
    for key, value in timings.items():
        if value is None or key == "assembler":
            continue
        words = TIMING_WORDS.get(key)
        label = (words[0] if nl else words[1]) if words else key.removesuffix("_seconds").replace("_", " ")
        text = f"{label} {fmt_number(value, lang, 1)} s"  # type: ignore[arg-type]
        if key == "build_seconds" and assembler:
            text += f" ({assembler[0] if nl else assembler[1]})"
        parts.append(text)
    return ", ".join(parts)


def _solver_settings_words(options: dict, lang: str) -> str:
    """The stored solver settings in words: time limit, requested gap, threads, seed."""
    nl = lang == "nl"
    limit = options.get("time_limit")
    gap = options.get("mip_gap")
    threads = options.get("threads")
    parts = [
        ("tijdslimiet " if nl else "time limit ")
        + (("geen" if nl else "none") if limit is None else f"{fmt_number(limit, lang, 0)} s"),  # type: ignore[arg-type]
        ("gevraagde marge " if nl else "requested gap ")
        + ("–" if gap is None else fmt_percent(gap, lang, 2)),  # type: ignore[arg-type]
        ("rekenkernen " if nl else "threads ")
        + (("automatisch" if nl else "automatic") if threads is None else str(threads)),
    ]
    if options.get("seed") is not None:
        parts.append(f"{term('seed', lang).lower()} {options['seed']}")  # type: ignore[arg-type]
    return ", ".join(parts)


@main.command("show")
@click.argument("run")
@runs_dir_option
@lang_option
def show_cmd(run: str, runs_dir: Path | None, lang: str) -> None:
    """Summarise one run: status, inputs, levers and expected KPIs.

    RUN is a run id, a unique part of one (e.g. its last 6 characters), or a path.
    """
    from bekostiging.report import data
    from bekostiging.report.i18n import fmt_unit_value

    lg = check_lang(lang)
    nl = lg == "nl"
    record = _load(run, runs_dir)
    raw = record.manifest.raw
    solver = raw.get("solver", {})

    def row(key: str, text: str) -> str:
        return f"{term(key, lg).lower():<{SHOW_WIDTH}} {text}"

    objective_note = (
        "(kasuitgaven + modelweging + waardering eindtoestand)"
        if nl
        else "(cash + model weights + end-state valuation)"
    )
    lines = [
        row("run_id", f"{record.run_id}{'  (' + term('failed', lg) + ')' if record.failed else ''}"),
        row("folder", str(record.path)),
        row("created", str(record.manifest.created)),
        row("command_line", " ".join(raw.get("command_line", []))),
        row(
            "status",
            status_word(record.manifest.status, lg)
            + ("" if nl else f": {record.manifest.status_text}"),  # the solver's own text is English
        ),
        row(
            "objective",
            f"{fmt_eur(record.manifest.objective, lg)} {objective_note}   {term('bound', lg).lower()} "
            f"{fmt_eur(record.manifest.bound, lg)}   {'marge' if nl else 'gap'} "
            f"{fmt_percent(record.manifest.gap, lg, 3)}",
        ),
    ]
    if solver:
        settings_words = _solver_settings_words(solver.get("options", {}), lg)
        lines.append(row("solver", f"{solver.get('name', '')} {solver.get('version', '')}; {settings_words}"))
    scen = raw.get("scenarios", {})
    if scen:
        lines.append(
            row(
                "scenario",
                f"{scen.get('name')} ({scen.get('count')} {term('scenarios_word', lg)}, "
                f"sha256 {str(scen.get('sha256'))[:HASH_CHARS]})",
            )
        )
    case = raw.get("case", {})
    if case:
        lines.append(row("case", f"{case.get('path')} (sha256 {str(case.get('sha256'))[:HASH_CHARS]})"))
    timings = raw.get("timings", {})
    if timings:
        lines.append(
            row(
                "timings",
                _timing_words(timings, lg),
            )
        )
    click.echo("\n".join(lines))
    levers = record.table("levers")
    if not levers.empty:
        click.echo("\n" + term("levers_table", lg))
        for key, value, unit in zip(levers["lever"], levers["value"], levers["unit"], strict=True):
            click.echo(
                f"  {term(str(key), lg):<{KPI_LABEL_WIDTH}} {fmt_unit_value(value, str(unit), lg):>22}"
            )
    advice = record.table("advice")
    if not advice.empty:  # a run solved with --stages yearly
        from bekostiging.advice import advice_lines

        click.echo("\n" + "\n".join(advice_lines(advice, lg)))
    kpis = data.expected_kpis(record)
    if not kpis.empty:
        from bekostiging.report.money import kpi_label, money_lines

        lines = money_lines(record.tables, lg)
        if lines:
            click.echo("\n" + "\n".join(lines))
        click.echo("\n" + term("expected_kpis", lg))
        for key, value, unit in zip(kpis["kpi"], kpis["value"], kpis["unit"], strict=True):
            click.echo(
                f"  {kpi_label(str(key), lg):<{KPI_LABEL_WIDTH}} {fmt_unit_value(value, str(unit), lg):>22}"
            )
    from bekostiging.analytics.chain import read_value_table, value_lines

    value = read_value_table(record.path)
    if value is not None:
        click.echo("\n" + "\n".join(value_lines(value, lg)))
    error = record.path / "error.txt"
    if error.is_file():
        click.echo("\n" + error.read_text(encoding="utf-8").strip())


@main.command("compare")
@click.argument("runs", nargs=-1, required=True)
@runs_dir_option
@lang_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write the comparison as HTML and Excel into this folder.",
)
@click.option("--overwrite", is_flag=True, help="Replace comparison files that already exist in --out.")
def compare_cmd(
    runs: Sequence[str], runs_dir: Path | None, lang: str, out: Path | None, overwrite: bool
) -> None:
    """Compare runs side by side, with differences against the first run.

    Shows the levers (the five of the 2021 letter first, then hired staff and regular
    places), funding per partner and year (and its ratio to the MPP need), expected KPIs
    and the cost breakdown, and which inputs differ (old → new).
    """
    if len(runs) < 2:
        raise click.UsageError("give at least two runs to compare")
    records = [_load(r, runs_dir) for r in runs]
    failed = [r.run_id for r in records if r.failed]
    if failed:
        raise click.ClickException(f"run {failed[0]} failed and has no results to compare")
    cmp = compare_runs(records)
    click.echo(comparison_text(cmp, lang))  # type: ignore[arg-type]
    if out is not None:
        try:
            paths = write_comparison(cmp, lang, out, overwrite=overwrite)  # type: ignore[arg-type]
        except FileExistsError as exc:
            raise click.ClickException(str(exc)) from exc
        for p in paths:
            click.echo(term("wrote", lang).format(path=p))  # type: ignore[arg-type]


def _formats(value: str) -> list[str]:
    chosen = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"choose from {', '.join(FORMATS)} (comma-separated), not {value!r}")
    return chosen


@main.command("report")
@click.argument("run")
@runs_dir_option
@lang_option
@click.option(
    "--format",
    "formats",
    default=",".join(DEFAULT_FORMATS),
    show_default=True,
    help=f"Comma-separated formats out of {', '.join(FORMATS)}.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the annex files (default: the run's report/ folder).",
)
@click.option("--overwrite", is_flag=True, help="Replace annex files that already exist.")
@click.option(
    "--options",
    "options_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Folder written by `bekostiging options` (options.csv): the section on the five options "
    "(default: the run's own copy, when `options` solved it).",
)
@click.option(
    "--simulation",
    "simulation_dirs",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    multiple=True,
    help="Folder written by `bekostiging simulate` (summary.csv, validation.csv); repeatable: a run on "
    "history gives the section 'Terugblik 2014–2025', stress paths or --shock 'Stresstoetsen'.",
)
def report_cmd(
    *,
    run: str,
    runs_dir: Path | None,
    lang: str,
    formats: str,
    out: Path | None,
    overwrite: bool,
    options_dir: Path | None,
    simulation_dirs: tuple[Path, ...],
) -> None:
    """Write the memo annex of a run: summary, charts, tables, assumptions, provenance.

    PDF, HTML (self-contained) and Excel by default, Markdown on request; Dutch
    unless --lang en. With --options and --simulation the annex has sections on the
    five options, the look back at 2014–2025 and the stress tests.
    """
    record = _load(run, runs_dir)
    try:
        paths = write_report(
            record,
            _formats(formats),
            lang,
            out,
            overwrite=overwrite,
            options_dir=options_dir,
            simulation_dirs=simulation_dirs,
        )
    except ReportError as exc:
        raise click.ClickException(str(exc)) from exc
    for p in paths:
        click.echo(term("wrote", lang).format(path=p))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- rerun


def _values_match(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=RERUN_RTOL, abs_tol=RERUN_ATOL)


def plan_differences(old: RunRecord, new_tables: dict[str, pd.DataFrame]) -> list[str]:
    """Lines naming each plan value that differs between a stored run and a re-solve."""
    lines = []
    for name in PLAN_TABLES:
        a, b = old.table(name), new_tables.get(name, pd.DataFrame())
        if a.empty and b.empty:
            continue
        keys = [c for c in a.columns if c not in ("value",)]
        if list(a.columns) != list(b.columns):
            lines.append(f"{name}: columns differ ({list(a.columns)} vs {list(b.columns)})")
            continue
        b = b.copy()
        for k in keys:
            if a[k].dtype == object:
                b[k] = b[k].fillna("").astype(str)
        merged = a.merge(b, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True)
        for _, row in merged.iterrows():
            if row["_merge"] != "both" or not _values_match(row["value_old"], row["value_new"]):
                where = ", ".join(f"{k}={row[k]}" for k in keys if row[k] != "")
                lines.append(f"{name}: {where}: {row['value_old']} → {row['value_new']}")
    return lines


def _stored_policy_and_risk(settings: dict, case: object) -> tuple[object, object]:
    """The policy and risk a run was solved with (manifest ``settings``; else the case's own)."""
    from bekostiging.schema import Policy
    from bekostiging.twostage import Risk

    case_settings = case.settings  # type: ignore[attr-defined]
    policy = Policy.model_validate(settings["policy"]) if "policy" in settings else case_settings.policy
    raw = settings.get("risk") or {}
    risk = Risk(
        float(raw.get("weight", case_settings.risk.weight)), float(raw.get("alpha", case_settings.risk.alpha))
    )
    return policy, risk


RERUN_WORDS = {
    "nl": {
        "stored": "herberekening opgeslagen als {path}",
        "objective": "doelfunctie: opgeslagen {old}, opnieuw berekend {new} → {verdict}",
        "match": "gelijk",
        "different": "ANDERS",
        "values_different": "{n} waarden ANDERS",
        "not_optimal": "let op: de opgeslagen run was niet aantoonbaar optimaal; een ander plan met "
        "vrijwel dezelfde kosten is dan mogelijk",
    },
    "en": {
        "stored": "stored the re-solve as {path}",
        "objective": "objective: stored {old}, re-solved {new} → {verdict}",
        "match": "match",
        "different": "DIFFERENT",
        "values_different": "{n} values DIFFERENT",
        "not_optimal": "note: the stored run was not proven optimal; a different plan of similar cost "
        "is possible",
    },
}


@main.command("rerun")
@click.argument("run")
@runs_dir_option
@click.option("--quiet", "-q", is_flag=True, help="No progress line.")
@click.option("--verbose", "-v", is_flag=True, help="Also show solver notes.")
@lang_option
def rerun_cmd(run: str, runs_dir: Path | None, quiet: bool, verbose: bool, lang: str) -> None:
    """Solve a run again from its stored inputs and say whether objective and plan match.

    The re-solve is stored as a new run (name '<name>-rerun'). Exit code 1 when
    the objective or the plan differ.
    """
    try:
        from bekostiging.io.case import load_case
        from bekostiging.io.scenarios import load_scenario_set
        from bekostiging.lshaped import DEFAULT_CUTS
        from bekostiging.pipeline import DEFAULT_BRANCHING, solve_case
        from bekostiging.solver import SolverOptions
    except ImportError as exc:  # the solve pipeline is not installed in this build
        raise click.ClickException(f"rerun needs the solve pipeline, which is missing: {exc}") from exc

    record = _load(run, runs_dir)
    set_name = record.scenario_set
    case_dir = record.case_copy
    set_dir = case_dir / "scenarios" / set_name
    if not set_name or not set_dir.is_dir():
        raise click.ClickException(f"run {record.run_id} has no stored scenario set; it cannot be re-solved")
    stored = dict(record.manifest.raw.get("solver", {}).get("options", {}))
    allowed = {f.name for f in dataclasses.fields(SolverOptions)} - {"log_file", "stream"}
    options_kw = {k: v for k, v in stored.items() if k in allowed}
    if record.manifest.raw.get("seed") is not None:
        options_kw["seed"] = record.manifest.raw["seed"]
    lg = check_lang(lang)
    verbosity = Verbosity.QUIET if quiet else (Verbosity.VERBOSE if verbose else Verbosity.NORMAL)
    progress = Progress(sys.stderr, verbosity, lang=lg)
    try:
        case = load_case(case_dir)
        scenario_set = load_scenario_set(set_dir, case)
    except Exception as exc:
        raise click.ClickException(f"the stored inputs of {record.run_id} no longer load: {exc}") from exc
    with start_run(
        resolve_runs_dir(runs_dir), f"{record.manifest.name}-rerun", command_line=sys.argv
    ) as new_run:
        options = SolverOptions(**options_kw, log_file=str(new_run.log_path))
        settings = dict(record.manifest.raw.get("settings") or {})
        policy, risk = _stored_policy_and_risk(settings, case)
        form = dict(settings.get("stages") or {})  # runs before `solve --stages` have none: two-stage
        how = dict(settings.get("method") or {})  # runs before `solve --method` have none: ef
        solution = solve_case(
            case,
            scenario_set,
            options,
            policy=policy,
            risk=risk,
            progress=progress,
            stages=str(form.get("form", "two")),
            branching=tuple(int(b) for b in form.get("branching", ())) or DEFAULT_BRANCHING,
            method=str(how.get("method", "ef")),
            cuts=how.get("cuts", DEFAULT_CUTS),
        )
        new_run.finish(
            solution,
            case_dir=case_dir,
            scenarios_dir=set_dir,
            solver_options={k: v for k, v in dataclasses.asdict(options).items() if k in allowed},
            seed=options.seed,
            settings=settings,
        )
    progress.close()
    words = RERUN_WORDS[lg]
    click.echo(words["stored"].format(path=new_run.final_path))
    objective_ok = _values_match(record.manifest.objective, solution.outcome.objective)
    diffs = plan_differences(record, solution.tables)
    click.echo(
        words["objective"].format(
            old=fmt_eur(record.manifest.objective, lg),
            new=fmt_eur(solution.outcome.objective, lg),
            verdict=words["match"] if objective_ok else words["different"],
        )
    )
    plan_verdict = words["match"] if not diffs else words["values_different"].format(n=len(diffs))
    click.echo(f"plan: {plan_verdict}")
    for line in diffs[:MAX_SHOWN_DIFFERENCES]:
        click.echo(f"  {line}")
    if not objective_ok or diffs:
        if record.manifest.status != "optimal":
            click.echo(words["not_optimal"])
        sys.exit(MISMATCH_EXIT)
