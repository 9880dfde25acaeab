"""Solving a Pyomo model with HiGHS, with the outcome stated explicitly.

Two solvers with the same ``solve(model, on_progress)``, ``highs``, ``version``,
``row_component(i)`` and ``col_component(j)``:

* :class:`OneShotHighs` for a model solved once (``bekostiging solve``, the
  analytics' single solves): Pyomo's LP writer writes the model to a temporary
  file with short labels, ``highspy`` reads it, and HiGHS's column and row names
  are mapped back to Pyomo components through the writer's symbol map. At
  S=200, T=60 that hand-off takes ~4.5 s against ~10–12 s for appsi's
  ``set_instance`` (bench/README.md).
* :class:`HighsSolver`, Pyomo's persistent HiGHS interface (``appsi``): it keeps the
  model loaded so that what-if re-solves after changing mutable parameters are
  cheap, and it supports MIP warm starts (sweeps, ``analytics/sweep.py``).

Both expose the underlying ``highspy.Highs`` object for the IIS (see
``infeasibility.py``). Solutions are never loaded silently: only when a feasible
point exists, and the status says whether it is proven optimal.
"""

from __future__ import annotations

import io
import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import highspy
import pyomo.environ as pyo
from pyomo.common.tee import capture_output
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers import Highs
from pyomo.core.base.component import ComponentData
from pyomo.core.staleflag import StaleFlagManager
from pyomo.repn.plugins.lp_writer import LPWriter

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


def _error_outcome(start: float, exc: Exception, version: str) -> SolveOutcome:
    """The solver itself failed: say so, with its message (never hide it)."""
    return SolveOutcome(
        Status.ERROR, None, None, None, time.perf_counter() - start, str(exc), solver_version=version
    )


def _ignore(**_kwargs: object) -> None:
    return None


class ModelSolver(Protocol):
    """What both solvers offer: a solve, the HiGHS object, and HiGHS indices as Pyomo components."""

    progress_scale: float

    def solve(
        self, model: pyo.ConcreteModel, on_progress: ProgressCallback | None = None
    ) -> SolveOutcome: ...

    @property
    def highs(self) -> highspy.Highs: ...

    @property
    def version(self) -> str: ...

    def row_component(self, i: int) -> ComponentData | None: ...

    def col_component(self, j: int) -> ComponentData | None: ...


def _forward_progress(
    highs: highspy.Highs, target: Callable[[], ProgressCallback], scale: Callable[[], float]
) -> None:
    """Subscribe to HiGHS's periodic MIP state (incumbent, bound, gap); report it in model units x scale."""

    def forward(event: object) -> None:
        data = event.data_out  # type: ignore[attr-defined]
        primal, dual, gap = data.mip_primal_bound, data.mip_dual_bound, data.mip_gap
        factor = scale()
        target()(
            phase="solving",
            incumbent=primal * factor if math.isfinite(primal) else None,
            bound=dual * factor if math.isfinite(dual) else None,
            gap=gap if math.isfinite(gap) else None,
        )

    highs.cbMipInterrupt.subscribe(forward)


def _reset_thread_pool(options: SolverOptions) -> None:
    if options.threads is not None:
        # HiGHS keeps one thread pool per process, sized by the first solve; a later solve
        # asking for another explicit thread count fails (termination "unknown") unless
        # the pool is reset first.
        highspy.Highs.resetGlobalScheduler(True)


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
        self._rows: dict[int, ComponentData] | None = None  # HiGHS index -> component, built on demand
        self._cols: dict[int, ComponentData] | None = None

    def _subscribe_progress(self, model: pyo.ConcreteModel, on_progress: ProgressCallback) -> None:
        """Forward HiGHS's periodic MIP state (incumbent, bound, gap) to ``on_progress``."""
        if self._opt._model is not model:
            self._opt.set_instance(model)  # solve() reuses this instance, so we can subscribe first
        self._on_progress = on_progress
        highs = self._opt._solver_model
        if self._subscribed_to is highs:
            return  # one subscription per HiGHS object; it forwards to the current callback
        _forward_progress(highs, lambda: self._on_progress, lambda: self.progress_scale)
        self._subscribed_to = highs

    @property
    def version(self) -> str:
        return ".".join(str(v) for v in self._opt.version())

    @property
    def highs(self) -> highspy.Highs:
        """The underlying ``highspy.Highs`` object (after a solve)."""
        return self._opt._solver_model

    def row_component(self, i: int) -> ComponentData | None:
        """The constraint of HiGHS row ``i`` (None if it is not one of the model's)."""
        if self._rows is None:
            self._rows = {v: k for k, v in self._opt._pyomo_con_to_solver_con_map.items()}
        return self._rows.get(i)

    def col_component(self, j: int) -> ComponentData | None:
        """The variable of HiGHS column ``j`` (None if it is not one of the model's)."""
        if self._cols is None:
            # the persistent interface keys variables by id(); _vars maps id -> (var, ...)
            interface = self._opt
            self._cols = {v: interface._vars[k][0] for k, v in interface._pyomo_var_to_solver_var_map.items()}
        return self._cols.get(j)

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
        self._rows = self._cols = None
        if on_progress is not None:
            on_progress(phase="solving")
        _reset_thread_pool(self.options)
        try:
            if on_progress is not None:
                self._subscribe_progress(model, on_progress)
            res = self._opt.solve(model)
        except Exception as exc:  # the solver itself failed; report, do not hide
            return _error_outcome(start, exc, self.version)
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


