"""A finance officer edits the workbook: changed values are marked, and the annex says so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bekostiging.io.case import load_case
from bekostiging.io.excel import SETTINGS_SHEET, export_case_xlsx, import_workbook
from bekostiging.io.sources import changed_values, save_case_folder, shipped_default_case
from bekostiging.report import write_report
from bekostiging.runs.store import read_run, write_run
from synthetic_runs import FakeSolution, make_tables

pytestmark = pytest.mark.unit

CASE_DIR = Path(__file__).parents[1] / "data" / "nl-2026"
TODAY = dt.date(2026, 12, 1)
MARK = "changed by user on 2026-12-01"
NEW_FTE = 1400
OWN_SOURCE = "S29: the finance officer's own reading, 97%"


def _settings_row(ws: Worksheet, section: str, key: str) -> int:
    for row in ws.iter_rows(min_row=2):
        if row[0].value == section and row[1].value == key:
            return row[0].row
    raise LookupError(f"{section}.{key}")


def _table_row(ws: Worksheet, first: object) -> int:
    for row in ws.iter_rows(min_row=5):
        if row[0].value == first:
            return row[0].row
    raise LookupError(first)


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default case exported, edited as a user would, and imported into a folder."""
    root = tmp_path_factory.mktemp("edited")
    xlsx = export_case_xlsx(load_case(CASE_DIR), root / "case.xlsx")
    wb = load_workbook(xlsx)
    settings = wb[SETTINGS_SHEET]
    settings.cell(_settings_row(settings, "ind", "initial_fte"), 3, NEW_FTE)  # source left in place
    row = _settings_row(settings, "coa", "max_fill_rate")
    settings.cell(row, 3, 0.97)
    settings.cell(row, 4, OWN_SOURCE)  # a source of the user's own
    row = _settings_row(settings, "dtv", "initial_fte")
    settings.cell(row, 3, 650)
    settings.cell(row, 4, None)  # the source emptied: still marked, with the old source kept
    series = wb["series"]
    series.cell(_table_row(series, "2026-03"), 3, 0.6)  # permit_share of one month
    locations = wb["locations"]
    new = locations.max_row + 1
    for col, value in enumerate(["azc-nieuw", 300, 0, 5, 1500000, 1500000, 12, 12500], start=1):
        locations.cell(new, col, value)
    wb.save(xlsx)
    imported = import_workbook(xlsx, today=TODAY)
    assert set(imported.changed) == {
        "ind.initial_fte",
        "dtv.initial_fte",
        "series[2026-03]",
        "locations[azc-nieuw]",
    }
    return save_case_folder(imported.case, root / "imported")


def test_a_changed_value_with_its_old_source_is_marked(edited: Path) -> None:
    shipped, case = load_case(CASE_DIR), load_case(edited)  # the marks validate as sources
    old_source = shipped.sources["ind.initial_fte"]
    assert case.settings.ind.initial_fte == NEW_FTE
    assert case.sources["ind.initial_fte"] == f"{MARK}; was 1320 ({old_source})"
    assert case.sources["coa.max_fill_rate"] == OWN_SOURCE  # the user's own source is kept
    assert case.sources["dtv.initial_fte"] == f"{MARK}; was 600 ({shipped.sources['dtv.initial_fte']})"
    march = next(r for r in case.series if r.period == "2026-03")
    assert march.source == f"{MARK}; permit_share was 0.55"
    added = next(r for r in case.locations if r.location == "azc-nieuw")
    assert added.source == "added by user on 2026-12-01"
    edited_keys = ("ind.initial_fte", "dtv.initial_fte", "coa.max_fill_rate")
    unchanged = {k: v for k, v in case.sources.items() if k not in edited_keys}
    assert unchanged == {k: v for k, v in shipped.sources.items() if k in unchanged}
    assert len(unchanged) == len(shipped.sources) - len(edited_keys)


