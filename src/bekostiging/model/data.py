"""Model data derived from the validated case: everything in per-period units, money in M EUR.

The model reads only :class:`ChainData` and :class:`ScenarioInflow`; both are
built from validated pydantic objects, never from files. Yearly rates become
per-period rates here, lead times in months become whole periods.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from bekostiging.schema import (
    MONTHS_PER_YEAR,
    STAFFED_PARTNERS,
    Case,
    Category,
    Partner,
    Policy,
    ScenarioSet,
    StockName,
    months_per_period,
    months_to_periods,
    periods_per_year,
)

# Money inside the model is in millions of euros: objective and budget rows then
# stay near 1e3-1e4 instead of 1e10, which HiGHS needs to judge feasibility
# reliably (in euros, changing a penalty weight flipped solves to "infeasible").
MONEY_SCALE = 1.0e6  # EUR per model money unit (M EUR)
DAYS_PER_MONTH = 365.25 / MONTHS_PER_YEAR  # average calendar month, for person-days
FLEXPOOL = "flexpool"  # budget line of the chain-wide flexible pool
BUDGET_LINES: tuple[str, ...] = (*(p.value for p in Partner), FLEXPOOL)
POOL_TASKS: tuple[str, ...] = (Partner.REGISTRATION.value, Partner.IND.value, Partner.COA.value)


@dataclass(frozen=True)
class StaffData:
    partner: str
    adjustable: bool
    initial_fte: float
    output_per_fte_period: float
    cost_per_fte_period_meur: float
    hiring_cost_per_fte_meur: float
    cohort_fte: float
    max_cohorts: int
    intake_periods: tuple[int, ...]
    lag_periods: int
    trainee_productivity: float
    trainee_cap_share: float
    retention_per_period: float  # 1 - attrition per period
    fixed_cost_period_meur: float = 0.0  # fixed organisation cost per period (M EUR)
    # Cohorts hired before the horizon (a simulation's state, model/stages.md §4.3): FTE that
    # become productive in period t (index t); until then they are trainees. Empty: none.
    arriving_fte: tuple[float, ...] = ()

    def arriving(self, t: int) -> float:
        """FTE of pre-horizon cohorts that become productive in period ``t``."""
        return self.arriving_fte[t] if 0 <= t < len(self.arriving_fte) else 0.0

    def pretrained(self, t: int) -> float:
        """FTE of pre-horizon cohorts still in training in period ``t`` (productive later)."""
        return float(sum(self.arriving_fte[t + 1 :])) if t + 1 < len(self.arriving_fte) else 0.0


@dataclass(frozen=True)
class LocationData:
    name: str
    places: float
    initially_open: int
    max_open: int
    opening_cost_meur: float
    closing_cost_meur: float
    lead_periods: int
    cost_per_place_period_meur: float
    decision_periods: tuple[int, ...]  # periods where openings may start / closings happen
    # Openings committed before the horizon (a simulation's state, model/stages.md §4.3):
    # locations that first become usable in period t (index t). Empty: none.
    pending_openings: tuple[int, ...] = ()

    def pending(self, t: int) -> int:
        """Locations opened by a pre-horizon decision that become usable in period ``t``."""
        return self.pending_openings[t] if 0 <= t < len(self.pending_openings) else 0


@dataclass(frozen=True)
class MppBaseline:
    """The MPP-mid plan's need per budget line and year, and its occupancy path."""

    need_meur: dict[tuple[str, int], float]
    occupancy_persons: tuple[float, ...]
    first_stage: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ChainData:
    periods: tuple[str, ...]
    years: tuple[int, ...]
    year_of: tuple[int, ...]  # budget year of each period
    months_per_period: int
    periods_per_year: int
    categories: tuple[str, ...]
    needs_registration: dict[str, bool]
    decision_work: dict[str, float]
    reception_share: dict[str, float]
    initial_queue: dict[str, float]
    initial_backlog: dict[str, float]
    initial_status_holders: float
    initial_rejected: float
    housing_outflow: tuple[float, ...]
    permit_share: tuple[float, ...]
    unsupervised_share: tuple[float, ...]
    staff: dict[str, StaffData]
    legal_term_periods: float
    locations: tuple[LocationData, ...]
    max_fill_rate: float
    resident_cost_period_meur: float
    reserve_holding_cost_period_meur: float
    reserve_activation_cost_period_meur: float
    reserve_lead_periods: int
    max_reserve_places: float
    emergency_cost_period_meur: float
    staff_fte_per_extra_place: float
    external_staff_cost_period_meur: float
    pool_team_fte: float
    pool_max_teams: int
    pool_retainer_period_meur: float
    pool_activation_period_meur: float
    pool_max_active_share: float
    pool_productivity: float
    asielreserve_rate: float  # weight per M EUR available in the fund per year
    max_asielreserve_meur: float  # maximum balance of the fund
    supplementary_penalty: float  # weight per M EUR of supplementary funding
    unspent_budget_weight: float  # weight per M EUR appropriated and left unspent
    late_case_month_meur: float
    queue_person_day_meur: float
    policy: Policy
    baseline: MppBaseline | None = None
    # t0 of the occupancy norm: the first period any location type can open (the first
    # decision moment at or after its lead time); no norm rows and no shortfall before it.
    norm_start_period: int = 0
    # chain dynamics (issue 16): minimum stays, housing lever, nareis link, returns cap, contracts
    registration_stay_periods: float = 0.0  # periods a registered applicant stays in the central location
    ind_min_periods: float = 0.0  # minimum periods from registration to decision
    housing_min_periods: float = 0.0  # minimum periods from permit / nareis arrival to housing
    departure_min_periods: float = 0.0  # minimum periods from rejection to departure
    accelerated_housing_share: float = 0.0  # extra housing at most this share of the base outflow
    accelerated_housing_cost_meur: float = 0.0  # M EUR per extra person housed
    nareis_per_permit: float = 0.0  # nareis arriving per permit granted (0: scenario nareis only)
    nareis_lag_periods: int = 0
    max_returns_period: float | None = None  # external cap on supervised departures per period
    reserve_min_contract_periods: int = 1
    emergency_lead_periods: int = 0
    emergency_min_contract_periods: int = 1
    initial_emergency_places: float = 0.0
    # Contracts from before the horizon (a simulation's state, model/stages.md §4.3): places
    # still under an earlier emergency / reserve-activation contract in period t (index t).
    # Empty: the plan from today (emergency: E0 winding down; reserve: none).
    emergency_carry: tuple[float, ...] = ()
    reserve_carry: tuple[float, ...] = ()
    prehorizon_registrations: dict[str, float] = field(default_factory=dict)  # per period, for late cohorts
    # flows of issue 16 (b): withdrawals, appeals, Dublin, returnable share, housing catch-up
    withdrawal_share: float = 0.0  # share of the IND backlog leaving the procedure per period
    appeal_share: float = 0.0  # share of negative non-Dublin decisions appealed with suspensive effect
    appeal_periods: float = 0.0  # periods from appeal to ruling
    appeal_granted_share: float = 0.0  # share of appeals ending in a permit
    dublin_share: float = 0.0  # share of negative decisions that are Dublin transfer decisions
    dublin_transfer_share: float = 0.0  # most transfers per period, share of the Dublin claimants
    dublin_unknown_share: float = 0.0  # Dublin claimants leaving to an unknown destination per period
    max_return_share: float | None = None  # most returns per period, share of the rejected in reception
    housing_catch_up_share: float = 0.0  # waiting status holders beyond the normal time housed per period
    pool_lead_periods: int = 0  # periods from the decision to deploy pool staff to their first day
    pool_min_activation_periods: int = 1  # a pool deployment lasts at least this many periods
    # registration surge (issue 16): police officers redeployed to registration for a stint
    surge_max_fte: float = 0.0  # officers deployable at once (0: no lever)
    surge_productivity: float = 0.0  # output per officer relative to a registration FTE
    surge_cost_period_meur: float = 0.0  # M EUR per officer-period while deployed
    surge_lead_periods: int = 0  # periods from the decision to the first day at registration
    surge_min_periods: int = 1  # a redeployment lasts at least this many periods
    surge_max_periods_per_year: float = 0.0  # officer-periods per year at most this x surge_max_fte
    # IND surge (issue 16): temporary decision staff on top of regular hiring (the 2020 taskforce)
    ind_surge_max_fte: float = 0.0  # surge FTE deployable at once (0: no lever)
    ind_surge_productivity: float = 0.0  # decision work per surge FTE relative to a decision FTE
    ind_surge_cost_period_meur: float = 0.0  # M EUR per surge FTE-period while deployed
    ind_surge_lead_periods: int = 0  # periods from the decision to the first surge staff at work
    ind_surge_min_periods: int = 1  # a surge contract lasts at least this many periods
    ind_surge_max_periods_per_year: float = 0.0  # FTE-periods per year at most this x ind_surge_max_fte
    terminal_staff_fte: dict[str, float] = field(default_factory=dict)  # soft end-of-horizon staffing target
    coa_fixed_cost_period_meur: float = 0.0  # COA organisation cost per period (M EUR)
    asielreserve_opening_meur: float = 0.0  # fund balance at the start
    asielreserve_end_value: float = 1.0  # value per euro left in the fund at the end
    eindejaarsmarge_share: float = 0.0  # underspend carried over under today's rule, share of budget
    # The IND's realised output per FTE against the norm ``output_per_fte_period``, per period
    # (index t): what the environment delivered (a history path's ``ind_productivity`` series,
    # ``simulate/window.py``). Empty: 1 in every period (a plan counts at the norm).
    ind_output_factor: tuple[float, ...] = ()

    def ind_factor(self, t: int) -> float:
        """The IND's realised output per FTE in period ``t`` as a share of the norm (1 when unset)."""
        return self.ind_output_factor[t] if 0 <= t < len(self.ind_output_factor) else 1.0

    @property
    def decision_categories(self) -> tuple[str, ...]:
        return tuple(k for k in self.categories if self.decision_work[k] > 0)

    @property
    def registration_categories(self) -> tuple[str, ...]:
        return tuple(k for k in self.categories if self.needs_registration[k])

    @property
    def days_per_period(self) -> float:
        return DAYS_PER_MONTH * self.months_per_period

    @property
    def terminal_cost_per_case_meur(self) -> float:
        """IND cost of deciding one work unit (a first application) after the horizon."""
        ind = self.staff[Partner.IND.value]
        return ind.cost_per_fte_period_meur / ind.output_per_fte_period

    @property
    def reception_cost_period_meur(self) -> float:
        """Cash cost of one person in regular reception for one period: resident cost plus the
        running cost of a regular place at the planning norm (the open portfolio's average)."""
        open_ = [loc for loc in self.locations if loc.initially_open > 0] or list(self.locations)
        places = sum(loc.places * max(loc.initially_open, 1) for loc in open_)
        place_cost = sum(
            loc.cost_per_place_period_meur * loc.places * max(loc.initially_open, 1) for loc in open_
        )
        return self.resident_cost_period_meur + place_cost / places / self.policy.occupancy_norm

    def terminal_value_meur(self, stock: str, category: str | None = None, last: int | None = None) -> float:
        """Cash the chain still spends after the horizon on one person left in ``stock`` at the end.

        At normal (minimum) stays and the case's unit costs: the marginal saving of pushing that
        person past the horizon, so the plan gains nothing by doing so (``add_terminal_value``).
        """
        t = len(self.periods) - 1 if last is None else last
        c = self.reception_cost_period_meur
        g = self.permit_share[t]
        after_permit = c * self.housing_min_periods
        after_rejection = c * self.departure_min_periods
        # an appellant waits half the court's time on average, then a permit or a rejection
        gamma = self.appeal_granted_share
        appeal = c * self.appeal_periods / 2 + gamma * after_permit + (1 - gamma) * after_rejection
        dublin_rate = self.dublin_transfer_share + self.dublin_unknown_share
        dublin = c / dublin_rate if dublin_rate > 0 else after_rejection
        if stock == "status_holders":
            return after_permit
        if stock == "rejected":
            return after_rejection
        if stock == "appeals":
            return appeal
        if stock == "dublin":
            return dublin
        if category is None:
            raise ValueError(f"stock {stock!r} needs a category")
        sigma = self.reception_share[category]
        a = self.appeal_share if self.appeal_share > 0 else 0.0
        delta = self.dublin_share
        negative = delta * dublin + (1 - delta) * (
            a * (c * self.appeal_periods + gamma * after_permit + (1 - gamma) * after_rejection)
            + (1 - a) * after_rejection
        )
        decided = sigma * (g * after_permit + (1 - g) * negative)
        backlog = (
            self.decision_work[category] * self.terminal_cost_per_case_meur
            + sigma * c * self.ind_min_periods
            + decided
        )
        if stock == "ind_backlog":
            return backlog
        if stock != "registration_queue":
            raise ValueError(f"no terminal value for stock {stock!r}")
        reg = self.staff[Partner.REGISTRATION.value]
        registration = reg.cost_per_fte_period_meur / reg.output_per_fte_period
        return registration + sigma * c * self.registration_stay_periods + backlog

    def with_baseline(self, baseline: MppBaseline) -> ChainData:
        return replace(self, baseline=baseline)


