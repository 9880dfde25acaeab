"""Decomposition by scenario: the master (stage 1) and one LP per scenario, from the template.

``model/stages.md`` §4.4. The block assembler (``assemble.py``) already splits the
two-scenario template LP into stage-1 columns/rows and scenario columns/rows, and knows how
a scenario's row bounds follow from its data (finite differences on the mutable Params).
This module reuses that split, generically (any stage-1 variable list, any second-stage
families; nothing here names a family):

* **master data**: the stage-1 columns (cost, bounds, integrality) and rows;
* **scenario LP** (:class:`ScenarioLP`): the scenario columns and rows, plus a copy of the
  stage-1 columns that the scenario rows touch (the *linking* columns), fixed by their
  bounds to the plan being evaluated. For a plan ``x`` and scenario ``s``:

      Q_s(x) = min { c2·y : L_s <= W y + T x <= U_s, l <= y <= u }

  and, since the linking columns are fixed columns of the LP, their reduced costs are a
  subgradient of ``Q_s`` at ``x`` (HiGHS: ``col_dual = c - Aᵀπ``, with cost 0 on the copies),
  so ``Q_s(x') >= Q_s(x) + g_s·(x' - x)`` (an optimality cut). A scenario's data enter only
  through the row bounds ``L_s, U_s`` (``assemble.py`` checks that coefficients, column bounds
  and the objective do not depend on them).

The total cost of a plan in scenario ``s`` is ``c1·x + offset + Q_s(x)`` (``c1`` holds every
objective coefficient of a stage-1 column, also those of stage-1 terms in
``SecondStageCost``, which the assembler merges as the extensive form does), and the
objective of the extensive form is ``c1·x + offset + Σ_s p_s Q_s(x)``.

A worker builds its :class:`ScenarioLP` once from a :class:`ScenarioSpec` (the problem with
its first two scenarios only: the template) and then receives per task only a scenario's
data, the plan and, for warm starts, the scenario's last simplex basis.
"""

from __future__ import annotations

import hashlib
import io
import math
import pickle
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.tee import capture_output

from bekostiging.assemble import SCENARIO, STAGE1, AssemblyUnsupported, BlockHighs
from bekostiging.solver import SolverOptions
from bekostiging.twostage import Risk, ScenarioData, TwoStageProblem

FEASIBILITY_TOLERANCE = 1e-6  # relative (absolute below 1): a plan's stage-1 rows and bounds
ROW_BOUNDS_CACHE = 20_000  # scenarios whose row bounds a worker keeps (~14 kB each on nl-2026)
Basis = tuple[np.ndarray, np.ndarray]  # (column statuses, row statuses) as int8
_BASIS_STATUS = list(highspy.HighsBasisStatus.__members__.values())


def _no_mean() -> Any:
    raise ValueError("the scenario template has no expected-value scenario")


def template_problem(problem: TwoStageProblem) -> TwoStageProblem:
    """``problem`` with its first two scenarios only: what a worker needs to build its LP."""
    pair = problem.scenarios[:2]
    scenarios = tuple(ScenarioData(s.name, 1.0 / len(pair), s.data) for s in pair)
    return replace(problem, scenarios=scenarios, mean_data=_no_mean, risk=Risk())


@dataclass(frozen=True)
class Master:
    """The stage-1 part of the template LP (numbers only)."""

    cost: np.ndarray  # per stage-1 column (model units)
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray  # bool
    rows: tuple[np.ndarray, np.ndarray, np.ndarray]  # COO (row, stage-1 column, value)
    row_lower: np.ndarray
    row_upper: np.ndarray
    offset: float  # objective constant
    names: tuple[str, ...]  # stage-1 variable names relative to the stage-1 block

    @property
    def num_col(self) -> int:
        return len(self.cost)

    def feasible(self, x: np.ndarray) -> bool:
        """Whether the plan satisfies the stage-1 rows and column bounds (to FEASIBILITY_TOLERANCE)."""
        x = np.asarray(x, dtype=float)
        tol = FEASIBILITY_TOLERANCE
        if np.any(x < self.lower - tol * np.maximum(1.0, np.abs(self.lower))):
            return False
        if np.any(x > self.upper + tol * np.maximum(1.0, np.abs(self.upper))):
            return False
        r, c, v = self.rows
        activity = np.bincount(r, v * x[c], minlength=len(self.row_lower))
        low_ok = activity >= self.row_lower - tol * np.maximum(1.0, np.abs(self.row_lower))
        high_ok = activity <= self.row_upper + tol * np.maximum(1.0, np.abs(self.row_upper))
        return bool(np.all(low_ok & high_ok))


