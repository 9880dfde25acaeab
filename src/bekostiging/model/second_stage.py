"""Stage 2: operations in one inflow scenario, reacting to the inflow that comes.

Each ``add_*`` function is one constraint family of ``model/formulation.md``.
All stocks are end-of-period stocks in persons; flows are persons per period.
Stage-2 decisions see the whole scenario path (two-stage recourse); lead times
of recourse actions are modelled as the earliest period they can be used.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pyomo.environ as pyo

from bekostiging.model.data import FLEXPOOL, ChainData, ScenarioInflow
from bekostiging.schema import Category, Partner

REG = Partner.REGISTRATION.value
IND = Partner.IND.value
COA = Partner.COA.value
DTV = Partner.DTV.value
NAREIS = Category.NAREIS.value
# The MPP plan's soft occupancy norm: a place short of the norm costs twice an
# emergency place, so the plan opens locations wherever lead times allow.
NORM_SHORTFALL_EMERGENCY_MULTIPLE = 2.0


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
    add_registration_capacity(b, first, d)
    add_ind_backlog(b, first, d)
    add_decision_capacity(b, first, d)
    add_ind_work_in_progress(b, first, d)
    add_late_cases(b, first, d)
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


def pipeline(flow: Callable[[int], Any], t: int, length: float, before: float = 0.0) -> Any:
    r"""Persons who entered a step in the last ``length`` periods (Little's law for a minimum stay).

    .. math:: \Pi_t(f, L) = \sum_{j=0}^{\lfloor L \rfloor - 1} f_{t-j}
        + (L - \lfloor L \rfloor)\, f_{t - \lfloor L \rfloor}

    with :math:`f_\tau` = ``before`` for :math:`\tau < 0` (flows before the horizon). A stay
    of :math:`L` periods keeps :math:`\Pi_t` persons in the step; in a steady state
    :math:`\Pi = L f`.
    """
    whole = math.floor(length + 1e-12)
    frac = length - whole

    def f(tau: int) -> Any:
        return flow(tau) if tau >= 0 else before

    total: Any = sum(f(t - j) for j in range(whole))
    if frac > 1e-12:
        total = total + frac * f(t - whole)
    return total


def add_pool_activation(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Pool_Activation — deployed pool staff within the retained pool.

    .. math:: \sum_{j} PoolActive_{j,t} \le \mu\, PoolFTE_{y(t)} \qquad \forall t

    ===================  ======================  ========
    symbol               component               unit
    ===================  ======================  ========
    PoolActive_{j,t}     ``PoolActive[j,t]``     FTE deployed on task j (registration, ind, coa)
    \mu                  ``max_active_share``    share
    ===================  ======================  ========
    """
    b.PoolActive = pyo.Var(first.TASKS, first.T, domain=pyo.NonNegativeReals)
    b.Pool_Activation = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            sum(b.PoolActive[j, t] for j in first.TASKS)
            <= d.pool_max_active_share * first.PoolFTE[d.year_of[t]]
        ),
    )


def add_registration_queue(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Registration_Queue — persons waiting for registration (AVIM/DISA).

    .. math::
        Q_{k,t} = Q_{k,t-1} + a_{k,t} - R_{k,t},\quad Q_{k,-1} = Q^0_k \qquad \forall k \in K_{reg}, t

    Categories without registration pass straight on: :math:`R_{k,t} = a_{k,t}`.

    ==========  =========================  ====================
    symbol      component                  unit
    ==========  =========================  ====================
    Q_{k,t}     ``RegQueue[k,t]``          persons
    a_{k,t}     ``inflow_persons[t,k]``    persons per period
    R_{k,t}     ``registered(b,k,t)``      persons per period
    ==========  =========================  ====================
    """
    b.RegQueue = pyo.Var(b.KREG, first.T, domain=pyo.NonNegativeReals)
    b.RegisteredVar = pyo.Var(b.KREG, first.T, domain=pyo.NonNegativeReals)

    def queue(_b: pyo.Block, k: str, t: int) -> pyo.Expression:
        previous = b.RegQueue[k, t - 1] if t > 0 else d.initial_queue[k]
        return b.RegQueue[k, t] == previous + b.inflow_persons[t, k] - b.RegisteredVar[k, t]

    b.Registration_Queue = pyo.Constraint(b.KREG, first.T, rule=queue)


def registered(b: pyo.Block, k: str, t: int) -> pyo.Var | float:
    """R_{k,t}: registrations, or the inflow itself for categories without registration.

    A plain number for those categories (not a named Expression holding a constant:
    Pyomo then hands out a new constant object on every access, which the persistent
    solver takes for a changed row on every re-solve).
    """
    if k in b.KREG:
        return b.RegisteredVar[k, t]
    if k == NAREIS and hasattr(b, "NareisLinked") and t in b.NareisLinked:
        return b.NareisLinked[t]
    if b.inflow_persons.mutable:
        return b.inflow_persons[t, k]  # the assembler's template: the Param itself
    return float(pyo.value(b.inflow_persons[t, k]))


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


def add_registration_capacity(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Registration_Capacity — registrations within staff plus deployed pool capacity.

    .. math::
        \sum_{k \in K_{reg}} R_{k,t} \le Cap_{reg,t} + \pi\, o_{reg}\, PoolActive_{reg,t} \qquad \forall t

    ==============  ================================  =============================
    symbol          component                         unit
    ==============  ================================  =============================
    Cap_{reg,t}     ``first.Capacity[registration,t]``  registrations per period
    o_{reg}         ``output_per_fte_period``          registrations per FTE-period
    \pi             ``pool_productivity``              share
    ==============  ================================  =============================
    """
    out = d.staff[REG].output_per_fte_period * d.pool_productivity
    b.Registration_Capacity = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            sum(b.RegisteredVar[k, t] for k in b.KREG) <= first.Capacity[REG, t] + out * b.PoolActive[REG, t]
        ),
    )


