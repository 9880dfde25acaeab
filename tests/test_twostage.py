"""The two-stage contract: the per-scenario builder (mpi-sppy's ``scenario_creator``) and the
compact extensive form describe the same model.

For one scenario s with probability p_s, the scenario model's objective is
FirstStageCost + SecondStageCost_s, the same as the extensive form of a problem that
holds scenario s alone (probability 1): both must reach the same optimum.
"""

from __future__ import annotations

from pathlib import Path

import pyomo.environ as pyo
import pytest

from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set
from bekostiging.pipeline import prepare_problem
from bekostiging.solver import SolverOptions, Status, solve_model
from bekostiging.twostage import ScenarioData, extensive_form, scenario_creator

pytestmark = pytest.mark.solver

TINY = Path(__file__).parent / "fixtures" / "tiny-case"
EXACT = SolverOptions(mip_gap=0.0, threads=1)


@pytest.fixture(scope="module")
def problem():
    case = load_case(TINY)
    prepared = prepare_problem(case, load_scenario_set(TINY / "scenarios" / "two", case), EXACT)
    return prepared.problem


def test_scenario_creator_follows_the_mpisppy_conventions(problem) -> None:
    first = problem.scenarios[0]
    m = scenario_creator(first.name, problem=problem)
    assert m._mpisppy_probability == pytest.approx(first.probability)
    assert len(m.first.first_stage_vars) > 0
    assert all(isinstance(v, pyo.Var) for v in m.first.first_stage_vars)
    assert m.Objective.sense == pyo.minimize


def test_scenario_model_equals_single_scenario_extensive_form(problem) -> None:
    for s in problem.scenarios:
        alone = problem.with_scenarios([ScenarioData(s.name, 1.0, s.data)])
        ef = extensive_form(alone)
        sm = scenario_creator(s.name, problem=problem)
        out_ef, out_sm = solve_model(ef, EXACT), solve_model(sm, EXACT)
        assert out_ef.status == out_sm.status == Status.OPTIMAL
        assert out_sm.objective == pytest.approx(out_ef.objective, rel=1e-9)
        assert pyo.value(sm.Objective) == pytest.approx(
            pyo.value(sm.first.FirstStageCost) + pyo.value(sm.scen.SecondStageCost), rel=1e-9
        )
