"""Every workbook the tool writes for a reader (issue 11 §4, §5): what a person's eye would check.

The annex workbook (nl and en), the comparison (nl and en) and ``options.xlsx`` are written
from synthetic runs (``synthetic_runs``; numbers by hand there) and checked cell by cell:

- row 1 headers, row 2 units, data from row 3; panes frozen below the units, an autofilter;
- every cell under a column with a unit (``€ mln``, ``%``, ``personen`` …), and under any header
  that names an amount or a year, is a number (or empty), never text, with a number format;
- user sheets (not the grey ``Technisch …`` ones) hold no code such as ``asielreserve_eur`` or
  ``Hire[ind,0]``, no amount written as text (``€ 784,7 mln``), and no formula anywhere;
- money is in € mln with one decimal, ratios as %, the years as columns.

A slow test opens each workbook in LibreOffice (``soffice --headless --convert-to pdf``): skipped
where LibreOffice is missing, a failure under ``CI=true``.
"""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from bekostiging.cli.options import options_frame, options_sheets
from bekostiging.report import write_report
from bekostiging.report.compare import compare_runs, side_by_side
from bekostiging.report.compare_out import write_comparison
from bekostiging.report.workbook import MILLIONS, PERCENT, TECHNICAL_TAB, write_workbook
from bekostiging.runs.store import read_run, write_run
from synthetic_runs import FakeSolution, make_case, make_tables
from tools import LIBREOFFICE, require_tool

SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")  # asielreserve_eur, weight_late_cases
SOLVER_VARIABLE = re.compile(r"\b[A-Z][A-Za-z]+\[[^\]]*\]")  # Hire[ind,0]
TEXT_AMOUNT = re.compile(r"€\s?-?\d[\d.,]*\s?(mln|million)?")  # an amount written as text
AMOUNT_HEADER = re.compile(r"(_eur$|€|\bbedrag\b|\bamount\b|^\d{4}$|^Δ)", re.IGNORECASE)
SOFFICE_TIMEOUT_S = 300  # a cold LibreOffice start on a loaded machine
MONEY_A = 800e6 / 2 / 1e6  # stage-1 cost per year of run A in € mln (synthetic_runs: 8 x 100 m over 2 years)


# --------------------------------------------------------------------------- the checker


def _is_technical(ws) -> bool:
    color = ws.sheet_properties.tabColor
    return color is not None and str(color.rgb).upper().endswith(TECHNICAL_TAB)


def workbook_problems(path: Path) -> list[str]:
    """Everything a spreadsheet user would trip over, one line per problem (empty: none)."""
    wb = openpyxl.load_workbook(path)
    problems: list[str] = []
    for ws in wb.worksheets:
        where = f"{path.name}:{ws.title}"
        rows = list(ws.iter_rows())
        if len(rows) < 2:
            problems.append(f"{where}: no header and units rows")
            continue
        headers, units = rows[0], rows[1]
        if not str(ws.freeze_panes or "").endswith("3"):
            problems.append(f"{where}: panes not frozen below the units row ({ws.freeze_panes})")
        if len(rows) > 2 and not ws.auto_filter.ref:
            problems.append(f"{where}: no autofilter")
        user = not _is_technical(ws)
        for col, (head, unit) in enumerate(zip(headers, units, strict=False)):
            name = str(head.value or "")
            if not name:
                problems.append(f"{where}: column {col + 1} has no header")
            numeric = bool(unit.value) or bool(AMOUNT_HEADER.search(name))
            if user and (SNAKE.search(name) or SOLVER_VARIABLE.search(name)):
                problems.append(f"{where}: code in header {name!r}")
            for row in rows[2:]:
                cell = row[col]
                value = cell.value
                if cell.data_type == "f":
                    problems.append(f"{where}!{cell.coordinate}: a formula")
                if numeric and value is not None and not isinstance(value, int | float):
                    problems.append(f"{where}!{cell.coordinate}: text {value!r} under {name!r}")
                if numeric and isinstance(value, int | float) and cell.number_format == "General":
                    problems.append(f"{where}!{cell.coordinate}: number without a format under {name!r}")
                if user and isinstance(value, str):
                    if SNAKE.search(value) or SOLVER_VARIABLE.search(value):
                        problems.append(f"{where}!{cell.coordinate}: code {value!r}")
                    if TEXT_AMOUNT.fullmatch(value.strip()):
                        problems.append(f"{where}!{cell.coordinate}: amount as text {value!r}")
    return problems


