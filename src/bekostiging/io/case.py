"""Read and write a case folder: ``case.toml`` plus five CSV tables.

Layout of a case folder::

    case.toml            settings (sections mirror ``schema.Settings``)
    initial_stocks.csv   stock,category,persons
    series.csv           period,housing_outflow_persons,permit_share,unsupervised_departure_share
    locations.csv        location,places,initially_open,max_open,opening_cost_eur,...
    mpp.csv              year,category,low,mid,high
    seasonality.csv      month,factor
    sources.csv          key,title,publisher,url,date,note (the source list; optional)
    notes.md             derivations of the estimates (markdown; optional)
    SOURCES.md           generated from the three above (``bekostiging case sources``)
    scenarios/<name>/    scenario sets (see ``bekostiging.io.scenarios``)

Sources are data: ``[sources]`` in ``case.toml`` maps a settings key path
(``ind.initial_fte``) or a table column (``series.permit_share``) to its source, and
every table may have a ``source`` column for its rows (see ``schema.source_problem``
for the forms a source takes).  Unknown paths and keys are input problems.

``load_case`` collects every problem before it raises ``InputErrors``: each names the
file, the row (CSV line, header = 1) and column, the field, the value found and what
is allowed (from the field's declared range and unit in ``schema.py``).  The Excel
loader (``bekostiging.io.excel``) feeds the same validation with sheet/cell locations.
"""

from __future__ import annotations

import csv
import difflib
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bekostiging.errors import InputErrors, InputProblem
from bekostiging.io.case_write import (
    has_sources,
    save_case,
    settings_rows,
    settings_toml,
    sources_toml,
    table_rows,
    written_columns,
)
from bekostiging.io.csvtext import csv_delimiter, decimal_point
from bekostiging.io.fields import (
    CLOSE_MATCH_CUTOFF,
    MAX_CLOSE_MATCHES,
    _found,
    allowed_range,
    field_at,
    translate_error,
    unit_of,
)
from bekostiging.io.layout import (
    CSV_ENCODING,
    NOTES_FILE,
    ROW_KEYS,
    SETTINGS_FILE,
    SOURCE_COLUMN,
    SOURCE_LIST,
    SOURCES_DOC,
    SOURCES_KEY,
    TABLE_BY_NAME,
    TABLES,
    TableSpec,
    format_value,
    row_key,
)
from bekostiging.schema import (
    DEFER_CHECKS,
    ROW_CHECKS,
    SETTINGS_TABLE,
    SOURCE_LIST_TABLE,
    Case,
    Settings,
    Violation,
    check_initial_occupancy,
    check_initial_stocks_unique,
    check_location_lead_times,
    check_location_names,
    check_mpp_coverage,
    check_seasonality,
    check_series_periods,
    check_source_list,
    check_sources,
    field_unit,
    is_numeric,
    settings_violations,
)

# --------------------------------------------------------------------------- raw input


@dataclass(frozen=True)
class RawRow:
    """One data row as read: its row number in the file and the cells by column."""

    number: int
    cells: dict[str, Any]


@dataclass
class RawTable:
    """A table as read from a CSV file or an Excel sheet, before validation.

    ``cell(row, column)`` gives the column text of a problem: the column name for
    CSV, ``"sheet!C5"`` for Excel.  ``problems`` holds what the reader already found
    (missing file, missing or unknown columns).
    """

    spec: TableSpec
    file: str
    rows: list[RawRow]
    cell: Callable[[int | None, str], str | None]
    problems: list[InputProblem] = field(default_factory=list)
    header_row: int = 1
    columns: tuple[str, ...] = ()  # the known columns the header has


@dataclass
class RawSettings:
    """Settings as read (nested mapping) and how to locate a key path in the source.

    ``locate(path, key_itself)`` gives (row, column) of the value, or of the key
    itself when the key is the problem (unknown key).
    """

    file: str
    data: dict[str, Any] | None
    locate: Callable[[str, bool], tuple[int | None, str | None]]
    problems: list[InputProblem] = field(default_factory=list)
    sources: dict[str, Any] = field(default_factory=dict)  # key path -> source text as read


# --------------------------------------------------------------------------- describing fields


# --------------------------------------------------------------------------- validation


@dataclass
class _TableResult:
    raw: RawTable
    rows: list[BaseModel | None]

    @property
    def complete(self) -> bool:
        return not self.raw.problems and all(r is not None for r in self.rows)

    def valid(self) -> list[BaseModel]:
        return [r for r in self.rows if r is not None]


