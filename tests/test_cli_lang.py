"""Every command speaks the user's language (issue 11 §3).

Per command: the Dutch output (the default) holds no English stop-words or English
units and no scientific notation; evaluate never shows a count's confidence bound
below zero and says when the sample is too small. The line builders are tested on
small frames (no solver); ``runs`` and ``show`` through the CLI on a synthetic run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from bekostiging.analytics.chain import value_lines
from bekostiging.cli import main
from bekostiging.cli.analytics import MIN_SCENARIOS_FOR_INTERVAL, evaluation_lines
from bekostiging.cli.options import options_chart, options_lines, sensitivity_lines
from bekostiging.cli.sweep import SHOWN_FRONTIER, SHOWN_SWEEP, format_table
from bekostiging.runs.store import write_run
from synthetic_runs import FakeSolution, make_case, make_tables

pytestmark = pytest.mark.unit

# English words that never occur in Dutch output (a Dutch text may share "in", "is", "status"…)
ENGLISH = re.compile(
    r"\b(the|and|with|without|persons|case-months|person-days|place-months|expected|objective|"
    r"mean|cash|spending|backlog|weights?|saving|million|wrote|written|note|warning|scenarios|"
    r"optimal|levers|created|folder|command|bound|timings|units|beside|ranked|recommended|changed|"
    r"solver|seed|threads)\b",
    re.IGNORECASE,
)
SNAKE_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")
SCIENTIFIC = re.compile(r"\d[.,]?\d*e[+-]\d+", re.IGNORECASE)


def _dutch(text: str) -> None:
    """No English word, no scientific notation (a failing line is shown)."""
    for line in text.splitlines():
        assert not ENGLISH.search(line), f"English in Dutch output: {line!r}"
        assert not SCIENTIFIC.search(line), f"scientific notation: {line!r}"


def _summary(n: int) -> pd.DataFrame:
    """An evaluate summary whose count intervals reach below zero (mean 1,000, sd 5,000)."""
    rows = []
    for quantity, mean in (
        ("spending_eur", 7.847264e08),
        ("total_cost_eur", 1.2e09),
        ("backlog_end_persons", 1000.0),
        ("late_case_months", 500.0),
    ):
        sd = 5.0 * mean
        rows.append(
            {
                "quantity": quantity,
                "n": n,
                "mean": mean,
                "sd": sd,
                "ci_low": mean - 2 * sd,
                "ci_high": mean + 2 * sd,
                "p50": mean,
                "p90": 2 * mean,
                "p99": 2 * mean,
            }
        )
    return pd.DataFrame(rows)


def test_evaluate_lines_dutch_no_negative_counts_and_too_few_said() -> None:
    lines = evaluation_lines(_summary(3), "nl")
    text = "\n".join(lines)
    _dutch(text)
    assert "784,7" in text  # € mln, Dutch decimal comma
    backlog = next(line for line in lines if "Voorraad IND" in line)
    assert "-" not in backlog and "−" not in backlog
    assert "te weinig" in backlog  # no interval, no P99 from three scenarios
    assert "te weinig" in lines[-1] and "3 scenario's" in lines[-1]


def test_evaluate_lines_bounds_clipped_at_zero_for_counts_only() -> None:
    lines = evaluation_lines(_summary(MIN_SCENARIOS_FOR_INTERVAL), "en")
    backlog = next(line for line in lines if "IND backlog at the end" in line)
    assert "[0.0; 11,000.0]" in backlog  # mean 1,000 − 2 x 5,000 clipped at zero
    cash = next(line for line in lines if line.strip().startswith("Cash spending"))
    assert "-7,062.5" in cash  # money may be negative: not clipped


def test_value_lines_dutch() -> None:
    frame = pd.DataFrame(
        [
            ("value", "VSS", "EUR", 5.9858e09, 5.9858e09, 6.002e09, "optimal", 0.001, "", None, None),
            ("value", "EVPI", "EUR", 1.9738e09, 1.9576e09, 1.9832e09, "optimal", 0.003, "", None, None),
            ("kpi", "backlog_end_persons", "persons", -12863.1, None, None, "", None, "", 23641.9, 10778.8),
            ("kpi", "spending_eur", "EUR", 8.034e08, None, None, "", None, "", 1.30326e10, 1.3836e10),
        ],
        columns=[
            "section",
            "measure",
            "unit",
            "value",
            "lower",
            "upper",
            "status",
            "gap",
            "note",
            "recommended",
            "status_quo",
        ],
    )
    text = "\n".join(value_lines(frame, "nl"))
    _dutch(text)
    assert "wat rekening houden met onzekerheid oplevert" in text
    assert "wat een perfecte voorspelling waard zou zijn" in text
    assert "5.985,8" in text and "personen" in text


def _options_frame() -> pd.DataFrame:
    from bekostiging.cli.options import options_frame

    rows = []
    for i, preset in enumerate(("status-quo", "flexpool")):
        rows.append(
            {
                "preset": preset,
                "status": "optimal",
                "expected_cash_eur": 1.3e10 - i * 8e08,
                "p90_cash_eur": 1.6e10,
                "late_case_months": 663028.5 + i * 1000,
                "emergency_place_months": 1.0e06,
                "supplementary_funding_eur": 4.7e09,
                "backlog_end_persons": 10778.8,
                "weights_eur": 1.5e10,
                "end_state_value_eur": 1.0e09,
                "objective_eur": 2.9e10,
            }
        )
    return options_frame(rows, "status-quo")


def test_options_lines_and_chart_dutch() -> None:
    frame = _options_frame()
    text = "\n".join(options_lines(frame, "nl"))
    _dutch(text.replace("status-quo", ""))  # preset names are names
    assert "13.000,0" in text and "zaak-maanden" in text
    sens = pd.DataFrame(
        [
            {
                "weight": "late",
                "factor": 0.5,
                "recommended": "flexpool",
                "recommended_cash_eur": 1.22e10,
                "cash_rank": 1,
                "changed": False,
            }
        ]
    )
    _dutch("\n".join(sensitivity_lines(sens, "nl")))
    png = options_chart(frame, "status-quo", "Opties", "nl")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_sweep_and_frontier_tables_dutch() -> None:
    curve = pd.DataFrame(
        {
            "value": [250.0, 500.0],
            "weight": [0.0, 1.0],
            "expected_spending_eur": [7.847264e08, 8.0e08],
            "expected_late_case_months": [12345.0, 1000.0],
            "expected_backlog_end_persons": [2000.0, 1000.0],
            "expected_total_cost_eur": [1.2e09, 1.3e09],
            "cvar_total_cost_eur": [2.0e09, 1.9e09],
            "status": ["optimal", "optimal"],
            "gap": [0.0001, 0.0],
            "seconds": [1.5, 2.5],
        }
    )
    for shown in (SHOWN_SWEEP, SHOWN_FRONTIER):
        text = format_table(curve, shown, "nl")
        _dutch(text)
        assert "784,7" in text and "12.345" in text and "optimaal" in text


@pytest.fixture(scope="module")
def run_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lang")
    case, sset = make_case(root)
    return write_run(FakeSolution(make_tables()), case_dir=case, scenarios_dir=sset, runs_dir=root / "runs")


def test_runs_and_show_dutch_by_default(run_path: Path) -> None:
    runs = str(run_path.parent)
    listing = CliRunner().invoke(main, ["runs", "--runs-dir", runs])
    assert listing.exit_code == 0, listing.output
    assert "optimaal" in listing.output and "Doelfunctie" in listing.output
    _dutch(listing.output)
    shown = CliRunner().invoke(main, ["show", run_path.name[-6:], "--runs-dir", runs])
    assert shown.exit_code == 0, shown.output
    body = shown.output.replace(str(run_path), "")  # the folder is a path, not words
    _dutch(body)
    assert "Maatregelen" in body and "Verwachte indicatoren" in body
    assert "1.500,0 mln" in body
    assert "'mip_gap'" not in body and "_seconds" not in body  # settings and timings in words
    assert "gevraagde marge" in body and "totaal" in body
    assert "oplosser     HiGHS 1.16.0;" in body and "rekenkernen automatisch" in body  # was solver, threads
    english = CliRunner().invoke(main, ["show", run_path.name[-6:], "--runs-dir", runs, "--lang", "en"])
    assert "Expected indicators" in english.output and "€1,500.0 million" in english.output
    assert "solver       HiGHS 1.16.0;" in english.output and "threads automatic" in english.output


def test_output_follows_bekostiging_lang_unless_lang_is_given(
    run_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BEKOSTIGING_LANG=en makes the output English, not only the messages (it said Dutch
    tables under English errors); --lang on the command line still wins."""
    runs = str(run_path.parent)
    monkeypatch.setenv("BEKOSTIGING_LANG", "en")
    shown = CliRunner().invoke(main, ["show", run_path.name[-6:], "--runs-dir", runs])
    assert shown.exit_code == 0, shown.output
    assert "Expected indicators" in shown.output and "Verwachte indicatoren" not in shown.output
    generated = CliRunner().invoke(
        main, ["scenarios", "generate", "--method", "mpp", "--out", str(tmp_path / "set")]
    )
    assert generated.exit_code == 0, generated.output
    assert generated.output.startswith("wrote ")
    dutch = CliRunner().invoke(main, ["show", run_path.name[-6:], "--runs-dir", runs, "--lang", "nl"])
    assert "Verwachte indicatoren" in dutch.output
    monkeypatch.setenv("BEKOSTIGING_LANG", "")
    default = CliRunner().invoke(main, ["show", run_path.name[-6:], "--runs-dir", runs])
    assert "Verwachte indicatoren" in default.output


