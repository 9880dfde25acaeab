"""Case folder loader and writer: values read, problems located, save/load round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bekostiging.errors import InputErrors
from bekostiging.io import load_case, save_case
from bekostiging.io.case import SETTINGS_FILE, TABLES
from bekostiging.schema import (
    DEFER_CHECKS,
    Case,
    Category,
    SeasonalityRow,
    StockName,
    case_violations,
)
from broken_cases import (
    CASE_RULES,
    DUPLICATED_STOCK,
    TINY_CASE,
    Broken,
    both,
    copy_tiny,
    make_broken,
    replace,
)

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[1]


def problems_of(case_dir: Path) -> list:
    with pytest.raises(InputErrors) as info:
        load_case(case_dir)
    return info.value.problems


def test_tiny_case_values() -> None:
    """Hand-derived from the fixture files.

    initial places = 100 x 2 (standard) + 50 x 0 (small) = 200;
    reception = 0.9 x (10 + 100) first + 1.0 x 0 nareis + 0.5 x (0 + 10) repeat + 50 + 20 = 174.
    """
    case = load_case(TINY_CASE)
    assert case.settings.case.name == "tiny"
    assert case.periods[0] == "2026-01"
    assert len(case.periods) == len(case.series) == 12
    assert case.initial_places() == pytest.approx(200.0)
    assert case.initial_reception_persons() == pytest.approx(174.0)
    assert case.stock(StockName.IND_BACKLOG, Category.FIRST) == pytest.approx(100.0)
    # keys left out of case.toml take the schema defaults
    assert case.settings.ind.legal_term_months == pytest.approx(6.0)
    assert case.settings.policy.name == "vrij"


@pytest.mark.parametrize("broken", CASE_RULES, ids=str)
def test_each_broken_rule_names_its_file_and_field(broken: Broken, tmp_path: Path) -> None:
    problems = problems_of(make_broken(broken, tmp_path))
    assert any(p.file == broken.file and broken.field in p.field for p in problems), problems


def test_csv_problem_is_located_by_line_and_column(tmp_path: Path) -> None:
    case_dir = copy_tiny(tmp_path)
    replace("series.csv", "2026-02,10,0.6,0.02", "2026-02,10,sixty,0.02")(case_dir)
    (problem,) = problems_of(case_dir)
    assert (problem.file, problem.row, problem.column, problem.field) == (
        "series.csv",
        3,
        "permit_share",
        "permit_share",
    )
    assert problem.found == "sixty"
    assert problem.allowed == "a number ≥ 0 and ≤ 1 (share)"


def test_settings_problem_names_the_key_path(tmp_path: Path) -> None:
    case_dir = copy_tiny(tmp_path)
    replace("case.toml", "attrition_per_year = 0.1", "attrition_per_year = 0.7")(case_dir)
    (problem,) = problems_of(case_dir)
    assert (problem.file, problem.field, problem.found) == ("case.toml", "ind.attrition_per_year", "0.7")
    assert problem.allowed == "a number ≥ 0 and ≤ 0.5 (share per year)"


def test_all_problems_at_once_across_files(tmp_path: Path) -> None:
    case_dir = copy_tiny(tmp_path)
    both(
        replace("case.toml", 'currency = "EUR"', 'currency = "USD"'),
        replace("locations.csv", "standard,100,2,4,", "standard,100,5,4,"),
        replace("mpp.csv", "2026,first,240,360", "2026,first,400,360"),
        replace("initial_stocks.csv", "status_holders,,50", "status_holders,first,50"),
        replace("seasonality.csv", "12,1\n", "12,1.3\n"),
    )(case_dir)
    found = {(p.file, p.field) for p in problems_of(case_dir)}
    assert found == {
        ("case.toml", "case.currency"),
        ("locations.csv", "initially_open"),
        ("mpp.csv", "low"),
        ("initial_stocks.csv", "category"),
        ("seasonality.csv", "factor"),
    }


def test_duplicate_row_names_both_file_rows(tmp_path: Path) -> None:
    case_dir = copy_tiny(tmp_path)
    replace("series.csv", "2026-03,10,0.6,0.02", "2026-02,10,0.6,0.02")(case_dir)
    duplicate = next(p for p in problems_of(case_dir) if p.row is not None)
    assert duplicate.row == 4  # 2026-03 was on line 4 (header = line 1)
    assert "already in row 3" in duplicate.allowed


def test_validators_still_raise_without_deferral() -> None:
    """The schema's own validators keep rejecting bad objects (for code that builds them)."""
    case = load_case(TINY_CASE)
    bad = tuple(SeasonalityRow(month=m, factor=2.0) for m in range(1, 13))
    with pytest.raises(ValidationError, match="average 1"):
        Case(**{**dict(case), "seasonality": bad})
    deferred = Case.model_validate({**dict(case), "seasonality": bad}, context={DEFER_CHECKS: True})
    assert [v.rule for v in case_violations(deferred)] == ["seasonality_mean_one"]


