"""The chain model's glue for the generic analytics: euros, KPIs per scenario, analysis files.

The analytics in this package work on any :class:`~bekostiging.twostage.TwoStageProblem`
and report costs in the model's unit; the chain model counts money in M EUR
(``MONEY_SCALE``). This module

* reads the chain KPIs of a solved scenario block (:func:`kpi_metrics`, the same
  numbers as the run's ``kpis`` table, via ``results._scenario_kpis``);
* turns a stored solve (a run's manifest and tables, or a fresh ``ChainSolution``)
  back into the :class:`StochasticSolution` RP, so that the value of information
  does not solve the stochastic problem again;
* compares the run's plan with the ``status-quo`` plan on the same scenarios;
* writes analysis tables into a run folder (``analysis/<name>.csv``): each file
  is written to a temporary name and hard-linked into place, so a reader never
  sees half a file and an existing analysis file is never replaced.

All tables written here are in euros (``*_eur`` columns).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo

from bekostiging.analytics.evaluate import SECOND_STAGE_COST, TOTAL_COST, Evaluation, combined_status
from bekostiging.analytics.scenario import MetricsCallback
from bekostiging.analytics.stats import risk_value
from bekostiging.analytics.value import Measure, StochasticSolution, ValueOfInformation, solve_stochastic
from bekostiging.model.data import MONEY_SCALE, ChainData
from bekostiging.results import EXPECTED, KPI_UNITS, _scenario_kpis
from bekostiging.solver import SolveOutcome, SolverOptions, Status
from bekostiging.twostage import Risk, TwoStageProblem

ANALYSIS_DIR = "analysis"
VALUE_TABLE = "value"
VALUE_SCENARIOS_TABLE = "value_scenarios"
EVALUATE_PREFIX = "evaluate-"
SUMMARY_SUFFIX = "-summary"
CSV = ".csv"
DEFAULT_WORKERS = 2  # the pool's size unless --workers says otherwise (one HiGHS thread each)
EUR = "EUR"

# KPIs that repeat a scenario's cost, which the evaluation already reports (in model money).
COST_KPIS = ("total_cost_eur", "stage1_cost_eur", "stage2_cost_eur")
# Columns of Evaluation.to_frame() in model money, and summary statistics linear in the value.
MODEL_MONEY_COLUMNS = ("first_stage_cost_eur", SECOND_STAGE_COST, TOTAL_COST, "bound_eur")
LINEAR_STATISTICS = ("mean", "sd", "ci_low", "ci_high", "p50", "p90", "p99")
SECTION_VALUE, SECTION_STATUS_QUO, SECTION_KPI = "value", "status_quo", "kpi"
SECTION_PARTS = "parts"  # VSS/EVPI split into cash and service KPIs (issue 9)
# The KPIs VSS, EVPI and the status-quo saving are split into: cash first, then service outcomes.
PART_KPIS = (
    "spending_eur",
    "late_case_months",
    "emergency_place_months",
    "supplementary_funding_eur",
    "backlog_end_persons",
    "weights_eur",
)
STATUS_QUO_MEASURE = "status_quo"
SAVING_MEASURE = "saving_vs_status_quo"
VALUE_COLUMNS = (
    "section",
    "measure",
    "unit",
    "value",
    "lower",
    "upper",
    "status",
    "gap",
    "exact",
    "recommended",
    "status_quo",
    "note",
)
MEASURE_WORDS = {
    "RP": "stochastic plan (recourse problem)",
    "EV": "plan on the expected scenario (EV)",
    "EEV": "EV plan on every scenario (EEV)",
    "WS": "perfect foresight (wait-and-see)",
    "VSS": "VSS = EEV − RP: planning for uncertainty saves",
    "EVPI": "EVPI = RP − WS: perfect forecasts would be worth",
    STATUS_QUO_MEASURE: "status-quo plan on the same scenarios",
    SAVING_MEASURE: "the plan saves against the status quo",
}
SHORT_NAMES = {STATUS_QUO_MEASURE: "SQ", SAVING_MEASURE: "SQ−RP"}
MLN = 1e6  # terminal lines show money in € million
KPI_NAME_WIDTH = 44
MEASURE_WIDTH = 58


class AnalysisExistsError(FileExistsError):
    """An analysis file is already in the folder; it is never replaced."""


# --------------------------------------------------------------------------- KPIs and units


def kpi_metrics(block: pyo.Block, data: ChainData) -> dict[str, float]:
    """The chain KPIs of one solved scenario block (costs excluded: the evaluation has them)."""
    kpis = _scenario_kpis(block.local_name, block, block.model().first, data)
    return {k: v for k, v in kpis.items() if k not in COST_KPIS}


def kpi_callback(data: ChainData) -> MetricsCallback:
    """:func:`kpi_metrics` bound to ``data`` (picklable, for worker processes)."""
    return partial(kpi_metrics, data=data)


def _eur(value: float | None) -> float:
    return math.nan if value is None else float(value) * MONEY_SCALE


def evaluation_frame(evaluation: Evaluation) -> pd.DataFrame:
    """One row per scenario, money in euros."""
    frame = evaluation.to_frame()
    for col in MODEL_MONEY_COLUMNS:
        if col in frame.columns:
            frame[col] = frame[col] * MONEY_SCALE
    return frame


def evaluation_summary(evaluation: Evaluation) -> pd.DataFrame:
    """Mean, sd, 95 % CI, P50/P90/P99 per quantity over the served scenarios, money in euros."""
    summary = evaluation.summary()
    money = summary["quantity"].isin([TOTAL_COST, SECOND_STAGE_COST])
    for col in LINEAR_STATISTICS:
        if col in summary.columns:
            summary.loc[money, col] = summary.loc[money, col] * MONEY_SCALE
    return summary


# --------------------------------------------------------------------------- RP from a stored solve


def outcome_in_model_money(outcome: SolveOutcome) -> SolveOutcome:
    """The inverse of ``pipeline.in_euros``."""
    return replace(
        outcome,
        objective=None if outcome.objective is None else outcome.objective / MONEY_SCALE,
        bound=None if outcome.bound is None else outcome.bound / MONEY_SCALE,
    )


def outcome_from_manifest(raw: Mapping[str, object]) -> SolveOutcome:
    """A run's solve outcome (euros) from its manifest."""
    status = str(raw.get("status", Status.ERROR))
    known = {s.value for s in Status}
    timings = raw.get("timings") or {}
    seconds = timings.get("solve_seconds") if isinstance(timings, Mapping) else None
    solver = raw.get("solver") or {}
    return SolveOutcome(
        status=Status(status) if status in known else Status.ERROR,
        objective=_optional_float(raw.get("objective")),
        bound=_optional_float(raw.get("bound")),
        gap=_optional_float(raw.get("gap")),
        solve_seconds=float(seconds or 0.0),
        message=str(raw.get("status_text", "")),
        solver=str(solver.get("name", "HiGHS")) if isinstance(solver, Mapping) else "HiGHS",
    )