def _sheet(path: Path, name: str) -> pd.DataFrame:
    """A sheet as a frame: row 1 the header, data from row 3."""
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[2:], columns=[str(h) for h in rows[0]])


def _format_of(path: Path, sheet: str, header: str, row: int = 3) -> str:
    ws = openpyxl.load_workbook(path)[sheet]
    heads = [c.value for c in ws[1]]
    return ws.cell(row=row, column=heads.index(header) + 1).number_format


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("wb-runs")
    a = make_case(root / "a")
    b = make_case(root / "b", penalty=5000.0)
    pa = write_run(
        FakeSolution(make_tables()),
        case_dir=a[0],
        scenarios_dir=a[1],
        runs_dir=root / "runs",
        name="a",
        seed=1,
    )
    pb = write_run(
        FakeSolution(make_tables(flexpool_fte=80.0, cost_scale=1.1)),
        case_dir=b[0],
        scenarios_dir=b[1],
        runs_dir=root / "runs",
        name="b",
        seed=1,
    )
    return pa, pb


def _options_table() -> pd.DataFrame:
    """Three presets; status-quo the reference (numbers by hand: cash 1,000 / 900 / 1,100 € mln)."""
    rows = []
    for i, (name, cash) in enumerate((("status-quo", 1000e6), ("flexpool", 900e6), ("boven-mpp", 1100e6))):
        row: dict[str, object] = {
            "preset": name,
            "run_id": f"20261130-000000-{name}-abcdef",
            "status": "optimal",
            "gap": 0.001 * (i + 1),
            "expected_cash_eur": cash,
            "p90_cash_eur": cash * 1.2,
            "late_case_months": 1000.0 * (3 - i),
            "emergency_place_months": 500.0 * i,
            "supplementary_funding_eur": 10e6 * i,
            "backlog_end_persons": 20000.0 + 1000 * i,
            "weights_eur": 50e6,
            "end_state_value_eur": 5e6,
            "objective_eur": cash + 55e6,
            "cash_spending_eur": cash,
            "weight_late_cases_eur": 20e6,
            "weight_registration_queue_eur": 10e6,
            "weight_supplementary_funding_eur": 10e6,
            "weight_unspent_budget_eur": 5e6,
            "weight_asielreserve_eur": 5e6,
        }
        rows.append(row)
    return options_frame(rows, "status-quo")


