"""Decision analytics on any two-stage problem (written against :mod:`bekostiging.twostage` only).

* :func:`value_of_information` — RP, EV, EEV, WS, VSS, EVPI with statuses and intervals;
* :func:`evaluate_plan` — a fixed plan on (another) scenario set, per scenario and summarised;
* :func:`sweep` — one model re-solved while a mutable Param changes (trade-off curves).

The same measures for any *mpi-sppy-style* model (``scenario_creator(name, **kwargs)``,
names, kwargs, an optional mean scenario) are in :mod:`bekostiging.analytics.sppy`.

Independent scenario problems run in parallel processes (``workers``; 1 = serial).
"""

from bekostiging.analytics.evaluate import Evaluation, evaluate_plan
from bekostiging.analytics.scenario import ScenarioResult
from bekostiging.analytics.stats import Summary, cvar, risk_value, summarise, weighted_quantile
from bekostiging.analytics.sweep import param_setter, sweep
from bekostiging.analytics.value import (
    Measure,
    StochasticSolution,
    ValueOfInformation,
    solve_expected_value,
    solve_stochastic,
    value_of_information,
)

__all__ = [
    "Evaluation",
    "Measure",
    "ScenarioResult",
    "StochasticSolution",
    "Summary",
    "ValueOfInformation",
    "cvar",
    "evaluate_plan",
    "param_setter",
    "risk_value",
    "solve_expected_value",
    "solve_stochastic",
    "summarise",
    "sweep",
    "value_of_information",
    "weighted_quantile",
]
