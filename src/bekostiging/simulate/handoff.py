"""The simulation's models handed to HiGHS in memory: the LP file's model, without the file.

:class:`~bekostiging.solver.OneShotHighs` writes a model with Pyomo's LP writer, HiGHS reads
the file, and the writer's symbol map turns HiGHS's names back into Pyomo components. The
simulation solves some 30 small models per path and policy; for them that round trip
(formatting every coefficient as text, parsing it back, the name maps) is a visible cost:
0.30 s of CPU for a 3-scenario planner and 0.08 s for a 5-month chain run, against 0.21 s and
0.01 s in memory (``bench/README.md``, the simulation's cost). :class:`DirectHighs` builds the
same :class:`highspy.HighsLp` directly from the same linear representation:

* rows exactly as the LP writer emits them: the active constraints in the writer's order,
  each ``lb <= body <= ub`` with the body's constant moved into the bounds, a ranged row as
  two rows (``>= lb`` then ``<= ub``), a row without a variable as a zero entry on the
  constant column (as the writer does unless it is told to skip trivial rows), which the
  reader drops from the matrix as it drops every written zero;
* the objective as the writer writes it: a constant becomes the cost of a constant column
  fixed at 1 (``ONE_VAR_CONSTANT``);
* columns in the order in which HiGHS's LP reader meets them in the file (objective first,
  then row by row, each row's terms in the writer's variable order), with the variables'
  bounds and integrality; fixed variables are constants, as in the file.

So HiGHS gets the same matrix, bounds, costs and integrality, column for column and row for
row, and takes the same path (``tests/test_simulate_fast.py`` compares the two hand-offs
array by array on the simulation's models). What the file path keeps that this one does
not: row names (an infeasibility explanation needs ``OneShotHighs``).
"""

from __future__ import annotations

import time
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.core.base.component import ComponentData
from pyomo.repn.linear import LinearRepnVisitor
from pyomo.repn.plugins.lp_writer import LPWriter
from pyomo.repn.util import (
    FileDeterminism_to_SortComponents,
    OrderedVarRecorder,
    initialize_var_map_from_column_order,
    ordered_active_constraints,
)

from bekostiging.assemble import BlockHighs
from bekostiging.errors import SolverFailure
from bekostiging.simulate.fastrepn import FastLinearWalker
from bekostiging.solver import OneShotHighs, SolverOptions

INF = highspy.kHighsInf


class HandoffUnsupported(ValueError):
    """The model has something the direct hand-off does not write (the file path is used)."""



def _objective(model: pyo.ConcreteModel, visitor: Any, sorter: Any, one: Any) -> tuple[Any, dict[int, float]]:
    """The single active objective and its linear terms by variable id (a constant on ``one``)."""
    objectives = list(model.component_data_objects(pyo.Objective, active=True, sort=sorter))
    if len(objectives) != 1:
        raise HandoffUnsupported(f"{len(objectives)} active objectives")
    obj = objectives[0]
    repn = visitor.walk_expression(obj.expr)
    if repn.nonlinear is not None:
        raise HandoffUnsupported("a nonlinear objective")
    objective = dict(repn.linear)
    if repn.constant or not objective:
        objective[id(one)] = repn.constant
    return obj, objective

def compile_lp(
    model: pyo.ConcreteModel, fast: bool = True
) -> tuple[highspy.HighsLp, list[ComponentData | None], list]:
    """The LP that HiGHS reads from Pyomo's LP file of ``model``; its columns' variables (None:
    the constant column) and its rows' constraints. ``fast``: the bodies walked by
    :class:`~bekostiging.simulate.fastrepn.FastLinearWalker` (the same arithmetic as Pyomo's
    walker, less Python) and the terms ordered for all rows at once; False: the hand-off as
    first written (:func:`_compile_reference`). The two give the same LP bit for bit."""
    with PauseGC():  # as the LP writer: the walker makes many small objects
        return _compile(model) if fast else _compile_reference(model)


