"""Policies as decision rules for the simulation, one interface (``engine.SimPolicy``).

Every policy decides at a planning moment from the state and that moment's forecast, by
re-solving the chain model **from the state** over the planner's window
(``Context.planning_months``: to the end of the year after next), as ``model/stages.md``
§4.3 describes:

1. the MPP plan of the moment: the MPP-mid path of the current vintage, levers off, the
   occupancy norm on its own occupancy (``model.baseline_problem``) — its spending per line
   and year is the MPP need of that vintage, its hires and locations the MPP capacity plan;
2. the policy's model on a small scenario set with that baseline (the preset's switches
   and funding ratios, ``data/policies/``), the year-level decisions already taken fixed;
3. its decisions are the plan; the engine carries out what falls before the next moment.

The policies (names for ``--policy``):

* ``status-quo`` — as practised: budget = MPP need of the current vintage, hire and
  open/close locations to the MPP plan, no pool, reserve or deposits; emergency shelter
  when full and supplementary funding come from the chain run and the ledger;
* each letter option and combination by its preset name (``flexpool``, ``asielreserve``,
  ``boven-mpp``, ``reservecapaciteit``, ``lagere-bezettingsgraad``, ``combinatie``,
  ``asielreserve-huidig``, or a preset file): the preset solved on the current vintage's
  band (low / mid / high as three scenarios, 1/4, 1/2, 1/4) — a rule that sizes its levers
  against the MPP's own uncertainty;
* ``lookahead`` (``lookahead:PRESET``) — the rolling stochastic lookahead: the two-stage model
  (the case's own policy, or PRESET's) over ``LOOKAHEAD_SCENARIOS`` paths from the
  calibrated generator conditioned on the history to date (``paths.CalibratedSampler``);
* ``tuned`` (``tuned:x=0.1,y=2000``) — the simple benchmark: plan capacity and budget for the
  MPP mid + x (a share), hold y reserve places every year; x and y tuned by
  :func:`tune` on training paths.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path as FsPath

import numpy as np
import pyomo.environ as pyo

from bekostiging.assemble import AssemblyUnsupported, BlockHighs
from bekostiging.errors import InputErrors
from bekostiging.model import BASELINE_SCENARIO, baseline_problem, chain_problem
from bekostiging.model.data import BUDGET_LINES, ChainData, MppBaseline, ScenarioInflow
from bekostiging.policies import ALL_PRESETS, STATUS_QUO, load_policy, resolve_policy
from bekostiging.schema import Policy
from bekostiging.simulate.calendar import SimulationInputError
from bekostiging.simulate.engine import ASSEMBLE_FROM, Context, SimulationError, _fix
from bekostiging.simulate.handoff import DirectBlockHighs, one_shot
from bekostiging.simulate.paths import BAND_PROBABILITIES, BANDS, Forecast
from bekostiging.simulate.state import Plan, State
from bekostiging.simulate.window import window_data
from bekostiging.solver import OneShotHighs, SolveOutcome, SolverOptions, _objective_mismatch
from bekostiging.twostage import extensive_form, first_stage_values

LOOKAHEAD = "lookahead"
TUNED = "tuned"
LOOKAHEAD_SCENARIOS = 10  # paths per lookahead solve: small, so a moment stays affordable
TUNED_DEFAULT = (0.10, 0.0)  # x: share above the MPP mid; y: reserve places (untuned default)


# ------------------------------------------------------------------------------ the planner


class WarmStartHighs(OneShotHighs):
    """:class:`OneShotHighs` with a partial MIP start: values for some columns (the previous
    moment's plan), handed to HiGHS with its sparse ``setSolution`` (HiGHS completes the
    rest). A start never changes the answer: a solution whose objective does not match
    HiGHS's report is solved again cold (as ``solver.HighsSolver`` does)."""

    def __init__(self, options: SolverOptions | None, start: dict[object, float]) -> None:
        super().__init__(options)
        self.start = start

    def solve(self, model: pyo.ConcreteModel, on_progress: object = None) -> SolveOutcome:
        def load(h: object) -> dict[str, float]:
            timings = self._load(model, h)  # type: ignore[arg-type]
            index = [j for j, var in enumerate(self._cols) if var is not None and id(var) in self.start]
            if index:
                values = [self.start[id(self._cols[j])] for j in index]
                h.setSolution(len(index), np.array(index, dtype=np.int32), np.array(values))  # type: ignore[attr-defined]
            timings["start_columns"] = float(len(index))
            return timings

        outcome = self._solve(load, None)
        if outcome.status.has_solution and _objective_mismatch(model, outcome):
            cold = OneShotHighs(self.options).solve(model)
            cold.extra["warm_start_rejected"] = 1.0
            return cold
        return outcome


