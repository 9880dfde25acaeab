"""Small, hand-checkable chain cases built in code, for the model tests.

:func:`make_case` starts from ``tests/fixtures/tiny-case`` (loaded with
``load_case``) and replaces its settings and tables with a *null* case whose
numbers are all round and whose every cost and penalty is zero, so that a test
switches on only the constraint family it looks at:

* horizon: one budget year (2026) in quarters, so T = 4 periods of 3 months and
  every per-year amount is 4 x the per-period amount (EUR 4,000 a year =
  EUR 1,000 a quarter);
* categories: ``first`` (registration, decision work 1), ``nareis`` (no
  registration, no decision: straight to the status holders), ``repeat``
  (registration, decision work 0.5); reception share 0 everywhere, so nobody
  enters COA unless a test says so;
* staff: all formations fixed (``adjustable = false``), no cost, no attrition;
  registration 100 FTE x 400 a year = 10,000 a quarter (never binding), IND
  10 FTE x 40 a year = 100 decisions a quarter, DT&V 100 FTE x 40 a year =
  1,000 returns a quarter; training 3 months = 1 period; IND legal term
  3 months = 1 period;
* COA: one location type ``std`` of 100 places, 1 open, at most 1, no cost;
  fill rate 1; emergency places EUR 40,000 a year (10,000 a quarter); the
  reserve, flex pool and asielreserve switched off by the policy;
* budget and penalties: all zero; initial stocks zero; housing 0 a period,
  permit share 0.5, no unsupervised departures.

Tests pass nested overrides (``ind={"adjustable": True}``, ``locations=[...]``,
``stocks={"status_holders": 5}``), so every number a test relies on is written
in the test itself. :func:`solve_chain` builds the extensive form straight from
:mod:`bekostiging.model` (no MPP baseline unless given) and solves it exactly.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyomo.environ as pyo

from bekostiging.io.case import load_case
from bekostiging.model import ScenarioInflow, chain_data, chain_problem
from bekostiging.model.data import ChainData, MppBaseline
from bekostiging.schema import Case, Category, Horizon, Provenance, ScenarioInfo, ScenarioSet, period_labels
from bekostiging.solver import HighsSolver, SolveOutcome, SolverOptions
from bekostiging.twostage import Risk, extensive_form

TINY_CASE = Path(__file__).parent / "fixtures" / "tiny-case"
CATEGORIES = tuple(c.value for c in Category)  # column order of inflow arrays
EXACT = SolverOptions(mip_gap=0.0, threads=1)
YEAR = 2026
QUARTERS = 4

_NULL_SETTINGS: dict[str, dict[str, Any]] = {
    "horizon": {"start_year": YEAR, "years": 1, "period": "quarter"},
    "categories": {
        "first": {"needs_registration": True, "decision_work": 1.0, "reception_share": 0.0},
        "nareis": {"needs_registration": False, "decision_work": 0.0, "reception_share": 0.0},
        "repeat": {"needs_registration": True, "decision_work": 0.5, "reception_share": 0.0},
    },
    "registration": {
        "adjustable": False,
        "initial_fte": 100.0,
        "output_per_fte_year": 400.0,
        "cost_per_fte_year_eur": 0.0,
        "hiring_cost_per_fte_eur": 0.0,
        "training_months": 3,
        "attrition_per_year": 0.0,
    },
    "ind": {
        "adjustable": False,
        "initial_fte": 10.0,
        "output_per_fte_year": 40.0,
        "cost_per_fte_year_eur": 0.0,
        "hiring_cost_per_fte_eur": 0.0,
        "cohort_fte": 1.0,
        "max_cohorts_per_intake": 10,
        "intake_interval_months": 3,
        "training_months": 3,
        "trainee_productivity_share": 0.0,
        "trainee_cap_share": 0.25,
        "attrition_per_year": 0.0,
        "legal_term_months": 3.0,
    },
    "dtv": {
        "adjustable": False,
        "initial_fte": 100.0,
        "output_per_fte_year": 40.0,
        "cost_per_fte_year_eur": 0.0,
        "hiring_cost_per_fte_eur": 0.0,
        "training_months": 3,
        "attrition_per_year": 0.0,
    },
    "coa": {
        "max_fill_rate": 1.0,
        "cost_per_resident_year_eur": 0.0,
        "reserve_holding_cost_per_place_year_eur": 0.0,
        "reserve_activation_cost_per_place_year_eur": 0.0,
        "reserve_activation_months": 3,
        "max_reserve_places": 0.0,
        "emergency_cost_per_place_year_eur": 40000.0,
        "initial_emergency_places": 0.0,
        "staff_fte_per_extra_place": 0.0,
        "external_staff_cost_per_fte_year_eur": 0.0,
        "location_decision_interval_months": 3,
    },
    "flexpool": {
        "team_fte": 2.0,
        "max_teams": 0,
        "retainer_cost_per_fte_year_eur": 0.0,
        "activation_cost_per_fte_year_eur": 0.0,
        "max_active_share": 1.0,
        "productivity_share": 0.5,
    },
    "budget": {
        "asielreserve_opportunity_rate": 0.0,
        "max_asielreserve_eur": 0.0,
        "supplementary_penalty": 0.0,
        "unspent_budget_weight": 0.0,
        "eindejaarsmarge_share": 0.0,
    },
    "penalties": {"late_case_month_eur": 0.0, "registration_queue_person_day_eur": 0.0},
    "policy": {
        "allow_flexpool": False,
        "allow_reserve_places": False,
        "allow_asielreserve": False,
        "allow_staff_changes": True,
        "occupancy_norm": 0.95,
        "funding_ratio_min": None,
        "funding_ratio_max": None,
    },
    "risk": {"weight": 0.0, "alpha": 0.9},
}

NULL_LOCATION: dict[str, Any] = {
    "location": "std",
    "places": 100.0,
    "initially_open": 1,
    "max_open": 1,
    "opening_cost_eur": 0.0,
    "closing_cost_eur": 0.0,
    "lead_time_months": 0,
    "cost_per_place_year_eur": 0.0,
}

_STOCK_KEYS = {
    "registration_queue": ("registration_queue", True),
    "ind_backlog": ("ind_backlog", True),
    "status_holders": ("status_holders", False),
    "rejected": ("rejected", False),
}


def _per_period(value: float | Sequence[float], n: int) -> list[float]:
    if isinstance(value, int | float):
        return [float(value)] * n
    values = [float(v) for v in value]
    if len(values) != n:
        raise ValueError(f"{len(values)} values for {n} periods")
    return values


def _merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def make_case(
    *,
    categories: Mapping[str, Mapping[str, Any]] | None = None,
    locations: Sequence[Mapping[str, Any]] | None = None,
    stocks: Mapping[str, float | Mapping[str, float]] | None = None,
    housing: float | Sequence[float] = 0.0,
    permit_share: float | Sequence[float] = 0.5,
    unsupervised: float | Sequence[float] = 0.0,
    **settings: Mapping[str, Any],
) -> Case:
    """The null case (module docstring) with the given overrides, validated as a loaded case is.

    ``settings`` keys are the sections of ``case.toml`` (``ind``, ``coa``,
    ``policy``, ...); ``locations`` rows are merged onto :data:`NULL_LOCATION`;
    ``stocks`` maps ``registration_queue``/``ind_backlog`` to ``{category:
    persons}`` and ``status_holders``/``rejected`` to persons.
    """
    tiny = load_case(TINY_CASE).model_dump()
    s = _merge(tiny["settings"], _NULL_SETTINGS)
    s = _merge(s, {"categories": categories or {}})
    s = _merge(s, settings)
    s["case"] = {**s["case"], "name": "model-test", "default_scenarios": "test"}
    h = s["horizon"]
    labels = period_labels(Horizon.model_validate(h))
    n = len(labels)
    rows = []
    stock_values = dict(stocks or {})
    for key, (stock, per_category) in _STOCK_KEYS.items():
        value = stock_values.pop(key, {} if per_category else 0.0)
        if per_category:
            assert isinstance(value, Mapping)
            rows += [{"stock": stock, "category": c, "persons": float(value.get(c, 0.0))} for c in CATEGORIES]
        else:
            rows.append({"stock": stock, "category": None, "persons": float(value)})  # type: ignore[arg-type]
    if stock_values:
        raise KeyError(f"unknown stocks: {sorted(stock_values)}")
    hv, gv, uv = _per_period(housing, n), _per_period(permit_share, n), _per_period(unsupervised, n)
    series = [
        {
            "period": p,
            "housing_outflow_persons": hv[i],
            "permit_share": gv[i],
            "unsupervised_departure_share": uv[i],
        }
        for i, p in enumerate(labels)
    ]
    years = range(h["start_year"], h["start_year"] + h["years"])
    mpp = [{"year": y, "category": c, "low": 0.0, "mid": 0.0, "high": 0.0} for y in years for c in CATEGORIES]
    data = {
        "settings": s,
        "initial_stocks": rows,
        "series": series,
        "locations": [_merge(NULL_LOCATION, loc) for loc in (locations or [{}])],
        "mpp": mpp,
        "seasonality": [{"month": m, "factor": 1.0} for m in range(1, 13)],
    }
    return Case.model_validate(data)


def inflow(
    case: Case,
    first: float | Sequence[float] = 0.0,
    nareis: float | Sequence[float] = 0.0,
    repeat: float | Sequence[float] = 0.0,
) -> np.ndarray:
    """Inflow persons per period (rows) and category (columns ``first, nareis, repeat``)."""
    n = len(case.periods)
    return np.column_stack([_per_period(first, n), _per_period(nareis, n), _per_period(repeat, n)])


def scenario_set(
    case: Case, inflows: Mapping[str, np.ndarray], probabilities: Sequence[float] | None = None
) -> ScenarioSet:
    """A validated ScenarioSet of the given inflow arrays (equal probabilities unless given)."""
    names = list(inflows)
    p = list(probabilities) if probabilities is not None else [1.0 / len(names)] * len(names)
    return ScenarioSet(
        name="test",
        provenance=Provenance(method="manual", source="tests/model_cases.py", created=date(2026, 1, 1)),
        scenarios=tuple(ScenarioInfo(scenario=s, probability=q) for s, q in zip(names, p, strict=True)),
        periods=tuple(case.periods),
        categories=tuple(Category),
        inflow_persons=np.stack([np.asarray(inflows[s], dtype=float) for s in names]),
    )


def baseline(
    case: Case,
    need_eur: Mapping[tuple[str, int], float] | None = None,
    occupancy: Sequence[float] | None = None,
    first_stage: Mapping[str, float] | None = None,
) -> MppBaseline:
    """A hand-written MPP baseline (need in euros, converted to the model's M EUR)."""
    n = len(case.periods)
    return MppBaseline(
        need_meur={k: v / 1e6 for k, v in (need_eur or {}).items()},
        occupancy_persons=tuple(occupancy) if occupancy is not None else (0.0,) * n,
        first_stage=dict(first_stage or {}),
    )


def solve_chain(
    case: Case,
    inflows: Mapping[str, np.ndarray] | np.ndarray,
    probabilities: Sequence[float] | None = None,
    *,
    base: MppBaseline | None = None,
    fix: Callable[[pyo.ConcreteModel], None] | None = None,
    risk: Risk | None = None,
    options: SolverOptions = EXACT,
) -> tuple[pyo.ConcreteModel, SolveOutcome, ChainData]:
    """Build the extensive form of the chain model on ``case`` and solve it exactly.

    One array is one scenario named ``s`` (probability 1). ``fix`` may fix
    variables of the built model (stage 1 on ``m.first``) before the solve.
    """
    if isinstance(inflows, np.ndarray):
        inflows = {"s": inflows}
    names = list(inflows)
    p = list(probabilities) if probabilities is not None else [1.0 / len(names)] * len(names)
    data = chain_data(case)
    if base is not None:
        data = data.with_baseline(base)
    scenarios = [ScenarioInflow(s, np.asarray(inflows[s], dtype=float)) for s in names]
    m = extensive_form(chain_problem(data, scenarios, p, risk))
    if fix is not None:
        fix(m)
    outcome = HighsSolver(options).solve(m)
    return m, outcome, data


def v(x: object) -> float:
    """The value of a Pyomo variable or expression (0 for an unset variable)."""
    value = pyo.value(x, exception=False)
    return 0.0 if value is None else float(value)


def path(component: object, *prefix: object) -> list[float]:
    """Values of ``component[*prefix, t]`` for t = 0..T-1 (or ``component[t]``)."""
    idx = sorted({k[-1] if isinstance(k, tuple) else k for k in component})  # type: ignore[attr-defined]
    return [v(component[(*prefix, t)] if prefix else component[t]) for t in idx]  # type: ignore[index]
