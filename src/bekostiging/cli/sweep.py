"""``bekostiging sweep`` and ``bekostiging frontier``: trade-off curves from one re-solved model.

``sweep`` re-solves the chain model for each late-case penalty or each funding ratio
and writes the cost against backlog curve; ``frontier`` re-solves it for each CVaR
weight and writes the mean–CVaR frontier. The model is built once and re-solved by
one persistent HiGHS solver with warm starts (``bekostiging.analytics.frontier``); with
``--workers N`` (default 2, at most the cores) the values are cut into N contiguous chunks,
each re-solved that way in its own process (one HiGHS thread each unless ``--threads``).

Exit codes: 0 every point has a plan; 2 input problems (a bad list, a bad case); 3 the
MPP baseline is infeasible; 4 some point has no plan (the table says which).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pandas as pd

from bekostiging.cli import main
from bekostiging.cli.case import InputProblemsError, in_folder
from bekostiging.cli.defaults import POLICY_HELP, case_or_default, policies_option
from bekostiging.cli.lang import LANG_DEFAULT_SHOWN
from bekostiging.cli.runs import runs_dir_option
from bekostiging.cli.types import FiniteFloatRange
from bekostiging.errors import InputErrors, SolverFailure
from bekostiging.messages import env_lang
from bekostiging.schema import MAX_FUNDING_RATIO, MAX_PENALTY_EUR

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bekostiging.pipeline import PreparedProblem
    from bekostiging.runs.store import RunRecord
    from bekostiging.schema import Case, Policy, ScenarioSet
    from bekostiging.solver import SolverOptions
    from bekostiging.twostage import Risk

DEFAULT_WORKERS = min(2, os.cpu_count() or 1)  # = analytics.sweep.DEFAULT_WORKERS (not imported: pyomo)
DEFAULT_OUT_ROOT = Path("sweeps")
EXIT_INFEASIBLE = 3
EXIT_NO_PLAN = 4
EUR_MILLION = 1e6
DEFAULT_WEIGHTS = "0,0.25,0.5,0.75,1"
# At solve's 0.5 % gap, plans 0.4 % apart in cost differ by 40 % in late case-months on the default
# case, so a curve drawn from such points zig-zags; at 0.05 % it is smooth, at the same cost per point.
CURVE_MIP_GAP = 0.0005
CHART_SIZE_IN = (7.0, 4.5)
CHART_DPI = 150
OWN_MARKER_SIZE = 120
RATIO_DECIMALS = 2  # funding ratios in the printed table
LABEL_ROUNDING = 3  # decimals at which two curve points count as one in the chart labels
LATE, FUNDING = "late-penalty", "funding-ratio"
VALUE_LABELS = {LATE: "late penalty (EUR per case-month)", FUNDING: "funding ratio floor (x MPP need)"}
VALUE_LABELS_NL = {
    LATE: "weging late zaken (€ per zaak-maand)",
    FUNDING: "ondergrens financiering (x MPP-behoefte)",
}
NL = {  # Dutch words of the printed tables, charts and lines (English is the key)
    "value": "waarde",
    "E cash €m": "kasuitgaven € mln",
    "E late case-months": "zaak-maanden te laat",
    "E backlog end": "voorraad IND eind",
    "E suppl. funding €m": "aanv. financiering € mln",
    "E weights, not spent €m": "modelweging € mln",
    "E objective €m": "doelfunctie € mln",
    "CVaR objective €m": "CVaR doelfunctie € mln",
    "max objective €m": "max. doelfunctie € mln",
    "status": "status",
    "gap %": "gap %",
    "seconds": "seconden",
    "W": "W",
    "optimal": "optimaal",
    "limit": "tijdslimiet",
    "infeasible": "onuitvoerbaar",
    "error": "fout",
}


def _w(text: str, lang: str) -> str:
    """``text`` (English) in ``lang``."""
    return NL.get(text, text) if lang == "nl" else text


# Printed columns: (column, heading, divisor, decimals)
SHOWN_SWEEP = (  # cash first; weights and the objective they make up apart (not spending)
    ("value", "value", 1.0, 2),
    ("expected_spending_eur", "E cash €m", EUR_MILLION, 1),
    ("expected_late_case_months", "E late case-months", 1.0, 0),
    ("expected_backlog_end_persons", "E backlog end", 1.0, 0),
    ("expected_supplementary_funding_eur", "E suppl. funding €m", EUR_MILLION, 1),
    ("expected_penalty_eur", "E weights, not spent €m", EUR_MILLION, 1),
    ("expected_total_cost_eur", "E objective €m", EUR_MILLION, 1),
    ("status", "status", 1.0, 0),
    ("gap", "gap %", 0.01, 3),
    ("seconds", "seconds", 1.0, 1),
)
SHOWN_FRONTIER = (  # the frontier trades the objective's mean against its CVaR; cash shown first
    ("weight", "W", 1.0, 2),
    ("expected_spending_eur", "E cash €m", EUR_MILLION, 1),
    ("expected_total_cost_eur", "E objective €m", EUR_MILLION, 1),
    ("cvar_total_cost_eur", "CVaR objective €m", EUR_MILLION, 1),
    ("max_total_cost_eur", "max objective €m", EUR_MILLION, 1),
    ("expected_late_case_months", "E late case-months", 1.0, 0),
    ("status", "status", 1.0, 0),
    ("gap", "gap %", 0.01, 3),
    ("seconds", "seconds", 1.0, 1),
)


def parse_list(text: str, *, option: str, upper: float | None = None) -> list[float]:
    """``"250,500,1000"`` as floats; non-numeric, non-finite, negative or too large values are refused."""
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or any(item == "" for item in items):
        raise click.BadParameter(
            f"give comma-separated numbers such as 250,500,1000 (got {text!r})", param_hint=option
        )
    values = []
    for item in items:
        try:
            value = float(item)
        except ValueError:
            raise click.BadParameter(
                f"{item!r} is not a number (list: {text!r})", param_hint=option
            ) from None
        if not math.isfinite(value):
            raise click.BadParameter(f"{item!r} is not a finite number", param_hint=option)
        if value < 0:
            raise click.BadParameter(f"{item!r} is negative; values must be 0 or more", param_hint=option)
        if upper is not None and value > upper:
            raise click.BadParameter(f"{item!r} is above {upper:g}", param_hint=option)
        values.append(value)
    return values


@dataclass
class Inputs:
    case_dir: Path
    case: Case
    scenario_set: ScenarioSet
    policy: Policy
    risk: Risk
    run: RunRecord | None


def _load_inputs(
    case_dir: Path | None,
    scenarios: str | None,
    policy: str | None,
    run_ref: str | None,
    runs_dir: Path | None,
    policies_dir: Path | None = None,
) -> Inputs:
    """Case, scenario set, policy and risk: the options given, else the run's, else the case's."""
    from bekostiging.io.case import load_case
    from bekostiging.io.scenarios import load_scenario_set, resolve_scenario_set
    from bekostiging.policies import policy_for
    from bekostiging.report.data import run_risk
    from bekostiging.runs.store import RunStoreError, find_run, read_run, resolve_runs_dir
    from bekostiging.schema import Policy
    from bekostiging.twostage import Risk

    record = None
    if run_ref is not None:
        try:
            record = read_run(find_run(run_ref, resolve_runs_dir(runs_dir)))
        except RunStoreError as exc:
            raise click.ClickException(str(exc)) from exc
    if case_dir is None:
        case_dir = record.case_copy if record is not None else case_or_default(None)
    try:
        case = load_case(case_dir)
    except InputErrors as exc:
        raise InputProblemsError(in_folder(exc.problems, case_dir)) from exc
    set_name = scenarios or (record.scenario_set if record is not None else None)
    set_dir = resolve_scenario_set(case_dir, set_name or case.settings.case.default_scenarios)
    try:
        scenario_set = load_scenario_set(set_dir, case)
    except InputErrors as exc:
        raise InputProblemsError(in_folder(exc.problems, set_dir)) from exc
    try:
        settings = (record.manifest.raw.get("settings") or {}) if record is not None else {}
        if policy is None and "policy" in settings:
            chosen = Policy.model_validate(settings["policy"])
        else:
            chosen = policy_for(policy, case_dir, case.settings.policy, policies_dir)
    except InputErrors as exc:
        raise InputProblemsError(exc.problems) from exc
    risk = (
        run_risk(record) if record is not None else Risk(case.settings.risk.weight, case.settings.risk.alpha)
    )
    return Inputs(case_dir, case, scenario_set, chosen, risk, record)


def _prepare(inputs: Inputs, options: SolverOptions, risk: Risk, lang: str = "en") -> PreparedProblem:
    """The two-stage chain problem with its MPP baseline; exits 3/4 when the baseline has no plan."""
    from bekostiging.pipeline import prepare_problem

    try:
        prepared = prepare_problem(inputs.case, inputs.scenario_set, options, policy=inputs.policy, risk=risk)
    except SolverFailure as exc:
        raise click.ClickException(str(exc)) from exc
    if prepared.problem is None:
        outcome = prepared.baseline_outcome
        if lang == "nl":
            from bekostiging.report.i18n import status_word

            click.echo(f"geen plan voor het MPP-basisplan: {status_word(outcome.status, 'nl')}", err=True)
        else:
            click.echo("no plan for the MPP-mid baseline: " + outcome.describe(), err=True)
        for conflict in prepared.conflicts:
            click.echo(f"  {conflict.line()}", err=True)
        sys.exit(EXIT_INFEASIBLE if prepared.conflicts else EXIT_NO_PLAN)
    return prepared


def _out_dir(out: Path | None, kind: str) -> Path:
    if out is None:
        out = DEFAULT_OUT_ROOT / f"{kind}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
    if out.exists() and any(out.iterdir()):
        raise click.ClickException(f"{out} exists and is not empty; choose a new folder for --out")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _cell(value: object, divisor: float, decimals: int, lang: str = "en") -> str:
    from bekostiging.report.i18n import fmt_scaled

    if isinstance(value, str):
        return _w(value, lang)
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return fmt_scaled(float(value), "nl" if lang == "nl" else "en", divisor, decimals)


def format_table(frame: pd.DataFrame, shown: Sequence[tuple[str, str, float, int]], lang: str = "en") -> str:
    """The curve as aligned text columns (money in € million), words and numbers in ``lang``."""
    cols = [(c, h, d, n) for c, h, d, n in shown if c in frame.columns]
    text = pd.DataFrame({_w(h, lang): [_cell(v, d, n, lang) for v in frame[c]] for c, h, d, n in cols})
    return text.to_string(index=False)


def _paths(curve: pd.DataFrame) -> str:
    n = int(curve.attrs.get("workers", 1))
    if n <= 1:
        return "one model, one persistent solver"
    return f"{n} processes, each one model and one persistent solver on a contiguous chunk"


def _summed(curve: pd.DataFrame) -> str:
    return " summed over the processes" if int(curve.attrs.get("workers", 1)) > 1 else ""


def _solver_options(
    mip_gap: float, time_limit: float | None, threads: int | None, seed: int
) -> SolverOptions:
    from bekostiging.solver import SolverOptions

    return SolverOptions(time_limit=time_limit, mip_gap=mip_gap, threads=threads, seed=seed)


TICKS_PER_AXIS = 6
MAX_TICK_DECIMALS = 4
LABEL_MARGIN = 0.12


def _label_points(
    ax: Axes, x: pd.Series, y: pd.Series, values: pd.Series, prefix: str = "", lang: str = "en"
) -> None:
    """One label per distinct point (several values often give the same plan); thousands separators."""
    import matplotlib.ticker as mticker

    labels: dict[tuple[float, float], list[str]] = {}
    for xi, yi, value in zip(x, y, values, strict=True):
        point = (round(float(xi), LABEL_ROUNDING), round(float(yi), LABEL_ROUNDING))
        labels.setdefault(point, []).append(_num(float(value), lang, 2).rstrip("0").rstrip(",."))
    middle = (min(p[0] for p in labels) + max(p[0] for p in labels)) / 2 if labels else 0.0
    for (xi, yi), texts in labels.items():
        right_half = xi > middle  # a label right of a point near the right edge would leave the chart
        ax.annotate(
            prefix + ", ".join(texts),
            (xi, yi),
            textcoords="offset points",
            xytext=(-4, 4) if right_half else (4, 4),
            ha="right" if right_half else "left",
            fontsize=7,
        )
    for axis in (ax.xaxis, ax.yaxis):  # as many decimals as the tick step needs: never "11, 11, 11"
        axis.set_major_locator(mticker.MaxNLocator(TICKS_PER_AXIS))
        axis.set_major_formatter(
            mticker.FuncFormatter(lambda v, _pos, axis=axis: _num(v, lang, _tick_decimals(axis)))
        )
    ax.margins(x=LABEL_MARGIN, y=LABEL_MARGIN)  # point labels stay inside the axes, clear of the title


def _tick_decimals(axis: object) -> int:
    """Decimals that tell neighbouring ticks apart (0 for steps of 1 and more)."""
    import math

    ticks = list(axis.get_majorticklocs())  # type: ignore[attr-defined]
    if len(ticks) < 2:
        return 0
    step = abs(ticks[1] - ticks[0])
    return 0 if step >= 1 or step == 0 else min(MAX_TICK_DECIMALS, math.ceil(-math.log10(step)))


def _wrote(paths: Sequence[Path], lang: str) -> None:
    """A line per file written, ``geschreven: PATH`` / ``wrote PATH``, as ``report`` prints them."""
    from bekostiging.report.i18n import term

    for path in paths:
        click.echo(term("wrote", "nl" if lang == "nl" else "en").format(path=path))


def _num(value: float, lang: str, decimals: int) -> str:
    from bekostiging.report.i18n import fmt_number

    return fmt_number(value, "nl" if lang == "nl" else "en", decimals)


def _sweep_chart(
    curve: pd.DataFrame, kind: str, own: tuple[float, float, str] | None, path: Path, lang: str = "en"
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = curve.dropna(subset=["expected_late_case_months", "expected_spending_eur"]).sort_values("value")
    fig, ax = plt.subplots(figsize=CHART_SIZE_IN)
    ax.plot(ok["expected_late_case_months"], ok["expected_spending_eur"] / EUR_MILLION, "o-", color="C0")
    _label_points(
        ax, ok["expected_late_case_months"], ok["expected_spending_eur"] / EUR_MILLION, ok["value"], lang=lang
    )
    if own is not None:
        late, spending, label = own
        ax.scatter(
            [late], [spending / EUR_MILLION], s=OWN_MARKER_SIZE, marker="*", color="C3", zorder=3, label=label
        )
        ax.legend(fontsize=8)
    if lang == "nl":
        ax.set_xlabel("verwachte zaak-maanden over de beslistermijn")
        ax.set_ylabel("verwachte kasuitgaven (€ mln)")
        ax.set_title(f"Kosten tegen achterstand: {VALUE_LABELS_NL[kind]} gevarieerd", fontsize=10)
    else:
        ax.set_xlabel("expected late case-months (cases past the legal decision term)")
        ax.set_ylabel("expected spending (€ million)")
        ax.set_title(f"Cost against backlog: {VALUE_LABELS[kind]} swept", fontsize=10)
    ax.grid(alpha=0.3)
    fig.savefig(path, dpi=CHART_DPI, bbox_inches="tight")
    plt.close(fig)


def _own_point(
    curve: pd.DataFrame, kind: str, inputs: Inputs, lang: str = "en"
) -> tuple[tuple[float, float, str] | None, str]:
    """The run's point (from its kpis table), else the case's own value if it was swept."""
    if inputs.run is not None:
        kpis = inputs.run.table("kpis")
        expected = kpis[kpis["scenario"] == "expected"].set_index("kpi")["value"] if not kpis.empty else None
        if expected is None or not {"late_case_months", "spending_eur"} <= set(expected.index):
            return None, (
                f"run {inputs.run.run_id} heeft geen verwachte kengetallen; het punt is niet gemarkeerd"
                if lang == "nl"
                else f"run {inputs.run.run_id} has no expected KPIs; its point is not marked"
            )
        label = f"run {inputs.run.run_id}"
        return (float(expected["late_case_months"]), float(expected["spending_eur"]), label), label
    penalties = inputs.case.settings.penalties
    own = penalties.late_case_month_eur if kind == LATE else inputs.policy.funding_ratio_min
    if own is None:
        return None, (
            "het beleid stelt geen financieringsgraad; er is geen eigen punt om te markeren"
            if lang == "nl"
            else "the policy sets no funding ratio; no own point to mark"
        )
    match = curve[(curve["value"] - own).abs() <= 1e-9 * max(1.0, abs(own))].dropna(
        subset=["expected_late_case_months"]
    )
    if match.empty:
        return None, (
            f"de eigen waarde van de case ({_num(own, lang, 3)}) staat niet in de reeks; voeg haar toe om "
            "haar punt te markeren"
            if lang == "nl"
            else f"the case's own value {own:g} is not in the list; add it to mark its point"
        )
    row = match.iloc[0]
    label = f"case value {own:g}"
    return (float(row["expected_late_case_months"]), float(row["expected_spending_eur"]), label), label


common_options = [
    click.argument("case_dir", required=False, type=click.Path(file_okay=False, path_type=Path)),
    click.option("--scenarios", default=None, help="Scenario set name (in CASE/scenarios/) or folder."),
    click.option(
        "--policy",
        default=None,
        help=POLICY_HELP,
    ),
    policies_option,
    click.option(
        "--mip-gap",
        type=FiniteFloatRange(0, 1),
        default=CURVE_MIP_GAP,
        show_default=True,
        help="Relative gap per point (tighter than solve's: KPIs along a curve need it).",
    ),
    click.option(
        "--time-limit", type=FiniteFloatRange(min=0, min_open=True), default=None, help="Seconds per point."
    ),
    click.option("--threads", type=click.IntRange(min=1), default=None, help="HiGHS threads."),
    click.option("--seed", type=int, default=0, show_default=True, help="HiGHS random seed."),
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=DEFAULT_WORKERS,
        show_default=True,
        help="Processes, each re-solving a contiguous chunk of the values on its own model "
        "(one HiGHS thread each unless --threads); 1 = one model in this process.",
    ),
    click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="New or empty folder for the CSV and the chart (default: sweeps/<kind>-<time>).",
    ),
    click.option(
        "--lang",
        type=click.Choice(("nl", "en")),
        default=env_lang,
        show_default=LANG_DEFAULT_SHOWN,
        help="Language of words, number formats and chart labels (nl: 1.234,5; en: 1,234.5).",
    ),
]


def _with_common(func):  # type: ignore[no-untyped-def]
    for decorator in reversed(common_options):
        func = decorator(func)
    return func


@main.command("sweep")
@_with_common
@click.option("--late-penalty", default=None, help="EUR per late case-month, e.g. 250,500,1000,2000.")
@click.option("--funding-ratio", default=None, help="Floors on chain budget / MPP need, e.g. 1.0,1.1,1.2.")
@click.option(
    "--run", "run_ref", default=None, help="Mark this run's point; its case, set and policy by default."
)
@runs_dir_option
def sweep_cmd(
    case_dir: Path | None,
    scenarios: str | None,
    policy: str | None,
    policies_dir: Path | None,
    mip_gap: float,
    time_limit: float | None,
    threads: int | None,
    seed: int,
    workers: int,
    out: Path | None,
    late_penalty: str | None,
    funding_ratio: str | None,
    run_ref: str | None,
    runs_dir: Path | None,
    lang: str,
) -> None:
    """Cost against backlog: re-solve CASE for each late penalty or each funding ratio.

    Give exactly one of --late-penalty (EUR per late case-month) and --funding-ratio
    (the chain budget is at least ratio x the MPP-mid need every year). One model and
    one persistent HiGHS solver with warm starts per --workers process, each on a
    contiguous chunk of the list. Writes sweep.csv (value, objective,
    expected total cost, spending, late case-months, backlog, status, gap, seconds)
    and sweep.png (expected spending against expected late case-months; the run's
    point with --run, else the case's own value when it is in the list).
    """
    from bekostiging.analytics.frontier import funding_ratio_curve, late_penalty_curve

    if (late_penalty is None) == (funding_ratio is None):
        raise click.UsageError("give exactly one of --late-penalty LIST and --funding-ratio LIST")
    kind = LATE if late_penalty is not None else FUNDING
    values = (
        parse_list(late_penalty, option="--late-penalty", upper=MAX_PENALTY_EUR)
        if late_penalty is not None
        else parse_list(funding_ratio or "", option="--funding-ratio", upper=MAX_FUNDING_RATIO)
    )
    inputs = _load_inputs(case_dir, scenarios, policy, run_ref, runs_dir, policies_dir)
    options = _solver_options(mip_gap, time_limit, threads, seed)
    folder = _out_dir(out, kind)
    start = time.perf_counter()
    prepared = _prepare(inputs, options, inputs.risk, lang)
    baseline_seconds = time.perf_counter() - start
    curve_fn = late_penalty_curve if kind == LATE else funding_ratio_curve
    start = time.perf_counter()
    problem = prepared.problem
    if problem is None:  # _prepare exits first; this keeps the type checker informed
        raise click.ClickException("no problem to sweep")
    curve = curve_fn(problem, prepared.data, values, options, alpha=inputs.risk.alpha, workers=workers)
    wall = time.perf_counter() - start
    curve.to_csv(folder / "sweep.csv", index=False)
    own, note = _own_point(curve, kind, inputs, lang)
    _sweep_chart(curve, kind, own, folder / "sweep.png", lang)
    value_decimals = 0 if kind == LATE else RATIO_DECIMALS
    build = curve.attrs.get("build_seconds", math.nan)
    if lang == "nl":
        click.echo(
            f"{VALUE_LABELS_NL[kind]}: {len(values)} punten op {inputs.scenario_set.name}, beleid "
            f"{inputs.policy.name}"
        )
        click.echo(format_table(curve, (("value", "value", 1.0, value_decimals), *SHOWN_SWEEP[1:]), lang))
        click.echo(
            f"MPP-basisrun {_num(baseline_seconds, lang, 1)} s; reeks {_num(wall, lang, 1)} s (opbouw "
            f"{_num(build, lang, 1)} s, oplossen {_num(curve['seconds'].sum(), lang, 1)} s)"
        )
        click.echo(f"gemarkeerd: {note}")
    else:
        click.echo(
            f"{VALUE_LABELS[kind]}: {len(values)} points on {inputs.scenario_set.name}, policy "
            f"{inputs.policy.name}; {_paths(curve)}"
        )
        click.echo(format_table(curve, (("value", "value", 1.0, value_decimals), *SHOWN_SWEEP[1:])))
        click.echo(
            f"MPP baseline {baseline_seconds:.1f} s; sweep {wall:.1f} s (build "
            f"{build:.1f} s, solves {curve['seconds'].sum():.1f} s"
            f"{_summed(curve)})"
        )
        click.echo(f"marked: {note}")
    _wrote((folder / "sweep.csv", folder / "sweep.png"), lang)
    if not curve["status"].isin(["optimal", "limit"]).all():
        click.echo(
            "voor sommige punten is er geen plan (kolom status)"
            if lang == "nl"
            else "some points have no plan (status column)",
            err=True,
        )
        sys.exit(EXIT_NO_PLAN)


def _frontier_chart(frontier: pd.DataFrame, alpha: float, path: Path, lang: str = "en") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = frontier.dropna(subset=["expected_total_cost_eur", "cvar_total_cost_eur"])
    fig, ax = plt.subplots(figsize=CHART_SIZE_IN)
    ax.plot(ok["expected_total_cost_eur"] / EUR_MILLION, ok["cvar_total_cost_eur"] / EUR_MILLION, "o-")
    _label_points(
        ax,
        ok["expected_total_cost_eur"] / EUR_MILLION,
        ok["cvar_total_cost_eur"] / EUR_MILLION,
        ok["weight"],
        prefix="W = ",
        lang=lang,
    )
    if lang == "nl":
        ax.set_xlabel("verwachte doelfunctie (€ mln)")
        ax.set_ylabel(f"gemiddelde van de duurste {_num(100 * (1 - alpha), lang, 0)}% (€ mln)")
        ax.set_title("Verwachting tegen risico: doelfunctie (1 − W)·E + W·CVaR", fontsize=10)
    else:
        ax.set_xlabel("expected total cost (€ million)")
        ax.set_ylabel(f"CVaR at α = {alpha:g} of total cost (€ million)")
        ax.set_title("Mean–CVaR frontier: objective (1 − W)·E + W·CVaR", fontsize=10)
    ax.grid(alpha=0.3)
    fig.savefig(path, dpi=CHART_DPI, bbox_inches="tight")
    plt.close(fig)


@main.command("frontier")
@_with_common
@click.option(
    "--alpha",
    type=FiniteFloatRange(0.5, 1, max_open=True),
    default=None,
    help="CVaR level (default: the case's).",
)
@click.option("--weights", default=DEFAULT_WEIGHTS, show_default=True, help="CVaR weights W in [0, 1].")
def frontier_cmd(
    case_dir: Path | None,
    scenarios: str | None,
    policy: str | None,
    policies_dir: Path | None,
    mip_gap: float,
    time_limit: float | None,
    threads: int | None,
    seed: int,
    workers: int,
    out: Path | None,
    alpha: float | None,
    weights: str,
    lang: str,
) -> None:
    """Mean–CVaR frontier: re-solve CASE for each CVaR weight W of (1 − W)·E + W·CVaR_alpha.

    Writes frontier.csv (weight, objective, expected total cost, CVaR, worst scenario,
    expected late case-months, status, gap, seconds) and frontier.png (CVaR against
    the expectation, one point per W).
    """
    from bekostiging.analytics.frontier import chain_metrics, mean_cvar_frontier
    from bekostiging.model.data import MONEY_SCALE
    from bekostiging.twostage import Risk

    values = parse_list(weights, option="--weights", upper=1.0)
    inputs = _load_inputs(case_dir, scenarios, policy, None, None, policies_dir)
    level = alpha if alpha is not None else inputs.risk.alpha
    options = _solver_options(mip_gap, time_limit, threads, seed)
    folder = _out_dir(out, "frontier")
    prepared = _prepare(inputs, options, Risk(0.0, level), lang)
    start = time.perf_counter()
    problem = prepared.problem
    if problem is None:  # _prepare exits first
        raise click.ClickException("no problem to solve")
    frontier = mean_cvar_frontier(
        problem, values, level, options, metrics=chain_metrics(prepared.data, level), workers=workers
    )
    wall = time.perf_counter() - start
    for column in ("objective", "bound", "expected_total_cost", "cvar_total_cost", "max_total_cost"):
        frontier[f"{column}_eur"] = frontier.pop(column) * MONEY_SCALE
    frontier.to_csv(folder / "frontier.csv", index=False)
    _frontier_chart(frontier, level, folder / "frontier.png", lang)
    if lang == "nl":
        click.echo(
            f"verwachting tegen risico bij alfa {_num(level, lang, 2)}: {len(values)} wegingen op "
            f"{inputs.scenario_set.name}"
        )
        click.echo(format_table(frontier, SHOWN_FRONTIER, lang))
        click.echo(f"reeks {_num(wall, lang, 1)} s (oplossen {_num(frontier['seconds'].sum(), lang, 1)} s)")
        if any(w >= 1.0 for w in values):
            click.echo(
                "let op: bij W = 1 tellen alleen de duurste (1 − alfa) van de scenario's; de andere mogen "
                "elke uitkomst aannemen die bij het plan past (vergelijk met W < 1)"
            )
    else:
        click.echo(
            f"mean–CVaR frontier at alpha {level:g}: {len(values)} weights on {inputs.scenario_set.name}; "
            + _paths(frontier)
        )
        click.echo(format_table(frontier, SHOWN_FRONTIER))
        click.echo(f"frontier {wall:.1f} s (solves {frontier['seconds'].sum():.1f} s{_summed(frontier)})")
        if any(w >= 1.0 for w in values):
            click.echo(
                "note: W = 1 prices only the worst (1 − alpha) of the scenarios; the others may take any"
                " plan-compatible outcome (compare expected cost and late case-months with W < 1)"
            )
    _wrote((folder / "frontier.csv", folder / "frontier.png"), lang)
    if not frontier["status"].isin(["optimal", "limit"]).all():
        click.echo(
            "voor sommige punten is er geen plan (kolom status)"
            if lang == "nl"
            else "some points have no plan (status column)",
            err=True,
        )
        sys.exit(EXIT_NO_PLAN)
