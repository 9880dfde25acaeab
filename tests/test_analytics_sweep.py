"""Sweeps: one model, one persistent solver, a mutable Param changed between solves.

Integer newsvendor (``twostage_textbook.newsvendor``, ``integer=True``): unit cost
c, price q (``first.price``, mutable), d ∈ {50, 100, 150, 200} with p = 1/4;
the optimal order is the smallest x with F(x) ≥ (q − c)/q. With c = 1 (no ties at
these prices):

=====  ===============  =====  ==================  =============================
q      (q − c)/q        x*     E[min(x*, D)]       RP = x* − q·E[min(x*, D)]
=====  ===============  =====  ==================  =============================
1.2    1/6              50     50                  50 − 60 = −10
1.5    1/3              100    87.5                100 − 131.25 = −31.25
3      2/3              150    112.5               150 − 337.5 = −187.5
5      4/5              200    125                 200 − 625 = −425
=====  ===============  =====  ==================  =============================
"""

from __future__ import annotations

import dataclasses
import functools

import pyomo.environ as pyo
import pytest

from bekostiging.analytics import sweep
from bekostiging.analytics.sweep import contiguous_chunks
from bekostiging.solver import SolverOptions, solve_model
from bekostiging.twostage import TwoStageProblem, extensive_form
from twostage_textbook import capacity, expected_backlog, newsvendor

pytestmark = pytest.mark.solver

EXACT = SolverOptions(mip_gap=0.0)
TOL = 1e-6
DEMANDS = (50, 100, 150, 200)
PRICES = (1.2, 1.5, 3.0, 5.0)
EXPECTED_OBJECTIVE = (-10.0, -31.25, -187.5, -425.0)
EXPECTED_ORDER = (50.0, 100.0, 150.0, 200.0)


class CountingProblem:
    """A problem factory that counts how often a model is built (first-stage builds)."""

    def __init__(self, problem: TwoStageProblem) -> None:
        self.builds = 0
        self._problem = problem

    def _first(self, block: pyo.Block) -> None:
        self.builds += 1
        self._problem.build_first_stage(block)

    def __call__(self) -> TwoStageProblem:
        return dataclasses.replace(self._problem, build_first_stage=self._first)


def order_metrics(model: pyo.ConcreteModel) -> dict[str, float]:
    return {"order": pyo.value(model.first.order)}


def test_sweep_reuses_one_model_and_matches_independent_solves():
    """Hand values in the module table; the model is built once for all four prices."""
    factory = CountingProblem(newsvendor(DEMANDS, integer=True))
    curve = sweep(factory, PRICES, EXACT, param="first.price", metrics=order_metrics, workers=1)
    assert factory.builds == 1
    assert curve.attrs["workers"] == 1
    assert set(curve["worker"]) == {0}
    assert list(curve["value"]) == list(PRICES)
    assert list(curve["objective"]) == pytest.approx(EXPECTED_OBJECTIVE, abs=TOL)
    assert list(curve["order"]) == pytest.approx(EXPECTED_ORDER, abs=TOL)
    assert set(curve["status"]) == {"optimal"}
    assert curve.attrs["param"] == "first.price"
    independent = []
    for price in PRICES:
        model = extensive_form(newsvendor(DEMANDS, price=price, integer=True))
        independent.append(solve_model(model, EXACT).objective)
    assert list(curve["objective"]) == pytest.approx(independent, abs=TOL)
    # The order never falls as the price rises (the analogue of backlog never rising with its penalty).
    assert curve["order"].is_monotonic_increasing


def _same(problem: TwoStageProblem) -> TwoStageProblem:
    return problem


def set_unit_cost(model: pyo.ConcreteModel, value: float) -> None:
    model.first.unit_cost.set_value(value)


def test_sweep_with_a_setter_and_without_warm_start():
    """q = 3; c = 0.5: fractile 5/6 → x = 200, RP = 100 − 3·125 = −275;
    c = 2: fractile 1/3 → x = 100, RP = 200 − 3·87.5 = −62.5. Same with or without warm start.
    """
    problem = newsvendor(DEMANDS, integer=True)
    factory = functools.partial(_same, problem)
    warm = sweep(factory, (0.5, 2.0), EXACT, param=set_unit_cost, metrics=order_metrics, workers=1)
    cold = sweep(factory, (0.5, 2.0), EXACT, param=set_unit_cost, warm_start=False, workers=2)
    assert list(warm["objective"]) == pytest.approx([-275.0, -62.5], abs=TOL)
    assert list(warm["order"]) == pytest.approx([200.0, 100.0], abs=TOL)
    assert list(cold["objective"]) == pytest.approx(list(warm["objective"]), abs=TOL)
    assert warm.attrs["param"] == cold.attrs["param"] == "set_unit_cost"
    assert list(cold["worker"]) == [0, 1]


