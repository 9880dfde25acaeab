"""Decisions by budget year: a scenario tree and nested non-anticipativity on the two-stage builders.

The design is ``model/stages.md``. A :class:`~bekostiging.twostage.TwoStageProblem`
becomes multistage without touching its builders:

* every stage-1 variable gets a **stage** (the index of the budget year in which it
  is decided) from ``problem.decision_stage`` (the chain model's rule is in
  :mod:`bekostiging.model.stages`; variables without a rule are stage 0, the root);
* a :class:`ScenarioTree` holds, per stage, a partition of the scenarios into nodes
  (nested: every node lies inside one node of the stage before);
* :func:`yearly_extensive_form` gives every scenario its own copy of the stage-1 block
  and adds the ``Nonanticipativity`` rows: within each node of stage j, the stage-j
  variables of every member equal those of the node's first member.

With a one-node-per-stage tree this is the two-stage model; with singletons from
stage 0 on it is wait-and-see. :func:`build_tree` makes the tree from the scenario set
by forward clustering (exact weighted 1-D k-means of a feature per boundary).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.var import VarData

from bekostiging.twostage import TwoStageProblem

ROOT_STAGE = 0
StageRule = Callable[[pyo.Block, VarData], int]


@dataclass(frozen=True)
class ScenarioTree:
    """Nested partitions of the scenarios, one per stage (budget year).

    ``stages[j]`` is the tuple of nodes of stage j; a node is a tuple of scenario
    names in the problem's scenario order. Node ``(j, i)`` is labelled ``f"{j}:{i}"``.
    """

    stages: tuple[tuple[tuple[str, ...], ...], ...]

    @property
    def n_stages(self) -> int:
        return len(self.stages)

    def check(self, names: Sequence[str]) -> None:
        """Raise ValueError unless every stage partitions ``names`` and the partitions nest."""
        if not self.stages:
            raise ValueError("a scenario tree needs at least one stage")
        everyone = set(names)
        parent_of: dict[str, int] = {}
        for j, nodes in enumerate(self.stages):
            seen: list[str] = [s for node in nodes for s in node]
            if any(not node for node in nodes):
                raise ValueError(f"stage {j} has an empty node")
            if len(seen) != len(set(seen)) or set(seen) != everyone:
                raise ValueError(f"stage {j} does not partition the scenarios {sorted(everyone)}")
            here = {s: i for i, node in enumerate(nodes) for s in node}
            if j > 0:
                for node in nodes:
                    if len({parent_of[s] for s in node}) != 1:
                        raise ValueError(f"a node of stage {j} spans two nodes of stage {j - 1}: {node}")
            parent_of = here

    def nodes(self) -> Iterator[tuple[int, str, tuple[str, ...]]]:
        """(stage, label, members) of every node, stage by stage."""
        for j, nodes in enumerate(self.stages):
            for i, node in enumerate(nodes):
                yield j, f"{j}:{i}", node

    def node_of(self, stage: int, scenario: str) -> str:
        for i, node in enumerate(self.stages[stage]):
            if scenario in node:
                return f"{stage}:{i}"
        raise KeyError(scenario)

    @classmethod
    def two_stage(cls, names: Sequence[str], n_stages: int) -> ScenarioTree:
        """One node per stage: every decision common to all scenarios."""
        return cls(tuple((tuple(names),) for _ in range(n_stages)))

    @classmethod
    def clairvoyant(cls, names: Sequence[str], n_stages: int, from_stage: int = 0) -> ScenarioTree:
        """One node up to ``from_stage``, then a node per scenario (0 = wait-and-see)."""
        return cls(
            tuple((tuple(names),) if j < from_stage else tuple((s,) for s in names) for j in range(n_stages))
        )


def _kmeans_1d(values: np.ndarray, weights: np.ndarray, k: int) -> list[list[int]]:
    """Exact weighted 1-D k-means (dynamic programming over sorted values): index groups.

    Minimises sum_c sum_{i in c} w_i (x_i - mean_c)^2 over partitions into at most k
    contiguous groups of the sorted values; ties broken by original position, so the
    result is reproducible. Equal values are never split (a cut only between distinct values).
    """
    order = np.lexsort((np.arange(len(values)), values))
    x, w = values[order], weights[order]
    n = len(x)
    distinct = len(np.unique(x))
    k = max(1, min(k, distinct))
    cw = np.concatenate([[0.0], np.cumsum(w)])
    cwx = np.concatenate([[0.0], np.cumsum(w * x)])
    cwxx = np.concatenate([[0.0], np.cumsum(w * x * x)])

    def sse(i: int, j: int) -> float:  # group x[i:j]
        ww = cw[j] - cw[i]
        if ww <= 0:
            return 0.0
        s = cwx[j] - cwx[i]
        return float(cwxx[j] - cwxx[i] - s * s / ww)

    cuttable = [i for i in range(1, n) if x[i] > x[i - 1]]  # group starts allowed here
    inf = float("inf")
    cost = [[inf] * (n + 1) for _ in range(k + 1)]
    back = [[0] * (n + 1) for _ in range(k + 1)]
    cost[0][0] = 0.0
    starts = [0, *cuttable]
    ends = [*cuttable, n]
    for c in range(1, k + 1):
        for j in ends:
            best, arg = inf, 0
            for i in starts:
                if i >= j or cost[c - 1][i] == inf:
                    continue
                v = cost[c - 1][i] + sse(i, j)
                if v < best - 1e-12:
                    best, arg = v, i
            cost[c][j], back[c][j] = best, arg
    groups: list[list[int]] = []
    j = n
    for c in range(k, 0, -1):
        i = back[c][j]
        groups.append([int(order[t]) for t in range(i, j)])
        j = i
    groups.reverse()
    return [g for g in groups if g]


def build_tree(
    names: Sequence[str],
    probabilities: Sequence[float],
    features: np.ndarray,
    branching: Sequence[int],
) -> ScenarioTree:
    """Forward clustering: split every node at boundary j into at most ``branching[j-1]`` children.

    ``features[s, j-1]`` is scenario s's feature observed by the start of stage j (for the
    chain model: total inflow in budget year j-1); the tree has ``features.shape[1] + 1``
    stages. ``branching`` has one entry per boundary, or a single entry for all. Children
    are the groups of the exact weighted 1-D k-means of the node's features
    (:func:`_kmeans_1d`), ordered by feature, so node 0 is the lowest inflow.
    """
    names = list(names)
    feats = np.asarray(features, dtype=float)
    if feats.ndim != 2 or feats.shape[0] != len(names):
        raise ValueError(f"features must be (scenarios, boundaries); got shape {feats.shape}")
    boundaries = feats.shape[1]
    if len(branching) == 1:
        branching = list(branching) * boundaries
    if len(branching) != boundaries:
        raise ValueError(f"branching needs 1 or {boundaries} values (one per budget-year boundary)")
    if any(b < 1 for b in branching):
        raise ValueError("branching values must be at least 1")
    p = np.asarray(probabilities, dtype=float)
    index = {s: i for i, s in enumerate(names)}
    stages: list[tuple[tuple[str, ...], ...]] = [(tuple(names),)]
    for j in range(boundaries):
        children: list[tuple[str, ...]] = []
        for node in stages[-1]:
            idx = np.array([index[s] for s in node])
            groups = _kmeans_1d(feats[idx, j], p[idx], branching[j])
            for g in groups:
                members = sorted(int(idx[i]) for i in g)
                children.append(tuple(names[i] for i in members))
        stages.append(tuple(children))
    return ScenarioTree(tuple(stages))


def _key(first: pyo.Block, v: VarData) -> str:
    return v.getname(relative_to=first, fully_qualified=True)


def stage_map(first: pyo.Block, rule: StageRule | None) -> dict[str, int]:
    """The stage of every stage-1 variable of ``first`` (root for all without a rule)."""
    stages: dict[str, int] = {}
    for var in first.first_stage_vars:
        for v in var.values():
            stages[_key(first, v)] = ROOT_STAGE if rule is None else max(ROOT_STAGE, int(rule(first, v)))
    return stages


def _vars_by_key(first: pyo.Block) -> dict[str, VarData]:
    return {_key(first, v): v for var in first.first_stage_vars for v in var.values()}


def yearly_extensive_form(
    problem: TwoStageProblem,
    tree: ScenarioTree,
    fixed: dict[str, float] | None = None,
) -> pyo.ConcreteModel:
    r"""The extensive form with a stage-1 copy per scenario and nested non-anticipativity.

    .. math::
        \min\ \sum_s p_s \big[FirstStageCost(x_s) + SecondStageCost_s(x_s, z_s)\big]

        x_{s,v} = x_{r(n),v} \qquad \forall j,\ n \in \mathcal N_j,\ s \in n \setminus \{r(n)\},\
        v : j(v) = j

    (with CVaR: :math:`(1-W)\,E[\cdot] + W\,CVaR_\alpha` on the per-scenario totals, as in
    :func:`bekostiging.twostage.extensive_form`).

    ==============  ==================================  ==========================
    symbol          component                           meaning
    ==============  ==================================  ==========================
    x_{s,v}         ``first[s].<var>[index]``           stage-1 variable v, scenario s's copy
    j(v)            ``problem.decision_stage``          stage (budget-year index) of v
    \mathcal N_j    ``tree.stages[j]``                  nodes of stage j
    r(n)            first member of node n              the node's representative
    ==============  ==================================  ==========================

    ``fixed`` (variable key -> value) fixes those stage-1 variables in every copy (the
    out-of-sample test fixes the root-stage decisions of a solved plan).
    """
    names = problem.names
    tree.check(names)
    m = pyo.ConcreteModel(name="yearly_extensive_form")
    m.SCENARIOS = pyo.Set(initialize=names, ordered=True)
    m.prob = pyo.Param(m.SCENARIOS, initialize={s.name: s.probability for s in problem.scenarios})
    m.first = pyo.Block(m.SCENARIOS)
    m.scen = pyo.Block(m.SCENARIOS)
    for s in problem.scenarios:
        problem.build_first_stage(m.first[s.name])
        problem.build_second_stage(m.scen[s.name], m.first[s.name], s.data)
    copies = {s: _vars_by_key(m.first[s]) for s in names}
    if fixed is not None:
        for s in names:
            _fix(copies[s], fixed)
    add_nonanticipativity(m, tree, stage_map(m.first[names[0]], problem.decision_stage), copies)
    total = {s: m.first[s].FirstStageCost + m.scen[s].SecondStageCost for s in names}
    m.TotalCost = pyo.Expression(m.SCENARIOS, rule=lambda _m, s: total[s])
    expected = sum(m.prob[s] * m.TotalCost[s] for s in m.SCENARIOS)
    m.ExpectedCost = pyo.Expression(expr=expected)
    w, alpha = problem.risk.weight, problem.risk.alpha
    if w > 0:
        m.VaR = pyo.Var(domain=pyo.Reals)
        m.Excess = pyo.Var(m.SCENARIOS, domain=pyo.NonNegativeReals)
        m.Excess_Def = pyo.Constraint(
            m.SCENARIOS, rule=lambda mm, s: mm.Excess[s] >= mm.TotalCost[s] - mm.VaR
        )
        m.CVaR = pyo.Expression(
            expr=m.VaR + sum(m.prob[s] * m.Excess[s] for s in m.SCENARIOS) / (1.0 - alpha)
        )
        m.Objective = pyo.Objective(expr=(1.0 - w) * expected + w * m.CVaR, sense=pyo.minimize)
    else:
        m.Objective = pyo.Objective(expr=expected, sense=pyo.minimize)
    return m


def add_nonanticipativity(
    m: pyo.ConcreteModel,
    tree: ScenarioTree,
    stages: dict[str, int],
    copies: dict[str, dict[str, VarData]],
) -> None:
    r"""Nonanticipativity — within a node of stage j, the stage-j decisions of all members are equal.

    .. math::
        x_{s,v} = x_{r(n),v} \qquad \forall j,\ n \in \mathcal N_j,\ s \in n \setminus \{r(n)\},\
        v \in V_j = \{v : j(v) = j\}

    Nested partitions make this the full non-anticipativity of the tree: a member of
    a stage-j node shares its stage-i ancestors (i < j) with the same scenarios, so
    its earlier decisions are tied by the rows of those stages. Pairs where both
    copies are fixed (by a policy or the out-of-sample test) get no row.

    ==============  ==================================  =====================================
    symbol          component                           unit
    ==============  ==================================  =====================================
    x_{s,v}         ``first[s].<var>[index]``           the stage-1 variable's own unit
    j(v)            ``m.stage_of[key]``                 stage (budget-year index, 0 = now)
    \mathcal N_j    ``m.tree.stages[j]``                nodes (sets of scenarios)
    r(n)            first member of ``n``               representative scenario
    ==============  ==================================  =====================================
    """
    if tree.n_stages <= max(stages.values(), default=ROOT_STAGE):
        raise ValueError(
            f"the tree has {tree.n_stages} stages but decisions fall in stage {max(stages.values())}"
        )
    pairs: list[tuple[VarData, VarData]] = []
    for j, _label, node in tree.nodes():
        rep = copies[node[0]]
        keys = [k for k, st in stages.items() if st == j]
        for s in node[1:]:
            mine = copies[s]
            pairs.extend((mine[k], rep[k]) for k in keys if not (mine[k].fixed and rep[k].fixed))
    m.NA_INDEX = pyo.RangeSet(0, len(pairs) - 1) if pairs else pyo.Set(initialize=[])
    m.Nonanticipativity = pyo.Constraint(m.NA_INDEX, rule=lambda _m, i: pairs[i][0] == pairs[i][1])
    m.stage_of = stages  # plain dict: variable key -> stage
    m.tree = tree


def _fix(variables: dict[str, VarData], values: dict[str, float]) -> None:
    for key, val in values.items():
        if key not in variables:
            raise KeyError(f"no stage-1 variable {key}")
        v = variables[key]
        v.fix(round(val) if v.is_integer() else val)


def root_values(m: pyo.ConcreteModel) -> dict[str, float]:
    """The root-stage decisions of a solved yearly form (common to all scenarios: 'nu besluiten')."""
    names = list(m.SCENARIOS)
    first = m.first[names[0]]
    variables = _vars_by_key(first)
    return {k: _value(variables[k]) for k, st in m.stage_of.items() if st == ROOT_STAGE}


def _value(v: VarData) -> float:
    if v.value is None:
        raise ValueError(f"stage-1 variable {v.name} has no value")
    return float(v.value)


def node_values(m: pyo.ConcreteModel) -> list[tuple[str, int, str, float, float]]:
    """(variable, stage, node, node probability, value) of every stage-1 variable at its own stage."""
    rows: list[tuple[str, int, str, float, float]] = []
    by_stage: dict[int, list[str]] = {}
    for k, st in m.stage_of.items():
        by_stage.setdefault(st, []).append(k)
    tree: ScenarioTree = m.tree
    copies: dict[str, dict[str, VarData]] = {}
    for j, label, node in tree.nodes():
        rep = node[0]
        if rep not in copies:
            copies[rep] = _vars_by_key(m.first[rep])
        prob = float(sum(pyo.value(m.prob[s]) for s in node))
        for k in by_stage.get(j, []):
            rows.append((k, j, label, prob, _value(copies[rep][k]) + 0.0))  # + 0.0: no "-0.0"
    return rows


def check_nonanticipative(m: pyo.ConcreteModel, tolerance: float = 1e-6) -> float:
    """The largest violation of non-anticipativity in a solved yearly form (for tests and checks)."""
    worst = 0.0
    for c in m.Nonanticipativity.values():
        lhs, rhs = c.expr.args
        worst = max(worst, abs(float(pyo.value(lhs)) - float(pyo.value(rhs))))
    return worst if worst > tolerance else 0.0


def scenario_first_stage(m: pyo.ConcreteModel, scenario: str) -> dict[str, float]:
    """One scenario's own stage-1 plan (its path through the tree)."""
    return {k: _value(v) for k, v in _vars_by_key(m.first[scenario]).items()}


def root_of(problem: TwoStageProblem, plan: dict[str, float]) -> dict[str, float]:
    """The root-stage part of a stage-1 plan (the coming budget year's decisions).

    Stages by ``problem.decision_stage`` on a freshly built stage-1 block, so a plan
    from a two-stage run and one path of a yearly run are cut the same way.
    """
    block = pyo.ConcreteModel()
    problem.build_first_stage(block)
    stages = stage_map(block, problem.decision_stage)
    return {k: v for k, v in plan.items() if stages.get(k, ROOT_STAGE) == ROOT_STAGE}


__all__ = [
    "ROOT_STAGE",
    "ScenarioTree",
    "build_tree",
    "check_nonanticipative",
    "node_values",
    "root_of",
    "root_values",
    "scenario_first_stage",
    "stage_map",
    "yearly_extensive_form",
]
