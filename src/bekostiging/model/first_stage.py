"""Stage 1: the structural plan, decided now for the whole horizon.

Each ``add_*`` function is one constraint family of ``model/formulation.md``
(same name, same equation). Naming: SETS upper case, parameters snake_case with
a unit suffix, variables CamelCase, constraints Title_Snake.
"""

from __future__ import annotations

import pyomo.environ as pyo

from bekostiging.model.data import BUDGET_LINES, FLEXPOOL, POOL_TASKS, ChainData, LocationData
from bekostiging.schema import Partner

CHAIN_GROUP = "chain"  # the funding-ratio group of all budget lines together


def build_first_stage(b: pyo.Block, d: ChainData) -> None:
    """All stage-1 variables, constraint families and ``FirstStageCost`` on block ``b``."""
    add_sets(b, d)
    add_penalty_weights(b, d)
    add_staff_balance(b, d)
    add_trainee_cap(b, d)
    add_location_balance(b, d)
    add_reserve_places(b, d)
    add_flexpool(b, d)
    add_asielreserve(b, d)
    add_occupancy_norm(b, d)
    add_structural_cost(b, d)
    add_budget_covers_structural(b, d)
    add_funding_ratio(b, d)
    add_policy_plan(b, d)
    add_terminal_staff(b, d)
    b.FirstStageCost = pyo.Expression(
        expr=sum(b.StructuralCost[line, y] for line in b.LINES for y in b.YEARS)
        + b.TerminalStaffCost
    )
    b.first_stage_vars = [
        b.Hire,
        b.Staff,
        b.Opened,
        b.Closed,
        b.Open,
        b.ReservePlaces,
        b.PoolTeams,
        b.ReserveDeposit,
        b.Budget,
        b.TerminalStaffGap,
    ]


def add_sets(b: pyo.Block, d: ChainData) -> None:
    """Index sets: periods T, budget years Y, staffed partners P, locations L, budget lines."""
    b.T = pyo.RangeSet(0, len(d.periods) - 1)
    b.YEARS = pyo.Set(initialize=d.years, ordered=True)
    b.P = pyo.Set(initialize=list(d.staff), ordered=True)
    b.L = pyo.Set(initialize=[loc.name for loc in d.locations], ordered=True)
    b.LINES = pyo.Set(initialize=BUDGET_LINES, ordered=True)
    b.TASKS = pyo.Set(initialize=POOL_TASKS, ordered=True)
    b.INTAKE = pyo.Set(
        dimen=2, initialize=[(p, t) for p, s in d.staff.items() for t in s.intake_periods], ordered=True
    )
    b.LOC_DECISION = pyo.Set(
        dimen=2, initialize=[(loc.name, t) for loc in d.locations for t in loc.decision_periods], ordered=True
    )


def add_penalty_weights(b: pyo.Block, d: ChainData) -> None:
    """User penalty weights as mutable parameters shared by all scenarios (for sweeps).

    ``late_case_month_meur`` (M EUR per late case-month) and ``queue_person_day_meur``
    (M EUR per person-day in the registration queue); see ``add_penalties``.
    """
    b.late_case_month_meur = pyo.Param(initialize=d.late_case_month_meur, mutable=True)
    b.queue_person_day_meur = pyo.Param(initialize=d.queue_person_day_meur, mutable=True)


