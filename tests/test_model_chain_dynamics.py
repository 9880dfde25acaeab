"""Chain dynamics of issue 16, one hand-solvable case per new or changed family.

Built like ``test_model_families.py`` on the null case of ``model_cases`` (one year in
quarters, T = 4, everything free unless switched on). Quarter arithmetic: EUR 4,000 a
year = EUR 1,000 a quarter; 3 months = 1 period; a quarter has 91.3125 days.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest

from bekostiging.io.case import load_case
from bekostiging.io.scenarios import HOUSING_FILE, load_scenario_set, write_scenario_set
from bekostiging.model import ScenarioInflow, baseline_problem, chain_data, chain_problem, scenario_inflows
from bekostiging.model.data import MONEY_SCALE, mpp_mid_inflow
from bekostiging.model.first_stage import build_first_stage
from bekostiging.model.second_stage import build_second_stage, load_inflow, pipeline, registered
from bekostiging.solver import HighsSolver, Status
from bekostiging.twostage import extensive_form
from model_cases import EXACT, YEAR, inflow, make_case, path, scenario_set, solve_chain, v

TOL = 1e-6
CASE_DIR = Path(__file__).parents[1] / "data" / "nl-2026"
RESIDENT = {"cost_per_resident_year_eur": 4000.0}  # EUR 1,000 a person-quarter: stays cost money


def _solved(case, inflows, probabilities=None, **kw):
    m, outcome, data = solve_chain(case, inflows, probabilities, **kw)
    assert outcome.status == Status.OPTIMAL, outcome.describe()
    return m, data


def _eur(x) -> float:
    return v(x) * MONEY_SCALE


@pytest.mark.unit
def test_pipeline_is_littles_law_for_a_minimum_stay():
    """Pi_t(f, L): the last floor(L) flows plus the fractional part of the one before.

    f = 10, 20, 30, 40: L = 1.5 at t = 2 -> 30 + 0.5 x 20 = 40; L = 2 at t = 0 -> 10 + before (5);
    a constant flow f gives L f (Little's law).
    """
    flows = [10.0, 20.0, 30.0, 40.0]
    assert pipeline(lambda t: flows[t], 2, 1.5) == pytest.approx(40.0)
    assert pipeline(lambda t: flows[t], 0, 2.0, before=5.0) == pytest.approx(15.0)
    assert pipeline(lambda t: 8.0, 3, 2.25) == pytest.approx(18.0)
    assert pipeline(lambda t: flows[t], 3, 0.0) == 0
    # a fractional part within round-off (L = 1e-12) is none: not 1e-12 x f_t (here 1e12: 1)
    assert pipeline(lambda t: 1e12, 3, 1e-12) == 0


@pytest.mark.solver
@pytest.mark.parametrize(
    ("months", "backlog", "decisions"),
    [(0.0, [0] * 4, [60] * 4), (3.0, [60] * 4, [0, 60, 60, 60]), (4.5, [60, 90, 90, 90], [0, 30, 60, 60])],
)
def test_add_ind_work_in_progress(months, backlog, decisions):
    """Ind_Work_In_Progress: B_t >= Pi_t(R, L_ind), whatever the capacity.

    60 first applicants registered a quarter, IND 100 decisions a quarter (ample),
    everyone in reception at EUR 1,000 a quarter, housing and returns ample: the
    model decides as soon as it may.
    * L = 0: backlog 0, 60 decided a quarter;
    * L = 3 months = 1 quarter: B_t >= R_t = 60;
    * L = 4.5 months = 1.5 quarters: B_t >= R_t + 0.5 R_{t-1} = [60, 90, 90, 90].
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        ind={"min_processing_months": months},
        coa=RESIDENT,
        locations=[{"places": 1000.0}],
        penalties={"registration_queue_person_day_eur": 1.0},
        housing=1000.0,
    )
    m, _ = _solved(case, inflow(case, first=60))
    s = m.scen["s"]
    assert path(s.Backlog, "first") == pytest.approx(backlog, abs=TOL)
    assert path(s.Decisions, "first") == pytest.approx(decisions, abs=TOL)
    assert hasattr(s, "Ind_Work_In_Progress") is (months > 0)


@pytest.mark.solver
@pytest.mark.parametrize(
    ("months", "holders", "housed"),
    [(3.0, [30] * 4, [0, 30, 30, 30]), (4.5, [30, 45, 45, 45], [0, 15, 30, 30])],
)
def test_add_housing_delay(months, holders, housed):
    """Housing_Delay: H_t >= Pi_t(In^H, L_H) though municipalities could house more.

    30 nareis a quarter join the status holders (reception 1), housing 1,000 a quarter,
    stays cost money: without the delay H = 0.
    * L_H = 3 months: H_t >= 30, housed [0, 30, 30, 30];
    * L_H = 4.5 months: H_t >= 30 + 0.5 x 30 from t = 1: [30, 45, 45, 45].
    """
    case = make_case(
        categories={"nareis": {"reception_share": 1.0}},
        residence={"housing_min_months": months},
        coa=RESIDENT,
        locations=[{"places": 1000.0}],
        housing=1000.0,
    )
    m, _ = _solved(case, inflow(case, nareis=30))
    s = m.scen["s"]
    assert path(s.StatusHolders) == pytest.approx(holders, abs=TOL)
    assert path(s.Housed) == pytest.approx(housed, abs=TOL)


def _decided(case, per_quarter: float = 40.0, **kw):
    def fix(m):
        for t in range(4):
            m.scen["s"].Decisions["first", t].fix(per_quarter)

    return _solved(case, inflow(case), fix=fix, **kw)


