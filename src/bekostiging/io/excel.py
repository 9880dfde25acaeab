"""A case as one Excel workbook, and back (``bekostiging case export/import``).

Sheets
------
``Settings``
    columns ``section, key, value, source, unit, description, allowed range``; one
    row per settings key; category sections are ``categories.first`` etc.  The first
    four columns are read back; the others are for the reader.
``initial_stocks``, ``series``, ``locations``, ``mpp``, ``seasonality``
    row 1 the column names (as in the CSV files, with ``source`` last), row 2 the
    units, row 3 the descriptions and allowed ranges, row 4 the source of each
    column; data from row 5, each row with its own source.  The header rows are
    frozen.  (A workbook without a ``source`` column, written before sources were
    data, has three header rows and is read as such.)
``sources``
    the source list (``sources.csv``): ``key, title, publisher, url, date, note``.
``notes``
    ``notes.md``, one line per row.
``scenario_sets``, ``scenarios``, ``inflow``
    the case's scenario sets: one row per set with its provenance; the scenarios
    with their probabilities; the inflow per set, scenario and period with one
    column per category.  ``case import`` writes them to ``scenarios/<set>/``.
``_exported`` (hidden)
    every value and source as exported, and a fingerprint of each scenario set.
    ``case import`` compares with it: a value the user changed while leaving its
    source in place gets the source ``changed by user on DATE; was OLD (OLD SOURCE)``;
    an edited set whose provenance was left alone gets ``changed by user on DATE`` in
    its provenance notes.

Text cells that start with ``= + - @`` are written with a leading apostrophe
(:func:`bekostiging.io.cells.neutralise`) and read back without it.  Problems found
on import name the sheet and cell, e.g. ``Settings!C7``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import enum
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from bekostiging.errors import InputErrors, InputProblem
from bekostiging.io.case import (
    SOURCE_COLUMN,
    SOURCE_LIST,
    SOURCES_KEY,
    TABLES,
    RawRow,
    RawSettings,
    RawTable,
    TableSpec,
    allowed_range,
    build_case,
    format_value,
    header_problems,
    row_key,
    settings_rows,
    unit_of,
)
from bekostiging.io.cells import neutralise, restore
from bekostiging.io.scenarios import (
    INFLOW_COLUMNS,
    INFLOW_FILE,
    PROVENANCE_FILE,
    SCENARIOS_COLUMNS,
    SCENARIOS_FILE,
    load_scenario_set,
)
from bekostiging.schema import Case, Category, Provenance, ScenarioSet, field_unit

SETTINGS_SHEET = "Settings"
SETTINGS_COLUMNS = ("section", "key", "value", "source", "unit", "description", "allowed range")
SECTION_COL, KEY_COL, VALUE_COL, SOURCE_COL = 1, 2, 3, 4  # 1-based columns of the Settings sheet read back
TABLE_HEADER_ROWS = 4  # names, units, descriptions, column sources
LEGACY_HEADER_ROWS = 3  # a workbook without source columns
UNIT_ROW = 2
DESCRIPTION_ROW = 3
COLUMN_SOURCE_ROW = 4
COLUMN_SOURCE_LABEL = "← row 4: source of each column; this column: source of each row"
SOURCES_SHEET = "sources"
NOTES_SHEET = "notes"
NOTES_HEADER = "notes.md"
SETS_SHEET = "scenario_sets"
SCENARIOS_SHEET = "scenarios"
INFLOW_SHEET = "inflow"
SET_COLUMN = "set"
PROVENANCE_COLUMNS = tuple(Provenance.model_fields)
INFLOW_KEYS = ("scenario", "period")
EXPORTED_SHEET = "_exported"
EXPORTED_COLUMNS = ("path", "value", "source")
HEADER_FONT = Font(bold=True)
META_FONT = Font(italic=True, color="555555")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MIN_WIDTH, MAX_WIDTH = 10, 60  # column widths in characters
WIDTH_PADDING = 2
WIDTH_SAMPLE_ROWS = 200  # widths are estimated from the first rows (the inflow sheet is long)


def _cell_value(value: Any) -> Any:
    """A Python value as an Excel cell value (enums by value, None as empty, text inert)."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, dict):  # a per-year mapping (published budget, price index): JSON text
        return json.dumps({str(k): v for k, v in value.items()})
    if isinstance(value, str):
        return neutralise(value)
    return value


