"""A validated case (settings plus tables plus sources) and the rules that tie the tables to
the settings and to each other (one ``check_*`` per rule).

Part of :mod:`bekostiging.schema` (which re-exports every name).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import Field, ValidationInfo, model_validator

from bekostiging.inputs.base import (
    MONTHS_PER_YEAR,
    OCCUPANCY_TOLERANCE,
    SEASONALITY_TOLERANCE,
    Category,
    Strict,
    Violation,
    _raise_unless_deferred,
)
from bekostiging.inputs.settings import Horizon, Settings, period_labels
from bekostiging.inputs.sources import SourceEntry, check_source_list, check_sources
from bekostiging.inputs.tables import (
    TABLE_MODELS,
    InitialStock,
    LocationType,
    MppRow,
    SeasonalityRow,
    SeriesRow,
    StockName,
)


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
