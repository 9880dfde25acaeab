"""``bekostiging value | evaluate | options`` and ``solve --analyse`` through click's CliRunner."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from bekostiging.cli import main
from bekostiging.messages import LANG_ENV
from bekostiging.policies import ALL_PRESETS, STATUS_QUO
from bekostiging.report.i18n import fmt_eur, term
from bekostiging.runs.store import read_run

FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "tiny-case"
DEFAULT_MPP = Path(__file__).parent.parent / "data" / "nl-2026" / "scenarios" / "mpp"
REL = 1e-6
EXIT_INPUT = 2
EXIT_REFUSED = 1
VALUE_MEASURES = ["RP", "EV", "EEV", "WS", "VSS", "EVPI", "status_quo", "saving_vs_status_quo"]


def _invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The tiny case solved exactly (gap 0), stored as a run: (runs dir, run folder)."""
    runs = tmp_path_factory.mktemp("runs")
    result = _invoke("solve", TINY, "--scenarios", "two", "--mip-gap", "0", "--runs-dir", runs, "-q")
    assert result.exit_code == 0, result.output
    (path,) = [p for p in runs.iterdir() if not p.name.startswith(".")]
    return runs, path


def _expected_kpi(run: Path, kpi: str) -> float:
    kpis = read_run(run).table("kpis")
    return float(kpis[(kpis["scenario"] == "expected") & (kpis["kpi"] == kpi)]["value"].iloc[0])


@pytest.mark.usefixtures("english_messages")  # checks the English message
@pytest.mark.solver
def test_evaluate_on_its_own_set_reproduces_the_run(tiny_run: tuple[Path, Path]):
    runs, run = tiny_run
    result = _invoke("evaluate", run.name, "--scenarios", "two", "--runs-dir", runs)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    summary = pd.read_csv(run / "analysis" / "evaluate-two-summary.csv").set_index("quantity")
    per = pd.read_csv(run / "analysis" / "evaluate-two.csv")
    assert summary.loc["second_stage_cost_eur", "mean"] == pytest.approx(
        _expected_kpi(run, "stage2_cost_eur"), rel=REL
    )
    assert summary.loc["total_cost_eur", "mean"] == pytest.approx(read_run(run).manifest.objective, rel=REL)
    assert summary.loc["late_case_months", "mean"] == pytest.approx(
        _expected_kpi(run, "late_case_months"), rel=REL
    )
    assert {"backlog_end_persons", "backlog_mean_persons"} <= set(summary.index)
    for col in ("sd", "ci_low", "ci_high", "p50", "p90", "p99"):
        assert col in summary.columns
    assert list(per["status"]) == ["optimal"] * len(per)
    assert summary.loc["total_cost_eur", "ci_low"] <= summary.loc["total_cost_eur", "mean"]
    # a second evaluation never replaces the first
    again = _invoke("evaluate", run.name, "--scenarios", "two", "--runs-dir", runs)
    assert again.exit_code == EXIT_REFUSED and "never replaced" in again.output


@pytest.mark.usefixtures("english_messages")  # checks the English message
@pytest.mark.solver
def test_evaluate_bad_set_exits_2_with_a_located_message(tiny_run: tuple[Path, Path], tmp_path: Path):
    runs, run = tiny_run
    missing = _invoke("evaluate", run.name, "--scenarios", "nosuchset", "--runs-dir", runs)
    assert missing.exit_code == EXIT_INPUT
    assert "nosuchset" in missing.output and "no such folder" in missing.output
    # a set of another horizon: every offending row is named with its file and folder
    wrong = _invoke("evaluate", run.name, "--scenarios", DEFAULT_MPP, "--runs-dir", runs, "--out", tmp_path)
    assert wrong.exit_code == EXIT_INPUT
    assert f"{DEFAULT_MPP}/inflow.csv, row " in wrong.output and "period" in wrong.output
    assert not any(tmp_path.iterdir())


