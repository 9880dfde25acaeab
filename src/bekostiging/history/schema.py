"""The validated history of the asylum chain: one pydantic model per table row.

Every figure carries a ``status`` and a ``source`` key into ``sources.csv`` (the
source list with the address of each public page). A figure that is not public
stays in the table with an empty value and status ``missing``, so that every
table and chart can show it as missing instead of silently leaving it out or
interpolating it.

Status values
-------------
``reported``    the number as published
``rounded``     published rounded ("ruim 24 duizend", "~28,000")
``provisional`` published as provisional
``derived``     arithmetic on published numbers (the note says which)
``estimate``    an estimate; the note gives the reasoning
``missing``     not in the public stores; the value is empty
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FIRST_YEAR = 1975  # earliest year accepted in the history tables (CBS series start)
LAST_YEAR = 2100  # latest year accepted (a typo guard, not a forecast horizon)
PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$"  # YYYY-MM or YYYY-Qn
URL_PATTERN = r"^https?://\S+$"


class Status(StrEnum):
    """How a figure came about (see the module docstring)."""

    REPORTED = "reported"
    ROUNDED = "rounded"
    PROVISIONAL = "provisional"
    DERIVED = "derived"
    ESTIMATE = "estimate"
    MISSING = "missing"


InflowCategory = Literal["first", "nareis", "repeat", "total"]
TOTAL = "total"


class Row(BaseModel):
    """Base of a history row: strict, frozen, no unknown columns."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Figure(Row):
    """A figure with status and source: empty exactly when the status is ``missing``."""

    status: Status
    source: str = ""
    note: str = ""

    def _value(self) -> float | None:  # overridden: the row's value column
        raise NotImplementedError

    @model_validator(mode="after")
    def _missing_iff_empty(self) -> Figure:
        value = self._value()
        if (value is None) != (self.status is Status.MISSING):
            raise ValueError(
                "value must be empty exactly when status is 'missing' "
                f"(found value {'empty' if value is None else value}, status {self.status.value})"
            )
        if value is not None and not self.source:
            raise ValueError("a figure needs a source key (a key of sources.csv)")
        return self


class Source(Row):
    key: str = Field(min_length=1, pattern=r"^[A-Za-z0-9]+$")
    url: str = Field(pattern=URL_PATTERN, description="Address of the public page")
    published: str = Field(min_length=4, description="Publication date or year of the page")
    title: str = ""


class InflowYear(Figure):
    """Inflow of one category (or the total) in one calendar year, persons."""

    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    category: InflowCategory
    persons: float | None = Field(None, ge=0.0)

    def _value(self) -> float | None:
        return self.persons


class InflowPeriod(Figure):
    """Inflow in one month (YYYY-MM) or quarter (YYYY-Qn), persons."""

    period: str = Field(pattern=PERIOD_PATTERN)
    category: InflowCategory
    persons: float | None = Field(None, ge=0.0)

    def _value(self) -> float | None:
        return self.persons


class CoaFigure(Figure):
    """COA occupancy (persons), status holders among them (persons) or capacity (places) on a date."""

    date: date
    measure: Literal[
        "occupancy", "occupancy_average", "capacity", "capacity_target", "capacity_need", "status_holders"
    ]
    value: float | None = Field(None, ge=0.0)

    def _value(self) -> float | None:
        return self.value


class IndFigure(Figure):
    """IND production (decisions in the year ending on ``date``) or backlog on ``date``."""

    date: date
    measure: Literal["decisions", "decisions_planned", "backlog"]
    category: Literal["asylum", "nareis", "total"]
    value: float | None = Field(None, ge=0.0)

    def _value(self) -> float | None:
        return self.value


HALF_YEAR_PATTERN = r"^\d{4}-H[12]$"  # YYYY-H1 or YYYY-H2


class HousingFigure(Figure):
    """Housing of status holders by municipalities in a half year (the taakstelling period):
    the task set for it, the arrears carried into it, the status holders housed in it."""

    period: str = Field(pattern=HALF_YEAR_PATTERN, description="half year, YYYY-H1 or YYYY-H2")
    measure: Literal["task", "arrears", "housed"]
    value: float | None = Field(None, ge=0.0)

    def _value(self) -> float | None:
        return self.value


