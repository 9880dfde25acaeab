"""The memo annex: PDF text, Excel workbook, HTML in a real browser, nl and en.

Synthetic run (``synthetic_runs``), numbers by hand: expected total cost
= 800 m (stage 1) + 450 m (stage 2) + 11.25 m (reserve draw) = 1,261.25 m;
per-scenario totals 1,005 m (low, p .25), 1,210 m (mid, p .5), 1,620 m
(high, p .25), so P10 = 1,005 m and P90 = 1,620 m; expected backlog at the end
= 20,000 x 1.125 + 2,300 = 24,800 persons.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from bekostiging.cli import main
from bekostiging.io.cells import neutralise
from bekostiging.report import ReportError, data, write_report
from bekostiging.report.i18n import fmt_eur, fmt_number, fmt_percent, fmt_unit_value
from bekostiging.runs.store import read_run, write_run
from synthetic_runs import FORMULA_TEXT, FakeOutcome, FakeSolution, make_case, make_tables
from tools import CHROMIUM, require_tool

CHROMIUM_TIMEOUT_SECONDS = 60
# outcome distributions, inflow fan, capacity panels, cost per partner and year (no options or
# simulation folders in the synthetic run)
ANNEX_FIGURES = 4


@pytest.fixture(scope="module")
def run_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    case, sset = make_case(root, description="=SUM(A1:A9)")
    tables = make_tables()
    tables["scenarios"] = tables["scenarios"].assign(description=["@laag", "+midden", "-hoog"])
    return write_run(
        FakeSolution(tables), case_dir=case, scenarios_dir=sset, runs_dir=root / "runs", name="memo", seed=3
    )


@pytest.fixture(scope="module")
def annexes(run_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    out = tmp_path_factory.mktemp("annex")
    record = read_run(run_path)
    files: dict[str, dict[str, Path]] = {}
    for lang in ("nl", "en"):
        written = write_report(record, ["pdf", "html", "xlsx", "md"], lang, out / lang)
        files[lang] = {p.suffix.lstrip("."): p for p in written}
    return files


# --------------------------------------------------------------------------- number formats


@pytest.mark.unit
def test_expected_year_end_backlog_is_the_last_period_of_each_year(run_path: Path) -> None:
    """Synthetic backlog 20,000 f + 100 i in month i (0..23), E[f] = 0.25 x 0.5 + 0.5 x 1 + 0.25 x 2
    = 1.125: December 2026 (i = 11) 22,500 + 1,100 = 23,600; December 2027 (i = 23) 24,800
    (January would give 22,500 and 23,700)."""
    year_end = data.expected_year_end(read_run(run_path), data.BACKLOG_QUANTITY)
    assert year_end["year"].tolist() == [2026, 2027]
    assert year_end["value"].tolist() == pytest.approx([23_600.0, 24_800.0])


@pytest.mark.unit
def test_summary_backlog_p90_is_the_90th_percentile_not_the_median(run_path: Path) -> None:
    """End backlog 20,000 f + 2,300 per scenario: low 12,300 (p .25), mid 22,300 (.5), high 42,300
    (.25); cumulative .25, .75, 1: P90 = 42,300 (P50 = 22,300); expected 24,800; cost P10 1,005 m,
    P50 1,210 m, P90 1,620 m (module docstring)."""
    s = data.summarise(read_run(run_path))
    assert s.backlog_p90 == pytest.approx(42_300.0)
    assert s.backlog_expected == pytest.approx(24_800.0)
    assert (s.cost_p10, s.cost_p50, s.cost_p90) == pytest.approx((1_005e6, 1_210e6, 1_620e6))
    assert s.scenario_count == 3


@pytest.mark.unit
def test_number_formats_per_language() -> None:
    assert fmt_number(1234.5, "nl", 1) == "1.234,5"
    assert fmt_number(1234.5, "en", 1) == "1,234.5"
    assert fmt_eur(1_261_250_000.0, "nl") == "€ 1.261,3 mln"
    assert fmt_eur(1_261_250_000.0, "en") == "€1,261.3 million"
    assert fmt_eur(12_345.0, "nl") == "€ 12.345"
    assert fmt_eur(-2_400_000.0, "en") == "-€2.4 million"
    assert fmt_eur(-57_512.0, "nl") == "€ -57.512"
    assert fmt_percent(0.053, "nl") == "5,3%"
    assert fmt_number(None, "en") == "–"
    # a count with its unit: one decimal below 100, none from 100 on and none for an exact zero
    assert fmt_unit_value(0.0, "places", "nl") == "0 plaatsen"  # was 0,0 plaatsen
    assert fmt_unit_value(0.0, "persons", "en") == "0 persons"
    assert fmt_unit_value(31.84, "persons", "nl") == "31,8 personen"
    assert fmt_unit_value(2197.2, "places", "en") == "2,197 places"


@pytest.mark.unit
@pytest.mark.parametrize("text", ["COA: 2029 86,4%, 2030 94,9%", "COA: 2029 86.4%, 2030 94.9%"])
def test_a_year_and_its_percentage_are_one_word_in_the_pdf(text: str) -> None:
    """'2030 94,9%' (funding per partner and year) wrapped between the year and its percentage in
    a narrow PDF cell; the space between them is non-breaking, the ', ' between items is not."""
    from bekostiging.report.render import NBSP, keep_amounts_together

    out = keep_amounts_together(text)
    assert f"2029{NBSP}86" in out and f"2030{NBSP}94" in out
    assert out.count(NBSP) == 2 and out.count(", ") == 1


@pytest.mark.unit
def test_neutralise_formula_prefixes() -> None:
    for text in ("=1+1", "+31 6", "-2", "@SUM(A1)", "\t=1"):
        assert neutralise(text).startswith("'")
    assert neutralise("IND") == "IND"


# --------------------------------------------------------------------------- PDF


def _pdf_text(path: Path) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


@pytest.mark.unit
def test_pdf_dutch_holds_headings_and_key_numbers(annexes) -> None:
    text, pages = _pdf_text(annexes["nl"]["pdf"])
    first_page = PdfReader(annexes["nl"]["pdf"]).pages[0].extract_text()
    for heading in ("Bijlage: bekostiging van de asielketen", "Samenvatting", "Concept — ter bespreking"):
        assert heading in first_page
    assert "24.800" in first_page  # expected backlog, in what the plan buys
    # ... at the end of the run's own horizon (2026-2027 here; it said 2030 for every case)
    assert "aan het eind van 2027 wachten" in " ".join(first_page.split())
    assert "flexibele pool" in first_page and "asielreserve" in first_page  # the advice
    assert "Aanbevolen plan: de maatregelen" in text
    assert "Optimaal" in text
    assert "€ 1.261,3 mln" in text  # expected cost
    assert "€ 1.005,0 mln" in text and "€ 1.620,0 mln" in text  # P10, P90
    assert "Flexibele pool medewerkers" in text
    for heading in (
        "Geld zoals de begroting het ziet",
        "Tabellen",
        "Technische bijlage",
        "Herkomst van deze uitkomst",
        "Begrippen",
    ):
        assert heading in text
    assert "Belangrijkste aannames" in text
    # three scenarios: P10/P90 are the extremes, and the annex says so
    assert "P10 en P90 niet meer dan het laagste en hoogste scenario" in " ".join(text.split())
    assert "instroom" in text and "nareis" in text  # glossary
    # provenance in Dutch: the solver and its seed were 'Solver' and 'Seed'
    assert "Oplosser" in text and "Startwaarde toevalsgenerator" in text
    assert "Solver" not in text and "Seed" not in text
    assert pages >= 5


@pytest.mark.unit
def test_pdf_english_holds_headings_and_key_numbers(annexes) -> None:
    text, _ = _pdf_text(annexes["en"]["pdf"])
    for words in (
        "Annex: funding the asylum chain",
        "Summary",
        "Recommended plan: the levers",
        "Optimal",
        "€1,261.3 million",
        "24,800",
        "Technical appendix",
        "Provenance of this result",
        "Solver",
        "Seed",
    ):
        assert words in text, words
    assert "Samenvatting" not in text
    assert "at the end of 2027 an expected" in " ".join(text.split())
    assert "P10 and P90 are no more than the lowest and highest scenario" in " ".join(text.split())


COUNT_WORDS = re.compile(
    r"\b(\d+|een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|"
    r"one|two|three|four|five|six|seven|eight|nine|ten)\b",
    re.IGNORECASE,
)


@pytest.mark.unit
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_plan_table_title_states_no_count_of_its_rows(run_path: Path, lang: str) -> None:
    """The plan table holds the five levers and the structural totals (7 rows here, 8 in the
    default case); its title said 'de vijf maatregelen' / 'the five levers' all the same."""
    from bekostiging.report.document import Table, build_report
    from bekostiging.report.i18n import term

    doc = build_report(read_run(run_path), lang)  # type: ignore[arg-type]
    (plan,) = [b for b in doc.blocks if isinstance(b, Table) and b.header[0] == term("lever", lang)]
    assert len(plan.rows) == 7
    title = re.sub(r"^(Tabel|Table) \d+\. ", "", plan.title)
    assert title.startswith(("Aanbevolen plan", "Recommended plan")), title
    assert not COUNT_WORDS.search(title), title


@pytest.mark.unit
def test_limit_status_is_stated_as_not_optimal(tmp_path: Path) -> None:
    case, sset = make_case(tmp_path)
    outcome = FakeOutcome(status="limit", gap=0.042)
    path = write_run(
        FakeSolution(make_tables(), outcome=outcome),
        case_dir=case,
        scenarios_dir=sset,
        runs_dir=tmp_path / "r",
    )
    [pdf] = write_report(read_run(path), ["pdf"], "en", tmp_path / "out")
    first = PdfReader(pdf).pages[0].extract_text()
    assert "NOT proven optimal" in first
    assert "4.20%" in first


@pytest.mark.unit
def test_failed_run_has_no_annex(tmp_path: Path) -> None:
    case, sset = make_case(tmp_path)
    outcome = FakeOutcome(status="infeasible", objective=None, bound=None, gap=None)
    path = write_run(
        FakeSolution({}, outcome=outcome), case_dir=case, scenarios_dir=sset, runs_dir=tmp_path / "r"
    )
    with pytest.raises(ReportError, match="no usable plan"):
        write_report(read_run(path), ["pdf"], "nl", tmp_path / "out")


# --------------------------------------------------------------------------- Excel


@pytest.mark.unit
def test_xlsx_sheets_headers_and_no_formulas(annexes) -> None:
    wb = openpyxl.load_workbook(annexes["nl"]["xlsx"])
    for sheet in (
        "Inhoud",
        "Samenvatting",
        "Plan",
        "Financiering",
        "Indicatoren",
        "Kosten",
        "Stromen",
        "Scenario's",
        "Herkomst",
        "Begrippen",
        "Technisch maatregelen",
        "Technisch instellingen",
        "Technisch invoer locations",
        "Technisch invoer scenarios",
    ):
        assert sheet in wb.sheetnames, sheet
    summary = wb["Samenvatting"]
    assert summary.freeze_panes == "B3"  # below the units row, right of the labels
    assert [c.value for c in summary[1]] == ["Onderwerp", "Waarde", "Eenheid"]
    funding = wb["Financiering"]
    rows = {(r[0].value, r[1].value): r for r in funding.iter_rows(min_row=3)}
    ratio = rows[("IND", "Begroot / MPP-behoefte")]
    assert ratio[3].number_format == "0.0%" and isinstance(ratio[3].value, float)
    assert rows[("IND", "Begroot")][3].number_format == "#,##0.0"  # € mln, one decimal
    formulas = [
        (ws.title, c.coordinate)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@")))
    ]
    assert formulas == []
    # the inputs that started with = + - @ are there, neutralised
    values = {
        c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    }
    assert "'=SUM(A1:A9)" in values
    assert "'" + FORMULA_TEXT.replace(",", ";") in values
    assert {"'@laag", "'+midden", "'-hoog"} <= values


@pytest.mark.unit
def test_xlsx_english_sheet_names(annexes) -> None:
    wb = openpyxl.load_workbook(annexes["en"]["xlsx"])
    assert wb.sheetnames[:3] == ["Contents", "Summary", "Funding"]
    assert "Glossary" in wb.sheetnames


# --------------------------------------------------------------------------- HTML and Markdown


@pytest.mark.unit
def test_html_is_self_contained(annexes) -> None:
    html = annexes["nl"]["html"].read_text(encoding="utf-8")
    assert '<html lang="nl">' in html
    assert html.count("data:image/png;base64,") == ANNEX_FIGURES
    assert not re.search(r"""(src|href)=["'](https?:|//)""", html)
    assert "<script" not in html


