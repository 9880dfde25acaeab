"""One hand-solvable case per constraint family of the chain model.

Every case is built by ``model_cases.make_case`` on the *null* case (quarterly,
one year, T = 4 periods of 3 months, all costs and penalties zero, reception
share 0; see that module) and switches on only what the family needs. The
expected numbers are derived in each test's docstring; none is copied from a
solver run. Quarter arithmetic used throughout: EUR 4,000 a year = EUR 1,000 a
quarter; 40 cases per FTE-year = 10 per FTE-quarter; a quarter has
365.25 / 12 x 3 = 91.3125 days.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pyomo.environ as pyo
import pytest

from bekostiging.model import ScenarioInflow, baseline_problem, chain_data, chain_problem
from bekostiging.model.data import MONEY_SCALE, first_opening_period
from bekostiging.model.first_stage import add_asielreserve, add_flexpool, add_reserve_places, add_sets
from bekostiging.model.second_stage import registered
from bekostiging.solver import HighsSolver, Status
from bekostiging.twostage import Risk, extensive_form
from model_cases import (
    EXACT,
    YEAR,
    baseline,
    inflow,
    make_case,
    path,
    solve_chain,
    v,
)

TOL = 1e-6
EUR = 1.0 / MONEY_SCALE  # one euro in model money (M EUR)
MODEL_DIR = Path(__file__).parents[1] / "src" / "bekostiging" / "model"


def _solved(case, inflows, probabilities=None, **kw):
    m, outcome, data = solve_chain(case, inflows, probabilities, **kw)
    assert outcome.status == Status.OPTIMAL, outcome.describe()
    return m, data


def _fix_hires(m, hires: dict[tuple[str, int], int]) -> None:
    for key in m.first.INTAKE:
        m.first.Hire[key].fix(hires.get(key, 0))


def _eur(x) -> float:
    return v(x) * MONEY_SCALE


# --------------------------------------------------------------------------- stage 1


@pytest.mark.unit
def test_add_sets():
    """add_sets: T = 0..3 (a year in quarters); intake moments every ``intake_interval_months``.

    IND intake every 6 months = every 2 quarters -> periods 0, 2; DT&V every
    3 months -> 0, 1, 2, 3; registration is a fixed formation -> no intake. COA
    decides every 6 months -> location decisions at 0 and 2. Budget lines are
    the four partners plus the flex pool.
    """
    case = make_case(
        ind={"adjustable": True, "intake_interval_months": 6},
        dtv={"adjustable": True, "intake_interval_months": 3},
        coa={"location_decision_interval_months": 6},
    )
    m = pyo.ConcreteModel()
    add_sets(m, chain_data(case))
    assert list(m.T) == [0, 1, 2, 3]
    assert list(m.YEARS) == [YEAR]
    assert sorted(m.INTAKE) == [("dtv", 0), ("dtv", 1), ("dtv", 2), ("dtv", 3), ("ind", 0), ("ind", 2)]
    assert list(m.LOC_DECISION) == [("std", 0), ("std", 2)]
    assert list(m.LINES) == ["registration", "ind", "coa", "dtv", "flexpool"]
    # every set in the order given, whatever the hash seed (an unordered set of names follows
    # it), and the intake moments and location decisions as (name, period) pairs
    for name in ("T", "YEARS", "P", "L", "LINES", "TASKS", "INTAKE", "LOC_DECISION"):
        assert m.component(name).isordered(), name
    assert (m.INTAKE.dimen, m.LOC_DECISION.dimen) == (2, 2)


@pytest.mark.solver
def test_add_staff_balance():
    """Staff_Balance (monthly): attrition 12 %/yr and a cohort appearing after its lag.

    IND 100 FTE, attrition 12 % a year -> retention rho = 0.88^(1/12) a month;
    Staff_t = rho Staff_{t-1} (+ cohort), Staff_{-1} = 100, so without hiring
    Staff_t = 100 rho^(t+1): after 3 periods (t = 2) 100 x 0.88^(3/12) = 96.853...
    One cohort of 5 FTE hired at t = 3 (intake every 3 months), training 2 months
    = lag 2: trainee at t = 3, 4, productive from t = 5, where
    Staff_5 = 100 rho^6 + 5 and later Staff_t = 100 rho^(t+1) + 5 rho^(t-5).
    Capacity = 10 decisions per FTE-month x (Staff + 0.5 x Trainees).
    Registration (fixed formation) keeps its 100 FTE in every period.
    """
    case = make_case(
        horizon={"period": "month"},
        ind={
            "adjustable": True,
            "initial_fte": 100.0,
            "attrition_per_year": 0.12,
            "cohort_fte": 5.0,
            "training_months": 2,
            "output_per_fte_year": 120.0,
            "trainee_productivity_share": 0.5,
        },
    )
    m, _ = _solved(case, inflow(case), fix=lambda m: _fix_hires(m, {("ind", 3): 1}))
    rho = 0.88 ** (1 / 12)
    staff = path(m.first.Staff, "ind")
    expected = [100 * rho ** (t + 1) + (5 * rho ** (t - 5) if t >= 5 else 0.0) for t in range(12)]
    assert staff == pytest.approx(expected, abs=TOL)
    assert staff[2] == pytest.approx(100 * 0.88 ** (3 / 12), abs=TOL)
    assert staff[4] == pytest.approx(100 * rho**5, abs=TOL)  # cohort not yet productive
    assert staff[5] == pytest.approx(100 * rho**6 + 5, abs=TOL)
    trainees = [v(m.first.Trainees["ind", t]) for t in range(12)]
    assert trainees == pytest.approx([0, 0, 0, 5, 5] + [0] * 7, abs=TOL)
    capacity = [v(m.first.Capacity["ind", t]) for t in range(12)]
    assert capacity == pytest.approx([10 * (s + 0.5 * tr) for s, tr in zip(staff, trainees, strict=True)])
    assert path(m.first.Staff, "registration") == pytest.approx([100.0] * 12, abs=TOL)


@pytest.mark.solver
def test_add_trainee_cap():
    """Trainee_Cap binds at 25 % of productive staff, rounded down to whole cohorts.

    IND 42 FTE, no attrition, cohorts of 1 FTE, training 3 months = 1 quarter,
    cost EUR 4,000/FTE-yr (1,000 a quarter); a backlog of 10,000 first
    applications, capacity 10 per FTE-quarter, legal term 1 quarter, late cases
    EUR 1,000 per case-month. One extra FTE from t + 1 on cuts late cases by at
    least 10 a quarter (3,000 x 10 = EUR 30,000) for EUR 1,000 a quarter, so
    hiring is as large as the cap allows while a cohort still becomes
    productive within the year (t <= 2):
    t = 0: Hire <= 0.25 x 42 = 10.5 -> 10; Staff_1 = 52;
    t = 1: Hire <= 0.25 x 52 = 13;  Staff_2 = 65;
    t = 2: Hire <= 0.25 x 65 = 16.25 -> 16; Staff_3 = 81;
    t = 3: a cohort would be productive after the horizon: 0.
    """
    case = make_case(
        ind={
            "adjustable": True,
            "initial_fte": 42.0,
            "cohort_fte": 1.0,
            "max_cohorts_per_intake": 100,
            "cost_per_fte_year_eur": 4000.0,
            "trainee_cap_share": 0.25,
        },
        stocks={"ind_backlog": {"first": 10000.0}},
        penalties={"late_case_month_eur": 1000.0},
    )
    m, _ = _solved(case, inflow(case))
    hires = [v(m.first.Hire["ind", t]) for t in range(4)]
    assert hires == pytest.approx([10, 13, 16, 0], abs=TOL)
    assert path(m.first.Staff, "ind") == pytest.approx([42, 52, 65, 81], abs=TOL)
    for t, cap in enumerate([10.5, 13.0, 16.25]):
        assert v(m.first.Trainees["ind", t]) <= cap + TOL
        assert v(m.first.Trainees["ind", t]) > cap - 1  # no room for one more cohort
    assert "registration" not in {p for p, _t in m.first.Trainee_Cap}  # fixed formation: no cap rows


@pytest.mark.solver
def test_add_location_balance():
    """Location_Balance: openings only after the lead time, then as many as pay.

    One location type of 10 places, 1 open, at most 3, lead time 6 months =
    2 quarters, EUR 4,000 a place-year (1,000 a quarter), opening EUR 1,000.
    28 status holders from t = 0 (8 at the start + 20 nareis arriving, no
    housing). Emergency places cost EUR 10,000 a quarter > 1,000, so every
    location that can be used is opened: Opened_0 = Opened_1 = 0 (bound 0 before
    the lead time), Opened_2 = 2, Open = [1, 1, 3, 3], Emergency = 28 - places
    = [18, 18, 0, 0] (the third location houses 8 of its 10: 10 x 1,000 <
    8 x 10,000).
    """
    case = make_case(
        categories={"nareis": {"reception_share": 1.0}},
        locations=[
            {
                "places": 10.0,
                "initially_open": 1,
                "max_open": 3,
                "lead_time_months": 6,
                "opening_cost_eur": 1000.0,
                "cost_per_place_year_eur": 4000.0,
            }
        ],
        stocks={"status_holders": 8.0},
    )
    m, _ = _solved(case, inflow(case, nareis=[20, 0, 0, 0]))
    assert [m.first.Opened["std", t].ub for t in range(4)] == [0, 0, 3, 3]
    assert [v(m.first.Opened["std", t]) for t in range(4)] == pytest.approx([0, 0, 2, 0], abs=TOL)
    assert path(m.first.Open, "std") == pytest.approx([1, 1, 3, 3], abs=TOL)
    assert path(m.scen["s"].Emergency) == pytest.approx([18, 18, 0, 0], abs=TOL)


@pytest.mark.solver
def test_add_reserve_places_and_add_reserve_activation():
    """Reserve_Places (capped at the maximum) and Reserve_Activation (zero before the lead).

    28 residents, 10 regular places (fill 1): a gap of 18 in every quarter.
    Reserve: at most 10 places, holding EUR 1,000/yr (250 a quarter, paid all
    year), activation EUR 2,000/yr (500 a quarter), lead 3 months = 1 quarter.
    A reserve place used in t = 1..3 costs 4 x 250 + 3 x 500 = 2,500 against
    3 x 10,000 of emergency: hold the maximum 10. Then
    ReserveActive = [0, 10, 10, 10] (0 before the lead time) and
    Emergency = 18 - ReserveActive = [18, 8, 8, 8].
    With the policy switch off the reserve's upper bound is 0.
    """
    settings = {
        "categories": {"nareis": {"reception_share": 1.0}},
        "locations": [{"places": 10.0}],
        "stocks": {"status_holders": 8.0},
        "coa": {
            "max_reserve_places": 10.0,
            "reserve_holding_cost_per_place_year_eur": 1000.0,
            "reserve_activation_cost_per_place_year_eur": 2000.0,
            "reserve_activation_months": 3,
        },
    }
    case = make_case(**settings, policy={"allow_reserve_places": True})
    m, _ = _solved(case, inflow(case, nareis=[20, 0, 0, 0]))
    assert v(m.first.ReservePlaces[YEAR]) == pytest.approx(10.0, abs=TOL)
    assert m.first.ReservePlaces[YEAR].ub == pytest.approx(10.0)
    s = m.scen["s"]
    assert path(s.ReserveActive) == pytest.approx([0, 10, 10, 10], abs=TOL)
    assert path(s.Emergency) == pytest.approx([18, 8, 8, 8], abs=TOL)
    off = extensive_form(
        chain_problem(chain_data(make_case(**settings)), [ScenarioInflow("s", inflow(case))], [1])
    )
    assert off.first.ReservePlaces[YEAR].ub == 0


@pytest.mark.solver
def test_add_flexpool_add_pool_activation_add_registration_capacity():
    """Flexpool teams (integer), Pool_Activation (mu x pool) and Registration_Capacity with the pool.

    Registration: 1 FTE x 400 a year = 100 a quarter; inflow 130 first
    applications a quarter; queue EUR 100 per person-day (EUR 9,131 a
    person-quarter). A deployed pool FTE registers 0.5 x 100 = 50 a quarter, so
    the 30 extra need 0.6 FTE deployed every quarter. Teams of 2 FTE of which at
    most mu = 25 % deployable: 0.5 FTE per team -> ceil(0.6 / 0.5) = 2 teams.
    Cost: retainer 4 FTE x 10,000 + activation 4 x 0.6 x 20,000 = EUR 88,000 a
    year, against a queue of 30 + 60 + 90 + 120 = 300 person-quarters
    (EUR 2.7 M): so PoolTeams = 2, PoolActive[registration] = 0.6, queue 0,
    registered 130 a quarter = 100 staff + 30 pool.
    """
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
    m, _ = _solved(case, inflow(case, first=130))
    assert v(m.first.PoolTeams[YEAR]) == pytest.approx(2.0, abs=TOL)
    assert v(m.first.PoolFTE[YEAR]) == pytest.approx(4.0, abs=TOL)
    s = m.scen["s"]
    assert path(s.PoolActive, "registration") == pytest.approx([0.6] * 4, abs=TOL)
    assert path(s.PoolActive, "ind") == pytest.approx([0.0] * 4, abs=TOL)
    assert path(s.RegQueue, "first") == pytest.approx([0.0] * 4, abs=TOL)
    assert path(s.RegisteredVar, "first") == pytest.approx([130.0] * 4, abs=TOL)
    for t in range(4):  # Pool_Activation within mu x PoolFTE = 1 FTE
        assert sum(v(s.PoolActive[j, t]) for j in m.first.TASKS) <= 0.25 * 4.0 + TOL


@pytest.mark.unit
def test_add_reserve_places_add_flexpool_add_asielreserve_bounds_follow_the_policy():
    """The policy switches set the upper bounds: reserve 0 / max, pool 0 / max_teams, reserve 0 / max."""
    on = {"allow_flexpool": True, "allow_reserve_places": True, "allow_asielreserve": True}
    kw = {
        "coa": {"max_reserve_places": 7.0},
        "flexpool": {"max_teams": 3},
        "budget": {"max_asielreserve_eur": 2.0e6},
    }
    for policy, (res, teams, ar) in [(on, (7.0, 3, 2.0)), ({}, (0.0, 0, 0.0))]:
        data = chain_data(make_case(policy=policy, **kw))
        b = pyo.ConcreteModel()
        add_sets(b, data)
        add_reserve_places(b, data)
        add_flexpool(b, data)
        add_asielreserve(b, data)
        assert b.ReservePlaces[YEAR].ub == pytest.approx(res)
        assert b.PoolTeams[YEAR].ub == teams
        assert b.PoolTeams[YEAR].is_integer()
        assert b.ReserveDeposit[YEAR].ub == pytest.approx(ar)


def _occupancy_norm_case(allow_location_changes: bool = True):
    return make_case(
        locations=[
            {
                "places": 10.0,
                "initially_open": 6,
                "max_open": 9,
                "lead_time_months": 6,
                "opening_cost_eur": 1000.0,
                "closing_cost_eur": 1.0e7,
                "cost_per_place_year_eur": 4000.0,
            }
        ],
        policy={"occupancy_norm": 0.95, "allow_location_changes": allow_location_changes},
    )


@pytest.mark.solver
def test_add_occupancy_norm():
    """Occupancy_Norm: Places_t >= min(O_mpp_t / beta, reachable_t) from the first period openings can land.

    Locations of 10 places, 6 open, at most 9, lead 6 months = 2 quarters, so
    t0 = 2 and no norm row at t = 0, 1. MPP occupancy [50, 50, 72, 95], beta 0.95:
    t = 2: 72 / 0.95 = 75.8 < reachable 90 -> 8 locations (80 places);
    t = 3: 95 / 0.95 = 100 > reachable 90 -> capped at 90 -> 9 locations.
    Places cost money and closing costs EUR 10 M, so Open = [6, 6, 8, 9].
    When locations follow the MPP plan (allow_location_changes = false) the
    family has no rows.
    """
    case = _occupancy_norm_case()
    base = baseline(case, occupancy=[50, 50, 72, 95])
    m, _ = _solved(case, inflow(case), base=base)
    assert sorted(m.first.Occupancy_Norm) == [2, 3]
    assert path(m.first.Open, "std") == pytest.approx([6, 6, 8, 9], abs=TOL)
    assert v(m.first.Places[3]) == pytest.approx(90.0, abs=TOL)
    quo = _occupancy_norm_case(allow_location_changes=False)
    data = chain_data(quo).with_baseline(base)
    mq = extensive_form(chain_problem(data, [ScenarioInflow("s", inflow(quo))], [1.0]))
    assert len(mq.first.Occupancy_Norm) == 0


def _structural_case():
    return make_case(
        ind={
            "adjustable": True,
            "initial_fte": 10.0,
            "cost_per_fte_year_eur": 40000.0,
            "hiring_cost_per_fte_eur": 2000.0,
            "cohort_fte": 5.0,
            "trainee_cap_share": 0.5,
        },
        locations=[
            {
                "places": 10.0,
                "initially_open": 2,
                "max_open": 2,
                "cost_per_place_year_eur": 4000.0,
                "closing_cost_eur": 1.0e6,
            }
        ],
        coa={"max_reserve_places": 100.0, "reserve_holding_cost_per_place_year_eur": 400.0},
        flexpool={"team_fte": 2.0, "max_teams": 3, "retainer_cost_per_fte_year_eur": 1000.0},
        budget={
            "asielreserve_opportunity_rate": 0.03,
            "max_asielreserve_eur": 1.0e7,
            "unspent_budget_weight": 0.02,
        },
        policy={"allow_flexpool": True, "allow_reserve_places": True, "allow_asielreserve": True},
    )


def _fix_structural(m):
    _fix_hires(m, {("ind", 0): 1})
    m.first.ReservePlaces[YEAR].fix(5.0)
    m.first.PoolTeams[YEAR].fix(1)
    m.first.ReserveDeposit[YEAR].fix(1.0)  # M EUR (no cost in stage 1)


@pytest.mark.solver
def test_add_structural_cost_and_add_budget_covers_structural():
    """Structural_Cost per line, FirstStageCost, and Budget_Covers_Structural binding.

    IND: 10 FTE at EUR 10,000 a quarter; one cohort of 5 FTE hired at t = 0
    (lag 1: trainee at t = 0, productive from t = 1), hiring EUR 2,000 per FTE:
    10,000 x (10 + 5) + 3 x 10,000 x 15 + 2,000 x 5 = 150,000 + 450,000 + 10,000
    = EUR 610,000.
    COA (closing costs EUR 1 M, so both stay open):
    2 x 10 places x 1,000 a quarter x 4 = 80,000, plus 5 reserve places
    held at 100 a quarter x 4 = 2,000: EUR 82,000.
    Flex pool: 1 team = 2 FTE x 250 a quarter x 4 = EUR 2,000.
    FirstStageCost = 610,000 + 82,000 + 2,000 = EUR 694,000 (the deposit into the
    asielreserve is not spending; its weight is per scenario, ``add_reserve_fund``).
    No stage-2 spending and an underspend penalty: each budget equals its
    structural cost (the row binds): IND 610,000, COA 82,000, pool 2,000, others 0.
    """
    m, _ = _solved(_structural_case(), inflow(_structural_case()), fix=_fix_structural)
    f = m.first
    expected = {"ind": 610_000.0, "coa": 82_000.0, "flexpool": 2_000.0, "registration": 0.0, "dtv": 0.0}
    for line, eur in expected.items():
        assert _eur(f.StructuralCost[line, YEAR]) == pytest.approx(eur, abs=1e-3), line
        assert _eur(f.Budget[line, YEAR]) == pytest.approx(eur, abs=1e-3), line
    assert _eur(f.FirstStageCost) == pytest.approx(694_000.0, abs=1e-3)


def _budget_case(**budget):
    policy = budget.pop("policy", {})
    return make_case(
        categories={"nareis": {"reception_share": 1.0}},
        stocks={"status_holders": 25.0},
        coa={"cost_per_resident_year_eur": 40000.0},
        budget={
            "asielreserve_opportunity_rate": 0.03,
            "supplementary_penalty": 0.25,
            "unspent_budget_weight": 0.5,
            **budget,
        },
        policy={
            "allow_asielreserve": budget.get("max_asielreserve_eur", 0) > 0,
            **policy,
        },
    )


def _budget_inflows(case):
    return {"low": inflow(case), "high": inflow(case, nareis=[50, 0, 0, 0])}


@pytest.mark.solver
@pytest.mark.parametrize(
    ("cap_eur", "budget_m", "reserve_m", "draw_m", "supp_m"),
    [(1.0e7, 1.0, 2.0, 2.0, 0.0), (1.0e6, 1.0, 1.0, 1.0, 1.0), (0.0, 1.0, 0.0, 0.0, 2.0)],
)
def test_add_budget_execution(cap_eur, budget_m, reserve_m, draw_m, supp_m):
    """Budget_Execution, Overspend_Cover and Reserve_Draw_Limit: reserve first, then supplementary.

    Residents cost EUR 40,000 a year: 25 status holders all year (low, p = 0.5)
    spend EUR 1 M, 75 (high: 50 nareis arrive at t = 0, no housing) EUR 3 M.
    Budget B (stage 1), asielreserve A at 3 %, supplementary funding at 0.25 per
    euro, unspent budget at 0.5 per euro. Expected penalty for B in [1, 3]:
    f = 0.5 x 0.5 (B - 1) + 0.03 A + 0.5 x 0.25 (3 - B - A)+, A <= cap.
    * cap EUR 10 M: a reserve euro (0.03) is cheaper than 0.5 x 0.25 = 0.125 of
      expected supplementary, and the underspend slope 0.25 > 0.03: B = 1,
      A = 2, high draws 2, no supplementary.
    * cap EUR 1 M: A = 1; raising B above 1 costs 0.25 and saves 0.125: B = 1,
      high draws 1 and needs 1 supplementary.
    * no asielreserve (policy off): B = 1, high needs 2 supplementary.
    The low scenario spends exactly its budget: no draw, no supplementary, no under.
    """
    case = _budget_case(max_asielreserve_eur=cap_eur)
    m, _ = _solved(case, _budget_inflows(case))
    f = m.first
    assert v(f.Budget["coa", YEAR]) == pytest.approx(budget_m, abs=TOL)
    assert v(f.ReserveDeposit[YEAR]) == pytest.approx(reserve_m, abs=TOL)
    low, high = m.scen["low"], m.scen["high"]
    assert v(high.Spending["coa", YEAR]) == pytest.approx(3.0, abs=TOL)
    assert v(low.Spending["coa", YEAR]) == pytest.approx(1.0, abs=TOL)
    assert v(high.Over["coa", YEAR]) == pytest.approx(3.0 - budget_m, abs=TOL)
    assert v(high.ReserveDraw[YEAR]) == pytest.approx(draw_m, abs=TOL)
    assert v(high.Supplementary[YEAR]) == pytest.approx(supp_m, abs=TOL)
    assert v(high.ReserveDraw[YEAR]) <= v(f.ReserveDeposit[YEAR]) + TOL  # Reserve_Draw_Limit
    for name in ("ReserveDraw", "Supplementary"):
        assert v(getattr(low, name)[YEAR]) == pytest.approx(0.0, abs=TOL)
    assert sum(v(low.Under[p, YEAR]) for p in f.LINES) == pytest.approx(0.0, abs=TOL)


@pytest.mark.solver
@pytest.mark.parametrize(
    ("policy", "budget_m", "reserve_m", "low_draw_m", "swept"),
    [
        ({"funding_ratio_min": 1.25}, 2.5, 0.5, 0.0, ("funding_ratio_min", 1.5, 3.0)),
        ({"funding_ratio_max": 0.4}, 0.8, 2.2, 0.2, ("funding_ratio_max", 0.3, 0.6)),
    ],
)
def test_add_funding_ratio(policy, budget_m, reserve_m, low_draw_m, swept):
    """Funding_Ratio: the chain budget within [r_min, r_max] x the MPP need (EUR 2 M here).

    Same spending as the budget test (EUR 1 M low, 3 M high), asielreserve cap
    EUR 10 M, so without a ratio B = 1 M. MPP need N = EUR 2 M (coa, 2026).
    * r_min = 1.25: total budget >= 2.5 M. Between 2.5 and 3 the penalty
      0.25 (B - 1) + 0.03 (3 - B) rises with B: B = 2.5 (on the COA line: the
      only line whose budget is spent in a scenario), A = 0.5.
    * r_max = 0.4: total budget <= 0.8 M, below the low scenario's 1 M: B = 0.8,
      A = 3 - 0.8 = 2.2 (reserve 0.03 < supplementary 0.125), low draws 0.2.
    The ratios are mutable parameters (a sweep changes them in place): r_min = 1.5 moves the
    budget to its new floor 3 M, r_max = 0.3 to its new ceiling 0.6 M, for the same reasons.
    """
    case = _budget_case(max_asielreserve_eur=1.0e7, policy=policy)
    base = baseline(case, need_eur={("coa", YEAR): 2.0e6})
    m, _ = _solved(case, _budget_inflows(case), base=base)
    f = m.first
    assert sum(v(f.Budget[p, YEAR]) for p in f.LINES) == pytest.approx(budget_m, abs=TOL)
    assert v(f.Budget["coa", YEAR]) == pytest.approx(budget_m, abs=TOL)
    assert v(f.ReserveDeposit[YEAR]) == pytest.approx(reserve_m, abs=TOL)
    assert v(m.scen["low"].ReserveDraw[YEAR]) == pytest.approx(low_draw_m, abs=TOL)
    assert v(m.scen["high"].Supplementary[YEAR]) == pytest.approx(0.0, abs=TOL)
    name, ratio, swept_budget_m = swept
    getattr(f, name).set_value(ratio)
    assert HighsSolver(EXACT).solve(m).status == Status.OPTIMAL
    assert sum(v(f.Budget[p, YEAR]) for p in f.LINES) == pytest.approx(swept_budget_m, abs=TOL)


@pytest.mark.solver
def test_add_funding_ratio_per_partner():
    """Funding_Ratio with ``funding_ratio_scope = "partner"``: each line with a need gets its own floor.

    Needs EUR 2 M (coa) and 1 M (ind), r_min = 1.25. Per partner: coa >= 2.5 M,
    ind >= 1.25 M. IND has no spending in this case, so its budget sits at the floor
    (every euro above it is underspent: penalty, no use): B_ind = 1.25. COA as in
    ``test_add_funding_ratio``: B_coa = 2.5, A = 0.5. With the chain scope the same
    total floor (3.75 M) would not force a euro onto IND's line.
    """
    needs = {("coa", YEAR): 2.0e6, ("ind", YEAR): 1.0e6}
    policy = {"funding_ratio_min": 1.25, "funding_ratio_scope": "partner"}
    case = _budget_case(max_asielreserve_eur=1.0e7, policy=policy)
    base = baseline(case, need_eur=needs)
    m, _ = _solved(case, _budget_inflows(case), base=base)
    f = m.first
    assert v(f.Budget["ind", YEAR]) == pytest.approx(1.25, abs=TOL)
    assert v(f.Budget["coa", YEAR]) == pytest.approx(2.5, abs=TOL)
    assert v(f.ReserveDeposit[YEAR]) == pytest.approx(0.5, abs=TOL)
    assert set(f.FUNDING_GROUPS) == {"coa", "ind"}  # lines with an MPP need only
    # in the budget lines' order whatever the hash seed (an unordered set would follow it)
    assert f.FUNDING_GROUPS.isordered() and list(f.FUNDING_GROUPS) == ["ind", "coa"]
    # without a baseline (no MPP need at all) the partner scope has no group and no row
    plain = extensive_form(chain_problem(chain_data(case), [ScenarioInflow("s", inflow(case))], [1.0]))
    assert len(plain.first.FUNDING_GROUPS) == 0 and len(plain.first.Funding_Ratio_Min) == 0

    chain = _budget_case(max_asielreserve_eur=1.0e7, policy={"funding_ratio_min": 1.25})
    mc, _ = _solved(chain, _budget_inflows(chain), base=baseline(chain, need_eur=needs))
    assert v(mc.first.Budget["ind", YEAR]) == pytest.approx(0.0, abs=TOL)


@pytest.mark.unit
def test_add_funding_ratio_maximum_rows_per_year():
    """Funding_Ratio_Max over two budget years, the MPP need (COA EUR 2 M) in the first only, r_max
    1.5: per partner a row only where the line has a need (COA 2026; a cap of 1.5 x 0 would
    abolish its 2027 budget); for the chain a row in every year (the chain's budget follows the
    chain's need, 0 in 2027)."""
    needs = {("coa", YEAR): 2.0e6}
    rows = {}
    for scope in ("partner", "chain"):
        case = make_case(
            horizon={"years": 2}, policy={"funding_ratio_max": 1.5, "funding_ratio_scope": scope}
        )
        data = chain_data(case).with_baseline(baseline(case, need_eur=needs))
        m = extensive_form(chain_problem(data, [ScenarioInflow("s", inflow(case))], [1.0]))
        rows[scope] = list(m.first.Funding_Ratio_Max)
    assert rows == {"partner": [("coa", YEAR)], "chain": [("chain", YEAR), ("chain", YEAR + 1)]}


@pytest.mark.solver
def test_add_funding_ratio_per_partner_maximum_keeps_the_pool_budget():
    """Funding_Ratio, scope "partner" with a maximum: the flex pool (no MPP need) keeps its budget.

    Needs EUR 2 M (coa) and 0.5 M (ind), r_max = 1.5: a cap row for each line with a need, however
    small, and none for the pool. One pool team of 2 FTE is
    fixed, retainer EUR 40,000 an FTE-year: structural cost EUR 80,000 on the
    flexpool line, so Budget_Covers_Structural needs B_pool >= 0.08 M. A cap of
    r_max x 0 on the pool's line (the old rows) made this infeasible; the pool is
    in no funding group now, and B_pool = 0.08 M (every euro above it is underspent).
    """
    needs = {("coa", YEAR): 2.0e6, ("ind", YEAR): 0.5e6}
    case = _budget_case(
        max_asielreserve_eur=1.0e7,
        policy={"funding_ratio_max": 1.5, "funding_ratio_scope": "partner", "allow_flexpool": True},
    )
    case = case.model_copy(
        update={
            "settings": case.settings.model_copy(
                update={
                    "flexpool": case.settings.flexpool.model_copy(
                        update={"max_teams": 1, "retainer_cost_per_fte_year_eur": 40000.0}
                    )
                }
            )
        }
    )
    m, _ = _solved(
        case,
        _budget_inflows(case),
        base=baseline(case, need_eur=needs),
        fix=lambda m: m.first.PoolTeams[YEAR].fix(1),
    )
    f = m.first
    assert "flexpool" not in set(f.FUNDING_GROUPS)
    assert v(f.Budget["flexpool", YEAR]) == pytest.approx(0.08, abs=TOL)
    assert v(f.Budget["coa", YEAR]) <= 1.5 * 2.0 + TOL
    assert v(f.Budget["ind", YEAR]) <= 1.5 * 0.5 + TOL
    assert sorted(f.Funding_Ratio_Max) == [("coa", YEAR), ("ind", YEAR)]


YEAR2 = YEAR + 1


def _fund_case(**budget):
    """Two budget years in quarters; residents cost EUR 40,000 a year (EUR 10,000 a quarter)."""
    policy = budget.pop("policy", {})
    return make_case(
        horizon={"years": 2},
        categories={"nareis": {"reception_share": 1.0}},
        coa={"cost_per_resident_year_eur": 40000.0},
        budget={"supplementary_penalty": 0.25, **budget},
        policy=policy,
    )


def _fund_inflows(case):
    """``early``: 25 nareis at t = 0 (spend EUR 1 M in 2026 and 1 M in 2027);
    ``late``: 50 nareis at t = 4 (spend 0 in 2026, 2 M in 2027)."""
    n = len(case.periods)
    early = [25.0] + [0.0] * (n - 1)
    late = [0.0] * 4 + [50.0] + [0.0] * (n - 5)
    return {"early": inflow(case, nareis=early), "late": inflow(case, nareis=late)}


@pytest.mark.solver
def test_add_reserve_fund_one_deposit_serves_both_years():
    """Reserve_Fund: a balance carried from year to year, so one deposit covers either year's overrun.

    p = 0.5 each; weights: unspent budget 0.5, supplementary 0.25, reserve 0.03 per
    euro available per year; deposits allowed (``versterkt``), max EUR 10 M.
    Deposit 1 M in 2026 (Dep_2026 = 1), budgets B_2026 = 0, B_2027 = 1:
    * early: overspends 1 in 2026 -> draws 1; balance 0 in 2026 and 2027;
    * late: nothing to draw in 2026 -> balance 1 carried; 2027 overspend 1 -> draws it.
    Weights: 0.03 x 1 (2026, both) + 0.5 x 0.03 x 1 (late, 2027) = 0.045 M, on top of
    the expected cash spending of 2 M (the deposit itself is not spending). Any
    budget above the spending of a scenario costs 0.25 per expected euro unspent and
    supplementary funding 0.125: both dearer than 0.045 per euro, so this is optimal.
    """
    case = _fund_case(
        unspent_budget_weight=0.5,
        asielreserve_opportunity_rate=0.03,
        max_asielreserve_eur=1.0e7,
        policy={"allow_asielreserve": True},
    )
    m, _ = _solved(case, _fund_inflows(case))
    f, early, late = m.first, m.scen["early"], m.scen["late"]
    assert v(f.ReserveDeposit[YEAR]) == pytest.approx(1.0, abs=TOL)
    assert v(f.ReserveDeposit[YEAR2]) == pytest.approx(0.0, abs=TOL)
    assert v(f.Budget["coa", YEAR]) == pytest.approx(0.0, abs=TOL)
    assert v(f.Budget["coa", YEAR2]) == pytest.approx(1.0, abs=TOL)
    assert [v(early.ReserveDraw[y]) for y in (YEAR, YEAR2)] == pytest.approx([1.0, 0.0], abs=TOL)
    assert [v(late.ReserveDraw[y]) for y in (YEAR, YEAR2)] == pytest.approx([0.0, 1.0], abs=TOL)
    assert v(late.ReserveBalance[YEAR]) == pytest.approx(1.0, abs=TOL)  # carried, not refilled
    for b in (early, late):
        assert v(b.ReserveBalance[YEAR2]) == pytest.approx(0.0, abs=TOL)
        assert sum(v(b.Supplementary[y]) for y in (YEAR, YEAR2)) == pytest.approx(0.0, abs=TOL)
    assert v(m.Objective) == pytest.approx(2.0 + 0.045, abs=TOL)


@pytest.mark.solver
@pytest.mark.parametrize(
    ("policy", "inflow_m", "supp_m"),
    [
        ({"allow_asielreserve": False}, 0.5, 0.5),  # today's rule: at most 50 % of the budget carried over
        ({"allow_asielreserve": True, "asielreserve_rule": "eindejaarsmarge"}, 0.5, 0.5),
        ({"allow_asielreserve": True, "asielreserve_rule": "versterkt"}, 1.0, 0.0),  # all underspend
    ],
)
def test_add_reserve_fund_underspend_flows_in_by_the_rule(policy, inflow_m, supp_m):
    """Reserve_Inflow_Underspend / Reserve_Inflow_Rule: how much of 2026's underspend reaches 2027.

    Budgets fixed at 1 M in both years, no deposits, eindejaarsmarge m = 0.5, no
    weights but supplementary 0.25. ``late`` spends 0 in 2026 (underspend 1) and
    2 M in 2027 (overspend 1). Today's rule lets in min(1, 0.5 x 1) = 0.5, which
    pays half the overrun (supplementary 0.5); the strengthened reserve lets in all
    of it (supplementary 0). Underspend that does not flow in lapses: no cost.
    """
    case = _fund_case(eindejaarsmarge_share=0.5, max_asielreserve_eur=1.0e7, policy=policy)

    def fix(m):
        for y in (YEAR, YEAR2):
            for line in m.first.LINES:
                m.first.Budget[line, y].fix(1.0 if line == "coa" else 0.0)
            m.first.ReserveDeposit[y].fix(0.0)

    m, _ = _solved(case, _fund_inflows(case), fix=fix)
    late = m.scen["late"]
    assert v(late.Under["coa", YEAR]) == pytest.approx(1.0, abs=TOL)
    assert v(late.ReserveInflow[YEAR]) == pytest.approx(inflow_m, abs=TOL)
    assert v(late.ReserveDraw[YEAR2]) == pytest.approx(inflow_m, abs=TOL)
    assert v(late.Supplementary[YEAR2]) == pytest.approx(supp_m, abs=TOL)
    assert v(late.ReserveBalance[YEAR2]) == pytest.approx(0.0, abs=TOL)


PLAN_KEYS = (("Hire", "ind"), ("Opened", "std"), ("Closed", "std"))


@pytest.mark.solver
@pytest.mark.parametrize(
    ("allow_staff", "allow_locations", "staff", "open_"),
    [
        (True, True, [10, 10, 10, 10], [1, 1, 1, 1]),
        (False, True, [10, 12, 12, 12], [1, 1, 1, 1]),
        (True, False, [10, 10, 10, 10], [1, 1, 2, 2]),
        (False, False, [10, 12, 12, 12], [1, 1, 2, 2]),
    ],
)
def test_add_policy_plan(allow_staff, allow_locations, staff, open_):
    """Policy_Plan: where capacity follows the MPP plan, its hiring / openings are fixed.

    IND 10 FTE (cohorts of 1 FTE, lag 1 quarter, EUR 4,000 an FTE-year) and a
    location type of 10 places (1 open, at most 2, EUR 4,000 a place-year,
    closing EUR 1 M); nothing needs capacity, so a free plan hires and opens nothing:
    Staff = 10, Open = 1. The MPP plan has Hire[ind,0] = 2 and Opened[std,2] = 1:
    * allow_staff_changes = false fixes the hiring: Staff = [10, 12, 12, 12]
      (2 cohorts productive from t = 1);
    * allow_location_changes = false fixes the openings: Open = [1, 1, 2, 2].
    """
    plan = {f"{var}[{key},{t}]": 0.0 for var, key in PLAN_KEYS for t in range(4)}
    plan |= {"Hire[ind,0]": 2.0, "Opened[std,2]": 1.0}
    case = make_case(
        ind={"adjustable": True, "cost_per_fte_year_eur": 4000.0, "cohort_fte": 1.0},
        locations=[
            {"places": 10.0, "max_open": 2, "cost_per_place_year_eur": 4000.0, "closing_cost_eur": 1.0e6}
        ],
        policy={"allow_staff_changes": allow_staff, "allow_location_changes": allow_locations},
    )
    m, _ = _solved(case, inflow(case), base=baseline(case, first_stage=plan))
    assert m.first.Hire["ind", 0].fixed is (not allow_staff)
    assert m.first.Opened["std", 2].fixed is (not allow_locations)
    assert path(m.first.Staff, "ind") == pytest.approx(staff, abs=TOL)
    assert path(m.first.Open, "std") == pytest.approx(open_, abs=TOL)


# --------------------------------------------------------------------------- stage 2


@pytest.mark.solver
def test_add_registration_queue():
    """Registration_Queue: the queue grows by inflow - capacity.

    Registration 1 FTE = 100 a quarter; inflow 130 first + 20 repeat a quarter
    (both registered), 7 nareis (no registration: Registered = inflow); 5 in
    the queue at the start; queue EUR 1 a person-day and nothing downstream
    costs anything, so registration runs at capacity: 100 a quarter, total
    queue 5 + 50 (t + 1) = [55, 105, 155, 205]; per category
    Q_t = Q_{t-1} + a_t - R_t.
    """
    case = make_case(
        registration={"initial_fte": 1.0},
        stocks={"registration_queue": {"first": 5.0}},
        penalties={"registration_queue_person_day_eur": 1.0},
    )
    a = inflow(case, first=130, nareis=7, repeat=20)
    m, _ = _solved(case, a)
    s = m.scen["s"]
    total = [v(s.RegQueue["first", t]) + v(s.RegQueue["repeat", t]) for t in range(4)]
    assert total == pytest.approx([55, 105, 155, 205], abs=TOL)
    for t in range(4):
        assert v(s.RegisteredVar["first", t]) + v(s.RegisteredVar["repeat", t]) == pytest.approx(100.0)
        assert v(registered(s, "nareis", t)) == pytest.approx(7.0)
        for col, k in ((0, "first"), (2, "repeat")):
            prev = v(s.RegQueue[k, t - 1]) if t else (5.0 if k == "first" else 0.0)
            assert v(s.RegQueue[k, t]) == pytest.approx(prev + a[t, col] - v(s.RegisteredVar[k, t]), abs=TOL)
    assert "nareis" not in set(s.KREG)


@pytest.mark.solver
def test_add_ind_backlog_and_add_decision_capacity():
    """Ind_Backlog and Decision_Capacity with weighted work (repeat = 0.5).

    IND 100 work units a quarter. Start: 50 first, 40 repeat in the backlog;
    inflow 60 first and 40 repeat a quarter, registered at once (registration
    is ample and the queue costs EUR 1 a person-day). Everyone waits
    in COA (reception share 1, EUR 1,000 a person-quarter); decided persons
    leave (housing and returns ample). A repeat decision frees one resident
    for 0.5 work, a first one for 1 work, so repeats go first:
    t = 0: 80 repeat (40 work) + 60 first; first backlog 110 - 60 = 50;
    t = 1: 40 repeat (20) + 80 first -> 50 + 60 - 80 = 30;
    t = 2: 40 + 80 -> 10;  t = 3: 40 + 70 (90 work) -> 0.
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}, "repeat": {"reception_share": 1.0}},
        coa={"cost_per_resident_year_eur": 4000.0},
        locations=[{"places": 1000.0}],
        stocks={"ind_backlog": {"first": 50.0, "repeat": 40.0}},
        penalties={"registration_queue_person_day_eur": 1.0},
        housing=1000.0,
    )
    m, _ = _solved(case, inflow(case, first=60, repeat=40))
    s = m.scen["s"]
    assert path(s.Backlog, "first") == pytest.approx([50, 30, 10, 0], abs=TOL)
    assert path(s.Backlog, "repeat") == pytest.approx([0, 0, 0, 0], abs=TOL)
    assert path(s.Decisions, "repeat") == pytest.approx([80, 40, 40, 40], abs=TOL)
    assert path(s.Decisions, "first") == pytest.approx([60, 80, 80, 70], abs=TOL)
    work = [v(s.Decisions["first", t]) + 0.5 * v(s.Decisions["repeat", t]) for t in range(4)]
    assert work == pytest.approx([100, 100, 100, 90], abs=TOL)


@pytest.mark.solver
@pytest.mark.parametrize(
    ("term_months", "late", "case_months", "late_after_60"),
    [
        (3.0, [250, 210, 170, 130], 2280, [250, 210, 170, 130]),
        (6.0, [250, 150, 110, 70], 1740, [190, 150, 110, 70]),
    ],
)
def test_add_late_cases(term_months, late, case_months, late_after_60):
    """Late_Cases = backlog - the cases registered within the legal term (FIFO cohorts, persons).

    350 first applications in the backlog (registered before the horizon; the null
    case's MPP is 0, so no pre-horizon registrations count as recent), 60 registered
    a quarter, IND 100 decisions a quarter, late cases EUR 10 a case-month: every
    decision removes an old case, so decisions run at capacity and the backlog is
    350 + 60 - 100 = 310, then 270, 230, 190.
    * term 3 months = 1 quarter: Late = B_t - R_t = [250, 210, 170, 130]: 3 x 760 = 2,280 case-months;
    * term 6 months = 2 quarters: Late = B_t - R_t - R_{t-1} = [250, 150, 110, 70]: 3 x 580 = 1,740.
    With 60 first cases a quarter registered before the horizon (R_{-1} = 60), the term of 6
    months counts them as recent at t = 0: Late_0 = 310 - 60 - 60 = 190; a term of 3 months
    does not reach back.
    """
    case = make_case(
        ind={"legal_term_months": term_months},
        stocks={"ind_backlog": {"first": 350.0}},
        penalties={"late_case_month_eur": 10.0, "registration_queue_person_day_eur": 1.0},
    )
    m, _ = _solved(case, inflow(case, first=60))
    s = m.scen["s"]
    assert path(s.Backlog, "first") == pytest.approx([310, 270, 230, 190], abs=TOL)
    assert path(s.Late) == pytest.approx(late, abs=TOL)
    assert v(s.LateCaseMonths) == pytest.approx(case_months, abs=TOL)
    # model data without a record of pre-horizon registrations (ChainData's default, {}) count
    # none as recent, as the null case's MPP of 0 does: the same late cases
    unrecorded = replace(chain_data(case), prehorizon_registrations={})
    m = extensive_form(chain_problem(unrecorded, [ScenarioInflow("s", inflow(case, first=60))], [1.0]))
    assert HighsSolver(EXACT).solve(m).status == Status.OPTIMAL
    assert path(m.scen["s"].Late) == pytest.approx(late, abs=TOL)
    recorded = replace(
        chain_data(case), prehorizon_registrations={"first": 60.0, "nareis": 0.0, "repeat": 0.0}
    )
    m = extensive_form(chain_problem(recorded, [ScenarioInflow("s", inflow(case, first=60))], [1.0]))
    assert HighsSolver(EXACT).solve(m).status == Status.OPTIMAL
    assert path(m.scen["s"].Late) == pytest.approx(late_after_60, abs=TOL)


@pytest.mark.solver
def test_add_late_cases_counts_repeat_cases_as_cases():
    """Only repeat cases, in a steady state: none is late (the old capacity rule said 100 a quarter).

    IND 100 work units a quarter = 200 repeat decisions (work 0.5); 200 repeat
    applications registered a quarter, 200 in the backlog at the start and 200 a
    quarter before the horizon (pre-horizon registrations). Term 1 quarter. The
    backlog stays at 200 = one quarter of registrations, so every case is decided
    within the term: Late = B_t - R_t = 0. The former row Late >= B - tau x Cap
    subtracted 100 work units from 200 persons and counted 100 late cases a quarter.
    """
    case = make_case(
        stocks={"ind_backlog": {"repeat": 200.0}},
        penalties={"late_case_month_eur": 10.0, "registration_queue_person_day_eur": 1.0},
    )
    data = replace(chain_data(case), prehorizon_registrations={"first": 0.0, "nareis": 0.0, "repeat": 200.0})
    m = extensive_form(chain_problem(data, [ScenarioInflow("s", inflow(case, repeat=200))], [1.0]))
    assert HighsSolver(EXACT).solve(m).status == Status.OPTIMAL
    s = m.scen["s"]
    assert path(s.Backlog, "repeat") == pytest.approx([200] * 4, abs=TOL)
    assert path(s.Decisions, "repeat") == pytest.approx([200] * 4, abs=TOL)
    assert path(s.Late) == pytest.approx([0] * 4, abs=TOL)
    assert v(s.LateCaseMonths) == pytest.approx(0.0, abs=TOL)


@pytest.mark.solver
def test_add_status_holders():
    """Status_Holders: permits and direct arrivals in, housing (limited) out.

    5 status holders at the start; 30 nareis a quarter (no decision: straight
    in); housing 20 a quarter; 50 first decisions fixed at t = 0 with permit
    share 0.6 -> 30 permits. Residents cost money, so housing runs at its limit:
    H_0 = 5 + 30 + 30 - 20 = 45, then +10 a quarter: [45, 55, 65, 75].
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}, "nareis": {"reception_share": 1.0}},
        coa={"cost_per_resident_year_eur": 4000.0},
        locations=[{"places": 1000.0}],
        stocks={"status_holders": 5.0, "ind_backlog": {"first": 50.0}},
        housing=20.0,
        permit_share=0.6,
    )

    def fix(m):
        for t in range(4):
            m.scen["s"].Decisions["first", t].fix(50.0 if t == 0 else 0.0)

    m, _ = _solved(case, inflow(case, nareis=30), fix=fix)
    s = m.scen["s"]
    assert path(s.StatusHolders) == pytest.approx([45, 55, 65, 75], abs=TOL)
    assert path(s.Housed) == pytest.approx([20] * 4, abs=TOL)