def add_ind_backlog(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Ind_Backlog — IND cases awaiting a decision (voorraad).

    .. math::
        B_{k,t} = B_{k,t-1} + R_{k,t} - D_{k,t},\quad B_{k,-1} = B^0_k \qquad \forall k \in K_{dec}, t

    ==========  ====================  ====================
    symbol      component             unit
    ==========  ====================  ====================
    B_{k,t}     ``Backlog[k,t]``      persons (cases)
    D_{k,t}     ``Decisions[k,t]``    decisions per period
    ==========  ====================  ====================
    """
    b.Backlog = pyo.Var(b.KDEC, first.T, domain=pyo.NonNegativeReals)
    b.Decisions = pyo.Var(b.KDEC, first.T, domain=pyo.NonNegativeReals)

    def backlog(_b: pyo.Block, k: str, t: int) -> pyo.Expression:
        previous = b.Backlog[k, t - 1] if t > 0 else d.initial_backlog[k]
        return b.Backlog[k, t] == previous + registered(b, k, t) - b.Decisions[k, t]

    b.Ind_Backlog = pyo.Constraint(b.KDEC, first.T, rule=backlog)


def add_decision_capacity(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Decision_Capacity — IND work within staff plus deployed pool capacity.

    .. math::
        \sum_{k \in K_{dec}} w_k D_{k,t} \le Cap_{ind,t} + \pi\, o_{ind}\, PoolActive_{ind,t} \qquad \forall t

    ==========  ===============================  =============================
    symbol      component                        unit
    ==========  ===============================  =============================
    w_k         ``decision_work``                work per case (first = 1)
    Cap_{ind,t} ``first.Capacity[ind,t]``        decisions per period
    o_{ind}     ``output_per_fte_period``        decisions per FTE-period
    ==========  ===============================  =============================
    """
    out = d.staff[IND].output_per_fte_period * d.pool_productivity
    b.Decision_Capacity = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            sum(d.decision_work[k] * b.Decisions[k, t] for k in b.KDEC)
            <= first.Capacity[IND, t] + out * b.PoolActive[IND, t]
        ),
    )


