"""Trade-off curves: re-solve one model while one mutable parameter changes.

The contract. The model is built **once** (``problem_factory()`` is called
once) and must expose the swept quantity as a mutable ``pyo.Param``
(``mutable=True``), named by the caller with a component path relative to the
model, e.g. ``"first.late_penalty"`` or ``"first.funding_ratio"`` (an indexed
Param is set to the value at every index; ``"first.cost[wheat]"`` sets one
entry). Anything more involved is a ``setter(model, value)`` callable. The
model is re-solved with one persistent :class:`~bekostiging.solver.HighsSolver`
(only the changed coefficients are passed to HiGHS) and, for MIPs, warm-started
from the previous point's solution (``solver.set_warm_start(True)``): HiGHS
still solves each MIP, but starts with an incumbent. HiGHS 1.16 can return a
wrong "optimal" objective from a MIP start after the objective changed; the
solver detects that (reported objective ≠ objective of the returned solution)
and re-solves cold — the ``warm_start_rejected`` column says where.

Between points of a path sweep only a Param value changes, so the persistent
interface is told to pass the new coefficients and skip re-scanning the model
(:func:`params_only_updates`); a setter may change anything, so setter sweeps
keep the full scan.

``problem_factory`` returns either a ``pyo.ConcreteModel`` or a
:class:`~bekostiging.twostage.TwoStageProblem` (its compact extensive form is
built). ``metrics(model) -> {name: value}`` adds columns (e.g. expected backlog)
for points with a solution.

Parallel paths. With ``workers = n > 1`` (default ``min(2, os.cpu_count())``) the
values are cut into ``n`` contiguous chunks (neighbouring values stay together,
so the warm starts stay between neighbours); each chunk is one path as above —
its own process, its own model (``problem_factory()`` is called once per
worker), its own persistent solver, one HiGHS thread unless
``SolverOptions.threads`` says otherwise — and the rows come back in the input
order, with the chunk in the ``worker`` column (0 when serial). The processes
are those of :mod:`bekostiging.analytics.scenario` (``spawn``), so the factory,
a setter and ``metrics`` are pickled: top-level functions or
:func:`functools.partial` of them. A factory that cannot be pickled runs
serially with a warning when ``workers`` is left at its default, and raises
``TypeError`` when ``workers > 1`` was asked for. In a worker the model is a
copy: a factory returning the caller's own model leaves that model untouched.

Usage::

    from functools import partial
    from bekostiging.analytics import sweep
    curve = sweep(partial(chain_problem, case, scenario_set, policy), [1e3, 1e4, 1e5],
                  SolverOptions(), param="first.late_penalty", metrics=expected_backlog)
    curve[["value", "objective", "status", "gap", "expected_backlog"]]
    curve.attrs["build_seconds"]   # one build, against curve["seconds"].sum() of solves
"""

from __future__ import annotations

import functools
import math
import os
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import pyomo.environ as pyo
from pyomo.core.base.param import ParamData

from bekostiging.analytics.scenario import (
    check_picklable,
    map_in_processes,
    resolve_workers,
    worker_options,
)
from bekostiging.solver import HighsSolver, SolverOptions
from bekostiging.twostage import TwoStageProblem, extensive_form

Setter = Callable[[pyo.ConcreteModel, float], None]
SweepMetrics = Callable[[pyo.ConcreteModel], Mapping[str, float]]
ProblemFactory = Callable[[], pyo.ConcreteModel | TwoStageProblem]

DEFAULT_WORKERS = min(2, os.cpu_count() or 1)


def param_setter(model: pyo.ConcreteModel, path: str) -> Callable[[float], None]:
    """A function setting the mutable Param at ``path`` (every index of an indexed Param)."""
    component = model.find_component(path)
    if component is None:
        raise KeyError(f"the model has no component {path!r}")
    if isinstance(component, ParamData):
        owner = component.parent_component()
        entries = [component]
    elif isinstance(component, pyo.Param):
        owner = component
        entries = list(component.values())
    else:
        raise TypeError(f"{path!r} is a {type(component).__name__}, not a Param")
    if not owner.mutable:
        raise TypeError(f"Param {path!r} is not mutable: declare it with mutable=True to sweep it")

    def set_value(value: float) -> None:
        for entry in entries:
            entry.set_value(value)

    return set_value


# Structural checks the persistent interface makes before every re-solve. A named Expression
# holding a constant (e.g. registrations of a category that skips registration) returns a new
# constant object on each access, so the scan re-adds every constraint using one: seconds per
# point on the default case, for a model whose structure did not change.
STRUCTURAL_UPDATES = (
    "check_for_new_or_removed_constraints",
    "check_for_new_or_removed_vars",
    "check_for_new_or_removed_params",
    "check_for_new_objective",
    "update_constraints",
    "update_vars",
    "update_named_expressions",
    "update_objective",
)