@pytest.mark.solver
def test_add_status_holders_weighs_permits_and_direct_arrivals_by_reception_share():
    """In^H_t = sum_k sigma_k g_t D_k,t + sum_{direct k} sigma_k R_k,t: only those in reception count.

    Half the nareis go straight to family (reception share 0.5), 80 % of first
    applicants are in COA (share 0.8). 5 status holders at the start; 30 nareis a
    quarter; housing 20 a quarter; 50 first decisions at t = 0, permit share 0.6:
    In^H_0 = 0.8 x 0.6 x 50 + 0.5 x 30 = 24 + 15 = 39, later 15 a quarter;
    residents cost money, so housing runs at its limit while there is anyone to house:
    H = 5 + 39 - 20 = 24, then -5 a quarter: [24, 19, 14, 9].
    """
    case = make_case(
        categories={"first": {"reception_share": 0.8}, "nareis": {"reception_share": 0.5}},
        coa={"cost_per_resident_year_eur": 4000.0},
        locations=[{"places": 1000.0}],
        stocks={"status_holders": 5.0, "ind_backlog": {"first": 50.0}},
        housing=20.0,
        permit_share=0.6,
    )

    def fix(m):
        for t in range(4):
            m.scen["s"].Decisions["first", t].fix(50.0 if t == 0 else 0.0)

    m, _ = _solved(case, inflow(case, nareis=30), fix=fix)
    s = m.scen["s"]
    assert path(s.StatusHolderInflow) == pytest.approx([39, 15, 15, 15], abs=TOL)
    assert path(s.StatusHolders) == pytest.approx([24, 19, 14, 9], abs=TOL)
    assert path(s.Housed) == pytest.approx([20] * 4, abs=TOL)


