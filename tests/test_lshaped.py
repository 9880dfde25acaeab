"""The L-shaped method (``lshaped.py``) and the scenario LP (``decompose.py``) against the extensive form.

* newsvendor with demands 10, 20, 30, 40 (equally likely), unit cost 1, price 3: the critical
  ratio (3 − 1)/3 = 2/3 puts the optimal order at the demand where the distribution first
  reaches 2/3, i.e. 30; cost 30 − 3·E[min(30, d)] = 30 − 3·(10 + 20 + 30 + 30)/4 = −37.5
  (continuous and integer order, multi-cut and aggregated);
* the capacity MILP of ``twostage_textbook`` (integer modules and open/close, 24 periods):
  L-shaped objective within the requested gap of the exact extensive form;
* the tiny chain case through ``solve_case(method="lshaped")``: the extensive form's objective
  (exact), plan and result tables;
* a scenario LP's subgradient: Q_s at a moved plan is at least the cut's value (convexity),
  and Q_s equals the recourse value of the extensive form with that plan fixed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bekostiging.assemble import BlockHighs
from bekostiging.decompose import ScenarioLP
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set
from bekostiging.lshaped import LShaped, cut_groups
from bekostiging.model.data import MONEY_SCALE
from bekostiging.pipeline import solve_case
from bekostiging.solver import SolverOptions, Status, solve_model
from bekostiging.twostage import extensive_form
from model_cases import TINY_CASE
from twostage_textbook import capacity_with_template, newsvendor_with_template

pytestmark = pytest.mark.solver

EXACT = SolverOptions(threads=1, mip_gap=0.0)
NEWSVENDOR_DEMANDS = (10.0, 20.0, 30.0, 40.0)
NEWSVENDOR_ORDER = 30.0
NEWSVENDOR_COST = 30.0 - 3.0 * (10.0 + 20.0 + 30.0 + 30.0) / 4.0  # −37.5


@pytest.mark.parametrize("cuts", ["multi", "single", 2])
@pytest.mark.parametrize("integer", [False, True])
def test_newsvendor_by_hand(cuts, integer):
    problem = newsvendor_with_template(NEWSVENDOR_DEMANDS, integer=integer)
    result = LShaped(problem, SolverOptions(mip_gap=1e-9), cuts=cuts, workers=1).solve()
    assert result.outcome.status == Status.OPTIMAL
    assert result.outcome.objective == pytest.approx(NEWSVENDOR_COST, abs=1e-6)
    assert result.outcome.bound == pytest.approx(NEWSVENDOR_COST, abs=1e-6)
    assert result.x is not None
    order = dict(zip(LShaped(problem, workers=1).lp.split.master.names, result.x.tolist(), strict=True))
    assert order["order"] == pytest.approx(NEWSVENDOR_ORDER, abs=1e-6)


def test_capacity_milp_equals_extensive_form():
    problem = capacity_with_template(6)
    ef = extensive_form(problem)
    exact = solve_model(ef, EXACT)
    gap = 1e-4
    solver = LShaped(problem, SolverOptions(mip_gap=gap), cuts="multi", workers=1)
    result = solver.solve()
    out = result.outcome
    assert out.status == Status.OPTIMAL
    assert out.bound <= exact.objective * (1 + 1e-9) + 1e-6
    assert out.objective >= exact.objective - 1e-6
    assert out.objective <= exact.objective + gap * abs(out.objective) + 1e-6
    assert len(result.iterations) >= 2  # it did iterate (cuts were needed)


def test_cut_groups():
    assert cut_groups(5, "multi").tolist() == [0, 1, 2, 3, 4]
    assert cut_groups(5, "single").tolist() == [0, 0, 0, 0, 0]
    assert cut_groups(5, 2).tolist() == [0, 0, 0, 1, 1]
    assert cut_groups(3, 10).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="cuts"):
        cut_groups(3, 0)


def test_scenario_lp_value_and_subgradient():
    """Q_s(x) equals the extensive form's recourse value; the cut under-estimates Q_s elsewhere."""
    problem = capacity_with_template(3)
    lp = ScenarioLP(problem)
    names = lp.split.master.names
    rng = np.random.default_rng(5)
    x = np.where(lp.split.master.integer, rng.integers(0, 3, len(names)).astype(float), 0.0)
    x = np.array([1.0 if not n else v for n, v in zip(names, x, strict=True)])
    opened = dict(lp.plan_values(x))
    for key, value in lp.plan_values(x).items():  # a feasible plan: a site with modules is open
        if key.startswith("modules[") and value > 0:
            opened[key.replace("modules", "open")] = 1.0
    x = lp.plan_vector(opened)
    for i, s in enumerate(problem.scenarios):
        r = lp.solve(i, s.data, x)
        assert r.status == "optimal"
        fixed = extensive_form(problem.with_scenarios([s.__class__(s.name, 1.0, s.data)]), opened)
        out = solve_model(fixed, EXACT)
        first_cost = float(np.dot(lp.split.master.cost, x) + lp.split.master.offset)
        assert first_cost + r.value == pytest.approx(out.objective, rel=1e-9)
        moved = dict(opened)
        moved["modules[1]"] = opened["modules[1]"] + 2
        moved["open[1]"] = 1.0
        x2 = lp.plan_vector(moved)
        r2 = lp.solve(i, s.data, x2, r.basis)
        cut = r.value + float(np.dot(r.gradient, (x2 - x)[lp.split.link]))
        assert r2.value >= cut - 1e-7 * max(1.0, abs(cut))


