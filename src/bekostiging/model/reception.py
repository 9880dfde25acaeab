"""Stage 2, reception: status holders and housing, rejected applicants and departure, COA
occupancy and the places that cover it (regular, reserve, emergency), the MPP plan's norm.

Each ``add_*`` function is one constraint family of ``model/formulation.md``.
"""

from __future__ import annotations

import pyomo.environ as pyo

from bekostiging.model.chain_flows import (
    COA,
    DTV,
    NAREIS,
    NORM_SHORTFALL_EMERGENCY_MULTIPLE,
    permits,
    pipeline,
    registered,
)
from bekostiging.model.data import ChainData


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
