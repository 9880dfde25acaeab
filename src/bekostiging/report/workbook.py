"""Every workbook the tool writes for a reader goes through :func:`write_workbook`.

One layout for all of them (the annex workbook, ``options.xlsx``, the comparison),
so a finance officer finds the same things in the same place:

- row 1 the column headers, row 2 the units (``€ mln``, ``%``, ``personen`` …); a text
  column has an empty unit cell, so a filled unit cell means the column holds numbers;
- data from row 3: numbers are stored as numbers with a number format (thousands
  separator, € mln with one decimal, percentages as ``0,0%``), never as text;
- the autofilter on the units row, panes frozen below it and right of the label columns;
- printed landscape, one page wide, the two header rows repeated on every page;
- *technical* sheets (raw tables with the codes of the model, ``Technisch …``) have a
  grey tab, so the user-facing sheets stay free of internal codes.

Text that came from inputs can start with ``=``, ``+``, ``-`` or ``@``; Excel would run
such a cell as a formula. :func:`neutralise` (``bekostiging.io.cells``, shared with
``case export``) prefixes it with an apostrophe and the cell is written as text, so
nothing in a workbook is ever a formula.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bekostiging.io.cells import neutralise
from bekostiging.report.i18n import POINTS_WORD, Lang

SHEET_NAME_MAX = 31  # Excel's limit
HEADER_FILL = "DCE6F1"
UNIT_FILL = "F2F5F9"
TECHNICAL_TAB = "A6A6A6"  # grey tab: a sheet with the model's own codes
COLUMN_WIDTH_MIN = 8
COLUMN_WIDTH_MAX = 60
NUMBER_WIDTH = 13  # a number column: room for "-12.345.678,9"
WIDTH_SAMPLE_ROWS = 200  # text column widths are estimated from the first rows only (large sheets)
HEADER_ROWS = 2  # headers, units
FIRST_DATA_ROW = HEADER_ROWS + 1
PAPER_A4 = "9"
FONT = "Calibri"  # the body font of a new workbook; headers in the same face
LINE_HEIGHT_PT = 15.0  # one line of 11 pt text  # the page-setup code of A4 (ECMA-376)

# Number formats. The codes are locale-neutral: a Dutch Excel or Calc shows 1.234,5.
MILLIONS = "#,##0.0"  # € mln with one decimal
EUROS = "#,##0"  # whole euros
COUNT = "#,##0"  # persons, places, case-months …
DECIMAL = "#,##0.0"  # FTE, means
PRECISE = "#,##0.00"  # weights per euro and other small settings
PERCENT = "0.0%"
YEAR = "0"
PER_ROW = "per-row"  # a column whose rows each have their own format (Sheet.row_formats)

EUR_PER_MILLION = 1e6


def points_format(lang: Lang) -> str:
    """Percentage points, signed: 5.0 shows ``+5,0 procentpunt`` (nl) / ``+5.0 pp`` (en)."""
    word = POINTS_WORD[lang]
    return f'+0.0" {word}";-0.0" {word}";0.0" {word}"'


# Units row words shared by the writers.
UNITS: dict[str, tuple[str, str]] = {
    "mln": ("€ mln", "€ million"),
    "eur": ("€", "€"),
    "percent": ("%", "%"),
    "persons": ("personen", "persons"),
    "places": ("plaatsen", "places"),
    "fte": ("fte", "FTE"),
    "year": ("jaar", "year"),
    "number": ("aantal", "number"),
    "per_row": ("zie kolom Eenheid", "see column Unit"),
    "per_row_delta": ("zie kolom Eenheid Δ", "see column Unit Δ"),  # Δ of a sheet with ratio rows
    "points": (POINTS_WORD["nl"], POINTS_WORD["en"]),  # a difference of two percentages
    "case-months": ("zaak-maanden", "case-months"),
    "person-days": ("persoonsdagen", "person-days"),
    "place-months": ("plaats-maanden", "place-months"),
}


def unit(key: str, lang: Lang) -> str:
    """A units-row word in ``lang`` (``mln`` → ``€ mln``)."""
    nl, en = UNITS[key]
    return nl if lang == "nl" else en


def millions(value: object) -> float | None:
    """Euros as € million (missing stays missing)."""
    number = as_number(value)
    return None if number is None else number / EUR_PER_MILLION


def as_number(value: object) -> float | None:
    """A finite float, or ``None`` for missing, text or infinite values."""
    if value is None or isinstance(value, bool | str):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the frame's ``key``, its header, its unit, its number format.

    An empty ``unit`` marks a text column; a number column always names its unit.
    """

    key: str
    header: str
    unit: str = ""
    fmt: str | None = None


