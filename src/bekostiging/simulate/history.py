"""Paths from history for ``bekostiging simulate``: ``--paths history`` and the named stress paths.

* :func:`history_path` — the real monthly inflow 2014–2025 (``history.replay.monthly_inflow``)
  with the chain's yearly series of those years from ``data/history/replay_parameters.csv``:
  housing outflow, permit share, and the IND's realised output per FTE against the norm
  (``ind_productivity``: what the environment delivered — every policy's IND staff decide at
  that rate, while every plan counts at the norm); and, at each planning moment, the MPP known then
  (:class:`HistoryForecaster`: the latest published vintage by the end of the moment's
  month, else the calibrated log-AR(1) on the totals known then; split over categories by
  the last complete year's mix). :func:`history_state` is the chain on 1 January 2014
  (``data/history/replay_state.csv``) as a simulation :class:`State`.
* :func:`stress_path_list` — the named stress paths of ``history.stress`` over the case's MPP
  mid (``2015-in-2027``, ``2022-opnieuw``, ``mpp-plus-20``; ``stress`` = all three), with the
  case's adaptive vintages.

All are registered with :mod:`bekostiging.simulate.sources` (``--paths history``,
``--paths 2015-in-2027`` ...).

Money stays at the case's prices (2025) on the history path too: the back-test compares
policies on the real inflow, not the nominal budgets of those years.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path as FsPath

import numpy as np

from bekostiging.history import History, load_history
from bekostiging.history.replay import (
    MONTHS,
    StartState,
    YearlyParameters,
    forecast_at,
    monthly_inflow,
    planning_moment,
    start_state,
    yearly_parameters,
)
from bekostiging.history.stress import (
    STRESS_PATHS,
    InflowPath,
    Shock,
    apply_shocks,
    mpp_base_path,
    stress_paths,
)
from bekostiging.schema import Case
from bekostiging.simulate.calendar import SimulationInputError, month_index, month_label
from bekostiging.simulate.engine import REPLAN_MONTHS, Context
from bekostiging.simulate.paths import (
    BANDS,
    CATEGORIES,
    AdaptiveForecaster,
    CalibratedSampler,
    Forecast,
    Path,
)
from bekostiging.simulate.sources import PathRequest, cut, register
from bekostiging.simulate.state import Money, State
from bekostiging.simulate.window import IND_PRODUCTIVITY

HISTORY = "history"
HISTORY_FIRST_YEAR = 2014  # the state of replay_state.csv is 1 January 2014
HISTORY_LAST_YEAR = 2025
# a planning moment of the engine (April, October) stands for its budget round: the spring
# round ends with the Voorjaarsnota (1 June), the autumn round with the Najaarsnota (30 Nov),
# and the season's MPP vintage feeds it (history.replay.PLANNING_MOMENTS)
SEASON_OF_MONTH = {month: season for season, month in REPLAN_MONTHS.items()}
FORECAST_YEARS = 4  # the moment's year and the three after it (the planner's window and one more)
# the MPP band around the mid where a vintage gives none: the case's own band ratio
# (MPP Sep 2025: 39,000 / 53,050 and 67,100 / 53,050), as the rule-based policies need a band


@lru_cache(maxsize=1)
def _history() -> History:
    return load_history()


@lru_cache(maxsize=1)
def _parameters() -> YearlyParameters:
    return yearly_parameters()


def _band_ratios(case: Case) -> tuple[float, float]:
    rows = [r for r in case.mpp if r.year == case.settings.horizon.start_year]
    mid = sum(r.mid for r in rows)
    return sum(r.low for r in rows) / mid, sum(r.high for r in rows) / mid


@dataclass(frozen=True)
class HistoryForecaster:
    """The forecast known at a moment of the history path (see the module docstring)."""

    low_ratio: float
    high_ratio: float
    seasonality: tuple[tuple[int, float], ...]
    sampler: CalibratedSampler | None = None

    def __call__(self, moment: str, path: Path) -> Forecast:
        year, month = int(moment[:4]), int(moment[5:7])
        season = SEASON_OF_MONTH.get(month)
        if season is not None:  # the budget round of the season: its MPP vintages are known
            known_by = planning_moment(year, season)
        else:  # any other month (the path's start): what is published by the end of that month
            known_by = date(year + month // MONTHS, month % MONTHS + 1, 1)
        history = _history()
        realised = path.realised(moment)
        whole = realised.shape[0] // MONTHS
        if whole:
            last = realised[(whole - 1) * MONTHS : whole * MONTHS].sum(axis=0)
        else:  # before a whole year of the path: the mix of the history's last full year
            last = np.array([history.inflow(k).get(year - 1) or 0.0 for k in CATEGORIES], dtype=float)
        share = last / last.sum() if last.sum() > 0 else np.full(len(CATEGORIES), 1.0 / len(CATEGORIES))
        mpp: dict[str, dict[tuple[int, str], float]] = {band: {} for band in BANDS}
        labels = []
        for target in range(year, year + FORECAST_YEARS):
            fc = forecast_at(history, known_by, target)
            low = fc.low if fc.low is not None else fc.centre * self.low_ratio
            high = fc.high if fc.high is not None else fc.centre * self.high_ratio
            low, high = min(low, fc.centre), max(high, fc.centre)
            for i, k in enumerate(CATEGORIES):
                mpp["low"][(target, k)] = low * share[i]
                mpp["mid"][(target, k)] = fc.centre * share[i]
                mpp["high"][(target, k)] = high * share[i]
            if target <= year + 1:
                labels.append(f"{target}: {fc.label}")
        forecast = Forecast(moment, mpp, dict(self.seasonality), label="; ".join(labels))
        if self.sampler is not None:
            forecast = replace(forecast, sampler=self.sampler(forecast, path))
        return forecast


def history_simulation_case(case: Case) -> Case:
    """The case for the history path, as ``bench/backtest.py`` and ``simulate --paths history``
    both use it (so both score the same simulation):

    * the history's scalar chain parameters (``history.validation.history_case``: the status
      holders' measured stay in COA);
    * registration kept up with arrivals in those years, as in ``history replay``
      (``REGISTRATION_CAPACITY_MONTH``: the September 2015 queue cleared within weeks, H9; the
      police deployed 1,500–2,000 officers in 2015 from its own budget, S55): the registration
      formation stays at the case's FTE and cost, not a lever, and registers up to that many
      persons a month — the environment, the same for every policy;
    * the nareis that really came arrive as inflow (``nareis.per_permit`` = 0, as in the
      replay): the model does not derive them a second time from its own permits.
    """
    from bekostiging.history.validation import REGISTRATION_CAPACITY_MONTH, history_case

    adjusted = history_case(case, _parameters())
    st = adjusted.settings
    reg = st.registration
    output = REGISTRATION_CAPACITY_MONTH * MONTHS / reg.initial_fte if reg.initial_fte > 0 else None
    update: dict[str, object] = {"adjustable": False}
    if output is not None:
        update["output_per_fte_year"] = max(reg.output_per_fte_year, output)
    settings = st.model_copy(
        update={
            "registration": reg.model_copy(update=update),
            "nareis": st.nareis.model_copy(update={"per_permit": 0.0}),
        }
    )
    return adjusted.model_copy(update={"settings": settings})


def history_path(
    case: Case,
    first_year: int = HISTORY_FIRST_YEAR,
    last_year: int = HISTORY_LAST_YEAR,
    productivity: Mapping[int, float] | None = None,
) -> Path:
    """The real path ``first_year``-01 .. ``last_year``-12 with the history's yearly series
    (``productivity``: year -> IND output per FTE against the norm instead of the shipped
    ``ind_productivity``, for the calibration in ``bench/backtest.py``)."""
    if not HISTORY_FIRST_YEAR <= first_year <= last_year <= HISTORY_LAST_YEAR:
        raise SimulationInputError(
            f"--from/--to {first_year}-{last_year}: "
            f"the history covers {HISTORY_FIRST_YEAR}–{HISTORY_LAST_YEAR}"
        )
    params = _parameters()
    season = {r.month: r.factor for r in case.seasonality}
    real = monthly_inflow(_history(), params, season, first_year, last_year)
    years = list(range(first_year, last_year + 1))
    housing = params.series("housing_outflow", years)
    permit = params.series("permit_share", years)
    if productivity is None:
        factors = params.series(IND_PRODUCTIVITY, years)
    else:
        factors = [float(productivity[y]) for y in years]
    series = {
        "housing_outflow": {
            f"{y}-{m:02d}": housing[i] / MONTHS for i, y in enumerate(years) for m in range(1, 13)
        },
        "permit_share": {f"{y}-{m:02d}": permit[i] for i, y in enumerate(years) for m in range(1, 13)},
        # the environment: what each IND FTE really delivered those years (every policy alike)
        IND_PRODUCTIVITY: {f"{y}-{m:02d}": factors[i] for i, y in enumerate(years) for m in range(1, 13)},
    }
    low, high = _band_ratios(case)
    forecaster = HistoryForecaster(low, high, tuple(sorted(season.items())), CalibratedSampler())
    return Path(
        HISTORY,
        f"{first_year}-01",
        real[list(CATEGORIES)].to_numpy(dtype=float),
        forecaster,
        series=series,
    )


def history_state(ctx: Context, state: StartState | None = None, ind_capacity: float | None = None) -> State:
    """The chain on 1 January 2014 as a simulation state.

    Stocks from ``replay_state.csv``; IND productive staff = the 2014 decision capacity
    (``replay_parameters.csv``) / the case's output per FTE; the other partners at the
    case's formation; regular places for the 2013 year-end occupancy at the planning norm
    (the case's first location type); no emergency places, an empty asielreserve.
    """
    start = state or start_state()
    base = ctx.base
    capacity = (
        ind_capacity if ind_capacity is not None else _parameters().values["ind_capacity"][HISTORY_FIRST_YEAR]
    )
    staff = {p: s.initial_fte for p, s in base.staff.items()}
    ind = base.staff["ind"]
    staff["ind"] = capacity / MONTHS / ind.output_per_fte_period
    first_loc = base.locations[0]
    places = start.occupancy / ctx.case.settings.policy.occupancy_norm
    open_locations = {loc.name: 0.0 for loc in base.locations}
    open_locations[first_loc.name] = float(np.ceil(places / first_loc.places))
    registrations = {
        k: (start.initial_backlog.get(k, 0.0) + start.initial_queue.get(k, 0.0)) / 3.0 for k in CATEGORIES
    }
    return State(
        month=f"{HISTORY_FIRST_YEAR}-01",
        staff_fte=staff,
        arriving_fte={},
        open_locations=open_locations,
        pending_openings={},
        queue=dict(start.initial_queue),
        backlog=dict(start.initial_backlog),
        status_holders=start.initial_status_holders,
        rejected=start.initial_rejected,
        emergency_places=0.0,
        recent_registrations=registrations,
        money=Money(balance_meur=0.0),
    )


def stress_path_list(
    case: Case, names: list[str] | None = None, shocks: list[Shock] | None = None
) -> list[Path]:
    """The named stress paths over the case's MPP mid as simulation paths (adaptive vintages)."""
    from bekostiging.model import mpp_mid_inflow

    season = {r.month: r.factor for r in case.seasonality}
    real = monthly_inflow(_history(), _parameters(), season, HISTORY_FIRST_YEAR, HISTORY_LAST_YEAR)
    base = mpp_base_path(case.periods, mpp_mid_inflow(case))
    try:
        chosen: list[InflowPath] = stress_paths(base, real, names)
    except ValueError as exc:
        raise SimulationInputError(f"--paths: {exc}") from exc
    forecaster = AdaptiveForecaster(case, CalibratedSampler())
    start = f"{case.settings.horizon.start_year:04d}-01"
    out = []
    for p in chosen:
        shocked = apply_shocks(p, shocks or [])
        out.append(Path(p.name, start, shocked.inflow, forecaster, probability=1.0 / len(chosen)))
    return out


def month_after(label: str, months: int) -> str:
    return month_label(month_index(label) + months)


def history_dir() -> FsPath:
    """The shipped history folder (where the replay tables live)."""
    from bekostiging import shipped

    return shipped.history_dir()


STRESS = "stress"  # --paths stress: all named stress paths


def _history_source(case: Case, request: PathRequest) -> list[Path]:
    first = request.first_year if request.first_year is not None else HISTORY_FIRST_YEAR
    last = request.last_year if request.last_year is not None else HISTORY_LAST_YEAR
    if first != HISTORY_FIRST_YEAR:
        raise SimulationInputError(
            f"--from {first}: the history path starts in January {HISTORY_FIRST_YEAR}, the state of "
            f"data/history/replay_state.csv; use --from {HISTORY_FIRST_YEAR} (or leave it out)"
        )
    ctx = Context.of(case)
    return [replace(history_path(case, first, last), initial=history_state(ctx))]


def _stress_source(names: list[str] | None) -> Callable[[Case, PathRequest], list[Path]]:
    def source(case: Case, request: PathRequest) -> list[Path]:
        return cut(stress_path_list(case, names), request)

    return source


register(HISTORY, _history_source)
register(STRESS, _stress_source(None))
for _name in STRESS_PATHS:
    register(_name, _stress_source([_name]))