def _set(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col, value=_cell_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text, never a formula


def _fit_widths(ws: Worksheet) -> None:
    for col_cells in ws.iter_cols(max_row=min(ws.max_row, WIDTH_SAMPLE_ROWS)):
        longest = max((len(str(c.value)) for c in col_cells if c.value is not None), default=0)
        width = min(MAX_WIDTH, max(MIN_WIDTH, longest + WIDTH_PADDING))
        ws.column_dimensions[get_column_letter(col_cells[0].column)].width = width


def _style_header(ws: Worksheet, rows: int) -> None:
    for row in ws.iter_rows(min_row=1, max_row=rows):
        for cell in row:
            cell.font = HEADER_FONT if cell.row == 1 else META_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=cell.row == DESCRIPTION_ROW, vertical="top")
    ws.freeze_panes = ws.cell(row=rows + 1, column=1)


def _write_settings(wb: Workbook, case: Case) -> None:
    ws = wb.active
    ws.title = SETTINGS_SHEET
    for col, name in enumerate(SETTINGS_COLUMNS, start=1):
        _set(ws, 1, col, name)
    for i, (section, key, value, info) in enumerate(settings_rows(case.settings), start=2):
        _set(ws, i, SECTION_COL, section)
        _set(ws, i, KEY_COL, key)
        _set(ws, i, VALUE_COL, value)
        _set(ws, i, SOURCE_COL, case.sources.get(f"{section}.{key}"))
        _set(ws, i, SOURCE_COL + 1, unit_of(info))
        _set(ws, i, SOURCE_COL + 2, info.description or "")
        _set(ws, i, SOURCE_COL + 3, allowed_range(info))
    _style_header(ws, 1)
    _fit_widths(ws)


def _write_table(wb: Workbook, case: Case, spec: TableSpec) -> None:
    ws = wb.create_sheet(spec.name)
    fields = spec.model.model_fields
    for col, name in enumerate(spec.columns, start=1):
        _set(ws, 1, col, name)
        _set(ws, UNIT_ROW, col, field_unit(spec.model, name))
        _set(ws, DESCRIPTION_ROW, col, f"{fields[name].description or ''} [{allowed_range(fields[name])}]")
        column_source = case.sources.get(f"{spec.name}.{name}")
        _set(ws, COLUMN_SOURCE_ROW, col, COLUMN_SOURCE_LABEL if name == SOURCE_COLUMN else column_source)
    for r, row in enumerate(getattr(case, spec.name), start=TABLE_HEADER_ROWS + 1):
        for col, name in enumerate(spec.columns, start=1):
            _set(ws, r, col, getattr(row, name))
    _fit_widths(ws)
    _style_header(ws, TABLE_HEADER_ROWS)