@dataclass(frozen=True)
class ScenarioInflow:
    """One scenario's inflow (persons per period) by category, shape (periods, categories)."""

    name: str
    inflow_persons: np.ndarray
    baseline: bool = False  # the deterministic MPP-mid planning run (norm on own occupancy)
    housing_persons: np.ndarray | None = None  # housing outflow per period; None: the case's series


def first_opening_period(loc: LocationData) -> int | None:
    """The first period a new location of this type can open: the first decision moment
    at or after its lead time (``None`` when no decision moment lies that late)."""
    return next((t for t in loc.decision_periods if t >= loc.lead_periods), None)


def _staff(case: Case, partner: Partner) -> StaffData:
    s = getattr(case.settings, partner.value)
    h = case.settings.horizon
    ppy = periods_per_year(h)
    interval = max(1, months_to_periods(s.intake_interval_months, h))
    n = len(case.periods)
    return StaffData(
        partner=partner.value,
        adjustable=s.adjustable,
        initial_fte=s.initial_fte,
        output_per_fte_period=s.output_per_fte_year / ppy,
        cost_per_fte_period_meur=(s.cost_per_fte_year_eur / ppy) / MONEY_SCALE,
        hiring_cost_per_fte_meur=(s.hiring_cost_per_fte_eur) / MONEY_SCALE,
        cohort_fte=s.cohort_fte,
        max_cohorts=s.max_cohorts_per_intake,
        intake_periods=tuple(range(0, n, interval)) if s.adjustable else (),
        lag_periods=months_to_periods(s.training_months, h),
        trainee_productivity=s.trainee_productivity_share,
        trainee_cap_share=s.trainee_cap_share,
        retention_per_period=(1.0 - s.attrition_per_year) ** (1.0 / ppy),
        fixed_cost_period_meur=(s.fixed_cost_per_year_eur / ppy) / MONEY_SCALE,
    )