def params_only_updates(solver: HighsSolver) -> None:
    """Re-solves pass changed mutable Param values to HiGHS and nothing else."""
    config = solver.pyomo_interface.update_config
    for flag in STRUCTURAL_UPDATES:
        setattr(config, flag, False)
    config.update_params = True


def _build(problem_factory: ProblemFactory) -> pyo.ConcreteModel:
    built = problem_factory()
    if isinstance(built, TwoStageProblem):
        return extensive_form(built)
    if isinstance(built, pyo.ConcreteModel):
        return built
    raise TypeError(f"problem_factory returned {type(built).__name__}, not a model or TwoStageProblem")


def _label(param: str | Setter) -> str:
    if isinstance(param, str):
        return param
    func = param.func if isinstance(param, functools.partial) else param
    return getattr(func, "__name__", repr(func))


@dataclass(frozen=True)
class _Path:
    """One contiguous chunk of the values, solved on its own model (pickled to a worker)."""

    worker: int
    problem_factory: ProblemFactory
    values: tuple[float, ...]
    options: SolverOptions
    param: str | Setter
    metrics: SweepMetrics | None
    warm_start: bool


@dataclass(frozen=True)
class _PathResult:
    rows: list[dict[str, object]]
    build_seconds: float


def _solve_path(path: _Path) -> _PathResult:
    """Build the model once, then re-solve it for each value with one persistent solver."""
    start = time.perf_counter()
    model = _build(path.problem_factory)
    build_seconds = time.perf_counter() - start
    param = path.param
    if isinstance(param, str):
        set_param = param_setter(model, param)
    else:
        setter = param

        def set_param(value: float) -> None:
            setter(model, value)

    solver = HighsSolver(path.options)
    solver.set_warm_start(path.warm_start)
    if isinstance(param, str):
        params_only_updates(solver)
    rows = []
    for value in path.values:
        set_param(value)
        outcome = solver.solve(model)
        row: dict[str, object] = {
            "value": value,
            "objective": outcome.objective if outcome.objective is not None else math.nan,
            "bound": outcome.bound if outcome.bound is not None else math.nan,
            "status": str(outcome.status),
            "gap": outcome.gap,
            "seconds": outcome.solve_seconds,
            "warm_start_rejected": bool(outcome.extra.get("warm_start_rejected", 0.0)),
            "worker": path.worker,
        }
        if path.metrics is not None and outcome.status.has_solution:
            row.update({k: float(v) for k, v in path.metrics(model).items()})
        rows.append(row)
    return _PathResult(rows, build_seconds)


def contiguous_chunks(values: Sequence[float], n: int) -> list[tuple[float, ...]]:
    """``values`` cut into ``n`` contiguous chunks whose lengths differ by at most one (order kept)."""
    size, extra = divmod(len(values), n)
    chunks, start = [], 0
    for i in range(n):
        stop = start + size + (1 if i < extra else 0)
        chunks.append(tuple(values[start:stop]))
        start = stop
    return [c for c in chunks if c]


def _parallel_workers(requested: int | None, n_values: int, shipped: tuple[object, ...]) -> int:
    """How many processes to use; the default falls back to 1 when the sweep cannot be pickled."""
    n = resolve_workers(DEFAULT_WORKERS if requested is None else requested, n_values)
    if n <= 1:
        return 1
    try:
        check_picklable(shipped, "the sweep's problem factory, setter or metrics")
    except TypeError as exc:
        if requested is not None:
            raise
        warnings.warn(f"{exc}; sweeping serially", RuntimeWarning, stacklevel=3)
        return 1
    return n


def sweep(
    problem_factory: ProblemFactory,
    values: Iterable[float],
    options: SolverOptions | None = None,
    *,
    param: str | Setter,
    metrics: SweepMetrics | None = None,
    warm_start: bool = True,
    workers: int | None = None,
) -> pd.DataFrame:
    """Solve the model once per value of the swept parameter, re-using one model and one solver
    per worker process (``workers``: default ``min(2, os.cpu_count())``, 1 = serial in this process).

    Returns one row per value, in the given order: ``value, objective, bound, status,
    gap, seconds, warm_start_rejected, worker`` and the caller's metrics (NaN where a point
    has no solution). ``attrs["build_seconds"]`` is the one-off build time (the longest
    worker's when several), ``attrs["param"]`` the parameter, ``attrs["workers"]`` the
    number of paths (= builds).
    """
    points = [float(v) for v in values]
    options = options or SolverOptions()
    n = _parallel_workers(workers, len(points), (problem_factory, param, metrics))
    paths = [
        _Path(i, problem_factory, chunk, worker_options(options, n), param, metrics, warm_start)
        for i, chunk in enumerate(contiguous_chunks(points, n) if points else [()])
    ]
    results = map_in_processes(_solve_path, paths, n) if n > 1 else [_solve_path(paths[0])]
    frame = pd.DataFrame([row for result in results for row in result.rows])
    frame.attrs["build_seconds"] = max(r.build_seconds for r in results)
    frame.attrs["param"] = _label(param)
    frame.attrs["workers"] = len(results)
    return frame