def _validate_sources(raw: RawSettings) -> tuple[dict[str, str], list[InputProblem]]:
    """The [sources] texts; a value that is not text is a problem."""
    sources: dict[str, str] = {}
    problems: list[InputProblem] = []
    for path, value in raw.sources.items():
        if isinstance(value, str) and value.strip():
            sources[path] = value.strip()
        elif value is None or (isinstance(value, str) and not value.strip()):
            continue  # an empty source cell: no source given
        else:
            field_path = f"{SOURCES_KEY}.{path}"
            row, column = raw.locate(field_path, False)
            problems.append(InputProblem(raw.file, field_path, _found(value), "a source text", row, column))
    return sources, problems


def _validate_settings(raw: RawSettings) -> tuple[Settings | None, list[InputProblem]]:
    problems = list(raw.problems)
    if raw.data is None:
        return None, problems
    try:
        settings = Settings.model_validate(raw.data, context={DEFER_CHECKS: True})
    except ValidationError as exc:
        errors = exc.errors()
        unknown = {tuple(e["loc"][:-1]) for e in errors if e["loc"] and e["loc"][-1] == "[key]"}
        for err in errors:
            loc = tuple(err["loc"])
            if any(loc[: len(u)] == u and loc != (*u, "[key]") for u in unknown):
                continue  # fields of an unknown category section: the section is the problem
            path, found, allowed = translate_error(err, Settings, raw.data)
            row, column = raw.locate(path, err["type"] == "extra_forbidden")
            problems.append(InputProblem(raw.file, path, found, allowed, row, column))
        return None, problems
    for v in settings_violations(settings):
        row, column = raw.locate(v.field, False)
        problems.append(InputProblem(raw.file, v.field, v.found, v.allowed, row, column))
    return settings, problems


def _validate_table(raw: RawTable) -> tuple[_TableResult, list[InputProblem]]:
    problems = list(raw.problems)
    rows: list[BaseModel | None] = []
    model = raw.spec.model
    for raw_row in raw.rows:
        try:
            row = model.model_validate(raw_row.cells, context={DEFER_CHECKS: True})
        except ValidationError as exc:
            rows.append(None)
            for err in exc.errors():
                if err["type"] == "missing" and err["loc"] and err["loc"][0] not in raw.columns:
                    continue  # the missing column is reported once, on the header
                path, found, allowed = translate_error(err, model, raw_row.cells)
                column = str(err["loc"][0]) if err["loc"] else path
                problems.append(
                    InputProblem(
                        raw.file, path, found, allowed, raw_row.number, raw.cell(raw_row.number, column)
                    )
                )
            continue
        rows.append(row)
        check = ROW_CHECKS.get(raw.spec.name)
        if check is not None:
            problems += [_locate(v, raw, raw_row.number) for v in check(row)]
    return _TableResult(raw, rows), problems


def _locate(v: Violation, raw: RawTable, number: int | None) -> InputProblem:
    return InputProblem(raw.file, v.field, v.found, v.allowed, number, raw.cell(number, v.field))


def _locate_indexed(v: Violation, result: _TableResult) -> InputProblem:
    rows = result.raw.rows
    number = rows[v.index].number if v.index is not None else None
    if v.duplicate_of is not None:
        v = replace(v, allowed=f"{v.allowed} (already in row {rows[v.duplicate_of].number})")
    return _locate(v, result.raw, number)


def _table_problems(settings: Settings | None, tables: dict[str, _TableResult]) -> list[InputProblem]:
    """The rules that tie tables together, run wherever their inputs are complete."""
    done = {name for name, t in tables.items() if t.complete}
    found: list[Violation] = []
    rows = {name: tables[name].valid() for name in done}
    if "seasonality" in done:
        found += check_seasonality(rows["seasonality"])  # type: ignore[arg-type]
    if "locations" in done:
        found += check_location_names(rows["locations"])  # type: ignore[arg-type]
    if "initial_stocks" in done:
        found += check_initial_stocks_unique(rows["initial_stocks"])  # type: ignore[arg-type]
    if settings is not None:
        horizon = settings.horizon
        if "series" in done:
            found += check_series_periods(horizon, rows["series"])  # type: ignore[arg-type]
        if "mpp" in done:
            found += check_mpp_coverage(horizon, rows["mpp"])  # type: ignore[arg-type]
        if "locations" in done:
            found += check_location_lead_times(horizon, rows["locations"])  # type: ignore[arg-type]
        if {"initial_stocks", "locations"} <= done:
            found += check_initial_occupancy(
                settings,
                rows["initial_stocks"],  # type: ignore[arg-type]
                rows["locations"],  # type: ignore[arg-type]
            )
    return [_locate_indexed(v, tables[v.table]) for v in found]


