"""Excel workbooks: one sheet per table, frozen header row, units, number formats.

Text that came from inputs (scenario names, descriptions, settings, SOURCES)
can start with ``=``, ``+``, ``-`` or ``@``; Excel would run such a cell as a
formula. :func:`neutralise` (``bekostiging.io.cells``, shared with ``case export``)
prefixes it with an apostrophe and the cell is written as text, so nothing in a
workbook is ever a formula.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from bekostiging.budget import budget_wide
from bekostiging.io.cells import neutralise
from bekostiging.report.document import Document, Table, build_report, settings_with_sources
from bekostiging.report.i18n import GLOSSARY, Lang, term
from bekostiging.report.money import weights_table
from bekostiging.runs.store import RunRecord

SHEET_NAME_MAX = 31  # Excel's limit
HEADER_FILL = "E8EEF5"
COLUMN_WIDTH_MIN = 8
COLUMN_WIDTH_MAX = 60
WIDTH_SAMPLE_ROWS = 200  # column widths are estimated from the first rows only (large sheets)
INPUT_SHEET_PREFIX = "in-"

EUR_FORMAT = "#,##0"
NUMBER_FORMAT = "#,##0.0"
PERCENT_FORMAT = "0.0%"
INTEGER_FORMAT = "0"

# Result table → sheet name (Dutch, English).
SHEET_NAMES: dict[str, tuple[str, str]] = {
    "levers": ("Maatregelen", "Levers"),
    "plan": ("Plan", "Plan"),
    "funding": ("Financiering", "Funding"),
    "kpis": ("Indicatoren", "KPIs"),
    "costs": ("Kosten", "Costs"),
    "flows": ("Stromen", "Flows"),
    "scenarios": ("Scenario's", "Scenarios"),
    "budget": ("Kasuitgaven lang", "Cash long"),
    "reconciliation": ("Aansluiting begroting", "Reconciliation"),
    "reserve": ("Asielreserve", "Asielreserve"),
}
BUDGET_SHEETS = (  # the budget view wide, years as columns, as the budget's own tables
    ("constant", ("Begroting prijspeil", "Budget price year")),
    ("current", ("Begroting lopend", "Budget current prices")),
)
WEIGHTS_SHEET = ("Modelwegingen", "Model weights")
SUMMARY_SHEET = ("Samenvatting", "Summary")
SETTINGS_SHEET = ("Instellingen", "Settings")
PROVENANCE_SHEET = ("Herkomst", "Provenance")
CHANGED_SHEET = ("Gewijzigd", "Changed")  # values that differ from the shipped default case
GLOSSARY_SHEET = ("Begrippen", "Glossary")
PERCENT_COLUMNS = frozenset({"ratio", "probability"})
INTEGER_COLUMNS = frozenset({"year", "month"})


def _pick(names: tuple[str, str], lang: Lang) -> str:
    return names[0] if lang == "nl" else names[1]


@dataclass(frozen=True)
class Sheet:
    """A frame to write as one sheet; ``formats`` maps column → Excel number format."""

    name: str
    frame: pd.DataFrame
    formats: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)  # column → shown header


def column_format(column: str, frame: pd.DataFrame) -> str | None:
    """Number format for a column: euros whole, ratios as %, years plain, else one decimal."""
    if not pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(frame[column]):
        return None
    name = column.lower()
    if name in INTEGER_COLUMNS:
        return INTEGER_FORMAT
    if name in PERCENT_COLUMNS or name.endswith(("_rate", "_share")):
        return PERCENT_FORMAT
    if name.endswith("_eur") or "eur" in name.split("_"):
        return EUR_FORMAT
    if name == "value" and "unit" in frame.columns:
        return None  # per-row unit: formatted per row in _row_format
    return NUMBER_FORMAT


def _row_format(unit: str) -> str:
    u = unit.strip().lower()
    if u in ("eur", "€"):
        return EUR_FORMAT
    if u in ("ratio", "share", "probability"):
        return PERCENT_FORMAT
    return NUMBER_FORMAT


def write_workbook(sheets: Sequence[Sheet], path: Path) -> None:
    """Write ``sheets`` to ``path`` (write-only mode: large flows tables stay fast)."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")
    used: set[str] = set()
    for sheet in sheets:
        title = _unique_title(sheet.name, used)
        ws = wb.create_sheet(title)
        frame = sheet.frame
        cols = [str(c) for c in frame.columns]
        widths = [
            min(
                max(COLUMN_WIDTH_MIN, len(sheet.headers.get(c, c)) + 2, *_sample_lengths(frame[c])),
                COLUMN_WIDTH_MAX,
            )
            for c in cols
        ]
        for i, w in enumerate(widths):
            ws.column_dimensions[_col_letter(i)].width = w
        ws.freeze_panes = "A2"
        header = []
        for c in cols:
            cell = WriteOnlyCell(ws, value=neutralise(sheet.headers.get(c, c)))
            cell.data_type = "s"
            cell.font = bold
            cell.fill = fill
            cell.alignment = wrap
            header.append(cell)
        ws.append(header)
        formats = {c: sheet.formats.get(c) or column_format(c, frame) for c in cols}
        has_unit = "unit" in cols
        for row in frame.itertuples(index=False, name=None):
            cells = []
            unit = str(row[cols.index("unit")]) if has_unit else ""
            for c, v in zip(cols, row, strict=True):
                cells.append(
                    _cell(ws, v, formats[c] or (_row_format(unit) if has_unit and c == "value" else None))
                )
            ws.append(cells)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    os.replace(tmp, path)


