"""Solving a Pyomo model with HiGHS, with the outcome stated explicitly.

Uses Pyomo's persistent HiGHS interface (``appsi``): it keeps the model loaded so
that what-if re-solves after changing mutable parameters are cheap, it supports
MIP warm starts, and it exposes the underlying ``highspy.Highs`` object for
the IIS (see ``infeasibility.py``). Solutions are never loaded silently: only
when a feasible point exists, and the status says whether it is proven optimal.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import highspy
import pyomo.environ as pyo
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers import Highs

from bekostiging.errors import SolverFailure

ProgressCallback = Callable[..., None]
DEFAULT_MIP_GAP = 0.005  # 0.5 % relative gap: the benchmark target on the default case


class Status(StrEnum):
    OPTIMAL = "optimal"  # proven within the requested gap
    LIMIT = "limit"  # stopped at a time/iteration limit with an incumbent
    LIMIT_NO_SOLUTION = "limit_no_solution"  # stopped at a limit before any incumbent
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        return self in (Status.OPTIMAL, Status.LIMIT)


@dataclass(frozen=True)
class SolverOptions:
    time_limit: float | None = None  # seconds
    mip_gap: float = DEFAULT_MIP_GAP  # relative
    threads: int | None = None
    seed: int = 0
    log_file: str | None = None
    stream: bool = False

    def highs_options(self) -> dict[str, object]:
        opts: dict[str, object] = {"random_seed": self.seed, "mip_rel_gap": self.mip_gap}
        if self.threads is not None:
            opts["threads"] = self.threads
        if self.log_file is not None:
            opts["log_file"] = self.log_file
        return opts


@dataclass
class SolveOutcome:
    status: Status
    objective: float | None
    bound: float | None
    gap: float | None
    solve_seconds: float
    message: str = ""
    solver: str = "HiGHS"
    solver_version: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        if self.status == Status.OPTIMAL:
            return f"optimal (gap {self.gap:.3%})" if self.gap is not None else "optimal"
        if self.status == Status.LIMIT:
            return f"stopped at the limit with a solution, gap {self.gap:.2%} (not proven optimal)"
        return {
            Status.LIMIT_NO_SOLUTION: "stopped at the limit before any solution was found",
            Status.INFEASIBLE: "infeasible: no plan satisfies all constraints",
            Status.UNBOUNDED: "unbounded: the model is missing a cost or a bound",
            Status.ERROR: f"solver error: {self.message}",
        }[self.status]


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """HiGHS's definition: |obj - bound| / max(|obj|, tiny)."""
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    denom = max(abs(objective), 1e-9)
    return abs(objective - bound) / denom


def _ignore(**_kwargs: object) -> None:
    return None