def test_saa_lines_dutch_and_english() -> None:
    from bekostiging.cli.saa import SaaFigures, saa_lines

    figures = SaaFigures(
        run_id="20261130-000000-x-abcdef",
        set_name="hist-200",
        set_size=200,
        mean=25265.49,
        ci_low=24000.0,
        ci_high=26500.5,
        replications=10,
        sample_size=50,
        confidence=0.95,
        gap_mean=12.34,
        gap_upper=56.7,
        relative_upper=0.00224,
        best=(25250.0, 3),
        seconds=12.5,
        paths=("a.csv",),
    )
    dutch = "\n".join(saa_lines(figures, "nl"))
    _dutch(dutch)
    assert "€ 25.265,5 mln" in dutch and "[0, € 56,7 mln] = [0, 0,22%]" in dutch
    assert "herhaling 3" in dutch
    english = "\n".join(saa_lines(figures, "en"))
    assert "€25,265.5 million" in english and "one-sided 95%" in english


def test_saa_progress_lines_dutch_and_english() -> None:
    from bekostiging.cli.saa import progress_line

    values = {"k": 3, "m": 10, "bound": 23519.9, "plan": 24798.88}
    dutch = progress_line("replication", values, "nl")
    assert dutch == "herhaling 3/10: SAA-ondergrens € 23.519,9 mln, plan € 24.798,9 mln"
    _dutch(dutch)
    assert progress_line("evaluate", {"n": 5000}, "nl") == "het plan doorrekenen op 5.000 scenario's"
    english = progress_line("replication", values, "en")
    assert english == "replication 3/10: SAA bound €23,519.9 million, plan €24,798.9 million"