@pytest.mark.solver
def test_add_rejected_inflow_is_the_refused_share_in_reception():
    """In^J_t = sum_k sigma_k (1 - g_t) D_k,t: rejections, not permits, wait for departure.

    50 first decisions at t = 0 (reception share 0.8), permit share 0.6: 0.8 x 0.4 x 50
    = 16 rejected enter reception; DT&V has no staff and nobody leaves unsupervised,
    so J = [16, 16, 16, 16] (permits would give 24).
    """
    case = make_case(
        categories={"first": {"reception_share": 0.8}},
        dtv={"initial_fte": 0.0},
        locations=[{"places": 1000.0}],
        stocks={"ind_backlog": {"first": 50.0}},
        permit_share=0.6,
    )

    def fix(m):
        for t in range(4):
            m.scen["s"].Decisions["first", t].fix(50.0 if t == 0 else 0.0)

    m, _ = _solved(case, inflow(case), fix=fix)
    s = m.scen["s"]
    assert path(s.RejectedInflow) == pytest.approx([16, 0, 0, 0], abs=TOL)
    assert path(s.Rejected) == pytest.approx([16] * 4, abs=TOL)
    assert path(s.Returns) == pytest.approx([0] * 4, abs=TOL)


@pytest.mark.solver
def test_add_rejected():
    """Rejected_Balance with unsupervised departures and Return_Capacity.

    100 rejected at the start, 10 % leave unsupervised per quarter (of last
    quarter's stock), DT&V 1 FTE x 40 a year = 10 returns a quarter, residents
    cost money so returns run at capacity: J_t = 0.9 J_{t-1} - 10:
    80, 62, 45.8, 31.22; unsupervised 10, 8, 6.2, 4.58.
    """
    case = make_case(
        dtv={"initial_fte": 1.0},
        coa={"cost_per_resident_year_eur": 4000.0},
        stocks={"rejected": 100.0},
        unsupervised=0.1,
    )
    m, _ = _solved(case, inflow(case))
    s = m.scen["s"]
    assert path(s.Rejected) == pytest.approx([80, 62, 45.8, 31.22], abs=TOL)
    assert path(s.Unsupervised) == pytest.approx([10, 8, 6.2, 4.58], abs=TOL)
    assert path(s.Returns) == pytest.approx([10] * 4, abs=TOL)