@dataclass(frozen=True)
class Split:
    """Master data, scenario LP data and the maps back to the template's Pyomo components."""

    master: Master
    link: np.ndarray  # stage-1 positions of the linking columns (touched by scenario rows)
    cost: np.ndarray  # scenario columns' cost (probability 1)
    lower: np.ndarray
    upper: np.ndarray
    matrix: tuple[np.ndarray, np.ndarray, np.ndarray]  # COO: (row, column, value), columns [link | y]
    row_lower: np.ndarray  # of the template's first scenario
    row_upper: np.ndarray
    sens_rows: np.ndarray  # scenario row position
    sens_params: np.ndarray
    sens_lower: np.ndarray
    sens_upper: np.ndarray
    c1: np.ndarray  # template columns of stage 1 / of the scenario block
    c2: np.ndarray


def split(blocks: BlockHighs) -> Split:
    """Master and scenario LP from the assembler's analysis of the template."""
    t = blocks._analyse()
    lp = t.lp
    c1, c2, r1, r2 = t.c1, t.c2, t.r1, t.r2
    n1, n2, m1, m2 = len(c1), len(c2), len(r1), len(r2)
    col_pos = np.full(len(t.col_owner), -1, dtype=np.int64)
    col_pos[c1] = np.arange(n1)
    col_pos[c2] = np.arange(n2)
    row_pos = np.full(len(t.row_owner), -1, dtype=np.int64)
    row_pos[r1] = np.arange(m1)
    row_pos[r2] = np.arange(m2)
    rows, cols, vals = t.a_rows, t.a_cols, t.a_vals
    in1 = t.row_owner[rows] == STAGE1
    master_rows = (row_pos[rows[in1]], col_pos[cols[in1]], vals[in1])
    in2 = t.row_owner[rows] == SCENARIO
    rs, cs, vs = rows[in2], cols[in2], vals[in2]
    is_first = t.col_owner[cs] == STAGE1
    link = np.unique(col_pos[cs[is_first]])
    link_pos = np.full(n1, -1, dtype=np.int64)
    link_pos[link] = np.arange(len(link))
    sub_cols = len(link) + col_pos[cs]
    sub_cols[is_first] = link_pos[col_pos[cs[is_first]]]
    cost = np.asarray(lp.col_cost_, dtype=float)
    lower = np.asarray(lp.col_lower_, dtype=float)
    upper = np.asarray(lp.col_upper_, dtype=float)
    integrality = list(lp.integrality_)
    integer = (
        np.array([k != highspy.HighsVarType.kContinuous for k in integrality], dtype=bool)[c1]
        if integrality
        else np.zeros(n1, dtype=bool)
    )
    if integrality and np.any(np.array([k != highspy.HighsVarType.kContinuous for k in integrality])[c2]):
        raise AssemblyUnsupported("a scenario block has integer variables: its subproblem is not an LP")
    lo_t = np.asarray(lp.row_lower_, dtype=float)
    hi_t = np.asarray(lp.row_upper_, dtype=float)
    names = tuple(
        "" if v is None else v.getname(relative_to=blocks.first, fully_qualified=True)
        for v in (t.cols[j] for j in c1)
    )
    master = Master(
        cost[c1].copy(),
        lower[c1].copy(),
        upper[c1].copy(),
        integer,
        master_rows,
        lo_t[r1].copy(),
        hi_t[r1].copy(),
        float(lp.offset_),
        names,
    )
    sens = t.sens
    return Split(
        master,
        link,
        cost[c2] / blocks._template_probability,
        lower[c2].copy(),
        upper[c2].copy(),
        (row_pos[rs], sub_cols, vs),
        lo_t[r2].copy(),
        hi_t[r2].copy(),
        row_pos[sens.rows],
        sens.params,
        sens.lower,
        sens.upper,
        c1,
        c2,
    )


