"""RP, EV, EEV, WS, VSS and EVPI on textbook problems with hand-derived answers.

Newsvendor used throughout (``twostage_textbook.newsvendor``): unit cost c = 1,
price q = 3, demand d ∈ {50, 100, 150, 200} with probability 1/4 each; total
cost f(x, d) = x − 3·min(x, d).

* RP. dE[f]/dx = c − q·P(D > x) = 1 − 3·P(D > x): −0.5 on (100, 150), +0.25 on
  (150, 200), so x* = 150 (critical fractile (q − c)/q = 2/3 first reached at
  F(150) = 3/4). E[min(150, D)] = (50 + 100 + 150 + 150)/4 = 112.5, so
  RP = 150 − 3·112.5 = −187.5.
* EV. Mean demand 125: x̄ = 125, EV = 125 − 3·125 = −250.
* EEV. x = 125: E[min(125, D)] = (50 + 100 + 125 + 125)/4 = 100, so
  EEV = 125 − 300 = −175.
* WS. x = d in every scenario: f = −2d, WS = −2·125 = −250 (per scenario
  −100, −200, −300, −400).
* VSS = −175 − (−187.5) = 12.5; EVPI = −187.5 − (−250) = 62.5.
"""

from __future__ import annotations

import math

import pytest

from bekostiging.analytics import (
    StochasticSolution,
    solve_stochastic,
    value_of_information,
)
from bekostiging.solver import SolveOutcome, SolverOptions, Status
from bekostiging.twostage import Risk
from twostage_textbook import farmer, newsvendor

pytestmark = pytest.mark.solver

EXACT = SolverOptions(mip_gap=0.0)
TOL = 1e-6
DEMANDS = (50, 100, 150, 200)


def _assert_ordering(voi):
    assert voi.ws.value <= voi.rp.value + TOL
    assert voi.rp.value <= voi.eev.value + TOL
    assert voi.vss.value >= -TOL
    assert voi.evpi.value >= -TOL


def test_newsvendor_hand_derived_values():
    """Values derived in the module docstring."""
    voi = value_of_information(newsvendor(DEMANDS), EXACT, workers=1)
    expected = {"RP": -187.5, "EV": -250.0, "EEV": -175.0, "WS": -250.0, "VSS": 12.5, "EVPI": 62.5}
    for m in voi.measures:
        assert m.value == pytest.approx(expected[m.name], abs=TOL), m.name
        assert m.status == Status.OPTIMAL
        assert m.exact, m.name
    assert voi.rp_solution.first_stage == pytest.approx({"order": 150.0})
    assert voi.ev_solution.first_stage == pytest.approx({"order": 125.0})
    assert voi.ws_objectives == pytest.approx({"d50": -100.0, "d100": -200.0, "d150": -300.0, "d200": -400.0})
    _assert_ordering(voi)


def test_to_frame_is_tidy_and_complete():
    """One row per measure, with status and gap kept; values as in the module docstring."""
    voi = value_of_information(newsvendor(DEMANDS), EXACT, workers=1)
    frame = voi.to_frame()
    assert list(frame["measure"]) == ["RP", "EV", "EEV", "WS", "VSS", "EVPI"]
    assert {"measure", "value_eur", "status", "gap", "lower_eur", "upper_eur"} <= set(frame.columns)
    assert set(frame["status"]) == {"optimal"}
    assert frame.set_index("measure").loc["VSS", "value_eur"] == pytest.approx(12.5, abs=TOL)
    per_scenario = voi.scenario_frame().set_index("scenario")
    # EV plan x = 125 in scenario d = 50: 125 − 3·50 = −25; RP plan x = 150: 150 − 150 = 0.
    assert per_scenario.loc["d50", "eev_total_eur"] == pytest.approx(-25.0, abs=TOL)
    assert per_scenario.loc["d50", "rp_total_eur"] == pytest.approx(0.0, abs=TOL)


def test_farmer_published_values_in_parallel():
    """Birge & Louveaux 2nd ed. §1.1, exact forms of the published (rounded) numbers.

    RP: plant wheat/corn/beets = 170/80/250 acres, RP = −108,390.
    EV (average yields 2.5/3/20): 120/80/300 acres, EV = −118,600.
    EEV: that plan in the good/average/bad years: −148,000 / −118,600 / −55,120,
    mean −107,240. WS: −503,000/3 (good), −118,600, −59,950; mean −1,038,650/9
    = −115,405.56. VSS = −107,240 + 108,390 = 1,150; EVPI = −108,390 + 1,038,650/9
    = 63,140/9 = 7,015.56.
    """
    voi = value_of_information(farmer(), EXACT, workers=2)
    ws = -1_038_650 / 9
    expected = {
        "RP": -108_390.0,
        "EV": -118_600.0,
        "EEV": -107_240.0,
        "WS": ws,
        "VSS": 1_150.0,
        "EVPI": -108_390.0 - ws,
    }
    for m in voi.measures:
        assert m.value == pytest.approx(expected[m.name], abs=TOL), m.name
        assert m.exact, m.name
    assert voi.rp_solution.first_stage == pytest.approx(
        {"acres[wheat]": 170.0, "acres[corn]": 80.0, "acres[beets]": 250.0}
    )
    assert voi.ws_objectives["good"] == pytest.approx(-503_000 / 3, abs=TOL)
    assert voi.ws_objectives["bad"] == pytest.approx(-59_950.0, abs=TOL)
    assert voi.eev_evaluation is not None
    assert [r.total_cost for r in voi.eev_evaluation.results] == pytest.approx(
        [-148_000.0, -118_600.0, -55_120.0], abs=TOL
    )
    _assert_ordering(voi)