@pytest.mark.solver
def test_add_occupancy():
    """Occupancy = sum_k sigma_k (Q_k + B_k) + status holders + rejected.

    Nothing moves (registration, IND and DT&V without staff, no housing): 20
    first applicants in the queue and 40 repeat in the backlog at reception
    share 0.5, 10 status holders, 6 rejected: 10 + 20 + 10 + 6 = 46 in every quarter.
    """
    case = make_case(
        categories={"first": {"reception_share": 0.5}, "repeat": {"reception_share": 0.5}},
        registration={"initial_fte": 0.0},
        ind={"initial_fte": 0.0},
        dtv={"initial_fte": 0.0},
        stocks={
            "registration_queue": {"first": 20.0},
            "ind_backlog": {"repeat": 40.0},
            "status_holders": 10.0,
            "rejected": 6.0,
        },
    )
    m, _ = _solved(case, inflow(case))
    assert path(m.scen["s"].Occupancy) == pytest.approx([46.0] * 4, abs=TOL)


def _cover_case(**kw):
    return make_case(
        categories={"nareis": {"reception_share": 1.0}},
        coa={"max_fill_rate": 0.9, **kw.pop("coa", {})},
        stocks={"status_holders": 80.0},
        **kw,
    )


COVER_INFLOW = [0, 20, 20, 0]


