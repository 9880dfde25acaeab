"""History as simulation input: the state at January 2014, real monthly inflow, MPP vintages.

Three things the back-test of issue 10 needs from ``data/history``:

* :func:`start_state` — the chain's stocks on 1 January 2014 (``replay_state.csv``):
  the ``initial_*`` values of :class:`~bekostiging.model.data.ChainData`, each with
  its address or its estimate; they add up to the COA occupancy of 31 December 2013.
* :func:`monthly_inflow` — the realised inflow per month and category 2014–2025:
  published months and quarters where the history has them, the yearly figure
  spread over the other months by the case's seasonal profile; every month sums to
  its year (yearly figures missing from ``inflow_yearly.csv`` come from
  ``replay_parameters.csv``, derived or estimated with a stated reason).
* :func:`forecast_at` — the MPP known at a planning moment: the latest vintage
  published on or before it for the target year, otherwise the calibrated
  log-AR(1) (``scenarios/calibrated.py``) fitted on the totals known then.

``replay_parameters.csv`` also holds the chain's yearly parameters as time series
(IND decision capacity, permit share, housing outflow), read by
:func:`yearly_parameters`; :mod:`bekostiging.history.validation` replays the
chain model on them. ``ind_productivity`` is the IND's realised output per FTE as a
share of the case's norm: the environment the simulated policies face on the history
path (``simulate/history.py``; derived in ``bench/backtest.py --calibrate``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from bekostiging import shipped
from bekostiging.errors import InputErrors, InputProblem
from bekostiging.history.schema import History, MppVintage
from bekostiging.scenarios.calibrated import LogAR, fit_logar

CATEGORIES: tuple[str, ...] = ("first", "nareis", "repeat")  # the model's Category order
MONTHS = 12
STATE_FILE = "replay_state.csv"
PARAMETERS_FILE = "replay_parameters.csv"
STATUSES = ("reported", "rounded", "provisional", "derived", "estimate", "missing")
STOCKS = ("occupancy", "registration_queue", "ind_backlog", "status_holders", "rejected", "ind_capacity_fte")
PARAMETERS = (
    "housing_wait_months",
    "ind_capacity",
    "ind_productivity",
    "permit_share",
    "housing_outflow",
    "inflow_first",
    "inflow_nareis",
    "inflow_repeat",
)
SHARE_PARAMETERS = ("permit_share",)
# planning moments of the budget cycle: the day after the Voorjaarsnota (due 1 June) and
# after the Najaarsnota (due 30 November); every MPP vintage of a season is published before.
PLANNING_MOMENTS: dict[str, tuple[int, int]] = {"spring": (6, 1), "autumn": (12, 1)}
STATE_TOLERANCE = 1.0  # persons: the stocks must add up to the occupancy within this


def _history_folder(folder: Path | None) -> Path:
    return Path(folder) if folder is not None else shipped.history_dir()


def _source(row: dict[str, str]) -> str:
    """The address of a figure, or its estimate/derivation note (never empty for a value)."""
    url = row.get("url", "").strip()
    note = row.get("note", "").strip()
    if url:
        return f"{url} ({note})" if note else url
    return note


def _read(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise InputErrors(
            [InputProblem(str(path), "file", "missing", f"a CSV file with {', '.join(columns)}")]
        )
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        if header != columns:
            raise InputErrors([InputProblem(str(path), "header", ",".join(header), ",".join(columns), row=1)])
        return [(line, {k: (v or "").strip() for k, v in row.items()}) for line, row in enumerate(reader, 2)]


def _value(
    path: Path, line: int, row: dict[str, str], column: str, problems: list[InputProblem]
) -> float | None:
    """The row's number (None when missing), with the status/source rules of ``data/history``."""
    text, status = row[column], row["status"]
    if status not in STATUSES:
        problems.append(
            InputProblem(
                str(path), "status", status, f"one of {', '.join(STATUSES)}", row=line, column="status"
            )
        )
        return None
    if (text == "") != (status == "missing"):
        problems.append(
            InputProblem(
                str(path),
                column,
                text or "(empty)",
                "a value exactly when the status is not 'missing'",
                row=line,
                column=column,
            )
        )
        return None
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append(InputProblem(str(path), column, text, "a number", row=line, column=column))
        return None
    if value < 0:
        problems.append(InputProblem(str(path), column, text, "a number >= 0", row=line, column=column))
        return None
    if not row["url"] and not row["note"].startswith(("estimate:", "derived:")):
        problems.append(
            InputProblem(
                str(path),
                "url",
                "(empty)",
                "an address, or a note starting 'estimate:' or 'derived:'",
                row=line,
                column="url",
            )
        )
    return value


