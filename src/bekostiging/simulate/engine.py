"""The budget cycle, simulated: plan at each moment, run the chain on the realised inflow.

Along one :class:`~bekostiging.simulate.paths.Path`:

1. at each planning moment (the path's first month, then every ``replan`` month: June,
   after the spring MPP and the Voorjaarsnota, and December, after the autumn MPP and the
   Najaarsnota — the moments of the back-test's vintages, ``history/replay.py``) the
   policy decides from the current :class:`State` and the forecast of that moment only
   (:meth:`Path.forecast_at`);
2. the decisions that fall before the next moment are committed (``state.commit``: the
   budget of a year is fixed at the last moment before it starts);
3. the chain runs on the realised inflow until the next moment — **the same constraint
   families as the model**: :func:`run_segment` builds the chain model for one scenario
   (the realised months) from the state, with every operational stage-1 decision fixed
   to the plan (hires, openings, closings, reserve places, pool teams), solves it, and
   reads the end state from its stocks. Within that half-year the operational recourse
   (registrations, IND decisions, pool and reserve activation, emergency shelter,
   accelerated housing) sees the half-year's realised inflow: the model's two-stage
   recourse, the stated simplification (``model/stages.md`` §4.3);
4. money: each segment's cash per budget line and year is added to the year's ledger; at
   the end of a year (:func:`settle_year`) overspend is drawn from the asielreserve
   balance, the rest is supplementary funding (booked in that year, paid at the next budget
   moment); underspend flows into the fund as far as the policy's rule allows — the rows
   of ``add_budget_execution`` and ``add_reserve_fund`` for a year whose spending is known.

Budgets and deposits are free in a segment run (money is the ledger's business), so the
segment's operations are steered by the cash, late-case and queue costs only.
"""

from __future__ import annotations

import gc
import hashlib
import pickle
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
import pyomo.environ as pyo

from bekostiging.model import chain_data, chain_problem
from bekostiging.model.chain_flows import registered
from bekostiging.model.data import BUDGET_LINES, ChainData, ScenarioInflow
from bekostiging.model.reception import carried, initial_emergency
from bekostiging.schema import MONTHS_PER_YEAR, Case, Policy
from bekostiging.simulate.blas import blas_threads
from bekostiging.simulate.calendar import (
    SimulationInputError,
    month_index,
    month_label,
)
from bekostiging.simulate.handoff import one_shot
from bekostiging.simulate.paths import CATEGORIES, Forecast, Path
from bekostiging.simulate.state import Money, Plan, State, commit
from bekostiging.simulate.window import window_data
from bekostiging.solver import SolverOptions
from bekostiging.twostage import extensive_form

REPLAN_MONTHS = {
    "spring": 6,
    "autumn": 12,
}  # June: after the spring MPP and Voorjaarsnota; December: after the autumn MPP and Najaarsnota
DEFAULT_REPLAN = ("spring", "autumn")
DEFAULT_PLANNING_YEARS = 2  # the planner sees from its moment to the end of the year after next
EXECUTION = Policy(
    name="uitvoering",
    description="segment run: every lever allowed, the plan's values fixed",
    allow_flexpool=True,
    allow_reserve_places=True,
    allow_asielreserve=True,
    allow_staff_changes=True,
    allow_location_changes=True,
)
EUR_PER_MEUR = 1.0e6
SHARED_PLANS = 256  # plans a process keeps for :func:`shared_decide` (a path's first moment per policy)
# Python's garbage collector while a path runs: a young generation of 50,000 objects instead of
# 700 (and fewer older collections). Pyomo makes some 10^5 small objects per model; with the
# default thresholds the collector scanned them (and everything older) again and again, about
# 15-20 % of a path's CPU (nl-2026, hist-50 path 1, reservecapaciteit: 7.0-8.7 s default,
# 5.6 s tuned, peak memory 190 -> 222 MB; bench/README.md). Only when objects are freed changes.
GC_THRESHOLDS = (50_000, 20, 10)
# planner models with this many scenarios or more are assembled from a two-scenario template
# (``assemble.BlockHighs``: the same LP, column for column, without building every block). Not
# the band's three: its template costs more than the third block it saves (nl-2026, hist-50
# path 1, reservecapaciteit: 8.9 CPU s per path assembled, 6.3 built; bench/README.md)
ASSEMBLE_FROM = 4


