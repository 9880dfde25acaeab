"""Reading the case's scenario sets back from the workbook (sheets ``scenario_sets``,
``scenarios``, ``inflow``)."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tomli_w
from openpyxl.utils import get_column_letter

from bekostiging.errors import InputErrors, InputProblem
from bekostiging.io.case import (
    format_value,
)
from bekostiging.io.excel_layout import (
    HOUSING_COLUMN,
    INFLOW_KEYS,
    INFLOW_SHEET,
    PROVENANCE_COLUMNS,
    SCENARIOS_SHEET,
    SET_COLUMN,
    SETS_SHEET,
    _cell_in,
    _text,
)
from bekostiging.io.scenarios import (
    HOUSING_COLUMNS,
    HOUSING_FILE,
    INFLOW_COLUMNS,
    INFLOW_FILE,
    PROVENANCE_FILE,
    SCENARIOS_COLUMNS,
    SCENARIOS_FILE,
    load_scenario_set,
)
from bekostiging.schema import Case, Category, ScenarioSet


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
    inflow_header = [_text(c.value) for c in next(wb[INFLOW_SHEET].iter_rows(min_row=1, max_row=1), ())]
    housing = (HOUSING_COLUMN,) if HOUSING_COLUMN in inflow_header else ()  # optional
    for sheet, columns, attr in (
        (SCENARIOS_SHEET, (SET_COLUMN, *SCENARIOS_COLUMNS), "scenarios"),
        (INFLOW_SHEET, (SET_COLUMN, *INFLOW_KEYS, *categories, *housing), "inflow"),
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
        housing = [cells for _, cells in inflow if cells.get(HOUSING_COLUMN) is not None]
        if housing:  # the set has a housing outflow per scenario and period
            with (folder / HOUSING_FILE).open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(HOUSING_COLUMNS)
                writer.writerows(
                    [_csv_text(c["scenario"]), _csv_text(c["period"]), _csv_text(c[HOUSING_COLUMN])]
                    for c in housing
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
    if problem.file == HOUSING_FILE:  # one housing row per inflow row, in the last column
        sheet, number = INFLOW_SHEET, None
        if line is not None and 2 <= line < len(rows.inflow or []) + 2:
            number = (rows.inflow or [])[line - 2][0]
            letter = get_column_letter(len((SET_COLUMN, *INFLOW_KEYS)) + n_categories + 1)
    column = f"{sheet}!{letter}{number}" if number is not None else sheet
    return replace(problem, file=f"{file} (set {name})", row=number, column=column)
