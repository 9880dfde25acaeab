"""Historical yearly asylum inflow in the Netherlands, 2010-2025, with sources.

The keys S1…S64 point to ``shared/design/data-sources.md`` and ``data/nl-2026/SOURCES.md``.
Values marked "~" in the sources are rounded there; 2025 is a full-year estimate
from the January-September change. Nareis (family reunification) are not in the
public stores before 2015.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import numpy as np

# Data vintage of the history: the latest figure used (Jan-Sep 2025, S14) was
# published in October 2025; the bootstrap sets record this date as "created".
HISTORY_VINTAGE = date(2025, 10, 31)

SHOCK_LOG_CHANGE = float(np.log(1.5))  # a shock year: inflow up 50% or more (data-sources §6: +60-100%)

# 2025 full year: Jan-Sep 2025 changes on the same months of 2024 (S14) applied to 2024.
FIRST_2025_CHANGE = -0.33  # S14: first applications Jan-Sep 2025, -33% y/y
NAREIS_2025_CHANGE = 0.40  # S14: nareis Jan-Sep 2025, +40% y/y


@dataclass(frozen=True)
class YearFigure:
    year: int
    persons: float
    source: str


FIRST_APPLICATIONS: tuple[YearFigure, ...] = (
    YearFigure(2010, 13_335, "S1"),
    YearFigure(2011, 11_590, "S2 (~, asylum requests)"),
    YearFigure(2012, 9_714, "S3"),
    YearFigure(2013, 14_399, "S3"),
    YearFigure(2014, 23_000, "S4 (~)"),
    YearFigure(2015, 43_095, "S1"),
    YearFigure(2016, 18_200, "S5 (~)"),
    YearFigure(2017, 14_716, "S6"),
    YearFigure(2018, 20_353, "S7"),
    YearFigure(2019, 22_533, "S8"),
    YearFigure(2020, 13_720, "S1"),
    YearFigure(2021, 24_740, "S1"),
    YearFigure(2022, 35_535, "S10"),
    YearFigure(2023, 38_375, "S12 (provisional)"),
    YearFigure(2024, 32_180, "S13"),
    YearFigure(2025, round(32_180 * (1 + FIRST_2025_CHANGE)), "estimate: 2024 x (1 - 33%), S14"),
)

NAREIS: tuple[YearFigure, ...] = (
    YearFigure(2015, 13_845, "S1"),
    YearFigure(2016, 11_800, "S5 (~)"),
    YearFigure(2017, 14_490, "S6"),
    YearFigure(2018, 6_463, "S7"),
    YearFigure(2019, 4_180, "S9 (~)"),
    YearFigure(2020, 3_865, "S1"),
    YearFigure(2021, 10_120, "S1"),
    YearFigure(2022, 10_925, "S11"),
    YearFigure(2023, 10_125, "S12 (provisional)"),
    YearFigure(2024, 11_880, "S13"),
    YearFigure(2025, round(11_880 * (1 + NAREIS_2025_CHANGE)), "estimate: 2024 x (1 + 40%), S14"),
)


def log_changes(series: tuple[YearFigure, ...]) -> dict[int, float]:
    """Yearly log-changes ``ln(x[y] / x[y-1])`` keyed by the later year ``y``."""
    return {
        later.year: float(np.log(later.persons / earlier.persons))
        for earlier, later in pairwise(series)
        if later.year == earlier.year + 1
    }


def last_level(series: tuple[YearFigure, ...]) -> YearFigure:
    """The latest year of a series (the bootstrap's starting level)."""
    return series[-1]


def shock_share(changes: dict[int, float]) -> float:
    """Share of historical years that were shock years (log-change >= SHOCK_LOG_CHANGE)."""
    values = list(changes.values())
    return sum(v >= SHOCK_LOG_CHANGE for v in values) / len(values)
