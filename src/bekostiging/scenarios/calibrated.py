"""Yearly total inflow drawn by calibrated methods, for one forecast origin.

Every method here answers one question: standing at the end of year ``o``
(the origin), knowing the realised yearly total inflow up to ``o`` and,
where one was published, the MPP forecast for the years after ``o`` (the
anchor), what are plausible totals for years ``o+1 .. o+H``? The same code
serves the shipped scenario sets (origin 2025, anchor = the case's MPP) and
the back-test (origins 2012-2021, anchor = the MPP vintage published in the
origin year, where the public record has one).

Methods
-------
``mpp-error``
    The MPP's own track record: the log ratio realised / forecast of the
    horizon-1 vintages (``ln e``) whose target year is realised by the origin
    (the latest vintage per target year). Year 1 is ``A_1 * e`` with ``e``
    drawn from that empirical distribution (kernel-smoothed, Silverman's
    bandwidth). Later years follow the historical path after a randomly drawn
    start year (a block of realised yearly changes, so surges persist and fade
    as they did), times the MPP's own path ``A_h / A_1``.
    **Stand-in rule** where fewer than :data:`MIN_VINTAGE_PAIRS` realised
    vintages exist, or no MPP was published in the origin year: the no-change
    forecast (next years = the origin year's total) with its own historical
    errors, i.e. year ``h`` is ``Y_o * Y_{t+h} / Y_t`` for a random start
    year ``t``; where the path runs past the data, 1-year changes drawn at
    random continue it.
``logar``
    A log-AR(1) around a level with a rare surge, fitted by maximum
    likelihood (:func:`fit_logar`, scipy): ``x_t = mu + phi (x_{t-1} - mu)
    + e_t``, ``e_t ~ (1 - p) N(0, s^2) + p N(d, s^2)``, each year given the
    previous known year (Gaussian approximation across gaps). Where an MPP
    exists, year 1 has its median at the anchor (``ln A_1 + e_1 - median(e)``),
    else it is the model's own forecast; later years follow the fitted AR(1).
    Innovations are drawn from the predictive: Student t with the residual
    degrees of freedom at the unbiased scale, plus the surge. With fewer than
    :data:`MIN_SURGE_PAIRS` pairs the surge is not identifiable and ``p = 0``.
``bootstrap``
    Yearly log-changes of the total resampled with replacement and compounded
    from ``Y_o`` (shock years, +50% or more, drawn at their historical
    frequency), as the shipped ``bootstrap`` of first applications does.
``lognormal``
    ``A_h * exp(random walk, yearly sd 0.35)`` around the anchor (stand-in:
    no-change).

All randomness comes from the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy import optimize, stats

from bekostiging.history.schema import History, MppVintage

CALIBRATED_METHODS: tuple[str, ...] = ("mpp-error", "logar", "bootstrap", "lognormal")
MIN_VINTAGE_PAIRS = 4  # realised horizon-1 vintages needed before their errors are used
MIN_SURGE_PAIRS = 10  # consecutive-year pairs needed to fit the surge component
MIN_PAIRS = 2  # consecutive-year pairs needed to calibrate anything at all
SILVERMAN = 0.9  # Silverman's rule of thumb: bw = 0.9 * min(sd, IQR / 1.34) * n^(-1/5)
IQR_TO_SD = 1.34
SILVERMAN_POWER = -0.2
SHOCK_LOG_CHANGE = float(np.log(1.5))  # a shock year: total inflow up 50% or more
LOGNORMAL_SD = 0.35  # sd of the yearly log error of the lognormal method (data-sources §1)
PHI_BOUNDS = (0.0, 0.99)  # stationary, non-oscillating AR(1)
SIGMA_BOUNDS = (0.03, 2.0)  # yearly sd of log inflow innovations
SURGE_P_BOUNDS = (0.0, 0.3)  # a surge is rare: at most 3 years in 10
SURGE_D_BOUNDS = (0.0, 2.0)  # surge jump in log inflow (up to x7.4)
MU_MARGIN = 2.0  # the level lies within the observed log range +/- this


@dataclass(frozen=True)
class Origin:
    """What is known at the end of ``year``: realised totals and the anchor forecast."""

    year: int
    totals: dict[int, float]  # realised yearly totals up to ``year`` (gaps allowed)
    anchor: np.ndarray | None = None  # forecast total for years year+1 .. year+H, or None
    anchor_label: str = "no MPP vintage (stand-in)"
    vintages: tuple[MppVintage, ...] = field(default=())  # published by the end of ``year``

    @property
    def last(self) -> float:
        """The origin year's realised total (the no-change forecast)."""
        return self.totals[self.year]