def test_the_generated_sources_name_the_change(edited: Path) -> None:
    text = (edited / "SOURCES.md").read_text(encoding="utf-8")
    assert f"| initial_fte | 1400 | FTE | {MARK}; was 1320 (estimate:" in text
    assert f"| 2026-03 | 3400 | 0.6 | 0.045 | {MARK}; permit_share was 0.55 |" in text


def test_changed_values_against_the_default_case(edited: Path) -> None:
    default = shipped_default_case()
    assert default is not None and default.resolve() == CASE_DIR.resolve()
    changes = {c.what: c for c in changed_values(load_case(edited), load_case(default))}
    assert set(changes) == {
        "ind.initial_fte",
        "dtv.initial_fte",
        "coa.max_fill_rate",
        "series[2026-03].permit_share",
        "locations[azc-nieuw]",
    }
    fte = changes["ind.initial_fte"]
    assert (fte.default, fte.value) == ("1320", "1400")
    assert fte.default_source.startswith("estimate: 1,320 x 29.4") and fte.source.startswith(MARK)
    fill = changes["coa.max_fill_rate"]
    assert (fill.default, fill.value, fill.source) == ("0.96", "0.97", OWN_SOURCE)
    assert fill.default_source.startswith("S29, S26:")
    permit = changes["series[2026-03].permit_share"]
    assert (permit.default, permit.value) == ("0.55", "0.6")
    assert permit.default_source.startswith("S23:")  # the column's source in the default case
    assert changes["locations[azc-nieuw]"].default == "(added)"


def test_the_annex_lists_the_changed_values(edited: Path, tmp_path: Path) -> None:
    """A run on the edited case: its annex shows old and new value and both sources."""
    sset = CASE_DIR / "scenarios" / "mpp"
    run = write_run(
        FakeSolution(make_tables()), case_dir=edited, scenarios_dir=sset, runs_dir=tmp_path / "runs"
    )
    written = {p.suffix: p for p in write_report(read_run(run), ["md", "xlsx"], "en", tmp_path / "annex")}
    text = written[".md"].read_text(encoding="utf-8")
    changed = load_workbook(written[".xlsx"])["Changed"]
    rows = {r[0].value: [c.value for c in r] for r in changed.iter_rows(min_row=3)}  # under the units row
    # the setting in words (not its code), the values in the reader's number format
    assert rows["IND: initial fte"][1:3] == ["1,320", "1,400"] and MARK in rows["IND: initial fte"][4]
    assert "Changed from the default case" in text
    assert "5 values differ from the shipped default case:" in text
    assert "nl-2026" not in text.split("Sources", maxsplit=1)[0]  # no case code before the sources
    # the setting in words, old and new value in the reader's format, source numbers and the mark
    line = next(x for x in text.splitlines() if x.startswith("| IND: initial fte |"))
    assert "| 1,320 | 1,400 |" in line and MARK in line and "ind.initial_fte" not in text
    fill = next(x for x in text.splitlines() if "| 0.96 | 0.97 |" in x)
    assert OWN_SOURCE.split(":", maxsplit=1)[0] in fill
    added = next(x for x in text.splitlines() if x.startswith("| Location azc-nieuw |"))
    assert "(added)" in added and "initially open 0" in added and "_" not in added
    assert "| S23 | Nieuwe prognose" in text  # the source list follows (a table: key, title, …)


def test_an_unedited_case_shows_no_changes(tmp_path: Path) -> None:
    sset = CASE_DIR / "scenarios" / "mpp"
    run = write_run(
        FakeSolution(make_tables()), case_dir=CASE_DIR, scenarios_dir=sset, runs_dir=tmp_path / "runs"
    )
    text = write_report(read_run(run), ["md"], "nl", tmp_path / "annex")[0].read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("Alle waarden zijn gelijk"))
    assert "meegeleverde standaardcase" in line and "nl-2026" not in line  # no case code for the reader