@pytest.mark.solver
def test_add_place_cover():
    """Place_Cover: emergency places only above fill x places.

    100 regular places at fill 0.9 = 90 usable; occupancy 80 + 20 nareis at
    t = 1 and t = 2 (no housing) = [80, 100, 120, 120]; emergency = max(0, occ - 90)
    = [0, 10, 30, 30].
    """
    case = _cover_case()
    m, _ = _solved(case, inflow(case, nareis=COVER_INFLOW))
    s = m.scen["s"]
    assert path(s.Occupancy) == pytest.approx([80, 100, 120, 120], abs=TOL)
    assert path(s.Emergency) == pytest.approx([0, 10, 30, 30], abs=TOL)


@pytest.mark.solver
def test_add_coa_extra_staff():
    """Coa_Extra_Staff: 0.1 FTE per emergency place, from the pool first, else hired.

    Emergency places [0, 10, 30, 30] (place-cover case) need [0, 1, 3, 3] FTE.
    * No pool: external staff = [0, 1, 3, 3].
    * A pool of at most 1 team of 2 FTE (retainer EUR 4,000/FTE-yr, deployed
      EUR 8,000/FTE-yr = 2,000 a quarter) against external staff at EUR 10,000
      a quarter: retain the team (8,000 a year saves 5 x 8,000), deploy
      min(need, 2) = [0, 1, 2, 2], hire the rest [0, 0, 1, 1].
    """
    coa = {"staff_fte_per_extra_place": 0.1, "external_staff_cost_per_fte_year_eur": 40000.0}
    case = _cover_case(coa=coa)
    m, _ = _solved(case, inflow(case, nareis=COVER_INFLOW))
    assert path(m.scen["s"].ExternalStaff) == pytest.approx([0, 1, 3, 3], abs=TOL)
    pooled = _cover_case(
        coa=coa,
        flexpool={
            "team_fte": 2.0,
            "max_teams": 1,
            "retainer_cost_per_fte_year_eur": 4000.0,
            "activation_cost_per_fte_year_eur": 8000.0,
        },
        policy={"allow_flexpool": True},
    )
    m, _ = _solved(pooled, inflow(pooled, nareis=COVER_INFLOW))
    s = m.scen["s"]
    assert v(m.first.PoolTeams[YEAR]) == pytest.approx(1.0, abs=TOL)
    assert path(s.PoolActive, "coa") == pytest.approx([0, 1, 2, 2], abs=TOL)
    assert path(s.ExternalStaff) == pytest.approx([0, 0, 1, 1], abs=TOL)