@pytest.mark.unit
def test_markdown_writes_its_charts(annexes) -> None:
    md = annexes["en"]["md"]
    text = md.read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(images) == ANNEX_FIGURES
    assert all((md.parent / name).is_file() for name in images)
    assert "| Lever | Value |" in text


def _chromium_console(page: Path, tmp_path: Path) -> tuple[str, list[str]]:
    result = subprocess.run(
        [
            _need_chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=CHROMIUM_TIMEOUT_SECONDS,
        check=False,
    )
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console


def _need_chromium() -> str:
    """Chromium's path: skipped locally when it is missing, FAILED under CI=true (tests/tools.py)."""
    return require_tool(CHROMIUM)


@pytest.mark.slow
def test_html_loads_in_chromium_without_console_errors(annexes, tmp_path: Path) -> None:
    _need_chromium()
    # the check itself can fail: a page with a console error is caught
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>console.error('boom')</script></body></html>")
    _, bad_console = _chromium_console(bad, tmp_path)
    assert any("boom" in line for line in bad_console)
    for lang, heading in (("nl", "Samenvatting"), ("en", "Summary")):
        dom, console = _chromium_console(annexes[lang]["html"], tmp_path)
        assert console == [], console
        assert heading in dom
        assert dom.count("<img") == ANNEX_FIGURES


# --------------------------------------------------------------------------- CLI


@pytest.mark.unit
def test_report_cli_writes_and_never_overwrites(run_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    args = [
        "report",
        run_path.name,
        "--runs-dir",
        str(run_path.parent),
        "--format",
        "html,md",
        "--out",
        str(out),
    ]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert sorted(p.suffix for p in out.glob("bijlage-*-nl.*")) == [".html", ".md"]
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1
    assert "bestaat al; kies een andere map voor --out of geef --overwrite" in again.output
    forced = CliRunner().invoke(main, [*args, "--overwrite"])
    assert forced.exit_code == 0
    bad = CliRunner().invoke(
        main, ["report", run_path.name, "--runs-dir", str(run_path.parent), "--format", "docx"]
    )
    assert bad.exit_code == 2
    assert "kies uit pdf, html, xlsx, md" in bad.output  # Dutch by default


@pytest.mark.unit
def test_runs_and_show_cli(run_path: Path) -> None:
    listing = CliRunner().invoke(main, ["runs", "--lang", "en", "--runs-dir", str(run_path.parent)])
    assert listing.exit_code == 0
    assert run_path.name in listing.output
    assert "optimal" in listing.output
    shown = CliRunner().invoke(
        main, ["show", run_path.name[-6:], "--lang", "en", "--runs-dir", str(run_path.parent)]
    )
    assert shown.exit_code == 0
    assert "Flexible staff pool" in shown.output
    assert "€1,500.0 million" in shown.output
    missing = CliRunner().invoke(main, ["show", "nosuchrun", "--runs-dir", str(run_path.parent)])
    assert missing.exit_code == 1
    assert "geen run 'nosuchrun'" in missing.output  # Dutch by default (the listing's --lang is its own)


@pytest.mark.unit
def test_every_runs_command_has_help() -> None:
    for cmd in ("runs", "show", "compare", "report", "rerun"):
        result = CliRunner().invoke(main, [cmd, "--help"])
        assert result.exit_code == 0
        assert "Usage:" in result.output


def test_sources_markdown_tables_become_annex_tables() -> None:
    """SOURCES.md pipe tables are tables in the annex, not rows of bars; the rule row is dropped."""
    from bekostiging.report.document import Heading, Paragraph, Table, markdown_blocks

    lines = [
        "## Settings",
        "",
        "| Key | Value | Source |",
        "|---|---:|---|",
        "| ind.x | **3** | S1 |",
        "note",
    ]
    blocks = list(markdown_blocks(lines))
    assert isinstance(blocks[0], Heading) and blocks[0].text == "Settings"
    table = blocks[1]
    assert isinstance(table, Table)
    assert table.header == ("Key", "Value", "Source")
    assert table.rows == (("ind.x", "3", "S1"),)
    assert isinstance(blocks[2], Paragraph) and blocks[2].text == "note"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("lang", "two", "one", "unknown"),
    [
        ("nl", "voor twee jaar vastliggen", "voor één jaar vastliggen", "voor de hele horizon vastliggen"),
        ("en", "fixed for two years", "fixed for one year", "fixed for the whole horizon"),
    ],
)
def test_options_intro_states_the_runs_own_horizon(
    run_path: Path, tmp_path: Path, lang: str, two: str, one: str, unknown: str
) -> None:
    """The options section said 'plannen die voor vijf jaar vastliggen' / 'fixed for five years'
    whatever the horizon: the synthetic run has two years, the tiny case (read from its
    case.toml) one; a run whose years are unknown says the whole horizon."""
    from types import SimpleNamespace

    import pandas as pd

    from bekostiging.report.blocks import Paragraph
    from bekostiging.report.options_section import options_blocks
    from model_cases import TINY_CASE

    options = tmp_path / "options"
    options.mkdir()
    frame = {"preset": ["status-quo", "flexpool"], "expected_cash_eur": [2e9, 1.9e9]}
    pd.DataFrame(frame).to_csv(options / "options.csv", index=False)

    def intro(run: object) -> str:
        texts = [b.text for b in options_blocks(run, lang, options) if isinstance(b, Paragraph)]  # type: ignore[arg-type]
        (text,) = [t for t in texts if "vastliggen" in t or "fixed for" in t]
        assert "vijf jaar" not in text and "five years" not in text, text
        return text

    assert two in intro(read_run(run_path))
    assert one in intro(SimpleNamespace(path=tmp_path / "no-run", case_copy=TINY_CASE))
    assert unknown in intro(SimpleNamespace(path=tmp_path / "no-run"))