@pytest.mark.solver
def test_add_departure_delay():
    """Departure_Delay: J_t >= Pi_t(In^J, L_J): a rejected applicant keeps reception for the term.

    40 decisions a quarter (fixed) from a backlog of 160, permit share 0.5,
    reception 1: 20 rejected a quarter; DT&V 1,000 returns a quarter, stays cost
    money. Departure term 3 months = 1 quarter: J_t >= 20, returns [0, 20, 20, 20].
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        residence={"departure_min_months": 3.0},
        coa=RESIDENT,
        locations=[{"places": 1000.0}],
        stocks={"ind_backlog": {"first": 160.0}},
        housing=1000.0,
    )
    m, _ = _decided(case)
    s = m.scen["s"]
    assert path(s.RejectedInflow) == pytest.approx([20] * 4, abs=TOL)
    assert path(s.Rejected) == pytest.approx([20] * 4, abs=TOL)
    assert path(s.Returns) == pytest.approx([0, 20, 20, 20], abs=TOL)


@pytest.mark.solver
def test_add_rejected_with_a_returns_cap():
    """Return_Cap: supervised departures at most the external cap, however large DT&V is.

    100 rejected at the start, DT&V 1,000 returns a quarter, countries of origin take
    back 40 a year = 10 a quarter: J = 100 - 10 (t + 1) = [90, 80, 70, 60].
    """
    case = make_case(dtv={"max_returns_per_year": 40.0}, coa=RESIDENT, stocks={"rejected": 100.0})
    m, _ = _solved(case, inflow(case))
    s = m.scen["s"]
    assert path(s.Returns) == pytest.approx([10] * 4, abs=TOL)
    assert path(s.Rejected) == pytest.approx([90, 80, 70, 60], abs=TOL)
    assert len(s.Return_Cap) == 4


@pytest.mark.solver
@pytest.mark.parametrize(("cost", "extra"), [(500.0, [10, 10, 10, 0]), (5000.0, [0] * 4)])
def test_add_accelerated_housing(cost, extra):
    """Accelerated_Housing: Acc_t <= alpha x base housing, bought while a COA stay costs more.

    100 status holders, base housing 20 a quarter, at most 50 % extra (10), a resident
    EUR 1,000 a quarter. Housing one person earlier lowers every later stock by one:
    at EUR 500 per person it pays in t = 0..2 (stock 70, 40, 10; at t = 3 the base
    houses the last 10). At EUR 5,000 it never pays (at most 4 quarters x 1,000 saved).
    The cost sits on the COA line: resident-quarters x 1,000 + 30 x 500.
    """
    case = make_case(
        categories={"nareis": {"reception_share": 1.0}},
        accelerated_housing={"max_share": 0.5, "cost_per_person_eur": cost},
        coa=RESIDENT,
        stocks={"status_holders": 100.0},
        housing=20.0,
    )
    m, _ = _solved(case, inflow(case))
    s = m.scen["s"]
    assert path(s.AcceleratedHousing) == pytest.approx(extra, abs=TOL)
    holders = path(s.StatusHolders)
    expected_coa = 1000.0 * sum(holders) + cost * sum(extra)
    assert _eur(s.OperatingCost["coa", YEAR]) == pytest.approx(expected_coa, abs=1e-3)


@pytest.mark.solver
def test_add_status_holders_housing_outflow_per_scenario():
    """Housing_Limit takes each scenario's own housing series (a scenario dimension).

    100 status holders, residents cost money; scenario "slow" houses 10 a quarter,
    "base" has no series of its own and takes the case's 20: H = 100 - 10 (t + 1) and
    100 - 20 (t + 1). The mean scenario (for EV) has housing 15.
    """
    case = make_case(
        categories={"nareis": {"reception_share": 1.0}},
        coa=RESIDENT,
        stocks={"status_holders": 100.0},
        housing=20.0,
    )
    data = chain_data(case)
    scenarios = [
        ScenarioInflow("slow", inflow(case), housing_persons=np.full(4, 10.0)),
        ScenarioInflow("base", inflow(case)),
    ]
    problem = chain_problem(data, scenarios, [0.5, 0.5])
    m = extensive_form(problem)
    assert HighsSolver(EXACT).solve(m).status == Status.OPTIMAL
    assert path(m.scen["slow"].StatusHolders) == pytest.approx([90, 80, 70, 60], abs=TOL)
    assert path(m.scen["base"].StatusHolders) == pytest.approx([80, 60, 40, 20], abs=TOL)
    mean = problem.mean_data()
    assert mean.name == "expected"
    assert mean.housing_persons == pytest.approx([15.0] * 4)
    assert mean.inflow_persons == pytest.approx(inflow(case))
    # scenarios without a housing series of their own: the mean has none either (the case's);
    # its inflow is the mean of a (first [4, 8, 0, 0], nareis 2) and b (first [8, 0, 4, 0]):
    # first [6, 4, 2, 0], nareis 1
    a = ScenarioInflow("a", inflow(case, first=[4, 8, 0, 0], nareis=2))
    b = ScenarioInflow("b", inflow(case, first=[8, 0, 4, 0]))
    plain = chain_problem(data, [a, b], [0.5, 0.5]).mean_data()
    assert plain.name == "expected"
    assert plain.housing_persons is None
    assert plain.inflow_persons == pytest.approx(inflow(case, first=[6, 4, 2, 0], nareis=1))


@pytest.mark.solver
def test_add_status_holders_nareis_linked_to_permits():
    """Nareis_Link: nareis = nu x permits granted a lag earlier; before the lag the scenario's.

    40 first decisions a quarter (fixed), permit share 0.5: 20 permits a quarter;
    0.5 nareis per permit after 3 months (1 quarter): 10 nareis a quarter from t = 1,
    the scenario's 7 at t = 0. Everyone in reception, no housing:
    In^H = 20 + [7, 10, 10, 10], H = [27, 57, 87, 117].
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}, "nareis": {"reception_share": 1.0}},
        nareis={"per_permit": 0.5, "lag_months": 3},
        locations=[{"places": 1000.0}],
        stocks={"ind_backlog": {"first": 160.0}},
    )

    def fix(m):
        for t in range(4):
            m.scen["s"].Decisions["first", t].fix(40.0)

    m, _ = _solved(case, inflow(case, nareis=7), fix=fix)
    s = m.scen["s"]
    assert [v(registered(s, "nareis", t)) for t in range(4)] == pytest.approx([7, 10, 10, 10], abs=TOL)
    assert path(s.StatusHolders) == pytest.approx([27, 57, 87, 117], abs=TOL)


