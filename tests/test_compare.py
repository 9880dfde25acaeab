"""``compare``: two runs with known differences show exactly those.

Run A: synthetic tables, penalty 1000, P(high) = 0.25, MPP 2027 mid 40,000.
Run B: flex pool 80 instead of 50 FTE, every cost x 1.1, penalty 5000, MPP 2027
mid 41,000; the scenario set is the same. By hand: total cost A = 1,261.25 m
(stage 1 8 x 100 m; stage 2 8 x 50 m x E[f] = 1.125, plus 10 m x E[f] reserve
draw, E[f] = .25 x .5 + .5 x 1 + .25 x 2 = 1.125), total cost B = 1.1 x (800 +
450) + 11.25 = 1,386.25 m.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from bekostiging.cli import main
from bekostiging.report.compare import compare_runs, diff_csv, side_by_side
from bekostiging.report.compare_out import comparison_text, write_comparison
from bekostiging.report.i18n import term
from bekostiging.runs.store import read_run, write_run
from synthetic_runs import FakeSolution, make_case, make_tables

pytestmark = pytest.mark.unit

COST_A = 800e6 + 450e6 + 11.25e6
COST_B = 1.1 * (800e6 + 450e6) + 11.25e6


@pytest.fixture
def two_runs(tmp_path: Path) -> tuple[Path, Path, Path]:
    runs = tmp_path / "runs"
    a = make_case(tmp_path / "a")
    b = make_case(tmp_path / "b", penalty=5000.0, mpp_2027_mid=41000)
    pa = write_run(
        FakeSolution(make_tables()),
        case_dir=a[0],
        scenarios_dir=a[1],
        runs_dir=runs,
        name="penalty-low",
        seed=1,
    )
    pb = write_run(
        FakeSolution(make_tables(flexpool_fte=80.0, cost_scale=1.1)),
        case_dir=b[0],
        scenarios_dir=b[1],
        runs_dir=runs,
        name="penalty-high",
        seed=1,
    )
    return runs, pa, pb


def test_levers_show_only_the_flexpool_change(two_runs) -> None:
    _, pa, pb = two_runs
    cmp = compare_runs([read_run(pa), read_run(pb)])
    b = cmp.labels[1]
    changed = cmp.levers[cmp.levers[f"Δ {b}"].abs() > 0]
    assert list(changed["lever"]) == ["flexpool_fte"]
    row = changed.iloc[0]
    assert row[f"Δ {b}"] == pytest.approx(30.0)
    assert row[f"Δ% {b}"] == pytest.approx(0.6)
    assert list(cmp.levers["lever"][:5]) == [
        "flexpool_fte",
        "asielreserve_eur",
        "funding_ratio",
        "reserve_places",
        "planned_occupancy_rate",
    ]


def test_expected_cost_difference_by_hand(two_runs) -> None:
    _, pa, pb = two_runs
    cmp = compare_runs([read_run(pa), read_run(pb)])
    a, b = cmp.labels
    total = cmp.kpis.set_index("kpi").loc["total_cost_eur"]
    assert total[a] == pytest.approx(COST_A)
    assert total[b] == pytest.approx(COST_B)
    assert total[f"Δ {b}"] == pytest.approx(COST_B - COST_A)
    assert total[f"Δ% {b}"] == pytest.approx((COST_B - COST_A) / COST_A)
    # funding is identical in both runs: no difference anywhere
    assert (cmp.funding[f"Δ {b}"] == 0).all()
    # cost per year per run, for the chart: two years per run, summing to the total
    per_run = cmp.cost_per_year.groupby("run")["value"].sum()
    assert per_run[a] == pytest.approx(COST_A)
    assert len(cmp.backlog_per_year) == 4


def test_input_differences_are_exactly_the_changed_values(two_runs) -> None:
    _, pa, pb = two_runs
    cmp = compare_runs([read_run(pa), read_run(pb)])
    found = {(r.file, r.where, r.column, r.old, r.new) for r in cmp.inputs.itertuples()}
    assert found == {
        ("case.toml", "penalties.late_case_eur_per_month", "", "1000.0", "5000.0"),
        ("mpp.csv", "year=2027, category=first", "mid", "40000", "41000"),
    }


def test_identical_inputs_have_no_differences(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    a = make_case(tmp_path / "a")
    p1 = write_run(FakeSolution(make_tables()), case_dir=a[0], scenarios_dir=a[1], runs_dir=runs)
    p2 = write_run(FakeSolution(make_tables()), case_dir=a[0], scenarios_dir=a[1], runs_dir=runs)
    cmp = compare_runs([read_run(p1), read_run(p2)])
    assert cmp.inputs.empty
    assert "Geen verschillen in de invoer." in comparison_text(cmp, "nl")


def test_scenario_changes_are_listed_per_scenario(tmp_path: Path) -> None:
    old = tmp_path / "old.csv"
    new = tmp_path / "new.csv"
    old.write_text("scenario,probability,description\nlow,0.5,laag\nhigh,0.5,hoog\n")
    new.write_text("scenario,probability,description\nlow,0.4,laag\nhigh,0.4,hoog\nextreme,0.2,extreem\n")
    rows = diff_csv(old, new, "scenarios.csv")
    assert ("scenarios.csv", "scenario=low", "probability", "0.5", "0.4") in rows
    assert ("scenarios.csv", "scenario=extreme", "", "(row added)", "0.2, extreem") in rows
    assert len(rows) == 3


def test_side_by_side_percent_is_empty_against_zero() -> None:
    a = pd.DataFrame({"k": ["x"], "value": [0.0]})
    b = pd.DataFrame({"k": ["x"], "value": [5.0]})
    out = side_by_side([a, b], ["A", "B"], ["k"], "value")
    assert out.loc[0, "Δ B"] == 5.0
    assert pd.isna(out.loc[0, "Δ% B"])


def test_compare_cli_terminal_html_and_excel(two_runs, tmp_path: Path) -> None:
    runs, pa, pb = two_runs
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        main, ["compare", pa.name, pb.name[-6:], "--runs-dir", str(runs), "--lang", "en", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Flexible staff pool (mean FTE)" in result.output
    assert "penalties.late_case_eur_per_month" in result.output
    assert "€1,386.3 million" in result.output  # COST_B in English number format
    assert (out / "comparison.html").is_file()
    assert f"wrote {out / 'comparison.html'}" in result.output.splitlines()
    args = ["compare", pa.name, pb.name, "--runs-dir", str(runs), "--out", str(tmp_path / "nl")]
    dutch = CliRunner().invoke(main, args)
    assert f"geschreven: {tmp_path / 'nl' / 'vergelijking.html'}" in dutch.output.splitlines()
    assert f"  {pa.name.split('-', 2)[2]}: {pa.name} (optimaal)" in dutch.output.splitlines()
    import openpyxl

    wb = openpyxl.load_workbook(out / "comparison.xlsx")
    assert wb.sheetnames[:5] == ["Runs", "Levers", "Funding", "Indicators", "Costs"]
    assert "Technical input differences" in wb.sheetnames
    again = CliRunner().invoke(
        main, ["compare", pa.name, pb.name, "--runs-dir", str(runs), "--out", str(out), "--lang", "en"]
    )
    assert again.exit_code != 0
    assert "exists" in again.output


@pytest.mark.usefixtures("english_messages")  # checks the English message
def test_compare_needs_two_runs(two_runs) -> None:
    runs, pa, _ = two_runs
    result = CliRunner().invoke(main, ["compare", pa.name, "--runs-dir", str(runs)])
    assert result.exit_code == 2
    assert "at least two runs" in result.output


def test_write_comparison_dutch_files(two_runs, tmp_path: Path) -> None:
    _, pa, pb = two_runs
    cmp = compare_runs([read_run(pa), read_run(pb)])
    paths = write_comparison(cmp, "nl", tmp_path / "nl")
    html = paths[0].read_text(encoding="utf-8")
    assert '<html lang="nl">' in html
    assert "Verschillen in invoer" in html
    assert "<td>optimaal</td>" in html and "optimal<" not in html  # each run's status in words
    assert html.count("data:image/png;base64,") == 2  # cost and backlog per year
    assert "€ 1.386,3 mln" in html


def test_value_of_flexibility_side_by_side_when_analysed(two_runs) -> None:
    """Only run A has ``analysis/value.csv`` (VSS 12.5, EVPI 62.5 by hand, the newsvendor of
    the analytics tests): the comparison shows its measures, run B's column is empty."""
    _, pa, pb = two_runs
    (pa / "analysis").mkdir()
    (pa / "analysis" / "value.csv").write_text(
        "section,measure,unit,value,lower,upper,status,gap,exact,recommended,status_quo,note\n"
        "value,VSS,EUR,12.5,12.5,12.5,optimal,0,True,,,\n"
        "value,EVPI,EUR,62.5,62.5,62.5,optimal,0,True,,,\n"
        "value,RP,EUR,-187.5,-187.5,-187.5,optimal,0,True,,,\n"
        "kpi,late_case_months,case-months,1,,,,,,2,3,ignored here\n"
    )
    cmp = compare_runs([read_run(pa), read_run(pb)])
    a, b = cmp.labels
    assert list(cmp.value["measure"]) == ["RP", "VSS", "EVPI"]  # canonical order, kpi rows left out
    assert cmp.value.set_index("measure").loc["VSS", a] == pytest.approx(12.5)
    assert cmp.value[b].isna().all()
    assert "Wat plannen voor onzekerheid oplevert" in comparison_text(cmp, "nl")


