"""``bekostiging scenarios generate|show|backtest``: make, inspect and back-test inflow scenario sets.

Input problems end the command with exit code 2 and one line per problem on
stderr, never a traceback.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
import numpy as np

from bekostiging.cli import main
from bekostiging.cli.case import InputProblemsError, weighted_quantile
from bekostiging.cli.defaults import case_or_default
from bekostiging.cli.lang import LANG_DEFAULT_SHOWN
from bekostiging.errors import InputErrors, InputProblem
from bekostiging.history import History, load_history
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set, resolve_scenario_set, write_scenario_set
from bekostiging.messages import env_lang, localise
from bekostiging.report.i18n import term
from bekostiging.scenarios import METHODS, generate, mpp_scenarios
from bekostiging.scenarios.backtest import MPP_BAND, run_backtest, summarise
from bekostiging.scenarios.calibrated import CALIBRATED_METHODS
from bekostiging.scenarios.generate import CALIBRATED, TAIL_FACTOR, UNCALIBRATED, tail_check
from bekostiging.schema import Case, Category, ScenarioSet
from bekostiging.shipped import history_dir as shipped_history_dir

PERCENTILES = (0.10, 0.50, 0.90)  # fan-chart bands and terminal table: P10 / P50 / P90
YEAR_CHARS = 4  # period labels start with the year: 2026-01, 2026-Q1
CHART_DIR = Path("runs") / "scenarios"  # default fan-chart folder (runs/ is git-ignored)
CHART_DPI = 120  # resolution of the fan chart PNG
CHART_SIZE_IN = (11.0, 7.0)  # width, height of the fan chart in inches
BAND_ALPHA = 0.25  # shading of the P10-P90 band
TOTAL = "total"
LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(["nl", "en"]),
    default=env_lang,
    show_default=LANG_DEFAULT_SHOWN,
    help="Language of the output.",
)
SC_WORDS: dict[str, tuple[str, str]] = {  # generate, show and reduce in the user's language
    "wrote_set": (
        "{n} scenario's x {periods} perioden geschreven ({method}{seed}) naar {folder}",
        "wrote {n} scenarios x {periods} periods ({method}{seed}) to {folder}",
    ),
    "seed": (", startwaarde toevalsgenerator {seed}", ", seed {seed}"),
    "tail_warning": (
        "waarschuwing: {above} van {cells} scenariojaren liggen boven {factor} x het recordjaar "
        "({record}; hoogste getrokken {top}): {method} onthoudt niet waar de instroom gewoonlijk ligt "
        "en de staarten gaan verder dan de historie steunt; kies liever {better} "
        "(bekostiging scenarios backtest)",
        "warning: {above} of {cells} scenario-years exceed {factor} x the record year ({record}; "
        "highest drawn {top}): {method} has no memory of where inflow usually is, and its tails "
        "exceed what the history supports; prefer {better} (bekostiging scenarios backtest)",
    ),
    "tail_note": (
        "let op: {above} van {cells} scenariojaren liggen boven {factor} x het recordjaar ({record}; "
        "hoogste {top}): de geschatte piekcomponent; zie bekostiging scenarios backtest voor hoe "
        "vaak zulke intervallen klopten",
        "note: {above} of {cells} scenario-years exceed {factor} x the record year ({record}; highest "
        "{top}): the fitted surge component; see bekostiging scenarios backtest for how often such "
        "intervals held",
    ),
    "or": (" of ", " or "),
    "set_head": (
        "Scenarioset {name}: {n} scenario's, {first}..{last}, methode {method}",
        "Scenario set {name}: {n} scenarios, {first}..{last}, method {method}",
    ),
    "source": ("bron: {source} (gegevens van {created})", "source: {source} (data vintage {created})"),
    "category": ("categorie", "category"),
    "year": ("jaar", "year"),
    "persons_per_year": ("(personen per jaar)", "(persons per year)"),
    "fan_chart": ("waaiergrafiek", "fan chart"),
    "persons_per_period": ("personen per periode", "persons per period"),
    "fan_title": ("Instroomscenario's {name} ({n} scenario's)", "Inflow scenarios {name} ({n} scenarios)"),
    "kept": (
        "{k} van {n} scenario's van {name} gehouden (snelle voorwaartse selectie); Kantorovich-afstand "
        "{distance} personen; grootste gehouden kans {largest}; geschreven: {folder}",
        "kept {k} of {n} scenarios of {name} (fast forward selection); Kantorovich distance "
        "{distance} persons; largest kept probability {largest}; wrote {folder}",
    ),
    "first": ("eerste aanvragen", "first"),
    "nareis": ("nareis", "nareis"),
    "repeat": ("herhaalde aanvragen", "repeat"),
    "total": ("totaal", "total"),
}


def _sw(key: str, lang: str) -> str:
    nl, en = SC_WORDS[key]
    return nl if lang == "nl" else en


def _num(value: float, lang: str, decimals: int = 0) -> str:
    from bekostiging.report.i18n import fmt_number

    return fmt_number(value, "nl" if lang == "nl" else "en", decimals)


def _in_folder(problems: list[InputProblem], folder: Path) -> list[InputProblem]:
    """Name each file with its folder (``data/nl-2026/scenarios/mpp/inflow.csv``)."""
    return [replace(p, file=str(folder / p.file)) if Path(p.file).name == p.file else p for p in problems]


def _load_case(case_dir: Path) -> Case:
    try:
        return load_case(case_dir)
    except InputErrors as exc:
        raise InputProblemsError(exc.problems) from exc


@main.group("scenarios")
def scenarios() -> None:
    """Make and inspect inflow scenario sets (folders of CSV + provenance.toml)."""


def _load_history(history_dir: Path | None) -> History:
    folder = history_dir if history_dir is not None else shipped_history_dir()
    try:
        return load_history(folder)
    except InputErrors as exc:
        raise InputProblemsError(_in_folder(exc.problems, folder)) from exc


def backtest_note(history: History, method: str, seed: int) -> str:
    """One sentence with the method's back-test scores (origins 2012-2021, horizons 1-5)."""
    table = run_backtest(history, [method, "bootstrap"], range(*BACKTEST_ORIGINS), BACKTEST_HORIZONS,
                         seed=seed)
    summary = summarise(table)
    at80 = summary[summary.level == REPORT_LEVEL]
    own = at80[at80.method == method].set_index("horizon")
    boot = at80[at80.method == "bootstrap"].set_index("horizon")
    cells = "; ".join(
        f"h{h}: coverage {own.loc[h, 'coverage']:.0%}, CRPS {own.loc[h, 'mean_crps']:,.0f} "
        f"(bootstrap {boot.loc[h, 'mean_crps']:,.0f})"
        for h in own.index
    )
    return (f"Back-test (bekostiging scenarios backtest, origins {BACKTEST_ORIGINS[0]}-"
            f"{BACKTEST_ORIGINS[1] - 1}, seed {seed}), 80% central intervals: {cells}.")


