"""Decisions by budget year (multistage, ``model/stages.md``): tree, non-anticipativity, special cases.

The hand-built case: two budget years in quarters, COA with 100 regular places full at
the start (100 status holders, no housing), nareis arriving straight into COA, so every
extra person is an emergency place at EUR 10,000 a quarter. Spending is then fixed by
the inflow, and only the COA budget per year is a real decision — a newsvendor with
supplementary funding at 0.25 per euro over budget and 0.10 per euro under it: the
budget is the 0.25 / 0.35 = 0.714 quantile of the year's spending among the scenarios
the budget must serve. Four equally likely scenarios (nareis per quarter, year 1 / year 2):
A1 10/10, A2 10/20, B1 20/20, B2 20/40. Emergency place-quarters (cumulated inflow) give
spending, in M EUR:

======  ======  ======
path    2026    2027
======  ======  ======
A1      1.0     2.6
A2      1.0     3.6
B1      2.0     5.2
B2      2.0     7.2
======  ======  ======

Expected spending 1.5 + 4.65 = 6.15. Budget penalties:

* 2026 (always common): budget 2.0, penalty 0.10 x 0.5 x 1.0 = 0.05;
* 2027 two-stage (one budget for all four): 5.2; 0.10 x 0.25 x (2.6 + 1.6) + 0.25 x 0.25 x 2.0 = 0.23;
* 2027 by budget year, tree {A1, A2} | {B1, B2} (year-1 inflow tells A from B):
  budgets 3.6 and 7.2; 0.5 x 0.10 x 0.5 x 1.0 + 0.5 x 0.10 x 0.5 x 2.0 = 0.075;
* 2027 with every path its own node from 2027 on: 0; wait-and-see: 0 in both years.

Objectives: two-stage 6.43 >= yearly 6.275 >= clairvoyant-from-2027 6.20 >= wait-and-see 6.15.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from bekostiging.advice import advice_lines, advice_table, decisions_table
from bekostiging.analytics.evaluate import evaluate_plan
from bekostiging.model import ScenarioInflow, chain_data, chain_problem
from bekostiging.model.stages import decision_period, decision_stage, yearly_inflow_features
from bekostiging.multistage import (
    ScenarioTree,
    _kmeans_1d,
    build_tree,
    check_nonanticipative,
    node_values,
    root_of,
    root_values,
    stage_map,
    yearly_extensive_form,
)
from bekostiging.solver import HighsSolver
from bekostiging.twostage import Risk, extensive_form
from model_cases import EXACT, inflow, make_case

PATHS = {"A1": (10, 10), "A2": (10, 20), "B1": (20, 20), "B2": (20, 40)}
QUARTERS = 4
OBJECTIVE = {"two": 6.43, "yearly": 6.275, "from-2027": 6.20, "wait-and-see": 6.15}


def _problem():  # type: ignore[no-untyped-def]
    case = make_case(
        horizon={"start_year": 2026, "years": 2, "period": "quarter"},
        categories={"nareis": {"reception_share": 1.0}},
        stocks={"status_holders": 100},
        budget={"supplementary_penalty": 0.25, "unspent_budget_weight": 0.10},
    )
    scenarios = [
        ScenarioInflow(name, inflow(case, nareis=[a] * QUARTERS + [b] * QUARTERS))
        for name, (a, b) in PATHS.items()
    ]
    data = chain_data(case)
    return chain_problem(data, scenarios, [0.25] * 4), data, scenarios


def _solve(tree: ScenarioTree) -> pyo.ConcreteModel:
    problem, _data, _ = _problem()
    m = yearly_extensive_form(problem, tree)
    outcome = HighsSolver(EXACT).solve(m)
    assert outcome.status.has_solution
    return m


def _coa_budget(m: pyo.ConcreteModel, year: int) -> dict[str, float]:
    return {node: value for var, _j, node, _p, value in node_values(m) if var == f"Budget[coa,{year}]"}


def test_forward_clustering_splits_on_the_first_years_inflow() -> None:
    problem, data, scenarios = _problem()
    features = yearly_inflow_features(data, scenarios)
    assert features[:, 0].tolist() == [40.0, 40.0, 80.0, 80.0]  # year-1 nareis, persons
    assert features.shape == (4, 1)  # two years: one boundary
    # one budget year: no boundary, nothing to split on (no feature column)
    one = make_case()
    alone = yearly_inflow_features(chain_data(one), [ScenarioInflow("a", inflow(one, first=5.0))])
    assert alone.shape == (1, 0)
    tree = build_tree(problem.names, [0.25] * 4, features, [2])
    assert tree.stages == ((("A1", "A2", "B1", "B2"),), (("A1", "A2"), ("B1", "B2")))


def test_nonanticipativity_binds_within_a_node_of_the_yearly_tree() -> None:
    problem, data, scenarios = _problem()
    tree = build_tree(problem.names, [0.25] * 4, yearly_inflow_features(data, scenarios), [2])
    m = _solve(tree)
    assert pyo.value(m.Objective) == pytest.approx(OBJECTIVE["yearly"], abs=1e-6)
    assert check_nonanticipative(m) == 0.0
    # 2027: one budget per node; A1 alone would take 2.6, the node A must also serve A2
    assert _coa_budget(m, 2027) == pytest.approx({"1:0": 3.6, "1:1": 7.2})
    assert pyo.value(m.first["A1"].Budget["coa", 2027]) == pytest.approx(3.6)
    # 2026 is the root: the same budget for all four ("nu besluiten")
    assert root_values(m)["Budget[coa,2026]"] == pytest.approx(2.0)
    assert [pyo.value(m.first[s].Budget["coa", 2026]) for s in PATHS] == pytest.approx([2.0] * 4)


def test_a_single_node_tree_is_the_two_stage_model() -> None:
    problem, _data, _ = _problem()
    m = _solve(ScenarioTree.two_stage(problem.names, 2))
    two = extensive_form(problem)
    assert HighsSolver(EXACT).solve(two).status.has_solution
    assert pyo.value(m.Objective) == pytest.approx(pyo.value(two.Objective), abs=1e-6)
    assert pyo.value(m.Objective) == pytest.approx(OBJECTIVE["two"], abs=1e-6)
    assert _coa_budget(m, 2027) == pytest.approx({"1:0": 5.2})


def test_a_fully_branching_tree_is_wait_and_see() -> None:
    problem, _data, _ = _problem()
    m = _solve(ScenarioTree.clairvoyant(problem.names, 2, from_stage=0))
    ws = 0.0
    for s in problem.scenarios:
        one = extensive_form(problem.with_scenarios([s.__class__(s.name, 1.0, s.data)]))
        assert HighsSolver(EXACT).solve(one).status.has_solution
        ws += s.probability * pyo.value(one.Objective)
    assert pyo.value(m.Objective) == pytest.approx(ws, abs=1e-6)
    assert pyo.value(m.Objective) == pytest.approx(OBJECTIVE["wait-and-see"], abs=1e-6)
    later = _solve(ScenarioTree.clairvoyant(problem.names, 2, from_stage=1))
    assert pyo.value(later.Objective) == pytest.approx(OBJECTIVE["from-2027"], abs=1e-6)


def test_fixed_root_decisions_hold_in_every_copy() -> None:
    problem, _data, _ = _problem()
    tree = ScenarioTree.clairvoyant(problem.names, 2, from_stage=1)
    m = yearly_extensive_form(problem, tree, fixed={"Budget[coa,2026]": 1.0})
    assert HighsSolver(EXACT).solve(m).status.has_solution
    assert [pyo.value(m.first[s].Budget["coa", 2026]) for s in PATHS] == pytest.approx([1.0] * 4)
    # budget 1.0 instead of 2.0: B paths overspend 1.0 at 0.25 instead of A paths underspending at 0.10
    assert pyo.value(m.Objective) == pytest.approx(OBJECTIVE["from-2027"] - 0.05 + 0.125, abs=1e-6)


def test_decision_stage_of_the_chain_variables() -> None:
    case = make_case(
        horizon={"start_year": 2026, "years": 3, "period": "month"},
        locations=[{"location": "slow", "lead_time_months": 18, "max_open": 2}],
        ind={"adjustable": True},
        coa={"location_decision_interval_months": 6},
    )
    data = chain_data(case)
    problem = chain_problem(data, [ScenarioInflow("s", inflow(case))], [1.0])
    b = pyo.ConcreteModel()
    problem.build_first_stage(b)
    stages = stage_map(b, problem.decision_stage)
    assert stages["Budget[coa,2028]"] == 2
    assert stages["ReserveDeposit[2027]"] == 1
    assert stages["Staff[ind,13]"] == 1  # month 13 = February 2027
    # an opening usable in month 24 (January 2028) is decided 18 months earlier, in 2026
    assert decision_period(data, b, b.Opened["slow", 24]) == 6
    assert stages["Opened[slow,24]"] == 0
    assert decision_stage(b, b.Closed["slow", 24], data) == 2
    # the end-of-horizon staff gap is known only at the end, not decided now
    gaps = [stage for key, stage in stages.items() if key.startswith("TerminalStaffGap")]
    assert gaps == [2]  # IND, the one adjustable partner
    assert decision_period(data, b, b.TerminalStaffGap["ind"]) == 35  # the last month
    # an opening usable in month 12 would be decided 18 months earlier, before today: now
    assert decision_period(data, b, b.Opened["slow", 12]) == 0
    # a family the rule does not name: the last index element that is a period (0..35) decides;
    # a number that is no period (36) does not; without a period, it is decided now
    b.NewFamily = pyo.Var(["x"], [5], [0, 36])
    assert decision_period(data, b, b.NewFamily["x", 5, 0]) == 0
    assert decision_period(data, b, b.NewFamily["x", 5, 36]) == 5
    b.Unperiodic = pyo.Var(["x"])
    assert decision_period(data, b, b.Unperiodic["x"]) == 0


def test_tree_checks_refuse_a_tree_that_does_not_nest() -> None:
    tree = ScenarioTree(((("a", "b", "c"),), (("a", "b"), ("c",)), (("a",), ("b", "c"))))
    with pytest.raises(ValueError, match="spans two nodes"):
        tree.check(["a", "b", "c"])
    with pytest.raises(ValueError, match="partition"):
        ScenarioTree(((("a", "b"),),)).check(["a", "b", "c"])


def test_exact_1d_kmeans_keeps_equal_values_together_and_is_optimal() -> None:
    values = np.array([1.0, 9.0, 1.0, 10.0, 5.0])
    groups = _kmeans_1d(values, np.ones(5), 2)
    assert sorted(sorted(g) for g in groups) == [[0, 2, 4], [1, 3]]  # {1,1,5} | {9,10}
    assert _kmeans_1d(np.array([3.0, 3.0, 3.0]), np.ones(3), 2) == [[0, 1, 2]]


def test_advice_gives_the_coming_year_and_ranges_over_the_nodes() -> None:
    problem, data, scenarios = _problem()
    tree = build_tree(problem.names, [0.25] * 4, yearly_inflow_features(data, scenarios), [2])
    m = _solve(tree)
    advice = advice_table(m, data).set_index(["lever", "partner", "year"])
    now = advice.loc[("budget", "coa", 2026)]
    assert now["status"] == "nu_besluiten" and now["nodes"] == 1
    assert now["value"] == pytest.approx(2.0e6)  # EUR
    later = advice.loc[("budget", "coa", 2027)]
    assert later["status"] == "afhankelijk" and later["nodes"] == 2
    assert (later["min"], later["mean"], later["max"]) == pytest.approx((3.6e6, 5.4e6, 7.2e6))
    lines = advice_lines(advice.reset_index(), "nl")
    assert lines[0].startswith("Nu besluiten — begrotingsjaar 2026")  # a heading: with a capital
    assert any("3.6" in line or "4–7" in line for line in lines)  # the 2027 range, in M EUR
    decisions = decisions_table(m, data)
    assert set(decisions.loc[decisions["variable"] == "Budget[coa,2027]", "node"]) == {"1:0", "1:1"}


def test_out_of_sample_with_the_root_fixed_reoptimises_later_years() -> None:
    problem, data, scenarios = _problem()
    tree = build_tree(problem.names, [0.25] * 4, yearly_inflow_features(data, scenarios), [2])
    root = root_values(_solve(tree))
    evaluation = evaluate_plan(problem, root, options=EXACT, workers=1, partial=True)
    # 2026 budget fixed at 2.0; 2027 chosen per path: the clairvoyant-from-2027 cost
    assert evaluation.expected_total_cost == pytest.approx(OBJECTIVE["from-2027"], abs=1e-6)
    assert root_of(problem, {**root, "Budget[coa,2027]": 9.9}) == root  # later years cut away
    with pytest.raises(KeyError):
        evaluate_plan(problem, root, options=EXACT, workers=1)  # a full plan is required without partial


def test_cvar_on_a_single_node_tree_equals_the_two_stage_cvar() -> None:
    problem, _data, _ = _problem()
    risky = problem.with_risk(Risk(weight=0.5, alpha=0.75))
    m = yearly_extensive_form(risky, ScenarioTree.two_stage(problem.names, 2))
    two = extensive_form(risky)
    assert HighsSolver(EXACT).solve(m).status.has_solution
    assert HighsSolver(EXACT).solve(two).status.has_solution
    assert pyo.value(m.Objective) == pytest.approx(pyo.value(two.Objective), abs=1e-6)
    # the worst quarter of the paths (B2: 2.0 + 7.2 spending) weighs in: above the risk-neutral 6.43
    assert pyo.value(m.Objective) > OBJECTIVE["two"] + 1.0