def origin_from_history(history: History, year: int, horizons: int) -> Origin:
    """The origin ``year`` as known then: totals up to it, the MPP published in it."""
    totals = history.totals(until=year)
    if year not in totals:
        raise ValueError(f"origin {year}: the total inflow of {year} is missing in the history")
    cutoff = date(year, 12, 31)
    vintages = tuple(history.vintages(published_until=cutoff))
    in_year = [v for v in vintages if v.published.year == year and v.centre is not None]
    anchor = None
    label = "no MPP vintage (stand-in)"
    first = [v for v in in_year if v.target_year == year + 1]
    if first:
        latest = max(first, key=lambda v: v.published)
        path = [latest.centre]
        for h in range(2, horizons + 1):
            same = [v for v in in_year if v.target_year == year + h and v.published == latest.published]
            path.append(same[0].centre if same else path[-1])  # carried over, as the case does
        anchor = np.array(path, dtype=float)
        label = f"{latest.document} ({latest.published.isoformat()})"
    return Origin(year=year, totals=totals, anchor=anchor, anchor_label=label, vintages=vintages)


# --------------------------------------------------------------------------- helpers


def _pairs(totals: dict[int, float], lag: int = 1) -> list[tuple[int, float]]:
    """(later year, log change over ``lag`` years) for every pair with both years known."""
    return [
        (y, float(np.log(totals[y] / totals[y - lag]))) for y in sorted(totals) if y - lag in totals
    ]


def silverman_bandwidth(values: Sequence[float]) -> float:
    """Silverman's rule-of-thumb kernel bandwidth (0 for fewer than two values)."""
    x = np.asarray(values, dtype=float)
    if x.size < MIN_PAIRS:
        return 0.0
    sd = x.std(ddof=1)
    iqr = float(np.subtract(*np.percentile(x, [75, 25]))) / IQR_TO_SD
    spread = min(sd, iqr) if iqr > 0 else sd
    return float(SILVERMAN * spread * x.size**SILVERMAN_POWER)


def vintage_errors(origin: Origin, horizon: int = 1) -> list[tuple[int, float]]:
    """(target year, ln realised/forecast) of realised vintages at ``horizon``.

    Only vintages published by the origin, with a centre, whose target year is
    realised by the origin; the latest vintage per target year.
    """
    latest: dict[int, MppVintage] = {}
    for v in origin.vintages:
        if v.horizon != horizon or v.centre is None or v.target_year not in origin.totals:
            continue
        if v.target_year > origin.year:
            continue
        if v.target_year not in latest or v.published >= latest[v.target_year].published:
            latest[v.target_year] = v
    return [
        (t, float(np.log(origin.totals[t] / v.centre))) for t, v in sorted(latest.items())
    ]


def _path_changes(origin: Origin, n: int, horizons: int, rng: np.random.Generator) -> np.ndarray:
    """(n, horizons) cumulative log changes along historical paths from random start years.

    Column ``h-1`` is ``ln(Y_{t+h} / Y_t)`` for a start year ``t`` drawn per
    scenario among known years with a known next year; where ``t+h`` runs past
    the data (or into a gap), a random 1-year change continues the path.
    """
    one_year = np.array([c for _, c in _pairs(origin.totals)])
    if one_year.size < MIN_PAIRS:
        raise ValueError(f"origin {origin.year}: fewer than {MIN_PAIRS} consecutive years of history")
    starts = np.array([y for y, _ in _pairs(origin.totals)]) - 1
    chosen = starts[rng.integers(starts.size, size=n)]
    fill = one_year[rng.integers(one_year.size, size=(n, horizons))]
    out = np.zeros((n, horizons))
    for s in range(n):
        level, t = 0.0, int(chosen[s])
        for h in range(1, horizons + 1):
            a, b = t + h - 1, t + h
            if a in origin.totals and b in origin.totals:
                level += float(np.log(origin.totals[b] / origin.totals[a]))
            else:
                level += float(fill[s, h - 1])
            out[s, h - 1] = level
    return out


# --------------------------------------------------------------------------- mpp-error


def sample_mpp_error(origin: Origin, n: int, horizons: int, rng: np.random.Generator) -> np.ndarray:
    """(n, horizons) totals: the MPP's own errors, or the stand-in no-change rule."""
    errors = [e for _, e in vintage_errors(origin, 1)]
    paths = _path_changes(origin, n, horizons, rng)
    if origin.anchor is not None and len(errors) >= MIN_VINTAGE_PAIRS:
        pool = np.array(errors)
        e = pool[rng.integers(pool.size, size=n)] + silverman_bandwidth(pool) * rng.standard_normal(n)
        year1 = origin.anchor[0] * np.exp(e)
        later = np.exp(paths[:, : horizons - 1])  # change over h-1 years after year 1
        shape = origin.anchor[1:horizons] / origin.anchor[0]
        if horizons == 1:
            return year1[:, None]
        return np.column_stack([year1, year1[:, None] * later * shape[None, :]])
    first = np.array([c for _, c in _pairs(origin.totals)])
    jitter = silverman_bandwidth(first) * rng.standard_normal(n)
    return origin.last * np.exp(paths + jitter[:, None])