@pytest.mark.solver
def test_add_occupancy_counts_the_registration_stay():
    """Occupancy includes s_reg x R: registered applicants still in the central location.

    100 first applicants registered a quarter (reception 1), half a quarter
    (45.65625 days) in the central location, IND without staff: backlog 100 (t + 1),
    occupancy = backlog + 0.5 x 100 = [150, 250, 350, 450].
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        ind={"initial_fte": 0.0},
        residence={"registration_days": 91.3125 / 2},
        locations=[{"places": 1000.0}],
        penalties={"registration_queue_person_day_eur": 1.0},
    )
    m, _ = _solved(case, inflow(case, first=100))
    assert path(m.scen["s"].Occupancy) == pytest.approx([150, 250, 350, 450], abs=TOL)


def _swing_case(**kw):
    """Occupancy [80, 120, 80, 80]: 80 status holders, 40 nareis at t = 1, 40 housed at t = 2."""
    return make_case(
        categories={"nareis": {"reception_share": 1.0}},
        stocks={"status_holders": 80.0},
        housing=[0.0, 0.0, 40.0, 0.0],
        **kw,
    )


SWING = [0, 40, 0, 0]


@pytest.mark.solver
def test_add_emergency_contracts():
    """Emergency_Contracts: 6-month contracts, and 20 initial places winding down over them.

    Occupancy [80, 120, 80, 80] in 90 regular places (fill 1): 30 short at t = 1 only.
    Contracts run 2 quarters (6 months); the 20 places of the start run out evenly:
    E0 = 20 x (1 - t/2) = [20, 10, 0, 0]. At t = 1 10 initial places remain, so 20
    new places start at t = 1 and are paid at t = 1 and 2: Em = [20, 30, 20, 0].
    A lead time of 3 months forbids a start at t = 0 (bound 0).
    """
    coa = {"emergency_min_contract_months": 6, "emergency_lead_months": 3, "initial_emergency_places": 20.0}
    case = _swing_case(coa=coa, locations=[{"places": 90.0}])
    m, _ = _solved(case, inflow(case, nareis=SWING))
    s = m.scen["s"]
    assert path(s.Occupancy) == pytest.approx([80, 120, 80, 80], abs=TOL)
    assert path(s.EmergencyStart) == pytest.approx([0, 20, 0, 0], abs=TOL)
    assert path(s.Emergency) == pytest.approx([20, 30, 20, 0], abs=TOL)
    assert s.EmergencyStart[0].ub == 0


@pytest.mark.solver
def test_add_reserve_activation_under_contract_and_add_place_cover_fills_reserve_like_regular():
    """Reserve_Contract + Place_Cover: reserve places fill to phi, and stay active 6 months.

    120 regular places at fill 0.75 = 90 usable; occupancy [80, 120, 80, 80]: 30 short at
    t = 1, i.e. 30 / 0.75 = 40 reserve places. Reserve (at most 50, activation EUR 500 a
    quarter) is cheaper than emergency (EUR 10,000): a 2-quarter contract starting at
    t = 1 (lead 3 months = 1 quarter): ReserveActive = [0, 40, 40, 0], no emergency.
    """
    coa = {
        "max_fill_rate": 0.75,
        "max_reserve_places": 50.0,
        "reserve_activation_cost_per_place_year_eur": 2000.0,
        "reserve_activation_months": 3,
        "reserve_min_contract_months": 6,
    }
    case = _swing_case(coa=coa, locations=[{"places": 120.0}], policy={"allow_reserve_places": True})
    m, _ = _solved(case, inflow(case, nareis=SWING))
    s = m.scen["s"]
    assert path(s.ReserveStart) == pytest.approx([0, 40, 0, 0], abs=TOL)
    assert path(s.ReserveActive) == pytest.approx([0, 40, 40, 0], abs=TOL)
    assert path(s.Emergency) == pytest.approx([0] * 4, abs=TOL)
    assert v(m.first.ReservePlaces[YEAR]) >= 40 - TOL


@pytest.mark.solver
def test_add_reserve_activation_starting_in_the_first_period():
    """Reserve_Contract with no activation lead: a contract may start at t = 0 and counts there.

    120 regular places at fill 0.75 = 90 usable; 80 status holders and 40 nareis arriving at
    t = 0, 40 housed at t = 1: occupancy [120, 80, 80, 80], 30 short at t = 0 = 40 reserve
    places (activation EUR 500 a place-quarter, emergency EUR 10,000), a 2-quarter contract
    from t = 0: ReserveActive = [40, 40, 0, 0], no emergency."""
    coa = {
        "max_fill_rate": 0.75,
        "max_reserve_places": 50.0,
        "reserve_activation_cost_per_place_year_eur": 2000.0,
        "reserve_activation_months": 0,
        "reserve_min_contract_months": 6,
    }
    case = make_case(
        categories={"nareis": {"reception_share": 1.0}},
        stocks={"status_holders": 80.0},
        housing=[0.0, 40.0, 0.0, 0.0],
        coa=coa,
        locations=[{"places": 120.0}],
        policy={"allow_reserve_places": True},
    )
    m, _ = _solved(case, inflow(case, nareis=[40, 0, 0, 0]))
    s = m.scen["s"]
    assert path(s.Occupancy) == pytest.approx([120, 80, 80, 80], abs=TOL)
    assert path(s.ReserveActive) == pytest.approx([40, 40, 0, 0], abs=TOL)
    assert path(s.Emergency) == pytest.approx([0] * 4, abs=TOL)


@pytest.mark.solver
def test_add_terminal_value():
    """Terminal_Value: each person left at the end is worth what the chain still spends on them.

    Reception cost c = resident EUR 1,000 + place EUR 1,000 / norm 0.8 = EUR 2,250 a
    quarter; housing and departure terms 1 quarter; IND EUR 1,000 an FTE-quarter /
    10 decisions = EUR 100 a decision; permit share 0.5. Nothing moves (no staff, no
    housing): 2 in the registration queue, 10 in the backlog, 5 status holders,
    4 rejected, all in reception.
    v_H = v_J = 2,250; v_B = 100 + (0.5 x 2,250 + 0.5 x 2,250) = 2,350; v_Q = 0 + v_B.
    V = 12 x 2,350 + 9 x 2,250 = 28,200 + 20,250 = EUR 48,450.
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        registration={"initial_fte": 0.0},
        ind={"initial_fte": 0.0, "cost_per_fte_year_eur": 4000.0},
        dtv={"initial_fte": 0.0},
        coa=RESIDENT,
        residence={"housing_min_months": 3.0, "departure_min_months": 3.0},
        locations=[{"places": 100.0, "cost_per_place_year_eur": 4000.0}],
        policy={"occupancy_norm": 0.8},
        stocks={
            "registration_queue": {"first": 2.0},
            "ind_backlog": {"first": 10.0},
            "status_holders": 5.0,
            "rejected": 4.0,
        },
    )
    m, data = _solved(case, inflow(case))
    assert data.reception_cost_period_meur * MONEY_SCALE == pytest.approx(2250.0)
    assert data.terminal_value_meur("ind_backlog", "first") * MONEY_SCALE == pytest.approx(2350.0)
    assert _eur(m.scen["s"].TerminalCost) == pytest.approx(48_450.0, abs=1e-3)


