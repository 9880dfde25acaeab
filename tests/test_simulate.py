"""The simulation engine on the tiny case: one implementation of the chain's dynamics,
state hand-over, lead times and the money ledger (issue 10 §1)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pytest

from bekostiging.analytics.evaluate import evaluate_plan
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set
from bekostiging.model.data import scenario_inflows
from bekostiging.pipeline import prepare_problem
from bekostiging.schema import Policy
from bekostiging.simulate import (
    Context,
    Money,
    Path,
    Plan,
    State,
    case_forecast,
    make_policy,
    run_segment,
    settle_year,
    simulate_path,
)
from bekostiging.simulate.policies import plan_from
from bekostiging.solver import OneShotHighs, SolverOptions
from bekostiging.twostage import extensive_form, first_stage_values
from model_cases import TINY_CASE

EXACT = SolverOptions(mip_gap=0.0, threads=1)


@pytest.fixture(scope="module")
def case():  # type: ignore[no-untyped-def]
    return load_case(TINY_CASE)


@pytest.fixture(scope="module")
def two(case):  # type: ignore[no-untyped-def]
    return load_scenario_set(TINY_CASE / "scenarios" / "two", case)


def _path(case, two, name: str) -> Path:  # type: ignore[no-untyped-def]
    inflow = next(s.inflow_persons for s in scenario_inflows(two) if s.name == name)
    return Path(name, "2026-01", inflow, lambda moment, _p: case_forecast(case, moment))


@dataclass(frozen=True)
class Fixed:
    """A policy that always hands out the same plan."""

    plan: Plan
    rules: Policy
    name: str = "vast"

    def decide(self, moment, state, forecast, ctx):  # type: ignore[no-untyped-def]
        return replace(self.plan, made_at=moment)


def test_fixed_plan_on_its_own_scenario_reproduces_evaluate(case, two) -> None:  # type: ignore[no-untyped-def]
    prepared = prepare_problem(case, two, EXACT)
    problem = prepared.problem
    assert problem is not None
    m = extensive_form(problem)
    assert OneShotHighs(EXACT).solve(m).status.has_solution
    values = first_stage_values(m.first)
    ctx = Context.of(case, EXACT, segment_budgets=True)
    plan = plan_from(m.first, prepared.data, "2026-01")
    for scenario in problem.scenarios:
        ev = evaluate_plan(problem, values, [scenario], EXACT, workers=1)
        result = simulate_path(
            ctx, _path(case, two, scenario.name), Fixed(plan, case.settings.policy), replan=()
        )
        assert len(result.segment_costs_eur) == 1
        assert result.segment_costs_eur[0] == pytest.approx(ev.results[0].second_stage_cost * 1e6, rel=1e-6)


def _rows(result) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(result.rows, columns=["month", "metric", "value"])
    return frame.pivot_table(index="month", columns="metric", values="value")


def test_state_hand_over_conserves_persons_across_a_planning_moment(case, two) -> None:  # type: ignore[no-untyped-def]
    ctx = Context.of(case, EXACT)
    path = _path(case, two, "high")
    result = simulate_path(ctx, path, make_policy("status-quo", case.settings.policy, [TINY_CASE]))
    assert [d["moment"] for d in result.decisions] == ["2026-01", "2026-06", "2026-12"]
    table = _rows(result)
    registering = path.inflow[:, [0, 2]].sum(axis=1)  # first and repeat register; nareis do not
    for before, moment in (("2026-05", "2026-06"), ("2026-11", "2026-12")):
        i = int(moment[5:]) - 1
        queue = table.loc[before, "registration_queue"] + registering[i] - table.loc[moment, "registrations"]
        assert table.loc[moment, "registration_queue"] == pytest.approx(queue, abs=1e-6)
        backlog = table.loc[before, "ind_backlog"] + table.loc[moment, "registrations"]
        assert table.loc[moment, "ind_backlog"] == pytest.approx(
            backlog - table.loc[moment, "ind_decisions"], abs=1e-6
        )
        # status holders and rejected carry over too: they never jump by more than a month's flow
        assert (
            abs(table.loc[moment, "status_holders"] - table.loc[before, "status_holders"]) < path.inflow.sum()
        )


def test_lead_times_hold_across_segments(case) -> None:  # type: ignore[no-untyped-def]
    ctx = Context.of(case, EXACT)
    state = State.from_case(case, ctx.base)
    # an opening of 'standard' (lead 6 months) usable in August, decided in February;
    # an IND cohort hired in January (6 months of training) is productive from July
    plan = Plan("2026-01", hires={("ind", "2026-01"): 1}, opened={("standard", "2026-08"): 1})
    flat = np.full((12, 3), 10.0)
    path = Path("vlak", "2026-01", flat, lambda moment, _p: case_forecast(case, moment))
    first = run_segment(ctx, state, plan, path, 3)
    assert first.state.month == "2026-04"
    assert first.state.arriving_fte["ind"][:4] == (0.0, 0.0, 0.0, 2.0)  # cohort_fte 2, productive in July
    assert first.state.pending_openings["standard"][:5] == (0, 0, 0, 0, 1)  # usable in August
    second = run_segment(ctx, first.state, Plan("2026-04"), path, 6)
    places = pd.DataFrame(second.rows, columns=["month", "metric", "value"]).pivot_table(
        index="month", columns="metric", values="value"
    )
    assert places.loc["2026-07", "regular_places"] == pytest.approx(200.0)
    assert places.loc["2026-08", "regular_places"] == pytest.approx(300.0)
    staff = places["staff_fte_ind"]
    retention = ctx.base.staff["ind"].retention_per_period
    assert staff["2026-07"] == pytest.approx(retention * staff["2026-06"] + 2.0)
    assert staff["2026-06"] == pytest.approx(retention * staff["2026-05"])
    assert second.state.pending_openings["standard"] == ()


def test_overspend_draws_the_reserve_before_supplementary_funding(case) -> None:  # type: ignore[no-untyped-def]
    data = Context.of(case).base
    rules = case.settings.policy
    budget = {("ind", 2026): 10.0, ("coa", 2026): 5.0}
    small = Money(2.0, budget, {}, {("ind", 2026): 11.0, ("coa", 2026): 5.0})
    money, metrics = settle_year(small, 2026, rules, data)
    assert metrics["reserve_draw_eur"] == pytest.approx(1.0e6)
    assert metrics["supplementary_eur"] == pytest.approx(0.0)
    assert money.balance_meur == pytest.approx(1.0)
    large = Money(2.0, budget, {2026: 1.0}, {("ind", 2026): 15.0, ("coa", 2026): 5.0})
    money, metrics = settle_year(large, 2026, rules, data)
    assert metrics["reserve_draw_eur"] == pytest.approx(3.0e6)  # balance + the year's deposit
    assert metrics["supplementary_eur"] == pytest.approx(2.0e6)
    assert money.balance_meur == pytest.approx(0.0)
    assert not money.budget_meur and not money.spent_meur  # the year is closed


def test_underspend_flows_into_the_fund_only_as_the_rule_allows(case) -> None:  # type: ignore[no-untyped-def]
    data = Context.of(case).base
    under = Money(0.0, {("ind", 2026): 10.0}, {}, {("ind", 2026): 6.0})
    today = case.settings.policy.model_copy(update={"allow_asielreserve": False})
    strengthened = case.settings.policy.model_copy(
        update={"allow_asielreserve": True, "asielreserve_rule": "versterkt"}
    )
    _, kept_today = settle_year(under, 2026, today, data)
    _, kept_letter = settle_year(under, 2026, strengthened, data)
    assert kept_today["reserve_inflow_eur"] == pytest.approx(
        min(4.0, data.eindejaarsmarge_share * 10.0) * 1e6
    )
    assert kept_letter["reserve_inflow_eur"] == pytest.approx(4.0e6)


def test_running_contracts_carry_over_and_end_when_they_run_out(case) -> None:  # type: ignore[no-untyped-def]
    ctx = Context.of(case, EXACT)
    state = replace(State.from_case(case, ctx.base), emergency_carry=(30.0, 30.0, 30.0))
    quiet = Path("stil", "2026-01", np.zeros((12, 3)), lambda moment, _p: case_forecast(case, moment))
    seg = run_segment(ctx, state, Plan("2026-01"), quiet, 1)
    rows = pd.DataFrame(seg.rows, columns=["month", "metric", "value"]).set_index("metric")["value"]
    assert rows["emergency_places"] >= 30.0  # paid while the contract runs, full or not
    assert seg.state.emergency_carry == pytest.approx((30.0, 30.0))
    after = seg.state
    for _ in range(2):
        after = run_segment(ctx, after, Plan(after.month), quiet, 1).state
    assert after.emergency_carry == ()  # no inflow: nothing new, the old contracts have ended
    assert after.emergency_places == pytest.approx(30.0)  # the third month was still under contract
    last = run_segment(ctx, after, Plan(after.month), quiet, 1).state
    assert last.emergency_places == pytest.approx(0.0, abs=1e-6)


def test_shocks_are_read_by_the_one_reader_and_scale_only_their_year() -> None:
    """``simulate --shock`` and ``history stress --shock`` share one grammar: two shocks in one
    text; each multiplies its own year's months only (24 months from 2026-01, 10 persons each)."""
    from bekostiging.simulate.calendar import SimulationInputError
    from bekostiging.simulate.paths import Shock

    shocks = Shock.parse("2026:+20%, 2027:-10%")
    assert [(s.year, s.factor) for s in shocks] == [(2026, pytest.approx(1.2)), (2027, pytest.approx(0.9))]
    path = Path("vlak", "2026-01", np.full((24, 3), 10.0), lambda moment, _p: None)
    for shock in shocks:
        path = shock.apply(path)
    assert path.inflow[:12].sum() == pytest.approx(12 * 3 * 12.0)  # 2026: +20 %
    assert path.inflow[12:].sum() == pytest.approx(12 * 3 * 9.0)  # 2027: -10 %
    with pytest.raises(SimulationInputError, match="--shock"):
        Shock.parse("2027:+1%,2027:+2%")  # a year shocked twice
