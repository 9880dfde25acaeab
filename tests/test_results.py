"""Result tables (``results.py``) read from small solved models, every number derived by hand.

The cases are those of ``test_model_families.py`` (the null case of ``model_cases``: one
year in quarters, T = 4 periods of 3 months, everything free unless switched on), so
the model values behind each table row are known; these tests check that the tables
report them with the right unit, period and factor.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pyomo.environ as pyo
import pytest

from bekostiging.model import ScenarioInflow, baseline_problem, chain_data, chain_problem
from bekostiging.model.data import BUDGET_LINES, MONEY_SCALE, POOL_TASKS
from bekostiging.model.stages import yearly_inflow_features
from bekostiging.multistage import build_tree, yearly_extensive_form
from bekostiging.results import (
    EXPECTED,
    ROUND_OFF_EUR,
    _eur_clean,
    _initial_occupancy,
    _scenario_kpis,
    _v,
    _weighted,
    levers_table,
    result_tables,
)
from bekostiging.solver import HighsSolver, Status
from bekostiging.twostage import extensive_form
from model_cases import EXACT, YEAR, baseline, inflow, make_case, scenario_set, solve_chain

TOL = 1e-6
MONTHS_PER_QUARTER = 3


def _tables(case, inflows, probabilities=None, **kw) -> dict[str, pd.DataFrame]:
    m, outcome, data = solve_chain(case, inflows, probabilities, **kw)
    assert outcome.status == Status.OPTIMAL, outcome.describe()
    return result_tables(m, data, None)


def _kpi(tables: dict[str, pd.DataFrame], kpi: str, scenario: str = "s") -> float:
    k = tables["kpis"]
    rows = k[(k["kpi"] == kpi) & (k["scenario"] == scenario)]
    assert len(rows) == 1, (kpi, scenario, len(rows))
    return float(rows["value"].iloc[0])


def _flow(
    tables: dict[str, pd.DataFrame], quantity: str, category: str = "", scenario: str = "s"
) -> list[float]:
    f = tables["flows"]
    rows = f[(f["scenario"] == scenario) & (f["quantity"] == quantity) & (f["category"] == category)]
    return rows.sort_values("period")["value"].tolist()


def _cover_case(**coa):
    """Place-cover case: 100 regular places at fill 0.9, 80 status holders, 20 nareis at t = 1, 2."""
    return make_case(
        categories={"nareis": {"reception_share": 1.0}},
        coa={"max_fill_rate": 0.9, **coa},
        stocks={"status_holders": 80.0},
    )


COVER_INFLOW = [0, 20, 20, 0]


@pytest.mark.solver
def test_kpis_place_months_count_months_not_periods():
    """Emergency places [0, 10, 30, 30] (occupancy [80, 100, 120, 120] over 90 usable places):
    70 place-quarters = 210 place-months; no reserve places (the policy allows none): 0.
    The flows table holds the places per period, occupancy and the regular capacity 0.9 x 100."""
    case = _cover_case()
    tables = _tables(case, inflow(case, nareis=COVER_INFLOW))
    assert _flow(tables, "emergency_places") == pytest.approx([0, 10, 30, 30], abs=TOL)
    assert _flow(tables, "occupancy") == pytest.approx([80, 100, 120, 120], abs=TOL)
    assert _flow(tables, "regular_capacity") == pytest.approx([90] * 4, abs=TOL)
    assert _kpi(tables, "emergency_place_months") == pytest.approx(70 * MONTHS_PER_QUARTER, abs=TOL)
    assert _kpi(tables, "reserve_place_months") == pytest.approx(0.0, abs=TOL)
    assert _kpi(tables, "occupancy_start_persons") == pytest.approx(80.0, abs=TOL)
    assert _kpi(tables, "occupancy_end_persons") == pytest.approx(120.0, abs=TOL)
    assert _kpi(tables, "occupancy_peak_persons") == pytest.approx(120.0, abs=TOL)
    units = tables["kpis"].query("scenario == 's'").set_index("kpi")["unit"]
    assert units["emergency_place_months"] == "place-months"
    assert units["occupancy_end_persons"] == "persons"


@pytest.mark.solver
def test_flows_list_categories_in_the_cases_order_whatever_the_hash_seed():
    """The category sets of a scenario block are ordered (a Python set of names would follow the
    hash seed, so the same run would write its flows in another order each time): each period's
    rows list first, nareis, repeat; the registration queue and the IND backlog first, repeat."""
    case = make_case()
    m, outcome, data = solve_chain(case, inflow(case))
    assert outcome.status == Status.OPTIMAL
    s = m.scen["s"]
    assert [s.K.isordered(), s.KREG.isordered(), s.KDEC.isordered()] == [True, True, True]
    flows = result_tables(m, data, None)["flows"]
    first_period = flows[flows["period"] == case.periods[0]]

    def categories(quantity: str) -> list[str]:
        return first_period[first_period["quantity"] == quantity]["category"].tolist()

    assert categories("inflow") == ["first", "nareis", "repeat"]
    assert categories("registration_queue") == ["first", "repeat"]
    assert categories("ind_backlog") == ["first", "repeat"]


@pytest.mark.solver
def test_kpis_backlog_start_end_and_mean():
    """The weighted-work case of test_add_ind_backlog_and_add_decision_capacity: backlog at the
    start 50 first + 40 repeat = 90; per quarter first [50, 30, 10, 0], repeat 0: end (the last
    quarter, not the first) 0, mean (50 + 30 + 10 + 0) / 4 = 22.5."""
    case = make_case(
        categories={"first": {"reception_share": 1.0}, "repeat": {"reception_share": 1.0}},
        coa={"cost_per_resident_year_eur": 4000.0},
        locations=[{"places": 1000.0}],
        stocks={"ind_backlog": {"first": 50.0, "repeat": 40.0}},
        penalties={"registration_queue_person_day_eur": 1.0},
        housing=1000.0,
    )
    tables = _tables(case, inflow(case, first=60, repeat=40))
    assert _flow(tables, "ind_backlog", "first") == pytest.approx([50, 30, 10, 0], abs=TOL)
    assert _kpi(tables, "backlog_start_persons") == pytest.approx(90.0, abs=TOL)
    assert _kpi(tables, "backlog_end_persons") == pytest.approx(0.0, abs=TOL)
    assert _kpi(tables, "backlog_mean_persons") == pytest.approx(22.5, abs=TOL)
    assert _kpi(tables, "backlog_end_persons", EXPECTED) == pytest.approx(0.0, abs=TOL)
    assert tables["plan"].query("lever == 'regular_places'")["value"].tolist() == pytest.approx([1000.0] * 4)
    assert set(tables["costs"]["year"]) == {YEAR}


def _penalty_case():
    """test_add_penalties: registration 100 a quarter, IND 5 FTE = 50 decisions a quarter at
    EUR 1,000 an FTE-quarter, 5 queued at the start, late cases EUR 10 a case-month, the queue
    EUR 2 a person-day."""
    return make_case(
        registration={"initial_fte": 1.0},
        ind={"initial_fte": 5.0, "cost_per_fte_year_eur": 4000.0},
        stocks={"registration_queue": {"first": 5.0}},
        penalties={"late_case_month_eur": 10.0, "registration_queue_person_day_eur": 2.0},
    )


@pytest.mark.solver
def test_kpis_costs_and_flows_of_the_penalty_case():
    """By hand (test_add_penalties): queue [35, 65, 95, 125] = 29,220 person-days at EUR 2 = 58,440;
    backlog [50, 100, 150, 200], late [0, 0, 50, 100] = 450 case-months at EUR 10 = 4,500; the end
    stocks (125 queued, 200 in the backlog) at EUR 100 each = 32,500: penalty 95,440. Cash: IND
    5 FTE x EUR 1,000 x 4 quarters = 20,000 (stage 1), no stage-2 spending. Objective
    20,000 + 95,440 = 115,440 = cash 20,000 + weights 62,940 + end state 32,500."""
    case = _penalty_case()
    tables = _tables(case, inflow(case, first=130))
    expected = {
        "late_case_months": 450.0,
        "registration_queue_person_days": 4 * 80.0 * 91.3125,
        "weight_late_cases_eur": 4_500.0,
        "weight_registration_queue_eur": 58_440.0,
        "weight_supplementary_funding_eur": 0.0,
        "weight_asielreserve_eur": 0.0,
        "weights_eur": 62_940.0,
        "terminal_backlog_eur": 32_500.0,
        "terminal_staff_eur": 0.0,
        "reserve_end_value_loss_eur": 0.0,
        "end_state_value_eur": 32_500.0,
        "penalty_eur": 95_440.0,
        "stage1_cost_eur": 20_000.0,
        "stage2_cost_eur": 95_440.0,
        "spending_eur": 20_000.0,
        "total_cost_eur": 115_440.0,
        "backlog_start_persons": 0.0,
        "backlog_end_persons": 200.0,
        "backlog_mean_persons": 125.0,
        "registration_queue_start_persons": 5.0,
        "registration_queue_end_persons": 125.0,
        "occupancy_start_persons": 0.0,
        "occupancy_peak_persons": 0.0,
        "emergency_place_months": 0.0,
        "reserve_deposit_eur": 0.0,
        "reserve_start_balance_eur": 0.0,
    }
    for kpi, value in expected.items():
        assert _kpi(tables, kpi) == pytest.approx(value, abs=1e-3), kpi
        assert _kpi(tables, kpi, EXPECTED) == pytest.approx(value, abs=1e-3), kpi
    assert _kpi(tables, "cvar_total_cost_eur", EXPECTED) == pytest.approx(115_440.0, abs=1e-3)
    units = tables["kpis"].query("scenario == 's'").set_index("kpi")["unit"]
    assert units["late_case_months"] == "case-months"
    assert units["registration_queue_person_days"] == "person-days"
    assert units["backlog_end_persons"] == "persons" and units["total_cost_eur"] == "EUR"
    # the costs table: cash per line (stage 1 structural, stage 2 operating), weights and valuations
    costs = tables["costs"].set_index(["partner", "component"])
    assert costs.loc[("ind", "structural"), "value_eur"] == pytest.approx(20_000.0)
    assert costs.loc[("ind", "structural"), "kind"] == "cash"
    assert costs.loc[("ind", "structural"), "stage"] == 1
    assert costs.loc[("ind", "operating"), "stage"] == 2
    chain = costs.loc["chain"]
    assert chain.loc["weight_late_cases", "value_eur"] == pytest.approx(4_500.0)
    assert chain.loc["weight_registration_queue", "value_eur"] == pytest.approx(58_440.0)
    assert chain.loc["weight_late_cases", "kind"] == "weight"
    assert chain.loc["terminal_backlog", "value_eur"] == pytest.approx(32_500.0)
    assert chain.loc["terminal_backlog", "kind"] == "valuation"
    assert chain.loc["terminal_staff", "stage"] == 1 and chain.loc["terminal_backlog", "stage"] == 2
    assert tables["costs"]["value_eur"].sum() == pytest.approx(115_440.0, abs=1e-3)
    # the flows table, per quarter
    assert _flow(tables, "registration_queue", "first") == pytest.approx([35, 65, 95, 125], abs=TOL)
    assert _flow(tables, "ind_backlog", "first") == pytest.approx([50, 100, 150, 200], abs=TOL)
    assert _flow(tables, "late_cases") == pytest.approx([0, 0, 50, 100], abs=TOL)
    assert _flow(tables, "inflow", "first") == pytest.approx([130] * 4, abs=TOL)
    assert _flow(tables, "registered", "first") == pytest.approx([100] * 4, abs=TOL)
    assert _flow(tables, "decisions", "first") == pytest.approx([50] * 4, abs=TOL)
    assert _flow(tables, "registration_capacity") == pytest.approx([100] * 4, abs=TOL)
    assert _flow(tables, "decision_capacity") == pytest.approx([50] * 4, abs=TOL)
    assert _flow(tables, "return_capacity") == pytest.approx([1000] * 4, abs=TOL)
    # the plan: IND staff and capacity per quarter
    plan = tables["plan"]
    ind = plan[(plan["partner"] == "ind") & (plan["lever"] == "staff_fte")]
    assert ind["value"].tolist() == pytest.approx([5.0] * 4) and set(ind["unit"]) == {"FTE"}
    assert ind["period"].tolist() == list(case.periods)
    cap = plan[(plan["partner"] == "ind") & (plan["lever"] == "capacity")]
    assert cap["value"].tolist() == pytest.approx([50.0] * 4)
    assert tables["scenarios"].to_dict("list") == {"scenario": ["s"], "probability": [1.0]}


@pytest.mark.solver
def test_costs_and_flows_of_the_place_cover_case_with_prices():
    """test_add_operating_cost: occupancy [80, 100, 120, 120] person-quarters at EUR 1,000,
    emergency [0, 10, 30, 30] at EUR 10,000 a place-quarter, 0.1 FTE per emergency place hired at
    EUR 10,000 an FTE-quarter ([0, 1, 3, 3]): COA operating 420,000 + 700,000 + 70,000 = 1,190,000;
    the occupancy at the start is the 80 status holders."""
    case = _cover_case(
        cost_per_resident_year_eur=4000.0,
        staff_fte_per_extra_place=0.1,
        external_staff_cost_per_fte_year_eur=40000.0,
    )
    tables = _tables(case, inflow(case, nareis=COVER_INFLOW))
    costs = tables["costs"].set_index(["partner", "component"])
    assert costs.loc[("coa", "operating"), "value_eur"] == pytest.approx(1_190_000.0, abs=1e-3)
    assert costs.loc[("coa", "operating"), "year"] == YEAR
    assert _kpi(tables, "spending_eur") == pytest.approx(1_190_000.0, abs=1e-3)
    assert _kpi(tables, "stage2_cost_eur") == pytest.approx(1_190_000.0, abs=1e-3)
    assert _flow(tables, "external_coa_staff") == pytest.approx([0, 1, 3, 3], abs=TOL)
    assert _flow(tables, "status_holders") == pytest.approx([80, 100, 120, 120], abs=TOL)
    assert _flow(tables, "inflow", "nareis") == pytest.approx(COVER_INFLOW, abs=TOL)
    assert _flow(tables, "registered", "nareis") == pytest.approx(COVER_INFLOW, abs=TOL)
    assert _flow(tables, "housed") == pytest.approx([0] * 4, abs=TOL)
    assert _kpi(tables, "occupancy_start_persons") == pytest.approx(80.0, abs=TOL)
    units = tables["flows"].drop_duplicates("quantity").set_index("quantity")["unit"]
    assert units["emergency_places"] == "places" and units["external_coa_staff"] == "FTE"
    assert units["occupancy"] == "persons"


@pytest.mark.solver
def test_scenario_kpis_of_one_block_equal_the_kpis_table():
    """The per-block KPIs (analytics.chain.kpi_metrics) are the kpis table's rows of that scenario."""
    case = _penalty_case()
    m, outcome, data = solve_chain(case, inflow(case, first=130))
    assert outcome.status == Status.OPTIMAL
    own = _scenario_kpis("s", m.scen["s"], m.first, data)
    table = result_tables(m, data, None)["kpis"].query("scenario == 's'").set_index("kpi")["value"]
    assert set(own) == set(table.index)
    for kpi, value in own.items():
        assert value == pytest.approx(table[kpi], abs=1e-6), kpi
    assert own["weight_late_cases_eur"] == pytest.approx(4_500.0)
    assert own["backlog_end_persons"] == pytest.approx(200.0)


