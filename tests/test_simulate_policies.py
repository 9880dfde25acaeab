"""Policies as decision rules (issue 10 §2) on the tiny case: non-anticipation, reproducibility,
the status quo follows the MPP plan of its vintage, the tuned rule holds its reserve."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set
from bekostiging.model.data import scenario_inflows
from bekostiging.simulate import (
    AdaptiveForecaster,
    CalibratedSampler,
    Context,
    Path,
    State,
    Tuned,
    make_policy,
    simulate_path,
    window_data,
)
from bekostiging.simulate.policies import mpp_plan
from bekostiging.solver import SolverOptions
from model_cases import TINY_CASE

EXACT = SolverOptions(mip_gap=0.0, threads=1)


@pytest.fixture(scope="module")
def case():  # type: ignore[no-untyped-def]
    return load_case(TINY_CASE)


@pytest.fixture(scope="module")
def high(case):  # type: ignore[no-untyped-def]
    two = load_scenario_set(TINY_CASE / "scenarios" / "two", case)
    return next(s.inflow_persons for s in scenario_inflows(two) if s.name == "high")


def _path(case, inflow, name="p"):  # type: ignore[no-untyped-def]
    return Path(name, "2026-01", inflow, AdaptiveForecaster(case, CalibratedSampler()))


def test_the_lookahead_at_a_moment_does_not_see_the_inflow_after_it(case, high) -> None:  # type: ignore[no-untyped-def]
    ctx = Context.of(case, EXACT)
    later = high.copy()
    later[6:] *= 3.0  # the same past until June, a surge after it
    a, b = _path(case, high, "a"), _path(case, later, "b")
    policy = replace(make_policy("lookahead", case.settings.policy, [TINY_CASE]), n=3)
    state = State.from_case(case, ctx.base)
    fa, fb = a.forecast_at("2026-06"), b.forecast_at("2026-06")
    assert fa.mpp == fb.mpp
    months = ctx.planning_months("2026-06")
    rng = np.random.default_rng(7)
    draws_a = fa.sampler(3, months, rng) if fa.sampler else None
    draws_b = fb.sampler(3, months, np.random.default_rng(7)) if fb.sampler else None
    assert draws_a is not None and np.array_equal(draws_a, draws_b)
    state6 = replace(state, month="2026-06")
    plan_a = policy.decide("2026-06", state6, fa, ctx)
    plan_b = policy.decide("2026-06", state6, fb, ctx)
    assert plan_a.hires == plan_b.hires and plan_a.reserve_places == plan_b.reserve_places
    # the forecast after the surge has begun does move: the vintage follows realised inflow
    assert b.forecast_at("2026-12").mpp != a.forecast_at("2026-12").mpp


def test_the_lookahead_is_reproducible_by_seed(case, high) -> None:  # type: ignore[no-untyped-def]
    policy = replace(make_policy("lookahead", case.settings.policy, [TINY_CASE]), n=2)
    runs = [
        simulate_path(Context.of(case, EXACT, seed=seed), _path(case, high), policy, replan=("autumn",))
        for seed in (1, 1)
    ]
    cash = [sum(v for (_m, k, v) in r.rows if k == "cash_eur") for r in runs]
    assert cash[0] == pytest.approx(cash[1], rel=1e-9)
    assert runs[0].decisions == runs[1].decisions


def test_status_quo_budgets_the_mpp_need_and_the_tuned_rule_holds_its_reserve(case, high) -> None:  # type: ignore[no-untyped-def]
    ctx = Context.of(case, EXACT)
    path = _path(case, high)
    quo = simulate_path(ctx, path, make_policy("status-quo", case.settings.policy, [TINY_CASE]), replan=())
    tuned = simulate_path(ctx, path, Tuned(0.2, 40.0), replan=())
    assert quo.final.commitments["ReservePlaces"][2026] == 0.0
    assert tuned.final.commitments["ReservePlaces"][2026] == pytest.approx(40.0)
    budget = {r.policy: sum(v for (_m, k, v) in r.rows if k == "budget_eur") for r in (quo, tuned)}
    assert budget[tuned.policy] > budget[quo.policy]  # planned for 20 % more inflow and 40 reserve places
    # the status quo's 2026 budget is the need of the MPP plan of its vintage (ratio 1.0)
    months = ctx.planning_months("2026-01")
    data = window_data(ctx.base, "2026-01", len(months), State.from_case(case, ctx.base))
    need = mpp_plan(ctx, data, path.forecast_at("2026-01"), months).need_meur
    assert budget[quo.policy] == pytest.approx(
        1e6 * sum(v for (_l, y), v in need.items() if y == 2026), rel=1e-6
    )
    places = [v for (_m, k, v) in tuned.rows if k == "reserve_places"]
    assert min(places) == pytest.approx(40.0) and len(places) == 12


def test_a_warm_start_from_the_previous_plan_never_changes_the_optimum(case) -> None:  # type: ignore[no-untyped-def]
    from bekostiging.pipeline import prepare_problem
    from bekostiging.simulate.policies import WarmStartHighs, plan_from, warm_start
    from bekostiging.solver import OneShotHighs
    from bekostiging.twostage import extensive_form

    two = load_scenario_set(TINY_CASE / "scenarios" / "two", case)
    prepared = prepare_problem(case, two, EXACT)
    cold_model = extensive_form(prepared.problem)
    cold = OneShotHighs(EXACT).solve(cold_model)
    plan = plan_from(cold_model.first, prepared.data, "2026-01")
    plan = replace(plan, hires={k: v + 1 for k, v in plan.hires.items()})  # a start that is not optimal
    warm_model = extensive_form(prepared.problem)
    start = warm_start(warm_model.first, prepared.data, plan)
    assert start
    warm = WarmStartHighs(EXACT, start).solve(warm_model)
    assert warm.extra["start_columns"] == len(start)
    assert warm.objective == pytest.approx(cold.objective, rel=1e-9)


def test_letter_options_combine_as_rules(case) -> None:  # type: ignore[no-untyped-def]
    both = make_policy("flexpool+lagere-bezettingsgraad", case.settings.policy, [TINY_CASE])
    rules = both.rules
    assert rules.allow_flexpool and rules.allow_location_changes  # each lever one of them allows
    assert not rules.allow_reserve_places and not rules.allow_staff_changes
    assert rules.occupancy_norm == pytest.approx(0.85)  # the lower norm of option 5
    assert rules.funding_ratio_min == pytest.approx(1.0) and rules.funding_ratio_max is None
    reserve = make_policy("asielreserve-huidig+asielreserve", case.settings.policy, [TINY_CASE]).rules
    assert reserve.asielreserve_rule == "versterkt"
    with pytest.raises(ValueError, match="unknown policy"):
        make_policy("flexpool+geen-optie", case.settings.policy, [TINY_CASE])


def test_a_rule_replans_around_running_reserve_contracts(case, high) -> None:  # type: ignore[no-untyped-def]
    ctx = Context.of(case, EXACT)
    path = _path(case, high)
    state = replace(State.from_case(case, ctx.base), month="2026-06", reserve_carry=(25.0,) * 3)
    policy = make_policy("reservecapaciteit", case.settings.policy, [TINY_CASE])
    plan = policy.decide("2026-06", state, path.forecast_at("2026-06"), ctx)  # the MPP plan ignores them
    assert plan.reserve_places[2026] >= 25.0  # the running contracts need their places held
