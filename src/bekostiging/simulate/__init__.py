"""``bekostiging simulate``: policies re-planned through the budget cycle (issue 10).

The API (``model/stages.md`` §4.3):

* :class:`State` — the chain between planning moments (stocks, staff and trainees, open and
  pending locations, year-level commitments, the asielreserve and the budget ledger);
* :class:`Path` — realised monthly inflow for a calendar range, and ``forecast_at(moment)``:
  the :class:`Forecast` known then (MPP vintage bands, a scenario sampler);
* :class:`SimPolicy` — ``decide(moment, state, forecast, ctx) -> Plan``;
* :func:`simulate` / :func:`simulate_path` — the loop: plan, commit, run the chain on the
  realised inflow with the model's own constraint families, settle the budget year;
* :func:`make_policy` — the policies by name (``status-quo``, the letter's presets,
  ``lookahead``, ``tuned``).
"""

from bekostiging.simulate.calendar import SimulationInputError, month_index, month_label
from bekostiging.simulate.engine import (
    DEFAULT_REPLAN,
    REPLAN_MONTHS,
    Context,
    PathResult,
    SimPolicy,
    SimulationError,
    planning_moments,
    run_segment,
    settle_year,
    simulate,
    simulate_path,
    tidy,
)
from bekostiging.simulate.paths import (
    CATEGORIES,
    AdaptiveForecaster,
    CalibratedSampler,
    Forecast,
    Path,
    Shock,
    case_forecast,
    paths_from_set,
)
from bekostiging.simulate.policies import Lookahead, PresetRule, Tuned, make_policy, policy_names
from bekostiging.simulate.state import Money, Plan, State, commit
from bekostiging.simulate.window import window_data

__all__ = [
    "CATEGORIES",
    "DEFAULT_REPLAN",
    "REPLAN_MONTHS",
    "AdaptiveForecaster",
    "CalibratedSampler",
    "Context",
    "Forecast",
    "Lookahead",
    "Money",
    "Path",
    "PathResult",
    "Plan",
    "PresetRule",
    "Shock",
    "SimPolicy",
    "SimulationError",
    "SimulationInputError",
    "State",
    "Tuned",
    "case_forecast",
    "commit",
    "make_policy",
    "month_index",
    "month_label",
    "paths_from_set",
    "planning_moments",
    "policy_names",
    "run_segment",
    "settle_year",
    "simulate",
    "simulate_path",
    "tidy",
    "window_data",
]
