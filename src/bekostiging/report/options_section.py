"""The annex section on the five options of the 2021 letter, from an options comparison.

``bekostiging options`` solves every policy preset on the same scenarios and writes
``options.csv`` into its folder and into each preset's run (``analysis/options.csv``);
``report --options DIR`` names a folder explicitly. The section shows each option in
words (never its preset code), ranked on expected cash, against the status quo, with a
chart in the report's language; a run without a comparison gets no section.
"""

from __future__ import annotations

import io
import math
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from bekostiging.report.analysis import sensitivity_blocks
from bekostiging.report.blocks import Block, Heading, Image, Paragraph, Table
from bekostiging.report.i18n import EUR_MILLION, Lang, fmt_eur, fmt_number, fmt_years
from bekostiging.report.option_names import PRESET_WORDS, STATUS_QUO, preset_words

OPTIONS_FILE = "options.csv"
SIMULATED_FILE = "options-simulated.csv"  # options --simulate-paths: the comparison by simulation
WORDS: dict[str, tuple[str, str]] = {  # (nl, en)
    "heading": ("De vijf opties uit de brief van 2021", "The five options of the 2021 letter"),
    "intro": (
        "Elke optie is met hetzelfde model en dezelfde scenario's doorgerekend; huidig beleid is het "
        "ijkpunt. De opties staan in volgorde van verwachte kasuitgaven. Het gaat om een vergelijking "
        "van plannen die voor {years} vastliggen; een plan dat ieder half jaar met de nieuwe MPP wordt "
        "bijgesteld, staat in de simulatie door de begrotingscyclus (als die is gemaakt).",
        "Each option was solved with the same model and the same scenarios; the status quo is the "
        "benchmark. Options are ranked on expected cash. This compares plans fixed for {years}; a "
        "plan revised every half year with the new MPP is in the simulation through the budget cycle "
        "(when one was made).",
    ),
    "table": (
        "De opties naast elkaar (verwacht over de scenario's; verschil met huidig beleid)",
        "The options side by side (expected over the scenarios; difference with the status quo)",
    ),
    "screen": (
        "Snelle toets: twee-fasenmodel (één plan vast voor de hele horizon). De hoofdvergelijking "
        "hierboven is die door de begrotingscyclus.",
        "Quick screen: two-stage model (one plan fixed for the whole horizon). The headline "
        "comparison above is the one through the budget cycle.",
    ),
    "screen_table": ("Snelle toets: {title}", "Quick screen: {title}"),
    "whole_horizon": ("de hele horizon", "the whole horizon"),  # when the run's years are unknown
    "option": ("Optie", "Option"),
    "cash": ("Kasuitgaven", "Cash"),
    "cash_p90": ("Kasuitgaven P90", "Cash P90"),
    "cash_diff": ("Kas t.o.v. huidig beleid", "Cash vs status quo"),
    "late": ("Zaak-maanden over de termijn", "Late case-months"),
    "emergency": ("Noodopvang (plaats-maanden)", "Emergency shelter (place-months)"),
    "supplementary": ("Aanvullende financiering", "Supplementary funding"),
    "no_plan": ("geen plan", "no plan"),
    "source": (
        "Bron: berekening bekostigingsmodel asielketen, één berekening per beleidsoptie op dezelfde "
        "scenario's.",
        "Source: asylum chain funding model, one computation per policy option on the same scenarios.",
    ),
    "chart": (
        "De opties: kasuitgaven (verwacht, P90 als streepje), late zaken en noodopvang",
        "The options: cash (expected, P90 as a tick), late cases and emergency shelter",
    ),
    "cash_axis": ("kasuitgaven\n(€ mln)", "cash\n(€ million)"),
    "late_axis": ("zaak-maanden over de\ntermijn (duizenden)", "late case-months\n(thousands)"),
    "emergency_axis": (
        "noodopvang, plaats-\nmaanden (duizenden)",
        "emergency shelter,\nplace-months (thousands)",
    ),
    "cheapest": (
        "Laagste verwachte kasuitgaven: {name}, {cash} ({diff} t.o.v. huidig beleid).",
        "Lowest expected cash: {name}, {cash} ({diff} against the status quo).",
    ),
}
SUCCESS = ("optimal", "limit")


