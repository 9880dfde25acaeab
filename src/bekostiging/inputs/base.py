"""Building blocks of the validated inputs: units and ranges per field, the strict base model,
the plausible bounds, the inflow categories and partners, and the ``Violation`` of a cross-field rule.

Part of :mod:`bekostiging.schema` (which re-exports every name); see its docstring for the conventions.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
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


def _fmt(value: float) -> str:
    return f"{value:g}"
