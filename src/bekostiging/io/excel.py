"""A case as one Excel workbook, and back (``bekostiging case export/import``).

Sheets
------
``Settings``
    columns ``section, key, value, unit, description, allowed range``; one row per
    settings key; category sections are ``categories.first`` etc.  Only the first
    three columns are read back; the others are for the reader.
``initial_stocks``, ``series``, ``locations``, ``mpp``, ``seasonality``
    row 1 the column names (as in the CSV files), row 2 the units, row 3 the
    descriptions and allowed ranges; data from row 4.  The header rows are frozen.

Problems found on import name the sheet and cell, e.g. ``Settings!C7``.
"""

from __future__ import annotations

import datetime as dt
import enum
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from bekostiging.errors import InputErrors, InputProblem
from bekostiging.io.case import (
    TABLES,
    RawRow,
    RawSettings,
    RawTable,
    TableSpec,
    allowed_range,
    build_case,
    header_problems,
    settings_rows,
    unit_of,
)
from bekostiging.schema import Case, field_unit

SETTINGS_SHEET = "Settings"
SETTINGS_COLUMNS = ("section", "key", "value", "unit", "description", "allowed range")
SECTION_COL, KEY_COL, VALUE_COL = 1, 2, 3  # 1-based columns of the Settings sheet read back
TABLE_HEADER_ROWS = 3  # names, units, descriptions
UNIT_ROW = 2
DESCRIPTION_ROW = 3
HEADER_FONT = Font(bold=True)
META_FONT = Font(italic=True, color="555555")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MIN_WIDTH, MAX_WIDTH = 10, 60  # column widths in characters
WIDTH_PADDING = 2


def _cell_value(value: Any) -> Any:
    """A Python value as an Excel cell value (enums by value, None as empty)."""
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _set(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col, value=_cell_value(value))
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"  # text, never a formula


def _fit_widths(ws: Worksheet) -> None:
    for col_cells in ws.columns:
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
        _set(ws, i, 4, unit_of(info))
        _set(ws, i, 5, info.description or "")
        _set(ws, i, 6, allowed_range(info))
    _style_header(ws, 1)
    _fit_widths(ws)


def _write_table(wb: Workbook, case: Case, spec: TableSpec) -> None:
    ws = wb.create_sheet(spec.name)
    fields = spec.model.model_fields
    for col, name in enumerate(spec.columns, start=1):
        _set(ws, 1, col, name)
        _set(ws, UNIT_ROW, col, field_unit(spec.model, name))
        _set(ws, DESCRIPTION_ROW, col, f"{fields[name].description or ''} [{allowed_range(fields[name])}]")
    for r, row in enumerate(getattr(case, spec.name), start=TABLE_HEADER_ROWS + 1):
        for col, name in enumerate(spec.columns, start=1):
            _set(ws, r, col, getattr(row, name))
    _fit_widths(ws)
    _style_header(ws, TABLE_HEADER_ROWS)


def export_case_xlsx(case: Case, path: str | Path, *, force: bool = False) -> Path:
    """Write the case to one workbook; refuse to overwrite unless ``force``."""
    target = Path(path)
    if target.exists() and not force:
        raise FileExistsError(f"{target} exists; use --force to overwrite it")
    wb = Workbook()
    _write_settings(wb, case)
    for spec in TABLES:
        _write_table(wb, case, spec)
    wb.save(target)
    return target


# --------------------------------------------------------------------------- import


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


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
    data: dict[str, Any] = {}
    for row in ws.iter_rows(min_row=2):
        number = row[0].row
        section = _text(row[SECTION_COL - 1].value)
        key = _text(row[KEY_COL - 1].value) if len(row) >= KEY_COL else ""
        value = row[VALUE_COL - 1].value if len(row) >= VALUE_COL else None
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
        for depth, _ in enumerate(section.split(".")):
            where.setdefault(".".join(section.split(".")[: depth + 1]), (number, SECTION_COL))
        node = data
        for part in section.split("."):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        if isinstance(value, str) and not value.strip():
            value = None
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
    if key_itself and col == VALUE_COL:
        col = KEY_COL
    return row, f"{SETTINGS_SHEET}!{get_column_letter(col)}{row}"


def _excel_cell_value(value: Any, column: str) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, dt.datetime | dt.date) and column == "period":
        return f"{value.year}-{value.month:02d}"  # Excel turned 2026-01 into a date
    return value


def _read_table(wb: Any, spec: TableSpec, file: str) -> RawTable:
    columns: dict[str, int] = {}

    def cell(row: int | None, column: str) -> str | None:
        if column in columns:
            letter = get_column_letter(columns[column])
            return f"{spec.name}!{letter}{row}" if row is not None else f"{spec.name}!{letter}"
        return spec.name

    raw = RawTable(spec, file, [], cell)
    if spec.name not in wb.sheetnames:
        raw.problems.append(InputProblem(file, "(sheet)", "(missing)", f"a sheet named {spec.name}"))
        return raw
    ws = wb[spec.name]
    header = [_text(c.value) for c in next(ws.iter_rows(min_row=1, max_row=1), ())]
    columns.update({name: i for i, name in enumerate(header, start=1) if name})
    raw.columns = tuple(c for c in columns if c in spec.columns)
    raw.problems += header_problems(
        spec, header, file, 1, lambda name: f"{spec.name}!{get_column_letter(columns[name])}1"
    )
    units = [_text(c.value) for c in next(ws.iter_rows(min_row=UNIT_ROW, max_row=UNIT_ROW), ())]
    for name, col in columns.items():
        if name in spec.columns:
            expected = field_unit(spec.model, name)
            found = units[col - 1] if col - 1 < len(units) else ""
            if found != expected:
                raw.problems.append(
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
    for row in ws.iter_rows(min_row=TABLE_HEADER_ROWS + 1):
        values = [c.value for c in row]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        cells = {
            name: _excel_cell_value(values[col - 1] if col - 1 < len(values) else None, name)
            for name, col in columns.items()
            if name in spec.columns
        }
        raw.rows.append(RawRow(row[0].row, cells))
    if not raw.rows and not raw.problems:
        raw.problems.append(InputProblem(file, "(rows)", "(none)", "at least one data row", None, spec.name))
    return raw


def import_case_xlsx(path: str | Path) -> Case:
    """Read a workbook written by ``export_case_xlsx`` (and edited) into a validated ``Case``."""
    source = Path(path)
    file = source.name
    try:
        wb = load_workbook(source, data_only=True)
    except FileNotFoundError:
        raise InputErrors([InputProblem(file, "(file)", "(missing)", "an .xlsx workbook")]) from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputErrors([InputProblem(file, "(file)", str(exc), "an .xlsx workbook")]) from None
    settings = _read_settings(wb, file)
    tables = [_read_table(wb, spec, file) for spec in TABLES]
    return build_case(settings, tables)


__all__ = ["SETTINGS_SHEET", "export_case_xlsx", "import_case_xlsx"]
