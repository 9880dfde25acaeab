"""Inflow paths to simulate along, and what is known about the future at each planning moment.

A :class:`Path` is one realised inflow history, month by month and per category, for a
calendar range, plus the forecast known at each planning moment (``forecast_at``). The
forecast is a :class:`Forecast`: the MPP vintage of that moment (yearly low / mid / high
per category) and a sampler of scenario paths from that moment conditioned on what is
known (for the stochastic lookahead).

Sources of paths (``--paths``):

* a scenario set of the case (``hist-50``, ...): every scenario is a path from the case's
  first month; the vintage at the first moment is the case's MPP, at a later moment the
  case's MPP rescaled per category by the inflow of the last twelve months against the
  MPP mid of those months (:class:`AdaptiveForecaster`: a stand-in vintage that follows
  the realised inflow as the MPP does);
* ``history`` and the named stress paths: registered by :mod:`bekostiging.simulate.sources`
  (the back-test: real monthly inflow and the published MPP vintages).

A ``--shock YEAR:+P%`` scales a path's inflow in that year by 1 + P/100 (a surprise: the
forecasts made before it do not know it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from bekostiging.schema import MONTHS_PER_YEAR, Case, Category
from bekostiging.simulate.calendar import SimulationInputError, month_index, month_label

CATEGORIES = tuple(c.value for c in Category)
BANDS = ("low", "mid", "high")
BAND_PROBABILITIES = (0.25, 0.5, 0.25)  # the MPP band as three scenarios (rule-based policies)
ADAPT_MONTHS = 12  # the stand-in vintage is rescaled on the last year of realised inflow
MIN_ADAPT_MONTHS = 6  # fewer realised months: the previous vintage stays
Sampler = Callable[[int, list[str], np.random.Generator], np.ndarray]


@dataclass(frozen=True)
class Forecast:
    """What is known about future inflow at a planning moment.

    ``mpp[band][(year, category)]``: yearly persons per band (``low``, ``mid``, ``high``);
    a year after the vintage's last takes the last year's values. ``seasonality``: monthly
    factors (mean 1). ``sampler(n, months, rng)`` -> (n, len(months), categories) monthly
    scenario paths from the moment (None: the lookahead cannot run on this forecast).
    """

    made_at: str
    mpp: Mapping[str, Mapping[tuple[int, str], float]]
    seasonality: Mapping[int, float]
    label: str = ""
    sampler: Sampler | None = None

    def yearly(self, band: str, year: int, category: str) -> float:
        values = self.mpp[band]
        years = sorted({y for (y, _k) in values})
        y = min(max(year, years[0]), years[-1])
        return float(values.get((y, category), 0.0))

    def monthly(self, band: str, months: list[str]) -> np.ndarray:
        """(months, categories) persons per month of one band: yearly x season / 12."""
        rows = []
        for label in months:
            season = self.seasonality[int(label[5:7])] / MONTHS_PER_YEAR
            rows.append([self.yearly(band, int(label[:4]), k) * season for k in CATEGORIES])
        return np.array(rows, dtype=float)

    def scaled(self, factor: Mapping[str, float]) -> Forecast:
        mpp = {
            band: {(y, k): v * factor.get(k, 1.0) for (y, k), v in values.items()}
            for band, values in self.mpp.items()
        }
        return replace(self, mpp=mpp)


@dataclass(frozen=True)
class Path:
    """One realised inflow path: ``inflow[i, k]`` persons in month ``start + i``, category k
    (``CATEGORIES`` order); optional per-month series (``housing_outflow``,
    ``permit_share``, ``unsupervised_share``: month label -> value)."""

    name: str
    start: str
    inflow: np.ndarray
    forecaster: Callable[[str, Path], Forecast]
    series: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    housing: np.ndarray | None = None  # persons housed per month (None: the case's series)
    probability: float = 1.0
    initial: Any = None  # the State at ``start`` (None: the case's own initial state)

    @property
    def months(self) -> list[str]:
        i0 = month_index(self.start)
        return [month_label(i0 + i) for i in range(self.inflow.shape[0])]

    @property
    def end(self) -> str:
        """The first month after the path."""
        return month_label(month_index(self.start) + self.inflow.shape[0])

    def forecast_at(self, moment: str) -> Forecast:
        """The forecast known at ``moment`` (uses only the path before it)."""
        return self.forecaster(moment, self)

    def realised(self, until: str) -> np.ndarray:
        """Inflow of the months before ``until`` (what a forecaster may use)."""
        n = max(0, min(month_index(until) - month_index(self.start), self.inflow.shape[0]))
        return self.inflow[:n]

    def segment(self, start: str, months: int) -> np.ndarray:
        i = month_index(start) - month_index(self.start)
        if i < 0 or i + months > self.inflow.shape[0]:
            raise SimulationInputError(f"path {self.name} has no inflow for {start} + {months} months")
        return self.inflow[i : i + months]

    def window(self, first: str, last: str) -> Path:
        """The path cut to the months ``first`` .. ``last`` (inclusive)."""
        i, j = month_index(first) - month_index(self.start), month_index(last) - month_index(self.start)
        if i < 0 or j >= self.inflow.shape[0] or j < i:
            raise SimulationInputError(
                f"path {self.name} covers {self.start} .. {self.months[-1]}, not {first} .. {last}"
            )
        housing = None if self.housing is None else self.housing[i : j + 1]
        return replace(self, start=first, inflow=self.inflow[i : j + 1], housing=housing)


# ------------------------------------------------------------------------------ shocks

@dataclass(frozen=True)
class Shock:
    """Inflow of ``year`` times ``factor`` (``--shock 2027:+20%``)."""

    year: int
    factor: float

    @classmethod
    def parse(cls, text: str) -> list[Shock]:
        """``--shock`` text (``2027:+20%``, several separated by commas), read by the one reader
        that ``history stress`` uses too (:func:`bekostiging.history.stress.parse_shocks`)."""
        from bekostiging.history.stress import ShockError, parse_shocks

        try:
            return [cls(s.year, s.factor) for s in parse_shocks(text)]
        except ShockError as exc:
            raise SimulationInputError(str(exc)) from exc

    def apply(self, path: Path) -> Path:
        factors = np.array([self.factor if int(m[:4]) == self.year else 1.0 for m in path.months])
        tag = f"{self.year}{(self.factor - 1) * 100:+.0f}%"
        return replace(path, name=f"{path.name} ({tag})", inflow=path.inflow * factors[:, None])


# ------------------------------------------------------------------------------ forecasts


def case_forecast(case: Case, moment: str, sampler: Sampler | None = None) -> Forecast:
    """The case's own MPP (``mpp.csv``) as the vintage known at ``moment``."""
    mpp = {band: {(r.year, r.category.value): float(getattr(r, band)) for r in case.mpp} for band in BANDS}
    season = {r.month: r.factor for r in case.seasonality}
    return Forecast(moment, mpp, season, label=f"MPP {case.settings.case.name}", sampler=sampler)