def _w(key: str, lang: Lang) -> str:
    nl, en = WORDS[key]
    return nl if lang == "nl" else en


def read_options(run_path: Path, options_dir: Path | None) -> pd.DataFrame | None:
    """The options table: ``options_dir/options.csv`` if given, else the run's own copy."""
    for folder in ([options_dir] if options_dir is not None else []) + [run_path / "analysis"]:
        path = folder / OPTIONS_FILE
        if path.is_file():
            frame = pd.read_csv(path)
            if {"preset", "expected_cash_eur"} <= set(frame.columns) and not frame.empty:
                return frame
    return None


def _signed_eur(value: float, lang: Lang) -> str:
    """A difference in € mln with its sign, also when it is small (never raw euros beside € mln)."""
    if not math.isfinite(value):
        return "–"
    number = fmt_number(abs(value) / EUR_MILLION, lang, 1)
    text = f"€ {number} mln" if lang == "nl" else f"€{number} million"
    return text if round(abs(value) / EUR_MILLION, 1) == 0 else (("+" if value > 0 else "−") + text)


def _names(frame: pd.DataFrame, lang: Lang) -> list[str]:
    own = iter(range(1, len(frame) + 1))
    return [
        preset_words(str(p), lang, next(own) if str(p) not in PRESET_WORDS else 0) for p in frame["preset"]
    ]


def options_blocks(run: object, lang: Lang, options_dir: Path | None = None) -> Iterator[Block]:
    """Heading, intro, the options table and chart, and the weights' sensitivity; nothing
    when neither an options table nor a sensitivity table exists for the run."""
    path = getattr(run, "path")  # noqa: B009 - a RunRecord; typed loosely to keep imports one-way
    frame = read_options(path, options_dir)
    sensitivity = list(sensitivity_blocks(run, lang))  # type: ignore[arg-type]
    if frame is None and not sensitivity:
        return
    yield Heading(_w("heading", lang), 1)
    simulated = _simulated(options_dir)
    if simulated is not None:  # the headline: options re-planned through the budget cycle
        from bekostiging.report.simulation import simulated_options_blocks

        yield from simulated_options_blocks(simulated, lang)
    if frame is not None:
        yield from _table_blocks(frame, lang, screen=simulated is not None, years=horizon_years(run))
    yield from sensitivity


def _simulated(options_dir: Path | None) -> pd.DataFrame | None:
    """``options-simulated.csv`` of an options folder run with ``--simulate-paths``, if any."""
    path = options_dir / SIMULATED_FILE if options_dir is not None else None
    if path is None or not path.is_file():
        return None
    frame = pd.read_csv(path)
    return frame if "policy" in frame.columns and not frame.empty else None


def horizon_years(run: object) -> int | None:
    """The run's number of years: from its costs table, else from its copy of ``case.toml``
    (``[horizon] years``); ``None`` when neither says."""
    table = getattr(run, "table", None)
    costs = table("costs") if callable(table) else pd.DataFrame()
    if not costs.empty and "year" in costs.columns:
        return int(costs["year"].nunique())
    case_copy = getattr(run, "case_copy", None)
    try:
        case = tomllib.loads((Path(case_copy) / "case.toml").read_text(encoding="utf-8"))
    except (TypeError, OSError, tomllib.TOMLDecodeError):
        return None
    years = (case.get("horizon") or {}).get("years")
    return int(years) if isinstance(years, int) and years > 0 else None


