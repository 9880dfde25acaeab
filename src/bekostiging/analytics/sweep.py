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

Usage::

    from functools import partial
    from bekostiging.analytics import sweep
    curve = sweep(partial(chain_problem, case, scenario_set, policy), [1e3, 1e4, 1e5],
                  SolverOptions(), param="first.late_penalty", metrics=expected_backlog)
    curve[["value", "objective", "status", "gap", "expected_backlog"]]
    curve.attrs["build_seconds"]   # one build, against curve["seconds"].sum() of solves
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping

import pandas as pd
import pyomo.environ as pyo
from pyomo.core.base.param import ParamData

from bekostiging.solver import HighsSolver, SolverOptions
from bekostiging.twostage import TwoStageProblem, extensive_form

Setter = Callable[[pyo.ConcreteModel, float], None]
SweepMetrics = Callable[[pyo.ConcreteModel], Mapping[str, float]]
ProblemFactory = Callable[[], pyo.ConcreteModel | TwoStageProblem]


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


def sweep(
    problem_factory: ProblemFactory,
    values: Iterable[float],
    options: SolverOptions | None = None,
    *,
    param: str | Setter,
    metrics: SweepMetrics | None = None,
    warm_start: bool = True,
) -> pd.DataFrame:
    """Solve the model once per value of the swept parameter, re-using one model and one solver.

    Returns one row per value, in the given order: ``value, objective, bound, status,
    gap, seconds, warm_start_rejected`` and the caller's metrics (NaN where a point has no solution).
    ``attrs["build_seconds"]`` is the one-off build time, ``attrs["param"]`` the parameter.
    """
    start = time.perf_counter()
    model = _build(problem_factory)
    build_seconds = time.perf_counter() - start
    if isinstance(param, str):
        set_param = param_setter(model, param)
        label = param
    else:
        setter = param
        label = getattr(setter, "__name__", repr(setter))

        def set_param(value: float) -> None:
            setter(model, value)

    solver = HighsSolver(options or SolverOptions())
    solver.set_warm_start(warm_start)
    if isinstance(param, str):
        params_only_updates(solver)
    rows = []
    for value in values:
        set_param(float(value))
        outcome = solver.solve(model)
        row: dict[str, object] = {
            "value": float(value),
            "objective": outcome.objective if outcome.objective is not None else math.nan,
            "bound": outcome.bound if outcome.bound is not None else math.nan,
            "status": str(outcome.status),
            "gap": outcome.gap,
            "seconds": outcome.solve_seconds,
            "warm_start_rejected": bool(outcome.extra.get("warm_start_rejected", 0.0)),
        }
        if metrics is not None and outcome.status.has_solution:
            row.update({k: float(v) for k, v in metrics(model).items()})
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame.attrs["build_seconds"] = build_seconds
    frame.attrs["param"] = label
    return frame