def add_staff_balance(b: pyo.Block, d: ChainData) -> None:
    r"""Staff_Balance — productive staff follow attrition and trained hiring cohorts.

    .. math::
        Staff_{p,t} = \rho_p\,Staff_{p,t-1} + c_p\,Hire_{p,t-\ell_p} + A_{p,t}, \quad Staff_{p,-1} = S^0_p
        \qquad \forall p \in P_{adj}, t \in T

    For a fixed formation (``adjustable = false``): :math:`Staff_{p,t} = S^0_p`.
    Trainees: :math:`Trainees_{p,t} = \sum_{\tau \in I_p,\, t-\ell_p < \tau \le t} c_p Hire_{p,\tau}
    + \sum_{t' > t} A_{p,t'}`. :math:`A_{p,t}` are cohorts hired before the horizon that
    become productive in period t (zero in a plan from today; a simulation's state when the
    model is re-solved from a planning moment, ``model/stages.md`` §4.3).

    ==================  ======================  ==========================
    symbol              component               unit
    ==================  ======================  ==========================
    Staff_{p,t}         ``Staff[p,t]``          FTE (productive)
    Hire_{p,t}          ``Hire[p,t]`` (integer)  cohorts, t in intake set I_p
    c_p                 ``cohort_fte``          FTE per cohort
    \ell_p              ``lag_periods``         periods of training
    \rho_p              ``retention_per_period`` share
    S^0_p               ``initial_fte``         FTE
    A_{p,t}             ``arriving_fte``        FTE (pre-horizon cohorts)
    ==================  ======================  ==========================
    """
    b.Hire = pyo.Var(b.INTAKE, domain=pyo.NonNegativeIntegers)
    for p, t in b.INTAKE:
        b.Hire[p, t].setub(d.staff[p].max_cohorts)
    b.Staff = pyo.Var(b.P, b.T, domain=pyo.NonNegativeReals)

    def hired(p: str, t: int) -> pyo.Expression | float:
        return d.staff[p].cohort_fte * b.Hire[p, t] if (p, t) in b.INTAKE else 0.0

    def balance(_b: pyo.Block, p: str, t: int) -> pyo.Expression:
        s = d.staff[p]
        if not s.adjustable:
            return b.Staff[p, t] == s.initial_fte
        previous = b.Staff[p, t - 1] if t > 0 else s.initial_fte
        arrivals = hired(p, t - s.lag_periods) + s.arriving(t)
        return b.Staff[p, t] == s.retention_per_period * previous + arrivals

    b.Staff_Balance = pyo.Constraint(b.P, b.T, rule=balance)
    b.Trainees = pyo.Expression(
        b.P,
        b.T,
        rule=lambda _b, p, t: sum(
            hired(p, tau) for tau in range(max(0, t - d.staff[p].lag_periods + 1), t + 1)
        )
        + d.staff[p].pretrained(t),
    )
    b.Capacity = pyo.Expression(
        b.P,
        b.T,
        rule=lambda _b, p, t: (
            d.staff[p].output_per_fte_period
            * (b.Staff[p, t] + d.staff[p].trainee_productivity * b.Trainees[p, t])
        ),
    )


def add_trainee_cap(b: pyo.Block, d: ChainData) -> None:
    r"""Trainee_Cap — trainees at most a share of productive staff (mentoring capacity).

    .. math:: Trainees_{p,t} \le \kappa_p\, Staff_{p,t} \qquad \forall p \in P_{adj}, t \in T

    ================  ======================  ===============================
    symbol            component               unit
    ================  ======================  ===============================
    Trainees_{p,t}    ``Trainees[p,t]``       FTE in training
    \kappa_p          ``trainee_cap_share``   trainee FTE per productive FTE
    ================  ======================  ===============================
    """
    b.Trainee_Cap = pyo.Constraint(
        b.P,
        b.T,
        rule=lambda _b, p, t: (
            b.Trainees[p, t] <= d.staff[p].trainee_cap_share * b.Staff[p, t]
            if d.staff[p].adjustable and d.staff[p].lag_periods > 0
            else pyo.Constraint.Skip
        ),
    )