# --------------------------------------------------------------------------- logar


@dataclass(frozen=True)
class LogAR:
    """Fitted log-AR(1) with surge: level ``mu``, persistence ``phi``, sd ``sigma``,
    surge probability ``p`` and size ``d`` (log), from ``pairs`` consecutive years."""

    mu: float
    phi: float
    sigma: float
    p: float
    d: float
    pairs: int
    loglik: float
    params: int = 3

    @property
    def dof(self) -> int:
        """Residual degrees of freedom (pairs - parameters, at least 1)."""
        return max(self.pairs - self.params, 1)

    @property
    def scale(self) -> float:
        """Unbiased innovation scale ``sigma * sqrt(pairs / dof)`` (ML sigma is biased low)."""
        return self.sigma * float(np.sqrt(self.pairs / self.dof))


def _transition(theta: np.ndarray, prev: np.ndarray, gap: np.ndarray, surge: bool) -> tuple[np.ndarray, ...]:
    """Mean and sd of ``x_b | x_a`` over ``gap`` years for the Gaussian approximation."""
    mu, phi, sigma = theta[:3]
    p, d = (theta[3], theta[4]) if surge else (0.0, 0.0)
    decay = phi**gap
    mean = mu + decay * (prev - mu) + p * d * (1 - decay) / (1 - phi)
    var = (sigma**2 + p * (1 - p) * d**2) * (1 - decay**2) / (1 - phi**2)
    return mean, np.sqrt(var)


_LOG_SQRT_2PI = np.log(np.sqrt(2 * np.pi))  # scipy's _norm_pdf_logC, computed the same way


def _norm_logpdf(x: np.ndarray, loc: object, scale: object) -> np.ndarray:
    """``scipy.stats.norm.logpdf(x, loc, scale)``, bit for bit, without its per-call overhead.

    The fit evaluates the likelihood some 500 times per start (L-BFGS-B with numerical
    gradients), and scipy's argument checks were most of its time (the simulation's lookahead
    refits at every planning year). For finite ``x`` and positive ``scale`` this is scipy's
    own arithmetic in scipy's order (``-y**2 / 2.0 - logC - log(scale)`` with
    ``y = (x - loc) / scale``); anything else goes to scipy."""
    xs, locs, scales = np.asarray(x), np.asarray(loc), np.asarray(scale)
    if not (np.all(scales > 0) and np.all(np.isfinite(xs))):
        return stats.norm.logpdf(x, loc, scale)
    y = np.asarray((xs - locs) / scales, dtype=np.promote_types(xs.dtype, np.float64))
    out = -(y**2) / 2.0 - _LOG_SQRT_2PI
    return np.asarray(out - np.log(scales))


def _loglik(theta: np.ndarray, prev: np.ndarray, curr: np.ndarray, gap: np.ndarray, surge: bool) -> float:
    """Log-likelihood of each observation given the one before it.

    Consecutive years use the exact two-component mixture; over a gap of ``g``
    years the g-step transition is approximated by a Gaussian with the
    mixture's mean and variance (exact when there is no surge).
    """
    mu, phi, sigma = theta[:3]
    one = gap == 1
    total = 0.0
    if (~one).any():
        mean, sd = _transition(theta, prev[~one], gap[~one], surge)
        total += float(_norm_logpdf(curr[~one], mean, sd).sum())
    mean = mu + phi * (prev[one] - mu)
    if not surge:
        return total + float(_norm_logpdf(curr[one], mean, sigma).sum())
    p, d = theta[3], theta[4]
    base = np.log1p(-p) + _norm_logpdf(curr[one], mean, sigma)
    jump = (
        np.log(p) + _norm_logpdf(curr[one], mean + d, sigma) if p > 0 else np.full(mean.shape, -np.inf)
    )
    return total + float(np.logaddexp(base, jump).sum())


