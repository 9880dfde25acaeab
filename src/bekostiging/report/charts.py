"""Report charts: matplotlib (Agg backend) figures from run tables, returned as PNG bytes.

Each function takes a run record (or comparison frames) and a language and
returns ``None`` when the run holds no data for that chart, so a report shows
what exists and says nothing false about what does not.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import pandas as pd
from matplotlib.figure import Figure

from bekostiging.report import data
from bekostiging.report.i18n import EUR_MILLION, Lang, fmt_number, fmt_percent, term
from bekostiging.runs.store import RunRecord

FIG_WIDTH_IN = 7.0
FIG_HEIGHT_IN = 3.2
DPI = 150
DIST_PANEL_HEIGHT_IN = 2.4
LEGEND_BELOW_IN = 0.6  # room under a capacity panel for its legend
TICK_EVERY_PERIODS = 6  # label every sixth month on period axes shorter than two years
MIN_YEAR_TICKS = 2
FAN_ALPHA = 0.25
MAX_STACKED_PANELS = 2  # capacity panels stacked up to this many, then in a grid of two columns
GRID_WIDTH_FACTOR = 1.4  # a two-column grid is this much wider than one chart

# Per partner: capacity lines (cumulative, as stored in ``flows``) against the demand band.
CAPACITY_PANELS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("coa", ("regular_capacity", "reserve_active", "emergency_places"), "occupancy"),
    ("ind", ("decision_capacity",), "decisions"),
    ("registration", ("registration_capacity",), "registered"),
    ("dtv", ("return_capacity",), "returns"),
)
POOL_TASK = {"registration": "registration", "ind": "ind"}  # partners whose capacity the pool adds to
WORDS: dict[str, tuple[str, str]] = {  # chart words not in i18n.TERMS: (nl, en)
    "pool_capacity": ("+ flexibele pool (ingezet)", "+ flexible pool (deployed)"),
    "surge_capacity": ("+ politie (ingezet)", "+ police (redeployed)"),
    "ind_surge_capacity": ("+ tijdelijke IND-capaciteit", "+ temporary IND staff"),
    "own_staff": ("eigen personeel", "own staff"),
    "registered_reg": ("Registraties", "Registrations"),
    "decisions_work": ("Beslissingen (werk; eerste aanvraag = 1)", "Decisions (work; first application = 1)"),
    "share_above": ("deel van de scenario's met meer", "share of scenarios with more"),
    "dist_spending": ("Kasuitgaven {years} (€ mln)", "Cash spending {years} (€ million)"),
    "dist_backlog": ("Voorraad IND eind van de periode (personen)", "IND backlog at the end (persons)"),
    "dist_reserve": ("Onttrekking asielreserve (€ mln)", "Asylum reserve draws (€ million)"),
    "dist_supplementary": ("Aanvullende financiering (€ mln)", "Supplementary funding (€ million)"),
    "chart_distributions": (
        "Uitkomsten over de scenario's: hoe vaak een bedrag of aantal wordt overschreden",
        "Outcomes over the scenarios: how often an amount or number is exceeded",
    ),
}


def w(key: str, lang: Lang) -> str:
    nl, en = WORDS[key]
    return nl if lang == "nl" else en


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _number_axis(ax: plt.Axes, lang: Lang, scale: float = 1.0) -> None:
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _pos: fmt_number(v / scale, lang)))
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def _period_ticks(ax: plt.Axes, periods: Sequence[str]) -> None:
    """One label per year (at its first period), level, no period codes such as ``2026-01``."""
    years = [str(p)[:4] for p in periods]
    idx = [i for i, y in enumerate(years) if i == 0 or y != years[i - 1]]
    if len(idx) < MIN_YEAR_TICKS:  # less than two years: every sixth period, as a month name
        idx = list(range(0, len(periods), TICK_EVERY_PERIODS))
        ax.set_xticks(idx)
        ax.set_xticklabels([str(periods[i]) for i in idx], fontsize=7)
        return
    ax.set_xticks(idx)
    ax.set_xticklabels([years[i] for i in idx], fontsize=7)
    ax.set_xticks(range(len(periods)), minor=True)
    ax.tick_params(axis="x", which="minor", length=2)


def inflow_fan(record: RunRecord, lang: Lang) -> bytes | None:
    q = data.flow_quantiles(record, data.INFLOW_QUANTITY)
    if q.empty:
        return None
    x = range(len(q))
    fig, ax = plt.subplots(figsize=(FIG_WIDTH_IN, FIG_HEIGHT_IN))
    ax.plot(x, q["min"], color="0.55", linewidth=0.7, linestyle=":", label=term("min_max", lang))
    ax.plot(x, q["max"], color="0.55", linewidth=0.7, linestyle=":")
    ax.fill_between(x, q["p10"], q["p90"], alpha=FAN_ALPHA, color="C0", label=term("range_p10_p90", lang))
    ax.plot(x, q["p50"], color="C0", label=term("median", lang))
    ax.plot(x, q["expected"], color="C1", linestyle="--", label=term("expected", lang))
    ax.set_ylabel(term("persons_per_month", lang))
    _period_ticks(ax, list(q["period"]))
    _number_axis(ax, lang)
    ax.legend(fontsize=7, loc="upper left")
    return _png(fig)


@dataclass(frozen=True)
class _ChainRates:
    """What the charts need from the run's case: pool output and the categories' work."""

    pool_per_fte_period: dict[str, float]  # partner -> units per deployed pool FTE and period
    registration_categories: tuple[str, ...]
    decision_work: dict[str, float]
    surge_per_fte_period: float = 0.0  # registrations per redeployed officer and period
    ind_surge_per_fte_period: float = 0.0  # decision work per temporary IND FTE and period


def chain_rates(record: RunRecord) -> _ChainRates | None:
    from bekostiging.errors import InputErrors
    from bekostiging.io.case import load_case
    from bekostiging.schema import periods_per_year

    try:
        case = load_case(record.case_copy)
    except (InputErrors, OSError):
        return None
    st = case.settings
    per_year = periods_per_year(st.horizon)
    share = st.flexpool.productivity_share
    return _ChainRates(
        pool_per_fte_period={
            "registration": share * st.registration.output_per_fte_year / per_year,
            "ind": share * st.ind.output_per_fte_year / per_year,
        },
        registration_categories=tuple(c.value for c, cs in st.categories.items() if cs.needs_registration),
        decision_work={c.value: cs.decision_work for c, cs in st.categories.items()},
        surge_per_fte_period=st.registration_surge.productivity_share
        * st.registration.output_per_fte_year
        / per_year,
        ind_surge_per_fte_period=st.ind_surge.productivity_share * st.ind.output_per_fte_year / per_year,
    )


def _pool_capacity(record: RunRecord, task: str, per_fte: float) -> pd.DataFrame:
    """scenario, period, year, value: capacity the deployed flexible pool adds to ``task``."""
    return data.flow_totals(record, "pool_active", {task: per_fte})


def _demand(record: RunRecord, demand: str, rates: _ChainRates | None) -> tuple[pd.DataFrame, str | None]:
    """The demand as the capacity constraint counts it, and its label (None: the stored one)."""
    stored = (data.flow_quantiles(record, demand), None)
    if rates is None:
        return stored
    if demand == "registered":  # nareis join directly: only registrations use registration capacity
        cats = data.flow_categories(record, "registration_queue") or list(rates.registration_categories)
        counted = data.flow_quantiles(record, demand, {c: 1.0 for c in cats}), "registered_reg"
    elif demand == "decisions":  # IND capacity is work: a repeat application counts its share
        counted = data.flow_quantiles(record, demand, rates.decision_work), "decisions_work"
    else:
        return stored
    # categories of the flows that the case does not know (a run whose tables were not made
    # from this case): no weighted demand to draw, so the stored demand as it is
    return counted if not counted[0].empty else stored


def capacity_series(
    record: RunRecord,
    partner: str,
    caps: Sequence[str],
    demand: str,
    rates: _ChainRates | None,
    p: pd.Series,
) -> tuple[list[tuple[str, pd.Series]], pd.DataFrame, str | None]:
    """One capacity panel as numbers: the cumulative expected capacity lines (each adds its kind,
    the deployed flexible pool, then for registration the redeployed police and for the IND its
    temporary surge staff), the demand's quantiles and the demand's label key."""
    dq, demand_key = _demand(record, demand, rates)
    parts: list[tuple[str, pd.DataFrame]] = [(cap, data.flow_totals(record, cap)) for cap in caps]
    task = POOL_TASK.get(partner)
    if rates is not None and task is not None and data.has_flow(record, "pool_active"):
        pool = _pool_capacity(record, task, rates.pool_per_fte_period[task])
        if not pool.empty and float(pool["value"].abs().sum()) > 0:
            parts.append(("pool_capacity", pool))
    if rates is not None and partner == "registration" and data.has_flow(record, "registration_surge"):
        surge = data.flow_totals(record, "registration_surge")
        surge = surge.assign(value=surge["value"] * rates.surge_per_fte_period)
        if not surge.empty and float(surge["value"].abs().sum()) > 0:
            parts.append(("surge_capacity", surge))
    if rates is not None and partner == "ind" and data.has_flow(record, "ind_surge"):
        extra = data.flow_totals(record, "ind_surge")
        extra = extra.assign(value=extra["value"] * rates.ind_surge_per_fte_period)
        if not extra.empty and float(extra["value"].abs().sum()) > 0:
            parts.append(("ind_surge_capacity", extra))
    lines = []
    total: pd.DataFrame | None = None
    for key, frame in parts:
        total = frame if total is None else _add(total, frame)
        lines.append((key, data.series_quantiles(total, p)["expected"].reset_index(drop=True)))
    return lines, dq, demand_key


EXTRA_CAPACITY = ("pool_capacity", "surge_capacity", "ind_surge_capacity")  # lines on top of own staff


def capacity_vs_occupancy(record: RunRecord, lang: Lang) -> bytes | None:
    """Per partner: capacity as lines (cumulative: each line adds its kind, the deployed pool
    included), demand the only band (P10–P90) with its expected line. No overlapping fills."""
    panels = [
        (partner, [c for c in caps if data.has_flow(record, c)], demand)
        for partner, caps, demand in CAPACITY_PANELS
        if data.has_flow(record, demand)
    ]
    panels = [p for p in panels if p[1]]
    if not panels:
        return None
    rates = chain_rates(record)
    p = data.probabilities(record)
    ncols = 1 if len(panels) <= MAX_STACKED_PANELS else 2
    nrows = -(-len(panels) // ncols)
    width = FIG_WIDTH_IN * (1.0 if ncols == 1 else GRID_WIDTH_FACTOR)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width, (FIG_HEIGHT_IN + LEGEND_BELOW_IN) * nrows), squeeze=False
    )
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    for ax, (partner, caps, demand) in zip(axes.flat, panels, strict=False):
        lines, dq, demand_key = capacity_series(record, partner, caps, demand, rates, p)
        x = range(len(dq))
        pooled = any(k in EXTRA_CAPACITY for k, _ in lines)
        for i, (key, top) in enumerate(lines):
            if key in EXTRA_CAPACITY:
                label = w(key, lang)
            elif i == 0:
                label = term(key, lang) + (f" ({w('own_staff', lang)})" if pooled else "")
            else:
                label = f"+ {term(key, lang).lower()}"
            ax.step(x, top, where="mid", color=f"C{i + 2}", linewidth=1.2, label=label)
        name = w(demand_key, lang) if demand_key else term(demand, lang)
        ax.fill_between(
            x, dq["p10"], dq["p90"], alpha=FAN_ALPHA, color="C0", linewidth=0, label=f"{name} P10–P90"
        )
        ax.plot(x, dq["expected"], color="C0", label=f"{name} ({term('expected', lang).lower()})")
        ax.set_title(term(partner, lang), fontsize=9)
        ax.set_ylim(bottom=0)
        _period_ticks(ax, list(dq["period"]))
        _number_axis(ax, lang)
        # the legend under the panel: inside it would cover the lines
        ax.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    fig.tight_layout()
    return _png(fig)


def _add(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Two (scenario, period, year, value) frames added row by row (missing rows count 0)."""
    keys = ["scenario", "period", "year"]
    both = a.merge(b, on=keys, how="outer", suffixes=("_a", "_b")).fillna({"value_a": 0.0, "value_b": 0.0})
    return both.assign(value=both["value_a"] + both["value_b"])[[*keys, "value"]]