def test_scenarios_show_reduce_generate_dutch_by_default(tmp_path: Path) -> None:
    """The shipped hist-50 set: percentiles, a reduction and a generated set, all in Dutch."""
    runner = CliRunner()
    shown = runner.invoke(main, ["scenarios", "show", "hist-50", "--png", str(tmp_path / "fan.png")])
    assert shown.exit_code == 0, shown.output
    # the set's own provenance text (data, not words of the tool) is left out of the check
    words = "\n".join(line for line in shown.output.splitlines() if not line.startswith("bron:"))
    _dutch(words.replace(str(tmp_path), ""))
    assert "eerste aanvragen" in words and "personen per jaar" in words
    assert re.search(r"\b\d{1,3}\.\d{3}\b", words)  # thousands with a point
    reduced = runner.invoke(
        main, ["scenarios", "reduce", "hist-50", "--k", "5", "--out", str(tmp_path / "r")]
    )
    assert reduced.exit_code == 0, reduced.output
    _dutch(reduced.output.replace(str(tmp_path), ""))
    assert "5 van 50 scenario's" in reduced.output
    made = runner.invoke(main, ["scenarios", "generate", "--method", "mpp", "--out", str(tmp_path / "g")])
    assert made.exit_code == 0, made.output
    _dutch(made.output.replace(str(tmp_path), ""))
    english = runner.invoke(
        main, ["scenarios", "reduce", "hist-50", "--k", "5", "--out", str(tmp_path / "e"), "--lang", "en"]
    )
    assert "kept 5 of 50 scenarios" in english.output


def test_history_show_dutch_by_default(tmp_path: Path) -> None:
    shown = CliRunner().invoke(main, ["history", "show", "--out", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert "Instroom per jaar (personen)" in shown.output
    # the figure lines name their measure in words; the notes after the source key are the
    # dataset's own (English) text and are not checked
    dated = re.compile(r"  \d{4}-\d\d-\d\d")
    figures = [line.split("  ")[2] for line in shown.output.splitlines() if dated.match(line)]
    assert figures and not any(SNAKE_CODE.search(f) for f in figures)
    for code in ("occupancy", "backlog", "decisions", "capacity"):
        assert all(not f.startswith(code) for f in figures), code
