"""Writing a case and its scenario sets as one workbook (``bekostiging case export``).

The layout is described in :mod:`bekostiging.io.excel`."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bekostiging.io.case import (
    SOURCE_COLUMN,
    SOURCE_LIST,
    TABLES,
    TableSpec,
    allowed_range,
    format_value,
    row_key,
    settings_rows,
    unit_of,
)
from bekostiging.io.cells import neutralise
from bekostiging.io.excel_layout import (
    COLUMN_SOURCE_LABEL,
    COLUMN_SOURCE_ROW,
    DESCRIPTION_ROW,
    EXPORTED_COLUMNS,
    EXPORTED_SHEET,
    HEADER_FILL,
    HEADER_FONT,
    HOUSING_COLUMN,
    INFLOW_KEYS,
    INFLOW_SHEET,
    KEY_COL,
    MAX_WIDTH,
    META_FONT,
    MIN_WIDTH,
    NOTES_HEADER,
    NOTES_SHEET,
    PROVENANCE_COLUMNS,
    SCENARIOS_SHEET,
    SECTION_COL,
    SET_COLUMN,
    SETS_SHEET,
    SETTINGS_COLUMNS,
    SETTINGS_SHEET,
    SOURCE_COL,
    SOURCES_SHEET,
    TABLE_HEADER_ROWS,
    UNIT_ROW,
    VALUE_COL,
    WIDTH_PADDING,
    WIDTH_SAMPLE_ROWS,
)
from bekostiging.io.scenarios import (
    SCENARIOS_COLUMNS,
)
from bekostiging.schema import Case, Category, ScenarioSet, field_unit


def _cell_value(value: Any) -> Any:
    """A Python value as an Excel cell value (enums by value, None as empty, text inert)."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, dict):  # a per-year mapping (published budget, price index): JSON text
        return json.dumps({str(k): v for k, v in value.items()})
    if isinstance(value, str):
        return neutralise(value)
    return value


THOUSANDS_FROM = 1000  # whole numbers from here on are shown with a thousands separator
THOUSANDS_FORMAT = "#,##0"  # display only: the value itself (read back by import) is unchanged


def _set(ws: Worksheet, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col, value=_cell_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text, never a formula
    elif (
        isinstance(cell.value, int | float)
        and not isinstance(cell.value, bool)
        and abs(cell.value) >= THOUSANDS_FROM
        and float(cell.value).is_integer()
    ):
        cell.number_format = THOUSANDS_FORMAT  # 37.940 persons, not 37940; no digit is hidden


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
    housing = any(s.housing_persons is not None for s in sets)  # the column only when a set has it
    inflow: list[list[Any]] = []
    for s in sets:
        index = [s.categories.index(Category(c)) if Category(c) in s.categories else None for c in categories]
        for s_i, info in enumerate(s.scenarios):
            for p_i, period in enumerate(s.periods):
                values = [
                    _whole(s.inflow_persons[s_i, p_i, c_i]) if c_i is not None else None for c_i in index
                ]
                row = [s.name, info.scenario, period, *values]
                if housing:
                    h = s.housing_persons
                    row.append(_whole(h[s_i, p_i]) if h is not None else None)
                inflow.append(row)
    extra = (HOUSING_COLUMN,) if housing else ()
    _write_rows(wb, INFLOW_SHEET, (SET_COLUMN, *INFLOW_KEYS, *categories, *extra), inflow)


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
    if scenario_set.housing_persons is not None:  # sets without housing keep their old fingerprint
        content.update(np.ascontiguousarray(scenario_set.housing_persons, dtype=np.float64).tobytes())
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