def test_tiny_case_lshaped_equals_extensive_form():
    case = load_case(TINY_CASE)
    two = load_scenario_set(TINY_CASE / "scenarios" / "two", case)
    ef = solve_case(case, two, EXACT, method="ef")
    ls = solve_case(case, two, EXACT, method="lshaped", workers=1)
    assert ls.timings["method"] == 1.0
    assert ef.outcome.status == ls.outcome.status == Status.OPTIMAL
    assert ls.outcome.objective == pytest.approx(ef.outcome.objective, rel=1e-7)
    assert ls.model_size == ef.model_size
    assert list(ls.first_stage) == list(ef.first_stage)
    assert ls.tables.keys() == ef.tables.keys()
    for name, frame in ef.tables.items():  # same rows and columns (values: alternative optima may differ)
        other = ls.tables[name]
        assert list(other.columns) == list(frame.columns), name
        assert len(other) == len(frame), name
        text = frame.select_dtypes(exclude="number").columns
        pd.testing.assert_frame_equal(frame[text], other[text], obj=name)
    # the plan found is optimal: evaluated on the extensive form it costs the optimum
    from bekostiging.analytics import evaluate_plan
    from bekostiging.pipeline import prepare_problem

    problem = prepare_problem(case, two, EXACT).problem
    ev = evaluate_plan(problem, ls.first_stage, options=EXACT, workers=1)
    assert ev.objective * MONEY_SCALE == pytest.approx(ef.outcome.objective, rel=1e-7)


def test_lshaped_refuses_cvar_and_auto_falls_back():
    from bekostiging.errors import SolverFailure
    from bekostiging.twostage import Risk

    case = load_case(TINY_CASE)
    two = load_scenario_set(TINY_CASE / "scenarios" / "two", case)
    with pytest.raises(SolverFailure, match="risk-neutral"):
        solve_case(case, two, EXACT, method="lshaped", risk=Risk(weight=0.5, alpha=0.5))
    auto = solve_case(case, two, EXACT, method="auto", risk=Risk(weight=0.5, alpha=0.5))
    assert auto.outcome.status == Status.OPTIMAL and "method" not in auto.timings
    assert not math.isnan(auto.outcome.objective)


def test_lshaped_workers_processes_equal_serial():
    problem = capacity_with_template(4)
    serial = LShaped(problem, SolverOptions(mip_gap=1e-6), workers=1).solve()
    parallel = LShaped(problem, SolverOptions(mip_gap=1e-6), workers=2, executor="processes").solve()
    assert parallel.outcome.objective == pytest.approx(serial.outcome.objective, rel=1e-9)
    assert BlockHighs  # the assembler is what both build on


def test_solve_cli_method_lshaped(tmp_path):
    from click.testing import CliRunner

    from bekostiging.cli import main

    runner = CliRunner()
    args = ["solve", str(TINY_CASE), "--scenarios", "two", "--runs-dir", str(tmp_path), "-q"]
    ok = runner.invoke(main, [*args, "--method", "lshaped", "--workers", "1", "--cuts", "single"])
    assert ok.exit_code == 0, ok.output
    run_dir = next(tmp_path.iterdir())
    assert f"opgeslagen in: {run_dir}" in ok.output  # Dutch by default: where the run was stored
    log = run_dir / "solver.log"
    lines = log.read_text(encoding="utf-8")  # the iterations are in the run's solver log
    assert "L-shaped: 2 scenarios, first plan from the expected-value problem" in lines
    assert "L-shaped   1" in lines and "bound" in lines
    bad = runner.invoke(main, [*args, "--cuts", "zero"])
    assert bad.exit_code == 2 and "--cuts" in bad.output
    bad = runner.invoke(main, [*args, "--executor", "mpi"])
    assert bad.exit_code == 2 and "--executor" in bad.output


def _tiny_with(n: int, seed: int = 3):
    """The tiny case with ``n`` lognormal scenarios (a set large enough for the warm start)."""
    from bekostiging.scenarios import generate

    case = load_case(TINY_CASE)
    return case, generate(case, "lognormal", n, seed, name=f"tiny-{n}")


