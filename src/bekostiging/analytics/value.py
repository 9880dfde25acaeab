"""The value of planning for uncertainty: RP, EV, EEV, WS, VSS and EVPI (Birge & Louveaux §4.1).

For a two-stage problem min_x c·x + E_ξ[Q(x, ξ)] (with risk weight W > 0 the
expectation is replaced by (1 − W)·E + W·CVaR_α of the total cost, throughout):

* **RP**   the recourse problem: the stochastic solution's objective (extensive form);
* **EV**   the expected-value problem: one scenario, the mean data, probability 1;
  its first-stage plan x̄ is the "plan on the point forecast";
* **EEV**  x̄ fixed, evaluated on every scenario (one recourse problem per scenario);
* **WS**   wait-and-see: each scenario solved alone with stage 1 free (perfect
  foresight), aggregated with the probabilities;
* **VSS = EEV − RP ≥ 0** what planning for uncertainty saves over the point forecast;
* **EVPI = RP − WS ≥ 0** what perfect forecasts would be worth.

Bounds, not only point values. Each piece keeps its :class:`SolveOutcome`
status and gap. A MIP solved to a relative gap gives an incumbent (upper
bound) and a proven lower bound, so every measure is reported as a value
with an interval ``[lower, upper]``:
``VSS ∈ [EEV_lo − RP_hi, EEV_hi − RP_lo]`` and
``EVPI ∈ [RP_lo − WS_hi, RP_hi − WS_lo]``, with the lower end raised to 0 (both
are non-negative by theory). A measure is ``exact`` only when all its pieces
are proven optimal and the interval has width zero (LPs, or MIPs closed to
gap 0). If the EV plan cannot serve a scenario, EEV and VSS are +inf and the
note names the scenarios.

Usage::

    from bekostiging.analytics import value_of_information
    voi = value_of_information(problem, SolverOptions(mip_gap=1e-4), workers=None)
    voi.to_frame()          # measure, value_eur, lower_eur, upper_eur, status, gap, exact, note
    voi.scenario_frame()    # per scenario: RP, EEV and WS total cost with statuses
    voi.vss.value, voi.evpi.value

The WS and EEV problems run in parallel processes (``workers``, default
``os.cpu_count()``; 1 = serial): the problem's builders and ``mean_data`` must
be picklable (top-level functions or ``functools.partial``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import pyomo.environ as pyo

from bekostiging.analytics.evaluate import Evaluation, combined_status
from bekostiging.analytics.scenario import (
    MetricsCallback,
    ScenarioResult,
    make_task,
    resolve_workers,
    solve_scenarios,
)
from bekostiging.analytics.stats import risk_value
from bekostiging.solver import OneShotHighs, SolveOutcome, SolverOptions, Status
from bekostiging.twostage import Risk, ScenarioData, TwoStageProblem, extensive_form, first_stage_values

EV_SCENARIO = "expected_value"  # name of the single scenario of the EV problem
EXACT_TOLERANCE = 1e-9  # relative interval width below which a measure counts as exact


@dataclass(frozen=True)
class StochasticSolution:
    """An extensive-form solution: the objective, its bound, the plan and the cost split."""

    outcome: SolveOutcome
    first_stage: Mapping[str, float] | None
    first_stage_cost: float
    expected_second_stage_cost: float
    scenario_second_stage_costs: Mapping[str, float]
    cvar: float | None = None

    @property
    def status(self) -> Status:
        return self.outcome.status

    @property
    def objective(self) -> float:
        """The incumbent's objective; +inf if infeasible, NaN if no solution for another reason."""
        return _value_or_missing(self.outcome)

    @property
    def lower_bound(self) -> float:
        return _lower_or_missing(self.outcome)


def _value_or_missing(outcome: SolveOutcome) -> float:
    if outcome.status.has_solution and outcome.objective is not None:
        return float(outcome.objective)
    return math.inf if outcome.status == Status.INFEASIBLE else math.nan


def _lower_or_missing(outcome: SolveOutcome) -> float:
    if not outcome.status.has_solution:
        return _value_or_missing(outcome)
    if outcome.bound is not None:
        return float(outcome.bound)
    return _value_or_missing(outcome) if outcome.status == Status.OPTIMAL else -math.inf


