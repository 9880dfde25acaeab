"""Scenario reduction by fast forward selection (Heitsch & Römisch 2003, Algorithm 2.4).

From ``S`` scenarios ``ξ_i`` with probabilities ``p_i`` keep ``K`` of them and give each
deleted scenario's probability to its nearest kept one, so that the Kantorovich distance
between the two distributions (for the cost ``c(ξ_i, ξ_j)``) is kept small:

1. ``c_ij = ‖ξ_i − ξ_j‖₂`` (here: the scenario's whole inflow path, persons per period and
   category, as one vector).
2. Step 1: ``z_u = Σ_{k≠u} p_k c_ku``; select ``u_1 = argmin_u z_u``.
3. Step i (2 … K): with ``J`` the not-yet-selected scenarios,
   ``c_ku ← min(c_ku, c_{k,u_{i−1}})`` for ``k, u ∈ J``;
   ``z_u = Σ_{k∈J∖{u}} p_k c_ku``; select ``u_i = argmin_{u∈J} z_u``.
4. Redistribution: ``q_j = p_j + Σ_{i deleted, j(i) = j} p_i`` with ``j(i)`` the selected
   scenario nearest to ``i`` (ties: the first selected).

The last ``z`` is the distance of the reduced distribution, ``Σ_{i deleted} p_i min_j c_ij``
(returned as ``distance``). Ties in ``argmin`` go to the lowest index (reproducible).
Memory ``S²`` floats (S = 5000: 200 MB in float64).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bekostiging.schema import ScenarioSet


@dataclass(frozen=True)
class Reduction:
    selected: tuple[int, ...]  # indices into the original scenarios, in selection order
    probabilities: tuple[float, ...]  # redistributed, aligned with ``selected``
    distance: float  # Σ_{deleted} p_i min_{selected} c_ij
    assignment: tuple[int, ...]  # for every original scenario: index of the selected one it went to


def distances(features: np.ndarray) -> np.ndarray:
    """Euclidean distances between the rows of ``features`` (S × d)."""
    x = np.asarray(features, dtype=float)
    sq = np.einsum("ij,ij->i", x, x)
    d2 = sq[:, None] + sq[None, :] - 2.0 * (x @ x.T)
    np.maximum(d2, 0.0, out=d2)
    np.fill_diagonal(d2, 0.0)
    return np.sqrt(d2)


def fast_forward(cost: np.ndarray, probabilities: Sequence[float], k: int) -> Reduction:
    """Fast forward selection of ``k`` scenarios for the distance matrix ``cost`` (S × S)."""
    c = np.array(cost, dtype=float)  # a copy: updated in place
    p = np.asarray(probabilities, dtype=float)
    n = len(p)
    if c.shape != (n, n):
        raise ValueError(f"cost matrix {c.shape} for {n} probabilities")
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and {n}, got {k}")
    remaining = np.ones(n, dtype=bool)
    selected: list[int] = []
    for step in range(k):
        if step > 0:
            last = selected[-1]
            np.minimum(c, c[:, [last]], out=c)  # c_ku <- min(c_ku, c_k,last), all u at once
        idx = np.flatnonzero(remaining)
        sub = c[np.ix_(idx, idx)]  # k (rows) x u (columns), both in J
        z = p[idx] @ sub  # Σ_k p_k c_ku; the k = u term is c_uu = 0
        best = int(np.argmin(z))
        selected.append(int(idx[best]))
        remaining[idx[best]] = False
    original = np.asarray(cost, dtype=float)
    sel = np.array(selected)
    nearest = sel[np.argmin(original[:, sel], axis=1)]
    nearest[sel] = sel  # a selected scenario keeps its own probability
    q = np.zeros(n)
    np.add.at(q, nearest, p)
    distance = (
        float(np.sum(p[remaining] * original[remaining][:, sel].min(axis=1))) if remaining.any() else 0.0
    )
    if k == n:
        distance = 0.0
    return Reduction(
        tuple(selected), tuple(float(q[s]) for s in selected), distance, tuple(int(j) for j in nearest)
    )


def inflow_features(scenario_set: ScenarioSet) -> np.ndarray:
    """Every scenario's inflow path (persons, all periods and categories) as one row."""
    return scenario_set.inflow_persons.reshape(len(scenario_set.scenarios), -1)


def reduce_set(scenario_set: ScenarioSet, k: int, name: str | None = None) -> tuple[ScenarioSet, Reduction]:
    """The set reduced to ``k`` scenarios by fast forward selection on the inflow paths."""
    features = inflow_features(scenario_set)
    probs = [s.probability for s in scenario_set.scenarios]
    red = fast_forward(distances(features), probs, k)
    chosen = sorted(range(len(red.selected)), key=lambda i: red.selected[i])  # original order
    names = [scenario_set.names[red.selected[i]] for i in chosen]
    reduced = scenario_set.subset(names, name=name or f"{scenario_set.name}-ffs{k}")
    by_name = {scenario_set.names[s]: q for s, q in zip(red.selected, red.probabilities, strict=True)}
    infos = tuple(s.model_copy(update={"probability": by_name[s.scenario]}) for s in reduced.scenarios)
    notes = (
        f"Fast forward selection (Heitsch & Römisch 2003) of {k} of the {len(probs)} scenarios of "
        f"{scenario_set.name}; distance: Euclidean norm of the monthly inflow path (persons); "
        f"probabilities of deleted scenarios moved to the nearest kept one; Kantorovich distance "
        f"{red.distance:.6g} persons."
    )
    old = scenario_set.provenance
    provenance = old.model_copy(update={"notes": f"{notes} Original set: {old.notes}".strip()})
    out = ScenarioSet(
        name=reduced.name,
        provenance=provenance,
        scenarios=infos,
        periods=reduced.periods,
        categories=reduced.categories,
        inflow_persons=reduced.inflow_persons,
        housing_persons=reduced.housing_persons,  # the kept scenarios keep their housing series
    )
    return out, red