@pytest.mark.unit
def test_weighted_mean_of_equally_shaped_tables():
    """Float columns: 0.25 x 4 + 0.75 x 8 = 7; other columns are the first table's."""
    a = pd.DataFrame({"lever": ["x", "y"], "year": [2026, 2027], "value": [4.0, 0.0]})
    b = pd.DataFrame({"lever": ["x", "y"], "year": [2026, 2027], "value": [8.0, 2.0]})
    out = _weighted([a, b], [0.25, 0.75])
    assert out["value"].tolist() == pytest.approx([7.0, 1.5])
    assert out["lever"].tolist() == ["x", "y"] and out["year"].tolist() == [2026, 2027]
    assert a["value"].tolist() == [4.0, 0.0]  # the inputs are left as they were


@pytest.mark.unit
def test_weighted_mean_of_one_table_and_of_unequal_lists():
    """One scenario (a tree of one path): the mean is that table itself; a weight missing for a
    table is an error, not a silently shorter mean (0.5 x 4 would read as 2)."""
    a = pd.DataFrame({"lever": ["x", "y"], "year": [2026, 2027], "value": [4.0, 0.0]})
    out = _weighted([a], [1.0])
    assert out["value"].tolist() == pytest.approx([4.0, 0.0])
    assert out["lever"].tolist() == ["x", "y"] and out["year"].tolist() == [2026, 2027]
    with pytest.raises(ValueError, match="zip"):
        _weighted([a, a], [0.5])