def test_sweep_accepts_a_model_and_an_indexed_entry():
    """A factory may return a built model; ``first.price`` set via its path, q = 5 → −425."""
    model = extensive_form(newsvendor(DEMANDS, integer=True))
    curve = sweep(lambda: model, (5.0,), EXACT, param="first.price")
    assert curve.loc[0, "objective"] == pytest.approx(-425.0, abs=TOL)
    assert pyo.value(model.first.price) == pytest.approx(5.0)


def test_warm_started_mip_sweep_matches_cold_solves():
    """A warm start may make a point faster, never different (capacity MILP, 10 scenarios).

    Regression: HiGHS 1.16 with presolve reported a wrong "optimal" objective from a MIP
    start after the late penalty changed (5 → 20 → 30); the solver now re-solves cold.
    Raising the penalty cannot lower the optimum or raise the optimal backlog.
    """
    penalties = (5.0, 20.0, 30.0, 50.0)
    options = SolverOptions(mip_gap=1e-3)
    problem = capacity(10)
    curve = sweep(
        lambda: problem, penalties, options, param="first.late_penalty", metrics=expected_backlog, workers=1
    )
    independent = []
    for penalty in penalties:
        model = extensive_form(problem)
        model.first.late_penalty.set_value(penalty)
        outcome = solve_model(model, options)
        assert outcome.status.has_solution
        independent.append((outcome.objective, outcome.bound))
    for (objective, bound), row in zip(independent, curve.itertuples(), strict=True):
        # Both are within the 0.1 % gap of the same optimum, so each lies in the other's bracket.
        assert row.objective >= bound - TOL * abs(bound)
        assert objective >= row.bound - TOL * abs(row.bound)
    assert curve["objective"].is_monotonic_increasing
    assert curve["expected_backlog"].is_monotonic_decreasing


@pytest.mark.unit
def test_sweep_refuses_what_it_cannot_change():
    """The swept Param must exist and be mutable; the error says how to fix it."""
    problem = newsvendor(DEMANDS)
    with pytest.raises(TypeError, match="mutable=True"):
        sweep(lambda: problem, (1.0,), EXACT, param="scen[d50].demand")
    with pytest.raises(KeyError, match=r"first\.penalty"):
        sweep(lambda: problem, (1.0,), EXACT, param="first.penalty")
    with pytest.raises(TypeError, match="not a Param"):
        sweep(lambda: problem, (1.0,), EXACT, param="first.order")


def test_parallel_sweep_equals_the_serial_one():
    """Two processes, each on its own model with a contiguous chunk: same rows, same order."""
    factory = functools.partial(newsvendor, DEMANDS, integer=True)
    prices = (*PRICES, 2.0, 4.0)
    serial = sweep(factory, prices, EXACT, param="first.price", metrics=order_metrics, workers=1)
    parallel = sweep(factory, prices, EXACT, param="first.price", metrics=order_metrics, workers=2)
    assert parallel.attrs["workers"] == 2
    assert list(parallel["value"]) == list(prices)
    assert list(parallel["worker"]) == [0, 0, 0, 1, 1, 1]
    assert list(parallel.columns) == list(serial.columns)
    assert list(parallel["objective"]) == pytest.approx(list(serial["objective"]), abs=TOL)
    assert list(parallel["order"]) == pytest.approx(list(serial["order"]), abs=TOL)


def test_a_lambda_factory_sweeps_serially_by_default_and_refuses_explicit_workers():
    problem = newsvendor(DEMANDS, integer=True)
    with pytest.warns(RuntimeWarning, match="sweeping serially"):
        curve = sweep(lambda: problem, PRICES[:2], EXACT, param="first.price")
    assert curve.attrs["workers"] == 1
    assert list(curve["objective"]) == pytest.approx(EXPECTED_OBJECTIVE[:2], abs=TOL)
    with pytest.raises(TypeError, match="workers=1"):
        sweep(lambda: problem, PRICES[:2], EXACT, param="first.price", workers=2)


@pytest.mark.unit
def test_contiguous_chunks_keep_neighbours_together():
    values = [float(v) for v in range(10)]
    assert contiguous_chunks(values, 2) == [(0, 1, 2, 3, 4), (5, 6, 7, 8, 9)]
    assert contiguous_chunks(values, 3) == [(0, 1, 2, 3), (4, 5, 6), (7, 8, 9)]
    assert contiguous_chunks(values[:1], 2) == [(0.0,)]
    assert [v for chunk in contiguous_chunks(values, 4) for v in chunk] == values
