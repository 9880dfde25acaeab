"""The files of a case folder: their names, the tables with their row models and key columns,
and a value written as a cell.

Part of :mod:`bekostiging.io.case` (which re-exports every name); the folder layout is in its
docstring.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from bekostiging.schema import (
    SOURCE_LIST_TABLE,
    InitialStock,
    LocationType,
    MppRow,
    SeasonalityRow,
    SeriesRow,
    SourceEntry,
)

SETTINGS_FILE = "case.toml"


SOURCES_KEY = "sources"  # the [sources] table of case.toml


SOURCE_COLUMN = "source"  # the optional row-source column of every table


NOTES_FILE = "notes.md"


SOURCES_DOC = "SOURCES.md"


CSV_ENCODING = "utf-8"


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