# --------------------------------------------------------------------------- the state


@dataclass(frozen=True)
class StartState:
    """The chain's stocks at the start of the replay (persons), with the source of each."""

    date: date
    occupancy: float
    initial_queue: dict[str, float]
    initial_backlog: dict[str, float]
    initial_status_holders: float
    initial_rejected: float
    sources: dict[str, str] = field(default_factory=dict)

    def reception(
        self, reception_share: dict[str, float], registration_categories: tuple[str, ...] = ()
    ) -> float:
        """Persons in COA reception made up of the stocks (the model's occupancy at t = -1)."""
        queue = sum(
            reception_share[k] * v
            for k, v in self.initial_queue.items()
            if not registration_categories or k in registration_categories
        )
        backlog = sum(reception_share[k] * v for k, v in self.initial_backlog.items())
        return queue + backlog + self.initial_status_holders + self.initial_rejected


def start_state(folder: Path | None = None) -> StartState:
    """The state of 1 January 2014 from ``replay_state.csv`` (raises InputErrors on bad rows)."""
    path = _history_folder(folder) / STATE_FILE
    rows = _read(path, ("stock", "category", "persons", "status", "url", "note"))
    problems: list[InputProblem] = []
    queue = dict.fromkeys(CATEGORIES, 0.0)
    backlog = dict.fromkeys(CATEGORIES, 0.0)
    scalars: dict[str, float] = {}
    sources: dict[str, str] = {}
    for line, row in rows:
        stock, cat = row["stock"], row["category"]
        if stock not in STOCKS:
            problems.append(
                InputProblem(
                    str(path), "stock", stock, f"one of {', '.join(STOCKS)}", row=line, column="stock"
                )
            )
            continue
        if cat and cat not in CATEGORIES:
            problems.append(
                InputProblem(
                    str(path),
                    "category",
                    cat,
                    f"empty or one of {', '.join(CATEGORIES)}",
                    row=line,
                    column="category",
                )
            )
            continue
        value = _value(path, line, row, "persons", problems)
        if value is None:
            continue
        key = f"{stock}.{cat}" if cat else stock
        sources[key] = _source(row)
        if stock == "registration_queue":
            queue[cat] = value
        elif stock == "ind_backlog":
            backlog[cat] = value
        else:
            scalars[stock] = value
    for needed in ("occupancy", "status_holders", "rejected"):
        if needed not in scalars:
            problems.append(InputProblem(str(path), "stock", "(missing)", f"a row for {needed}"))
    if problems:
        raise InputErrors(problems)
    return StartState(
        date=date(2014, 1, 1),
        occupancy=scalars["occupancy"],
        initial_queue=queue,
        initial_backlog=backlog,
        initial_status_holders=scalars["status_holders"],
        initial_rejected=scalars["rejected"],
        sources=sources,
    )


# --------------------------------------------------------------------------- yearly parameters


@dataclass(frozen=True)
class YearlyParameters:
    """Yearly time series of the replay: ``values[parameter][year]`` and the source of each."""

    values: dict[str, dict[int, float]]
    sources: dict[tuple[str, int], str]

    def mean(self, parameter: str) -> float:
        """The mean of a parameter over the years it is given for (a scalar of the model)."""
        known = self.values.get(parameter, {})
        if not known:
            raise KeyError(f"{PARAMETERS_FILE}: no {parameter}")
        return float(sum(known.values()) / len(known))

    def series(self, parameter: str, years: list[int] | range) -> list[float]:
        """The parameter for each year; a missing year is an error naming it."""
        known = self.values.get(parameter, {})
        missing = [y for y in years if y not in known]
        if missing:
            raise KeyError(f"{PARAMETERS_FILE}: no {parameter} for {', '.join(map(str, missing))}")
        return [known[y] for y in years]


