"""Tidy result tables from a solved chain model (long format, with a unit column).

This is the only module that reads solution values out of Pyomo; everything
after it (run folders, reports, comparisons) works on these DataFrames.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.core.base.var import VarData

from bekostiging.model.data import BUDGET_LINES, MONEY_SCALE, ChainData
from bekostiging.model.second_stage import registered
from bekostiging.probability import cvar
from bekostiging.schema import Partner, ScenarioSet
from bekostiging.twostage import Risk

EXPECTED = "expected"  # scenario label of probability-weighted rows
EUR, PERSONS, FTE, PLACES = "EUR", "persons", "FTE", "places"
TOTAL_COST_KPI = "total_cost_eur"
CVAR_KPI = "cvar_total_cost_eur"  # expected row only: CVaR at the run's alpha of the total cost
DEFAULT_CVAR_ALPHA = Risk().alpha
ROUND_OFF_EUR = 1e-3  # euro amounts below this are the solver's round-off


def _v(x: object) -> float:
    value = x.value if isinstance(x, VarData) else pyo.value(x, exception=False)  # a Var: no expression walk
    return 0.0 if value is None else float(value)


def _eur_clean(meur: float) -> float:
    """M EUR as euros, with the solver's round-off around zero (-0.0, 1e-12) shown as 0."""
    eur = meur * MONEY_SCALE
    return 0.0 if abs(eur) < ROUND_OFF_EUR else eur


def _eur(x: object) -> float:
    """A model money value (M EUR) in euros."""
    return _v(x) * MONEY_SCALE


def plan_table(first: pyo.Block, d: ChainData) -> pd.DataFrame:
    """Stage-1 plan: per lever, partner, period or year."""
    rows: list[tuple[str, str, str, object, float, str]] = []
    for p, t in first.INTAKE:
        rows.append(
            ("hired_fte", p, d.periods[t], d.year_of[t], d.staff[p].cohort_fte * _v(first.Hire[p, t]), FTE)
        )
    for p in first.P:
        for t in first.T:
            rows.append(("staff_fte", p, d.periods[t], d.year_of[t], _v(first.Staff[p, t]), FTE))
            rows.append(("trainee_fte", p, d.periods[t], d.year_of[t], _v(first.Trainees[p, t]), FTE))
            rows.append(
                ("capacity", p, d.periods[t], d.year_of[t], _v(first.Capacity[p, t]), "cases per period")
            )
    for n in first.L:
        for t in first.T:
            rows.append(
                (f"open_locations:{n}", "coa", d.periods[t], d.year_of[t], _v(first.Open[n, t]), "locations")
            )
    for n, t in first.LOC_DECISION:
        rows.append(
            (f"opened_locations:{n}", "coa", d.periods[t], d.year_of[t], _v(first.Opened[n, t]), "locations")
        )
        rows.append(
            (f"closed_locations:{n}", "coa", d.periods[t], d.year_of[t], _v(first.Closed[n, t]), "locations")
        )
    for t in first.T:
        rows.append(("regular_places", "coa", d.periods[t], d.year_of[t], _v(first.Places[t]), PLACES))
    for y in first.YEARS:
        rows.append(("reserve_places", "coa", "", y, _v(first.ReservePlaces[y]), PLACES))
        rows.append(("flexpool_fte", "flexpool", "", y, _v(first.PoolFTE[y]), FTE))
        rows.append(("asielreserve", "chain", "", y, _eur(first.ReserveDeposit[y]), EUR))  # the deposit
        for line in first.LINES:
            rows.append(("budget", line, "", y, _eur(first.Budget[line, y]), EUR))
    return pd.DataFrame(rows, columns=["lever", "partner", "period", "year", "value", "unit"])


def funding_table(first: pyo.Block, d: ChainData) -> pd.DataFrame:
    """Budget per line and year against the MPP-mid need."""
    rows = []
    for line in BUDGET_LINES:
        for y in d.years:
            budget = _eur(first.Budget[line, y])
            need = d.baseline.need_meur.get((line, y), 0.0) * MONEY_SCALE if d.baseline else float("nan")
            ratio = budget / need if need > 0 else float("nan")
            rows.append((line, y, budget, need, ratio))
    return pd.DataFrame(rows, columns=["partner", "year", "budget_eur", "mpp_need_eur", "ratio"])


