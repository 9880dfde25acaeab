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
import enum
import tomllib
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import annotated_types
import tomli_w
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from bekostiging.errors import InputErrors, InputProblem
from bekostiging.io.csvtext import csv_delimiter, decimal_point
from bekostiging.schema import (
    DEFER_CHECKS,
    ROW_CHECKS,
    SETTINGS_TABLE,
    SOURCE_LIST_TABLE,
    Case,
    InitialStock,
    LocationType,
    MppRow,
    SeasonalityRow,
    SeriesRow,
    Settings,
    SourceEntry,
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
    column_paths,
    field_unit,
    is_numeric,
    settings_paths,
    settings_violations,
)

SETTINGS_FILE = "case.toml"
SOURCES_KEY = "sources"  # the [sources] table of case.toml
SOURCE_COLUMN = "source"  # the optional row-source column of every table
NOTES_FILE = "notes.md"
SOURCES_DOC = "SOURCES.md"
CSV_ENCODING = "utf-8"
MAX_CLOSE_MATCHES = 1  # suggestions offered for a misspelt key
CLOSE_MATCH_CUTOFF = 0.6  # difflib similarity needed to suggest a key


@dataclass(frozen=True)
class TableSpec:
    """A case table: its name (the ``Case`` field), file and row model."""

    name: str
    file: str
    model: type[BaseModel]

    @property
    def columns(self) -> list[str]:
        return list(self.model.model_fields)

    @property
    def required_columns(self) -> list[str]:
        """Columns a file must have (the row ``source`` column is optional)."""
        return [c for c in self.columns if c != SOURCE_COLUMN]


TABLES: tuple[TableSpec, ...] = (
    TableSpec("initial_stocks", "initial_stocks.csv", InitialStock),
    TableSpec("series", "series.csv", SeriesRow),
    TableSpec("locations", "locations.csv", LocationType),
    TableSpec("mpp", "mpp.csv", MppRow),
    TableSpec("seasonality", "seasonality.csv", SeasonalityRow),
)
TABLE_BY_NAME = {t.name: t for t in TABLES}
ROW_KEYS: dict[str, tuple[str, ...]] = {  # the columns that name a row of each table
    "initial_stocks": ("stock", "category"),
    "series": ("period",),
    "locations": ("location",),
    "mpp": ("year", "category"),
    "seasonality": ("month",),
}


def row_key(table: str, row: BaseModel) -> str:
    """The name of a table row, e.g. ``initial_stocks[ind_backlog/first]``, ``series[2026-03]``."""
    return f"{table}[{'/'.join(format_value(getattr(row, c)) for c in ROW_KEYS[table])}]"