@pytest.mark.solver
def test_terminal_values_with_a_registration_cost_and_stay():
    """v_Q, v_B at the last or an earlier period, v_U with unknown departures, by hand.

    c = EUR 2,250 a quarter (as above); v_H = 2 quarters = 4,500, v_J = 1 quarter = 2,250;
    IND EUR 100 a decision; registration EUR 1,000 an FTE-quarter / 100 registrations = EUR 10
    a case, and a stay of 45.65625 days = half a quarter in reception after registration. Permit
    share [0.5, 0.5, 0.2, 0.8]. Appeals are off (share 0, though the court time is set).
    * v_B(first) at the end (g = 0.8): 100 + 0.8 x 4,500 + 0.2 x 2,250 = 4,150;
      at t = 2 (g = 0.2): 100 + 0.2 x 4,500 + 0.8 x 2,250 = 2,800;
    * v_Q(first) = 10 + 1 x 2,250 x 0.5 + 4,150 = 5,285;
    * Dublin claimants, 50 % a month transferred (87.5 % a quarter) and 20 % a month gone
      (48.8 % a quarter): v_U = 2,250 / (0.875 + 0.488);
    * 10 first cases left in the backlog (no IND staff, nothing moves): V = 10 x 4,150.
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        registration={"cost_per_fte_year_eur": 4000.0},
        ind={"initial_fte": 0.0, "cost_per_fte_year_eur": 4000.0},
        dtv={"initial_fte": 0.0},
        coa=RESIDENT,
        residence={"housing_min_months": 6.0, "departure_min_months": 3.0, "registration_days": 45.65625},
        locations=[{"places": 100.0, "cost_per_place_year_eur": 4000.0}],
        policy={"occupancy_norm": 0.8},
        appeals={"share": 0.0, "months": 4.5, "granted_share": 0.2},
        dublin={"share": 0.0, "transfer_share_per_month": 0.5, "unknown_departure_share_per_month": 0.2},
        stocks={"ind_backlog": {"first": 10.0}},
        permit_share=[0.5, 0.5, 0.2, 0.8],
    )
    m, data = _solved(case, inflow(case))

    def eur(stock, category=None, last=None):
        return data.terminal_value_meur(stock, category, last) * MONEY_SCALE

    assert eur("ind_backlog", "first") == pytest.approx(4150.0)
    assert eur("ind_backlog", "first", last=2) == pytest.approx(2800.0)
    assert eur("registration_queue", "first") == pytest.approx(5285.0)
    assert eur("dublin") == pytest.approx(2250.0 / (0.875 + 0.488))
    with pytest.raises(ValueError, match="stock 'ind_backlog' needs a category"):
        data.terminal_value_meur("ind_backlog")
    with pytest.raises(ValueError, match="no terminal value for stock 'queue'"):
        data.terminal_value_meur("queue", "first")  # a misspelt stock is no registration queue
    assert path(m.scen["s"].Backlog, "first") == pytest.approx([10.0] * 4, abs=TOL)
    assert _eur(m.scen["s"].TerminalCost) == pytest.approx(41_500.0, abs=1e-3)


@pytest.mark.unit
def test_add_reserve_fund_caps_the_balance_and_the_available_fund():
    """Reserve_Fund's maximum A^ = max(A_bar, A0): at most EUR 0.5 M, opening balance 0.8 M, so
    the fund may hold 0.8 M (0.8 in M EUR): the balance's bound and one Reserve_Available_Max
    row a budget year (two years) at 0.8."""
    case = make_case(
        horizon={"years": 2},
        budget={"max_asielreserve_eur": 5.0e5, "asielreserve_opening_balance_eur": 8.0e5},
    )
    m = extensive_form(chain_problem(chain_data(case), [ScenarioInflow("s", inflow(case))], [1.0]))
    s = m.scen["s"]
    assert [s.ReserveBalance[y].lb for y in (YEAR, YEAR + 1)] == [0.0, 0.0]
    assert [s.ReserveBalance[y].ub for y in (YEAR, YEAR + 1)] == pytest.approx([0.8, 0.8])
    assert list(s.Reserve_Available_Max) == [YEAR, YEAR + 1]
    assert [s.Reserve_Available_Max[y].upper for y in (YEAR, YEAR + 1)] == pytest.approx([0.8, 0.8])


@pytest.mark.solver
def test_add_terminal_value_weighs_work_reception_share_and_permit_share():
    """Terminal_Value per backlog case: w_k v_ind + sigma_k (c L_ind + g v_H + (1 - g) v_J).

    Reception cost c = EUR 2,250 a quarter (as above); housing term 2 quarters
    (v_H = 4,500), departure term 1 quarter (v_J = 2,250); permit share g = 0.8;
    IND EUR 100 per work unit. Nothing moves. 10 repeat cases (work 0.5, reception
    share 0.5) and 4 first cases (work 1, share 1) in the backlog:
    after a decision: 0.8 x 4,500 + 0.2 x 2,250 = 4,050 per person in reception;
    v_B(repeat) = 0.5 x 100 + 0.5 x 4,050 = 2,075; v_B(first) = 100 + 4,050 = 4,150;
    V = 10 x 2,075 + 4 x 4,150 = 20,750 + 16,600 = EUR 37,350.
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}, "repeat": {"reception_share": 0.5}},
        registration={"initial_fte": 0.0},
        ind={"initial_fte": 0.0, "cost_per_fte_year_eur": 4000.0},
        dtv={"initial_fte": 0.0},
        coa=RESIDENT,
        residence={"housing_min_months": 6.0, "departure_min_months": 3.0},
        locations=[{"places": 100.0, "cost_per_place_year_eur": 4000.0}],
        policy={"occupancy_norm": 0.8},
        stocks={"ind_backlog": {"repeat": 10.0, "first": 4.0}},
        permit_share=0.8,
    )
    m, data = _solved(case, inflow(case))
    assert data.terminal_value_meur("status_holders") * MONEY_SCALE == pytest.approx(4500.0)
    assert data.terminal_value_meur("rejected") * MONEY_SCALE == pytest.approx(2250.0)
    assert data.terminal_value_meur("ind_backlog", "repeat") * MONEY_SCALE == pytest.approx(2075.0)
    assert data.terminal_value_meur("ind_backlog", "first") * MONEY_SCALE == pytest.approx(4150.0)
    assert path(m.scen["s"].Backlog, "repeat") == pytest.approx([10.0] * 4, abs=TOL)
    assert _eur(m.scen["s"].TerminalCost) == pytest.approx(37_350.0, abs=1e-3)


