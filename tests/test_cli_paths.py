"""Command paths the other CLI tests leave out, on real runs of a copy of the tiny case (issue 15).

* exit 4 (no plan: a limit before any solution) of ``solve``, ``options`` and ``sweep``;
* ``solve --risk-weight --risk-alpha --queue-penalty --time-limit --threads --out``;
* ``evaluate RUN --scenarios`` on a set other than the run's own, and its ``warning:`` line
  for a scenario the plan cannot serve;
* ``options --presets a,b`` (only those, each solved under its own policy);
* ``compare`` of two real runs (the real schema's case keys, not synthetic tables);
* ``solve`` without a case argument (the shipped default case) and ``make run``.

The copy of the tiny case gets emergency places with a lead time of one month and 100 emergency
places under contract in January only, so that a scenario with 3,000 first applicants in January
cannot be housed by any plan fixed beforehand (regular places and reserve places have lead times
too): that is the scenario ``evaluate`` must name.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from bekostiging.cli import main
from bekostiging.io.scenarios import load_scenario_set, write_scenario_set
from bekostiging.runs.store import read_run
from bekostiging.schema import Provenance, ScenarioInfo, ScenarioSet
from broken_cases import TINY_CASE

EXIT_NO_PLAN = 4
TINY_LIMIT = "0.000001"  # seconds: HiGHS stops before it has any solution of the baseline MIP
REL = 1e-6
SURGE_FIRST_JANUARY = 3000.0  # first applicants in January of scenario "surge"
REPO = Path(__file__).parents[1]


def _invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def _runs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny case with slow emergency places and a second scenario set ``drie``."""
    root = tmp_path_factory.mktemp("case")
    case_dir = root / "tiny"
    shutil.copytree(TINY_CASE, case_dir)
    toml = case_dir / "case.toml"
    text = toml.read_text(encoding="utf-8")
    assert "[coa]\n" in text
    toml.write_text(
        text.replace("[coa]\n", "[coa]\nemergency_lead_months = 1\ninitial_emergency_places = 100.0\n", 1),
        encoding="utf-8",
    )
    two = load_scenario_set(case_dir / "scenarios" / "two")
    low, high = (two.inflow_persons[two.names.index(s)] for s in ("low", "high"))
    surge = high.copy()
    surge[0, list(two.categories).index("first")] = SURGE_FIRST_JANUARY
    drie = ScenarioSet(
        name="drie",
        provenance=Provenance(method="manual", source="tests/test_cli_paths.py", created=date(2026, 1, 1)),
        scenarios=(
            ScenarioInfo(scenario="low", probability=0.25),
            ScenarioInfo(scenario="high", probability=0.5),
            ScenarioInfo(scenario="surge", probability=0.25),
        ),
        periods=two.periods,
        categories=two.categories,
        inflow_persons=np.stack([low, high, surge]),
    )
    write_scenario_set(drie, case_dir / "scenarios" / "drie")
    assert _invoke("validate", case_dir).exit_code == 0
    return case_dir