BACKTEST_ORIGINS = (2012, 2022)  # range(): origins 2012-2021 (the back-test window)
BACKTEST_HORIZONS = 5
REPORT_LEVEL = 0.8


@scenarios.command("generate")
@click.option(
    "--method",
    type=click.Choice([*METHODS, "mpp"]),
    required=True,
    help="logar: log-AR(1) + surge fitted on data/history, year 1 at the MPP mid; mpp-error: "
    "the MPP's own past errors; bootstrap: resample historical yearly changes; lognormal: "
    "around the MPP mid path; mpp: the three MPP bands (ignores --n and --seed).",
)
@click.option(
    "--n", "n", type=click.IntRange(min=1), default=50, show_default=True, help="Number of scenarios."
)
@click.option("--seed", type=int, default=2026, show_default=True, help="Random seed.")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="New folder for the set (refused if it exists and is not empty).",
)
@click.option(
    "--case",
    "case_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Case folder: horizon, MPP and seasonality [default: the shipped nl-2026].",
)
@click.option("--history", "history_dir", type=click.Path(path_type=Path), default=None,
              help="History folder the calibrated methods are fitted on [default: the shipped "
              "data/history].")
@click.option("--record-backtest", is_flag=True,
              help="Run the back-test of the method (origins 2012-2021) and record its scores "
              "in provenance.toml (a few seconds).")