SOURCE_LIST = TableSpec(SOURCE_LIST_TABLE, "sources.csv", SourceEntry)


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


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` → (X, True); anything else → (annotation, False)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def field_at(model: type[BaseModel], loc: Sequence[str | int]) -> FieldInfo | None:
    """The pydantic field a validation-error location points to, if any."""
    current: Any = model
    info: FieldInfo | None = None
    for part in loc:
        current, _ = _unwrap_optional(current)
        origin = typing.get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(part, str) or part not in current.model_fields:
                return None
            info = current.model_fields[part]
            current = info.annotation
        elif origin is dict:
            if part == "[key]":
                return None
            current = typing.get_args(current)[1]
            info = None
        elif origin in (tuple, list):
            current = typing.get_args(current)[0]
            info = None
        else:
            return None
    return info


def _kind(annotation: Any) -> str:
    annotation, optional = _unwrap_optional(annotation)
    origin = typing.get_origin(annotation)
    if annotation is bool:
        text = "true or false"
    elif annotation is int:
        text = "a whole number"
    elif annotation is float:
        text = "a number"
    elif annotation is str:
        text = "text"
    elif origin is typing.Literal:
        text = "one of " + ", ".join(str(a) for a in typing.get_args(annotation))
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        text = "one of " + ", ".join(str(m.value) for m in annotation)
    else:
        text = "a value"
    return text + (" or empty" if optional else "")


def _range(info: FieldInfo) -> str:
    parts: list[str] = []
    for meta in info.metadata:
        if isinstance(meta, annotated_types.Ge):
            parts.append(f"≥ {meta.ge:g}")
        elif isinstance(meta, annotated_types.Gt):
            parts.append(f"> {meta.gt:g}")
        elif isinstance(meta, annotated_types.Le):
            parts.append(f"≤ {meta.le:g}")
        elif isinstance(meta, annotated_types.Lt):
            parts.append(f"< {meta.lt:g}")
        elif isinstance(meta, annotated_types.MinLen) and meta.min_length > 0:
            parts.append("not empty")
    return " and ".join(parts)


def unit_of(info: FieldInfo) -> str:
    """The declared unit of a field (``""`` when it has none)."""
    extra = info.json_schema_extra
    return str(extra.get("unit", "")) if isinstance(extra, dict) else ""


def allowed_range(info: FieldInfo) -> str:
    """What a field allows, e.g. ``a number ≥ 0 and ≤ 0.5 (share per year)``."""
    text = _kind(info.annotation)
    bounds = _range(info)
    if bounds:
        text += f" {bounds}"
    unit = unit_of(info)
    if unit:
        text += f" ({unit})"
    return text


def _found(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, Mapping):
        return "(a section)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def translate_error(
    error: Mapping[str, Any], model: type[BaseModel], data: Mapping[str, Any] | None = None
) -> tuple[str, str, str]:
    """A pydantic error as (field path, value found, allowed)."""
    loc = tuple(error["loc"])
    kind = error["type"]
    if loc and loc[-1] == "[key]":
        path = ".".join(str(p) for p in loc[:-1])
        expected = (error.get("ctx") or {}).get("expected", "")
        return path, "(unknown section)", f"one of {expected}".replace("'", "")
    path = ".".join(str(p) for p in loc)
    info = field_at(model, loc)
    if kind == "missing":
        needed = allowed_range(info) if info is not None else "a section"
        desc = f" — {info.description}" if info is not None and info.description else ""
        return path, "(missing)", f"required: {needed}{desc}"
    if kind == "extra_forbidden":
        parent = field_at(model, loc[:-1]) if len(loc) > 1 else None
        parent_model = _model_of(parent.annotation) if parent is not None else None
        if len(loc) == 1:
            parent_model = model
        known = list(parent_model.model_fields) if parent_model is not None else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=MAX_CLOSE_MATCHES, cutoff=CLOSE_MATCH_CUTOFF)
        hint = f" (did you mean {close[0]}?)" if close else ""
        where = f"[{'.'.join(str(p) for p in loc[:-1])}]" if len(loc) > 1 else "the top level"
        return path, _found(error.get("input")), f"no such key in {where}{hint}"
    allowed = allowed_range(info) if info is not None else error["msg"]
    if kind == "finite_number":
        allowed = allowed.replace("a number", "a finite number", 1)
    return path, _found(error.get("input")), allowed


def _model_of(annotation: Any) -> type[BaseModel] | None:
    annotation, _ = _unwrap_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


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


def _read_settings(path: Path) -> RawSettings:
    def locate(key: str, key_itself: bool) -> tuple[int | None, str | None]:
        return None, None

    file = path / SETTINGS_FILE
    raw = RawSettings(SETTINGS_FILE, None, locate)
    if not file.is_file():
        raw.problems.append(InputProblem(SETTINGS_FILE, "(file)", "(missing)", f"a settings file {file}"))
        return raw
    try:
        raw.data = tomllib.loads(file.read_text(encoding=CSV_ENCODING))
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


def format_value(value: Any) -> str:
    """A cell as text: enums by value, whole floats without ``.0``, floats exactly."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def settings_rows(settings: Settings) -> list[tuple[str, str, Any, FieldInfo]]:
    """Every settings value as (section, key, value, field), in schema order.

    Category sections are ``categories.<name>``.
    """
    rows: list[tuple[str, str, Any, FieldInfo]] = []

    def add(section: str, obj: BaseModel) -> None:
        for key, info in type(obj).model_fields.items():
            rows.append((section, key, getattr(obj, key), info))

    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, dict):
            for key, sub in value.items():
                add(f"{name}.{format_value(key)}", sub)
        else:
            add(name, value)
    return rows


def _toml_scalar(key: str, value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, dict):  # a per-year mapping: one inline table (TOML keys are strings)
        items = ", ".join(_toml_scalar(str(k), v) for k, v in value.items())
        return f"{key} = {{ {items} }}" if items else f"{key} = {{}}"
    return tomli_w.dumps({key: value}).strip()


def sources_toml(sources: Mapping[str, str]) -> list[str]:
    """The ``[sources]`` tables of ``case.toml``: one table per section, in schema order."""
    order = {path: i for i, path in enumerate([*settings_paths(), *column_paths()])}
    lines: list[str] = []
    section = None
    for path in sorted(sources, key=lambda p: (order.get(p, len(order)), p)):
        parent, key = path.rsplit(".", 1) if "." in path else ("", path)
        if parent != section:
            lines += ["", f"[{SOURCES_KEY}.{parent}]" if parent else f"[{SOURCES_KEY}]"]
            section = parent
        lines.append(_toml_scalar(key, sources[path]))
    return lines


def settings_toml(settings: Settings, sources: Mapping[str, str] | None = None) -> str:
    """``case.toml`` text: every key, with its unit and allowed range as a comment.

    ``sources`` (key path or table column -> source) follow as ``[sources.<section>]`` tables.
    """
    lines = [
        "# bekostiging case settings. Units and allowed ranges are declared in",
        "# src/bekostiging/schema.py; `bekostiging validate` checks this file.",
        "# The source of every value is in the [sources] tables at the end (keys of sources.csv",
        "# or 'estimate: reasoning'); SOURCES.md is generated from them.",
    ]
    section = None
    for sec, key, value, info in settings_rows(settings):
        if sec != section:
            lines += ["", f"[{sec}]"]
            section = sec
        if value is None:
            lines.append(f"# {key} = (not set): {allowed_range(info)}")
            continue
        comment = allowed_range(info)
        lines.append(f"{_toml_scalar(key, value)}  # {comment}")
    lines += sources_toml(sources or {})
    return "\n".join(lines) + "\n"


def written_columns(rows: Sequence[BaseModel], spec: TableSpec) -> list[str]:
    """The columns a table is written with: ``source`` only when some row has one."""
    if spec.model is SourceEntry or any(getattr(r, SOURCE_COLUMN, None) for r in rows):
        return spec.columns
    return spec.required_columns


def table_rows(case: Case, spec: TableSpec) -> list[list[Any]]:
    """The rows of a case table as lists of values in column order."""
    return [[getattr(row, c) for c in spec.columns] for row in getattr(case, spec.name)]


def _write_csv(file: Path, rows: Sequence[BaseModel], spec: TableSpec) -> None:
    columns = written_columns(rows, spec)
    with file.open("w", newline="", encoding=CSV_ENCODING) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([format_value(getattr(row, c)) for c in columns])


def has_sources(case: Case) -> bool:
    """Whether the case carries any source data (then SOURCES.md is written with it)."""
    rows = (r for spec in TABLES for r in getattr(case, spec.name))
    return bool(case.sources or case.source_list or case.notes or any(r.source for r in rows))  # type: ignore[attr-defined]


def save_case(case: Case, path: str | Path) -> Path:
    """Write a case in the folder format; refuse an existing non-empty folder.

    With sources, also ``sources.csv`` and ``notes.md``; ``bekostiging.io.sources.save_case_folder``
    adds the generated ``SOURCES.md``.
    """
    folder = Path(path)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(f"{folder} exists and is not an empty folder; choose a new one")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SETTINGS_FILE).write_text(settings_toml(case.settings, case.sources), encoding=CSV_ENCODING)
    for spec in TABLES:
        _write_csv(folder / spec.file, getattr(case, spec.name), spec)
    if case.source_list:
        _write_csv(folder / SOURCE_LIST.file, case.source_list, SOURCE_LIST)
    if case.notes:
        (folder / NOTES_FILE).write_text(case.notes, encoding=CSV_ENCODING)
    return folder


__all__ = [
    "SETTINGS_FILE",
    "SETTINGS_TABLE",
    "TABLES",
    "RawRow",
    "RawSettings",
    "RawTable",
    "TableSpec",
    "allowed_range",
    "build_case",
    "field_unit",
    "format_value",
    "load_case",
    "save_case",
    "settings_rows",
]