@pytest.mark.unit
def test_values_of_variables_and_expressions_the_solver_left_unset():
    """_v: a variable without a value (one no row uses is not sent to the solver) reads 0, and so
    does an expression over it, without an error; once set, 3 and 2 x 3 = 6."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var()
    m.e = pyo.Expression(expr=2 * m.x)
    assert _v(m.x) == 0.0
    assert _v(m.e) == 0.0
    m.x.set_value(3.0)
    assert (_v(m.x), _v(m.e)) == (3.0, 6.0)


@pytest.mark.solver
def test_plan_table_reports_trainees_and_closed_locations():
    """IND adjustable (10 FTE, cohorts of 1 FTE, training 3 months = 1 quarter), one cohort hired
    at t = 0 and nothing else: trainees [1, 0, 0, 0], staff [10, 11, 11, 11]; two locations of
    100 places open, one closed at t = 2: open [2, 2, 1, 1], closed [0, 0, 1, 0]."""
    case = make_case(ind={"adjustable": True}, locations=[{"initially_open": 2, "max_open": 2}])

    def fix(m):
        for key in m.first.INTAKE:
            m.first.Hire[key].fix(1 if key == ("ind", 0) else 0)
        for key in m.first.LOC_DECISION:
            m.first.Opened[key].fix(0)
            m.first.Closed[key].fix(1 if key == ("std", 2) else 0)

    plan = _tables(case, inflow(case), fix=fix)["plan"]

    def lever(name: str, partner: str) -> list[float]:
        rows = plan[(plan["lever"] == name) & (plan["partner"] == partner)]
        assert rows["period"].tolist() == list(case.periods)
        return rows["value"].tolist()

    assert lever("trainee_fte", "ind") == pytest.approx([1, 0, 0, 0], abs=TOL)
    assert lever("staff_fte", "ind") == pytest.approx([10, 11, 11, 11], abs=TOL)
    assert lever("open_locations:std", "coa") == pytest.approx([2, 2, 1, 1], abs=TOL)
    assert lever("closed_locations:std", "coa") == pytest.approx([0, 0, 1, 0], abs=TOL)


def _plan_values(tables: dict[str, pd.DataFrame], lever: str, partner: str) -> list[float]:
    plan = tables["plan"]
    return plan[(plan["lever"] == lever) & (plan["partner"] == partner)]["value"].tolist()


@pytest.mark.solver
def test_flexpool_teams_and_deployment_in_the_plan_and_flows():
    """test_model_families' flexpool case: 130 first applications a quarter, registration 100 a
    quarter, a deployed pool FTE registers 50, at most 25 % of a team of 2 FTE deployable: 2 teams
    = 4 FTE retained in the year, 0.6 FTE deployed on registration every quarter, none on the IND;
    deployment EUR 80,000 an FTE-year = 20,000 an FTE-quarter."""
    case = make_case(
        registration={"initial_fte": 1.0},
        flexpool={
            "team_fte": 2.0,
            "max_teams": 5,
            "max_active_share": 0.25,
            "productivity_share": 0.5,
            "retainer_cost_per_fte_year_eur": 10000.0,
            "activation_cost_per_fte_year_eur": 80000.0,
        },
        penalties={"registration_queue_person_day_eur": 100.0},
        policy={"allow_flexpool": True},
    )
    tables = _tables(case, inflow(case, first=130))
    assert _plan_values(tables, "flexpool_fte", "flexpool") == pytest.approx([4.0], abs=TOL)
    assert _flow(tables, "pool_active", "registration") == pytest.approx([0.6] * 4, abs=TOL)
    assert _flow(tables, "pool_active", "ind") == pytest.approx([0.0] * 4, abs=TOL)
    assert tables["levers"].set_index("lever")["value"]["flexpool_fte"] == pytest.approx(4.0, abs=TOL)
    # deployment is the pool's operating cost: 0.6 FTE x 4 quarters x EUR 20,000 = 48,000 on the
    # flexpool line; the partners' lines have none (their capacity is structural)
    costs = tables["costs"]
    operating = costs[costs["component"] == "operating"].set_index("partner")["value_eur"]
    assert operating.to_dict() == pytest.approx(
        {"registration": 0.0, "ind": 0.0, "coa": 0.0, "dtv": 0.0, "flexpool": 48_000.0}, abs=1e-3
    )


@pytest.mark.solver
def test_reserve_places_in_the_plan_and_their_place_months():
    """test_model_chain_dynamics' reserve case with a holding cost: occupancy [80, 120, 80, 80] in
    120 regular places at fill 0.75 (90 usable): 30 short at t = 1 = 40 reserve places, active
    under a 2-quarter contract [0, 40, 40, 0]. Holding EUR 400 a place-year makes the plan hold
    exactly those 40 (reserve at EUR 100 + 500 a place-quarter beats emergency at 10,000):
    the plan's reserve_places (COA) 40, reserve place-months 3 x (40 + 40) = 240."""
    coa = {
        "max_fill_rate": 0.75,
        "max_reserve_places": 50.0,
        "reserve_holding_cost_per_place_year_eur": 400.0,
        "reserve_activation_cost_per_place_year_eur": 2000.0,
        "reserve_activation_months": 3,
        "reserve_min_contract_months": 6,
    }
    case = make_case(
        categories={"nareis": {"reception_share": 1.0}},
        stocks={"status_holders": 80.0},
        housing=[0.0, 0.0, 40.0, 0.0],
        coa=coa,
        locations=[{"places": 120.0}],
        policy={"allow_reserve_places": True},
    )
    tables = _tables(case, inflow(case, nareis=[0, 40, 0, 0]))
    assert _plan_values(tables, "reserve_places", "coa") == pytest.approx([40.0], abs=TOL)
    assert tables["levers"].set_index("lever")["value"]["reserve_places"] == pytest.approx(40.0, abs=TOL)
    assert _flow(tables, "reserve_active") == pytest.approx([0, 40, 40, 0], abs=TOL)
    assert _kpi(tables, "reserve_place_months") == pytest.approx(3 * 80.0, abs=TOL)
    assert _kpi(tables, "emergency_place_months") == pytest.approx(0.0, abs=TOL)


