"""Trade-off curves of the chain model and the mean–CVaR frontier of any two-stage problem.

Both re-use one built model and one persistent HiGHS solver (:func:`~bekostiging.analytics.sweep.sweep`):

* :func:`late_penalty_curve` / :func:`funding_ratio_curve` — the chain model re-solved
  while the late-case penalty (``first.late_case_month_meur``) or the floor on the chain
  budget against the MPP need (``first.funding_ratio_min``) changes; one row per value
  with the expected KPIs of the chain (euros, case-months, persons);
* :func:`mean_cvar_frontier` — for weights W the objective
  ``(1 − W)·E[total cost] + W·CVaR_α[total cost]`` on one model whose W is a mutable
  Param (:func:`risk_model`); written against the two-stage contract only
  (``FirstStageCost``, ``SecondStageCost``), so it works on any two-stage problem.

Expected cost and CVaR of every point are computed from the solution's per-scenario
totals ``FirstStageCost + SecondStageCost_s`` (:func:`~bekostiging.analytics.stats.cvar`,
the weighted tail mean), not read from the model's VaR/CVaR variables: at W = 0 those
are free and carry no meaning.

Points run in ``workers`` processes (contiguous chunks of the values, see
:func:`~bekostiging.analytics.sweep.sweep`), so the factories, setters and metrics
here are top-level functions or :func:`functools.partial` of them (picklable).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from bekostiging.analytics.stats import cvar, weighted_mean
from bekostiging.analytics.sweep import sweep
from bekostiging.model.data import MONEY_SCALE, ChainData
from bekostiging.solver import SolverOptions
from bekostiging.twostage import Risk, TwoStageProblem, extensive_form

LATE_PENALTY_PARAM = "first.late_case_month_meur"  # M EUR per late case-month
FUNDING_RATIO_MIN_PARAM = "first.funding_ratio_min"
RISK_WEIGHT_PARAM = "risk_weight"
# The extensive form only declares VaR, Excess and CVaR for a positive weight; the frontier
# model is built with this weight and then gets its own objective with a mutable weight.
STRUCTURE_WEIGHT = 0.5
# Expected chain KPIs of a sweep point, shown as ``expected_<kpi>``: the names and definitions of
# the run's ``kpis`` table (results.py); tests/test_sweep_cli.py checks they give the same numbers.
CURVE_KPIS = (
    "total_cost_eur",
    "spending_eur",
    "penalty_eur",
    "late_case_months",
    "backlog_end_persons",
    "backlog_mean_persons",
    "supplementary_funding_eur",
)
CURVE_COLUMNS = (
    "value",
    "objective_eur",
    "bound_eur",
    *(f"expected_{k}" for k in CURVE_KPIS),
    "cvar_total_cost_eur",
    "status",
    "gap",
    "seconds",
    "warm_start_rejected",
    "worker",
)

Metrics = Callable[[pyo.ConcreteModel], Mapping[str, float]]


def _probabilities(m: pyo.ConcreteModel) -> tuple[list[str], list[float]]:
    names = list(m.SCENARIOS)
    return names, [float(pyo.value(m.prob[s])) for s in names]


def scenario_totals(m: pyo.ConcreteModel) -> tuple[list[float], list[float]]:
    """``FirstStageCost + SecondStageCost_s`` per scenario (model units) and the probabilities."""
    names, prob = _probabilities(m)
    first = float(pyo.value(m.first.FirstStageCost))
    return [first + float(pyo.value(m.scen[s].SecondStageCost)) for s in names], prob


def _value(x: object) -> float:
    value = pyo.value(x, exception=False)
    return 0.0 if value is None else float(value)


def curve_kpis(b: pyo.Block, first: pyo.Block, d: ChainData, stage1_meur: float) -> dict[str, float]:
    """The :data:`CURVE_KPIS` of one solved scenario block (euros, case-months, persons)."""
    last = len(d.periods) - 1
    backlog = [sum(_value(b.Backlog[k, t]) for k in b.KDEC) for t in first.T]
    spending = sum(_value(b.Spending[p, y]) for p in first.LINES for y in first.YEARS)
    return {
        "total_cost_eur": (stage1_meur + _value(b.SecondStageCost)) * MONEY_SCALE,
        "spending_eur": spending * MONEY_SCALE,
        "penalty_eur": _value(b.PenaltyCost) * MONEY_SCALE,
        "late_case_months": _value(b.LateCaseMonths),
        "backlog_end_persons": sum(_value(b.Backlog[k, last]) for k in b.KDEC),
        "backlog_mean_persons": float(np.mean(backlog)),
        "supplementary_funding_eur": sum(_value(b.Supplementary[y]) for y in first.YEARS) * MONEY_SCALE,
    }


def _chain_metrics(data: ChainData, alpha: float, m: pyo.ConcreteModel) -> dict[str, float]:
    names, prob = _probabilities(m)
    stage1 = _value(m.first.FirstStageCost)
    per = [curve_kpis(m.scen[s], m.first, data, stage1) for s in names]
    out = {f"expected_{k}": weighted_mean([row[k] for row in per], prob) for k in CURVE_KPIS}
    out["cvar_total_cost_eur"] = cvar([row["total_cost_eur"] for row in per], prob, alpha)
    return out


def chain_metrics(data: ChainData, alpha: float) -> Metrics:
    """Expected chain KPIs (``expected_<kpi>``) and the CVaR_α of total cost, in euros (picklable)."""
    return partial(_chain_metrics, data, alpha)


def _same(problem: TwoStageProblem) -> TwoStageProblem:
    """The factory of a problem already at hand (``partial(_same, problem)``; a lambda cannot be pickled)."""
    return problem


def set_floor_and_cap(cap: float, m: pyo.ConcreteModel, ratio: float) -> None:
    """Funding ratio floor ``ratio``; the policy's cap ``cap`` raised to it where it is lower."""
    m.first.funding_ratio_min.set_value(ratio)
    m.first.funding_ratio_max.set_value(max(cap, ratio))