class SimulationError(RuntimeError):
    """A planning or segment solve without a solution (names policy, path and moment)."""


@dataclass(frozen=True)
class Context:
    """What every policy and segment run needs: the case, its data, solver options, seeds."""

    case: Case
    base: ChainData
    options: SolverOptions = field(default_factory=SolverOptions)
    planning_years: int = DEFAULT_PLANNING_YEARS
    seed: int = 0
    # Fix the plan's budgets and deposits in segment runs too (the segment then is exactly
    # ``evaluate``'s recourse problem when it spans the plan's whole window; the ledger
    # still settles the years). Off: budgets free in a segment, money is the ledger's.
    segment_budgets: bool = False
    # Run the chain between two moments in pieces of this many months (1: month by month,
    # the recourse then sees one month of realised inflow at a time); None: one piece.
    segment_months: int | None = None
    # Assemble the planners' many-scenario models from a two-scenario template
    # (``assemble.BlockHighs``); False: Pyomo builds every scenario block (the old path).
    assemble: bool = True
    assemble_from: int = ASSEMBLE_FROM  # ... with at least this many scenarios
    # Reuse a plan when the same policy decides at the same moment from the same state and
    # forecast (every path's first moment; ``decide`` sees nothing else, so the plan is the
    # same): :func:`shared_decide`. False: every moment is planned afresh (the old path).
    share_plans: bool = True
    # Hand the models to HiGHS in memory (``handoff.DirectHighs``: the LP file's arrays without
    # the file); False: through Pyomo's LP file (``OneShotHighs``, the old path).
    direct: bool = True
    # The garbage collector's thresholds while a path runs (``GC_THRESHOLDS``); None: Python's own.
    gc_thresholds: tuple[int, int, int] | None = GC_THRESHOLDS
    # Walk the bodies with ``fastrepn.FastLinearWalker`` in the in-memory hand-off (the same LP,
    # bit for bit); False: Pyomo's ``LinearRepnVisitor``.
    fast_walker: bool = True
    # OpenBLAS threads while a path runs (``blas.blas_threads``); None: as they are.
    blas_threads: int | None = 1

    @classmethod
    def of(cls, case: Case, options: SolverOptions | None = None, **kw: Any) -> Context:
        return cls(case, chain_data(case), options or SolverOptions(), **kw)

    def rng(self, path: str, moment: str) -> np.random.Generator:
        """A generator fixed by the seed, the path and the moment (reproducible in any order)."""
        return np.random.default_rng([self.seed, month_index(moment), zlib.crc32(path.encode())])

    def planning_months(self, moment: str) -> list[str]:
        """The planner's window: from ``moment`` to December of its year + ``planning_years``."""
        end = (int(moment[:4]) + self.planning_years + 1) * MONTHS_PER_YEAR
        return [month_label(i) for i in range(month_index(moment), end)]


class SimPolicy(Protocol):
    """A policy as a decision rule: at each planning moment, a plan from state and forecast.

    ``rules`` are its lever switches (the schema's Policy): the ledger applies its
    asielreserve rule. ``decide`` may look at nothing but its arguments.
    """

    name: str
    rules: Policy

    def decide(self, moment: str, state: State, forecast: Forecast, ctx: Context) -> Plan: ...


# ------------------------------------------------------------------------------ one segment


@dataclass(frozen=True)
class SegmentResult:
    state: State
    rows: list[tuple[str, str, float]]  # (month, metric, value)
    spent_meur: dict[tuple[str, int], float]
    seconds: float
    second_stage_cost_eur: float = 0.0  # the segment model's SecondStageCost (cash, weights, end values)


def _fix(var: pyo.Var, value: float) -> None:
    lo, hi = var.lb, var.ub
    v = float(value)
    if hi is not None:
        v = min(v, hi)
    if lo is not None:
        v = max(v, lo)
    var.fix(round(v) if var.is_integer() else v)


