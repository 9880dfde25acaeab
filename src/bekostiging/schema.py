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
from datetime import date
from enum import StrEnum
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

PROBABILITY_TOLERANCE = 1e-9  # sum of scenario probabilities must be 1 within this
SEASONALITY_TOLERANCE = 1e-6  # monthly factors must average 1 within this
MONTHS_PER_YEAR = 12


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
        extra="forbid", frozen=True, use_attribute_docstrings=True, validate_default=True
    )


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
    initial_fte: float = param(unit="FTE", description="Productive staff at the start", ge=0.0)
    output_per_fte_year: float = param(
        unit="cases per FTE-year",
        description="Output of one productive FTE in a year (decisions, registrations, returns)",
        gt=0.0,
    )
    cost_per_fte_year_eur: float = param(
        unit="EUR per FTE-year", description="Loaded cost of one FTE (salary, overhead)", ge=0.0
    )
    hiring_cost_per_fte_eur: float = param(
        0.0, unit="EUR per FTE", description="Recruitment cost per hired FTE", ge=0.0
    )
    cohort_fte: float = param(
        10.0, unit="FTE", description="Size of one hiring cohort (integer lever unit)", gt=0.0
    )
    max_cohorts_per_intake: int = param(
        10, unit="cohorts", description="Most cohorts that can start at one intake moment", ge=0
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


class IndSettings(StaffSettings):
    legal_term_months: float = param(
        6.0,
        unit="months",
        description="Normal work in progress: backlog up to this many months of decision "
        "capacity is on time; beyond it cases are late (Awb legal term)",
        gt=0.0,
        le=24.0,
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
    )
    reserve_holding_cost_per_place_year_eur: float = param(
        unit="EUR per place-year", description="Cost of a reserve place kept on standby", ge=0.0
    )
    reserve_activation_cost_per_place_year_eur: float = param(
        unit="EUR per place-year", description="Extra cost of a reserve place while in use", ge=0.0
    )
    reserve_activation_months: int = param(
        2, unit="months", description="Lead time to bring reserve places into use", ge=0, le=24
    )
    max_reserve_places: float = param(
        20000.0, unit="places", description="Upper bound on reserve places held", ge=0.0
    )
    emergency_cost_per_place_year_eur: float = param(
        unit="EUR per place-year",
        description="Cost of an emergency place (crisisnoodopvang), staff included",
        ge=0.0,
    )
    initial_emergency_places: float = param(
        0.0, unit="places", description="Emergency places in use at the start", ge=0.0
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
        0.0, unit="EUR per FTE-year", description="Cost of externally hired COA staff", ge=0.0
    )
    location_decision_interval_months: int = param(
        6, unit="months", description="COA decides on opening/closing every this many months", ge=1, le=24
    )


class FlexPoolSettings(Strict):
    team_fte: float = param(10.0, unit="FTE", description="Staff in one flex-pool team", gt=0.0)
    max_teams: int = param(50, unit="teams", description="Upper bound on teams retained", ge=0)
    retainer_cost_per_fte_year_eur: float = param(
        unit="EUR per FTE-year", description="Cost of keeping one pool FTE available", ge=0.0
    )
    activation_cost_per_fte_year_eur: float = param(
        unit="EUR per FTE-year", description="Extra cost of a pool FTE while deployed", ge=0.0
    )
    max_active_share: float = param(
        1.0, unit="share", description="Share of the pool deployable in one period", ge=0.0, le=1.0
    )
    productivity_share: float = param(
        0.7, unit="share", description="Output of a pool FTE relative to a trained FTE", ge=0.0, le=1.0
    )


class BudgetSettings(Strict):
    asielreserve_opportunity_rate: float = param(
        0.03,
        unit="EUR per EUR-year",
        description="Opportunity cost of holding the asielreserve",
        ge=0.0,
        le=1.0,
    )
    max_asielreserve_eur: float = param(
        1.0e9, unit="EUR", description="Upper bound on the asielreserve per year", ge=0.0
    )
    supplementary_penalty: float = param(
        0.25,
        unit="EUR per EUR",
        description="Penalty per euro of supplementary funding (mid-year claims, cuts elsewhere)",
        ge=0.0,
    )
    underspend_penalty: float = param(
        0.02,
        unit="EUR per EUR",
        description="Opportunity cost per euro of budget left unspent",
        ge=0.0,
    )


class Penalties(Strict):
    late_case_month_eur: float = param(
        unit="EUR per case-month",
        description="Penalty per case-month beyond normal work in progress (dwangsom, human cost)",
        ge=0.0,
    )
    registration_queue_person_day_eur: float = param(
        unit="EUR per person-day",
        description="Penalty per person-day waiting for registration (Ter Apel)",
        ge=0.0,
    )


class Policy(Strict):
    """Lever switches and policy constraints (a preset file overrides these)."""

    name: str = Field("vrij", min_length=1, description="Policy name")
    description: str = Field("", description="What the policy means")
    allow_flexpool: bool = Field(True, description="Flexible pool may be used (flexibele pool)")
    allow_reserve_places: bool = Field(True, description="COA reserve places may be held")
    allow_asielreserve: bool = Field(True, description="An asielreserve may be held")
    allow_staff_changes: bool = Field(True, description="Staffing may deviate from the MPP plan")
    occupancy_norm: float = param(
        0.95,
        unit="share",
        description="Planning norm: regular places at least MPP-mid occupancy / norm (bezettingsgraad)",
        gt=0.0,
        le=1.0,
    )
    funding_ratio_min: float | None = param(
        None, unit="ratio", description="Funding at least this multiple of the MPP need", ge=0.0
    )
    funding_ratio_max: float | None = param(
        None, unit="ratio", description="Funding at most this multiple of the MPP need", ge=0.0
    )

    @model_validator(mode="after")
    def _ratio_order(self) -> Policy:
        lo, hi = self.funding_ratio_min, self.funding_ratio_max
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"funding_ratio_min ({lo}) must not exceed funding_ratio_max ({hi})")
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
    dtv: StaffSettings
    coa: CoaSettings
    flexpool: FlexPoolSettings
    budget: BudgetSettings = BudgetSettings()
    penalties: Penalties
    policy: Policy = Policy()
    risk: Risk = Risk()

    @model_validator(mode="after")
    def _cross(self) -> Settings:
        missing = [c.value for c in Category if c not in self.categories]
        if missing:
            raise ValueError(f"categories: missing {', '.join(missing)}")
        horizon_months = self.horizon.years * MONTHS_PER_YEAR
        leads = {
            "ind.training_months": self.ind.training_months,
            "dtv.training_months": self.dtv.training_months,
            "registration.training_months": self.registration.training_months,
            "coa.reserve_activation_months": self.coa.reserve_activation_months,
        }
        too_long = [f"{k}={v}" for k, v in leads.items() if v >= horizon_months]
        if too_long:
            raise ValueError(
                f"lead times must be shorter than the horizon ({horizon_months} months): "
                + ", ".join(too_long)
            )
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
    persons: float = param(unit="persons", description="Persons in the stock at the start", ge=0.0)

    @model_validator(mode="after")
    def _category_rule(self) -> InitialStock:
        if self.stock in PER_CATEGORY_STOCKS and self.category is None:
            raise ValueError(f"stock {self.stock.value} needs a category")
        if self.stock not in PER_CATEGORY_STOCKS and self.category is not None:
            raise ValueError(f"stock {self.stock.value} takes no category")
        return self