@pytest.mark.usefixtures("english_messages")  # checks the English message
@pytest.mark.solver
def test_value_stores_shows_reports_and_refuses_to_overwrite(
    tiny_run: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
):
    runs, run = tiny_run
    result = _invoke("value", run.name, "--runs-dir", runs)
    assert result.exit_code == 0, result.output
    value = pd.read_csv(run / "analysis" / "value.csv")
    measures = value[~value["section"].isin(["kpi", "parts"])].set_index("measure")
    parts = value[value["section"] == "parts"].set_index("measure")["value"]
    # VSS and EVPI split by part, cash first (issue 9): every part is a finite number
    assert {"VSS:spending_eur", "EVPI:spending_eur", "VSS:late_case_months"} <= set(parts.index)
    assert parts.map(math.isfinite).all()
    assert list(measures.index) == VALUE_MEASURES
    assert measures.loc["RP", "value"] == pytest.approx(read_run(run).manifest.objective, rel=REL)
    ws, rp, eev = (measures.loc[m, "value"] for m in ("WS", "RP", "EEV"))
    assert ws <= rp * (1 + REL) and rp <= eev * (1 + REL)
    assert measures.loc["VSS", "value"] == pytest.approx(eev - rp, rel=REL)
    assert measures.loc["saving_vs_status_quo", "value"] == pytest.approx(
        measures.loc["status_quo", "value"] - rp, rel=REL
    )
    kpis = value[value["section"] == "kpi"].set_index("measure")
    assert kpis.loc["total_cost_eur", "recommended"] == pytest.approx(_expected_kpi(run, "total_cost_eur"))
    assert kpis.loc["late_case_months", "value"] == pytest.approx(
        kpis.loc["late_case_months", "status_quo"] - kpis.loc["late_case_months", "recommended"]
    )
    scenarios = pd.read_csv(run / "analysis" / "value_scenarios.csv")
    assert len(scenarios) == 2 and "status_quo_total_eur" in scenarios.columns

    again = _invoke("value", run.name, "--runs-dir", runs)
    assert again.exit_code == EXIT_REFUSED and "never replaced" in again.output
    assert pd.read_csv(run / "analysis" / "value.csv").equals(value)

    monkeypatch.delenv(LANG_ENV)  # the output's own default (the module sets English for messages)
    dutch = _invoke("show", run.name, "--runs-dir", runs).output
    # the indicators of a real run by name: weights, valuations, start and end states in words
    indicators = dutch.split("Verwachte indicatoren", 1)[1]
    assert "Modelweging" in indicators and not re.findall(r"\b[a-z]+_[a-z_]+\b", indicators), indicators
    shown = _invoke("show", run.name, "--lang", "en", "--runs-dir", runs)
    assert shown.exit_code == 0 and "value of information" in shown.output and "EVPI" in shown.output
    report = _invoke("report", run.name, "--runs-dir", runs, "--format", "md", "--lang", "en")
    assert report.exit_code == 0, report.output
    (md,) = (run / "report").glob("*.md")
    assert report.output.strip() == f"wrote {md}"
    dutch_md = _invoke("report", run.name, "--runs-dir", runs, "--format", "md", "--out", runs.parent / "nl")
    assert dutch_md.output.strip() == f"geschreven: {next((runs.parent / 'nl').glob('*.md'))}"  # not "wrote"
    monkeypatch.setenv(LANG_ENV, "en")
    text = md.read_text(encoding="utf-8")
    assert "What planning for uncertainty yields" in text and "(VSS) |" in text
    weighted = (
        "Difference in the objective against the status quo (model weights included; not a cash saving)"
    )
    assert weighted in text
    # the saving is a cash saving and leads, before the weighted difference
    cash = value[(value["section"] == "kpi") & (value["measure"] == "spending_eur")]["value"].iloc[0]
    # the tiny case saves less than a million: shown in € million like the column it sits beside
    shown_cash = f"€{float(cash) / 1e6:.1f} million" if abs(float(cash)) < 1e6 else fmt_eur(float(cash), "en")
    lead = f"Cash saving against the status quo: {shown_cash}."
    assert lead in text and text.index(lead) < text.index("Difference in the objective")
    assert "VSS and EVPI by part: cash and outcomes (model weights apart)" in text


@pytest.mark.solver
def test_solve_analyse_publishes_the_analysis_with_the_run(tmp_path: Path):
    result = _invoke("solve", TINY, "--scenarios", "two", "--analyse", "--runs-dir", tmp_path, "-q")
    assert result.exit_code == 0, result.output
    assert "VSS" in result.output and "EVPI" in result.output
    # the value section follows the summary's language (Dutch by default)
    assert term("value_head", "nl") in result.output and term("value_head", "en") not in result.output
    (run,) = [p for p in tmp_path.iterdir() if not p.name.startswith(".")]
    assert not run.name.endswith(".failed")
    value = pd.read_csv(run / "analysis" / "value.csv")
    assert {"VSS", "EVPI", "status_quo"} <= set(value["measure"])
    assert (value[value["measure"].isin(["VSS", "EVPI"])]["upper"] >= 0).all()


@pytest.mark.solver
def test_options_table_has_every_preset_and_zero_for_the_status_quo(tmp_path: Path):
    out, runs = tmp_path / "options", tmp_path / "runs"
    result = _invoke("options", TINY, "--scenarios", "two", "--runs-dir", runs, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "options.csv").set_index("preset")
    assert list(table.index) == list(ALL_PRESETS)
    diffs = [c for c in table.columns if c.endswith("_vs_status_quo")]
    assert len(diffs) == 6
    assert (table.loc[STATUS_QUO, diffs] == 0).all()
    for col in ("expected_cash_eur", "p90_cash_eur", "late_case_months"):
        assert (table[f"{col}_vs_status_quo"] == table[col] - table.loc[STATUS_QUO, col]).all()
    assert (table["p90_cash_eur"] >= table["expected_cash_eur"] * (1 - REL)).all()  # two scenarios: P90 = max
    # cash and weights apart: the objective is cash + weights + end-state valuation, and cash ranks
    parts = table["expected_cash_eur"] + table["weights_eur"] + table["end_state_value_eur"]
    assert list(table["objective_eur"]) == pytest.approx(list(parts), rel=REL)
    assert list(table["cash_rank"]) == list(table["expected_cash_eur"].rank(method="min"))
    sens = pd.read_csv(out / "weights-sensitivity.csv")
    assert len(sens) == 7 and set(sens["recommended"]) <= set(table.index)
    import openpyxl

    book = openpyxl.load_workbook(out / "options.xlsx")
    assert book.sheetnames[0] == "Opties"  # Dutch by default; numbers in € mln with a units row
    assert [c.value for c in book["Opties"][1]][:3] == ["Optie", "Voorinstelling (--presets)", "Status"]
    assert (out / "options.png").read_bytes().startswith(b"\x89PNG")
    names = sorted(read_run(p).manifest.name for p in runs.iterdir() if not p.name.startswith("."))
    assert names == sorted(ALL_PRESETS)
    for preset in ALL_PRESETS:
        assert preset in result.output
    again = _invoke("options", TINY, "--scenarios", "two", "--runs-dir", runs, "--out", out, "-q")
    assert again.exit_code == EXIT_REFUSED


@pytest.mark.unit
def test_help_of_every_analytics_command():
    for cmd in ("value", "evaluate", "options"):
        result = _invoke(cmd, "--help")
        assert result.exit_code == 0 and "Usage" in result.output
    assert "--analyse" in _invoke("solve", "--help").output