def test_no_value_section_without_analysis(two_runs) -> None:
    _, pa, pb = two_runs
    cmp = compare_runs([read_run(pa), read_run(pb)])
    assert cmp.value.empty
    assert "What planning for uncertainty yields" not in comparison_text(cmp, "en")


def test_kpis_of_weights_valuation_and_end_state_in_words(tmp_path: Path) -> None:
    """The comparison names every KPI as ``show`` and the workbook do (``kpi_label``): weights,
    valuations and start/end states in words, no KPI code (found on two real runs, where
    ``weight_late_cases_eur``, ``backlog_start_persons``… stood as codes in the Dutch table)."""
    runs = tmp_path / "runs"
    a = make_case(tmp_path / "a")
    extra = pd.DataFrame(
        [
            ("expected", "weight_late_cases_eur", 5e6, "EUR"),
            ("expected", "terminal_backlog_eur", 7e6, "EUR"),
            ("expected", "backlog_start_persons", 44000.0, "persons"),
            ("expected", "occupancy_end_persons", 28000.0, "persons"),
        ],
        columns=["scenario", "kpi", "value", "unit"],
    )
    paths = []
    for scale in (1.0, 1.1):
        tables = make_tables(cost_scale=scale)
        tables["kpis"] = pd.concat([tables["kpis"], extra], ignore_index=True)
        paths.append(write_run(FakeSolution(tables), case_dir=a[0], scenarios_dir=a[1], runs_dir=runs))
    cmp = compare_runs([read_run(p) for p in paths])
    for lang, words in (
        ("nl", ["Modelweging, geen uitgave: late zaken", "Voorraad IND (personen), start", "Bezetting COA"]),
        ("en", ["Model weights, not spending: late cases", "IND backlog (persons), start", "COA occupancy"]),
    ):
        text = comparison_text(cmp, lang)
        kpi_section = text.split(term("expected_kpis", lang))[1].split(term("input_differences", lang))[0]
        for w in words:
            assert w in kpi_section, (lang, w)
        codes = set(cmp.kpis["kpi"])
        assert not [line for line in kpi_section.splitlines() if any(c in line.split() for c in codes)]