@pytest.mark.solver
def test_add_operating_cost():
    """Operating_Cost of COA and the pool line, by hand.

    Place-cover case with residents at EUR 4,000 a year (1,000 a quarter),
    emergency EUR 10,000 a quarter, 0.1 FTE per emergency place hired at
    EUR 10,000 a quarter: occupancy 80 + 100 + 120 + 120 = 420 person-quarters,
    emergency 70 place-quarters, external staff 7 FTE-quarters:
    420 x 1,000 + 70 x 10,000 + 7 x 10,000 = EUR 1,190,000. Other lines 0.
    """
    case = _cover_case(
        coa={
            "cost_per_resident_year_eur": 4000.0,
            "staff_fte_per_extra_place": 0.1,
            "external_staff_cost_per_fte_year_eur": 40000.0,
        }
    )
    m, _ = _solved(case, inflow(case, nareis=COVER_INFLOW))
    s = m.scen["s"]
    assert _eur(s.OperatingCost["coa", YEAR]) == pytest.approx(1_190_000.0, abs=1e-3)
    for line in ("registration", "ind", "dtv", "flexpool"):
        assert _eur(s.OperatingCost[line, YEAR]) == pytest.approx(0.0, abs=1e-3)


def _penalty_case():
    return make_case(
        registration={"initial_fte": 1.0},
        ind={"initial_fte": 5.0, "cost_per_fte_year_eur": 4000.0},
        stocks={"registration_queue": {"first": 5.0}},
        penalties={"late_case_month_eur": 10.0, "registration_queue_person_day_eur": 2.0},
    )


