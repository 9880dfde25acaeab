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
import datetime as dt
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
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
    build_case,
    header_problems,
)
from bekostiging.io.cells import restore
from bekostiging.io.excel_changes import _read_exported, mark_user_changes, mark_user_set_changes
from bekostiging.io.excel_layout import (
    COLUMN_SOURCE_ROW,
    KEY_COL,
    LEGACY_HEADER_ROWS,
    NOTES_SHEET,
    SECTION_COL,
    SETTINGS_COLUMNS,
    SETTINGS_SHEET,
    SOURCE_COL,
    SOURCES_SHEET,
    TABLE_HEADER_ROWS,
    UNIT_ROW,
    VALUE_COL,
    _cell_in,
    _text,
)
from bekostiging.io.excel_sets import _scenario_sets_from
from bekostiging.io.excel_write import export_case_xlsx
from bekostiging.schema import Case, ScenarioSet, field_unit


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

__all__ = [
    "SETTINGS_SHEET",
    "ImportedWorkbook",
    "export_case_xlsx",
    "import_case_xlsx",
    "import_workbook",
    "mark_user_changes",
]
