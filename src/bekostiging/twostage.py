"""The two-stage contract, and the extensive form built on it.

Any two-stage model given to the generic machinery (extensive form, EV/EEV/WS
analytics, out-of-sample evaluation, mpi-sppy) is a :class:`TwoStageProblem`:

* ``build_first_stage(block)`` adds the stage-1 variables to ``block``, lists
  them in ``block.first_stage_vars`` (a Python list of Var components) and
  defines the expression ``block.FirstStageCost``;
* ``build_second_stage(block, first, data)`` adds one scenario's stage-2
  variables and constraints to ``block``, referring to the stage-1 variables on
  ``first``, and defines ``block.SecondStageCost`` (all scenario costs and
  penalties, stage-1 costs excluded);
* ``scenarios``: (name, probability, data) triples;
* ``mean_data()`` the data of the expected-value scenario (for EV);
* optionally ``decision_stage(first, var)``: the stage (budget-year index, 0 = now)
  in which a stage-1 variable is decided, for the multistage form
  (``multistage.py``, ``model/stages.md``); without it every stage-1 variable is
  decided now;
* optionally ``template``: a second-stage builder whose scenario data are mutable
  Params, and a ``load_data(block, data)`` that re-points such a block at another
  scenario (the block-angular assembler, ``assemble.py``, needs both).

The compact extensive form shares one stage-1 block across scenario blocks (no
copies, no non-anticipativity rows). :func:`scenario_creator` builds the
one-scenario model with the mpi-sppy conventions and signature
(``scenario_creator(scenario_name, problem=...)``, ``_mpisppy_probability``, root
node with the stage-1 variables), so the same builders can be handed to mpi-sppy
unchanged; :mod:`bekostiging.analytics.sppy` runs the analytics on any such model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pyomo.environ as pyo

FirstStageBuilder = Callable[[pyo.Block], None]
SecondStageBuilder = Callable[[pyo.Block, pyo.Block, Any], None]


@dataclass(frozen=True)
class ScenarioData:
    name: str
    probability: float
    data: Any


@dataclass(frozen=True)
class Risk:
    """CVaR weight W and level alpha: objective (1-W)·E[cost] + W·CVaR_alpha[cost]."""

    weight: float = 0.0
    alpha: float = 0.9


@dataclass(frozen=True)
class ScenarioTemplate:
    """A second-stage block that can stand for any scenario: data as mutable Params.

    ``build_second_stage`` builds the same block as the problem's builder, with the
    scenario data as mutable Params; ``load_data(block, data)`` sets those Params to
    another scenario's data (and raises if that scenario's block has another structure).
    """

    build_second_stage: SecondStageBuilder
    load_data: Callable[[pyo.Block, Any], None]


@dataclass(frozen=True)
class TwoStageProblem:
    build_first_stage: FirstStageBuilder
    build_second_stage: SecondStageBuilder
    scenarios: Sequence[ScenarioData]
    mean_data: Callable[[], Any]
    risk: Risk = field(default_factory=Risk)
    template: ScenarioTemplate | None = None
    decision_stage: Callable[[pyo.Block, Any], int] | None = None

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    def with_scenarios(self, scenarios: Sequence[ScenarioData]) -> TwoStageProblem:
        return replace(self, scenarios=tuple(scenarios))

    def with_risk(self, risk: Risk) -> TwoStageProblem:
        return replace(self, risk=risk)


def extensive_form(
    problem: TwoStageProblem,
    fixed_first_stage: dict[str, float] | None = None,
    *,
    partial: bool = False,
) -> pyo.ConcreteModel:
    """The compact extensive form: one stage-1 block, one block per scenario.

    Objective: (1-W)·(FirstStageCost + Σ_s p_s SecondStageCost_s) + W·CVaR_alpha, where
    CVaR_alpha = eta + 1/(1-alpha) Σ_s p_s u_s, u_s >= TotalCost_s - eta, u_s >= 0
    and TotalCost_s = FirstStageCost + SecondStageCost_s (Rockafellar-Uryasev).
    With ``fixed_first_stage`` (from :func:`first_stage_values`) the stage-1
    variables are fixed: the model is then the recourse problem for that plan
    (``partial=True``: only those given, the rest stay free).
    """
    m = pyo.ConcreteModel(name="extensive_form")
    m.first = pyo.Block()
    problem.build_first_stage(m.first)
    names = problem.names
    m.SCENARIOS = pyo.Set(initialize=names, ordered=True)
    m.prob = pyo.Param(m.SCENARIOS, initialize={s.name: s.probability for s in problem.scenarios})
    m.scen = pyo.Block(m.SCENARIOS)
    for s in problem.scenarios:
        problem.build_second_stage(m.scen[s.name], m.first, s.data)
    expected = sum(m.prob[s] * m.scen[s].SecondStageCost for s in m.SCENARIOS)
    m.ExpectedSecondStageCost = pyo.Expression(expr=expected)
    w, alpha = problem.risk.weight, problem.risk.alpha
    if w > 0:
        m.VaR = pyo.Var(domain=pyo.Reals)
        m.Excess = pyo.Var(m.SCENARIOS, domain=pyo.NonNegativeReals)
        m.Excess_Def = pyo.Constraint(
            m.SCENARIOS,
            rule=lambda mm, s: mm.Excess[s] >= mm.first.FirstStageCost + mm.scen[s].SecondStageCost - mm.VaR,
        )
        m.CVaR = pyo.Expression(
            expr=m.VaR + sum(m.prob[s] * m.Excess[s] for s in m.SCENARIOS) / (1.0 - alpha)
        )
        m.Objective = pyo.Objective(
            expr=(1.0 - w) * (m.first.FirstStageCost + expected) + w * m.CVaR, sense=pyo.minimize
        )
    else:
        m.Objective = pyo.Objective(expr=m.first.FirstStageCost + expected, sense=pyo.minimize)
    if fixed_first_stage is not None:
        fix_first_stage(m.first, fixed_first_stage, partial=partial)
    return m


def scenario_creator(scenario_name: str, problem: TwoStageProblem) -> pyo.ConcreteModel:
    """One scenario's model with mpi-sppy's conventions (root node, probability).

    mpi-sppy's own signature, ``scenario_creator(scenario_name, **kwargs)``, so it is
    handed to mpi-sppy unchanged::

        ExtensiveForm(options, problem.names, scenario_creator,
                      scenario_creator_kwargs={"problem": problem})
    """
    found = [x for x in problem.scenarios if x.name == scenario_name]
    if not found:
        raise KeyError(f"no scenario {scenario_name!r} in the problem ({len(problem.scenarios)} scenarios)")
    s = found[0]
    m = pyo.ConcreteModel(name=scenario_name)
    m.first = pyo.Block()
    problem.build_first_stage(m.first)
    m.scen = pyo.Block()
    problem.build_second_stage(m.scen, m.first, s.data)
    m.Objective = pyo.Objective(expr=m.first.FirstStageCost + m.scen.SecondStageCost, sense=pyo.minimize)
    m._mpisppy_probability = s.probability
    try:  # optional: attach the node list only when mpi-sppy is installed
        from mpisppy.utils import sputils  # type: ignore[import-not-found]
    except ImportError:
        return m
    sputils.attach_root_node(m, m.first.FirstStageCost, list(m.first.first_stage_vars))
    return m


def first_stage_values(first: pyo.Block) -> dict[str, float]:
    """Stage-1 values keyed by the variable's name relative to its block."""
    values: dict[str, float] = {}
    for var in first.first_stage_vars:
        for v in var.values():
            if v.value is None:
                raise ValueError(f"stage-1 variable {v.name} has no value")
            values[v.getname(relative_to=first, fully_qualified=True)] = float(v.value)
    return values


def fix_first_stage(first: pyo.Block, values: dict[str, float], *, partial: bool = False) -> None:
    """Fix every stage-1 variable to its value (integers rounded to the nearest).

    ``partial=True`` fixes only the variables in ``values`` (the others stay free: the
    root-stage decisions of a yearly plan, later years re-optimised); every key of
    ``values`` must then still name a stage-1 variable.
    """
    known: set[str] = set()
    for var in first.first_stage_vars:
        for v in var.values():
            key = v.getname(relative_to=first, fully_qualified=True)
            known.add(key)
            if key not in values:
                if partial:
                    continue
                raise KeyError(f"no value for stage-1 variable {key}")
            val = values[key]
            v.fix(round(val) if v.is_integer() else val)
    unknown = set(values) - known
    if partial and unknown:
        raise KeyError(f"not stage-1 variables: {sorted(unknown)[:5]}")
