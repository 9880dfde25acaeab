"""One executor for per-scenario work (``executor.py``) and the decomposed evaluation.

* ``chunked`` keeps order and sizes; kinds and worker counts come from the arguments or the
  environment, unknown kinds are refused with the variable's name;
* a spec is built once per worker process (the per-process cache), tasks carry only data;
* ``evaluate_plan`` through the scenario LP (template) gives the same per-scenario costs and
  KPI metrics as the per-scenario extensive forms (the path without a template);
* a local Dask cluster runs the tasks on its 2 worker processes, each building the spec once;
* the same evaluation on a local Dask cluster with 2 workers equals the serial one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bekostiging.analytics.chain import kpi_callback
from bekostiging.analytics.evaluate import evaluate_plan
from bekostiging.executor import (
    EXECUTOR_ENV,
    WORKERS_ENV,
    chunked,
    open_executor,
    resolve_kind,
    resolve_workers,
)
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set
from bekostiging.pipeline import prepare_problem, solve_case
from bekostiging.solver import SolverOptions

DEFAULT_CASE = Path(__file__).parents[1] / "data" / "nl-2026"
OPTIONS = SolverOptions(threads=1, mip_gap=0.0)
METRIC_RTOL = 0.02


def test_chunked_keeps_order_and_balance():
    parts = chunked(list(range(10)), 3)
    assert parts == [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9]]
    assert chunked([1, 2], 5) == [[1], [2]]
    assert chunked([], 3) == []


def test_kind_and_workers_from_environment(monkeypatch):
    monkeypatch.delenv(EXECUTOR_ENV, raising=False)
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    assert resolve_kind(None) == "processes"
    monkeypatch.setenv(EXECUTOR_ENV, "dask")
    assert resolve_kind(None) == "dask"
    assert resolve_kind("serial") == "serial"  # the argument wins
    monkeypatch.setenv(EXECUTOR_ENV, "tcp://scheduler:8786")
    assert resolve_kind(None) == "tcp://scheduler:8786"
    monkeypatch.setenv(EXECUTOR_ENV, "mpi")
    with pytest.raises(ValueError, match=EXECUTOR_ENV):
        resolve_kind(None)
    monkeypatch.setenv(WORKERS_ENV, "3")
    assert resolve_workers(None) == 3
    assert resolve_workers(1) == 1
    monkeypatch.setenv(WORKERS_ENV, "many")
    with pytest.raises(ValueError, match=WORKERS_ENV):
        resolve_workers(None)


@dataclass(frozen=True)
class CountingSpec:
    token: str

    def build(self) -> dict[str, int]:
        return {"pid": os.getpid(), "builds": 1}


def where_built(model: dict[str, int], item: int) -> tuple[int, int, int]:
    model["builds"] += 0  # the same object every time: built once per process
    return item, model["pid"], id(model)


def test_spec_built_once_per_worker():
    with open_executor(2, "processes", CountingSpec("count-1")) as ex:
        out = ex.map(where_built, list(range(12)))
    assert [o[0] for o in out] == list(range(12))
    by_pid: dict[int, set[int]] = {}
    for _item, pid, model_id in out:
        by_pid.setdefault(pid, set()).add(model_id)
    assert 1 <= len(by_pid) <= 2
    assert all(len(ids) == 1 for ids in by_pid.values())  # one model per process, reused


def test_local_dask_cluster_runs_on_two_worker_processes():
    # the distributed engine (issue 12 §4): a LocalCluster of 2 workers; the work really leaves
    # this process, lands on both workers, and each builds the spec once (tasks carry only data)
    with open_executor(2, "dask", CountingSpec("count-dask")) as ex:
        assert ex.kind == "dask" and len(ex._addresses) == 2
        out = ex.map(where_built, list(range(12)))
    assert [o[0] for o in out] == list(range(12))
    by_pid: dict[int, set[int]] = {}
    for _item, pid, model_id in out:
        by_pid.setdefault(pid, set()).add(model_id)
    assert len(by_pid) == 2 and os.getpid() not in by_pid
    assert all(len(ids) == 1 for ids in by_pid.values())


@pytest.fixture(scope="module")
def small_problem():
    case = load_case(DEFAULT_CASE)
    hist = load_scenario_set(DEFAULT_CASE / "scenarios" / "hist-50", case)
    subset = hist.subset(hist.names[:6])
    prepared = prepare_problem(case, subset, OPTIONS)
    assert prepared.problem is not None and prepared.data.baseline is not None
    plan = solve_case(case, subset, SolverOptions(threads=1)).first_stage  # an optimal plan: feasible
    return prepared, plan


@pytest.mark.solver
def test_decomposed_evaluate_equals_per_scenario_models(small_problem):
    prepared, plan = small_problem
    problem, data = prepared.problem, prepared.data
    metrics = kpi_callback(data)
    fast = evaluate_plan(problem, plan, options=OPTIONS, workers=1, metrics=metrics)
    slow = evaluate_plan(replace(problem, template=None), plan, options=OPTIONS, workers=1, metrics=metrics)
    assert fast.names == slow.names
    for a, b in zip(fast.results, slow.results, strict=True):
        assert a.status == b.status
        assert a.total_cost == pytest.approx(b.total_cost, rel=1e-7)
        assert a.first_stage_cost == pytest.approx(b.first_stage_cost, rel=1e-9)
        assert a.metrics.keys() == b.metrics.keys()
        for key in a.metrics:
            # the costs are unique; a KPI such as the mean backlog may sit on an alternative
            # optimum of the scenario LP (same cost), so only closeness is asked of them
            assert a.metrics[key] == pytest.approx(b.metrics[key], rel=METRIC_RTOL, abs=1e-3), key
    # the MPP-mid plan breaks a stage-1 row of this policy (the occupancy norm): infeasible on both
    mpp = data.baseline.first_stage
    one = problem.with_scenarios(problem.scenarios[:1])
    assert evaluate_plan(one, mpp, options=OPTIONS, workers=1).infeasible == (problem.names[0],)
    slow_one = evaluate_plan(replace(one, template=None), mpp, options=OPTIONS, workers=1)
    assert slow_one.infeasible == (problem.names[0],)


@pytest.mark.solver
def test_evaluate_on_a_local_dask_cluster_with_two_workers(small_problem):
    # distributed is a dependency (pyproject.toml): never skipped when it is missing, the test fails
    prepared, plan = small_problem
    problem = prepared.problem
    serial = evaluate_plan(problem, plan, options=OPTIONS, workers=1)
    dask = evaluate_plan(problem, plan, options=OPTIONS, workers=2, executor="dask")
    assert dask.names == serial.names
    for a, b in zip(dask.results, serial.results, strict=True):
        assert a.total_cost == pytest.approx(b.total_cost, rel=1e-7)