def fix_plan(first: pyo.Block, data: ChainData, plan: Plan, state: State, *, budgets: bool = False) -> None:
    """Fix the segment's operational stage-1 decisions to the plan on the window ``data``.

    Hires, openings, closings per month; reserve places and pool teams per year (the
    year's commitment where one exists); deposits at 0 (money is the ledger's);
    budgets free unless ``budgets``.
    """
    labels = data.periods
    for (p, t), v in first.Hire.items():
        _fix(v, plan.hires.get((p, labels[t]), 0.0))
    for (n, t), v in first.Opened.items():
        _fix(v, plan.opened.get((n, labels[t]), 0.0))
    for (n, t), v in first.Closed.items():
        _fix(v, plan.closed.get((n, labels[t]), 0.0))
    for y, v in first.ReservePlaces.items():
        c = state.committed("ReservePlaces", y)
        _fix(v, c if c is not None else plan.reserve_places.get(y, 0.0))
    for y, v in first.PoolTeams.items():
        c = state.committed("PoolTeams", y)
        _fix(v, c if c is not None else plan.pool_teams.get(y, 0.0))
    for y, v in first.ReserveDeposit.items():
        _fix(v, plan.deposit_meur.get(y, 0.0) if budgets else 0.0)
    if budgets:
        for (line, y), v in first.Budget.items():
            v.fix(plan.budget_meur.get((line, y), 0.0))


def run_segment(
    ctx: Context, state: State, plan: Plan, path: Path, months: int, rules: Policy | None = None
) -> SegmentResult:
    """The chain over ``months`` months from ``state.month`` on the path's realised inflow,
    the plan's decisions fixed: one scenario of the model (see the module docstring).
    ``rules``: the policy's switches, for the asielreserve rule of the segment's fund rows."""
    start = time.perf_counter()
    execution = EXECUTION
    if rules is not None:
        execution = EXECUTION.model_copy(
            update={
                "allow_asielreserve": rules.allow_asielreserve,
                "asielreserve_rule": rules.asielreserve_rule,
            }
        )
    data = window_data(
        ctx.base, state.month, months, state, policy=execution, series=dict(path.series), terminal_staff=False
    )
    inflow = path.segment(state.month, months)
    housing = None
    if path.housing is not None:
        i = month_index(state.month) - month_index(path.start)
        housing = path.housing[i : i + months]
    scenario = ScenarioInflow(path.name, inflow.astype(float), housing_persons=housing)
    problem = chain_problem(data, [scenario], [1.0])
    m = extensive_form(problem)
    fix_plan(m.first, data, plan, state, budgets=ctx.segment_budgets)
    outcome = one_shot(ctx.options, ctx.direct, ctx.fast_walker).solve(m)
    if not outcome.status.has_solution:
        raise SimulationError(
            f"path {path.name}, {state.month} + {months} months: the chain run has no solution "
            f"({outcome.describe()})"
        )
    b = m.scen[path.name]
    rows = _monthly_rows(m.first, b, data, inflow)
    spent = {(line, y): float(pyo.value(b.Spending[line, y])) for line in BUDGET_LINES for y in data.years}
    end = end_state(m.first, b, data, state, plan, months)
    cost = float(pyo.value(b.SecondStageCost)) * EUR_PER_MEUR
    return SegmentResult(end, rows, spent, time.perf_counter() - start, cost)


def _value(x: Any) -> float:
    return float(pyo.value(x))


