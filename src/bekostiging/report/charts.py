"""Report charts: matplotlib (Agg backend) figures from run tables, returned as PNG bytes.

Each function takes a run record (or comparison frames) and a language and
returns ``None`` when the run holds no data for that chart, so a report shows
what exists and says nothing false about what does not.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import pandas as pd
from matplotlib.figure import Figure

from bekostiging.report import data
from bekostiging.report.i18n import EUR_MILLION, Lang, fmt_number, term
from bekostiging.runs.store import RunRecord

FIG_WIDTH_IN = 7.0
FIG_HEIGHT_IN = 3.2
DPI = 150
MAX_SCENARIO_BARS = 40  # above this, a histogram instead of one bar per scenario
HIST_BINS = 20
TICK_EVERY_PERIODS = 6  # label every sixth month on period axes
FAN_ALPHA = 0.25
RANGE_ALPHA = 0.10
MAX_STACKED_PANELS = 2  # capacity panels stacked up to this many, then in a grid of two columns
GRID_WIDTH_FACTOR = 1.4  # a two-column grid is this much wider than one chart

# Per partner: capacity quantities (stacked) against the demand quantity, as stored in ``flows``.
CAPACITY_PANELS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("coa", ("regular_capacity", "reserve_active", "emergency_places"), "occupancy"),
    ("ind", ("decision_capacity",), "decisions"),
    ("registration", ("registration_capacity",), "registered"),
    ("dtv", ("return_capacity",), "returns"),
)


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
    idx = list(range(0, len(periods), TICK_EVERY_PERIODS))
    ax.set_xticks(idx)
    ax.set_xticklabels([periods[i] for i in idx], rotation=45, ha="right", fontsize=7)


def inflow_fan(record: RunRecord, lang: Lang) -> bytes | None:
    q = data.flow_quantiles(record, data.INFLOW_QUANTITY)
    if q.empty:
        return None
    x = range(len(q))
    fig, ax = plt.subplots(figsize=(FIG_WIDTH_IN, FIG_HEIGHT_IN))
    ax.fill_between(x, q["min"], q["max"], alpha=RANGE_ALPHA, color="C0", label=term("min_max", lang))
    ax.fill_between(x, q["p10"], q["p90"], alpha=FAN_ALPHA, color="C0", label=term("range_p10_p90", lang))
    ax.plot(x, q["p50"], color="C0", label=term("median", lang))
    ax.plot(x, q["expected"], color="C1", linestyle="--", label=term("expected", lang))
    ax.set_title(term("chart_inflow_fan", lang), fontsize=10)
    ax.set_ylabel(term("persons_per_month", lang))
    _period_ticks(ax, list(q["period"]))
    _number_axis(ax, lang)
    ax.legend(fontsize=7, loc="upper left")
    return _png(fig)


def capacity_vs_occupancy(record: RunRecord, lang: Lang) -> bytes | None:
    panels = [
        (partner, [c for c in caps if data.has_flow(record, c)], demand)
        for partner, caps, demand in CAPACITY_PANELS
        if data.has_flow(record, demand)
    ]
    panels = [p for p in panels if p[1]]
    if not panels:
        return None
    ncols = 1 if len(panels) <= MAX_STACKED_PANELS else 2
    nrows = -(-len(panels) // ncols)
    width = FIG_WIDTH_IN * (1.0 if ncols == 1 else GRID_WIDTH_FACTOR)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, FIG_HEIGHT_IN * nrows), squeeze=False)
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    for ax, (partner, caps, demand) in zip(axes.flat, panels, strict=False):
        dq = data.flow_quantiles(record, demand)
        x = range(len(dq))
        bottom = pd.Series(0.0, index=range(len(dq)))
        for i, cap in enumerate(caps):
            cq = data.flow_quantiles(record, cap).reset_index(drop=True)
            top = bottom + cq["expected"]
            # capacity as lines (cumulative: each line adds its kind), demand the only band
            label = term(cap, lang) if i == 0 else f"+ {term(cap, lang).lower()}"
            ax.step(x, top, where="mid", color=f"C{i + 2}", linewidth=1.2, label=label)
            bottom = top
        ax.fill_between(
            x, dq["p10"], dq["p90"], alpha=FAN_ALPHA, color="C0", label=f"{term(demand, lang)} P10–P90"
        )
        ax.plot(
            x, dq["expected"], color="C0", label=f"{term(demand, lang)} ({term('expected', lang).lower()})"
        )
        ax.set_title(term(partner, lang), fontsize=9)
        _period_ticks(ax, list(dq["period"]))
        _number_axis(ax, lang)
        ax.legend(fontsize=6, loc="upper left")
    fig.suptitle(term("chart_capacity", lang), fontsize=10)
    fig.tight_layout()
    return _png(fig)


def backlog_distribution(record: RunRecord, lang: Lang) -> bytes | None:
    backlog = data.scenario_kpi(record, "backlog_end_persons")
    if backlog.empty:
        return None
    p = data.probabilities(record).reindex(backlog.index).fillna(0.0)
    fig, ax = plt.subplots(figsize=(FIG_WIDTH_IN, FIG_HEIGHT_IN))
    if len(backlog) <= MAX_SCENARIO_BARS:
        ordered = backlog.sort_values()
        ax.bar(range(len(ordered)), ordered.values, color="C3")
        ax.set_xticks(range(len(ordered)))
        ax.set_xticklabels(list(ordered.index), rotation=45, ha="right", fontsize=7)
        ax.set_ylabel(term("persons", lang))
        _number_axis(ax, lang)
    else:
        ax.hist(backlog.values, bins=HIST_BINS, weights=p.values, color="C3")
        ax.set_xlabel(term("persons", lang))
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _pos: fmt_number(v, lang)))
        ax.set_ylabel(term("probability", lang))
    expected = data.expected_kpi(record, "backlog_end_persons")
    if expected is not None and len(backlog) <= MAX_SCENARIO_BARS:
        ax.axhline(expected, color="k", linestyle="--", linewidth=1, label=term("expected", lang))
        ax.legend(fontsize=7)
    ax.set_title(term("chart_backlog", lang), fontsize=10)
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
    ax.set_title(term("chart_cost", lang), fontsize=10)
    _number_axis(ax, lang, EUR_MILLION)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _png(fig)


def reserve_and_supplementary(record: RunRecord, lang: Lang) -> bytes | None:
    per_year = data.reserve_and_supplementary_per_year(record)
    keys = ("reserve_draw_eur", "supplementary_funding_eur")
    fig, ax = plt.subplots(figsize=(FIG_WIDTH_IN, FIG_HEIGHT_IN))
    width = 0.4
    if not per_year.empty:
        labels = [str(y) for y in per_year["year"]]
        series = [per_year.get(k, pd.Series(0.0, index=per_year.index)) for k in keys]
    else:
        per_scen = pd.DataFrame({k: data.scenario_kpi(record, k) for k in keys}).fillna(0.0)
        if per_scen.empty:
            plt.close(fig)
            return None
        per_scen = per_scen.sort_values(list(keys))
        if len(per_scen) > MAX_SCENARIO_BARS:
            per_scen = per_scen.iloc[:: max(1, len(per_scen) // MAX_SCENARIO_BARS)]
        labels = list(per_scen.index)
        series = [per_scen[k] for k in keys]
    if all(float(pd.Series(list(s)).abs().sum()) == 0.0 for s in series):
        ax.text(0.5, 0.5, term("no_reserve_draws", lang), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        ax.set_title(term("chart_reserve", lang), fontsize=10)
        fig.set_size_inches(FIG_WIDTH_IN, FIG_HEIGHT_IN / 2)
        return _png(fig)
    x = range(len(labels))
    for i, (k, s) in enumerate(zip(keys, series, strict=True)):
        ax.bar(
            [v + (i - 0.5) * width for v in x], list(s), width=width, color=f"C{i + 4}", label=term(k, lang)
        )
    ax.set_xticks(list(x))
    ax.set_xticklabels(
        labels, rotation=45 if len(labels) > 6 else 0, ha="right" if len(labels) > 6 else "center", fontsize=7
    )
    ax.set_ylabel(term("eur_million", lang))
    ax.set_title(term("chart_reserve", lang), fontsize=10)
    _number_axis(ax, lang, EUR_MILLION)
    ax.legend(fontsize=7)
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
        ("chart_backlog", backlog_distribution),
        ("chart_cost", cost_per_partner_year),
        ("chart_reserve", reserve_and_supplementary),
    )
    out = []
    for key, make in makers:
        png = make(record, lang)
        if png is not None:
            out.append((term(key, lang), png))
    return out
