"""The validated input objects: a case (settings + tables) and a scenario set.

Every parameter is declared once, here, with its description, unit, default
and allowed range (``Field(ge=..., le=...)`` and ``json_schema_extra={"unit": ...}``).
Loaders (``bekostiging.io``) read files into these objects; the model reads only
these objects, never files.

Conventions
-----------
* Money in euros at the case's ``price_year`` (constant prices).
* People in persons, work in FTE, rates per year unless the name says otherwise;
  the model converts yearly rates to its period length.
* Lead times in months; the model rounds them up to whole periods.
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

PROBABILITY_TOLERANCE = 1e-9  # sum of scenario probabilities must be 1 within this
SEASONALITY_TOLERANCE = 1e-6  # monthly factors must average 1 within this
MONTHS_PER_YEAR = 12
OCCUPANCY_TOLERANCE = 1e-6  # persons: initial occupancy may exceed capacity by rounding only

# Plausible upper bounds: far above any real value, far below what breaks the solver
# (1e30 EUR is a typo, and HiGHS cannot read a model holding it). Every numeric
# parameter has a lower and an upper bound (``tests/test_case_io.py`` checks).
MAX_EUR_PER_UNIT_YEAR = 1.0e7  # EUR per FTE-, place- or person-year; one-off per FTE
MAX_ONE_OFF_EUR = 1.0e10  # EUR per location opened or closed
MAX_BUDGET_EUR = 1.0e11  # EUR a year (the whole Dutch asylum chain spends some 1e10)
MAX_PENALTY_EUR = 1.0e7  # EUR per late case-month or queue person-day
MAX_EUR_PER_EUR = 100.0  # penalty weights per euro
MAX_FUNDING_RATIO = 10.0  # funding as a multiple of the MPP need
MAX_FTE = 1.0e5  # FTE (the Dutch central government has some 1.3e5 in all)
MAX_OUTPUT_PER_FTE_YEAR = 1.0e5  # cases per FTE-year
MAX_COHORTS = 1000  # cohorts per intake moment
MAX_TEAMS = 10_000  # flex-pool teams
MAX_PERSONS = 1.0e7  # persons in a stock, a period's flow or a year's forecast
MAX_PLACES = 1.0e6  # reception places
MAX_LOCATIONS = 10_000  # locations of one type
MAX_SEASONAL_FACTOR = float(MONTHS_PER_YEAR)  # a month cannot exceed the whole year's inflow

# Validation context flag: ``Model.model_validate(data, context={DEFER_CHECKS: True})``
# skips the cross-field ``check_*`` rules so that a loader can run them itself and
# locate each violation in its file (row, column).  Without the flag every rule runs.
DEFER_CHECKS = "defer_checks"
SETTINGS_TABLE = "settings"  # ``Violation.table`` of rules on the settings file


@dataclass(frozen=True)
class Violation:
    """One broken cross-field rule (PyPSA consistency style: one ``check_*`` per rule).

    ``table`` is ``"settings"`` or a table name (``"series"``, ``"locations"``, …);
    ``field`` is the settings key path (``"ind.training_months"``) or the column;
    ``index`` is the 0-based row of the table, ``None`` for a rule over a whole table;
    ``duplicate_of`` is the 0-based row that row ``index`` repeats (uniqueness rules).
    """

    rule: str
    table: str
    field: str
    found: str
    allowed: str
    index: int | None = None
    duplicate_of: int | None = None

    def __str__(self) -> str:
        where = self.table if self.index is None else f"{self.table} row {self.index + 1}"
        also = "" if self.duplicate_of is None else f" (already in row {self.duplicate_of + 1})"
        return f"{where}: {self.field} = {self.found} — {self.allowed}{also}"


def _raise_unless_deferred(violations: Sequence[Violation], info: ValidationInfo) -> None:
    """Raise the violations as one ValueError, unless the caller deferred the checks."""
    if violations and not (info.context or {}).get(DEFER_CHECKS, False):
        raise ValueError("; ".join(str(v) for v in violations))


class Category(StrEnum):
    """Inflow categories (instroomcategorieën)."""

    FIRST = "first"  # eerste asielaanvragen
    NAREIS = "nareis"  # nareizigers (family reunification)
    REPEAT = "repeat"  # herhaalde aanvragen


class Partner(StrEnum):
    """Chain partners (ketenpartners)."""

    REGISTRATION = "registration"  # AVIM / DISA: aanmelding en registratie
    IND = "ind"  # beslissingen op asielaanvragen
    COA = "coa"  # opvang
    DTV = "dtv"  # terugkeer


STAFFED_PARTNERS: tuple[Partner, ...] = (Partner.REGISTRATION, Partner.IND, Partner.DTV)


def param(
    default: Any = ...,
    *,
    unit: str,
    description: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
) -> Any:
    """A parameter field with its unit and description declared once."""
    return Field(
        default,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        description=description,
        json_schema_extra={"unit": unit},
    )


class Strict(BaseModel):
    """Base: unknown fields are errors, objects are frozen, attribute docs kept."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        validate_default=True,
        allow_inf_nan=False,  # an infinite cost or bound in a file is a typo, not a value
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """``initial_fte = true`` is a typo, not 1 FTE: numbers never accept true/false."""
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None and is_numeric(field.annotation):
            raise PydanticCustomError(BOOL_NOT_NUMBER, "a number, not true or false")
        return value


