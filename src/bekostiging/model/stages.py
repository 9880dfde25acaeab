"""When each stage-1 decision of the chain model is taken, and what is known by then.

``model/stages.md`` §2. :func:`decision_period` gives the month in which a stage-1
variable is committed; its stage is the index of that month's budget year. The rule:

* a component with an entry in :data:`DECISION_AT`: that period (``TerminalStaffGap``:
  the last period — a slack on the end state, not a commitment made now);
* a component with an entry in :data:`DECISION_LEAD` (a decision taken a lead time
  before it takes effect): the effect period minus that lead (``Opened[l,t]``: the
  location's lead time);
* otherwise an index element that is a budget year: the first period of that year
  (``Budget``, ``ReserveDeposit``, ``ReservePlaces``, ``PoolTeams`` and any new
  year-indexed family);
* otherwise an index element that is a period (the last one): that period (``Hire``,
  ``Staff``, ``Open``, ``Closed`` and any new period-indexed family);
* otherwise period 0 (decided now).

:func:`yearly_inflow_features` gives the feature the scenario tree is clustered on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.var import VarData

from bekostiging.model.data import ChainData, ScenarioInflow


def _location_lead(d: ChainData, index: tuple[object, ...]) -> int:
    name = index[0]
    return next(loc.lead_periods for loc in d.locations if loc.name == name)


def _last_period(d: ChainData, _index: tuple[object, ...]) -> int:
    return len(d.periods) - 1


# Component name -> periods between the decision and the period in the index.
DECISION_LEAD: dict[str, Callable[[ChainData, tuple[object, ...]], int]] = {
    "Opened": _location_lead,  # a location is first usable one lead time after the decision
}
# Component name -> the period of the decision, for variables whose index has no period.
DECISION_AT: dict[str, Callable[[ChainData, tuple[object, ...]], int]] = {
    "TerminalStaffGap": _last_period,  # the staff gap at the horizon end: known only at the end
}


def _index(v: VarData) -> tuple[object, ...]:
    idx = v.index()
    if idx is None:
        return ()
    return idx if isinstance(idx, tuple) else (idx,)


def _effect_period(d: ChainData, index: tuple[object, ...]) -> int:
    years = set(d.years)
    for item in index:
        if isinstance(item, int) and item in years:
            return d.year_of.index(item)
    n = len(d.periods)
    for item in reversed(index):
        if isinstance(item, int) and 0 <= item < n:
            return item
    return 0


def decision_period(d: ChainData, first: pyo.Block, v: VarData) -> int:
    """The period in which stage-1 variable ``v`` (a member of ``first``) is decided."""
    index = _index(v)
    name = v.parent_component().local_name
    if name in DECISION_AT:
        return DECISION_AT[name](d, index)
    period = _effect_period(d, index)
    lead = DECISION_LEAD.get(name)
    if lead is not None:
        period -= lead(d, index)
    return max(0, period)


def decision_stage(first: pyo.Block, v: VarData, data: ChainData) -> int:
    """The stage of ``v``: the index of the budget year of its decision period (0 = the coming year)."""
    year = data.year_of[decision_period(data, first, v)]
    return data.years.index(year)


def yearly_inflow_features(d: ChainData, scenarios: Sequence[ScenarioInflow]) -> np.ndarray:
    """Total inflow (persons, all categories) per scenario and budget year, except the last year.

    Column j is what is known at the boundary into stage j+1: the tree splits on it.
    """
    years = np.asarray(d.year_of)
    cols = [[float(np.asarray(s.inflow_persons)[years == y].sum()) for y in d.years[:-1]] for s in scenarios]
    return np.asarray(cols, dtype=float).reshape(len(scenarios), max(0, len(d.years) - 1))