@dataclass(frozen=True)
class AdaptiveForecaster:
    """Stand-in vintages for synthetic paths: the case's MPP, rescaled per category at each
    moment by the inflow of the last :data:`ADAPT_MONTHS` months against the MPP mid of
    those months (the MPP follows realised inflow). With ``sampler_for`` the forecast
    carries the calibrated scenario sampler (``lookahead``)."""

    case: Case
    sampler_for: Callable[[Forecast, Path], Sampler] | None = None

    def __call__(self, moment: str, path: Path) -> Forecast:
        base = case_forecast(self.case, moment)
        realised = path.realised(moment)
        n = min(ADAPT_MONTHS, realised.shape[0])
        if n >= MIN_ADAPT_MONTHS:
            months = [month_label(month_index(moment) - n + i) for i in range(n)]
            expected = base.monthly("mid", months).sum(axis=0)
            actual = realised[-n:].sum(axis=0)
            factor = {k: float(actual[i] / expected[i]) for i, k in enumerate(CATEGORIES) if expected[i] > 0}
            base = base.scaled(factor)
            base = replace(base, label=f"{base.label}, bijgesteld op {n} maanden realisatie")
        if self.sampler_for is not None:
            base = replace(base, sampler=self.sampler_for(base, path))
        return base


def paths_from_set(
    case: Case,
    names: list[str],
    inflow: np.ndarray,
    probabilities: list[float],
    housing: np.ndarray | None = None,
    forecaster: Callable[[str, Path], Forecast] | None = None,
) -> list[Path]:
    """A scenario set's paths (``inflow`` (S, months, categories) in ``CATEGORIES`` order),
    each from the case's first month, with the adaptive stand-in vintages."""
    start = f"{case.settings.horizon.start_year:04d}-01"
    fc = forecaster or AdaptiveForecaster(case, CalibratedSampler())
    return [
        Path(name, start, inflow[i], fc, housing=None if housing is None else housing[i], probability=p)
        for i, (name, p) in enumerate(zip(names, probabilities, strict=True))
    ]