def _per_period_share(per_month: float, months: int) -> float:
    """A monthly hazard as a share per period: what remains after ``months`` months compounds,
    :math:`1 - (1 - h)^m` (a quarter of 10 % a month is 27.1 %, not 30 %)."""
    return 1.0 - (1.0 - per_month) ** months


def chain_data(case: Case, policy: Policy | None = None) -> ChainData:
    """Per-period model data from a validated case (policy: the case's unless given)."""
    st = case.settings
    h = st.horizon
    ppy = periods_per_year(h)
    mpp = months_per_period(h)
    labels = case.periods
    series = {r.period: r for r in case.series}
    cats = tuple(c.value for c in Category)
    coa = st.coa
    interval = max(1, months_to_periods(coa.location_decision_interval_months, h))
    n = len(labels)
    locations = tuple(
        LocationData(
            name=loc.location,
            places=loc.places,
            initially_open=loc.initially_open,
            max_open=loc.max_open,
            opening_cost_meur=(loc.opening_cost_eur) / MONEY_SCALE,
            closing_cost_meur=(loc.closing_cost_eur) / MONEY_SCALE,
            lead_periods=months_to_periods(loc.lead_time_months, h),
            cost_per_place_period_meur=(loc.cost_per_place_year_eur / ppy) / MONEY_SCALE,
            decision_periods=tuple(range(0, n, interval)),
        )
        for loc in case.locations
    )
    openable = [first_opening_period(loc) for loc in locations if loc.max_open > loc.initially_open]
    opening_periods = [t for t in openable if t is not None]
    res = st.residence
    first_year = min(case.years)
    last_year = max(case.years)
    mid = {(r.year, r.category.value): r.mid for r in case.mpp}
    staff = {p.value: _staff(case, p) for p in STAFFED_PARTNERS}
    permit_last = series[labels[-1]].permit_share
    work = sum(st.categories[c].decision_work * mid.get((last_year, c.value), 0.0) for c in Category)
    rejections = (1 - permit_last) * sum(
        st.categories[c].reception_share * mid.get((last_year, c.value), 0.0)
        for c in Category
        if st.categories[c].decision_work > 0
    )
    cap = st.dtv.max_returns_per_year
    registrations = sum(
        mid.get((last_year, c.value), 0.0) for c in Category if st.categories[c].needs_registration
    )
    need_per_period = {
        Partner.REGISTRATION.value: registrations / ppy,
        Partner.IND.value: work / ppy,
        Partner.DTV.value: (min(rejections, cap) if cap is not None else rejections) / ppy,
    }
    terminal_staff = {
        p: min(s.initial_fte, need_per_period[p] / s.output_per_fte_period)
        for p, s in staff.items()
        if s.adjustable
    }
    return ChainData(
        periods=tuple(labels),
        years=tuple(case.years),
        year_of=tuple(int(p[:4]) for p in labels),
        months_per_period=mpp,
        periods_per_year=ppy,
        categories=cats,
        needs_registration={c.value: st.categories[c].needs_registration for c in Category},
        decision_work={c.value: st.categories[c].decision_work for c in Category},
        reception_share={c.value: st.categories[c].reception_share for c in Category},
        initial_queue={c.value: case.stock(StockName.REGISTRATION_QUEUE, c) for c in Category},
        initial_backlog={c.value: case.stock(StockName.IND_BACKLOG, c) for c in Category},
        initial_status_holders=case.stock(StockName.STATUS_HOLDERS),
        initial_rejected=case.stock(StockName.REJECTED),
        housing_outflow=tuple(series[p].housing_outflow_persons for p in labels),
        permit_share=tuple(series[p].permit_share for p in labels),
        unsupervised_share=tuple(series[p].unsupervised_departure_share for p in labels),
        staff=staff,
        legal_term_periods=st.ind.legal_term_months / mpp,
        locations=locations,
        max_fill_rate=coa.max_fill_rate,
        resident_cost_period_meur=(coa.cost_per_resident_year_eur / ppy) / MONEY_SCALE,
        reserve_holding_cost_period_meur=(coa.reserve_holding_cost_per_place_year_eur / ppy) / MONEY_SCALE,
        reserve_activation_cost_period_meur=(
            coa.reserve_activation_cost_per_place_year_eur / ppy / MONEY_SCALE
        ),
        reserve_lead_periods=months_to_periods(coa.reserve_activation_months, h),
        max_reserve_places=coa.max_reserve_places,
        emergency_cost_period_meur=(coa.emergency_cost_per_place_year_eur / ppy) / MONEY_SCALE,
        staff_fte_per_extra_place=coa.staff_fte_per_extra_place,
        external_staff_cost_period_meur=(coa.external_staff_cost_per_fte_year_eur / ppy) / MONEY_SCALE,
        pool_team_fte=st.flexpool.team_fte,
        pool_max_teams=st.flexpool.max_teams,
        pool_retainer_period_meur=(st.flexpool.retainer_cost_per_fte_year_eur / ppy) / MONEY_SCALE,
        pool_activation_period_meur=(st.flexpool.activation_cost_per_fte_year_eur / ppy) / MONEY_SCALE,
        pool_max_active_share=st.flexpool.max_active_share,
        pool_productivity=st.flexpool.productivity_share,
        asielreserve_rate=st.budget.asielreserve_opportunity_rate,
        max_asielreserve_meur=(st.budget.max_asielreserve_eur) / MONEY_SCALE,
        supplementary_penalty=st.budget.supplementary_penalty,
        unspent_budget_weight=st.budget.unspent_budget_weight,
        late_case_month_meur=(st.penalties.late_case_month_eur) / MONEY_SCALE,
        queue_person_day_meur=(st.penalties.registration_queue_person_day_eur) / MONEY_SCALE,
        policy=policy or st.policy,
        norm_start_period=min(opening_periods) if opening_periods else n,
        registration_stay_periods=res.registration_days / (DAYS_PER_MONTH * mpp),
        ind_min_periods=st.ind.min_processing_months / mpp,
        housing_min_periods=res.housing_min_months / mpp,
        departure_min_periods=res.departure_min_months / mpp,
        accelerated_housing_share=st.accelerated_housing.max_share,
        accelerated_housing_cost_meur=st.accelerated_housing.cost_per_person_eur / MONEY_SCALE,
        nareis_per_permit=st.nareis.per_permit,
        nareis_lag_periods=months_to_periods(st.nareis.lag_months, h),
        max_returns_period=None if cap is None else cap / ppy,
        reserve_min_contract_periods=max(1, months_to_periods(coa.reserve_min_contract_months, h)),
        emergency_lead_periods=months_to_periods(coa.emergency_lead_months, h),
        emergency_min_contract_periods=max(1, months_to_periods(coa.emergency_min_contract_months, h)),
        initial_emergency_places=coa.initial_emergency_places,
        prehorizon_registrations={c.value: mid.get((first_year, c.value), 0.0) / ppy for c in Category},
        withdrawal_share=_per_period_share(st.ind.withdrawal_share_per_month, mpp),
        appeal_share=st.appeals.share,
        appeal_periods=st.appeals.months / mpp,
        appeal_granted_share=st.appeals.granted_share,
        dublin_share=st.dublin.share,
        dublin_transfer_share=_per_period_share(st.dublin.transfer_share_per_month, mpp),
        dublin_unknown_share=_per_period_share(st.dublin.unknown_departure_share_per_month, mpp),
        max_return_share=(
            None
            if st.dtv.max_return_share_per_month is None
            else _per_period_share(st.dtv.max_return_share_per_month, mpp)
        ),
        housing_catch_up_share=_per_period_share(st.housing.catch_up_share_per_month, mpp),
        pool_lead_periods=months_to_periods(st.flexpool.activation_lead_months, h),
        pool_min_activation_periods=max(1, months_to_periods(st.flexpool.min_activation_months, h)),
        surge_max_fte=st.registration_surge.max_fte,
        surge_productivity=st.registration_surge.productivity_share,
        surge_cost_period_meur=(st.registration_surge.cost_per_fte_year_eur / ppy) / MONEY_SCALE,
        surge_lead_periods=months_to_periods(st.registration_surge.lead_months, h),
        surge_min_periods=max(1, months_to_periods(st.registration_surge.min_months, h)),
        surge_max_periods_per_year=st.registration_surge.max_months_per_year / mpp,
        ind_surge_max_fte=st.ind_surge.max_fte,
        ind_surge_productivity=st.ind_surge.productivity_share,
        ind_surge_cost_period_meur=(st.ind_surge.cost_per_fte_year_eur / ppy) / MONEY_SCALE,
        ind_surge_lead_periods=months_to_periods(st.ind_surge.lead_months, h),
        ind_surge_min_periods=max(1, months_to_periods(st.ind_surge.min_months, h)),
        ind_surge_max_periods_per_year=st.ind_surge.max_months_per_year / mpp,
        terminal_staff_fte=terminal_staff,
        coa_fixed_cost_period_meur=(coa.fixed_cost_per_year_eur / ppy) / MONEY_SCALE,
        asielreserve_opening_meur=st.budget.asielreserve_opening_balance_eur / MONEY_SCALE,
        asielreserve_end_value=st.budget.asielreserve_end_value,
        eindejaarsmarge_share=st.budget.eindejaarsmarge_share,
    )