def _table_blocks(
    frame: pd.DataFrame, lang: Lang, screen: bool = False, years: int | None = None
) -> Iterator[Block]:
    """The two-stage options table and chart; ``screen``: below the simulated headline, labelled
    as the quick screen it then is (issue 10 §5). ``years``: the run's horizon, for the intro
    (plans fixed for that many years; it said five whatever the horizon)."""
    frame = frame.sort_values("expected_cash_eur", kind="stable").reset_index(drop=True)
    names = _names(frame, lang)
    base = frame[frame["preset"] == STATUS_QUO]
    ref = float(base["expected_cash_eur"].iloc[0]) if not base.empty else math.nan
    if screen:
        yield Paragraph(_w("screen", lang))
    fixed_for = fmt_years(years, lang) if years else _w("whole_horizon", lang)
    yield Paragraph(_w("intro", lang).format(years=fixed_for))
    ok = frame[frame.get("status", pd.Series(SUCCESS[0], index=frame.index)).isin(SUCCESS)]
    if not ok.empty:
        best = ok.index[0]
        yield Paragraph(
            _w("cheapest", lang).format(
                name=names[best],
                cash=fmt_eur(float(frame.loc[best, "expected_cash_eur"]), lang),
                diff=_signed_eur(float(frame.loc[best, "expected_cash_eur"]) - ref, lang),
            )
        )
    rows = []
    for i, r in frame.iterrows():
        if str(r.get("status", SUCCESS[0])) not in SUCCESS:
            rows.append((names[i], *([_w("no_plan", lang)] + ["–"] * 5)))
            continue
        rows.append(
            (
                names[i],
                fmt_eur(float(r["expected_cash_eur"]), lang),
                fmt_eur(float(r.get("p90_cash_eur", math.nan)), lang),
                _signed_eur(float(r["expected_cash_eur"]) - ref, lang),
                fmt_number(float(r.get("late_case_months", math.nan)), lang),
                fmt_number(float(r.get("emergency_place_months", math.nan)), lang),
                fmt_eur(float(r.get("supplementary_funding_eur", math.nan)), lang),
            )
        )
    header = tuple(_w(k, lang) for k in ("option", "cash", "cash_p90", "cash_diff", "late", "emergency"))
    header = (*header, _w("supplementary", lang))
    source = _w("source", lang)
    title = _w("table", lang)
    if screen:
        title = _w("screen_table", lang).format(title=title[0].lower() + title[1:])
    yield Table(title, header, tuple(rows), (False, *([True] * 6)), small=True, source=source)
    png = options_chart(frame, names, lang)
    if png is not None:
        yield Image(_w("chart", lang), png, source)


def options_chart(frame: pd.DataFrame, names: list[str], lang: Lang) -> bytes | None:
    """Three panels, one bar per option (status quo grey): cash with its P90 as a tick, late
    case-months, emergency place-months. Labels in the report's language, A4 text width."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker as mticker

    ok = frame["expected_cash_eur"].notna()
    if not ok.any():
        return None
    panels = (
        ("expected_cash_eur", "cash_axis", EUR_MILLION),
        ("late_case_months", "late_axis", THOUSAND),
        ("emergency_place_months", "emergency_axis", THOUSAND),
    )
    panels = tuple(p for p in panels if p[0] in frame.columns)
    fig, axes = plt.subplots(
        1, len(panels), figsize=(A4_WIDTH_IN, BAR_HEIGHT_IN * len(frame) + HEAD_IN), sharey=True
    )
    axes = list(axes) if len(panels) > 1 else [axes]
    y = list(range(len(frame)))
    colours = ["#b0b0b0" if p == STATUS_QUO else "#154273" for p in frame["preset"]]
    for ax, (col, label, scale) in zip(axes, panels, strict=True):
        values = [float(v) / scale if math.isfinite(float(v)) else 0.0 for v in frame[col]]
        ax.barh(y, values, color=colours, height=0.6)
        if col == "expected_cash_eur" and "p90_cash_eur" in frame.columns:
            p90 = [float(v) / scale for v in frame["p90_cash_eur"]]
            ax.plot(p90, y, linestyle="none", marker="|", markersize=10, color="#e65100")
        ax.set_title(_w(label, lang), fontsize=8)
        ax.xaxis.set_major_locator(mticker.MaxNLocator(3, min_n_ticks=2))
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _p: fmt_number(v, lang, 0)))
        ax.tick_params(labelsize=7)
        ax.grid(axis="x", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_yticks(y)
    axes[0].set_yticklabels([_short(n) for n in names], fontsize=7)
    axes[0].invert_yaxis()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _short(name: str) -> str:
    """A chart label: the option's name without its explanation in brackets."""
    return name.split(" (", maxsplit=1)[0]


A4_WIDTH_IN = 6.7  # the text width of an A4 page (170 mm)
THOUSAND = 1e3  # counts on the options chart in thousands: tick labels that never touch
BAR_HEIGHT_IN = 0.32
HEAD_IN = 0.8
DPI = 150
