"""Read ``data/history/`` into a validated :class:`History`; every problem at once.

Each CSV row is validated by its pydantic model; a bad cell becomes an
:class:`~bekostiging.errors.InputProblem` naming file, row, column, the value
found and what is allowed. Cross-table rules: every source key used must be in
``sources.csv``; the key columns of a table (year + category, …) are unique.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bekostiging import shipped
from bekostiging.errors import InputErrors, InputProblem
from bekostiging.history.schema import (
    CoaFigure,
    History,
    HousingFigure,
    IndFigure,
    InflowPeriod,
    InflowYear,
    MppVintage,
    Source,
    Spending,
)

DEFAULT_HISTORY = None  # load_history() without a folder reads the shipped data/history
FIRST_DATA_LINE = 2  # CSV line of the first data row (header = line 1)

# file name -> (row model, key columns that must be unique)
TABLES: dict[str, tuple[type[BaseModel], tuple[str, ...]]] = {
    "sources.csv": (Source, ("key",)),
    "inflow_yearly.csv": (InflowYear, ("year", "category")),
    "inflow_periodic.csv": (InflowPeriod, ("period", "category")),
    "coa.csv": (CoaFigure, ("date", "measure")),
    "ind.csv": (IndFigure, ("date", "measure", "category")),
    "mpp_vintages.csv": (MppVintage, ("published", "document", "target_year")),
    "spending.csv": (Spending, ("year", "partner", "measure")),
    "housing.csv": (HousingFigure, ("period", "measure")),
}
OPTIONAL_TABLES = frozenset({"housing.csv"})  # added later: a history folder without it is complete
SOURCES_FILE = "sources.csv"
TEXT_COLUMNS = frozenset({"status", "source", "note", "title"})  # empty text stays ""


def _allowed(model: type[BaseModel], column: str, message: str) -> str:
    field = model.model_fields.get(column)
    if field is not None and field.description:
        return f"{message} ({field.description})"
    return message


def _read_table(folder: Path, name: str, problems: list[InputProblem]) -> list[tuple[int, BaseModel]]:
    model, keys = TABLES[name]
    path = folder / name
    columns = list(model.model_fields)
    if not path.is_file() and name in OPTIONAL_TABLES:
        return []
    if not path.is_file():
        problems.append(InputProblem(name, "file", "missing", f"a CSV file {name} in {folder}"))
        return []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            unknown = [h for h in header if h not in columns]
            required = [c for c, f in model.model_fields.items() if f.is_required()]
            missing = [c for c in required if c not in header]
            if unknown or missing:
                problems.append(
                    InputProblem(
                        name,
                        "header",
                        ",".join(header) or "(empty)",
                        f"columns {','.join(columns)} (required: {','.join(required)})",
                        row=1,
                    )
                )
                return []
            lines = list(enumerate(reader, start=FIRST_DATA_LINE))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        problems.append(InputProblem(name, "file", f"unreadable ({exc})", "a UTF-8 CSV file"))
        return []
    rows: list[tuple[int, BaseModel]] = []
    seen: dict[tuple[str, ...], int] = {}
    for line, values in lines:
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(
                InputProblem(
                    name, "row", f"{len(values)} values", f"{len(header)} values, one per column", row=line
                )
            )
            continue
        record: dict[str, Any] = {}
        for column, raw in zip(header, values, strict=True):
            text = raw.strip()
            field = model.model_fields[column]
            empty_is_none = text == "" and not field.is_required() and column not in TEXT_COLUMNS
            record[column] = None if empty_is_none else text
        key = tuple(str(record.get(k)) for k in keys)
        if key in seen:
            problems.append(
                InputProblem(
                    name,
                    "row",
                    "/".join(key),
                    f"each {' x '.join(keys)} once (first on row {seen[key]})",
                    row=line,
                )
            )
            continue
        seen[key] = line
        try:
            rows.append((line, model.model_validate({k: v for k, v in record.items() if v is not None})))
        except ValidationError as exc:
            for err in exc.errors():
                column = ".".join(str(p) for p in err["loc"]) or "row"
                found = record.get(column) if column in record else "(row)"
                problems.append(
                    InputProblem(
                        name,
                        column,
                        "(empty)" if found in {None, ""} else str(found),
                        _allowed(model, column, err["msg"]),
                        row=line,
                        column=column,
                    )
                )
    return rows


def load_history(path: Path | str | None = DEFAULT_HISTORY) -> History:
    """Read a history folder (default: the shipped ``data/history``); raise
    :class:`InputErrors` listing every problem."""
    folder = Path(path) if path is not None else shipped.history_dir()
    if not folder.is_dir():
        raise InputErrors(
            [InputProblem(str(folder), "history", "no such folder", f"a folder with {', '.join(TABLES)}")]
        )
    problems: list[InputProblem] = []
    tables = {name: _read_table(folder, name, problems) for name in TABLES}
    keys = {row.key for _, row in tables[SOURCES_FILE] if isinstance(row, Source)}
    for name, rows in tables.items():
        if name == SOURCES_FILE:
            continue
        for line, row in rows:
            source = getattr(row, "source", "")
            if source and source not in keys:
                problems.append(
                    InputProblem(
                        name, "source", source, f"a key of {SOURCES_FILE}", row=line, column="source"
                    )
                )
    if problems:
        raise InputErrors(problems)

    def rows_of(name: str) -> tuple[Any, ...]:
        return tuple(row for _, row in tables[name])

    return History(
        sources=rows_of("sources.csv"),
        inflow_yearly=rows_of("inflow_yearly.csv"),
        inflow_periodic=rows_of("inflow_periodic.csv"),
        coa=rows_of("coa.csv"),
        ind=rows_of("ind.csv"),
        mpp_vintages=rows_of("mpp_vintages.csv"),
        spending=rows_of("spending.csv"),
        housing=rows_of("housing.csv"),
    )


def table_names() -> Sequence[str]:
    """The CSV files of a history folder."""
    return tuple(TABLES)
