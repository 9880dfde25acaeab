"""``bekostiging history show``: the chain's history as tables and a chart (Dutch by default).

Every number is printed with a mark for its status (``~`` rounded, ``p``
provisional, ``d`` derived, ``*`` estimate) and missing figures as ``–``, never
as zero or an interpolated value. Sources are listed by key with their address.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click
import numpy as np

from bekostiging.cli import main
from bekostiging.cli.case import InputProblemsError
from bekostiging.cli.lang import LANG_DEFAULT_SHOWN
from bekostiging.errors import InputErrors
from bekostiging.history import History, load_history
from bekostiging.history.schema import Status
from bekostiging.messages import env_lang
from bekostiging.shipped import history_dir as shipped_history_dir

if TYPE_CHECKING:
    import pandas as pd

CHART_DIR = Path("runs") / "history"
CHART_DPI = 120
CHART_SIZE_IN = (12.0, 8.0)
MISSING = "–"
MARKS = {
    Status.REPORTED: "",
    Status.ROUNDED: "~",
    Status.PROVISIONAL: "p",
    Status.DERIVED: "d",
    Status.ESTIMATE: "*",
    Status.MISSING: "",
}
CATEGORIES = ("first", "nareis", "repeat", "total")
FIRST_SHOWN_YEAR = 2009  # yearly inflow table from here (older years are sparse CBS points)

WORDS: dict[str, tuple[str, str]] = {
    "title": ("Geschiedenis van de asielketen", "History of the asylum chain"),
    "inflow": ("Instroom per jaar (personen)", "Inflow per year (persons)"),
    "year": ("jaar", "year"),
    "first": ("eerste", "first"),
    "nareis": ("nareis", "nareis"),
    "repeat": ("herhaald", "repeat"),
    "total": ("totaal", "total"),
    "older": ("Oudere jaren (alleen totaal, CBS)", "Earlier years (total only, CBS)"),
    "coa": ("COA: bezetting en capaciteit", "COA: occupancy and capacity"),
    "ind": ("IND: beslissingen en voorraad", "IND: decisions and backlog"),
    "mpp": ("MPP-prognoses (vintages) tegen realisatie", "MPP forecasts (vintages) against outcome"),
    "spending": ("Uitgaven per ketenpartner (€ mln, nominaal)", "Spending per partner (€ mln, nominal)"),
    "legend": (
        "~ afgerond, p voorlopig, d afgeleid, * schatting, – ontbreekt (niet publiek)",
        "~ rounded, p provisional, d derived, * estimate, – missing (not public)",
    ),
    "published": ("gepubliceerd", "published"),
    "target": ("doeljaar", "target"),
    "horizon": ("horizon", "horizon"),
    "low": ("laag", "low"),
    "mid": ("midden", "mid"),
    "high": ("hoog", "high"),
    "realised": ("realisatie", "realised"),
    "ratio": ("realisatie/midden", "realised/mid"),
    "sources": ("Bronnen", "Sources"),
    "chart": ("grafiek", "chart"),
    "occupancy": ("bezetting", "occupancy"),
    "backlog": ("voorraad IND", "IND backlog"),
    "persons": ("personen", "persons"),
}


def word(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (nl or en)."""
    nl, en = WORDS[key]
    return nl if lang == "nl" else en


CODE_WORDS: dict[str, tuple[str, str]] = {  # codes of the history tables as the figure lines show them
    "capacity": ("capaciteit", "capacity"),
    "capacity_need": ("capaciteitsbehoefte", "capacity need"),
    "capacity_target": ("capaciteitsdoel", "capacity target"),
    "occupancy": ("bezetting", "occupancy"),
    "occupancy_average": ("gem. bezetting", "mean occupancy"),
    "status_holders": ("statushouders", "status holders"),
    "backlog": ("voorraad", "backlog"),
    "decisions": ("beslissingen", "decisions"),
    "decisions_planned": ("gepland", "planned decisions"),
    "asylum": ("asiel", "asylum"),
    "nareis": ("nareis", "nareis"),
    "total": ("totaal", "total"),
    "agency_income": ("baten agentschap", "agency income"),
    "budget": ("begroting", "budget"),
    "draft_budget": ("ontwerpbegroting", "draft budget"),
    "extra_claimed": ("extra geclaimd", "extra claimed"),
    "final_budget": ("slotwet", "final budget"),
    "realised": ("realisatie", "realised"),
    "coa": ("COA", "COA"),
    "ind": ("IND", "IND"),
    "registration": ("registratie", "registration"),
}


