"""The workbook survives a real spreadsheet: export, LibreOffice Calc saves it, import.

Every value and every source of the default case comes back (the imported folder is
byte-identical to the shipped one, scenario sets included), and text that a
spreadsheet would run as a formula stays text.  ``make test`` installs LibreOffice
(``libreoffice-calc-nogui``) when it can; without it these tests are skipped, except
under ``CI=true``, where a missing LibreOffice fails.
"""

from __future__ import annotations

import filecmp
import subprocess
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from bekostiging.cli import main
from bekostiging.io.case import SETTINGS_FILE, load_case, save_case
from bekostiging.io.excel import SETTINGS_SHEET, export_case_xlsx, import_workbook
from broken_cases import TINY_CASE
from tools import LIBREOFFICE, require_tool

pytestmark = pytest.mark.slow

CASE_DIR = Path(__file__).parents[1] / "data" / "nl-2026"
SOFFICE_TIMEOUT_S = 300  # a cold LibreOffice start on a loaded machine
LIBREOFFICE_BOOLEANS = {"=TRUE()", "=FALSE()"}  # how Calc writes a true/false cell
FORMULA_TEXTS = ("=1+1", "+31 6 1234", "-2 (minus)", "@SUM(A1)", "'quoted", "''=x")


def soffice() -> str:
    """LibreOffice's path: skipped locally when it is missing, FAILED under CI=true (tests/tools.py)."""
    return require_tool(LIBREOFFICE)


def libreoffice_save(xlsx: Path, tmp_path: Path) -> Path:
    """Open and save ``xlsx`` in LibreOffice Calc (headless), as a user would."""
    out = tmp_path / "saved-by-libreoffice"
    out.mkdir()
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run(
        [
            soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(xlsx),
        ],
        capture_output=True,
        text=True,
        timeout=SOFFICE_TIMEOUT_S,
        check=False,
    )
    saved = out / xlsx.name
    assert result.returncode == 0 and saved.is_file(), result.stderr
    assert saved.read_bytes() != xlsx.read_bytes()  # really rewritten by LibreOffice
    return saved


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_default_case_survives_libreoffice(tmp_path: Path) -> None:
    """Export -> LibreOffice save -> import: every file, value and source as shipped."""
    soffice()
    runner = CliRunner()
    xlsx = tmp_path / "case.xlsx"
    result = runner.invoke(main, ["case", "export", str(CASE_DIR), "--xlsx", str(xlsx)])
    assert result.exit_code == 0, result.output
    saved = libreoffice_save(xlsx, tmp_path)
    target = tmp_path / "imported"
    result = runner.invoke(main, ["case", "import", str(saved), "--to", str(target)])
    assert result.exit_code == 0, result.output
    assert "door u gewijzigd" not in result.output  # Dutch by default: nothing changed by the user
    assert result.output.startswith("Casus ")
    assert _files(target) == _files(CASE_DIR)
    differ = [f for f in _files(CASE_DIR) if not filecmp.cmp(CASE_DIR / f, target / f, shallow=False)]
    # case.toml is compared by content: its comments come from the schema's ranges and order
    assert differ in ([], [SETTINGS_FILE])
    assert tomllib.loads((target / SETTINGS_FILE).read_text()) == tomllib.loads(
        (CASE_DIR / SETTINGS_FILE).read_text()
    )
    shipped, imported = load_case(CASE_DIR), load_case(target)
    assert imported == shipped
    assert imported.sources == shipped.sources and len(imported.sources) > 0
    assert [r.source for r in imported.initial_stocks] == [r.source for r in shipped.initial_stocks]
    assert imported.source_list == shipped.source_list
    result = runner.invoke(main, ["validate", str(target)])
    assert result.exit_code == 0, result.output


def test_formula_text_stays_text_through_libreoffice(tmp_path: Path) -> None:
    """Text starting with = + - @ is written inert and read back as it was."""
    soffice()
    case = load_case(TINY_CASE)
    settings = case.settings.model_copy(
        update={
            "case": case.settings.case.model_copy(update={"description": FORMULA_TEXTS[0]}),
            "policy": case.settings.policy.model_copy(update={"description": FORMULA_TEXTS[3]}),
        }
    )
    rows = tuple(
        r.model_copy(update={"location": text})
        for r, text in zip(case.locations, FORMULA_TEXTS[1:], strict=False)
    )
    notes = "\n".join(FORMULA_TEXTS) + "\n"
    edited = case.model_copy(update={"settings": settings, "locations": rows, "notes": notes})
    xlsx = export_case_xlsx(edited, tmp_path / "formula.xlsx")
    cell = next(r for r in load_workbook(xlsx)[SETTINGS_SHEET].iter_rows() if r[1].value == "description")[2]
    assert cell.value == "'" + FORMULA_TEXTS[0] and cell.data_type == "s"
    saved = libreoffice_save(xlsx, tmp_path)
    formulas = {
        c.value
        for ws in load_workbook(saved).worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    }
    assert formulas <= LIBREOFFICE_BOOLEANS  # no text became a formula
    back = import_workbook(saved).case
    assert back.settings.case.description == FORMULA_TEXTS[0]
    assert back.settings.policy.description == FORMULA_TEXTS[3]
    assert [r.location for r in back.locations] == [r.location for r in rows]
    assert back.notes == notes
    assert back == edited
    save_case(back, tmp_path / "folder")  # and it is a valid case folder