def test_reduced_warm_start_bound_is_valid(monkeypatch):
    """Large-set route on a small case: the plan of a 2-scenario reduction starts the L-shaped
    method; the reported bound is a bound of the full problem (≤ its exact optimum) and the
    incumbent is the plan's true cost on all scenarios (≥ the optimum, within the gap)."""
    from bekostiging import pipeline

    monkeypatch.setattr(pipeline, "REDUCED_SCENARIOS", 2)  # reduce when S > 4
    case, scenarios = _tiny_with(6)
    exact = solve_case(case, scenarios, EXACT, method="ef")
    gap = 0.01
    ls = solve_case(case, scenarios, SolverOptions(threads=1, mip_gap=gap), method="lshaped", workers=1)
    assert ls.timings["warm_start_scenarios"] == 2.0
    opt = exact.outcome.objective
    out = ls.outcome
    assert out.status == Status.OPTIMAL
    assert out.bound <= opt + 1e-7 * abs(opt)
    assert out.objective >= opt - 1e-7 * abs(opt)
    assert out.gap == pytest.approx((out.objective - out.bound) / abs(out.objective), abs=1e-12)
    assert out.gap <= gap
    from bekostiging.analytics import evaluate_plan
    from bekostiging.pipeline import prepare_problem

    problem = prepare_problem(case, scenarios, EXACT).problem
    ev = evaluate_plan(problem, ls.first_stage, options=EXACT, workers=1)
    assert ev.objective * MONEY_SCALE == pytest.approx(out.objective, rel=1e-7)


def test_reduced_plan_is_the_reduced_problems_optimum():
    """``reduced_plan``: the extensive form's plan on the fast-forward selection (k of S)."""
    from bekostiging.pipeline import prepare_problem, reduced_plan
    from bekostiging.scenarios.reduce import reduce_set

    case, scenarios = _tiny_with(5)
    problem = prepare_problem(case, scenarios, EXACT).problem
    plan = reduced_plan(problem, EXACT, k=2)
    small, _red = reduce_set(scenarios, 2)
    direct = solve_case(case, small, EXACT, method="ef")
    from bekostiging.analytics import evaluate_plan

    small_problem = prepare_problem(case, small, EXACT).problem
    cost = evaluate_plan(small_problem, plan, options=EXACT, workers=1).objective * MONEY_SCALE
    assert cost == pytest.approx(direct.outcome.objective, rel=1e-7)
    assert reduced_plan(problem, EXACT, k=5) is None  # nothing to reduce


def test_auto_picks_lshaped_by_size(monkeypatch):
    from bekostiging import pipeline

    monkeypatch.setattr(pipeline, "AUTO_LSHAPED_SCENARIOS", 4)
    case, scenarios = _tiny_with(4)
    large = solve_case(case, scenarios, SolverOptions(threads=1, mip_gap=0.01), method="auto", workers=1)
    assert large.timings.get("method") == 1.0
    two = load_scenario_set(TINY_CASE / "scenarios" / "two", case)
    small = solve_case(case, two, SolverOptions(threads=1, mip_gap=0.01), method="auto", workers=1)
    assert "method" not in small.timings


def test_time_limit_before_any_master_still_reports_a_bound():
    """A limit that runs out in the first pass over the scenarios (S = 5000 under load): the
    master is solved once more for a bound, which is a bound (≤ the EF optimum)."""
    from bekostiging.pipeline import prepare_problem

    case = load_case(TINY_CASE)
    two = load_scenario_set(TINY_CASE / "scenarios" / "two", case)
    exact = solve_case(case, two, EXACT, method="ef").outcome.objective / MONEY_SCALE
    problem = prepare_problem(case, two, EXACT).problem
    result = LShaped(problem, SolverOptions(mip_gap=1e-9, time_limit=1e-9), workers=1).solve()
    out = result.outcome
    assert len(result.iterations) == 1
    assert out.bound is not None and out.bound <= exact + 1e-7 * abs(exact)
    assert out.status == Status.LIMIT_NO_SOLUTION  # its one plan was the LP phase's, fractional


def test_master_near_the_limit_gets_its_grace_while_there_is_no_bound(monkeypatch):
    """A limit with a moment left (not yet past) when the master is due gets the same grace as
    a limit already past while there is no bound (a master given that moment stops without
    one); and a first master stopped by the limit is a limit, not an infeasible stage 1."""
    import time

    from bekostiging.lshaped import MASTER_GRACE_SECONDS
    from bekostiging.pipeline import prepare_problem

    case = load_case(TINY_CASE)
    two = load_scenario_set(TINY_CASE / "scenarios" / "two", case)
    problem = prepare_problem(case, two, EXACT).problem
    solver = LShaped(problem, SolverOptions(mip_gap=1e-9), workers=1)
    h = solver._build_master()

    def limit() -> float:
        got = h.getOptionValue("time_limit")  # highspy 1.16: (status, value)
        return float(got[-1] if isinstance(got, tuple) else got)

    solver._solve_master(h, "lp", None, time.perf_counter() + 0.5, 1e-9, math.inf)
    assert limit() >= MASTER_GRACE_SECONDS
    solver._lower = 1.0  # with a bound, the remaining moment is all the master gets
    solver._solve_master(h, "lp", None, time.perf_counter() + 10.0, 1e-9, math.inf)
    assert limit() <= 10.0

    def stopped(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None, None, -math.inf, True  # what _solve_master returns at a limit without a plan

    monkeypatch.setattr(LShaped, "_solve_master", stopped)
    out = LShaped(problem, SolverOptions(mip_gap=1e-9), workers=1).solve().outcome
    assert out.status == Status.LIMIT_NO_SOLUTION
