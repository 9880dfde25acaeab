"""The rows of a case's CSV tables (initial stocks, series, locations, MPP, seasonality)
and the rules on a single row.

Part of :mod:`bekostiging.schema` (which re-exports every name).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field, ValidationInfo, model_validator

from bekostiging.inputs.base import (
    MAX_EUR_PER_UNIT_YEAR,
    MAX_LOCATIONS,
    MAX_ONE_OFF_EUR,
    MAX_PERSONS,
    MAX_PLACES,
    MAX_SEASONAL_FACTOR,
    Category,
    Strict,
    Violation,
    _fmt,
    _raise_unless_deferred,
    param,
)


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