def yearly_parameters(folder: Path | None = None) -> YearlyParameters:
    """``replay_parameters.csv`` as validated yearly series (raises InputErrors on bad rows)."""
    path = _history_folder(folder) / PARAMETERS_FILE
    rows = _read(path, ("year", "parameter", "value", "status", "url", "note"))
    problems: list[InputProblem] = []
    values: dict[str, dict[int, float]] = {}
    sources: dict[tuple[str, int], str] = {}
    for line, row in rows:
        name = row["parameter"]
        if name not in PARAMETERS:
            problems.append(
                InputProblem(
                    str(path),
                    "parameter",
                    name,
                    f"one of {', '.join(PARAMETERS)}",
                    row=line,
                    column="parameter",
                )
            )
            continue
        try:
            year = int(row["year"])
        except ValueError:
            problems.append(
                InputProblem(str(path), "year", row["year"], "a whole year", row=line, column="year")
            )
            continue
        value = _value(path, line, row, "value", problems)
        if value is None:
            continue
        if name in SHARE_PARAMETERS and value > 1:
            problems.append(
                InputProblem(
                    str(path), "value", row["value"], "a share between 0 and 1", row=line, column="value"
                )
            )
            continue
        if year in values.setdefault(name, {}):
            problems.append(
                InputProblem(str(path), "row", f"{year}/{name}", "each year x parameter once", row=line)
            )
            continue
        values[name][year] = value
        sources[(name, year)] = _source(row)
    if problems:
        raise InputErrors(problems)
    return YearlyParameters(values, sources)


# --------------------------------------------------------------------------- inflow


def yearly_inflow(history: History, params: YearlyParameters, years: range) -> pd.DataFrame:
    """Yearly inflow per category (rows: years, columns: first/nareis/repeat) and its source.

    ``inflow_yearly.csv`` where it has the figure, else the ``inflow_<category>`` row of
    ``replay_parameters.csv``; neither is an error naming year and category.
    """
    rows = []
    for year in years:
        row: dict[str, object] = {"year": year}
        for cat in CATEGORIES:
            value = history.inflow(cat).get(year)
            source = next(
                (
                    f"history {r.source} ({r.status.value})"
                    for r in history.inflow_yearly
                    if r.year == year and r.category == cat and r.persons is not None
                ),
                "",
            )
            if value is None:
                value = params.values.get(f"inflow_{cat}", {}).get(year)
                source = params.sources.get((f"inflow_{cat}", year), "")
            if value is None:
                raise KeyError(f"no {cat} inflow for {year} in inflow_yearly.csv or {PARAMETERS_FILE}")
            row[cat] = float(value)
            row[f"source_{cat}"] = source
        rows.append(row)
    return pd.DataFrame(rows).set_index("year")


def spread_year(
    total: float,
    season: dict[int, float],
    months: dict[int, float] | None = None,
    quarters: dict[int, float] | None = None,
) -> np.ndarray:
    """Twelve monthly values summing to ``total``.

    Published months are kept; a published quarter fills its unpublished months by
    the seasonal profile; the remaining months share the rest of the year by the
    profile. If the published figures exceed the year (rounding, definitions), the
    whole year is scaled to ``total`` keeping the published shape.
    """
    months = dict(months or {})
    for q, value in (quarters or {}).items():
        inside = list(range(3 * q - 2, 3 * q + 1))
        free = [m for m in inside if m not in months]
        rest = value - sum(months[m] for m in inside if m in months)
        if free and rest > 0:
            weight = sum(season[m] for m in free)
            for m in free:
                months[m] = rest * season[m] / weight
    out = np.array([months.get(m, np.nan) for m in range(1, MONTHS + 1)], dtype=float)
    known = ~np.isnan(out)
    known_sum = float(out[known].sum()) if known.any() else 0.0
    free = [m for m in range(1, MONTHS + 1) if not known[m - 1]]
    if free:
        weight = sum(season[m] for m in free)
        if known_sum < total:
            rate = (total - known_sum) / weight
        else:  # published months alone exceed the year: continue at their seasonal rate
            rate = known_sum / sum(season[m] for m in range(1, MONTHS + 1) if known[m - 1])
        for m in free:
            out[m - 1] = rate * season[m]
    level = float(out.sum())
    return out * (total / level) if level > 0 else np.full(MONTHS, total / MONTHS)