def test_save_then_load_is_identical(tmp_path: Path) -> None:
    case = load_case(TINY_CASE)
    first = save_case(case, tmp_path / "a")
    again = load_case(first)
    assert again == case
    second = save_case(again, tmp_path / "b")
    for name in [SETTINGS_FILE, *(t.file for t in TABLES)]:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_saved_csv_keeps_the_column_order_and_exact_numbers(tmp_path: Path) -> None:
    folder = save_case(load_case(TINY_CASE), tmp_path / "out")
    assert (folder / "initial_stocks.csv").read_text().splitlines()[:2] == [
        "stock,category,persons",
        "registration_queue,first,10",
    ]
    assert "status_holders,,50" in (folder / "initial_stocks.csv").read_text()
    assert (folder / "seasonality.csv").read_text().splitlines()[1] == "1,0.9"


def test_save_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        save_case(load_case(TINY_CASE), target)
    assert (target / "notes.txt").read_text() == "keep me"
    assert not (target / SETTINGS_FILE).exists()


def test_save_accepts_an_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    save_case(load_case(TINY_CASE), target)
    assert (target / SETTINGS_FILE).is_file()


def test_default_case_loads_and_round_trips(tmp_path: Path) -> None:
    case = load_case(REPO / "data" / "nl-2026")
    assert case.settings.horizon.start_year == 2026
    assert len(case.periods) == 60
    assert load_case(save_case(case, tmp_path / "copy")) == case


def test_semicolon_csv_from_dutch_excel_is_read(tmp_path: Path) -> None:
    case_dir = copy_tiny(tmp_path)
    path = case_dir / "mpp.csv"
    path.write_text(path.read_text().replace(",", ";"), encoding="utf-8")
    assert load_case(case_dir) == load_case(TINY_CASE)


