"""Textbook two-stage problems for the analytics tests, written against the two-stage contract.

Builders are top-level functions (bound with :func:`functools.partial`) so that
the problems can be sent to worker processes.

Newsvendor: order ``x ≥ 0`` at unit cost ``c`` before demand ``d`` is known;
sell ``y ≤ min(x, d)`` at price ``q`` (no salvage). Total cost
``c·x − q·min(x, d)``. ``first.price`` (q) is a mutable Param, for sweeps.
With ``must_serve`` every unit of demand must be sold (``y ≥ d``): a plan with
``x < d`` cannot serve that scenario.

Farmer (Birge & Louveaux, *Introduction to Stochastic Programming*, 2nd ed.,
§1.1): 500 acres of wheat, corn and sugar beets; feed needs of 200 T wheat and
240 T corn (buy at 238 and 210 €/T, sell surplus at 170 and 150 €/T); beets
sell at 36 €/T up to a 6000 T quota and at 10 €/T beyond; planting costs 150,
230, 260 €/acre; yields 2.5, 3, 20 T/acre on average, ±20 % in the good and
bad years, each with probability 1/3.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
import pyomo.environ as pyo

from bekostiging.twostage import Risk, ScenarioData, TwoStageProblem

# -- newsvendor -------------------------------------------------------------------------


def newsvendor_first_stage(block: pyo.Block, cost: float, price: float, integer: bool) -> None:
    block.order = pyo.Var(domain=pyo.NonNegativeIntegers if integer else pyo.NonNegativeReals)
    block.unit_cost = pyo.Param(initialize=cost, mutable=True)
    block.price = pyo.Param(initialize=price, mutable=True)
    block.first_stage_vars = [block.order]
    block.FirstStageCost = pyo.Expression(expr=block.unit_cost * block.order)


def newsvendor_second_stage(block: pyo.Block, first: pyo.Block, demand: float, must_serve: bool) -> None:
    block.demand = pyo.Param(initialize=demand)
    block.sales = pyo.Var(bounds=(0.0, demand))
    block.Sales_Within_Order = pyo.Constraint(expr=block.sales <= first.order)
    if must_serve:
        block.Serve_All_Demand = pyo.Constraint(expr=block.sales >= block.demand)
    block.SecondStageCost = pyo.Expression(expr=-first.price * block.sales)


def weighted_mean(values: Sequence[float], probabilities: Sequence[float]) -> float:
    return sum(v * p for v, p in zip(values, probabilities, strict=True)) / sum(probabilities)


def newsvendor(
    demands: Sequence[float],
    probabilities: Sequence[float] | None = None,
    *,
    cost: float = 1.0,
    price: float = 3.0,
    integer: bool = False,
    must_serve: bool = False,
    risk: Risk | None = None,
) -> TwoStageProblem:
    """Scenarios named ``d<demand>``; equal probabilities unless given."""
    probs = tuple(probabilities) if probabilities is not None else tuple(1.0 / len(demands) for _ in demands)
    scenarios = tuple(ScenarioData(f"d{d:g}", p, float(d)) for d, p in zip(demands, probs, strict=True))
    return TwoStageProblem(
        partial(newsvendor_first_stage, cost=cost, price=price, integer=integer),
        partial(newsvendor_second_stage, must_serve=must_serve),
        scenarios,
        partial(weighted_mean, tuple(float(d) for d in demands), probs),
        risk or Risk(),
    )


# -- farmer -----------------------------------------------------------------------------

CROPS = ("wheat", "corn", "beets")
FEED_CROPS = ("wheat", "corn")
TOTAL_ACRES = 500.0
PLANTING_COST_EUR_PER_ACRE = {"wheat": 150.0, "corn": 230.0, "beets": 260.0}
FEED_NEED_T = {"wheat": 200.0, "corn": 240.0}
PURCHASE_PRICE_EUR_PER_T = {"wheat": 238.0, "corn": 210.0}
SALE_PRICE_EUR_PER_T = {"wheat": 170.0, "corn": 150.0}
BEETS_QUOTA_T = 6000.0
BEETS_PRICE_QUOTA_EUR_PER_T = 36.0
BEETS_PRICE_EXTRA_EUR_PER_T = 10.0
AVERAGE_YIELD_T_PER_ACRE = {"wheat": 2.5, "corn": 3.0, "beets": 20.0}
YIELD_SWING = 0.2  # good and bad years: ±20 % on every crop


def farmer_first_stage(block: pyo.Block) -> None:
    block.acres = pyo.Var(CROPS, domain=pyo.NonNegativeReals)
    block.Land = pyo.Constraint(expr=sum(block.acres[c] for c in CROPS) <= TOTAL_ACRES)
    block.first_stage_vars = [block.acres]
    block.FirstStageCost = pyo.Expression(
        expr=sum(PLANTING_COST_EUR_PER_ACRE[c] * block.acres[c] for c in CROPS)
    )


def farmer_second_stage(block: pyo.Block, first: pyo.Block, yields: dict[str, float]) -> None:
    block.purchase = pyo.Var(FEED_CROPS, domain=pyo.NonNegativeReals)
    block.sell = pyo.Var(FEED_CROPS, domain=pyo.NonNegativeReals)
    block.beets_quota = pyo.Var(bounds=(0.0, BEETS_QUOTA_T))
    block.beets_extra = pyo.Var(domain=pyo.NonNegativeReals)
    block.Feed = pyo.Constraint(
        FEED_CROPS,
        rule=lambda b, c: yields[c] * first.acres[c] + b.purchase[c] - b.sell[c] >= FEED_NEED_T[c],
    )
    block.Beets = pyo.Constraint(
        expr=block.beets_quota + block.beets_extra <= yields["beets"] * first.acres["beets"]
    )
    block.SecondStageCost = pyo.Expression(
        expr=sum(
            PURCHASE_PRICE_EUR_PER_T[c] * block.purchase[c] - SALE_PRICE_EUR_PER_T[c] * block.sell[c]
            for c in FEED_CROPS
        )
        - BEETS_PRICE_QUOTA_EUR_PER_T * block.beets_quota
        - BEETS_PRICE_EXTRA_EUR_PER_T * block.beets_extra
    )


def farmer_yields(factor: float) -> dict[str, float]:
    return {c: factor * y for c, y in AVERAGE_YIELD_T_PER_ACRE.items()}


def farmer(risk: Risk | None = None) -> TwoStageProblem:
    scenarios = (
        ScenarioData("good", 1.0 / 3.0, farmer_yields(1.0 + YIELD_SWING)),
        ScenarioData("average", 1.0 / 3.0, farmer_yields(1.0)),
        ScenarioData("bad", 1.0 / 3.0, farmer_yields(1.0 - YIELD_SWING)),
    )
    return TwoStageProblem(
        farmer_first_stage, farmer_second_stage, scenarios, partial(farmer_yields, 1.0), risk or Risk()
    )


# -- capacity MILP ----------------------------------------------------------------------
# Not a textbook case: a small integer-first-stage model (modules per site, open/close)
# with a per-period backlog, whose answers are checked against independent solves. Its
# penalty sweep exposed a HiGHS 1.16 MIP-start bug (wrong "optimal" objective).

CAPACITY_PERIODS = 24
CAPACITY_SITES = 6
MAX_MODULES = 20
PLACES_PER_MODULE = 10.0
MODULE_COST_EUR_PER_SITE_INDEX = 100.0  # site s costs s·100 per module
OPENING_COST_EUR = 500.0
USE_COST_EUR_PER_SITE_INDEX = 0.5
EMERGENCY_COST_EUR = 30.0
DEFAULT_LATE_PENALTY_EUR = 50.0
DEMAND_SHAPE, DEMAND_MEAN, DEMAND_SEASON, DEMAND_SEASON_PERIOD = 4.0, 80.0, 40.0, 4.0


def capacity_first_stage(block: pyo.Block) -> None:
    block.SITES = pyo.RangeSet(CAPACITY_SITES)
    block.modules = pyo.Var(block.SITES, domain=pyo.NonNegativeIntegers, bounds=(0, MAX_MODULES))
    block.open = pyo.Var(block.SITES, domain=pyo.Binary)
    block.Modules_Need_Open_Site = pyo.Constraint(
        block.SITES, rule=lambda b, s: b.modules[s] <= MAX_MODULES * b.open[s]
    )
    block.late_penalty = pyo.Param(initialize=DEFAULT_LATE_PENALTY_EUR, mutable=True)
    block.first_stage_vars = [block.modules, block.open]
    block.FirstStageCost = pyo.Expression(
        expr=sum(
            MODULE_COST_EUR_PER_SITE_INDEX * s * block.modules[s] + OPENING_COST_EUR * block.open[s]
            for s in block.SITES
        )
    )


def capacity_second_stage(block: pyo.Block, first: pyo.Block, demand: tuple[float, ...]) -> None:
    block.T = pyo.RangeSet(len(demand))
    block.use = pyo.Var(first.SITES, block.T, domain=pyo.NonNegativeReals)
    block.backlog = pyo.Var(block.T, domain=pyo.NonNegativeReals)
    block.emergency = pyo.Var(block.T, domain=pyo.NonNegativeReals)
    block.Capacity = pyo.Constraint(
        first.SITES, block.T, rule=lambda b, s, t: b.use[s, t] <= PLACES_PER_MODULE * first.modules[s]
    )

    def balance(b: pyo.Block, t: int) -> object:
        carried = b.backlog[t - 1] if t > 1 else 0.0
        served = sum(b.use[s, t] for s in first.SITES) + b.emergency[t]
        return served + b.backlog[t] >= demand[t - 1] + carried

    block.Balance = pyo.Constraint(block.T, rule=balance)
    block.SecondStageCost = pyo.Expression(
        expr=sum(
            sum(USE_COST_EUR_PER_SITE_INDEX * s * block.use[s, t] for s in first.SITES)
            + EMERGENCY_COST_EUR * block.emergency[t]
            + first.late_penalty * block.backlog[t]
            for t in block.T
        )
    )


def capacity_demand(seed: int, index: int) -> tuple[float, ...]:
    rng = np.random.default_rng([seed, index])
    periods = np.arange(CAPACITY_PERIODS)
    draws = rng.gamma(DEMAND_SHAPE, DEMAND_MEAN / DEMAND_SHAPE, CAPACITY_PERIODS)
    return tuple(float(x) for x in draws + DEMAND_SEASON * np.sin(periods / DEMAND_SEASON_PERIOD))


def capacity_mean_demand(seed: int, n: int) -> tuple[float, ...]:
    return tuple(float(x) for x in np.mean([capacity_demand(seed, i) for i in range(n)], axis=0))


def capacity(n_scenarios: int, seed: int = 1) -> TwoStageProblem:
    scenarios = tuple(
        ScenarioData(f"s{i}", 1.0 / n_scenarios, capacity_demand(seed, i)) for i in range(n_scenarios)
    )
    return TwoStageProblem(
        capacity_first_stage,
        capacity_second_stage,
        scenarios,
        partial(capacity_mean_demand, seed, n_scenarios),
    )


def expected_backlog(model: pyo.ConcreteModel) -> dict[str, float]:
    """Sweep metric: Σ_s p_s Σ_t backlog[s, t] on a solved extensive form."""
    total = sum(
        pyo.value(model.prob[s]) * sum(pyo.value(v) for v in model.scen[s].backlog.values())
        for s in model.SCENARIOS
    )
    return {"expected_backlog": total}


# -- templates (the block assembler and the L-shaped method need them) -----------------
# The same models with the scenario data as mutable Params, and a loader; data enter
# only right-hand sides (the newsvendor's demand as a row, not as a column bound).


def newsvendor_rows_second_stage(block: pyo.Block, first: pyo.Block, demand: float, mutable: bool) -> None:
    block.demand = pyo.Param(initialize=demand, mutable=mutable)
    block.sales = pyo.Var(domain=pyo.NonNegativeReals)
    block.Sales_Within_Order = pyo.Constraint(expr=block.sales <= first.order)
    block.Sales_Within_Demand = pyo.Constraint(expr=block.sales <= block.demand)
    block.SecondStageCost = pyo.Expression(expr=-first.price * block.sales)


def newsvendor_load(block: pyo.Block, demand: float) -> None:
    block.demand.set_value(demand)


def newsvendor_with_template(
    demands: Sequence[float], *, cost: float = 1.0, price: float = 3.0, integer: bool = False
) -> TwoStageProblem:
    """The newsvendor (demand as a row), equally likely demands, with a scenario template."""
    from bekostiging.twostage import ScenarioTemplate

    p = 1.0 / len(demands)
    scenarios = tuple(ScenarioData(f"d{d:g}", p, float(d)) for d in demands)
    return TwoStageProblem(
        partial(newsvendor_first_stage, cost=cost, price=price, integer=integer),
        partial(newsvendor_rows_second_stage, mutable=False),
        scenarios,
        partial(weighted_mean, tuple(float(d) for d in demands), tuple(p for _ in demands)),
        Risk(),
        template=ScenarioTemplate(partial(newsvendor_rows_second_stage, mutable=True), newsvendor_load),
    )


def capacity_template_second_stage(block: pyo.Block, first: pyo.Block, demand: tuple[float, ...]) -> None:
    capacity_second_stage(block, first, demand)
    block.demand = pyo.Param(block.T, initialize=dict(enumerate(demand, start=1)), mutable=True)
    block.Balance.deactivate()
    block.del_component(block.Balance)

    def balance(b: pyo.Block, t: int) -> object:
        carried = b.backlog[t - 1] if t > 1 else 0.0
        served = sum(b.use[s, t] for s in first.SITES) + b.emergency[t]
        return served + b.backlog[t] >= b.demand[t] + carried

    block.Balance = pyo.Constraint(block.T, rule=balance)


def capacity_load(block: pyo.Block, demand: tuple[float, ...]) -> None:
    for t, d in enumerate(demand, start=1):
        block.demand[t].set_value(d)


def capacity_with_template(n_scenarios: int, seed: int = 1) -> TwoStageProblem:
    """:func:`capacity` with a scenario template (demand as mutable Params)."""
    from dataclasses import replace

    from bekostiging.twostage import ScenarioTemplate

    return replace(
        capacity(n_scenarios, seed),
        template=ScenarioTemplate(capacity_template_second_stage, capacity_load),
    )