@pytest.mark.solver
def test_add_penalties():
    """Penalties: late case-months, queue person-days and the terminal value of the stocks.

    Registration 100 a quarter, inflow 130, 5 queued at the start: queue
    [35, 65, 95, 125] = 320 person-quarters = 320 x 91.3125 = 29,220 person-days
    at EUR 2 = 58,440. IND 5 FTE = 50 decisions a quarter at EUR 1,000 an FTE-quarter
    (an undecided case is worth 1,000 / 10 = EUR 100 at the end; nobody is in
    reception, registration is free); backlog +100 - 50 a quarter = [50, 100, 150, 200];
    term 1 quarter, so late = B_t - R_t = [0, 0, 50, 100] = 150 cases x 3 months =
    450 case-months at EUR 10 = 4,500. Terminal value: 200 in the backlog and 125 in
    the queue (each still needs its decision) x EUR 100 = 32,500. Penalty EUR 95,440.
    """
    case = _penalty_case()
    m, _ = _solved(case, inflow(case, first=130))
    s = m.scen["s"]
    assert path(s.RegQueue, "first") == pytest.approx([35, 65, 95, 125], abs=TOL)
    assert path(s.Backlog, "first") == pytest.approx([50, 100, 150, 200], abs=TOL)
    assert v(s.QueuePersonDays) == pytest.approx(29_220.0, abs=1e-6)
    assert v(s.LateCaseMonths) == pytest.approx(450.0, abs=1e-6)
    assert _eur(s.TerminalCost) == pytest.approx(32_500.0, abs=1e-3)
    assert _eur(s.PenaltyCost) == pytest.approx(95_440.0, abs=1e-3)


@pytest.mark.solver
def test_add_penalty_weights():
    """The penalty weights are mutable parameters in M EUR: doubling the late weight adds EUR 4,500.

    Penalty case: 450 late case-months at EUR 10 (weight 1e-5 M EUR); with the
    solution kept, a weight of EUR 20 raises PenaltyCost by 450 x 10 = EUR 4,500, and a queue
    weight of EUR 3 instead of 2 raises it by 29,220 person-days x EUR 1 = EUR 29,220.
    """
    case = _penalty_case()
    m, _ = _solved(case, inflow(case, first=130))
    f, s = m.first, m.scen["s"]
    assert v(f.late_case_month_meur) == pytest.approx(10.0 * EUR)
    assert v(f.queue_person_day_meur) == pytest.approx(2.0 * EUR)
    before = _eur(s.PenaltyCost)
    f.late_case_month_meur.set_value(20.0 * EUR)
    assert _eur(s.PenaltyCost) - before == pytest.approx(4_500.0, abs=1e-3)
    f.queue_person_day_meur.set_value(3.0 * EUR)
    assert _eur(s.PenaltyCost) - before == pytest.approx(4_500.0 + 29_220.0, abs=1e-3)


@pytest.mark.solver
def test_add_baseline_norm():
    """Baseline_Norm (MPP planning run): occupancy <= beta x places + shortfall from t0 on.

    60 status holders all year; locations of 10 places, 5 open, at most 7, lead
    6 months = 2 quarters (t0 = 2); norm beta = 0.8. Shortfall costs
    2 x emergency = EUR 20,000 a place-quarter, a place EUR 1,000: open both
    extra locations at t = 2: Open = [5, 5, 7, 7]. Shortfall 0 before t0 (by
    the row), then 60 - 0.8 x 70 = 4: [0, 0, 4, 4], cost 2 x 10,000 x 8 =
    EUR 160,000. Emergency covers 60 - 50 = 10 before the openings land.
    """
    case = make_case(
        categories={"nareis": {"reception_share": 1.0}},
        locations=[
            {
                "places": 10.0,
                "initially_open": 5,
                "max_open": 7,
                "lead_time_months": 6,
                "cost_per_place_year_eur": 4000.0,
            }
        ],
        coa={"initial_emergency_places": 10.0},
        stocks={"status_holders": 60.0},
    )
    problem = baseline_problem(chain_data(case), inflow(case), occupancy_norm=0.8)
    m = extensive_form(problem)
    outcome = HighsSolver(EXACT).solve(m)
    assert outcome.status == Status.OPTIMAL
    s = m.scen["mpp-mid"]
    assert path(m.first.Open, "std") == pytest.approx([5, 5, 7, 7], abs=TOL)
    assert path(s.NormShortfall) == pytest.approx([0, 0, 4, 4], abs=TOL)
    assert _eur(s.NormShortfallCost) == pytest.approx(160_000.0, abs=1e-3)
    assert path(s.Emergency) == pytest.approx([10, 10, 0, 0], abs=TOL)
    # the planning run makes the baseline: one already on the data (an earlier plan's occupancy)
    # adds no Occupancy_Norm rows to it (they would hold from t0 = 2 on)
    earlier = chain_data(case).with_baseline(baseline(case, occupancy=[60.0] * 4))
    again = extensive_form(baseline_problem(earlier, inflow(case), occupancy_norm=0.8))
    assert len(again.first.Occupancy_Norm) == 0
    assert len(again.scen["mpp-mid"].Baseline_Norm) == len(case.periods)  # its own norm, a row a period
    # levers off in the planning run, whatever the case's policy allows
    levers = case.settings.policy.model_copy(
        update={"allow_flexpool": True, "allow_reserve_places": True, "allow_asielreserve": True}
    )
    room = {"pool_max_teams": 1, "max_reserve_places": 50.0, "max_asielreserve_meur": 10.0}
    open_data = replace(chain_data(case), policy=levers, **room)
    allowed = extensive_form(chain_problem(open_data, [ScenarioInflow("s", inflow(case))], [1.0]))
    planned = extensive_form(baseline_problem(open_data, inflow(case), occupancy_norm=0.8))
    for y in planned.first.YEARS:
        assert (allowed.first.PoolTeams[y].ub, allowed.first.ReservePlaces[y].ub) == (1, 50.0)
        assert allowed.first.ReserveDeposit[y].ub == 10.0
        assert planned.first.PoolTeams[y].ub == 0
        assert planned.first.ReservePlaces[y].ub == 0
        assert planned.first.ReserveDeposit[y].ub == 0
    # the registration surge too: one officer available (surge_max_fte 1) gives the scenario
    # block the surge, the planning run has none; without officers (the null case) no surge
    surge = replace(open_data, surge_max_fte=1.0)
    assert hasattr(
        extensive_form(chain_problem(surge, [ScenarioInflow("s", inflow(case))], [1.0])).scen["s"],
        "RegistrationSurge",
    )
    assert not hasattr(
        extensive_form(baseline_problem(surge, inflow(case), occupancy_norm=0.8)).scen["mpp-mid"],
        "RegistrationSurge",
    )
    assert not hasattr(allowed.scen["s"], "RegistrationSurge")
    # and the IND surge: built from one surge FTE on, never in the planning run
    ind = replace(open_data, ind_surge_max_fte=1.0)
    assert hasattr(
        extensive_form(chain_problem(ind, [ScenarioInflow("s", inflow(case))], [1.0])).scen["s"], "IndSurge"
    )
    assert not hasattr(
        extensive_form(baseline_problem(ind, inflow(case), occupancy_norm=0.8)).scen["mpp-mid"], "IndSurge"
    )
    assert not hasattr(allowed.scen["s"], "IndSurge")


@pytest.mark.unit
def test_chain_problem_keeps_its_risk_and_one_probability_per_scenario():
    """chain_problem passes the risk measure on (CVaR weight 0.5 at alpha 0.8: the extensive form
    gets a VaR), is risk-neutral without one, and refuses a probability list of another length."""
    case = make_case()
    data = chain_data(case)
    a, b = ScenarioInflow("a", inflow(case)), ScenarioInflow("b", inflow(case, first=1.0))
    averse = chain_problem(data, [a, b], [0.5, 0.5], Risk(weight=0.5, alpha=0.8))
    assert averse.risk == Risk(weight=0.5, alpha=0.8)
    assert hasattr(extensive_form(averse), "VaR")
    assert chain_problem(data, [a, b], [0.5, 0.5]).risk == Risk(weight=0.0, alpha=0.9)
    with pytest.raises(ValueError, match="zip"):
        chain_problem(data, [a, b], [1.0])


@pytest.mark.solver
def test_add_location_balance_counts_openings_decided_before_the_horizon():
    """Location_Balance's U_{l,t}: locations opened by a decision before the horizon become
    usable when they land (a simulation's state). 1 open, at most 3, no decisions in the
    horizon; one pending opening lands at t = 0 and one at t = 2: Open = [2, 2, 3, 3]."""
    case = make_case(locations=[{"initially_open": 1, "max_open": 3}])
    data = chain_data(case)
    landing = replace(data.locations[0], pending_openings=(1, 0, 1))
    data = replace(data, locations=(landing,))
    m = extensive_form(chain_problem(data, [ScenarioInflow("s", inflow(case))], [1.0]))
    for key in m.first.LOC_DECISION:
        m.first.Opened[key].fix(0)
        m.first.Closed[key].fix(0)
    assert HighsSolver(EXACT).solve(m).status == Status.OPTIMAL
    assert path(m.first.Open, "std") == pytest.approx([2, 2, 3, 3], abs=TOL)