def add_late_cases(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Late_Cases — cases older than the legal term, tracked by registration cohort (persons).

    .. math::
        Late_{k,t} \ge B_{k,t} - \Pi_t(R_k, \tau),\ Late_{k,t} \ge 0 \quad \forall k \in K_{dec}, t;
        \qquad Late_t = \sum_k Late_{k,t}

    Cases are decided first in, first out within a category, so the backlog beyond the
    cases registered in the last :math:`\tau` periods is older than the legal term
    (``pipeline``; before the horizon, registrations at the MPP-mid rate of the first year,
    :math:`\bar R_k`). Backlog and registrations are both persons: a repeat case counts
    as one late case whatever its work. Late case-months = :math:`m \sum_t Late_t`.

    ==============  =============================  ==================
    symbol          component                      unit
    ==============  =============================  ==================
    Late_{k,t}      ``LateByCategory[k,t]``        cases
    Late_t          ``Late[t]``                    cases
    \tau            ``legal_term_periods``         periods
    \bar R_k        ``prehorizon_registrations``   cases per period
    m               ``months_per_period``          months
    ==============  =============================  ==================
    """
    b.LateByCategory = pyo.Var(b.KDEC, first.T, domain=pyo.NonNegativeReals)

    def rule(_b: pyo.Block, k: str, t: int) -> pyo.Expression:
        recent = pipeline(
            lambda tau: registered(b, k, tau), t, d.legal_term_periods, d.prehorizon_registrations.get(k, 0.0)
        )
        return b.LateByCategory[k, t] >= b.Backlog[k, t] - recent

    b.Late_Cases = pyo.Constraint(b.KDEC, first.T, rule=rule)
    b.Late = pyo.Expression(first.T, rule=lambda _b, t: sum(b.LateByCategory[k, t] for k in b.KDEC))


def add_ind_work_in_progress(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Ind_Work_In_Progress — no case is decided sooner than the minimum processing time.

    .. math:: B_{k,t} \ge \Pi_t(R_k, L_{ind}) \qquad \forall k \in K_{dec}, t

    The cases registered in the last :math:`L_{ind}` periods are still in the backlog
    (only flows inside the horizon: the initial backlog is older). In a steady state the
    backlog is at least :math:`L_{ind}` periods of registrations, whatever the capacity.

    ============  ======================  =======
    symbol        component               unit
    ============  ======================  =======
    L_{ind}       ``ind_min_periods``     periods
    ============  ======================  =======
    """
    if d.ind_min_periods <= 0:
        return
    b.Ind_Work_In_Progress = pyo.Constraint(
        b.KDEC,
        first.T,
        rule=lambda _b, k, t: (
            b.Backlog[k, t] >= pipeline(lambda tau: registered(b, k, tau), t, d.ind_min_periods)
        ),
    )


def permits(b: pyo.Block, d: ChainData, t: int) -> Any:
    r"""Permits granted in period t: :math:`g_t \sum_{k \in K_{dec}} D_{k,t}` (all applicants)."""
    return sum(d.permit_share[t] * b.Decisions[k, t] for k in b.KDEC)


def add_status_holders(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Status_Holders — permit holders and nareis in reception awaiting municipal housing.

    .. math::
        H_t = H_{t-1} + In^H_t - Housed_t,\quad
        In^H_t = \sum_{k \in K_{dec}} \sigma_k g_t D_{k,t} + \sum_{k \notin K_{dec}} \sigma_k R_{k,t}

        Housed_t \le \bar h_{s,t} + Acc_t \qquad \forall t

    Nareis (:math:`k \notin K_{dec}`) arrive as the scenario says, or, with
    ``nareis.per_permit`` :math:`\nu > 0`, linked to the permits granted
    :math:`\ell_\nu` periods earlier (``NareisLinked``, rows ``Nareis_Link``):

    .. math:: R_{nareis,t} = \nu\, g_{t-\ell_\nu} \sum_{k \in K_{dec}} D_{k,t-\ell_\nu}
        \qquad t \ge \ell_\nu

    ==============  ==============================  ====================
    symbol          component                       unit
    ==============  ==============================  ====================
    H_t             ``StatusHolders[t]``            persons
    In^H_t          ``StatusHolderInflow[t]``       persons per period
    g_t             ``permit_share``                share of decisions
    \sigma_k        ``reception_share``             share
    Housed_t        ``Housed[t]``                   persons per period
    \bar h_{s,t}    ``housing_outflow_persons[t]``  persons per period (scenario's series)
    Acc_t           ``AcceleratedHousing[t]``       persons per period
    \nu             ``nareis_per_permit``           nareis per permit
    \ell_\nu        ``nareis_lag_periods``          periods
    ==============  ==============================  ====================
    """
    b.StatusHolders = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    b.Housed = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    b.AcceleratedHousing = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    direct = [k for k in d.categories if k not in d.decision_categories]
    if d.nareis_per_permit > 0 and NAREIS in direct:
        lag = d.nareis_lag_periods
        linked = [t for t in first.T if t >= lag]
        b.NareisLinked = pyo.Var(linked, domain=pyo.NonNegativeReals)
        b.Nareis_Link = pyo.Constraint(
            linked, rule=lambda _b, t: b.NareisLinked[t] == d.nareis_per_permit * permits(b, d, t - lag)
        )
    b.StatusHolderInflow = pyo.Expression(
        first.T,
        rule=lambda _b, t: (
            sum(d.reception_share[k] * d.permit_share[t] * b.Decisions[k, t] for k in b.KDEC)
            + sum(d.reception_share[k] * registered(b, k, t) for k in direct)
        ),
    )

    def rule(_b: pyo.Block, t: int) -> pyo.Expression:
        previous = b.StatusHolders[t - 1] if t > 0 else d.initial_status_holders
        return b.StatusHolders[t] == previous + b.StatusHolderInflow[t] - b.Housed[t]

    b.Status_Holders = pyo.Constraint(first.T, rule=rule)
    b.Housing_Limit = pyo.Constraint(
        first.T, rule=lambda _b, t: b.Housed[t] - b.AcceleratedHousing[t] <= b.housing_outflow_persons[t]
    )


def add_accelerated_housing(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Accelerated_Housing — extra housing of status holders bought from municipalities (a lever).

    .. math:: Acc_t \le \alpha\, \bar h_{s,t} \qquad \forall t

    at :math:`k_{acc}` per person on the COA line (``add_operating_cost``): the model weighs
    a COA place against housing a status holder sooner (versnelde huisvesting).

    ==========  ===============================  ======================
    symbol      component                        unit
    ==========  ===============================  ======================
    \alpha      ``accelerated_housing_share``    share of the base outflow
    k_{acc}     ``accelerated_housing_cost_meur`` M EUR per person housed
    ==========  ===============================  ======================
    """
    share = d.accelerated_housing_share
    b.Accelerated_Housing = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            b.AcceleratedHousing[t] <= share * b.housing_outflow_persons[t]
            if share > 0
            else b.AcceleratedHousing[t] == 0
        ),
    )


def add_housing_delay(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Housing_Delay — a status holder waits at least the linking-and-search time for a home.

    .. math:: H_t \ge \Pi_t(In^H, L_H) \qquad \forall t

    ==========  ========================  =======
    symbol      component                 unit
    ==========  ========================  =======
    L_H         ``housing_min_periods``   periods
    ==========  ========================  =======
    """
    if d.housing_min_periods <= 0:
        return
    b.Housing_Delay = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            b.StatusHolders[t] >= pipeline(lambda tau: b.StatusHolderInflow[tau], t, d.housing_min_periods)
        ),
    )


def add_rejected(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Rejected — rejected applicants in reception awaiting departure (DT&V).

    .. math::
        J_t = (1 - u_t) J_{t-1} + In^J_t - Ret_t,\quad
        In^J_t = \sum_{k \in K_{dec}} \sigma_k (1 - g_t) D_{k,t}

        Ret_t \le Cap_{dtv,t},\qquad Ret_t \le \bar r \qquad \forall t

    :math:`\bar r` is the external cap on supervised departures (countries of origin),
    rows only when ``dtv.max_returns_per_year`` is set (``Return_Cap``).

    ==========  ============================  ====================
    symbol      component                     unit
    ==========  ============================  ====================
    J_t         ``Rejected[t]``               persons
    In^J_t      ``RejectedInflow[t]``         persons per period
    u_t         ``unsupervised_share``        share per period
    Ret_t       ``Returns[t]``                persons per period
    Cap_{dtv,t} ``first.Capacity[dtv,t]``     returns per period
    \bar r      ``max_returns_period``        persons per period
    ==========  ============================  ====================
    """
    b.Rejected = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    b.Returns = pyo.Var(first.T, domain=pyo.NonNegativeReals)

    def previous(t: int) -> pyo.Expression | float:
        return b.Rejected[t - 1] if t > 0 else d.initial_rejected

    b.Unsupervised = pyo.Expression(first.T, rule=lambda _b, t: d.unsupervised_share[t] * previous(t))
    b.RejectedInflow = pyo.Expression(
        first.T,
        rule=lambda _b, t: sum(
            d.reception_share[k] * (1 - d.permit_share[t]) * b.Decisions[k, t] for k in b.KDEC
        ),
    )

    def rule(_b: pyo.Block, t: int) -> pyo.Expression:
        return b.Rejected[t] == previous(t) - b.Unsupervised[t] + b.RejectedInflow[t] - b.Returns[t]

    b.Rejected_Balance = pyo.Constraint(first.T, rule=rule)
    b.Return_Capacity = pyo.Constraint(first.T, rule=lambda _b, t: b.Returns[t] <= first.Capacity[DTV, t])
    cap = d.max_returns_period
    b.Return_Cap = pyo.Constraint(
        first.T, rule=lambda _b, t: b.Returns[t] <= cap if cap is not None else pyo.Constraint.Skip
    )


def add_departure_delay(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Departure_Delay — a rejected applicant keeps reception for the departure term.

    .. math:: J_t \ge \Pi_t(In^J, L_J) \qquad \forall t

    ==========  ==========================  =======
    symbol      component                   unit
    ==========  ==========================  =======
    L_J         ``departure_min_periods``   periods
    ==========  ==========================  =======
    """
    if d.departure_min_periods <= 0:
        return
    b.Departure_Delay = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            b.Rejected[t] >= pipeline(lambda tau: b.RejectedInflow[tau], t, d.departure_min_periods)
        ),
    )


def add_occupancy(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Occupancy — COA occupancy (bezetting) as the sum of who is in reception.

    .. math::
        Occ_t = \sum_{k \in K_{reg}} \sigma_k (Q_{k,t} + s_{reg} R_{k,t})
            + \sum_{k \in K_{dec}} \sigma_k B_{k,t} + H_t + J_t \qquad \forall t

    :math:`s_{reg} R_{k,t}` are the registered applicants still in the central reception
    location (a stay of :math:`s_{reg}` periods, Little's law).

    ==========  ============================  =======
    symbol      component                     unit
    ==========  ============================  =======
    Occ_t       ``Occupancy[t]``              persons
    s_{reg}     ``registration_stay_periods`` periods
    ==========  ============================  =======
    """
    stay = d.registration_stay_periods
    b.Occupancy = pyo.Expression(
        first.T,
        rule=lambda _b, t: (
            sum(d.reception_share[k] * b.RegQueue[k, t] for k in b.KREG)
            + sum(d.reception_share[k] * stay * b.RegisteredVar[k, t] for k in b.KREG if stay > 0)
            + sum(d.reception_share[k] * b.Backlog[k, t] for k in b.KDEC)
            + b.StatusHolders[t]
            + b.Rejected[t]
        ),
    )


def add_place_cover(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Place_Cover — occupancy fits in regular, activated reserve and emergency places.

    .. math:: Occ_t \le \phi\, (Places_t + ResAct_t) + Em_t \qquad \forall t

    Reserve places are regular COA places brought back into use: they fill to the same
    :math:`\phi` as the others.

    ==========  ======================  ==============
    symbol      component               unit
    ==========  ======================  ==============
    \phi        ``max_fill_rate``       share
    ResAct_t    ``ReserveActive[t]``    places in use
    Em_t        ``Emergency[t]``        places (crisisnoodopvang)
    ==========  ======================  ==============
    """
    b.ReserveActive = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    b.Emergency = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    b.Place_Cover = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            b.Occupancy[t] <= d.max_fill_rate * (first.Places[t] + b.ReserveActive[t]) + b.Emergency[t]
        ),
    )


def add_reserve_activation(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Reserve_Activation — reserve places activated under contracts: a lead time and a minimum period.

    .. math::
        ResAct_t = \sum_{j=0}^{M_{res}-1} ResStart_{t-j},\qquad ResAct_t \le ReservePlaces_{y(t)},
        \qquad ResStart_t = 0 \ (t < \ell_{res}) \qquad \forall t

    :math:`ResStart_t` are places that come into use in period :math:`t` for
    :math:`M_{res}` periods (paid whether full or not); it is decided :math:`\ell_{res}`
    periods earlier, in every period (in the two-stage form, with the scenario's path known,
    the lead time binds at the start; ``model/stages.md`` gives the decision its
    information set). A contract may not outlast the reserve places held in any year it spans.

    ==============  ================================  =======
    symbol          component                         unit
    ==============  ================================  =======
    ResStart_t      ``ReserveStart[t]``               places
    \ell_{res}      ``reserve_lead_periods``          periods
    M_{res}         ``reserve_min_contract_periods``  periods
    ==============  ================================  =======
    """
    lead, length = d.reserve_lead_periods, d.reserve_min_contract_periods
    b.ReserveStart = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    for t in first.T:
        if t < lead:
            b.ReserveStart[t].setub(0.0)
    b.Reserve_Contract = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            b.ReserveActive[t] == sum(b.ReserveStart[t - j] for j in range(length) if t - j >= 0)
        ),
    )
    b.Reserve_Activation = pyo.Constraint(
        first.T, rule=lambda _b, t: b.ReserveActive[t] <= first.ReservePlaces[d.year_of[t]]
    )


def initial_emergency(d: ChainData, t: int) -> float:
    r"""Initial emergency places still under contract in period t: they run out evenly over
    the minimum contract period, :math:`E^0_t = E^0 \max(0, 1 - t / M_{em})`."""
    return d.initial_emergency_places * max(0.0, 1.0 - t / d.emergency_min_contract_periods)


def add_emergency_contracts(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Emergency_Contracts — emergency shelter contracted for a minimum period after a lead time.

    .. math::
        Em_t = E^0_t + \sum_{j=0}^{M_{em}-1} EmStart_{t-j},\qquad EmStart_t = 0 \ (t < \ell_{em}),
        \qquad E^0_t = E^0 \max(0, 1 - t/M_{em}) \qquad \forall t

    The emergency places in use at the start (:math:`E^0`) are a stock under contract that
    winds down evenly over the minimum period; new places (hotels, ships, halls) come in
    :math:`\ell_{em}` periods after the decision and are paid for :math:`M_{em}` periods.

    ==============  =================================  =======
    symbol          component                          unit
    ==============  =================================  =======
    EmStart_t       ``EmergencyStart[t]``              places
    E^0             ``initial_emergency_places``       places
    \ell_{em}       ``emergency_lead_periods``         periods
    M_{em}          ``emergency_min_contract_periods`` periods
    ==============  =================================  =======
    """
    lead, length = d.emergency_lead_periods, d.emergency_min_contract_periods
    b.EmergencyStart = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    for t in first.T:
        if t < lead:
            b.EmergencyStart[t].setub(0.0)
    b.Emergency_Contracts = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            b.Emergency[t]
            == initial_emergency(d, t) + sum(b.EmergencyStart[t - j] for j in range(length) if t - j >= 0)
        ),
    )


def add_coa_extra_staff(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Coa_Extra_Staff — staff for activated reserve and emergency places: pool or external.

    .. math:: Ext_t \ge e\,(ResAct_t + Em_t) - PoolActive_{coa,t},\ Ext_t \ge 0 \qquad \forall t

    ==========  ==============================  ============
    symbol      component                       unit
    ==========  ==============================  ============
    Ext_t       ``ExternalStaff[t]``            FTE
    e           ``staff_fte_per_extra_place``   FTE per place
    ==========  ==============================  ============
    """
    b.ExternalStaff = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    b.Coa_Extra_Staff = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            b.ExternalStaff[t]
            >= d.staff_fte_per_extra_place * (b.ReserveActive[t] + b.Emergency[t]) - b.PoolActive[COA, t]
        ),
    )


def add_baseline_norm(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Baseline_Norm — in the MPP-mid planning run, occupancy fits regular places at the norm.

    .. math:: Occ_t \le \beta\, Places_t + Short_t,\ Short_t \ge 0 \qquad \forall t \ge t_0
        \ \text{(baseline run only)}

    This is how the MPP plan sizes COA: the forecast occupancy at the planning
    norm :math:`\beta` once locations can be opened. The norm is soft: a
    shortfall (occupancy the plan cannot yet house at the norm, e.g. while new
    locations are still being built) costs :math:`\lambda_{short}` per
    place-period, set to ``NORM_SHORTFALL_EMERGENCY_MULTIPLE`` times the
    emergency place cost so that the plan builds wherever it can.

    ================  ==========================  ====================
    symbol            component                   unit
    ================  ==========================  ====================
    Short_t           ``NormShortfall[t]``        places
    \lambda_{short}   ``norm_shortfall_eur``      EUR per place-period
    ================  ==========================  ====================
    """
    norm = d.policy.occupancy_norm
    b.NormShortfall = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    b.Baseline_Norm = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            b.Occupancy[t] <= norm * first.Places[t] + b.NormShortfall[t]
            if t >= d.norm_start_period
            else b.NormShortfall[t] == 0
        ),
    )
    b.NormShortfallCost = pyo.Expression(
        expr=NORM_SHORTFALL_EMERGENCY_MULTIPLE
        * d.emergency_cost_period_meur
        * sum(b.NormShortfall[t] for t in first.T)
    )


def add_operating_cost(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Operating_Cost — stage-2 spending per budget line and year (an expression).

    .. math::
        C^2_{coa,y} = \sum_{t \in y} \big[k_{occ} Occ_t + k_{act} ResAct_t + k_{em} Em_t + k_{ext} Ext_t
            + k_{acc} Acc_t\big],
        \quad C^2_{pool,y} = \sum_{t \in y} k_{pa} \sum_j PoolActive_{j,t}

    Other lines have no stage-2 spending (their capacity is structural).

    ==========  ========================================  ====================
    symbol      component                                 unit
    ==========  ========================================  ====================
    k_{occ}     ``resident_cost_period_meur``              EUR per person-period
    k_{act}     ``reserve_activation_cost_period_meur``    EUR per place-period
    k_{em}      ``emergency_cost_period_meur``             EUR per place-period
    k_{ext}     ``external_staff_cost_period_meur``        EUR per FTE-period
    k_{pa}      ``pool_activation_period_meur``            EUR per FTE-period
    k_{acc}     ``accelerated_housing_cost_meur``          EUR per person housed
    ==========  ========================================  ====================
    """
    periods_of = {y: [t for t in first.T if d.year_of[t] == y] for y in first.YEARS}

    def rule(_b: pyo.Block, line: str, y: int) -> pyo.Expression:
        ts = periods_of[y]
        if line == COA:
            return sum(
                d.resident_cost_period_meur * b.Occupancy[t]
                + d.reserve_activation_cost_period_meur * b.ReserveActive[t]
                + d.emergency_cost_period_meur * b.Emergency[t]
                + d.external_staff_cost_period_meur * b.ExternalStaff[t]
                + d.accelerated_housing_cost_meur * b.AcceleratedHousing[t]
                for t in ts
            )
        if line == FLEXPOOL:
            return sum(d.pool_activation_period_meur * b.PoolActive[j, t] for j in first.TASKS for t in ts)
        return 0.0

    b.OperatingCost = pyo.Expression(first.LINES, first.YEARS, rule=rule)
    b.Spending = pyo.Expression(
        first.LINES,
        first.YEARS,
        rule=lambda _b, line, y: first.StructuralCost[line, y] + b.OperatingCost[line, y],
    )


def add_budget_execution(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Budget_Execution — overspend is paid from the asielreserve first, then supplementary funding.

    .. math::
        Over_{p,y} - Under_{p,y} = C^1_{p,y} + C^2_{p,y} - Budget_{p,y} \quad \forall p, y

        \sum_p Over_{p,y} = Draw_y + Supp_y \quad \forall y

    Spending :math:`C_{p,y} = C^1_{p,y} + C^2_{p,y}` is the cash (kasuitgaven) of
    the line. Underspend costs no money: it lapses to the general means, or flows
    into the asielreserve where the rule lets it (``add_reserve_fund``).

    ==============  ======================  =====
    symbol          component               unit
    ==============  ======================  =====
    Over_{p,y}      ``Over[p,y]``           EUR above budget
    Under_{p,y}     ``Under[p,y]``          EUR unspent
    Draw_y          ``ReserveDraw[y]``      EUR from the asielreserve
    Supp_y          ``Supplementary[y]``    EUR supplementary funding
    ==============  ======================  =====
    """
    b.Over = pyo.Var(first.LINES, first.YEARS, domain=pyo.NonNegativeReals)
    b.Under = pyo.Var(first.LINES, first.YEARS, domain=pyo.NonNegativeReals)
    b.ReserveDraw = pyo.Var(first.YEARS, domain=pyo.NonNegativeReals)
    b.Supplementary = pyo.Var(first.YEARS, domain=pyo.NonNegativeReals)
    b.Budget_Execution = pyo.Constraint(
        first.LINES,
        first.YEARS,
        rule=lambda _b, p, y: b.Over[p, y] - b.Under[p, y] == b.Spending[p, y] - first.Budget[p, y],
    )
    b.Overspend_Cover = pyo.Constraint(
        first.YEARS,
        rule=lambda _b, y: sum(b.Over[p, y] for p in first.LINES) == b.ReserveDraw[y] + b.Supplementary[y],
    )


def add_reserve_fund(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Reserve_Fund — the asielreserve as a fund: a balance carried from year to year.

    .. math::
        Avail_y = Bal_{y-1} + Dep_y,\quad Bal_{-1} = A^0 \qquad \forall y

        Draw_y \le Avail_y,\qquad Avail_y \le \hat A,\qquad
        Bal_y = Avail_y - Draw_y + In_y \le \hat A \qquad \forall y

        In_y \le \sum_p Under_{p,y},\qquad
        In_y \le m \sum_p Budget_{p,y} \ \text{(today's rule: eindejaarsmarge)} \qquad \forall y

    The deposit :math:`Dep_y` (stage 1, ``add_asielreserve``) is budgeted at the start
    of the year; withdrawals pay overspend during the year; underspend flows in at
    the year end — all of it under the letter's ``versterkt`` rule, at most the
    eindejaarsmarge :math:`m` of the chain budget under today's rule (which also
    applies when deposits are not allowed). Underspend that does not flow in
    lapses to the general means: no cost. :math:`\hat A = \max(\bar A, A^0)`.

    Reported and valued (``ReserveWeightCost``, both model weights, not spending):
    :math:`r_{ar} \sum_y Avail_y` (money held back from other uses) and
    :math:`(1 - v)\,Bal_{last}` (the part of the end balance not worth its face value).

    ==============  ==============================  ======================
    symbol          component                       unit
    ==============  ==============================  ======================
    Bal_y           ``ReserveBalance[y]``           EUR at the end of year y
    Avail_y         ``ReserveAvailable[y]``         EUR available during year y
    In_y            ``ReserveInflow[y]``            EUR underspend into the fund
    A^0             ``asielreserve_opening_meur``   EUR
    \bar A          ``max_asielreserve_meur``       EUR (maximum balance)
    m               ``eindejaarsmarge_share``       share of the budget
    r_{ar}          ``asielreserve_rate``           weight per EUR-year
    v               ``asielreserve_end_value``      EUR per EUR
    ==============  ==============================  ======================
    """
    years = list(first.YEARS)
    cap = max(d.max_asielreserve_meur, d.asielreserve_opening_meur)
    b.ReserveBalance = pyo.Var(first.YEARS, domain=pyo.NonNegativeReals, bounds=(0, cap))
    b.ReserveInflow = pyo.Var(first.YEARS, domain=pyo.NonNegativeReals)

    def opening(y: int) -> pyo.Var | float:
        i = years.index(y)
        return b.ReserveBalance[years[i - 1]] if i > 0 else d.asielreserve_opening_meur

    b.ReserveAvailable = pyo.Expression(first.YEARS, rule=lambda _b, y: opening(y) + first.ReserveDeposit[y])
    b.Reserve_Draw_Limit = pyo.Constraint(
        first.YEARS, rule=lambda _b, y: b.ReserveDraw[y] <= b.ReserveAvailable[y]
    )
    b.Reserve_Available_Max = pyo.Constraint(first.YEARS, rule=lambda _b, y: b.ReserveAvailable[y] <= cap)
    b.Reserve_Balance = pyo.Constraint(
        first.YEARS,
        rule=lambda _b, y: (
            b.ReserveBalance[y] == b.ReserveAvailable[y] - b.ReserveDraw[y] + b.ReserveInflow[y]
        ),
    )
    b.Reserve_Inflow_Underspend = pyo.Constraint(
        first.YEARS, rule=lambda _b, y: b.ReserveInflow[y] <= sum(b.Under[p, y] for p in first.LINES)
    )
    strengthened = d.policy.allow_asielreserve and d.policy.asielreserve_rule == "versterkt"
    b.Reserve_Inflow_Rule = pyo.Constraint(
        first.YEARS,
        rule=lambda _b, y: (
            pyo.Constraint.Skip
            if strengthened
            else b.ReserveInflow[y] <= d.eindejaarsmarge_share * sum(first.Budget[p, y] for p in first.LINES)
        ),
    )
    b.ReserveWeightCost = pyo.Expression(
        expr=d.asielreserve_rate * sum(b.ReserveAvailable[y] for y in first.YEARS)
        + (1.0 - d.asielreserve_end_value) * b.ReserveBalance[years[-1]]
    )


def add_terminal_value(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Terminal_Value — what every person left in a stock at the horizon end still costs.

    .. math::
        V = \sum_{k \in K_{reg}} v^Q_k Q_{k,T} + \sum_{k \in K_{dec}} v^B_k B_{k,T} + v^H H_T + v^J J_T

        v^H = c\,L_H,\quad v^J = c\,L_J,\quad
        v^B_k = w_k v_{ind} + \sigma_k \big(c\,L_{ind} + g_T v^H + (1 - g_T) v^J\big),\quad
        v^Q_k = v_{reg} + \sigma_k c\, s_{reg} + v^B_k

    with :math:`c` the cash cost of a person-period in regular reception (resident plus
    place at the planning norm), :math:`v_{ind}`, :math:`v_{reg}` the staff cost of one
    decision / registration. These are the costs the chain incurs anyway after the horizon
    at normal stays, so pushing a person past the end saves nothing. Staff have their own
    terminal condition (``add_terminal_staff``); places the occupancy norm.

    ==========  =================================  =======================
    symbol      component                          unit
    ==========  =================================  =======================
    V           ``TerminalCost``                   M EUR
    c           ``reception_cost_period_meur``     M EUR per person-period
    v_{ind}     ``terminal_cost_per_case_meur``    M EUR per work unit
    ==========  =================================  =======================
    """
    last = len(d.periods) - 1
    b.TerminalCost = pyo.Expression(
        expr=sum(d.terminal_value_meur("registration_queue", k) * b.RegQueue[k, last] for k in b.KREG)
        + sum(d.terminal_value_meur("ind_backlog", k) * b.Backlog[k, last] for k in b.KDEC)
        + d.terminal_value_meur("status_holders") * b.StatusHolders[last]
        + d.terminal_value_meur("rejected") * b.Rejected[last]
    )


def add_penalties(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Penalties — weighted backlog, queue and budget penalties, and the terminal value.

    .. math::
        Pen = \sum_t \big[\lambda_{late}\, m\, Late_t + \lambda_{q}\, \delta \sum_{k} Q_{k,t}\big]
            + \sum_y \big[\lambda_{sup} Supp_y + \lambda_{un} \sum_p Under_{p,y}\big] + V + ReserveWeightCost

    Every term is a model weight or a valuation, not spending (kasuitgaven): the
    late-case, queue, supplementary-funding, unspent-budget and reserve weights
    steer the plan; :math:`V` values the stocks left at the horizon end.

    ===============  =====================================  ======================
    symbol           component                              unit
    ===============  =====================================  ======================
    \lambda_{late}   ``late_case_month_meur``                EUR per case-month
    \lambda_{q}      ``queue_person_day_meur``               EUR per person-day
    \delta           ``days_per_period``                    days
    \lambda_{sup}    ``supplementary_penalty``              EUR per EUR
    \lambda_{un}     ``unspent_budget_weight``              weight per EUR unspent
    V                ``TerminalCost``                       EUR (``add_terminal_value``)
    ===============  =====================================  ======================
    """
    b.LateCaseMonths = pyo.Expression(expr=sum(d.months_per_period * b.Late[t] for t in first.T))
    b.QueuePersonDays = pyo.Expression(
        expr=sum(d.days_per_period * b.RegQueue[k, t] for k in b.KREG for t in first.T)
    )
    b.PenaltyCost = pyo.Expression(
        expr=first.late_case_month_meur * b.LateCaseMonths
        + first.queue_person_day_meur * b.QueuePersonDays
        + d.supplementary_penalty * sum(b.Supplementary[y] for y in first.YEARS)
        + d.unspent_budget_weight * sum(b.Under[p, y] for p in first.LINES for y in first.YEARS)
        + b.ReserveWeightCost
        + b.TerminalCost
    )
