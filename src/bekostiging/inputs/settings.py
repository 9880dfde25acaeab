"""The settings of a case (``case.toml``): every section as a model, the horizon helpers,
and the cross-field rules of the settings file.

Part of :mod:`bekostiging.schema` (which re-exports every name).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, ValidationInfo, model_validator

from bekostiging.inputs.base import (
    MAX_BUDGET_EUR,
    MAX_COHORTS,
    MAX_EUR_PER_EUR,
    MAX_EUR_PER_UNIT_YEAR,
    MAX_FTE,
    MAX_FUNDING_RATIO,
    MAX_OUTPUT_PER_FTE_YEAR,
    MAX_PENALTY_EUR,
    MAX_PERSONS,
    MAX_PLACES,
    MAX_TEAMS,
    MONTHS_PER_YEAR,
    SETTINGS_TABLE,
    Category,
    Partner,
    Strict,
    Violation,
    _fmt,
    _raise_unless_deferred,
    param,
)


class CaseInfo(Strict):
    name: str = Field(min_length=1, description="Short name of the case")
    description: str = Field("", description="What this case represents")
    price_year: int = param(unit="year", description="Price level of all euro amounts", ge=2000, le=2100)
    currency: Literal["EUR"] = Field("EUR", description="Currency of all money amounts")
    default_scenarios: str = Field("mpp", min_length=1, description="Scenario set used when none is given")


class Horizon(Strict):
    start_year: int = param(unit="year", description="First budget year", ge=2000, le=2100)
    years: int = param(5, unit="years", description="Budget years in the horizon", ge=1, le=10)
    period: Literal["month", "quarter"] = Field("month", description="Length of one period")


class CategorySettings(Strict):
    needs_registration: bool = Field(True, description="Passes registration (AVIM/DISA)")
    decision_work: float = param(
        unit="FTE-work per case relative to a first application",
        description="IND work per case; 0 means no asylum decision on arrival "
        "(the case joins the status holders directly, as nareis do)",
        ge=0.0,
        le=5.0,
    )
    reception_share: float = param(
        unit="share", description="Share of the category that stays in COA reception", ge=0.0, le=1.0
    )


class StaffSettings(Strict):
    """A staffed partner: hiring cohorts, training lag, trainee cap, attrition."""

    adjustable: bool = Field(True, description="Staffing is a lever (False: fixed formation)")
    initial_fte: float = param(unit="FTE", description="Productive staff at the start", ge=0.0, le=MAX_FTE)
    output_per_fte_year: float = param(
        unit="cases per FTE-year",
        description="Output of one productive FTE in a year (decisions, registrations, returns)",
        gt=0.0,
        le=MAX_OUTPUT_PER_FTE_YEAR,
    )
    cost_per_fte_year_eur: float = param(
        unit="EUR per FTE-year",
        description="Loaded cost of one FTE (salary, overhead)",
        ge=0.0,
        le=MAX_EUR_PER_UNIT_YEAR,
    )
    hiring_cost_per_fte_eur: float = param(
        0.0,
        unit="EUR per FTE",
        description="Recruitment cost per hired FTE",
        ge=0.0,
        le=MAX_EUR_PER_UNIT_YEAR,
    )
    cohort_fte: float = param(
        10.0,
        unit="FTE",
        description="Size of one hiring cohort (integer lever unit)",
        gt=0.0,
        le=MAX_FTE,
    )
    max_cohorts_per_intake: int = param(
        10,
        unit="cohorts",
        description="Most cohorts that can start at one intake moment",
        ge=0,
        le=MAX_COHORTS,
    )
    intake_interval_months: int = param(
        3, unit="months", description="Months between intake moments", ge=1, le=24
    )
    training_months: int = param(
        unit="months", description="Months from hiring to full productivity", ge=0, le=36
    )
    trainee_productivity_share: float = param(
        0.0, unit="share", description="Productivity of a trainee relative to trained staff", ge=0.0, le=1.0
    )
    trainee_cap_share: float = param(
        0.25,
        unit="trainee FTE per productive FTE",
        description="Trainees at most this share of productive staff (mentoring capacity)",
        ge=0.0,
        le=2.0,
    )
    attrition_per_year: float = param(
        0.08, unit="share per year", description="Share of productive staff leaving per year", ge=0.0, le=0.5
    )
    fixed_cost_per_year_eur: float = param(
        0.0,
        unit="EUR per year",
        description="Fixed organisation cost beyond the modelled production staff (management, "
        "support, IT, housing, other tasks): on the partner's budget line in every year, "
        "whatever the plan",
        ge=0.0,
        le=MAX_BUDGET_EUR,
    )


class IndSettings(StaffSettings):
    legal_term_months: float = param(
        6.0,
        unit="months",
        description="Normal work in progress: backlog up to this many months of decision "
        "capacity is on time; beyond it cases are late (Awb legal term)",
        gt=0.0,
        le=24.0,
    )
    min_processing_months: float = param(
        0.0,
        unit="months",
        description="Shortest time from registration to an IND decision (the procedure's own steps, "
        "work in progress that no capacity removes): the backlog holds at least the cases "
        "registered this recently",
        ge=0.0,
        le=24.0,
    )
    withdrawal_share_per_month: float = param(
        0.0,
        unit="share per month",
        description="Share of the IND backlog that withdraws or leaves during the procedure each month "
        "(intrekking, buiten behandeling, vertrek met onbekende bestemming); they leave reception",
        ge=0.0,
        le=1.0,
    )


class DtvSettings(StaffSettings):
    max_returns_per_year: float | None = param(
        None,
        unit="persons per year",
        description="External cap on supervised departures (countries of origin take back only so "
        "many); none: DT&V capacity alone limits returns",
        ge=0.0,
        le=MAX_PERSONS,
    )
    max_return_share_per_month: float | None = param(
        None,
        unit="share per month",
        description="Returnable share: supervised departures per month at most this share of the "
        "rejected applicants in reception (papers, cooperation of the country of origin); none: no row",
        ge=0.0,
        le=1.0,
    )


class ResidenceSettings(Strict):
    """Minimum stays in reception at each step of the chain (pipeline stocks, Little's law)."""

    registration_days: float = param(
        0.0,
        unit="days",
        description="Days a registered applicant spends in the central reception location "
        "(registration, rest and preparation) before entering the IND backlog",
        ge=0.0,
        le=90.0,
    )
    housing_min_months: float = param(
        0.0,
        unit="months",
        description="Shortest time from permit (or a nareis arrival) to municipal housing "
        "(linking by COA plus the municipality's search)",
        ge=0.0,
        le=24.0,
    )
    departure_min_months: float = param(
        0.0,
        unit="months",
        description="Shortest time from rejection to departure (departure term; reception ends after it)",
        ge=0.0,
        le=24.0,
    )


class AppealSettings(Strict):
    """Appeals (beroep) with suspensive effect: rejected applicants keep reception until the court rules."""

    share: float = param(
        0.0,
        unit="share",
        description="Share of the negative decisions (Dublin cases excluded) appealed with suspensive effect",
        ge=0.0,
        le=1.0,
    )
    months: float = param(
        0.0,
        unit="months",
        description="Months from the appeal to the court's ruling (reception is kept meanwhile)",
        ge=0.0,
        le=36.0,
    )
    granted_share: float = param(
        0.0,
        unit="share",
        description="Share of appeals that end in a permit (the rest return to the rejected)",
        ge=0.0,
        le=1.0,
    )


class DublinSettings(Strict):
    """Dublin claimants: transfer to the responsible member state, or departure to an unknown destination."""

    share: float = param(
        0.0,
        unit="share",
        description="Share of the negative decisions that are Dublin transfer decisions",
        ge=0.0,
        le=1.0,
    )
    transfer_share_per_month: float = param(
        0.0,
        unit="share per month",
        description="Dublin transfers per month at most this share of the Dublin claimants in reception "
        "(executed by DT&V, within its capacity)",
        ge=0.0,
        le=1.0,
    )
    unknown_departure_share_per_month: float = param(
        0.0,
        unit="share per month",
        description="Share of the Dublin claimants in reception that leave to an unknown destination "
        "each month (vertrek met onbekende bestemming)",
        ge=0.0,
        le=1.0,
    )


class HousingSettings(Strict):
    """Housing of status holders: the municipal task follows the status holders waiting."""

    catch_up_share_per_month: float = param(
        0.0,
        unit="share per month",
        description="Status holders waiting beyond the normal housing time who are housed on top of "
        "the base outflow each month (the half-yearly task adds the arrears); 0: the base outflow only",
        ge=0.0,
        le=1.0,
    )


class AcceleratedHousingSettings(Strict):
    """Accelerated housing of status holders (versnelde huisvesting): extra outflow at a price."""

    max_share: float = param(
        0.0,
        unit="share of the base housing outflow",
        description="Extra housing per period at most this share of the base housing outflow",
        ge=0.0,
        le=2.0,
    )
    cost_per_person_eur: float = param(
        0.0,
        unit="EUR per person housed",
        description="Cost of one extra status holder housed (payments to municipalities, "
        "temporary or flexible housing), on the COA budget line",
        ge=0.0,
        le=MAX_EUR_PER_UNIT_YEAR,
    )


class RegistrationSurgeSettings(Strict):
    """Registration surge: police officers redeployed to identification and registration for a stint
    (as in autumn 2015), without a standing retainer; 0 FTE: no surge."""

    max_fte: float = param(
        0.0,
        unit="FTE",
        description="Police officers that can be redeployed to registration at once; 0: no surge lever",
        ge=0.0,
        le=MAX_FTE,
    )
    productivity_share: float = param(
        0.5,
        unit="share",
        description="Registrations of a redeployed officer relative to a trained registration FTE",
        ge=0.0,
        le=1.0,
    )
    cost_per_fte_year_eur: float = param(
        0.0,
        unit="EUR per FTE-year",
        description="Cost of a redeployed officer while deployed (loaded salary plus overtime, travel and "
        "lodging), on the registration budget line",
        ge=0.0,
        le=MAX_EUR_PER_UNIT_YEAR,
    )
    lead_months: int = param(
        0,
        unit="months",
        description="Months from the decision to redeploy officers to their first day at registration",
        ge=0,
        le=12,
    )
    min_months: int = param(
        1,
        unit="months",
        description="A redeployment is committed for at least this many months",
        ge=1,
        le=24,
    )
    max_months_per_year: float = param(
        12.0,
        unit="months per year",
        description="Officers can be borrowed from their own tasks for at most this many months a year "
        "at the full number (FTE-months per year at most max_fte times this)",
        ge=0.0,
        le=12.0,
    )


class IndSurgeSettings(Strict):
    """IND surge: temporary decision capacity on top of regular hiring (temporary staff, civil
    servants lent by other departments, as the 2020 Taskforce IND), without a standing retainer;
    0 FTE: no surge."""

    max_fte: float = param(
        0.0,
        unit="FTE",
        description="Temporary staff and seconded civil servants the IND can take on at once; "
        "0: no surge lever",
        ge=0.0,
        le=MAX_FTE,
    )
    productivity_share: float = param(
        0.5,
        unit="share",
        description="Decision work of a surge FTE relative to a trained IND decision FTE (net of the "
        "experienced staff's supervision)",
        ge=0.0,
        le=1.0,
    )
    cost_per_fte_year_eur: float = param(
        0.0,
        unit="EUR per FTE-year",
        description="Cost of a surge FTE while deployed (agency rate or the lending department's loaded "
        "salary, short course and workplace), on the IND budget line",
        ge=0.0,
        le=MAX_EUR_PER_UNIT_YEAR,
    )
    lead_months: int = param(
        0,
        unit="months",
        description="Months from the decision to the first surge staff at work (recruitment, short course)",
        ge=0,
        le=12,
    )
    min_months: int = param(
        1,
        unit="months",
        description="A surge contract (temporary staff, secondment) is committed for at least this "
        "many months",
        ge=1,
        le=24,
    )
    max_months_per_year: float = param(
        12.0,
        unit="months per year",
        description="Surge staff work at most this many months a year at the full number "
        "(FTE-months per year at most max_fte times this)",
        ge=0.0,
        le=12.0,
    )


class NareisSettings(Strict):
    """Nareis (family reunification) linked to the permits granted earlier."""

    per_permit: float = param(
        0.0,
        unit="nareis per permit",
        description="Family members arriving per asylum permit granted; 0: nareis come from the "
        "scenario set only",
        ge=0.0,
        le=5.0,
    )
    lag_months: int = param(
        0,
        unit="months",
        description="Months from a permit to the arrival of the family (application, IND decision, "
        "travel); before it the scenario's nareis arrive",
        ge=0,
        le=36,
    )


class CoaSettings(Strict):
    max_fill_rate: float = param(
        0.98,
        unit="share",
        description="Highest usable share of regular places (physical limit)",
        gt=0.0,
        le=1.0,
    )
    cost_per_resident_year_eur: float = param(
        unit="EUR per person-year",
        description="Variable cost per resident (allowances, care), on top of place costs",
        ge=0.0,
        le=MAX_EUR_PER_UNIT_YEAR,
    )
    reserve_holding_cost_per_place_year_eur: float = param(
        unit="EUR per place-year",
        description="Cost of a reserve place kept on standby",
        ge=0.0,
        le=MAX_EUR_PER_UNIT_YEAR,
    )
    reserve_activation_cost_per_place_year_eur: float = param(
        unit="EUR per place-year",
        description="Extra cost of a reserve place while in use",
        ge=0.0,
        le=MAX_EUR_PER_UNIT_YEAR,
    )
    reserve_activation_months: int = param(
        2, unit="months", description="Lead time to bring reserve places into use", ge=0, le=24
    )
    reserve_min_contract_months: int = param(
        1,
        unit="months",
        description="Activated reserve places are committed (staffed and paid) for at least this long",
        ge=1,
        le=24,
    )
    emergency_lead_months: int = param(
        0, unit="months", description="Lead time to open emergency places", ge=0, le=12
    )
    emergency_min_contract_months: int = param(
        1,
        unit="months",
        description="Emergency places (hotels, ships, event halls) are contracted for at least this "
        "long; the initial emergency places run out evenly over this period",
        ge=1,
        le=24,
    )
    max_reserve_places: float = param(
        20000.0,
        unit="places",
        description="Upper bound on reserve places held",
        ge=0.0,
        le=MAX_PLACES,
    )
    emergency_cost_per_place_year_eur: float = param(
        unit="EUR per place-year",
        description="Cost of an emergency place (crisisnoodopvang), staff included",
        ge=0.0,
        le=MAX_EUR_PER_UNIT_YEAR,
    )
    initial_emergency_places: float = param(
        0.0,
        unit="places",
        description="Emergency places in use at the start",
        ge=0.0,
        le=MAX_PLACES,
    )
    staff_fte_per_extra_place: float = param(
        0.0,
        unit="FTE per place",
        description="Staff needed per activated reserve or emergency place, from the flex pool "
        "or hired externally",
        ge=0.0,
        le=1.0,
    )
    external_staff_cost_per_fte_year_eur: float = param(
        0.0,
        unit="EUR per FTE-year",
        description="Cost of externally hired COA staff",
        ge=0.0,
        le=MAX_EUR_PER_UNIT_YEAR,
    )
    location_decision_interval_months: int = param(
        6, unit="months", description="COA decides on opening/closing every this many months", ge=1, le=24
    )
    fixed_cost_per_year_eur: float = param(
        0.0,
        unit="EUR per year",
        description="Fixed organisation cost of COA beyond places and residents (head office, "
        "central services): on the COA budget line in every year, whatever the plan",
        ge=0.0,
        le=MAX_BUDGET_EUR,
    )


class FlexPoolSettings(Strict):
    team_fte: float = param(10.0, unit="FTE", description="Staff in one flex-pool team", gt=0.0, le=MAX_FTE)
    max_teams: int = param(50, unit="teams", description="Upper bound on teams retained", ge=0, le=MAX_TEAMS)
    retainer_cost_per_fte_year_eur: float = param(
        unit="EUR per FTE-year",
        description="Cost of keeping one pool FTE available",
        ge=0.0,
        le=MAX_EUR_PER_UNIT_YEAR,
    )
    activation_cost_per_fte_year_eur: float = param(
        unit="EUR per FTE-year",
        description="Extra cost of a pool FTE while deployed",
        ge=0.0,
        le=MAX_EUR_PER_UNIT_YEAR,
    )
    max_active_share: float = param(
        1.0, unit="share", description="Share of the pool deployable in one period", ge=0.0, le=1.0
    )
    productivity_share: float = param(
        0.7, unit="share", description="Output of a pool FTE relative to a trained FTE", ge=0.0, le=1.0
    )
    activation_lead_months: int = param(
        0,
        unit="months",
        description="Months from the decision to deploy pool staff to their first day on the task",
        ge=0,
        le=12,
    )
    min_activation_months: int = param(
        1,
        unit="months",
        description="A deployment of pool staff is committed for at least this many months",
        ge=1,
        le=24,
    )


class BudgetSettings(Strict):
    """The asielreserve as a fund, and the weights on budget execution.

    Cash (kasuitgaven) and weights are kept apart: the rates and the supplementary
    weight below steer the plan and are reported as "modelweging, geen uitgave".
    """

    asielreserve_opening_balance_eur: float = param(
        0.0,
        unit="EUR",
        description="Balance of the asielreserve at the start of the first budget year",
        ge=0.0,
        le=MAX_BUDGET_EUR,
    )
    max_asielreserve_eur: float = param(
        1.0e9, unit="EUR", description="Maximum balance of the asielreserve", ge=0.0, le=MAX_BUDGET_EUR
    )
    asielreserve_end_value: float = param(
        1.0,
        unit="EUR per EUR",
        description="Value of a euro left in the asielreserve at the horizon end (1: still public "
        "money at face value; below 1: part of it is lost to the chain)",
        ge=0.0,
        le=1.0,
    )
    eindejaarsmarge_share: float = param(
        0.01,
        unit="share of the budget",
        description="Underspend that may be carried to the next year under today's rule "
        "(eindejaarsmarge), as a share of the chain's budget that year",
        ge=0.0,
        le=1.0,
    )
    asielreserve_opportunity_rate: float = param(
        0.03,
        unit="weight per EUR-year",
        description="Model weight (not spending) per euro available in the asielreserve per year",
        ge=0.0,
        le=1.0,
    )
    unspent_budget_weight: float = param(
        0.03,
        unit="weight per EUR",
        description="Model weight (not spending) per euro of budget appropriated and left unspent: "
        "withheld from other uses for the year",
        ge=0.0,
        le=MAX_EUR_PER_EUR,
    )
    supplementary_penalty: float = param(
        0.25,
        unit="weight per EUR",
        description="Model weight (not spending) per euro of supplementary funding "
        "(mid-year claims, cuts elsewhere)",
        ge=0.0,
        le=MAX_EUR_PER_EUR,
    )


# Budget lines that can carry a budget article: the partners, the flex pool, the asielreserve.
ARTICLE_LINES: tuple[str, ...] = (*(p.value for p in Partner), "flexpool", "asielreserve")


class BudgetArticle(Strict):
    """Where a budget line sits in the published budget, and what was published for it."""

    article: str = Field(min_length=1, description="Budget article or line (begrotingsartikel)")
    published_eur: dict[int, float] = Field(
        default_factory=dict,
        description="Published budget per year, EUR in that year's prices (for tables/reconciliation.csv)",
    )
    note: str = Field("", description="What the published figure covers beyond the model line")


class Prices(Strict):
    """Price index per budget year (price_year = 1), to show cash in current prices."""

    index: dict[int, float] = Field(
        default_factory=dict,
        description="Price level per year relative to the case's price_year (missing years: 1)",
    )

    @model_validator(mode="after")
    def _positive(self) -> Prices:
        bad = [y for y, v in self.index.items() if not 0.0 < v <= MAX_FUNDING_RATIO]
        if bad:
            raise ValueError(f"price index must be in (0, {MAX_FUNDING_RATIO:g}]; check years {bad}")
        return self


class Penalties(Strict):
    late_case_month_eur: float = param(
        unit="EUR per case-month",
        description="Penalty per case-month beyond normal work in progress (dwangsom, human cost)",
        ge=0.0,
        le=MAX_PENALTY_EUR,
    )
    registration_queue_person_day_eur: float = param(
        unit="EUR per person-day",
        description="Penalty per person-day waiting for registration (Ter Apel)",
        ge=0.0,
        le=MAX_PENALTY_EUR,
    )


def check_funding_ratio_order(policy: Policy) -> list[Violation]:
    """``policy.funding_ratio_min`` must not exceed ``policy.funding_ratio_max``."""
    lo, hi = policy.funding_ratio_min, policy.funding_ratio_max
    if lo is not None and hi is not None and lo > hi:
        return [
            Violation(
                "funding_ratio_order",
                SETTINGS_TABLE,
                "policy.funding_ratio_min",
                _fmt(lo),
                f"at most policy.funding_ratio_max ({_fmt(hi)})",
            )
        ]
    return []


class Policy(Strict):
    """Lever switches and policy constraints (a preset file overrides these)."""

    name: str = Field("vrij", min_length=1, description="Policy name")
    description: str = Field("", description="What the policy means")
    allow_flexpool: bool = Field(True, description="Flexible pool may be used (flexibele pool)")
    allow_reserve_places: bool = Field(True, description="COA reserve places may be held")
    allow_asielreserve: bool = Field(
        True, description="Budgeted deposits into the asielreserve are allowed (otherwise only today's rule)"
    )
    asielreserve_rule: Literal["eindejaarsmarge", "versterkt"] = Field(
        "versterkt",
        description="What underspend may flow into the asielreserve when it is allowed: "
        "'eindejaarsmarge' (today's rule: up to eindejaarsmarge_share of the budget) or "
        "'versterkt' (the letter's strengthened reserve: all of the chain's underspend)",
    )
    allow_staff_changes: bool = Field(
        True, description="Staffing (hiring cohorts) may deviate from the MPP-mid plan"
    )
    allow_location_changes: bool = Field(
        True, description="COA locations (opening, closing) may deviate from the MPP-mid plan"
    )
    occupancy_norm: float = param(
        0.95,
        unit="share",
        description="Planning norm: regular places at least MPP-mid occupancy / norm (bezettingsgraad)",
        gt=0.0,
        le=1.0,
    )
    funding_ratio_scope: Literal["chain", "partner"] = Field(
        "chain",
        description="Apply funding_ratio_min/max to the chain total per year (money can follow the "
        "work) or to every partner's budget line separately",
    )
    funding_ratio_min: float | None = param(
        None,
        unit="ratio",
        description="Funding at least this multiple of the MPP need",
        ge=0.0,
        le=MAX_FUNDING_RATIO,
    )
    funding_ratio_max: float | None = param(
        None,
        unit="ratio",
        description="Funding at most this multiple of the MPP need",
        ge=0.0,
        le=MAX_FUNDING_RATIO,
    )

    @model_validator(mode="after")
    def _ratio_order(self, info: ValidationInfo) -> Policy:
        _raise_unless_deferred(check_funding_ratio_order(self), info)
        return self


class Risk(Strict):
    weight: float = param(
        0.0, unit="share", description="Weight W of CVaR in (1-W)·E + W·CVaR", ge=0.0, le=1.0
    )
    alpha: float = param(0.9, unit="probability", description="CVaR level alpha", ge=0.5, lt=1.0)


class Settings(Strict):
    case: CaseInfo
    horizon: Horizon
    categories: dict[Category, CategorySettings]
    registration: StaffSettings
    ind: IndSettings
    dtv: DtvSettings
    coa: CoaSettings
    flexpool: FlexPoolSettings
    residence: ResidenceSettings = ResidenceSettings()
    housing: HousingSettings = HousingSettings()
    appeals: AppealSettings = AppealSettings()
    dublin: DublinSettings = DublinSettings()
    accelerated_housing: AcceleratedHousingSettings = AcceleratedHousingSettings()
    registration_surge: RegistrationSurgeSettings = RegistrationSurgeSettings()
    ind_surge: IndSurgeSettings = IndSurgeSettings()
    nareis: NareisSettings = NareisSettings()
    budget: BudgetSettings = BudgetSettings()
    penalties: Penalties
    policy: Policy = Policy()
    risk: Risk = Risk()
    articles: dict[Literal[ARTICLE_LINES], BudgetArticle] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="Budget line -> budget article and published budget"
    )
    prices: Prices = Prices()

    @model_validator(mode="after")
    def _cross(self, info: ValidationInfo) -> Settings:
        _raise_unless_deferred(settings_violations(self), info)
        return self