@pytest.mark.solver
def test_withdrawals_in_the_flows_table():
    """test_model_chain_flows' withdrawal case: 100 first applicants in the backlog, no IND staff,
    10 % a month withdraw (27.1 % a quarter) of the previous backlog 100 x 0.729^t."""
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        ind={"initial_fte": 0.0, "withdrawal_share_per_month": 0.1},
        locations=[{"places": 1000.0}],
        stocks={"ind_backlog": {"first": 100.0}},
    )
    tables = _tables(case, inflow(case))
    expected = [0.271 * 100 * 0.729**t for t in range(4)]
    assert _flow(tables, "withdrawals", "first") == pytest.approx(expected, abs=TOL)
    assert _flow(tables, "ind_backlog", "first") == pytest.approx([100 * 0.729 ** (t + 1) for t in range(4)])


@pytest.mark.solver
def test_terminal_staff_gap_in_the_costs_and_kpis():
    """test_model_chain_dynamics' terminal staff case: IND 10 FTE at 50 % attrition a year (5 left at
    the end), end target 10 FTE, a gap FTE costs hiring 2,000 + a training quarter's wages 1,000:
    gap 5, EUR 15,000, a stage-1 valuation on the line chain in the last year."""
    case = make_case(
        ind={
            "adjustable": True,
            "initial_fte": 10.0,
            "attrition_per_year": 0.5,
            "cost_per_fte_year_eur": 4000.0,
            "hiring_cost_per_fte_eur": 2000.0,
            "cohort_fte": 1.0,
            "intake_interval_months": 6,
            "trainee_cap_share": 1.0,
        }
    )
    data = replace(chain_data(case), terminal_staff_fte={"ind": 10.0})
    m = extensive_form(chain_problem(data, [ScenarioInflow("s", inflow(case))], [1.0]))
    assert HighsSolver(EXACT).solve(m).status == Status.OPTIMAL
    tables = result_tables(m, data, None)
    assert _kpi(tables, "terminal_staff_eur") == pytest.approx(15_000.0, abs=1e-3)
    costs = tables["costs"]
    staff = costs[costs["component"] == "terminal_staff"]
    assert staff[["partner", "year", "stage", "kind"]].values.tolist() == [["chain", YEAR, 1, "valuation"]]
    assert staff["value_eur"].tolist() == pytest.approx([15_000.0], abs=1e-3)


@pytest.mark.solver
def test_planning_run_kpis_count_the_norm_shortfall_in_stage_2():
    """test_model_families' planning-run case (baseline norm, lead 1 quarter, decisions at t = 0
    and 2): NormShortfallCost EUR 160,000 is part of SecondStageCost, so stage2_cost_eur is that
    expression's value and total_cost_eur the objective's, the shortfall included."""
    case = make_case(
        categories={"nareis": {"reception_share": 1.0}},
        locations=[
            {
                "places": 10.0,
                "initially_open": 5,
                "max_open": 7,
                "lead_time_months": 3,
                "cost_per_place_year_eur": 4000.0,
            }
        ],
        coa={"location_decision_interval_months": 6, "initial_emergency_places": 20.0},
        stocks={"status_holders": 60.0},
    )
    data = chain_data(case)
    m = extensive_form(baseline_problem(data, inflow(case), occupancy_norm=0.8))
    assert HighsSolver(EXACT).solve(m).status == Status.OPTIMAL
    s = m.scen["mpp-mid"]
    assert pyo.value(s.NormShortfallCost) * MONEY_SCALE == pytest.approx(160_000.0, abs=1e-3)
    tables = result_tables(m, data, None)
    stage2 = _kpi(tables, "stage2_cost_eur", "mpp-mid")
    assert stage2 == pytest.approx(pyo.value(s.SecondStageCost) * MONEY_SCALE, abs=1e-3)
    assert stage2 >= 160_000.0
    assert _kpi(tables, "total_cost_eur", "mpp-mid") == pytest.approx(
        pyo.value(m.Objective) * MONEY_SCALE, abs=1e-3
    )


@pytest.mark.solver
def test_yearly_form_tables_take_the_expected_plan_over_the_nodes():
    """The yearly case of test_multistage (tree {A1, A2} | {B1, B2}): the COA budget is 2.0 M EUR
    in 2026 for all (the root) and 3.6 / 7.2 M EUR in 2027 per node, so the funding table's
    expected 2027 budget is 0.5 x 3.6 + 0.5 x 7.2 = 5.4 M EUR; 2026 stays 2.0."""
    case = make_case(
        horizon={"start_year": 2026, "years": 2, "period": "quarter"},
        categories={"nareis": {"reception_share": 1.0}},
        stocks={"status_holders": 100},
        budget={"supplementary_penalty": 0.25, "unspent_budget_weight": 0.10},
    )
    paths = {"A1": (10, 10), "A2": (10, 20), "B1": (20, 20), "B2": (20, 40)}
    scenarios = [ScenarioInflow(n, inflow(case, nareis=[a] * 4 + [b] * 4)) for n, (a, b) in paths.items()]
    data = chain_data(case)
    problem = chain_problem(data, scenarios, [0.25] * 4)
    tree = build_tree(problem.names, [0.25] * 4, yearly_inflow_features(data, scenarios), [2])
    m = yearly_extensive_form(problem, tree)
    assert HighsSolver(EXACT).solve(m).status.has_solution
    tables = result_tables(m, data, None)
    funding = tables["funding"].set_index(["partner", "year"])["budget_eur"]
    assert funding[("coa", 2026)] == pytest.approx(2.0e6, rel=1e-6)
    assert funding[("coa", 2027)] == pytest.approx(5.4e6, rel=1e-6)
    plan = tables["plan"]
    budget = plan[(plan["lever"] == "budget") & (plan["partner"] == "coa")].set_index("year")["value"]
    assert budget[2027] == pytest.approx(5.4e6, rel=1e-6)
    assert list(tables["scenarios"]["scenario"]) == list(paths)
    assert tables["scenarios"]["probability"].tolist() == pytest.approx([0.25] * 4)