@pytest.mark.solver
def test_add_terminal_staff():
    """Terminal_Staff: a run-down below the end target costs its rebuilding (hiring + training wages).

    IND 10 FTE, attrition 50 % a year (Staff_3 = 5 without hiring), EUR 1,000 an
    FTE-quarter, hiring EUR 2,000 an FTE, training 1 quarter, intake at t = 0 and 2.
    End target 10 FTE: the gap costs 2,000 + 1 x 1,000 = EUR 3,000 an FTE; a cohort hired
    at t = 2 costs 2,000 + 2 x 1,000 = 4,000 an FTE: so no hiring, gap 5, EUR 15,000.
    Without a target (the null case: MPP need 0) no gap is charged.
    """
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
    assert v(m.first.Staff["ind", 3]) == pytest.approx(5.0, abs=TOL)
    assert v(m.first.TerminalStaffGap["ind"]) == pytest.approx(5.0, abs=TOL)
    assert _eur(m.first.TerminalStaffCost) == pytest.approx(15_000.0, abs=1e-3)
    plain, _ = _solved(case, inflow(case))
    assert _eur(plain.first.TerminalStaffCost) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.solver
def test_add_terminal_staff_counts_trainees_at_the_end():
    """Terminal_Staff: Staff_T + Trainees_T + Gap >= target, a cohort still in training counts.

    IND 10 FTE, no attrition, training 6 months = 2 quarters, cohorts of 1 FTE at t = 0, 2; one
    cohort hired at t = 2 (trainee at t = 2, 3): Staff_3 = 10, Trainees_3 = 1, target 12: gap 1.
    DT&V (100 FTE, target 100) has no gap; the targets' set lists IND, DT&V as given."""
    case = make_case(
        ind={
            "adjustable": True,
            "training_months": 6,
            "intake_interval_months": 6,
            "hiring_cost_per_fte_eur": 2000.0,
            "trainee_cap_share": 1.0,
        },
        dtv={"adjustable": True},
    )
    data = replace(chain_data(case), terminal_staff_fte={"ind": 12.0, "dtv": 100.0})
    m = extensive_form(chain_problem(data, [ScenarioInflow("s", inflow(case))], [1.0]))
    for key in m.first.INTAKE:
        m.first.Hire[key].fix(1 if key == ("ind", 2) else 0)
    assert HighsSolver(EXACT).solve(m).status == Status.OPTIMAL
    assert (v(m.first.Staff["ind", 3]), v(m.first.Trainees["ind", 3])) == pytest.approx((10.0, 1.0), abs=TOL)
    assert v(m.first.TerminalStaffGap["ind"]) == pytest.approx(1.0, abs=TOL)
    assert v(m.first.TerminalStaffGap["dtv"]) == pytest.approx(0.0, abs=TOL)
    assert m.first.TERMINAL_P.isordered() and list(m.first.TERMINAL_P) == ["ind", "dtv"]