@dataclass(frozen=True)
class _StageOne:
    """Stage-1 expression values every scenario's rows repeat, evaluated once (model units)."""

    cost: float  # FirstStageCost
    structural: dict[tuple[str, int], float]  # StructuralCost[line, y]
    regular_capacity: dict[int, float]  # max_fill_rate * Places[t]
    capacity: dict[tuple[str, int], float]  # Capacity[partner, t]

    @classmethod
    def of(cls, first: pyo.Block, d: ChainData) -> _StageOne:
        return cls(
            cost=_v(first.FirstStageCost),
            structural={(p, y): _v(first.StructuralCost[p, y]) for p in first.LINES for y in first.YEARS},
            regular_capacity={t: _v(d.max_fill_rate * first.Places[t]) for t in first.T},
            capacity={(p, t): _v(first.Capacity[p, t]) for p in first.P for t in first.T},
        )


@dataclass(frozen=True)
class _ScenarioCosts:
    """Named cost expressions of one scenario that several tables use, evaluated once (M EUR)."""

    operating: dict[tuple[str, int], float]  # OperatingCost[line, y]
    penalty: float  # PenaltyCost
    norm_shortfall: float  # NormShortfallCost

    @classmethod
    def of(cls, b: pyo.Block, first: pyo.Block) -> _ScenarioCosts:
        return cls(
            operating={(p, y): _v(b.OperatingCost[p, y]) for p in first.LINES for y in first.YEARS},
            penalty=_v(b.PenaltyCost),
            norm_shortfall=_v(b.NormShortfallCost),
        )


def _scenario_flows(
    name: str, b: pyo.Block, first: pyo.Block, d: ChainData, one: _StageOne
) -> Iterable[tuple]:
    periods, years = d.periods, d.year_of
    for t in first.T:
        per, yr = periods[t], years[t]
        for k in b.K:
            yield (name, per, yr, "inflow", k, _v(b.inflow_persons[t, k]), PERSONS)
            yield (name, per, yr, "registered", k, _v(registered(b, k, t)), PERSONS)
        for k in b.KREG:
            yield (name, per, yr, "registration_queue", k, _v(b.RegQueue[k, t]), PERSONS)
        for k in b.KDEC:
            yield (name, per, yr, "ind_backlog", k, _v(b.Backlog[k, t]), PERSONS)
            yield (name, per, yr, "decisions", k, _v(b.Decisions[k, t]), PERSONS)
            yield (name, per, yr, "withdrawals", k, _v(b.Withdrawals[k, t]), PERSONS)
        scalars = {
            "status_holders": (b.StatusHolders[t], PERSONS),
            "housed": (b.Housed[t], PERSONS),
            "housing_outflow": (b.housing_outflow_persons[t], PERSONS),
            "accelerated_housing": (b.AcceleratedHousing[t], PERSONS),
            "rejected": (b.Rejected[t], PERSONS),
            "returns": (b.Returns[t], PERSONS),
            "unsupervised_departures": (b.Unsupervised[t], PERSONS),
            "occupancy": (b.Occupancy[t], PERSONS),
            "regular_capacity": (one.regular_capacity[t], PLACES),
            "reserve_active": (b.ReserveActive[t], PLACES),
            "emergency_places": (b.Emergency[t], PLACES),
            "external_coa_staff": (b.ExternalStaff[t], FTE),
            "late_cases": (b.Late[t], PERSONS),
            "registration_capacity": (one.capacity["registration", t], PERSONS),
            "decision_capacity": (one.capacity["ind", t], PERSONS),
            "return_capacity": (one.capacity["dtv", t], PERSONS),
        }
        if hasattr(b, "Appeals"):
            scalars["appeals"] = (b.Appeals[t], PERSONS)
            scalars["appeal_rulings"] = (b.AppealOutflow[t], PERSONS)
        if hasattr(b, "DublinClaimants"):
            scalars["dublin_claimants"] = (b.DublinClaimants[t], PERSONS)
            scalars["dublin_transfers"] = (b.Transfers[t], PERSONS)
            scalars["dublin_unknown_departures"] = (b.DublinUnknown[t], PERSONS)
        if hasattr(b, "RegistrationSurge"):
            scalars["registration_surge"] = (b.RegistrationSurge[t], FTE)
        if hasattr(b, "IndSurge"):
            scalars["ind_surge"] = (b.IndSurge[t], FTE)
        for q, (expr, unit) in scalars.items():
            yield (name, per, yr, q, "", _v(expr), unit)
        for j in first.TASKS:
            yield (name, per, yr, "pool_active", j, _v(b.PoolActive[j, t]), FTE)


