"""The chain model as a two-stage problem (see ``model/formulation.md``).

``chain_problem(data, scenarios)`` gives a :class:`~bekostiging.twostage.TwoStageProblem`
whose builders are :func:`build_first_stage` and :func:`build_second_stage`;
``extensive_form`` assembles it, ``scenario_creator`` gives mpi-sppy one scenario.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import numpy as np
import pyomo.environ as pyo

from bekostiging.model.data import (
    ChainData,
    MppBaseline,
    ScenarioInflow,
    chain_data,
    mpp_mid_inflow,
    scenario_inflows,
)
from bekostiging.model.first_stage import build_first_stage
from bekostiging.model.second_stage import build_second_stage, load_inflow
from bekostiging.model.stages import decision_stage
from bekostiging.twostage import Risk, ScenarioData, ScenarioTemplate, TwoStageProblem

BASELINE_SCENARIO = "mpp-mid"

__all__ = [
    "BASELINE_SCENARIO",
    "ChainData",
    "MppBaseline",
    "ScenarioInflow",
    "baseline_problem",
    "chain_data",
    "chain_problem",
    "mpp_mid_inflow",
    "scenario_inflows",
]


def _first(block: pyo.Block, data: ChainData) -> None:
    build_first_stage(block, data)


def _second(block: pyo.Block, first: pyo.Block, scenario: ScenarioInflow, data: ChainData) -> None:
    build_second_stage(block, first, data, scenario)


def _second_template(block: pyo.Block, first: pyo.Block, scenario: ScenarioInflow, data: ChainData) -> None:
    build_second_stage(block, first, data, scenario, mutable=True)


def _load(block: pyo.Block, scenario: ScenarioInflow, data: ChainData) -> None:
    load_inflow(block, data, scenario)


def _mean(
    scenarios: list[ScenarioInflow], probabilities: list[float], housing: tuple[float, ...] = ()
) -> ScenarioInflow:
    p = np.asarray(probabilities)
    mean = np.tensordot(p, np.stack([s.inflow_persons for s in scenarios]), axes=1)
    if all(s.housing_persons is None for s in scenarios):
        return ScenarioInflow("expected", mean)
    base = np.asarray(housing, dtype=float)
    paths = np.stack([s.housing_persons if s.housing_persons is not None else base for s in scenarios])
    return ScenarioInflow("expected", mean, housing_persons=np.tensordot(p, paths, axes=1))


def chain_problem(
    data: ChainData,
    scenarios: list[ScenarioInflow],
    probabilities: list[float],
    risk: Risk | None = None,
) -> TwoStageProblem:
    """The chain model over the given scenarios (picklable builders, for parallel analytics)."""
    return TwoStageProblem(
        build_first_stage=partial(_first, data=data),
        build_second_stage=partial(_second, data=data),
        scenarios=tuple(ScenarioData(s.name, p, s) for s, p in zip(scenarios, probabilities, strict=True)),
        mean_data=partial(_mean, list(scenarios), list(probabilities), data.housing_outflow),
        risk=risk or Risk(),
        template=ScenarioTemplate(partial(_second_template, data=data), partial(_load, data=data)),
        decision_stage=partial(decision_stage, data=data),
    )


def baseline_problem(data: ChainData, mpp_mid: np.ndarray, occupancy_norm: float) -> TwoStageProblem:
    """The MPP-mid planning run: one deterministic scenario, levers off, norm on its own occupancy.

    The levers off: the flex pool, reserve places, the asielreserve and the registration and IND
    surges (police redeployed or temporary IND staff in a crisis are no part of the capacity
    planned for the forecast).

    ``occupancy_norm`` is the norm of the MPP plan (the case's own policy), so the
    MPP need does not move with the policy being evaluated.
    """
    policy = data.policy.model_copy(
        update={
            "allow_flexpool": False,
            "allow_reserve_places": False,
            "allow_asielreserve": False,
            "allow_staff_changes": True,
            "allow_location_changes": True,
            "funding_ratio_min": None,
            "funding_ratio_max": None,
            "occupancy_norm": occupancy_norm,
        }
    )
    plan_data = replace(data, policy=policy, baseline=None, surge_max_fte=0.0, ind_surge_max_fte=0.0)
    scenario = ScenarioInflow(BASELINE_SCENARIO, mpp_mid, baseline=True)
    return chain_problem(plan_data, [scenario], [1.0])
