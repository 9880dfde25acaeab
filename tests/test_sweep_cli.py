"""Trade-off curves: ``bekostiging sweep`` / ``frontier`` and the chain curves behind them.

Monotonicity with a gap. Let x₁, x₂ be the plans returned at penalties λ₁ < λ₂, with
cost f and expected late case-months L, each within ε_i = objective_i − bound_i of its
optimum. Optimality of each against the other's plan gives
f₁ + λ₁L₁ ≤ f₂ + λ₁L₂ + ε₁ and f₂ + λ₂L₂ ≤ f₁ + λ₂L₁ + ε₂; adding them,
(λ₂ − λ₁)(L₂ − L₁) ≤ ε₁ + ε₂. So L may rise by at most (ε₁ + ε₂)/(λ₂ − λ₁) between
points; with exact solves (gap 0) it never rises. The tests check exactly that bound.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo
import pytest
from click.testing import CliRunner

from bekostiging.analytics.frontier import (
    CURVE_KPIS,
    LATE_PENALTY_PARAM,
    chain_metrics,
    curve_kpis,
    funding_ratio_curve,
    late_penalty_curve,
    mean_cvar_frontier,
)
from bekostiging.analytics.sweep import param_setter
from bekostiging.cli import main
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set
from bekostiging.model.data import MONEY_SCALE
from bekostiging.pipeline import prepare_problem, solve_case
from bekostiging.results import result_tables
from bekostiging.solver import SolverOptions, solve_model
from bekostiging.twostage import extensive_form

pytestmark = pytest.mark.solver

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny-case"
DEFAULT = ROOT / "data" / "nl-2026"
EXACT = SolverOptions(mip_gap=0.0)
GAPPED = SolverOptions(mip_gap=0.005)  # solve's default: the loosest gap a curve is drawn at
REL = 1e-6
TINY_PENALTIES = (0.0, 100.0, 250.0, 500.0, 1000.0, 5000.0)
DEFAULT_PENALTIES = (250.0, 1000.0, 2000.0, 5000.0, 10000.0)


def _problem(case_dir: Path, set_name: str, options: SolverOptions):  # type: ignore[no-untyped-def]
    case = load_case(case_dir)
    sset = load_scenario_set(case_dir / "scenarios" / set_name, case)
    prepared = prepare_problem(case, sset, options)
    assert prepared.problem is not None
    return case, sset, prepared


def _assert_late_never_rises_beyond_the_gap(curve: pd.DataFrame) -> None:
    assert set(curve["status"]) == {"optimal"}
    rows = list(curve.sort_values("value").itertuples())
    for a, b in itertools.pairwise(rows):
        slack = (a.objective_eur - a.bound_eur) + (b.objective_eur - b.bound_eur)
        allowed = slack / (b.value - a.value) + REL * max(1.0, a.expected_late_case_months)
        assert b.expected_late_case_months <= a.expected_late_case_months + allowed, (a.value, b.value)
        # a higher penalty never makes the optimum cheaper (within both gaps)
        assert b.objective_eur >= a.bound_eur - REL * abs(a.bound_eur)


@pytest.fixture(scope="module")
def tiny_curve():  # type: ignore[no-untyped-def]
    case, sset, prepared = _problem(TINY, "two", EXACT)
    curve = late_penalty_curve(prepared.problem, prepared.data, TINY_PENALTIES, EXACT, workers=1)
    return case, sset, curve


def test_tiny_sweep_is_monotone_and_matches_independent_solves(tiny_curve):
    """Exact solves: late case-months never rise with the penalty, and every point equals a
    fresh ``solve_case`` of the case with that penalty (objective within 1e-6 relative)."""
    case, sset, curve = tiny_curve
    _assert_late_never_rises_beyond_the_gap(curve)
    assert list(curve["value"]) == list(TINY_PENALTIES)
    late = curve["expected_late_case_months"].to_numpy()
    assert late[0] > late[-1]  # the curve is not flat: the penalty buys something
    for row in curve.itertuples():
        penalties = case.settings.penalties.model_copy(update={"late_case_month_eur": row.value})
        settings = case.settings.model_copy(update={"penalties": penalties})
        fresh = solve_case(case.model_copy(update={"settings": settings}), sset, EXACT)
        assert fresh.ok
        assert row.objective_eur == pytest.approx(fresh.outcome.objective, rel=REL)
        kpis = fresh.tables["kpis"]
        expected = kpis[kpis["scenario"] == "expected"].set_index("kpi")["value"]
        # risk neutral: the expected total cost is the objective (other KPIs may differ between
        # alternative optima of the two solves)
        assert row.expected_total_cost_eur == pytest.approx(expected["total_cost_eur"], rel=REL)


def test_parallel_curves_equal_the_serial_ones(tiny_curve):
    """Two processes, each re-solving a contiguous chunk on its own model (gap 0): same points, same
    order as one model in this process; the late-penalty curve, a capped funding-ratio curve (a setter)
    and the frontier (its model built in the workers)."""
    _case, _sset, serial = tiny_curve
    case, sset, prepared = _problem(TINY, "two", EXACT)
    parallel = late_penalty_curve(prepared.problem, prepared.data, TINY_PENALTIES, EXACT, workers=2)
    assert parallel.attrs["workers"] == 2
    assert list(parallel.columns) == list(serial.columns)
    assert list(parallel["value"]) == list(TINY_PENALTIES)
    assert list(parallel["worker"]) == [0, 0, 0, 1, 1, 1]
    assert set(serial["worker"]) == {0}
    assert list(parallel["objective_eur"]) == pytest.approx(list(serial["objective_eur"]), rel=REL)
    assert list(parallel["expected_total_cost_eur"]) == pytest.approx(
        list(serial["expected_total_cost_eur"]), rel=REL
    )
    capped_policy = case.settings.policy.model_copy(update={"funding_ratio_max": 1.2})
    capped = prepare_problem(case, sset, EXACT, policy=capped_policy)
    assert capped.problem is not None
    ratios = (1.0, 1.1, 1.3)
    curves = [funding_ratio_curve(capped.problem, capped.data, ratios, EXACT, workers=w) for w in (1, 2)]
    assert set(curves[0]["status"]) == {"optimal"}
    assert curves[1].attrs["param"] == curves[0].attrs["param"] == "set_floor_and_cap"
    assert list(curves[1]["objective_eur"]) == pytest.approx(list(curves[0]["objective_eur"]), rel=REL)
    weights = (0.0, 0.5, 1.0)
    metrics = chain_metrics(prepared.data, 0.5)
    frontiers = [
        mean_cvar_frontier(prepared.problem, weights, 0.5, EXACT, metrics=metrics, workers=w) for w in (1, 2)
    ]
    assert list(frontiers[1]["weight"]) == list(weights)
    assert list(frontiers[1]["objective"]) == pytest.approx(list(frontiers[0]["objective"]), rel=REL)
    assert list(frontiers[1]["cvar_total_cost_eur"]) == pytest.approx(
        list(frontiers[0]["cvar_total_cost_eur"]), rel=REL
    )


def test_curve_kpis_are_the_run_kpis():
    """On one solved model the curve's KPIs equal the run's ``kpis`` rows (same names, same definitions)."""
    _case, sset, prepared = _problem(TINY, "two", EXACT)
    m = extensive_form(prepared.problem)
    assert solve_model(m, EXACT).status.has_solution
    kpis = result_tables(m, prepared.data, sset)["kpis"].set_index(["scenario", "kpi"])["value"]
    stage1 = pyo.value(m.first.FirstStageCost)
    for s in m.SCENARIOS:
        ours = curve_kpis(m.scen[s], m.first, prepared.data, stage1)
        assert set(ours) == set(CURVE_KPIS)
        for kpi in CURVE_KPIS:
            assert ours[kpi] == pytest.approx(kpis[(s, kpi)], rel=1e-9, abs=1e-9), (s, kpi)
    metrics = chain_metrics(prepared.data, 0.5)(m)
    for kpi in CURVE_KPIS:
        assert metrics[f"expected_{kpi}"] == pytest.approx(kpis[("expected", kpi)], rel=1e-9, abs=1e-9)
    assert metrics["cvar_total_cost_eur"] == pytest.approx(
        max(kpis[(s, "total_cost_eur")] for s in m.SCENARIOS), rel=1e-12
    )  # two scenarios of p = 1/2: CVaR at 0.5 is the dearer one


def test_default_case_mpp_sweep_is_monotone_within_the_gap():
    """The default case on its MPP set at the CLI's 0.5 % gap: the bound in the module docstring,
    and each point's objective brackets an independent solve (each within the other's gap).

    The sweep changes the penalty's mutable Param in the model it warm-starts point after point;
    the independent solve builds a new model of the same prepared problem, sets the same Param
    and solves it cold. (Rebuilding from data with the penalty replaced is another problem: the
    penalty also enters values derived from the data, and ``solve_case`` would re-solve the MPP
    baseline at that penalty; with the registration surge those optima lie 0.003 % apart, outside
    each other's bounds.)"""
    _case, _sset, prepared = _problem(DEFAULT, "mpp", GAPPED)
    curve = late_penalty_curve(prepared.problem, prepared.data, DEFAULT_PENALTIES, GAPPED)
    _assert_late_never_rises_beyond_the_gap(curve)
    late = curve["expected_late_case_months"].to_numpy()
    assert late[0] >= late[-1]
    # one independent check at the highest penalty (the point furthest from the first solve)
    row = curve.iloc[-1]
    model = extensive_form(prepared.problem)
    param_setter(model, LATE_PENALTY_PARAM)(float(row["value"]) / MONEY_SCALE)
    fresh = solve_model(model, GAPPED)  # a cold solve of a new model: no warm start, no earlier point
    assert fresh.status.has_solution
    assert row["objective_eur"] >= fresh.bound * MONEY_SCALE * (1 - REL)
    assert fresh.objective * MONEY_SCALE >= row["bound_eur"] * (1 - REL)


def test_funding_ratio_floor_only_costs():
    """A higher floor on the chain budget shrinks the feasible set: the exact optimum never falls,
    and the chosen budget meets every floor."""
    _case, _sset, prepared = _problem(TINY, "two", EXACT)
    ratios = (0.0, 1.0, 1.2, 1.5)
    curve = funding_ratio_curve(prepared.problem, prepared.data, ratios, EXACT)
    assert set(curve["status"]) == {"optimal"}
    objective = curve["objective_eur"].to_numpy()
    assert all(b >= a * (1 - REL) for a, b in itertools.pairwise(objective))
    assert objective[-1] > objective[0]  # 1.5 x the MPP need is more than the plan wants


def _invoke(args: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_sweep_cli_writes_table_and_chart(tmp_path):
    out = tmp_path / "curve"
    result = _invoke(
        [
            "sweep",
            "--lang",
            "en",
            str(TINY),
            "--late-penalty",
            "0,500,2000",
            "--mip-gap",
            "0",
            "--workers",
            "2",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sweep.csv")
    assert list(table["value"]) == [0.0, 500.0, 2000.0]
    assert list(table["worker"]) == [0, 0, 1]  # contiguous chunks, one process each
    assert "2 processes" in result.output
    for column in (
        "objective_eur",
        "expected_total_cost_eur",
        "expected_spending_eur",
        "expected_late_case_months",
        "expected_backlog_end_persons",
        "status",
        "gap",
        "seconds",
    ):
        assert column in table.columns
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "E late case-months" in result.output
    # the tiny case's own penalty is 500 EUR per case-month: its point is marked
    assert "marked: case value 500" in result.output
    for name in ("sweep.csv", "sweep.png"):  # a line each, as report prints them (was 'written: a, b')
        assert f"wrote {out / name}" in result.output.splitlines(), name


def test_sweep_cli_marks_a_runs_point(tmp_path):
    runs = tmp_path / "runs"
    solved = _invoke(["solve", str(TINY), "--runs-dir", str(runs), "--mip-gap", "0", "-q", "--name", "own"])
    assert solved.exit_code == 0, solved.output
    (run_dir,) = [p for p in runs.iterdir() if p.is_dir() and not p.name.startswith(".")]
    out = tmp_path / "ratio"
    result = _invoke(
        [
            "sweep",
            "--lang",
            "en",
            "--funding-ratio",
            "1.0,1.2",
            "--run",
            run_dir.name,
            "--runs-dir",
            str(runs),
            "--mip-gap",
            "0",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert f"marked: run {run_dir.name}" in result.output
    assert "on two" in result.output  # the run's scenario set, from the run's own case copy
    assert len(pd.read_csv(out / "sweep.csv")) == 2


@pytest.mark.parametrize(("lang", "wrote"), [("en", "wrote {path}"), ("nl", "geschreven: {path}")])
def test_frontier_cli(tmp_path, lang, wrote):
    out = tmp_path / "frontier"
    result = _invoke(
        [
            "frontier",
            "--lang",
            lang,
            str(TINY),
            "--alpha",
            "0.5",
            "--weights",
            "0,1",
            "--mip-gap",
            "0",
            "--workers",
            "1",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "frontier.csv")
    assert list(table["weight"]) == [0.0, 1.0]
    assert table["cvar_total_cost_eur"].iloc[1] <= table["cvar_total_cost_eur"].iloc[0] * (1 + REL)
    assert math.isfinite(table["expected_total_cost_eur"].iloc[0])
    assert (out / "frontier.png").is_file()
    for name in ("frontier.csv", "frontier.png"):  # a line each, as report prints them (was 'written: a, b')
        assert wrote.format(path=out / name) in result.output.splitlines(), name
    if lang == "en":
        assert "one model, one persistent solver" in result.output
        assert "note: W = 1 prices only the worst" in result.output


@pytest.mark.unit
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sweep", str(TINY), "--late-penalty", "250,abc"], "'abc' is not a number"),
        (["sweep", str(TINY), "--late-penalty", "250,-5"], "'-5' is negative"),
        (["sweep", str(TINY), "--late-penalty", "250,,500"], "comma-separated numbers"),
        (["sweep", str(TINY), "--funding-ratio", "1.0,inf"], "not a finite number"),
        (["sweep", str(TINY)], "exactly one of"),
        (["sweep", str(TINY), "--late-penalty", "1", "--funding-ratio", "1"], "exactly one of"),
        (["frontier", str(TINY), "--weights", "0,1.5"], "above 1"),
        (["frontier", str(TINY), "--alpha", "1.0"], "alpha"),
    ],
)
@pytest.mark.usefixtures("english_messages")  # checks the English message
def test_bad_input_exits_2(args, message, tmp_path):
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "x")])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "x").exists()  # nothing solved, nothing written