def warm_start(first: pyo.Block, data: ChainData, plan: Plan | None) -> dict[object, float]:
    """Start values (by ``id`` of the variable) for the window's decisions from an earlier plan
    on the same calendar: hires, openings, closings, reserve places and pool teams."""
    if plan is None:
        return {}
    labels = data.periods
    start: dict[object, float] = {}
    for (p, t), v in first.Hire.items():
        start[id(v)] = float(plan.hires.get((p, labels[t]), 0.0))
    for (n, t), v in first.Opened.items():
        start[id(v)] = float(plan.opened.get((n, labels[t]), 0.0))
    for (n, t), v in first.Closed.items():
        start[id(v)] = float(plan.closed.get((n, labels[t]), 0.0))
    for y, v in first.ReservePlaces.items():
        if y in plan.reserve_places:
            start[id(v)] = float(plan.reserve_places[y])
    for y, v in first.PoolTeams.items():
        if y in plan.pool_teams:
            start[id(v)] = float(plan.pool_teams[y])
    integer = _integer_ids(first)
    return {k: float(round(x)) if k in integer else x for k, x in start.items()}


def _integer_ids(first: pyo.Block) -> set[int]:
    return {
        id(v) for comp in (first.Hire, first.Opened, first.Closed, first.PoolTeams) for v in comp.values()
    }


def mpp_plan(
    ctx: Context, data: ChainData, forecast: Forecast, months: list[str], factor: float = 1.0
) -> MppBaseline:
    """The MPP plan of the moment on the window ``data`` (the baseline run of ``pipeline``)."""
    mid = forecast.monthly("mid", months) * factor
    # levers off: the MPP plan knows no reserve contracts (running ones are the policy's own)
    problem = baseline_problem(replace(data, reserve_carry=()), mid, ctx.case.settings.policy.occupancy_norm)
    m = extensive_form(problem)
    outcome = one_shot(ctx.options, ctx.direct, ctx.fast_walker).solve(m)
    if not outcome.status.has_solution:
        raise SimulationError(f"{forecast.made_at}: the MPP plan has no solution ({outcome.describe()})")
    b = m.scen[BASELINE_SCENARIO]
    need = {(line, y): float(pyo.value(b.Spending[line, y])) for line in BUDGET_LINES for y in data.years}
    occupancy = tuple(float(pyo.value(b.Occupancy[t])) for t in m.first.T)
    return MppBaseline(need, occupancy, first_stage_values(m.first))


def plan_from(first: pyo.Block, data: ChainData, moment: str, note: str = "") -> Plan:
    """The solved stage-1 block as a :class:`Plan` on the calendar."""
    labels = data.periods

    def val(v: pyo.Var) -> float:
        return float(v.value) if v.value is not None else 0.0

    return Plan(
        made_at=moment,
        hires={(p, labels[t]): val(v) for (p, t), v in first.Hire.items() if val(v) > 0},
        opened={(n, labels[t]): val(v) for (n, t), v in first.Opened.items() if val(v) > 0},
        closed={(n, labels[t]): val(v) for (n, t), v in first.Closed.items() if val(v) > 0},
        reserve_places={y: val(v) for y, v in first.ReservePlaces.items()},
        pool_teams={y: val(v) for y, v in first.PoolTeams.items()},
        deposit_meur={y: val(v) for y, v in first.ReserveDeposit.items()},
        budget_meur={(line, y): val(v) for (line, y), v in first.Budget.items()},
        note=note,
    )