def add_location_balance(b: pyo.Block, d: ChainData) -> None:
    r"""Location_Balance — COA locations open, opened after a lead time, closed.

    .. math::
        Open_{l,t} = Open_{l,t-1} + Opened_{l,t} - Closed_{l,t} + U_{l,t}, \quad Open_{l,-1} = O^0_l,
        \quad Open_{l,t} \le \bar O_l \qquad \forall l \in L, t \in T

    :math:`Opened_{l,t}` and :math:`Closed_{l,t}` exist only at COA decision moments
    (every ``location_decision_interval_months``) and :math:`Opened_{l,t}=0` for
    :math:`t < \ell_l` (the lead time from today's decision to first use). :math:`U_{l,t}` are
    openings decided before the horizon that become usable in period t (zero in a plan from
    today; a simulation's state, ``model/stages.md`` §4.3).
    Regular places: :math:`Places_t = \sum_l q_l\, Open_{l,t}`.

    ==============  ====================  =====================
    symbol          component             unit
    ==============  ====================  =====================
    Open_{l,t}      ``Open[l,t]``         locations
    Opened_{l,t}    ``Opened[l,t]`` (int)  locations
    Closed_{l,t}    ``Closed[l,t]`` (int)  locations
    q_l             ``places``            places per location
    \ell_l          ``lead_periods``      periods
    \bar O_l        ``max_open``          locations
    U_{l,t}         ``pending_openings``  locations (pre-horizon decisions)
    ==============  ====================  =====================
    """
    loc = {x.name: x for x in d.locations}
    b.Opened = pyo.Var(b.LOC_DECISION, domain=pyo.NonNegativeIntegers)
    b.Closed = pyo.Var(b.LOC_DECISION, domain=pyo.NonNegativeIntegers)
    for name, t in b.LOC_DECISION:
        b.Opened[name, t].setub(0 if t < loc[name].lead_periods else loc[name].max_open)
        b.Closed[name, t].setub(loc[name].max_open)
    b.Open = pyo.Var(b.L, b.T, domain=pyo.NonNegativeReals, bounds=lambda _b, n, t: (0, loc[n].max_open))

    def balance(_b: pyo.Block, n: str, t: int) -> pyo.Expression:
        previous = b.Open[n, t - 1] if t > 0 else loc[n].initially_open
        change = (b.Opened[n, t] - b.Closed[n, t]) if (n, t) in b.LOC_DECISION else 0
        return b.Open[n, t] == previous + change + loc[n].pending(t)

    b.Location_Balance = pyo.Constraint(b.L, b.T, rule=balance)
    b.Places = pyo.Expression(b.T, rule=lambda _b, t: sum(loc[n].places * b.Open[n, t] for n in b.L))


def add_reserve_places(b: pyo.Block, d: ChainData) -> None:
    r"""Reserve_Places — COA reserve places held per budget year (reservecapaciteit).

    .. math:: 0 \le ReservePlaces_y \le \bar R \cdot a_{res} \qquad \forall y \in Y

    =================  ======================  ======================
    symbol             component               unit
    =================  ======================  ======================
    ReservePlaces_y    ``ReservePlaces[y]``    places on standby
    \bar R             ``max_reserve_places``  places
    a_{res}            policy switch           1 if allowed, else 0
    =================  ======================  ======================
    """
    cap = d.max_reserve_places if d.policy.allow_reserve_places else 0.0
    b.ReservePlaces = pyo.Var(b.YEARS, domain=pyo.NonNegativeReals, bounds=(0, cap))


def add_flexpool(b: pyo.Block, d: ChainData) -> None:
    r"""Flexpool — teams retained in the chain-wide flexible pool per budget year.

    .. math::
        PoolTeams_y \in \{0, \dots, \bar N a_{pool}\}, \quad PoolFTE_y = n\, PoolTeams_y
        \qquad \forall y \in Y

    ===============  =================  =====================
    symbol           component          unit
    ===============  =================  =====================
    PoolTeams_y      ``PoolTeams[y]``   teams (integer)
    n                ``team_fte``       FTE per team
    \bar N           ``max_teams``      teams
    ===============  =================  =====================
    """
    cap = d.pool_max_teams if d.policy.allow_flexpool else 0
    b.PoolTeams = pyo.Var(b.YEARS, domain=pyo.NonNegativeIntegers, bounds=(0, cap))
    b.PoolFTE = pyo.Expression(b.YEARS, rule=lambda _b, y: d.pool_team_fte * b.PoolTeams[y])


def add_asielreserve(b: pyo.Block, d: ChainData) -> None:
    r"""Asielreserve — the budgeted contribution to the asielreserve fund per year (a lever).

    .. math:: 0 \le Dep_y \le \bar A \cdot a_{ar} \qquad \forall y \in Y

    A deposit is budget appropriated on the reserve's own article at the start of
    the year (a cash outlay of the Rijksbegroting, not spending of a partner). The
    balance it feeds, the withdrawals and the underspend that may flow in are per
    scenario (``add_reserve_fund``); a deposit is at most the maximum balance.

    ===============  =========================  ================
    symbol           component                  unit
    ===============  =========================  ================
    Dep_y            ``ReserveDeposit[y]``      EUR (model: M EUR)
    \bar A           ``max_asielreserve_meur``  EUR, maximum balance
    a_{ar}           ``allow_asielreserve``     1 if deposits are allowed, else 0
    ===============  =========================  ================
    """
    cap = d.max_asielreserve_meur if d.policy.allow_asielreserve else 0.0
    b.ReserveDeposit = pyo.Var(b.YEARS, domain=pyo.NonNegativeReals, bounds=(0, cap))


