"""Out-of-sample evaluation of a fixed plan, with hand-derived statistics.

Newsvendor (``twostage_textbook.newsvendor``): unit cost 1, price 3, total cost
f(x, d) = x − 3·min(x, d). Summary formulas (``bekostiging.analytics.stats``):
weights w = p/Σp, mean μ = Σ w x, n_eff = 1/Σ w², sd² = n_eff/(n_eff − 1)·Σ w (x − μ)²,
CI = μ ± z·sd/√n_eff with z = Φ⁻¹(0.975), quantile q = inf{x : F(x) ≥ q}.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import pyomo.environ as pyo
import pytest

from bekostiging.analytics import cvar, evaluate_plan, solve_stochastic, weighted_quantile
from bekostiging.analytics.evaluate import TOTAL_COST
from bekostiging.solver import SolverOptions, Status
from bekostiging.twostage import ScenarioData, TwoStageProblem
from twostage_textbook import farmer, farmer_yields, newsvendor

EXACT = SolverOptions(mip_gap=0.0)
TOL = 1e-6
Z = NormalDist().inv_cdf(0.975)


def sales_metrics(block: pyo.Block) -> dict[str, float]:
    """Caller metrics: units sold and unmet demand in one scenario."""
    sales = pyo.value(block.sales)
    return {"sales": sales, "shortage": pyo.value(block.demand) - sales}


@pytest.mark.solver
def test_evaluate_on_own_scenarios_reproduces_rp():
    """Fixing the RP plan and re-solving each scenario gives back RP's stage-2 costs."""
    problem = farmer()
    rp = solve_stochastic(problem, EXACT)
    assert rp.first_stage is not None
    ev = evaluate_plan(problem, rp.first_stage, options=EXACT, workers=1)
    assert ev.all_optimal
    assert ev.expected_second_stage_cost == pytest.approx(rp.expected_second_stage_cost, rel=TOL)
    assert ev.expected_total_cost == pytest.approx(rp.objective, rel=TOL)
    for r in ev.results:
        assert r.second_stage_cost == pytest.approx(rp.scenario_second_stage_costs[r.name], rel=TOL)


@pytest.mark.solver
def test_summary_with_equal_probabilities():
    """Plan x = 150 on d ∈ {50, 100, 150, 200}, p = 1/4.

    Costs 0, −150, −300, −300: mean −187.5; deviations 187.5, 37.5, −112.5, −112.5,
    squares sum 61,875, sd² = 61,875/3 = 20,625; CI −187.5 ± z·√20,625/2.
    Sorted −300, −300, −150, 0 with F = 1/2 at −300: P50 = −300, P90 = P99 = 0.
    """
    problem = newsvendor((50, 100, 150, 200))
    ev = evaluate_plan(problem, {"order": 150.0}, options=EXACT, workers=1)
    s = ev.statistics(TOTAL_COST)
    sd = math.sqrt(20_625.0)
    assert s.mean == pytest.approx(-187.5, abs=TOL)
    assert s.sd == pytest.approx(sd, rel=TOL)
    assert s.effective_n == pytest.approx(4.0)
    assert (s.ci_low, s.ci_high) == pytest.approx((-187.5 - Z * sd / 2, -187.5 + Z * sd / 2), rel=TOL)
    assert (s.p50, s.p90, s.p99) == pytest.approx((-300.0, 0.0, 0.0), abs=TOL)


@pytest.mark.solver
def test_summary_with_unequal_probabilities_and_metrics():
    """Plan x = 100 on d ∈ {50, 100, 150, 200}, p = 0.1, 0.2, 0.3, 0.4.

    Costs −50, −200, −200, −200: mean 0.1·(−50) + 0.9·(−200) = −185.
    Σ w (x − μ)² = 0.1·135² + 0.9·15² = 2,025; n_eff = 1/(0.01 + 0.04 + 0.09 + 0.16)
    = 10/3; sd² = (10/3)/(7/3)·2,025 = 20,250/7; CI half-width z·sd/√(10/3).
    F(−200) = 0.9 (reached within rounding): P50 = P90 = −200; P99 = −50.
    Shortage max(0, d − 100) = 0, 0, 50, 100: mean 0.3·50 + 0.4·100 = 55,
    P50 = 50 (F(0) = 0.3 < 0.5 ≤ F(50) = 0.6), P90 = 100. Sales min(100, d): mean 95.
    """
    problem = newsvendor((50, 100, 150, 200), (0.1, 0.2, 0.3, 0.4))
    ev = evaluate_plan(problem, {"order": 100.0}, options=EXACT, workers=1, metrics=sales_metrics)
    s = ev.statistics()
    sd = math.sqrt(20_250.0 / 7.0)
    half = Z * sd / math.sqrt(10.0 / 3.0)
    assert s.mean == pytest.approx(-185.0, abs=TOL)
    assert s.effective_n == pytest.approx(10.0 / 3.0)
    assert s.sd == pytest.approx(sd, rel=TOL)
    assert (s.ci_low, s.ci_high) == pytest.approx((-185.0 - half, -185.0 + half), rel=TOL)
    assert (s.p50, s.p90, s.p99) == pytest.approx((-200.0, -200.0, -50.0), abs=TOL)
    shortage = ev.statistics("shortage")
    assert (shortage.mean, shortage.p50, shortage.p90) == pytest.approx((55.0, 50.0, 100.0), abs=TOL)
    summary = ev.summary().set_index("quantity")
    assert list(summary.index) == [TOTAL_COST, "second_stage_cost_eur", "sales", "shortage"]
    assert summary.loc["sales", "mean"] == pytest.approx(95.0, abs=TOL)
    assert summary.loc[TOTAL_COST, "probability_covered"] == pytest.approx(1.0)
    frame = ev.to_frame().set_index("scenario")
    assert frame.loc["d200", "shortage"] == pytest.approx(100.0, abs=TOL)