def _new_highs() -> highspy.Highs:
    with capture_output(output=io.StringIO(), capture_fd=True):
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


@dataclass(frozen=True)
class SubResult:
    """One scenario LP at one plan: value Q_s(x), subgradient on the linking columns, basis."""

    index: int
    status: str  # "optimal" or HiGHS's model status
    value: float
    gradient: np.ndarray | None
    basis: Basis | None
    y: np.ndarray | None = None  # scenario column values (only when asked)
    metrics: Mapping[str, float] | None = None


class ScenarioLP:
    """One worker's scenario LP: built once, re-pointed at a scenario by its row bounds."""

    def __init__(self, problem: TwoStageProblem) -> None:
        self.blocks = BlockHighs(template_problem(problem), SolverOptions())
        self.split = sp = split(self.blocks)
        self.n_link = len(sp.link)
        self.n_y = len(sp.cost)
        self.m = len(sp.row_lower)
        r, c, v = sp.matrix
        ncol = self.n_link + self.n_y
        order = np.lexsort((r, c))
        start = np.zeros(ncol + 1, dtype=np.int64)
        np.cumsum(np.bincount(c, minlength=ncol), out=start[1:])
        lp = highspy.HighsLp()
        lp.num_col_ = ncol
        lp.num_row_ = self.m
        lp.col_cost_ = np.concatenate([np.zeros(self.n_link), sp.cost])
        lp.col_lower_ = np.concatenate([sp.master.lower[sp.link], sp.lower])
        lp.col_upper_ = np.concatenate([sp.master.upper[sp.link], sp.upper])
        lp.row_lower_ = sp.row_lower
        lp.row_upper_ = sp.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_ = ncol
        lp.a_matrix_.num_row_ = self.m
        lp.a_matrix_.start_ = start
        lp.a_matrix_.index_ = r[order]
        lp.a_matrix_.value_ = v[order]
        self.highs = h = _new_highs()
        # no "threads" option: simplex runs serially anyway, and setting it after the process
        # has run HiGHS with another count fails (the global scheduler, solver.py)
        h.passModel(lp)
        self._link_idx = np.arange(self.n_link, dtype=np.int32)
        self._row_idx = np.arange(self.m, dtype=np.int32)
        self._p0 = np.array([p.value for p in self.blocks._params], dtype=float)
        self.problem = problem
        self._plan_key: tuple | None = None
        self._bounds: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
        self._bases: dict[bytes, highspy.HighsBasis] = {}  # per scenario: its last optimal basis
        self._plan: tuple[np.ndarray, float] | None = None

    def plan(self, values: Mapping[str, float]) -> tuple[np.ndarray, float]:
        """(stage-1 vector, FirstStageCost) of a plan given by name; the last one is cached."""
        key = tuple(values.items())
        if key != self._plan_key or self._plan is None:
            x = self.plan_vector(values)
            self._plan = (x, self.first_stage_cost(x))
            self._plan_key = key
        return self._plan

    # -- data -------------------------------------------------------------------------
    def params(self, data: Any) -> np.ndarray:
        """The template block's Param values for a scenario's data."""
        load = self.blocks.problem.template.load_data  # type: ignore[union-attr]
        load(self.blocks.block, data)
        return np.array([p.value for p in self.blocks._params], dtype=float)

    @staticmethod
    def _key(data: Any) -> bytes:
        return hashlib.blake2b(pickle.dumps(data), digest_size=16).digest()

    def row_bounds(self, data: Any, key: bytes | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The scenario rows' bounds for a scenario's data (cached: L-shaped asks every iteration)."""
        key = key or self._key(data)
        hit = self._bounds.get(key)
        if hit is not None:
            return hit
        if len(self._bounds) >= ROW_BOUNDS_CACHE:
            self._bounds.clear()
        self._bounds[key] = out = self._row_bounds(data)
        return out

    def _row_bounds(self, data: Any) -> tuple[np.ndarray, np.ndarray]:
        sp = self.split
        delta = self.params(data)[sp.sens_params] - self._p0[sp.sens_params]
        lo = sp.row_lower + np.bincount(sp.sens_rows, sp.sens_lower * delta, minlength=self.m)
        hi = sp.row_upper + np.bincount(sp.sens_rows, sp.sens_upper * delta, minlength=self.m)
        return lo, hi

    # -- solve ------------------------------------------------------------------------
    def solve(
        self,
        index: int,
        data: Any,
        x: np.ndarray,
        basis: Basis | None = None,
        *,
        want_y: bool = False,
        metrics: Any = None,
        keep_basis: bool = True,
    ) -> SubResult:
        """Q_s(x) for the full stage-1 vector ``x`` (as given: fractional in an LP phase).

        The simplex starts from ``basis`` if given, else (``keep_basis``) from this scenario's
        own last optimal basis when this worker solved it before (the executor sends a scenario
        to the same worker every time), else from the previous scenario's."""
        h = self.highs
        sp = self.split
        xl = np.asarray(x, dtype=float)[sp.link]
        key = self._key(data)
        lo, hi = self.row_bounds(data, key)
        h.changeRowsBounds(self.m, self._row_idx, lo, hi)
        h.changeColsBounds(self.n_link, self._link_idx, xl, xl)
        if basis is not None:
            b = highspy.HighsBasis()
            b.col_status = [_BASIS_STATUS[k] for k in basis[0].tolist()]
            b.row_status = [_BASIS_STATUS[k] for k in basis[1].tolist()]
            b.valid = True
            h.setBasis(b)
        elif keep_basis and key in self._bases:
            h.setBasis(self._bases[key])  # this scenario's own last basis, kept in this worker
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            h.clearSolver()  # a failed basis must not poison the next scenario
            h.run()
            status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            value = math.inf if status == highspy.HighsModelStatus.kInfeasible else math.nan
            return SubResult(index, h.modelStatusToString(status), value, None, None)
        sol = h.getSolution()
        value = float(h.getInfo().objective_function_value)
        grad = np.asarray(sol.col_dual, dtype=float)[: self.n_link]
        out_basis = None
        if keep_basis:
            if len(self._bases) >= ROW_BOUNDS_CACHE:
                self._bases.clear()
            self._bases[key] = h.getBasis()  # a C++ copy: no conversion, stays in this worker
        y = np.asarray(sol.col_value, dtype=float)[self.n_link :] if want_y or metrics else None
        values = None
        if metrics is not None:
            self.load_solution(data, x, y)
            values = {k: float(v) for k, v in metrics(self.blocks.block).items()}
        return SubResult(index, "optimal", value, grad, out_basis, y if want_y else None, values)

    # -- values into the template's Pyomo block ---------------------------------------
    def load_first(self, x: np.ndarray) -> None:
        """Stage-1 values into the template's stage-1 block (integers rounded)."""
        sp = self.split
        cols = self.blocks._cols_t
        for j, value, integer in zip(
            sp.c1.tolist(), np.asarray(x).tolist(), sp.master.integer.tolist(), strict=True
        ):
            var = cols[j]
            if var is not None:
                var.set_value(round(value) if integer else value, skip_validation=True)

    def load_solution(self, data: Any, x: np.ndarray, y: np.ndarray) -> pyo.Block:
        """The template's scenario block holding this scenario's data, plan and values."""
        self.load_first(x)
        self.params(data)  # load_data into the block
        cols = self.blocks._cols_t
        for j, value in zip(self.split.c2.tolist(), y.tolist(), strict=True):
            cols[j].set_value(value, skip_validation=True)
        return self.blocks.block

    def plan_vector(self, values: Mapping[str, float]) -> np.ndarray:
        """A plan given by stage-1 names (``twostage.first_stage_values``) as the master's vector."""
        names = self.split.master.names
        missing = [n for n in names if n and n not in values]
        if missing:
            raise KeyError(f"no value for stage-1 variable {missing[0]}")
        x = np.array([float(values[n]) if n else 1.0 for n in names])
        return np.where(self.split.master.integer, np.round(x), x)

    def plan_values(self, x: np.ndarray) -> dict[str, float]:
        """The master's vector as ``{stage-1 name: value}`` (the writer's constant column left out)."""
        ints = self.split.master.integer
        return {
            n: float(round(v) if i else v)
            for n, v, i in zip(self.split.master.names, np.asarray(x).tolist(), ints.tolist(), strict=True)
            if n
        }

    def first_stage_cost(self, x: np.ndarray) -> float:
        """``FirstStageCost`` of the plan (the builders' expression, in model units)."""
        self.load_first(x)
        return float(pyo.value(self.blocks.first.FirstStageCost))


@dataclass(frozen=True)
class ScenarioSpec:
    """What a worker builds its :class:`ScenarioLP` from (the template problem, picklable)."""

    problem: TwoStageProblem
    token: str

    @classmethod
    def of(cls, problem: TwoStageProblem) -> ScenarioSpec:
        small = template_problem(problem)
        digest = hashlib.sha1(pickle.dumps(small)).hexdigest()[:16]
        return cls(small, f"scenario-lp-{digest}")

    def build(self) -> ScenarioLP:
        return ScenarioLP(self.problem)


# ---------------------------------------------------------------------------------------
# per-scenario tasks (run by the executor's workers on their ScenarioLP)


@dataclass(frozen=True)
class SubTask:
    """One scenario at one plan: what a worker receives (data, plan, last basis)."""

    index: int
    data: Any
    x: np.ndarray
    basis: Basis | None = None
    want_y: bool = False
    metrics: Any = None


def solve_subtask(model: ScenarioLP, task: SubTask) -> SubResult:
    return model.solve(task.index, task.data, task.x, task.basis, want_y=task.want_y, metrics=task.metrics)


# ---------------------------------------------------------------------------------------
# evaluation of a fixed plan (analytics.evaluate's fast path)


@dataclass(frozen=True)
class PlanTask:
    """One scenario of an out-of-sample evaluation: the data and the plan by stage-1 name."""

    index: int
    name: str
    probability: float
    data: Any
    plan: Mapping[str, float]
    metrics: Any = None


def evaluate_task(model: ScenarioLP, task: PlanTask) -> Any:
    """The plan's cost in one scenario, as ``analytics.scenario.solve_scenario`` reports it."""
    from bekostiging.analytics.scenario import ScenarioResult
    from bekostiging.solver import Status

    start = time.perf_counter()
    x, first_cost = model.plan(task.plan)
    if not model.split.master.feasible(x):  # as fixing it in the extensive form: infeasible
        return ScenarioResult(
            status=Status.INFEASIBLE,
            total_cost=math.inf,
            bound=math.inf,
            gap=None,
            first_stage_cost=math.inf,
            second_stage_cost=math.inf,
            seconds=time.perf_counter() - start,
            name=task.name,
            probability=task.probability,
            message="the plan violates a stage-1 constraint",
        )
    # no basis passed: HiGHS keeps the previous scenario's basis (only bounds change)
    r = model.solve(task.index, task.data, x, metrics=task.metrics, keep_basis=False)
    common = {"name": task.name, "probability": task.probability, "message": r.status}
    if r.status != "optimal":
        missing = math.inf if math.isinf(r.value) else math.nan
        status = Status.INFEASIBLE if math.isinf(r.value) else Status.ERROR
        return ScenarioResult(
            status=status,
            total_cost=missing,
            bound=missing,
            gap=None,
            first_stage_cost=missing,
            second_stage_cost=missing,
            seconds=time.perf_counter() - start,
            **common,
        )
    m = model.split.master
    total = float(np.dot(m.cost, x) + m.offset + r.value)
    return ScenarioResult(
        status=Status.OPTIMAL,
        total_cost=total,
        bound=total,
        gap=0.0,
        first_stage_cost=first_cost,
        second_stage_cost=total - first_cost,
        seconds=time.perf_counter() - start,
        metrics=dict(r.metrics or {}),
        **common,
    )