@pytest.mark.solver
def test_add_structural_cost_counts_closings_openings_and_the_fixed_organisation():
    """Structural_Cost: a closing (EUR 5,000) and an opening (EUR 1,000) in the year they are
    decided, and a fixed organisation cost a period (IND EUR 400,000 a year = 100,000 a quarter,
    COA EUR 40,000 a year = 10,000 a quarter, 4 quarters). Everything else is free in the null
    case: IND 400,000, COA 40,000 + 6,000 = 46,000. Two locations open (at most 2, no lead
    time): one closed at t = 1, one opened at t = 2."""
    case = make_case(
        ind={"fixed_cost_per_year_eur": 400_000.0},
        coa={"fixed_cost_per_year_eur": 40_000.0},
        locations=[
            {"initially_open": 2, "max_open": 2, "opening_cost_eur": 1000.0, "closing_cost_eur": 5000.0}
        ],
    )

    def fix(m):
        for key in m.first.LOC_DECISION:
            m.first.Opened[key].fix(1 if key == ("std", 2) else 0)
            m.first.Closed[key].fix(1 if key == ("std", 1) else 0)

    m, _ = _solved(case, inflow(case), fix=fix)
    assert path(m.first.Open, "std") == pytest.approx([2, 1, 2, 2], abs=TOL)
    assert _eur(m.first.StructuralCost["ind", YEAR]) == pytest.approx(400_000.0, abs=1e-3)
    assert _eur(m.first.StructuralCost["coa", YEAR]) == pytest.approx(46_000.0, abs=1e-3)


def _late_decision_case():
    """Lead 3 months (1 quarter) but COA decides only every 6 months (t = 0, 2)."""
    return make_case(
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


@pytest.mark.unit
def test_add_occupancy_norm_starts_at_the_first_decision_moment_after_the_lead_time():
    """t0 = the first period any type can open: the first decision moment at or after the lead.

    Lead 1 quarter, decision moments at t = 0 and 2: the first opening lands at t = 2,
    so t0 = 2 (the minimum lead time alone would give 1); no norm row at t = 0, 1.
    """
    case = _late_decision_case()
    data = chain_data(case)
    assert data.norm_start_period == 2
    base = baseline(case, occupancy=[60, 60, 60, 60])
    m = extensive_form(chain_problem(data.with_baseline(base), [ScenarioInflow("s", inflow(case))], [1.0]))
    assert sorted(m.first.Occupancy_Norm) == [2, 3]


@pytest.mark.unit
def test_no_norm_rows_when_no_location_can_open_within_the_horizon():
    """COA decides every 6 months (t = 0, 2), the lead time is 9 months = 3 quarters: no decision
    moment lies at or after t = 3, so no new location can open in the horizon:
    first_opening_period is None, t0 = T = 4 (after the last period), no Occupancy_Norm row."""
    case = make_case(
        locations=[{"max_open": 2, "lead_time_months": 9}], coa={"location_decision_interval_months": 6}
    )
    data = chain_data(case)
    assert first_opening_period(data.locations[0]) is None
    assert data.norm_start_period == 4
    base = baseline(case, occupancy=[60, 60, 60, 60])
    m = extensive_form(chain_problem(data.with_baseline(base), [ScenarioInflow("s", inflow(case))], [1.0]))
    assert len(m.first.Occupancy_Norm) == 0
    # a type already at its maximum (the null case: 1 open, at most 1, no lead time) cannot open
    # either: no norm in the horizon
    assert chain_data(make_case()).norm_start_period == 4


@pytest.mark.unit
def test_add_occupancy_norm_reaches_only_the_types_that_can_open_by_then():
    """Reachable places count a type's maximum only from its first possible opening: "fast"
    (10 places, 1 open, at most 2, no lead) from t = 0, "slow" (10 places, 1 open, at most 3,
    lead 6 months = 2 quarters) from t = 2. MPP occupancy 40 at a norm of 0.8 asks 50 places:
    rows Places_t >= min(50, reachable_t) = [min(50, 20 + 10), .., min(50, 20 + 30), ..]
    = [30, 30, 50, 50] (t0 = 0, the fast type)."""
    case = make_case(
        locations=[
            {"location": "fast", "places": 10.0, "initially_open": 1, "max_open": 2},
            {"location": "slow", "places": 10.0, "initially_open": 1, "max_open": 3, "lead_time_months": 6},
        ],
        policy={"occupancy_norm": 0.8},
    )
    data = chain_data(case).with_baseline(baseline(case, occupancy=[40.0] * 4))
    assert data.norm_start_period == 0
    m = extensive_form(chain_problem(data, [ScenarioInflow("s", inflow(case))], [1.0]))
    assert [m.first.Occupancy_Norm[t].lower for t in range(4)] == pytest.approx([30.0, 30.0, 50.0, 50.0])


@pytest.mark.solver
def test_add_baseline_norm_charges_no_shortfall_before_a_location_can_open():
    """Baseline_Norm: no shortfall cost in periods where no location could be opened.

    60 status holders, 5 locations of 10 places open (max 7), beta = 0.8, lead
    1 quarter, decisions at t = 0, 2. At t = 1 nothing can have opened, so the
    shortfall 60 - 0.8 x 50 = 20 there was charged at 2 x emergency (EUR 20,000 a
    place-quarter) before: now Short = [0, 0, 4, 4] (both locations open at
    t = 2: 60 - 0.8 x 70 = 4), cost 2 x 10,000 x 8 = EUR 160,000.
    """
    case = _late_decision_case()
    problem = baseline_problem(chain_data(case), inflow(case), occupancy_norm=0.8)
    m = extensive_form(problem)
    outcome = HighsSolver(EXACT).solve(m)
    assert outcome.status == Status.OPTIMAL
    s = m.scen["mpp-mid"]
    assert path(m.first.Open, "std") == pytest.approx([5, 5, 7, 7], abs=TOL)
    assert path(s.NormShortfall) == pytest.approx([0, 0, 4, 4], abs=TOL)
    assert _eur(s.NormShortfallCost) == pytest.approx(160_000.0, abs=1e-3)
    # one deterministic scenario, probability 1: the objective counts its cost once
    assert [(x.name, x.probability) for x in problem.scenarios] == [("mpp-mid", 1.0)]
    assert v(m.Objective) == pytest.approx(v(m.first.FirstStageCost) + v(s.SecondStageCost), abs=TOL)


# --------------------------------------------------------------------------- newsvendor


DEMANDS = (10, 20, 30, 40, 50)  # persons, probability 1/5 each: F(d) = 0.2, 0.4, 0.6, 0.8, 1.0


@pytest.mark.solver
@pytest.mark.parametrize(("place_cost", "expected_places"), [(10000.0, 40), (20000.0, 30), (28000.0, 20)])
def test_newsvendor_places_at_the_critical_fractile(place_cost, expected_places):
    """One resource: regular places N (stage 1) against emergency places at EUR 40,000 a year.

    Location type of 1 place, none open, lead 0, no opening/closing cost; only
    nareis (no registration, no decision, reception 1), arriving at t = 0 in
    one of five equally likely numbers d, no housing: occupancy d all year.
    Per quarter the cost is c N + e E[(D - N)+] (fill 1, all else zero), whose
    minimum is the smallest N with F(N) >= 1 - c / e (critical fractile):
    * c/e = 0.25 -> F >= 0.75 -> N = 40 (F(30) = 0.6 < 0.75 <= F(40) = 0.8);
    * c/e = 0.50 -> F >= 0.50 -> N = 30;
    * c/e = 0.70 -> F >= 0.30 -> N = 20.
    """
    case = make_case(
        categories={"nareis": {"reception_share": 1.0}},
        locations=[
            {
                "location": "place",
                "places": 1.0,
                "initially_open": 0,
                "max_open": 100,
                "cost_per_place_year_eur": place_cost,
            }
        ],
    )
    scenarios = {f"d{d}": inflow(case, nareis=[d, 0, 0, 0]) for d in DEMANDS}
    m, _ = _solved(case, scenarios)
    assert path(m.first.Open, "place") == pytest.approx([expected_places] * 4, abs=TOL)
    for d in DEMANDS:
        assert path(m.scen[f"d{d}"].Emergency) == pytest.approx([max(0, d - expected_places)] * 4, abs=TOL)


# --------------------------------------------------------------------------- every family has a test


def _model_families() -> set[str]:
    names: set[str] = set()
    for src in sorted(MODEL_DIR.glob("*.py")):  # stage 1 and the stage-2 modules by responsibility
        names |= set(re.findall(r"^def (add_\w+)\(", src.read_text(), flags=re.M))
    return names


def _families_named(test_name: str, families: set[str]) -> set[str]:
    """Families named in a test name: at each ``add_`` the longest family that starts there
    (so ``test_add_occupancy_norm`` names ``add_occupancy_norm`` only, not ``add_occupancy``)."""
    named = set()
    for start in (i.start() for i in re.finditer("add_", test_name)):
        candidates = [f for f in families if test_name.startswith(f, start)]
        if candidates:
            named.add(max(candidates, key=len))
    return named


@pytest.mark.unit
def test_every_constraint_family_has_a_test():
    """Each ``add_*`` builder in the model is named by a test function in tests/test_model_*.py."""
    families = _model_families()
    assert {"add_staff_balance", "add_occupancy", "add_penalties"} <= families  # the scan itself works
    assert _families_named("test_add_occupancy_norm", families) == {"add_occupancy_norm"}
    tests = "\n".join(p.read_text() for p in Path(__file__).parent.glob("test_model_*.py"))
    covered: set[str] = set()
    for name in re.findall(r"^def (test_\w+)\(", tests, flags=re.M):
        covered |= _families_named(name, families)
    missing = sorted(families - covered)
    assert not missing, f"constraint families without a test named after them: {missing}"
