"""RP, EV, EEV, WS, VSS, EVPI and out-of-sample evaluation for any mpi-sppy-style model.

An *mpi-sppy-style model* is what mpi-sppy itself takes: a ``scenario_creator(name,
**kwargs)`` that returns one scenario's Pyomo model, the scenario names and the
keyword arguments. Each scenario model has

* one active objective (minimise or maximise) — the scenario's total;
* ``_mpisppy_node_list`` with one ``ROOT`` node whose ``nonant_list`` holds the
  first-stage variables (two-stage models only), or, without mpi-sppy, a block
  ``first`` with ``first_stage_vars`` (this project's convention);
* ``_mpisppy_probability`` (a number, or ``"uniform"``/absent for 1/n).

Nothing here needs mpi-sppy installed; its own examples work unchanged::

    from mpisppy.tests.examples import farmer
    from bekostiging.analytics.sppy import ScenarioModel, value_of_information

    model = ScenarioModel(
        farmer.scenario_creator,
        farmer.scenario_names_creator(3),
        {"num_scens": 3},
        mean_scenario="scen1",  # the creator's average-yield scenario
    )
    voi = value_of_information(model)
    voi.rp.value, voi.vss.value, voi.evpi.value   # -108390, 1150, 7015.6 (cost form)
    voi.to_frame()

The chain model is one too: ``ScenarioModel.from_problem(problem)`` uses
:func:`bekostiging.twostage.scenario_creator` with ``{"problem": problem}`` (and the
problem's mean data for EV).

Definitions (Birge & Louveaux §4.1), for a minimising model (a maximising one
reads "profit" for "cost", and the differences keep their sign: saved money):

* **RP** the extensive form: one copy of the first-stage variables per scenario,
  equal across scenarios (non-anticipativity), objective Σ_s p_s obj_s;
* **WS** each scenario solved alone (stage 1 free), Σ_s p_s obj_s*;
* **EV** the mean scenario solved alone; its first-stage values are the plan x̄.
  Without a mean scenario EV (and so EEV and VSS) is *unavailable*, stated as such:
  a mean of arbitrary scenario models cannot be formed from the outside;
* **EEV** x̄ fixed in every scenario, Σ_s p_s obj_s(x̄) (+inf if x̄ cannot serve one);
* **VSS** = EEV − RP ≥ 0 and **EVPI** = RP − WS ≥ 0 (maximising: RP − EEV, WS − RP);
* :func:`evaluate` fixes any plan (first-stage values by variable name) and solves
  each scenario: the out-of-sample evaluation.

Each measure is a :class:`~bekostiging.analytics.value.Measure`: value, the
interval the solves prove (MIP bounds), the worst status and the largest gap.
Scenarios are solved one after another (mpi-sppy itself is the tool for
distributing them).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd
import pyomo.environ as pyo

from bekostiging.analytics.evaluate import combined_status
from bekostiging.analytics.value import Measure
from bekostiging.solver import OneShotHighs, SolveOutcome, SolverOptions, Status
from bekostiging.twostage import TwoStageProblem, scenario_creator

UNIFORM = "uniform"  # mpi-sppy's value of _mpisppy_probability for 1/n
ROOT = "ROOT"
EXTENSIVE_FORM_OBJECTIVE = "EF_Objective"
NONANT_ROWS = "Nonanticipativity"

ModelFactory = Callable[[], pyo.ConcreteModel]


class EVUnavailable(ValueError):
    """The model has no mean scenario, so EV (and EEV, VSS) cannot be computed."""


@dataclass(frozen=True)
class ScenarioModel:
    """An mpi-sppy-style two-stage model: creator, scenario names, creator kwargs, mean scenario.

    ``mean_scenario`` is a scenario name the creator builds with the mean data, or a
    function returning that model; ``None`` when the user has none (EV unavailable).
    """

    scenario_creator: Callable[..., pyo.ConcreteModel]
    scenario_names: Sequence[str]
    scenario_creator_kwargs: Mapping[str, Any] = field(default_factory=dict)
    mean_scenario: str | ModelFactory | None = None

    def create(self, name: str) -> pyo.ConcreteModel:
        """One scenario's model, as mpi-sppy would build it."""
        return self.scenario_creator(name, **dict(self.scenario_creator_kwargs))

    def create_mean(self) -> pyo.ConcreteModel:
        if self.mean_scenario is None:
            raise EVUnavailable(
                "EV is unavailable: the model has no mean scenario (give mean_scenario, a scenario "
                "name the creator builds with the mean data, or a function returning that model)"
            )
        if isinstance(self.mean_scenario, str):
            return self.create(self.mean_scenario)
        return self.mean_scenario()

    @classmethod
    def from_problem(cls, problem: TwoStageProblem) -> ScenarioModel:
        """This project's two-stage problem in mpi-sppy form (EV on ``problem.mean_data()``)."""
        return cls(
            scenario_creator,
            problem.names,
            {"problem": problem},
            mean_scenario=partial(_mean_model, problem),
        )


