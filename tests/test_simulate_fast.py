"""The simulation's fast path (issue 10 §6) against the old one on the tiny case.

The fast path assembles the planners' many-scenario models from a two-scenario template
(``assemble.BlockHighs``) and reuses a plan when the same policy decides at the same moment
from the same state and forecast (``engine.shared_decide``: every path's first moment). Neither
may change a result: the same paths through the old path (every model built by Pyomo, every
moment planned afresh) give the same states, decisions and cash. The tests also check that
the fast path was taken (templates solved, decisions reused), so they cannot pass vacuously.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pytest

from bekostiging.assemble import BlockHighs
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set
from bekostiging.model.data import scenario_inflows
from bekostiging.simulate import (
    AdaptiveForecaster,
    CalibratedSampler,
    Context,
    Path,
    State,
    engine,
    make_policy,
)
from bekostiging.simulate.engine import PathResult, shared_decide, simulate_path
from bekostiging.simulate.paths import Forecast
from bekostiging.simulate.state import Plan
from bekostiging.solver import SolverOptions
from model_cases import TINY_CASE

EXACT = SolverOptions(mip_gap=0.0, threads=1)
# every speed-up of the fast path switched off: Pyomo builds every block, every moment is
# planned afresh, Pyomo's walker, Python's own collector, OpenBLAS threads as they are
OLD = dict(assemble=False, share_plans=False, fast_walker=False, gc_thresholds=None, blas_threads=None)
STOCKS = ("staff_fte", "backlog", "queue", "open_locations")


@pytest.fixture(scope="module")
def case():  # type: ignore[no-untyped-def]
    return load_case(TINY_CASE)


@pytest.fixture(scope="module")
def paths(case):  # type: ignore[no-untyped-def]
    two = load_scenario_set(TINY_CASE / "scenarios" / "two", case)
    fc = AdaptiveForecaster(case, CalibratedSampler())
    return [Path(s.name, "2026-01", s.inflow_persons, fc) for s in scenario_inflows(two)]


@dataclass(frozen=True)
class Counting:
    """A policy that counts how often it really decides (the counter travels with it)."""

    inner: object
    calls: list

    @property
    def name(self) -> str:
        return self.inner.name  # type: ignore[attr-defined]

    @property
    def rules(self):  # type: ignore[no-untyped-def]
        return self.inner.rules  # type: ignore[attr-defined]

    def decide(self, moment, state, forecast, ctx):  # type: ignore[no-untyped-def]
        self.calls.append(moment)
        return self.inner.decide(moment, state, forecast, ctx)  # type: ignore[attr-defined]

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Counting, (self.inner, []))  # the key sees the policy, not its counter


ECHO_CALLS: list = []


@dataclass(frozen=True)
class Echo:
    """A policy without a solver: its plan names the backlog and forecast it saw."""

    name: str = "echo"
    rules: object = None

    def decide(self, moment: str, state: State, forecast: Forecast, ctx: Context) -> Plan:
        ECHO_CALLS.append(moment)
        return Plan(made_at=moment, note=f"{sum(state.backlog.values()):.3f} {forecast.label}")


def _cash(result: PathResult) -> np.ndarray:
    return np.array([v for (_m, k, v) in result.rows if k == "cash_eur"])


def _same(a: PathResult, b: PathResult) -> None:
    assert len(a.rows) == len(b.rows)
    np.testing.assert_allclose(_cash(a), _cash(b), rtol=1e-6)
    values_a = np.array([v for (_m, _k, v) in a.rows])
    values_b = np.array([v for (_m, _k, v) in b.rows])
    np.testing.assert_allclose(values_a, values_b, rtol=1e-6, atol=1e-4)
    for name in STOCKS:
        got, want = getattr(a.final, name), getattr(b.final, name)
        assert got.keys() == want.keys()
        for k in got:
            assert got[k] == pytest.approx(want[k], rel=1e-6, abs=1e-6)
    assert [d["hires"] for d in a.decisions] == pytest.approx([d["hires"] for d in b.decisions])
    assert [d["reserve_places"] for d in a.decisions] == pytest.approx(
        [d["reserve_places"] for d in b.decisions]
    )


@pytest.mark.parametrize(
    ("name", "assemble_from"), [("reservecapaciteit", 3), ("lookahead", 3), ("reservecapaciteit", None)]
)
def test_the_fast_path_gives_the_old_paths_states_and_cash(
    case, paths, name, assemble_from, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """With the band assembled (``assemble_from`` = 3) and as it runs (the band built by Pyomo)."""
    engine._PLANS.clear()
    solved = []
    original = BlockHighs.solve_problem

    def counted(self, *a, **kw):  # type: ignore[no-untyped-def]
        solved.append(len(self.names))
        return original(self, *a, **kw)

    monkeypatch.setattr(BlockHighs, "solve_problem", counted)
    policy = make_policy(name, case.settings.policy, [TINY_CASE])
    if name == "lookahead":
        policy = replace(policy, n=3)
    old_ctx = Context.of(case, EXACT, **OLD)
    fast_ctx = Context.of(case, EXACT)
    if assemble_from is not None:
        fast_ctx = replace(fast_ctx, assemble_from=assemble_from)
    replan = ("autumn",)
    old_calls: list = []
    old = [simulate_path(old_ctx, p, Counting(policy, old_calls), replan) for p in paths]
    assert not solved  # the old path builds every block with Pyomo
    fast_calls: list = []
    fast = [simulate_path(fast_ctx, p, Counting(policy, fast_calls), replan) for p in paths]
    for a, b in zip(fast, old, strict=True):
        _same(a, b)
    moments = sum(len(r.decisions) for r in old)
    assert len(old_calls) == moments
    # the second path's first moment is the first path's: planned once
    assert len(fast_calls) == moments - 1
    if assemble_from is None:  # the default: the band's three scenarios are built, not assembled
        assert fast_ctx.assemble_from > 3 and not solved
    else:
        assert solved and min(solved) >= 3  # the band (3) and the lookahead (3) were assembled


def test_a_decision_is_shared_only_when_everything_it_sees_is_the_same(case, paths) -> None:  # type: ignore[no-untyped-def]
    engine._PLANS.clear()
    ctx = Context.of(case, EXACT)
    calls = ECHO_CALLS
    calls.clear()
    state = State.from_case(case, ctx.base, month="2026-01")
    forecast = paths[0].forecast_at("2026-01")
    first = shared_decide(Echo(), "2026-01", state, forecast, ctx)
    again = shared_decide(Echo(), "2026-01", state, paths[1].forecast_at("2026-01"), ctx)
    assert again is first and len(calls) == 1
    more = replace(state, backlog={k: v + 1.0 for k, v in state.backlog.items()})
    other = shared_decide(Echo(), "2026-01", more, forecast, ctx)
    assert other.note != first.note and len(calls) == 2  # another state: decided afresh
    shared_decide(Echo(), "2026-06", state, forecast, ctx)  # another moment
    shared_decide(Echo("echo-2"), "2026-01", state, forecast, ctx)  # another policy
    shared_decide(Echo(), "2026-01", state, forecast, replace(ctx, seed=ctx.seed + 1))  # another seed
    assert len(calls) == 5
    shared_decide(Echo(), "2026-01", state, forecast, replace(ctx, share_plans=False))
    assert len(calls) == 6  # switched off: always decided


def test_an_assembled_plan_keeps_the_decisions_already_taken(case, paths, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    solved = []
    original = BlockHighs.solve_problem

    def counted(self, *a, **kw):  # type: ignore[no-untyped-def]
        solved.append(len(self.names))
        return original(self, *a, **kw)

    monkeypatch.setattr(BlockHighs, "solve_problem", counted)
    policy = make_policy("reservecapaciteit", case.settings.policy, [TINY_CASE])
    old_ctx = Context.of(case, EXACT, assemble=False, share_plans=False)
    fast_ctx = Context.of(case, EXACT, assemble_from=3)  # the band assembled
    start = State.from_case(case, old_ctx.base)
    forecast = paths[0].forecast_at("2026-06")
    free = policy.decide("2026-06", replace(start, month="2026-06"), forecast, fast_ctx)
    taken = 37.0 if abs(free.reserve_places[2026] - 37.0) > 1.0 else 63.0  # not what it would choose
    state = replace(start, month="2026-06", commitments={"ReservePlaces": {2026: taken}})
    plans = [policy.decide("2026-06", state, forecast, ctx) for ctx in (old_ctx, fast_ctx)]
    assert solved == [3, 3]  # both fast-context plans were assembled, the old one was not
    assert plans[1].reserve_places[2026] == pytest.approx(taken)
    assert plans[1].reserve_places == pytest.approx(plans[0].reserve_places)
    assert plans[1].hires == pytest.approx(plans[0].hires)
    assert plans[1].budget_meur == pytest.approx(plans[0].budget_meur, rel=1e-6)


def _arrays(lp) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    a = lp.a_matrix_
    return {
        "cost": np.asarray(lp.col_cost_),
        "col_lower": np.asarray(lp.col_lower_),
        "col_upper": np.asarray(lp.col_upper_),
        "row_lower": np.asarray(lp.row_lower_),
        "row_upper": np.asarray(lp.row_upper_),
        "start": np.asarray(a.start_),
        "index": np.asarray(a.index_),
        "value": np.asarray(a.value_),
        "integer": np.array([int(k) for k in lp.integrality_]),
        "offset": np.array([lp.offset_]),
    }


def test_the_direct_handoff_is_the_lp_file_array_by_array(case, paths) -> None:  # type: ignore[no-untyped-def]
    from bekostiging.model import chain_problem
    from bekostiging.model.data import ScenarioInflow
    from bekostiging.simulate.engine import fix_plan
    from bekostiging.simulate.handoff import DirectHighs, compile_lp
    from bekostiging.simulate.policies import mpp_plan
    from bekostiging.simulate.window import window_data
    from bekostiging.solver import OneShotHighs
    from bekostiging.twostage import extensive_form

    ctx = Context.of(case, EXACT, direct=False)
    state = State.from_case(case, ctx.base)
    forecast = paths[0].forecast_at("2026-01")
    months = ctx.planning_months("2026-01")
    policy = make_policy("combinatie", case.settings.policy, [TINY_CASE])
    data = window_data(ctx.base, "2026-01", len(months), state, policy=policy.rules)
    planned = data.with_baseline(mpp_plan(ctx, data, forecast, months))
    bands = [ScenarioInflow(b, forecast.monthly(b, months)) for b in ("low", "mid", "high")]
    planner = extensive_form(chain_problem(planned, bands, [0.25, 0.5, 0.25]))
    segment_data = window_data(ctx.base, "2026-01", 5, state, terminal_staff=False)
    realised = [ScenarioInflow("p", paths[0].segment("2026-01", 5))]
    segment = extensive_form(chain_problem(segment_data, realised, [1.0]))
    plan = policy.decide("2026-01", state, forecast, ctx)
    fix_plan(segment.first, segment_data, plan, state)  # fixed variables are constants in the file
    for model in (planner, segment):
        slow, _c, _r = compile_lp(model, fast=False)  # Pyomo's own walker
        fast, fast_cols, fast_rows = compile_lp(model)
        for key, value in _arrays(slow).items():  # bit for bit: the same arithmetic
            assert _arrays(fast)[key].tobytes() == value.tobytes(), key
        assert all(a is b for a, b in zip(fast_cols, _c, strict=True))
        assert all(a is b for a, b in zip(fast_rows, _r, strict=True))
        file = OneShotHighs(EXACT)
        h = file._new_highs()
        file._load(model, h)
        want = _arrays(h.getLp())
        lp, cols, _rows = compile_lp(model)
        got = _arrays(lp)
        assert len(got["cost"]) > 100 and len(got["row_lower"]) > 100
        for key in want:
            np.testing.assert_array_equal(got[key], want[key], err_msg=key)
        assert [c is None for c in cols] == [c is None for c in file._cols]
        assert all(a is b for a, b in zip(cols, file._cols, strict=True))  # the same variables
        direct = DirectHighs(EXACT).solve(model)
        values = [v.value for v in cols if v is not None]
        again = OneShotHighs(EXACT).solve(model)
        assert direct.objective == again.objective  # the same path through HiGHS
        assert values == [v.value for v in file._cols if v is not None]


def test_the_fast_walker_is_pyomos_walker_on_every_kind_of_node() -> None:
    """Sums of variables, monomials, negations, named expressions (reused), products and
    quotients by constants, fixed variables, mutable and immutable Params, zero and NaN-free
    constants, a coefficient that is an expression of Params, a ranged row, a variable-free
    row: the LP of the fast walker is Pyomo's bit for bit, column and row for row."""
    import pyomo.environ as pyo

    from bekostiging.simulate.fastrepn import FastLinearWalker
    from bekostiging.simulate.handoff import compile_lp

    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(4)
    m.x = pyo.Var(m.I, bounds=(0, 10))
    m.y = pyo.Var(m.I, domain=pyo.NonNegativeIntegers, bounds=(0, 5))
    m.z = pyo.Var()
    m.p = pyo.Param(m.I, initialize=lambda _m, i: 0.1 * i + 1 / 3, mutable=True)
    m.q = pyo.Param(initialize=2.5)
    m.x[2].fix(3.7)
    m.e = pyo.Expression(m.I, rule=lambda m, i: 0.3 * m.x[i] - m.y[i] / 7 + m.p[i])
    m.c1 = pyo.Constraint(m.I, rule=lambda m, i: sum(m.x[j] for j in m.I) - m.e[i] + 2 * m.z >= i / 3)
    m.c2 = pyo.Constraint(m.I, rule=lambda m, i: -(m.x[i] + 3 * m.y[i]) + m.p[i] * m.y[i] <= m.q)
    m.c3 = pyo.Constraint(m.I, rule=lambda m, i: (1.1, 0.25 * (m.e[i] - m.x[1]) + (m.x[i] - 0.0) / 3, 9.9))
    m.c4 = pyo.Constraint(expr=m.z + m.z - 2 * m.z + 0 * m.x[1] + m.x[2] == 3.7)  # no variable left
    m.c5 = pyo.Constraint(expr=-m.e[1] - (-m.e[2]) + m.p[1] * m.p[2] * m.x[3] >= -1e9)
    m.c6 = pyo.Constraint(expr=pyo.quicksum((k * 0.7) * m.y[k] for k in m.I) - m.q * m.x[4] == 1.0)
    m.obj = pyo.Objective(expr=sum(m.e[i] for i in m.I) + 1e-3 * m.z + 5.0)
    calls: list[int] = []
    original = FastLinearWalker._sum_into

    def counted(self, data, args):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(self, data, args)

    FastLinearWalker._sum_into = counted  # type: ignore[method-assign]
    try:
        fast, fast_cols, fast_rows = compile_lp(m)
    finally:
        FastLinearWalker._sum_into = original  # type: ignore[method-assign]
    assert calls  # the fast walker walked the sums itself
    slow, slow_cols, slow_rows = compile_lp(m, fast=False)
    for key, value in _arrays(slow).items():
        assert _arrays(fast)[key].tobytes() == value.tobytes(), key
    assert len(fast_rows) == len(slow_rows) > 16
    assert all(a is b for a, b in zip(fast_cols, slow_cols, strict=True))
    assert all(a is b for a, b in zip(fast_rows, slow_rows, strict=True))