def fit_logar(levels: dict[int, float], surge: bool | None = None) -> LogAR:
    """Maximum-likelihood log-AR(1) (+ surge) on yearly levels, gaps allowed.

    Each known year is conditioned on the previous known year (exactly for
    consecutive years, Gaussian approximation across gaps). ``surge=None`` fits
    the surge when there are at least :data:`MIN_SURGE_PAIRS` consecutive
    pairs. Bounded L-BFGS-B from several starting points (scipy.optimize).
    """
    years = sorted(levels)
    if len(years) < MIN_PAIRS + 1:
        raise ValueError(f"fewer than {MIN_PAIRS + 1} known years to fit the log-AR(1)")
    prev = np.log(np.array([levels[a] for a in years[:-1]]))
    curr = np.log(np.array([levels[b] for b in years[1:]]))
    gap = np.diff(np.array(years)).astype(float)
    consecutive = int((gap == 1).sum())
    use_surge = consecutive >= MIN_SURGE_PAIRS if surge is None else surge
    logs = np.log(np.array(list(levels.values())))
    mu_bounds = (float(logs.min()) - MU_MARGIN, float(logs.max()) + MU_MARGIN)
    bounds = [mu_bounds, PHI_BOUNDS, SIGMA_BOUNDS]
    if use_surge:
        bounds += [SURGE_P_BOUNDS, SURGE_D_BOUNDS]
    sd0 = max(float(np.std(curr - prev)), SIGMA_BOUNDS[0] * 2)
    starts = []
    for phi0 in (0.3, 0.6, 0.9):
        start = [float(logs.mean()), phi0, sd0]
        if use_surge:
            start += [0.1, 0.6]
        starts.append(start)

    def objective(theta: np.ndarray) -> float:
        return -_loglik(theta, prev, curr, gap, use_surge)

    best = None
    for start in starts:
        result = optimize.minimize(objective, np.array(start), method="L-BFGS-B", bounds=bounds)
        if np.isfinite(result.fun) and (best is None or result.fun < best.fun):
            best = result
    if best is None:
        raise ValueError("the log-AR(1) likelihood could not be maximised")
    theta = best.x
    return LogAR(
        mu=float(theta[0]),
        phi=float(theta[1]),
        sigma=float(theta[2]),
        p=float(theta[3]) if use_surge else 0.0,
        d=float(theta[4]) if use_surge else 0.0,
        pairs=len(years) - 1,
        loglik=float(-best.fun),
        params=len(bounds),
    )


def simulate_logar(
    model: LogAR, start_log: float, n: int, horizons: int, rng: np.random.Generator,
    first_centre_log: float | None = None,
) -> np.ndarray:
    """(n, horizons) levels; year 1 has its median at ``first_centre_log`` when given.

    Innovations are the predictive of a fitted model with estimated scale:
    Student t with the residual degrees of freedom, scaled by the unbiased
    scale (:attr:`LogAR.scale`), plus the surge ``d`` with probability ``p``.
    """
    x = np.full(n, start_log)
    out = np.zeros((n, horizons))
    for h in range(horizons):
        base = model.scale * rng.standard_t(model.dof, n)
        shock = base + model.d * (rng.random(n) < model.p)
        if h == 0 and first_centre_log is not None:
            x = first_centre_log + shock - np.median(shock)  # the anchor is the year-1 median
        else:
            x = model.mu + model.phi * (x - model.mu) + shock
        out[:, h] = np.exp(x)
    return out


def sample_logar(origin: Origin, n: int, horizons: int, rng: np.random.Generator) -> np.ndarray:
    """(n, horizons) totals from the log-AR(1) + surge fitted up to the origin."""
    model = fit_logar(origin.totals)
    centre = float(np.log(origin.anchor[0])) if origin.anchor is not None else None
    return simulate_logar(model, float(np.log(origin.last)), n, horizons, rng, centre)


# --------------------------------------------------------------------------- bootstrap, lognormal


def sample_bootstrap(origin: Origin, n: int, horizons: int, rng: np.random.Generator) -> np.ndarray:
    """(n, horizons) totals: resampled yearly log-changes compounded from the origin."""
    changes = np.array([c for _, c in _pairs(origin.totals)])
    if changes.size < MIN_PAIRS:
        raise ValueError(f"origin {origin.year}: fewer than {MIN_PAIRS} consecutive years of history")
    shock = changes[changes >= SHOCK_LOG_CHANGE]
    normal = changes[changes < SHOCK_LOG_CHANGE]
    p_shock = shock.size / changes.size
    is_shock = rng.random((n, horizons)) < p_shock
    draw_shock = shock[rng.integers(max(shock.size, 1), size=(n, horizons))] if shock.size else 0.0
    draw_normal = normal[rng.integers(normal.size, size=(n, horizons))]
    steps = np.where(is_shock, draw_shock, draw_normal)
    return origin.last * np.exp(np.cumsum(steps, axis=1))


