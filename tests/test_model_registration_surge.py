"""The registration surge (issue 16): police officers redeployed to registration, one
hand-solvable case each.

Built on the null case of ``model_cases`` (one year in quarters, T = 4). Registration here has
no staff of its own, so every registration is the surge's: an officer at productivity 0.5 of a
registration FTE (400 a year = 100 a quarter) registers 50 a quarter, five officers 250.
"""

from __future__ import annotations

import numpy as np
import pytest

from bekostiging.model import baseline_problem, chain_data, chain_problem
from bekostiging.model.data import MONEY_SCALE
from bekostiging.solver import Status
from model_cases import inflow, make_case, path, solve_chain, v

TOL = 1e-6
OFFICER_QUARTER_EUR = 100.0  # cost_per_fte_year_eur 400 / 4 quarters


def _surge_case(**surge):
    return make_case(
        registration={"initial_fte": 0.0},
        registration_surge={
            "max_fte": 5.0,
            "productivity_share": 0.5,
            "cost_per_fte_year_eur": 4 * OFFICER_QUARTER_EUR,
            "lead_months": 3,
            "min_months": 6,
            **surge,
        },
        penalties={"registration_queue_person_day_eur": 1.0},
    )


@pytest.mark.unit
def test_registration_surge_data_in_periods():
    """ChainData in quarters: lead 4 months -> 2 periods (rounded up), minimum 4 months -> 2,
    7.5 months a year -> 2.5 periods, EUR 400 a year -> EUR 100 a quarter; the MPP baseline
    run has no surge (a crisis lever is no part of the capacity planned for the forecast)."""
    d = chain_data(_surge_case(lead_months=4, min_months=4, max_months_per_year=7.5))
    assert (d.surge_lead_periods, d.surge_min_periods) == (2, 2)
    assert d.surge_max_periods_per_year == pytest.approx(2.5)
    assert d.surge_cost_period_meur * MONEY_SCALE == pytest.approx(OFFICER_QUARTER_EUR)
    assert (d.surge_max_fte, d.surge_productivity) == (5.0, 0.5)
    assert chain_data(make_case()).surge_max_fte == 0.0  # off unless the case sets it
    planning = baseline_problem(d, np.zeros((4, 3)), 0.95)
    assert planning.build_second_stage.keywords["data"].surge_max_fte == 0.0
    assert chain_problem(d, [], []).build_second_stage.keywords["data"].surge_max_fte == 5.0


@pytest.mark.solver
@pytest.mark.parametrize(
    ("months_per_year", "surge", "registered", "year_rows"),
    [
        (12.0, [0, 5, 5, 0], [0, 250, 0, 0], 0),
        (3.0, [0, 2.5, 2.5, 0], [0, 125, 125, 0], 1),
    ],
)
def test_add_registration_surge(months_per_year, surge, registered, year_rows):
    """Surge_Limit, Surge_Months and the surge's term in Registration_Capacity, by hand.

    250 first applicants arrive at t = 0; registration has no staff; a queue person-day costs
    EUR 1 (a quarter in the queue EUR 91 a person), an officer EUR 100 a quarter. Officers arrive
    a quarter after the decision (lead 3 months), so nobody registers at t = 0, and stay at
    least two quarters (6 months). With a whole year available five officers (the most) start
    at t = 1 and register all 250 then; their contract runs on at t = 2: [0, 5, 5, 0],
    10 officer-quarters, EUR 1,000 on the registration line.
    With 3 months a year at the full number (5 officer-quarters in the year) a contract of
    two quarters can hold 2.5 officers: 125 registered at t = 1 and 125 at t = 2 (a start at
    t = 1 shortens the queue most per officer-quarter), EUR 500. Without the family nobody
    would register at all.
    """
    case = _surge_case(max_months_per_year=months_per_year)
    m, outcome, _ = solve_chain(case, inflow(case, first=[250, 0, 0, 0]))
    assert outcome.status == Status.OPTIMAL, outcome.describe()
    s = m.scen["s"]
    assert [v(s.RegistrationSurge[t]) for t in range(4)] == pytest.approx(surge, abs=TOL)
    assert path(s.RegisteredVar, "first") == pytest.approx(registered, abs=TOL)
    assert v(s.SurgeStart[0]) == pytest.approx(0.0, abs=TOL)  # the lead time
    assert (len(s.Surge_Months) if hasattr(s, "Surge_Months") else 0) == year_rows
    cost = v(s.OperatingCost["registration", 2026]) * MONEY_SCALE
    assert cost == pytest.approx(OFFICER_QUARTER_EUR * sum(surge), abs=1e-3)


@pytest.mark.solver
def test_add_registration_surge_within_the_most_officers():
    """Surge_Limit: at most 5 officers at once, 250 registrations a quarter. 600 arrive at t = 0
    with no lead time and a one-quarter minimum: 250 at t = 0, 250 at t = 1, 100 at t = 2 (two
    officers); without the limit all 600 would be registered at t = 0."""
    case = _surge_case(lead_months=0, min_months=3)
    m, outcome, _ = solve_chain(case, inflow(case, first=[600, 0, 0, 0]))
    assert outcome.status == Status.OPTIMAL, outcome.describe()
    s = m.scen["s"]
    assert path(s.RegisteredVar, "first") == pytest.approx([250, 250, 100, 0], abs=TOL)
    assert [v(s.RegistrationSurge[t]) for t in range(4)] == pytest.approx([5, 5, 2, 0], abs=TOL)