LP_FILE_NAME = "model.lp"
# HiGHS model statuses that stop a solve early; the result has a solution if HiGHS found one
_LIMIT_STATUSES = frozenset(
    {
        highspy.HighsModelStatus.kTimeLimit,
        highspy.HighsModelStatus.kIterationLimit,
        highspy.HighsModelStatus.kSolutionLimit,
        highspy.HighsModelStatus.kInterrupt,
        highspy.HighsModelStatus.kHighsInterrupt,
    }
)
_NOT_A_MIP = -1  # HiGHS's mip_node_count of an LP
# the LP writer's own column (fixed at 1, carries objective constants) and its defining row
WRITER_SYMBOLS = frozenset({"ONE_VAR_CONSTANT", "c_e_ONE_VAR_CONSTANT"})


def _status(model_status: highspy.HighsModelStatus, has_incumbent: bool) -> Status:
    """The outcome of a HiGHS model status, as :class:`HighsSolver` reports appsi's terminations."""
    if model_status == highspy.HighsModelStatus.kOptimal:
        return Status.OPTIMAL
    if model_status in _LIMIT_STATUSES:
        return Status.LIMIT if has_incumbent else Status.LIMIT_NO_SOLUTION
    if model_status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return Status.INFEASIBLE
    if model_status == highspy.HighsModelStatus.kUnbounded:
        return Status.UNBOUNDED
    return Status.ERROR


