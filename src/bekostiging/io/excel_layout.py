"""The case workbook's layout: sheet names, header rows and columns (see :mod:`bekostiging.io.excel`)."""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Font, PatternFill

from bekostiging.io.cells import restore
from bekostiging.schema import Provenance

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
HOUSING_COLUMN = "housing_persons"  # optional last column of the inflow sheet: the set's housing.csv
EXPORTED_SHEET = "_exported"
EXPORTED_COLUMNS = ("path", "value", "source")
HEADER_FONT = Font(bold=True)
META_FONT = Font(italic=True, color="555555")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MIN_WIDTH, MAX_WIDTH = 10, 60  # column widths in characters
WIDTH_PADDING = 2
WIDTH_SAMPLE_ROWS = 200  # widths are estimated from the first rows (the inflow sheet is long)


def _text(value: Any) -> str:
    return "" if value is None else restore(str(value).strip())


def _cell_in(value: Any) -> Any:
    """A cell as read: text without surrounding space or the apostrophe of ``neutralise``."""
    if isinstance(value, str):
        value = restore(value.strip())
        return value or None
    return value
