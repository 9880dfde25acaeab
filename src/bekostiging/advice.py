"""The yearly form's advice: what to decide now, and what later years depend on (``model/stages.md`` §4.2).

* :func:`decisions_table` — every stage-1 variable at its own stage, one row per tree node;
* :func:`advice_table` — per lever, partner and budget year: the common value of the coming
  year ("nu besluiten") or, for later years, min / probability-weighted mean / max over the
  nodes of that year's stage ("afhankelijk van de instroom").

Both read a solved :func:`bekostiging.multistage.yearly_extensive_form` and return tidy frames.
"""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from bekostiging.model.data import MONEY_SCALE, ChainData
from bekostiging.multistage import ScenarioTree, node_values
from bekostiging.results import plan_table

# plan-table quantity -> how a year is summarised ("sum" of a flow, "last" = year-end stock,
# "year" = a yearly decision with one row); quantities not listed are not advice.
ADVICE_QUANTITIES: dict[str, str] = {
    "budget": "year",
    "asielreserve": "year",
    "reserve_places": "year",
    "flexpool_fte": "year",
    "hired_fte": "sum",
    "staff_fte": "last",
    "regular_places": "last",
}
OPENED_PREFIX = "opened_locations:"
NOW, LATER = "nu_besluiten", "afhankelijk"
CHAIN = "chain"  # the budget summed over all lines
# (lever, partner) shown in the summary, with labels (nl, en)
SHOWN: dict[tuple[str, str], tuple[str, str]] = {
    ("budget", CHAIN): ("Budget keten (alle lijnen)", "Chain budget (all lines)"),
    ("asielreserve", "chain"): ("Asielreserve: storting", "Asielreserve: deposit"),
    ("reserve_places", "coa"): ("Reserveplaatsen COA", "COA reserve places"),
    ("flexpool_fte", "flexpool"): ("Flexibele pool", "Flexible pool"),
    ("hired_fte", "ind"): ("IND: aangenomen", "IND: hired"),
    ("hired_fte", "dtv"): ("DT&V: aangenomen", "DT&V: hired"),
    ("opened_places", "coa"): ("COA: plaatsen geopend", "COA: places opened"),
    ("regular_places", "coa"): ("COA: reguliere plaatsen eind jaar", "COA: regular places at year end"),
}
# headings of the solve summary start with a capital, as its other headings do (13a67ed)
HEAD_NOW = (
    "Nu besluiten — begrotingsjaar {year} (gelijk in alle scenario's):",
    "Decide now — budget year {year} (the same in every scenario):",
)
HEAD_LATER = (
    "Latere jaren — afhankelijk van de instroom (min – max over {nodes} knopen van de scenarioboom):",
    "Later years — contingent on inflow (min – max over {nodes} nodes of the scenario tree):",
)
LABEL_WIDTH = 44
SPAN_WIDTH = 16
UNIT_WORDS = {"FTE": ("fte", "FTE"), "places": ("plaatsen", "places")}
ADVICE_COLUMNS = [
    "lever",
    "partner",
    "year",
    "stage",
    "status",
    "value",
    "min",
    "mean",
    "max",
    "nodes",
    "unit",
]


def decisions_table(m: pyo.ConcreteModel, d: ChainData) -> pd.DataFrame:
    """variable, stage, year (budget year of the stage), node, node probability, value (model units)."""
    rows = [
        (var, stage, d.years[stage], node, prob, value) for var, stage, node, prob, value in node_values(m)
    ]
    return pd.DataFrame(rows, columns=["variable", "stage", "year", "node", "probability", "value"])