DISTRIBUTIONS: tuple[tuple[str, str, float], ...] = (  # (kpi, label key, scale)
    ("spending_eur", "dist_spending", EUR_MILLION),
    ("backlog_end_persons", "dist_backlog", 1.0),
    ("reserve_draw_eur", "dist_reserve", EUR_MILLION),
    ("supplementary_funding_eur", "dist_supplementary", EUR_MILLION),
)


def exceedance(values: pd.Series, p: pd.Series) -> tuple[list[float], list[float]]:
    """(x, share of probability above x) as a step curve, from the lowest value to the highest."""
    frame = pd.DataFrame({"v": values.astype(float), "p": p.reindex(values.index).fillna(0.0)}).sort_values(
        "v"
    )
    total = float(frame["p"].sum())
    if frame.empty or total <= 0:
        return [], []
    above = 1.0 - frame["p"].cumsum() / total
    xs = [float(frame["v"].iloc[0]), *frame["v"].astype(float)]
    ys = [1.0, *above.clip(lower=0.0)]
    return xs, ys


def _years(record: RunRecord) -> str:
    """The run's years as ``2026–2030`` (from the costs table; empty when it has none)."""
    costs = record.table("costs")
    if costs.empty or "year" not in costs.columns:
        return ""
    return f"{int(costs['year'].min())}–{int(costs['year'].max())}"