@LANG_OPTION
def generate_command(method: str, n: int, seed: int, out: Path, case_dir: Path | None,
                     history_dir: Path | None, record_backtest: bool, lang: str) -> None:
    """Generate a scenario set; the same seed gives byte-identical files."""
    case = _load_case(case_or_default(case_dir))
    history = _load_history(history_dir) if method != "mpp" else None
    extra = backtest_note(history, method, seed) if record_backtest and history is not None else ""
    try:
        scenario_set = (
            mpp_scenarios(case, name=out.name) if method == "mpp"
            else generate(case, method, n, seed, name=out.name, history_data=history, notes_extra=extra)
        )
    except ValueError as exc:
        raise InputProblemsError([InputProblem(str(history_dir or "data/history"), "history", str(exc),
                                               "enough history to calibrate the method")]) from exc
    try:
        folder = write_scenario_set(scenario_set, out)
    except InputErrors as exc:
        raise InputProblemsError(exc.problems) from exc
    seed_text = _sw("seed", lang).format(seed=seed) if scenario_set.provenance.seed is not None else ""
    click.echo(
        _sw("wrote_set", lang).format(
            n=len(scenario_set.scenarios),
            periods=len(scenario_set.periods),
            method=scenario_set.provenance.method,
            seed=seed_text,
            folder=folder,
        )
    )
    if history is not None:
        above, cells, record, top = tail_check(scenario_set, history)
        words = {
            "above": above,
            "cells": cells,
            "factor": _num(TAIL_FACTOR, lang, 1),
            "record": _num(record, lang),
            "top": _num(top, lang),
            "method": method,
            "better": _sw("or", lang).join(CALIBRATED),
        }
        if above and method in UNCALIBRATED:
            click.echo(_sw("tail_warning", lang).format(**words))
        elif above:
            click.echo(_sw("tail_note", lang).format(**words))


# --------------------------------------------------------------------------- show


def _series(scenario_set: ScenarioSet) -> dict[str, np.ndarray]:
    """(scenarios, periods) inflow per category and in total."""
    data: dict[str, np.ndarray] = {}
    for i, category in enumerate(scenario_set.categories):
        data[category.value] = scenario_set.inflow_persons[:, :, i]
    data[TOTAL] = scenario_set.inflow_persons.sum(axis=2)
    return data


def yearly_percentiles(scenario_set: ScenarioSet) -> dict[str, dict[int, list[float]]]:
    """Per category (and total) and year: P10/P50/P90 of yearly inflow over scenarios."""
    years = np.array([int(p[:YEAR_CHARS]) for p in scenario_set.periods])
    weights = scenario_set.probabilities
    result: dict[str, dict[int, list[float]]] = {}
    for key, values in _series(scenario_set).items():
        result[key] = {}
        for year in sorted(set(years.tolist())):
            per_scenario = values[:, years == year].sum(axis=1)
            result[key][year] = [weighted_quantile(per_scenario, weights, q) for q in PERCENTILES]
    return result


def percentile_lines(scenario_set: ScenarioSet, lang: str = "nl") -> list[str]:
    """The terminal table: one line per category and year, in ``lang``'s words and number format."""
    p = scenario_set.provenance
    head = _sw("set_head", lang).format(
        name=scenario_set.name,
        n=len(scenario_set.scenarios),
        first=scenario_set.periods[0],
        last=scenario_set.periods[-1],
        method=p.method,
    )
    head += _sw("seed", lang).format(seed=p.seed) if p.seed is not None else ""
    source = localise(p.source, lang)  # the generator's own words in the user's language
    lines = [head, _sw("source", lang).format(source=source, created=p.created.isoformat()), ""]
    labels = "  ".join(f"{'P' + str(round(q * 100)):>9}" for q in PERCENTILES)
    unit = _sw("persons_per_year", lang)
    lines.append(f"{_sw('category', lang):<20}{_sw('year', lang):>6}  {labels}   {unit}")
    for key, by_year in yearly_percentiles(scenario_set).items():
        name = _sw(key, lang) if key in SC_WORDS else key
        for year, values in by_year.items():
            cells = "  ".join(f"{_num(v, lang):>9}" for v in values)
            lines.append(f"{name:<20}{year:>6}  {cells}")
    return lines


