"""Out-of-sample evaluation of a fixed stage-1 plan.

The plan is fixed and stage 2 is solved for every scenario on its own (the
scenarios are independent once stage 1 is fixed; they run in parallel
processes). Each scenario gets its total cost (stage 1 + stage 2), its solve
status and gap, and any caller metrics; a scenario the plan cannot serve is
reported by name, never averaged away.

Summary statistics (mean, sd, 95 % CI of the mean, P50/P90/P99) are
probability-weighted; the formulas are in :mod:`bekostiging.analytics.stats`.
When some scenarios have no cost (infeasible, or stopped without a solution),
the statistics describe the scenarios that were served, with their
probabilities renormalised, and ``probability_covered`` says how much
probability that is; the expectation over all scenarios is then +inf
(infeasible) or unknown (NaN).

Usage::

    from bekostiging.analytics import evaluate_plan
    ev = evaluate_plan(problem, plan, big_set.scenarios, SolverOptions(mip_gap=1e-3),
                       workers=None, metrics=backlog_metrics)
    ev.infeasible          # names of scenarios the plan cannot serve
    ev.summary()           # one row per quantity: mean, sd, ci_low, ci_high, p50, p90, p99
    ev.to_frame()          # one row per scenario

``metrics`` must be picklable (a top-level function) when ``workers > 1``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from bekostiging.analytics.scenario import (
    MetricsCallback,
    ScenarioResult,
    make_task,
    solve_scenarios,
)
from bekostiging.analytics.stats import Summary, risk_value, summarise
from bekostiging.assemble import AssemblyUnsupported
from bekostiging.solver import SolverOptions, Status
from bekostiging.twostage import Risk, ScenarioData, TwoStageProblem

TOTAL_COST = "total_cost_eur"
SECOND_STAGE_COST = "second_stage_cost_eur"


@dataclass(frozen=True)
class Evaluation:
    """A fixed plan evaluated scenario by scenario."""

    plan: Mapping[str, float]
    results: tuple[ScenarioResult, ...]
    risk: Risk
    seconds: float

    # -- which scenarios -------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [r.name for r in self.results]

    @property
    def infeasible(self) -> tuple[str, ...]:
        """Scenarios the plan cannot serve (stage 2 infeasible with stage 1 fixed)."""
        return tuple(r.name for r in self.results if r.status == Status.INFEASIBLE)

    @property
    def unsolved(self) -> tuple[str, ...]:
        """Scenarios without a cost for another reason (limit before a solution, error, unbounded)."""
        return tuple(r.name for r in self.results if not r.solved and r.status != Status.INFEASIBLE)

    @property
    def all_optimal(self) -> bool:
        return all(r.optimal for r in self.results)

    @property
    def status(self) -> Status:
        return combined_status(r.status for r in self.results)

    @property
    def max_gap(self) -> float | None:
        gaps = [r.gap for r in self.results if r.gap is not None]
        return max(gaps) if gaps else None

    # -- expectations over all scenarios ---------------------------------------------
    def _probabilities(self) -> list[float]:
        return [r.probability for r in self.results]

    @property
    def expected_total_cost(self) -> float:
        """Σ p_s · total_s over all scenarios: +inf if one is infeasible, NaN if one is unsolved."""
        return risk_value([r.total_cost for r in self.results], self._probabilities(), Risk())

    @property
    def expected_second_stage_cost(self) -> float:
        return risk_value([r.second_stage_cost for r in self.results], self._probabilities(), Risk())

    @property
    def objective(self) -> float:
        """The problem's objective for this plan: (1 − W)·E[total] + W·CVaR_α[total]."""
        return risk_value([r.total_cost for r in self.results], self._probabilities(), self.risk)

    @property
    def objective_interval(self) -> tuple[float, float]:
        """Lower and upper bound on :attr:`objective` from each scenario's solver bound.

        The risk value is non-decreasing in every scenario's cost, so applying it to the
        scenario lower bounds and to the incumbents brackets the optimal recourse value.
        """
        p = self._probabilities()
        return (
            risk_value([r.bound for r in self.results], p, self.risk),
            risk_value([r.total_cost for r in self.results], p, self.risk),
        )

    # -- tables ------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """One row per scenario: cost, bound, status, gap, seconds and caller metrics."""
        rows = []
        for r in self.results:
            row: dict[str, object] = {
                "scenario": r.name,
                "probability": r.probability,
                "status": str(r.status),
                "gap": r.gap,
                "first_stage_cost_eur": r.first_stage_cost,
                SECOND_STAGE_COST: r.second_stage_cost,
                TOTAL_COST: r.total_cost,
                "bound_eur": r.bound,
                "seconds": r.seconds,
            }
            row.update(r.metrics)
            rows.append(row)
        return pd.DataFrame(rows)

    def quantities(self) -> list[str]:
        """Names that :meth:`statistics` accepts: the two costs, then the caller's metrics."""
        names = [TOTAL_COST, SECOND_STAGE_COST]
        for r in self.results:
            for key in r.metrics:
                if key not in names:
                    names.append(key)
        return names

    def statistics(self, quantity: str = TOTAL_COST) -> Summary:
        """Probability-weighted summary of one quantity over the served scenarios."""
        served = [r for r in self.results if r.solved]
        if not served:
            raise ValueError("no scenario was served: nothing to summarise")
        values = [_quantity(r, quantity) for r in served]
        return summarise(values, [r.probability for r in served])

    def summary(self) -> pd.DataFrame:
        """One row per quantity: mean, sd, 95 % CI of the mean, P50/P90/P99 (served scenarios)."""
        total = sum(self._probabilities())
        served = [r for r in self.results if r.solved]
        covered = sum(r.probability for r in served) / total if total > 0 else math.nan
        rows = []
        for quantity in self.quantities():
            row: dict[str, object] = {"quantity": quantity}
            if served:
                row.update(self.statistics(quantity).as_dict())
            row["probability_covered"] = covered
            row["infeasible"] = len(self.infeasible)
            row["unsolved"] = len(self.unsolved)
            row["all_optimal"] = self.all_optimal
            rows.append(row)
        return pd.DataFrame(rows)