def _yearly(plan: pd.DataFrame, d: ChainData) -> pd.DataFrame:
    """A scenario's plan table summarised per lever, partner and year (see ADVICE_QUANTITIES)."""
    places = {loc.name: loc.places for loc in d.locations}
    opened = plan[plan["lever"].str.startswith(OPENED_PREFIX)].copy()
    opened["value"] = opened["value"] * opened["lever"].str.removeprefix(OPENED_PREFIX).map(places)
    opened["lever"] = "opened_places"
    opened["unit"] = "places"
    parts = [opened.groupby(["lever", "partner", "year", "unit"], as_index=False)["value"].sum()]
    budget = plan[plan["lever"] == "budget"]
    total = budget.groupby(["lever", "year", "unit"], as_index=False)["value"].sum()
    parts.append(total.assign(partner=CHAIN)[["lever", "partner", "year", "unit", "value"]])
    for quantity, how in ADVICE_QUANTITIES.items():
        rows = plan[plan["lever"] == quantity]
        grouped = rows.groupby(["lever", "partner", "year", "unit"], as_index=False, sort=False)["value"]
        parts.append(grouped.sum() if how in ("sum", "year") else grouped.last())
    return pd.concat(parts, ignore_index=True)


def advice_table(m: pyo.ConcreteModel, d: ChainData) -> pd.DataFrame:
    """The coming year's decisions as advice, later years as ranges over the tree's nodes.

    A lever's value in budget year y belongs to the stage of y: all scenarios in one node
    of that stage share it (their decisions up to y are non-anticipative). Node value =
    the node's first scenario's value; min, max and the probability-weighted mean are over
    the nodes; ``status`` is ``nu_besluiten`` for the coming year, ``afhankelijk`` after.
    """
    tree: ScenarioTree = m.tree
    prob = {s: float(pyo.value(m.prob[s])) for s in m.SCENARIOS}
    per_scenario = {
        s: _yearly(plan_table(m.first[s], d), d).set_index(["lever", "partner", "year"]) for s in prob
    }
    keys = next(iter(per_scenario.values()))
    rows = []
    for (quantity, partner, year), unit in keys["unit"].items():
        stage = d.years.index(int(year))
        values, weights = [], []
        for node in tree.stages[stage]:
            values.append(float(per_scenario[node[0]].at[(quantity, partner, year), "value"]))
            weights.append(sum(prob[s] for s in node))
        mean = sum(v * w for v, w in zip(values, weights, strict=True)) / sum(weights)
        rows.append(
            (
                quantity,
                partner,
                int(year),
                stage,
                NOW if stage == 0 else LATER,
                values[0] if stage == 0 else float("nan"),
                min(values),
                mean,
                max(values),
                len(values),
                unit,
            )
        )
    return pd.DataFrame(rows, columns=ADVICE_COLUMNS)


def _short(value: float, unit: str, lang: str) -> str:
    """A number for the advice table: money in M EUR, everything else whole."""
    from bekostiging.report.i18n import fmt_number, unit_kind

    if unit_kind(unit) == "money":
        return fmt_number(value / MONEY_SCALE, lang, 0)  # type: ignore[arg-type]
    return fmt_number(value, lang, 0)  # type: ignore[arg-type]


def _unit_word(unit: str, lang: str) -> str:
    from bekostiging.report.i18n import unit_kind

    if unit_kind(unit) == "money":
        return "€ mln" if lang == "nl" else "€ million"
    return UNIT_WORDS.get(unit, (unit, unit))[0 if lang == "nl" else 1]


def _with_unit(value: float, unit: str, lang: str) -> str:
    from bekostiging.report.i18n import unit_kind

    number = _short(value, unit, lang)
    if unit_kind(unit) == "money":
        return f"€ {number} mln" if lang == "nl" else f"€{number} million"
    return f"{number} {_unit_word(unit, lang)}"