def _source_problems(
    settings_raw: RawSettings,
    sources: dict[str, str],
    source_list: _TableResult | None,
    tables: dict[str, _TableResult],
) -> list[InputProblem]:
    """Unique keys in the source list; every source names a known path and cites known keys."""
    entries = source_list.valid() if source_list is not None else []
    found = check_source_list(entries)  # type: ignore[arg-type]
    rows = {name: tables[name].rows for name in tables}  # invalid rows are None: skipped
    found += check_sources(sources, entries, rows)  # type: ignore[arg-type]
    problems: list[InputProblem] = []
    for v in found:
        if v.table == SETTINGS_TABLE:
            row, column = settings_raw.locate(v.field, v.found == "(unknown key)")
            problems.append(InputProblem(settings_raw.file, v.field, v.found, v.allowed, row, column))
        elif v.table == SOURCE_LIST_TABLE and source_list is not None:
            problems.append(_locate_indexed(v, source_list))
        elif v.table in tables:
            problems.append(_locate_indexed(v, tables[v.table]))
    return problems


def build_case(
    settings_raw: RawSettings,
    tables_raw: Sequence[RawTable],
    source_list_raw: RawTable | None = None,
    notes: str = "",
) -> Case:
    """Validate raw settings, tables and sources into a ``Case``, or raise every problem at once."""
    settings, problems = _validate_settings(settings_raw)
    sources, source_text_problems = _validate_sources(settings_raw)
    problems += source_text_problems
    results: dict[str, _TableResult] = {}
    for raw in tables_raw:
        result, table_problems = _validate_table(raw)
        results[raw.spec.name] = result
        problems += table_problems
    source_list: _TableResult | None = None
    if source_list_raw is not None:
        source_list, list_problems = _validate_table(source_list_raw)
        problems += list_problems
    problems += _table_problems(settings, results)
    problems += _source_problems(settings_raw, sources, source_list, results)
    if problems or settings is None:
        raise InputErrors(problems)
    try:
        # Full validation, no checks deferred: a safety net for any rule not located above.
        return Case(
            settings=settings,
            **{name: tuple(r.valid()) for name, r in results.items()},
            sources=sources,
            source_list=tuple(source_list.valid()) if source_list is not None else (),  # type: ignore[arg-type]
            notes=notes,
        )
    except ValidationError as exc:
        raise InputErrors(
            [
                InputProblem(settings_raw.file, ".".join(map(str, e["loc"])) or "case", "", e["msg"])
                for e in exc.errors()
            ]
        ) from None


# --------------------------------------------------------------------------- reading a folder


_TOML_TABLE = re.compile(r"\s*\[([^\[\]]+)\]\s*(?:#.*)?$")
_TOML_KEY = re.compile(r"\s*([A-Za-z0-9_-]+)\s*=")


def toml_key_lines(text: str) -> dict[str, int]:
    """The line (1-based) of every ``[table]`` and ``key = …`` of a settings file, by key path.

    ``{"ind": 40, "ind.attrition_per_year": 45, …}``: enough to name the line of a
    problem in case.toml (plain tables and keys, as ``case init`` and the exporter write them).
    """
    lines: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), 1):
        header = _TOML_TABLE.match(line)
        if header:
            table = ".".join(part.strip().strip('"') for part in header.group(1).split("."))
            lines.setdefault(table, number)
            continue
        key = _TOML_KEY.match(line)
        if key:
            lines.setdefault(f"{table}.{key.group(1)}" if table else key.group(1), number)
    return lines


def _read_settings(path: Path) -> RawSettings:
    key_lines: dict[str, int] = {}

    def locate(key: str, key_itself: bool) -> tuple[int | None, str | None]:
        """The line of the key, else of the nearest table above it (a missing key's section)."""
        parts = key.split(".")
        for end in range(len(parts), 0, -1):
            line = key_lines.get(".".join(parts[:end]))
            if line is not None:
                return line, None
        return None, None

    file = path / SETTINGS_FILE
    raw = RawSettings(SETTINGS_FILE, None, locate)
    if not file.is_file():
        raw.problems.append(InputProblem(SETTINGS_FILE, "(file)", "(missing)", f"a settings file {file}"))
        return raw
    try:
        text = file.read_text(encoding=CSV_ENCODING)
        key_lines.update(toml_key_lines(text))
        raw.data = tomllib.loads(text)
        sources = raw.data.pop(SOURCES_KEY, {})
        if isinstance(sources, dict):
            raw.sources = flatten_sources(sources)
        else:
            raw.problems.append(
                InputProblem(SETTINGS_FILE, SOURCES_KEY, _found(sources), "a [sources] table")
            )
    except tomllib.TOMLDecodeError as exc:
        raw.problems.append(InputProblem(SETTINGS_FILE, "(syntax)", str(exc), "valid TOML"))
    except UnicodeDecodeError as exc:
        raw.problems.append(InputProblem(SETTINGS_FILE, "(encoding)", str(exc), "UTF-8 text"))
    return raw


def flatten_sources(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"ind": {"initial_fte": "S11"}}`` -> ``{"ind.initial_fte": "S11"}``."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_sources(value, path + "."))
        else:
            flat[path] = value
    return flat