def scenario_distributions(record: RunRecord, lang: Lang) -> bytes | None:
    """Per outcome, the share of scenarios (by probability) above each value: one curve, no labels
    per scenario; P50 and P90 marked. Replaces bar charts with a label per scenario."""
    p = data.probabilities(record)
    panels = [(k, key, scale, data.scenario_kpi(record, k)) for k, key, scale in DISTRIBUTIONS]
    panels = [x for x in panels if not x[3].empty and float(x[3].abs().sum()) > 0]
    if not panels:
        return None
    ncols = 2 if len(panels) > 1 else 1
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(FIG_WIDTH_IN, DIST_PANEL_HEIGHT_IN * nrows), squeeze=False
    )
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    for ax, (_kpi, key, scale, values) in zip(axes.flat, panels, strict=False):
        xs, ys = exceedance(values / scale, p)
        ax.step(xs, ys, where="post", color="C0", linewidth=1.4)
        for q, style in ((data.MID_QUANTILE, ":"), (data.HIGH_QUANTILE, "--")):
            v = data.weighted_quantile(values / scale, p, q)
            if v is None:
                continue
            ax.axvline(v, color="0.3", linestyle=style, linewidth=0.9)
            ax.annotate(
                f"P{round(q * 100)} {fmt_number(v, lang, 0)}",
                (v, 1.0 - q),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize=6,
            )
        ax.set_title(w(key, lang).format(years=_years(record)), fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _pos: fmt_percent(v, lang, 0)))
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _pos: fmt_number(v, lang, 0)))
        ax.xaxis.set_major_locator(mticker.MaxNLocator(4))
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel(w("share_above", lang), fontsize=7)
    fig.tight_layout()
    return _png(fig)


