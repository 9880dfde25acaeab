"""``bekostiging validate`` through click's CliRunner: the good case and every broken one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bekostiging.cli import main
from broken_cases import BROKEN, TINY_CASE, Broken, both, copy_tiny, make_broken, replace

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("english_messages")]  # English messages

REPO = Path(__file__).resolve().parents[1]
MIN_DISTINCT_RULES = 12


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_good_case_summary_in_dutch_by_default() -> None:
    """The same summary as below in Dutch, the default: partners in words, Dutch numbers
    (1.200), no English words of the summary (the tiny case's own description stays as written)."""
    code, out, err = run("validate", str(TINY_CASE), "--lang", "nl")
    assert code == 0, err
    assert "Casus tiny" in out and "Horizon 2026-2026: 1 jaar, 12 perioden van een maand" in out
    assert "Registratie (AVIM/DISA)" in out
    assert "=     1.200 zaken/jaar; opleiding 3 maanden; vaste formatie" in out
    assert "2 soorten locaties, 200 plaatsen open (hoogstens 500); 174 personen in de opvang" in out
    assert "Bronnen: 0 van " in out and "zonder bron: case.name" in out
    assert out.rstrip().endswith("OK: geen problemen gevonden.")
    for english in ("Partners", "cases/year", "training", "Sources:", "Scenario set ", "no problems"):
        assert english not in out


def test_good_case_summary() -> None:
    """tiny-case: 12 monthly periods; scenario 'low' has 12 x (20 + 5 + 1) = 312 persons in
    2026, 'high' 12 x (40 + 10 + 3) = 636, each with probability 0.5.  The weighted
    inverse CDF gives P10 = P50 = 312 (cumulative probability 0.5 reaches 0.5) and P90 = 636.
    """
    code, out, err = run("validate", str(TINY_CASE), "--lang", "en")
    assert code == 0, err
    assert "Case tiny" in out
    assert "Horizon 2026-2026: 1 year, 12 periods of one month" in out
    assert "Scenario set two: 2 scenarios" in out
    assert "2026         312         312         636" in out
    # the partners in words, as in Dutch (it printed the case's keys: "ind", "registration")
    assert "  IND                             10 FTE x 30/FTE-year      =       300 cases/year" in out
    assert "  Registration (AVIM/DISA)         2 FTE x 600/FTE-year" in out
    assert "  Flexible pool" in out and "\n  ind " not in out
    assert "200 places open (at most 500); 174 persons in reception" in out
    assert out.rstrip().endswith("OK: no problems found.")
    assert err == ""


def test_scenarios_option_takes_a_folder(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "x").write_text("")  # a non-empty folder that is not a set: must fail
    code, _, err = run("validate", str(TINY_CASE), "--scenarios", str(TINY_CASE / "scenarios" / "two"))
    assert code == 0, err
    code, _, err = run("validate", str(TINY_CASE), "--scenarios", str(other))
    assert code == 2
    assert "scenarios.csv" in err


def test_missing_scenario_set_is_a_problem() -> None:
    code, _, err = run("validate", str(TINY_CASE), "--scenarios", "nosuchset")
    assert code == 2
    assert "nosuchset" in err
    assert "Traceback" not in err


def test_broken_fixtures_cover_enough_distinct_rules() -> None:
    rules = [b.rule for b in BROKEN]
    assert len(set(rules)) == len(rules)
    assert len(rules) >= MIN_DISTINCT_RULES


@pytest.mark.parametrize("broken", BROKEN, ids=str)
def test_broken_fixture_exits_2_naming_file_and_field(broken: Broken, tmp_path: Path) -> None:
    case_dir = make_broken(broken, tmp_path)
    result = CliRunner().invoke(main, ["validate", str(case_dir)])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if broken.file in line]
    assert any(broken.field in line for line in lines), result.stderr
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr
    assert result.stdout == ""  # no summary for a bad case


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    case_dir = copy_tiny(tmp_path)
    both(
        replace("case.toml", "attrition_per_year = 0.1", "attrition_per_year = 0.7"),
        replace("series.csv", "2026-02,10,0.6,0.02", "2026-02,10,sixty,0.02"),
        replace("seasonality.csv", "12,1\n", "12,1.3\n"),
        replace("scenarios/two/scenarios.csv", "high,0.5", "high,0.6"),
    )(case_dir)
    code, _, err = run("validate", str(case_dir))
    assert code == 2
    problem_lines = err.splitlines()[:-1]
    assert len(problem_lines) == 4, err
    assert err.splitlines()[-1].startswith("4 problems found")
    assert any("case.toml" in x and "ind.attrition_per_year = 0.7" in x for x in problem_lines)
    assert any("series.csv, row 3: permit_share = sixty" in x for x in problem_lines)
    assert any("seasonality.csv" in x and "factor" in x for x in problem_lines)
    assert any("scenarios.csv" in x and "probability" in x for x in problem_lines)


