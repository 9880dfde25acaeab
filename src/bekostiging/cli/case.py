"""``bekostiging validate`` and ``bekostiging case export|import``: cases in and out.

Input problems end the command with exit code 2 and one line per problem on stderr
(file, row, column, field, value found, what is allowed), never a traceback.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import click
import numpy as np

from bekostiging.cli import main
from bekostiging.cli.defaults import case_line, case_or_default
from bekostiging.cli.lang import messages_lang_option
from bekostiging.errors import InputErrors, InputProblem, count_text, problem_lines
from bekostiging.io.case import SETTINGS_FILE, SOURCES_DOC, TABLES, load_case
from bekostiging.io.excel import export_case_xlsx, import_workbook
from bekostiging.io.scenarios import (
    SCENARIO_SETS_DIR,
    load_scenario_set,
    resolve_scenario_set,
    write_scenario_set,
)
from bekostiging.io.sources import save_case_folder, sources_markdown
from bekostiging.messages import current_lang, line_word
from bekostiging.report.i18n import term
from bekostiging.schema import (
    STAFFED_PARTNERS,
    USER_MARK_RE,
    Case,
    CaseInfo,
    ScenarioSet,
    settings_paths,
)

DEFAULT_SET = CaseInfo.model_fields["default_scenarios"].default
INPUT_PROBLEM_EXIT = 2
PERCENTILES = (0.10, 0.50, 0.90)  # inflow percentiles shown by ``validate``
YEAR_CHARS = 4  # period labels start with the year: 2026-01, 2026-Q1
SOURCES_SHOWN = 5  # settings without a source named by validate
QUANTILE_TOLERANCE = 1e-12  # cumulative probability slack when picking a weighted quantile


class InputProblemsError(click.ClickException):
    """Input problems as a click error: one line each on stderr, exit code 2."""

    exit_code = INPUT_PROBLEM_EXIT
    speaks_user_language = True  # shown by its own ``show`` (cli/lang.py leaves it as it is)

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} input problem(s)")

    def show(self, file: object = None) -> None:
        """One line per problem and a closing count, in the command's language (``--lang``)."""
        lang = current_lang()
        for line in problem_lines(self.problems, lang=lang):
            click.echo(line, err=True)
        n = len(self.problems)
        summary = line_word("summary" if n == 1 else "summary_many", lang)
        click.echo(summary.format(count=count_text(n, lang)), err=True)


def in_folder(problems: Iterable[InputProblem], folder: Path) -> list[InputProblem]:
    """Name each file with its folder (``data/nl-2026/series.csv``) unless it already has one.

    A problem with the folder itself (``mijn-casus`` does not exist) keeps its name as it is,
    not ``mijn-casus/mijn-casus``.
    """
    return [
        replace(p, file=str(folder / p.file)) if Path(p.file).name == p.file and Path(p.file) != folder else p
        for p in problems
    ]