def monthly_inflow(
    history: History, params: YearlyParameters, season: dict[int, float], first_year: int, last_year: int
) -> pd.DataFrame:
    """Realised inflow per month (index ``YYYY-MM``) and category; each year sums to its figure."""
    years = range(first_year, last_year + 1)
    yearly = yearly_inflow(history, params, years)
    frames = []
    for year in years:
        block = {}
        for cat in CATEGORIES:
            months, quarters = history.published_periods(year, cat)
            block[cat] = spread_year(float(yearly.loc[year, cat]), season, months, quarters)
        frames.append(pd.DataFrame(block, index=[f"{year}-{m:02d}" for m in range(1, MONTHS + 1)]))
    frame = pd.concat(frames)
    frame.index.name = "period"
    return frame


# --------------------------------------------------------------------------- MPP vintages


@dataclass(frozen=True)
class Forecast:
    """The forecast of total inflow for ``target_year`` known at ``moment``."""

    moment: date
    target_year: int
    centre: float
    low: float | None
    high: float | None
    method: str  # "vintage" or "logar"
    label: str


def planning_moment(year: int, season: str) -> date:
    """The date of a planning moment (``spring`` or ``autumn``) in ``year``."""
    if season not in PLANNING_MOMENTS:
        raise ValueError(f"season {season!r} unknown; choose one of {', '.join(PLANNING_MOMENTS)}")
    month, day = PLANNING_MOMENTS[season]
    return date(year, month, day)


def vintage_at(history: History, moment: date, target_year: int) -> MppVintage | None:
    """The latest vintage for ``target_year`` with a centre, published on or before ``moment``."""
    found = [
        v
        for v in history.vintages(published_until=moment)
        if v.target_year == target_year and v.centre is not None
    ]
    return max(found, key=lambda v: v.published) if found else None


def forecast_at(history: History, moment: date, target_year: int) -> Forecast:
    """The forecast known at ``moment``: the published vintage, or the calibrated log-AR(1).

    The stand-in is the log-AR(1) (+ surge) fitted by maximum likelihood on the yearly
    totals of the complete years before ``moment``; its centre is the AR mean path
    ``mu + phi^h (x_last - mu)`` in logs (the median without the rare surge).
    """
    vintage = vintage_at(history, moment, target_year)
    if vintage is not None and vintage.centre is not None:
        return Forecast(
            moment,
            target_year,
            vintage.centre,
            vintage.low,
            vintage.high,
            "vintage",
            f"{vintage.document} ({vintage.published.isoformat()})",
        )
    known = history.totals(until=moment.year - 1)
    last = max(known)
    model = _fit(tuple(sorted(known.items())))
    h = max(target_year - last, 1)
    x = model.mu + model.phi**h * (float(np.log(known[last])) - model.mu)
    return Forecast(
        moment,
        target_year,
        float(np.exp(x)),
        None,
        None,
        "logar",
        f"log-AR(1) on the totals up to {last} (no vintage published by {moment.isoformat()})",
    )


@lru_cache(maxsize=32)
def _fit(known: tuple[tuple[int, float], ...]) -> LogAR:
    """The log-AR(1) fit on a set of known totals (cached: the fit is the costly step)."""
    return fit_logar(dict(known))


def case_seasonality(case_dir: Path | None = None) -> dict[int, float]:
    """The seasonal profile of a case (default: the shipped case), month -> factor."""
    from bekostiging.io.case import load_case

    case = load_case(case_dir if case_dir is not None else shipped.default_case_dir())
    return {r.month: r.factor for r in case.seasonality}
