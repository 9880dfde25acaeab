"""The annex sections from simulations through the budget cycle (``bekostiging simulate``).

A simulation folder holds ``summary.csv`` (policy, year, indicator, mean, p90, paths; the
year ``totaal`` over all years), ``comparison.csv`` and ``manifest.json`` (its settings:
``paths`` is ``history``, a scenario set or a named stress path; ``shocks``), and for a run
on history ``validation.csv`` (metric, year, simulated, actual). Each folder given to
``report --simulation DIR`` (or kept in the run's ``analysis/simulate-*`` folders) becomes:

* "Terugblik 2014–2025" — the chain model fed the inflow that really came: simulated against
  real year-end figures (MAPE), then the policies over the same years;
* "Stresstoetsen" — named stress paths or shocks: per policy cash and service;
* "De opties doorgerekend door de begrotingscyclus" — any other set of paths.

Nothing is shown for a folder that holds none of these tables.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bekostiging.report.blocks import Block, Heading, Image, PageBreak, Paragraph, Table
from bekostiging.report.i18n import Lang, fmt_eur, fmt_number, fmt_percent
from bekostiging.report.option_names import STATUS_QUO, preset_words

TOTAL_YEAR = "totaal"
HISTORY = "history"
SUMMARY_FILE, VALIDATION_FILE, MANIFEST_FILE = "summary.csv", "validation.csv", "manifest.json"
RUN_SIMULATIONS = "simulate-*"  # simulation folders kept in a run's analysis folder
# indicator -> (money?, Dutch, English) — the columns of the per-policy tables, cash first
INDICATORS: tuple[tuple[str, bool, str, str], ...] = (
    ("cash_eur", True, "Kasuitgaven", "Cash"),
    ("supplementary_eur", True, "Aanvullende financiering", "Supplementary funding"),
    ("late_cases", False, "Zaak-maanden over de termijn", "Late case-months"),
    ("emergency_places", False, "Noodopvang (plaats-maanden)", "Emergency shelter (place-months)"),
    ("ind_backlog", False, "Voorraad IND aan het eind", "IND backlog at the end"),
)
METRICS: dict[str, tuple[str, str]] = {  # validation metrics (history.validation) in words
    "coa_bezetting": ("Bezetting COA eind jaar", "COA occupancy at year end"),
    "ind_voorraad": ("Voorraad IND eind jaar", "IND backlog at year end"),
    "ind_beslissingen": ("Beslissingen IND in het jaar", "IND decisions in the year"),
    "coa_statushouders": ("Statushouders in de COA-opvang", "Status holders in COA reception"),
}
WORDS: dict[str, tuple[str, str]] = {
    "history": ("Terugblik 2014–2025", "Looking back: 2014–2025"),
    "stress": ("Stresstoetsen", "Stress tests"),
    "cycle": ("De opties doorgerekend door de begrotingscyclus", "The options through the budget cycle"),
    "history_intro": (
        "Het model van de keten is gevoed met de instroom die werkelijk kwam ({first}–{last}), met bij "
        "elk planmoment alleen de MPP-raming die toen bekend was. Wat geen beleid bepaalt, komt uit die "
        "jaren zelf: wat een fte van de IND werkelijk besliste, het inwilligingspercentage en de "
        "huisvesting door gemeenten; elk beleid krijgt daarmee dezelfde omgeving. De tabel zet de "
        "gesimuleerde eindejaarscijfers van het huidige beleid naast de werkelijke; de gemiddelde "
        "absolute afwijking (MAPE) zegt hoe goed het model het verleden naspeelt.",
        "The chain model was fed the inflow that really came ({first}–{last}), with at each planning "
        "moment only the MPP forecast known then. What no policy decides comes from those years "
        "themselves: what an IND FTE really decided, the permit share and the housing by "
        "municipalities; every policy thus faces the same environment. The table sets the simulated "
        "year-end figures of the status quo beside the real ones; the mean absolute percentage error "
        "(MAPE) says how well the model replays the past.",
    ),
    "validation_table": ("Gesimuleerd tegen werkelijk, per jaar", "Simulated against real, per year"),
    "mape_table": ("Afwijking van het model per grootheid", "The model's error per quantity"),
    "mape_sentence": (
        "Gemiddelde absolute afwijking over {first}–{last}: {parts}.",
        "Mean absolute percentage error over {first}–{last}: {parts}.",
    ),
    "validation_chart": (
        "Gesimuleerd (blauw) en werkelijk (zwart), eindejaarscijfers",
        "Simulated (blue) and real (black), year-end figures",
    ),
    "quantity": ("Grootheid", "Quantity"),
    "year": ("Jaar", "Year"),
    "simulated": ("Gesimuleerd", "Simulated"),
    "actual": ("Werkelijk", "Real"),
    "difference": ("Afwijking", "Error"),
    "mape": ("MAPE", "MAPE"),
    "policy": ("Beleid", "Policy"),
    "stress_intro": (
        "Wat gebeurt er als {what}? Elk beleid is door dezelfde stressinstroom gesimuleerd, met "
        "bijsturing bij elk planmoment op de raming van dat moment.",
        "What happens if {what}? Each policy was simulated through the same stressed inflow, re-planning "
        "at every planning moment on that moment's forecast.",
    ),
    "cycle_intro": (
        "Elk beleid is maand voor maand gesimuleerd over {n}, met bijsturing bij elk "
        "planmoment op de MPP-raming van dat moment. Gemiddelde over de paden; P90 tussen haakjes. "
        "Dit is de hoofdvergelijking van de opties; de vergelijking van vaste plannen is een snelle eerste "
        "toets.",
        "Each policy was simulated month by month over {n}, re-planning at each planning "
        "moment on that moment's MPP forecast. Mean over the paths; P90 in brackets. This is the headline "
        "comparison of the options; the comparison of fixed plans is a quick first screen.",
    ),
    "policy_table": (
        "Uitkomsten per beleid, alle jaren samen: {what}",
        "Outcomes per policy, all years together: {what}",
    ),
    "if": ("als {what}", "if {what}"),
    "over_paths": ("gemiddelde over {what} (P90 tussen haakjes)", "mean over {what} (P90 in brackets)"),
    "history_paths": ("op de werkelijke instroom", "on the real inflow"),
    "source": (
        "Bron: simulatie van het bekostigingsmodel door de begrotingscyclus ({what}), gemaakt op {date}.",
        "Source: simulation of the funding model through the budget cycle ({what}), made on {date}.",
    ),
    "source_real": (
        "Bron: simulatie van het bekostigingsmodel op de werkelijke instroom, gemaakt op {date}; "
        "werkelijke cijfers: jaarcijfers van COA en IND ({keys}, zie de bronnen van de historie).",
        "Source: simulation of the funding model on the real inflow, made on {date}; real figures: "
        "COA and IND yearly figures ({keys}, see the sources of the history).",
    ),
    "shock": (
        "de instroom in {year} {pct} hoger uitvalt dan verwacht",
        "inflow in {year} is {pct} above forecast",
    ),
    "named_stress": ("de stressinstroom '{name}' optreedt", "the stress path '{name}' occurs"),
}
STRESS_WORDS: dict[str, tuple[str, str]] = {  # named stress paths (history.stress) in words
    "2015-in-2027": ("de asielpiek van 2015 zich in 2027 herhaalt", "the 2015 surge recurs in 2027"),
    "2022-opnieuw": ("de stijging van 2022 zich herhaalt", "the 2022 rise happens again"),
    "mpp-plus-20": (
        "de instroom volgend jaar 20% boven de MPP-raming (midden) ligt",
        "inflow next year is 20% above the MPP forecast (mid)",
    ),
}
STRESS_ALL = "stress"  # --paths stress: every named stress path in one simulation
SIMULATION_FILE = "simulation.csv"


def _w(key: str, lang: Lang) -> str:
    nl, en = WORDS[key]
    return nl if lang == "nl" else en


@dataclass(frozen=True)
class SimulationFolder:
    """One simulation's tables, as read back."""

    kind: str  # "history", "stress" or "cycle"
    summary: pd.DataFrame
    validation: pd.DataFrame
    settings: dict[str, object]
    per_path: pd.DataFrame = field(default_factory=pd.DataFrame)  # stress: policy, path, indicator, value
    created: str = ""  # the day the simulation was made (manifest)