def scenario_inflows(scenario_set: ScenarioSet) -> list[ScenarioInflow]:
    """The set's scenarios as model data (categories in ``Category`` order)."""
    order = [scenario_set.categories.index(c) for c in Category]
    housing = scenario_set.housing_persons
    return [
        ScenarioInflow(
            name,
            scenario_set.inflow_persons[i][:, order].astype(float),
            housing_persons=None if housing is None else housing[i].astype(float),
        )
        for i, name in enumerate(scenario_set.names)
    ]


def mpp_mid_inflow(case: Case) -> np.ndarray:
    """The MPP-mid path per period and category: yearly mid x monthly seasonality / 12."""
    h = case.settings.horizon
    mpp_len = months_per_period(h)
    factor = {r.month: r.factor for r in case.seasonality}
    mid = {(r.year, r.category.value): r.mid for r in case.mpp}
    rows = []
    for label in case.periods:
        year = int(label[:4])
        if h.period == "month":
            months = [int(label[5:])]
        else:
            q = int(label[-1])
            months = list(range((q - 1) * mpp_len + 1, q * mpp_len + 1))
        season = sum(factor[m] for m in months) / MONTHS_PER_YEAR
        rows.append([mid[(year, c.value)] * season for c in Category])
    return np.array(rows, dtype=float)
