"""The compact extensive form assembled block by block, with numpy, from a small Pyomo template.

Every scenario block of :func:`bekostiging.twostage.extensive_form` has the same
structure; scenarios differ only in their data (the inflow) and probability. So
Pyomo builds and writes the first TWO scenarios, and the S-scenario model is
replicated numerically:

1. **Template**: the extensive form of the problem with its first two scenarios,
   built by the problem's own builders (``problem.template``: the
   same second-stage block with the scenario data as mutable Params), written by
   Pyomo's LP writer and read by HiGHS exactly as :class:`~bekostiging.solver.OneShotHighs`
   does. The writer's symbol map says which column/row belongs to ``m.first`` (stage 1)
   and which to a scenario block. Two scenarios, not one: the LP writer places stage-1
   columns differently with a single scenario, and the second block both shows where
   further scenarios' columns go and checks the replication (its coefficients must equal
   the first block's, its row bounds the shifted ones).
2. **Data sensitivity**, found generically: for every scenario row whose expression
   holds a mutable Param of the scenario block, the row bounds are re-evaluated with
   that Param moved by +1 and +2 (finite differences; the second checks they are
   affine). Rows whose coefficients, column bounds or the objective depend on the
   scenario data are not supported (:class:`AssemblyUnsupported`; the caller then
   uses the Pyomo path).
3. **Assembly**: stage-1 columns and rows once; scenario columns and rows S times
   (columns offset, stage-1 columns shared); scenario row bounds shifted by
   sensitivity x (data_s - data_template); scenario column costs x p_s, stage-1
   costs as in the template (sum p_s = 1). The matrix goes to HiGHS with ``passModel``;
   options, progress, statuses are :class:`OneShotHighs`'s own.
4. **Solution**: stage-1 values into the template's stage-1 block;
   :meth:`BlockHighs.scenario_blocks` loads scenario s (data and values) into the
   template's scenario block and yields it, one scenario at a time, for
   :func:`bekostiging.results.result_tables`. ``row_component`` / ``col_component``
   give the template component and ``row_scenario`` / ``col_scenario`` the scenario,
   so :func:`bekostiging.infeasibility.explain` names family, partner, period and scenario.

CVaR (``risk.weight > 0``) adds rows that couple all scenarios with the total
cost; it is not assembled here (:class:`AssemblyUnsupported`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.component import ComponentData
from pyomo.core.expr.numvalue import native_numeric_types
from pyomo.core.expr.visitor import identify_mutable_parameters
from pyomo.core.staleflag import StaleFlagManager
from pyomo.repn import generate_standard_repn

from bekostiging.solver import WRITER_SYMBOLS, OneShotHighs, ProgressCallback, SolveOutcome, SolverOptions
from bekostiging.twostage import Risk, ScenarioData, TwoStageProblem, extensive_form

PROBABILITY_SUM_TOLERANCE = 1e-9
AFFINE_TOLERANCE = 1e-9  # relative; the second finite difference must equal the first
STAGE1, SCENARIO, SECOND = 1, 2, 3  # stage 1; the template's first and second scenario block


class AssemblyUnsupported(ValueError):
    """The problem cannot be assembled from a template; solve the Pyomo extensive form instead."""


def _owner(component: ComponentData, first: pyo.Block, scen: pyo.Block, second: pyo.Block | None) -> int:
    block = component.parent_block()
    while block is not None:
        if block is first:
            return STAGE1
        if block is scen:
            return SCENARIO
        if second is not None and block is second:
            return SECOND
        block = block.parent_block()
    return 0


def _writer_symbol(component: ComponentData) -> bool:
    """The LP writer's own column (``ONE_VAR_CONSTANT``, fixed at 1): it carries objective constants,
    such as the partners' fixed organisation cost, once for the whole model."""
    return component.local_name in WRITER_SYMBOLS


def _value(expr: object) -> float | None:
    return None if expr is None else float(pyo.value(expr))


