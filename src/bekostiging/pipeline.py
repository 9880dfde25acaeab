"""From validated inputs to result tables: the MPP baseline, the stochastic solve, the tables.

``solve_case`` is what ``bekostiging solve`` runs:

1. the MPP-mid plan (one deterministic scenario, levers off) gives the MPP need
   per partner and year and the MPP occupancy path;
2. the two-stage model over the scenario set, with that baseline, is solved by HiGHS:
   assembled block by block from a one-scenario Pyomo template (``assemble.py``,
   ``assembler="blocks"``, the default) or built and written whole by Pyomo
   (``assembler="pyomo"``; also the fallback for CVaR, which the assembler does not build);
3. a solution (optimal, or stopped at a limit with an incumbent) becomes tidy
   tables; an infeasible model gets an explanation in domain terms.

``stages="yearly"`` solves the multistage form instead (``model/stages.md``): a
stage-1 copy per scenario, a scenario tree by forward clustering on each year's
inflow (``branching`` children per node and boundary) and nested
non-anticipativity; the coming year's decisions are common, later years
contingent (``tables/decisions.csv``, ``tables/advice.csv``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from bekostiging.assemble import AssemblyUnsupported, BlockHighs
from bekostiging.budget import money_tables
from bekostiging.errors import SolverFailure
from bekostiging.infeasibility import Conflict, explain
from bekostiging.lshaped import DEFAULT_CUTS
from bekostiging.model import (
    BASELINE_SCENARIO,
    baseline_problem,
    chain_data,
    chain_problem,
    mpp_mid_inflow,
    scenario_inflows,
)
from bekostiging.model.data import BUDGET_LINES, MONEY_SCALE, ChainData, MppBaseline
from bekostiging.model.stages import yearly_inflow_features
from bekostiging.multistage import ScenarioTree, build_tree, yearly_extensive_form
from bekostiging.results import result_tables
from bekostiging.schema import Case, Policy, ScenarioSet
from bekostiging.solver import OneShotHighs, SolveOutcome, SolverOptions, Status
from bekostiging.twostage import Risk, TwoStageProblem, extensive_form, first_stage_values

Progress = Callable[..., None]
ASSEMBLERS = ("blocks", "pyomo")
METHODS = ("ef", "lshaped", "auto")
AUTO_LSHAPED_SCENARIOS = 300  # auto: L-shaped from this many scenarios (EF root LP stalls at 1000, bench/)
# L-shaped warm start: above 2 x this many scenarios, the first plan is the extensive form's plan on
# this many scenarios chosen by fast forward selection (at S = 200 within 0.006 % of the full
# optimum, at S = 1000 the L-shaped gap was 0.36 % after two iterations from it; bench/README.md)
REDUCED_SCENARIOS = 50
REDUCED_MIP_GAP = 0.001  # the reduced problem is small: solve it tighter than the overall target
REDUCED_TIME_SHARE = 0.3  # at most this share of the time limit goes to the reduced solve
STAGE_FORMS = ("two", "yearly")
DEFAULT_BRANCHING = (3, 2, 2, 2)  # children per node at each budget-year boundary (model/stages.md §3)


@dataclass
class ChainSolution:
    outcome: SolveOutcome
    baseline_outcome: SolveOutcome
    tables: dict[str, pd.DataFrame]
    timings: dict[str, float]
    conflicts: list[Conflict] = field(default_factory=list)
    model_size: dict[str, int] = field(default_factory=dict)
    options: SolverOptions = field(default_factory=SolverOptions)
    policy: Policy | None = None
    risk: Risk = field(default_factory=Risk)
    scenario_set: str = ""
    first_stage: dict[str, float] = field(default_factory=dict)
    failed_stage: str = ""  # "baseline" or "" when the baseline solved
    stages: str = "two"  # "two" or "yearly" (model/stages.md)
    tree: ScenarioTree | None = None  # the yearly form's scenario tree

    @property
    def ok(self) -> bool:
        return self.outcome.status.has_solution


def _noop(**_kwargs: object) -> None:
    return None


def in_euros(outcome: SolveOutcome) -> SolveOutcome:
    """The outcome with objective and bound in euros (the model counts in M EUR)."""
    return replace(
        outcome,
        objective=None if outcome.objective is None else outcome.objective * MONEY_SCALE,
        bound=None if outcome.bound is None else outcome.bound * MONEY_SCALE,
    )


FIRST_STAGE_UNIT = "model units (money in M EUR)"


def first_stage_table(values: dict[str, float]) -> pd.DataFrame:
    """Every stage-1 variable by its model name: what ``evaluate`` fixes to re-use a plan."""
    return pd.DataFrame({"variable": list(values), "value": list(values.values()), "unit": FIRST_STAGE_UNIT})


def first_stage_from_table(frame: pd.DataFrame) -> dict[str, float]:
    return dict(zip(frame["variable"].astype(str), frame["value"].astype(float), strict=True))


def model_size(m: pyo.ConcreteModel) -> dict[str, int]:
    """Columns, rows and integer columns of a built model (active components only)."""
    cols = ints = 0
    for v in m.component_data_objects(pyo.Var, descend_into=True):
        if v.fixed:
            continue
        cols += 1
        ints += int(v.is_integer())
    rows = sum(1 for _ in m.component_data_objects(pyo.Constraint, active=True, descend_into=True))
    return {"columns": cols, "rows": rows, "integer_columns": ints}


def solve_baseline(
    case: Case, data: ChainData, options: SolverOptions
) -> tuple[MppBaseline | None, SolveOutcome, list[Conflict]]:
    """The MPP-mid plan: need per budget line and year, its occupancy and its stage-1 plan."""
    problem = baseline_problem(data, mpp_mid_inflow(case), case.settings.policy.occupancy_norm)
    m = extensive_form(problem)
    solver = OneShotHighs(options)
    outcome = solver.solve(m)
    if not outcome.status.has_solution:
        conflicts = explain(solver, data) if outcome.status == Status.INFEASIBLE else []
        return None, outcome, conflicts
    b = m.scen[BASELINE_SCENARIO]
    need = {(line, y): float(pyo.value(b.Spending[line, y])) for line in BUDGET_LINES for y in data.years}
    occupancy = tuple(float(pyo.value(b.Occupancy[t])) for t in m.first.T)
    return MppBaseline(need, occupancy, first_stage_values(m.first)), outcome, []


@dataclass
class PreparedProblem:
    """The chain model as a generic two-stage problem, with its baseline (for analytics)."""

    problem: TwoStageProblem | None
    data: ChainData
    baseline_outcome: SolveOutcome
    conflicts: list[Conflict]


def prepare_problem(
    case: Case,
    scenario_set: ScenarioSet,
    options: SolverOptions | None = None,
    *,
    policy: Policy | None = None,
    risk: Risk | None = None,
) -> PreparedProblem:
    """Solve the MPP baseline and return the two-stage problem over the scenario set.

    ``problem`` is None when the baseline has no solution (see ``conflicts``).
    """
    options = options or SolverOptions()
    try:
        scenario_set.check_fits(case)
    except ValueError as exc:
        raise SolverFailure(str(exc)) from exc
    policy = policy or case.settings.policy
    risk = risk or Risk(case.settings.risk.weight, case.settings.risk.alpha)
    data = chain_data(case, policy)
    baseline, base_outcome, conflicts = solve_baseline(case, data, options)
    base_outcome = in_euros(base_outcome)
    if baseline is None:
        return PreparedProblem(None, data, base_outcome, conflicts)
    data = data.with_baseline(baseline)
    problem = chain_problem(data, scenario_inflows(scenario_set), list(scenario_set.probabilities), risk)
    return PreparedProblem(problem, data, base_outcome, conflicts)


def solve_case(
    case: Case,
    scenario_set: ScenarioSet,
    options: SolverOptions | None = None,
    *,
    policy: Policy | None = None,
    risk: Risk | None = None,
    progress: Progress | None = None,
    assembler: str = "blocks",
    stages: str = "two",
    branching: tuple[int, ...] = DEFAULT_BRANCHING,
    method: str = "ef",
    cuts: int | str = DEFAULT_CUTS,
    workers: int | None = None,
    executor: str | None = None,
) -> ChainSolution:
    """Solve the case on the scenario set; never raises for infeasibility or limits.

    ``method``: ``"ef"`` the extensive form; ``"lshaped"`` the L-shaped method
    (``lshaped.py``: master MILP over the plan, one LP per scenario on ``workers`` workers
    of the ``executor``, ``cuts`` = multi | single | number of cut groups); ``"auto"``
    L-shaped from :data:`AUTO_LSHAPED_SCENARIOS` scenarios when the problem is risk-neutral
    and two-stage, else the extensive form. ``timings["method"]``: 1 = L-shaped.

    ``assembler``: ``"blocks"`` assembles the extensive form from a one-scenario template
    (``assemble.py``; the same model as Pyomo writes, column for column) and falls back to
    ``"pyomo"`` (the whole extensive form built and written by Pyomo) when the problem is
    outside what it assembles (CVaR); ``timings["assembler"]`` says which ran (1 = blocks).
    """
    if assembler not in ASSEMBLERS:
        raise ValueError(f"assembler must be one of {ASSEMBLERS}, not {assembler!r}")
    if stages not in STAGE_FORMS:
        raise ValueError(f"stages must be one of {STAGE_FORMS}, not {stages!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    options = options or SolverOptions()
    progress = progress or _noop
    policy = policy or case.settings.policy
    risk = risk or Risk(case.settings.risk.weight, case.settings.risk.alpha)
    timings: dict[str, float] = {}
    start = time.perf_counter()

    progress(phase="MPP baseline")
    prepared = prepare_problem(case, scenario_set, options, policy=policy, risk=risk)
    timings["baseline_seconds"] = time.perf_counter() - start
    common = {"options": options, "policy": policy, "risk": risk, "scenario_set": scenario_set.name}
    base_outcome = prepared.baseline_outcome
    if prepared.problem is None:
        timings["total_seconds"] = time.perf_counter() - start
        return ChainSolution(
            base_outcome, base_outcome, {}, timings, prepared.conflicts, failed_stage="baseline", **common
        )
    data, problem, conflicts = prepared.data, prepared.problem, []
    if stages == "yearly":
        solution = _solve_yearly(prepared, scenario_set, branching, progress, timings, start, common)
        if solution.tables:
            solution.tables.update(money_tables(case.settings, solution.tables, case.sources))
        return solution

    if method == "auto":
        large = len(problem.scenarios) >= AUTO_LSHAPED_SCENARIOS
        method = "lshaped" if large and problem.risk.weight == 0 else "ef"
    if method == "lshaped":
        if problem.risk.weight > 0:
            raise SolverFailure("--method lshaped is risk-neutral; use --method ef with a CVaR weight")
        solution = _solve_lshaped(
            prepared, scenario_set, progress, timings, start, common, cuts, workers, executor
        )
        if solution.tables:
            solution.tables.update(money_tables(case.settings, solution.tables, case.sources))
        return solution

    progress(phase="building model")
    t0 = time.perf_counter()
    blocks: BlockHighs | None = None
    outcome: SolveOutcome | None = None
    if assembler == "blocks":
        try:
            blocks = BlockHighs(problem, options)  # builds the one-scenario template
            timings["build_seconds"] = time.perf_counter() - t0
            blocks.progress_scale = MONEY_SCALE
            outcome = in_euros(blocks.solve_problem(on_progress=progress))
        except AssemblyUnsupported:
            blocks = None  # e.g. CVaR rows: the Pyomo extensive form below
            t0 = time.perf_counter()
    if blocks is not None and outcome is not None:
        solver: OneShotHighs = blocks
        m = blocks.model
        size = blocks.model_size()
        scenarios = blocks.scenario_blocks
    else:
        m = extensive_form(problem)
        timings["build_seconds"] = time.perf_counter() - t0
        size = model_size(m)
        solver = OneShotHighs(options)  # solved once: LP file hand-off, no persistent model (solver.py)
        solver.progress_scale = MONEY_SCALE
        outcome = in_euros(solver.solve(m, on_progress=progress))
        scenarios = None
    timings["assembler"] = 1.0 if blocks is not None else 0.0
    timings["solve_seconds"] = outcome.solve_seconds
    progress(phase="done", incumbent=outcome.objective, bound=outcome.bound, gap=outcome.gap)

    tables: dict[str, pd.DataFrame] = {}
    first: dict[str, float] = {}
    if outcome.status.has_solution:
        t0 = time.perf_counter()
        tables = result_tables(
            m, data, scenario_set, cvar_alpha=risk.alpha, scenarios=scenarios() if scenarios else None
        )
        first = first_stage_values(m.first)
        tables["first_stage"] = first_stage_table(first)
        tables.update(money_tables(case.settings, tables, case.sources))  # budget.csv, reconciliation.csv
        timings["results_seconds"] = time.perf_counter() - t0
    elif outcome.status == Status.INFEASIBLE:
        conflicts = explain(solver, data)
    timings["total_seconds"] = time.perf_counter() - start
    return ChainSolution(outcome, base_outcome, tables, timings, conflicts, size, first_stage=first, **common)


def _solve_lshaped(
    prepared: PreparedProblem,
    scenario_set: ScenarioSet,
    progress: Progress,
    timings: dict[str, float],
    start: float,
    common: dict[str, object],
    cuts: int | str,
    workers: int | None,
    executor: str | None,
) -> ChainSolution:
    """The L-shaped method (``lshaped.py``); same tables as the extensive form."""
    from bekostiging.lshaped import LShaped, SubproblemFailure

    data, problem = prepared.data, prepared.problem
    if problem is None:
        raise ValueError("the L-shaped method needs a prepared problem (the baseline solved)")
    options: SolverOptions = common["options"]  # type: ignore[assignment]
    progress(phase="building model")
    t0 = time.perf_counter()
    initial = None
    if len(problem.scenarios) > 2 * REDUCED_SCENARIOS:
        progress(phase="reduced problem")
        initial = reduced_plan(problem, options, REDUCED_SCENARIOS)
        timings["warm_start_seconds"] = time.perf_counter() - t0
        timings["warm_start_scenarios"] = float(REDUCED_SCENARIOS if initial is not None else 0)
    if initial is None:
        initial = expected_value_plan(problem, options)  # first incumbent and first cuts
    if options.time_limit is not None:  # the warm start counts against the limit
        options = replace(options, time_limit=max(0.0, options.time_limit - (time.perf_counter() - start)))
    t1 = time.perf_counter()
    log_file = options.log_file

    def log(line: str) -> None:  # the iterations go to the run's solver log, after HiGHS's own
        if log_file is not None:
            with open(log_file, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")

    solver = LShaped(problem, options, cuts=cuts, workers=workers, executor=executor, log=log)
    solver.initial = initial
    first_from = "the expected-value problem"
    if timings.get("warm_start_scenarios"):
        first_from = f"{REDUCED_SCENARIOS} scenarios by fast forward selection"
    log(f"L-shaped: {len(problem.scenarios)} scenarios, first plan from {first_from}")
    timings["build_seconds"] = time.perf_counter() - t1
    timings["assembler"] = 1.0
    timings["method"] = 1.0

    def in_eur(**kw: object) -> None:
        scaled = {
            k: (v * MONEY_SCALE if k in ("incumbent", "bound") and v is not None else v)
            for k, v in kw.items()
        }
        progress(**scaled)

    try:
        result = solver.solve(on_progress=in_eur)
    except SubproblemFailure as exc:
        raise SolverFailure(str(exc)) from exc
    outcome = in_euros(result.outcome)
    timings["solve_seconds"] = outcome.solve_seconds
    timings["lshaped_iterations"] = outcome.extra.get("iterations", 0.0)
    progress(phase="done", incumbent=outcome.objective, bound=outcome.bound, gap=outcome.gap)
    lp = solver.lp
    n = len(problem.scenarios)
    master = lp.split.master
    size = {
        "columns": master.num_col - sum(1 for name in master.names if not name) + n * lp.n_y,
        "rows": len(master.row_lower) + n * lp.m,
        "integer_columns": int(master.integer.sum()),
    }
    tables: dict[str, pd.DataFrame] = {}
    first: dict[str, float] = {}
    if outcome.status.has_solution:
        t0 = time.perf_counter()
        risk: Risk = common["risk"]  # type: ignore[assignment]
        tables = result_tables(
            solver.model, data, scenario_set, cvar_alpha=risk.alpha, scenarios=solver.scenario_blocks()
        )
        first = solver.first_stage()
        tables["first_stage"] = first_stage_table(first)
        timings["results_seconds"] = time.perf_counter() - t0
    timings["total_seconds"] = time.perf_counter() - start
    return ChainSolution(
        outcome,
        prepared.baseline_outcome,
        tables,
        timings,
        [],
        size,
        first_stage=first,
        **common,  # type: ignore[arg-type]
    )


def scenario_features(problem: TwoStageProblem) -> np.ndarray:
    """Every scenario's data as one row: inflow per period and category, then housing outflow."""
    rows = []
    for s in problem.scenarios:
        parts = [np.asarray(s.data.inflow_persons, dtype=float).ravel()]
        housing = getattr(s.data, "housing_persons", None)
        if housing is not None:
            parts.append(np.asarray(housing, dtype=float).ravel())
        rows.append(np.concatenate(parts))
    return np.vstack(rows)