def _optional_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def stochastic_solution_from_tables(
    outcome_eur: SolveOutcome, first_stage: Mapping[str, float], kpis: pd.DataFrame
) -> StochasticSolution:
    """The RP of a stored solve: its outcome, plan and per-scenario costs (``kpis`` in euros)."""
    per = kpis[kpis["scenario"] != EXPECTED]
    stage1 = per[per["kpi"] == "stage1_cost_eur"]["value"]
    stage2 = per[per["kpi"] == "stage2_cost_eur"].set_index("scenario")["value"]
    expected = kpis[(kpis["scenario"] == EXPECTED) & (kpis["kpi"] == "stage2_cost_eur")]["value"]
    if stage1.empty or stage2.empty or expected.empty:
        raise ValueError("the run's kpis table has no stage1_cost_eur/stage2_cost_eur rows")
    return StochasticSolution(
        outcome_in_model_money(outcome_eur),
        dict(first_stage),
        float(stage1.iloc[0]) / MONEY_SCALE,
        float(expected.iloc[0]) / MONEY_SCALE,
        {str(s): float(v) / MONEY_SCALE for s, v in stage2.items()},
    )


# --------------------------------------------------------------------------- status quo


@dataclass(frozen=True)
class StatusQuoComparison:
    """The status-quo plan (its own stochastic solve) evaluated scenario by scenario."""

    solution: StochasticSolution
    evaluation: Evaluation | None
    objective: Measure  # model money
    saving: Measure  # status quo − RP, model money (not clamped: any sign is possible)
    kpis: pd.DataFrame  # kpi, unit, recommended, status_quo, saving


