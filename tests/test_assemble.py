"""The block-angular assembler (``assemble.py``) against the Pyomo extensive form.

The assembled model must be the model Pyomo writes, scenario block by scenario block:

* on the tiny case (set ``two``) and the default case (``mpp``, the first 10 scenarios of
  ``hist-50``) the assembled LP has the same rows, columns, coefficients, bounds, costs and
  integrality as the LP file of ``extensive_form`` (matched by scenario and component);
* same status and objective (exact MIP on the tiny case; the LP relaxation of the default
  case within 1e-6 relative), and the same result tables (``result_tables`` fed one scenario
  at a time through the template block);
* the infeasible case of ``test_model_chain`` is still explained (family and partner);
* CVaR and problems without a template are refused, so the caller falls back to Pyomo.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest

from bekostiging.assemble import AssemblyUnsupported, BlockHighs
from bekostiging.infeasibility import explain
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set
from bekostiging.pipeline import prepare_problem, solve_case
from bekostiging.results import result_tables
from bekostiging.schema import Case, ScenarioSet
from bekostiging.solver import OneShotHighs, SolverOptions, Status
from bekostiging.twostage import Risk, extensive_form
from model_cases import TINY_CASE, inflow, make_case, scenario_set

pytestmark = pytest.mark.solver

DEFAULT_CASE = Path(__file__).parents[1] / "data" / "nl-2026"
EXACT = SolverOptions(threads=1, mip_gap=0.0)
LP_TOLERANCE = 1e-6  # relative, objective of the LP relaxation
TABLE_RTOL, TABLE_ATOL = 1e-6, 1e-3  # result tables (EUR, persons, FTE)


def _relax(m: pyo.ConcreteModel) -> None:
    pyo.TransformationFactory("core.relax_integer_vars").apply_to(m)


def _key(component, scenario: str | None) -> tuple[str, str] | None:
    if component is None:
        return None
    block = component.parent_block()
    if scenario is None:
        scenario = str(block.index()) if block.local_name.startswith("scen") else ""
    return scenario, component.getname(relative_to=block, fully_qualified=True)


def _lp_by_name(solver, row_scenario, col_scenario) -> dict[str, dict]:
    """The solver's HiGHS LP keyed by (scenario, component) instead of position."""
    lp = solver.highs.getLp()
    rows = [_key(solver.row_component(i), row_scenario(i)) for i in range(lp.num_row_)]
    cols = [_key(solver.col_component(j), col_scenario(j)) for j in range(lp.num_col_)]
    a = lp.a_matrix_
    start = np.asarray(a.start_)
    col_of = np.repeat(np.arange(lp.num_col_), np.diff(start))
    integrality = list(lp.integrality_) or [None] * lp.num_col_
    return {
        "matrix": {(rows[i], cols[j]): v for i, j, v in zip(a.index_, col_of, a.value_, strict=True)},
        "cols": {
            c: (lo, hi, cost, str(kind))
            for c, lo, hi, cost, kind in zip(
                cols, lp.col_lower_, lp.col_upper_, lp.col_cost_, integrality, strict=True
            )
        },
        "rows": {r: (lo, hi) for r, lo, hi in zip(rows, lp.row_lower_, lp.row_upper_, strict=True)},
        "offset": lp.offset_,
    }


def _compare(case: Case, scenarios: ScenarioSet, *, relax: bool) -> tuple[float, float]:
    prepared = prepare_problem(case, scenarios, EXACT)
    assert prepared.problem is not None, prepared.conflicts
    problem, data = prepared.problem, prepared.data

    m = extensive_form(problem)
    blocks = BlockHighs(problem, EXACT)
    if relax:
        _relax(m)
        _relax(blocks.model)
    pyomo_solver = OneShotHighs(EXACT)
    ref = pyomo_solver.solve(m)
    got = blocks.solve_problem()

    ref_lp = _lp_by_name(pyomo_solver, lambda _i: None, lambda _j: None)
    got_lp = _lp_by_name(blocks, blocks.row_scenario, blocks.col_scenario)
    assert got_lp["cols"].keys() == ref_lp["cols"].keys()
    assert got_lp["rows"].keys() == ref_lp["rows"].keys()
    assert got_lp["matrix"].keys() == ref_lp["matrix"].keys()
    for part in ("matrix", "cols", "rows"):
        for k, v in ref_lp[part].items():
            assert (
                got_lp[part][k] == pytest.approx(v, rel=1e-12, abs=1e-12)
                if part != "cols"
                else (
                    got_lp[part][k][3] == v[3]
                    and np.allclose(got_lp[part][k][:3], v[:3], rtol=1e-12, atol=1e-12)
                )
            ), (part, k, got_lp[part][k], v)
    assert got_lp["offset"] == pytest.approx(ref_lp["offset"], rel=1e-12, abs=1e-12)
    assert blocks.model_size() == _size(m)

    assert got.status == ref.status == Status.OPTIMAL
    assert got.objective == pytest.approx(ref.objective, rel=LP_TOLERANCE)
    expected = result_tables(m, data, scenarios)
    actual = result_tables(blocks.model, data, scenarios, scenarios=blocks.scenario_blocks())
    assert actual.keys() == expected.keys()
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(
            actual[name], frame, check_exact=False, rtol=TABLE_RTOL, atol=TABLE_ATOL, obj=name
        )
    return got.objective, ref.objective


