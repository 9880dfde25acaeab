"""``bekostiging simulate`` on the tiny case: the files it writes, and bad options (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from bekostiging.cli import main
from bekostiging.messages import LANG_ENV
from model_cases import TINY_CASE

BASE = [str(TINY_CASE), "--max-paths", "1", "--workers", "1"]


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["simulate", *BASE, *args])


@pytest.mark.usefixtures("english_messages")  # checks the English message
def test_simulate_writes_the_tables_chart_and_manifest_and_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sim"
    monkeypatch.delenv(LANG_ENV, raising=False)  # the output's own default (Dutch)
    result = run("--policy", "status-quo,tuned:x=0.2,y=10", "--replan", "autumn", "--out", str(out))
    assert result.exit_code == 0, result.output
    for name in ("simulation.csv", "summary.csv", "comparison.csv", "decisions.csv", "simulation.png"):
        assert (out / name).stat().st_size > 0
    sim = pd.read_csv(out / "simulation.csv")
    assert list(sim.columns) == ["policy", "path", "month", "metric", "value"]
    assert set(sim["policy"]) == {"status-quo", "tuned:x=0.2,y=10"}
    assert sim[sim["metric"] == "occupancy"]["month"].nunique() == 12
    summary = pd.read_csv(out / "summary.csv")
    assert {"mean", "p90"} <= set(summary.columns)
    comparison = pd.read_csv(out / "comparison.csv")
    tuned = comparison[comparison["policy"] == "tuned:x=0.2,y=10"].iloc[0]
    assert tuned["cash_eur_mean_vs_status-quo"] == pytest.approx(
        tuned["cash_eur_mean"] - comparison[comparison["policy"] == "status-quo"].iloc[0]["cash_eur_mean"]
    )
    decisions = pd.read_csv(out / "decisions.csv")
    assert list(decisions["moment"].unique()) == ["2026-01", "2026-12"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["inputs_sha256"]["case/case.toml"]) == 64
    assert manifest["settings"]["replan"] == ["autumn"]
    assert "kasuitgaven" in result.output  # Dutch by default
    before = (out / "simulation.csv").read_bytes()
    monkeypatch.setenv(LANG_ENV, "en")
    again = run("--policy", "status-quo", "--out", str(out))
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert (out / "simulation.csv").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--policy", "status-quo,geen-beleid"], "unknown policy"),
        (["--shock", "2027+20"], "YEAR:+N%"),  # the form as the one shock reader states it
        (["--replan", "zomer"], "unknown"),
        (["--paths", "geen-set"], "no such path source"),
    ],
)
@pytest.mark.usefixtures("english_messages")  # checks the English message
def test_bad_options_exit_2_with_a_clear_message(tmp_path: Path, args: list[str], says: str) -> None:
    result = run(*args, "--out", str(tmp_path / "x"))
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_an_unknown_policy_lists_the_names_on_offer(tmp_path: Path) -> None:
    result = run("--policy", "beleid-x", "--out", str(tmp_path / "x"))
    assert result.exit_code == 2
    for name in ("status-quo", "flexpool", "combinatie", "lookahead", "tuned"):
        assert name in result.output


def test_tune_chooses_on_half_the_paths_and_judges_on_the_other(tmp_path: Path) -> None:
    out = tmp_path / "t"
    args = [str(TINY_CASE), "--workers", "1", "--replan", "none", "--policy", "status-quo", "--tune"]
    result = CliRunner().invoke(main, ["simulate", *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    tuning = pd.read_csv(out / "tuning.csv")
    assert len(tuning) == 12  # 4 shares above the MPP x 3 reserve sizes
    best = tuning.loc[tuning["score_eur"].idxmin()]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["tuned"] == f"tuned:x={best['x']:g},y={best['y']:g}"
    judged = set(pd.read_csv(out / "simulation.csv")["path"])
    assert judged.isdisjoint(manifest["settings"]["tuned_on"])
    assert judged == {"high"} and manifest["settings"]["tuned_on"] == ["low"]


def test_options_leads_with_the_comparison_by_simulation(tmp_path: Path) -> None:
    out = tmp_path / "options"
    args = ["options", str(TINY_CASE), "--scenarios", "two", "--presets", "status-quo,flexpool"]
    args += ["--runs-dir", str(tmp_path / "runs"), "--out", str(out), "-q", "--simulate-paths", "1"]
    result = CliRunner().invoke(main, [*args, "--workers", "1"])
    assert result.exit_code == 0, result.output
    simulated = pd.read_csv(out / "options-simulated.csv").set_index("policy")
    assert set(simulated.index) == {"status-quo", "flexpool"}
    assert simulated.loc["status-quo", "cash_eur_mean_vs_status-quo"] == 0
    assert (out / "options-simulated.png").read_bytes().startswith(b"\x89PNG")
    headline = result.output.index("Hoofdvergelijking: door simulatie")
    assert headline < result.output.index("Snelle toets: twee-fasenmodel")
    # the annex: the simulated comparison first, the two-stage table after it as the quick screen
    from types import SimpleNamespace

    from bekostiging.report.blocks import Paragraph, Table
    from bekostiging.report.options_section import options_blocks

    run = SimpleNamespace(path=tmp_path / "no-run")
    for lang, screen in (("nl", "Snelle toets: "), ("en", "Quick screen: ")):
        blocks = list(options_blocks(run, lang, out))  # type: ignore[arg-type]
        tables = [b for b in blocks if isinstance(b, Table)]
        assert len(tables) == 2 and not tables[0].title.startswith(screen)
        assert tables[1].title.startswith(screen)  # the two-stage table, below the headline
        texts = [b.text for b in blocks if isinstance(b, Paragraph)]
        assert any(t.startswith(screen) for t in texts)
    plain = tmp_path / "plain"  # an options folder without the simulation: no quick-screen label
    plain.mkdir()
    (plain / "options.csv").write_bytes((out / "options.csv").read_bytes())
    tables = [b for b in options_blocks(run, "nl", plain) if isinstance(b, Table)]  # type: ignore[arg-type]
    assert len(tables) == 1 and not tables[0].title.startswith("Snelle toets")


def test_a_history_run_writes_the_validation_table(tmp_path: Path) -> None:
    """Scored from the year after the first (2014 starts from the state of 1 January: the
    back-test scores 2015 on, as ``history replay`` and ``bench/backtest.py`` do)."""
    out = tmp_path / "h"
    args = ["simulate", "--paths", "history", "--to", "2015", "--policy", "status-quo", "--workers", "1"]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    validation = pd.read_csv(out / "validation.csv")
    assert "2014" not in set(validation["year"].astype(str))
    occupancy = validation[(validation["metric"] == "coa_bezetting") & (validation["year"] == "2015")].iloc[0]
    sim = pd.read_csv(out / "simulation.csv")
    december = sim[(sim["month"] == "2015-12") & (sim["metric"] == "occupancy")]["value"].iloc[0]
    assert occupancy["simulated"] == pytest.approx(december)
    assert occupancy["actual"] > 0
    score = validation[(validation["metric"] == "coa_bezetting") & (validation["year"] == "mape")].iloc[0]
    assert score["simulated"] == pytest.approx(
        100 * abs(december - occupancy["actual"]) / occupancy["actual"]
    )