def test_the_collector_is_tuned_during_a_path_and_restored_after(case, paths) -> None:  # type: ignore[no-untyped-def]
    import gc

    seen: list = []
    before = gc.get_threshold()

    @dataclass(frozen=True)
    class Watch:
        name: str = "watch"
        rules: object = None

        def decide(self, moment, state, forecast, ctx):  # type: ignore[no-untyped-def]
            seen.append(gc.get_threshold())
            return Plan(made_at=moment)

    policy = make_policy("status-quo", case.settings.policy, [TINY_CASE])
    ctx = Context.of(case, EXACT, share_plans=False)
    simulate_path(ctx, paths[0], replace(Watch(), rules=policy.rules), ("autumn",))
    assert seen and all(t == engine.GC_THRESHOLDS for t in seen)
    assert gc.get_threshold() == before != engine.GC_THRESHOLDS
    seen.clear()
    simulate_path(
        replace(ctx, gc_thresholds=None), paths[0], replace(Watch(), rules=policy.rules), ("autumn",)
    )
    assert seen and all(t == before for t in seen)


def test_openblas_runs_one_thread_during_a_path_and_its_own_count_after(case, paths) -> None:  # type: ignore[no-untyped-def]
    from bekostiging.simulate.blas import blas_threads, openblas_controls

    controls = openblas_controls()
    if not controls:
        pytest.skip("no OpenBLAS loaded in this process (another BLAS or not Linux)")
    before = [get() for _set, get in controls]
    seen: list = []

    @dataclass(frozen=True)
    class Watch:
        name: str = "watch"
        rules: object = None

        def decide(self, moment, state, forecast, ctx):  # type: ignore[no-untyped-def]
            seen.append([get() for _set, get in controls])
            return Plan(made_at=moment)

    policy = make_policy("status-quo", case.settings.policy, [TINY_CASE])
    ctx = Context.of(case, EXACT, share_plans=False)
    with blas_threads(2):  # a known count before, whatever the machine's
        simulate_path(ctx, paths[0], replace(Watch(), rules=policy.rules), ("autumn",))
        assert [get() for _set, get in controls] == [2] * len(controls)
    assert seen and all(s == [1] * len(controls) for s in seen)
    assert [get() for _set, get in controls] == before
