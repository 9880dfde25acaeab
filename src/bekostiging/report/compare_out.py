"""A comparison of runs to the terminal, as an HTML page and as an Excel workbook."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from bekostiging.report import charts
from bekostiging.report.analysis import value_title
from bekostiging.report.compare import Comparison
from bekostiging.report.document import Block, Document, Heading, Image, Paragraph, Table
from bekostiging.report.i18n import EUR_MILLION, Lang, fmt_percent, fmt_unit_value, stage_term, term
from bekostiging.report.render import to_html
from bekostiging.report.xlsx import Sheet, write_workbook

FILE_STEM = {"nl": "vergelijking", "en": "comparison"}
CHANGE_TOLERANCE = 1e-9  # a relative difference below this is shown as unchanged (rounding)
TERMINAL_MAX_INPUT_ROWS = 60  # the full list is in the HTML and Excel files


def _formatter_for(unit: str) -> Callable[[float | None, Lang], str]:
    return lambda v, lang: fmt_unit_value(v, unit, lang)


def _formatted(frame: pd.DataFrame, cmp: Comparison, keys: list[str], unit_of, lang: Lang) -> pd.DataFrame:
    """Keys translated, values and Δ in their unit, Δ% as percent."""
    deltas = frame[[f"Δ {lab}" for lab in cmp.labels[1:]]].abs().fillna(0.0)
    changed = (
        deltas > CHANGE_TOLERANCE * frame[list(cmp.labels)].abs().max(axis=1).fillna(0.0).to_numpy()[:, None]
    ).any(axis=1)
    out = pd.DataFrame({term("changed", lang): ["●" if c else "" for c in changed]})
    for k in keys:
        name = stage_term if k == "stage" else (lambda v, lg: term(str(v), lg))
        out[term(k, lang)] = [name(v, lang) for v in frame[k]]
    for i, label in enumerate(cmp.labels):
        out[label] = [unit_of(row)(row[label], lang) for _, row in frame.iterrows()]
        if i > 0:
            out[f"Δ {label}"] = [unit_of(row)(row[f"Δ {label}"], lang) for _, row in frame.iterrows()]
            out[f"Δ% {label}"] = [fmt_percent(v, lang) for v in frame[f"Δ% {label}"]]
    return out


def comparison_tables(cmp: Comparison, lang: Lang) -> list[tuple[str, pd.DataFrame]]:
    """(title, formatted frame) for every section, in order."""
    out = []
    if not cmp.levers.empty:
        out.append(
            (
                term("levers_table", lang),
                _formatted(cmp.levers, cmp, ["lever"], lambda r: _formatter_for(r["unit"]), lang),
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
                    lambda r: _formatter_for("ratio" if r["measure"] == "ratio" else "EUR"),
                    lang,
                ),
            )
        )
    if not cmp.kpis.empty:
        out.append(
            (
                term("expected_kpis", lang),
                _formatted(cmp.kpis, cmp, ["kpi"], lambda r: _formatter_for(r["unit"]), lang),
            )
        )
    if not cmp.value.empty:
        out.append(
            (
                value_title(lang),
                _formatted(cmp.value, cmp, ["measure"], lambda r: _formatter_for(r["unit"]), lang),
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
                    lambda r: _formatter_for("EUR"),
                    lang,
                ),
            )
        )
    return out


def _input_frame(cmp: Comparison, lang: Lang) -> pd.DataFrame:
    frame = cmp.inputs.copy()
    frame.columns = [term(c, lang) for c in frame.columns]
    return frame


def comparison_text(cmp: Comparison, lang: Lang) -> str:
    lines = [term("compare_title", lang)]
    for label, run_id, status in zip(cmp.labels, cmp.run_ids, cmp.statuses, strict=True):
        lines.append(f"  {label}: {run_id} ({status})")
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
    rows = tuple((lab, rid, st) for lab, rid, st in zip(cmp.labels, cmp.run_ids, cmp.statuses, strict=True))
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


def comparison_sheets(cmp: Comparison, lang: Lang) -> list[Sheet]:
    """Raw numbers (not text) per section, so finance staff can compute with them."""
    names = {
        "levers": ("Maatregelen", "Levers"),
        "funding": ("Financiering", "Funding"),
        "kpis": ("Indicatoren", "KPIs"),
        "costs": ("Kosten", "Costs"),
        "inputs": ("Invoerverschillen", "Input differences"),
        "cost_per_year": ("Kosten per jaar", "Cost per year"),
        "backlog_per_year": ("Voorraad per jaar", "Backlog per year"),
    }
    sheets = []
    for key, (nl, en) in names.items():
        frame: pd.DataFrame = getattr(cmp, key)
        formats = {c: "0.0%" for c in frame.columns if str(c).startswith("Δ%")}
        headers = {c: term(str(c), lang) for c in frame.columns}
        sheets.append(Sheet(nl if lang == "nl" else en, frame, formats=formats, headers=headers))
    return sheets


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
    write_workbook(comparison_sheets(cmp, lang), xlsx_path)
    return [html_path, xlsx_path]


__all__ = ["comparison_document", "comparison_sheets", "comparison_text", "write_comparison"]
