"""The history data set: it loads, every figure has a source address, bad rows are named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bekostiging.cli import main
from bekostiging.errors import InputErrors
from bekostiging.history import Status, load_history
from bekostiging.messages import LANG_ENV

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("english_messages")]  # English messages

HISTORY_DIR = Path(__file__).parents[1] / "data" / "history"
RECORD_YEAR, RECORD_TOTAL = 2015, 58_880  # S1: total asylum inflow of the record year


def test_shipped_history_loads_with_a_source_for_every_figure() -> None:
    history = load_history(HISTORY_DIR)
    urls = {s.key: s.url for s in history.sources}
    tables = (history.inflow_yearly, history.inflow_periodic, history.coa, history.ind, history.spending)
    figures = [row for table in tables for row in table]
    assert figures
    for row in figures:
        if row.status is Status.MISSING:
            assert row.source == "" or row.source in urls
        else:
            assert urls[row.source].startswith(("http://", "https://"))
    for vintage in history.mpp_vintages:
        assert urls[vintage.source].startswith("http")


def test_totals_and_record() -> None:
    history = load_history(HISTORY_DIR)
    totals = history.totals()
    assert all(year in totals for year in range(2009, 2026))  # complete yearly totals 2009-2025
    assert history.record() == (RECORD_YEAR, RECORD_TOTAL)
    assert max(history.totals(until=2014)) == 2014  # nothing after the cut-off
    nareis = history.inflow("nareis")
    assert nareis[2012] is None  # missing stays missing (not zero, not interpolated)
    assert all(v is not None for y, v in nareis.items() if y >= 2015)


def test_mpp_vintage_horizon_and_centre() -> None:
    history = load_history(HISTORY_DIR)
    current = [
        v for v in history.mpp_vintages if v.published.isoformat() == "2025-09-26" and v.target_year == 2026
    ]
    assert len(current) == 1
    assert current[0].horizon == 1
    assert current[0].centre == (39_000 + 67_100) / 2  # midpoint when no mid is published


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "history"
    shutil.copytree(HISTORY_DIR, folder)
    return folder


def test_bad_rows_are_reported_with_file_row_and_column(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "inflow_yearly.csv"
    lines = path.read_text().splitlines()
    lines.append("2030,first,-5,reported,S1,")  # negative persons
    lines.append("2031,first,100,guessed,S1,")  # unknown status
    lines.append("2032,first,100,reported,NOPE,")  # unknown source key
    lines.append("2033,first,,reported,S1,")  # empty value but not 'missing'
    lines.append(lines[1])  # duplicate year x category
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputErrors) as caught:
        load_history(folder)
    text = str(caught.value)
    n = len(lines)
    assert f"inflow_yearly.csv, row {n - 4}: persons = -5" in text
    assert "status = guessed" in text
    assert "source = NOPE" in text and "a key of sources.csv" in text
    assert "empty exactly when status is 'missing'" in text
    assert f"row {n}: row" in text and "once (first on row 2)" in text


def test_vintage_band_must_be_ordered(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "mpp_vintages.csv"
    path.write_text(path.read_text() + "2025-10-01,autumn,X,2027,60000,50000,,reported,S23,\n")
    with pytest.raises(InputErrors, match="low <= mid <= high"):
        load_history(folder)


def test_history_show_prints_missing_and_writes_a_chart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.delenv(LANG_ENV, raising=False)  # the output's own default, whatever the module sets
    result = runner.invoke(main, ["history", "show", "--history", str(HISTORY_DIR), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Instroom per jaar" in result.output  # Dutch by default
    assert "–" in result.output  # missing figures shown as missing
    assert "58.880" in result.output  # Dutch number format
    assert (tmp_path / "history.png").stat().st_size > 0
    english = runner.invoke(main, ["history", "show", "--lang", "en", "--out", str(tmp_path)])
    assert "Inflow per year" in english.output and "58,880" in english.output


def test_history_show_bad_folder_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["history", "show", "--history", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "no such folder" in result.output