CASH, WEIGHT, VALUATION = "cash", "weight", "valuation"  # kinds of the costs table's rows


def _scenario_costs(
    name: str, b: pyo.Block, first: pyo.Block, d: ChainData, one: _StageOne, own: _ScenarioCosts
) -> Iterable[tuple]:
    """Cash per line, year and stage; model weights and end-state valuations on the line ``chain``.

    ``kind`` says what a row is: ``cash`` (kasuitgaven), ``weight`` (a model weight that
    steers the plan, not spending) or ``valuation`` (the end state valued: work left
    at the horizon end, the part of the reserve's end balance not worth its face value).
    """
    last_year = d.years[-1]
    for y in first.YEARS:
        for line in first.LINES:
            yield (name, line, y, "structural", 1, CASH, one.structural[line, y] * MONEY_SCALE)
            yield (name, line, y, "operating", 2, CASH, own.operating[line, y] * MONEY_SCALE)
        ts = [t for t in first.T if d.year_of[t] == y]
        late = _v(first.late_case_month_meur) * d.months_per_period * sum(_v(b.Late[t]) for t in ts)
        queue = (
            _v(first.queue_person_day_meur)
            * d.days_per_period
            * sum(_v(b.RegQueue[k, t]) for k in b.KREG for t in ts)
        )
        under = d.unspent_budget_weight * sum(_v(b.Under[p, y]) for p in first.LINES)
        chain = {
            "weight_late_cases": (2, WEIGHT, late),
            "weight_registration_queue": (2, WEIGHT, queue),
            "weight_supplementary_funding": (2, WEIGHT, d.supplementary_penalty * _v(b.Supplementary[y])),
            "weight_unspent_budget": (2, WEIGHT, under),
            "weight_asielreserve": (2, WEIGHT, d.asielreserve_rate * _v(b.ReserveAvailable[y])),
        }
        if y == last_year:
            chain["terminal_backlog"] = (2, VALUATION, _v(b.TerminalCost))
            chain["terminal_staff"] = (1, VALUATION, _v(first.TerminalStaffCost))
            chain["reserve_end_value_loss"] = (
                2,
                VALUATION,
                (1.0 - d.asielreserve_end_value) * _v(b.ReserveBalance[y]),
            )
        for component, (stage, kind, value) in chain.items():
            yield (name, "chain", y, component, stage, kind, value * MONEY_SCALE)


def _reserve_rows(name: str, b: pyo.Block, first: pyo.Block, d: ChainData) -> Iterable[tuple]:
    """The asielreserve fund per year: opening, deposit, underspend in, withdrawal, closing (EUR)."""
    opening = d.asielreserve_opening_meur
    for y in first.YEARS:
        deposit = _v(first.ReserveDeposit[y])
        inflow, draw, closing = _v(b.ReserveInflow[y]), _v(b.ReserveDraw[y]), _v(b.ReserveBalance[y])
        under = sum(_v(b.Under[p, y]) for p in first.LINES)
        amounts = (opening, deposit, inflow, draw, closing, under - inflow, _v(b.Supplementary[y]))
        yield (name, y, *(_eur_clean(a) for a in amounts))
        opening = closing


RESERVE_COLUMNS = [
    "scenario",
    "year",
    "opening_eur",
    "deposit_eur",
    "underspend_in_eur",
    "withdrawal_eur",
    "closing_eur",
    "underspend_lapsed_eur",
    "supplementary_funding_eur",
]