@pytest.mark.unit
def test_default_case_terminal_targets_and_chain_times():
    """nl-2026: end-staff targets min(S0, MPP-mid need / output); the calibrated minimum stays.

    IND: need (37,940 + 0.5 x 1,848) / 12 / (29.4 / 12) = 1,321.9 FTE > 1,320 -> 1,320.
    """
    case = load_case(CASE_DIR)
    d = chain_data(case)
    ind = case.settings.ind
    assert d.terminal_staff_fte["ind"] == pytest.approx(min(ind.initial_fte, (37940 + 0.5 * 1848) / 29.4))
    assert d.ind_min_periods == pytest.approx(ind.min_processing_months)
    assert d.housing_min_periods > 0 and d.departure_min_periods > 0 and d.registration_stay_periods > 0
    assert d.max_returns_period == pytest.approx(case.settings.dtv.max_returns_per_year / 12)


@pytest.mark.unit
def test_scenario_sets_with_and_without_housing_load(tmp_path):
    """housing.csv is optional: a set without it has no housing array (the case's series applies);
    one with it round-trips and reaches ScenarioInflow.housing_persons."""
    case = make_case(housing=20.0)
    plain = scenario_set(case, {"a": inflow(case), "b": inflow(case)})
    write_scenario_set(plain, tmp_path / "plain")
    assert not (tmp_path / "plain" / HOUSING_FILE).exists()
    assert load_scenario_set(tmp_path / "plain", case).housing_persons is None
    housing = np.array([[20.0, 20.0, 15.0, 10.0], [25.0, 25.0, 25.0, 25.0]])
    with_housing = plain.model_copy(update={"housing_persons": housing})
    write_scenario_set(with_housing, tmp_path / "housed")
    loaded = load_scenario_set(tmp_path / "housed", case)
    assert loaded.housing_persons == pytest.approx(housing)
    assert scenario_inflows(loaded)[0].housing_persons == pytest.approx(housing[0])
    assert loaded.subset(["b"]).housing_persons == pytest.approx(housing[1:])


@pytest.mark.unit
def test_load_inflow_repoints_a_template_block_at_another_scenario():
    """load_inflow (the assembler's template): a block built with mutable=True takes another
    scenario's inflow and housing path; a scenario without a path of its own gets the case's
    series (20 a quarter) again. A block with the baseline norm takes only baseline scenarios,
    and a block without it only the others (their rows differ)."""
    case = make_case(housing=20.0)
    data = chain_data(case)
    m = pyo.ConcreteModel()
    m.first = pyo.Block()
    build_first_stage(m.first, data)
    m.s = pyo.Block()
    build_second_stage(m.s, m.first, data, ScenarioInflow("a", inflow(case)), mutable=True)

    def inflow_of(block):
        return [[pyo.value(block.inflow_persons[t, k]) for k in data.categories] for t in range(4)]

    def housing_of(block):
        return [pyo.value(block.housing_outflow_persons[t]) for t in range(4)]

    other = ScenarioInflow(
        "b", inflow(case, first=[1, 2, 3, 4], repeat=5), housing_persons=np.array([20.0, 15.0, 10.0, 5.0])
    )
    load_inflow(m.s, data, other)
    assert inflow_of(m.s) == pytest.approx(inflow(case, first=[1, 2, 3, 4], repeat=5))
    assert housing_of(m.s) == pytest.approx([20, 15, 10, 5])
    load_inflow(m.s, data, ScenarioInflow("c", inflow(case, nareis=3)))
    assert inflow_of(m.s) == pytest.approx(inflow(case, nareis=3))
    assert housing_of(m.s) == pytest.approx([20] * 4)
    differ = r"^scenario blocks with and without the baseline norm differ in structure$"
    with pytest.raises(ValueError, match=differ):
        load_inflow(m.s, data, ScenarioInflow("mpp-mid", inflow(case), baseline=True))
    m.base = pyo.Block()
    build_second_stage(
        m.base, m.first, data, ScenarioInflow("mpp-mid", inflow(case), baseline=True), mutable=True
    )
    load_inflow(m.base, data, ScenarioInflow("mpp-other", inflow(case, first=7), baseline=True))
    assert inflow_of(m.base) == pytest.approx(inflow(case, first=7))
    with pytest.raises(ValueError, match=differ):
        load_inflow(m.base, data, other)


@pytest.mark.unit
def test_mpp_mid_inflow_per_quarter_sums_the_months_of_the_quarter():
    """MPP-mid per period = the year's mid x (sum of the period's monthly factors) / 12.

    Factors 0.5 in January-March, 1 in April-June, 1.5 in July-September and 1 in
    October-December (mean 1); mid 240 first and 48 repeat a year: the quarters' shares 1.5/12,
    3/12, 4.5/12 and 3/12 give first [30, 60, 90, 60] and repeat [6, 12, 18, 12] (sums 240, 48).
    """
    season = {
        1: 0.5,
        2: 0.5,
        3: 0.5,
        4: 1.0,
        5: 1.0,
        6: 1.0,
        7: 1.5,
        8: 1.5,
        9: 1.5,
        10: 1.0,
        11: 1.0,
        12: 1.0,
    }
    mid = {"first": 240.0, "nareis": 0.0, "repeat": 48.0}
    case = make_case()
    case = case.model_copy(
        update={
            "mpp": tuple(r.model_copy(update={"mid": mid[r.category.value]}) for r in case.mpp),
            "seasonality": tuple(r.model_copy(update={"factor": season[r.month]}) for r in case.seasonality),
        }
    )
    expected = inflow(case, first=[30, 60, 90, 60], repeat=[6, 12, 18, 12])
    assert mpp_mid_inflow(case) == pytest.approx(expected)