class MppVintage(Row):
    """One MPP (or budget) forecast of total inflow for one target year, persons.

    ``low``/``mid``/``high`` are the published band; any may be empty when the
    public record gives only part of it, but not all three.
    """

    published: date
    season: Literal["spring", "autumn"]
    document: str = Field(min_length=1)
    target_year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    low: float | None = Field(None, ge=0.0)
    mid: float | None = Field(None, ge=0.0)
    high: float | None = Field(None, ge=0.0)
    status: Status
    source: str = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _band(self) -> MppVintage:
        values = [v for v in (self.low, self.mid, self.high) if v is not None]
        if not values:
            raise ValueError("at least one of low, mid, high")
        if values != sorted(values):
            raise ValueError(f"low <= mid <= high (found {self.low}, {self.mid}, {self.high})")
        if self.status is Status.MISSING:
            raise ValueError("a vintage row with values cannot have status 'missing'")
        return self

    @property
    def horizon(self) -> int:
        """Years between the publication year and the target year (0 = same year)."""
        return self.target_year - self.published.year

    @property
    def centre(self) -> float | None:
        """The mid value, or the midpoint of low and high when only those are public."""
        if self.mid is not None:
            return self.mid
        if self.low is not None and self.high is not None:
            return (self.low + self.high) / 2.0
        return None


class Spending(Figure):
    """Money per partner and year (realised, budgeted, agency income), € million nominal."""

    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    partner: Literal["coa", "ind", "dtv", "registration"]
    measure: str = Field(min_length=1)
    eur_mln: float | None = Field(None, ge=0.0)

    def _value(self) -> float | None:
        return self.eur_mln


_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class History:
    """The whole history data set, validated; tables keep file order."""

    sources: tuple[Source, ...]
    inflow_yearly: tuple[InflowYear, ...]
    inflow_periodic: tuple[InflowPeriod, ...]
    coa: tuple[CoaFigure, ...]
    ind: tuple[IndFigure, ...]
    mpp_vintages: tuple[MppVintage, ...]
    spending: tuple[Spending, ...]
    housing: tuple[HousingFigure, ...] = ()

    def url(self, key: str) -> str:
        """The address of a source key."""
        return {s.key: s.url for s in self.sources}[key]

    def inflow(self, category: str) -> dict[int, float | None]:
        """Yearly inflow of a category (or ``total``), None where missing, by year."""
        return {row.year: row.persons for row in self.inflow_yearly if row.category == category}

    def published_periods(self, year: int, category: str) -> tuple[dict[int, float], dict[int, float]]:
        """Published months {month: persons} and quarters {quarter: persons} of a year and
        category (``inflow_periodic.csv``; missing figures left out)."""
        months: dict[int, float] = {}
        quarters: dict[int, float] = {}
        for r in self.inflow_periodic:
            if r.category != category or r.persons is None or not r.period.startswith(f"{year}-"):
                continue
            tail = r.period[5:]
            if tail.startswith("Q"):
                quarters[int(tail[1])] = r.persons
            else:
                months[int(tail)] = r.persons
        return months, quarters

    def totals(self, until: int | None = None) -> dict[int, float]:
        """Known yearly total inflow (first + nareis + repeat) up to ``until`` (inclusive)."""
        return {
            year: value
            for year, value in sorted(self.inflow(TOTAL).items())
            if value is not None and (until is None or year <= until)
        }

    def record(self, until: int | None = None) -> tuple[int, float]:
        """(year, persons) of the highest known yearly total up to ``until``."""
        totals = self.totals(until)
        year = max(totals, key=totals.__getitem__)
        return year, totals[year]

    def housing_realisation(self) -> dict[str, float]:
        """Housed / (task + arrears) per half year where all three are known (national figures)."""
        table: dict[str, dict[str, float]] = {}
        for row in self.housing:
            if row.value is not None:
                table.setdefault(row.period, {})[row.measure] = row.value
        return {
            period: v["housed"] / (v["task"] + v["arrears"])
            for period, v in sorted(table.items())
            if {"task", "arrears", "housed"} <= set(v) and v["task"] + v["arrears"] > 0
        }

    def vintages(self, published_until: date | None = None) -> list[MppVintage]:
        """MPP vintages published on or before a date (all when None), in file order."""
        return [v for v in self.mpp_vintages if published_until is None or v.published <= published_until]