def _mean_model(problem: TwoStageProblem) -> pyo.ConcreteModel:
    from bekostiging.analytics.value import expected_value_problem

    mean = expected_value_problem(problem)
    return scenario_creator(mean.names[0], problem=mean)


# --------------------------------------------------------------------------- model conventions


def first_stage_vars(model: pyo.ConcreteModel) -> list[pyo.Var]:
    """The scenario model's first-stage variable components (ROOT node, or ``first.first_stage_vars``)."""
    nodes = getattr(model, "_mpisppy_node_list", None)
    if nodes:
        if len(nodes) != 1 or getattr(nodes[0], "name", ROOT) != ROOT:
            raise ValueError("only two-stage models (one ROOT node) are supported")
        return list(nodes[0].nonant_list)
    first = getattr(model, "first", None)
    if first is not None and hasattr(first, "first_stage_vars"):
        return list(first.first_stage_vars)
    raise ValueError(
        f"scenario model {model.name!r} names no first-stage variables: attach mpi-sppy's root node "
        "(sputils.attach_root_node) or a block `first` with `first_stage_vars`"
    )


def first_stage_data(model: pyo.ConcreteModel) -> list[pyo.Var]:
    """Every first-stage variable (indexed components expanded), in a stable order."""
    return [v for component in first_stage_vars(model) for v in component.values()]


def _key(var: Any, model: pyo.ConcreteModel) -> str:
    return str(var.getname(fully_qualified=True, relative_to=model))


def plan_of(model: pyo.ConcreteModel) -> dict[str, float]:
    """First-stage values of a solved scenario model, keyed by name relative to the model."""
    plan: dict[str, float] = {}
    for v in first_stage_data(model):
        if v.value is None:
            raise ValueError(f"first-stage variable {v.name} has no value")
        plan[_key(v, model)] = float(v.value)
    return plan


def fix_plan(model: pyo.ConcreteModel, plan: Mapping[str, float]) -> None:
    """Fix every first-stage variable of ``model`` to the plan (integers rounded)."""
    for v in first_stage_data(model):
        key = _key(v, model)
        if key not in plan:
            raise KeyError(f"the plan has no value for first-stage variable {key}")
        v.fix(round(plan[key]) if v.is_integer() else plan[key])


def probability(model: pyo.ConcreteModel, n: int) -> float:
    value = getattr(model, "_mpisppy_probability", UNIFORM)
    return 1.0 / n if value is None or value == UNIFORM else float(value)


def _objective(model: pyo.ConcreteModel) -> pyo.Objective:
    active = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    if len(active) != 1:
        raise ValueError(f"scenario model {model.name!r} has {len(active)} active objectives, needs one")
    return active[0]


def _maximises(model: pyo.ConcreteModel) -> bool:
    return _objective(model).sense == pyo.maximize


# --------------------------------------------------------------------------- solving