def period_labels(horizon: Horizon) -> list[str]:
    """Labels of all periods: ``2026-01`` … or ``2026-Q1`` …"""
    labels: list[str] = []
    for year in range(horizon.start_year, horizon.start_year + horizon.years):
        if horizon.period == "month":
            labels += [f"{year}-{m:02d}" for m in range(1, MONTHS_PER_YEAR + 1)]
        else:
            labels += [f"{year}-Q{q}" for q in range(1, 5)]
    return labels


def months_per_period(horizon: Horizon) -> int:
    return 1 if horizon.period == "month" else 3


def periods_per_year(horizon: Horizon) -> int:
    return MONTHS_PER_YEAR // months_per_period(horizon)


def months_to_periods(months: float, horizon: Horizon) -> int:
    """A lead time in months as whole periods, rounded up."""
    return math.ceil(months / months_per_period(horizon) - 1e-12)


def check_categories_complete(settings: Settings) -> list[Violation]:
    """Every inflow category has its ``[categories.<name>]`` section."""
    return [
        Violation(
            "categories_complete",
            SETTINGS_TABLE,
            f"categories.{c.value}",
            "(missing)",
            f"a [categories.{c.value}] section (all of: {', '.join(x.value for x in Category)})",
        )
        for c in Category
        if c not in settings.categories
    ]


def check_lead_times(settings: Settings) -> list[Violation]:
    """Training and activation lead times are shorter than the horizon."""
    horizon_months = settings.horizon.years * MONTHS_PER_YEAR
    leads = {
        "registration.training_months": settings.registration.training_months,
        "ind.training_months": settings.ind.training_months,
        "dtv.training_months": settings.dtv.training_months,
        "coa.reserve_activation_months": settings.coa.reserve_activation_months,
    }
    return [
        Violation(
            "lead_time_within_horizon",
            SETTINGS_TABLE,
            key,
            str(months),
            f"shorter than the horizon ({horizon_months} months = horizon.years x 12)",
        )
        for key, months in leads.items()
        if months >= horizon_months
    ]


SETTINGS_CHECKS = (check_categories_complete, check_lead_times)


def settings_violations(settings: Settings) -> list[Violation]:
    """All cross-field rules of the settings file (the policy's own rule included)."""
    found = [v for check in SETTINGS_CHECKS for v in check(settings)]
    return found + check_funding_ratio_order(settings.policy)
