"""Money as the budget sees it: the budget view of a run's result tables.

Pure functions of result tables and the case's ``[articles.*]`` and ``[prices]``:

* :func:`budget_table` — expected cash (kasuitgaven) per budget article and year, in the
  case's price year and in current prices (``tables/budget.csv``);
* :func:`reconciliation_table` — the model's MPP-need spending per partner against the
  published budget (``tables/reconciliation.csv``);
* :func:`funding_flags` — partner-years funded below 95 % of their MPP need;
* :func:`reserve_per_year` — the asielreserve fund per year (expected).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from bekostiging.schema import BudgetArticle, Prices

EXPECTED = "expected"
FUNDING_FLAG_RATIO = 0.95  # a partner-year below this share of its MPP need is flagged (issue 9)
RESERVE_LINE = "asielreserve"  # the article of deposits into the fund
CONSTANT, CURRENT = "constant", "current"  # the ``prices`` column of budget.csv
EUR_MILLION = 1.0e6
PCT = 100.0


def _index(prices: Prices, year: int) -> float:
    return float(prices.index.get(year, 1.0))


def budget_table(
    costs: pd.DataFrame,
    scenarios: pd.DataFrame,
    reserve: pd.DataFrame | None,
    articles: Mapping[str, BudgetArticle],
    prices: Prices,
) -> pd.DataFrame:
    """article, partner, year, prices, cash_eur: expected cash per budget line and year.

    ``prices`` is ``constant`` (the case's price year) or ``current`` (times the price
    index of the year). Deposits into the asielreserve are their own article: a cash
    outlay of the Rijksbegroting, not spending of a partner.
    """
    columns = ["article", "partner", "year", "prices", "cash_eur"]
    if costs.empty:
        return pd.DataFrame(columns=columns)
    p = scenarios.set_index("scenario")["probability"] if not scenarios.empty else None
    cash = costs[costs["kind"] == "cash"] if "kind" in costs.columns else costs[costs["partner"] != "chain"]
    weight = cash["scenario"].map(p).fillna(0.0) if p is not None else 1.0 / cash["scenario"].nunique()
    per = (
        cash.assign(v=cash["value_eur"] * weight)
        .groupby(["partner", "year"], as_index=False, sort=False)["v"]
        .sum()
    )
    if reserve is not None and not reserve.empty:
        first = reserve[reserve["scenario"] == reserve["scenario"].iloc[0]]  # deposits: stage 1, equal
        per = pd.concat(
            [per, pd.DataFrame({"partner": RESERVE_LINE, "year": first["year"], "v": first["deposit_eur"]})],
            ignore_index=True,
        )
    rows = []
    for partner, year, value in zip(per["partner"], per["year"], per["v"], strict=True):
        art = articles.get(str(partner))
        name = art.article if art is not None else str(partner)
        rows.append((name, partner, int(year), CONSTANT, float(value)))
        rows.append((name, partner, int(year), CURRENT, float(value) * _index(prices, int(year))))
    return pd.DataFrame(rows, columns=columns)


def budget_wide(budget: pd.DataFrame, prices: str = CONSTANT) -> pd.DataFrame:
    """The budget table as the budget shows it: one row per article, years as columns (EUR)."""
    if budget.empty:
        return budget
    sub = budget[budget["prices"] == prices]
    wide = sub.pivot_table(index=["article", "partner"], columns="year", values="cash_eur", aggfunc="sum")
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()


def reconciliation_table(
    funding: pd.DataFrame,
    articles: Mapping[str, BudgetArticle],
    prices: Prices,
    years: list[int],
    sources: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """partner, year, model_year, model_mpp_need_eur, published_eur, published_price_year_eur, source,
    difference_pct, note: the model's MPP-need spending against every published budget figure.

    A published year inside the horizon is compared with that year; one before it with the
    first budget year. Published figures are in that year's prices and are brought to the
    case's price year with the price index before the difference is taken.
    """
    columns = [
        "partner",
        "year",
        "model_year",
        "model_mpp_need_eur",
        "published_eur",
        "published_price_year_eur",
        "source",
        "difference_pct",
        "note",
    ]
    need = {
        (str(p), int(y)): float(n)
        for p, y, n in zip(funding["partner"], funding["year"], funding["mpp_need_eur"], strict=True)
    }
    rows = []
    for partner, art in articles.items():
        if partner == RESERVE_LINE:
            continue
        source = (sources or {}).get(f"articles.{partner}.published_eur", "")
        if not art.published_eur:
            model = need.get((partner, years[0]), math.nan)
            rows.append((partner, math.nan, years[0], model, math.nan, math.nan, source, math.nan, art.note))
            continue
        for year, published in sorted(art.published_eur.items()):
            model_year = year if year in years else years[0]
            model = need.get((partner, model_year), math.nan)
            deflated = published / _index(prices, year)
            diff = (model / deflated - 1.0) * PCT if deflated > 0 else math.nan
            rows.append((partner, year, model_year, model, published, deflated, source, diff, art.note))
    frame = pd.DataFrame(rows, columns=columns)
    frame["year"] = frame["year"].astype("Int64")  # a year, or empty where nothing is published
    return frame


def funding_flags(funding: pd.DataFrame, threshold: float = FUNDING_FLAG_RATIO) -> pd.DataFrame:
    """partner, year, ratio of every partner-year with an MPP need funded below ``threshold``."""
    if funding.empty:
        return funding
    f = funding[(funding["mpp_need_eur"] > 0)].copy()
    f["ratio"] = f["budget_eur"] / f["mpp_need_eur"]
    return f[f["ratio"] < threshold][["partner", "year", "ratio"]].reset_index(drop=True)


def reserve_per_year(reserve: pd.DataFrame, scenarios: pd.DataFrame) -> pd.DataFrame:
    """year and the expected opening, deposit, underspend in, withdrawal, closing of the fund."""
    if reserve.empty:
        return reserve
    p = scenarios.set_index("scenario")["probability"] if not scenarios.empty else None
    w = reserve["scenario"].map(p).fillna(0.0) if p is not None else 1.0 / reserve["scenario"].nunique()
    cols = [c for c in reserve.columns if c.endswith("_eur")]
    weighted = reserve[cols].multiply(w, axis=0).assign(year=reserve["year"])
    return weighted.groupby("year", as_index=False)[cols].sum()


def money_tables(
    settings: object, tables: Mapping[str, pd.DataFrame], sources: Mapping[str, str] | None = None
) -> dict[str, pd.DataFrame]:
    """``budget`` and ``reconciliation`` tables of a solved run (empty when the case has no articles)."""
    articles = getattr(settings, "articles", {}) or {}
    prices = getattr(settings, "prices", Prices())
    funding = tables.get("funding", pd.DataFrame())
    years = sorted({int(y) for y in funding["year"]}) if not funding.empty else []
    return {
        "budget": budget_table(
            tables.get("costs", pd.DataFrame()),
            tables.get("scenarios", pd.DataFrame()),
            tables.get("reserve"),
            articles,
            prices,
        ),
        "reconciliation": reconciliation_table(funding, articles, prices, years, sources)
        if years
        else pd.DataFrame(),
    }