def _in_euros(curve: pd.DataFrame) -> pd.DataFrame:
    out = curve.copy()
    out["objective_eur"] = out.pop("objective") * MONEY_SCALE
    out["bound_eur"] = out.pop("bound") * MONEY_SCALE
    for column in CURVE_COLUMNS:
        if column not in out.columns:
            out[column] = float("nan")
    ordered = out[list(CURVE_COLUMNS)]
    ordered.attrs.update(curve.attrs)
    return ordered


def late_penalty_curve(
    problem: TwoStageProblem,
    data: ChainData,
    penalties_eur: Sequence[float],
    options: SolverOptions | None = None,
    *,
    alpha: float = Risk().alpha,
    warm_start: bool = True,
    workers: int | None = None,
) -> pd.DataFrame:
    """One row per late-case penalty (EUR per case-month; ``value`` in EUR)."""
    curve = sweep(
        partial(_same, problem),
        [p / MONEY_SCALE for p in penalties_eur],
        options,
        param=LATE_PENALTY_PARAM,
        metrics=chain_metrics(data, alpha),
        warm_start=warm_start,
        workers=workers,
    )
    curve["value"] = list(penalties_eur)
    return _in_euros(curve)


def funding_ratio_curve(
    problem: TwoStageProblem,
    data: ChainData,
    ratios: Sequence[float],
    options: SolverOptions | None = None,
    *,
    alpha: float = Risk().alpha,
    warm_start: bool = True,
    workers: int | None = None,
) -> pd.DataFrame:
    """One row per floor r on the chain budget: ``Σ_p Budget_{p,y} ≥ r · MPP need_y`` every year.

    A policy that also caps the ratio (``funding_ratio_max``) keeps its cap, raised to r where
    r is above it (so a floor never contradicts the cap). Needs the MPP baseline in ``data``.
    """
    if data.baseline is None:
        raise ValueError("a funding-ratio sweep needs the MPP baseline (use pipeline.prepare_problem)")
    cap = data.policy.funding_ratio_max
    if cap is None:
        param: str | Callable[[pyo.ConcreteModel, float], None] = FUNDING_RATIO_MIN_PARAM
    else:
        param = partial(set_floor_and_cap, cap)
    curve = sweep(
        partial(_same, problem),
        list(ratios),
        options,
        param=param,
        metrics=chain_metrics(data, alpha),
        warm_start=warm_start,
        workers=workers,
    )
    return _in_euros(curve)


def risk_model(problem: TwoStageProblem, alpha: float, weight: float = 0.0) -> pyo.ConcreteModel:
    """The extensive form with ``(1 − W)·(FirstStageCost + E[SecondStageCost]) + W·CVaR_α``,
    W the mutable Param ``risk_weight``: the frontier re-solves it without a rebuild."""
    m = extensive_form(problem.with_risk(Risk(STRUCTURE_WEIGHT, alpha)))
    m.Objective.deactivate()
    m.risk_weight = pyo.Param(initialize=weight, mutable=True, within=pyo.UnitInterval)
    m.RiskObjective = pyo.Objective(
        expr=(1 - m.risk_weight) * (m.first.FirstStageCost + m.ExpectedSecondStageCost)
        + m.risk_weight * m.CVaR,
        sense=pyo.minimize,
    )
    return m


def _risk_metrics(alpha: float, extra: Metrics | None, m: pyo.ConcreteModel) -> dict[str, float]:
    totals, prob = scenario_totals(m)
    out = {
        "expected_total_cost": weighted_mean(totals, prob),
        "cvar_total_cost": cvar(totals, prob, alpha),
        "max_total_cost": max(totals),
    }
    if extra is not None:
        out.update(extra(m))
    return out


def mean_cvar_frontier(
    problem: TwoStageProblem,
    weights: Sequence[float],
    alpha: float,
    options: SolverOptions | None = None,
    *,
    metrics: Metrics | None = None,
    warm_start: bool = True,
    workers: int | None = None,
) -> pd.DataFrame:
    """One row per CVaR weight W in [0, 1]: objective, expected total cost and CVaR_α (model units).

    ``metrics`` adds columns (e.g. :func:`chain_metrics`). ``attrs["alpha"]`` is the level.
    """
    bad = [w for w in weights if not 0.0 <= w <= 1.0]
    if bad:
        raise ValueError(f"CVaR weights must lie in [0, 1], got {bad}")
    if not 0.0 <= alpha < 1.0:
        raise ValueError(f"CVaR level alpha must be in [0, 1), got {alpha}")
    frontier = sweep(
        partial(risk_model, problem, alpha),
        list(weights),
        options,
        param=RISK_WEIGHT_PARAM,
        metrics=partial(_risk_metrics, alpha, metrics),
        warm_start=warm_start,
        workers=workers,
    )
    frontier = frontier.rename(columns={"value": "weight"})
    frontier.attrs["alpha"] = alpha
    return frontier
