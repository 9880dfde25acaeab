"""Stage 2: operations in one inflow scenario, reacting to the inflow that comes.

Each ``add_*`` function is one constraint family of ``model/formulation.md``.
All stocks are end-of-period stocks in persons; flows are persons per period.
Stage-2 decisions see the whole scenario path (two-stage recourse); lead times
of recourse actions are modelled as the earliest period they can be used.
"""

from __future__ import annotations

import pyomo.environ as pyo

from bekostiging.model.chain_flows import (
    COA,
    DTV,
    IND,
    NAREIS,
    NORM_SHORTFALL_EMERGENCY_MULTIPLE,
    REG,
    add_decision_capacity,
    add_ind_backlog,
    add_ind_surge,
    add_ind_work_in_progress,
    add_late_cases,
    add_pool_activation,
    add_registration_capacity,
    add_registration_queue,
    add_registration_surge,
    negative_decisions,
    permits,
    pipeline,
    registered,
)
from bekostiging.model.data import ChainData, ScenarioInflow
from bekostiging.model.reception import (
    add_accelerated_housing,
    add_appeals,
    add_baseline_norm,
    add_coa_extra_staff,
    add_departure_delay,
    add_dublin,
    add_emergency_contracts,
    add_housing_delay,
    add_occupancy,
    add_place_cover,
    add_rejected,
    add_reserve_activation,
    add_status_holders,
    initial_emergency,
    lagged,
)
from bekostiging.model.spending import (
    add_budget_execution,
    add_operating_cost,
    add_penalties,
    add_reserve_fund,
    add_terminal_value,
)

__all__ = [
    "COA",
    "DTV",
    "IND",
    "NAREIS",
    "NORM_SHORTFALL_EMERGENCY_MULTIPLE",
    "REG",
    "add_accelerated_housing",
    "add_appeals",
    "add_baseline_norm",
    "add_budget_execution",
    "add_coa_extra_staff",
    "add_decision_capacity",
    "add_departure_delay",
    "add_dublin",
    "add_emergency_contracts",
    "add_housing_delay",
    "add_ind_backlog",
    "add_ind_surge",
    "add_ind_work_in_progress",
    "add_late_cases",
    "add_occupancy",
    "add_operating_cost",
    "add_penalties",
    "add_place_cover",
    "add_pool_activation",
    "add_registration_capacity",
    "add_registration_queue",
    "add_registration_surge",
    "add_rejected",
    "add_reserve_activation",
    "add_reserve_fund",
    "add_status_holders",
    "add_terminal_value",
    "build_second_stage",
    "initial_emergency",
    "lagged",
    "load_inflow",
    "negative_decisions",
    "permits",
    "pipeline",
    "registered",
]


def build_second_stage(
    b: pyo.Block, first: pyo.Block, d: ChainData, s: ScenarioInflow, *, mutable: bool = False
) -> None:
    """One scenario's flows, stocks, budget execution and ``SecondStageCost`` on block ``b``.

    ``mutable=True`` makes the inflow a mutable Param (everywhere it enters, ``registered``
    included), so that :func:`load_inflow` can re-point the block at another scenario: the
    template of the block-angular assembler (``assemble.py``).
    """
    b.K = pyo.Set(initialize=d.categories, ordered=True)
    b.KREG = pyo.Set(initialize=d.registration_categories, ordered=True)
    b.KDEC = pyo.Set(initialize=d.decision_categories, ordered=True)
    col = {k: i for i, k in enumerate(d.categories)}
    b.inflow_persons = pyo.Param(
        first.T, b.K, initialize=lambda _b, t, k: float(s.inflow_persons[t, col[k]]), mutable=mutable
    )
    housing = s.housing_persons if s.housing_persons is not None else d.housing_outflow
    b.housing_outflow_persons = pyo.Param(
        first.T, initialize=lambda _b, t: float(housing[t]), mutable=mutable
    )
    add_pool_activation(b, first, d)
    add_registration_queue(b, first, d)
    add_registration_surge(b, first, d)
    add_registration_capacity(b, first, d)
    add_ind_backlog(b, first, d)
    add_ind_surge(b, first, d)
    add_decision_capacity(b, first, d)
    add_ind_work_in_progress(b, first, d)
    add_late_cases(b, first, d)
    add_appeals(b, first, d)
    add_dublin(b, first, d)
    add_status_holders(b, first, d)
    add_accelerated_housing(b, first, d)
    add_housing_delay(b, first, d)
    add_rejected(b, first, d)
    add_departure_delay(b, first, d)
    add_occupancy(b, first, d)
    add_place_cover(b, first, d)
    add_reserve_activation(b, first, d)
    add_emergency_contracts(b, first, d)
    add_coa_extra_staff(b, first, d)
    if s.baseline:
        add_baseline_norm(b, first, d)
    else:
        b.NormShortfallCost = pyo.Expression(expr=0.0)
    add_operating_cost(b, first, d)
    add_budget_execution(b, first, d)
    add_terminal_value(b, first, d)
    add_reserve_fund(b, first, d)
    add_penalties(b, first, d)
    b.SecondStageCost = pyo.Expression(
        expr=sum(b.OperatingCost[line, y] for line in first.LINES for y in first.YEARS)
        + b.PenaltyCost
        + b.NormShortfallCost
    )


def load_inflow(b: pyo.Block, d: ChainData, s: ScenarioInflow) -> None:
    """Set the mutable inflow of a block built with ``mutable=True`` to scenario ``s``."""
    if s.baseline != hasattr(b, "Baseline_Norm"):
        raise ValueError("scenario blocks with and without the baseline norm differ in structure")
    col = {k: i for i, k in enumerate(d.categories)}
    param = b.inflow_persons
    for t, k in param:
        param[t, k] = float(s.inflow_persons[t, col[k]])
    housing = s.housing_persons if s.housing_persons is not None else d.housing_outflow
    for t in b.housing_outflow_persons:
        b.housing_outflow_persons[t] = float(housing[t])