class OneShotHighs:
    """Solve a Pyomo model once: Pyomo's LP writer, ``highspy`` reads the file, values loaded back.

    Same ``solve(model, on_progress)`` and outcome semantics as :class:`HighsSolver`,
    without its persistent model (no warm starts, no cheap re-solves): for a model
    that is built, solved once and read. Columns and rows carry short labels
    (``x12``, ``c_e_x40_``); the writer's symbol map turns them back into Pyomo
    components. ``outcome.extra`` splits the wall time: ``write_seconds``,
    ``read_seconds``, ``highs_seconds`` (HiGHS's own run time), ``load_seconds``.
    """

    def __init__(self, options: SolverOptions | None = None) -> None:
        self.options = options or SolverOptions()
        self.progress_scale = 1.0  # multiply model objective values by this for progress reports
        self._on_progress: ProgressCallback = _ignore
        self._highs: highspy.Highs | None = None
        self._symbols: dict[str, object] = {}  # HiGHS row/column name -> Pyomo component
        self._cols: list[ComponentData | None] = []
        self._rows: list[ComponentData | None] | None = None  # built on demand (IIS)

    @property
    def version(self) -> str:
        return ".".join(
            str(v)
            for v in (highspy.HIGHS_VERSION_MAJOR, highspy.HIGHS_VERSION_MINOR, highspy.HIGHS_VERSION_PATCH)
        )

    @property
    def highs(self) -> highspy.Highs:
        """The ``highspy.Highs`` object of the last solve."""
        if self._highs is None:
            raise SolverFailure("no model has been solved yet")
        return self._highs

    def row_component(self, i: int) -> ComponentData | None:
        """The constraint of HiGHS row ``i`` (None for the writer's own rows)."""
        if self._rows is None:
            self._rows = [self._component(name) for name in self.highs.getLp().row_names_]
        return self._rows[i] if 0 <= i < len(self._rows) else None

    def col_component(self, j: int) -> ComponentData | None:
        """The variable of HiGHS column ``j`` (None for the writer's constant column)."""
        return self._cols[j] if 0 <= j < len(self._cols) else None

    def _component(self, name: str) -> ComponentData | None:
        obj = self._symbols.get(name)
        if not isinstance(obj, ComponentData) or name in WRITER_SYMBOLS:
            return None
        return None if obj.local_name in WRITER_SYMBOLS else obj  # the writer's column under any label

    def _new_highs(self) -> highspy.Highs:
        if self.options.stream:
            return highspy.Highs()
        with capture_output(output=io.StringIO(), capture_fd=True):  # the banner of the first Highs()
            return highspy.Highs()

    def _configure(self, h: highspy.Highs) -> None:
        o = self.options
        h.setOptionValue("output_flag", o.stream or o.log_file is not None)
        h.setOptionValue("log_to_console", o.stream)
        for key, value in o.highs_options().items():
            h.setOptionValue(key, value)
        if o.time_limit is not None:
            h.setOptionValue("time_limit", float(o.time_limit))

    def _load(self, model: pyo.ConcreteModel, h: highspy.Highs) -> dict[str, float]:
        """Write ``model`` as LP and read it into ``h``; seconds of the write and the read."""
        with tempfile.TemporaryDirectory(prefix="bekostiging-lp-") as tmp:
            path = Path(tmp) / LP_FILE_NAME
            t0 = time.perf_counter()
            with path.open("w", newline="") as fh:
                info = LPWriter().write(model, fh, symbolic_solver_labels=False)
            t1 = time.perf_counter()
            read_status = h.readModel(str(path))
            t2 = time.perf_counter()
        if read_status == highspy.HighsStatus.kError:
            raise SolverFailure(f"HiGHS could not read the model written by Pyomo ({read_status})")
        smap = info.symbol_map
        self._symbols = {**smap.bySymbol, **smap.aliases}
        lp = h.getLp()
        self._cols = [self._component(name) for name in lp.col_names_]
        self._rows = None
        return {"write_seconds": t1 - t0, "read_seconds": t2 - t1}

    def solve(self, model: pyo.ConcreteModel, on_progress: ProgressCallback | None = None) -> SolveOutcome:
        """Solve; ``on_progress(phase=, incumbent=, bound=, gap=)`` is called while HiGHS works."""
        return self._solve(lambda h: self._load(model, h), on_progress)

    def _solve(
        self, load: Callable[[highspy.Highs], dict[str, float]], on_progress: ProgressCallback | None
    ) -> SolveOutcome:
        """Create and configure HiGHS, ``load(h)`` the model (its timings go to ``extra``), run,
        map the status, and load the values back with ``_load_values`` when there is a solution."""
        start = time.perf_counter()
        if on_progress is not None:
            on_progress(phase="solving")
        self._on_progress = on_progress or _ignore
        try:
            _reset_thread_pool(self.options)
            h = self._highs = self._new_highs()
            self._configure(h)
            load_timings = load(h)
            if on_progress is not None:
                _forward_progress(h, lambda: self._on_progress, lambda: self.progress_scale)
            h.run()
        except Exception as exc:  # the solver itself failed; report, do not hide
            return _error_outcome(start, exc, self.version)
        highs_s = h.getRunTime()
        model_status = h.getModelStatus()
        info = h.getInfo()
        has_incumbent = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        status = _status(model_status, has_incumbent)
        obj = bound = None
        t0 = time.perf_counter()
        if status.has_solution:
            obj = float(info.objective_function_value)
            self._load_values(h)
            bound = obj if info.mip_node_count == _NOT_A_MIP else float(info.mip_dual_bound)
        elif info.mip_node_count != _NOT_A_MIP and math.isfinite(info.mip_dual_bound):
            bound = float(info.mip_dual_bound)
        load_s = time.perf_counter() - t0
        if bound is not None and not math.isfinite(bound):
            bound = None
        gap = relative_gap(obj, bound) if status.has_solution else None
        if status == Status.OPTIMAL and gap is None:
            gap = 0.0
        return SolveOutcome(
            status,
            obj,
            bound,
            gap,
            time.perf_counter() - start,
            message=h.modelStatusToString(model_status),
            solver_version=self.version,
            extra={
                **load_timings,
                "highs_seconds": highs_s,
                "load_seconds": load_s,
            },
        )

    def _load_values(self, h: highspy.Highs) -> None:
        """Column values of HiGHS's solution into the Pyomo variables (all at once)."""
        values = h.getSolution().col_value
        for var, x in zip(self._cols, values, strict=True):
            if var is not None:
                var.set_value(x, skip_validation=True)
        StaleFlagManager.mark_all_as_stale(delayed=True)


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
    """Solve once with a fresh one-shot solver (convenience for analytics and tests)."""
    return OneShotHighs(options).solve(model)