def fan_chart(scenario_set: ScenarioSet, png: Path, lang: str = "nl") -> Path:
    """Write a fan chart (P10-P90 band, P50 line) per category and in total."""
    import matplotlib  # imported only when a chart is asked for; Agg needs no display

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    weights = scenario_set.probabilities
    x = np.arange(len(scenario_set.periods))
    year_starts = [
        i
        for i, p in enumerate(scenario_set.periods)
        if i == 0 or p[:YEAR_CHARS] != scenario_set.periods[i - 1][:YEAR_CHARS]
    ]
    fig, axes = plt.subplots(2, 2, figsize=CHART_SIZE_IN, sharex=True)
    for ax, (key, values) in zip(axes.flat, _series(scenario_set).items(), strict=True):
        bands = np.array([[weighted_quantile(values[:, t], weights, q) for t in x] for q in PERCENTILES])
        ax.fill_between(x, bands[0], bands[-1], alpha=BAND_ALPHA, label="P10-P90")
        ax.plot(x, bands[1], label="P50")
        ax.set_title(_sw(key, lang) if key in SC_WORDS else Category(key).value)
        ax.set_ylabel(_sw("persons_per_period", lang))
        ax.set_xticks(year_starts, [scenario_set.periods[i][:YEAR_CHARS] for i in year_starts])
        ax.grid(alpha=BAND_ALPHA)
    axes.flat[0].legend()
    fig.suptitle(_sw("fan_title", lang).format(name=scenario_set.name, n=len(scenario_set.scenarios)))
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=CHART_DPI)
    plt.close(fig)
    return png


@scenarios.command("show")
@click.argument("scenario_set_arg", metavar="SET")
@click.option(
    "--case",
    "case_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Case folder; a bare SET name means CASE/scenarios/SET [default: the shipped nl-2026].",
)
@click.option(
    "--png",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Fan chart PNG to write [default: {CHART_DIR}/<set>-fan.png].",
)
@LANG_OPTION
def show_command(scenario_set_arg: str, case_dir: Path | None, png: Path | None, lang: str) -> None:
    """Print P10/P50/P90 of yearly inflow per category, and write a fan chart PNG."""
    path = resolve_scenario_set(case_or_default(case_dir), scenario_set_arg)
    try:
        scenario_set = load_scenario_set(path)
    except InputErrors as exc:
        raise InputProblemsError(_in_folder(exc.problems, path)) from exc
    for line in percentile_lines(scenario_set, lang):
        click.echo(line)
    target = png if png is not None else CHART_DIR / f"{scenario_set.name}-fan.png"
    click.echo(f"\n{_sw('fan_chart', lang)}: {fan_chart(scenario_set, target, lang)}")


# --------------------------------------------------------------------------- backtest

BT_WORDS: dict[str, tuple[str, str]] = {
    "title": ("Back-test van de instroomgeneratoren (totale instroom per jaar)",
              "Back-test of the inflow generators (total inflow per year)"),
    "method": ("methode", "method"),
    "horizon": ("horizon", "horizon"),
    "level": ("niveau", "level"),
    "n": ("n", "n"),
    "coverage": ("dekking", "coverage"),
    "width": ("gem. breedte", "mean width"),
    "crps": ("gem. CRPS", "mean CRPS"),
    "nominal": ("nominaal", "nominal"),
    "origins": ("oorsprongsjaren {first}-{last}, horizonnen 1-{h}", "origins {first}-{last}, horizons 1-{h}"),
    "explain": (
        "dekking: aandeel gerealiseerde jaren binnen het centrale interval; CRPS in personen "
        "(lager is beter); mpp-band: de MPP-bandbreedte zelf, waar een vintage bestaat",
        "coverage: share of realised years inside the central interval; CRPS in persons "
        "(lower is better); mpp-band: the MPP band itself, where a vintage exists",
    ),
}