def _monthly_rows(
    first: pyo.Block, b: pyo.Block, d: ChainData, inflow: np.ndarray
) -> list[tuple[str, str, float]]:
    rows: list[tuple[str, str, float]] = []
    for t in first.T:
        month = d.periods[t]
        y = d.year_of[t]
        values = {
            "inflow_persons": float(inflow[t].sum()),
            "registrations": sum(_value(registered(b, k, t)) for k in b.KREG),
            "ind_decisions": sum(_value(b.Decisions[k, t]) for k in b.KDEC),
            "ind_backlog": sum(_value(b.Backlog[k, t]) for k in b.KDEC),
            "registration_queue": sum(_value(b.RegQueue[k, t]) for k in b.KREG),
            "late_cases": _value(b.Late[t]),
            "occupancy": _value(b.Occupancy[t]),
            "regular_places": _value(first.Places[t]),
            "reserve_places": _value(first.ReservePlaces[y]),
            "reserve_active": _value(b.ReserveActive[t]),
            "emergency_places": _value(b.Emergency[t]),
            "status_holders": _value(b.StatusHolders[t]),
            "rejected": _value(b.Rejected[t]),
            "pool_fte": _value(first.PoolFTE[y]),
            "pool_active_fte": sum(_value(b.PoolActive[j, t]) for j in first.TASKS),
            # the IND's decision work its staff and trainees deliver at the norm (before the
            # environment's realised output factor, ``ChainData.ind_factor``)
            "ind_capacity_norm": _value(first.Capacity["ind", t]),
        }
        for p in first.P:
            values[f"staff_fte_{p}"] = _value(first.Staff[p, t])
        rows += [(month, k, v) for k, v in values.items()]
    return rows


def _add(a: Sequence[float], b: Sequence[float]) -> tuple[float, ...]:
    n = max(len(a), len(b))
    return tuple((a[i] if i < len(a) else 0.0) + (b[i] if i < len(b) else 0.0) for i in range(n))


def end_state(first: pyo.Block, b: pyo.Block, d: ChainData, state: State, plan: Plan, months: int) -> State:
    """The state after the segment, read from the model's stocks at its last month."""
    last = months - 1
    arriving: dict[str, tuple[float, ...]] = {}
    for p, s in d.staff.items():
        new: list[float] = []
        pending_fte = tuple(state.arriving_fte.get(p, ()))[months:]
        for (pp, t), v in first.Hire.items():
            if pp != p or v.value is None or v.value <= 0:
                continue
            arrival = t + s.lag_periods - months
            if arrival >= 0:
                extra = [0.0] * (arrival + 1)
                extra[arrival] = s.cohort_fte * float(v.value)
                new = list(_add(new, extra))
        arriving[p] = _add(pending_fte, new)
    end_index = month_index(state.month) + months
    pending: dict[str, tuple[int, ...]] = {}
    for loc in d.locations:
        carried_o = tuple(state.pending_openings.get(loc.name, ()))[months:]
        extra_o: list[int] = []
        for (n, label), count in plan.opened.items():
            i = month_index(label)
            decided = i - loc.lead_periods
            in_piece = month_index(state.month) <= decided < end_index  # decided during this run
            if n == loc.name and count > 0 and i >= end_index and in_piece:
                k = i - end_index
                extra_o += [0] * (k + 1 - len(extra_o))
                extra_o[k] += round(count)
        pending[loc.name] = tuple(int(x) for x in _add(carried_o, extra_o))

    def running(start: pyo.Var, length: int, before: Any, earlier: int) -> tuple[float, ...]:
        # places under contract in month ``months + i``: earlier contracts (``earlier`` months
        # of them listed), and starts inside the segment whose minimum period reaches past its end
        out = []
        for i in range(max(length, earlier - months)):
            a = months + i
            inside = sum(_value(start[s]) for s in range(max(0, a - length + 1), months))
            out.append(before(a) + inside)
        while out and out[-1] <= 1e-9:
            out.pop()
        return tuple(out)

    emergency = running(
        b.EmergencyStart,
        d.emergency_min_contract_periods,
        lambda a: initial_emergency(d, a),
        len(d.emergency_carry),
    )
    reserve = running(
        b.ReserveStart,
        d.reserve_min_contract_periods,
        lambda a: carried(d.reserve_carry, a),
        len(d.reserve_carry),
    )
    recent_n = max(1, min(months, round(d.legal_term_periods)))
    recent = {
        k: float(np.mean([_value(registered(b, k, t)) for t in range(months - recent_n, months)]))
        for k in CATEGORIES
    }
    return replace(
        state,
        month=month_label(end_index),
        staff_fte={p: _value(first.Staff[p, last]) for p in first.P},
        arriving_fte=arriving,
        open_locations={n: float(round(_value(first.Open[n, last]))) for n in first.L},
        pending_openings=pending,
        queue={k: (_value(b.RegQueue[k, last]) if k in b.KREG else 0.0) for k in CATEGORIES},
        backlog={k: (_value(b.Backlog[k, last]) if k in b.KDEC else 0.0) for k in CATEGORIES},
        status_holders=_value(b.StatusHolders[last]),
        # appellants and Dublin claimants (issue 16 b) have no stock of their own in the state:
        # they are rejected applicants still in reception, carried on as such
        rejected=_value(b.Rejected[last])
        + (_value(b.Appeals[last]) if hasattr(b, "Appeals") else 0.0)
        + (_value(b.DublinClaimants[last]) if hasattr(b, "DublinClaimants") else 0.0),
        emergency_places=_value(b.Emergency[last]),
        emergency_carry=emergency,
        reserve_carry=reserve,
        recent_registrations=recent,
    )