def _fund_case(**budget):
    """test_model_families._fund_case: two budget years in quarters, residents EUR 10,000 a quarter,
    supplementary funding weighted 0.25."""
    policy = budget.pop("policy", {})
    return make_case(
        horizon={"years": 2},
        categories={"nareis": {"reception_share": 1.0}},
        coa={"cost_per_resident_year_eur": 40000.0},
        budget={"supplementary_penalty": 0.25, **budget},
        policy=policy,
    )


def _late_inflow(case):
    """50 nareis at t = 4 (the first quarter of 2027): EUR 0 spent in 2026, 50 x 4 x 10,000 = 2 M in 2027."""
    return inflow(case, nareis=[0.0] * 4 + [50.0] + [0.0] * (len(case.periods) - 5))


@pytest.mark.solver
def test_reserve_table_follows_the_fund_year_by_year():
    """test_add_reserve_fund_underspend_flows_in_by_the_rule with an opening balance of EUR 0.2 M.

    Budgets fixed at 1 M (COA) in both years, no deposits, today's rule (eindejaarsmarge
    m = 0.5). 2026: nothing spent, underspend 1 M of which min(1, 0.5 x 1) = 0.5 M flows in,
    0.5 M lapses; closing 0.2 + 0.5 = 0.7 M. 2027: spending 2 M, overspend 1 M: the whole
    0.7 M is drawn (supplementary funding costs 0.25 a euro), 0.3 M supplementary; closing 0.
    The reserve table holds those amounts in euros; the KPIs their sums."""
    case = _fund_case(
        eindejaarsmarge_share=0.5,
        max_asielreserve_eur=1.0e7,
        asielreserve_opening_balance_eur=2.0e5,
        policy={"allow_asielreserve": False},
    )

    def fix(m):
        for y in (YEAR, YEAR + 1):
            for line in m.first.LINES:
                m.first.Budget[line, y].fix(1.0 if line == "coa" else 0.0)
            m.first.ReserveDeposit[y].fix(0.0)

    tables = _tables(case, _late_inflow(case), fix=fix)
    reserve = tables["reserve"].set_index("year")
    assert list(reserve.columns[:1]) == ["scenario"] and set(reserve["scenario"]) == {"s"}
    by_hand = {  # opening, deposit, underspend in, withdrawal, closing, underspend lapsed, supplementary
        YEAR: [2.0e5, 0.0, 5.0e5, 0.0, 7.0e5, 5.0e5, 0.0],
        YEAR + 1: [7.0e5, 0.0, 0.0, 7.0e5, 0.0, 0.0, 3.0e5],
    }
    for y, amounts in by_hand.items():
        assert reserve.loc[y].iloc[1:].tolist() == pytest.approx(amounts, abs=1e-3), y
    kpis = {
        "reserve_start_balance_eur": 2.0e5,
        "reserve_end_balance_eur": 0.0,
        "reserve_underspend_in_eur": 5.0e5,
        "reserve_draw_eur": 7.0e5,
        "reserve_deposit_eur": 0.0,
        "supplementary_funding_eur": 3.0e5,
        "underspend_eur": 1.0e6,
        "weight_supplementary_funding_eur": 0.25 * 3.0e5,
        "spending_eur": 2.0e6,
    }
    for kpi, value in kpis.items():
        assert _kpi(tables, kpi) == pytest.approx(value, abs=1e-3), kpi
    costs = tables["costs"]
    weight = costs[costs["component"] == "weight_supplementary_funding"].set_index("year")["value_eur"]
    assert weight.to_dict() == pytest.approx({YEAR: 0.0, YEAR + 1: 0.25 * 3.0e5}, abs=1e-3)


@pytest.mark.solver
def test_deposit_and_reserve_weight_in_the_plan_levers_costs_and_kpis():
    """test_add_reserve_fund_one_deposit_serves_both_years: a deposit of EUR 1 M in 2026 (none in
    2027), budgets 0 / 1 M. The plan's ``asielreserve`` lever is the deposit per year, the levers
    table its sum over the horizon, and the weight 0.03 a euro available per year: ``early`` has
    1 M available in 2026 only (0.03 M), ``late`` in both years (0.06 M): expected 0.045 M.
    The late scenario's reserve rows: deposit 1 M, balance 1 M carried, drawn in 2027."""
    case = _fund_case(
        unspent_budget_weight=0.5,
        asielreserve_opportunity_rate=0.03,
        max_asielreserve_eur=1.0e7,
        policy={"allow_asielreserve": True},
    )
    n = len(case.periods)
    inflows = {
        "early": inflow(case, nareis=[25.0] + [0.0] * (n - 1)),
        "late": inflow(case, nareis=[0.0] * 4 + [50.0] + [0.0] * (n - 5)),
    }
    tables = _tables(case, inflows)
    plan = tables["plan"]
    deposit = plan[plan["lever"] == "asielreserve"].set_index("year")
    assert deposit["value"].to_dict() == pytest.approx({YEAR: 1.0e6, YEAR + 1: 0.0}, abs=1e-3)
    assert set(deposit["unit"]) == {"EUR"} and set(deposit["partner"]) == {"chain"}
    levers = tables["levers"].set_index("lever")["value"]
    assert levers["asielreserve_eur"] == pytest.approx(1.0e6, abs=1e-3)
    assert _kpi(tables, "weight_asielreserve_eur", "early") == pytest.approx(3.0e4, abs=1e-3)
    assert _kpi(tables, "weight_asielreserve_eur", "late") == pytest.approx(6.0e4, abs=1e-3)
    assert _kpi(tables, "weight_asielreserve_eur", EXPECTED) == pytest.approx(4.5e4, abs=1e-3)
    assert _kpi(tables, "reserve_deposit_eur", "late") == pytest.approx(1.0e6, abs=1e-3)
    costs = tables["costs"]
    weight = costs[(costs["scenario"] == "late") & (costs["component"] == "weight_asielreserve")]
    assert weight.set_index("year")["value_eur"].to_dict() == pytest.approx({YEAR: 3.0e4, YEAR + 1: 3.0e4})
    late = tables["reserve"].query("scenario == 'late'").set_index("year")
    assert late.loc[YEAR, ["opening_eur", "deposit_eur", "withdrawal_eur", "closing_eur"]].tolist() == (
        pytest.approx([0.0, 1.0e6, 0.0, 1.0e6], abs=1e-3)
    )
    assert late.loc[YEAR + 1, ["opening_eur", "withdrawal_eur", "closing_eur"]].tolist() == pytest.approx(
        [1.0e6, 1.0e6, 0.0], abs=1e-3
    )


@pytest.mark.unit
def test_eur_clean_shows_round_off_as_zero_and_keeps_real_amounts():
    """M EUR to EUR (x 10^6); amounts below EUR 0.001 (the solver's round-off, -0.0 included) are
    exactly +0.0, an amount of EUR 0.001 or more is kept as it is."""
    assert _eur_clean(2.5) == 2.5e6
    assert _eur_clean(-0.75) == -7.5e5
    for round_off in (1e-15, -1e-15, -0.0, 0.0):
        out = _eur_clean(round_off)
        assert out == 0.0 and math.copysign(1.0, out) == 1.0, round_off
    threshold = ROUND_OFF_EUR / MONEY_SCALE
    assert _eur_clean(threshold) == pytest.approx(ROUND_OFF_EUR)
    assert _eur_clean(-threshold) == pytest.approx(-ROUND_OFF_EUR)