def solve_stochastic(problem: TwoStageProblem, options: SolverOptions | None = None) -> StochasticSolution:
    """RP: build the compact extensive form and solve it (risk measure as in ``problem.risk``)."""
    model = extensive_form(problem)
    outcome = OneShotHighs(options or SolverOptions()).solve(model)
    if not outcome.status.has_solution:
        return StochasticSolution(outcome, None, math.nan, math.nan, {})
    scenario_costs = {s: float(pyo.value(model.scen[s].SecondStageCost)) for s in model.SCENARIOS}
    cvar = float(pyo.value(model.CVaR)) if hasattr(model, "CVaR") else None
    return StochasticSolution(
        outcome,
        first_stage_values(model.first),
        float(pyo.value(model.first.FirstStageCost)),
        float(pyo.value(model.ExpectedSecondStageCost)),
        scenario_costs,
        cvar,
    )


def expected_value_problem(problem: TwoStageProblem) -> TwoStageProblem:
    """The problem with one scenario, ``mean_data()``, probability 1 (risk-neutral: one outcome)."""
    mean = ScenarioData(EV_SCENARIO, 1.0, problem.mean_data())
    return problem.with_scenarios([mean]).with_risk(Risk())


def solve_expected_value(
    problem: TwoStageProblem, options: SolverOptions | None = None
) -> StochasticSolution:
    """EV: plan on the mean scenario."""
    return solve_stochastic(expected_value_problem(problem), options)


@dataclass(frozen=True)
class Measure:
    """One number of the analysis, with the interval its solves prove and their worst status.

    ``gap`` is the largest relative MIP gap among the solves behind the number.
    """

    name: str
    value: float
    lower: float
    upper: float
    status: Status
    gap: float | None
    note: str = ""

    @property
    def exact(self) -> bool:
        if self.status != Status.OPTIMAL or not math.isfinite(self.value):
            return False
        width = self.upper - self.lower
        return width <= EXACT_TOLERANCE * max(1.0, abs(self.value))


def _measure_from_solution(name: str, solution: StochasticSolution, note: str = "") -> Measure:
    o = solution.outcome
    return Measure(name, solution.objective, solution.lower_bound, solution.objective, o.status, o.gap, note)


def _max_gap(gaps: Sequence[float | None]) -> float | None:
    known = [g for g in gaps if g is not None]
    return max(known) if known else None


def _measure_from_scenarios(
    name: str, results: Sequence[ScenarioResult], risk: Risk, note: str = ""
) -> Measure:
    p = [r.probability for r in results]
    value = risk_value([r.total_cost for r in results], p, risk)
    lower = risk_value([r.bound for r in results], p, risk)
    status = combined_status(r.status for r in results)
    return Measure(name, value, lower, value, status, _max_gap([r.gap for r in results]), note)


def _non_negative_difference(
    name: str, a: Measure, b: Measure, extra: Sequence[Measure], note: str
) -> Measure:
    """a − b with interval [a_lo − b_hi, a_hi − b_lo], the lower end raised to 0 (theory: ≥ 0)."""
    value = a.value - b.value
    lower = a.lower - b.upper
    upper = a.upper - b.lower
    if not math.isnan(lower) and upper >= 0.0:
        lower = max(lower, 0.0)
    parts = [a, b, *extra]
    status = combined_status(m.status for m in parts)
    notes = [note] if note else []
    if status == Status.LIMIT:
        notes.append("not all pieces proven optimal: use the interval, not the point value")
    return Measure(name, value, lower, upper, status, _max_gap([m.gap for m in parts]), "; ".join(notes))