def solve_plan(
    ctx: Context,
    moment: str,
    state: State,
    forecast: Forecast,
    rules: Policy,
    scenarios: Sequence[np.ndarray],
    probabilities: Sequence[float],
    *,
    factor: float = 1.0,
    reserve_places: float | None = None,
    note: str = "",
    warm: bool = False,
) -> Plan:
    """The policy's model from ``state`` over the planner's window on ``scenarios`` (monthly
    inflow arrays) with the MPP plan of ``forecast`` (mid x ``factor``) as its baseline; the
    year-level decisions already taken are fixed (``reserve_places``: fixed in every year)."""
    months = ctx.planning_months(moment)
    data = window_data(ctx.base, moment, len(months), state, policy=rules)
    baseline = mpp_plan(ctx, data, forecast, months, factor)
    data = data.with_baseline(baseline)
    inflows = [ScenarioInflow(f"s{i}", np.asarray(a, dtype=float)) for i, a in enumerate(scenarios)]
    problem = chain_problem(data, inflows, list(probabilities))
    start_plan = state.last_plan if warm else None
    if ctx.assemble and start_plan is None and len(inflows) >= ctx.assemble_from:
        try:
            blocks = (DirectBlockHighs if ctx.direct else BlockHighs)(problem, ctx.options)
            blocks.fast = ctx.fast_walker  # type: ignore[attr-defined]
            _fix_taken(blocks.first, data, state, reserve_places)
            outcome = blocks.solve_problem()
        except AssemblyUnsupported:
            pass
        else:
            if not outcome.status.has_solution:
                raise SimulationError(
                    f"{rules.name} at {moment}: the plan has no solution ({outcome.describe()})"
                )
            return plan_from(blocks.first, data, moment, note or rules.name)
    m = extensive_form(problem)
    first = m.first
    _fix_taken(first, data, state, reserve_places)
    start = warm_start(first, data, start_plan)
    solver = (
        WarmStartHighs(ctx.options, start) if start else one_shot(ctx.options, ctx.direct, ctx.fast_walker)
    )
    outcome = solver.solve(m)
    if not outcome.status.has_solution:
        raise SimulationError(f"{rules.name} at {moment}: the plan has no solution ({outcome.describe()})")
    return plan_from(first, data, moment, note or rules.name)


def _fix_taken(first: pyo.Block, data: ChainData, state: State, reserve_places: float | None) -> None:
    """Fix the year-level decisions already taken (``reserve_places``: fixed in every year)."""
    for name in ("ReservePlaces", "PoolTeams", "ReserveDeposit"):
        var = getattr(first, name)
        for y, v in var.items():
            c = state.committed(name, y)
            if c is not None and name == "ReserveDeposit":
                # the fund is capped: the year's deposit fits on top of today's balance
                cap = max(data.max_asielreserve_meur, state.money.balance_meur)
                _fix(v, min(c, max(0.0, cap - state.money.balance_meur)))
            elif c is not None:
                _fix(v, c)
            elif name == "ReservePlaces" and reserve_places is not None:
                v.setub(max(v.ub or 0.0, reserve_places))
                _fix(v, reserve_places)


# ------------------------------------------------------------------------------ policies


@dataclass(frozen=True)
class PresetRule:
    """A preset as a rule: solved at each moment on the vintage's band (``status-quo``: on the
    mid alone — every decision follows the MPP plan)."""

    name: str
    rules: Policy

    def decide(self, moment: str, state: State, forecast: Forecast, ctx: Context) -> Plan:
        months = ctx.planning_months(moment)
        if self.name == STATUS_QUO:
            return solve_plan(
                ctx, moment, state, forecast, self.rules, [forecast.monthly("mid", months)], [1.0]
            )
        bands = [forecast.monthly(b, months) for b in BANDS]
        return solve_plan(ctx, moment, state, forecast, self.rules, bands, list(BAND_PROBABILITIES))


