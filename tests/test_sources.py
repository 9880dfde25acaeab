"""Sources as data: validated keys and paths, and SOURCES.md generated from them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bekostiging.cli import main
from bekostiging.errors import InputErrors
from bekostiging.io.case import SOURCES_DOC, load_case
from bekostiging.io.sources import sources_markdown
from bekostiging.schema import settings_paths, source_keys, source_problem
from broken_cases import TINY_CASE

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("english_messages")]  # English messages

CASE_DIR = Path(__file__).parents[1] / "data" / "nl-2026"
KNOWN = ("S11", "S23", "N1", "mission")


@pytest.fixture
def case_copy(tmp_path: Path) -> Path:
    """The default case without its scenario sets, to edit."""
    return Path(shutil.copytree(CASE_DIR, tmp_path / "nl", ignore=shutil.ignore_patterns("scenarios")))


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(case_dir: Path) -> list[str]:
    with pytest.raises(InputErrors) as info:
        load_case(case_dir)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("S23", True),
        ("S11, S23: note citing S23", True),
        ("mission: option 1", True),
        ("estimate: half the work (S11)", True),
        ("estimate: 16,000 status holders (N1)", True),
        ("definition: a switch", True),
        ("changed by user on 2026-11-30; was 3 (S23)", True),
        ("S99", False),
        ("S11, S98: note", False),
        ("estimate: like S97", False),
        ("estimate: 16,000 (N9)", False),
        ("estimate", False),
        ("estimate:   ", False),
        ("changed by user on 2026-13-45", False),
        ("", False),
    ],
)
def test_source_forms(text: str, ok: bool) -> None:
    assert (source_problem(text, KNOWN) is None) is ok


def test_source_keys_reads_leading_and_cited_keys() -> None:
    assert source_keys("S41, S11: EUR 533m (S41)") == ["S41", "S11"]
    assert source_keys("estimate: 23,000 in Nov 2023 (S28)") == ["S28"]
    assert source_keys("data-sources: §6") == ["data-sources"]


def test_unknown_key_in_settings_source_names_file_and_field(case_copy: Path) -> None:
    _edit(case_copy / "case.toml", 'legal_term_months = "S44:', 'legal_term_months = "S999:')
    lines = _problems(case_copy)
    assert len(lines) == 1
    text = (case_copy / "case.toml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(text, 1) if t.startswith('legal_term_months = "S999:'))
    assert lines[0].startswith(
        f"case.toml, line {line}: sources.ind.legal_term_months = S999 — a key of the source list"
    )


def test_unknown_parameter_path_is_rejected(case_copy: Path) -> None:
    _edit(case_copy / "case.toml", "\n[sources.ind]\n", '\n[sources.ind]\ninitial_ftee = "S11"\n')
    lines = _problems(case_copy)
    assert any("sources.ind.initial_ftee = (unknown key)" in x and "a settings key" in x for x in lines)


def test_unknown_key_in_a_row_source_names_file_row_and_column(case_copy: Path) -> None:
    _edit(case_copy / "initial_stocks.csv", "(norm 24 h, S54)", "(norm 24 h, S998)")
    lines = _problems(case_copy)
    assert lines == [lines[0]] and lines[0].startswith(
        "initial_stocks.csv, row 2: source = S998 — a key of the source list"
    )


def test_duplicate_and_malformed_keys_of_the_source_list(case_copy: Path) -> None:
    text = (case_copy / "sources.csv").read_text(encoding="utf-8")
    (case_copy / "sources.csv").write_text(text + "S23,Again,,,,\n9X,Bad key,,,,\n", encoding="utf-8")
    lines = _problems(case_copy)
    assert any("sources.csv" in x and "key = S23" in x and "a unique key" in x for x in lines)
    assert any("sources.csv" in x and "key = 9X" in x for x in lines)


def test_a_case_citing_keys_needs_its_source_list(case_copy: Path) -> None:
    (case_copy / "sources.csv").unlink()
    lines = _problems(case_copy)
    assert any("sources.csv is empty or missing" in x for x in lines)


def test_sources_markdown_holds_every_source_and_the_notes() -> None:
    case = load_case(CASE_DIR)
    text = sources_markdown(case)
    for entry in case.source_list:
        assert f"**{entry.key}** {entry.title}" in text
    for source in case.sources.values():
        assert " ".join(source.split()) in text
    for row in case.initial_stocks:
        assert row.source and row.source in text
    assert "## Calibration in one place" in text  # notes.md
    assert text == (CASE_DIR / SOURCES_DOC).read_text(encoding="utf-8")


# a source's date as the annex shows it in either language: a year, a month, a day or a range of years
NEUTRAL_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?(–\d{4})?")


def test_source_dates_read_the_same_in_dutch_and_english() -> None:
    """The annex lists every source's date as written in sources.csv, in the Dutch and the English
    annex alike: ISO dates and years only (the Dutch annex showed '19 Oct 2020', 'n.d.' and
    '2023 provisional')."""
    case = load_case(CASE_DIR)
    dated = [e for e in case.source_list if e.date]
    assert len(dated) > 80
    assert [(e.key, e.date) for e in dated if not NEUTRAL_DATE.fullmatch(e.date)] == []


def test_case_sources_command_writes_and_checks(case_copy: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["case", "sources", str(case_copy), "--check"]).exit_code == 0
    _edit(case_copy / "case.toml", '"S44: legal decision term', '"S44: the legal decision term')
    stale = runner.invoke(main, ["case", "sources", str(case_copy), "--check"])
    assert stale.exit_code == 1 and "not what the sources give" in stale.output
    wrote = runner.invoke(main, ["case", "sources", str(case_copy), "--lang", "nl"])
    assert wrote.exit_code == 0, wrote.output
    assert "SOURCES.md geschreven (" in wrote.output and " bronnen, " in wrote.output
    assert "S44: the legal decision term" in (case_copy / SOURCES_DOC).read_text(encoding="utf-8")
    current = runner.invoke(main, ["case", "sources", str(case_copy), "--check", "--lang", "nl"])
    assert current.exit_code == 0 and current.output.strip().endswith("is actueel.")
    english = runner.invoke(main, ["case", "sources", str(case_copy), "--check"])  # English (fixture)
    assert english.exit_code == 0 and english.output.strip().endswith("is up to date.")


def test_validate_says_how_much_has_a_source(tmp_path: Path) -> None:
    n = len(settings_paths())
    shipped = CliRunner().invoke(main, ["validate", str(CASE_DIR), "--lang", "en"])
    assert shipped.exit_code == 0, shipped.output
    line = next(x for x in shipped.output.splitlines() if x.startswith("Sources:"))
    case = load_case(CASE_DIR)
    assert line.startswith(f"Sources: {n} of {n} settings") and "without a source" not in line
    assert f"{len(case.source_list)} entries in the source list" in line
    tiny = CliRunner().invoke(main, ["validate", str(TINY_CASE), "--lang", "en"])
    assert f"Sources: 0 of {n} settings" in tiny.output and "without a source: case.name" in tiny.output