def advice_rows(
    advice: pd.DataFrame, lang: str = "nl"
) -> tuple[list[tuple[str, str]], list[int], list[tuple[str, list[str]]]]:
    """The advice as text: (label, value) of the coming year; later years; (label, range per year)."""
    pick = 0 if lang == "nl" else 1
    now = advice[advice["status"] == NOW].set_index(["lever", "partner"])
    later = advice[advice["status"] == LATER]
    now_rows = [
        (labels[pick], _with_unit(float(now.at[key, "value"]), str(now.at[key, "unit"]), lang))
        for key, labels in SHOWN.items()
        if key in now.index
    ]
    years = sorted(int(y) for y in later["year"].unique())
    later_rows = []
    for key, labels in SHOWN.items():
        rows = later[(later["lever"] == key[0]) & (later["partner"] == key[1])].set_index("year")
        if rows.empty:
            continue
        unit = str(rows["unit"].iloc[0])
        cells = []
        for y in years:
            lo = _short(float(rows.at[y, "min"]), unit, lang)
            hi = _short(float(rows.at[y, "max"]), unit, lang)
            cells.append(lo if lo == hi else f"{lo}–{hi}")
        later_rows.append((f"{labels[pick]} ({_unit_word(unit, lang)})", cells))
    return now_rows, years, later_rows


def advice_heads(advice: pd.DataFrame, lang: str = "nl") -> tuple[str, str]:
    """The headings of the two parts of the advice (coming year; later years)."""
    pick = 0 if lang == "nl" else 1
    later = advice[advice["status"] == LATER]
    nodes = int(later["nodes"].max()) if not later.empty else 1
    return HEAD_NOW[pick].format(year=int(advice["year"].min())), HEAD_LATER[pick].format(nodes=nodes)


def advice_lines(advice: pd.DataFrame, lang: str = "nl") -> list[str]:
    """The summary block: the coming year's decisions, then a table of later years' ranges."""
    if advice.empty:
        return []
    now_rows, years, later_rows = advice_rows(advice, lang)
    head_now, head_later = advice_heads(advice, lang)
    lines = [head_now] + [f"  {label:<{LABEL_WIDTH}} {value:>18}" for label, value in now_rows]
    if not later_rows:
        return lines
    lines.append(head_later)
    lines.append((f"  {'':<{LABEL_WIDTH}} " + "".join(f"{y:>{SPAN_WIDTH}}" for y in years)).rstrip())
    for label, cells in later_rows:
        lines.append(f"  {label:<{LABEL_WIDTH}} " + "".join(f"{c:>{SPAN_WIDTH}}" for c in cells))
    return lines


TREE_LINE = (
    "Scenarioboom: {counts} knopen per begrotingsjaar ({years}); {singles} van {n} scenario's "
    "staan in {last} alleen in hun knoop",
    "Scenario tree: {counts} nodes per budget year ({years}); {singles} of {n} scenarios "
    "are alone in their node in {last}",
)
TREE_WARNING = (
    "  Let op: in een knoop met één scenario kent het plan de rest van dat pad (vooruitziende blik); "
    "kies een kleinere --branching voor voorzichtiger latere jaren",
    "  Note: in a node with a single scenario the plan knows the rest of that path (perfect foresight); "
    "choose a smaller --branching for more cautious later years",
)


def tree_lines(tree: pd.DataFrame, lang: str = "nl") -> list[str]:
    """How the scenario tree branches per year, and a warning when later nodes hold one scenario."""
    pick = 0 if lang == "nl" else 1
    if tree.empty:
        return []
    sizes = tree.groupby(["year", "node"]).size()
    counts = sizes.groupby(level="year").size()
    last = int(counts.index[-1])
    # nested partitions: a scenario alone in a node stays alone, so the last year counts them all
    singles = int((sizes.loc[last] == 1).sum()) if len(counts) > 1 else 0
    years = f"{int(counts.index[0])}–{last}"
    n = int(tree["scenario"].nunique())
    lines = [
        TREE_LINE[pick].format(
            counts=", ".join(str(int(c)) for c in counts), years=years, singles=singles, n=n, last=last
        )
    ]
    if singles:
        lines.append(TREE_WARNING[pick])
    return lines