@dataclass(frozen=True)
class Sheet:
    """A frame to write as one sheet.

    ``columns`` choose, name and format the frame's columns; without them every column
    is written under its own name with a format and unit guessed from the name (for
    technical sheets). ``keys`` label columns stay in view when scrolling right;
    ``row_formats`` give the number format of every data row for columns whose format
    is :data:`PER_ROW` (a table of mixed units with a unit column).
    """

    name: str
    frame: pd.DataFrame
    columns: tuple[Column, ...] = ()
    keys: int = 1
    technical: bool = False
    row_formats: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)  # technical sheets: column → header
    # per-row formats of one PER_ROW column, where they differ from row_formats (a Δ column whose
    # ratio rows are in percentage points): column key → a format per data row
    column_row_formats: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


# --------------------------------------------------------------------------- guessed columns

PERCENT_NAMES = frozenset({"ratio", "probability", "share", "gap"})
YEAR_NAMES = frozenset({"year", "model_year", "month"})


def guessed_column(name: str, frame: pd.DataFrame, lang: Lang, header: str | None = None) -> Column:
    """A column of a technical sheet: a number format and unit from its name and type."""
    series = frame[name]
    shown = header or name
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return Column(name, shown)
    low = str(name).lower()
    if low in YEAR_NAMES:
        return Column(name, shown, unit("year", lang), YEAR)
    if low in PERCENT_NAMES or low.endswith(("_rate", "_share")):
        return Column(name, shown, unit("percent", lang), PERCENT)
    if low.endswith("_eur") or "eur" in low.split("_"):
        return Column(name, shown, unit("eur", lang), EUROS)
    if low.endswith("_pct"):
        return Column(name, shown, "%", DECIMAL)
    if low == "value" and "unit" in frame.columns:
        return Column(name, shown, unit("per_row", lang), PER_ROW)
    return Column(name, shown, unit("number", lang), PRECISE)


def unit_format(unit_text: str) -> str:
    """The number format of a row whose unit column says ``unit_text`` (technical sheets)."""
    u = str(unit_text).strip().lower()
    if u.startswith(("eur", "€")):
        return EUROS
    if u in ("ratio", "share", "probability", "fraction") or " / " in u:
        return PERCENT
    return PRECISE


def _columns(sheet: Sheet, lang: Lang) -> tuple[Column, ...]:
    if sheet.columns:
        return sheet.columns
    return tuple(
        guessed_column(str(c), sheet.frame, lang, sheet.headers.get(str(c))) for c in sheet.frame.columns
    )


def _row_formats(sheet: Sheet, columns: Sequence[Column]) -> tuple[str, ...]:
    if sheet.row_formats:
        return sheet.row_formats
    if any(c.fmt == PER_ROW for c in columns) and "unit" in sheet.frame.columns:
        return tuple(unit_format(u) for u in sheet.frame["unit"])
    return ()


# --------------------------------------------------------------------------- writing


