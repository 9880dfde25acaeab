"""Stage 2: operations in one inflow scenario, reacting to the inflow that comes.

Each ``add_*`` function is one constraint family of ``model/formulation.md``.
All stocks are end-of-period stocks in persons; flows are persons per period.
Stage-2 decisions see the whole scenario path (two-stage recourse); lead times
of recourse actions are modelled as the earliest period they can be used.
"""

from __future__ import annotations

import pyomo.environ as pyo

from bekostiging.model.data import FLEXPOOL, ChainData, ScenarioInflow
from bekostiging.schema import Partner

REG = Partner.REGISTRATION.value
IND = Partner.IND.value
COA = Partner.COA.value
DTV = Partner.DTV.value
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
    add_pool_activation(b, first, d)
    add_registration_queue(b, first, d)
    add_registration_capacity(b, first, d)
    add_ind_backlog(b, first, d)
    add_decision_capacity(b, first, d)
    add_late_cases(b, first, d)
    add_status_holders(b, first, d)
    add_rejected(b, first, d)
    add_occupancy(b, first, d)
    add_place_cover(b, first, d)
    add_reserve_activation(b, first, d)
    add_coa_extra_staff(b, first, d)
    if s.baseline:
        add_baseline_norm(b, first, d)
    else:
        b.NormShortfallCost = pyo.Expression(expr=0.0)
    add_operating_cost(b, first, d)
    add_budget_execution(b, first, d)
    add_penalties(b, first, d)
    b.SecondStageCost = pyo.Expression(
        expr=sum(b.OperatingCost[line, y] for line in first.LINES for y in first.YEARS)
        + b.PenaltyCost
        + b.NormShortfallCost
    )


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
    r"""Late_Cases — cases beyond normal work in progress (the legal term of throughput).

    .. math:: Late_t \ge \sum_{k \in K_{dec}} B_{k,t} - \tau\, Cap_{ind,t},\ Late_t \ge 0 \qquad \forall t

    By Little's law a backlog of :math:`\tau` periods of capacity is decided on
    time; cases beyond it are late. Late case-months = :math:`Late_t \cdot m`.

    ==========  =========================  ==================
    symbol      component                  unit
    ==========  =========================  ==================
    Late_t      ``Late[t]``                cases
    \tau        ``legal_term_periods``     periods
    m           ``months_per_period``      months
    ==========  =========================  ==================
    """
    b.Late = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    b.Late_Cases = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            b.Late[t] >= sum(b.Backlog[k, t] for k in b.KDEC) - d.legal_term_periods * first.Capacity[IND, t]
        ),
    )