def _difference(name: str, a: Measure, b: Measure) -> Measure:
    status = combined_status([a.status, b.status])
    gaps = [g for g in (a.gap, b.gap) if g is not None]
    note = "" if status == Status.OPTIMAL else "not all pieces proven optimal: use the interval"
    return Measure(
        name,
        a.value - b.value,
        a.lower - b.upper,
        a.upper - b.lower,
        status,
        max(gaps) if gaps else None,
        note,
    )


def expected_kpis_of(evaluation: Evaluation) -> dict[str, float]:
    """Probability-weighted KPIs over all scenarios (+inf/NaN when a scenario has none)."""
    names: list[str] = []
    for r in evaluation.results:
        names += [k for k in r.metrics if k not in names]
    p = [r.probability for r in evaluation.results]
    out = {}
    for k in names:
        values = [r.metrics.get(k, math.nan) if r.solved else r.total_cost for r in evaluation.results]
        out[k] = risk_value(values, p, Risk())
    out["total_cost_eur"] = evaluation.expected_total_cost
    return out


def compare_with_status_quo(
    status_quo: TwoStageProblem,
    status_quo_data: ChainData,
    recommended_kpis: pd.DataFrame,
    rp: Measure,
    options: SolverOptions,
    workers: int | None,
) -> StatusQuoComparison:
    """Solve the status-quo problem, evaluate its plan per scenario, and difference the KPIs."""
    from bekostiging.analytics.evaluate import evaluate_plan

    solution = solve_stochastic(status_quo, options)
    evaluation = None
    if solution.first_stage is None:
        value = solution.objective
        objective = Measure(
            STATUS_QUO_MEASURE, value, value, value, solution.status, None, "no status-quo plan"
        )
        sq_kpis: dict[str, float] = {}
    else:
        evaluation = evaluate_plan(
            status_quo,
            solution.first_stage,
            options=options,
            workers=workers,
            metrics=kpi_callback(status_quo_data),
        )
        lower, upper = evaluation.objective_interval
        infeasible = evaluation.infeasible
        note = f"the status-quo plan cannot serve: {', '.join(infeasible)}" if infeasible else ""
        objective = Measure(
            STATUS_QUO_MEASURE,
            evaluation.objective,
            lower,
            upper,
            combined_status([solution.status, evaluation.status]),
            evaluation.max_gap,
            note,
        )
        sq_kpis = expected_kpis_of(evaluation)
    expected = recommended_kpis[recommended_kpis["scenario"] == EXPECTED]
    rows = []
    for kpi, unit, value in zip(expected["kpi"], expected["unit"], expected["value"], strict=True):
        sq = sq_kpis.get(str(kpi))
        if sq is None:
            continue
        if kpi == "total_cost_eur":
            sq *= MONEY_SCALE
        rows.append(
            {
                "kpi": kpi,
                "unit": unit,
                "recommended": float(value),
                "status_quo": sq,
                "saving": sq - float(value),
            }
        )
    return StatusQuoComparison(
        solution, evaluation, objective, _difference(SAVING_MEASURE, objective, rp), pd.DataFrame(rows)
    )


# --------------------------------------------------------------------------- the value analysis


