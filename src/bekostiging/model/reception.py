"""Stage 2, reception: status holders and housing, rejected applicants and departure, COA
occupancy and the places that cover it (regular, reserve, emergency), the MPP plan's norm.

Each ``add_*`` function is one constraint family of ``model/formulation.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pyomo.environ as pyo

from bekostiging.model.chain_flows import (
    COA,
    DTV,
    NAREIS,
    NORM_SHORTFALL_EMERGENCY_MULTIPLE,
    negative_decisions,
    permits,
    pipeline,
    registered,
)
from bekostiging.model.data import ChainData


def lagged(flow: Callable[[int], Any], t: int, length: float) -> Any:
    r"""The flow that leaves a pipeline of length :math:`L` in period t (zero before the horizon).

    .. math:: Out_t = (1 - \varphi)\, f_{t-W} + \varphi\, f_{t-W-1},
        \qquad W = \lfloor L \rfloor,\ \varphi = L - W

    so that :math:`\Pi_t(f, L) - \Pi_{t-1}(f, L) = f_t - Out_t` (the pipeline stock balances).
    """
    whole = math.floor(length + 1e-12)
    frac = length - whole
    total: Any = 0.0
    if t - whole >= 0:
        total = total + (1 - frac) * flow(t - whole)
    if frac > 1e-12 and t - whole - 1 >= 0:
        total = total + frac * flow(t - whole - 1)
    return total


def add_appeals(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Appeals — rejected applicants who appeal with suspensive effect keep reception until the ruling.

    .. math::
        In^A_t = a\,(1 - \delta)\, N_t,\qquad A_t = \Pi_t(In^A, L_A),\qquad
        Out^A_t = (1 - \varphi) In^A_{t-W} + \varphi\, In^A_{t-W-1} \qquad \forall t

    with :math:`N_t = \sum_{k \in K_{dec}} \sigma_k (1 - g_t) D_{k,t}` the negative decisions
    in reception (``negative_decisions``), :math:`W = \lfloor L_A \rfloor`,
    :math:`\varphi = L_A - W`. The court rules after :math:`L_A` periods: a share
    :math:`\gamma` of :math:`Out^A_t` gets a permit (``add_status_holders``), the rest joins the
    rejected (``add_rejected``). The stock :math:`A_t` is an expression of the decisions (no
    variable): the court's duration is not the chain's to choose. Appeals lodged before the
    horizon are in the initial rejected stock. Only built when :math:`a > 0`.

    ==============  ==========================  ====================
    symbol          component                   unit
    ==============  ==========================  ====================
    a               ``appeal_share``            share of negative decisions (Dublin excluded)
    \delta          ``dublin_share``            share of negative decisions
    L_A             ``appeal_periods``          periods
    \gamma          ``appeal_granted_share``    share
    In^A_t          ``AppealInflow[t]``         persons per period
    A_t             ``Appeals[t]``              persons
    Out^A_t         ``AppealOutflow[t]``        persons per period (rulings)
    ==============  ==========================  ====================
    """
    if d.appeal_share <= 0:
        return
    share = d.appeal_share * (1 - d.dublin_share)
    b.AppealInflow = pyo.Expression(first.T, rule=lambda _b, t: share * negative_decisions(b, d, t))
    b.Appeals = pyo.Expression(
        first.T, rule=lambda _b, t: pipeline(lambda tau: b.AppealInflow[tau], t, d.appeal_periods)
    )
    b.AppealOutflow = pyo.Expression(
        first.T, rule=lambda _b, t: lagged(lambda tau: b.AppealInflow[tau], t, d.appeal_periods)
    )


