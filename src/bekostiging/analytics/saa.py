"""Sample average approximation with a statistical optimality gap (Mak, Morton & Wood 1999).

Question answered: *is this plan x̂ (say, from 50 scenarios) good on a large set of
scenarios (say, 5,000)?* The large set ``B`` (equal or given probabilities) is treated as
the distribution; the true problem is ``z* = min_x E_B[f(x, ξ)]`` with
``f(x, ξ) = c1·x + Q(x, ξ)`` the plan's total cost in a scenario.

1. **The plan on B.** ``x̂`` is evaluated on every scenario of B (``evaluate_plan``): its
   expected cost ``U = E_B f(x̂, ξ)`` with the usual 95 % confidence interval of the mean.
2. **Multiple replications (MMW).** ``M`` samples of ``N`` scenarios each are drawn from B
   (disjoint while ``M·N ≤ |B|``, else independently with replacement; each sample equally
   likely scenarios). For sample ``k`` the SAA problem is solved (extensive form or
   L-shaped); its **lower bound** ``z_k`` (the solver's bound, ``≤`` the SAA optimum, so
   the gap estimate below can only be too large) and the plan's sample mean
   ``f̂_k = (1/N) Σ_{ξ∈k} f(x̂, ξ)`` (read from step 1: the same scenarios, *common random
   numbers*) give

       G_k = f̂_k − z_k ≥ 0 (in expectation),
       Ḡ = (1/M) Σ_k G_k,     s_G² = 1/(M−1) Σ_k (G_k − Ḡ)²,

   and the one-sided (1 − α) confidence interval of the optimality gap
   ``E f(x̂) − z*`` is

       [0, Ḡ + t_{M−1, 1−α} · s_G / √M]

   (``E_B[z_N] ≤ z*``: the SAA optimum is biased low, so ``E[G_k] ≥`` the true gap and the
   interval is conservative). With α = 0.05 this is the "95 % CI of the optimality gap";
   it is also reported relative to ``U``.
3. **Candidates (optional).** Each replication's own plan is a candidate; evaluated on B,
   the cheapest is the recommended SAA plan (Kleywegt, Shapiro & Homem-de-Mello 2002).

The formula is in :func:`mmw_interval` (tested on fixed numbers).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import t as student_t

from bekostiging.analytics.evaluate import Evaluation, evaluate_plan
from bekostiging.solver import SolveOutcome, SolverOptions
from bekostiging.twostage import ScenarioData, TwoStageProblem

DEFAULT_CONFIDENCE = 0.95  # one-sided, for the gap; two-sided for the plan's mean cost


@dataclass(frozen=True)
class GapInterval:
    """MMW: mean gap, its sd over replications and the one-sided upper confidence limit."""

    replications: int
    mean: float
    sd: float
    upper: float  # Ḡ + t_{M-1, confidence} s_G / √M
    confidence: float


def mmw_interval(gaps: Sequence[float], confidence: float = DEFAULT_CONFIDENCE) -> GapInterval:
    """``[0, Ḡ + t_{M−1,confidence}·s_G/√M]`` from the replication gaps ``G_k`` (M ≥ 2)."""
    g = np.asarray(gaps, dtype=float)
    m = g.size
    if m < 2:
        raise ValueError("the MMW interval needs at least two replications")
    if not np.all(np.isfinite(g)):
        raise ValueError("every replication needs a finite gap (a solved SAA problem and a served plan)")
    if not 0.5 <= confidence < 1.0:
        raise ValueError(f"confidence must be in [0.5, 1), got {confidence}")
    mean = float(g.mean())
    sd = float(g.std(ddof=1))
    quantile = float(student_t.ppf(confidence, m - 1))
    return GapInterval(m, mean, sd, mean + quantile * sd / math.sqrt(m), confidence)


def replication_samples(n_total: int, n: int, replications: int, seed: int) -> list[np.ndarray]:
    """Indices of ``replications`` samples of ``n`` scenarios out of ``n_total``.

    Disjoint (a random permutation cut in blocks) when ``n·replications ≤ n_total``; else
    each sample drawn without replacement on its own (samples independent)."""
    if n < 1 or replications < 1:
        raise ValueError("need n >= 1 and replications >= 1")
    if n > n_total:
        raise ValueError(f"a sample of {n} from a set of {n_total} scenarios")
    rng = np.random.default_rng(seed)
    if n * replications <= n_total:
        order = rng.permutation(n_total)
        return [np.sort(order[k * n : (k + 1) * n]) for k in range(replications)]
    return [np.sort(rng.choice(n_total, size=n, replace=False)) for _ in range(replications)]


@dataclass(frozen=True)
class Replication:
    index: int
    scenarios: tuple[str, ...]
    outcome: SolveOutcome  # the SAA solve (objective, bound, gap, status, seconds)
    plan_sample_mean: float  # f̂_k(x̂)
    plan: Mapping[str, float] | None = None
    plan_on_set: float | None = None  # the replication's own plan evaluated on B (candidates)
    candidate: Evaluation | None = None  # that evaluation, scenario by scenario

    @property
    def lower(self) -> float:
        bound = self.outcome.bound if self.outcome.bound is not None else self.outcome.objective
        return math.nan if bound is None else float(bound)

    @property
    def gap(self) -> float:
        return self.plan_sample_mean - self.lower


@dataclass
class SaaReport:
    """The plan on the large set, the replications and the MMW gap interval."""

    evaluation: Evaluation
    replications: list[Replication]
    interval: GapInterval
    sample_size: int
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def plan_cost(self) -> float:
        return self.evaluation.objective

    def relative_upper(self) -> float:
        return self.interval.upper / abs(self.plan_cost) if self.plan_cost else math.nan

    def to_frame(self) -> pd.DataFrame:
        """One row per replication: SAA bound and objective, the plan's sample mean, G_k."""
        rows = [
            {
                "replication": r.index,
                "scenarios": len(r.scenarios),
                "saa_status": str(r.outcome.status),
                "saa_objective": r.outcome.objective,
                "saa_bound": r.lower,
                "saa_gap": r.outcome.gap,
                "saa_seconds": r.outcome.solve_seconds,
                "plan_sample_mean": r.plan_sample_mean,
                "gap_estimate": r.gap,
                "own_plan_on_set": r.plan_on_set,
            }
            for r in self.replications
        ]
        return pd.DataFrame(rows)

    def summary(self) -> pd.DataFrame:
        s = self.evaluation.statistics()
        i = self.interval
        rows = [
            ("plan_cost_mean", s.mean),
            ("plan_cost_ci_low", s.ci_low),
            ("plan_cost_ci_high", s.ci_high),
            ("evaluation_scenarios", float(len(self.evaluation.results))),
            ("replications", float(i.replications)),
            ("sample_size", float(self.sample_size)),
            ("gap_mean", i.mean),
            ("gap_sd", i.sd),
            ("gap_upper", i.upper),
            ("gap_upper_relative", self.relative_upper()),
            ("confidence", i.confidence),
        ]
        return pd.DataFrame(rows, columns=["quantity", "value"])