# ------------------------------------------------------------------------------ lookahead scenarios


@lru_cache(maxsize=64)
def _fitted(totals: tuple[tuple[int, float], ...]):  # type: ignore[no-untyped-def]
    from bekostiging.scenarios.calibrated import fit_logar

    return fit_logar(dict(totals))


@lru_cache(maxsize=1)
def _history_totals() -> tuple[tuple[int, float], ...]:
    from bekostiging.history.load import load_history

    return tuple(load_history().totals().items())


def calibrated_sampler(case: Case | None = None) -> CalibratedSampler:
    """The calibrated scenario sampler for the lookahead (see :class:`CalibratedSampler`)."""
    del case
    return CalibratedSampler()


@dataclass(frozen=True)
class CalibratedSampler:
    """Scenario paths from a moment by the calibrated generator (``scenarios/calibrated.py``:
    log-AR(1) + surge), fitted on the yearly totals known then — the published history
    before the moment's year, and the path's own realised whole years — with the first
    year's median at the forecast's mid; split over categories by the forecast's shares
    and over months by its seasonality. (Picklable: paths travel to worker processes.)"""

    def __call__(self, forecast: Forecast, path: Path) -> Sampler:
        year = int(forecast.made_at[:4])
        totals = {y: v for y, v in _history_totals() if y < year}
        if path.start[5:7] == "01":
            for i in range(path.realised(forecast.made_at).shape[0] // MONTHS_PER_YEAR):
                y = int(path.start[:4]) + i
                if y < year:
                    totals[y] = float(path.inflow[i * MONTHS_PER_YEAR : (i + 1) * MONTHS_PER_YEAR].sum())
        return _LogArSample(forecast, tuple(sorted(totals.items())))


@dataclass(frozen=True)
class _LogArSample:
    forecast: Forecast
    totals: tuple[tuple[int, float], ...]

    def __call__(self, n: int, months: list[str], rng: np.random.Generator) -> np.ndarray:
        from bekostiging.scenarios.calibrated import simulate_logar

        fc = self.forecast
        years = sorted({int(m[:4]) for m in months})
        model = _fitted(self.totals)
        centre = sum(fc.yearly("mid", years[0], k) for k in CATEGORIES)
        last = self.totals[-1][1]
        levels = simulate_logar(model, float(np.log(last)), n, len(years), rng, float(np.log(centre)))
        out = np.zeros((n, len(months), len(CATEGORIES)))
        for j, m in enumerate(months):
            y = int(m[:4])
            mid = np.array([fc.yearly("mid", y, k) for k in CATEGORIES])
            share = mid / mid.sum() if mid.sum() > 0 else np.full(len(CATEGORIES), 1 / len(CATEGORIES))
            season = fc.seasonality[int(m[5:7])] / MONTHS_PER_YEAR
            out[:, j, :] = levels[:, years.index(y)][:, None] * share[None, :] * season
        return out
