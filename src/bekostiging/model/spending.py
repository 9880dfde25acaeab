"""Stage 2, money: operating cost, budget execution, the asielreserve fund, the value of the
state left at the horizon end, and the model weights (penalties).

Each ``add_*`` function is one constraint family of ``model/formulation.md``.
"""

from __future__ import annotations

import pyomo.environ as pyo

from bekostiging.model.chain_flows import COA, IND, REG
from bekostiging.model.data import FLEXPOOL, ChainData


def add_operating_cost(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Operating_Cost — stage-2 spending per budget line and year (an expression).

    .. math::
        C^2_{coa,y} = \sum_{t \in y} \big[k_{occ} Occ_t + k_{act} ResAct_t + k_{em} Em_t + k_{ext} Ext_t
            + k_{acc} Acc_t\big],
        \quad C^2_{pool,y} = \sum_{t \in y} k_{pa} \sum_j PoolActive_{j,t},
        \quad C^2_{reg,y} = \sum_{t \in y} k_{sg}\, Sg_t,
        \quad C^2_{ind,y} = \sum_{t \in y} k_{si}\, Si_t

    Other lines have no stage-2 spending (their capacity is structural); registration only
    the redeployed officers of ``add_registration_surge``, the IND only the temporary staff of
    ``add_ind_surge``.

    ==========  ========================================  ====================
    symbol      component                                 unit
    ==========  ========================================  ====================
    k_{occ}     ``resident_cost_period_meur``              EUR per person-period
    k_{act}     ``reserve_activation_cost_period_meur``    EUR per place-period
    k_{em}      ``emergency_cost_period_meur``             EUR per place-period
    k_{ext}     ``external_staff_cost_period_meur``        EUR per FTE-period
    k_{pa}      ``pool_activation_period_meur``            EUR per FTE-period
    k_{acc}     ``accelerated_housing_cost_meur``          EUR per person housed
    k_{sg}      ``surge_cost_period_meur``                 EUR per officer-period
    k_{si}      ``ind_surge_cost_period_meur``             EUR per surge FTE-period
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
        if line == REG and hasattr(b, "RegistrationSurge"):
            return sum(d.surge_cost_period_meur * b.RegistrationSurge[t] for t in ts)
        if line == IND and hasattr(b, "IndSurge"):
            return sum(d.ind_surge_cost_period_meur * b.IndSurge[t] for t in ts)
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
            + v^A A_T + v^U U_T

        v^H = c\,L_H,\quad v^J = c\,L_J,\quad v^A = c\,L_A/2 + \gamma v^H + (1-\gamma) v^J,\quad
        v^U = c / (\tau_D + u_D)

        v^B_k = w_k v_{ind} + \sigma_k \big(c\,L_{ind} + g_T v^H + (1 - g_T) v^N\big),\quad
        v^N = \delta v^U + (1 - \delta)\big(a (c L_A + \gamma v^H + (1-\gamma) v^J) + (1 - a) v^J\big)

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
        + (d.terminal_value_meur("appeals") * b.Appeals[last] if hasattr(b, "Appeals") else 0.0)
        + (
            d.terminal_value_meur("dublin") * b.DublinClaimants[last]
            if hasattr(b, "DublinClaimants")
            else 0.0
        )
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