@dataclass(frozen=True)
class ValueAnalysis:
    """VSS/EVPI and the status-quo comparison of one run, as euro tables."""

    voi: ValueOfInformation
    status_quo: StatusQuoComparison | None
    parts: pd.DataFrame | None = None  # VSS and EVPI split by cash and service KPIs (measure, kpi, value)

    def to_frame(self) -> pd.DataFrame:
        """``analysis/value.csv``: sections value (RP…EVPI), status_quo and kpi (see module doc)."""
        rows = [_measure_row(SECTION_VALUE, m) for m in self.voi.measures]
        sq = self.status_quo
        if sq is not None:
            rows += [
                _measure_row(SECTION_STATUS_QUO, sq.objective),
                _measure_row(SECTION_STATUS_QUO, sq.saving),
            ]
            for r in sq.kpis.itertuples(index=False):
                rows.append(
                    {
                        "section": SECTION_KPI,
                        "measure": r.kpi,
                        "unit": r.unit,
                        "value": r.saving,
                        "recommended": r.recommended,
                        "status_quo": r.status_quo,
                        "note": "status quo − recommended (positive: the plan has less)",
                    }
                )
        if self.parts is not None:
            for r in self.parts.itertuples(index=False):
                rows.append(
                    {
                        "section": SECTION_PARTS,
                        "measure": f"{r.measure}:{r.kpi}",
                        "unit": KPI_UNITS.get(str(r.kpi), EUR),
                        "value": r.value,
                        "note": f"{r.measure} in {r.kpi}: cash and service part, not a weight",
                    }
                )
        return pd.DataFrame(rows, columns=list(VALUE_COLUMNS))

    def scenario_frame(self) -> pd.DataFrame:
        """``analysis/value_scenarios.csv``: per scenario RP, EEV, WS and status-quo totals in euros."""
        frame = self.voi.scenario_frame()
        for col in ("rp_total_eur", "eev_total_eur", "ws_total_eur"):
            frame[col] = frame[col] * MONEY_SCALE
        sq = self.status_quo
        if sq is not None and sq.evaluation is not None:
            by = {r.name: r for r in sq.evaluation.results}
            frame["status_quo_total_eur"] = [
                _eur(by[s].total_cost) if s in by else math.nan for s in frame["scenario"]
            ]
            frame["status_quo_status"] = [str(by[s].status) if s in by else "" for s in frame["scenario"]]
        return frame


def _measure_row(section: str, m: Measure) -> dict[str, object]:
    return {
        "section": section,
        "measure": m.name,
        "unit": EUR,
        "value": m.value * MONEY_SCALE,
        "lower": m.lower * MONEY_SCALE,
        "upper": m.upper * MONEY_SCALE,
        "status": str(m.status),
        "gap": m.gap,
        "exact": m.exact,
        "note": m.note,
    }


def value_lines(frame: pd.DataFrame, lang: str = "en") -> list[str]:
    """Terminal lines for a ``value.csv`` frame (money in € million), in ``lang`` (nl or en)."""
    from bekostiging.report.i18n import TERMS, fmt_percent, status_word, term

    lg = "nl" if lang == "nl" else "en"

    def num(x: object, scale: float) -> str:
        return _num(x, scale, lg)

    from bekostiging.report.money import kpi_label  # weights, valuations, start/end in words

    lines = [term("value_head", lg)]
    for r in frame[frame["section"].isin([SECTION_VALUE, SECTION_STATUS_QUO])].itertuples(index=False):
        code = SHORT_NAMES.get(str(r.measure), str(r.measure))
        words = term(f"measure_{r.measure}", lg) if f"measure_{r.measure}" in TERMS else ""
        label = f"{code:<6} {words}"
        gap = f", gap {fmt_percent(float(r.gap), lg, 3)}" if _finite(r.gap) else ""
        lines.append(
            f"  {label:<{MEASURE_WIDTH}} {num(r.value, MLN):>12} "
            f"[{num(r.lower, MLN)}; {num(r.upper, MLN)}]  {status_word(r.status, lg)}{gap}"
        )
        if isinstance(r.note, str) and r.note:
            lines.append(f"  {'':<{MEASURE_WIDTH}} {term('note_word', lg)}: {r.note}")
    parts = frame[frame["section"] == SECTION_PARTS]
    if not parts.empty:
        lines.append("  " + term("value_parts_head", lg))
        for r in parts.itertuples(index=False):
            scale = MLN if r.unit == EUR else 1.0
            unit = "€ mln" if r.unit == EUR else term(str(r.unit), lg)
            what, _, kpi = str(r.measure).partition(":")
            shown = f"{what}: {kpi_label(kpi, lg)}" if kpi else term(what, lg)
            lines.append(f"    {shown[:KPI_NAME_WIDTH]:<{KPI_NAME_WIDTH}} {num(r.value, scale):>14} {unit}")
    kpis = frame[frame["section"] == SECTION_KPI]
    if not kpis.empty:
        cash = kpis[kpis["measure"] == "spending_eur"]
        if not cash.empty:
            lines.append("  " + term("value_cash_saving", lg).format(value=num(cash["value"].iloc[0], MLN)))
        lines.append(
            f"  {term('per_kpi_expected', lg):<{KPI_NAME_WIDTH}} {term('plan', lg):>14} "
            f"{term('status_quo', lg):>14} {term('saving', lg):>14}"
        )
        for r in kpis.itertuples(index=False):
            scale = MLN if r.unit == EUR else 1.0
            unit = "€ mln" if r.unit == EUR else term(str(r.unit), lg)
            name = kpi_label(str(r.measure), lg)[:KPI_NAME_WIDTH]
            lines.append(
                f"  {name:<{KPI_NAME_WIDTH}} {num(r.recommended, scale):>14} "
                f"{num(r.status_quo, scale):>14} {num(r.value, scale):>14} {unit}"
            )
    return lines