def sample_lognormal(origin: Origin, n: int, horizons: int, rng: np.random.Generator) -> np.ndarray:
    """(n, horizons) totals: anchor (or no-change) times a log random walk, sd 0.35 a year."""
    centre = origin.anchor[:horizons] if origin.anchor is not None else np.full(horizons, origin.last)
    walk = np.cumsum(LOGNORMAL_SD * rng.standard_normal((n, horizons)), axis=1)
    return centre[None, :] * np.exp(walk)


SAMPLERS = {
    "mpp-error": sample_mpp_error,
    "logar": sample_logar,
    "bootstrap": sample_bootstrap,
    "lognormal": sample_lognormal,
}


def sample_totals(
    method: str, origin: Origin, n: int, horizons: int, rng: np.random.Generator
) -> np.ndarray:
    """(n, horizons) yearly totals for ``origin.year + 1 ..`` by a named method."""
    if method not in SAMPLERS:
        raise ValueError(f"method {method!r} unknown; choose one of {', '.join(SAMPLERS)}")
    return SAMPLERS[method](origin, n, horizons, rng)


# --------------------------------------------------------------------------- categories

NAREIS_MAX_SHARE = 0.6  # nareis never above this share of a year's total (2017: 46%, the highest)


def nareis_lag_ratio(history: History) -> float:
    """Median of nareis in year t per first application in year t-1 (known pairs)."""
    first = {y: v for y, v in history.inflow("first").items() if v is not None}
    nareis = {y: v for y, v in history.inflow("nareis").items() if v is not None}
    ratios = [nareis[y] / first[y - 1] for y in sorted(nareis) if y - 1 in first and first[y - 1] > 0]
    if not ratios:
        raise ValueError("no year with nareis and the previous year's first applications")
    return float(np.median(ratios))


def split_categories(
    totals: np.ndarray, first_at_origin: float, nareis_ratio: float, repeat_ratio: float
) -> np.ndarray:
    """(n, H) yearly totals -> (n, H, 3) first / nareis / repeat.

    Nareis follow first applications with a one-year lag (``N_t = k F_{t-1}``,
    at most :data:`NAREIS_MAX_SHARE` of the total); repeat applications are a
    share of first applications (``R_t = r F_t``); first applications take the
    rest, so the three add up to the total.
    """
    n, horizons = totals.shape
    out = np.zeros((n, horizons, 3))
    previous = np.full(n, first_at_origin)
    for h in range(horizons):
        nareis = np.minimum(nareis_ratio * previous, NAREIS_MAX_SHARE * totals[:, h])
        first = (totals[:, h] - nareis) / (1.0 + repeat_ratio)
        out[:, h] = np.column_stack([first, nareis, repeat_ratio * first])
        previous = first
    return out


# --------------------------------------------------------------------------- housing of status holders

HOUSING_PERSISTENCE = 0.5  # estimate: yearly AR(1) of the log realisation (a tight housing market lasts)
MIN_HOUSING_POINTS = 2  # half years with task, arrears and housed needed to fit the spread


@dataclass(frozen=True)
class HousingFit:
    """Log realisation of the municipal housing task: housed / (task + arrears) per half year."""

    mu: float  # mean log realisation
    sd: float  # sample sd of the log realisation (n - 1)
    points: dict[str, float]  # the realisations it was fitted on, by half year


def fit_housing(history: History) -> HousingFit:
    """Mean and sd of the log realisation over the known half years (:meth:`History.housing_realisation`)."""
    points = history.housing_realisation()
    if len(points) < MIN_HOUSING_POINTS:
        raise ValueError(
            f"{len(points)} half years with task, arrears and housed in data/history/housing.csv; "
            f"need at least {MIN_HOUSING_POINTS}"
        )
    logs = np.log(np.array(list(points.values())))
    return HousingFit(mu=float(logs.mean()), sd=float(logs.std(ddof=1)), points=points)


def sample_housing_ratios(fit: HousingFit, n: int, horizons: int, rng: np.random.Generator) -> np.ndarray:
    """(n, horizons) yearly realisation ratios: ``exp(mu + sd z)`` with ``z`` a stationary AR(1)
    (:data:`HOUSING_PERSISTENCE`), so a scenario's housing stays short (or ahead) for a few years."""
    phi = HOUSING_PERSISTENCE
    z = np.empty((n, horizons))
    z[:, 0] = rng.standard_normal(n)
    for h in range(1, horizons):
        z[:, h] = phi * z[:, h - 1] + np.sqrt(1 - phi**2) * rng.standard_normal(n)
    return np.exp(fit.mu + fit.sd * z)
