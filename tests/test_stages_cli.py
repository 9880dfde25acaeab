"""``bekostiging solve --stages yearly``: the advice in the summary, the tables, bad options."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from bekostiging.cli import main

pytestmark = pytest.mark.solver

DEFAULT_CASE = Path(__file__).parent.parent / "data" / "nl-2026"
EXIT_INPUT = 2


def _solve(tmp_path: Path, *args: str):
    return CliRunner().invoke(
        main,
        ["solve", str(DEFAULT_CASE), "--scenarios", "mpp", "--runs-dir", str(tmp_path / "runs"), "-q", *args],
    )


def test_yearly_solve_advises_the_coming_year_and_stores_the_tree(tmp_path: Path) -> None:
    result = _solve(tmp_path, "--stages", "yearly", "--branching", "2,1", "--mip-gap", "0.01")
    assert result.exit_code == 0, result.output
    # headings with a capital, as the summary's other headings (they started lowercase)
    assert "\nNu besluiten — begrotingsjaar 2026 (gelijk in alle scenario's):\n" in result.output
    assert "\nLatere jaren — afhankelijk van de instroom" in result.output
    assert "\nScenarioboom: 1, 2, 2, 2, 2 knopen per begrotingsjaar (2026–2030)" in result.output
    assert "  Let op: in een knoop met één scenario" in result.output  # 3 paths in 2 nodes: one alone
    (run,) = [p for p in (tmp_path / "runs").iterdir() if not p.name.startswith(".")]
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["settings"]["stages"] == {"form": "yearly", "branching": [2, 1]}
    tree = pd.read_csv(run / "tables" / "tree.csv", dtype={"node": str})
    # three scenarios, two children at the first boundary, then no further branching
    assert tree.groupby("year")["node"].nunique().tolist() == [1, 2, 2, 2, 2]
    advice = pd.read_csv(run / "tables" / "advice.csv")
    assert set(advice.loc[advice["year"] == 2026, "status"]) == {"nu_besluiten"}
    assert set(advice.loc[advice["year"] > 2026, "status"]) == {"afhankelijk"}
    assert (advice["min"] <= advice["max"] + 1e-6).all()
    first = pd.read_csv(run / "tables" / "first_stage.csv")
    assert first.loc[first["stage"] == 0, "common"].all()
    shown = CliRunner().invoke(main, ["show", run.name, "--lang", "en", "--runs-dir", str(tmp_path / "runs")])
    assert shown.exit_code == 0 and "\nDecide now — budget year 2026" in shown.output
    annex = CliRunner().invoke(
        main,
        ["report", run.name, "--runs-dir", str(tmp_path / "runs"), "--format", "md", "--out", str(tmp_path)],
    )
    assert annex.exit_code == 0, annex.output
    text = next(tmp_path.glob("bijlage-*-nl.md")).read_text(encoding="utf-8")
    assert "Besluiten per begrotingsjaar" in text and "| Reserveplaatsen COA (plaatsen) |" in text
    # rerun solves the yearly form again (the stage settings are in the manifest)
    again = CliRunner().invoke(
        main, ["rerun", run.name, "--runs-dir", str(tmp_path / "runs"), "-q", "--lang", "en"]
    )  # rerun speaks Dutch by default since d8211c4; this checks the English words
    assert again.exit_code == 0, again.output
    assert "objective: stored" in again.output and "→ match" in again.output
    # evaluate a yearly run: only the coming year's decisions are fixed
    runs_dir = str(tmp_path / "runs")
    ev = CliRunner().invoke(
        main,
        ["evaluate", run.name, "--scenarios", "mpp", "--workers", "1", "--lang=en", "--runs-dir", runs_dir],
    )
    assert ev.exit_code == 0, ev.output
    n_root = int(first["common"].sum())
    assert f"fixed: the {n_root} decisions of the coming budget year" in ev.output


def test_stage_options_refuse_bad_combinations(tmp_path: Path) -> None:
    bad = _solve(tmp_path, "--stages", "yearly", "--branching", "3,x")
    assert bad.exit_code == EXIT_INPUT and "--branching" in bad.output
    zero = _solve(tmp_path, "--stages", "yearly", "--branching", "0")
    assert zero.exit_code == EXIT_INPUT
    two = _solve(tmp_path, "--branching", "3")
    assert two.exit_code == EXIT_INPUT and "--stages yearly" in two.output
    analyse = _solve(tmp_path, "--stages", "yearly", "--analyse")
    assert analyse.exit_code == EXIT_INPUT
    assert "Traceback" not in bad.output + zero.output + two.output + analyse.output
