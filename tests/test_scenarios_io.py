"""Scenario-set files: round trip, refusal to overwrite, and one test per broken input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bekostiging.errors import InputErrors, InputProblem
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import (
    INFLOW_FILE,
    PROVENANCE_FILE,
    SCENARIOS_FILE,
    load_scenario_set,
    resolve_scenario_set,
    write_scenario_set,
)
from bekostiging.schema import Category

pytestmark = pytest.mark.unit

TINY_CASE = Path(__file__).parent / "fixtures" / "tiny-case"
PERIODS = ("2026-01", "2026-02", "2026-03")
PROVENANCE = """method = "manual"
source = "test"
created = 2025-09-26
"""


def _write(folder: Path, scenarios: str, inflow: str, provenance: str = PROVENANCE) -> Path:
    folder.mkdir(parents=True)
    (folder / SCENARIOS_FILE).write_text(scenarios)
    (folder / INFLOW_FILE).write_text(inflow)
    (folder / PROVENANCE_FILE).write_text(provenance)
    return folder


def _inflow_rows(scenarios: tuple[str, ...] = ("a", "b")) -> list[str]:
    rows = ["scenario,period,category,persons"]
    for i, s in enumerate(scenarios):
        for j, p in enumerate(PERIODS):
            for k, c in enumerate(Category):
                rows.append(f"{s},{p},{c.value},{100 * (i + 1) + 10 * j + k}")
    return rows


GOOD_SCENARIOS = "scenario,probability,description\na,0.25,low\nb,0.75,high\n"


def _good(folder: Path) -> Path:
    return _write(folder, GOOD_SCENARIOS, "\n".join(_inflow_rows()) + "\n")


def _problems(folder: Path, **kwargs: object) -> list[InputProblem]:
    with pytest.raises(InputErrors) as caught:
        load_scenario_set(folder, **kwargs)  # type: ignore[arg-type]
    return caught.value.problems


def test_good_set_loads_in_file_order(tmp_path: Path) -> None:
    loaded = load_scenario_set(_good(tmp_path / "good"))
    assert loaded.name == "good"
    assert loaded.names == ["a", "b"]
    assert loaded.periods == PERIODS
    assert loaded.probabilities.tolist() == [0.25, 0.75]
    # row b, 2026-03, repeat: 100*2 + 10*2 + 2
    assert loaded.inflow_persons[1, 2, list(Category).index(Category.REPEAT)] == 222
    assert loaded.provenance.method == "manual"


def test_write_then_load_is_identical(tmp_path: Path) -> None:
    original = load_scenario_set(_good(tmp_path / "good"))
    write_scenario_set(original, tmp_path / "copy")
    copy = load_scenario_set(tmp_path / "copy")
    assert copy.scenarios == original.scenarios
    assert copy.provenance == original.provenance
    assert np.array_equal(copy.inflow_persons, original.inflow_persons)


def test_write_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    original = load_scenario_set(_good(tmp_path / "good"))
    with pytest.raises(InputErrors) as caught:
        write_scenario_set(original, tmp_path / "good")
    assert "not empty" in str(caught.value)
    (tmp_path / "empty").mkdir()
    write_scenario_set(original, tmp_path / "empty")  # an empty folder is fine
    assert (tmp_path / "empty" / INFLOW_FILE).is_file()


def test_probabilities_not_summing_to_one(tmp_path: Path) -> None:
    folder = _write(tmp_path / "s", "scenario,probability\na,0.3\nb,0.6\n", "\n".join(_inflow_rows()))
    (problem,) = _problems(folder)
    assert (problem.file, problem.field) == (SCENARIOS_FILE, "probability")
    assert "0.9" in problem.found
    assert "sum" in problem.allowed


def test_probability_sum_within_tolerance_is_accepted(tmp_path: Path) -> None:
    thirds = "scenario,probability\na,0.3333333333333333\nb,0.3333333333333333\nc,0.3333333333333333\n"
    folder = _write(tmp_path / "s", thirds, "\n".join(_inflow_rows(("a", "b", "c"))))
    assert len(load_scenario_set(folder).scenarios) == 3


def test_negative_probability(tmp_path: Path) -> None:
    folder = _write(tmp_path / "s", "scenario,probability\na,-0.5\nb,1.5\n", "\n".join(_inflow_rows()))
    problems = _problems(folder)
    assert [(p.row, p.field, p.found) for p in problems] == [
        (2, "probability", "-0.5"),
        (3, "probability", "1.5"),
    ]


def test_negative_inflow(tmp_path: Path) -> None:
    rows = _inflow_rows()
    rows[4] = "a,2026-02,first,-7"
    (problem,) = _problems(_write(tmp_path / "s", GOOD_SCENARIOS, "\n".join(rows)))
    assert (problem.file, problem.row, problem.column, problem.found) == (
        INFLOW_FILE,
        5,
        "persons",
        "-7",
    )


def test_missing_period(tmp_path: Path) -> None:
    rows = [r for r in _inflow_rows() if not r.startswith("b,2026-02,")]
    (problem,) = _problems(_write(tmp_path / "s", GOOD_SCENARIOS, "\n".join(rows)))
    assert problem.file == INFLOW_FILE
    assert "scenario b lacks 3 rows" in problem.found
    assert "2026-02/first" in problem.found


def test_missing_period_in_every_scenario_is_found_against_the_case(tmp_path: Path) -> None:
    case = load_case(TINY_CASE)
    rows = ["scenario,period,category,persons"] + [
        f"a,{p},{c.value},1" for p in case.periods if p != "2026-06" for c in Category
    ]
    folder = _write(tmp_path / "s", "scenario,probability\na,1\n", "\n".join(rows))
    (problem,) = _problems(folder, case=case)
    assert "2026-06/first" in problem.found


def test_period_outside_the_horizon(tmp_path: Path) -> None:
    case = load_case(TINY_CASE)
    rows = ["scenario,period,category,persons"] + [
        f"a,{p},{c.value},1" for p in [*case.periods, "2031-01"] for c in Category
    ]
    folder = _write(tmp_path / "s", "scenario,probability\na,1\n", "\n".join(rows))
    problems = _problems(folder, case=case)
    assert {(p.field, p.found) for p in problems} == {("period", "2031-01")}
    assert len(problems) == len(Category)


def test_duplicate_row(tmp_path: Path) -> None:
    rows = _inflow_rows()
    rows.append(rows[1])
    (problem,) = _problems(_write(tmp_path / "s", GOOD_SCENARIOS, "\n".join(rows)))
    assert problem.row == len(rows)
    assert "first on row 2" in problem.allowed


def test_unknown_category(tmp_path: Path) -> None:
    rows = [*_inflow_rows(), "a,2026-01,hervestiging,3"]
    (problem,) = _problems(_write(tmp_path / "s", GOOD_SCENARIOS, "\n".join(rows)))
    assert (problem.field, problem.found) == ("category", "hervestiging")
    assert "first, nareis, repeat" in problem.allowed


def test_unknown_scenario_and_duplicate_scenario(tmp_path: Path) -> None:
    scenarios = "scenario,probability\na,0.5\nb,0.5\na,0.0\n"
    rows = [*_inflow_rows(), "zz,2026-01,first,3"]
    problems = _problems(_write(tmp_path / "s", scenarios, "\n".join(rows)))
    found = {(p.file, p.field, p.found) for p in problems}
    assert (SCENARIOS_FILE, "scenario", "a") in found
    assert (INFLOW_FILE, "scenario", "zz") in found


def test_bad_period_label_and_header(tmp_path: Path) -> None:
    rows = [*_inflow_rows(), "a,2026-13,first,3"]
    (problem,) = _problems(_write(tmp_path / "s", GOOD_SCENARIOS, "\n".join(rows)))
    assert (problem.field, problem.found) == ("period", "2026-13")
    folder = _write(tmp_path / "h", GOOD_SCENARIOS, "scenario,period,cat,persons\n")
    (problem,) = _problems(folder)
    assert (problem.field, problem.row) == ("header", 1)


def test_bad_provenance(tmp_path: Path) -> None:
    provenance = 'method = "guess"\nsource = "x"\n'
    folder = _write(tmp_path / "s", GOOD_SCENARIOS, "\n".join(_inflow_rows()), provenance)
    fields = {p.field for p in _problems(folder)}
    assert fields == {"method", "created"}


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    rows = _inflow_rows()
    rows[3] = "a,2026-01,repeat,-1"
    rows.append("a,2026-01,other,1")
    folder = _write(tmp_path / "s", "scenario,probability\na,0.5\nb,0.6\n", "\n".join(rows))
    (tmp_path / "s" / PROVENANCE_FILE).unlink()
    problems = _problems(folder)
    assert {p.file for p in problems} == {SCENARIOS_FILE, INFLOW_FILE, PROVENANCE_FILE}
    assert len(problems) >= 4


def test_missing_folder(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path / "nowhere")
    assert problem.found == "no such folder"


def test_resolve_name_and_path(tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    (case_dir / "scenarios" / "mpp").mkdir(parents=True)
    assert resolve_scenario_set(case_dir, "mpp") == case_dir / "scenarios" / "mpp"
    other = _good(tmp_path / "elsewhere")
    assert resolve_scenario_set(case_dir, str(other)) == other
    # an unknown bare name points into the case, so the error names that folder
    assert resolve_scenario_set(case_dir, "nope") == case_dir / "scenarios" / "nope"


def test_semicolon_csv_with_decimal_commas_from_dutch_excel(tmp_path: Path) -> None:
    scenarios = "scenario;probability;description\na;0,25;laag\nb;0,75;hoog\n"
    inflow = "\n".join(r.replace(",", ";") for r in _inflow_rows()) + "\n"
    loaded = load_scenario_set(_write(tmp_path / "nl", scenarios, inflow))
    assert loaded.probabilities.tolist() == [0.25, 0.75]
    assert loaded.inflow_persons.sum() == load_scenario_set(_good(tmp_path / "en")).inflow_persons.sum()
