"""Yearly first applications and nareis for the ``bootstrap`` method, from ``data/history``.

The figures, their sources and status live in ``data/history/inflow_yearly.csv``
(:mod:`bekostiging.history`); this module only turns the known years of one
category into the series the bootstrap resamples. Missing years stay out: a
log-change is taken only between two consecutive known years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import pairwise

import numpy as np

from bekostiging.history import History, load_history

# Data vintage of the history: the latest figure used (first applications 2025, H3)
# was published on 23 January 2026; the bootstrap sets record this date as "created".
HISTORY_VINTAGE = date(2026, 1, 23)

SHOCK_LOG_CHANGE = float(np.log(1.5))  # a shock year: inflow up 50% or more (data-sources §6: +60-100%)


@dataclass(frozen=True)
class YearFigure:
    year: int
    persons: float
    source: str


@cache
def _shipped() -> History:
    """The shipped history, read once per process (it is data, not state)."""
    return load_history()


def series(category: str, history: History | None = None) -> tuple[YearFigure, ...]:
    """Known yearly figures of ``category`` (first, nareis, repeat, total), by year."""
    data = history if history is not None else _shipped()
    rows = sorted((r for r in data.inflow_yearly if r.category == category and r.persons is not None),
                  key=lambda r: r.year)
    return tuple(YearFigure(r.year, float(r.persons), f"{r.source} ({r.status.value})")  # type: ignore[arg-type]
                 for r in rows)


def first_applications(history: History | None = None) -> tuple[YearFigure, ...]:
    """Known yearly first applications (data/history)."""
    return series("first", history)


def nareis(history: History | None = None) -> tuple[YearFigure, ...]:
    """Known yearly nareis (data/history; from 2015)."""
    return series("nareis", history)


def log_changes(series_: tuple[YearFigure, ...]) -> dict[int, float]:
    """Yearly log-changes ``ln(x[y] / x[y-1])`` keyed by the later year ``y``."""
    return {
        later.year: float(np.log(later.persons / earlier.persons))
        for earlier, later in pairwise(series_)
        if later.year == earlier.year + 1
    }


def last_level(series_: tuple[YearFigure, ...]) -> YearFigure:
    """The latest year of a series (the bootstrap's starting level)."""
    return series_[-1]


def shock_share(changes: dict[int, float]) -> float:
    """Share of historical years that were shock years (log-change >= SHOCK_LOG_CHANGE)."""
    values = list(changes.values())
    return sum(v >= SHOCK_LOG_CHANGE for v in values) / len(values)