def _declared_default_set(case_dir: Path) -> str | None:
    """``case.default_scenarios`` read from an invalid case, so its set is checked too."""
    try:
        data = tomllib.loads((case_dir / SETTINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    section = data.get("case")
    name = section.get("default_scenarios", DEFAULT_SET) if isinstance(section, dict) else DEFAULT_SET
    return name if isinstance(name, str) and name else None


# --------------------------------------------------------------------------- summary


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Smallest value whose cumulative probability reaches ``q`` (inverse CDF)."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order]) / weights.sum()
    index = int(np.searchsorted(cumulative, q - QUANTILE_TOLERANCE))
    return float(values[order][min(index, len(values) - 1)])


def yearly_inflow_percentiles(scenarios: ScenarioSet) -> dict[int, list[float]]:
    """Per year: P10/P50/P90 over scenarios of the yearly inflow summed over categories."""
    years = [int(p[:YEAR_CHARS]) for p in scenarios.periods]
    totals = scenarios.inflow_persons.sum(axis=2)  # (scenarios, periods)
    weights = scenarios.probabilities
    result: dict[int, list[float]] = {}
    for year in sorted(set(years)):
        mask = np.array([y == year for y in years])
        per_scenario = totals[:, mask].sum(axis=1)
        result[year] = [weighted_quantile(per_scenario, weights, q) for q in PERCENTILES]
    return result


PERIOD_WORDS_NL = {"month": "maand", "quarter": "kwartaal", "year": "jaar"}
PARTNER_WIDTH = 25  # "Registratie (AVIM/DISA)", "Registration (AVIM/DISA)"


def _fmt(value: float, lang: str) -> str:
    """A whole number with the language's thousands separator (``34.680`` / ``34,680``)."""
    text = f"{value:,.0f}"
    return text.replace(",", ".") if lang == "nl" else text


def sources_line(case: Case, lang: str = "en") -> str:
    """How much of the case has its source as data (keys, estimates, user changes)."""
    nl = lang == "nl"
    keys = settings_paths()
    unsourced = [k for k in keys if k not in case.sources]
    rows = sum(1 for spec in TABLES for r in getattr(case, spec.name) if r.source)  # type: ignore[attr-defined]
    marked = sum(1 for t in case.sources.values() if USER_MARK_RE.match(t))
    columns = sum(1 for k in case.sources if k not in keys)
    if nl:
        text = (
            f"Bronnen: {len(keys) - len(unsourced)} van {len(keys)} instellingen, {columns} tabelkolommen, "
            f"{rows} tabelrijen; {len(case.source_list)} vermeldingen in de bronnenlijst"
        )
    else:
        text = (
            f"Sources: {len(keys) - len(unsourced)} of {len(keys)} settings, {columns} table columns, "
            f"{rows} table rows; {len(case.source_list)} entries in the source list"
        )
    if marked:
        text += f"; {marked} door de gebruiker gewijzigd" if nl else f"; {marked} changed by the user"
    if unsourced:
        shown = ", ".join(unsourced[:SOURCES_SHOWN]) + (" …" if len(unsourced) > SOURCES_SHOWN else "")
        text += f"; zonder bron: {shown}" if nl else f"; without a source: {shown}"
    return text


def summary_lines(case: Case, scenarios: ScenarioSet | None, lang: str = "en") -> list[str]:
    """The one-screen summary of a valid case (and its scenario set), in ``lang``."""
    nl = lang == "nl"
    s = case.settings
    h = s.horizon
    last = h.start_year + h.years - 1
    period = PERIOD_WORDS_NL.get(h.period, h.period) if nl else h.period

    def who(key: str) -> str:  # the partner in words, in either language (not the case's key)
        return f"{term(key, lang):<{PARTNER_WIDTH}}"

    title = f"{'Casus' if nl else 'Case'} {s.case.name}"
    years_word = "jaar" if nl else ("year" if h.years == 1 else "years")
    lines = [
        f"{title}: {s.case.description}" if s.case.description else title,
        f"  {'prijspeil' if nl else 'prices'} {s.case.price_year} {s.case.currency}",
        f"Horizon {h.start_year}-{last}: {h.years} {years_word}, {len(case.periods)} "
        + (f"perioden van een {period}" if nl else f"periods of one {period}"),
        "Ketenpartners" if nl else "Partners",
    ]
    for partner in STAFFED_PARTNERS:
        staff = getattr(s, partner.value)
        capacity = staff.initial_fte * staff.output_per_fte_year
        per_fte = f"{staff.output_per_fte_year:g}"
        per_fte = per_fte.replace(".", ",") if nl else per_fte
        rate = f"{per_fte}/fte-jaar" if nl else f"{per_fte}/FTE-year"
        if nl:
            mode = "bij te stellen" if staff.adjustable else "vaste formatie"
            tail = f"zaken/jaar; opleiding {staff.training_months} maanden; {mode}"
        else:
            mode = "adjustable" if staff.adjustable else "fixed formation"
            tail = f"cases/year; training {staff.training_months} months; {mode}"
        fte = "fte" if nl else "FTE"
        lines.append(
            f"  {who(partner.value)}{_fmt(staff.initial_fte, lang):>9} {fte} x {rate:<17}"
            f"= {_fmt(capacity, lang):>9} {tail}"
        )
    max_places = sum(loc.places * loc.max_open for loc in case.locations)
    places, persons = _fmt(case.initial_places(), lang), _fmt(case.initial_reception_persons(), lang)
    if nl:
        coa = (
            f"{len(case.locations)} soorten locaties, {places} plaatsen open (hoogstens "
            f"{_fmt(max_places, lang)}); {persons} personen in de opvang bij de start"
        )
        pool = f"tot {s.flexpool.max_teams} teams van {s.flexpool.team_fte:g} fte"
    else:
        coa = (
            f"{len(case.locations)} location types, {places} places open (at most "
            f"{_fmt(max_places, lang)}); {persons} persons in reception at the start"
        )
        pool = f"up to {s.flexpool.max_teams} teams of {s.flexpool.team_fte:g} FTE"
    lines += [f"  {who('coa')}{coa}", f"  {who('flexpool')}{pool}", sources_line(case, lang)]
    if scenarios is None:
        lines.append("Scenarioset: geen gecontroleerd" if nl else "Scenario set: none checked")
        return lines
    prov = scenarios.provenance
    if nl:
        lines += [
            f"Scenarioset {scenarios.name}: {len(scenarios.scenarios)} scenario's "
            f"(methode {prov.method}, gegevens van {prov.created}, bron: {prov.source})",
            "Instroom, personen/jaar, alle categorieën (percentielen over de scenario's, naar kans gewogen)",
            "  jaar",
        ]
    else:
        lines += [
            f"Scenario set {scenarios.name}: {len(scenarios.scenarios)} scenarios "
            f"(method {prov.method}, data of {prov.created}, source: {prov.source})",
            "Inflow, persons/year, all categories (probability-weighted percentiles over scenarios)",
            "  year",
        ]
    lines[-1] += "".join(f"{f'P{round(q * 100)}':>12}" for q in PERCENTILES)
    for year, values in yearly_inflow_percentiles(scenarios).items():
        lines.append(f"  {year}" + "".join(f"{_fmt(v, lang):>12}" for v in values))
    return lines


# --------------------------------------------------------------------------- commands


@main.command("validate")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path(path_type=Path))
@click.option(
    "--scenarios",
    "scenario_set",
    metavar="SET",
    default=None,
    help="Scenario set: a name under CASE/scenarios/ or a folder (default: case.default_scenarios).",
)
@messages_lang_option
def validate(case_dir: Path | None, scenario_set: str | None) -> None:
    """Check a case folder and its scenario sets; print a summary or every problem.

    CASE defaults to the default case shipped with the package (nl-2026); the summary's
    first line says which case was checked. Without --scenarios every scenario set in
    CASE/scenarios/ is checked (and the default set must exist); with --scenarios
    only that set. The summary names the sets checked. Exit code 0 when valid, 2
    when the input has problems (one line each: file, row, column, field, value
    found, allowed).
    """
    case_dir = case_or_default(case_dir)
    problems: list[InputProblem] = []
    case: Case | None = None
    try:
        case = load_case(case_dir)
    except InputErrors as exc:
        problems += in_folder(exc.problems, case_dir)
    default = case.settings.case.default_scenarios if case is not None else _declared_default_set(case_dir)
    name = scenario_set or default
    folders = [resolve_scenario_set(case_dir, name)] if name is not None else []
    if scenario_set is None:
        folders += [f for f in _case_scenario_sets(case_dir) if f not in folders]
    scenarios: ScenarioSet | None = None
    for folder in folders:
        try:
            loaded = load_scenario_set(folder, case)
        except InputErrors as exc:
            problems += in_folder(exc.problems, folder)
            continue
        scenarios = scenarios or loaded  # the summary shows the default (or chosen) set
    if problems or case is None:
        raise InputProblemsError(problems)  # each problem names its file in the case folder
    lang = current_lang()
    click.echo(case_line(case_dir, case.settings.case.name, lang))
    for line in summary_lines(case, scenarios, lang):
        click.echo(line)
    checked = ", ".join(f.name for f in folders)
    if lang == "nl":
        which = "" if scenario_set is None else " (alleen deze: --scenarios)"
        click.echo(f"Gecontroleerde scenariosets{which}: {checked or 'geen'}")
        click.echo("OK: geen problemen gevonden.")
    else:
        which = "" if scenario_set is None else " (only this one: --scenarios)"
        click.echo(f"Scenario sets checked{which}: {checked or 'none'}")
        click.echo("OK: no problems found.")


def _case_scenario_sets(case_dir: Path) -> list[Path]:
    """Every scenario-set folder of the case (``CASE/scenarios/*/``), by name."""
    root = case_dir / SCENARIO_SETS_DIR
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


CASE_WORDS: dict[str, tuple[str, str]] = {  # export, import and sources in the user's language (nl, en)
    "exported": (
        "{xlsx} geschreven ({name}; scenariosets: {sets}).",
        "Wrote {xlsx} ({name}; scenario sets: {sets}).",
    ),
    "none": ("geen", "none"),
    "imported": ("Casus {name} geschreven naar {target}.", "Wrote case {name} to {target}."),
    "imported_sets": ("  scenariosets: {sets}", "  scenario sets: {sets}"),
    "changed": ("  door u gewijzigd ({n}): {fields}", "  changed by you ({n}): {fields}"),
    "sources_current": ("{target} is actueel.", "{target} is up to date."),
    "sources_written": (
        "{target} geschreven ({n} bronnen, {keyed} bronvermeldingen bij waarden).",
        "Wrote {target} ({n} sources, {keyed} keyed sources).",
    ),
}


def case_words(key: str, **values: object) -> str:
    """One line of the ``case`` commands in the current language."""
    nl, en = CASE_WORDS[key]
    return (nl if current_lang() == "nl" else en).format(**values)


@main.group("case")
def case_group() -> None:
    """Move a case between its folder (TOML + CSV) and one Excel workbook."""


@case_group.command("export")
@click.argument("case_dir", metavar="CASE", type=click.Path(path_type=Path))
@click.option("--xlsx", "xlsx", required=True, type=click.Path(path_type=Path), help="Workbook to write.")
@click.option("--force", is_flag=True, help="Overwrite the workbook if it exists.")
@messages_lang_option
def export_cmd(case_dir: Path, xlsx: Path, force: bool) -> None:
    """Write CASE to one workbook: settings and tables with the source of every value,
    the source list, the notes, and the case's scenario sets with their provenance."""
    if xlsx.exists() and not force:
        raise click.ClickException(f"{xlsx} exists; use --force to overwrite it")
    try:
        case = load_case(case_dir)
    except InputErrors as exc:
        raise InputProblemsError(in_folder(exc.problems, case_dir)) from None
    sets, problems = [], []
    folder = case_dir / SCENARIO_SETS_DIR
    for set_dir in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
        try:
            sets.append(load_scenario_set(set_dir, case))
        except InputErrors as exc:
            problems += in_folder(exc.problems, set_dir)
    if problems:
        raise InputProblemsError(problems)
    export_case_xlsx(case, xlsx, force=force, scenario_sets=sets)
    names = ", ".join(s.name for s in sets) or case_words("none")
    click.echo(case_words("exported", xlsx=xlsx, name=case.settings.case.name, sets=names))


@case_group.command("import")
@click.argument("xlsx", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--to", "target", required=True, type=click.Path(path_type=Path), help="New case folder.")
@messages_lang_option
def import_cmd(xlsx: Path, target: Path) -> None:
    """Read a workbook (as written by `case export`) into a new case folder.

    Values changed in the workbook whose source was left as exported get the source
    "changed by user on DATE; was OLD (OLD SOURCE)". Scenario sets go to DIR/scenarios/.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise click.ClickException(f"{target} exists and is not an empty folder; choose a new one")
    try:
        imported = import_workbook(xlsx)
    except InputErrors as exc:
        raise InputProblemsError(exc.problems) from None
    case = imported.case
    save_case_folder(case, target)
    for scenario_set in imported.scenario_sets:
        write_scenario_set(scenario_set, target / SCENARIO_SETS_DIR / scenario_set.name)
    click.echo(case_words("imported", name=case.settings.case.name, target=target))
    if imported.scenario_sets:
        click.echo(case_words("imported_sets", sets=", ".join(s.name for s in imported.scenario_sets)))
    if imported.changed:
        click.echo(case_words("changed", n=len(imported.changed), fields=", ".join(imported.changed)))


@case_group.command("sources")
@click.argument("case_dir", metavar="CASE", type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Only check that SOURCES.md is up to date (exit 1 if not).")
@messages_lang_option
def sources_cmd(case_dir: Path, check: bool) -> None:
    """Write CASE/SOURCES.md from the case's source data.

    The source list (sources.csv), [sources] in case.toml, the source column of the
    tables and notes.md are the data; SOURCES.md is generated from them.
    """
    try:
        case = load_case(case_dir)
    except InputErrors as exc:
        raise InputProblemsError(in_folder(exc.problems, case_dir)) from None
    target = case_dir / SOURCES_DOC
    text = sources_markdown(case)
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if check:
        if current != text:
            raise click.ClickException(
                f"{target} is not what the sources give; run `bekostiging case sources {case_dir}`"
            )
        click.echo(case_words("sources_current", target=target))
        return
    target.write_text(text, encoding="utf-8")
    click.echo(
        case_words("sources_written", target=target, n=len(case.source_list), keyed=len(case.sources))
    )