def _compile(model: pyo.ConcreteModel) -> tuple[highspy.HighsLp, list[ComponentData | None], list]:
    config = LPWriter().config(dict(symbolic_solver_labels=False))
    sorter = FileDeterminism_to_SortComponents(config.file_determinism)
    one = pyo.Var(name="ONE_VAR_CONSTANT", bounds=(1, 1))
    one.construct()
    var_map: dict[int, object] = {id(one): one}
    initialize_var_map_from_column_order(model, config, var_map)
    var_order = {i: k for k, i in enumerate(var_map)}
    recorder = OrderedVarRecorder(var_map, var_order, sorter)
    visitor = FastLinearWalker(LinearRepnVisitor({}, var_recorder=recorder))

    obj, objective = _objective(model, visitor, sorter, one)

    # entries (row, the variable's writer order, coefficient), the objective as row -1; rows'
    # bounds and constraints. Each row's terms are put in the writer's variable order below,
    # for all rows at once (the LP file lists a row's terms in that order).
    order = var_order.__getitem__
    ent_row: list[int] = [-1] * len(objective)
    ent_var: list[int] = [order(v) for v in objective]
    ent_coef: list[float] = list(objective.values())
    row_lower: list[float] = []
    row_upper: list[float] = []
    row_con: list[object] = []

    def add(keys: list[int], coefs: list, lower: float, upper: float, con: object) -> None:
        ent_row.extend([len(row_con)] * len(keys))
        ent_var.extend(keys)
        ent_coef.extend(coefs)
        row_lower.append(lower)
        row_upper.append(upper)
        row_con.append(con)

    for con in ordered_active_constraints(model, config):
        lb, body, ub = con.to_bounded_expression(True)
        if lb is None and ub is None:
            continue
        repn = visitor.walk_expression(body)
        if repn.nonlinear is not None:
            raise HandoffUnsupported(f"{con.name} is nonlinear")
        offset = repn.constant
        linear = repn.linear
        if not linear:
            trivial = (lb is None or lb <= offset) and (ub is None or ub >= offset)
            if config.skip_trivial_constraints and trivial:
                continue
            linear = {id(one): 0}  # the writer keeps the row on its constant column
        keys = [order(v) for v in linear]
        coefs = list(linear.values())
        if lb is not None and ub is not None and lb != ub:
            add(keys, coefs, float(lb - offset), INF, con)
            add(keys, coefs, -INF, float(ub - offset), con)
        elif lb is not None:
            value = float(lb - offset)
            add(keys, coefs, value, value if ub is not None else INF, con)
        else:
            add(keys, coefs, -INF, float(ub - offset), con)  # type: ignore[operator]
    if obj.sense != pyo.minimize:
        raise HandoffUnsupported("a maximisation")

    # every row's terms in the writer's variable order (the objective first); the columns in
    # the order the LP reader meets them: objective, then row by row
    rows_e = np.array(ent_row, dtype=np.int64)
    vars_e = np.array(ent_var, dtype=np.int64)
    coef_e = np.array(ent_coef, dtype=float)
    by_row = np.lexsort((vars_e, rows_e))
    rows_e, vars_e, coef_e = rows_e[by_row], vars_e[by_row], coef_e[by_row]
    met, first = np.unique(vars_e, return_index=True)  # writer orders, sorted; where first met
    n = len(met)
    position = np.empty(n, dtype=np.int64)
    position[np.argsort(first, kind="stable")] = np.arange(n)  # column of met[i]
    col_e = position[np.searchsorted(met, vars_e)]
    by_order = {k: v for v, k in ((var_map[vid], var_order[vid]) for vid in var_map)}
    cols: list[ComponentData | None] = [None] * n
    lower = np.empty(n)
    upper = np.empty(n)
    integer = np.zeros(n, dtype=bool)
    for k, j in zip(met.tolist(), position.tolist(), strict=True):
        var = by_order[k]
        lo, hi = var.bounds  # type: ignore[attr-defined]
        lower[j] = -INF if lo is None else float(lo)
        upper[j] = INF if hi is None else float(hi)
        integer[j] = var.is_integer() or var.is_binary()  # type: ignore[attr-defined]
        cols[j] = None if var is one else var  # type: ignore[assignment]
    in_objective = rows_e < 0
    cost = np.zeros(n)
    cost[col_e[in_objective]] = coef_e[in_objective]

    m = len(row_con)
    kept = ~in_objective & (coef_e != 0.0)  # the LP reader drops written zeros (its column stays)
    row_index = rows_e[kept].astype(np.int32)
    col_index = col_e[kept].astype(np.int32)
    values = coef_e[kept]
    order_cols = np.lexsort((row_index, col_index))
    start = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(col_index, minlength=n), out=start[1:])

    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = m
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = np.array(row_lower, dtype=float)
    lp.row_upper_ = np.array(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = m
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = row_index[order_cols]
    lp.a_matrix_.value_ = values[order_cols]
    if integer.any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous for k in integer
        ]
    return lp, cols, row_con