def reduced_plan(
    problem: TwoStageProblem, options: SolverOptions, k: int | None = None
) -> dict[str, float] | None:
    """The plan of ``problem`` reduced to ``k`` scenarios (fast forward selection), None if none.

    The L-shaped method's first incumbent and trust-region centre on large sets: a plan near
    the full optimum, so its first cuts lie where the optimum is. Only a starting point: the
    bound and the gap are those of the full problem (``lshaped.py``)."""
    from bekostiging.scenarios.reduce import distances, fast_forward
    from bekostiging.twostage import ScenarioData

    k = REDUCED_SCENARIOS if k is None else k
    if k >= len(problem.scenarios):
        return None
    probabilities = [s.probability for s in problem.scenarios]
    red = fast_forward(distances(scenario_features(problem)), probabilities, k)
    kept = sorted(zip(red.selected, red.probabilities, strict=True))
    small = problem.with_scenarios(
        [ScenarioData(problem.scenarios[i].name, q, problem.scenarios[i].data) for i, q in kept]
    )
    gap = min(options.mip_gap if options.mip_gap is not None else REDUCED_MIP_GAP, REDUCED_MIP_GAP)
    limit = None if options.time_limit is None else REDUCED_TIME_SHARE * options.time_limit
    sub_options = replace(options, mip_gap=gap, time_limit=limit)
    try:
        solver = BlockHighs(small, sub_options)
        outcome = solver.solve_problem()
        first = solver.first
    except AssemblyUnsupported:
        m = extensive_form(small)
        outcome = OneShotHighs(sub_options).solve(m)
        first = m.first
    return first_stage_values(first) if outcome.status.has_solution else None