PERSONS_UNIT = "persons"
KPIS = {  # every scenario's KPIs and their units (report/money.py labels them by these names)
    **dict.fromkeys(
        [
            "spending_eur",
            "total_cost_eur",
            "stage1_cost_eur",
            "stage2_cost_eur",
            "weights_eur",
            "end_state_value_eur",
            "weight_late_cases_eur",
            "weight_registration_queue_eur",
            "weight_supplementary_funding_eur",
            "weight_unspent_budget_eur",
            "weight_asielreserve_eur",
            "terminal_backlog_eur",
            "terminal_staff_eur",
            "reserve_end_value_loss_eur",
            "penalty_eur",
            "reserve_deposit_eur",
            "reserve_underspend_in_eur",
            "reserve_draw_eur",
            "reserve_start_balance_eur",
            "reserve_end_balance_eur",
            "supplementary_funding_eur",
            "underspend_eur",
        ],
        "EUR",
    ),
    "late_case_months": "case-months",
    "registration_queue_person_days": "person-days",
    "emergency_place_months": "place-months",
    "reserve_place_months": "place-months",
    **dict.fromkeys(
        [
            "backlog_start_persons",
            "backlog_end_persons",
            "backlog_mean_persons",
            "registration_queue_start_persons",
            "registration_queue_end_persons",
            "occupancy_start_persons",
            "occupancy_end_persons",
            "occupancy_peak_persons",
        ],
        PERSONS_UNIT,
    ),
}
PLAN_LEVERS = {  # the plan table's levers (advice.py, report/xlsx.py read them by these names)
    "hired_fte",
    "staff_fte",
    "trainee_fte",
    "capacity",
    "open_locations:std",
    "opened_locations:std",
    "closed_locations:std",
    "regular_places",
    "reserve_places",
    "flexpool_fte",
    "asielreserve",
    "budget",
}
FLOW_QUANTITIES = {  # per scenario and period (report/data.py, the annex's charts)
    "inflow": PERSONS_UNIT,
    "registered": PERSONS_UNIT,
    "registration_queue": PERSONS_UNIT,
    "ind_backlog": PERSONS_UNIT,
    "decisions": PERSONS_UNIT,
    "withdrawals": PERSONS_UNIT,
    "status_holders": PERSONS_UNIT,
    "housed": PERSONS_UNIT,
    "housing_outflow": PERSONS_UNIT,
    "accelerated_housing": PERSONS_UNIT,
    "rejected": PERSONS_UNIT,
    "returns": PERSONS_UNIT,
    "unsupervised_departures": PERSONS_UNIT,
    "occupancy": PERSONS_UNIT,
    "regular_capacity": "places",
    "reserve_active": "places",
    "emergency_places": "places",
    "external_coa_staff": "FTE",
    "late_cases": PERSONS_UNIT,
    "registration_capacity": PERSONS_UNIT,
    "decision_capacity": PERSONS_UNIT,
    "return_capacity": PERSONS_UNIT,
    "appeals": PERSONS_UNIT,
    "appeal_rulings": PERSONS_UNIT,
    "dublin_claimants": PERSONS_UNIT,
    "dublin_transfers": PERSONS_UNIT,
    "dublin_unknown_departures": PERSONS_UNIT,
    "pool_active": "FTE",
    "registration_surge": "FTE",
    "ind_surge": "FTE",
}
COST_COMPONENTS = {  # component: (stage, kind); cash per budget line, the rest on the line "chain"
    "structural": (1, "cash"),
    "operating": (2, "cash"),
    "weight_late_cases": (2, "weight"),
    "weight_registration_queue": (2, "weight"),
    "weight_supplementary_funding": (2, "weight"),
    "weight_unspent_budget": (2, "weight"),
    "weight_asielreserve": (2, "weight"),
    "terminal_backlog": (2, "valuation"),
    "terminal_staff": (1, "valuation"),
    "reserve_end_value_loss": (2, "valuation"),
}
LEVERS = {  # the five levers of the 2021 letter and two structural totals, with their units
    "flexpool_fte": "FTE",
    "asielreserve_eur": "EUR deposited over the horizon",
    "funding_ratio": "budget / MPP need",
    "reserve_places": "places",
    "planned_occupancy_rate": "MPP-mid occupancy / regular places",
    "ind_hired_fte": "FTE",
    "hired_fte_all": "FTE",
    "coa_regular_places_mean": "places",
}