def write_workbook(sheets: Sequence[Sheet], path: Path, lang: Lang = "nl") -> None:
    """Write ``sheets`` to ``path`` atomically (write-only mode: large technical tables stay fast)."""
    wb = Workbook(write_only=True)
    used: set[str] = set()
    for sheet in sheets:
        _write_sheet(wb, sheet, _unique_title(sheet.name, used), lang)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_sheet(wb: Workbook, sheet: Sheet, title: str, lang: Lang) -> None:
    ws = wb.create_sheet(title)
    frame = sheet.frame
    columns = _columns(sheet, lang)
    rows = len(frame)
    width = max(len(columns), 1)
    last = get_column_letter(width)
    for i, col in enumerate(columns):
        ws.column_dimensions[get_column_letter(i + 1)].width = _width(col, frame)
    keys = min(max(sheet.keys, 0), len(columns) - 1) if columns else 0
    ws.freeze_panes = f"{get_column_letter(keys + 1)}{FIRST_DATA_ROW}"
    if rows:
        ws.auto_filter.ref = f"A{HEADER_ROWS}:{last}{HEADER_ROWS + rows}"
    if sheet.technical:
        ws.sheet_properties.tabColor = TECHNICAL_TAB
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{HEADER_ROWS}"
    head_font = Font(name=FONT, bold=True)
    unit_font = Font(name=FONT, italic=True, color="404040")
    head_fill = PatternFill("solid", fgColor=HEADER_FILL)
    unit_fill = PatternFill("solid", fgColor=UNIT_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    after_number = Alignment(wrap_text=True, vertical="top", indent=1)  # text right of a number
    widths = [_width(col, frame) for col in columns]
    for number, (texts, font, fill) in enumerate(
        (
            ([c.header for c in columns], head_font, head_fill),
            ([c.unit for c in columns], unit_font, unit_fill),
        ),
        start=1,
    ):
        _fit_height(ws, number, texts, widths)
        cells = []
        for text in texts:
            cell = WriteOnlyCell(ws, value=neutralise(str(text)) if text else None)
            if text:
                cell.data_type = "s"
            cell.font, cell.fill, cell.alignment = font, fill, wrap
            cells.append(cell)
        ws.append(cells)
    row_formats = _row_formats(sheet, columns)
    data = [frame[c.key].tolist() if c.key in frame.columns else [None] * rows for c in columns]
    texts = [i for i, col in enumerate(columns) if not col.unit]
    for r in range(rows):
        if not sheet.technical:  # wrapped texts get the height they need (Calc does not grow rows)
            _fit_height(ws, FIRST_DATA_ROW + r, [data[i][r] for i in texts], [widths[i] for i in texts])
        cells = []
        for i, (col, values) in enumerate(zip(columns, data, strict=True)):
            fmt = col.fmt
            if fmt == PER_ROW:
                formats = sheet.column_row_formats.get(col.key, row_formats)
                fmt = formats[r] if r < len(formats) else None
            cell = _cell(ws, values[r], fmt, numeric=bool(col.unit))
            if not sheet.technical:  # long texts (budget articles, notes) wrap; numbers sit beside them
                follows_number = i > 0 and bool(columns[i - 1].unit)
                cell.alignment = top if col.unit else (after_number if follows_number else wrap)
            cells.append(cell)
        ws.append(cells)


def _fit_height(ws: object, row: int, texts: Sequence[object], widths: Sequence[float]) -> None:
    """Give ``row`` the height of its longest wrapped text (lines of the column's width)."""
    lines = 1
    for text, width in zip(texts, widths, strict=True):
        if isinstance(text, str) and text:
            per_line = max(int(width) - 1, 1)
            lines = max(lines, sum(math.ceil(max(len(part), 1) / per_line) for part in text.split("\n")))
    if lines > 1:
        ws.row_dimensions[row].height = LINE_HEIGHT_PT * lines  # type: ignore[attr-defined]


def _cell(ws: object, value: object, number_format: str | None, numeric: bool) -> WriteOnlyCell:
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or value is pd.NA:
        return WriteOnlyCell(ws, value=None)
    if isinstance(value, pd.Timestamp):
        value = value.isoformat()
    if isinstance(value, str):
        if numeric and not value.strip():
            return WriteOnlyCell(ws, value=None)  # an empty text in a number column is no value
        cell = WriteOnlyCell(ws, value=neutralise(value))
        cell.data_type = "s"  # never a formula, whatever the text
        return cell
    cell = WriteOnlyCell(ws, value=value)
    if number_format and isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = number_format
    return cell


def _width(col: Column, frame: pd.DataFrame) -> float:
    head = max((len(w) for w in col.header.split()), default=0) + 2
    if col.unit:
        return float(min(max(COLUMN_WIDTH_MIN, head, len(col.unit) + 2, NUMBER_WIDTH), COLUMN_WIDTH_MAX))
    sample = frame[col.key].head(WIDTH_SAMPLE_ROWS) if col.key in frame.columns else []
    longest = max((len(str(v)) for v in sample), default=0)
    return float(min(max(COLUMN_WIDTH_MIN, head, longest + 2), COLUMN_WIDTH_MAX))


def _unique_title(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:SHEET_NAME_MAX].strip("'") or "sheet"
    title, n = base, 1
    while title.lower() in used:
        n += 1
        suffix = f" ({n})"
        title = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    used.add(title.lower())
    return title


__all__ = [
    "COUNT",
    "DECIMAL",
    "EUROS",
    "MILLIONS",
    "PERCENT",
    "PER_ROW",
    "PRECISE",
    "YEAR",
    "Column",
    "Sheet",
    "as_number",
    "millions",
    "points_format",
    "unit",
    "write_workbook",
]