def read_folder(folder: Path) -> SimulationFolder | None:
    """A simulation folder's tables; None when it holds neither a summary nor a validation table."""
    summary = _csv(folder / SUMMARY_FILE)
    validation = _csv(folder / VALIDATION_FILE)
    if "year" in validation.columns:  # the rows per year; the annex scores them itself (no 'mape' rows)
        validation = validation[validation["year"].astype(str).str.fullmatch(r"\d+")]
        validation = validation.astype({"year": int}).reset_index(drop=True)
    if summary.empty and validation.empty and not (folder / SIMULATION_FILE).is_file():
        return None
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    settings = manifest.get("settings", {}) if isinstance(manifest, dict) else {}
    settings = settings if isinstance(settings, dict) else {}
    paths = str(settings.get("paths", ""))
    if not validation.empty or paths == HISTORY:
        kind = "history"
    elif settings.get("shocks") or paths in STRESS_WORDS or paths == STRESS_ALL:
        kind = "stress"
    else:
        kind = "cycle"
    per_path = _per_path(folder / SIMULATION_FILE) if kind == "stress" else pd.DataFrame()
    created = str(manifest.get("created", ""))[:10] if isinstance(manifest, dict) else ""
    return SimulationFolder(kind, summary, validation, settings, per_path, created)