SolveSample = Callable[[TwoStageProblem], tuple[SolveOutcome, Mapping[str, float] | None]]


def saa_gap(
    problem: TwoStageProblem,
    plan: Mapping[str, float],
    solve_sample: SolveSample,
    *,
    sample_size: int,
    replications: int,
    seed: int = 0,
    options: SolverOptions | None = None,
    workers: int | None = None,
    executor: str | None = None,
    candidates: bool = False,
    confidence: float = DEFAULT_CONFIDENCE,
    evaluation: Evaluation | None = None,
    progress: Callable[[str, dict[str, float]], None] | None = None,
    parallel_samples: bool = False,
) -> SaaReport:
    """MMW gap of ``plan`` on ``problem``'s scenarios (the large set B); see the module docstring.

    ``solve_sample(sub_problem)`` solves the SAA problem of one sample and returns its
    outcome (objective, bound) and plan. ``evaluation``: the plan already evaluated on B.
    ``parallel_samples``: the replications are independent solves; run them on ``workers``
    workers of the executor (``solve_sample`` must then be picklable, e.g. a
    ``functools.partial`` of a module-level function, and single-threaded).
    ``progress(event, values)``: called at each step with an event name and its numbers
    (``evaluate``: n; ``parallel``: m, n; ``solved``: k, m; ``replication``: k, m, bound,
    plan in the model's money unit); the caller words it in the user's language.
    """
    import time

    def say(event: str, **values: float) -> None:
        if progress is not None:
            progress(event, values)

    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    if evaluation is None:
        say("evaluate", n=len(problem.scenarios))
        evaluation = evaluate_plan(problem, plan, options=options, workers=workers, executor=executor)
    seconds["evaluate"] = time.perf_counter() - t0
    if evaluation.infeasible or evaluation.unsolved:
        raise ValueError(
            f"the plan has no cost in {len(evaluation.infeasible) + len(evaluation.unsolved)} scenario(s) "
            f"(e.g. {(evaluation.infeasible + evaluation.unsolved)[0]}): no optimality gap"
        )
    cost = {r.name: r.total_cost for r in evaluation.results}
    samples = replication_samples(len(problem.scenarios), sample_size, replications, seed)
    reps: list[Replication] = []
    t0 = time.perf_counter()
    subs = []
    for idx in samples:
        chosen = [problem.scenarios[i] for i in idx]
        n = len(chosen)
        subs.append(problem.with_scenarios([ScenarioData(s.name, 1.0 / n, s.data) for s in chosen]))
    if parallel_samples and len(subs) > 1:
        from bekostiging.executor import map_tasks

        say("parallel", m=len(subs), n=sample_size)
        solved = map_tasks(solve_sample, subs, workers, executor)
    else:
        solved = []
        for k, sub in enumerate(subs):
            solved.append(solve_sample(sub))
            say("solved", k=k + 1, m=len(subs))
    for k, (sub, (outcome, own)) in enumerate(zip(subs, solved, strict=True)):
        mean = float(np.mean([cost[s.name] for s in sub.scenarios]))
        reps.append(Replication(k, tuple(s.name for s in sub.scenarios), outcome, mean, own))
        say("replication", k=k + 1, m=len(samples), bound=reps[-1].lower, plan=mean)
    seconds["replications"] = time.perf_counter() - t0
    if candidates:
        t0 = time.perf_counter()
        for i, r in enumerate(reps):
            if r.plan is not None:
                ev = evaluate_plan(problem, r.plan, options=options, workers=workers, executor=executor)
                reps[i] = Replication(
                    r.index, r.scenarios, r.outcome, r.plan_sample_mean, r.plan, ev.objective
                )
        seconds["candidates"] = time.perf_counter() - t0
    interval = mmw_interval([r.gap for r in reps], confidence)
    return SaaReport(evaluation, reps, interval, sample_size, seconds)