def _csc_to_coo(a: highspy.HighsSparseMatrix, num_col: int, num_row: int) -> tuple[np.ndarray, ...]:
    start = np.asarray(a.start_, dtype=np.int64)
    index = np.asarray(a.index_, dtype=np.int64)
    value = np.asarray(a.value_, dtype=float)
    if a.format_ == highspy.MatrixFormat.kColwise:
        cols = np.repeat(np.arange(num_col, dtype=np.int64), np.diff(start))
        return index, cols, value
    rows = np.repeat(np.arange(num_row, dtype=np.int64), np.diff(start))
    return rows, index, value


@dataclass
class _Sensitivity:
    """Row-bound sensitivity of the template's scenario rows to the scenario Params."""

    rows: np.ndarray  # template row index
    params: np.ndarray  # index into the Param list
    lower: np.ndarray  # d row_lower / d param (0 where the side is infinite)
    upper: np.ndarray


@dataclass
class _Template:
    """The template LP, split by owner (see :meth:`BlockHighs._analyse`)."""

    lp: highspy.HighsLp
    rows: list  # template row -> constraint component (None for the writer's rows)
    cols: list  # template column -> variable component
    timings: dict[str, float]
    started: float
    col_owner: np.ndarray
    row_owner: np.ndarray
    a_rows: np.ndarray  # matrix entries (COO)
    a_cols: np.ndarray
    a_vals: np.ndarray
    c1: np.ndarray  # template columns of stage 1, of the first scenario block
    c2: np.ndarray
    r1: np.ndarray  # template rows of stage 1, of the first scenario block
    r2: np.ndarray
    partner: np.ndarray
    sens: _Sensitivity