def _cell(ws: object, value: object, number_format: str | None) -> WriteOnlyCell:
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=neutralise(value))
        cell.data_type = "s"  # never a formula, whatever the text
        return cell
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return WriteOnlyCell(ws, value=None)
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    cell = WriteOnlyCell(ws, value=value)
    if number_format and isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = number_format
    return cell


def _sample_lengths(series: pd.Series) -> list[int]:
    return [len(str(v)) for v in series.head(WIDTH_SAMPLE_ROWS)]


def _col_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _unique_title(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:SHEET_NAME_MAX] or "sheet"
    title, n = base, 1
    while title.lower() in used:
        n += 1
        suffix = f" ({n})"
        title = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    used.add(title.lower())
    return title


def _doc_table_sheet(name: str, table: Table) -> Sheet:
    return Sheet(name, pd.DataFrame(list(table.rows), columns=list(table.header)))


def _summary_frame(doc: Document) -> pd.DataFrame:
    """The report's first page as rows (text already formatted in the report language)."""
    from bekostiging.report.document import Heading, PageBreak, Paragraph

    rows: list[tuple[str, str]] = []
    for block in doc.blocks:
        if isinstance(block, PageBreak):
            break
        if isinstance(block, Heading):
            rows.append((block.text, ""))
        elif isinstance(block, Paragraph):
            rows.append(("", block.text))
        elif isinstance(block, Table):
            rows.append((block.title, ""))
            rows += [(str(r[0]), " ".join(str(c) for c in r[1:])) for r in block.rows]
    return pd.DataFrame(rows, columns=["", " "])


def report_sheets(record: RunRecord, lang: Lang, doc: Document | None = None) -> list[Sheet]:
    """Summary, one sheet per result table, settings with sources, provenance, glossary, inputs."""
    doc = doc or build_report(record, lang)
    sheets = [Sheet(_pick(SUMMARY_SHEET, lang), _summary_frame(doc))]
    for tname, frame in record.tables.items():
        names = SHEET_NAMES.get(tname, (tname, tname))
        headers = {c: term(c, lang) for c in frame.columns}
        sheets.append(Sheet(_pick(names, lang), frame, headers=headers))
    budget = record.table("budget")
    if not budget.empty:
        for prices, names in BUDGET_SHEETS:
            wide = budget_wide(budget, prices)
            heads = {c: term(c, lang) for c in ("article", "partner")}
            sheets.append(Sheet(_pick(names, lang), wide, headers=heads))
    settings = settings_with_sources(record.case_copy / "case.toml")
    if settings:
        sheets.append(Sheet(_pick(WEIGHTS_SHEET, lang), weights_table(settings, lang)))
        sheets.append(
            Sheet(
                _pick(SETTINGS_SHEET, lang),
                pd.DataFrame(settings, columns=[term("key", lang), term("value", lang), "Bron / source"]),
            )
        )
    from bekostiging.report.document import Heading

    section = ""
    for block in doc.blocks:  # headings and exhibit titles are numbered in the annex: match the ends
        if isinstance(block, Heading):
            section = block.text
        elif isinstance(block, Table) and section.endswith(term("provenance", lang)) and not block.title:
            sheets.append(_doc_table_sheet(_pick(PROVENANCE_SHEET, lang), block))
        elif isinstance(block, Table) and block.title.endswith(term("changed_values", lang)):
            sheets.append(_doc_table_sheet(_pick(CHANGED_SHEET, lang), block))
    sheets.append(
        Sheet(
            _pick(GLOSSARY_SHEET, lang),
            pd.DataFrame(list(GLOSSARY), columns=["Nederlands", "English", "Betekenis / meaning"]),
        )
    )
    sheets += input_sheets(record)
    return sheets


def input_sheets(record: RunRecord) -> list[Sheet]:
    """The stored input CSV files, one sheet each (``in-<file>``), read as text where not numeric."""
    out = []
    root = record.case_copy
    if not root.is_dir():
        return out
    for csv in sorted(root.rglob("*.csv")):
        rel = csv.relative_to(root)
        frame = pd.read_csv(csv, keep_default_na=False)
        out.append(Sheet(INPUT_SHEET_PREFIX + rel.stem, frame))
    return out


def write_report_xlsx(record: RunRecord, lang: Lang, path: Path, doc: Document | None = None) -> None:
    write_workbook(report_sheets(record, lang, doc), path)
