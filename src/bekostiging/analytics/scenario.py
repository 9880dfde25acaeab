"""One scenario solved on its own, and many of them solved in parallel processes.

The wait-and-see problems (stage 1 free, one scenario known) and the recourse
problems of a fixed plan (stage 1 fixed, one scenario) are independent of each
other, so they run on the executor (``executor.py``: local processes by default, or
``$BEKOSTIGING_EXECUTOR``, e.g. a Dask cluster).
Everything sent to a worker is pickled: the problem's builders, its
``mean_data`` and the optional ``metrics`` callback must be top-level functions
or :func:`functools.partial` objects of them (no lambdas, no closures).

Workers are started with the ``spawn`` method: the parent has usually run HiGHS
(which keeps a thread pool) before, and forking a multi-threaded process can
deadlock. When several workers run and ``SolverOptions.threads`` is unset, each
HiGHS gets one thread, so that the workers do not oversubscribe the cores.
As with any ``spawn`` pool, a script that calls these functions must guard its
entry point with ``if __name__ == "__main__":`` (the CLI and pytest do).
"""

from __future__ import annotations

import dataclasses
import math
import os
import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import pyomo.environ as pyo

from bekostiging.solver import OneShotHighs, SolverOptions, Status
from bekostiging.twostage import (
    Risk,
    ScenarioData,
    TwoStageProblem,
    extensive_form,
    first_stage_values,
)

MetricsCallback = Callable[[pyo.Block], Mapping[str, float]]
"""``metrics(block) -> {name: value}`` on a solved scenario block (``block.model().first`` is stage 1)."""

_THREADS_PER_WORKER = 1

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class ScenarioTask:
    """One scenario's problem: stage 1 fixed to ``fixed_first_stage`` or, if None, free.

    ``problem`` holds this scenario alone (see :func:`one_scenario_problem`);
    ``probability`` is its probability in the original scenario set.
    """

    name: str
    probability: float
    problem: TwoStageProblem
    options: SolverOptions
    fixed_first_stage: Mapping[str, float] | None = None
    metrics: MetricsCallback | None = None
    partial: bool = False  # fix only the given stage-1 variables (a yearly plan's root decisions)


@dataclass(frozen=True)
class ScenarioResult:
    """The outcome of one scenario's problem. Costs are in the model's unit (EUR for the chain).

    ``total_cost`` = stage-1 cost + stage-2 cost of this scenario (the incumbent);
    ``bound`` is the solver's lower bound on it. An infeasible scenario has
    ``total_cost = +inf``; a scenario stopped without any solution has NaN.
    """

    name: str
    probability: float
    status: Status
    total_cost: float
    bound: float
    gap: float | None
    first_stage_cost: float
    second_stage_cost: float
    seconds: float
    message: str = ""
    first_stage: Mapping[str, float] | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)

    @property
    def solved(self) -> bool:
        return self.status.has_solution

    @property
    def optimal(self) -> bool:
        return self.status == Status.OPTIMAL

    @property
    def cost_interval(self) -> tuple[float, float]:
        """(lower, upper) bound on this scenario's optimal total cost."""
        return self.bound, self.total_cost


def one_scenario_problem(problem: TwoStageProblem, scenario: ScenarioData) -> TwoStageProblem:
    """``problem`` restricted to ``scenario`` with probability 1, risk-neutral.

    With one scenario, (1 − W)·E + W·CVaR of the cost is the cost itself, so the
    risk measure is dropped here and applied when the scenarios are aggregated.
    """
    alone = ScenarioData(scenario.name, 1.0, scenario.data)
    return problem.with_scenarios([alone]).with_risk(Risk())


def make_task(
    problem: TwoStageProblem,
    scenario: ScenarioData,
    options: SolverOptions,
    fixed_first_stage: Mapping[str, float] | None = None,
    metrics: MetricsCallback | None = None,
    partial: bool = False,
) -> ScenarioTask:
    return ScenarioTask(
        scenario.name,
        scenario.probability,
        one_scenario_problem(problem, scenario),
        options,
        _as_dict(fixed_first_stage),
        metrics,
        partial,
    )


def solve_scenario(task: ScenarioTask) -> ScenarioResult:
    """Build and solve one scenario's model (runs inside a worker process)."""
    model = extensive_form(
        task.problem, fixed_first_stage=_as_dict(task.fixed_first_stage), partial=task.partial
    )
    outcome = OneShotHighs(task.options).solve(model)
    name = task.name
    common = {
        "name": name,
        "probability": task.probability,
        "status": outcome.status,
        "gap": outcome.gap,
        "seconds": outcome.solve_seconds,
        "message": outcome.message,
    }
    if not outcome.status.has_solution:
        missing = math.inf if outcome.status == Status.INFEASIBLE else math.nan
        return ScenarioResult(
            total_cost=missing,
            bound=missing,
            first_stage_cost=missing,
            second_stage_cost=missing,
            **common,
        )
    block = model.scen[name]
    first_cost = float(pyo.value(model.first.FirstStageCost))
    second_cost = float(pyo.value(block.SecondStageCost))
    total = float(outcome.objective) if outcome.objective is not None else first_cost + second_cost
    bound = outcome.bound
    if bound is None:  # proven optimal without a reported bound (LP): the bound is the optimum
        bound = total if outcome.status == Status.OPTIMAL else -math.inf
    metrics = {k: float(v) for k, v in task.metrics(block).items()} if task.metrics is not None else {}
    first = first_stage_values(model.first) if task.fixed_first_stage is None else None
    return ScenarioResult(
        total_cost=total,
        bound=float(bound),
        first_stage_cost=first_cost,
        second_stage_cost=second_cost,
        first_stage=first,
        metrics=metrics,
        **common,
    )


def _as_dict(values: Mapping[str, float] | None) -> dict[str, float] | None:
    return None if values is None else dict(values)


def resolve_workers(workers: int | None, n_tasks: int) -> int:
    """Number of processes: ``workers`` (default ``os.cpu_count()``), at most one per task."""
    if workers is None:
        workers = os.cpu_count() or 1
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    return max(1, min(workers, n_tasks))


def worker_options(options: SolverOptions, n_workers: int) -> SolverOptions:
    """One HiGHS thread per worker when several run and the caller set no thread count."""
    if n_workers > 1 and options.threads is None:
        return dataclasses.replace(options, threads=_THREADS_PER_WORKER)
    return options


def check_picklable(obj: object, what: str) -> None:
    """Fail early, with a hint, when something must go to a worker process but cannot."""
    try:
        pickle.dumps(obj)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise TypeError(
            f"{what} cannot be sent to a worker process ({exc}); use top-level functions or "
            "functools.partial for builders, mean_data and metrics, or pass workers=1"
        ) from exc


def map_in_processes(fn: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """``[fn(x) for x in items]``, in ``workers`` processes when more than one (order kept)."""
    if workers <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    check_picklable(items[0], "the scenario problem")
    from bekostiging.executor import map_tasks  # local processes, or $BEKOSTIGING_EXECUTOR

    return map_tasks(fn, items, workers)


def solve_scenarios(tasks: Sequence[ScenarioTask], workers: int | None = None) -> list[ScenarioResult]:
    """Solve independent scenario problems, in parallel processes (``workers=1``: serially)."""
    n = resolve_workers(workers, len(tasks))
    tasks = [dataclasses.replace(t, options=worker_options(t.options, n)) for t in tasks]
    return map_in_processes(solve_scenario, tasks, n)