def add_status_holders(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Status_Holders — permit holders in reception awaiting municipal housing.

    .. math::
        H_t = H_{t-1} + \sum_{k \in K_{dec}} \sigma_k g_t D_{k,t}
              + \sum_{k \notin K_{dec}} \sigma_k R_{k,t} - Housed_t,
        \quad Housed_t \le \bar h_t \qquad \forall t

    ==========  ==============================  ====================
    symbol      component                       unit
    ==========  ==============================  ====================
    H_t         ``StatusHolders[t]``            persons
    g_t         ``permit_share``                share of decisions
    \sigma_k    ``reception_share``             share
    Housed_t    ``Housed[t]``                   persons per period
    \bar h_t    ``housing_outflow``             persons per period
    ==========  ==============================  ====================
    """
    b.StatusHolders = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    b.Housed = pyo.Var(first.T, domain=pyo.NonNegativeReals, bounds=lambda _b, t: (0, d.housing_outflow[t]))
    direct = [k for k in d.categories if k not in d.decision_categories]

    def rule(_b: pyo.Block, t: int) -> pyo.Expression:
        previous = b.StatusHolders[t - 1] if t > 0 else d.initial_status_holders
        permits = sum(d.reception_share[k] * d.permit_share[t] * b.Decisions[k, t] for k in b.KDEC)
        arrivals = sum(d.reception_share[k] * registered(b, k, t) for k in direct)
        return b.StatusHolders[t] == previous + permits + arrivals - b.Housed[t]

    b.Status_Holders = pyo.Constraint(first.T, rule=rule)


def add_rejected(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Rejected — rejected applicants in reception awaiting departure (DT&V).

    .. math::
        J_t = (1 - u_t) J_{t-1} + \sum_{k \in K_{dec}} \sigma_k (1 - g_t) D_{k,t} - Ret_t,
        \quad Ret_t \le Cap_{dtv,t} \qquad \forall t

    ==========  ============================  ====================
    symbol      component                     unit
    ==========  ============================  ====================
    J_t         ``Rejected[t]``               persons
    u_t         ``unsupervised_share``        share per period
    Ret_t       ``Returns[t]``                persons per period
    Cap_{dtv,t} ``first.Capacity[dtv,t]``     returns per period
    ==========  ============================  ====================
    """
    b.Rejected = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    b.Returns = pyo.Var(first.T, domain=pyo.NonNegativeReals)

    def previous(t: int) -> pyo.Expression | float:
        return b.Rejected[t - 1] if t > 0 else d.initial_rejected

    b.Unsupervised = pyo.Expression(first.T, rule=lambda _b, t: d.unsupervised_share[t] * previous(t))

    def rule(_b: pyo.Block, t: int) -> pyo.Expression:
        rejections = sum(d.reception_share[k] * (1 - d.permit_share[t]) * b.Decisions[k, t] for k in b.KDEC)
        return b.Rejected[t] == previous(t) - b.Unsupervised[t] + rejections - b.Returns[t]

    b.Rejected_Balance = pyo.Constraint(first.T, rule=rule)
    b.Return_Capacity = pyo.Constraint(first.T, rule=lambda _b, t: b.Returns[t] <= first.Capacity[DTV, t])


def add_occupancy(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Occupancy — COA occupancy (bezetting) as the sum of who is in reception.

    .. math::
        Occ_t = \sum_{k \in K_{reg}} \sigma_k Q_{k,t} + \sum_{k \in K_{dec}} \sigma_k B_{k,t} + H_t + J_t
        \qquad \forall t

    ==========  ================  =======
    symbol      component         unit
    ==========  ================  =======
    Occ_t       ``Occupancy[t]``  persons
    ==========  ================  =======
    """
    b.Occupancy = pyo.Expression(
        first.T,
        rule=lambda _b, t: (
            sum(d.reception_share[k] * b.RegQueue[k, t] for k in b.KREG)
            + sum(d.reception_share[k] * b.Backlog[k, t] for k in b.KDEC)
            + b.StatusHolders[t]
            + b.Rejected[t]
        ),
    )


def add_place_cover(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Place_Cover — occupancy fits in regular, activated reserve and emergency places.

    .. math:: Occ_t \le \phi\, Places_t + ResAct_t + Em_t \qquad \forall t

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
            b.Occupancy[t] <= d.max_fill_rate * first.Places[t] + b.ReserveActive[t] + b.Emergency[t]
        ),
    )


def add_reserve_activation(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Reserve_Activation — activated reserve places within those held, after the lead time.

    .. math::
        ResAct_t \le ReservePlaces_{y(t)} \ (t \ge \ell_{res}), \quad ResAct_t = 0 \ (t < \ell_{res})

    ============  ==========================  =======
    symbol        component                   unit
    ============  ==========================  =======
    \ell_{res}    ``reserve_lead_periods``    periods
    ============  ==========================  =======
    """
    b.Reserve_Activation = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            b.ReserveActive[t] <= first.ReservePlaces[d.year_of[t]]
            if t >= d.reserve_lead_periods
            else b.ReserveActive[t] == 0
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
        C^2_{coa,y} = \sum_{t \in y} \big[k_{occ} Occ_t + k_{act} ResAct_t + k_{em} Em_t + k_{ext} Ext_t\big],
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

        \sum_p Over_{p,y} = Draw_y + Supp_y,\quad Draw_y \le Asielreserve_y \quad \forall y

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
    b.Reserve_Draw_Limit = pyo.Constraint(
        first.YEARS, rule=lambda _b, y: b.ReserveDraw[y] <= first.Asielreserve[y]
    )


def add_penalties(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Penalties — weighted backlog, queue and budget penalties, and the end-of-horizon backlog.

    .. math::
        Pen = \sum_t \big[\lambda_{late}\, m\, Late_t + \lambda_{q}\, \delta \sum_{k} Q_{k,t}\big]
            + \sum_y \big[\lambda_{sup} Supp_y + \lambda_{un} \sum_p Under_{p,y}\big]
            + v \sum_{k} w_k B_{k,T}

    ===============  =====================================  ======================
    symbol           component                              unit
    ===============  =====================================  ======================
    \lambda_{late}   ``late_case_month_meur``                EUR per case-month
    \lambda_{q}      ``queue_person_day_meur``               EUR per person-day
    \delta           ``days_per_period``                    days
    \lambda_{sup}    ``supplementary_penalty``              EUR per EUR
    \lambda_{un}     ``underspend_penalty``                 EUR per EUR
    v                ``terminal_cost_per_case_meur``         EUR per case (IND cost of deciding it later)
    ===============  =====================================  ======================
    """
    last = len(d.periods) - 1
    b.LateCaseMonths = pyo.Expression(expr=sum(d.months_per_period * b.Late[t] for t in first.T))
    b.QueuePersonDays = pyo.Expression(
        expr=sum(d.days_per_period * b.RegQueue[k, t] for k in b.KREG for t in first.T)
    )
    b.PenaltyCost = pyo.Expression(
        expr=first.late_case_month_meur * b.LateCaseMonths
        + first.queue_person_day_meur * b.QueuePersonDays
        + d.supplementary_penalty * sum(b.Supplementary[y] for y in first.YEARS)
        + d.underspend_penalty * sum(b.Under[p, y] for p in first.LINES for y in first.YEARS)
        + d.terminal_cost_per_case_meur * sum(d.decision_work[k] * b.Backlog[k, last] for k in b.KDEC)
    )