def add_dublin(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Dublin — Dublin claimants in reception: transferred by DT&V or gone to an unknown destination.

    .. math::
        U_t = (1 - u_D)\, U_{t-1} + \delta N_t - Tr_t,\quad U_{-1} = 0;\qquad
        Tr_t \le \tau_D\, U_{t-1} \qquad \forall t

    A share :math:`\delta` of the negative decisions in reception are Dublin transfer decisions
    (another member state is responsible). A claimant leaves by a transfer :math:`Tr_t`
    (DT&V's work: within its capacity together with the returns, ``add_rejected``; at most
    :math:`\tau_D` of the claimants a period: acceptance, papers, the transfer deadline) or
    departs to an unknown destination (MOB), :math:`u_D U_{t-1}`, behaviour and not a decision.
    Claimants of before the horizon are in the initial rejected stock. Only built when
    :math:`\delta > 0`.

    ==============  =============================  ====================
    symbol          component                      unit
    ==============  =============================  ====================
    U_t             ``DublinClaimants[t]``         persons
    Tr_t            ``Transfers[t]``               persons per period
    \delta          ``dublin_share``               share of negative decisions
    \tau_D          ``dublin_transfer_share``      share per period
    u_D             ``dublin_unknown_share``       share per period
    ==============  =============================  ====================
    """
    if d.dublin_share <= 0:
        return
    b.DublinClaimants = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    b.Transfers = pyo.Var(first.T, domain=pyo.NonNegativeReals)

    def previous(t: int) -> Any:
        return b.DublinClaimants[t - 1] if t > 0 else 0.0

    b.DublinUnknown = pyo.Expression(first.T, rule=lambda _b, t: d.dublin_unknown_share * previous(t))
    b.Dublin_Balance = pyo.Constraint(
        first.T,
        rule=lambda _b, t: b.DublinClaimants[t]
        == previous(t)
        - b.DublinUnknown[t]
        + d.dublin_share * negative_decisions(b, d, t)
        - b.Transfers[t],
    )
    b.Transfer_Limit = pyo.Constraint(
        first.T, rule=lambda _b, t: b.Transfers[t] <= d.dublin_transfer_share * previous(t)
    )


def add_status_holders(b: pyo.Block, first: pyo.Block, d: ChainData) -> None:
    r"""Status_Holders — permit holders and nareis in reception awaiting municipal housing.

    .. math::
        H_t = H_{t-1} + In^H_t - Housed_t,\quad
        In^H_t = \sum_{k \in K_{dec}} \sigma_k g_t D_{k,t} + \sum_{k \notin K_{dec}} \sigma_k R_{k,t}
            + \gamma\, Out^A_t

        Housed_t - Acc_t \le \bar h_{s,t} + \eta\,\big(H_{t-1} - \Pi_{t-1}(In^H, L_H)\big) \qquad \forall t

    Nareis (:math:`k \notin K_{dec}`) arrive as the scenario says, or, with
    ``nareis.per_permit`` :math:`\nu > 0`, linked to the permits granted
    :math:`\ell_\nu` periods earlier (``NareisLinked``, rows ``Nareis_Link``):

    .. math:: R_{nareis,t} = \nu\, g_{t-\ell_\nu} \sum_{k \in K_{dec}} D_{k,t-\ell_\nu}
        \qquad t \ge \ell_\nu

    Appeals granted (:math:`\gamma Out^A_t`, ``add_appeals``) join the status holders.
    Housing (``Housing_Limit``): the scenario's base outflow :math:`\bar h_{s,t}` plus the
    catch-up :math:`\eta` on the status holders waiting longer than the normal housing time
    :math:`L_H` — the half-yearly municipal task adds the arrears of the last period, so
    housing follows the status holders who wait. Before the horizon the inflow is the base
    outflow of the first period, and the arrears at the start are
    :math:`\max(0, H_{-1} - L_H \bar h_0)`.

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
    \eta            ``housing_catch_up_share``      share per period
    \nu             ``nareis_per_permit``           nareis per permit
    \ell_\nu        ``nareis_lag_periods``          periods
    \gamma          ``appeal_granted_share``        share of rulings
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
    granted = d.appeal_granted_share if hasattr(b, "AppealOutflow") else 0.0
    b.StatusHolderInflow = pyo.Expression(
        first.T,
        rule=lambda _b, t: (
            sum(d.reception_share[k] * d.permit_share[t] * b.Decisions[k, t] for k in b.KDEC)
            + sum(d.reception_share[k] * registered(b, k, t) for k in direct)
            + (granted * b.AppealOutflow[t] if granted > 0 else 0.0)
        ),
    )

    def rule(_b: pyo.Block, t: int) -> pyo.Expression:
        previous = b.StatusHolders[t - 1] if t > 0 else d.initial_status_holders
        return b.StatusHolders[t] == previous + b.StatusHolderInflow[t] - b.Housed[t]

    b.Status_Holders = pyo.Constraint(first.T, rule=rule)
    eta = d.housing_catch_up_share
    base = d.housing_outflow[0]
    arrears_at_start = max(0.0, d.initial_status_holders - d.housing_min_periods * base)

    def arrears(t: int) -> Any:
        if t < 0:
            return arrears_at_start
        waiting = pipeline(lambda tau: b.StatusHolderInflow[tau], t, d.housing_min_periods, base)
        return b.StatusHolders[t] - waiting

    b.Housing_Limit = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            b.Housed[t] - b.AcceleratedHousing[t]
            <= b.housing_outflow_persons[t] + (eta * arrears(t - 1) if eta > 0 else 0.0)
        ),
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
        In^J_t = (1 - \delta)(1 - a)\, N_t + (1 - \gamma)\, Out^A_t

        Ret_t + Tr_t \le Cap_{dtv,t},\qquad Ret_t \le \bar r,\qquad Ret_t \le \rho_J J_{t-1} \qquad \forall t

    :math:`N_t` the negative decisions in reception; Dublin cases (:math:`\delta`,
    ``add_dublin``) and appeals (:math:`a`, ``add_appeals``) take their own way, the appeals
    that fail come back here. :math:`u_t J_{t-1}` departures without supervision (to an
    unknown destination, MOB) are behaviour, not a decision. :math:`\bar r` is the external
    cap on supervised departures (countries of origin; rows ``Return_Cap`` only when
    ``dtv.max_returns_per_year`` is set); :math:`\rho_J` the returnable share per period
    (papers, cooperation; rows ``Return_Share`` only when ``dtv.max_return_share_per_month``
    is set): a return takes months, not one period, whatever DT&V's staff.
    DT&V's capacity serves returns and Dublin transfers :math:`Tr_t` together.

    ==========  ============================  ====================
    symbol      component                     unit
    ==========  ============================  ====================
    J_t         ``Rejected[t]``               persons
    In^J_t      ``RejectedInflow[t]``         persons per period
    u_t         ``unsupervised_share``        share per period
    Ret_t       ``Returns[t]``                persons per period
    Tr_t        ``Transfers[t]``              persons per period (``add_dublin``)
    Cap_{dtv,t} ``first.Capacity[dtv,t]``     returns per period
    \bar r      ``max_returns_period``        persons per period
    \rho_J      ``max_return_share``          share per period
    ==========  ============================  ====================
    """
    b.Rejected = pyo.Var(first.T, domain=pyo.NonNegativeReals)
    b.Returns = pyo.Var(first.T, domain=pyo.NonNegativeReals)

    def previous(t: int) -> pyo.Expression | float:
        return b.Rejected[t - 1] if t > 0 else d.initial_rejected

    appeals = hasattr(b, "AppealOutflow")
    direct = (1 - d.dublin_share) * (1 - (d.appeal_share if appeals else 0.0))
    failed = 1 - d.appeal_granted_share
    b.Unsupervised = pyo.Expression(first.T, rule=lambda _b, t: d.unsupervised_share[t] * previous(t))
    b.RejectedInflow = pyo.Expression(
        first.T,
        rule=lambda _b, t: (
            direct * negative_decisions(b, d, t) + (failed * b.AppealOutflow[t] if appeals else 0.0)
        ),
    )

    def rule(_b: pyo.Block, t: int) -> pyo.Expression:
        return b.Rejected[t] == previous(t) - b.Unsupervised[t] + b.RejectedInflow[t] - b.Returns[t]

    b.Rejected_Balance = pyo.Constraint(first.T, rule=rule)
    transfers = hasattr(b, "Transfers")
    b.Return_Capacity = pyo.Constraint(
        first.T,
        rule=lambda _b, t: (
            b.Returns[t] + (b.Transfers[t] if transfers else 0.0) <= first.Capacity[DTV, t]
        ),
    )
    cap = d.max_returns_period
    b.Return_Cap = pyo.Constraint(
        first.T, rule=lambda _b, t: b.Returns[t] <= cap if cap is not None else pyo.Constraint.Skip
    )
    share = d.max_return_share
    if share is not None:
        b.Return_Share = pyo.Constraint(first.T, rule=lambda _b, t: b.Returns[t] <= share * previous(t))


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
            + \sum_{k \in K_{dec}} \sigma_k B_{k,t} + H_t + J_t + A_t + U_t \qquad \forall t

    with the appellants :math:`A_t` (``add_appeals``) and Dublin claimants :math:`U_t`
    (``add_dublin``) where those families are built.

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
            + (b.Appeals[t] if hasattr(b, "Appeals") else 0.0)
            + (b.DublinClaimants[t] if hasattr(b, "DublinClaimants") else 0.0)
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
        ResAct_t = R^0_t + \sum_{j=0}^{M_{res}-1} ResStart_{t-j},\qquad ResAct_t \le ReservePlaces_{y(t)},
        \qquad ResStart_t = 0 \ (t < \ell_{res}) \qquad \forall t

    :math:`ResStart_t` are places that come into use in period :math:`t` for
    :math:`M_{res}` periods (paid whether full or not); it is decided :math:`\ell_{res}`
    periods earlier, in every period (in the two-stage form, with the scenario's path known,
    the lead time binds at the start; ``model/stages.md`` gives the decision its
    information set). A contract may not outlast the reserve places held in any year it spans.
    :math:`R^0_t` are places still under a contract started before the horizon (zero in a
    plan from today; a simulation's state, ``model/stages.md`` §4.3).

    ==============  ================================  =======
    symbol          component                         unit
    ==============  ================================  =======
    ResStart_t      ``ReserveStart[t]``               places
    R^0_t           ``reserve_carry``                 places
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
            b.ReserveActive[t]
            == carried(d.reserve_carry, t) + sum(b.ReserveStart[t - j] for j in range(length) if t - j >= 0)
        ),
    )
    b.Reserve_Activation = pyo.Constraint(
        first.T, rule=lambda _b, t: b.ReserveActive[t] <= first.ReservePlaces[d.year_of[t]]
    )


def carried(values: tuple[float, ...], t: int) -> float:
    """Places under a contract from before the horizon in period t (0 after the list)."""
    return values[t] if 0 <= t < len(values) else 0.0


def initial_emergency(d: ChainData, t: int) -> float:
    r"""Initial emergency places still under contract in period t: they run out evenly over
    the minimum contract period, :math:`E^0_t = E^0 \max(0, 1 - t / M_{em})`; in a simulation's
    state the places of the contracts actually running (``emergency_carry``)."""
    if d.emergency_carry:
        return carried(d.emergency_carry, t)
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