@dataclass(frozen=True)
class ScenarioOutcome:
    """One scenario's solve: its objective (in the model's own sense), proven bound and status."""

    name: str
    probability: float
    status: Status
    objective: float
    bound: float
    gap: float | None
    plan: Mapping[str, float] | None = None


def _unserved(maximise: bool) -> float:
    return -math.inf if maximise else math.inf


def _solve(model: pyo.ConcreteModel, options: SolverOptions) -> SolveOutcome:
    return OneShotHighs(options).solve(model)


def _scenario_outcome(
    name: str, p: float, model: pyo.ConcreteModel, options: SolverOptions, keep_plan: bool
) -> ScenarioOutcome:
    maximise = _maximises(model)
    outcome = _solve(model, options)
    if not outcome.status.has_solution or outcome.objective is None:
        missing = _unserved(maximise) if outcome.status == Status.INFEASIBLE else math.nan
        return ScenarioOutcome(name, p, outcome.status, missing, missing, None)
    bound = outcome.bound if outcome.bound is not None else outcome.objective
    plan = plan_of(model) if keep_plan else None
    return ScenarioOutcome(name, p, outcome.status, outcome.objective, bound, outcome.gap, plan)


def extensive_form(model: ScenarioModel) -> pyo.ConcreteModel:
    """RP as one Pyomo model: a block per scenario (its objective deactivated), the first-stage
    variables of every scenario equal to the first scenario's, objective Σ_s p_s obj_s."""
    names = list(model.scenario_names)
    if not names:
        raise ValueError("the model has no scenarios")
    ef = pyo.ConcreteModel(name="extensive_form")
    terms = []
    senses = set()
    objectives = {}
    for name in names:
        scen = model.create(name)
        objective = objectives[name] = _objective(scen)
        senses.add(objective.sense)
        terms.append(probability(scen, len(names)) * objective.expr)
        objective.deactivate()
        ef.add_component(name, scen)
    if len(senses) != 1:
        raise ValueError("scenario models disagree on minimise/maximise")
    reference = first_stage_data(ef.component(names[0]))
    rows = []
    for name in names[1:]:
        others = first_stage_data(ef.component(name))
        if len(others) != len(reference):
            raise ValueError(
                f"scenario {name} has {len(others)} first-stage variables, {names[0]} has {len(reference)}"
            )
        rows += [(a, b) for a, b in zip(others, reference, strict=True)]
    ef.NONANT = pyo.RangeSet(0, len(rows) - 1) if rows else pyo.Set(initialize=[])
    ef.add_component(NONANT_ROWS, pyo.Constraint(ef.NONANT, rule=lambda _m, i: rows[i][0] == rows[i][1]))
    ef.add_component(EXTENSIVE_FORM_OBJECTIVE, pyo.Objective(expr=sum(terms), sense=senses.pop()))
    ef._scenario_objectives = objectives  # read back by solve_rp: each scenario's own objective
    return ef


@dataclass(frozen=True)
class RecourseSolution:
    """RP solved: objective, proven bound, status, the plan and each scenario's own objective."""

    outcome: SolveOutcome
    maximise: bool
    plan: Mapping[str, float] | None
    scenario_objectives: Mapping[str, float]

    @property
    def objective(self) -> float:
        o = self.outcome
        if o.status.has_solution and o.objective is not None:
            return float(o.objective)
        return _unserved(self.maximise) if o.status == Status.INFEASIBLE else math.nan

    @property
    def bound(self) -> float:
        o = self.outcome
        return float(o.bound) if o.status.has_solution and o.bound is not None else self.objective


def solve_rp(model: ScenarioModel, options: SolverOptions | None = None) -> RecourseSolution:
    """RP: solve the extensive form (:func:`extensive_form`)."""
    ef = extensive_form(model)
    objectives = ef._scenario_objectives
    names = list(objectives)
    maximise = ef.component(EXTENSIVE_FORM_OBJECTIVE).sense == pyo.maximize
    outcome = _solve(ef, options or SolverOptions())
    if not outcome.status.has_solution:
        return RecourseSolution(outcome, maximise, None, {})
    values = {name: float(pyo.value(objective.expr)) for name, objective in objectives.items()}
    return RecourseSolution(outcome, maximise, plan_of(ef.component(names[0])), values)