@pytest.fixture(scope="module")
def plain_run(case: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(runs dir, run) of the copy solved on its own set ``two`` with the defaults."""
    runs = tmp_path_factory.mktemp("runs")
    result = _invoke("solve", case, "--scenarios", "two", "--name", "gewoon", "--runs-dir", runs, "-q")
    assert result.exit_code == 0, result.output
    (run,) = _runs(runs)
    return runs, run


# --------------------------------------------------------------------------- exit 4


@pytest.mark.solver
def test_solve_without_any_solution_exits_4_and_keeps_a_failed_run(tmp_path: Path):
    runs = tmp_path / "runs"
    result = _invoke(
        "solve", TINY_CASE, "--scenarios", "two", "--time-limit", TINY_LIMIT, "--runs-dir", runs, "-q"
    )
    assert result.exit_code == EXIT_NO_PLAN, result.output
    # Dutch by default: the status in words, not the code limit_no_solution
    assert "geen plan" in result.output and "tijdslimiet bereikt voordat er een plan was" in result.output
    assert "limit_no_solution" not in result.output  # the summary's status line in words too
    assert "Traceback" not in result.output
    (run,) = _runs(runs)
    assert run.name.endswith(".failed")
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "limit_no_solution" and manifest["objective"] is None


@pytest.mark.solver
def test_options_without_any_plan_exits_4_and_names_the_presets(tmp_path: Path):
    result = _invoke(
        "options", TINY_CASE, "--scenarios", "two", "--presets", "status-quo,flexpool",
        "--time-limit", TINY_LIMIT, "--runs-dir", tmp_path / "runs", "--out", tmp_path / "out", "-q",
    )  # fmt: skip
    assert result.exit_code == EXIT_NO_PLAN, result.output
    assert "waarschuwing: geen plan voor status-quo, flexpool" in result.output
    assert "Traceback" not in result.output


@pytest.mark.solver
def test_sweep_without_a_baseline_plan_exits_4(tmp_path: Path):
    result = _invoke(
        "sweep", TINY_CASE, "--scenarios", "two", "--late-penalty", "100,1000",
        "--time-limit", TINY_LIMIT, "--out", tmp_path / "sweep",
    )  # fmt: skip
    assert result.exit_code == EXIT_NO_PLAN, result.output
    assert "geen plan voor het MPP-basisplan: tijdslimiet bereikt voordat er een plan was" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "sweep" / "sweep.csv").exists()


# --------------------------------------------------------------------------- solve flags


@pytest.mark.solver
def test_solve_risk_queue_penalty_time_limit_threads_and_out(case: Path, tmp_path: Path):
    """CVaR weight 0.3 at alpha 0.8 on two scenarios of probability 0.5: the worst 20 % of the mass
    lies in the costlier scenario, so CVaR = its total cost and the objective is
    0.7 E[cost] + 0.3 max(cost). The queue weight is 150 EUR a person-day in every scenario."""
    runs, out = tmp_path / "runs", tmp_path / "csv"
    result = _invoke(
        "solve", case, "--scenarios", "two", "--risk-weight", "0.3", "--risk-alpha", "0.8",
        "--queue-penalty", "150", "--time-limit", "600", "--threads", "1", "--mip-gap", "0",
        "--runs-dir", runs, "--out", out, "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (run,) = _runs(runs)
    record = read_run(run)
    raw = record.manifest.raw
    assert raw["settings"]["risk"] == {"weight": 0.3, "alpha": 0.8}
    assert raw["solver"]["options"]["time_limit"] == 600.0
    assert raw["solver"]["options"]["threads"] == 1
    assert "registration_queue_person_day_eur = 150.0" in (run / "inputs" / "case" / "case.toml").read_text()
    kpis = record.table("kpis")
    per = kpis[kpis["scenario"] != "expected"].pivot(index="scenario", columns="kpi", values="value")
    expected = kpis[kpis["scenario"] == "expected"].set_index("kpi")["value"]
    totals = per["total_cost_eur"]
    assert expected["cvar_total_cost_eur"] == pytest.approx(totals.max(), rel=REL)
    assert record.manifest.objective == pytest.approx(0.7 * totals.mean() + 0.3 * totals.max(), rel=1e-5)
    assert list(per["weight_registration_queue_eur"]) == pytest.approx(
        list(150.0 * per["registration_queue_person_days"]), rel=REL
    )
    # --out: every result table as CSV, equal to the run's own table
    written = sorted(p.stem for p in out.glob("*.csv"))
    assert {"levers", "plan", "funding", "flows", "costs", "kpis", "scenarios"} <= set(written)
    for name in written:
        stored = run / "tables" / f"{name}.csv"
        if stored.is_file():
            pd.testing.assert_frame_equal(pd.read_csv(out / f"{name}.csv"), pd.read_csv(stored))
    assert f"geschreven: {out}" in result.output.splitlines()  # Dutch, the default language


# --------------------------------------------------------------------------- evaluate on another set


@pytest.mark.solver
def test_evaluate_on_another_set_names_the_scenario_the_plan_cannot_serve(
    plain_run: tuple[Path, Path], tmp_path: Path
):
    """The plan of set ``two`` on ``drie``: low and high are served (the plan was made for them),
    surge is not (3,000 arrivals in January, no place can open in time): named on a warning
    line, exit 0; the statistics cover the served 25 % + 50 % = 75 % of the probability."""
    runs, run = plain_run
    result = _invoke("evaluate", run.name, "--scenarios", "drie", "--runs-dir", runs, "--lang", "en")
    assert result.exit_code == 0, result.output
    warning = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1, result.output
    assert "cannot serve (infeasible) 1 of 3 scenarios: surge;" in warning[0]
    assert "75" in warning[0]
    per = pd.read_csv(run / "analysis" / "evaluate-drie.csv").set_index("scenario")
    assert list(per.index) == ["low", "high", "surge"]
    assert per.loc["surge", "status"] == "infeasible"
    assert list(per.loc[["low", "high"], "status"]) == ["optimal", "optimal"]
    summary = pd.read_csv(run / "analysis" / "evaluate-drie-summary.csv").set_index("quantity")
    assert summary.loc["total_cost_eur", "probability_covered"] == pytest.approx(0.75)
    # on its own scenarios the plan costs what the run says: low and high as in the run's KPIs
    kpis = read_run(run).table("kpis")
    own = kpis[kpis["kpi"] == "total_cost_eur"].set_index("scenario")["value"]
    for s in ("low", "high"):
        assert per.loc[s, "total_cost_eur"] == pytest.approx(own[s], rel=1e-5)
    mean = (0.25 * own["low"] + 0.5 * own["high"]) / 0.75
    assert summary.loc["total_cost_eur", "mean"] == pytest.approx(mean, rel=1e-5)
    # in Dutch the same line starts with "waarschuwing:"
    nl = _invoke("evaluate", run.name, "--scenarios", "drie", "--runs-dir", runs, "--out", tmp_path / "nl")
    assert nl.exit_code == 0, nl.output
    assert any(line.startswith("waarschuwing:") and "surge" in line for line in nl.output.splitlines())


# --------------------------------------------------------------------------- options --presets a,b


@pytest.mark.solver
def test_options_presets_solves_only_those_each_under_its_own_policy(case: Path, tmp_path: Path):
    """status-quo forbids the pool, the reserve places and the asielreserve and keeps staff and
    locations fixed; reservecapaciteit allows reserve places. Each run stores its own preset's
    policy, and the plans differ where the policies do."""
    runs, out = tmp_path / "runs", tmp_path / "out"
    result = _invoke(
        "options", case, "--scenarios", "two", "--presets", "status-quo,reservecapaciteit",
        "--runs-dir", runs, "--out", out, "-q", "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "options.csv").set_index("preset")
    assert list(table.index) == ["status-quo", "reservecapaciteit"]
    records = {read_run(p).manifest.name: read_run(p) for p in _runs(runs)}
    assert set(records) == {"status-quo", "reservecapaciteit"}
    policies = {name: r.manifest.raw["settings"]["policy"] for name, r in records.items()}
    assert policies["status-quo"]["name"] == "status-quo"
    assert policies["reservecapaciteit"]["name"] == "reservecapaciteit"
    assert policies["status-quo"]["allow_reserve_places"] is False
    assert policies["reservecapaciteit"]["allow_reserve_places"] is True

    def levers(name: str) -> pd.Series:
        return records[name].table("levers").set_index("lever")["value"]

    def plan(name: str, lever: str) -> pd.Series:
        p = records[name].table("plan")
        return p[p["lever"] == lever]["value"]

    sq = levers("status-quo")
    assert sq["flexpool_fte"] == 0 and sq["reserve_places"] == 0 and sq["asielreserve_eur"] == 0
    assert (plan("status-quo", "hired_fte") == 0).all()
    assert not records["status-quo"].table("plan").equals(records["reservecapaciteit"].table("plan"))
    for preset in ("status-quo", "reservecapaciteit"):
        expected = records[preset].table("kpis").query("scenario == 'expected'").set_index("kpi")["value"]
        assert table.loc[preset, "expected_cash_eur"] == pytest.approx(expected["spending_eur"], rel=REL)
    assert table.loc["status-quo", "expected_cash_eur_vs_status_quo"] == 0


# --------------------------------------------------------------------------- compare of real runs


@pytest.mark.solver
def test_compare_two_real_runs_shows_levers_kpis_and_the_changed_input(
    case: Path, plain_run: tuple[Path, Path], tmp_path: Path
):
    runs, first = plain_run
    result = _invoke(
        "solve", case, "--scenarios", "two", "--late-penalty", "5000", "--name", "streng",
        "--runs-dir", runs, "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (second,) = [p for p in _runs(runs) if p != first]
    cmp = _invoke(
        "compare", first.name, second.name, "--runs-dir", runs, "--lang", "en", "--out", tmp_path / "c"
    )
    assert cmp.exit_code == 0, cmp.output
    text = cmp.output
    assert first.name in text and second.name in text
    assert "Traceback" not in text
    for label in ("Flexible staff pool (mean FTE)", "Funding relative to MPP forecast", "Late cases"):
        assert label in text
    # the input differences: the one changed setting, old -> new, and no default of the schema that
    # the override run's stored case writes out and the plain run's case.toml leaves implicit
    diffs = text[text.index("Input differences") :]
    rows = [line for line in diffs.splitlines() if "case.toml" in line]
    changed = [line for line in rows if "sources." not in line]
    assert len(changed) == 1, changed
    assert "penalties.late_case_month_eur" in changed[0] and changed[0].split()[-2:] == ["500.0", "5000.0"]
    (source,) = [line for line in rows if "sources." in line]  # the override's source, added
    assert "sources.penalties.late_case_month_eur" in source and "set on the solve command line" in source
    written = sorted(p.suffix for p in (tmp_path / "c").iterdir())
    assert ".html" in written and ".xlsx" in written

    # the expected late case-months never rise with a ten times higher penalty
    def late(run: Path) -> float:
        k = read_run(run).table("kpis")
        return float(k[(k["scenario"] == "expected") & (k["kpi"] == "late_case_months")]["value"].iloc[0])

    assert late(second) <= late(first) + 1e-6


# --------------------------------------------------------------------------- the default case


@pytest.mark.slow
@pytest.mark.solver
def test_solve_without_a_case_argument_uses_the_shipped_default_case(tmp_path: Path):
    """From an empty folder, ``solve`` with no CASE solves nl-2026 (here on its 3-scenario MPP set)
    and says so; the stored case is the shipped one."""
    env = {**os.environ, "BEKOSTIGING_RUNS_DIR": str(tmp_path / "runs")}
    cwd = tmp_path / "elders"
    cwd.mkdir()
    old = Path.cwd()
    try:
        os.chdir(cwd)
        result = CliRunner(env=env).invoke(main, ["solve", "--scenarios", "mpp", "--threads", "1", "-q"])
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    assert "nl-2026" in result.output
    (run,) = _runs(tmp_path / "runs")
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] in ("optimal", "limit") and manifest["scenarios"]["name"] == "mpp"
    assert math.isfinite(manifest["objective"])
    assert (run / "inputs" / "case" / "case.toml").is_file()
    assert not any(cwd.iterdir())  # nothing written where it was run from


@pytest.mark.unit
def test_make_run_validates_and_solves_the_default_case():
    """``make run`` (dry run): validate and solve the shipped default case data/nl-2026, which exists
    and validates as it is."""
    dry = subprocess.run(["make", "-n", "run"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert ".venv/bin/bekostiging validate data/nl-2026" in dry
    assert ".venv/bin/bekostiging solve data/nl-2026 --name default" in dry
    result = _invoke("validate", REPO / "data" / "nl-2026")
    assert result.exit_code == 0, result.output