def cost_per_partner_year(record: RunRecord, lang: Lang) -> bytes | None:
    cost = data.expected_costs(record, ["year", "partner"])
    if cost.empty:
        return None
    wide = cost.pivot(index="year", columns="partner", values="value_eur").fillna(0.0)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH_IN, FIG_HEIGHT_IN))
    bottom = pd.Series(0.0, index=wide.index)
    for i, partner in enumerate(wide.columns):
        ax.bar(
            [str(y) for y in wide.index],
            wide[partner],
            bottom=bottom,
            color=f"C{i}",
            label=term(partner, lang),
        )
        bottom = bottom + wide[partner]
    ax.set_ylabel(term("eur_million", lang))
    _number_axis(ax, lang, EUR_MILLION)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _png(fig)


def per_year_lines(
    frame: pd.DataFrame, title_key: str, ylabel_key: str, lang: Lang, scale: float = 1.0
) -> bytes | None:
    """Comparison chart: ``frame`` with columns run, year, value; one line per run."""
    if frame.empty:
        return None
    fig, ax = plt.subplots(figsize=(FIG_WIDTH_IN, FIG_HEIGHT_IN))
    for i, (run, group) in enumerate(frame.groupby("run", sort=False)):
        grp = group.sort_values("year")
        ax.plot([str(y) for y in grp["year"]], grp["value"], marker="o", color=f"C{i}", label=str(run))
    ax.set_title(term(title_key, lang), fontsize=10)
    ax.set_ylabel(term(ylabel_key, lang))
    _number_axis(ax, lang, scale)
    ax.legend(fontsize=7)
    return _png(fig)


def report_charts(record: RunRecord, lang: Lang) -> list[tuple[str, bytes]]:
    """(title, PNG) of every chart the run has data for, in report order."""
    makers = (
        ("chart_inflow_fan", inflow_fan),
        ("chart_capacity", capacity_vs_occupancy),
        ("chart_cost", cost_per_partner_year),
        ("chart_distributions", scenario_distributions),
    )
    out = []
    for key, make in makers:
        png = make(record, lang)
        if png is not None:
            out.append((w(key, lang) if key in WORDS else term(key, lang), png))
    return out