def _per_path(path: Path) -> pd.DataFrame:
    """policy, path, indicator, value over all years, per path (each stress path on its own)."""
    tidy = _csv(path)
    if tidy.empty or not {"policy", "path", "month", "metric", "value"} <= set(tidy.columns):
        return pd.DataFrame()
    from bekostiging.simulate.output import TOTAL_YEAR as TOTAL
    from bekostiging.simulate.output import yearly

    per = yearly(tidy.astype({"month": str}))
    return per[per["year"].astype(str) == TOTAL].drop(columns="year").reset_index(drop=True)


def _csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        return pd.DataFrame()
    try:
        return pd.read_csv(path)
    except (OSError, ValueError, pd.errors.EmptyDataError):
        return pd.DataFrame()


def simulation_folders(dirs: Sequence[Path], run: object) -> list[SimulationFolder]:
    """The folders given, then the simulations kept in the run's analysis folder (in name order)."""
    run_path = getattr(run, "path", None)
    kept = sorted((Path(run_path) / "analysis").glob(RUN_SIMULATIONS)) if run_path is not None else []
    out = []
    for folder in [*dirs, *kept]:
        read = read_folder(Path(folder))
        if read is not None:
            out.append(read)
    return out


def simulation_blocks(dirs: Sequence[Path], run: object, lang: Lang) -> Iterator[Block]:
    """The sections "Terugblik 2014–2025", "Stresstoetsen" and the options by simulation, each
    only when a folder of its kind exists (history first, then stress tests, then the rest)."""
    folders = simulation_folders(dirs, run)
    first = True
    for kind in ("cycle", "history", "stress"):
        mine = [f for f in folders if f.kind == kind]
        if not mine:
            continue
        if not first:
            yield PageBreak()  # each section starts on its own page
        first = False
        yield Heading(_w(kind, lang), 1)
        for folder in mine:
            if kind == "history":
                yield from _history_blocks(folder, lang)
            else:
                yield from _policy_blocks(folder, kind, lang)


# --------------------------------------------------------------------------- history


def _history_blocks(folder: SimulationFolder, lang: Lang) -> Iterator[Block]:
    v = folder.validation
    simulated_years = sorted(
        int(y) for y in folder.summary.get("year", pd.Series(dtype=str)) if str(y).isdigit()
    )
    checked = sorted(int(y) for y in v["year"].dropna()) if not v.empty else simulated_years
    years = simulated_years or checked
    first, last = (years[0], years[-1]) if years else ("", "")
    yield Paragraph(_w("history_intro", lang).format(first=first, last=last))
    keys = ""
    if not v.empty and "source" in v.columns:
        keys = ", ".join(dict.fromkeys(str(x).split(" (")[0] for x in v["source"].dropna()))
    source = _w("source_real", lang).format(date=folder.created or "–", keys=keys or "–")
    if not v.empty and {"metric", "year", "simulated", "actual"} <= set(v.columns):
        if "policy" in v.columns:  # the chain model against the past: the status quo as practised
            chosen = STATUS_QUO if STATUS_QUO in set(v["policy"]) else str(v["policy"].iloc[0])
            v = v[v["policy"] == chosen]
        span = (checked[0], checked[-1]) if checked else ("", "")
        yield from _validation_blocks(v, lang, *span, source)
    if not folder.summary.empty:
        yield from _policy_table(folder.summary, _w("history_paths", lang), lang, source)


def mape(frame: pd.DataFrame) -> pd.Series:
    """metric -> mean absolute percentage error of simulated against actual (years with actual > 0)."""
    f = frame.dropna(subset=["simulated", "actual"])
    f = f[f["actual"].astype(float) != 0]
    err = (f["simulated"].astype(float) - f["actual"].astype(float)).abs() / f["actual"].astype(float).abs()
    return err.groupby(f["metric"]).mean()


def _metric_words(metric: str, lang: Lang) -> str:
    nl, en = METRICS.get(metric, (metric.replace("_", " "), metric.replace("_", " ")))
    return nl if lang == "nl" else en