def solve_ws(model: ScenarioModel, options: SolverOptions | None = None) -> list[ScenarioOutcome]:
    """WS: every scenario alone with its first stage free (perfect foresight)."""
    options = options or SolverOptions()
    n = len(model.scenario_names)
    out = []
    for name in model.scenario_names:
        scen = model.create(name)
        out.append(_scenario_outcome(name, probability(scen, n), scen, options, keep_plan=True))
    return out


def solve_ev(model: ScenarioModel, options: SolverOptions | None = None) -> ScenarioOutcome:
    """EV: the mean scenario alone; ``plan`` is x̄. Raises :class:`EVUnavailable` without one."""
    mean = model.create_mean()
    return _scenario_outcome("EV", 1.0, mean, options or SolverOptions(), keep_plan=True)


def evaluate(
    model: ScenarioModel,
    plan: Mapping[str, float],
    options: SolverOptions | None = None,
    scenario_names: Sequence[str] | None = None,
) -> list[ScenarioOutcome]:
    """The plan fixed, each scenario's recourse solved (``scenario_names``: another set of names
    the creator accepts, probabilities renormalised over them)."""
    options = options or SolverOptions()
    names = list(scenario_names) if scenario_names is not None else list(model.scenario_names)
    models = {name: model.create(name) for name in names}
    weights = {name: probability(m, len(names)) for name, m in models.items()}
    total = math.fsum(weights.values())
    out = []
    for name, scen in models.items():
        fix_plan(scen, plan)
        out.append(_scenario_outcome(name, weights[name] / total, scen, options, keep_plan=False))
    return out


def expectation(outcomes: Iterable[ScenarioOutcome]) -> tuple[float, float]:
    """Σ p·objective and Σ p·bound (inf or nan when a scenario has none)."""
    items = list(outcomes)
    value = math.fsum(o.probability * o.objective for o in items)
    bound = math.fsum(o.probability * o.bound for o in items)
    return value, bound


# --------------------------------------------------------------------------- the measures


@dataclass(frozen=True)
class SppyValue:
    """RP, EV, EEV, WS, VSS and EVPI of an mpi-sppy-style model (EV, EEV, VSS ``None`` when
    the model has no mean scenario; ``ev_note`` then says so)."""

    maximise: bool
    rp: Measure
    ws: Measure
    evpi: Measure
    ev: Measure | None
    eev: Measure | None
    vss: Measure | None
    rp_solution: RecourseSolution
    ws_outcomes: tuple[ScenarioOutcome, ...]
    ev_outcome: ScenarioOutcome | None
    eev_outcomes: tuple[ScenarioOutcome, ...]
    ev_note: str = ""

    @property
    def measures(self) -> tuple[Measure | None, ...]:
        return (self.rp, self.ev, self.eev, self.ws, self.vss, self.evpi)

    def to_frame(self) -> pd.DataFrame:
        """One row per measure: value, proven interval, status, gap; EV/EEV/VSS marked unavailable."""
        rows = []
        for name, m in zip(("RP", "EV", "EEV", "WS", "VSS", "EVPI"), self.measures, strict=True):
            if m is None:
                rows.append(
                    {
                        "measure": name,
                        "value": math.nan,
                        "lower": math.nan,
                        "upper": math.nan,
                        "status": "unavailable",
                        "gap": None,
                        "note": self.ev_note,
                    }
                )
            else:
                rows.append(
                    {
                        "measure": name,
                        "value": m.value,
                        "lower": m.lower,
                        "upper": m.upper,
                        "status": str(m.status),
                        "gap": m.gap,
                        "note": m.note,
                    }
                )
        return pd.DataFrame(rows)