def add_occupancy_norm(b: pyo.Block, d: ChainData) -> None:
    r"""Occupancy_Norm — regular places cover MPP-mid occupancy at the planning norm.

    .. math::
        Places_t \ge \min\big(O^{mpp}_t / \beta,\ \hat P_t\big) \qquad \forall t \in T,\ t \ge t_0

    :math:`O^{mpp}_t` is the occupancy of the MPP-mid plan (the baseline run);
    :math:`\hat P_t = \sum_l q_l \bar O_l` over the location types with an opening
    moment in :math:`[\ell_l, t]` (else :math:`O^0_l`) — the most places
    reachable, so the norm never asks for the impossible; :math:`t_0` is the first
    period in which any location type can be opened. Not applied in the baseline
    run itself (``add_baseline_norm``), nor when locations follow the MPP plan
    (status quo), which met the norm by construction.

    ================  ==========================  ============
    symbol            component                   unit
    ================  ==========================  ============
    \beta             ``policy.occupancy_norm``   share
    O^{mpp}_t         ``baseline.occupancy``      persons
    \hat P_t          reachable places            places
    t_0               ``norm_start_period``       period
    ================  ==========================  ============
    """
    if d.baseline is None or not d.policy.allow_location_changes:
        b.Occupancy_Norm = pyo.Constraint(b.T, rule=lambda _b, t: pyo.Constraint.Skip)
        return
    occ = d.baseline.occupancy_persons
    norm = d.policy.occupancy_norm

    def openable_by(loc: LocationData, t: int) -> bool:  # an opening decision period in [lead, t]
        return any(loc.lead_periods <= tau <= t for tau in loc.decision_periods)

    def reachable(t: int) -> float:
        return sum(
            loc.places * (loc.max_open if openable_by(loc, t) else loc.initially_open) for loc in d.locations
        )

    b.Occupancy_Norm = pyo.Constraint(
        b.T,
        rule=lambda _b, t: (
            b.Places[t] >= min(occ[t] / norm, reachable(t))
            if t >= d.norm_start_period
            else pyo.Constraint.Skip
        ),
    )


def add_structural_cost(b: pyo.Block, d: ChainData) -> None:
    r"""Structural_Cost — stage-1 spending per budget line and year (an expression).

    .. math::
        C^{1}_{p,y} = |y|\,F_p + \sum_{t \in y} \big[k_p (Staff_{p,t} + Trainees_{p,t})
            + h_p c_p Hire_{p,t}\big] \quad p \in P

        C^{1}_{coa,y} = |y|\,F_{coa} + \sum_{t \in y} \sum_l \big[k_l q_l Open_{l,t} + f^{o}_l Opened_{l,t}
            + f^{c}_l Closed_{l,t}\big] + \sum_{t\in y} k_{res} ReservePlaces_y

        C^{1}_{pool,y} = \sum_{t \in y} k_{ret}\, PoolFTE_y

    ==========  ==================================  =====================
    symbol      component                           unit
    ==========  ==================================  =====================
    k_p         ``cost_per_fte_period_meur``         EUR per FTE-period
    h_p         ``hiring_cost_per_fte_meur``         EUR per FTE
    k_l         ``cost_per_place_period_meur``       EUR per place-period
    f^o, f^c    ``opening/closing_cost_meur``        EUR per location
    k_{res}     ``reserve_holding_cost_period_meur`` EUR per place-period
    k_{ret}     ``pool_retainer_period_meur``        EUR per FTE-period
    F_p         ``fixed_cost_period_meur``           EUR per period (organisation)
    F_{coa}     ``coa_fixed_cost_period_meur``       EUR per period (organisation)
    ==========  ==================================  =====================

    :math:`F` is the partner's fixed organisation (management, support, IT,
    housing, other tasks): a constant, so that the line reconciles with the
    published budget; it does not move any decision.
    """
    loc = {x.name: x for x in d.locations}
    periods_of = {y: [t for t in b.T if d.year_of[t] == y] for y in b.YEARS}

    def staff_cost(p: str, y: int) -> pyo.Expression:
        s = d.staff[p]
        return len(periods_of[y]) * s.fixed_cost_period_meur + sum(
            s.cost_per_fte_period_meur * (b.Staff[p, t] + b.Trainees[p, t])
            + (s.hiring_cost_per_fte_meur * s.cohort_fte * b.Hire[p, t] if (p, t) in b.INTAKE else 0)
            for t in periods_of[y]
        )

    def coa_cost(y: int) -> pyo.Expression:
        running = sum(
            loc[n].cost_per_place_period_meur * loc[n].places * b.Open[n, t]
            for n in b.L
            for t in periods_of[y]
        )
        changes = sum(
            loc[n].opening_cost_meur * b.Opened[n, t] + loc[n].closing_cost_meur * b.Closed[n, t]
            for n, t in b.LOC_DECISION
            if d.year_of[t] == y
        )
        holding = len(periods_of[y]) * d.reserve_holding_cost_period_meur * b.ReservePlaces[y]
        return len(periods_of[y]) * d.coa_fixed_cost_period_meur + running + changes + holding

    def rule(_b: pyo.Block, line: str, y: int) -> pyo.Expression:
        if line in d.staff:
            return staff_cost(line, y)
        if line == Partner.COA.value:
            return coa_cost(y)
        if line == FLEXPOOL:
            return len(periods_of[y]) * d.pool_retainer_period_meur * b.PoolFTE[y]
        return 0.0

    b.StructuralCost = pyo.Expression(b.LINES, b.YEARS, rule=rule)