def test_quarterly_case(tmp_path: Path) -> None:
    """period = "quarter": the series needs 2026-Q1..2026-Q4 and nothing else."""
    case_dir = copy_tiny(tmp_path)
    replace("case.toml", 'period = "month"', 'period = "quarter"')(case_dir)
    rows = [f"2026-Q{q},30,0.6,0.05" for q in range(1, 5)]
    header = "period,housing_outflow_persons,permit_share,unsupervised_departure_share"
    (case_dir / "series.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    case = load_case(case_dir)
    assert case.periods == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    (case_dir / "series.csv").write_text("\n".join([header, *rows[:3], "2026-12,30,0.6,0.05"]) + "\n")
    problems = problems_of(case_dir)
    assert [(p.row, p.field, p.found) for p in problems] == [
        (5, "period", "2026-12"),
        (None, "period", "missing 2026-Q4"),
    ]


# --------------------------------------------------------------------------- hardening (issue 13)


def _dutch_excel(path: Path) -> None:
    """Rewrite a CSV file as Excel saves it in a Dutch locale: ``;`` and decimal commas."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(line.replace(",", ";").replace(".", ",") for line in lines) + "\n", encoding="utf-8"
    )


def test_every_case_table_from_dutch_excel_is_read_like_the_original(tmp_path: Path) -> None:
    """Semicolons and decimal commas (``permit_share = 0,6``) in every case table, as scenario
    sets accept them: the loaded case equals the original."""
    case_dir = copy_tiny(tmp_path)
    for spec in TABLES:
        _dutch_excel(case_dir / spec.file)
    assert "0,6" in (case_dir / "series.csv").read_text()
    assert load_case(case_dir) == load_case(TINY_CASE)


def test_case_and_scenario_readers_share_one_number_rule() -> None:
    """One implementation: the scenario reader's number parser is the shared one."""
    from bekostiging.io import case as case_io
    from bekostiging.io import csvtext
    from bekostiging.io import scenarios as scenario_io

    assert scenario_io.parse_number is csvtext.parse_number
    assert case_io.decimal_point is csvtext.decimal_point
    assert csvtext.parse_number("0,6") == pytest.approx(0.6)
    assert csvtext.parse_number("1,000,000") is None  # not silently 1


def test_boolean_is_not_a_number(tmp_path: Path) -> None:
    """``initial_fte = true`` was read as 1 FTE; now it names the key and what is allowed."""
    case_dir = copy_tiny(tmp_path)
    replace("case.toml", "initial_fte = 10.0", "initial_fte = true")(case_dir)
    (problem,) = problems_of(case_dir)
    assert (problem.file, problem.field, problem.found) == ("case.toml", "ind.initial_fte", "true")
    assert problem.allowed.startswith("a number ≥ 0")


def test_duplicate_initial_stock_row_is_refused_with_both_rows(tmp_path: Path) -> None:
    """``ind_backlog,repeat,10`` then ``ind_backlog,repeat,12`` was summed to 22 silently."""
    case_dir = copy_tiny(tmp_path)
    replace("initial_stocks.csv", "ind_backlog,repeat,10\n", DUPLICATED_STOCK)(case_dir)
    (problem,) = problems_of(case_dir)
    assert problem.file == "initial_stocks.csv"
    assert problem.found == "ind_backlog/repeat"
    assert problem.row == 8
    assert "already in row 7" in problem.allowed


def test_implausible_value_names_the_setting(tmp_path: Path) -> None:
    """``cost_per_resident_year_eur = 1e30`` passed validate and broke HiGHS later."""
    case_dir = copy_tiny(tmp_path)
    huge = "cost_per_resident_year_eur = 1e30"
    replace("case.toml", "cost_per_resident_year_eur = 10000.0", huge)(case_dir)
    (problem,) = problems_of(case_dir)
    assert problem.field == "coa.cost_per_resident_year_eur"
    assert "≤ 1e+07" in problem.allowed


def _numeric_fields() -> list[tuple[str, str, object]]:
    from bekostiging.schema import Case, ScenarioInfo, Settings, is_numeric

    found: list[tuple[str, str, object]] = []
    seen: set[type] = set()

    def walk(model: type, prefix: str) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            ann = info.annotation
            args = getattr(ann, "__args__", ())
            sub = next((a for a in (ann, *args) if isinstance(a, type) and hasattr(a, "model_fields")), None)
            if sub is not None:
                walk(sub, f"{prefix}{name}.")
            elif is_numeric(ann):
                found.append((model.__name__, f"{prefix}{name}", info))

    walk(Settings, "")
    walk(Case, "")
    walk(ScenarioInfo, "scenarios.")
    return found


def test_every_numeric_parameter_has_a_plausible_range() -> None:
    """Every number in a case has a lower and an upper bound, so a typo (1e30) is refused."""
    import annotated_types

    fields = _numeric_fields()
    assert len(fields) > 40  # the walk itself reaches the settings and the tables
    unbounded = []
    for model, path, info in fields:
        kinds = {type(m) for m in info.metadata}  # type: ignore[attr-defined]
        lower = kinds & {annotated_types.Ge, annotated_types.Gt}
        upper = kinds & {annotated_types.Le, annotated_types.Lt}
        if not (lower and upper):
            unbounded.append(f"{model}.{path}")
    assert not unbounded, f"numeric fields without a lower and upper bound: {unbounded}"
