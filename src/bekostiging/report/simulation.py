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
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bekostiging.report.blocks import Block, Heading, Image, Paragraph, Table
from bekostiging.report.i18n import Lang, fmt_eur, fmt_number, fmt_percent
from bekostiging.report.options_section import STATUS_QUO, preset_words

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
METRICS: dict[str, tuple[str, str]] = {  # validation metrics in words
    "coa_occupancy": ("Bezetting COA eind jaar", "COA occupancy at year end"),
    "occupancy": ("Bezetting COA eind jaar", "COA occupancy at year end"),
    "ind_backlog": ("Voorraad IND eind jaar", "IND backlog at year end"),
    "ind_decisions": ("Beslissingen IND in het jaar", "IND decisions in the year"),
    "decisions": ("Beslissingen IND in het jaar", "IND decisions in the year"),
}
WORDS: dict[str, tuple[str, str]] = {
    "history": ("Terugblik 2014–2025", "Looking back: 2014–2025"),
    "stress": ("Stresstoetsen", "Stress tests"),
    "cycle": ("De opties doorgerekend door de begrotingscyclus", "The options through the budget cycle"),
    "history_intro": (
        "Het model van de keten is gevoed met de instroom die werkelijk kwam ({first}–{last}), met bij "
        "elk planmoment alleen de MPP-raming die toen bekend was. De tabel zet de gesimuleerde "
        "eindejaarscijfers naast de werkelijke; de gemiddelde absolute afwijking (MAPE) zegt hoe goed "
        "het model het verleden naspeelt.",
        "The chain model was fed the inflow that really came ({first}–{last}), with at each planning "
        "moment only the MPP forecast known then. The table sets the simulated year-end figures beside "
        "the real ones; the mean absolute percentage error (MAPE) says how well the model replays the past.",
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
        "bijsturing bij elk planmoment. Gemiddelde over de paden; P90 tussen haakjes.",
        "What happens if {what}? Each policy was simulated through the same stressed inflow, re-planning "
        "at every planning moment. Mean over the paths; P90 in brackets.",
    ),
    "cycle_intro": (
        "Elk beleid is maand voor maand gesimuleerd over {n} instroompaden, met bijsturing bij elk "
        "planmoment op de MPP-raming van dat moment. Gemiddelde over de paden; P90 tussen haakjes. "
        "Dit is de hoofdvergelijking van de opties; de vergelijking van vaste plannen is een snelle eerste "
        "toets.",
        "Each policy was simulated month by month over {n} inflow paths, re-planning at each planning "
        "moment on that moment's MPP forecast. Mean over the paths; P90 in brackets. This is the headline "
        "comparison of the options; the comparison of fixed plans is a quick first screen.",
    ),
    "policy_table": (
        "Uitkomsten per beleid over alle jaren ({what})",
        "Outcomes per policy over all years ({what})",
    ),
    "history_paths": ("de werkelijke instroom", "the real inflow"),
    "shock": (
        "de instroom in {year} {pct} hoger uitvalt dan verwacht",
        "inflow in {year} is {pct} above forecast",
    ),
    "named_stress": ("de stressinstroom '{name}' optreedt", "the stress path '{name}' occurs"),
}
STRESS_WORDS: dict[str, tuple[str, str]] = {  # named stress paths in words
    "2015-in-2027": ("de instroom van 2015 zich in 2027 herhaalt", "the inflow of 2015 recurs in 2027"),
    "2022-again": ("de toename van 2022 zich herhaalt", "the 2022 surge happens again"),
    "mpp+20": (
        "de instroom volgend jaar 20% boven de MPP-raming ligt",
        "inflow next year is 20% above the MPP",
    ),
}


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


def read_folder(folder: Path) -> SimulationFolder | None:
    """A simulation folder's tables; None when it holds neither a summary nor a validation table."""
    summary = _csv(folder / SUMMARY_FILE)
    validation = _csv(folder / VALIDATION_FILE)
    if summary.empty and validation.empty:
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
    elif settings.get("shocks") or paths in STRESS_WORDS or paths.startswith("stress"):
        kind = "stress"
    else:
        kind = "cycle"
    return SimulationFolder(kind, summary, validation, settings)


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
    for kind in ("cycle", "history", "stress"):
        mine = [f for f in folders if f.kind == kind]
        if not mine:
            continue
        yield Heading(_w(kind, lang), 1)
        for folder in mine:
            if kind == "history":
                yield from _history_blocks(folder, lang)
            else:
                yield from _policy_blocks(folder, kind, lang)