def test_problem_line_names_row_value_and_allowed_range(tmp_path: Path) -> None:
    case_dir = make_broken(next(b for b in BROKEN if b.rule == "share above 1"), tmp_path)
    _, _, err = run("validate", str(case_dir))
    line = err.splitlines()[0]
    assert line == (f"{case_dir / 'series.csv'}, row 5: permit_share = 1.5 — a number ≥ 0 and ≤ 1 (share)")


def test_missing_case_folder(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path / "nothing"))
    assert code == 2
    assert "case folder" in err
    assert "Traceback" not in err


def test_default_case_validates(monkeypatch: pytest.MonkeyPatch) -> None:
    """``bekostiging validate`` with no argument checks data/nl-2026 and its default set."""
    case_dir = REPO / "data" / "nl-2026"
    assert (case_dir / "scenarios").is_dir()  # shipped: a missing folder fails, it is never skipped
    monkeypatch.chdir(REPO)
    code, out, err = run("validate")
    assert code == 0, err
    assert "Case nl-2026" in out
    assert "Horizon 2026-2030" in out
    # the shipped case describes itself and its policy in Dutch, as the shipped presets do (the
    # Dutch summary said 'Casus nl-2026: Dutch asylum chain (…), monthly, public figures')
    code, dutch, err = run("validate", "--lang", "nl")
    assert code == 0, err
    assert "Casus nl-2026: Nederlandse asielketen (IND, COA, DT&V, registratie DISA), 2026-2030" in dutch
    from bekostiging.io.case import load_case

    policy = load_case(case_dir).settings.policy
    assert policy.name == "vrij" and policy.description.startswith("Alle maatregelen vrij: flexibele pool")


@pytest.mark.parametrize("args", [["validate"], ["case"], ["case", "export"], ["case", "import"]])
def test_help(args: list[str]) -> None:
    code, out, _ = run(*args, "--help")
    assert code == 0
    assert "Usage:" in out


def test_validate_checks_every_scenario_set_of_the_case(tmp_path: Path) -> None:
    """A broken non-default set in CASE/scenarios/ was never read ("OK"); now it is, by name."""
    case_dir = copy_tiny(tmp_path)
    other = case_dir / "scenarios" / "other"
    shutil.copytree(case_dir / "scenarios" / "two", other)
    inflow = other / "inflow.csv"
    lines = inflow.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    lines[1] = ",".join([*cells[:-1], "veel"])
    inflow.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run("validate", str(case_dir))
    assert code == 2
    assert f"{other / 'inflow.csv'}, row 2" in err
    assert "persons = veel" in err
    code, out, err = run("validate", str(case_dir), "--scenarios", "two")
    assert code == 0, err
    assert "Scenario sets checked (only this one: --scenarios): two" in out


def test_validate_names_the_scenario_sets_it_checked(tmp_path: Path) -> None:
    case_dir = copy_tiny(tmp_path)
    shutil.copytree(case_dir / "scenarios" / "two", case_dir / "scenarios" / "again")
    code, out, err = run("validate", str(case_dir))
    assert code == 0, err
    assert "Scenario sets checked: two, again" in out


def test_problems_are_capped_per_file(tmp_path: Path) -> None:
    """10,000 rows for an unknown scenario: 50 lines for the file, then how many more."""
    from bekostiging.errors import MAX_PROBLEMS_PER_FILE

    case_dir = copy_tiny(tmp_path)
    inflow = case_dir / "scenarios" / "two" / "inflow.csv"
    extra = 10_000
    with inflow.open("a", encoding="utf-8") as handle:
        for i in range(extra):
            handle.write(f"ghost,2026-{i % 12 + 1:02d},first,{i}\n")
    code, _, err = run("validate", str(case_dir), "--scenarios", "two")
    assert code == 2
    lines = err.splitlines()
    file_lines = [line for line in lines if line.startswith(str(inflow) + ", row")]
    assert len(file_lines) == MAX_PROBLEMS_PER_FILE
    assert f"{inflow}: {extra - MAX_PROBLEMS_PER_FILE:,} more problems not shown" in lines
    assert lines[-1] == f"{extra:,} problems found; fix the input and run again."
    assert len(lines) == MAX_PROBLEMS_PER_FILE + 2
