"""Explaining an infeasible case in the users' terms.

Pyomo's IIS helpers do not support HiGHS, so we ask highspy for an irreducible
infeasible subsystem (``iis_strategy`` 6: from the LP, then irreducible; see
solver-notes) and map its rows and columns back to Pyomo components with the
solver's ``row_component`` / ``col_component`` (the persistent interface's own
index maps, or the LP writer's symbol map of a one-shot solve). Each conflicting row becomes a
constraint family, partner, period and scenario, in domain words.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
import pyomo.environ as pyo

from bekostiging.model.data import ChainData
from bekostiging.solver import ModelSolver

IIS_STRATEGY_FROM_LP_IRREDUCIBLE = 6  # solver-notes: 19-row IIS in 8 s where 4 took 85 s

# family -> (partner, what it means)
FAMILIES: dict[str, tuple[str, str]] = {
    "Staff_Balance": ("by partner", "staff follow attrition and trained hiring cohorts"),
    "Trainee_Cap": ("by partner", "trainees at most a share of productive staff"),
    "Location_Balance": ("COA", "locations open, opened after their lead time, closed"),
    "Occupancy_Norm": ("COA", "regular places cover MPP-mid occupancy at the norm (bezettingsgraad)"),
    "Budget_Covers_Structural": ("finance", "the budget pays at least the structural plan"),
    "Funding_Ratio_Min": ("finance", "chain budget at least the minimum ratio to the MPP need"),
    "Funding_Ratio_Max": ("finance", "chain budget at most the maximum ratio to the MPP need"),
    "Pool_Activation": ("flexpool", "deployed pool staff within the retained pool"),
    "Registration_Queue": ("registration", "registration queue balance (instroom minus registrations)"),
    "Registration_Capacity": ("registration", "registrations within registration capacity"),
    "Ind_Backlog": ("IND", "IND backlog balance (voorraad)"),
    "Decision_Capacity": ("IND", "decisions within IND capacity"),
    "Late_Cases": ("IND", "late cases beyond the legal term"),
    "Status_Holders": ("COA", "status holders awaiting housing (huisvesting)"),
    "Rejected_Balance": ("DT&V", "rejected applicants awaiting departure"),
    "Return_Capacity": ("DT&V", "returns within DT&V capacity"),
    "Place_Cover": ("COA", "occupancy (bezetting) within regular, reserve and emergency places"),
    "Reserve_Activation": ("COA", "activated reserve places within those held, after the lead time"),
    "Coa_Extra_Staff": ("COA", "staff for extra places from the pool or hired"),
    "Baseline_Norm": ("COA", "MPP plan occupancy at the norm"),
    "Budget_Execution": ("finance", "spending against budget per partner"),
    "Overspend_Cover": ("finance", "overspend paid from the asielreserve or supplementary funding"),
    "Reserve_Draw_Limit": ("finance", "withdrawals within the asielreserve balance available that year"),
    "Reserve_Available_Max": ("finance", "asielreserve balance plus deposit at most max_asielreserve_eur"),
    "Reserve_Balance": ("finance", "asielreserve balance carried from year to year"),
    "Reserve_Inflow_Underspend": ("finance", "underspend into the asielreserve at most the underspend"),
    "Reserve_Inflow_Rule": ("finance", "underspend into the asielreserve at most the eindejaarsmarge"),
    # variables whose limits take part in a conflict
    "Open": ("COA", "locations open at most max_open"),
    "Opened": ("COA", "openings only after the lead time, at most max_open"),
    "Closed": ("COA", "closings at most the locations open"),
    "ReservePlaces": ("COA", "reserve places at most max_reserve_places (0 when the policy forbids them)"),
    "Hire": ("by partner", "hiring cohorts per intake at most max_cohorts_per_intake"),
    "PoolTeams": ("flexpool", "pool teams at most max_teams (0 when the policy forbids the pool)"),
    "ReserveDeposit": (
        "finance",
        "deposit into the asielreserve at most max_asielreserve_eur (0 when forbidden)",
    ),
    "ReserveBalance": ("finance", "asielreserve balance at most max_asielreserve_eur"),
    "Housed": ("COA", "status holders housed at most the municipal housing outflow"),
}
PARTNER_NAMES = {
    "registration": "registration",
    "ind": "IND",
    "coa": "COA",
    "dtv": "DT&V",
    "flexpool": "flexpool",
}


@dataclass(frozen=True)
class Conflict:
    family: str
    partner: str
    meaning: str
    scenario: str
    periods: tuple[str, ...]
    kind: str  # "constraint" or "bound"

    def line(self) -> str:
        span = _span(self.periods)
        where = f"scenario {self.scenario}, " if self.scenario else ""
        return f"{self.partner}: {self.family} ({self.meaning}) — {where}{span}"


def _span(periods: tuple[str, ...]) -> str:
    if not periods:
        return "all periods"
    if len(periods) == 1:
        return f"period {periods[0]}"
    return f"periods {periods[0]}..{periods[-1]} ({len(periods)})"


def _locate(
    component: pyo.Component, d: ChainData, scenario: str | None = None
) -> tuple[str, str, str, str | None]:
    """(family, scenario, partner, period label) of a constraint or variable data object.

    ``scenario`` overrides the scenario read from the component's block (a template
    block standing for several scenarios, ``assemble.py``)."""
    parent = component.parent_component()
    family = parent.local_name
    block = parent.parent_block()
    if scenario is None:
        scenario = ""
        if block is not None and block.local_name.startswith("scen"):
            idx = block.index() if hasattr(block, "index") else None
            scenario = str(idx) if idx is not None else ""
    index = component.index()
    parts = index if isinstance(index, tuple) else (index,)
    period = None
    partner = FAMILIES.get(family, ("", ""))[0]
    for part in parts:
        if isinstance(part, int) and 0 <= part < len(d.periods):
            period = d.periods[part]
        elif isinstance(part, str) and part in PARTNER_NAMES:
            partner = PARTNER_NAMES[part]
        elif isinstance(part, int) and part in d.years:
            period = str(part)
    return family, scenario, partner, period


def explain(solver: ModelSolver, d: ChainData) -> list[Conflict]:
    """The IIS of an infeasible solve, grouped by family, partner and scenario."""
    h = solver.highs
    h.setOptionValue("iis_strategy", IIS_STRATEGY_FROM_LP_IRREDUCIBLE)
    h.setOptionValue("output_flag", False)  # the IIS search log is noise here; the log file has the solve
    _status, iis = h.getIis()
    groups: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
    # a solver whose rows/columns share components across scenarios names the scenario itself
    row_scenario = getattr(solver, "row_scenario", lambda _i: None)
    col_scenario = getattr(solver, "col_scenario", lambda _j: None)
    for r in iis.row_index_:
        con = solver.row_component(r)
        if con is None:
            continue
        family, scenario, partner, period = _locate(con, d, row_scenario(r))
        groups[(family, partner, scenario, "constraint")].append(period or "")
    for c in iis.col_index_:
        var = solver.col_component(c)
        if var is None or (var.lb is None and var.ub is None):
            continue
        family, scenario, partner, period = _locate(var, d, col_scenario(c))
        if var.ub is None and (var.lb or 0) == 0:
            continue  # plain non-negativity says nothing to a user
        groups[(family, partner, scenario, "bound")].append(period or "")
    conflicts = []
    for (family, partner, scenario, kind), periods in groups.items():
        meaning = FAMILIES.get(family, ("", "the limits of this quantity"))[1]
        if kind == "bound":
            meaning = f"limit: {meaning}"
        ordered = tuple(sorted({p for p in periods if p}))
        conflicts.append(Conflict(family, partner or "chain", meaning, scenario, ordered, kind))
    return sorted(conflicts, key=lambda c: (c.kind, c.partner, c.family, c.scenario))


def conflicts_frame(conflicts: list[Conflict]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "kind": c.kind,
                "partner": c.partner,
                "family": c.family,
                "meaning": c.meaning,
                "scenario": c.scenario,
                "first_period": c.periods[0] if c.periods else "",
                "last_period": c.periods[-1] if c.periods else "",
                "periods": len(c.periods),
            }
            for c in conflicts
        ]
    )