def _quantity(result: ScenarioResult, quantity: str) -> float:
    if quantity == TOTAL_COST:
        return result.total_cost
    if quantity == SECOND_STAGE_COST:
        return result.second_stage_cost
    if quantity not in result.metrics:
        raise KeyError(f"scenario {result.name} has no metric {quantity!r}")
    return result.metrics[quantity]


_STATUS_SEVERITY = (
    Status.ERROR,
    Status.UNBOUNDED,
    Status.LIMIT_NO_SOLUTION,
    Status.INFEASIBLE,
    Status.LIMIT,
    Status.OPTIMAL,
)


def combined_status(statuses: Iterable[Status]) -> Status:
    """The worst of several statuses (error > unbounded > no solution > infeasible > limit > optimal)."""
    seen = set(statuses)
    for status in _STATUS_SEVERITY:
        if status in seen:
            return status
    return Status.OPTIMAL


def evaluate_plan(
    problem: TwoStageProblem,
    first_stage_values: Mapping[str, float],
    scenarios: Sequence[ScenarioData] | None = None,
    options: SolverOptions | None = None,
    workers: int | None = None,
    *,
    metrics: MetricsCallback | None = None,
    partial: bool = False,
    executor: str | None = None,
) -> Evaluation:
    """Fix the plan and solve stage 2 for each scenario independently.

    ``partial=True`` fixes only the stage-1 variables given (a yearly plan's root-stage
    decisions, ``multistage.root_values``) and re-optimises the others per scenario:
    the out-of-sample test of a plan by budget year (``model/stages.md`` §4.3).

    ``first_stage_values`` as returned by :func:`bekostiging.twostage.first_stage_values`
    (integer variables are rounded when fixed). ``scenarios`` defaults to the
    problem's own; ``workers`` defaults to ``os.cpu_count()`` (1 = serial).
    ``metrics(block)`` is evaluated on each solved scenario block.

    With a scenario template (``problem.template``) and a full plan, each worker of the
    executor (``executor.py``; ``executor`` or ``$BEKOSTIGING_EXECUTOR``) builds the scenario
    LP once (``decompose.ScenarioLP``) and then receives only scenario data and the plan,
    warm-starting each scenario from the previous one's basis; otherwise (``partial=True``,
    no template, data outside the row bounds) every scenario's extensive form is built and
    solved on its own.
    """
    options = options or SolverOptions()
    scenarios = tuple(problem.scenarios if scenarios is None else scenarios)
    if not scenarios:
        raise ValueError("no scenarios to evaluate the plan on")
    plan = dict(first_stage_values)
    start = time.perf_counter()
    if not partial and problem.template is not None:
        try:
            results = _evaluate_decomposed(problem, plan, scenarios, workers, metrics, executor)
        except AssemblyUnsupported:
            pass  # the per-scenario extensive forms below
        else:
            return Evaluation(plan, tuple(results), problem.risk, time.perf_counter() - start)
    tasks = [make_task(problem, s, options, plan, metrics, partial) for s in scenarios]
    results = solve_scenarios(tasks, workers)
    return Evaluation(plan, tuple(results), problem.risk, time.perf_counter() - start)


def _evaluate_decomposed(
    problem: TwoStageProblem,
    plan: dict[str, float],
    scenarios: Sequence[ScenarioData],
    workers: int | None,
    metrics: MetricsCallback | None,
    executor: str | None,
) -> list[ScenarioResult]:
    from bekostiging.decompose import PlanTask, ScenarioSpec, evaluate_task
    from bekostiging.executor import open_executor, resolve_workers

    spec = ScenarioSpec.of(problem)
    n = min(resolve_workers(workers), len(scenarios))
    tasks = [PlanTask(i, s.name, s.probability, s.data, plan, metrics) for i, s in enumerate(scenarios)]
    with open_executor(n, executor, spec) as ex:
        return ex.map(evaluate_task, tasks)