@pytest.mark.solver
def test_result_tables_hold_the_names_and_units_the_readers_use():
    """The run folder's vocabulary: the reports, the advice and compare read the tables by these
    table, column, lever, quantity, component and KPI names, so each must be there, spelt so, with
    its unit (appeals, Dublin and the registration and IND surges switched on, so their flows are
    there too; two budget years)."""
    case = make_case(
        horizon={"years": 2},
        categories={"first": {"reception_share": 1.0}},
        ind={"adjustable": True},
        appeals={"share": 0.5, "months": 3.0, "granted_share": 0.5},
        dublin={"share": 0.5, "transfer_share_per_month": 0.5},
        registration_surge={"max_fte": 10.0},
        ind_surge={"max_fte": 10.0},
    )
    tables = _tables(case, inflow(case, first=10))
    assert list(tables) == ["levers", "plan", "funding", "flows", "costs", "reserve", "kpis", "scenarios"]
    for name, table in tables.items():  # rows numbered 0..n-1 (the expected KPI rows, then each scenario's)
        assert table.index.equals(pd.RangeIndex(len(table))), name
    plan = tables["plan"]
    assert list(plan.columns) == ["lever", "partner", "period", "year", "value", "unit"]
    assert set(plan["lever"]) == PLAN_LEVERS
    assert set(plan[plan["lever"] == "asielreserve"]["partner"]) == {"chain"}
    assert set(plan[plan["lever"] == "regular_places"]["partner"]) == {"coa"}
    assert set(plan[plan["lever"] == "flexpool_fte"]["partner"]) == {"flexpool"}
    for lever in ("open_locations:std", "opened_locations:std", "closed_locations:std"):
        assert set(plan[plan["lever"] == lever]["partner"]) == {"coa"}, lever
    yearly = plan[plan["lever"].isin(["reserve_places", "flexpool_fte", "asielreserve", "budget"])]
    assert set(yearly["period"]) == {""} and set(yearly["year"]) == {YEAR, YEAR + 1}
    assert set(plan[plan["lever"] == "staff_fte"]["period"]) == set(case.periods)
    # rows in the model's order: partners as the budget lines and staff are listed, then periods
    budget = plan[plan["lever"] == "budget"]
    assert budget["partner"].tolist() == [*BUDGET_LINES, *BUDGET_LINES]
    assert budget["year"].tolist() == [YEAR] * len(BUDGET_LINES) + [YEAR + 1] * len(BUDGET_LINES)
    staff = plan[plan["lever"] == "staff_fte"]
    assert staff["partner"].tolist() == [p for p in ("registration", "ind", "dtv") for _ in case.periods]
    assert staff["period"].tolist() == list(case.periods) * 3
    hired = plan[plan["lever"] == "hired_fte"]
    assert hired["period"].tolist() == list(case.periods)  # IND's intake moments, in order
    opened = plan[plan["lever"] == "opened_locations:std"]
    assert opened["period"].tolist() == list(case.periods)
    pool = tables["flows"].query("quantity == 'pool_active' and scenario == 's'")
    assert pool["category"].tolist()[: len(POOL_TASKS)] == list(POOL_TASKS)
    units = plan.drop_duplicates("lever").set_index("lever")["unit"]
    assert units["hired_fte"] == units["staff_fte"] == units["trainee_fte"] == units["flexpool_fte"] == "FTE"
    assert units["capacity"] == "cases per period" and units["open_locations:std"] == "locations"
    assert units["opened_locations:std"] == units["closed_locations:std"] == "locations"
    assert units["regular_places"] == units["reserve_places"] == "places"
    assert units["asielreserve"] == units["budget"] == "EUR"
    assert list(tables["funding"].columns) == ["partner", "year", "budget_eur", "mpp_need_eur", "ratio"]
    flows = tables["flows"]
    assert list(flows.columns) == ["scenario", "period", "year", "quantity", "category", "value", "unit"]
    assert flows.drop_duplicates("quantity").set_index("quantity")["unit"].to_dict() == FLOW_QUANTITIES
    costs = tables["costs"]
    assert list(costs.columns) == ["scenario", "partner", "year", "component", "stage", "kind", "value_eur"]
    seen = costs.drop_duplicates("component").set_index("component")
    assert {c: (int(r.stage), r.kind) for c, r in seen.iterrows()} == COST_COMPONENTS
    chain = costs[costs["partner"] == "chain"]
    assert set(chain["component"]) == set(COST_COMPONENTS) - {"structural", "operating"}
    last = chain[chain["year"] == YEAR + 1]["component"]
    assert {"terminal_backlog", "terminal_staff", "reserve_end_value_loss"} <= set(last)
    assert "terminal_backlog" not in set(chain[chain["year"] == YEAR]["component"])  # the last year only
    assert list(tables["reserve"].columns) == [
        "scenario",
        "year",
        "opening_eur",
        "deposit_eur",
        "underspend_in_eur",
        "withdrawal_eur",
        "closing_eur",
        "underspend_lapsed_eur",
        "supplementary_funding_eur",
    ]
    kpis = tables["kpis"]
    assert list(kpis.columns) == ["scenario", "kpi", "value", "unit"]
    own = kpis[kpis["scenario"] == "s"].set_index("kpi")["unit"].to_dict()
    assert own == KPIS
    expected = kpis[kpis["scenario"] == EXPECTED].set_index("kpi")["unit"].to_dict()
    assert expected == {**KPIS, "cvar_total_cost_eur": "EUR"}
    # the expected rows first, in the scenario's order (kpis.csv reads the same for every scenario)
    assert kpis["kpi"].tolist() == [*own, "cvar_total_cost_eur", *own]
    assert kpis["scenario"].tolist() == [EXPECTED] * (len(own) + 1) + ["s"] * len(own)
    levers = tables["levers"]
    assert list(levers.columns) == ["lever", "value", "unit"]
    assert levers.set_index("lever")["unit"].to_dict() == LEVERS
    assert list(tables["scenarios"].columns) == ["scenario", "probability"]


@pytest.mark.solver
def test_funding_and_levers_against_the_mpp_baseline():
    """A fixed plan against a hand-written MPP baseline (one year in quarters).

    IND hires 2 cohorts of 2 FTE at t = 0 (4 FTE; trainees uncapped); one location type of 10
    places, 1 open, decisions every quarter, lead time a quarter, so a location can open from
    t = 1 (the norm start); a second one opens at t = 2: regular places [10, 10, 20, 20], mean
    15. MPP occupancy [9, 8, 12, 16]: the planned rate counts from t = 1:
    (8/10 + 12/20 + 16/20)/3 = 2.2/3. Budgets COA 0.3 M, IND 0.1 M against an MPP need of
    0.6 M and 0.4 M: ratios 0.5 and 0.25, the chain 0.4 / 1.0 = 0.4; DT&V's need of half a
    euro has a ratio (0), lines without a need have none (NaN)."""
    case = make_case(
        ind={"adjustable": True, "cohort_fte": 2.0, "trainee_cap_share": 1.0},
        locations=[{"places": 10.0, "max_open": 2, "lead_time_months": 3}],
    )
    budgets = {"coa": 0.3, "ind": 0.1}

    def fix(m):
        f = m.first
        for p, t in f.INTAKE:
            f.Hire[p, t].fix(2 if (p, t) == ("ind", 0) else 0)
        for key in f.LOC_DECISION:
            f.Opened[key].fix(1 if key == ("std", 2) else 0)
            f.Closed[key].fix(0)
        for line in f.LINES:
            f.Budget[line, YEAR].fix(budgets.get(line, 0.0))

    need = {("coa", YEAR): 6.0e5, ("ind", YEAR): 4.0e5, ("dtv", YEAR): 0.5}  # DT&V: half a euro
    base = baseline(case, need_eur=need, occupancy=[9.0, 8.0, 12.0, 16.0])
    m, outcome, data = solve_chain(case, inflow(case), base=base, fix=fix)
    assert outcome.status == Status.OPTIMAL, outcome.describe()
    assert data.norm_start_period == 1
    tables = result_tables(m, data, None)
    funding = tables["funding"].set_index("partner")
    assert funding.loc["coa", ["budget_eur", "mpp_need_eur", "ratio"]].tolist() == pytest.approx(
        [3e5, 6e5, 0.5]
    )
    assert funding.loc["ind", ["budget_eur", "mpp_need_eur", "ratio"]].tolist() == pytest.approx(
        [1e5, 4e5, 0.25]
    )
    assert funding.loc["dtv", ["budget_eur", "mpp_need_eur", "ratio"]].tolist() == pytest.approx(
        [0.0, 0.5, 0.0]
    )
    assert funding.loc["registration", "mpp_need_eur"] == 0.0 and math.isnan(
        funding.loc["registration", "ratio"]
    )
    levers = tables["levers"].set_index("lever")["value"]
    assert levers["funding_ratio"] == pytest.approx(0.4)
    assert levers["planned_occupancy_rate"] == pytest.approx(2.2 / 3)
    assert levers["coa_regular_places_mean"] == pytest.approx(15.0)
    assert levers["ind_hired_fte"] == pytest.approx(4.0)
    assert levers["hired_fte_all"] == pytest.approx(4.0)
    plan = tables["plan"]
    hired = plan[(plan["lever"] == "hired_fte") & (plan["partner"] == "ind")].set_index("period")["value"]
    assert hired[case.periods[0]] == pytest.approx(4.0)
    assert hired.drop(case.periods[0]).sum() == pytest.approx(0.0, abs=TOL)
    places = plan[plan["lever"] == "regular_places"]["value"].tolist()
    assert places == pytest.approx([10.0, 10.0, 20.0, 20.0], abs=TOL)
    open_ = plan[plan["lever"] == "open_locations:std"]["value"].tolist()
    assert open_ == pytest.approx([1.0, 1.0, 2.0, 2.0], abs=TOL)
    opened = plan[plan["lever"] == "opened_locations:std"].set_index("period")["value"]
    assert opened.tolist() == pytest.approx([0.0, 0.0, 1.0, 0.0], abs=TOL)