def expected_value_plan(problem: TwoStageProblem, options: SolverOptions) -> dict[str, float] | None:
    """The plan of the expected-value problem (one scenario: the mean data), None if it has none.

    A stage-1-feasible plan near the stochastic one: the L-shaped method's first incumbent
    and the point of its first cuts (the MPP-mid plan can break the occupancy norm row)."""
    from bekostiging.twostage import ScenarioData

    ev = problem.with_scenarios([ScenarioData("expected_value", 1.0, problem.mean_data())]).with_risk(Risk())
    m = extensive_form(ev)
    outcome = OneShotHighs(options).solve(m)
    return first_stage_values(m.first) if outcome.status.has_solution else None


def scenario_tree(data: ChainData, problem: TwoStageProblem, branching: tuple[int, ...]) -> ScenarioTree:
    """The budget-year tree of ``problem``'s scenarios: forward clustering on each year's inflow.

    ``branching`` has one value for every boundary or one value per boundary; a longer
    tuple is cut to the horizon's boundaries, a shorter one repeats its last value.
    """
    boundaries = len(data.years) - 1
    per_boundary = tuple(branching[min(i, len(branching) - 1)] for i in range(boundaries))
    features = yearly_inflow_features(data, [s.data for s in problem.scenarios])
    probabilities = [s.probability for s in problem.scenarios]
    return build_tree(problem.names, probabilities, features, per_boundary or (1,))


