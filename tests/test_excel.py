"""Excel round trip: ``case export`` then ``case import`` gives the identical case."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from bekostiging.cli import main
from bekostiging.errors import InputErrors
from bekostiging.io import load_case, save_case
from bekostiging.io.case import SETTINGS_FILE, TABLES
from bekostiging.io.excel import (
    SETTINGS_COLUMNS,
    SETTINGS_SHEET,
    export_case_xlsx,
    import_case_xlsx,
    import_workbook,
)
from broken_cases import TINY_CASE

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("english_messages")]  # English messages

REPO = Path(__file__).resolve().parents[1]
CASE_FILES = [SETTINGS_FILE, *(t.file for t in TABLES)]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def settings_row(path: Path, section: str, key: str) -> int:
    ws = load_workbook(path)[SETTINGS_SHEET]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == section and row[1].value == key:
            return row[0].row
    raise LookupError(f"{section}.{key} not on the Settings sheet")


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return export_case_xlsx(load_case(TINY_CASE), tmp_path / "tiny.xlsx")


@pytest.mark.parametrize("case_dir", [TINY_CASE, REPO / "data" / "nl-2026"], ids=["tiny", "nl-2026"])
def test_round_trip_is_identical(case_dir: Path, tmp_path: Path) -> None:
    """Objects equal, and the folders written from both are byte-identical."""
    case = load_case(case_dir)
    xlsx = tmp_path / "case.xlsx"
    code, _, err = run("case", "export", str(case_dir), "--xlsx", str(xlsx))
    assert code == 0, err
    code, _, err = run("case", "import", str(xlsx), "--to", str(tmp_path / "imported"))
    assert code == 0, err
    imported = load_case(tmp_path / "imported")
    assert imported == case
    direct = save_case(case, tmp_path / "direct")
    for name in CASE_FILES:
        assert (direct / name).read_bytes() == (tmp_path / "imported" / name).read_bytes(), name
    # the whole folder comes back: sources, notes, SOURCES.md and every scenario set
    shipped = sorted(p.relative_to(case_dir) for p in case_dir.rglob("*") if p.is_file())
    back = sorted(
        p.relative_to(tmp_path / "imported") for p in (tmp_path / "imported").rglob("*") if p.is_file()
    )
    assert back == shipped
    differ = [f for f in shipped if (case_dir / f).read_bytes() != (tmp_path / "imported" / f).read_bytes()]
    assert differ in ([], [Path(SETTINGS_FILE)])  # a hand-written case.toml differs in comments only
    code, _, err = run("validate", str(tmp_path / "imported"))
    assert code == 0, err


def test_workbook_layout(workbook: Path) -> None:
    wb = load_workbook(workbook)
    assert wb.sheetnames == [
        SETTINGS_SHEET,
        *(t.name for t in TABLES),
        "sources",
        "notes",
        "scenario_sets",
        "scenarios",
        "inflow",
        "_exported",
    ]
    assert wb["_exported"].sheet_state == "hidden"
    settings = wb[SETTINGS_SHEET]
    assert [c.value for c in settings[1]] == list(SETTINGS_COLUMNS)
    assert settings.freeze_panes == "A2"
    row = settings_row(workbook, "ind", "attrition_per_year")
    assert [c.value for c in settings[row]] == [
        "ind",
        "attrition_per_year",
        0.1,
        None,
        "share per year",
        "Share of productive staff leaving per year",
        "a number ≥ 0 and ≤ 0.5 (share per year)",
    ]
    series = wb["series"]
    assert series.freeze_panes == "A5"
    assert [c.value for c in series[1]] == [
        "period",
        "housing_outflow_persons",
        "permit_share",
        "unsupervised_departure_share",
        "source",
    ]
    assert series["C2"].value == "share"
    assert series["C3"].value.startswith("Share of IND decisions granting a permit")
    assert series["E4"].value.startswith("← row 4: source of each column")
    assert [c.value for c in series[5]] == ["2026-01", 10, 0.6, 0.02, None]


def test_export_refuses_to_overwrite_without_force(workbook: Path) -> None:
    before = workbook.read_bytes()
    code, _, err = run("case", "export", str(TINY_CASE), "--xlsx", str(workbook))
    assert code == 1
    assert "--force" in err
    assert workbook.read_bytes() == before
    code, _, err = run("case", "export", str(TINY_CASE), "--xlsx", str(workbook), "--force")
    assert code == 0, err
    assert import_case_xlsx(workbook) == load_case(TINY_CASE)


def test_import_refuses_a_non_empty_folder(workbook: Path, tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "keep.txt").write_text("x")
    code, _, err = run("case", "import", str(workbook), "--to", str(target))
    assert code == 1
    assert "not an empty folder" in err
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]


def test_import_names_sheet_and_cell(workbook: Path, tmp_path: Path) -> None:
    row = settings_row(workbook, "ind", "attrition_per_year")
    wb = load_workbook(workbook)
    wb[SETTINGS_SHEET].cell(row=row, column=3, value=0.7)
    wb["series"]["C6"] = "sixty"
    wb["locations"]["C7"] = 1  # below the two locations (rows 5, 6): a new row with one cell
    wb.save(workbook)
    code, out, err = run("case", "import", str(workbook), "--to", str(tmp_path / "out"))
    assert code == 2
    assert out == ""
    assert f"tiny.xlsx, row {row}, column Settings!C{row}: ind.attrition_per_year = 0.7" in err
    assert "tiny.xlsx, row 6, column series!C6: permit_share = sixty — a number ≥ 0 and ≤ 1 (share)" in err
    assert "tiny.xlsx, row 7, column locations!A7: location = (empty)" in err  # no name given
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_import_unknown_and_duplicate_settings_keys(workbook: Path) -> None:
    wb = load_workbook(workbook)
    ws = wb[SETTINGS_SHEET]
    last = ws.max_row
    ws.append(["ind", "atrition", 0.1])
    ws.append(["ind", "initial_fte", 12.0])
    wb.save(workbook)
    with pytest.raises(InputErrors) as info:
        import_case_xlsx(workbook)
    lines = [str(p) for p in info.value.problems]
    assert any(
        f"Settings!B{last + 1}: ind.atrition = 0.1 — no such key in [ind]" in x
        and "did you mean attrition_per_year" in x
        for x in lines
    )
    assert any(f"Settings!B{last + 2}: ind.initial_fte" in x and "(duplicate)" in x for x in lines)


def test_import_missing_sheet_and_unit_row(workbook: Path) -> None:
    wb = load_workbook(workbook)
    del wb["mpp"]
    wb["seasonality"]["B2"] = 1.0  # a value typed into the units row
    wb.save(workbook)
    with pytest.raises(InputErrors) as info:
        import_case_xlsx(workbook)
    found = {(p.field, p.column) for p in info.value.problems}
    assert ("(sheet)", None) in found
    assert ("factor", "seasonality!B2") in found


def test_period_typed_as_a_date_is_read_as_its_month(workbook: Path) -> None:
    wb = load_workbook(workbook)
    wb["series"]["A5"] = dt.datetime(2026, 1, 1)
    wb.save(workbook)
    assert import_case_xlsx(workbook) == load_case(TINY_CASE)


def test_import_of_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip")
    code, _, err = run("case", "import", str(fake), "--to", str(tmp_path / "out"))
    assert code == 2
    assert "fake.xlsx" in err
    assert "Traceback" not in err


def test_export_of_a_broken_case_exits_2(tmp_path: Path) -> None:
    code, _, err = run("case", "export", str(tmp_path / "missing"), "--xlsx", str(tmp_path / "x.xlsx"))
    assert code == 2
    assert "case folder" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_formula_text_is_written_inert_and_read_back(tmp_path: Path) -> None:
    """Text starting with = + - @ gets a leading apostrophe in the workbook; import removes it."""
    case = load_case(TINY_CASE)
    texts = {"case": '=HYPERLINK("http://x")', "policy": "@SUM(A1)"}
    settings = case.settings.model_copy(
        update={
            "case": case.settings.case.model_copy(update={"description": texts["case"]}),
            "policy": case.settings.policy.model_copy(update={"description": texts["policy"]}),
        }
    )
    rows = (case.locations[0].model_copy(update={"location": "-klein"}), *case.locations[1:])
    edited = case.model_copy(
        update={"settings": settings, "locations": rows, "notes": "+ one\n- two\n'three\n"}
    )
    xlsx = export_case_xlsx(edited, tmp_path / "inert.xlsx")
    wb = load_workbook(xlsx)
    described = {
        r[0].value: r[2] for r in wb[SETTINGS_SHEET].iter_rows(min_row=2) if r[1].value == "description"
    }
    assert described["case"].value == "'" + texts["case"] and described["case"].data_type == "s"
    assert described["policy"].value == "'" + texts["policy"]
    assert wb["locations"]["A5"].value == "'-klein"
    assert [r[0].value for r in wb["notes"].iter_rows(min_row=2)] == ["'+ one", "'- two", "''three"]
    assert import_case_xlsx(xlsx) == edited


def test_a_workbook_without_source_columns_still_imports(workbook: Path) -> None:
    """A workbook exported before sources were data: three header rows, no source column."""
    wb = load_workbook(workbook)
    for table in TABLES:
        ws = wb[table.name]
        ws.delete_cols(len(table.columns))  # the source column is the last
        ws.delete_rows(4)  # the column-source row
    ws = wb[SETTINGS_SHEET]
    ws.delete_cols(4)
    for name in ("sources", "notes", "scenario_sets", "scenarios", "inflow", "_exported"):
        del wb[name]
    wb.save(workbook)
    assert import_case_xlsx(workbook) == load_case(TINY_CASE)


def test_scenario_set_problems_name_the_sheet_row(tmp_path: Path) -> None:
    xlsx = tmp_path / "case.xlsx"
    code, _, err = run("case", "export", str(TINY_CASE), "--xlsx", str(xlsx))
    assert code == 0, err
    wb = load_workbook(xlsx)
    wb["inflow"]["D3"] = -5  # the second inflow row, first category
    wb["scenarios"]["C2"] = 0.9  # probabilities no longer sum to 1
    wb.save(xlsx)
    code, _, err = run("case", "import", str(xlsx), "--to", str(tmp_path / "out"))
    assert code == 2
    assert "case.xlsx (set two), row 3, column inflow!D3" in err and "persons" in err
    assert "case.xlsx (set two)" in err and "probabilit" in err
    assert not (tmp_path / "out").exists()


def test_import_marks_a_value_changed_with_its_source_left_in_place(workbook: Path) -> None:
    row = settings_row(workbook, "ind", "attrition_per_year")
    wb = load_workbook(workbook)
    wb[SETTINGS_SHEET].cell(row=row, column=3, value=0.12)
    wb.save(workbook)
    imported = import_workbook(workbook, today=dt.date(2026, 11, 30))
    assert imported.changed == ("ind.attrition_per_year",)
    assert imported.case.sources["ind.attrition_per_year"] == "changed by user on 2026-11-30; was 0.1"


def test_an_edited_scenario_set_says_so_in_its_provenance(tmp_path: Path) -> None:
    xlsx = tmp_path / "case.xlsx"
    code, _, err = run("case", "export", str(TINY_CASE), "--xlsx", str(xlsx))
    assert code == 0, err
    wb = load_workbook(xlsx)
    wb["inflow"]["D2"] = wb["inflow"]["D2"].value + 7  # one more first applicant in one month
    wb.save(xlsx)
    imported = import_workbook(xlsx, today=dt.date(2026, 11, 30))
    (two,) = imported.scenario_sets
    assert imported.changed == ("scenario_sets[two]",)
    assert two.provenance.notes.endswith("changed by user on 2026-11-30 (case import)")
    code, out, err = run("case", "import", str(xlsx), "--to", str(tmp_path / "out"))
    assert code == 0, err
    assert "scenario_sets[two]" in out
    assert "changed by user on" in (tmp_path / "out" / "scenarios" / "two" / "provenance.toml").read_text()


@pytest.mark.slow  # the whole default case through a workbook and back
def test_housing_outflow_of_a_set_goes_through_the_inflow_sheet(tmp_path: Path) -> None:
    """A set with housing.csv (hist-50) exports its housing as the inflow sheet's last column and
    imports it back; a negative housing cell is named by its sheet cell."""
    from bekostiging.io.excel_layout import HOUSING_COLUMN
    from bekostiging.io.scenarios import load_scenario_set

    xlsx = tmp_path / "case.xlsx"
    code, _, err = run("case", "export", str(REPO / "data" / "nl-2026"), "--xlsx", str(xlsx))
    assert code == 0, err
    wb = load_workbook(xlsx)
    ws = wb["inflow"]
    header = [c.value for c in ws[1]]
    assert header[-1] == HOUSING_COLUMN
    column = header.index(HOUSING_COLUMN) + 1
    hist = load_scenario_set(REPO / "data" / "nl-2026" / "scenarios" / "hist-50")
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "hist-50")
    assert row[column - 1].value == pytest.approx(float(hist.housing_persons[0, 0]))  # s01, first month
    mpp_row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "mpp")
    assert mpp_row[column - 1].value is None  # the MPP set has no housing file
    ws.cell(row=row[0].row, column=column, value=-1)
    wb.save(xlsx)
    code, _, err = run("case", "import", str(xlsx), "--to", str(tmp_path / "out"))
    assert code == 2
    letter = ws.cell(row=1, column=column).column_letter
    assert f"column inflow!{letter}{row[0].row}" in err