class HighsSolver:
    """A persistent HiGHS solver for one Pyomo model (re-solve after parameter changes)."""

    def __init__(self, options: SolverOptions | None = None) -> None:
        self.options = options or SolverOptions()
        self._opt = Highs()
        if not self._opt.available():
            raise SolverFailure("HiGHS (highspy) is not available; reinstall with `make run`")
        cfg = self._opt.config
        cfg.load_solution = False
        cfg.stream_solver = self.options.stream
        cfg.mip_gap = self.options.mip_gap
        if self.options.time_limit is not None:
            cfg.time_limit = self.options.time_limit
        self._opt.highs_options = self.options.highs_options()
        self.progress_scale = 1.0  # multiply model objective values by this for progress reports
        self._on_progress: ProgressCallback = _ignore
        self._subscribed_to: object | None = None

    def _subscribe_progress(self, model: pyo.ConcreteModel, on_progress: ProgressCallback) -> None:
        """Forward HiGHS's periodic MIP state (incumbent, bound, gap) to ``on_progress``."""
        if self._opt._model is not model:
            self._opt.set_instance(model)  # solve() reuses this instance, so we can subscribe first
        self._on_progress = on_progress
        highs = self._opt._solver_model
        if self._subscribed_to is highs:
            return  # one subscription per HiGHS object; it forwards to the current callback
        scale = self.progress_scale

        def forward(event: object) -> None:
            data = event.data_out  # type: ignore[attr-defined]
            primal, dual, gap = data.mip_primal_bound, data.mip_dual_bound, data.mip_gap
            self._on_progress(
                phase="solving",
                incumbent=primal * scale if math.isfinite(primal) else None,
                bound=dual * scale if math.isfinite(dual) else None,
                gap=gap if math.isfinite(gap) else None,
            )

        highs.cbMipInterrupt.subscribe(forward)
        self._subscribed_to = highs

    @property
    def version(self) -> str:
        return ".".join(str(v) for v in self._opt.version())

    @property
    def highs(self) -> object:
        """The underlying ``highspy.Highs`` object (after a solve)."""
        return self._opt._solver_model

    @property
    def pyomo_interface(self) -> Highs:
        return self._opt

    def set_warm_start(self, enabled: bool) -> None:
        self._opt.config.warmstart = enabled  # type: ignore[attr-defined]

    def solve(self, model: pyo.ConcreteModel, on_progress: ProgressCallback | None = None) -> SolveOutcome:
        """Solve; ``on_progress(phase=, incumbent=, bound=, gap=)`` is called while HiGHS works."""
        outcome = self._solve_once(model, on_progress)
        if self._opt.config.warmstart and outcome.status.has_solution and _objective_mismatch(model, outcome):
            # HiGHS 1.16 with presolve can accept a MIP start and report it as optimal with an
            # objective that is not the start's value (seen after changing objective
            # coefficients). A warm start must never change the answer: solve again cold.
            self._opt.config.warmstart = False
            try:
                cold = self._solve_once(model, on_progress)
            finally:
                self._opt.config.warmstart = True
            cold.solve_seconds += outcome.solve_seconds
            cold.extra["warm_start_rejected"] = 1.0
            return cold
        return outcome

    def _solve_once(self, model: pyo.ConcreteModel, on_progress: ProgressCallback | None) -> SolveOutcome:
        start = time.perf_counter()
        if on_progress is not None:
            on_progress(phase="solving")
        if self.options.threads is not None:
            # HiGHS keeps one thread pool per process, sized by the first solve; a later solve
            # asking for another explicit thread count fails (termination "unknown") unless
            # the pool is reset first.
            highspy.Highs.resetGlobalScheduler(True)
        try:
            if on_progress is not None:
                self._subscribe_progress(model, on_progress)
            res = self._opt.solve(model)
        except Exception as exc:  # the solver itself failed; report, do not hide
            return SolveOutcome(
                Status.ERROR,
                None,
                None,
                None,
                time.perf_counter() - start,
                str(exc),
                solver_version=self.version,
            )
        seconds = time.perf_counter() - start
        tc = res.termination_condition
        obj = res.best_feasible_objective
        bound = res.best_objective_bound
        obj = None if obj is None or not math.isfinite(obj) else float(obj)
        bound = None if bound is None or not math.isfinite(bound) else float(bound)
        limit_conditions = {
            TerminationCondition.maxTimeLimit,
            TerminationCondition.maxIterations,
            TerminationCondition.interrupted,
        }
        if tc == TerminationCondition.optimal:
            status = Status.OPTIMAL
        elif tc in limit_conditions:
            status = Status.LIMIT if obj is not None else Status.LIMIT_NO_SOLUTION
        elif tc == TerminationCondition.infeasible:
            status = Status.INFEASIBLE
        elif tc in (TerminationCondition.unbounded, TerminationCondition.infeasibleOrUnbounded):
            status = Status.UNBOUNDED if tc == TerminationCondition.unbounded else Status.INFEASIBLE
        else:
            status = Status.ERROR
        if status.has_solution:
            res.solution_loader.load_vars()
        gap = relative_gap(obj, bound) if status.has_solution else None
        if status == Status.OPTIMAL and gap is None:
            gap = 0.0
        return SolveOutcome(
            status,
            obj if status.has_solution else None,
            bound,
            gap,
            seconds,
            message=str(tc),
            solver_version=self.version,
        )


WARM_START_CHECK_TOLERANCE = 1e-6  # relative; far above LP feasibility noise in the objective


def _objective_mismatch(model: pyo.ConcreteModel, outcome: SolveOutcome) -> bool:
    """True when the loaded solution's objective differs from the value HiGHS reported."""
    if outcome.objective is None:
        return False
    objective = next(model.component_data_objects(pyo.Objective, active=True), None)
    if objective is None:
        return False
    value = pyo.value(objective, exception=False)
    if value is None:
        return False
    scale = max(1.0, abs(outcome.objective))
    return abs(float(value) - outcome.objective) > WARM_START_CHECK_TOLERANCE * scale


def solve_model(model: pyo.ConcreteModel, options: SolverOptions | None = None) -> SolveOutcome:
    """Solve once with a fresh solver (convenience for analytics and tests)."""
    return HighsSolver(options).solve(model)