BOOL_NOT_NUMBER = "bool_not_number"  # pydantic error type of a true/false where a number belongs


def is_numeric(annotation: Any) -> bool:
    """``int``, ``float`` or either ``| None``: a field that takes a number."""
    args = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    kinds = [a for a in args if a is not type(None)]
    return len(kinds) == 1 and kinds[0] in (int, float)


def field_unit(model: type[BaseModel], name: str) -> str:
    """The declared unit of a parameter (``""`` when it has none)."""
    extra = model.model_fields[name].json_schema_extra
    return str(extra.get("unit", "")) if isinstance(extra, dict) else ""


# --------------------------------------------------------------------------- settings


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


class DtvSettings(StaffSettings):
    max_returns_per_year: float | None = param(
        None,
        unit="persons per year",
        description="External cap on supervised departures (countries of origin take back only so "
        "many); none: DT&V capacity alone limits returns",
        ge=0.0,
        le=MAX_PERSONS,
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


def _fmt(value: float) -> str:
    return f"{value:g}"


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
    accelerated_housing: AcceleratedHousingSettings = AcceleratedHousingSettings()
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


# --------------------------------------------------------------------------- tables


class StockName(StrEnum):
    REGISTRATION_QUEUE = "registration_queue"  # per category
    IND_BACKLOG = "ind_backlog"  # per category
    STATUS_HOLDERS = "status_holders"  # awaiting municipal housing
    REJECTED = "rejected"  # awaiting departure


PER_CATEGORY_STOCKS = (StockName.REGISTRATION_QUEUE, StockName.IND_BACKLOG)


class InitialStock(Strict):
    """Row of ``initial_stocks.csv``: persons in a stock at the start."""

    stock: StockName
    category: Category | None = None
    persons: float = param(
        unit="persons", description="Persons in the stock at the start", ge=0.0, le=MAX_PERSONS
    )
    source: str | None = Field(
        None,
        description="Where this row's values come from: source keys (S23, …) with an optional "
        "note after a colon, or 'estimate: reasoning'",
    )

    @model_validator(mode="after")
    def _category_rule(self, info: ValidationInfo) -> InitialStock:
        _raise_unless_deferred(check_stock_category(self), info)
        return self


class SeriesRow(Strict):
    """Row of ``series.csv``: exogenous values per period."""

    period: str = Field(description="Period label, YYYY-MM or YYYY-Qn")
    housing_outflow_persons: float = param(
        unit="persons per period",
        description="Status holders municipalities can house",
        ge=0.0,
        le=MAX_PERSONS,
    )
    permit_share: float = param(
        unit="share", description="Share of IND decisions granting a permit", ge=0.0, le=1.0
    )
    unsupervised_departure_share: float = param(
        unit="share per period",
        description="Share of rejected persons in reception leaving without supervision",
        ge=0.0,
        le=1.0,
    )
    source: str | None = Field(
        None,
        description="Where this row's values come from: source keys (S23, …) with an optional "
        "note after a colon, or 'estimate: reasoning'",
    )


class LocationType(Strict):
    """Row of ``locations.csv``: a standard COA location size or a named candidate."""

    location: str = Field(min_length=1, description="Name of the location type or candidate")
    places: float = param(unit="places", description="Places per location", gt=0.0, le=MAX_PLACES)
    initially_open: int = param(unit="locations", description="Open at the start", ge=0, le=MAX_LOCATIONS)
    max_open: int = param(
        unit="locations", description="Most that can be open at once", ge=0, le=MAX_LOCATIONS
    )
    opening_cost_eur: float = param(
        unit="EUR per location", description="One-off cost to open", ge=0.0, le=MAX_ONE_OFF_EUR
    )
    closing_cost_eur: float = param(
        unit="EUR per location", description="One-off cost to close", ge=0.0, le=MAX_ONE_OFF_EUR
    )
    lead_time_months: int = param(unit="months", description="From decision to first use", ge=0, le=60)
    cost_per_place_year_eur: float = param(
        unit="EUR per place-year",
        description="Running cost per place while open (empty or full)",
        ge=0.0,
        le=MAX_EUR_PER_UNIT_YEAR,
    )
    source: str | None = Field(
        None,
        description="Where this row's values come from: source keys (S23, …) with an optional "
        "note after a colon, or 'estimate: reasoning'",
    )

    @model_validator(mode="after")
    def _open_le_max(self, info: ValidationInfo) -> LocationType:
        _raise_unless_deferred(check_location_open(self), info)
        return self


class MppRow(Strict):
    """Row of ``mpp.csv``: the MPP forecast of yearly inflow (low/mid/high band)."""

    year: int = param(unit="year", description="Budget year", ge=2000, le=2100)
    category: Category
    low: float = param(unit="persons per year", description="MPP low band", ge=0.0, le=MAX_PERSONS)
    mid: float = param(unit="persons per year", description="MPP mid forecast", ge=0.0, le=MAX_PERSONS)
    high: float = param(unit="persons per year", description="MPP high band", ge=0.0, le=MAX_PERSONS)
    source: str | None = Field(
        None,
        description="Where this row's values come from: source keys (S23, …) with an optional "
        "note after a colon, or 'estimate: reasoning'",
    )

    @model_validator(mode="after")
    def _ordered(self, info: ValidationInfo) -> MppRow:
        _raise_unless_deferred(check_mpp_order(self), info)
        return self


class SeasonalityRow(Strict):
    """Row of ``seasonality.csv``: monthly inflow factor (mean 1 over the year)."""

    month: int = param(unit="month", description="Calendar month 1..12", ge=1, le=12)
    factor: float = param(
        unit="ratio to the monthly mean", description="Seasonal factor", gt=0.0, le=MAX_SEASONAL_FACTOR
    )
    source: str | None = Field(
        None,
        description="Where this row's values come from: source keys (S23, …) with an optional "
        "note after a colon, or 'estimate: reasoning'",
    )


TABLE_MODELS: dict[str, type[BaseModel]] = {
    "initial_stocks": InitialStock,
    "series": SeriesRow,
    "locations": LocationType,
    "mpp": MppRow,
    "seasonality": SeasonalityRow,
}


# --------------------------------------------------------------------------- horizon helpers


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


# --------------------------------------------------------------------------- sources
# Every value carries its source as data: ``Case.sources`` maps a settings key path
# (``ind.initial_fte``) or a table column (``series.permit_share``) to a source text,
# and each table row has its own ``source`` column.  A source text is one of
#   "S41, S11"  or  "S41, S11: note"   keys of the case's source list (``sources.csv``)
#   "estimate: reasoning"              a modelling estimate, with how it was made
#   "definition: text"                 a name, unit or switch the case itself defines
#   "changed by user on YYYY-MM-DD …"  set by ``case import`` for a value edited in Excel
# Any S- or N-key cited inside the text (``… (S23)``, ``(N1)``) must be in the source list too.

SOURCE_KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*$"
ESTIMATE_PREFIX = "estimate:"
DEFINITION_PREFIX = "definition:"
USER_MARK_RE = re.compile(r"^(changed|added) by user on (\d{4}-\d{2}-\d{2})")
CITED_KEY_RE = re.compile(r"\b[SN]\d+\b")  # S- and N-keys cited inside a note or reasoning
SOURCE_FORMS = (
    "keys of the source list with an optional note ('S23' or 'S41, S11: note'), "
    "'estimate: reasoning', 'definition: text' or 'changed by user on YYYY-MM-DD …'"
)
SOURCE_LIST_TABLE = "source_list"
MAX_KEYS_SHOWN = 8  # known keys listed in a problem line
TEXT_SHOWN_CHARS = 60  # a long source text is cut in a problem line


class SourceEntry(Strict):
    """Row of ``sources.csv``: one public source (or project document) that values cite."""

    key: str = Field(pattern=SOURCE_KEY_PATTERN, description="Key cited by values, e.g. S23")
    title: str = Field(min_length=1, description="Title of the page or document")
    publisher: str = Field("", description="Who published it")
    url: str = Field("", description="Address (several separated by ' ; ')")
    date: str = Field("", description="Publication date or the years it covers")
    note: str = Field("", description="What the case takes from it")

    @model_validator(mode="before")
    @classmethod
    def _empty_cells_are_defaults(cls, data: Any) -> Any:
        """An empty CSV or Excel cell means the field's default (empty text)."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data


def source_keys(text: str) -> list[str]:
    """The source-list keys a source text cites (leading keys and S-keys in the text)."""
    t = text.strip()
    lead: list[str] = []
    lowered = t.lower()
    if not (lowered.startswith((ESTIMATE_PREFIX, DEFINITION_PREFIX)) or USER_MARK_RE.match(t)):
        lead = [k.strip() for k in t.split(":", 1)[0].split(",")]
    found = lead + CITED_KEY_RE.findall(t)
    return list(dict.fromkeys(found))


def source_problem(text: str, known: Sequence[str]) -> tuple[str, str] | None:
    """(found, allowed) when a source text is malformed or cites an unknown key, else None."""
    t = text.strip()
    shown = t if len(t) <= TEXT_SHOWN_CHARS else t[:TEXT_SHOWN_CHARS] + "…"
    if not t:
        return "(empty)", f"a source: {SOURCE_FORMS}"
    lowered = t.lower()
    if lowered in (ESTIMATE_PREFIX[:-1], DEFINITION_PREFIX[:-1]):
        return shown, f"a reasoning after '{lowered}:' ({SOURCE_FORMS})"
    for prefix in (ESTIMATE_PREFIX, DEFINITION_PREFIX):
        if lowered.startswith(prefix) and not t[len(prefix) :].strip():
            return shown, f"a reasoning after '{prefix}'"
    mark = USER_MARK_RE.match(t)
    if mark:
        try:
            date.fromisoformat(mark.group(2))
        except ValueError:
            return shown, "a real date after 'by user on' (YYYY-MM-DD)"
    keys = source_keys(t)
    malformed = [k for k in keys if not re.match(SOURCE_KEY_PATTERN, k)]
    if malformed:
        return shown, SOURCE_FORMS
    unknown = [k for k in keys if k not in known]
    if unknown:
        listed = ", ".join(list(known)[:MAX_KEYS_SHOWN]) + (" …" if len(known) > MAX_KEYS_SHOWN else "")
        where = (
            f"a key of the source list ({listed})"
            if known
            else "a key of the source list (sources.csv is empty or missing)"
        )
        return ", ".join(unknown), f"{where}, or {SOURCE_FORMS}"
    return None


def settings_paths() -> list[str]:
    """Every settings key path a source may be given for, in schema order."""
    paths: list[str] = []
    for name, info in Settings.model_fields.items():
        annotation = info.annotation
        if typing.get_origin(annotation) is dict:
            sub = typing.get_args(annotation)[1]
            keys = ARTICLE_LINES if name == "articles" else tuple(c.value for c in Category)
            paths += [f"{name}.{k}.{key}" for k in keys for key in sub.model_fields]
        else:
            paths += [f"{name}.{key}" for key in annotation.model_fields]  # type: ignore[union-attr]
    return paths


def column_paths() -> list[str]:
    """Every table column a source may be given for (``series.permit_share``)."""
    return [
        f"{table}.{column}"
        for table, model in TABLE_MODELS.items()
        for column in model.model_fields
        if column != "source"
    ]


def check_source_list(entries: Sequence[SourceEntry]) -> list[Violation]:
    """Keys of the source list are unique."""
    found: list[Violation] = []
    first_row: dict[str, int] = {}
    for i, entry in enumerate(entries):
        if entry.key in first_row:
            found.append(
                Violation(
                    "source_key_unique",
                    SOURCE_LIST_TABLE,
                    "key",
                    entry.key,
                    "a unique key",
                    i,
                    first_row[entry.key],
                )
            )
        else:
            first_row[entry.key] = i
    return found


def check_sources(
    sources: Mapping[str, str],
    source_list: Sequence[SourceEntry],
    tables: Mapping[str, Sequence[BaseModel]],
) -> list[Violation]:
    """Every source names a real parameter or column and cites only keys of the source list."""
    known = [e.key for e in source_list]
    paths = set(settings_paths()) | set(column_paths())
    found: list[Violation] = []
    for path, text in sources.items():
        if path not in paths:
            found.append(
                Violation(
                    "source_path_known",
                    SETTINGS_TABLE,
                    f"sources.{path}",
                    "(unknown key)",
                    "a settings key (section.key, e.g. ind.initial_fte) or a table column "
                    "(table.column, e.g. series.permit_share)",
                )
            )
            continue
        problem = source_problem(text, known)
        if problem is not None:
            found.append(Violation("source_known", SETTINGS_TABLE, f"sources.{path}", *problem))
    for table, rows in tables.items():
        for i, row in enumerate(rows):
            text = getattr(row, "source", None)
            if text is None:
                continue
            problem = source_problem(text, known)
            if problem is not None:
                found.append(Violation("source_known", table, "source", *problem, index=i))
    return found


# --------------------------------------------------------------------------- case


class Case(Strict):
    """A validated case: settings plus its tables."""

    settings: Settings
    initial_stocks: tuple[InitialStock, ...]
    series: tuple[SeriesRow, ...]
    locations: tuple[LocationType, ...] = Field(min_length=1)
    mpp: tuple[MppRow, ...]
    seasonality: tuple[SeasonalityRow, ...]
    sources: dict[str, str] = Field(
        default_factory=dict,
        description="Source of each settings value (key path, e.g. ind.initial_fte) and table "
        "column (e.g. series.permit_share); row sources are the tables' source column",
    )
    source_list: tuple[SourceEntry, ...] = Field((), description="The sources that keys point to")
    notes: str = Field("", description="Derivations of the estimates (markdown), part of SOURCES.md")

    @property
    def periods(self) -> list[str]:
        return period_labels(self.settings.horizon)

    @property
    def years(self) -> list[int]:
        h = self.settings.horizon
        return list(range(h.start_year, h.start_year + h.years))

    def stock(self, name: StockName, category: Category | None = None) -> float:
        return sum(r.persons for r in self.initial_stocks if r.stock == name and r.category == category)

    def initial_reception_persons(self) -> float:
        """Persons in COA reception at the start (the initial occupancy)."""
        return reception_persons_at_start(self.settings, self.initial_stocks)

    def initial_places(self) -> float:
        return places_at_start(self.locations)

    @model_validator(mode="after")
    def _tables_match_horizon(self, info: ValidationInfo) -> Case:
        _raise_unless_deferred(case_violations(self), info)
        return self


# --------------------------------------------------------------------------- consistency checks
# One ``check_*`` per cross-field rule; each returns its violations (empty when the
# rule holds).  The model validators above call them; loaders call them directly
# (with ``DEFER_CHECKS``) to report every violation with its file, row and column.


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


def check_stock_category(row: InitialStock) -> list[Violation]:
    """Per-category stocks name a category; the others leave it empty."""
    per_category = ", ".join(s.value for s in PER_CATEGORY_STOCKS)
    if row.stock in PER_CATEGORY_STOCKS and row.category is None:
        return [
            Violation(
                "stock_category",
                "initial_stocks",
                "category",
                "(empty)",
                f"stock {row.stock.value} needs a category ({', '.join(c.value for c in Category)})",
            )
        ]
    if row.stock not in PER_CATEGORY_STOCKS and row.category is not None:
        return [
            Violation(
                "stock_category",
                "initial_stocks",
                "category",
                row.category.value,
                f"empty for stock {row.stock.value} (only {per_category} take a category)",
            )
        ]
    return []


def check_location_open(row: LocationType) -> list[Violation]:
    """A location type cannot have more open at the start than may be open at all."""
    if row.initially_open > row.max_open:
        return [
            Violation(
                "initially_open_le_max_open",
                "locations",
                "initially_open",
                str(row.initially_open),
                f"at most max_open ({row.max_open})",
            )
        ]
    return []


def check_mpp_order(row: MppRow) -> list[Violation]:
    """The MPP bands are ordered: low <= mid <= high."""
    found: list[Violation] = []
    if row.low > row.mid:
        found.append(Violation("mpp_order", "mpp", "low", _fmt(row.low), f"at most mid ({_fmt(row.mid)})"))
    if row.mid > row.high:
        found.append(Violation("mpp_order", "mpp", "mid", _fmt(row.mid), f"at most high ({_fmt(row.high)})"))
    return found


ROW_CHECKS = {
    "initial_stocks": check_stock_category,
    "locations": check_location_open,
    "mpp": check_mpp_order,
}


def check_series_periods(horizon: Horizon, series: Sequence[SeriesRow]) -> list[Violation]:
    """``series`` has every period of the horizon exactly once, and no other."""
    labels = period_labels(horizon)
    allowed = set(labels)
    span = f"{labels[0]}..{labels[-1]}"
    found: list[Violation] = []
    first_row: dict[str, int] = {}
    for i, row in enumerate(series):
        if row.period not in allowed:
            found.append(
                Violation(
                    "series_period_in_horizon",
                    "series",
                    "period",
                    row.period,
                    f"a {horizon.period} of the horizon {span}",
                    i,
                )
            )
        elif row.period in first_row:
            found.append(
                Violation(
                    "series_period_unique",
                    "series",
                    "period",
                    row.period,
                    "each period once",
                    i,
                    first_row[row.period],
                )
            )
        else:
            first_row[row.period] = i
    missing = [p for p in labels if p not in first_row]
    if missing:
        shown = ", ".join(missing[:6]) + (f" … ({len(missing)} in all)" if len(missing) > 6 else "")
        found.append(
            Violation(
                "series_period_complete",
                "series",
                "period",
                f"missing {shown}",
                f"every period of the horizon {span}",
            )
        )
    return found


def check_mpp_coverage(horizon: Horizon, mpp: Sequence[MppRow]) -> list[Violation]:
    """``mpp`` has one row per year of the horizon and category."""
    years = range(horizon.start_year, horizon.start_year + horizon.years)
    found: list[Violation] = []
    first_row: dict[tuple[int, Category], int] = {}
    for i, row in enumerate(mpp):
        key = (row.year, row.category)
        if key in first_row:
            found.append(
                Violation(
                    "mpp_unique",
                    "mpp",
                    "year",
                    f"{row.year}/{row.category.value}",
                    "one row per year and category",
                    i,
                    first_row[key],
                )
            )
        else:
            first_row[key] = i
    gaps = [f"{y}/{c.value}" for y in years for c in Category if (y, c) not in first_row]
    if gaps:
        found.append(
            Violation(
                "mpp_complete",
                "mpp",
                "year",
                f"missing {', '.join(gaps[:6])}" + (" …" if len(gaps) > 6 else ""),
                f"a row for every year {years[0]}..{years[-1]} and category",
            )
        )
    return found


def check_seasonality(seasonality: Sequence[SeasonalityRow]) -> list[Violation]:
    """Each calendar month appears once, and the 12 factors average 1."""
    found: list[Violation] = []
    first_row: dict[int, int] = {}
    for i, row in enumerate(seasonality):
        if row.month in first_row:
            found.append(
                Violation(
                    "seasonality_month_unique",
                    "seasonality",
                    "month",
                    str(row.month),
                    "each month once",
                    i,
                    first_row[row.month],
                )
            )
        else:
            first_row[row.month] = i
    missing = [m for m in range(1, MONTHS_PER_YEAR + 1) if m not in first_row]
    if missing:
        found.append(
            Violation(
                "seasonality_complete",
                "seasonality",
                "month",
                f"missing {', '.join(map(str, missing))}",
                "each month 1..12 exactly once",
            )
        )
    elif not found:
        mean = float(np.mean([r.factor for r in seasonality]))
        if abs(mean - 1.0) > SEASONALITY_TOLERANCE:
            found.append(
                Violation(
                    "seasonality_mean_one",
                    "seasonality",
                    "factor",
                    f"mean {mean:.6g}",
                    f"the 12 factors average 1 (within {SEASONALITY_TOLERANCE:g})",
                )
            )
    return found


def check_initial_stocks_unique(initial_stocks: Sequence[InitialStock]) -> list[Violation]:
    """Each stock (and category) once: a repeated row is a copy-paste slip, not a sum."""
    found: list[Violation] = []
    first_row: dict[tuple[StockName, Category | None], int] = {}
    for i, row in enumerate(initial_stocks):
        key = (row.stock, row.category)
        if key in first_row:
            label = row.stock.value + (f"/{row.category.value}" if row.category is not None else "")
            found.append(
                Violation(
                    "initial_stock_unique",
                    "initial_stocks",
                    "stock",
                    label,
                    "each stock (and category) once",
                    i,
                    first_row[key],
                )
            )
        else:
            first_row[key] = i
    return found


def check_location_names(locations: Sequence[LocationType]) -> list[Violation]:
    """Location names are unique."""
    found: list[Violation] = []
    first_row: dict[str, int] = {}
    for i, loc in enumerate(locations):
        if loc.location in first_row:
            found.append(
                Violation(
                    "location_unique",
                    "locations",
                    "location",
                    loc.location,
                    "a unique name",
                    i,
                    first_row[loc.location],
                )
            )
        else:
            first_row[loc.location] = i
    return found


def check_location_lead_times(horizon: Horizon, locations: Sequence[LocationType]) -> list[Violation]:
    """Opening lead times are shorter than the horizon."""
    horizon_months = horizon.years * MONTHS_PER_YEAR
    return [
        Violation(
            "lead_time_within_horizon",
            "locations",
            "lead_time_months",
            str(loc.lead_time_months),
            f"shorter than the horizon ({horizon_months} months)",
            i,
        )
        for i, loc in enumerate(locations)
        if loc.lead_time_months >= horizon_months
    ]


def places_at_start(locations: Sequence[LocationType]) -> float:
    """Regular COA places open at the start."""
    return sum(loc.places * loc.initially_open for loc in locations)


def reception_persons_at_start(settings: Settings, initial_stocks: Sequence[InitialStock]) -> float:
    """Persons in COA reception at the start (the initial occupancy)."""

    def stock(name: StockName, category: Category | None = None) -> float:
        return sum(r.persons for r in initial_stocks if r.stock == name and r.category == category)

    cats = settings.categories
    queued = sum(
        cats[c].reception_share * (stock(StockName.REGISTRATION_QUEUE, c) + stock(StockName.IND_BACKLOG, c))
        for c in Category
        if c in cats
    )
    return queued + stock(StockName.STATUS_HOLDERS) + stock(StockName.REJECTED)


def check_initial_occupancy(
    settings: Settings, initial_stocks: Sequence[InitialStock], locations: Sequence[LocationType]
) -> list[Violation]:
    """Persons in reception at the start fit the places open at the start.

    occupancy = sum_c reception_share_c (queue_c + backlog_c) + status_holders + rejected
    capacity  = max_fill_rate x sum_l places_l x initially_open_l + initial_emergency_places
    """
    capacity = settings.coa.max_fill_rate * places_at_start(locations) + settings.coa.initial_emergency_places
    occupancy = reception_persons_at_start(settings, initial_stocks)
    if occupancy > capacity + OCCUPANCY_TOLERANCE:
        return [
            Violation(
                "initial_occupancy_le_capacity",
                "initial_stocks",
                "persons",
                f"occupancy {occupancy:,.0f} persons in reception",
                f"at most the initial capacity {capacity:,.0f} (open places x coa.max_fill_rate "
                "+ coa.initial_emergency_places)",
            )
        ]
    return []


def table_violations(
    settings: Settings,
    *,
    initial_stocks: Sequence[InitialStock],
    series: Sequence[SeriesRow],
    locations: Sequence[LocationType],
    mpp: Sequence[MppRow],
    seasonality: Sequence[SeasonalityRow],
) -> list[Violation]:
    """The rules that tie the tables to the settings and to each other."""
    horizon = settings.horizon
    return [
        *check_series_periods(horizon, series),
        *check_mpp_coverage(horizon, mpp),
        *check_seasonality(seasonality),
        *check_initial_stocks_unique(initial_stocks),
        *check_location_names(locations),
        *check_location_lead_times(horizon, locations),
        *check_initial_occupancy(settings, initial_stocks, locations),
    ]


def case_violations(case: Case) -> list[Violation]:
    """The case-level rules (row and settings rules run on their own objects)."""
    tables = {name: getattr(case, name) for name in TABLE_MODELS}
    return [
        *check_source_list(case.source_list),
        *check_sources(case.sources, case.source_list, tables),
        *_table_rules(case),
    ]


def _table_rules(case: Case) -> list[Violation]:
    return table_violations(
        case.settings,
        initial_stocks=case.initial_stocks,
        series=case.series,
        locations=case.locations,
        mpp=case.mpp,
        seasonality=case.seasonality,
    )


# --------------------------------------------------------------------------- scenario sets


class Provenance(Strict):
    method: Literal["mpp", "bootstrap", "lognormal", "mpp-error", "logar", "manual"] = Field(
        description="How the set was made"
    )
    seed: int | None = Field(None, description="Random seed (generated sets)")
    source: str = Field(min_length=1, description="Data the set was derived from")
    created: date = Field(description="Date of the data vintage the set was made from")
    generator: str = Field("", description="Tool and version that generated the set")
    notes: str = Field("", description="Free text")


class ScenarioInfo(Strict):
    scenario: str = Field(min_length=1)
    probability: float = param(unit="probability", description="Scenario probability", ge=0.0, le=1.0)
    description: str = ""


class ScenarioSet(BaseModel):
    """Inflow per scenario x period x category, with probabilities and provenance.

    ``inflow_persons`` has shape (scenarios, periods, categories) in the order of
    ``scenarios``, ``periods`` and ``categories``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    name: str = Field(min_length=1)
    provenance: Provenance
    scenarios: tuple[ScenarioInfo, ...] = Field(min_length=1)
    periods: tuple[str, ...] = Field(min_length=1)
    categories: tuple[Category, ...] = tuple(Category)
    inflow_persons: np.ndarray
    housing_persons: np.ndarray | None = None
    """Housing outflow of status holders (persons per period), shape (scenarios, periods);
    ``None``: the case's ``series.housing_outflow_persons`` in every scenario."""

    @model_validator(mode="after")
    def _consistent(self) -> ScenarioSet:
        shape = (len(self.scenarios), len(self.periods), len(self.categories))
        if self.inflow_persons.shape != shape:
            raise ValueError(f"inflow array has shape {self.inflow_persons.shape}, expected {shape}")
        if self.housing_persons is not None:
            if self.housing_persons.shape != shape[:2]:
                raise ValueError(
                    f"housing array has shape {self.housing_persons.shape}, expected {shape[:2]}"
                )
            if not np.all(np.isfinite(self.housing_persons)) or np.any(self.housing_persons < 0):
                raise ValueError("housing outflow must be finite numbers >= 0 persons")
        if not np.all(np.isfinite(self.inflow_persons)):
            raise ValueError("inflow must be finite numbers")
        if np.any(self.inflow_persons < 0):
            raise ValueError("inflow must be >= 0 persons")
        total = sum(s.probability for s in self.scenarios)
        if abs(total - 1.0) > PROBABILITY_TOLERANCE:
            raise ValueError(f"probabilities sum to {total:.12g}, must sum to 1 (within 1e-9)")
        names = [s.scenario for s in self.scenarios]
        if len(set(names)) != len(names):
            raise ValueError("scenario names must be unique")
        return self

    @property
    def probabilities(self) -> np.ndarray:
        return np.array([s.probability for s in self.scenarios])

    @property
    def names(self) -> list[str]:
        return [s.scenario for s in self.scenarios]

    def check_fits(self, case: Case) -> None:
        """Raise ValueError unless the set covers exactly the case's periods."""
        if list(self.periods) != case.periods:
            raise ValueError(
                f"scenario set {self.name!r} covers periods {self.periods[0]}..{self.periods[-1]} "
                f"({len(self.periods)}), the case needs {case.periods[0]}..{case.periods[-1]} "
                f"({len(case.periods)})"
            )

    def subset(self, names: list[str], name: str | None = None) -> ScenarioSet:
        """A set of some scenarios, probabilities renormalised."""
        idx = [self.names.index(n) for n in names]
        total = sum(self.scenarios[i].probability for i in idx)
        infos = tuple(
            self.scenarios[i].model_copy(update={"probability": self.scenarios[i].probability / total})
            for i in idx
        )
        return ScenarioSet(
            name=name or f"{self.name}[{','.join(names)}]",
            provenance=self.provenance,
            scenarios=infos,
            periods=self.periods,
            categories=self.categories,
            inflow_persons=self.inflow_persons[idx].copy(),
            housing_persons=None if self.housing_persons is None else self.housing_persons[idx].copy(),
        )