def _scenario_kpis(name: str, b: pyo.Block, first: pyo.Block, d: ChainData) -> dict[str, float]:
    """KPIs of one solved scenario block on its own (``analytics.chain.kpi_metrics``)."""
    del name  # the block is the scenario; kept for the callers' signature
    return _kpis(b, first, d, _StageOne.of(first, d), _ScenarioCosts.of(b, first))


def _kpis(
    b: pyo.Block, first: pyo.Block, d: ChainData, one: _StageOne, own: _ScenarioCosts
) -> dict[str, float]:
    """KPIs of one scenario. Sums of named expressions are added up from their parts' values in
    the order Pyomo evaluates them (``SecondStageCost``, ``Spending``), so the numbers are the same."""
    last = len(d.periods) - 1
    stage1 = one.cost * MONEY_SCALE
    operating = sum(own.operating[p, y] for p in first.LINES for y in first.YEARS)
    stage2 = (operating + own.penalty + own.norm_shortfall) * MONEY_SCALE  # SecondStageCost
    spending = (
        (one.structural[p, y] + own.operating[p, y]) * MONEY_SCALE for p in first.LINES for y in first.YEARS
    )
    years = list(first.YEARS)
    late = _v(first.late_case_month_meur) * _v(b.LateCaseMonths)
    queue = _v(first.queue_person_day_meur) * _v(b.QueuePersonDays)
    supp = sum(_v(b.Supplementary[y]) for y in years)
    under = sum(_v(b.Under[p, y]) for p in first.LINES for y in years)
    reserve_weight = d.asielreserve_rate * sum(_v(b.ReserveAvailable[y]) for y in years)
    end_balance = _v(b.ReserveBalance[years[-1]])
    weights = {
        "weight_late_cases_eur": late,
        "weight_registration_queue_eur": queue,
        "weight_supplementary_funding_eur": d.supplementary_penalty * supp,
        "weight_unspent_budget_eur": d.unspent_budget_weight * under,
        "weight_asielreserve_eur": reserve_weight,
    }
    valuation = {  # the end state valued (add_terminal_value, add_terminal_staff, add_reserve_fund)
        "terminal_backlog_eur": _v(b.TerminalCost),
        "terminal_staff_eur": _v(first.TerminalStaffCost),
        "reserve_end_value_loss_eur": (1.0 - d.asielreserve_end_value) * end_balance,
    }
    reg_queue = [sum(_v(b.RegQueue[k, t]) for k in b.KREG) for t in first.T]
    return {  # cash first; the objective (total_cost_eur) = cash + weights + end-state valuation
        "spending_eur": sum(spending),
        "total_cost_eur": stage1 + stage2,
        "stage1_cost_eur": stage1,
        "stage2_cost_eur": stage2,
        "weights_eur": sum(weights.values()) * MONEY_SCALE,
        "end_state_value_eur": sum(valuation.values()) * MONEY_SCALE,
        **{k: v * MONEY_SCALE for k, v in weights.items()},
        **{k: v * MONEY_SCALE for k, v in valuation.items()},
        "penalty_eur": own.penalty * MONEY_SCALE,
        "late_case_months": _v(b.LateCaseMonths),
        "registration_queue_person_days": _v(b.QueuePersonDays),
        "emergency_place_months": d.months_per_period * sum(_v(b.Emergency[t]) for t in first.T),
        "reserve_place_months": d.months_per_period * sum(_v(b.ReserveActive[t]) for t in first.T),
        "reserve_deposit_eur": sum(_eur(first.ReserveDeposit[y]) for y in years),
        "reserve_underspend_in_eur": sum(_eur(b.ReserveInflow[y]) for y in years),
        "reserve_draw_eur": sum(_eur(b.ReserveDraw[y]) for y in years),
        "reserve_start_balance_eur": d.asielreserve_opening_meur * MONEY_SCALE,
        "reserve_end_balance_eur": end_balance * MONEY_SCALE,
        "supplementary_funding_eur": supp * MONEY_SCALE,
        "underspend_eur": under * MONEY_SCALE,
        "backlog_start_persons": sum(d.initial_backlog[k] for k in b.KDEC),
        "backlog_end_persons": sum(_v(b.Backlog[k, last]) for k in b.KDEC),
        "backlog_mean_persons": float(np.mean([sum(_v(b.Backlog[k, t]) for k in b.KDEC) for t in first.T])),
        "registration_queue_start_persons": sum(d.initial_queue[k] for k in b.KREG),
        "registration_queue_end_persons": reg_queue[-1],
        "occupancy_start_persons": _initial_occupancy(d),
        "occupancy_end_persons": _v(b.Occupancy[last]),
        "occupancy_peak_persons": max(_v(b.Occupancy[t]) for t in first.T),
    }


