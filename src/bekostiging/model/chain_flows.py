"""Stage 2, the flow through the chain: registration, the IND backlog and its decisions.

Shared helpers of the stage-2 families live here too: the pipeline sum of a minimum stay
(Little's law), registrations per category and permits granted. Each ``add_*`` function is
one constraint family of ``model/formulation.md``; :mod:`bekostiging.model.second_stage`
assembles them per scenario.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pyomo.environ as pyo

from bekostiging.model.data import ChainData
from bekostiging.schema import Category, Partner

REG = Partner.REGISTRATION.value
IND = Partner.IND.value
COA = Partner.COA.value
DTV = Partner.DTV.value
NAREIS = Category.NAREIS.value
# The MPP plan's soft occupancy norm: a place short of the norm costs twice an
# emergency place, so the plan opens locations wherever lead times allow.
NORM_SHORTFALL_EMERGENCY_MULTIPLE = 2.0


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
    r"""Pool_Activation, Pool_Contract — deployed pool staff within the retained pool, under contracts.

    .. math::
        \sum_{j} PoolActive_{j,t} \le \mu\, PoolFTE_{y(t)} \qquad \forall t

        PoolActive_{j,t} = \sum_{i=0}^{M_{pool}-1} PoolStart_{j,t-i},\qquad
        PoolStart_{j,t} = 0\ (t < \ell_{pool}) \qquad \forall j, t

    A deployment of pool staff to a task is committed for at least :math:`M_{pool}` periods
    and starts :math:`\ell_{pool}` periods after the decision (as reserve places,
    ``add_reserve_activation``). With :math:`M_{pool} = 1` and :math:`\ell_{pool} = 0` there are
    no contract rows: the pool is deployed month by month.

    ===================  ================================  ========
    symbol               component                         unit
    ===================  ================================  ========
    PoolActive_{j,t}     ``PoolActive[j,t]``               FTE deployed on task j (registration, ind, coa)
    PoolStart_{j,t}      ``PoolStart[j,t]``                FTE starting a deployment in period t
    \mu                  ``max_active_share``              share
    M_{pool}             ``pool_min_activation_periods``   periods
    \ell_{pool}          ``pool_lead_periods``             periods
    ===================  ================================  ========
    """
    b.PoolActive = pyo.Var(first.TASKS, first.T, domain=pyo.NonNegativeReals)
    b.Pool_Activation = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            sum(b.PoolActive[j, t] for j in first.TASKS)
            <= d.pool_max_active_share * first.PoolFTE[d.year_of[t]]
        ),
    )
    lead, length = d.pool_lead_periods, d.pool_min_activation_periods
    if length <= 1 and lead <= 0:
        return
    b.PoolStart = pyo.Var(first.TASKS, first.T, domain=pyo.NonNegativeReals)
    for j in first.TASKS:
        for t in first.T:
            if t < lead:
                b.PoolStart[j, t].setub(0.0)
    b.Pool_Contract = pyo.Constraint(
        first.TASKS,
        first.T,
        rule=lambda _b, j, t: (
            b.PoolActive[j, t] == sum(b.PoolStart[j, t - i] for i in range(length) if t - i >= 0)
        ),
    )


def _add_surge_contracts(
    b: pyo.Block,
    first: pyo.Block,
    d: ChainData,
    *,
    names: tuple[str, str, str, str],
    max_fte: float,
    lead_periods: int,
    min_periods: int,
    max_periods_per_year: float,
) -> None:
    r"""The contract rows of a surge lever without a retainer (police registration, IND decisions).

    ``names`` = (start, deployed, limit, months) components:

    .. math::
        Dep_t = \sum_{i=0}^{M-1} Start_{t-i} \le \bar F,\qquad
        Start_t = 0\ (t < \ell) \qquad \forall t

        \sum_{t \in y} Dep_t \le \bar M\, \bar F \qquad \forall y

    with :math:`\bar F` = ``max_fte``, :math:`M` = ``min_periods``, :math:`\ell` =
    ``lead_periods`` and :math:`\bar M` = ``max_periods_per_year``. Nothing is built when
    :math:`\bar F \le 0`; the year rows only when :math:`\bar M` is below the periods of a year.
    """
    if max_fte <= 0:
        return
    start_name, deployed_name, limit_name, months_name = names
    start = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    b.add_component(start_name, start)
    for t in first.T:
        if t < lead_periods:
            start[t].setub(0.0)
    deployed = pyo.Expression(
        first.T, rule=lambda _b, t: sum(start[t - i] for i in range(min_periods) if t - i >= 0)
    )
    b.add_component(deployed_name, deployed)
    b.add_component(limit_name, pyo.Constraint(first.T, rule=lambda _b, t: deployed[t] <= max_fte))
    if max_periods_per_year >= d.periods_per_year:
        return
    months = pyo.Constraint(
        first.YEARS,
        rule=lambda _b, y: (
            sum(deployed[t] for t in first.T if d.year_of[t] == y) <= max_periods_per_year * max_fte
        ),
    )
    b.add_component(months_name, months)


def add_registration_surge(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Surge_Limit, Surge_Months — police officers redeployed to registration under contracts.

    .. math::
        Sg_t = \sum_{i=0}^{M_{sg}-1} SgStart_{t-i} \le \bar F_{sg},\qquad
        SgStart_t = 0\ (t < \ell_{sg}) \qquad \forall t

        \sum_{t \in y} Sg_t \le \bar M_{sg}\, \bar F_{sg} \qquad \forall y

    Officers of other police units are redeployed to identification and registration for a
    stint (autumn 2015), without a standing retainer: a redeployment starts :math:`\ell_{sg}`
    periods after the decision, lasts at least :math:`M_{sg}` periods, at most
    :math:`\bar F_{sg}` officers at once, and at most :math:`\bar M_{sg}` periods of the whole
    number a budget year (the officers' own tasks wait meanwhile). They register
    :math:`\pi_{sg}\, o_{reg}` each a period (``add_registration_capacity``) at
    :math:`k_{sg}` a period on the registration line (``add_operating_cost``). Built only when
    :math:`\bar F_{sg} > 0`; the year rows only when :math:`\bar M_{sg}` is below the periods
    of a year.

    ====================  ==================================  ========================
    symbol                component                           unit
    ====================  ==================================  ========================
    Sg_t                  ``RegistrationSurge[t]``            officers (FTE) deployed
    SgStart_t             ``SurgeStart[t]``                   officers starting in period t
    \bar F_{sg}           ``surge_max_fte``                   FTE
    M_{sg}                ``surge_min_periods``               periods
    \ell_{sg}             ``surge_lead_periods``              periods
    \bar M_{sg}           ``surge_max_periods_per_year``      periods per year
    ====================  ==================================  ========================
    """
    _add_surge_contracts(
        b,
        first,
        d,
        names=("SurgeStart", "RegistrationSurge", "Surge_Limit", "Surge_Months"),
        max_fte=d.surge_max_fte,
        lead_periods=d.surge_lead_periods,
        min_periods=d.surge_min_periods,
        max_periods_per_year=d.surge_max_periods_per_year,
    )