@dataclass(frozen=True)
class ValueOfInformation:
    """RP, EV, EEV, WS, VSS and EVPI with their statuses; the solves behind them are kept."""

    risk: Risk
    rp: Measure
    ev: Measure
    eev: Measure
    ws: Measure
    vss: Measure
    evpi: Measure
    rp_solution: StochasticSolution
    ev_solution: StochasticSolution
    eev_evaluation: Evaluation | None
    ws_results: tuple[ScenarioResult, ...]
    seconds: float

    @property
    def measures(self) -> tuple[Measure, ...]:
        return (self.rp, self.ev, self.eev, self.ws, self.vss, self.evpi)

    def parts(self, rp_expected: Mapping[str, float], keys: Sequence[str]) -> pd.DataFrame:
        """measure (VSS, EVPI), kpi, value: each measure split by an expected KPI.

        VSS_k = E[k | EV plan] − E[k | RP plan] and EVPI_k = E[k | RP plan] − E[k | perfect
        foresight], from the metrics read on the EEV and WS blocks and the RP's own expected
        KPIs (``rp_expected``). NaN where a scenario was not solved or a KPI was not read.
        """

        def expected(results: Sequence[ScenarioResult], key: str) -> float:
            if not results or any(key not in r.metrics for r in results):
                return math.nan
            return float(sum(r.probability * r.metrics[key] for r in results))

        eev = self.eev_evaluation.results if self.eev_evaluation else ()
        rows = []
        for key in keys:
            rp_k = float(rp_expected.get(key, math.nan))
            rows.append(("VSS", key, expected(eev, key) - rp_k))
            rows.append(("EVPI", key, rp_k - expected(self.ws_results, key)))
        return pd.DataFrame(rows, columns=["measure", "kpi", "value"])

    @property
    def ws_objectives(self) -> dict[str, float]:
        """Each scenario's perfect-foresight optimum (total cost)."""
        return {r.name: r.total_cost for r in self.ws_results}

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per measure (value_eur is the point value; lower/upper the proven interval)."""
        return pd.DataFrame(
            [
                {
                    "measure": m.name,
                    "value_eur": m.value,
                    "lower_eur": m.lower,
                    "upper_eur": m.upper,
                    "status": str(m.status),
                    "gap": m.gap,
                    "exact": m.exact,
                    "note": m.note,
                }
                for m in self.measures
            ]
        )

    def scenario_frame(self) -> pd.DataFrame:
        """Per scenario: total cost under the RP plan, the EV plan (EEV) and perfect foresight (WS)."""
        eev = {r.name: r for r in self.eev_evaluation.results} if self.eev_evaluation else {}
        rp = self.rp_solution
        rows = []
        for r in self.ws_results:
            second = rp.scenario_second_stage_costs.get(r.name, math.nan)
            e = eev.get(r.name)
            rows.append(
                {
                    "scenario": r.name,
                    "probability": r.probability,
                    "rp_total_eur": rp.first_stage_cost + second,
                    "eev_total_eur": e.total_cost if e else math.nan,
                    "eev_status": str(e.status) if e else "",
                    "ws_total_eur": r.total_cost,
                    "ws_status": str(r.status),
                    "ws_gap": r.gap,
                }
            )
        return pd.DataFrame(rows)


def value_of_information(
    problem: TwoStageProblem,
    options: SolverOptions | None = None,
    workers: int | None = None,
    rp: StochasticSolution | None = None,
    metrics: MetricsCallback | None = None,
) -> ValueOfInformation:
    """Solve RP (unless given), EV, then EEV and WS in parallel, and derive VSS and EVPI.

    Pass ``rp`` to reuse a stochastic solution already computed for ``problem``; ``metrics``
    (picklable) is read on every EEV and WS scenario block, so VSS and EVPI can be split
    into their parts (cash, service outcomes: :meth:`ValueOfInformation.parts`).
    """
    options = options or SolverOptions()
    start = time.perf_counter()
    rp = rp if rp is not None else solve_stochastic(problem, options)
    ev = solve_expected_value(problem, options)

    scenarios = tuple(problem.scenarios)
    plan = ev.first_stage
    eev_tasks = [make_task(problem, s, options, plan, metrics) for s in scenarios] if plan is not None else []
    ws_tasks = [make_task(problem, s, options, metrics=metrics) for s in scenarios]
    n = resolve_workers(workers, len(eev_tasks) + len(ws_tasks))
    results = solve_scenarios([*eev_tasks, *ws_tasks], n)
    eev_results, ws_results = results[: len(eev_tasks)], results[len(eev_tasks) :]

    risk = problem.risk
    rp_m = _measure_from_solution("RP", rp)
    ev_note = "" if ev.status == Status.OPTIMAL else "EV plan not proven optimal; EEV is for the plan found"
    ev_m = _measure_from_solution("EV", ev, ev_note)
    if plan is None:
        eev_eval = None
        eev_m = Measure("EEV", math.nan, math.nan, math.nan, ev.status, None, "the EV problem has no plan")
    else:
        eev_eval = Evaluation(plan, tuple(eev_results), risk, 0.0)
        lower, upper = eev_eval.objective_interval
        infeasible = eev_eval.infeasible
        note = f"the EV plan cannot serve: {', '.join(infeasible)}" if infeasible else ""
        eev_m = Measure("EEV", eev_eval.objective, lower, upper, eev_eval.status, eev_eval.max_gap, note)
    ws_m = _measure_from_scenarios("WS", ws_results, risk)
    vss = _non_negative_difference("VSS", eev_m, rp_m, [ev_m], eev_m.note)
    evpi = _non_negative_difference("EVPI", rp_m, ws_m, [], "")
    return ValueOfInformation(
        risk,
        rp_m,
        ev_m,
        eev_m,
        ws_m,
        vss,
        evpi,
        rp,
        ev,
        eev_eval,
        tuple(ws_results),
        time.perf_counter() - start,
    )