class SeriesRow(Strict):
    """Row of ``series.csv``: exogenous values per period."""

    period: str = Field(description="Period label, YYYY-MM or YYYY-Qn")
    housing_outflow_persons: float = param(
        unit="persons per period", description="Status holders municipalities can house", ge=0.0
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


class LocationType(Strict):
    """Row of ``locations.csv``: a standard COA location size or a named candidate."""

    location: str = Field(min_length=1, description="Name of the location type or candidate")
    places: float = param(unit="places", description="Places per location", gt=0.0)
    initially_open: int = param(unit="locations", description="Open at the start", ge=0)
    max_open: int = param(unit="locations", description="Most that can be open at once", ge=0)
    opening_cost_eur: float = param(unit="EUR per location", description="One-off cost to open", ge=0.0)
    closing_cost_eur: float = param(unit="EUR per location", description="One-off cost to close", ge=0.0)
    lead_time_months: int = param(unit="months", description="From decision to first use", ge=0, le=60)
    cost_per_place_year_eur: float = param(
        unit="EUR per place-year", description="Running cost per place while open (empty or full)", ge=0.0
    )

    @model_validator(mode="after")
    def _open_le_max(self) -> LocationType:
        if self.initially_open > self.max_open:
            raise ValueError(f"initially_open ({self.initially_open}) exceeds max_open ({self.max_open})")
        return self


class MppRow(Strict):
    """Row of ``mpp.csv``: the MPP forecast of yearly inflow (low/mid/high band)."""

    year: int = param(unit="year", description="Budget year", ge=2000, le=2100)
    category: Category
    low: float = param(unit="persons per year", description="MPP low band", ge=0.0)
    mid: float = param(unit="persons per year", description="MPP mid forecast", ge=0.0)
    high: float = param(unit="persons per year", description="MPP high band", ge=0.0)

    @model_validator(mode="after")
    def _ordered(self) -> MppRow:
        if not self.low <= self.mid <= self.high:
            raise ValueError(f"need low <= mid <= high, found {self.low}, {self.mid}, {self.high}")
        return self


class SeasonalityRow(Strict):
    """Row of ``seasonality.csv``: monthly inflow factor (mean 1 over the year)."""

    month: int = param(unit="month", description="Calendar month 1..12", ge=1, le=12)
    factor: float = param(unit="ratio to the monthly mean", description="Seasonal factor", gt=0.0)


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


# --------------------------------------------------------------------------- case


class Case(Strict):
    """A validated case: settings plus its tables."""

    settings: Settings
    initial_stocks: tuple[InitialStock, ...]
    series: tuple[SeriesRow, ...]
    locations: tuple[LocationType, ...] = Field(min_length=1)
    mpp: tuple[MppRow, ...]
    seasonality: tuple[SeasonalityRow, ...]

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
        cats = self.settings.categories
        queued = sum(
            cats[c].reception_share
            * (self.stock(StockName.REGISTRATION_QUEUE, c) + self.stock(StockName.IND_BACKLOG, c))
            for c in Category
        )
        return queued + self.stock(StockName.STATUS_HOLDERS) + self.stock(StockName.REJECTED)

    def initial_places(self) -> float:
        return sum(loc.places * loc.initially_open for loc in self.locations)

    @model_validator(mode="after")
    def _tables_match_horizon(self) -> Case:
        problems: list[str] = []
        labels = self.periods
        seen = [r.period for r in self.series]
        dupes = sorted({p for p in seen if seen.count(p) > 1})
        if dupes:
            problems.append(f"series.csv: duplicate periods {', '.join(dupes)}")
        missing = [p for p in labels if p not in seen]
        extra = [p for p in seen if p not in labels]
        if missing:
            problems.append(f"series.csv: periods missing from the horizon: {', '.join(missing[:6])}")
        if extra:
            problems.append(f"series.csv: periods outside the horizon: {', '.join(extra[:6])}")
        mpp_keys = {(r.year, r.category) for r in self.mpp}
        need = {(y, c) for y in self.years for c in Category}
        if need - mpp_keys:
            gaps = sorted(f"{y}/{c.value}" for y, c in need - mpp_keys)
            problems.append(f"mpp.csv: no forecast for {', '.join(gaps[:6])}")
        months = sorted(r.month for r in self.seasonality)
        if months != list(range(1, MONTHS_PER_YEAR + 1)):
            problems.append("seasonality.csv: needs each month 1..12 exactly once")
        elif abs(np.mean([r.factor for r in self.seasonality]) - 1.0) > SEASONALITY_TOLERANCE:
            problems.append("seasonality.csv: monthly factors must average 1")
        names = [loc.location for loc in self.locations]
        if len(set(names)) != len(names):
            problems.append("locations.csv: location names must be unique")
        horizon_months = self.settings.horizon.years * MONTHS_PER_YEAR
        late = [loc.location for loc in self.locations if loc.lead_time_months >= horizon_months]
        if late:
            problems.append(
                f"locations.csv: lead_time_months not shorter than the horizon for {', '.join(late)}"
            )
        capacity = (
            self.settings.coa.max_fill_rate * self.initial_places()
            + self.settings.coa.initial_emergency_places
        )
        occupancy = self.initial_reception_persons()
        if occupancy > capacity + 1e-6:
            problems.append(
                f"initial_stocks.csv: initial occupancy {occupancy:,.0f} persons exceeds initial "
                f"capacity {capacity:,.0f} (open places x max_fill_rate + initial_emergency_places)"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


# --------------------------------------------------------------------------- scenario sets


class Provenance(Strict):
    method: Literal["mpp", "bootstrap", "lognormal", "manual"] = Field(description="How the set was made")
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

    @model_validator(mode="after")
    def _consistent(self) -> ScenarioSet:
        shape = (len(self.scenarios), len(self.periods), len(self.categories))
        if self.inflow_persons.shape != shape:
            raise ValueError(f"inflow array has shape {self.inflow_persons.shape}, expected {shape}")
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
        )