@pytest.mark.unit
def test_terminal_value_of_appeals_and_dublin_claimants():
    """v^A, v^U and the negative branch of v^B with appeals and Dublin switched on.

    c = EUR 2,250 a quarter (as above), v_H = 2 quarters = 4,500, v_J = 1 quarter = 2,250;
    appeals: half of the negative non-Dublin decisions, a court time of 4.5 months = 1.5
    quarters, 20 % granted; Dublin: 40 % of the negative decisions, 50 % transferred a month
    = 1 - 0.5^3 = 0.875 a quarter, none leaving to unknown destinations.
    v^A = c x 1.5 / 2 + 0.2 x 4,500 + 0.8 x 2,250 = 1,687.5 + 900 + 1,800 = 4,387.5 (half the
    court time on average); v^U = c / 0.875; per first case in the backlog (IND EUR 100 a
    decision, permit share 0.5): negative = 0.4 v^U + 0.6 (0.5 (c x 1.5 + 2,700) + 0.5 x 2,250),
    v^B = 100 + 0.5 x 4,500 + 0.5 x negative. Without transfers or departures a Dublin
    claimant stays like a rejected asylum seeker: v^U = v_J. TerminalCost weighs the end stocks of
    appeals and Dublin claimants by v^A and v^U."""
    settings = {
        "categories": {"first": {"reception_share": 1.0}},
        "ind": {"cost_per_fte_year_eur": 4000.0},
        "coa": RESIDENT,
        "residence": {"housing_min_months": 6.0, "departure_min_months": 3.0},
        "locations": [{"places": 100.0, "cost_per_place_year_eur": 4000.0}],
        "policy": {"occupancy_norm": 0.8},
        "appeals": {"share": 0.5, "months": 4.5, "granted_share": 0.2},
    }
    case = make_case(**settings, dublin={"share": 0.4, "transfer_share_per_month": 0.5})
    data = chain_data(case)
    c, v_h, v_j = 2250.0, 4500.0, 2250.0
    dublin = c / 0.875
    assert data.terminal_value_meur("appeals") * MONEY_SCALE == pytest.approx(c * 1.5 / 2 + 900.0 + 1800.0)
    assert data.terminal_value_meur("dublin") * MONEY_SCALE == pytest.approx(dublin)
    negative = 0.4 * dublin + 0.6 * (0.5 * (c * 1.5 + 0.2 * v_h + 0.8 * v_j) + 0.5 * v_j)
    backlog = 100.0 + 0.5 * v_h + 0.5 * negative
    assert data.terminal_value_meur("ind_backlog", "first") * MONEY_SCALE == pytest.approx(backlog)
    stuck = chain_data(make_case(**settings, dublin={"share": 0.4}))
    assert stuck.terminal_value_meur("dublin") * MONEY_SCALE == pytest.approx(v_j)
    # Terminal_Value weighs every end stock by its value, appeals and Dublin claimants included:
    # at any point (here every variable 1) V = sum_k v^Q_k + sum_k v^B_k + v_H + v_J + v^A A_T + v^U
    m = extensive_form(chain_problem(data, [ScenarioInflow("s", inflow(case))], [1.0]))
    for var in m.component_data_objects(pyo.Var):
        var.set_value(1.0, skip_validation=True)
    s = m.scen["s"]
    appeals_end = pyo.value(s.Appeals[len(data.periods) - 1])
    assert appeals_end > 0
    value = (
        (
            sum(data.terminal_value_meur("registration_queue", k) for k in s.KREG)
            + sum(data.terminal_value_meur("ind_backlog", k) for k in s.KDEC)
            + data.terminal_value_meur("status_holders")
            + data.terminal_value_meur("rejected")
        )
        * MONEY_SCALE
        + (c * 1.5 / 2 + 900.0 + 1800.0) * appeals_end
        + dublin
    )
    assert pyo.value(s.TerminalCost) * MONEY_SCALE == pytest.approx(value)


INTEGER_VARIABLES = {"Hire", "Opened", "Closed", "PoolTeams"}  # cohorts, locations, teams
CHAIN_VARIABLES = INTEGER_VARIABLES | {
    # stage 1 (first_stage.py)
    "Staff", "TerminalStaffGap", "Open", "ReservePlaces", "ReserveDeposit", "Budget",
    # flows and stocks (chain_flows.py)
    "PoolActive", "PoolStart", "RegQueue", "RegisteredVar", "Backlog", "Decisions", "LateByCategory",
    # reception (reception.py)
    "DublinClaimants", "Transfers", "StatusHolders", "Housed", "AcceleratedHousing", "NareisLinked",
    "Rejected", "Returns", "ReserveActive", "Emergency", "ReserveStart", "EmergencyStart",
    "ExternalStaff", "NormShortfall",
    # money (spending.py)
    "Over", "Under", "ReserveDraw", "Supplementary", "ReserveBalance", "ReserveInflow",
}  # fmt: skip


@pytest.mark.unit
def test_every_chain_variable_has_its_documented_domain():
    """The domains of the families' symbol tables: every variable counts persons, places, FTE,
    locations or euros, so none is negative; cohorts, locations and pool teams are whole numbers.
    The case switches every optional family on (appeals, Dublin, the nareis link, a flex pool with
    a minimum activation, reserve places, the asielreserve, the planning run's own norm), so each
    of the 37 variable families is built."""
    case = make_case(
        categories={"first": {"reception_share": 1.0}, "nareis": {"reception_share": 1.0}},
        ind={"adjustable": True},
        appeals={"share": 0.5, "months": 3.0, "granted_share": 0.5},
        dublin={"share": 0.5, "transfer_share_per_month": 0.5},
        flexpool={"min_activation_months": 6},
        nareis={"per_permit": 0.5},
        locations=[{"max_open": 2}],
        policy={"allow_flexpool": True, "allow_reserve_places": True, "allow_asielreserve": True},
    )
    m = extensive_form(baseline_problem(chain_data(case), inflow(case, first=10.0), occupancy_norm=0.8))
    domains: dict[str, set[str]] = {}
    for var in m.component_data_objects(pyo.Var):
        domains.setdefault(var.parent_component().local_name, set()).add(str(var.domain))
    assert set(domains) == CHAIN_VARIABLES
    for name, seen in domains.items():
        assert seen == {"NonNegativeIntegers" if name in INTEGER_VARIABLES else "NonNegativeReals"}, name
    # Location_Balance's bounds: at most max_open (2) locations opened or closed at a decision
    for key in m.first.LOC_DECISION:
        assert (m.first.Opened[key].ub, m.first.Closed[key].ub) == (2, 2), key