def _compile_reference(model: pyo.ConcreteModel) -> tuple[highspy.HighsLp, list[ComponentData | None], list]:
    """The hand-off as first written (1 Dec, 706e76e): Pyomo's walker, each row's terms sorted
    on their own, the columns placed by a dict walk. The reference of :func:`_compile` (tests)
    and the ``fast=False`` path (the bench's 'before' column)."""
    config = LPWriter().config(dict(symbolic_solver_labels=False))
    sorter = FileDeterminism_to_SortComponents(config.file_determinism)
    one = pyo.Var(name="ONE_VAR_CONSTANT", bounds=(1, 1))
    one.construct()
    var_map: dict[int, object] = {id(one): one}
    initialize_var_map_from_column_order(model, config, var_map)
    var_order = {i: k for k, i in enumerate(var_map)}
    recorder = OrderedVarRecorder(var_map, var_order, sorter)
    visitor = LinearRepnVisitor({}, var_recorder=recorder)

    obj, objective = _objective(model, visitor, sorter, one)

    # rows: (sorted (var id, coef) items, lower, upper, constraint)
    rows: list[tuple[list[tuple[int, float]], float, float, object]] = []
    order = var_order.__getitem__

    def terms(linear: dict) -> list[tuple[int, float]]:
        return sorted(linear.items(), key=lambda x: order(x[0]))

    first_terms = terms(objective)
    for con in ordered_active_constraints(model, config):
        lb, body, ub = con.to_bounded_expression(True)
        if lb is None and ub is None:
            continue
        repn = visitor.walk_expression(body)
        if repn.nonlinear is not None:
            raise HandoffUnsupported(f"{con.name} is nonlinear")
        offset = repn.constant
        linear = dict(repn.linear)
        if not linear:
            trivial = (lb is None or lb <= offset) and (ub is None or ub >= offset)
            if config.skip_trivial_constraints and trivial:
                continue
            linear[id(one)] = 0  # the writer keeps the row on its constant column
        items = terms(linear)
        if lb is not None and ub is not None and lb != ub:
            rows.append((items, float(lb - offset), INF, con))
            rows.append((items, -INF, float(ub - offset), con))
        elif lb is not None:
            value = float(lb - offset)
            rows.append((items, value, value if ub is not None else INF, con))
        else:
            rows.append((items, -INF, float(ub - offset), con))  # type: ignore[operator]

    # columns in the order the LP reader meets them: objective, then row by row
    position: dict[int, int] = {}
    for vid, _c in first_terms:
        position.setdefault(vid, len(position))
    for items, _lo, _hi, _con in rows:
        for vid, _c in items:
            position.setdefault(vid, len(position))
    n = len(position)
    cols: list[ComponentData | None] = [None] * n
    lower = np.empty(n)
    upper = np.empty(n)
    integer = np.zeros(n, dtype=bool)
    for vid, j in position.items():
        var = var_map[vid]
        lo, hi = var.bounds  # type: ignore[attr-defined]
        lower[j] = -INF if lo is None else float(lo)
        upper[j] = INF if hi is None else float(hi)
        integer[j] = var.is_integer() or var.is_binary()  # type: ignore[attr-defined]
        cols[j] = None if var is one else var  # type: ignore[assignment]
    cost = np.zeros(n)
    for vid, c in first_terms:
        cost[position[vid]] = c
    if obj.sense != pyo.minimize:
        raise HandoffUnsupported("a maximisation")

    m = len(rows)
    counts = np.fromiter((len(items) for items, *_ in rows), dtype=np.int64, count=m)
    row_index = np.repeat(np.arange(m, dtype=np.int32), counts)
    col_index = np.fromiter(
        (position[vid] for items, *_ in rows for vid, _c in items), dtype=np.int32, count=int(counts.sum())
    )
    values = np.fromiter((c for items, *_ in rows for _v, c in items), dtype=float, count=int(counts.sum()))
    kept = values != 0.0  # the LP reader drops written zeros (its column stays where it was met)
    row_index, col_index, values = row_index[kept], col_index[kept], values[kept]
    order_cols = np.lexsort((row_index, col_index))
    start = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(col_index, minlength=n), out=start[1:])

    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = m
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = np.array([r[1] for r in rows], dtype=float)
    lp.row_upper_ = np.array([r[2] for r in rows], dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = m
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = row_index[order_cols]
    lp.a_matrix_.value_ = values[order_cols]
    if integer.any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous for k in integer
        ]
    return lp, cols, [r[3] for r in rows]


class DirectHighs(OneShotHighs):
    """:class:`OneShotHighs` with the model handed over in memory (:func:`compile_lp`;
    ``fast``: with the fast walker)."""

    fast = True

    def _load(self, model: pyo.ConcreteModel, h: highspy.Highs) -> dict[str, float]:
        t0 = time.perf_counter()
        lp, cols, rows = compile_lp(model, self.fast)
        t1 = time.perf_counter()
        status = h.passModel(lp)
        if status == highspy.HighsStatus.kError:
            raise SolverFailure(f"HiGHS rejected the model ({status})")
        self._cols = cols
        self._rows = rows
        return {"write_seconds": t1 - t0, "read_seconds": time.perf_counter() - t1}

    def row_component(self, i: int) -> ComponentData | None:
        rows = self._rows or []
        return rows[i] if 0 <= i < len(rows) else None


class DirectBlockHighs(BlockHighs):
    """:class:`~bekostiging.assemble.BlockHighs` whose two-scenario template is handed over in
    memory (:func:`compile_lp`) instead of through the LP file; the assembly is unchanged."""

    fast = True

    def _template_lp(self) -> tuple[highspy.HighsLp, list[ComponentData | None], dict[str, float]]:
        t0 = time.perf_counter()
        lp, cols, rows = compile_lp(self.model, self.fast)
        self._cols = cols
        return lp, rows, {"write_seconds": time.perf_counter() - t0, "read_seconds": 0.0}


def one_shot(options: SolverOptions | None, direct: bool, fast: bool = True) -> OneShotHighs:
    """The one-shot solver of a simulation model: in memory (``direct``; ``fast``: with the fast
    walker) or through the LP file."""
    if not direct:
        return OneShotHighs(options)
    solver = DirectHighs(options)
    solver.fast = fast
    return solver