def _clean_cell(text: str) -> str | None:
    text = text.strip()
    return text if text else None


def _cell_value(text: str, numeric: bool) -> str | None:
    """A cell's text; in a numeric column a decimal comma (Dutch Excel, ``0,6``) reads as a point."""
    cell = _clean_cell(text)
    return decimal_point(cell) if numeric and cell is not None else cell


def read_csv_table(path: Path, spec: TableSpec) -> RawTable:
    """Read one CSV table, noting missing files, missing/unknown columns and ragged rows."""
    raw = RawTable(spec, spec.file, [], lambda _row, column: column)
    numeric = {name for name, info in spec.model.model_fields.items() if is_numeric(info.annotation)}
    file = path / spec.file
    if not file.is_file():
        raw.problems.append(
            InputProblem(
                spec.file, "(file)", "(missing)", f"a CSV file with columns {','.join(spec.columns)}"
            )
        )
        return raw
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, delimiter=csv_delimiter(handle.readline()))
            handle.seek(0)
            header: list[str] | None = None
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                if header is None:
                    header = [c.strip() for c in cells]
                    raw.header_row = reader.line_num
                    raw.problems += header_problems(spec, header, spec.file, reader.line_num, None)
                    raw.columns = tuple(c for c in header if c in spec.columns)
                    continue
                if len(cells) > len(header):
                    raw.problems.append(
                        InputProblem(
                            spec.file,
                            "(row)",
                            f"{len(cells)} cells",
                            f"at most {len(header)} cells, one per column",
                            reader.line_num,
                        )
                    )
                values = {
                    name: _cell_value(cells[i], name in numeric) if i < len(cells) else None
                    for i, name in enumerate(header)
                    if name in spec.columns
                }
                raw.rows.append(RawRow(reader.line_num, values))
    except (UnicodeDecodeError, csv.Error) as exc:
        raw.problems.append(InputProblem(spec.file, "(file)", str(exc), "a UTF-8 CSV file"))
    if not raw.rows and not raw.problems:
        raw.problems.append(InputProblem(spec.file, "(rows)", "(none)", "at least one data row"))
    return raw


def header_problems(
    spec: TableSpec, header: list[str], file: str, row: int, cell: Callable[[str], str] | None
) -> list[InputProblem]:
    problems: list[InputProblem] = []
    for name in spec.required_columns:
        if name not in header:
            problems.append(
                InputProblem(
                    file,
                    name,
                    "(missing column)",
                    f"a column {name}: {allowed_range(spec.model.model_fields[name])}",
                    row,
                )
            )
    for i, name in enumerate(header):
        if name and name not in spec.columns:
            close = difflib.get_close_matches(name, spec.columns, MAX_CLOSE_MATCHES, CLOSE_MATCH_CUTOFF)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(
                InputProblem(
                    file,
                    name,
                    "(unknown column)",
                    f"columns {','.join(spec.columns)}{hint}",
                    row,
                    cell(name) if cell else None,
                )
            )
        if header.count(name) > 1 and header.index(name) != i:
            problems.append(InputProblem(file, name, "(duplicate column)", "each column once", row))
    return problems


def load_case(path: str | Path) -> Case:
    """Read a case folder into a validated ``Case``; raise ``InputErrors`` with every problem."""
    folder = Path(path)
    if not folder.is_dir():
        raise InputErrors(
            [
                InputProblem(
                    str(folder), "(case folder)", "(missing)", "a folder with case.toml and CSV tables"
                )
            ]
        )
    tables = [read_csv_table(folder, spec) for spec in TABLES]
    source_list = read_csv_table(folder, SOURCE_LIST) if (folder / SOURCE_LIST.file).is_file() else None
    notes_file = folder / NOTES_FILE
    notes = notes_file.read_text(encoding=CSV_ENCODING) if notes_file.is_file() else ""
    return build_case(_read_settings(folder), tables, source_list, notes)


# --------------------------------------------------------------------------- writing a folder


__all__ = [
    "CLOSE_MATCH_CUTOFF",
    "CSV_ENCODING",
    "MAX_CLOSE_MATCHES",
    "NOTES_FILE",
    "ROW_KEYS",
    "SETTINGS_FILE",
    "SETTINGS_TABLE",
    "SOURCES_DOC",
    "SOURCES_KEY",
    "SOURCE_COLUMN",
    "SOURCE_LIST",
    "TABLES",
    "TABLE_BY_NAME",
    "RawRow",
    "RawSettings",
    "RawTable",
    "TableSpec",
    "allowed_range",
    "build_case",
    "field_at",
    "field_unit",
    "format_value",
    "has_sources",
    "load_case",
    "row_key",
    "save_case",
    "settings_rows",
    "settings_toml",
    "sources_toml",
    "table_rows",
    "translate_error",
    "unit_of",
    "written_columns",
]