def code_word(code: str, lang: str) -> str:
    """A code of the history tables in words (an unknown code in plain words)."""
    pair = CODE_WORDS.get(code)
    if pair is None:
        return code.replace("_", " ")
    return pair[0] if lang == "nl" else pair[1]


def number(value: float | None, lang: str, status: Status | None = None, decimals: int = 0) -> str:
    """A number in the language's format with its status mark; ``–`` when missing."""
    if value is None:
        return MISSING
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text + (MARKS[status] if status is not None else "")


def inflow_lines(history: History, lang: str) -> list[str]:
    """Yearly inflow per category from 2009, every year shown (missing as –)."""
    by_key = {(r.year, r.category): r for r in history.inflow_yearly}
    years = sorted({r.year for r in history.inflow_yearly if r.year >= FIRST_SHOWN_YEAR})
    head = f"{word('year', lang):<6}" + "".join(f"{word(c, lang):>12}" for c in CATEGORIES)
    lines = [word("inflow", lang), head]
    for year in range(years[0], years[-1] + 1):
        cells = []
        for c in CATEGORIES:
            row = by_key.get((year, c))
            cells.append(number(row.persons, lang, row.status) if row else MISSING)
        lines.append(f"{year:<6}" + "".join(f"{cell:>12}" for cell in cells))
    older = [r for r in history.inflow_yearly if r.year < FIRST_SHOWN_YEAR and r.category == "total"]
    if older:
        lines.append(
            word("older", lang)
            + ": "
            + ", ".join(f"{r.year} {number(r.persons, lang, r.status)}" for r in older)
        )
    return lines


def mpp_lines(history: History, lang: str) -> list[str]:
    """Every MPP vintage with its realised total and the ratio realised / mid."""
    totals = history.totals()
    head = (
        f"{word('published', lang):<13}{word('target', lang):>8}{word('horizon', lang):>9}"
        f"{word('low', lang):>10}{word('mid', lang):>10}{word('high', lang):>10}"
        f"{word('realised', lang):>12}{word('ratio', lang):>19}  document"
    )
    lines = [word("mpp", lang), head]
    for v in history.mpp_vintages:
        real = totals.get(v.target_year)
        centre = v.centre
        ratio = number(real / centre, lang, decimals=2) if real and centre else MISSING
        mid = (
            number(v.mid, lang)
            if v.mid is not None
            else (number(centre, lang) + "*" if centre is not None else MISSING)
        )
        lines.append(
            f"{v.published.isoformat():<13}{v.target_year:>8}{v.horizon:>9}"
            f"{number(v.low, lang):>10}{mid:>10}{number(v.high, lang):>10}"
            f"{number(real, lang):>12}{ratio:>19}  {v.document}"
        )
    return lines


def figure_lines(history: History, lang: str) -> list[str]:
    """COA, IND and spending figures, one line each."""
    lines = [word("coa", lang)]
    for r in history.coa:
        lines.append(
            f"  {r.date.isoformat()}  {code_word(r.measure, lang):<20}{number(r.value, lang, r.status):>10}"
            f"  {r.source}  {r.note}".rstrip()
        )
    lines += ["", word("ind", lang)]
    for r in history.ind:
        lines.append(
            f"  {r.date.isoformat()}  {code_word(r.measure, lang):<18}{code_word(r.category, lang):<8}"
            f"{number(r.value, lang, r.status):>10}  {r.source}  {r.note}".rstrip()
        )
    lines += ["", word("spending", lang)]
    for r in history.spending:
        lines.append(
            f"  {r.year}  {code_word(r.partner, lang):<13}{code_word(r.measure, lang):<17}"
            f"{number(r.eur_mln, lang, r.status, decimals=1):>10}  {r.source}  {r.note}".rstrip()
        )
    return lines