# --------------------------------------------------------------------------- history


def _history_blocks(folder: SimulationFolder, lang: Lang) -> Iterator[Block]:
    v = folder.validation
    years = (
        sorted(int(y) for y in v["year"].dropna())
        if not v.empty
        else sorted(int(y) for y in folder.summary["year"] if str(y).isdigit())
    )
    first, last = (years[0], years[-1]) if years else ("", "")
    yield Paragraph(_w("history_intro", lang).format(first=first, last=last))
    if not v.empty and {"metric", "year", "simulated", "actual"} <= set(v.columns):
        yield from _validation_blocks(v, lang, first, last)
    if not folder.summary.empty:
        yield from _policy_table(folder.summary, _w("history_paths", lang), lang)


def mape(frame: pd.DataFrame) -> pd.Series:
    """metric -> mean absolute percentage error of simulated against actual (years with actual > 0)."""
    f = frame.dropna(subset=["simulated", "actual"])
    f = f[f["actual"].astype(float) != 0]
    err = (f["simulated"].astype(float) - f["actual"].astype(float)).abs() / f["actual"].astype(float).abs()
    return err.groupby(f["metric"]).mean()


def _metric_words(metric: str, lang: Lang) -> str:
    nl, en = METRICS.get(metric, (metric.replace("_", " "), metric.replace("_", " ")))
    return nl if lang == "nl" else en


def _validation_blocks(v: pd.DataFrame, lang: Lang, first: object, last: object) -> Iterator[Block]:
    errors = mape(v)
    parts = ", ".join(f"{_metric_words(m, lang).lower()} {fmt_percent(e, lang)}" for m, e in errors.items())
    if parts:
        yield Paragraph(_w("mape_sentence", lang).format(first=first, last=last, parts=parts))
    rows = []
    for r in v.sort_values(["metric", "year"]).itertuples(index=False):
        sim, act = float(r.simulated), float(r.actual)
        diff = (sim - act) / act if act and math.isfinite(act) and math.isfinite(sim) else math.nan
        rows.append(
            (
                _metric_words(str(r.metric), lang),
                str(int(r.year)),
                fmt_number(sim, lang),
                fmt_number(act, lang),
                fmt_percent(diff, lang) if math.isfinite(diff) else "–",
            )
        )
    header = tuple(_w(k, lang) for k in ("quantity", "year", "simulated", "actual", "difference"))
    yield Table(
        _w("validation_table", lang), header, tuple(rows), (False, False, True, True, True), small=True
    )
    png = validation_chart(v, lang)
    if png is not None:
        yield Image(_w("validation_chart", lang), png)


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


def _policy_blocks(folder: SimulationFolder, kind: str, lang: Lang) -> Iterator[Block]:
    if folder.summary.empty:
        return
    if kind == "stress":
        what = _what(folder.settings, lang)
        yield Paragraph(_w("stress_intro", lang).format(what=what))
    else:
        n = folder.settings.get("paths_count") or int(folder.summary.get("paths", pd.Series([0])).max())
        what = fmt_number(float(n), lang) + (" paden" if lang == "nl" else " paths")
        yield Paragraph(_w("cycle_intro", lang).format(n=fmt_number(float(n), lang)))
    yield from _policy_table(folder.summary, what, lang)


def _cell(mean: float, p90: float, money: bool, lang: Lang) -> str:
    fmt = (lambda x: fmt_eur(x, lang)) if money else (lambda x: fmt_number(x, lang))
    if not math.isfinite(mean):
        return "–"
    return fmt(mean) if not math.isfinite(p90) or p90 == mean else f"{fmt(mean)} ({fmt(p90)})"


def _policy_table(summary: pd.DataFrame, what: str, lang: Lang) -> Iterator[Block]:
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
    )


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
