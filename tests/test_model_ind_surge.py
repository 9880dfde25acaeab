"""The IND surge (issue 16): temporary decision staff on top of regular hiring, one
hand-solvable case each.

Built on the null case of ``model_cases`` (one year in quarters, T = 4). The IND here has no
staff of its own, so every decision is the surge's: a decision FTE decides 400 a year (100 a
quarter), a surge FTE at productivity 0.5 decides 50 a quarter, five of them 250. The cases
wait in the IND backlog from the start (an initial backlog of first applications, all past the
legal term of one quarter); a late case-month costs EUR 10 (EUR 30 a case-quarter), a surge
FTE EUR 100 a quarter (EUR 2 a decision), so the surge decides every case it can reach.
"""

from __future__ import annotations

import numpy as np
import pytest

from bekostiging.model import baseline_problem, chain_data, chain_problem
from bekostiging.model.data import MONEY_SCALE
from bekostiging.solver import Status
from model_cases import inflow, make_case, path, solve_chain, v

TOL = 1e-6
SURGE_QUARTER_EUR = 100.0  # cost_per_fte_year_eur 400 / 4 quarters


def _ind_surge_case(backlog: float = 250.0, staff: float = 0.0, **surge):
    return make_case(
        ind={"initial_fte": staff, "output_per_fte_year": 400.0},
        ind_surge={
            "max_fte": 5.0,
            "productivity_share": 0.5,
            "cost_per_fte_year_eur": 4 * SURGE_QUARTER_EUR,
            "lead_months": 3,
            "min_months": 6,
            **surge,
        },
        stocks={"ind_backlog": {"first": backlog}},
        penalties={"late_case_month_eur": 10.0},
    )


@pytest.mark.unit
def test_ind_surge_data_in_periods():
    """ChainData in quarters: lead 4 months -> 2 periods (rounded up), minimum 4 months -> 2,
    7.5 months a year -> 2.5 periods, EUR 400 a year -> EUR 100 a quarter; the MPP baseline
    run has no surge (temporary crisis staff are no part of the capacity planned for the
    forecast), and the registration surge's fields are not touched."""
    d = chain_data(_ind_surge_case(lead_months=4, min_months=4, max_months_per_year=7.5))
    assert (d.ind_surge_lead_periods, d.ind_surge_min_periods) == (2, 2)
    assert d.ind_surge_max_periods_per_year == pytest.approx(2.5)
    assert d.ind_surge_cost_period_meur * MONEY_SCALE == pytest.approx(SURGE_QUARTER_EUR)
    assert (d.ind_surge_max_fte, d.ind_surge_productivity) == (5.0, 0.5)
    assert (d.surge_max_fte, d.surge_lead_periods) == (0.0, 0)
    assert chain_data(make_case()).ind_surge_max_fte == 0.0  # off unless the case sets it
    planning = baseline_problem(d, np.zeros((4, 3)), 0.95)
    assert planning.build_second_stage.keywords["data"].ind_surge_max_fte == 0.0
    assert chain_problem(d, [], []).build_second_stage.keywords["data"].ind_surge_max_fte == 5.0


@pytest.mark.solver
@pytest.mark.parametrize(
    ("months_per_year", "surge", "decided", "year_rows"),
    [
        (12.0, [0, 5, 5, 0], [0, 250, 0, 0], 0),
        (3.0, [0, 2.5, 2.5, 0], [0, 125, 125, 0], 1),
    ],
)
def test_add_ind_surge(months_per_year, surge, decided, year_rows):
    """Ind_Surge_Limit, Ind_Surge_Months and the surge's term in Decision_Capacity, by hand.

    250 first applications wait in the backlog at the start, the IND has no staff. Surge staff
    arrive a quarter after the decision (lead 3 months), so nothing is decided at t = 0, and stay
    at least two quarters (6 months). With a whole year available five (the most) start at t = 1
    and decide all 250 then (5 x 0.5 x 100 = 250: capacity rises by exactly productivity x
    output x surge); their contract runs on at t = 2: [0, 5, 5, 0], 10 FTE-quarters, EUR 1,000
    on the IND line. With 3 months a year at the full number (5 FTE-quarters in the year) a
    contract of two quarters can hold 2.5: 125 decided at t = 1 and 125 at t = 2, EUR 500.
    Without the family nothing would be decided at all.
    """
    case = _ind_surge_case(max_months_per_year=months_per_year)
    m, outcome, _ = solve_chain(case, inflow(case))
    assert outcome.status == Status.OPTIMAL, outcome.describe()
    s = m.scen["s"]
    assert [v(s.IndSurge[t]) for t in range(4)] == pytest.approx(surge, abs=TOL)
    assert path(s.Decisions, "first") == pytest.approx(decided, abs=TOL)
    assert v(s.IndSurgeStart[0]) == pytest.approx(0.0, abs=TOL)  # the lead time
    assert s.IndSurgeStart[0].ub == 0.0 and s.IndSurgeStart[1].ub is None
    assert (len(s.Ind_Surge_Months) if hasattr(s, "Ind_Surge_Months") else 0) == year_rows
    cost = v(s.OperatingCost["ind", 2026]) * MONEY_SCALE
    assert cost == pytest.approx(SURGE_QUARTER_EUR * sum(surge), abs=1e-3)
    assert v(s.OperatingCost["registration", 2026]) == pytest.approx(0.0, abs=TOL)  # not the police's


@pytest.mark.solver
def test_add_ind_surge_within_the_most_staff():
    """Ind_Surge_Limit: at most 5 surge FTE at once, 250 decisions a quarter. 600 wait at t = 0,
    no lead time, a one-quarter minimum: 250 at t = 0, 250 at t = 1, 100 at t = 2 (two FTE);
    without the limit all 600 would be decided at t = 0."""
    case = _ind_surge_case(backlog=600.0, lead_months=0, min_months=3)
    m, outcome, _ = solve_chain(case, inflow(case))
    assert outcome.status == Status.OPTIMAL, outcome.describe()
    s = m.scen["s"]
    assert path(s.Decisions, "first") == pytest.approx([250, 250, 100, 0], abs=TOL)
    assert [v(s.IndSurge[t]) for t in range(4)] == pytest.approx([5, 5, 2, 0], abs=TOL)


@pytest.mark.solver
def test_add_ind_surge_on_top_of_the_staff():
    """The surge adds to the IND's own staff: 1 decision FTE (100 a quarter) and 600 waiting, no
    lead, a one-quarter minimum: 100 + 250 = 350 at t = 0, 250 at t = 1 (staff 100 and three
    surge FTE: the cheapest way to the remaining 250), nothing after: surge [5, 3, 0, 0]."""
    case = _ind_surge_case(backlog=600.0, staff=1.0, lead_months=0, min_months=3)
    m, outcome, _ = solve_chain(case, inflow(case))
    assert outcome.status == Status.OPTIMAL, outcome.describe()
    s = m.scen["s"]
    assert path(s.Decisions, "first") == pytest.approx([350, 250, 0, 0], abs=TOL)
    assert [v(s.IndSurge[t]) for t in range(4)] == pytest.approx([5, 3, 0, 0], abs=TOL)