def registration_surge(b: pyo.Block, t: int) -> Any:
    """Sg_t: officers redeployed to registration in period t (0 without the surge lever)."""
    return b.RegistrationSurge[t] if hasattr(b, "RegistrationSurge") else 0.0


def add_ind_surge(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Ind_Surge_Limit, Ind_Surge_Months — temporary IND decision staff on top of regular hiring.

    .. math::
        Si_t = \sum_{i=0}^{M_{si}-1} SiStart_{t-i} \le \bar F_{si},\qquad
        SiStart_t = 0\ (t < \ell_{si}) \qquad \forall t

        \sum_{t \in y} Si_t \le \bar M_{si}\, \bar F_{si} \qquad \forall y

    Temporary staff and civil servants lent by other departments join the IND for a stint (the
    2020 Taskforce IND), without a standing retainer and without the regular staff's training:
    a contract starts :math:`\ell_{si}` periods after the decision (recruitment and a short
    course), lasts at least :math:`M_{si}` periods, at most :math:`\bar F_{si}` FTE at once and
    at most :math:`\bar M_{si}` periods of the whole number a budget year. Each surge FTE adds
    :math:`\pi_{si}\, o_{ind}` decision work a period (``add_decision_capacity``; net of the
    experienced staff who supervise them) at :math:`k_{si}` a period on the IND line
    (``add_operating_cost``). Built only when :math:`\bar F_{si} > 0`; the year rows only when
    :math:`\bar M_{si}` is below the periods of a year.

    ====================  ==================================  ========================
    symbol                component                           unit
    ====================  ==================================  ========================
    Si_t                  ``IndSurge[t]``                     surge FTE deployed
    SiStart_t             ``IndSurgeStart[t]``                surge FTE starting in period t
    \bar F_{si}           ``ind_surge_max_fte``               FTE
    M_{si}                ``ind_surge_min_periods``           periods
    \ell_{si}             ``ind_surge_lead_periods``          periods
    \bar M_{si}           ``ind_surge_max_periods_per_year``  periods per year
    ====================  ==================================  ========================
    """
    _add_surge_contracts(
        b,
        first,
        d,
        names=("IndSurgeStart", "IndSurge", "Ind_Surge_Limit", "Ind_Surge_Months"),
        max_fte=d.ind_surge_max_fte,
        lead_periods=d.ind_surge_lead_periods,
        min_periods=d.ind_surge_min_periods,
        max_periods_per_year=d.ind_surge_max_periods_per_year,
    )


def ind_surge(b: pyo.Block, t: int) -> Any:
    """Si_t: temporary IND decision staff in period t (0 without the IND surge lever)."""
    return b.IndSurge[t] if hasattr(b, "IndSurge") else 0.0


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


def add_registration_capacity(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Registration_Capacity — registrations within staff plus deployed pool and surge capacity.

    .. math::
        \sum_{k \in K_{reg}} R_{k,t} \le Cap_{reg,t} + \pi\, o_{reg}\, PoolActive_{reg,t}
            + \pi_{sg}\, o_{reg}\, Sg_t \qquad \forall t

    ==============  ================================  =============================
    symbol          component                         unit
    ==============  ================================  =============================
    Cap_{reg,t}     ``first.Capacity[registration,t]``  registrations per period
    o_{reg}         ``output_per_fte_period``          registrations per FTE-period
    \pi             ``pool_productivity``              share
    \pi_{sg}        ``surge_productivity``             share
    Sg_t            ``RegistrationSurge[t]``           officers (``add_registration_surge``; 0 without it)
    ==============  ================================  =============================
    """
    out = d.staff[REG].output_per_fte_period * d.pool_productivity
    surge_out = d.staff[REG].output_per_fte_period * d.surge_productivity
    b.Registration_Capacity = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            sum(b.RegisteredVar[k, t] for k in b.KREG)
            <= first.Capacity[REG, t] + out * b.PoolActive[REG, t] + surge_out * registration_surge(b, t)
        ),
    )