def history_chart(history: History, png: Path, lang: str) -> Path:
    """Inflow by category with MPP vintages, COA occupancy, IND backlog, MPP ratio by horizon."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig, axes = plt.subplots(2, 2, figsize=CHART_SIZE_IN)
    ax = axes[0, 0]
    for c in CATEGORIES:
        series = {y: v for y, v in history.inflow(c).items() if y >= FIRST_SHOWN_YEAR}
        years = sorted(series)
        values = [np.nan if series[y] is None else series[y] for y in years]  # gaps stay gaps
        ax.plot(years, values, marker="o", markersize=3, label=word(c, lang))
    for v in history.mpp_vintages:
        if v.centre is not None and v.target_year >= FIRST_SHOWN_YEAR:
            ax.plot([v.target_year], [v.centre], marker="x", color="grey", linestyle="none")
        if v.low is not None and v.high is not None and v.target_year >= FIRST_SHOWN_YEAR:
            ax.vlines(v.target_year + 0.1, v.low, v.high, color="grey", alpha=0.5)
    ax.set_title(f"{word('inflow', lang)} (x, |: MPP)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize="small")
    ax = axes[0, 1]
    occ = sorted((r for r in history.coa if r.measure == "occupancy"), key=lambda r: r.date)
    values = [np.nan if r.value is None else r.value for r in occ]  # a missing year-end breaks the line
    ax.plot([r.date for r in occ], values, marker="o", markersize=3, label=word("occupancy", lang))
    cap = [r for r in history.coa if r.measure.startswith("capacity") and r.value is not None]
    ax.plot([r.date for r in cap], [r.value for r in cap], marker="s", linestyle="none", color="grey")
    ax.set_title(word("coa", lang))
    ax = axes[1, 0]
    back = [r for r in history.ind if r.measure == "backlog" and r.value is not None]
    for cat in ("asylum", "nareis", "total"):
        pts = [r for r in back if r.category == cat]
        if pts:
            ax.plot(
                [r.date for r in pts],
                [r.value for r in pts],
                marker="o",
                markersize=3,
                label=code_word(cat, lang),
            )
    ax.set_title(word("backlog", lang))
    ax.legend(fontsize="small")
    ax.tick_params(axis="x", labelrotation=30)
    ax = axes[1, 1]
    totals = history.totals()
    pts = [
        (v.horizon, totals[v.target_year] / v.centre)
        for v in history.mpp_vintages
        if v.centre and v.target_year in totals
    ]
    if pts:
        ax.scatter([h for h, _ in pts], [r for _, r in pts])
    ax.axhline(1.0, color="grey", linewidth=0.8)
    ax.set_xlabel(word("horizon", lang))
    ax.set_xticks(sorted({h for h, _ in pts}) if pts else [0, 1])
    ax.set_title(word("ratio", lang))
    axes[1, 1].yaxis.set_major_formatter(FuncFormatter(lambda x, _p: number(x, lang, decimals=1)))
    for a in axes.flat:
        a.grid(alpha=0.25)
        if a is not axes[1, 1]:  # counts: 70.000 (nl), 70,000 (en)
            a.yaxis.set_major_formatter(FuncFormatter(lambda x, _p: number(x, lang)))
    fig.suptitle(word("title", lang))
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=CHART_DPI)
    plt.close(fig)
    return png


@main.group("history")
def history_group() -> None:
    """The history of the chain (inflow, COA, IND, MPP vintages, spending) with sources."""


@history_group.command("show")
@click.option(
    "--history",
    "history_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="History folder (CSV tables + sources.csv) [default: the shipped data/history].",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default=env_lang,
    show_default=LANG_DEFAULT_SHOWN,
    help="Language of the tables and the chart.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Folder for the chart history.png [default: {CHART_DIR}].",
)
def show_command(history_dir: Path | None, lang: str, out: Path | None) -> None:
    """Print the history tables (missing figures shown as –) and write a chart."""
    folder = history_dir if history_dir is not None else shipped_history_dir()
    try:
        history = load_history(folder)
    except InputErrors as exc:
        raise InputProblemsError(
            [p if "/" in p.file else replace(p, file=str(folder / p.file)) for p in exc.problems]
        ) from exc
    click.echo(word("title", lang))
    click.echo(word("legend", lang))
    click.echo("")
    for block in (inflow_lines, mpp_lines, figure_lines):
        for line in block(history, lang):
            click.echo(line)
        click.echo("")
    click.echo(word("sources", lang))
    used = {
        getattr(r, "source", "")
        for t in (
            history.inflow_yearly,
            history.inflow_periodic,
            history.coa,
            history.ind,
            history.mpp_vintages,
            history.spending,
        )
        for r in t
    }
    for s in history.sources:
        if s.key in used:
            click.echo(f"  {s.key:<5} {s.url}")
    png = history_chart(history, (out if out is not None else CHART_DIR) / "history.png", lang)
    click.echo(f"\n{word('chart', lang)}: {png}")


REPLAY_DIR = Path("runs") / "terugblik"
STRESS_DIR = Path("runs") / "stresstoetsen"
REPLAY_FIRST_YEAR = 2014  # the state of data/history/replay_state.csv is 1 January 2014
REPLAY_WORDS: dict[str, tuple[str, str]] = {
    "replay": (
        "Terugblik: het ketenmodel met de echte instroom vanaf januari 2014",
        "Back-test: the chain model on real inflow from January 2014",
    ),
    "metric": ("maatstaf", "metric"),
    "date": ("peildatum", "date"),
    # the measures of validation.csv (codes) as the table names them
    "coa_bezetting": ("Bezetting COA", "COA occupancy"),
    "coa_statushouders": ("Statushouders in COA", "Status holders in COA"),
    "ind_voorraad": ("Voorraad IND", "IND backlog"),
    "ind_beslissingen": ("Beslissingen IND", "IND decisions"),
    "simulated": ("gesimuleerd", "simulated"),
    "actual": ("werkelijk", "actual"),
    "error": ("fout", "error"),
    "mape": ("MAPE (gemiddelde absolute procentuele fout)", "MAPE (mean absolute percentage error)"),
    "stress": ("Stresspaden (instroom per jaar, personen)", "Stress paths (inflow per year, persons)"),
    "path": ("pad", "path"),
    "use": ("Gebruik: bekostiging evaluate RUN --scenarios", "Use: bekostiging evaluate RUN --scenarios"),
}


def rword(key: str, lang: str) -> str:
    """A label of the replay and stress commands in ``lang``."""
    nl, en = REPLAY_WORDS[key]
    return nl if lang == "nl" else en


def replay_lines(frame: pd.DataFrame, scores: dict[str, float], lang: str) -> list[str]:
    """The replay table (a row per real figure: measure in words, year, the figure's date,
    simulated, real, error) and the MAPE per measure, in ``lang``."""
    width = max(len(rword(m, lang)) for m in (*frame["metric"].unique(), *scores, "metric"))
    lines = [
        f"{rword('metric', lang):<{width}} {word('year', lang):>5} {rword('date', lang):>10} "
        f"{rword('simulated', lang):>12} {rword('actual', lang):>12} {rword('error', lang):>7}"
    ]
    for row in frame.itertuples(index=False):
        error = (row.simulated - row.actual) / row.actual * 100.0
        lines.append(
            f"{rword(row.metric, lang):<{width}} {row.year:>5} {row.date!s:>10} "
            f"{number(row.simulated, lang):>12} {number(row.actual, lang):>12} "
            f"{number(error, lang, decimals=1):>6}%"
        )
    lines.append(rword("mape", lang) + ":")
    for metric, value in scores.items():
        lines.append(f"  {rword(metric, lang):<{width}} {number(value, lang, decimals=1):>6}%")
    return lines


@history_group.command("replay")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path(path_type=Path))
@click.option(
    "--to",
    "last_year",
    type=click.IntRange(REPLAY_FIRST_YEAR, 2025),
    default=2025,
    show_default=True,
    help="Last year replayed (the replay starts in January 2014, the state of data/history).",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default=env_lang,
    show_default=LANG_DEFAULT_SHOWN,
    help="Language of the table and the chart.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Folder for validation.csv, replay.csv, mape.csv, validation.png [default: {REPLAY_DIR}].",
)
def replay_command(case_dir: Path | None, last_year: int, lang: str, out: Path | None) -> None:
    """Replay the chain model on the real inflow from 2014 and compare with what happened.

    Year-end COA occupancy, IND asylum backlog and yearly IND decisions, simulated
    against real (data/history), with the MAPE per measure; the chain's yearly
    parameters (IND capacity, permit share, housing outflow) come from
    data/history/replay_parameters.csv.
    """
    from bekostiging.cli.defaults import case_or_default
    from bekostiging.history.validation import actuals, mape, replay, validation_chart, validation_frame
    from bekostiging.io.case import load_case

    case_dir = case_or_default(case_dir)
    try:
        case = load_case(case_dir)
        history = load_history(shipped_history_dir())
        result = replay(history, case, REPLAY_FIRST_YEAR, last_year)
    except InputErrors as exc:
        raise InputProblemsError(exc.problems) from exc
    frame = validation_frame(result, actuals(history, REPLAY_FIRST_YEAR + 1, last_year))
    scores = mape(frame)
    folder = out if out is not None else REPLAY_DIR
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "validation.csv", index=False)
    result.monthly.to_csv(folder / "replay.csv")
    pd_scores = [
        {"metric": k, "mape_percent": round(v, 2), "n": int((frame["metric"] == k).sum())}
        for k, v in scores.items()
    ]
    import pandas as pd

    pd.DataFrame(pd_scores, columns=["metric", "mape_percent", "n"]).to_csv(folder / "mape.csv", index=False)
    png = validation_chart(result, frame, folder / "validation.png", lang)
    click.echo(rword("replay", lang))
    for line in replay_lines(frame, scores, lang):
        click.echo(line)
    from bekostiging.report.i18n import term

    for path in (folder / "validation.csv", folder / "replay.csv", folder / "mape.csv", png):
        click.echo(term("wrote", lang).format(path=path))  # type: ignore[arg-type]  # as report does


@history_group.command("stress")
@click.argument("case_dir", metavar="[CASE]", required=False, type=click.Path(path_type=Path))
@click.option(
    "--paths",
    "names",
    default=None,
    help="Stress paths, comma-separated: 2015-in-2027, 2022-opnieuw, mpp-plus-20 [default: all].",
)
@click.option(
    "--shock",
    "shock",
    default=None,
    help="Scale the inflow of a year on every path: YEAR:+N% or YEAR:-N%, e.g. 2027:+20%.",
)
@click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default=env_lang,
    show_default=LANG_DEFAULT_SHOWN,
    help="Language of the table.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Folder for the stress paths as a scenario set [default: {STRESS_DIR}].",
)
def stress_command(
    case_dir: Path | None, names: str | None, shock: str | None, lang: str, out: Path | None
) -> None:
    """Write named stress paths (real surges laid over the case's MPP mid) as a scenario set.

    No CSV editing: the set loads like any other, e.g. ``bekostiging evaluate RUN --scenarios DIR``.
    """
    from datetime import date

    from bekostiging.cli.defaults import case_or_default
    from bekostiging.history.replay import case_seasonality, monthly_inflow, yearly_parameters
    from bekostiging.history.stress import (
        STRESS_PATHS,
        ShockError,
        apply_shocks,
        as_scenario_set,
        mpp_base_path,
        parse_shocks,
        stress_paths,
    )
    from bekostiging.io.case import load_case
    from bekostiging.io.scenarios import write_scenario_set
    from bekostiging.model import mpp_mid_inflow

    chosen = None if names is None else [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in chosen or [] if n not in STRESS_PATHS]
    if chosen is not None and (unknown or not chosen):
        raise click.BadParameter(
            f"{', '.join(unknown) or '(empty)'}; allowed: {', '.join(STRESS_PATHS)}", param_hint="--paths"
        )
    case_dir = case_or_default(case_dir)
    try:
        case = load_case(case_dir)
        history = load_history(shipped_history_dir())
        params = yearly_parameters()
    except InputErrors as exc:
        raise InputProblemsError(exc.problems) from exc
    base = mpp_base_path(case.periods, mpp_mid_inflow(case))
    shocks = []
    if shock is not None:
        try:
            shocks = parse_shocks(shock, base.years())
        except ShockError as exc:
            raise click.BadParameter(str(exc).removeprefix("--shock: "), param_hint="--shock") from exc
    season = {r.month: r.factor for r in case.seasonality} or case_seasonality()
    real = monthly_inflow(history, params, season, REPLAY_FIRST_YEAR, max(history.totals()))
    paths = [apply_shocks(p, shocks) for p in stress_paths(base, real, chosen)]
    folder = out if out is not None else STRESS_DIR
    write_scenario_set(as_scenario_set(paths, folder.name, date.today()), folder)
    click.echo(rword("stress", lang))
    years = base.years()
    click.echo(f"{rword('path', lang):<20}" + "".join(f"{y:>10}" for y in years))
    for p in [apply_shocks(base, shocks), *paths]:
        yearly = p.yearly().sum(axis=1)
        click.echo(f"{p.name:<20}" + "".join(f"{number(float(yearly[y]), lang):>10}" for y in years))
    from bekostiging.report.i18n import term

    wrote = term("wrote", lang).format(path=folder)  # type: ignore[arg-type]
    click.echo(f"{wrote}  ({rword('use', lang)} {folder})")