def _initial_occupancy(d: ChainData) -> float:
    """COA occupancy at the start, by the same sum as ``add_occupancy``."""
    return (
        sum(d.reception_share[k] * d.initial_queue[k] for k in d.registration_categories)
        + sum(d.reception_share[k] * d.initial_backlog[k] for k in d.decision_categories)
        + d.initial_status_holders
        + d.initial_rejected
    )


KPI_UNITS = {
    "late_case_months": "case-months",
    "registration_queue_person_days": "person-days",
    "emergency_place_months": "place-months",
    "reserve_place_months": "place-months",
    "backlog_start_persons": PERSONS,
    "backlog_end_persons": PERSONS,
    "backlog_mean_persons": PERSONS,
    "registration_queue_start_persons": PERSONS,
    "registration_queue_end_persons": PERSONS,
    "occupancy_start_persons": PERSONS,
    "occupancy_end_persons": PERSONS,
    "occupancy_peak_persons": PERSONS,
}


def levers_table(first: pyo.Block, d: ChainData, funding: pd.DataFrame) -> pd.DataFrame:
    """The five levers of the 2021 letter, in numbers (plus two structural totals)."""
    years = list(first.YEARS)
    need = funding["mpp_need_eur"].sum()
    ratio = funding["budget_eur"].sum() / need if need > 0 else float("nan")
    places = [_v(first.Places[t]) for t in first.T]
    rate = float("nan")
    if d.baseline is not None:
        occ = d.baseline.occupancy_persons
        rates = [occ[t] / places[t] for t in first.T if t >= d.norm_start_period and places[t] > 0]
        rate = float(np.mean(rates)) if rates else float("nan")
    hired = {p: 0.0 for p in d.staff}
    for p, t in first.INTAKE:
        hired[p] += d.staff[p].cohort_fte * _v(first.Hire[p, t])
    rows = [
        ("flexpool_fte", float(np.mean([_v(first.PoolFTE[y]) for y in years])), FTE),
        (
            "asielreserve_eur",
            sum(_eur(first.ReserveDeposit[y]) for y in years),
            "EUR deposited over the horizon",
        ),
        ("funding_ratio", ratio, "budget / MPP need"),
        ("reserve_places", float(np.mean([_v(first.ReservePlaces[y]) for y in years])), PLACES),
        ("planned_occupancy_rate", rate, "MPP-mid occupancy / regular places"),
        ("ind_hired_fte", hired[Partner.IND.value], FTE),
        ("hired_fte_all", sum(hired.values()), FTE),
        ("coa_regular_places_mean", float(np.mean(places)), PLACES),
    ]
    return pd.DataFrame(rows, columns=["lever", "value", "unit"])


def scenario_blocks(m: pyo.ConcreteModel) -> Iterator[tuple[str, float, pyo.Block]]:
    """(name, probability, solved block) of every scenario of an extensive form."""
    for s in m.SCENARIOS:
        yield s, float(pyo.value(m.prob[s])), m.scen[s]


def _weighted(frames: list[pd.DataFrame], weights: list[float]) -> pd.DataFrame:
    """Row-by-row probability-weighted mean of the numeric columns of equally shaped tables."""
    out = frames[0].copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = sum(w * f[col].to_numpy() for f, w in zip(frames, weights, strict=True))
    return out


