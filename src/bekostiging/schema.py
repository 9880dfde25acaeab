"""The validated input objects: a case (settings + tables) and a scenario set.

Every parameter is declared once, with its description, unit, default and
allowed range (``Field(ge=..., le=...)`` and ``json_schema_extra={"unit": ...}``),
in :mod:`bekostiging.inputs` by responsibility: ``base`` (field helpers, bounds,
categories), ``settings`` (``case.toml``), ``tables`` (CSV rows), ``sources``,
``case`` (the case and its cross-table rules) and ``scenarios``. This module
re-exports every name: import from ``bekostiging.schema``.
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

from bekostiging.inputs.base import (
    BOOL_NOT_NUMBER,
    DEFER_CHECKS,
    MAX_BUDGET_EUR,
    MAX_COHORTS,
    MAX_EUR_PER_EUR,
    MAX_EUR_PER_UNIT_YEAR,
    MAX_FTE,
    MAX_FUNDING_RATIO,
    MAX_LOCATIONS,
    MAX_ONE_OFF_EUR,
    MAX_OUTPUT_PER_FTE_YEAR,
    MAX_PENALTY_EUR,
    MAX_PERSONS,
    MAX_PLACES,
    MAX_SEASONAL_FACTOR,
    MAX_TEAMS,
    MONTHS_PER_YEAR,
    OCCUPANCY_TOLERANCE,
    PROBABILITY_TOLERANCE,
    SEASONALITY_TOLERANCE,
    SETTINGS_TABLE,
    STAFFED_PARTNERS,
    Category,
    Partner,
    Strict,
    Violation,
    field_unit,
    is_numeric,
    param,
)
from bekostiging.inputs.case import (
    Case,
    case_violations,
    check_initial_occupancy,
    check_initial_stocks_unique,
    check_location_lead_times,
    check_location_names,
    check_mpp_coverage,
    check_seasonality,
    check_series_periods,
    places_at_start,
    reception_persons_at_start,
    table_violations,
)
from bekostiging.inputs.scenarios import (
    Provenance,
    ScenarioInfo,
    ScenarioSet,
)
from bekostiging.inputs.settings import (
    ARTICLE_LINES,
    SETTINGS_CHECKS,
    AcceleratedHousingSettings,
    AppealSettings,
    BudgetArticle,
    BudgetSettings,
    CaseInfo,
    CategorySettings,
    CoaSettings,
    DtvSettings,
    DublinSettings,
    FlexPoolSettings,
    Horizon,
    HousingSettings,
    IndSettings,
    IndSurgeSettings,
    NareisSettings,
    Penalties,
    Policy,
    Prices,
    RegistrationSurgeSettings,
    ResidenceSettings,
    Risk,
    Settings,
    StaffSettings,
    check_categories_complete,
    check_funding_ratio_order,
    check_lead_times,
    months_per_period,
    months_to_periods,
    period_labels,
    periods_per_year,
    settings_violations,
)
from bekostiging.inputs.sources import (
    CITED_KEY_RE,
    DEFINITION_PREFIX,
    ESTIMATE_PREFIX,
    MAX_KEYS_SHOWN,
    SOURCE_FORMS,
    SOURCE_KEY_PATTERN,
    SOURCE_LIST_TABLE,
    TEXT_SHOWN_CHARS,
    USER_MARK_RE,
    SourceEntry,
    check_source_list,
    check_sources,
    column_paths,
    settings_paths,
    source_keys,
    source_problem,
)
from bekostiging.inputs.tables import (
    PER_CATEGORY_STOCKS,
    ROW_CHECKS,
    TABLE_MODELS,
    InitialStock,
    LocationType,
    MppRow,
    SeasonalityRow,
    SeriesRow,
    StockName,
    check_location_open,
    check_mpp_order,
    check_stock_category,
)

# --------------------------------------------------------------------------- settings


# --------------------------------------------------------------------------- tables


# --------------------------------------------------------------------------- horizon helpers


# --------------------------------------------------------------------------- sources
# Every value carries its source as data: ``Case.sources`` maps a settings key path
# (``ind.initial_fte``) or a table column (``series.permit_share``) to a source text,
# and each table row has its own ``source`` column.  A source text is one of
#   "S41, S11"  or  "S41, S11: note"   keys of the case's source list (``sources.csv``)
#   "estimate: reasoning"              a modelling estimate, with how it was made
#   "definition: text"                 a name, unit or switch the case itself defines
#   "changed by user on YYYY-MM-DD …"  set by ``case import`` for a value edited in Excel
# Any S- or N-key cited inside the text (``… (S23)``, ``(N1)``) must be in the source list too.


# --------------------------------------------------------------------------- case


# --------------------------------------------------------------------------- consistency checks
# One ``check_*`` per cross-field rule; each returns its violations (empty when the
# rule holds).  The model validators above call them; loaders call them directly
# (with ``DEFER_CHECKS``) to report every violation with its file, row and column.


# --------------------------------------------------------------------------- scenario sets


__all__ = [
    "ARTICLE_LINES",
    "BOOL_NOT_NUMBER",
    "CITED_KEY_RE",
    "DEFER_CHECKS",
    "DEFINITION_PREFIX",
    "ESTIMATE_PREFIX",
    "MAX_BUDGET_EUR",
    "MAX_COHORTS",
    "MAX_EUR_PER_EUR",
    "MAX_EUR_PER_UNIT_YEAR",
    "MAX_FTE",
    "MAX_FUNDING_RATIO",
    "MAX_KEYS_SHOWN",
    "MAX_LOCATIONS",
    "MAX_ONE_OFF_EUR",
    "MAX_OUTPUT_PER_FTE_YEAR",
    "MAX_PENALTY_EUR",
    "MAX_PERSONS",
    "MAX_PLACES",
    "MAX_SEASONAL_FACTOR",
    "MAX_TEAMS",
    "MONTHS_PER_YEAR",
    "OCCUPANCY_TOLERANCE",
    "PER_CATEGORY_STOCKS",
    "PROBABILITY_TOLERANCE",
    "ROW_CHECKS",
    "SEASONALITY_TOLERANCE",
    "SETTINGS_CHECKS",
    "SETTINGS_TABLE",
    "SOURCE_FORMS",
    "SOURCE_KEY_PATTERN",
    "SOURCE_LIST_TABLE",
    "STAFFED_PARTNERS",
    "TABLE_MODELS",
    "TEXT_SHOWN_CHARS",
    "USER_MARK_RE",
    "AcceleratedHousingSettings",
    "AppealSettings",
    "BudgetArticle",
    "BudgetSettings",
    "Case",
    "CaseInfo",
    "Category",
    "CategorySettings",
    "CoaSettings",
    "DtvSettings",
    "DublinSettings",
    "FlexPoolSettings",
    "Horizon",
    "HousingSettings",
    "IndSettings",
    "IndSurgeSettings",
    "InitialStock",
    "LocationType",
    "MppRow",
    "NareisSettings",
    "Partner",
    "Penalties",
    "Policy",
    "Prices",
    "Provenance",
    "RegistrationSurgeSettings",
    "ResidenceSettings",
    "Risk",
    "ScenarioInfo",
    "ScenarioSet",
    "SeasonalityRow",
    "SeriesRow",
    "Settings",
    "SourceEntry",
    "StaffSettings",
    "StockName",
    "Strict",
    "Violation",
    "case_violations",
    "check_categories_complete",
    "check_funding_ratio_order",
    "check_initial_occupancy",
    "check_initial_stocks_unique",
    "check_lead_times",
    "check_location_lead_times",
    "check_location_names",
    "check_location_open",
    "check_mpp_coverage",
    "check_mpp_order",
    "check_seasonality",
    "check_series_periods",
    "check_source_list",
    "check_sources",
    "check_stock_category",
    "column_paths",
    "field_unit",
    "is_numeric",
    "months_per_period",
    "months_to_periods",
    "param",
    "period_labels",
    "periods_per_year",
    "places_at_start",
    "reception_persons_at_start",
    "settings_paths",
    "settings_violations",
    "source_keys",
    "source_problem",
    "table_violations",
]