def test_input_difference_markers_in_the_users_language(two_runs, tmp_path: Path) -> None:
    """The markers of the input differences and a setting's true/false speak the language
    (Dutch showed '(run settings)', '(row added)', 'True'); keys and file names stay as written."""
    from bekostiging.report.compare import RUN_SETTINGS_FILE
    from bekostiging.report.compare_out import comparison_sheets

    _, pa, pb = two_runs
    cmp = compare_runs([read_run(pa), read_run(pb)])
    inputs = pd.DataFrame(
        [
            ("b", RUN_SETTINGS_FILE, "settings.policy.allow_asielreserve", "", "True", "False"),
            ("b", "scenarios.csv", "scenario=extreme", "", "(row added)", "0.2, extreem"),
            ("b", "locations.csv", "", "note", "(column)", "(row removed)"),
            ("b", "notes.md", "", "", "", "(text changed)"),
            ("b", "extra.csv", "", "", "", "(file added)"),
        ],
        columns=["run", "file", "where", "column", "old", "new"],
    )
    marked = replace(cmp, inputs=inputs)
    dutch = comparison_text(marked, "nl").split(term("input_differences", "nl"))[1]
    for word in ("(instellingen van de run)", "ja", "nee", "(rij toegevoegd)", "(kolom)", "(rij verwijderd)"):
        assert word in dutch, word
    for word in ("(tekst gewijzigd)", "(bestand toegevoegd)", "settings.policy.allow_asielreserve"):
        assert word in dutch, word
    assert not re.search(r"\((run settings|row|column|text|file)|True|False", dutch), dutch
    english = comparison_text(marked, "en").split(term("input_differences", "en"))[1]
    for word in ("(run settings)", "True", "False", "(row added)", "(column)", "(text changed)"):
        assert word in english, word
    (sheet,) = [s for s in comparison_sheets(marked, "nl") if s.name == "Technisch invoerverschillen"]
    assert "(instellingen van de run)" in set(sheet.frame["file"])