def _validation_blocks(
    v: pd.DataFrame, lang: Lang, first: object, last: object, source: str
) -> Iterator[Block]:
    """The MAPE per quantity in a sentence; a table with a row per year and, per quantity, the model
    beside the real figure; the chart (real in black)."""
    errors = mape(v)
    parts = ", ".join(f"{_metric_words(m, lang)} {fmt_percent(e, lang)}" for m, e in errors.items())
    if parts:
        yield Paragraph(_w("mape_sentence", lang).format(first=first, last=last, parts=parts))
    metrics = [m for m in METRICS if m in set(v["metric"])] + sorted(set(v["metric"]) - set(METRICS))
    header: list[str] = [_w("year", lang)]
    for m in metrics:
        header += [f"{_metric_words(m, lang)}: {_w('simulated', lang).lower()}", _w("actual", lang).lower()]
    rows = []
    for year in sorted({int(y) for y in v["year"].dropna()}):
        row = [str(year)]
        for m in metrics:
            hit = v[(v["metric"] == m) & (v["year"].astype(int) == year)]
            if hit.empty:
                row += ["–", "–"]
                continue
            row += [
                fmt_number(float(hit["simulated"].iloc[0]), lang),
                fmt_number(float(hit["actual"].iloc[0]), lang),
            ]
        rows.append(tuple(row))
    numeric = (False, *([True] * (len(header) - 1)))
    yield Table(_w("validation_table", lang), tuple(header), tuple(rows), numeric, small=True, source=source)
    png = validation_chart(v, lang)
    if png is not None:
        yield Image(_w("validation_chart", lang), png, source)