def _finite(x: object) -> bool:
    try:
        return math.isfinite(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _num(x: object, scale: float, lang: str = "en") -> str:
    if not _finite(x):
        return "+inf" if x == math.inf else "–"
    text = f"{float(x) / scale:,.1f}"  # type: ignore[arg-type]
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") if lang == "nl" else text


def _mln(x: object) -> str:
    return _num(x, MLN)


# --------------------------------------------------------------------------- analysis files


def analysis_dir(run_path: Path) -> Path:
    return run_path / ANALYSIS_DIR


def write_tables(folder: Path, tables: Mapping[str, pd.DataFrame]) -> list[Path]:
    """Write ``<name>.csv`` per table into ``folder``, atomically and never over an existing file.

    Every file is first written in full to a hidden temporary name, then hard-linked
    to its final name (``os.link`` fails if the name exists, so nothing is replaced,
    even by a concurrent writer). Raises :class:`AnalysisExistsError` before writing
    anything when a target exists.
    """
    targets = {name: folder / f"{name}{CSV}" for name in tables}
    existing = [p for p in targets.values() if p.exists()]
    if existing:
        raise AnalysisExistsError(f"{existing[0]} exists and is never replaced")
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for name, frame in tables.items():
            target = targets[name]
            tmp = folder / f".{target.name}.{os.getpid()}.tmp"
            try:
                frame.to_csv(tmp, index=False)
                try:
                    os.link(tmp, target)
                except FileExistsError as exc:
                    raise AnalysisExistsError(
                        f"{target} appeared while writing; it was left as it is"
                    ) from exc
            finally:
                tmp.unlink(missing_ok=True)
            written.append(target)
    except BaseException:
        for p in written:  # all or nothing: no half set of analysis files
            p.unlink(missing_ok=True)
        raise
    return written


def value_tables(analysis: ValueAnalysis) -> dict[str, pd.DataFrame]:
    return {VALUE_TABLE: analysis.to_frame(), VALUE_SCENARIOS_TABLE: analysis.scenario_frame()}


def read_value_table(run_path: Path) -> pd.DataFrame | None:
    """``analysis/value.csv`` of a run, or None when the run was not analysed."""
    file = analysis_dir(run_path) / f"{VALUE_TABLE}{CSV}"
    if not file.is_file():
        return None
    return pd.read_csv(file, keep_default_na=False, na_values=[""])


def evaluate_names(set_name: str) -> tuple[str, str]:
    """File stems of an evaluation on ``set_name``: per scenario and summary."""
    stem = f"{EVALUATE_PREFIX}{set_name}"
    return stem, f"{stem}{SUMMARY_SUFFIX}"


def served_share(evaluation: Evaluation) -> float:
    total = sum(r.probability for r in evaluation.results)
    served = sum(r.probability for r in evaluation.results if r.solved)
    return served / total if total > 0 else math.nan


__all__: Sequence[str] = (
    "AnalysisExistsError",
    "StatusQuoComparison",
    "ValueAnalysis",
    "compare_with_status_quo",
    "evaluation_frame",
    "evaluation_summary",
    "kpi_callback",
    "kpi_metrics",
    "outcome_from_manifest",
    "read_value_table",
    "stochastic_solution_from_tables",
    "value_lines",
    "value_tables",
    "write_tables",
)