def _expected_plan(
    m: pyo.ConcreteModel, d: ChainData, prob: dict[str, float]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Plan, funding and levers of a yearly form: expected over the scenarios' own plans.

    The coming year's decisions are common (the mean is their value); later years are
    the probability-weighted mean of the contingent plan (ranges: ``advice.csv``).
    """
    plans, fundings, levers, weights = [], [], [], []
    for s, p in prob.items():
        first = m.first[s]
        funding = funding_table(first, d)
        plans.append(plan_table(first, d))
        fundings.append(funding)
        levers.append(levers_table(first, d, funding))
        weights.append(p)
    return _weighted(plans, weights), _weighted(fundings, weights), _weighted(levers, weights)


def result_tables(
    m: pyo.ConcreteModel,
    d: ChainData,
    scenario_set: ScenarioSet | None,
    cvar_alpha: float = DEFAULT_CVAR_ALPHA,
    scenarios: Iterable[tuple[str, float, pyo.Block]] | None = None,
) -> dict[str, pd.DataFrame]:
    """All result tables of a solved extensive form.

    ``scenarios`` gives (name, probability, block with that scenario's values) in
    order; each block is read before the next one is asked for, so one block may
    stand for every scenario in turn (``assemble.py``). Default: ``m.scen``.

    The ``expected`` rows of ``kpis`` also hold ``cvar_total_cost_eur``: the mean of the
    worst ``1 − cvar_alpha`` probability mass of the per-scenario total cost
    (Rockafellar–Uryasev; :func:`bekostiging.probability.cvar`).
    """
    per_scenario = m.first.is_indexed()  # the yearly form: each scenario its own stage-1 copy
    first = m.first[next(iter(m.SCENARIOS))] if per_scenario else m.first
    names: list[str] = []
    prob: dict[str, float] = {}
    one = _StageOne.of(first, d)
    flows, costs, kpi_rows, reserve = [], [], [], []
    for s, p, b in scenario_blocks(m) if scenarios is None else scenarios:
        names.append(s)
        prob[s] = p
        if per_scenario:
            first = m.first[s]
            one = _StageOne.of(first, d)
        own = _ScenarioCosts.of(b, first)
        flows.extend(_scenario_flows(s, b, first, d, one))
        costs.extend(_scenario_costs(s, b, first, d, one, own))
        reserve.extend(_reserve_rows(s, b, first, d))
        for k, v in _kpis(b, first, d, one, own).items():
            kpi_rows.append((s, k, v, KPI_UNITS.get(k, EUR)))
    kpis = pd.DataFrame(kpi_rows, columns=["scenario", "kpi", "value", "unit"])
    weights = kpis["scenario"].map(prob)
    expected = (
        kpis.assign(value=kpis["value"] * weights)
        .groupby(["kpi", "unit"], as_index=False, sort=False)["value"]
        .sum()
        .assign(scenario=EXPECTED)[["scenario", "kpi", "value", "unit"]]
    )
    totals = kpis[kpis["kpi"] == TOTAL_COST_KPI]
    tail = cvar(totals["value"].to_numpy(), totals["scenario"].map(prob).to_numpy(), cvar_alpha)
    expected = pd.concat(
        [expected, pd.DataFrame([(EXPECTED, CVAR_KPI, tail, EUR)], columns=expected.columns)],
        ignore_index=True,
    )
    if per_scenario:
        plan, funding, levers = _expected_plan(m, d, prob)
    else:
        plan, funding = plan_table(first, d), funding_table(first, d)
        levers = levers_table(first, d, funding)
    scen = pd.DataFrame({"scenario": names, "probability": [prob[s] for s in names]})
    if scenario_set is not None:
        desc = {i.scenario: i.description for i in scenario_set.scenarios}
        scen["description"] = scen["scenario"].map(desc).fillna("")
    return {
        "levers": levers,
        "plan": plan,
        "funding": funding,
        "flows": pd.DataFrame(
            flows, columns=["scenario", "period", "year", "quantity", "category", "value", "unit"]
        ),
        "costs": pd.DataFrame(
            costs, columns=["scenario", "partner", "year", "component", "stage", "kind", "value_eur"]
        ),
        "reserve": pd.DataFrame(reserve, columns=RESERVE_COLUMNS),
        "kpis": pd.concat([expected, kpis], ignore_index=True),
        "scenarios": scen,
    }
