"""The L-shaped method (Benders by scenario) for the two-stage problem: ``solve --method lshaped``.

``model/stages.md`` §4.4; the pieces come from ``decompose.py``. For the stage-1 plan ``x``
(integer hires, locations, pool teams; continuous budgets) and scenarios ``s`` with
probabilities ``p_s``:

    min  c1·x + offset + Σ_g P_g θ_g
    s.t. stage-1 rows (A1 x within its bounds), integrality of x
         θ_g >= Σ_{s∈g} (p_s/P_g) [Q_s(x_k) + γ_{s,k}·(x − x_k)]     for every iteration k

with ``Q_s`` the scenario LP's value and ``γ_{s,k}`` its subgradient (the reduced costs of the
fixed linking columns). The groups ``g`` partition the scenarios: one group per scenario is
the **multi-cut** method, one group in total the **aggregated** (single-cut) method, and
``cuts=G`` anything in between (contiguous groups); ``P_g = Σ_{s∈g} p_s``.

* **Lower bound**: the master's bound (its MIP dual bound; the cuts under-estimate the convex
  ``Q_s``, so the master is a relaxation of the extensive form).
* **Upper bound**: every integer master plan is evaluated on all scenarios,
  ``c1·x_k + offset + Σ_s p_s Q_s(x_k)`` (the scenario LPs are solved to optimality); the best
  is the incumbent. The MPP-mid plan (``initial``) is the first incumbent when given.
* **Phases**: first the master's LP relaxation (cheap; its cuts stay valid) until its own
  gap falls below ``LP_PHASE_GAP_FRACTION`` of the requested gap or stalls, then the MIP master,
  warm-started with the incumbent. Stop at the requested relative gap or the time limit.
* **Scenario LPs**: solved by the executor's workers (``executor.py``) on models built once per
  worker; each task carries the scenario's data, the plan and the scenario's last optimal
  basis (simplex warm start: after the first iteration most solves need a few pivots).

The outcome is a :class:`~bekostiging.solver.SolveOutcome` as the extensive form reports it:
objective = incumbent, bound = master bound, gap = HiGHS's relative gap, status optimal when
the gap is met, ``limit`` when stopped by the time limit with a plan.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.tee import capture_output

from bekostiging.decompose import ScenarioLP, ScenarioSpec, SubResult, SubTask, solve_subtask
from bekostiging.executor import Executor, built, open_executor
from bekostiging.solver import DEFAULT_MIP_GAP, SolveOutcome, SolverOptions, Status, relative_gap
from bekostiging.twostage import TwoStageProblem, first_stage_values

LP_PHASE_GAP_FRACTION = 0.2  # leave the LP phase when its gap is below this share of the target
LP_PHASE_STALL = 1e-4  # ... or when LP iterations improve its bound by less than this (relative) ...
LP_PHASE_STALL_ROUNDS = 3  # ... that many iterations in a row
LP_PHASE_MAX_ITERATIONS = 200
MASTER_GAP_FRACTION = 0.25  # the MIP master is solved to this share of the requested gap ...
MASTER_GAP_SHARE = 0.1  # ... or, while the L-shaped gap is still wide, to this share of that gap
MAX_ITERATIONS = 1000
TRUST_RADIUS = 0.25  # LP phase: box half-width, share of |x| (at least 1 unit) around the best point
TRUST_MIN = 0.01
TRUST_MAX = 64.0  # the box doubles after each global step, up to this share
TRUST_LOCAL_FRACTION = 0.2  # the box's model within this share of the target gap: take a global step
CUT_TOLERANCE = 1e-9  # relative: a cut that does not cut off the master's θ is not added
PLAN_BOX = 1e9  # bound on unbounded plan variables while the master is unbounded (few cuts yet)
THETA_FALLBACK = -1e12  # θ bound when the column bounds give none and the master is unbounded
GAP_FLOOR = 1e-9  # a requested gap of 0 means "to rounding": bound and incumbent agree to 1e-9
CUT_SLACK = 1e-6  # relative: a cut this far above its bound at the LP optimum is slack
ZERO = 1e-12  # subgradient entries below this are dropped from a cut
MASTER_GRACE_SECONDS = 60.0  # past the time limit, the master may still run this long once for a bound


def _quiet_highs() -> highspy.Highs:
    with capture_output(output=io.StringIO(), capture_fd=True):
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


# one cut per scenario: from the reduced-set plan (pipeline.reduced_plan) multi-cut closed S = 1000
# to 0.36 % in two iterations; without a warm start at S = 200 its MIP master grew to 3,200 cuts
# (168 s) where 20 groups took 20 s, so groups (--cuts G) remain for long cold runs (bench/README.md)
DEFAULT_CUTS: int | str = "multi"


def cut_groups(n_scenarios: int, cuts: int | str) -> np.ndarray:
    """Group of every scenario: ``"multi"`` (one each), ``"single"`` (one for all), or G groups."""
    if cuts == "multi":
        g = n_scenarios
    elif cuts == "single":
        g = 1
    else:
        g = int(cuts)
        if g < 1:
            raise ValueError(f"cuts must be multi, single or a positive number, got {cuts!r}")
    g = min(g, n_scenarios)
    return (np.arange(n_scenarios) * g) // n_scenarios


@dataclass
class Iteration:
    """One L-shaped iteration, for the log and the benchmark."""

    number: int
    phase: str  # "lp" or "mip"
    lower: float
    upper: float  # best incumbent so far (inf before one)
    plan_value: float  # the value of this iteration's plan (fractional in the LP phase)
    cuts_added: int
    master_seconds: float
    subproblem_seconds: float


@dataclass
class LShapedResult:
    outcome: SolveOutcome
    x: np.ndarray | None
    iterations: list[Iteration] = field(default_factory=list)
    values: np.ndarray | None = None  # Q_s at the incumbent


class LShaped:
    """L-shaped solve of ``problem`` (risk-neutral; a template is required, as for ``BlockHighs``)."""

    def __init__(
        self,
        problem: TwoStageProblem,
        options: SolverOptions | None = None,
        *,
        cuts: int | str = DEFAULT_CUTS,
        workers: int | None = None,
        executor: str | None = None,
        initial: Mapping[str, float] | None = None,
        lp_phase: bool = True,
        trust_region: bool = True,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if problem.risk.weight > 0:
            raise ValueError("the L-shaped method here is risk-neutral: use the extensive form for CVaR")
        self.problem = problem
        self.options = options or SolverOptions()
        self.spec = ScenarioSpec.of(problem)
        self.lp: ScenarioLP = built(self.spec)  # this process's own copy (the template, the master data)
        self.groups = cut_groups(len(problem.scenarios), cuts)
        self.n_groups = int(self.groups.max()) + 1
        self.p = np.array([s.probability for s in problem.scenarios], dtype=float)
        self.workers = workers
        self.executor_kind = executor
        self.initial = initial
        self.lp_phase = lp_phase
        self.trust_region = trust_region
        self.log = log or (lambda _line: None)
        self.bases: list[Any] = [None] * len(problem.scenarios)
        self._boxed = False
        self.box_used = False  # the master needed the artificial PLAN_BOX at some point
        self._lower = -math.inf  # the current lower bound (for the master's own gap)
        self.result: LShapedResult | None = None
        self._y: list[np.ndarray] | None = None

    # -- master ------------------------------------------------------------------------
    def _theta_lower(self) -> float:
        """A lower bound on every Q_s from the column bounds alone (-inf if there is none)."""
        sp = self.lp.split
        c, lo, hi = sp.cost, sp.lower, sp.upper
        with np.errstate(invalid="ignore"):  # 0 * inf: the column costs nothing, counted as 0
            low = np.where(c >= 0, c * lo, c * hi)
        low = np.where(c == 0, 0.0, low)
        total = float(np.sum(low))
        return total if math.isfinite(total) else -math.inf

    def _build_master(self) -> highspy.Highs:
        m = self.lp.split.master
        h = _quiet_highs()
        n1, g = m.num_col, self.n_groups
        pg = np.bincount(self.groups, weights=self.p, minlength=g)
        self._pg = pg
        theta_lo = self._theta_lower()
        h.addVars(
            n1 + g,
            np.concatenate([m.lower, np.full(g, theta_lo)]),
            np.concatenate([m.upper, np.full(g, highspy.kHighsInf)]),
        )
        h.changeColsCost(n1 + g, np.arange(n1 + g, dtype=np.int32), np.concatenate([m.cost, pg]))
        r, c, v = m.rows
        if len(m.row_lower):
            order = np.lexsort((c, r))
            starts = np.searchsorted(r[order], np.arange(len(m.row_lower)))
            h.addRows(
                len(m.row_lower),
                m.row_lower,
                m.row_upper,
                len(v),
                starts.astype(np.int32),
                c[order].astype(np.int32),
                v[order],
            )
        h.changeObjectiveOffset(m.offset)
        self._n1 = n1
        self._theta_lo = theta_lo
        return h

    def _set_integrality(self, h: highspy.Highs, integer: bool) -> None:
        m = self.lp.split.master
        idx = np.flatnonzero(m.integer).astype(np.int32)
        if len(idx):
            kind = highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
            h.changeColsIntegrality(len(idx), idx, np.array([kind] * len(idx)))

    def _add_cuts(
        self, h: highspy.Highs, x: np.ndarray, results: Sequence[SubResult], theta: np.ndarray | None
    ) -> int:
        """One cut per group from this iteration's scenario results; returns how many were added."""
        sp = self.lp.split
        n1, g = self._n1, self.n_groups
        grads = np.zeros((g, n1))
        const = np.zeros(g)
        for r in results:
            w = self.p[r.index] / self._pg[self.groups[r.index]]
            k = self.groups[r.index]
            grads[k, sp.link] += w * r.gradient
            const[k] += w * (r.value - float(np.dot(r.gradient, x[sp.link])))
        starts, index, values, lower = [], [], [], []
        nnz = 0
        for k in range(g):
            value_at_x = const[k] + float(np.dot(grads[k], x))
            if theta is not None and value_at_x <= theta[k] + CUT_TOLERANCE * max(1.0, abs(value_at_x)):
                continue  # already satisfied: adds nothing
            cols = np.flatnonzero(np.abs(grads[k]) > ZERO)
            starts.append(nnz)
            index.extend(cols.tolist())
            values.extend((-grads[k, cols]).tolist())
            index.append(n1 + k)
            values.append(1.0)
            nnz += len(cols) + 1
            lower.append(const[k])
        if lower:
            n = len(lower)
            h.addRows(
                n,
                np.array(lower),
                np.full(n, highspy.kHighsInf),
                nnz,
                np.array(starts, dtype=np.int32),
                np.array(index, dtype=np.int32),
                np.array(values),
            )
        return len(lower)

    def _trust_master(
        self, h: highspy.Highs, center: np.ndarray | None, radius: float
    ) -> tuple[np.ndarray | None, np.ndarray | None, float]:
        """The LP master within ``|x_j − center_j| <= radius·max(|center_j|, 1)``: (x, θ, value)."""
        if center is None:
            return None, None, math.inf
        m = self.lp.split.master
        n1 = self._n1
        idx = np.arange(n1, dtype=np.int32)
        half = radius * np.maximum(np.abs(center), 1.0)
        lo = np.maximum(m.lower, center - half)
        hi = np.minimum(m.upper, center + half)
        if self._boxed:
            lo, hi = np.maximum(lo, -PLAN_BOX), np.minimum(hi, PLAN_BOX)
        h.changeColsBounds(n1, idx, lo, np.maximum(lo, hi))
        try:
            h.run()
            ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
            col = np.asarray(h.getSolution().col_value, dtype=float) if ok else None
            value = float(h.getInfo().objective_function_value) if ok else math.inf
        finally:
            lo0, hi0 = m.lower, m.upper
            if self._boxed:
                lo0, hi0 = np.maximum(lo0, -PLAN_BOX), np.minimum(hi0, PLAN_BOX)
            h.changeColsBounds(n1, idx, lo0, hi0)
        if col is None:
            return None, None, math.inf
        return col[:n1], col[n1:], value

    def _drop_slack_cuts(self, h: highspy.Highs) -> int:
        """Delete the cut rows that are slack at the LP master's optimum (before the MIP phase).

        Their duals are zero there, so the LP bound stays; the MIP master gets far fewer rows.
        A dropped cut remains valid: if the MIP master needs it back, the next iteration's
        cut at its plan takes its place."""
        m = self.lp.split.master
        first_cut = len(m.row_lower)
        n_rows = h.getNumRow()
        if n_rows <= first_cut:
            return 0
        sol = h.getSolution()
        activity = np.asarray(sol.row_value, dtype=float)[first_cut:]
        dual = np.asarray(sol.row_dual, dtype=float)[first_cut:]
        lower = np.asarray(h.getLp().row_lower_, dtype=float)[first_cut:]
        slack = activity - lower > CUT_SLACK * np.maximum(1.0, np.abs(lower))
        drop = np.flatnonzero(slack & (np.abs(dual) <= ZERO)) + first_cut
        if len(drop):
            h.deleteRows(len(drop), drop.astype(np.int32))
        return len(drop)

    # -- scenarios ---------------------------------------------------------------------
    def _evaluate(self, ex: Executor, x: np.ndarray, want_y: bool = False) -> list[SubResult]:
        tasks = [SubTask(i, s.data, x, self.bases[i], want_y) for i, s in enumerate(self.problem.scenarios)]
        results = ex.map(solve_subtask, tasks)
        bad = [(self.problem.scenarios[r.index].name, r.status) for r in results if r.status != "optimal"]
        if bad:
            raise SubproblemFailure(bad)
        for r in results:
            self.bases[r.index] = r.basis
        return results

    def plan_cost(self, x: np.ndarray, results: Sequence[SubResult]) -> float:
        m = self.lp.split.master
        q = np.array([r.value for r in sorted(results, key=lambda r: r.index)])
        return float(np.dot(m.cost, x) + m.offset + np.dot(self.p, q))

    # -- the loop ----------------------------------------------------------------------
    def solve(self, on_progress: Callable[..., None] | None = None) -> LShapedResult:
        start = time.perf_counter()
        opts = self.options
        target = max(opts.mip_gap if opts.mip_gap is not None else DEFAULT_MIP_GAP, GAP_FLOOR)
        deadline = start + opts.time_limit if opts.time_limit is not None else math.inf
        progress = on_progress or (lambda **_k: None)
        h = self._build_master()
        m = self.lp.split.master
        best_x: np.ndarray | None = None
        best_q: np.ndarray | None = None
        upper = math.inf
        lower = -math.inf
        iterations: list[Iteration] = []
        theta: np.ndarray | None = None
        x: np.ndarray | None = None
        phase = "lp" if self.lp_phase and m.integer.any() else "mip"
        lp_upper = math.inf
        flat_rounds = 0
        center: np.ndarray | None = None
        center_value = math.inf
        radius = TRUST_RADIUS
        status = Status.LIMIT
        message = ""
        master_s = sub_s = 0.0
        with open_executor(self.workers, self.executor_kind, self.spec) as ex:
            if self.initial is not None:
                x = self.lp.plan_vector(self.initial)
                if not m.feasible(x):
                    self.log("L-shaped: the initial plan violates a stage-1 row; starting from the master")
                    x = None
            for number in range(1, MAX_ITERATIONS + 1):
                if x is None:  # no plan yet: the master without cuts (θ at its bound)
                    x, theta, lower, ok = self._solve_master(h, phase, None, deadline, target, upper)
                    if x is None:  # infeasible, or stopped by the limit (then no plan: not infeasible)
                        status, message = (
                            (Status.INFEASIBLE, "the master problem (stage 1) is infeasible")
                            if not ok
                            else (Status.LIMIT, "time limit in the master")
                        )
                        break
                t0 = time.perf_counter()
                results = self._evaluate(ex, x)
                sub_s += (ts := time.perf_counter() - t0)
                value = self.plan_cost(x, results)
                integral = phase == "mip" or not np.any(np.abs(x[m.integer] - np.round(x[m.integer])) > 1e-6)
                if integral and value < upper and m.feasible(x):
                    upper, best_x = value, np.where(m.integer, np.round(x), x)
                    best_q = np.array([r.value for r in sorted(results, key=lambda r: r.index)])
                prev_lp_upper = lp_upper
                if phase == "lp":
                    lp_upper = min(lp_upper, value)
                added = self._add_cuts(h, x, results, theta)
                t0 = time.perf_counter()
                prev_lower = lower
                x_new, theta, bound, ok = self._solve_master(
                    h, phase, best_x, deadline, target, upper, best_q
                )
                master_s += (tm := time.perf_counter() - t0)
                if x_new is None:
                    status, message = (
                        (Status.INFEASIBLE, "the master problem (stage 1) is infeasible")
                        if not ok
                        else (Status.LIMIT, "time limit in the master")
                    )
                    break
                if phase == "mip":
                    lower = max(lower, bound)
                elif bound > lower:
                    lower = bound  # the LP master's bound is also a valid lower bound
                gap = relative_gap(upper, lower) if math.isfinite(upper) else None
                self._lower = lower
                iterations.append(Iteration(number, phase, lower, upper, value, added, tm, ts))
                self.log(
                    f"L-shaped {number:3d} {phase}: bound {lower:.6g} incumbent {upper:.6g} plan {value:.6g} "
                    f"gap {'-' if gap is None else f'{gap:.3%}'} cuts +{added} "
                    f"master {tm:.1f}s scenarios {ts:.1f}s"
                )
                progress(
                    phase="solving", incumbent=upper if math.isfinite(upper) else None, bound=lower, gap=gap
                )
                if gap is not None and gap <= target:
                    status = Status.OPTIMAL
                    break
                if phase == "lp":
                    lp_gap = relative_gap(lp_upper, lower) or 0.0
                    flat = abs(lower - prev_lower) <= LP_PHASE_STALL * max(1.0, abs(lower))
                    flat = flat and lp_upper >= prev_lp_upper - LP_PHASE_STALL * max(1.0, abs(lp_upper))
                    flat_rounds = flat_rounds + 1 if flat and number > 1 else 0
                    stalled = flat_rounds >= LP_PHASE_STALL_ROUNDS
                    if (
                        lp_gap <= LP_PHASE_GAP_FRACTION * target
                        or stalled
                        or added == 0
                        or number >= LP_PHASE_MAX_ITERATIONS
                    ):
                        phase = "mip"
                        removed = self._drop_slack_cuts(h)
                        self.log(
                            f"L-shaped: MIP master from here; {removed} slack cuts of the LP phase dropped"
                        )
                        self._set_integrality(h, True)
                        x_new, theta, bound, ok = self._solve_master(
                            h, phase, best_x, deadline, target, upper, best_q
                        )
                        if x_new is None:
                            break
                        lower = max(lower, bound)
                elif added == 0 and np.allclose(x_new, x):
                    # the master repeats its plan and no cut is violated: the plan is optimal for
                    # the master's own gap; nothing more to learn
                    status = Status.OPTIMAL if (relative_gap(upper, lower) or 0.0) <= target else Status.LIMIT
                    message = "no violated cut"
                    break
                if phase == "lp" and self.trust_region:
                    # stabilised LP phase: the next point from the master restricted to a box around
                    # the best LP point so far (the unrestricted master above gives the bound); once
                    # the box's model agrees with that point's true value, a global step
                    if value < center_value:  # a serious step: move the centre, widen the box
                        if center is not None:
                            radius = min(radius * 2.0, TRUST_MAX)
                        center, center_value = x.copy(), value
                    else:  # a null step: the box was too wide for the model
                        radius = max(radius / 2.0, TRUST_MIN)
                    x_tr, theta_tr, model_value = self._trust_master(h, center, radius)
                    local = (
                        (center_value - model_value) / max(abs(center_value), 1.0)
                        if x_tr is not None
                        else 0.0
                    )
                    if x_tr is not None and local > TRUST_LOCAL_FRACTION * target:
                        x_new, theta = x_tr, theta_tr
                    else:
                        radius = min(radius * 2.0, TRUST_MAX)
                x = x_new
                if time.perf_counter() >= deadline:
                    break
            else:
                message = "iteration limit"
            if best_x is not None:
                t0 = time.perf_counter()
                final = self._evaluate(ex, best_x, want_y=True)
                sub_s += time.perf_counter() - t0
                self._y = [r.y for r in sorted(final, key=lambda r: r.index)]  # type: ignore[misc]
        seconds = time.perf_counter() - start
        has = best_x is not None
        if not has and status != Status.INFEASIBLE:
            status = Status.LIMIT_NO_SOLUTION
        gap = relative_gap(upper, lower) if has else None
        if has and status == Status.OPTIMAL and gap is not None and gap > target:
            status = Status.LIMIT
        outcome = SolveOutcome(
            status,
            upper if has else None,
            lower if math.isfinite(lower) else None,
            gap,
            seconds,
            message=message or ("optimal" if status == Status.OPTIMAL else "time limit"),
            solver="HiGHS (L-shaped)",
            solver_version=".".join(
                str(v)
                for v in (
                    highspy.HIGHS_VERSION_MAJOR,
                    highspy.HIGHS_VERSION_MINOR,
                    highspy.HIGHS_VERSION_PATCH,
                )
            ),
            extra={
                "iterations": float(len(iterations)),
                "cut_groups": float(self.n_groups),
                "plan_box_used": float(self.box_used),
                "master_seconds": master_s,
                "subproblem_seconds": sub_s,
                "highs_seconds": master_s + sub_s,
            },
        )
        if has:
            self.lp.load_first(best_x)  # type: ignore[arg-type]
        self.result = LShapedResult(outcome, best_x, iterations, best_q)
        return self.result

    def _solve_master(
        self,
        h: highspy.Highs,
        phase: str,
        incumbent: np.ndarray | None,
        deadline: float,
        target: float,
        upper: float,
        incumbent_q: np.ndarray | None = None,
    ) -> tuple[np.ndarray | None, np.ndarray | None, float, bool]:
        """(x, θ, bound, feasible) of the master in its current phase."""
        left = deadline - time.perf_counter()
        if not math.isfinite(self._lower):
            # no bound yet (the first pass over the scenarios took the whole limit, as at S = 5000
            # under load): the master may run past the limit, so the outcome still has a bound;
            # also when a moment is left (a master given 0.5 s stops without a bound)
            left = max(left, MASTER_GRACE_SECONDS)
        elif left <= 0:
            return None, None, -math.inf, True
        h.setOptionValue("time_limit", float(left) if math.isfinite(left) else highspy.kHighsInf)
        # far from the target the master need not be solved tightly: its bound stays valid
        now = (
            relative_gap(upper, self._lower) if math.isfinite(upper) and math.isfinite(self._lower) else None
        )
        loose = MASTER_GAP_SHARE * now if now is not None else MASTER_GAP_FRACTION * target
        h.setOptionValue("mip_rel_gap", max(MASTER_GAP_FRACTION * target, loose))
        # no MIP start from the incumbent: HiGHS 1.16 can accept one and report another
        # solution's objective as optimal (solver.py, HighsSolver.solve); seen here too
        h.run()
        st = h.getModelStatus()
        info = h.getInfo()
        unbounded = st in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        )
        if unbounded and math.isinf(self._theta_lo):  # no bound on θ yet: bound it far below, retry
            self._theta_lo = THETA_FALLBACK
            g = self.n_groups
            idx = np.arange(self._n1, self._n1 + g, dtype=np.int32)
            h.changeColsBounds(g, idx, np.full(g, self._theta_lo), np.full(g, highspy.kHighsInf))
            return self._solve_master(h, phase, incumbent, deadline, target, upper, incumbent_q)
        if unbounded and not self._boxed:  # too few cuts yet for an unbounded plan variable: a box
            self._boxed = True
            m = self.lp.split.master
            idx = np.flatnonzero(~np.isfinite(m.lower) | ~np.isfinite(m.upper)).astype(np.int32)
            lo = np.where(np.isfinite(m.lower[idx]), m.lower[idx], -PLAN_BOX)
            hi = np.where(np.isfinite(m.upper[idx]), m.upper[idx], PLAN_BOX)
            h.changeColsBounds(len(idx), idx, lo, hi)
            return self._solve_master(h, phase, incumbent, deadline, target, upper, incumbent_q)
        feasible = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
        if st == highspy.HighsModelStatus.kInfeasible:
            return None, None, -math.inf, False
        if not feasible:
            return None, None, -math.inf, True
        col = np.asarray(h.getSolution().col_value, dtype=float)
        x, theta = col[: self._n1], col[self._n1 :]
        m = self.lp.split.master
        if phase == "mip":  # integer plans exactly integer: the cuts are built around this very x
            x = np.where(m.integer, np.round(x), x)
        if phase == "mip" and self.lp.split.master.integer.any():
            bound = float(info.mip_dual_bound)
            if not math.isfinite(bound):
                bound = -math.inf
        else:
            bound = (
                float(info.objective_function_value) if st == highspy.HighsModelStatus.kOptimal else -math.inf
            )
        if self._boxed:
            bound = self._unbox(h, phase, x, bound)
        if self._theta_lo == THETA_FALLBACK and np.any(theta <= THETA_FALLBACK * (1.0 - CUT_SLACK)):
            bound = -math.inf  # θ on its artificial floor: the master's value bounds nothing yet
        return x, theta, bound, True

    def _unbox(self, h: highspy.Highs, phase: str, x: np.ndarray, bound: float) -> float:
        """The bound of a master solved within the artificial ``PLAN_BOX``, and the box removed.

        The box is a restriction, so its optimum bounds the extensive form only when the box
        does not bind: for the LP master an optimum strictly inside the box is also the optimum
        without it (a convex problem); a MIP master's bound inside the box proves nothing, and
        neither does an optimum on the box. Such bounds are dropped (``-inf``). The original
        column bounds are restored (the next solve boxes again if the master is still unbounded).
        """
        m = self.lp.split.master
        idx = np.flatnonzero(~np.isfinite(m.lower) | ~np.isfinite(m.upper))
        on_box = np.abs(x[idx]) >= PLAN_BOX * (1.0 - CUT_SLACK)
        valid = phase == "lp" and not bool(np.any(on_box))
        self._boxed = False
        self.box_used = True
        h.changeColsBounds(len(idx), idx.astype(np.int32), m.lower[idx], m.upper[idx])
        return bound if valid else -math.inf

    # -- the solution, as the extensive form gives it ------------------------------------
    @property
    def model(self) -> pyo.ConcreteModel:
        """The template model: stage-1 values of the incumbent loaded in ``model.first``."""
        return self.lp.blocks.model

    def first_stage(self) -> dict[str, float]:
        if self.result is None or self.result.x is None:
            raise ValueError("no plan")
        self.lp.load_first(self.result.x)
        return first_stage_values(self.lp.blocks.first)  # the extensive form's names and order

    def scenario_blocks(self) -> Iterator[tuple[str, float, pyo.Block]]:
        """(name, probability, template block with scenario s's data and values), in turn."""
        if self.result is None or self.result.x is None or self._y is None:
            raise ValueError("no solution loaded")
        for s, y in zip(self.problem.scenarios, self._y, strict=True):
            yield s.name, float(s.probability), self.lp.load_solution(s.data, self.result.x, y)
        self.lp.load_first(self.result.x)


class SubproblemFailure(RuntimeError):
    """A scenario LP had no optimal solution (the recourse is not relatively complete there)."""

    def __init__(self, failures: list[tuple[str, str]]) -> None:
        self.failures = failures
        names = ", ".join(f"{n} ({s})" for n, s in failures[:5])
        super().__init__(f"{len(failures)} scenario subproblem(s) without an optimal solution: {names}")