def test_cvar_weight_zero_equals_risk_neutral():
    """W = 0 must give the risk-neutral solve whatever alpha is: same objective, same plan."""
    neutral = solve_stochastic(farmer(), EXACT)
    weight_zero = solve_stochastic(farmer(Risk(weight=0.0, alpha=0.5)), EXACT)
    assert weight_zero.objective == pytest.approx(neutral.objective, abs=TOL)
    assert weight_zero.first_stage == pytest.approx(neutral.first_stage)
    assert weight_zero.cvar is None


def test_cvar_weight_one_newsvendor():
    """W = 1, alpha = 0.5: minimise the mean of the worst half of outcomes.

    f(x, d) = x − 3·min(x, d) is non-increasing in d, so the worst half is always
    d ∈ {50, 100}: CVaR(x) = x − 1.5·(min(x, 50) + min(x, 100)), slopes −2 on
    (0, 50), −0.5 on (50, 100), +1 beyond: x* = 100, RP = 100 − 1.5·150 = −125.
    EV plan x̄ = 125 (one scenario: CVaR = cost). EEV: costs −25, −175, −250, −250;
    worst half (−25 − 175)/2 = −100. WS: costs −2d = −100, −200, −300, −400;
    worst half −150. VSS = −100 + 125 = 25; EVPI = −125 + 150 = 25.
    """
    voi = value_of_information(newsvendor(DEMANDS, risk=Risk(weight=1.0, alpha=0.5)), EXACT, workers=1)
    expected = {"RP": -125.0, "EV": -250.0, "EEV": -100.0, "WS": -150.0, "VSS": 25.0, "EVPI": 25.0}
    for m in voi.measures:
        assert m.value == pytest.approx(expected[m.name], abs=TOL), m.name
    assert voi.rp_solution.first_stage == pytest.approx({"order": 100.0})
    assert voi.rp_solution.cvar == pytest.approx(-125.0, abs=TOL)
    _assert_ordering(voi)


def test_cvar_half_weight_newsvendor():
    """W = 0.5, alpha = 0.5: slopes of 0.5·E + 0.5·CVaR are −2, −0.875, +0.25, +0.625
    on (0,50), (50,100), (100,150), (150,200), so x* = 100. E[f(100, D)] =
    100 − 3·(50 + 100 + 100 + 100)/4 = −162.5 and CVaR = −125, objective −143.75.
    """
    rp = solve_stochastic(newsvendor(DEMANDS, risk=Risk(weight=0.5, alpha=0.5)), EXACT)
    assert rp.first_stage == pytest.approx({"order": 100.0})
    assert rp.objective == pytest.approx(-143.75, abs=TOL)
    assert rp.first_stage_cost + rp.expected_second_stage_cost == pytest.approx(-162.5, abs=TOL)


def test_ev_plan_that_cannot_serve_a_scenario_gives_infinite_vss():
    """Demand must be met in full (y = d ≤ x), d ∈ {50, 100, 150} with probability 1/3.

    RP must cover the largest demand: x = 150, RP = 150 − 3·100 = −150. EV plans
    x̄ = 100 (EV = −200), which cannot serve d = 150: EEV = VSS = +inf. WS = −2·100
    = −200, EVPI = −150 + 200 = 50.
    """
    voi = value_of_information(newsvendor((50, 100, 150), must_serve=True), EXACT, workers=1)
    assert voi.rp.value == pytest.approx(-150.0, abs=TOL)
    assert voi.ev.value == pytest.approx(-200.0, abs=TOL)
    assert voi.eev.value == math.inf
    assert voi.vss.value == math.inf
    assert voi.eev.status == Status.INFEASIBLE
    assert "d150" in voi.eev.note
    assert voi.eev_evaluation is not None
    assert voi.eev_evaluation.infeasible == ("d150",)
    assert voi.evpi.value == pytest.approx(50.0, abs=TOL)


def test_rp_stopped_at_a_gap_gives_an_interval_not_a_point():
    """An RP stopped at a limit with incumbent −180 and bound −190 (true RP = −187.5).

    EEV = −175, WS = −250 (exact). VSS point −175 + 180 = 5, interval
    [−175 − (−180), −175 − (−190)] = [5, 15]; EVPI point −180 + 250 = 70,
    interval [−190 + 250, −180 + 250] = [60, 70]. Neither is exact; status limit.
    """
    outcome = SolveOutcome(Status.LIMIT, -180.0, -190.0, 10.0 / 180.0, 1.0)
    stopped = StochasticSolution(outcome, {"order": 140.0}, 140.0, -320.0, {})
    voi = value_of_information(newsvendor(DEMANDS), EXACT, workers=1, rp=stopped)
    assert (voi.vss.value, voi.vss.lower, voi.vss.upper) == pytest.approx((5.0, 5.0, 15.0))
    assert (voi.evpi.value, voi.evpi.lower, voi.evpi.upper) == pytest.approx((70.0, 60.0, 70.0))
    for m in (voi.rp, voi.vss, voi.evpi):
        assert m.status == Status.LIMIT
        assert not m.exact
    assert "interval" in voi.vss.note
    frame = voi.to_frame().set_index("measure")
    assert not frame.loc["VSS", "exact"]
    assert frame.loc["VSS", "gap"] == pytest.approx(10.0 / 180.0)