@pytest.mark.solver
def test_planned_occupancy_rate_of_a_single_place():
    """One location type of 1 place, 1 open (another could open at once: the norm starts at t = 0),
    no openings; MPP occupancy 0.5 a period: the planned occupancy rate is 0.5 / 1 = 0.5."""
    case = make_case(locations=[{"places": 1.0, "max_open": 2}])

    def fix(m):
        for key in m.first.LOC_DECISION:
            m.first.Opened[key].fix(0)
            m.first.Closed[key].fix(0)

    base = baseline(case, occupancy=[0.5] * 4)
    m, outcome, data = solve_chain(case, inflow(case), base=base, fix=fix)
    assert outcome.status == Status.OPTIMAL
    assert data.norm_start_period == 0
    levers = result_tables(m, data, None)["levers"].set_index("lever")["value"]
    assert levers["coa_regular_places_mean"] == pytest.approx(1.0, abs=TOL)
    assert levers["planned_occupancy_rate"] == pytest.approx(0.5, abs=TOL)


@pytest.mark.solver
def test_funding_table_without_a_baseline_has_no_need():
    """Without an MPP baseline the need and the ratio are unknown (NaN), the levers' ratio too,
    though the plan has a budget (COA EUR 0.1 M: a ratio against no need is not infinite). Any
    positive need gives a ratio, half a euro too: 1e5 / 0.5 = 2e5."""
    case = make_case()

    def fix(m):
        for line in m.first.LINES:
            m.first.Budget[line, YEAR].fix(0.1 if line == "coa" else 0.0)

    m, outcome, data = solve_chain(case, inflow(case), fix=fix)
    assert outcome.status == Status.OPTIMAL
    tables = result_tables(m, data, None)
    assert tables["funding"]["mpp_need_eur"].isna().all()
    assert tables["funding"]["ratio"].isna().all()
    assert tables["funding"]["budget_eur"].sum() == pytest.approx(1.0e5)
    levers = tables["levers"].set_index("lever")["value"]
    assert math.isnan(levers["funding_ratio"]) and math.isnan(levers["planned_occupancy_rate"])
    half = tables["funding"].assign(mpp_need_eur=[0.5] + [0.0] * (len(tables["funding"]) - 1))
    ratio = levers_table(m.first, data, half).set_index("lever")["value"]["funding_ratio"]
    assert ratio == pytest.approx(2.0e5)


@pytest.mark.unit
def test_initial_occupancy_counts_the_reception_share_of_the_stocks():
    """Occupancy at the start, as add_occupancy sums it: the reception share (first 0.5, repeat
    0.25) of the registration queue (20, 40) and of the IND backlog (100, 8), plus all status
    holders (7) and rejected (3): 10 + 10 + 50 + 2 + 7 + 3 = 82."""
    case = make_case(
        categories={"first": {"reception_share": 0.5}, "repeat": {"reception_share": 0.25}},
        stocks={
            "registration_queue": {"first": 20.0, "repeat": 40.0},
            "ind_backlog": {"first": 100.0, "repeat": 8.0},
            "status_holders": 7.0,
            "rejected": 3.0,
        },
    )
    assert _initial_occupancy(chain_data(case)) == pytest.approx(82.0)


@pytest.mark.solver
def test_scenarios_table_describes_the_scenarios_of_the_set():
    """With a scenario set the scenarios table has its descriptions; a scenario the set does not
    hold (here the set describes only ``laag``) gets an empty one."""
    case = make_case()
    inflows = {"laag": inflow(case), "hoog": inflow(case, first=10.0)}
    m, outcome, data = solve_chain(case, inflows, [0.25, 0.75])
    assert outcome.status == Status.OPTIMAL
    only_low = scenario_set(case, {"laag": inflows["laag"]}, [1.0])
    (low,) = only_low.scenarios
    described = only_low.model_copy(update={"scenarios": (low.model_copy(update={"description": "weinig"}),)})
    scen = result_tables(m, data, described)["scenarios"]
    assert scen.to_dict("list") == {
        "scenario": ["laag", "hoog"],
        "probability": [0.25, 0.75],
        "description": ["weinig", ""],
    }


@pytest.mark.solver
def test_end_balance_valuation_and_unspent_weight_in_kpis_and_costs():
    """One year, an opening balance of EUR 0.5 M, the COA budget fixed at 1 M and nothing spent:
    1 M unspent at a weight of 0.5 a euro (EUR 500,000). The end balance is worth 0.8 a euro, so
    letting underspend flow in would cost 0.2 a euro: none does, and a draw that only lapses
    would raise the unspent weight (0.5) more than it saves (0.2): none is made. End balance
    0.5 M, its loss (1 - 0.8) x 0.5 M = EUR 100,000, all underspend lapses."""
    case = make_case(
        categories={"nareis": {"reception_share": 1.0}},
        budget={
            "supplementary_penalty": 0.25,
            "unspent_budget_weight": 0.5,
            "asielreserve_end_value": 0.8,
            "asielreserve_opening_balance_eur": 5.0e5,
            "eindejaarsmarge_share": 0.5,
            "max_asielreserve_eur": 1.0e7,
        },
        policy={"allow_asielreserve": False},
    )

    def fix(m):
        for line in m.first.LINES:
            m.first.Budget[line, YEAR].fix(1.0 if line == "coa" else 0.0)
        m.first.ReserveDeposit[YEAR].fix(0.0)

    tables = _tables(case, inflow(case), fix=fix)
    expected = {
        "reserve_end_balance_eur": 5.0e5,
        "reserve_end_value_loss_eur": 1.0e5,
        "weight_unspent_budget_eur": 5.0e5,
        "underspend_eur": 1.0e6,
        "reserve_underspend_in_eur": 0.0,
        "reserve_draw_eur": 0.0,
        "end_state_value_eur": 1.0e5,
        "weights_eur": 5.0e5,
        "total_cost_eur": 6.0e5,
    }
    for kpi, value in expected.items():
        assert _kpi(tables, kpi) == pytest.approx(value, abs=1e-3), kpi
    chain = tables["costs"].query("partner == 'chain'").set_index("component")["value_eur"]
    assert chain["reserve_end_value_loss"] == pytest.approx(1.0e5, abs=1e-3)
    assert chain["weight_unspent_budget"] == pytest.approx(5.0e5, abs=1e-3)
    row = tables["reserve"].set_index("year").loc[YEAR]
    assert row[["opening_eur", "closing_eur", "underspend_lapsed_eur"]].tolist() == pytest.approx(
        [5.0e5, 5.0e5, 1.0e6], abs=1e-3
    )


@pytest.mark.solver
def test_planned_occupancy_rate_without_regular_places_is_unknown():
    """An MPP baseline (empty) but no regular place open in any period (none open at the start,
    none opened): no period counts for the planned occupancy rate, so it is NaN, not a division
    by 0."""
    case = make_case(locations=[{"initially_open": 0, "max_open": 1}])

    def fix(m):
        for key in m.first.LOC_DECISION:
            m.first.Opened[key].fix(0)

    base = baseline(case)
    m, outcome, data = solve_chain(case, inflow(case), base=base, fix=fix)
    assert outcome.status == Status.OPTIMAL, outcome.describe()
    levers = result_tables(m, data, None)["levers"].set_index("lever")["value"]
    assert levers["coa_regular_places_mean"] == pytest.approx(0.0, abs=TOL)
    assert math.isnan(levers["planned_occupancy_rate"])