# ------------------------------------------------------------------------------ money


def settle_year(money: Money, year: int, rules: Policy, data: ChainData) -> tuple[Money, dict[str, float]]:
    """Close budget year ``year`` on the ledger: ``add_budget_execution`` and
    ``add_reserve_fund`` for a year whose spending is known (M EUR in, the returned
    metrics in EUR).

    Over/under per line = spent - budget; overspend is drawn from the available balance
    (balance + the year's deposit) first, the rest is supplementary funding; underspend
    flows into the fund — all of it under the ``versterkt`` rule when deposits are allowed,
    at most the eindejaarsmarge share of the year's budget otherwise; the balance never
    exceeds the fund's maximum.
    """
    lines = [line for (line, y) in {**money.budget_meur, **money.spent_meur} if y == year]
    lines = list(dict.fromkeys(lines)) or list(BUDGET_LINES)
    budget = {line: money.budget_meur.get((line, year), 0.0) for line in lines}
    spent = {line: money.spent_meur.get((line, year), 0.0) for line in lines}
    over = sum(max(0.0, spent[x] - budget[x]) for x in lines)
    under = sum(max(0.0, budget[x] - spent[x]) for x in lines)
    cap = max(data.max_asielreserve_meur, data.asielreserve_opening_meur)
    deposit = money.deposit_meur.get(year, 0.0)
    available = min(money.balance_meur + deposit, cap)
    draw = min(over, available)
    supplementary = over - draw
    strengthened = rules.allow_asielreserve and rules.asielreserve_rule == "versterkt"
    inflow = under if strengthened else min(under, data.eindejaarsmarge_share * sum(budget.values()))
    balance = min(available - draw + inflow, cap)
    keep_b = {k: v for k, v in money.budget_meur.items() if k[1] != year}
    keep_s = {k: v for k, v in money.spent_meur.items() if k[1] != year}
    keep_d = {k: v for k, v in money.deposit_meur.items() if k != year}
    metrics = {
        "budget_eur": sum(budget.values()),
        "cash_eur": sum(spent.values()),
        "deposit_eur": deposit,
        "overspend_eur": over,
        "underspend_eur": under,
        "reserve_draw_eur": draw,
        "supplementary_eur": supplementary,
        "reserve_inflow_eur": inflow,
        "reserve_balance_eur": balance,
    }
    metrics.update({f"cash_eur_{x}": spent[x] for x in lines})
    metrics = {k: v * EUR_PER_MEUR for k, v in metrics.items()}
    return Money(balance, keep_b, keep_d, keep_s), metrics


# ------------------------------------------------------------------------------ a path


@dataclass(frozen=True)
class PathResult:
    """One policy on one path: tidy rows (month, metric, value), the decisions log, timings."""

    policy: str
    path: str
    probability: float
    rows: list[tuple[str, str, float]]
    decisions: list[dict[str, object]]
    plan_seconds: float
    run_seconds: float
    final: State
    segment_costs_eur: tuple[float, ...] = ()  # each segment model's SecondStageCost
    cpu_seconds: float = 0.0  # this process's CPU time for the path (robust to other load)