@pytest.mark.solver
def test_infeasible_scenario_is_named():
    """All demand must be met (y = d ≤ x). Plan x = 120 on d ∈ {50, 100, 150}, p = 1/3.

    d = 150 cannot be served: named, expectation +inf. Served: costs 120 − 150 = −30
    and 120 − 300 = −180, mean −105 over 2/3 of the probability.
    """
    problem = newsvendor((50, 100, 150), must_serve=True)
    ev = evaluate_plan(problem, {"order": 120.0}, options=EXACT, workers=1)
    assert ev.infeasible == ("d150",)
    assert ev.unsolved == ()
    assert ev.status == Status.INFEASIBLE
    assert ev.expected_total_cost == math.inf
    assert ev.statistics().mean == pytest.approx(-105.0, abs=TOL)
    summary = ev.summary().set_index("quantity")
    assert summary.loc[TOTAL_COST, "probability_covered"] == pytest.approx(2.0 / 3.0)
    assert summary.loc[TOTAL_COST, "infeasible"] == 1


@pytest.mark.solver
def test_out_of_sample_in_parallel_equals_serial():
    """The RP plan (170/80/250 acres) on five unseen yield levels; 2 processes = serial.

    At the average yield the plan's total cost is −109,350 (Birge & Louveaux Table 1.2
    row 'average' of the stochastic solution).
    """
    problem = farmer()
    plan = {"acres[wheat]": 170.0, "acres[corn]": 80.0, "acres[beets]": 250.0}
    factors = (0.7, 0.9, 1.0, 1.1, 1.3)
    unseen = [ScenarioData(f"yield{f:g}", 1.0 / len(factors), farmer_yields(f)) for f in factors]
    serial = evaluate_plan(problem, plan, unseen, EXACT, workers=1)
    parallel = evaluate_plan(problem, plan, unseen, EXACT, workers=2)
    assert parallel.names == [s.name for s in unseen]
    assert [r.total_cost for r in parallel.results] == pytest.approx([r.total_cost for r in serial.results])
    assert serial.to_frame().set_index("scenario").loc["yield1", TOTAL_COST] == pytest.approx(-109_350.0)
    costs = [r.total_cost for r in serial.results]
    assert costs == sorted(costs, reverse=True)  # better yields never cost more


@pytest.mark.solver
def test_explicit_thread_count_after_a_default_solve():
    """HiGHS sizes one thread pool per process; asking for 1 thread after a default solve
    used to end in a solver error. Plan x = 150 on d ∈ {50, 100}: costs 0 and −150.
    """
    problem = newsvendor((50, 100))
    assert solve_stochastic(problem, EXACT).status == Status.OPTIMAL
    one_thread = SolverOptions(mip_gap=0.0, threads=1)
    ev = evaluate_plan(problem, {"order": 150.0}, options=one_thread, workers=1)
    assert ev.all_optimal
    assert [r.total_cost for r in ev.results] == pytest.approx([0.0, -150.0], abs=TOL)


@pytest.mark.unit
def test_unpicklable_problem_is_refused_with_a_hint():
    """A local (closure) builder cannot reach a worker process: a clear TypeError, not a broken pool."""
    base = newsvendor((50, 100))

    def local_first_stage(block: pyo.Block) -> None:
        base.build_first_stage(block)

    problem = TwoStageProblem(local_first_stage, base.build_second_stage, base.scenarios, base.mean_data)
    with pytest.raises(TypeError, match="workers=1"):
        evaluate_plan(problem, {"order": 50.0}, workers=2)


@pytest.mark.unit
def test_quantile_and_cvar_by_hand():
    """Values 1..4 with p = 0.1..0.4: F = 0.1, 0.3, 0.6, 1.0, so P50 = 3, P90 = 4.

    CVaR_0.5 = mean of the worst half of probability: 0.4 at 4 and 0.1 at 3 → (1.6 + 0.3)/0.5 = 3.8.
    """
    values, probs = [1.0, 2.0, 3.0, 4.0], [0.1, 0.2, 0.3, 0.4]
    assert weighted_quantile(values, probs, 0.5) == 3.0
    assert weighted_quantile(values, probs, 0.9) == 4.0
    assert weighted_quantile(values, probs, 0.3) == 2.0
    assert cvar(values, probs, 0.5) == pytest.approx(3.8)
    with pytest.raises(ValueError, match="alpha"):
        cvar(values, probs, 1.0)
