"""Stress tests without hand-made files: named stress paths and ``--shock YEAR:+N%``.

A stress path is the case's MPP-mid path (``mpp_mid_inflow``: yearly mid x the
seasonal profile) with a piece of real history laid over it, or scaled in one year:

``2015-in-2027``
    The 2015 surge replayed from 2027: month ``m`` of year ``2027 + k`` is the base
    level of the year before (2026, monthly mean) times the ratio of the real month
    ``m`` of ``2015 + k`` to the monthly mean of 2014, the year before the surge.
    So 2027 gets 2015's rise to the October peak (x2.0 over the year) and 2028
    its fall (2016 over 2014).
``2022-opnieuw``
    The 2022 surge again from 2027: the same with ``2022 + k`` over 2021.
``mpp-plus-20``
    The MPP mid +20 % next year (the case's second year, 2027), as ``--shock 2027:+20%``.

Each category keeps the base path's mix; the multiplier is the ratio of the real
*total* inflow (first + nareis + repeat), so the surge hits every category alike.

``--shock`` takes ``YEAR:+N%`` or ``YEAR:-N%`` (several separated by commas); every
month of YEAR of every path is multiplied by ``1 + N/100``, exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from bekostiging.history.replay import CATEGORIES, MONTHS
from bekostiging.schema import Category, Provenance, ScenarioInfo, ScenarioSet

SHOCK_PATTERN = re.compile(r"^\s*(\d{4})\s*:\s*([+-]?)\s*(\d+(?:\.\d+)?)\s*%\s*$")
MAX_SHOCK_PERCENT = 500.0  # a shock of more than x6 is a typo, not a stress test
MIN_SHOCK_PERCENT = -100.0  # -100 % empties a year; below that inflow would be negative
PERCENT = 100.0
SHOCK_OPTION = "--shock"
SHOCK_FORM = "YEAR:+N% or YEAR:-N% (for example 2027:+20%), several separated by commas"


class ShockError(ValueError):
    """A ``--shock`` value that cannot be read; the message names the option and the form."""


@dataclass(frozen=True)
class Shock:
    """Inflow of ``year`` multiplied by ``factor`` (``1 + percent / 100``)."""

    year: int
    percent: float

    @property
    def factor(self) -> float:
        return 1.0 + self.percent / PERCENT

    def label(self) -> str:
        return f"{self.year}:{self.percent:+g}%"


@dataclass(frozen=True)
class InflowPath:
    """One inflow path: persons per month (``periods`` x the model's categories)."""

    name: str
    periods: tuple[str, ...]
    inflow: np.ndarray  # shape (len(periods), len(CATEGORIES))
    description: str = ""

    def yearly(self) -> pd.DataFrame:
        """Persons per year and category (rows: years)."""
        frame = pd.DataFrame(self.inflow, index=list(self.periods), columns=list(CATEGORIES))
        return frame.groupby(frame.index.str[:4]).sum().rename(index=int)

    def years(self) -> list[int]:
        return sorted({int(p[:4]) for p in self.periods})


def parse_shocks(text: str, years: list[int] | None = None) -> list[Shock]:
    """``"2027:+20%,2028:-10%"`` -> shocks; raise :class:`ShockError` naming ``--shock``.

    ``years``, when given, are the years the paths cover: a shock outside them is an error.
    A year may be shocked once.
    """
    if not text or not text.strip():
        raise ShockError(f"{SHOCK_OPTION}: empty; use {SHOCK_FORM}")
    shocks: list[Shock] = []
    for part in text.split(","):
        match = SHOCK_PATTERN.match(part)
        if match is None:
            raise ShockError(f"{SHOCK_OPTION}: {part.strip()!r} is not a shock; use {SHOCK_FORM}")
        year = int(match.group(1))
        percent = float(match.group(3)) * (-1.0 if match.group(2) == "-" else 1.0)
        if not MIN_SHOCK_PERCENT <= percent <= MAX_SHOCK_PERCENT:
            raise ShockError(
                f"{SHOCK_OPTION}: {part.strip()!r}: the change must lie between "
                f"{MIN_SHOCK_PERCENT:g}% and +{MAX_SHOCK_PERCENT:g}%"
            )
        if years is not None and year not in years:
            raise ShockError(
                f"{SHOCK_OPTION}: {part.strip()!r}: year {year} is not simulated; "
                f"allowed {min(years)}–{max(years)}"
            )
        if any(s.year == year for s in shocks):
            raise ShockError(f"{SHOCK_OPTION}: year {year} is shocked twice; one change per year")
        shocks.append(Shock(year, percent))
    return shocks


def apply_shocks(path: InflowPath, shocks: list[Shock]) -> InflowPath:
    """The path with every month of each shocked year multiplied by the shock's factor."""
    factor = np.ones(len(path.periods))
    for shock in shocks:
        factor[[p.startswith(f"{shock.year}-") for p in path.periods]] *= shock.factor
    label = ",".join(s.label() for s in shocks)
    return InflowPath(
        name=f"{path.name}+shock" if shocks else path.name,
        periods=path.periods,
        inflow=path.inflow * factor[:, None],
        description=f"{path.description} (shock {label})" if shocks else path.description,
    )


def surge_overlay(
    base: InflowPath,
    history_monthly: pd.DataFrame,
    surge_year: int,
    start_year: int,
    name: str,
    description: str,
) -> InflowPath:
    """Replay the real months from ``surge_year`` on, as ratios to the year before it, from ``start_year``.

    Month ``m`` of ``start_year + k`` = base monthly mean of ``start_year - 1`` (per category)
    x real total of month ``m`` of ``surge_year + k`` / real monthly mean of ``surge_year - 1``.
    Months before ``start_year`` keep the base; years past the history keep the last ratio year.
    """
    total = history_monthly[list(CATEGORIES)].sum(axis=1)
    before = total[total.index.str.startswith(f"{surge_year - 1}-")]
    if len(before) != MONTHS:
        raise ValueError(f"the history has no complete year {surge_year - 1} to measure the surge against")
    reference = float(before.mean())
    last_real = max(int(p[:4]) for p in total.index)
    periods = list(base.periods)
    base_before = [i for i, p in enumerate(periods) if p.startswith(f"{start_year - 1}-")]
    if not base_before:
        raise ValueError(f"the base path has no year {start_year - 1} to start the stress from")
    level = base.inflow[base_before].mean(axis=0)  # monthly mean per category of the year before
    out = base.inflow.copy()
    for i, p in enumerate(periods):
        year, month = int(p[:4]), int(p[5:7])
        if year < start_year:
            continue
        real_year = min(surge_year + (year - start_year), last_real)
        out[i] = level * float(total[f"{real_year}-{month:02d}"]) / reference
    return InflowPath(name, base.periods, out, description)


def mpp_base_path(periods: list[str], mpp_mid: np.ndarray) -> InflowPath:
    """The case's MPP-mid path (``bekostiging.model.mpp_mid_inflow``) as an :class:`InflowPath`."""
    return InflowPath("mpp-midden", tuple(periods), np.asarray(mpp_mid, dtype=float), "MPP midden")


StressBuilder = Callable[[InflowPath, pd.DataFrame], InflowPath]


def _year_after(base: InflowPath) -> int:
    return base.years()[1] if len(base.years()) > 1 else base.years()[0]


def _surge_2015(base: InflowPath, history_monthly: pd.DataFrame) -> InflowPath:
    start = _year_after(base)
    return surge_overlay(
        base, history_monthly, 2015, start, "2015-in-2027", f"de asielpiek van 2015 opnieuw vanaf {start}"
    )


def _surge_2022(base: InflowPath, history_monthly: pd.DataFrame) -> InflowPath:
    start = _year_after(base)
    return surge_overlay(
        base, history_monthly, 2022, start, "2022-opnieuw", f"de stijging van 2022 opnieuw vanaf {start}"
    )


def _mpp_plus_20(base: InflowPath, _history_monthly: pd.DataFrame) -> InflowPath:
    start = _year_after(base)
    shocked = apply_shocks(base, [Shock(start, 20.0)])
    return InflowPath("mpp-plus-20", shocked.periods, shocked.inflow, f"MPP midden +20 % in {start}")


STRESS_PATHS: dict[str, StressBuilder] = {
    "2015-in-2027": _surge_2015,
    "2022-opnieuw": _surge_2022,
    "mpp-plus-20": _mpp_plus_20,
}


def stress_paths(
    base: InflowPath, history_monthly: pd.DataFrame, names: list[str] | None = None
) -> list[InflowPath]:
    """The named stress paths over ``base`` (all when ``names`` is None); unknown names raise ValueError."""
    chosen = list(STRESS_PATHS) if names is None else names
    unknown = [n for n in chosen if n not in STRESS_PATHS]
    if unknown:
        raise ValueError(f"stress path {', '.join(unknown)} unknown; choose from {', '.join(STRESS_PATHS)}")
    return [STRESS_PATHS[n](base, history_monthly) for n in chosen]


def as_scenario_set(paths: list[InflowPath], name: str, created: date, notes: str = "") -> ScenarioSet:
    """Stress paths as a scenario set (equal weights: a stress set is read path by path, not averaged).

    The set loads like any other (``evaluate RUN --scenarios DIR``, ``solve --scenarios DIR``).
    """
    if not paths:
        raise ValueError("no stress paths to write")
    periods = paths[0].periods
    if any(p.periods != periods for p in paths):
        raise ValueError("stress paths must cover the same periods")
    weight = 1.0 / len(paths)
    return ScenarioSet(
        name=name,
        provenance=Provenance(
            method="manual",
            seed=None,
            source="data/history (real monthly inflow) over the case's MPP mid",
            created=created,
            generator="bekostiging history stress",
            notes=notes
            or "Named stress paths; equal weights carry no probability (read each path on its own).",
        ),
        scenarios=tuple(
            ScenarioInfo(scenario=p.name, probability=weight, description=p.description) for p in paths
        ),
        periods=periods,
        categories=tuple(Category),
        inflow_persons=np.stack([p.inflow for p in paths]),
    )