_PLANS: dict[bytes, Plan] = {}  # per process: decision key -> plan (see shared_decide)


def _decision_key(policy: SimPolicy, moment: str, state: State, forecast: Forecast, ctx: Context) -> bytes:
    """Everything ``policy.decide`` may look at, as one digest (the policy, its moment, state and
    forecast, and the context's case data and settings)."""
    settings = (ctx.case.settings, ctx.base, ctx.options, ctx.planning_years, ctx.seed)
    payload = pickle.dumps((policy, moment, state, forecast, settings), protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.blake2b(payload, digest_size=20).digest()


def shared_decide(policy: SimPolicy, moment: str, state: State, forecast: Forecast, ctx: Context) -> Plan:
    """``policy.decide``, reusing the plan of an identical decision made earlier in this process.

    A policy decides from its arguments only (``SimPolicy``), so the same policy at the same
    moment from the same state and forecast makes the same plan: on a set of paths that is
    every path's first moment (one state, one vintage), planned once per process instead of
    once per path. Keys are digests of the pickled arguments; an argument that does not
    pickle the same way simply misses the cache. ``ctx.share_plans=False``: always decide.
    """
    if not ctx.share_plans:
        return policy.decide(moment, state, forecast, ctx)
    try:
        key = _decision_key(policy, moment, state, forecast, ctx)
    except (pickle.PicklingError, TypeError, AttributeError):
        return policy.decide(moment, state, forecast, ctx)
    plan = _PLANS.get(key)
    if plan is None:
        plan = policy.decide(moment, state, forecast, ctx)
        if len(_PLANS) >= SHARED_PLANS:
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


def planning_moments(path: Path, replan: Sequence[str] = DEFAULT_REPLAN) -> list[str]:
    """The path's first month, then every replan month inside the path."""
    unknown = [r for r in replan if r not in REPLAN_MONTHS]
    if unknown:
        raise SimulationInputError(
            f"--replan {','.join(unknown)}: unknown; choose from {', '.join(REPLAN_MONTHS)}"
        )
    months = {REPLAN_MONTHS[r] for r in replan}
    labels = path.months
    return [labels[0]] + [m for m in labels[1:] if int(m[5:7]) in months]


@contextmanager
def _collector(thresholds: tuple[int, int, int] | None) -> Iterator[None]:
    """The garbage collector's thresholds set for a block (None: left as they are), then restored."""
    if thresholds is None:
        yield
        return
    old = gc.get_threshold()
    gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def simulate_path(
    ctx: Context,
    path: Path,
    policy: SimPolicy,
    replan: Sequence[str] = DEFAULT_REPLAN,
    initial: State | None = None,
) -> PathResult:
    """Run ``policy`` along ``path`` through the budget cycle (see the module docstring)."""
    with _collector(ctx.gc_thresholds), blas_threads(ctx.blas_threads):
        return _simulate_path(ctx, path, policy, replan, initial)


def _simulate_path(
    ctx: Context, path: Path, policy: SimPolicy, replan: Sequence[str], initial: State | None
) -> PathResult:
    cpu = time.process_time()
    state = initial or path.initial or State.from_case(ctx.case, ctx.base, month=path.start)
    if state.month != path.start:
        raise SimulationInputError(f"path {path.name} starts in {path.start}, its state in {state.month}")
    moments = planning_moments(path, replan)
    ends = [*moments[1:], path.end]
    rows: list[tuple[str, str, float]] = []
    decisions: list[dict[str, object]] = []
    plan_s = run_s = 0.0
    costs: list[float] = []
    for moment, until in zip(moments, ends, strict=True):
        t0 = time.perf_counter()
        forecast = path.forecast_at(moment)
        plan = shared_decide(policy, moment, state, forecast, ctx)
        plan_s += time.perf_counter() - t0
        state = replace(commit(state, plan, until), last_plan=plan)
        decisions.append(_decision_row(moment, until, plan, state, forecast))
        for piece in _pieces(month_index(until) - month_index(moment), ctx.segment_months):
            segment = run_segment(ctx, state, plan, path, piece, policy.rules)
            run_s += segment.seconds
            costs.append(segment.second_stage_cost_eur)
            rows += segment.rows
            spent = dict(state.money.spent_meur)
            for key, v in segment.spent_meur.items():
                spent[key] = spent.get(key, 0.0) + v
            state = segment.state.with_money(replace(segment.state.money, spent_meur=spent))
        closing = [
            y for y in sorted({y for (_l, y) in spent}) if (y + 1) * MONTHS_PER_YEAR <= month_index(until)
        ]
        if until == path.end:  # the path ends: close the years still open
            closing = sorted({y for (_l, y) in spent})
        for year in closing:
            money, metrics = settle_year(state.money, year, policy.rules, ctx.base)
            state = state.with_money(money)
            rows += [(f"{year:04d}-12", k, v) for k, v in metrics.items()]
    return PathResult(
        policy.name,
        path.name,
        path.probability,
        rows,
        decisions,
        plan_s,
        run_s,
        state,
        tuple(costs),
        time.process_time() - cpu,
    )


def _pieces(months: int, size: int | None) -> list[int]:
    """``months`` split into runs of at most ``size`` months (one run when ``size`` is None)."""
    if size is None or size >= months:
        return [months]
    return [size] * (months // size) + ([months % size] if months % size else [])


def _decision_row(moment: str, until: str, plan: Plan, state: State, forecast: Forecast) -> dict[str, object]:
    year = int(moment[:4])
    return {
        "moment": moment,
        "until": until,
        "forecast": forecast.label,
        "forecast_mid_total": sum(forecast.yearly("mid", year, k) for k in CATEGORIES),
        "hires": sum(v for (_p, m), v in plan.hires.items() if month_index(m) < month_index(until)),
        "openings": sum(v for (_n, m), v in plan.opened.items()),
        "closings": sum(v for (_n, m), v in plan.closed.items() if month_index(m) < month_index(until)),
        "reserve_places": state.committed("ReservePlaces", year) or 0.0,
        "pool_teams": state.committed("PoolTeams", year) or 0.0,
        "note": plan.note,
    }


# ------------------------------------------------------------------------------ many paths


@dataclass(frozen=True)
class _Task:
    ctx: Context
    path: Path
    policy: SimPolicy
    replan: tuple[str, ...]


def _run_task(task: _Task) -> PathResult:
    return simulate_path(task.ctx, task.path, task.policy, task.replan)


def simulate(
    ctx: Context,
    paths: Sequence[Path],
    policies: Sequence[SimPolicy],
    replan: Sequence[str] = DEFAULT_REPLAN,
    workers: int | None = 1,
    executor: str | None = None,
) -> list[PathResult]:
    """Every policy on every path, in parallel on the executor (``executor.py``); results in
    the order policy-major, path-minor."""
    from bekostiging.executor import map_tasks

    if not paths:
        raise SimulationInputError("no paths to simulate")
    tasks = [_Task(ctx, path, policy, tuple(replan)) for policy in policies for path in paths]
    return map_tasks(_run_task, tasks, workers, executor)


def tidy(results: Sequence[PathResult]) -> Any:
    """simulation.csv: policy, path, month, metric, value (money in EUR)."""
    import pandas as pd

    frames = [
        pd.DataFrame(r.rows, columns=["month", "metric", "value"]).assign(policy=r.policy, path=r.path)
        for r in results
    ]
    frame = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["month", "metric", "value"])
    )
    return frame[["policy", "path", "month", "metric", "value"]]


def decisions_frame(results: Sequence[PathResult]) -> Any:
    import pandas as pd

    rows = [{"policy": r.policy, "path": r.path, **d} for r in results for d in r.decisions]
    return pd.DataFrame(rows)


def probabilities(results: Sequence[PathResult]) -> Mapping[str, float]:
    return {r.path: r.probability for r in results}