def _solve_yearly(
    prepared: PreparedProblem,
    scenario_set: ScenarioSet,
    branching: tuple[int, ...],
    progress: Progress,
    timings: dict[str, float],
    start: float,
    common: dict[str, object],
) -> ChainSolution:
    """The multistage form (model/stages.md §4.2), built by Pyomo and solved by HiGHS."""
    from bekostiging.advice import advice_table, decisions_table
    from bekostiging.multistage import root_values, scenario_first_stage

    data, problem = prepared.data, prepared.problem
    if problem is None:
        raise ValueError("the yearly form needs a prepared problem (the baseline solved)")
    progress(phase="building model")
    t0 = time.perf_counter()
    tree = scenario_tree(data, problem, branching)
    m = yearly_extensive_form(problem, tree)
    timings["build_seconds"] = time.perf_counter() - t0
    timings["assembler"] = 0.0
    size = model_size(m)
    solver = OneShotHighs(common["options"])  # type: ignore[arg-type]
    solver.progress_scale = MONEY_SCALE
    outcome = in_euros(solver.solve(m, on_progress=progress))
    timings["solve_seconds"] = outcome.solve_seconds
    progress(phase="done", incumbent=outcome.objective, bound=outcome.bound, gap=outcome.gap)
    tables: dict[str, pd.DataFrame] = {}
    first: dict[str, float] = {}
    conflicts: list[Conflict] = []
    if outcome.status.has_solution:
        t0 = time.perf_counter()
        risk: Risk = common["risk"]  # type: ignore[assignment]
        tables = result_tables(m, data, scenario_set, cvar_alpha=risk.alpha)
        root = root_values(m)
        first = scenario_first_stage(m, problem.names[0])  # one path through the tree
        frame = first_stage_table(first)
        frame["stage"] = frame["variable"].map(m.stage_of).astype(int)
        frame["common"] = frame["variable"].isin(list(root))
        tables["first_stage"] = frame
        tables["decisions"] = decisions_table(m, data)
        tables["advice"] = advice_table(m, data)
        tables["tree"] = tree_table(tree, data)
        timings["results_seconds"] = time.perf_counter() - t0
    elif outcome.status == Status.INFEASIBLE:
        conflicts = explain(solver, data)
    timings["total_seconds"] = time.perf_counter() - start
    return ChainSolution(
        outcome,
        prepared.baseline_outcome,
        tables,
        timings,
        conflicts,
        size,
        first_stage=first,
        stages="yearly",
        tree=tree,
        **common,  # type: ignore[arg-type]
    )


def tree_table(tree: ScenarioTree, data: ChainData) -> pd.DataFrame:
    """scenario, stage, year, node: which node of each budget year every scenario belongs to."""
    rows = [(s, j, data.years[j], label) for j, label, node in tree.nodes() for s in node]
    return pd.DataFrame(rows, columns=["scenario", "stage", "year", "node"])