@dataclass(frozen=True)
class Lookahead:
    """Rolling stochastic lookahead: the two-stage model over ``n`` calibrated scenario paths
    from the moment (conditioned on what is known then), its first-period decisions carried out."""

    name: str
    rules: Policy
    n: int = LOOKAHEAD_SCENARIOS
    # start HiGHS from the previous moment's plan (``WarmStartHighs``); off by default: on
    # nl-2026 (hist-50 path 1, S = 10) it took 30.9 s a moment against 25.6 s cold (bench/README)
    warm: bool = False

    def decide(self, moment: str, state: State, forecast: Forecast, ctx: Context) -> Plan:
        if forecast.sampler is None:
            raise SimulationInputError(f"{self.name}: the forecast at {moment} has no scenario sampler")
        months = ctx.planning_months(moment)
        rng = ctx.rng(forecast.label + self.name, moment)
        paths = forecast.sampler(self.n, months, rng)
        return solve_plan(
            ctx, moment, state, forecast, self.rules, list(paths), [1.0 / self.n] * self.n, warm=self.warm
        )


def tuned_rules() -> Policy:
    """Status-quo switches, reserve places allowed (fixed by the rule), funding at least the need."""
    return Policy(
        name=TUNED,
        description="MPP mid + x, y reserve places",
        allow_flexpool=False,
        allow_reserve_places=True,
        allow_asielreserve=False,
        allow_staff_changes=False,
        allow_location_changes=False,
        occupancy_norm=0.93,
        funding_ratio_min=1.0,
    )


@dataclass(frozen=True)
class Tuned:
    """Fund and plan for the MPP mid + ``x``, hold ``y`` reserve places every year."""

    x: float = TUNED_DEFAULT[0]
    y: float = TUNED_DEFAULT[1]
    rules: Policy = field(default_factory=tuned_rules)

    @property
    def name(self) -> str:
        return f"{TUNED}:x={self.x:g},y={self.y:g}"

    def decide(self, moment: str, state: State, forecast: Forecast, ctx: Context) -> Plan:
        months = ctx.planning_months(moment)
        mid = forecast.monthly("mid", months) * (1.0 + self.x)
        return solve_plan(
            ctx,
            moment,
            state,
            forecast,
            self.rules,
            [mid],
            [1.0],
            factor=1.0 + self.x,
            reserve_places=self.y,
            note=self.name,
        )


# ------------------------------------------------------------------------------ names

_TUNED = re.compile(r"^tuned(?::x=(-?[0-9.]+),y=([0-9.]+))?$")


def policy_names(case_dirs: Sequence[FsPath] = (), policies_dir: FsPath | None = None) -> list[str]:
    from bekostiging.policies import available_presets

    return [*available_presets(list(case_dirs), policies_dir), LOOKAHEAD, TUNED]


def make_policy(
    name: str, case_rules: Policy, case_dirs: Sequence[FsPath] = (), policies_dir: FsPath | None = None
) -> Lookahead | PresetRule | Tuned:
    """The policy for a ``--policy`` name; SimulationInputError naming the allowed ones."""
    text = name.strip()
    tuned = _TUNED.match(text)
    if tuned:
        if tuned.group(1) is None:
            return Tuned()
        return Tuned(float(tuned.group(1)), float(tuned.group(2)))
    if text == LOOKAHEAD:
        return Lookahead(LOOKAHEAD, case_rules)
    if text.startswith(LOOKAHEAD + ":"):
        inner = _rules(text.split(":", 1)[1], case_dirs, policies_dir, name)
        return Lookahead(text, inner)
    return PresetRule(text, _rules(text, case_dirs, policies_dir, name))


def _rules(text: str, case_dirs: Sequence[FsPath], policies_dir: FsPath | None, original: str) -> Policy:
    """One preset, or a combination ``a+b+…`` of presets (:func:`combine`)."""
    parts = [p.strip() for p in text.split("+")]
    if len(parts) == 1:
        return _preset(text, case_dirs, policies_dir, original)
    return combine([_preset(p, case_dirs, policies_dir, original) for p in parts])