@pytest.mark.solver
def test_pre_horizon_cohorts_are_trainees_until_they_arrive():
    """Trainees_{p,t} = sum of this plan's cohorts in training + sum_{t' > t} A_{p,t'}; Staff gains
    A_{p,t} in period t (a simulation's state: cohorts hired before the planning moment).

    IND (10 FTE, no attrition) with 3 FTE arriving at t = 1 and 2 at t = 2, no new hiring: trainees
    [5, 2, 0, 0] (the trainee cap at 1 trainee per FTE), staff [10, 13, 15, 15]; at most 10
    cohorts per intake (Hire's upper bound)."""
    case = make_case(ind={"adjustable": True, "max_cohorts_per_intake": 10, "trainee_cap_share": 1.0})
    d = chain_data(case)
    staff = dict(d.staff)
    staff["ind"] = replace(staff["ind"], arriving_fte=(0.0, 3.0, 2.0))
    m = extensive_form(chain_problem(replace(d, staff=staff), [ScenarioInflow("s", inflow(case))], [1.0]))
    f = m.first
    for key in f.INTAKE:
        assert f.Hire[key].ub == 10
        f.Hire[key].fix(0)
    assert [pyo.value(f.Trainees["ind", t]) for t in range(4)] == pytest.approx([5.0, 2.0, 0.0, 0.0])
    assert HighsSolver(EXACT).solve(m).status == Status.OPTIMAL
    assert path(f.Staff, "ind") == pytest.approx([10.0, 13.0, 15.0, 15.0], abs=TOL)


@pytest.mark.solver
def test_a_pre_horizon_cohort_arriving_in_the_first_period_counts_there():
    """A_{p,0}: IND 10 FTE, no attrition, 4 FTE of a pre-horizon cohort productive from t = 0 and
    no new hiring: staff 10 + 4 = 14 in every period, and no trainees (nothing arrives later)."""
    case = make_case(ind={"adjustable": True, "trainee_cap_share": 1.0})
    d = chain_data(case)
    staff = dict(d.staff)
    staff["ind"] = replace(staff["ind"], arriving_fte=(4.0,))
    m = extensive_form(chain_problem(replace(d, staff=staff), [ScenarioInflow("s", inflow(case))], [1.0]))
    for key in m.first.INTAKE:
        m.first.Hire[key].fix(0)
    assert [pyo.value(m.first.Trainees["ind", t]) for t in range(4)] == pytest.approx([0.0] * 4)
    assert HighsSolver(EXACT).solve(m).status == Status.OPTIMAL
    assert path(m.first.Staff, "ind") == pytest.approx([14.0] * 4, abs=TOL)


@pytest.mark.unit
@pytest.mark.parametrize(("returns_cap", "dtv_fte"), [(None, 4.5), (120.0, 3.0)])
def test_end_staff_targets_of_registration_and_dtv(returns_cap, dtv_fte):
    """End-of-horizon staff targets min(S0, MPP-mid work of the last year / output), quarterly.

    * Registration: the categories that need registration, first 240 + repeat 40 = 280 a year =
      70 a quarter, at 100 an FTE-quarter: 0.7 FTE.
    * DT&V: the rejections, (1 - g_T) x sum of reception share x mid over the categories with
      decision work, at the last period's permit share: first 240 a year, all in reception;
      repeat 40 (none in reception); nareis 20 in reception but without decision work (never
      rejected). Permit share [0.5, 0.5, 0.5, 0.25]: 0.75 x 240 = 180 a year, 45 a quarter, at
      10 returns an FTE-quarter 4.5 FTE; with returns capped at 120 a year: 30 a quarter, 3 FTE.
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}, "nareis": {"reception_share": 1.0}},
        registration={"adjustable": True},
        dtv={"adjustable": True, "max_returns_per_year": returns_cap},
        permit_share=[0.5, 0.5, 0.5, 0.25],
    )
    mid = {"first": 240.0, "repeat": 40.0, "nareis": 20.0}
    rows = [r.model_copy(update={"mid": mid[r.category.value]}) for r in case.mpp]
    d = chain_data(case.model_copy(update={"mpp": tuple(rows)}))
    assert d.terminal_staff_fte == pytest.approx({"registration": 0.7, "dtv": dtv_fte})


@pytest.mark.unit
def test_chain_data_from_the_mpp_mid_year():
    """ChainData's MPP-derived terms, by hand (one year in quarters, MPP-mid 240 first, 40 repeat
    and 20 nareis a year):

    * pre-horizon registrations per quarter (late cohorts): 240/4 = 60, 40/4 = 10, 20/4 = 5;
    * the IND's end-of-horizon staff target min(S0, need / output): work 1 x 240 + 0.5 x 40 = 260
      a year = 65 a quarter at 10 decisions an FTE-quarter: min(10, 6.5) = 6.5 FTE;
    * a minimum reserve contract of 1 month runs one period (a quarter)."""
    case = make_case(ind={"adjustable": True, "initial_fte": 10.0}, coa={"reserve_min_contract_months": 1})
    mid = {"first": 240.0, "repeat": 40.0, "nareis": 20.0}
    rows = [r.model_copy(update={"mid": mid[r.category.value]}) for r in case.mpp]
    d = chain_data(case.model_copy(update={"mpp": tuple(rows)}))
    assert d.prehorizon_registrations == pytest.approx({"first": 60.0, "repeat": 10.0, "nareis": 5.0})
    assert (d.periods_per_year, d.months_per_period) == (4, 3)
    assert d.terminal_staff_fte == pytest.approx({"ind": 6.5})
    assert d.reserve_min_contract_periods == 1