def _size(m: pyo.ConcreteModel) -> dict[str, int]:
    from bekostiging.pipeline import model_size

    return model_size(m)


def test_tiny_case_exact_mip():
    case = load_case(TINY_CASE)
    two = load_scenario_set(TINY_CASE / "scenarios" / "two", case)
    got, ref = _compare(case, two, relax=False)
    assert got == ref


@pytest.fixture(scope="module")
def default_case() -> Case:
    return load_case(DEFAULT_CASE)


@pytest.mark.parametrize("set_name", ["mpp", "hist-50"])
def test_default_case_lp_relaxation(default_case, set_name):
    scenarios = load_scenario_set(DEFAULT_CASE / "scenarios" / set_name, default_case)
    if set_name == "hist-50":
        scenarios = scenarios.subset(scenarios.names[:10])
    _compare(default_case, scenarios, relax=True)


def test_infeasible_case_is_explained_by_family_partner_and_scenario():
    """test_model_chain's infeasible case, with two scenarios: explain() through the assembler."""
    case = make_case(ind={"cost_per_fte_year_eur": 40000.0}, policy={"funding_ratio_max": 0.5})
    scenarios = scenario_set(case, {"zero": inflow(case), "one": inflow(case, first=1.0)})
    prepared = prepare_problem(case, scenarios, EXACT)
    assert prepared.problem is not None
    blocks = BlockHighs(prepared.problem, EXACT)
    assert blocks.solve_problem().status == Status.INFEASIBLE
    conflicts = explain(blocks, prepared.data)
    found = {(c.family, c.partner) for c in conflicts}
    assert ("Funding_Ratio_Max", "finance") in found, found
    assert ("Budget_Covers_Structural", "IND") in found, found
    assert all(c.scenario in ("", "zero", "one") for c in conflicts), conflicts

    solution = solve_case(case, scenarios, EXACT)  # the pipeline, whichever path it takes
    assert solution.outcome.status == Status.INFEASIBLE
    assert {(c.family, c.partner) for c in solution.conflicts} == found


def test_cvar_and_template_less_problems_are_refused():
    case = load_case(TINY_CASE)
    two = load_scenario_set(TINY_CASE / "scenarios" / "two", case)
    problem = prepare_problem(case, two, EXACT).problem
    assert problem is not None
    with pytest.raises(AssemblyUnsupported, match="CVaR"):
        BlockHighs(problem.with_risk(Risk(weight=0.5)), EXACT)
    from dataclasses import replace

    with pytest.raises(AssemblyUnsupported, match="template"):
        BlockHighs(replace(problem, template=None), EXACT)


def test_solve_case_blocks_equals_pyomo_and_cvar_falls_back():
    case = load_case(TINY_CASE)
    two = load_scenario_set(TINY_CASE / "scenarios" / "two", case)
    blocks = solve_case(case, two, EXACT)
    pyomo = solve_case(case, two, EXACT, assembler="pyomo")
    assert blocks.timings["assembler"] == 1.0 and pyomo.timings["assembler"] == 0.0
    assert blocks.outcome.status == pyomo.outcome.status == Status.OPTIMAL
    assert blocks.outcome.objective == pyomo.outcome.objective
    assert blocks.model_size == pyomo.model_size
    assert blocks.first_stage == pyomo.first_stage
    assert blocks.tables.keys() == pyomo.tables.keys()
    for name, frame in pyomo.tables.items():
        pd.testing.assert_frame_equal(blocks.tables[name], frame, check_exact=True, obj=name)

    cvar = solve_case(case, two, EXACT, risk=Risk(weight=0.5, alpha=0.5))
    assert cvar.timings["assembler"] == 0.0  # not assembled: the Pyomo extensive form
    assert cvar.outcome.status == Status.OPTIMAL
    with pytest.raises(ValueError, match="assembler"):
        solve_case(case, two, EXACT, assembler="scipy")
