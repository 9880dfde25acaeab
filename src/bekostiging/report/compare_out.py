"""A comparison of runs to the terminal, as an HTML page and as an Excel workbook."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from bekostiging.report import charts
from bekostiging.report.analysis import value_title
from bekostiging.report.compare import (
    COLUMN_MARK,
    FILE_ADDED,
    FILE_REMOVED,
    MORE,
    ROW_ADDED,
    ROW_REMOVED,
    RUN_SETTINGS_FILE,
    TEXT_CHANGED,
    Comparison,
)
from bekostiging.report.document import Block, Document, Heading, Image, Paragraph, Table
from bekostiging.report.i18n import (
    EUR_MILLION,
    TERMS,
    Lang,
    fmt_eur_million,
    fmt_percent,
    fmt_unit_delta,
    fmt_unit_value,
    stage_term,
    status_word,
    term,
    unit_kind,
    unit_words,
)
from bekostiging.report.money import kpi_label
from bekostiging.report.render import to_html
from bekostiging.report.workbook import Sheet, write_workbook

FILE_STEM = {"nl": "vergelijking", "en": "comparison"}
CHANGE_TOLERANCE = 1e-9  # a relative difference below this is shown as unchanged (rounding)
TERMINAL_MAX_INPUT_ROWS = 60  # the full list is in the HTML and Excel files


def _word(value: object, lang: Lang) -> str:
    return term(str(value), lang)


# keys that have words of their own: a KPI as kpi_label names it (weights, valuations, start
# and end states, as show and the workbook do), a stage as stage_term; the rest by term
_KEY_WORDS: dict[str, Callable[..., str]] = {"kpi": kpi_label, "stage": stage_term}


def _cell(value: float | None, unit: str, lang: Lang, other: Callable[[float | None, str, Lang], str]) -> str:
    """A value or Δ in its unit; money always in € mln, as the rest of its column (``€ 0,6 mln``,
    not ``€ 628.104``, as the workbook's € mln cells show it), other units by ``other``."""
    if unit_kind(unit) == "money":
        return fmt_eur_million(value, lang)
    return other(value, unit, lang)


def _formatted(
    frame: pd.DataFrame, cmp: Comparison, keys: list[str], unit_of: Callable[[pd.Series], str], lang: Lang
) -> pd.DataFrame:
    """Keys translated, values in their unit, Δ in their unit (a ratio's in percentage points),
    Δ% as percent."""
    deltas = frame[[f"Δ {lab}" for lab in cmp.labels[1:]]].abs().fillna(0.0)
    changed = (
        deltas > CHANGE_TOLERANCE * frame[list(cmp.labels)].abs().max(axis=1).fillna(0.0).to_numpy()[:, None]
    ).any(axis=1)
    out = pd.DataFrame({term("changed", lang): ["●" if c else "" for c in changed]})
    for k in keys:
        out[term(k, lang)] = [_KEY_WORDS.get(k, _word)(v, lang) for v in frame[k]]
    for i, label in enumerate(cmp.labels):
        out[label] = [_cell(row[label], unit_of(row), lang, fmt_unit_value) for _, row in frame.iterrows()]
        if i > 0:
            out[f"Δ {label}"] = [
                _cell(row[f"Δ {label}"], unit_of(row), lang, fmt_unit_delta) for _, row in frame.iterrows()
            ]
            out[f"Δ% {label}"] = [fmt_percent(v, lang) for v in frame[f"Δ% {label}"]]
    return out


def comparison_tables(cmp: Comparison, lang: Lang) -> list[tuple[str, pd.DataFrame]]:
    """(title, formatted frame) for every section, in order."""
    out = []
    if not cmp.levers.empty:
        out.append(
            (
                term("levers_table", lang),
                _formatted(cmp.levers, cmp, ["lever"], lambda r: str(r["unit"]), lang),
            )
        )
    if not cmp.funding.empty:
        out.append(
            (
                term("funding_table", lang),
                _formatted(
                    cmp.funding,
                    cmp,
                    ["partner", "year", "measure"],
                    lambda r: FUNDING_MEASURES.get(str(r["measure"]), "EUR"),
                    lang,
                ),
            )
        )
    if not cmp.kpis.empty:
        out.append(
            (
                term("expected_kpis", lang),
                _formatted(cmp.kpis, cmp, ["kpi"], lambda r: str(r["unit"]), lang),
            )
        )
    if not cmp.value.empty:
        out.append(
            (
                value_title(lang),
                _formatted(cmp.value, cmp, ["measure"], lambda r: str(r["unit"]), lang),
            )
        )
    if not cmp.costs.empty:
        out.append(
            (
                term("cost_breakdown", lang),
                _formatted(
                    cmp.costs,
                    cmp,
                    ["kind", "partner", "component", "stage"],
                    lambda r: "EUR",
                    lang,
                ),
            )
        )
    return out


# the input differences' markers and a setting's true/false in words (nl, en); keys, file names
# and other values stay as the files write them
INPUT_CELL_WORDS = {
    RUN_SETTINGS_FILE: ("(instellingen van de run)", RUN_SETTINGS_FILE),
    ROW_ADDED: ("(rij toegevoegd)", ROW_ADDED),
    ROW_REMOVED: ("(rij verwijderd)", ROW_REMOVED),
    FILE_ADDED: ("(bestand toegevoegd)", FILE_ADDED),
    FILE_REMOVED: ("(bestand verwijderd)", FILE_REMOVED),
    TEXT_CHANGED: ("(tekst gewijzigd)", TEXT_CHANGED),
    MORE: ("(meer)", MORE),
    COLUMN_MARK: ("(kolom)", COLUMN_MARK),
    "True": ("ja", "True"),
    "False": ("nee", "False"),
}


def _input_cells(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The input differences with their markers in ``lang`` (whole cells only)."""
    if frame.empty:
        return frame.copy()
    words = {k: _pick(pair, lang) for k, pair in INPUT_CELL_WORDS.items()}
    return frame.apply(lambda col: col.map(lambda v: words.get(v, v) if isinstance(v, str) else v))


def _input_frame(cmp: Comparison, lang: Lang) -> pd.DataFrame:
    frame = _input_cells(cmp.inputs, lang)
    frame.columns = [term(c, lang) for c in frame.columns]
    return frame


def comparison_text(cmp: Comparison, lang: Lang) -> str:
    lines = [term("compare_title", lang)]
    for label, run_id, status in zip(cmp.labels, cmp.run_ids, cmp.statuses, strict=True):
        lines.append(f"  {label}: {run_id} ({status_word(status, lang)})")
    lines += ["", term("differences_vs_first", lang)]
    for title, frame in comparison_tables(cmp, lang):
        lines += ["", title, frame.to_string(index=False)]
    lines += ["", term("input_differences", lang)]
    if cmp.inputs.empty:
        lines.append(term("no_input_differences", lang))
    else:
        shown = _input_frame(cmp, lang)
        lines.append(shown.head(TERMINAL_MAX_INPUT_ROWS).to_string(index=False))
        if len(shown) > TERMINAL_MAX_INPUT_ROWS:
            lines.append(term("more_differences", lang).format(n=len(shown) - TERMINAL_MAX_INPUT_ROWS))
    return "\n".join(lines)


def comparison_document(cmp: Comparison, lang: Lang) -> Document:
    blocks: list[Block] = []
    rows = tuple(
        (lab, rid, status_word(st, lang))
        for lab, rid, st in zip(cmp.labels, cmp.run_ids, cmp.statuses, strict=True)
    )
    blocks.append(Table(term("run", lang), (term("run", lang), "id", term("status", lang)), rows))
    blocks.append(Paragraph(term("differences_vs_first", lang)))
    for title, frame in comparison_tables(cmp, lang):
        text_cols = {term(k, lang) for k in ("year", "measure", "kind", "component", "stage")}
        numeric = tuple(i >= 2 and str(c) not in text_cols for i, c in enumerate(frame.columns))
        blocks.append(
            Table(
                title,
                tuple(map(str, frame.columns)),
                tuple(tuple(map(str, r)) for r in frame.itertuples(index=False)),
                numeric,
                small=True,
            )
        )
    blocks.append(Heading(term("input_differences", lang)))
    if cmp.inputs.empty:
        blocks.append(Paragraph(term("no_input_differences", lang)))
    else:
        f = _input_frame(cmp, lang)
        blocks.append(
            Table(
                term("input_differences", lang),
                tuple(f.columns),
                tuple(tuple(map(str, r)) for r in f.itertuples(index=False)),
                small=True,
            )
        )
    blocks.append(Heading(term("charts", lang)))
    for frame, title, ylabel, scale in (
        (cmp.cost_per_year, "chart_compare_cost", "eur_million", EUR_MILLION),
        (cmp.backlog_per_year, "chart_compare_backlog", "persons", 1.0),
    ):
        png = charts.per_year_lines(frame, title, ylabel, lang, scale)
        if png is not None:
            blocks.append(Image(term(title, lang), png))
    return Document(term("compare_title", lang), " · ".join(cmp.run_ids), lang, tuple(blocks))


SHEET_NAMES = {  # section → sheet (Dutch, English)
    "levers": ("Maatregelen", "Levers"),
    "funding": ("Financiering", "Funding"),
    "kpis": ("Indicatoren", "Indicators"),
    "value": ("Waarde van informatie", "Value of information"),
    "costs": ("Kosten", "Costs"),
    "cost_per_year": ("Kasuitgaven per jaar", "Cash per year"),
    "backlog_per_year": ("Voorraad per jaar", "Backlog per year"),
    "runs": ("Runs", "Runs"),
    "inputs": ("Technisch invoerverschillen", "Technical input differences"),
}
FUNDING_MEASURES = {"budget_eur": "EUR", "ratio": "ratio"}  # funding rows: measure → unit


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang == "nl" else pair[1]


def _row_unit(unit: str, lang: Lang) -> tuple[str, str, float]:
    """(unit shown, number format, divisor) of a row: money in € mln, ratios in %, else a count."""
    from bekostiging.report.workbook import COUNT, DECIMAL, MILLIONS, PERCENT
    from bekostiging.report.workbook import unit as unit_word

    kind = unit_kind(unit)
    if kind == "money":
        return unit_word("mln", lang), MILLIONS, EUR_MILLION
    if kind == "percent":
        return unit_word("percent", lang), PERCENT, 1.0
    u = unit.strip()
    shown = term(u, lang) if u in TERMS else unit_words(u, lang)
    return shown, DECIMAL if u.upper() == "FTE" else COUNT, 1.0


def _side_sheet(
    section: str,
    frame: pd.DataFrame,
    cmp: Comparison,
    keys: list[tuple[str, str, Callable]],
    units: pd.Series,
    lang: Lang,
) -> Sheet:
    """Keys in words, the unit, every run's value, and Δ and Δ% against the first run, as numbers."""
    from bekostiging.report.workbook import PER_ROW, PERCENT, Column, points_format
    from bekostiging.report.workbook import unit as unit_word

    shown_units = [_row_unit(str(u), lang) for u in units]
    # a difference of ratios in percentage points (5.0 formatted "+5,0 procentpunt"), not 0.05 as 5.0%
    shares = pd.Series([unit_kind(str(u)) == "percent" for u in units], index=frame.index)
    delta_scale = shares.map({True: 100.0, False: 1.0}).astype(float)
    delta_formats = tuple(
        points_format(lang) if share else f for share, (_u, f, _d) in zip(shares, shown_units, strict=True)
    )
    by_column: dict[str, tuple[str, ...]] = {}
    out = pd.DataFrame({k: [name(v, lang) for v in frame[k]] for k, _h, name in keys})
    out["unit"] = [u for u, _f, _s in shown_units]
    per_row = unit_word("per_row", lang)
    columns = [Column(k, head) for k, head, _n in keys]
    columns.append(Column("unit", term("unit", lang)))
    # a ratio row's values are in %, its Δ in percentage points: a unit column of its own for the Δ
    # (the unit column said % for both), where the sheet has such rows
    delta_per_row = per_row
    if shares.any() and len(cmp.labels) > 1:
        points = unit_word("points", lang)
        own = out["unit"].tolist()
        out["delta_unit"] = [points if share else u for share, u in zip(shares, own, strict=True)]
        columns.append(Column("delta_unit", f"{term('unit', lang)} Δ"))
        delta_per_row = unit_word("per_row_delta", lang)
    divisors = pd.Series([d for _u, _f, d in shown_units], index=frame.index, dtype=float)
    for i, label in enumerate(cmp.labels):
        out[label] = (frame[label].astype(float) / divisors).to_numpy()
        columns.append(Column(label, label, per_row, PER_ROW))
        if i > 0:
            out[f"Δ {label}"] = (frame[f"Δ {label}"].astype(float) / divisors * delta_scale).to_numpy()
            by_column[f"Δ {label}"] = delta_formats
            out[f"Δ% {label}"] = frame[f"Δ% {label}"].astype(float).to_numpy()
            columns.append(Column(f"Δ {label}", f"Δ {label}", delta_per_row, PER_ROW))
            columns.append(Column(f"Δ% {label}", f"Δ% {label}", unit_word("percent", lang), PERCENT))
    return Sheet(
        _pick(SHEET_NAMES[section], lang),
        out,
        tuple(columns),
        keys=len(keys) + (2 if "delta_unit" in out.columns else 1),
        row_formats=tuple(f for _u, f, _d in shown_units),
        column_row_formats=by_column,
    )


def _per_year_sheet(section: str, frame: pd.DataFrame, what: str, lang: Lang, money: bool) -> Sheet | None:
    """A per-run, per-year table with the years as columns."""
    from bekostiging.report.workbook import COUNT, MILLIONS, Column
    from bekostiging.report.workbook import unit as unit_word

    if frame.empty:
        return None
    wide = frame.pivot_table(index="run", columns="year", values="value", aggfunc="sum", sort=False)
    years = [int(y) for y in wide.columns]
    out = pd.DataFrame({"run": [str(r) for r in wide.index]})
    for y in years:
        out[str(y)] = (wide[y].astype(float) / (EUR_MILLION if money else 1.0)).to_numpy()
    shown = unit_word("mln", lang) if money else what
    columns = (
        Column("run", term("run", lang)),
        *(Column(str(y), str(y), shown, MILLIONS if money else COUNT) for y in years),
    )
    return Sheet(_pick(SHEET_NAMES[section], lang), out, columns)


def _runs_sheet(cmp: Comparison, lang: Lang) -> Sheet:
    from bekostiging.report.workbook import Column

    frame = pd.DataFrame(
        {
            "label": list(cmp.labels),
            "run_id": list(cmp.run_ids),
            "status": [status_word(s, lang) for s in cmp.statuses],
        }
    )
    return Sheet(
        _pick(SHEET_NAMES["runs"], lang),
        frame,
        (Column("label", term("run", lang)), Column("run_id", "Id"), Column("status", term("status", lang))),
    )


def comparison_sheets(cmp: Comparison, lang: Lang) -> list[Sheet]:
    """Numbers as numbers (money in € mln, ratios in %), keys in words, Δ and Δ% per later run;
    the input differences (file names and keys of the model) on a technical sheet."""
    from bekostiging.report.workbook import Column

    sheets: list[Sheet | None] = [_runs_sheet(cmp, lang)]
    if not cmp.levers.empty:
        keys = [("lever", term("lever", lang), _word)]
        sheets.append(_side_sheet("levers", cmp.levers, cmp, keys, cmp.levers["unit"], lang))
    if not cmp.funding.empty:
        keys = [
            ("partner", term("partner", lang), _word),
            ("year", term("year", lang), lambda v, _lang: int(v)),
            ("measure", term("measure", lang), _word),
        ]
        units = cmp.funding["measure"].map(FUNDING_MEASURES).fillna("")
        sheets.append(_side_sheet("funding", cmp.funding, cmp, keys, units, lang))
    if not cmp.kpis.empty:
        keys = [("kpi", term("kpi", lang), kpi_label)]
        sheets.append(_side_sheet("kpis", cmp.kpis, cmp, keys, cmp.kpis["unit"], lang))
    if not cmp.value.empty:
        keys = [("measure", term("measure", lang), lambda v, lg: term(f"measure_{v}", lg))]
        sheets.append(_side_sheet("value", cmp.value, cmp, keys, cmp.value["unit"], lang))
    if not cmp.costs.empty:
        keys = [
            ("kind", term("kind", lang), _word),
            ("partner", term("partner", lang), _word),
            ("component", term("component", lang), _word),
            ("stage", term("stage", lang), stage_term),
        ]
        units = pd.Series(["EUR"] * len(cmp.costs), index=cmp.costs.index)
        sheets.append(_side_sheet("costs", cmp.costs, cmp, keys, units, lang))
    sheets.append(_per_year_sheet("cost_per_year", cmp.cost_per_year, "", lang, money=True))
    sheets.append(
        _per_year_sheet("backlog_per_year", cmp.backlog_per_year, term("persons", lang), lang, money=False)
    )
    inputs = _input_cells(cmp.inputs, lang)
    sheets.append(
        Sheet(
            _pick(SHEET_NAMES["inputs"], lang),
            inputs,
            tuple(Column(str(c), term(str(c), lang)) for c in inputs.columns),
            technical=True,
        )
    )
    return [s for s in sheets if s is not None]


def write_comparison(cmp: Comparison, lang: Lang, out_dir: Path, overwrite: bool = False) -> list[Path]:
    """Write ``vergelijking.html`` / ``.xlsx`` (``comparison.*`` in English) to ``out_dir``."""
    stem = FILE_STEM[lang]
    html_path, xlsx_path = out_dir / f"{stem}.html", out_dir / f"{stem}.xlsx"
    for p in (html_path, xlsx_path):
        if p.exists() and not overwrite:
            raise FileExistsError(f"{p} exists; choose another --out folder or pass --overwrite")
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = html_path.with_name(f".{html_path.name}.tmp")
    tmp.write_text(to_html(comparison_document(cmp, lang)), encoding="utf-8")
    os.replace(tmp, html_path)
    write_workbook(comparison_sheets(cmp, lang), xlsx_path, lang)
    return [html_path, xlsx_path]


__all__ = ["comparison_document", "comparison_sheets", "comparison_text", "write_comparison"]