def _interval(value: float, bound: float, maximise: bool) -> tuple[float, float]:
    """(lower, upper) on the optimum: a minimiser's bound is below its incumbent, a maximiser's above."""
    return (value, bound) if maximise else (bound, value)


def _max_gap(gaps: Iterable[float | None]) -> float | None:
    known = [g for g in gaps if g is not None]
    return max(known) if known else None


def _scenarios_measure(name: str, outcomes: Sequence[ScenarioOutcome], maximise: bool) -> Measure:
    value, bound = expectation(outcomes)
    lower, upper = _interval(value, bound, maximise)
    status = combined_status(o.status for o in outcomes)
    return Measure(name, value, lower, upper, status, _max_gap(o.gap for o in outcomes))


def _saving(name: str, worse: Measure, better: Measure, maximise: bool, note: str = "") -> Measure:
    """How much ``better`` beats ``worse`` (≥ 0 by theory), with the interval the bounds prove."""
    sign = -1.0 if maximise else 1.0
    value = sign * (worse.value - better.value)
    if maximise:
        lower, upper = better.lower - worse.upper, better.upper - worse.lower
    else:
        lower, upper = worse.lower - better.upper, worse.upper - better.lower
    if not math.isnan(lower) and upper >= 0.0:
        lower = max(lower, 0.0)
    status = combined_status([worse.status, better.status])
    return Measure(name, value, lower, upper, status, _max_gap([worse.gap, better.gap]), note)


def value_of_information(model: ScenarioModel, options: SolverOptions | None = None) -> SppyValue:
    """Solve RP, WS and (with a mean scenario) EV and EEV; derive VSS and EVPI."""
    options = options or SolverOptions()
    rp = solve_rp(model, options)
    maximise = rp.maximise
    rp_lower, rp_upper = _interval(rp.objective, rp.bound, maximise)
    rp_m = Measure("RP", rp.objective, rp_lower, rp_upper, rp.outcome.status, rp.outcome.gap)
    ws = solve_ws(model, options)
    # WS is the better side: for a minimiser WS <= RP, so EVPI = RP - WS.
    ws_m = _scenarios_measure("WS", ws, maximise)
    evpi = _saving("EVPI", rp_m, ws_m, maximise)
    try:
        ev = solve_ev(model, options)
    except EVUnavailable as exc:
        return SppyValue(maximise, rp_m, ws_m, evpi, None, None, None, rp, tuple(ws), None, (), str(exc))
    ev_lower, ev_upper = _interval(ev.objective, ev.bound, maximise)
    ev_m = Measure("EV", ev.objective, ev_lower, ev_upper, ev.status, ev.gap)
    if ev.plan is None:
        note = "the EV problem has no plan"
        return SppyValue(maximise, rp_m, ws_m, evpi, ev_m, None, None, rp, tuple(ws), ev, (), note)
    eev_outcomes = evaluate(model, ev.plan, options)
    unserved = [o.name for o in eev_outcomes if o.status == Status.INFEASIBLE]
    note = f"the EV plan cannot serve: {', '.join(unserved)}" if unserved else ""
    eev_m = _scenarios_measure("EEV", eev_outcomes, maximise)
    eev_m = Measure(eev_m.name, eev_m.value, eev_m.lower, eev_m.upper, eev_m.status, eev_m.gap, note)
    vss = _saving("VSS", eev_m, rp_m, maximise, note)
    return SppyValue(maximise, rp_m, ws_m, evpi, ev_m, eev_m, vss, rp, tuple(ws), ev, tuple(eev_outcomes))


__all__ = [
    "EVUnavailable",
    "RecourseSolution",
    "ScenarioModel",
    "ScenarioOutcome",
    "SppyValue",
    "evaluate",
    "extensive_form",
    "first_stage_vars",
    "fix_plan",
    "plan_of",
    "solve_ev",
    "solve_rp",
    "solve_ws",
    "value_of_information",
]