def _write_rows(wb: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Worksheet:
    ws = wb.create_sheet(title)
    for col, name in enumerate(header, start=1):
        _set(ws, 1, col, name)
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            _set(ws, r, col, value)
    _fit_widths(ws)
    _style_header(ws, 1)
    return ws


def _write_sources_and_notes(wb: Workbook, case: Case) -> None:
    _write_rows(
        wb,
        SOURCES_SHEET,
        SOURCE_LIST.columns,
        [[getattr(e, c) for c in SOURCE_LIST.columns] for e in case.source_list],
    )
    lines = case.notes.split("\n") if case.notes else []
    if lines and lines[-1] == "":
        lines = lines[:-1]  # the final newline
    ws = _write_rows(wb, NOTES_SHEET, (NOTES_HEADER,), [[line or None] for line in lines])
    ws.column_dimensions["A"].width = MAX_WIDTH * 2


def _write_scenario_sets(wb: Workbook, sets: Sequence[ScenarioSet]) -> None:
    provenance = [
        [s.name, *(_provenance_cell(getattr(s.provenance, c)) for c in PROVENANCE_COLUMNS)] for s in sets
    ]
    _write_rows(wb, SETS_SHEET, (SET_COLUMN, *PROVENANCE_COLUMNS), provenance)
    infos = [[s.name, i.scenario, i.probability, i.description] for s in sets for i in s.scenarios]
    _write_rows(wb, SCENARIOS_SHEET, (SET_COLUMN, *SCENARIOS_COLUMNS), infos)
    categories = [c.value for c in Category]
    inflow: list[list[Any]] = []
    for s in sets:
        index = [s.categories.index(Category(c)) if Category(c) in s.categories else None for c in categories]
        for s_i, info in enumerate(s.scenarios):
            for p_i, period in enumerate(s.periods):
                values = [
                    _whole(s.inflow_persons[s_i, p_i, c_i]) if c_i is not None else None for c_i in index
                ]
                inflow.append([s.name, info.scenario, period, *values])
    _write_rows(wb, INFLOW_SHEET, (SET_COLUMN, *INFLOW_KEYS, *categories), inflow)


def _provenance_cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _whole(value: float) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def set_digests(scenario_set: ScenarioSet) -> tuple[str, str]:
    """Fingerprints of a set's content (scenarios, probabilities, inflow) and of its provenance."""
    content = hashlib.sha256()
    content.update(json.dumps([list(scenario_set.names), list(scenario_set.periods)]).encode())
    content.update(np.ascontiguousarray(scenario_set.probabilities, dtype=np.float64).tobytes())
    content.update(np.ascontiguousarray(scenario_set.inflow_persons, dtype=np.float64).tobytes())
    provenance = hashlib.sha256(scenario_set.provenance.model_dump_json().encode())
    return content.hexdigest(), provenance.hexdigest()


def exported_values(case: Case, scenario_sets: Sequence[ScenarioSet] = ()) -> list[tuple[str, str, str]]:
    """Every value and source of the case as (path, value text, source): the ``_exported`` sheet.

    A scenario set is one row: the fingerprints of its content and of its provenance.
    """
    out = [
        (f"{section}.{key}", format_value(value), case.sources.get(f"{section}.{key}", ""))
        for section, key, value, _ in settings_rows(case.settings)
    ]
    for spec in TABLES:
        out += [
            (f"{spec.name}.{c}", "", case.sources[f"{spec.name}.{c}"])
            for c in spec.required_columns
            if f"{spec.name}.{c}" in case.sources
        ]
        for row in getattr(case, spec.name):
            key = row_key(spec.name, row)
            out.append((key, "", row.source or ""))  # type: ignore[attr-defined]
            out += [(f"{key}.{c}", format_value(getattr(row, c)), "") for c in spec.required_columns]
    out += [(f"{SETS_SHEET}[{s.name}]", *set_digests(s)) for s in scenario_sets]
    return out


def export_case_xlsx(
    case: Case, path: str | Path, *, force: bool = False, scenario_sets: Sequence[ScenarioSet] = ()
) -> Path:
    """Write the case (and its scenario sets) to one workbook; refuse to overwrite unless ``force``."""
    target = Path(path)
    if target.exists() and not force:
        raise FileExistsError(f"{target} exists; use --force to overwrite it")
    wb = Workbook()
    _write_settings(wb, case)
    for spec in TABLES:
        _write_table(wb, case, spec)
    _write_sources_and_notes(wb, case)
    _write_scenario_sets(wb, scenario_sets)
    ws = _write_rows(wb, EXPORTED_SHEET, EXPORTED_COLUMNS, exported_values(case, scenario_sets))
    ws.sheet_state = "hidden"
    wb.save(target)
    return target


# --------------------------------------------------------------------------- import


def _text(value: Any) -> str:
    return "" if value is None else restore(str(value).strip())


def _cell_in(value: Any) -> Any:
    """A cell as read: text without surrounding space or the apostrophe of ``neutralise``."""
    if isinstance(value, str):
        value = restore(value.strip())
        return value or None
    return value


def _read_settings(wb: Any, file: str) -> RawSettings:
    where: dict[str, tuple[int, int]] = {}  # key path -> (row, column of the cell to name)
    raw = RawSettings(file, None, lambda key, key_itself: _locate_setting(where, key, key_itself))
    if SETTINGS_SHEET not in wb.sheetnames:
        raw.problems.append(InputProblem(file, "(sheet)", "(missing)", f"a sheet named {SETTINGS_SHEET}"))
        return raw
    ws = wb[SETTINGS_SHEET]
    header = [_text(c.value) for c in next(ws.iter_rows(min_row=1, max_row=1))]
    expected = list(SETTINGS_COLUMNS[:VALUE_COL])
    if header[:VALUE_COL] != expected:
        raw.problems.append(
            InputProblem(
                file,
                "(header)",
                ", ".join(header[:VALUE_COL]),
                f"first columns {', '.join(expected)}",
                1,
                f"{SETTINGS_SHEET}!A1",
            )
        )
        return raw
    has_sources = len(header) >= SOURCE_COL and header[SOURCE_COL - 1] == SOURCE_COLUMN
    data: dict[str, Any] = {}
    for row in ws.iter_rows(min_row=2):
        number = row[0].row
        section = _text(row[SECTION_COL - 1].value)
        key = _text(row[KEY_COL - 1].value) if len(row) >= KEY_COL else ""
        value = _cell_in(row[VALUE_COL - 1].value) if len(row) >= VALUE_COL else None
        if not section and not key:
            continue
        cell = f"{SETTINGS_SHEET}!{get_column_letter(KEY_COL if section else SECTION_COL)}{number}"
        if not section or not key:
            raw.problems.append(
                InputProblem(file, f"{section}.{key}", "(empty)", "both a section and a key", number, cell)
            )
            continue
        path = f"{section}.{key}"
        if path in where:
            raw.problems.append(
                InputProblem(
                    file,
                    path,
                    "(duplicate)",
                    f"each key once (already in row {where[path][0]})",
                    number,
                    cell,
                )
            )
            continue
        where[path] = (number, VALUE_COL)
        if has_sources and len(row) >= SOURCE_COL:
            where[f"{SOURCES_KEY}.{path}"] = (number, SOURCE_COL)
            raw.sources[path] = _cell_in(row[SOURCE_COL - 1].value)
        for depth, _ in enumerate(section.split(".")):
            where.setdefault(".".join(section.split(".")[: depth + 1]), (number, SECTION_COL))
        node = data
        for part in section.split("."):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            with contextlib.suppress(json.JSONDecodeError):  # else left as text: validation names the cell
                value = json.loads(value)  # a per-year mapping written by _cell_value
        if value is not None:
            node[key] = value
    raw.data = data
    return raw


def _locate_setting(
    where: dict[str, tuple[int, int]], key: str, key_itself: bool
) -> tuple[int | None, str | None]:
    hit = where.get(key)
    if hit is None:
        return None, SETTINGS_SHEET
    row, col = hit
    if col < 0:  # a column source on a table sheet: (row, -column) of that sheet
        table = key.split(".")[1]
        return row, f"{table}!{get_column_letter(-col)}{row}"
    if key_itself and col in (VALUE_COL, SOURCE_COL):
        col = KEY_COL
    return row, f"{SETTINGS_SHEET}!{get_column_letter(col)}{row}"


def _excel_cell_value(value: Any, column: str) -> Any:
    if isinstance(value, str):
        return _cell_in(value)
    if isinstance(value, dt.datetime | dt.date) and column == "period":
        return f"{value.year}-{value.month:02d}"  # Excel turned 2026-01 into a date
    return value


def _read_table(wb: Any, spec: TableSpec, file: str, settings: RawSettings | None = None) -> RawTable:
    """A table sheet (or, with one header row, the source list) as a raw table."""
    columns: dict[str, int] = {}

    def cell(row: int | None, column: str) -> str | None:
        if column in columns:
            letter = get_column_letter(columns[column])
            return f"{spec.name}!{letter}{row}" if row is not None else f"{spec.name}!{letter}"
        return spec.name

    raw = RawTable(spec, file, [], cell)
    sheet = SOURCES_SHEET if spec is SOURCE_LIST else spec.name
    if sheet not in wb.sheetnames:
        raw.problems.append(InputProblem(file, "(sheet)", "(missing)", f"a sheet named {sheet}"))
        return raw
    ws = wb[sheet]
    header = [_text(c.value) for c in next(ws.iter_rows(min_row=1, max_row=1), ())]
    columns.update({name: i for i, name in enumerate(header, start=1) if name})
    raw.columns = tuple(c for c in columns if c in spec.columns)
    raw.problems += header_problems(
        spec, header, file, 1, lambda name: f"{sheet}!{get_column_letter(columns[name])}1"
    )
    first_data = 2
    if spec is not SOURCE_LIST:
        first_data = (TABLE_HEADER_ROWS if SOURCE_COLUMN in columns else LEGACY_HEADER_ROWS) + 1
        raw.problems += _unit_problems(ws, spec, columns, file)
        if SOURCE_COLUMN in columns and settings is not None:
            _read_column_sources(ws, spec, columns, settings)
    raw.header_row = first_data - 1
    for row in ws.iter_rows(min_row=first_data):
        values = [c.value for c in row]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        cells = {
            name: _excel_cell_value(values[col - 1] if col - 1 < len(values) else None, name)
            for name, col in columns.items()
            if name in spec.columns
        }
        raw.rows.append(RawRow(row[0].row, cells))
    if not raw.rows and not raw.problems and spec is not SOURCE_LIST:
        raw.problems.append(InputProblem(file, "(rows)", "(none)", "at least one data row", None, sheet))
    return raw


def _unit_problems(ws: Worksheet, spec: TableSpec, columns: dict[str, int], file: str) -> list[InputProblem]:
    problems: list[InputProblem] = []
    units = [_text(c.value) for c in next(ws.iter_rows(min_row=UNIT_ROW, max_row=UNIT_ROW), ())]
    for name, col in columns.items():
        if name in spec.columns:
            expected = field_unit(spec.model, name)
            found = units[col - 1] if col - 1 < len(units) else ""
            if found != expected:
                problems.append(
                    InputProblem(
                        file,
                        name,
                        found or "(empty)",
                        f"row {UNIT_ROW} holds the units ({expected}); data starts at row "
                        f"{TABLE_HEADER_ROWS + 1}",
                        UNIT_ROW,
                        f"{spec.name}!{get_column_letter(col)}{UNIT_ROW}",
                    )
                )
    return problems


def _read_column_sources(
    ws: Worksheet, spec: TableSpec, columns: dict[str, int], settings: RawSettings
) -> None:
    """Row 4 of a table sheet: the source of each column, kept with the settings' sources."""
    cells = [c.value for c in next(ws.iter_rows(min_row=COLUMN_SOURCE_ROW, max_row=COLUMN_SOURCE_ROW), ())]
    for name, col in columns.items():
        if name == SOURCE_COLUMN or name not in spec.columns or col - 1 >= len(cells):
            continue
        text = _cell_in(cells[col - 1])
        if text is not None:
            path = f"{spec.name}.{name}"
            settings.sources[path] = text
            _register(settings, f"{SOURCES_KEY}.{path}", COLUMN_SOURCE_ROW, -col)


def _register(settings: RawSettings, key: str, row: int, col: int) -> None:
    """Make ``settings.locate`` find ``key`` at (row, col); negative col: a table sheet."""
    locate = settings.locate

    def located(path: str, key_itself: bool) -> tuple[int | None, str | None]:
        if path == key:
            table = path.split(".")[1]
            return row, f"{table}!{get_column_letter(-col)}{row}"
        return locate(path, key_itself)

    settings.locate = located


def _read_notes(wb: Any) -> str:
    if NOTES_SHEET not in wb.sheetnames:
        return ""
    lines = []
    for row in wb[NOTES_SHEET].iter_rows(min_row=2, max_col=1):
        value = row[0].value
        lines.append("" if value is None else restore(str(value).rstrip()))
    text = "\n".join(lines).strip("\n")
    return text + "\n" if text else ""


def _open(path: str | Path) -> tuple[Any, str]:
    source = Path(path)
    file = source.name
    try:
        return load_workbook(source, data_only=True), file
    except FileNotFoundError:
        raise InputErrors([InputProblem(file, "(file)", "(missing)", "an .xlsx workbook")]) from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputErrors([InputProblem(file, "(file)", str(exc), "an .xlsx workbook")]) from None


def _case_from(wb: Any, file: str) -> Case:
    settings = _read_settings(wb, file)
    tables = [_read_table(wb, spec, file, settings) for spec in TABLES]
    source_list = _read_table(wb, SOURCE_LIST, file) if SOURCES_SHEET in wb.sheetnames else None
    return build_case(settings, tables, source_list, _read_notes(wb))


def import_case_xlsx(path: str | Path, *, today: dt.date | None = None) -> Case:
    """Read a workbook written by ``export_case_xlsx`` (and edited) into a validated ``Case``.

    Values the user changed while leaving their source in place are marked
    ``changed by user on DATE`` (``today``, default the current date).
    """
    return import_workbook(path, today=today).case


@dataclass(frozen=True)
class ImportedWorkbook:
    case: Case
    scenario_sets: tuple[ScenarioSet, ...]
    changed: tuple[str, ...]  # the paths marked as changed by the user


def import_workbook(path: str | Path, *, today: dt.date | None = None) -> ImportedWorkbook:
    """The case and its scenario sets from a workbook; every problem raised at once."""
    wb, file = _open(path)
    problems: list[InputProblem] = []
    case: Case | None = None
    try:
        case = _case_from(wb, file)
    except InputErrors as exc:
        problems += exc.problems
    sets: list[ScenarioSet] = []
    try:
        sets = _scenario_sets_from(wb, file, case)
    except InputErrors as exc:
        problems += exc.problems
    if problems or case is None:
        raise InputErrors(problems)
    exported = _read_exported(wb)
    day = today or dt.date.today()
    marked, changed = mark_user_changes(case, exported, day)
    sets, changed_sets = mark_user_set_changes(sets, exported, day)
    return ImportedWorkbook(marked, tuple(sets), tuple(changed + changed_sets))


# --------------------------------------------------------------------------- changes by the user


def _read_exported(wb: Any) -> dict[str, tuple[str, str]]:
    """path -> (value text, source) as exported; empty for a workbook without the sheet."""
    if EXPORTED_SHEET not in wb.sheetnames:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for row in wb[EXPORTED_SHEET].iter_rows(min_row=2, max_col=len(EXPORTED_COLUMNS)):
        path, value, source = (_text(c.value) for c in row)
        if path:
            out[path] = (value, source)
    return out


def user_mark(today: dt.date, was: str, source: str) -> str:
    """The source of a value the user changed: when, and the value and source it replaced."""
    text = f"changed by user on {today.isoformat()}; was {was}"
    return f"{text} ({source})" if source else text


def mark_user_changes(
    case: Case, exported: dict[str, tuple[str, str]], today: dt.date
) -> tuple[Case, list[str]]:
    """Mark values that differ from the export and kept their exported source (or an empty one)."""
    if not exported:
        return case, []
    changed: list[str] = []
    sources = dict(case.sources)
    for section, key, value, _ in settings_rows(case.settings):
        path = f"{section}.{key}"
        if path not in exported or exported[path][0] == format_value(value):
            continue
        old_source = exported[path][1]
        if sources.get(path, "") in ("", old_source):  # the source left in place (or emptied)
            sources[path] = user_mark(today, exported[path][0] or "not set", old_source)
            changed.append(path)
    updates: dict[str, Any] = {"sources": sources}
    for spec in TABLES:
        rows = []
        for row in getattr(case, spec.name):
            key = row_key(spec.name, row)
            rows.append(row)
            current = row.source or ""  # type: ignore[attr-defined]
            if key not in exported:
                if not current:
                    rows[-1] = row.model_copy(update={SOURCE_COLUMN: f"added by user on {today.isoformat()}"})
                    changed.append(key)
                continue
            diffs = [
                f"{c} was {exported[f'{key}.{c}'][0]}"
                for c in spec.required_columns
                if f"{key}.{c}" in exported and exported[f"{key}.{c}"][0] != format_value(getattr(row, c))
            ]
            old_source = exported[key][1]
            if diffs and current in ("", old_source):
                text = f"changed by user on {today.isoformat()}; {', '.join(diffs)}"
                text += f" ({old_source})" if old_source else ""
                rows[-1] = row.model_copy(update={SOURCE_COLUMN: text})
                changed.append(key)
        updates[spec.name] = tuple(rows)
    return Case.model_validate({**dict(case), **updates}), changed


def mark_user_set_changes(
    sets: Sequence[ScenarioSet], exported: dict[str, tuple[str, str]], today: dt.date
) -> tuple[list[ScenarioSet], list[str]]:
    """A set whose inflow or probabilities were edited, with its provenance left as
    exported, gets ``changed by user on DATE`` in its provenance notes."""
    out: list[ScenarioSet] = []
    changed: list[str] = []
    for original in sets:
        path = f"{SETS_SHEET}[{original.name}]"
        content, provenance = set_digests(original)
        edited = path in exported and exported[path][0] != content and exported[path][1] == provenance
        if not edited:
            out.append(original)
            continue
        prov = original.provenance
        mark = f"changed by user on {today.isoformat()} (case import)"
        notes = f"{prov.notes} {mark}" if prov.notes else mark
        out.append(original.model_copy(update={"provenance": prov.model_copy(update={"notes": notes})}))
        changed.append(path)
    return out, changed


# --------------------------------------------------------------------------- scenario sets


@dataclass
class _SetRows:
    provenance: tuple[int, dict[str, Any]] | None = None
    scenarios: list[tuple[int, dict[str, Any]]] | None = None
    inflow: list[tuple[int, dict[str, Any]]] | None = None


def _sheet_rows(
    wb: Any, sheet: str, columns: Sequence[str], file: str, problems: list[InputProblem]
) -> list[tuple[int, dict[str, Any]]]:
    ws = wb[sheet]
    header = [_text(c.value) for c in next(ws.iter_rows(min_row=1, max_row=1), ())]
    missing = [c for c in columns if c not in header]
    if missing:
        problems.append(
            InputProblem(
                file, "(header)", ", ".join(header), f"columns {', '.join(columns)}", 1, f"{sheet}!A1"
            )
        )
        return []
    index = {name: header.index(name) for name in columns}
    rows = []
    for row in ws.iter_rows(min_row=2):
        values = [_cell_in(c.value) for c in row]
        if all(v is None for v in values):
            continue
        rows.append((row[0].row, {name: values[i] if i < len(values) else None for name, i in index.items()}))
    return rows


def _scenario_sets_from(wb: Any, file: str, case: Case | None) -> list[ScenarioSet]:
    sheets = (SETS_SHEET, SCENARIOS_SHEET, INFLOW_SHEET)
    if not any(s in wb.sheetnames for s in sheets):
        return []
    problems: list[InputProblem] = []
    for sheet in sheets:
        if sheet not in wb.sheetnames:
            problems.append(InputProblem(file, "(sheet)", "(missing)", f"a sheet named {sheet}"))
    if problems:
        raise InputErrors(problems)
    categories = [c.value for c in Category]
    by_set: dict[str, _SetRows] = {}
    for number, cells in _sheet_rows(wb, SETS_SHEET, (SET_COLUMN, *PROVENANCE_COLUMNS), file, problems):
        by_set.setdefault(_text(cells[SET_COLUMN]), _SetRows()).provenance = (number, cells)
    for sheet, columns, attr in (
        (SCENARIOS_SHEET, (SET_COLUMN, *SCENARIOS_COLUMNS), "scenarios"),
        (INFLOW_SHEET, (SET_COLUMN, *INFLOW_KEYS, *categories), "inflow"),
    ):
        for number, cells in _sheet_rows(wb, sheet, columns, file, problems):
            name = _text(cells[SET_COLUMN])
            if name not in by_set:
                problems.append(
                    InputProblem(
                        file,
                        SET_COLUMN,
                        name or "(empty)",
                        f"a set of the {SETS_SHEET} sheet",
                        number,
                        f"{sheet}!A{number}",
                    )
                )
                continue
            rows = getattr(by_set[name], attr)
            if rows is None:
                rows = []
                setattr(by_set[name], attr, rows)
            rows.append((number, cells))
    sets = []
    for name, rows in by_set.items():
        try:
            sets.append(_scenario_set(name, rows, file, case))
        except InputErrors as exc:
            problems += exc.problems
    if problems:
        raise InputErrors(problems)
    return sets


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return format_value(float(value))
    return str(value)


def _scenario_set(name: str, rows: _SetRows, file: str, case: Case | None) -> ScenarioSet:
    """One set through the folder loader (every rule), its problems located in the sheets."""
    categories = [c.value for c in Category]
    scenarios = rows.scenarios or []
    inflow = rows.inflow or []
    if rows.provenance is None:  # not reached: sets are named by the scenario_sets sheet
        raise InputErrors([InputProblem(file, SET_COLUMN, name, f"a row in the {SETS_SHEET} sheet")])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / name
        folder.mkdir()
        with (folder / SCENARIOS_FILE).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(SCENARIOS_COLUMNS)
            writer.writerows([_csv_text(cells[c]) for c in SCENARIOS_COLUMNS] for _, cells in scenarios)
        with (folder / INFLOW_FILE).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(INFLOW_COLUMNS)
            for _, cells in inflow:
                for c in categories:
                    writer.writerow(
                        [_csv_text(cells["scenario"]), _csv_text(cells["period"]), c, _csv_text(cells[c])]
                    )
        _, cells = rows.provenance
        data = {k: _provenance_value(k, cells[k]) for k in PROVENANCE_COLUMNS if cells[k] is not None}
        (folder / PROVENANCE_FILE).write_text(tomli_w.dumps(data), encoding="utf-8")
        try:
            return load_scenario_set(folder, case)
        except InputErrors as exc:
            raise InputErrors([_in_sheet(p, name, rows, file) for p in exc.problems]) from None


def _provenance_value(key: str, value: Any) -> Any:
    if key == "created":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
    if key == "seed" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _in_sheet(problem: InputProblem, name: str, rows: _SetRows, file: str) -> InputProblem:
    """A problem of the temporary set folder, named by the sheet row it came from."""
    n_categories = len(Category)
    sheet, number = SETS_SHEET, rows.provenance[0] if rows.provenance else None
    line = problem.row
    if problem.file == SCENARIOS_FILE:
        sheet, number = SCENARIOS_SHEET, None
        if line is not None and 2 <= line < len(rows.scenarios or []) + 2:
            number = (rows.scenarios or [])[line - 2][0]
    letter = "A"
    if problem.file == INFLOW_FILE:
        sheet, number = INFLOW_SHEET, None
        if line is not None and 2 <= line < len(rows.inflow or []) * n_categories + 2:
            number = (rows.inflow or [])[(line - 2) // n_categories][0]
            if problem.field == "persons":  # the category's own column
                letter = get_column_letter(len((SET_COLUMN, *INFLOW_KEYS)) + 1 + (line - 2) % n_categories)
    column = f"{sheet}!{letter}{number}" if number is not None else sheet
    return replace(problem, file=f"{file} (set {name})", row=number, column=column)


__all__ = [
    "SETTINGS_SHEET",
    "ImportedWorkbook",
    "export_case_xlsx",
    "import_case_xlsx",
    "import_workbook",
    "mark_user_changes",
]
