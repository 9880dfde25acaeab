"""Monthly inflow paths that continue from the history (Denton proportional first difference).

A scenario's yearly totals say how many people arrive in a year, not how the year begins. Spread
with the seasonality alone, a year of twice the last year's inflow starts at twice the last
level in January — a step no Dutch surge showed (in 2015 the inflow built up from spring to
October). Here the months of the year before the horizon and of every scenario year form one
path: the smoothest deseasonalised series that matches every known total of the year before
(its yearly total and the quarters or months on record in ``data/history``) and every drawn
yearly total of the scenario. This is the proportional first-difference method of Denton
(1971), the benchmarking method of the IMF's Quarterly National Accounts Manual (2017 ed.,
ch. 6, https://www.imf.org/external/pubs/ft/qna/pdf/2017/chapter6.pdf):

.. math::

    \\min_z \\sum_{t=1}^{T-1} (z_t - z_{t-1})^2 \\quad \\text{s.t.} \\quad
    \\sum_{t \\in B_j} p_t z_t = b_j \\quad \\forall j, \\qquad x_t = p_t z_t

================  ========================================================  =========
symbol            meaning                                                   unit
================  ========================================================  =========
:math:`t`         month, January of the year before the horizon = 0         month
:math:`p_t`       the case's seasonal factor of the month (mean 1)          —
:math:`z_t`       deseasonalised inflow                                     persons/month
:math:`x_t`       inflow of the month                                       persons
:math:`B_j, b_j`  a block of months with a known or drawn total, the total  persons
================  ========================================================  =========

The quadratic programme is solved by its optimality (KKT) system, one factorisation for all
scenarios of a category. Where a steep fall after a surge would take a month below zero, the
path is moved towards the seasonal spread of each year (which meets the same totals) just as far
as needed to keep every month at or above zero; :func:`continue_paths` counts those paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bekostiging.history.schema import History
from bekostiging.schema import MONTHS_PER_YEAR

MONTHS_PER_QUARTER = 3


@dataclass(frozen=True)
class Block:
    """A run of months (``start`` .. ``start + months - 1`` of the year) with a known total."""

    start: int
    months: int
    persons: float
    label: str


def known_blocks(history: History, category: str, year: int) -> list[Block]:
    """The totals of one category in ``year`` on record: the year (``inflow_yearly.csv``) and its
    quarters and months (``inflow_periodic.csv``, :meth:`History.published_periods`)."""
    blocks: list[Block] = []
    total = history.inflow(category).get(year)
    if total is not None:
        blocks.append(Block(0, MONTHS_PER_YEAR, float(total), f"{year}"))
    months, quarters = history.published_periods(year, category)
    for q, persons in sorted(quarters.items()):
        blocks.append(Block((q - 1) * MONTHS_PER_QUARTER, MONTHS_PER_QUARTER, float(persons), f"{year}-Q{q}"))
    for m, persons in sorted(months.items()):
        blocks.append(Block(m - 1, 1, float(persons), f"{year}-{m:02d}"))
    return blocks


def _independent(rows: list[np.ndarray]) -> list[int]:
    """Indices of the rows that add rank, in order (a year whose quarters are all known adds
    nothing beyond them)."""
    kept: list[int] = []
    for i in range(len(rows)):
        trial = np.array([rows[k] for k in [*kept, i]])
        if np.linalg.matrix_rank(trial) == len(kept) + 1:
            kept.append(i)
    return kept


def denton(seasonal: np.ndarray, blocks: list[tuple[int, int]], targets: np.ndarray) -> np.ndarray:
    """Denton proportional first-difference paths.

    ``seasonal`` (T,) factors :math:`p_t`; ``blocks`` the (first month, months) of each
    constraint; ``targets`` (n, len(blocks)) the totals per path. Returns (n, T) months
    :math:`x = p z`. Linearly dependent blocks must be left out by the caller.
    """
    n_t = len(seasonal)
    diff = np.zeros((n_t - 1, n_t))
    idx = np.arange(n_t - 1)
    diff[idx, idx] = -1.0
    diff[idx, idx + 1] = 1.0
    a = np.zeros((len(blocks), n_t))
    for j, (start, months) in enumerate(blocks):
        a[j, start : start + months] = seasonal[start : start + months]
    kkt = np.block([[diff.T @ diff, a.T], [a, np.zeros((len(blocks), len(blocks)))]])
    rhs = np.vstack([np.zeros((n_t, targets.shape[0])), targets.T])
    z = np.linalg.solve(kkt, rhs)[:n_t].T
    return z * seasonal[None, :]


@dataclass(frozen=True)
class Continued:
    """Monthly paths over the horizon (n, months) and how many were pulled towards the spread."""

    months: np.ndarray
    damped: int


def continue_paths(
    yearly: np.ndarray, monthly_factors: np.ndarray, before: list[Block]
) -> Continued:
    """(n, years) drawn yearly totals -> (n, 12 x years) months that continue from ``before``
    (the blocks on record of the year before the horizon, months counted from its January).

    ``monthly_factors`` (12,) seasonal factors of January..December. Every horizon year of
    every path adds up to its drawn total; without any block on record the path starts free.
    """
    n, n_years = yearly.shape
    factors = np.asarray(monthly_factors, dtype=float)
    seasonal = np.tile(factors / factors.mean(), n_years + 1)
    rows, spans, fixed = [], [], []
    for b in before:
        row = np.zeros(len(seasonal))
        row[b.start : b.start + b.months] = 1.0
        rows.append(row)
        spans.append((b.start, b.months))
        fixed.append(b.persons)
    keep = _independent(rows) if rows else []
    spans = [spans[i] for i in keep]
    fixed = [fixed[i] for i in keep]
    spans += [((y + 1) * MONTHS_PER_YEAR, MONTHS_PER_YEAR) for y in range(n_years)]
    targets = np.hstack([np.tile(np.array(fixed, dtype=float), (n, 1)), yearly])
    path = denton(seasonal, spans, targets)[:, MONTHS_PER_YEAR:]
    weights = seasonal[:MONTHS_PER_YEAR] / seasonal[:MONTHS_PER_YEAR].sum()
    flat = np.repeat(yearly, MONTHS_PER_YEAR, axis=1) * np.tile(weights, n_years)[None, :]
    damped = 0
    for s in range(n):
        low = path[s] < 0.0
        if low.any():  # the largest step towards the spread that keeps every month >= 0
            share = float(np.min(flat[s, low] / (flat[s, low] - path[s, low])))
            path[s] = flat[s] + share * (path[s] - flat[s])
            damped += 1
    return Continued(months=np.maximum(path, 0.0), damped=damped)