def _bt(key: str, lang: str) -> str:
    nl, en = BT_WORDS[key]
    return nl if lang == "nl" else en


def _range(text: str, what: str) -> list[int]:
    """``2012-2021`` or ``2015`` -> list of ints."""
    try:
        if "-" in text:
            a, b = (int(x) for x in text.split("-", 1))
            if b < a:
                raise ValueError
            return list(range(a, b + 1))
        return [int(text)]
    except ValueError as exc:
        raise click.BadParameter(f"{text!r}: expected A-B or A (integers, A <= B)", param_hint=what) from exc


def _fmt(value: float, lang: str, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".") if lang == "nl" else text


def coverage_chart(summary: object, png: Path, lang: str) -> Path:
    """Coverage against nominal level per method, one panel per horizon."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    horizons = sorted(summary.horizon.unique())  # type: ignore[attr-defined]
    methods = list(dict.fromkeys(summary.method))  # type: ignore[attr-defined]
    colours = {m: f"C{i}" for i, m in enumerate(methods)}  # one colour per method in every panel
    fig, axes = plt.subplots(1, len(horizons), figsize=(3.2 * len(horizons), 3.4), sharey=True,
                             squeeze=False)
    for ax, h in zip(axes[0], horizons, strict=True):
        part = summary[summary.horizon == h]  # type: ignore[index]
        for method in methods:
            rows = part[part.method == method]
            if len(rows):
                ax.plot(rows.level, rows.coverage, marker="o", color=colours[method], label=method)
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label=_bt("nominal", lang))
        ax.set_xlim(0.4, 1.0)
        ax.set_ylim(0.0, 1.05)
        ax.set_title(f"{_bt('horizon', lang)} {h}")
        ax.set_xlabel(_bt("level", lang))
        ax.grid(alpha=0.25)
    axes[0][0].set_ylabel(_bt("coverage", lang))
    handles = [plt.Line2D([], [], color=colours[m], marker="o", label=m) for m in methods]
    handles.append(plt.Line2D([], [], color="grey", linestyle="--", label=_bt("nominal", lang)))
    axes[0][-1].legend(handles=handles, fontsize="x-small")
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=CHART_DPI)
    plt.close(fig)
    return png


@scenarios.command("backtest")
@click.option("--methods", default=",".join([*CALIBRATED_METHODS, MPP_BAND]), show_default=True,
              help=f"Comma-separated: {', '.join([*CALIBRATED_METHODS, MPP_BAND])}.")
@click.option("--origins", default="2012-2021", show_default=True,
              help="Origin years A-B: calibrate on data up to each, score the years after.")
@click.option("--horizons", default="1-5", show_default=True, help="Horizons 1-H (years ahead).")
@click.option("--seed", type=int, default=2026, show_default=True, help="Random seed.")
@click.option("--draws", type=click.IntRange(min=100), default=2000, show_default=True,
              help="Draws per method and origin.")
@click.option("--history", "history_dir", type=click.Path(path_type=Path), default=None,
              help="History folder [default: the shipped data/history].")
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("runs") / "backtest",
              show_default=True, help="Folder for backtest.csv, summary.csv and coverage.png.")
@click.option("--lang", type=click.Choice(["nl", "en"]), default=env_lang, show_default=LANG_DEFAULT_SHOWN)
def backtest_command(methods: str, origins: str, horizons: str, seed: int, draws: int,
                     history_dir: Path | None, out: Path, lang: str) -> None:
    """Back-test the generators: coverage of 50/80/90% intervals, width and CRPS."""
    chosen = [m.strip() for m in methods.split(",") if m.strip()]
    allowed = [*CALIBRATED_METHODS, MPP_BAND]
    unknown = [m for m in chosen if m not in allowed]
    if unknown or not chosen:
        raise click.BadParameter(f"{','.join(unknown) or '(none)'}: choose from {', '.join(allowed)}",
                                 param_hint="--methods")
    years = _range(origins, "--origins")
    hs = _range(horizons, "--horizons")
    if hs[0] != 1:
        raise click.BadParameter("horizons start at 1 (1-H)", param_hint="--horizons")
    history = _load_history(history_dir)
    try:
        table = run_backtest(history, chosen, years, hs[-1], seed=seed, draws=draws)
    except ValueError as exc:
        raise InputProblemsError([InputProblem(str(history_dir), "history", str(exc),
                                               "known totals in every origin year")]) from exc
    summary = summarise(table)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "backtest.csv", index=False)
    summary.to_csv(out / "summary.csv", index=False)
    span = _bt("origins", lang).format(first=years[0], last=years[-1], h=hs[-1])
    click.echo(f"{_bt('title', lang)}: {span}{_sw('seed', lang).format(seed=seed)}")
    click.echo(_bt("explain", lang))
    head = (f"{_bt('method', lang):<11}{_bt('horizon', lang):>8}{_bt('level', lang):>7}{'n':>4}"
            f"{_bt('coverage', lang):>9}{_bt('width', lang):>14}{_bt('crps', lang):>11}")
    click.echo(head)
    for row in summary.itertuples(index=False):
        click.echo(f"{row.method:<11}{row.horizon:>8}{_fmt(row.level, lang, 2):>7}{row.n:>4}"
                   f"{_fmt(100 * row.coverage, lang):>8}%{_fmt(row.mean_width, lang):>14}"
                   f"{_fmt(row.mean_crps, lang):>11}")
    png = coverage_chart(summary, out / "coverage.png", lang)
    for path in (out / "backtest.csv", out / "summary.csv", png):  # a line each, as report prints them
        click.echo(term("wrote", "nl" if lang == "nl" else "en").format(path=path))


# --------------------------------------------------------------------------- reduce


@scenarios.command("reduce")
@click.argument("scenario_set_arg", metavar="SET")
@click.option("--k", "k", type=click.IntRange(min=1), required=True, help="Number of scenarios to keep.")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    required=True,
    help="New folder for the reduced set (refused if it exists and is not empty).",
)
@click.option(
    "--case",
    "case_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Case folder; a bare SET name means CASE/scenarios/SET [default: the shipped nl-2026].",
)
@LANG_OPTION
def reduce_command(scenario_set_arg: str, k: int, out: Path, case_dir: Path | None, lang: str) -> None:
    """Keep K representative scenarios of SET (fast forward selection, Heitsch-Römisch).

    Distance between scenarios: the Euclidean norm of the difference of their monthly
    inflow paths (persons, all categories). Each deleted scenario's probability goes to
    its nearest kept scenario. Prints the Kantorovich distance of the reduction.
    """
    from bekostiging.scenarios.reduce import reduce_set

    path = resolve_scenario_set(case_or_default(case_dir), scenario_set_arg)
    try:
        scenario_set = load_scenario_set(path)
    except InputErrors as exc:
        raise InputProblemsError(_in_folder(exc.problems, path)) from exc
    n = len(scenario_set.scenarios)
    if k > n:
        raise click.BadParameter(
            f"{k} is more than the {n} scenarios of {scenario_set.name}", param_hint="--k"
        )
    reduced, red = reduce_set(scenario_set, k, name=out.name)
    try:
        folder = write_scenario_set(reduced, out)
    except InputErrors as exc:
        raise InputProblemsError(exc.problems) from exc
    click.echo(
        _sw("kept", lang).format(
            k=k,
            n=n,
            name=scenario_set.name,
            distance=_num(red.distance, lang, 1),
            largest=_num(max(red.probabilities), lang, 3),
            folder=folder,
        )
    )