def validation_chart(v: pd.DataFrame, lang: Lang) -> bytes | None:
    """One small panel per metric: real (black) and simulated (blue) per year."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker as mticker

    metrics = list(dict.fromkeys(v["metric"]))
    if not metrics:
        return None
    fig, axes = plt.subplots(1, len(metrics), figsize=(A4_WIDTH_IN, PANEL_HEIGHT_IN), squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=True):
        part = v[v["metric"] == metric].sort_values("year")
        ax.plot(
            part["year"], part["actual"], color="black", marker="o", markersize=3, label=_w("actual", lang)
        )
        ax.plot(
            part["year"], part["simulated"], color="C0", marker="o", markersize=3, label=_w("simulated", lang)
        )
        ax.set_title(_metric_words(str(metric), lang), fontsize=8)
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda x, _p: fmt_number(x, lang, 0)))
        ax.xaxis.set_major_locator(mticker.MaxNLocator(4, integer=True))
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    axes.flat[0].legend(fontsize=7, frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


# --------------------------------------------------------------------------- stress tests and cycle


def _what(settings: dict[str, object], lang: Lang) -> str:
    pick = 0 if lang == "nl" else 1
    shocks = settings.get("shocks") or []
    if isinstance(shocks, list) and shocks:
        parts = []
        for shock in shocks:
            year, _, pct = str(shock).partition(":")
            parts.append(_w("shock", lang).format(year=year, pct=pct))
        return (" en " if pick == 0 else " and ").join(parts)
    name = str(settings.get("paths", ""))
    if name in STRESS_WORDS:
        return STRESS_WORDS[name][pick]
    return _w("named_stress", lang).format(name=name)


def _path_words(name: str, lang: Lang) -> str:
    pick = 0 if lang == "nl" else 1
    base, plus, _ = name.partition("+shock")
    words = STRESS_WORDS[base][pick] if base in STRESS_WORDS else _w("named_stress", lang).format(name=base)
    return words + ((" (met schok)" if pick == 0 else " (with a shock)") if plus else "")


def _stress_blocks(folder: SimulationFolder, lang: Lang) -> Iterator[Block]:
    """Per stress path: what it is in words, and per policy cash and service over all years."""
    per = folder.per_path
    for path in dict.fromkeys(per["path"].astype(str)):
        what = _path_words(path, lang)
        yield Paragraph(_w("stress_intro", lang).format(what=what))
        part = per[per["path"].astype(str) == path]
        summary = part.assign(year=TOTAL_YEAR, mean=part["value"], p90=part["value"])
        source = _w("source", lang).format(what=what, date=folder.created or "–")
        yield from _policy_table(summary, _w("if", lang).format(what=what), lang, source)


def _policy_blocks(folder: SimulationFolder, kind: str, lang: Lang) -> Iterator[Block]:
    if kind == "stress" and not folder.per_path.empty:
        yield from _stress_blocks(folder, lang)
        return
    if folder.summary.empty:
        return
    if kind == "stress":
        what = _what(folder.settings, lang)
        yield Paragraph(_w("stress_intro", lang).format(what=what))
    else:
        n = folder.settings.get("paths_count") or int(folder.summary.get("paths", pd.Series([0])).max())
        what = _paths_words(int(n or 0), lang)
        yield Paragraph(_w("cycle_intro", lang).format(n=what))
    source = _w("source", lang).format(what=what, date=folder.created or "–")
    title = _w("if" if kind == "stress" else "over_paths", lang).format(what=what)
    yield from _policy_table(folder.summary, title, lang, source)


def _cell(mean: float, p90: float, money: bool, lang: Lang) -> str:
    fmt = (lambda x: fmt_eur(x, lang)) if money else (lambda x: fmt_number(x, lang))
    if not math.isfinite(mean):
        return "–"
    return fmt(mean) if not math.isfinite(p90) or p90 == mean else f"{fmt(mean)} ({fmt(p90)})"


def _policy_table(summary: pd.DataFrame, what: str, lang: Lang, source: str = "") -> Iterator[Block]:
    """Per policy, over all years: mean (P90) of cash and service, status quo first."""
    need = {"policy", "year", "indicator", "mean"}
    if not need <= set(summary.columns):
        return
    total = summary[summary["year"].astype(str) == TOTAL_YEAR]
    if total.empty:
        return
    policies = list(dict.fromkeys(total["policy"].astype(str)))
    policies.sort(key=lambda p: (p != STATUS_QUO,))
    shown = [ind for ind in INDICATORS if ind[0] in set(total["indicator"])]
    rows = []
    for number, policy in enumerate(policies, start=1):
        part = total[total["policy"].astype(str) == policy].set_index("indicator")
        cells = []
        for ind, money, _nl, _en in shown:
            mean = float(part.loc[ind, "mean"]) if ind in part.index else math.nan
            p90 = float(part.loc[ind, "p90"]) if ind in part.index and "p90" in part.columns else math.nan
            cells.append(_cell(mean, p90, money, lang))
        rows.append((_policy_words(policy, lang, number), *cells))
    header = (_w("policy", lang), *((nl if lang == "nl" else en) for _i, _m, nl, en in shown))
    yield Table(
        _w("policy_table", lang).format(what=what),
        header,
        tuple(rows),
        (False, *([True] * len(shown))),
        small=True,
        source=source,
    )


def comparison_as_summary(comparison: pd.DataFrame) -> pd.DataFrame:
    """A ``comparison.csv`` (policy, <indicator>_mean, <indicator>_p90, …) in the summary's long form
    (policy, year ``totaal``, indicator, mean, p90)."""
    rows = []
    for r in comparison.to_dict("records"):
        for ind, *_ in INDICATORS:
            if f"{ind}_mean" in r:
                p90 = r.get(f"{ind}_p90", math.nan)
                rows.append(
                    {
                        "policy": r["policy"],
                        "year": TOTAL_YEAR,
                        "indicator": ind,
                        "mean": r[f"{ind}_mean"],
                        "p90": p90,
                    }
                )
    return pd.DataFrame(rows, columns=["policy", "year", "indicator", "mean", "p90"])


def simulated_options_blocks(comparison: pd.DataFrame, lang: Lang, source: str = "") -> Iterator[Block]:
    """The options by simulation through the budget cycle (``options --simulate-paths``), the headline."""
    summary = comparison_as_summary(comparison)
    if summary.empty:
        return
    n = int(comparison["paths"].max()) if "paths" in comparison.columns else 0
    what = _paths_words(n, lang)
    yield Paragraph(_w("cycle_intro", lang).format(n=what))
    yield from _policy_table(summary, _w("over_paths", lang).format(what=what), lang, source)


def _paths_words(n: int, lang: Lang) -> str:
    if n:
        return fmt_number(float(n), lang) + (" instroompaden" if lang == "nl" else " inflow paths")
    return "de instroompaden van de scenarioset" if lang == "nl" else "the inflow paths of the scenario set"


def _policy_words(policy: str, lang: Lang, number: int) -> str:
    """A simulated policy in words: presets as the letter names them, the lookahead and the tuned rule."""
    base, _, rest = policy.partition(":")
    if base == "lookahead":
        inner = preset_words(rest or "vrij", lang, number)
        return ("Vooruitkijkend plannen: " if lang == "nl" else "Lookahead planning: ") + inner
    if base == "tuned":
        return "Eenvoudige afgestelde regel" if lang == "nl" else "Simple tuned rule"
    return preset_words(policy, lang, number)


A4_WIDTH_IN = 6.7
PANEL_HEIGHT_IN = 2.2
DPI = 150
