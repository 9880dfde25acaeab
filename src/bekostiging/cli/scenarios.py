"""``bekostiging scenarios generate|show``: make and inspect inflow scenario sets.

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
from bekostiging.errors import InputErrors, InputProblem
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set, resolve_scenario_set, write_scenario_set
from bekostiging.scenarios import METHODS, generate, mpp_scenarios
from bekostiging.schema import Case, Category, ScenarioSet

PERCENTILES = (0.10, 0.50, 0.90)  # fan-chart bands and terminal table: P10 / P50 / P90
YEAR_CHARS = 4  # period labels start with the year: 2026-01, 2026-Q1
CHART_DIR = Path("runs") / "scenarios"  # default fan-chart folder (runs/ is git-ignored)
CHART_DPI = 120  # resolution of the fan chart PNG
CHART_SIZE_IN = (11.0, 7.0)  # width, height of the fan chart in inches
BAND_ALPHA = 0.25  # shading of the P10-P90 band
TOTAL = "total"


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


@scenarios.command("generate")
@click.option(
    "--method",
    type=click.Choice([*METHODS, "mpp"]),
    required=True,
    help="bootstrap: resample historical yearly changes; lognormal: around the MPP mid "
    "path; mpp: the three MPP bands (ignores --n and --seed).",
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
def generate_command(method: str, n: int, seed: int, out: Path, case_dir: Path | None) -> None:
    """Generate a scenario set; the same seed gives byte-identical files."""
    case = _load_case(case_or_default(case_dir))
    scenario_set = (
        mpp_scenarios(case, name=out.name)
        if method == "mpp"
        else generate(case, method, n, seed, name=out.name)
    )
    try:
        folder = write_scenario_set(scenario_set, out)
    except InputErrors as exc:
        raise InputProblemsError(exc.problems) from exc
    click.echo(
        f"wrote {len(scenario_set.scenarios)} scenarios x {len(scenario_set.periods)} periods "
        f"({scenario_set.provenance.method}"
        + (f", seed {seed}" if scenario_set.provenance.seed is not None else "")
        + f") to {folder}"
    )


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


def percentile_lines(scenario_set: ScenarioSet) -> list[str]:
    """The terminal table: one line per category and year."""
    p = scenario_set.provenance
    head = f"Scenario set {scenario_set.name}: {len(scenario_set.scenarios)} scenarios, "
    head += f"{scenario_set.periods[0]}..{scenario_set.periods[-1]}, method {p.method}"
    head += f", seed {p.seed}" if p.seed is not None else ""
    lines = [head, f"source: {p.source} (data vintage {p.created.isoformat()})", ""]
    labels = "  ".join(f"{'P' + str(round(q * 100)):>9}" for q in PERCENTILES)
    lines.append(f"{'category':<10}{'year':>6}  {labels}   (persons per year)")
    for key, by_year in yearly_percentiles(scenario_set).items():
        for year, values in by_year.items():
            cells = "  ".join(f"{v:>9,.0f}" for v in values)
            lines.append(f"{key:<10}{year:>6}  {cells}")
    return lines


def fan_chart(scenario_set: ScenarioSet, png: Path) -> Path:
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
        ax.set_title(key if key == TOTAL else Category(key).value)
        ax.set_ylabel("persons per period")
        ax.set_xticks(year_starts, [scenario_set.periods[i][:YEAR_CHARS] for i in year_starts])
        ax.grid(alpha=BAND_ALPHA)
    axes.flat[0].legend()
    fig.suptitle(f"Inflow scenarios {scenario_set.name} ({len(scenario_set.scenarios)} scenarios)")
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
def show_command(scenario_set_arg: str, case_dir: Path | None, png: Path | None) -> None:
    """Print P10/P50/P90 of yearly inflow per category, and write a fan chart PNG."""
    path = resolve_scenario_set(case_or_default(case_dir), scenario_set_arg)
    try:
        scenario_set = load_scenario_set(path)
    except InputErrors as exc:
        raise InputProblemsError(_in_folder(exc.problems, path)) from exc
    for line in percentile_lines(scenario_set):
        click.echo(line)
    target = png if png is not None else CHART_DIR / f"{scenario_set.name}-fan.png"
    click.echo(f"\nfan chart: {fan_chart(scenario_set, target)}")