def add_ind_backlog(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Ind_Backlog — IND cases awaiting a decision (voorraad), less withdrawals.

    .. math::
        B_{k,t} = (1 - \omega) B_{k,t-1} + R_{k,t} - D_{k,t},\quad B_{k,-1} = B^0_k
        \qquad \forall k \in K_{dec}, t

    :math:`W_{k,t} = \omega B_{k,t-1}` are withdrawals: applicants who withdraw, whose application
    is set aside, or who leave to an unknown destination during the procedure (behaviour, not
    a decision); they need no decision and leave reception.

    ==========  ===========================  ====================
    symbol      component                    unit
    ==========  ===========================  ====================
    B_{k,t}     ``Backlog[k,t]``             persons (cases)
    D_{k,t}     ``Decisions[k,t]``           decisions per period
    W_{k,t}     ``Withdrawals[k,t]``         persons per period
    \omega      ``withdrawal_share``         share per period
    ==========  ===========================  ====================
    """
    b.Backlog = pyo.Var(b.KDEC, first.T, domain=pyo.NonNegativeReals)
    b.Decisions = pyo.Var(b.KDEC, first.T, domain=pyo.NonNegativeReals)
    omega = d.withdrawal_share

    def previous(k: str, t: int) -> Any:
        return b.Backlog[k, t - 1] if t > 0 else d.initial_backlog[k]

    b.Withdrawals = pyo.Expression(b.KDEC, first.T, rule=lambda _b, k, t: omega * previous(k, t))

    def backlog(_b: pyo.Block, k: str, t: int) -> pyo.Expression:
        kept = (1 - omega) * previous(k, t) if omega > 0 else previous(k, t)
        return b.Backlog[k, t] == kept + registered(b, k, t) - b.Decisions[k, t]

    b.Ind_Backlog = pyo.Constraint(b.KDEC, first.T, rule=backlog)


def add_decision_capacity(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Decision_Capacity — IND work within staff plus deployed pool and surge capacity.

    .. math::
        \sum_{k \in K_{dec}} w_k D_{k,t} \le \phi_t \big(Cap_{ind,t} + \pi\, o_{ind}\, PoolActive_{ind,t}
            + \pi_{si}\, o_{ind}\, Si_t\big) \qquad \forall t

    :math:`\phi_t` is the IND's realised output per FTE as a share of the norm :math:`o_{ind}`:
    1 in a plan (staff decide at the norm); on a history path the environment's series
    (``ind_productivity``: what the IND's staff really delivered that year, the same for every
    policy). A factor of 0.5 halves what the same staff decide.

    ==========  ===============================  =============================
    symbol      component                        unit
    ==========  ===============================  =============================
    w_k         ``decision_work``                work per case (first = 1)
    Cap_{ind,t} ``first.Capacity[ind,t]``        decisions per period
    o_{ind}     ``output_per_fte_period``        decisions per FTE-period
    \phi_t      ``ind_output_factor`` (``ind_factor(t)``)  share (1 = the norm)
    \pi_{si}    ``ind_surge_productivity``       share
    Si_t        ``IndSurge[t]``                  surge FTE (``add_ind_surge``; 0 without it)
    ==========  ===============================  =============================
    """
    out = d.staff[IND].output_per_fte_period * d.pool_productivity
    surge_out = d.staff[IND].output_per_fte_period * d.ind_surge_productivity

    def rule(_b: pyo.Block, t: int) -> pyo.Expression:
        phi = d.ind_factor(t)
        capacity = first.Capacity[IND, t] + out * b.PoolActive[IND, t] + surge_out * ind_surge(b, t)
        work = sum(d.decision_work[k] * b.Decisions[k, t] for k in b.KDEC)
        return work <= (capacity if phi == 1.0 else phi * capacity)

    b.Decision_Capacity = pyo.Constraint(first.T, rule=rule)


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


def negative_decisions(b: pyo.Block, d: ChainData, t: int) -> Any:
    r"""Rejected applicants in reception decided in period t.

    .. math:: N_t = \sum_{k \in K_{dec}} \sigma_k (1 - g_t) D_{k,t}
    """
    return sum(d.reception_share[k] * (1 - d.permit_share[t]) * b.Decisions[k, t] for k in b.KDEC)


def permits(b: pyo.Block, d: ChainData, t: int) -> Any:
    r"""Permits granted in period t: :math:`g_t \sum_{k \in K_{dec}} D_{k,t}` (all applicants)."""
    return sum(d.permit_share[t] * b.Decisions[k, t] for k in b.KDEC)