@pytest.fixture(scope="module")
def workbooks(runs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every kind of workbook, in both languages where it has two."""
    from bekostiging.analytics.weights import weight_sensitivity

    out = tmp_path_factory.mktemp("wb")
    pa, pb = runs
    books: dict[str, Path] = {}
    for lang in ("nl", "en"):
        (annex,) = write_report(read_run(pa), ["xlsx"], lang, out / f"annex-{lang}")
        books[f"annex-{lang}"] = annex
        cmp = compare_runs([read_run(pa), read_run(pb)])
        books[f"compare-{lang}"] = write_comparison(cmp, lang, out / f"compare-{lang}")[1]
        frame = _options_table()
        path = out / f"options-{lang}.xlsx"
        write_workbook(options_sheets(frame, weight_sensitivity(frame), lang), path, lang)
        books[f"options-{lang}"] = path
    return books


# --------------------------------------------------------------------------- every workbook


@pytest.mark.unit
@pytest.mark.parametrize(
    "kind", ["annex-nl", "annex-en", "compare-nl", "compare-en", "options-nl", "options-en"]
)
def test_every_workbook_has_numbers_units_filters_and_no_codes(workbooks, kind) -> None:
    assert workbook_problems(workbooks[kind]) == []


@pytest.mark.unit
def test_checker_catches_text_amounts_codes_and_missing_units(tmp_path: Path) -> None:
    """The checker itself: a workbook with each fault is reported for each of them."""
    from bekostiging.report.workbook import Column, Sheet

    frame = pd.DataFrame({"what": ["asielreserve_eur", "Hire[ind,0]"], "amount": ["€ 784,7 mln", 1.0]})
    bad = tmp_path / "bad.xlsx"
    write_workbook([Sheet("x", frame, (Column("what", "Wat"), Column("amount", "Bedrag", "€ mln")))], bad)
    problems = "\n".join(workbook_problems(bad))
    assert "code 'asielreserve_eur'" in problems
    assert "code 'Hire[ind,0]'" in problems
    assert "text '€ 784,7 mln' under 'Bedrag'" in problems


# --------------------------------------------------------------------------- the annex workbook


@pytest.mark.unit
def test_annex_workbook_dutch_sheets_money_in_millions_years_as_columns(workbooks) -> None:
    path = workbooks["annex-nl"]
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    for sheet in (
        "Inhoud",
        "Samenvatting",
        "Plan",
        "Financiering",
        "Kosten",
        "Indicatoren",
        "Stromen",
    ):
        assert sheet in names, sheet
    user = [n for n in names if not n.startswith("Technisch")]
    assert names[: len(user)] == user  # the technical sheets come last
    assert all(_is_technical(wb[n]) for n in names if n.startswith("Technisch"))
    costs = _sheet(path, "Kosten")
    assert {"2026", "2027", "Totaal"} <= set(costs.columns)  # years as columns
    cash = costs[(costs["Soort"] == "Kasuitgaven") & (costs["Kostenpost"] == "Structureel (capaciteit)")]
    # stage 1: 100 m per partner and year (synthetic_runs), the same in every scenario
    assert cash["2026"].tolist() == pytest.approx([100.0] * len(cash))
    assert _format_of(path, "Kosten", "2026") == MILLIONS
    units = [c.value for c in wb["Kosten"][2]]
    assert units[3] == "€ mln"


@pytest.mark.unit
def test_annex_workbook_summary_holds_numbers_not_text(workbooks) -> None:
    path = workbooks["annex-nl"]
    summary = _sheet(path, "Samenvatting").set_index("Onderwerp")
    assert summary.loc["Flexibele pool medewerkers (gem. fte)", "Waarde"] == pytest.approx(50.0)
    # the asylum reserve deposit: 100 m over the horizon (synthetic_runs) → 100.0 € mln
    row = summary.loc["Asielreserve: storting over de horizon"]
    assert (row["Waarde"], row["Eenheid"]) == (pytest.approx(100.0), "€ mln")
    ratio = summary.loc["Financiering t.o.v. MPP-raming"]
    assert ratio["Eenheid"] == "%" and 0.5 < ratio["Waarde"] < 2.0  # a fraction shown as %
    ws = openpyxl.load_workbook(path)["Samenvatting"]
    fmt = {r[0].value: r[1].number_format for r in ws.iter_rows(min_row=3) if r[0].value}
    assert fmt["Financiering t.o.v. MPP-raming"] == PERCENT
    assert fmt["Asielreserve: storting over de horizon"] == MILLIONS


@pytest.mark.unit
def test_annex_workbook_flows_summarised_per_year(workbooks, runs) -> None:
    """Flows per year (expected), not one row per scenario and month; the inflow sums by hand."""
    flows = _sheet(workbooks["annex-nl"], "Stromen")
    record = read_run(runs[0])
    assert len(flows) < len(record.table("flows")) / 10
    inflow = flows[(flows["Grootheid"] == "Instroom")]
    # synthetic_runs: 3,000 persons a month in "mid", x0.5 / x2 in low / high → E = 1.125 x 3,000 x 12
    total = inflow["2026"].sum()
    expected = record.table("flows").query("quantity == 'inflow' and year == 2026")
    p = record.table("scenarios").set_index("scenario")["probability"]
    assert total == pytest.approx(float((expected["value"] * expected["scenario"].map(p)).sum()))


@pytest.mark.unit
def test_annex_workbook_english(workbooks) -> None:
    wb = openpyxl.load_workbook(workbooks["annex-en"])
    assert wb.sheetnames[:3] == ["Contents", "Summary", "Funding"]
    assert "Glossary" in wb.sheetnames
    assert any(n.startswith("Technical ") for n in wb.sheetnames)
    texts = " ".join(
        str(c.value)
        for n in wb.sheetnames
        if not n.startswith("Technical")
        for row in wb[n].iter_rows(max_row=2)
        for c in row
        if c.value
    )
    for dutch in ("Kasuitgaven", "Ketenpartner", "Waarde", "Eenheid", "personen"):
        assert dutch not in texts


# --------------------------------------------------------------------------- the comparison


@pytest.mark.unit
def test_compare_workbook_delta_percent_is_a_fraction_shown_as_percent(workbooks) -> None:
    path = workbooks["compare-nl"]
    levers = _sheet(path, "Maatregelen").set_index("Maatregel")
    pool = levers.loc["Flexibele pool medewerkers (gem. fte)"]
    delta_pct = next(c for c in levers.columns if c.startswith("Δ%"))
    # 50 → 80 FTE: +60 %, stored as 0.6 and formatted as a percentage (not 60 and not 6,000 %)
    assert pool[delta_pct] == pytest.approx(0.6)
    assert _format_of(path, "Maatregelen", delta_pct) == PERCENT
    costs = _sheet(path, "Kosten")
    value_col = costs.columns[5]
    assert costs[value_col].abs().max() < 1e4  # € mln, not euros


@pytest.mark.unit
def test_delta_percent_empty_from_almost_nothing_and_for_ratios() -> None:
    a = pd.DataFrame({"k": ["x", "y", "r"], "measure": ["m", "m", "ratio"], "value": [0.001, 10.0, 1.0]})
    b = pd.DataFrame({"k": ["x", "y", "r"], "measure": ["m", "m", "ratio"], "value": [290.0, 12.0, 1.1]})
    out = side_by_side([a, b], ["A", "B"], ["k", "measure"], "value").set_index("k")
    assert math.isnan(out.loc["x", "Δ% B"])  # 0.001 → 290 is no meaningful percentage (was 29,000,000 %)
    assert out.loc["y", "Δ% B"] == pytest.approx(0.2)
    assert math.isnan(out.loc["r", "Δ% B"])  # a ratio's difference is in percentage points
    assert out.loc["r", "Δ B"] == pytest.approx(0.1)


# --------------------------------------------------------------------------- options.xlsx


@pytest.mark.unit
def test_options_workbook_dutch_headers_millions_and_differences(workbooks) -> None:
    path = workbooks["options-nl"]
    table = _sheet(path, "Opties").set_index("Voorinstelling (--presets)")
    assert list(table.index) == ["flexpool", "status-quo", "boven-mpp"]  # ranked on cash
    assert table.loc["flexpool", "Optie"] == "Optie 1: flexibele pool"  # as the letter names it
    assert table.loc["flexpool", "Kasuitgaven (verwacht)"] == pytest.approx(900.0)
    diffs = _sheet(path, "Verschil met huidig beleid").set_index("Voorinstelling (--presets)")
    diff = diffs["Kasuitgaven (verwacht)"]
    assert diff["flexpool"] == pytest.approx(-100.0)
    assert diff["status-quo"] == pytest.approx(0.0)
    assert _format_of(path, "Opties", "Kasuitgaven (verwacht)") == MILLIONS
    english = openpyxl.load_workbook(workbooks["options-en"])
    assert english.sheetnames[0] == "Options"


# --------------------------------------------------------------------------- LibreOffice


def soffice() -> str:
    """LibreOffice: skipped locally when missing, a failure under CI=true (tests/tools.py)."""
    return require_tool(LIBREOFFICE)


@pytest.mark.slow
def test_every_workbook_opens_in_libreoffice(workbooks, tmp_path: Path) -> None:
    """One headless LibreOffice converts every workbook to PDF: each opens (no repair, no error)."""
    program = soffice()
    out = tmp_path / "pdf"
    result = subprocess.run(
        [
            program,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *(str(p) for p in workbooks.values()),
        ],
        capture_output=True,
        text=True,
        timeout=SOFFICE_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for kind, path in workbooks.items():
        pdf = out / f"{path.stem}.pdf"
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF"), (kind, result.stdout, result.stderr)


@pytest.mark.unit
def test_annex_workbook_carries_the_options_when_given(runs, tmp_path: Path) -> None:
    """``report --options DIR``: the annex workbook holds the same options sheets as options.xlsx."""
    options = tmp_path / "options"
    options.mkdir()
    _options_table().to_csv(options / "options.csv", index=False)
    (path,) = write_report(read_run(runs[0]), ["xlsx"], "nl", tmp_path / "annex", options_dir=options)
    names = openpyxl.load_workbook(path).sheetnames
    assert {"Opties", "Verschil met huidig beleid", "Technisch opties"} <= set(names)
    assert names.index("Opties") < names.index("Technisch opties")
    table = _sheet(path, "Opties").set_index("Voorinstelling (--presets)")
    assert table.loc["boven-mpp", "Kasuitgaven (verwacht)"] == pytest.approx(1100.0)
    assert workbook_problems(path) == []