class BlockHighs(OneShotHighs):
    """Solve the compact extensive form of ``problem`` assembled from a one-scenario template.

    Raises :class:`AssemblyUnsupported` at construction when the problem has no
    template, CVaR rows, probabilities not summing to 1, or scenario data outside the
    row bounds; the caller then solves ``extensive_form(problem)`` instead.
    """

    def __init__(self, problem: TwoStageProblem, options: SolverOptions | None = None) -> None:
        super().__init__(options)
        if problem.template is None:
            raise AssemblyUnsupported("the problem has no scenario template")
        if problem.risk.weight > 0:
            raise AssemblyUnsupported("CVaR rows (risk weight > 0) are not assembled")
        if not problem.scenarios:
            raise AssemblyUnsupported("no scenarios")
        total = math.fsum(s.probability for s in problem.scenarios)
        if abs(total - 1.0) > PROBABILITY_SUM_TOLERANCE:
            raise AssemblyUnsupported(f"scenario probabilities sum to {total}, not 1")
        self.problem = problem
        # The first two scenarios (one if there is one): the second block shows where the LP
        # writer puts a further scenario's columns, and checks the replication (see prepare).
        # Probabilities 1/2 keep the costs exact (a power of two).
        pair = problem.scenarios[:2]
        template = TwoStageProblem(
            problem.build_first_stage,
            problem.template.build_second_stage,
            tuple(ScenarioData(s.name, 1.0 / len(pair), s.data) for s in pair),
            problem.mean_data,
            Risk(),
        )
        self._template_probability = 1.0 / len(pair)
        self.model = extensive_form(template)  # the template: m.first, m.scen[s0] (and m.scen[s1])
        self.first = self.model.first
        self.block = self.model.scen[pair[0].name]
        self.second = self.model.scen[pair[1].name] if len(pair) > 1 else None
        self.names = [s.name for s in problem.scenarios]
        self.probabilities = np.array([s.probability for s in problem.scenarios], dtype=float)
        self._params = [
            p
            for comp in self.block.component_objects(pyo.Param, active=True, descend_into=True)
            if comp.mutable
            for p in comp.values()
        ]
        self._x: np.ndarray | None = None
        self._lp: highspy.HighsLp | None = None
        self._prepared: dict[str, float] = {}

    # ------------------------------------------------------------------ size

    def model_size(self) -> dict[str, int]:
        """Columns, rows and integer columns as ``pipeline.model_size`` counts the full model."""

        def count(block: pyo.Block) -> tuple[int, int, int]:
            cols = ints = 0
            for v in block.component_data_objects(pyo.Var, descend_into=True):
                if not v.fixed:
                    cols += 1
                    ints += int(v.is_integer())
            rows = sum(
                1 for _ in block.component_data_objects(pyo.Constraint, active=True, descend_into=True)
            )
            return cols, rows, ints

        c1, r1, i1 = count(self.first)
        c2, r2, i2 = count(self.block)
        n = len(self.names)
        return {"columns": c1 + n * c2, "rows": r1 + n * r2, "integer_columns": i1 + n * i2}

    # ------------------------------------------------------------------ template

    def _template_lp(self) -> tuple[highspy.HighsLp, list[ComponentData | None], dict[str, float]]:
        """The template written and read as OneShotHighs does: its LP and row components."""
        h = self._new_highs()
        h.setOptionValue("output_flag", False)
        timings = self._load(self.model, h)
        lp = h.getLp()
        rows = [self._component(name) for name in lp.row_names_]
        return lp, rows, timings

    def _scenario_data(self) -> np.ndarray:
        """Values of the scenario block's mutable Params, one row per scenario."""
        load = self.problem.template.load_data  # type: ignore[union-attr]
        out = np.empty((len(self.names), len(self._params)))
        for i, s in enumerate(self.problem.scenarios):
            load(self.block, s.data)
            out[i] = [p.value for p in self._params]
        load(self.block, self.problem.scenarios[0].data)
        return out

    def _check_independent(self, expr: object, what: str, pidx: dict[int, int]) -> None:
        if expr is None or type(expr) in native_numeric_types:
            return
        if any(id(p) in pidx for p in identify_mutable_parameters(expr)):
            raise AssemblyUnsupported(f"{what} depends on the scenario data")

    def _sensitivity(
        self, lp: highspy.HighsLp, rows: list[ComponentData | None], row_owner: np.ndarray
    ) -> _Sensitivity:
        pidx = {id(p): i for i, p in enumerate(self._params)}
        self._check_independent(self.model.Objective.expr, "the objective", pidx)
        for v in self.block.component_data_objects(pyo.Var, descend_into=True):
            self._check_independent(v.lower, f"the lower bound of {v.name}", pidx)
            self._check_independent(v.upper, f"the upper bound of {v.name}", pidx)
        row_lower = np.asarray(lp.row_lower_, dtype=float)
        row_upper = np.asarray(lp.row_upper_, dtype=float)
        out_rows: list[int] = []
        out_params: list[int] = []
        out_lo: list[float] = []
        out_hi: list[float] = []
        analysed: dict[int, tuple] = {}  # id(constraint) -> (lb, constant, ub, params)
        for i in np.flatnonzero(row_owner == SCENARIO):
            con = rows[i]
            key = id(con)
            if key not in analysed:
                lb, body, ub = con.to_bounded_expression()
                found = [
                    p
                    for e in (lb, body, ub)
                    if e is not None and type(e) not in native_numeric_types
                    for p in identify_mutable_parameters(e)
                    if id(p) in pidx
                ]
                if not found:
                    analysed[key] = ()
                    continue
                repn = generate_standard_repn(body, compute_values=False, quadratic=False)
                if not repn.is_linear():
                    raise AssemblyUnsupported(f"{con.name} is not linear")
                for coef in repn.linear_coefs:
                    self._check_independent(coef, f"a coefficient of {con.name}", pidx)
                analysed[key] = (lb, repn.constant, ub, list({id(p): p for p in found}.values()))
            entry = analysed[key]
            if not entry:
                continue
            lb, constant, ub, params = entry

            def bounds(lb: object = lb, constant: object = constant, ub: object = ub) -> tuple[float, float]:
                c = _value(constant) or 0.0
                lo, hi = _value(lb), _value(ub)
                return (-math.inf if lo is None else lo - c), (math.inf if hi is None else hi - c)

            finite_lo, finite_hi = math.isfinite(row_lower[i]), math.isfinite(row_upper[i])
            base = bounds()
            for side, finite, written in ((0, finite_lo, row_lower[i]), (1, finite_hi, row_upper[i])):
                if finite and not math.isclose(base[side], written, rel_tol=1e-9, abs_tol=1e-9):
                    raise AssemblyUnsupported(f"row bounds of {con.name} do not match the LP file")
            for p in params:
                old = p.value
                try:
                    p.set_value(old + 1.0)
                    one = bounds()
                    p.set_value(old + 2.0)
                    two = bounds()
                finally:
                    p.set_value(old)
                d_lo = one[0] - base[0] if finite_lo else 0.0
                d_hi = one[1] - base[1] if finite_hi else 0.0
                for d, second in ((d_lo, two[0] - one[0]), (d_hi, two[1] - one[1])):
                    if d and not math.isclose(d, second, rel_tol=AFFINE_TOLERANCE, abs_tol=AFFINE_TOLERANCE):
                        raise AssemblyUnsupported(f"{con.name} is not affine in {p.name}")
                if d_lo or d_hi:
                    out_rows.append(int(i))
                    out_params.append(pidx[id(p)])
                    out_lo.append(d_lo)
                    out_hi.append(d_hi)
        return _Sensitivity(
            np.array(out_rows, dtype=np.int64),
            np.array(out_params, dtype=np.int64),
            np.array(out_lo),
            np.array(out_hi),
        )

    # ------------------------------------------------------------------ assembly

    def _analyse(self) -> _Template:
        """The template's LP split into stage-1 and scenario parts, with the data sensitivity.

        Shared by :meth:`prepare` (the assembled extensive form) and
        :meth:`decomposition` (master and scenario LP for L-shaped, ``decompose.py``)."""
        lp_t, trows, timings = self._template_lp()
        self._cols_t = tcols = self._cols
        t0 = time.perf_counter()
        first, block, second = self.first, self.block, self.second
        ncol, nrow = lp_t.num_col_, lp_t.num_row_
        col_owner = np.array(  # the LP writer's constant column (objective constants) counts as stage 1
            [STAGE1 if v is None or _writer_symbol(v) else _owner(v, first, block, second) for v in tcols],
            dtype=np.int8,
        )
        row_owner = np.array(
            [STAGE1 if c is None else _owner(c, first, block, second) for c in trows], dtype=np.int8
        )
        if (col_owner == 0).any() or (row_owner == 0).any():
            raise AssemblyUnsupported("the template has columns or rows outside m.first and m.scen")
        rows, cols, vals = _csc_to_coo(lp_t.a_matrix_, ncol, nrow)
        if ((row_owner[rows] == STAGE1) & (col_owner[cols] != STAGE1)).any():
            raise AssemblyUnsupported("a stage-1 row refers to a scenario column")
        if ((row_owner[rows] == SCENARIO) & (col_owner[cols] == SECOND)).any():
            raise AssemblyUnsupported("a scenario row refers to another scenario's column")
        c1 = np.flatnonzero(col_owner == STAGE1)
        c2 = np.flatnonzero(col_owner == SCENARIO)
        r1 = np.flatnonzero(row_owner == STAGE1)
        r2 = np.flatnonzero(row_owner == SCENARIO)
        if not (np.all(np.diff(row_owner.astype(np.int64)) >= 0)):
            raise AssemblyUnsupported("template rows are not ordered stage 1, scenario 1, scenario 2")
        partner = self._partners(tcols, col_owner, c2)  # second-block column -> first-block column
        sens = self._sensitivity(lp_t, trows, row_owner)
        self._check_second(rows, cols, vals, row_owner, col_owner, partner, trows)
        return _Template(
            lp_t, trows, tcols, timings, t0, col_owner, row_owner, rows, cols, vals,
            c1, c2, r1, r2, partner, sens,
        )  # fmt: skip

    def prepare(self) -> dict[str, float]:
        """Template LP -> the S-scenario LP (kept for the solve); timings of each step.

        Column order: the LP writer's, replicated. In the template's LP the second
        scenario's columns come in runs (after the first scenario's objective columns, after
        its constraint columns); each run stands for scenarios 1..S-1 in the full model, so
        the assembled LP is the one Pyomo would write for S scenarios, column for column
        (HiGHS then takes the same path). The second block also checks the assembly: its
        matrix entries must be the first block's, its row bounds the shifted ones.

        Raises :class:`AssemblyUnsupported` when the template does not fit the assumptions."""
        t = self._analyse()
        lp_t, trows, timings = t.lp, t.rows, t.timings
        second = self.second
        ncol, nrow = lp_t.num_col_, lp_t.num_row_
        col_owner, row_owner, rows, cols, vals = t.col_owner, t.row_owner, t.a_rows, t.a_cols, t.a_vals
        c1, c2, r1, r2, partner, sens = t.c1, t.c2, t.r1, t.r2, t.partner, t.sens
        n1, n2, m1, m2 = len(c1), len(c2), len(r1), len(r2)
        t0 = t.started
        data = self._scenario_data()
        t1 = time.perf_counter()

        S = len(self.names)
        col_pos = np.empty(ncol, dtype=np.int64)
        col_pos[c1] = np.arange(n1)
        col_pos[c2] = np.arange(n2)
        row_pos = np.empty(nrow, dtype=np.int64)
        row_pos[r1] = np.arange(m1)
        row_pos[r2] = np.arange(m2)

        # column order: the template's, each run of second-block columns repeated for s = 1..S-1
        first_index = np.empty(n1, dtype=np.int64)  # stage-1 position -> assembled column
        scen_index = np.empty((S, n2), dtype=np.int64)  # (scenario, scenario position) -> column
        nxt = 0
        j = 0
        while j < ncol:
            if col_owner[j] == STAGE1:
                first_index[col_pos[j]] = nxt
                nxt += 1
                j += 1
            elif col_owner[j] == SCENARIO:
                scen_index[0, col_pos[j]] = nxt
                nxt += 1
                j += 1
            else:
                end = j
                while end < ncol and col_owner[end] == SECOND:
                    end += 1
                run = col_pos[partner[np.arange(j, end)]]
                width = len(run)
                for s in range(1, S):
                    scen_index[s, run] = nxt + (s - 1) * width + np.arange(width)
                nxt += (S - 1) * width
                j = end
        if second is None and S > 1:
            raise AssemblyUnsupported("a one-scenario template for several scenarios")
        num_col, num_row = n1 + S * n2, m1 + S * m2
        if nxt != num_col:
            raise AssemblyUnsupported("the template's column runs do not cover every scenario column")

        # matrix: stage-1 rows once; scenario rows S times (scenario columns offset)
        in1 = row_owner[rows] == STAGE1
        in2 = row_owner[rows] == SCENARIO
        e_rows1, e_cols1, e_vals1 = row_pos[rows[in1]], first_index[col_pos[cols[in1]]], vals[in1]
        rs, cs, vs = rows[in2], cols[in2], vals[in2]
        scen_col = col_owner[cs] == SCENARIO
        offs = np.arange(S, dtype=np.int64)[:, None]
        e_rows2 = (m1 + row_pos[rs])[None, :] + m2 * offs
        e_cols2 = np.where(
            scen_col[None, :],
            scen_index[:, col_pos[cs]],
            first_index[np.where(scen_col, 0, col_pos[cs])][None, :],
        )
        all_rows = np.concatenate([e_rows1, e_rows2.ravel()])
        all_cols = np.concatenate([e_cols1, e_cols2.ravel()])
        all_vals = np.concatenate([e_vals1, np.tile(vs, S)])
        order = np.lexsort((all_rows, all_cols))
        start = np.zeros(num_col + 1, dtype=np.int64)
        np.cumsum(np.bincount(all_cols, minlength=num_col), out=start[1:])

        # row bounds: scenario rows shifted by sensitivity x (data_s - data_template)
        lo_t = np.asarray(lp_t.row_lower_, dtype=float)
        hi_t = np.asarray(lp_t.row_upper_, dtype=float)
        lo2 = np.tile(lo_t[r2], (S, 1))
        hi2 = np.tile(hi_t[r2], (S, 1))
        if len(sens.rows):
            delta = data[:, sens.params] - data[0, sens.params][None, :]  # S x entries
            srow = row_pos[sens.rows]
            for target, d in ((lo2, sens.lower), (hi2, sens.upper)):
                for s in range(1, S):
                    np.add.at(target[s], srow, d * delta[s])
        if second is not None:
            r3 = np.flatnonzero(row_owner == SECOND)
            for got, want in ((lo2[1], lo_t[r3]), (hi2[1], hi_t[r3])):
                if not np.allclose(got, want, rtol=1e-9, atol=1e-9):
                    raise AssemblyUnsupported("the shifted row bounds differ from the second block's")

        cost_t = np.asarray(lp_t.col_cost_, dtype=float)
        col_lo_t = np.asarray(lp_t.col_lower_, dtype=float)
        col_hi_t = np.asarray(lp_t.col_upper_, dtype=float)
        cost2 = cost_t[c2] / self._template_probability  # exact: the probability is 1 or 1/2
        col_cost = np.empty(num_col)
        col_lower = np.empty(num_col)
        col_upper = np.empty(num_col)
        col_cost[first_index] = cost_t[c1]
        col_lower[first_index] = col_lo_t[c1]
        col_upper[first_index] = col_hi_t[c1]
        col_cost[scen_index] = self.probabilities[:, None] * cost2[None, :]
        col_lower[scen_index] = col_lo_t[c2][None, :]
        col_upper[scen_index] = col_hi_t[c2][None, :]

        lp = highspy.HighsLp()
        lp.num_col_ = num_col
        lp.num_row_ = num_row
        lp.sense_ = lp_t.sense_
        lp.offset_ = lp_t.offset_
        lp.col_cost_ = col_cost
        lp.col_lower_ = col_lower
        lp.col_upper_ = col_upper
        lp.row_lower_ = np.concatenate([lo_t[r1], lo2.ravel()])
        lp.row_upper_ = np.concatenate([hi_t[r1], hi2.ravel()])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_ = num_col
        lp.a_matrix_.num_row_ = num_row
        lp.a_matrix_.start_ = start
        lp.a_matrix_.index_ = all_rows[order]
        lp.a_matrix_.value_ = all_vals[order]
        integrality = list(lp_t.integrality_)
        if integrality:
            kinds = np.array([int(k) for k in integrality], dtype=np.int64)
            full = np.empty(num_col, dtype=np.int64)
            full[first_index] = kinds[c1]
            full[scen_index] = kinds[c2][None, :]
            lp.integrality_ = [highspy.HighsVarType(int(k)) for k in full]
        # assembled column -> (scenario or -1, template column); rows follow r1, then r2 per scenario
        col_scenario = np.full(num_col, -1, dtype=np.int64)
        col_template = np.empty(num_col, dtype=np.int64)
        col_template[first_index] = c1
        col_scenario[scen_index] = np.arange(S)[:, None]
        col_template[scen_index] = c2[None, :]
        self._col_map = (col_scenario, col_template)
        self._layout = (first_index, scen_index, r1, r2)
        self._trows = trows
        self._lp = lp
        self._prepared = {**timings, "analyse_seconds": t1 - t0, "assemble_seconds": time.perf_counter() - t1}
        return self._prepared

    def _partners(self, tcols: list, col_owner: np.ndarray, c2: np.ndarray) -> np.ndarray:
        """For every template column: its first-block twin (second-block columns), else itself."""
        partner = np.arange(len(tcols), dtype=np.int64)
        if self.second is None:
            return partner
        by_name = {tcols[j].getname(relative_to=self.block, fully_qualified=True): j for j in c2}
        for j in np.flatnonzero(col_owner == SECOND):
            twin = by_name.get(tcols[j].getname(relative_to=self.second, fully_qualified=True))
            if twin is None:
                raise AssemblyUnsupported(f"{tcols[j].name} has no twin in the first scenario block")
            partner[j] = twin
        if len(set(partner[col_owner == SECOND].tolist())) != len(c2):
            raise AssemblyUnsupported("the two scenario blocks have different columns")
        return partner

    def _check_second(self, rows, cols, vals, row_owner, col_owner, partner, trows) -> None:
        """The second block's matrix entries are the first block's (columns by twin)."""
        if self.second is None:
            return
        r2 = np.flatnonzero(row_owner == SCENARIO)
        r3 = np.flatnonzero(row_owner == SECOND)
        names2 = [trows[i].getname(relative_to=self.block, fully_qualified=True) for i in r2]
        names3 = [trows[i].getname(relative_to=self.second, fully_qualified=True) for i in r3]
        if names2 != names3:
            raise AssemblyUnsupported("the two scenario blocks have different rows")
        pos = np.full(len(row_owner), -1, dtype=np.int64)
        pos[r2] = np.arange(len(r2))
        pos[r3] = np.arange(len(r3))

        def entries(owner: int) -> np.ndarray:
            sel = row_owner[rows] == owner
            key = np.stack([pos[rows[sel]], partner[cols[sel]]], axis=1)
            order = np.lexsort((key[:, 1], key[:, 0]))
            return np.column_stack([key[order], vals[sel][order]])

        a, b = entries(SCENARIO), entries(SECOND)
        if a.shape != b.shape or not np.array_equal(a, b):
            raise AssemblyUnsupported("the two scenario blocks have different coefficients")

    def _pass(self, h: highspy.Highs) -> dict[str, float]:
        t0 = time.perf_counter()
        status = h.passModel(self._lp)
        if status == highspy.HighsStatus.kError:
            raise RuntimeError(f"HiGHS rejected the assembled model ({status})")
        self._lp = None  # HiGHS holds its own copy
        return {**self._prepared, "pass_seconds": time.perf_counter() - t0}

    # ------------------------------------------------------------------ solve and solution

    def solve_problem(self, on_progress: ProgressCallback | None = None) -> SolveOutcome:
        """Assemble (see :meth:`prepare`, which raises :class:`AssemblyUnsupported`) and solve;
        ``outcome.extra`` has the template write/read and the assembly times."""
        prepare_s = 0.0
        if self._lp is None:
            t0 = time.perf_counter()
            self.prepare()
            prepare_s = time.perf_counter() - t0
        outcome = self._solve(self._pass, on_progress)
        outcome.solve_seconds += prepare_s  # template write/read and assembly are part of the hand-off
        return outcome

    def _load_values(self, h: highspy.Highs) -> None:
        """Keep the solution; stage-1 values go into the template's stage-1 block now."""
        self._x = x = np.asarray(h.getSolution().col_value, dtype=float)
        first_index = self._layout[0]
        c1 = self._col_map[1][first_index]
        for j, value in zip(c1.tolist(), x[first_index].tolist(), strict=True):
            var = self._cols_t[j]
            if var is not None:
                var.set_value(value, skip_validation=True)
        StaleFlagManager.mark_all_as_stale(delayed=True)

    def scenario_blocks(self) -> Iterator[tuple[str, float, pyo.Block]]:
        """(name, probability, template block holding scenario s's data and values), in turn."""
        if self._x is None:
            raise ValueError("no solution loaded")
        _first_index, scen_index, _r1, _r2 = self._layout
        load = self.problem.template.load_data  # type: ignore[union-attr]
        variables = [self._cols_t[j] for j in self._col_map[1][scen_index[0]]]
        for s, scen in enumerate(self.problem.scenarios):
            load(self.block, scen.data)
            for var, x in zip(variables, self._x[scen_index[s]].tolist(), strict=True):
                var.set_value(x, skip_validation=True)
            yield scen.name, float(scen.probability), self.block
        StaleFlagManager.mark_all_as_stale(delayed=True)

    def _row(self, i: int) -> tuple[int | None, int | None]:
        """(scenario or None, template row) of assembled row i."""
        _f, _s, r1, r2 = self._layout
        if i < 0:
            return None, None
        if i < len(r1):
            return None, int(r1[i])
        s, k = divmod(i - len(r1), len(r2)) if len(r2) else (len(self.names), 0)
        return (None, None) if s >= len(self.names) else (s, int(r2[k]))

    def row_component(self, i: int) -> ComponentData | None:
        _s, t = self._row(i)
        return None if t is None else self._trows[t]

    def col_component(self, j: int) -> ComponentData | None:
        _scenario, col_template = self._col_map
        return self._cols_t[int(col_template[j])] if 0 <= j < len(col_template) else None

    def row_scenario(self, i: int) -> str | None:
        s, _t = self._row(i)
        return None if s is None else self.names[s]

    def col_scenario(self, j: int) -> str | None:
        col_scenario, _t = self._col_map
        if not 0 <= j < len(col_scenario) or col_scenario[j] < 0:
            return None
        return self.names[int(col_scenario[j])]