def add_budget_covers_structural(b: pyo.Block, d: ChainData) -> None:
    r"""Budget_Covers_Structural — the budget per line and year pays at least its fixed plan.

    .. math:: Budget_{p,y} \ge C^{1}_{p,y} \qquad \forall p \in \text{lines}, y \in Y

    ==============  ====================  =====
    symbol          component             unit
    ==============  ====================  =====
    Budget_{p,y}    ``Budget[p,y]``       EUR
    C^1_{p,y}       ``StructuralCost``    EUR
    ==============  ====================  =====
    """
    b.Budget = pyo.Var(b.LINES, b.YEARS, domain=pyo.NonNegativeReals)
    b.Budget_Covers_Structural = pyo.Constraint(
        b.LINES, b.YEARS, rule=lambda _b, p, y: b.Budget[p, y] >= b.StructuralCost[p, y]
    )


def add_funding_ratio(b: pyo.Block, d: ChainData) -> None:
    r"""Funding_Ratio — budget per year against the MPP-mid need, for the chain or per partner.

    .. math::
        r_{min} \sum_{p \in g} N_{p,y} \le \sum_{p \in g} Budget_{p,y} \le r_{max} \sum_{p \in g} N_{p,y}
        \qquad \forall g \in G, y \in Y

    with groups :math:`G = \{\text{all lines}\}` (``funding_ratio_scope = "chain"``, the
    default: money can follow the work between partners, ketenperspectief) or one
    group per budget line with an MPP need (``"partner"``; a line without need in any
    year, the flex pool, is in no group, so a per-partner maximum does not cap its own
    budget). Rows only where the policy sets ``funding_ratio_min/max`` and a baseline
    exists, and in the partner scope only for years in which the line has a need.

    ==========  ============================  =====
    symbol      component                     unit
    ==========  ============================  =====
    N_{p,y}     ``baseline.need_meur``        M EUR
    r_{min}     ``first.funding_ratio_min``   ratio (mutable: 0 when unset)
    r_{max}     ``first.funding_ratio_max``   ratio (mutable)
    G           ``first.FUNDING_GROUPS``      groups of budget lines
    ==========  ============================  =====
    """
    lo, hi = d.policy.funding_ratio_min, d.policy.funding_ratio_max
    base = d.baseline
    # Mutable, so a sweep over the funding ratio re-solves without rebuilding;
    # an unset minimum is 0 (always met), an unset maximum leaves no row.
    b.funding_ratio_min = pyo.Param(initialize=lo if lo is not None else 0.0, mutable=True)
    b.funding_ratio_max = pyo.Param(initialize=hi if hi is not None else 0.0, mutable=True)
    if d.policy.funding_ratio_scope == "partner":
        # Only lines with an MPP need form a group: a cap of r_max x 0 would abolish
        # the budget of a line the MPP plan does not use (the flex pool).
        needed = {p for (p, _y), n in (base.need_meur.items() if base else ()) if n > 0}
        groups = {line: (line,) for line in BUDGET_LINES if line in needed}
    else:
        groups = {CHAIN_GROUP: BUDGET_LINES}
    b.FUNDING_GROUPS = pyo.Set(initialize=list(groups), ordered=True)

    def need(g: str, y: int) -> float:
        return sum(base.need_meur.get((p, y), 0.0) for p in groups[g]) if base else 0.0

    def budget(g: str, y: int) -> pyo.Expression:
        return sum(b.Budget[p, y] for p in groups[g])

    b.Funding_Ratio_Min = pyo.Constraint(
        b.FUNDING_GROUPS,
        b.YEARS,
        rule=lambda _b, g, y: (
            budget(g, y) >= b.funding_ratio_min * need(g, y)
            if base and need(g, y) > 0
            else pyo.Constraint.Skip
        ),
    )
    b.Funding_Ratio_Max = pyo.Constraint(
        b.FUNDING_GROUPS,
        b.YEARS,
        rule=lambda _b, g, y: (
            budget(g, y) <= b.funding_ratio_max * need(g, y)
            if hi is not None and base and (g == CHAIN_GROUP or need(g, y) > 0)
            else pyo.Constraint.Skip
        ),
    )