def combine(presets: Sequence[Policy]) -> Policy:
    """Letter options combined (``flexpool+reservecapaciteit``): every lever any of them allows,
    the lowest occupancy norm, the highest funding floor, a funding cap only if all have one
    (the highest), the strengthened asielreserve rule if any uses it; scope per partner only
    if all are per partner."""
    mins = [p.funding_ratio_min for p in presets if p.funding_ratio_min is not None]
    maxs = [p.funding_ratio_max for p in presets]
    low = max(mins) if mins else None
    high = None if any(x is None for x in maxs) else max(x for x in maxs if x is not None)
    if low is not None and high is not None and high < low:
        high = low
    return Policy(
        name="+".join(p.name for p in presets),
        description="combinatie van " + ", ".join(p.name for p in presets),
        allow_flexpool=any(p.allow_flexpool for p in presets),
        allow_reserve_places=any(p.allow_reserve_places for p in presets),
        allow_asielreserve=any(p.allow_asielreserve for p in presets),
        asielreserve_rule=(
            "versterkt"
            if any(p.allow_asielreserve and p.asielreserve_rule == "versterkt" for p in presets)
            else "eindejaarsmarge"
        ),
        allow_staff_changes=any(p.allow_staff_changes for p in presets),
        allow_location_changes=any(p.allow_location_changes for p in presets),
        occupancy_norm=min(p.occupancy_norm for p in presets),
        funding_ratio_scope="partner"
        if all(p.funding_ratio_scope == "partner" for p in presets)
        else "chain",
        funding_ratio_min=low,
        funding_ratio_max=high,
    )


def _preset(text: str, case_dirs: Sequence[FsPath], policies_dir: FsPath | None, original: str) -> Policy:
    try:
        return load_policy(resolve_policy(text, list(case_dirs), policies_dir))
    except InputErrors as exc:
        known = ", ".join(policy_names(case_dirs, policies_dir))
        raise SimulationInputError(
            f"--policy {original!r}: unknown policy; choose from {known}, "
            f"a combination a+b, lookahead:PRESET or tuned:x=X,y=Y (or a preset file)"
        ) from exc


__all__ = [
    "ALL_PRESETS",
    "ASSEMBLE_FROM",
    "LOOKAHEAD",
    "TUNED",
    "Lookahead",
    "PresetRule",
    "Tuned",
    "Tuning",
    "combine",
    "make_policy",
    "mpp_plan",
    "plan_from",
    "policy_names",
    "solve_plan",
    "tune",
]


# ------------------------------------------------------------------------------ tuning

TUNE_X = (0.0, 0.1, 0.2, 0.3)  # shares above the MPP mid
TUNE_Y_SHARES = (0.0, 0.25, 0.5)  # reserve places as shares of the case's maximum


@dataclass(frozen=True)
class Tuning:
    """The grid's scores on the training paths and the chosen point."""

    best: Tuned
    table: list[dict[str, float]]  # x, y, score_eur, cash_eur, late_case_months (means over paths)
    training: tuple[str, ...]


def tune(
    ctx: Context,
    training: Sequence[object],
    grid_x: Sequence[float] = TUNE_X,
    grid_y: Sequence[float] | None = None,
    replan: Sequence[str] = ("spring", "autumn"),
    workers: int | None = 1,
) -> Tuning:
    """Choose x and y of :class:`Tuned` on ``training`` paths: the lowest mean of cash plus
    late case-months at the case's late-case weight (its penalty, EUR per case-month) —
    judge the result on other paths."""
    from bekostiging.simulate.engine import simulate

    ys = (
        tuple(grid_y)
        if grid_y is not None
        else tuple(share * ctx.base.max_reserve_places for share in TUNE_Y_SHARES)
    )
    points = [Tuned(x, y) for x in grid_x for y in ys]
    results = simulate(ctx, training, points, replan, workers=workers)  # type: ignore[arg-type]
    weight = ctx.case.settings.penalties.late_case_month_eur
    table = []
    for point in points:
        mine = [r for r in results if r.policy == point.name]
        cash = [sum(v for (_m, k, v) in r.rows if k == "cash_eur") for r in mine]
        late = [sum(v for (_m, k, v) in r.rows if k == "late_cases") for r in mine]
        score = [c + weight * lt for c, lt in zip(cash, late, strict=True)]
        table.append(
            {
                "x": point.x,
                "y": point.y,
                "score_eur": float(np.mean(score)),
                "cash_eur": float(np.mean(cash)),
                "late_case_months": float(np.mean(late)),
            }
        )
    best = min(table, key=lambda r: r["score_eur"])
    names = tuple(getattr(p, "name", "") for p in training)
    return Tuning(Tuned(best["x"], best["y"]), table, names)