def test_kpi_labels_name_no_year() -> None:
    """A KPI's name holds for any horizon: the Dutch names said 'eind 2030' and 'na 2030' (the
    default case's last year) for every case, the English ones 'at the end'."""
    from bekostiging.report.money import DERIVED_WEIGHTS, END_STATE, LABELS, VALUATION_KPIS, kpi_label

    keys = ["backlog_end_persons", *VALUATION_KPIS, *(k for _w, a, b in END_STATE for k in (a, b))]
    for lang in ("nl", "en"):
        for key in keys:
            assert not re.search(r"\b20\d\d\b", kpi_label(key, lang)), (lang, key)
    assert not [pair for pair in LABELS.values() if re.search(r"\b20\d\d\b", " ".join(pair))]
    assert not [w for w, *_ in DERIVED_WEIGHTS if re.search(r"\b20\d\d\b", " ".join(w))]


@pytest.fixture
def ratio_runs(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Run B funds at 110 % of the MPP need instead of 105 % and funds the chain at 100 %
    instead of 95 % of the MPP forecast: differences of shares, +5.0 percentage points each."""
    runs = tmp_path / "runs"
    a = make_case(tmp_path / "a")
    paths = []
    for name, funding_ratio, need_ratio in (("a", 0.95, 1.05), ("b", 1.0, 1.10)):
        tables = make_tables()
        levers = tables["levers"].set_index("lever")
        levers.loc["funding_ratio", "value"] = funding_ratio
        tables["levers"] = levers.reset_index()
        funding = tables["funding"]
        tables["funding"] = funding.assign(budget_eur=need_ratio * funding["mpp_need_eur"], ratio=need_ratio)
        paths.append(
            write_run(FakeSolution(tables), case_dir=a[0], scenarios_dir=a[1], runs_dir=runs, name=name)
        )
    return runs, paths[0], paths[1]


POINTS = {"nl": "+5,0 procentpunt", "en": "+5.0 pp"}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_difference_of_shares_is_in_percentage_points(ratio_runs, lang: str) -> None:
    """A difference of two ratios (funding against the MPP forecast, 95 % → 100 %; budget
    against the MPP need, 105 % → 110 %) is 5.0 percentage points, not '5,0%'; its Δ% stays
    empty. Money and counts keep their own units."""
    _, pa, pb = ratio_runs
    cmp = compare_runs([read_run(pa), read_run(pb)])
    text = comparison_text(cmp, lang)
    ratio_lever = term("funding_ratio", lang)
    (line,) = [ln for ln in text.splitlines() if ratio_lever in ln]
    assert POINTS[lang] in line, line
    assert line.rstrip().endswith("–"), line  # no Δ% of a ratio
    assert ("5,0%" if lang == "nl" else "5.0%") not in line.replace("95,0%", "").replace("95.0%", "")
    need_rows = [ln for ln in text.splitlines() if "MPP" in ln and ("Budget" in ln)]
    assert need_rows and all(POINTS[lang] in ln for ln in need_rows), need_rows[:2]
    flex = [ln for ln in text.splitlines() if term("flexpool_fte", lang) in ln]
    assert flex and "pp" not in flex[0] and "procentpunt" not in flex[0]  # a count stays a count


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_difference_of_shares_in_html_and_excel(ratio_runs, tmp_path: Path, lang: str) -> None:
    """The HTML page shows the difference of ratios in percentage points; the workbook keeps it a
    number (5.0) whose format says procentpunt / pp, where it showed 0.05 formatted as 5.0%."""
    _, pa, pb = ratio_runs
    cmp = compare_runs([read_run(pa), read_run(pb)])
    html_path, xlsx_path = write_comparison(cmp, lang, tmp_path / lang)
    html = html_path.read_text(encoding="utf-8")
    assert f'<td class="num">{POINTS[lang]}</td>' in html
    import openpyxl

    sheet = openpyxl.load_workbook(xlsx_path)["Maatregelen" if lang == "nl" else "Levers"]
    rows = list(sheet.iter_rows(values_only=False))
    heads = [c.value for c in rows[0]]
    delta = heads.index(f"Δ {cmp.labels[1]}")
    (row,) = [r for r in rows[2:] if r[0].value == term("funding_ratio", lang)]
    assert row[delta].value == pytest.approx(5.0)
    assert ("procentpunt" if lang == "nl" else "pp") in row[delta].number_format
    assert row[delta - 1].number_format == "0.0%"  # the run's own value stays a percentage
    # the unit columns say what the cells are: the values in %, their Δ in percentage points
    # (one unit column said % for both)
    unit, delta_unit = heads.index(term("unit", lang)), heads.index(f"{term('unit', lang)} Δ")
    assert (row[unit].value, row[delta_unit].value) == ("%", "procentpunt" if lang == "nl" else "pp")
    assert rows[1][delta].value == ("zie kolom Eenheid Δ" if lang == "nl" else "see column Unit Δ")
    (flex,) = [r for r in rows[2:] if r[0].value == term("flexpool_fte", lang)]
    assert flex[delta_unit].value == flex[unit].value  # a count's Δ is in its own unit


def test_points_are_signed_and_zero_has_no_sign() -> None:
    from bekostiging.report.i18n import fmt_points

    assert fmt_points(-0.07, "nl") == "-7,0 procentpunt"
    assert fmt_points(0.0123, "en") == "+1.2 pp"
    assert fmt_points(0.0, "nl") == fmt_points(-0.00001, "nl") == "0,0 procentpunt"  # no +0,0 or -0,0
    assert fmt_points(None, "en") == "–"


MLN = {"nl": ("€ 0,3 mln", "€ 0,9 mln", "€ 0,6 mln"), "en": ("€0.3 million", "€0.9 million", "€0.6 million")}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_amounts_under_a_million_are_in_million_as_their_column(tmp_path: Path, lang: str) -> None:
    """Run A deposits € 300,000 in the asylum reserve, run B € 928,104: in a column of € mln the
    values and their Δ are € mln too ('€ 0,6 mln'), where they showed whole euros ('€ 628.104');
    in the terminal, the HTML page and the workbook (€ mln cells) alike."""
    runs = tmp_path / "runs"
    case = make_case(tmp_path / "a")
    paths = []
    for name, deposit in (("a", 300_000.0), ("b", 928_104.0)):
        tables = make_tables()
        levers = tables["levers"].set_index("lever")
        levers.loc["asielreserve_eur", "value"] = deposit
        tables["levers"] = levers.reset_index()
        paths.append(
            write_run(FakeSolution(tables), case_dir=case[0], scenarios_dir=case[1], runs_dir=runs, name=name)
        )
    cmp = compare_runs([read_run(p) for p in paths])
    lever = term("asielreserve_eur", lang)
    (line,) = [ln for ln in comparison_text(cmp, lang).splitlines() if lever in ln]
    for shown in MLN[lang]:
        assert shown in line, line
    assert "628" not in line and "300.000" not in line and "300,000" not in line, line
    html_path, xlsx_path = write_comparison(cmp, lang, tmp_path / lang)
    html = html_path.read_text(encoding="utf-8")
    for shown in MLN[lang]:
        assert f'<td class="num">{shown}</td>' in html, shown
    import openpyxl

    sheet = openpyxl.load_workbook(xlsx_path)["Maatregelen" if lang == "nl" else "Levers"]
    rows = list(sheet.iter_rows(values_only=False))
    heads = [c.value for c in rows[0]]
    (row,) = [r for r in rows[2:] if r[0].value == lever]
    assert row[heads.index(term("unit", lang))].value == ("€ mln" if lang == "nl" else "€ million")
    delta = row[heads.index(f"Δ {cmp.labels[1]}")]
    assert delta.value == pytest.approx(0.628104)
    assert delta.number_format == "#,##0.0"