def add_policy_plan(b: pyo.Block, d: ChainData) -> None:
    r"""Policy_Plan — where capacity follows the MPP (status quo), fix hiring and/or locations.

    .. math::
        Hire_{p,t} = Hire^{mpp}_{p,t} \quad \text{if not } allow\_staff\_changes

        Opened_{l,t} = Opened^{mpp}_{l,t},\ Closed_{l,t} = Closed^{mpp}_{l,t}
        \quad \text{if not } allow\_location\_changes

    The MPP-mid plan comes from the baseline run (``baseline.first_stage``).
    """
    if d.baseline is None or not d.baseline.first_stage:
        return
    plan = d.baseline.first_stage
    fixed = [] if d.policy.allow_staff_changes else [b.Hire]
    if not d.policy.allow_location_changes:
        fixed += [b.Opened, b.Closed]
    for var in fixed:
        for v in var.values():
            key = v.getname(relative_to=b, fully_qualified=True)
            if key in plan:
                v.fix(round(plan[key]))


def add_terminal_staff(b: pyo.Block, d: ChainData) -> None:
    r"""Terminal_Staff — no run-down of staff at the horizon end (a soft terminal condition).

    .. math::
        Staff_{p,T} + Trainees_{p,T} + Gap_p \ge S^{end}_p,\quad
        S^{end}_p = \min\big(S^0_p,\ W^{mpp}_p / o_p\big) \qquad \forall p \in P_{adj}

    :math:`W^{mpp}_p` is partner p's work per period at the MPP-mid forecast of the last
    year (registrations; decision work; rejections, within the returns cap). A gap costs
    what rebuilding it after the horizon costs: hiring plus the wages of the training
    months, :math:`h_p + \ell_p k_p` per FTE (``TerminalStaffCost``, in ``FirstStageCost``).
    Without it hiring stops well before the end, as if the chain ended in December.

    ==============  ==========================  ==================
    symbol          component                   unit
    ==============  ==========================  ==================
    Gap_p           ``TerminalStaffGap[p]``     FTE
    S^{end}_p       ``terminal_staff_fte``      FTE
    h_p, k_p        hiring, cost per period     M EUR per FTE(-period)
    \ell_p          ``lag_periods``             periods
    ==============  ==========================  ==================
    """
    last = len(d.periods) - 1
    targets = {p: fte for p, fte in d.terminal_staff_fte.items() if p in d.staff and d.staff[p].adjustable}
    b.TERMINAL_P = pyo.Set(initialize=list(targets), ordered=True)
    b.TerminalStaffGap = pyo.Var(b.TERMINAL_P, domain=pyo.NonNegativeReals)
    b.Terminal_Staff = pyo.Constraint(
        b.TERMINAL_P,
        rule=lambda _b, p: b.Staff[p, last] + b.Trainees[p, last] + b.TerminalStaffGap[p] >= targets[p],
    )

    def rebuild(p: str) -> float:
        s = d.staff[p]
        return s.hiring_cost_per_fte_meur + s.lag_periods * s.cost_per_fte_period_meur

    b.TerminalStaffCost = pyo.Expression(expr=sum(rebuild(p) * b.TerminalStaffGap[p] for p in b.TERMINAL_P))
