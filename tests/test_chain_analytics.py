"""VSS/EVPI on the chain model (tiny case and the default case's MPP set), and the chain glue.

Theory (Birge & Louveaux §4.1): WS ≤ RP ≤ EEV, hence VSS = EEV − RP ≥ 0 and
EVPI = RP − WS ≥ 0. With MIP gaps each number is an interval; the point values
and the proven intervals must both respect the ordering.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bekostiging.analytics import value_of_information
from bekostiging.analytics.chain import (
    AnalysisExistsError,
    kpi_metrics,
    stochastic_solution_from_tables,
    write_tables,
)
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set, resolve_scenario_set
from bekostiging.pipeline import prepare_problem, solve_case
from bekostiging.results import EXPECTED
from bekostiging.solver import SolverOptions, Status

FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "tiny-case"
DEFAULT = Path(__file__).parent.parent / "data" / "nl-2026"
WORKERS = 2
TOL = 1e-6  # relative, on costs of order 1e1 (tiny, M EUR) to 1e4 (default, M EUR)


def _problem(case_dir: Path, set_name: str, options: SolverOptions):
    case = load_case(case_dir)
    scenario_set = load_scenario_set(resolve_scenario_set(case_dir, set_name), case)
    prepared = prepare_problem(case, scenario_set, options)
    assert prepared.problem is not None
    return case, scenario_set, prepared


def _check_ordering(voi) -> None:
    slack = TOL * max(1.0, abs(voi.rp.value))
    # point values
    assert voi.ws.value <= voi.rp.value + slack
    assert voi.rp.value <= voi.eev.value + slack
    assert voi.vss.value >= -slack
    assert voi.evpi.value >= -slack
    # proven intervals are consistent with the ordering
    assert voi.ws.lower <= voi.rp.upper + slack
    assert voi.rp.lower <= voi.eev.upper + slack
    assert voi.vss.upper >= 0.0 and voi.evpi.upper >= 0.0
    for m in (voi.vss, voi.evpi):  # the point value lies in its interval (up to rounding)
        assert m.lower - slack <= m.value <= m.upper + slack
    for m in voi.measures:
        assert m.status == Status.OPTIMAL, (m.name, m.status, m.note)


@pytest.mark.solver
def test_value_of_information_tiny_case_exact():
    """Solved to gap 0: the ordering holds on the point values, VSS = EEV − RP exactly."""
    _, _, prepared = _problem(TINY, "two", SolverOptions(mip_gap=0.0))
    voi = value_of_information(prepared.problem, SolverOptions(mip_gap=0.0), workers=WORKERS)
    _check_ordering(voi)
    assert voi.vss.value == pytest.approx(voi.eev.value - voi.rp.value, rel=TOL)
    assert voi.evpi.value == pytest.approx(voi.rp.value - voi.ws.value, rel=TOL)
    assert voi.vss.value > 0.0  # the tiny case's two scenarios differ: the EV plan pays for it


@pytest.mark.solver
def test_value_of_information_default_case_mpp_set():
    _, _, prepared = _problem(DEFAULT, "mpp", SolverOptions(mip_gap=0.005))
    voi = value_of_information(prepared.problem, SolverOptions(mip_gap=0.005), workers=WORKERS)
    _check_ordering(voi)
    assert len(voi.ws_results) == len(prepared.problem.scenarios)
    frame = voi.scenario_frame()
    assert list(frame["scenario"]) == prepared.problem.names


@pytest.mark.solver
@pytest.mark.slow
def test_value_of_information_default_case_hist50_set():
    """The other shipped set the issue names: 50 bootstrap scenarios (WS: 50 single solves)."""
    _, _, prepared = _problem(DEFAULT, "hist-50", SolverOptions(mip_gap=0.005))
    voi = value_of_information(prepared.problem, SolverOptions(mip_gap=0.005), workers=WORKERS)
    _check_ordering(voi)
    assert len(voi.ws_results) == len(prepared.problem.scenarios) == 50


@pytest.mark.solver
def test_rp_rebuilt_from_tables_matches_the_solve():
    """The RP read back from a solve's tables equals the solve (objective, stage-2 split)."""
    options = SolverOptions(mip_gap=0.0)
    case = load_case(TINY)
    scenario_set = load_scenario_set(resolve_scenario_set(TINY, "two"), case)
    solution = solve_case(case, scenario_set, options)
    rp = stochastic_solution_from_tables(solution.outcome, solution.first_stage, solution.tables["kpis"])
    kpis = solution.tables["kpis"]
    expected = kpis[kpis["scenario"] == EXPECTED].set_index("kpi")["value"]
    assert rp.objective * 1e6 == pytest.approx(solution.outcome.objective, rel=TOL)
    assert (rp.first_stage_cost + rp.expected_second_stage_cost) * 1e6 == pytest.approx(
        expected["total_cost_eur"], rel=TOL
    )
    assert set(rp.scenario_second_stage_costs) == {i.scenario for i in scenario_set.scenarios}
    assert rp.status == Status.OPTIMAL and rp.first_stage == solution.first_stage


@pytest.mark.solver
def test_kpi_metrics_match_the_kpis_table():
    """The evaluate metrics are the run's KPIs (same function), without the duplicated costs."""
    import pyomo.environ as pyo

    from bekostiging.solver import HighsSolver
    from bekostiging.twostage import extensive_form

    _, _, prepared = _problem(TINY, "two", SolverOptions(mip_gap=0.0))
    m = extensive_form(prepared.problem)
    assert HighsSolver(SolverOptions(mip_gap=0.0)).solve(m).status == Status.OPTIMAL
    name = prepared.problem.names[0]
    metrics = kpi_metrics(m.scen[name], prepared.data)
    assert "total_cost_eur" not in metrics and "stage2_cost_eur" not in metrics
    late = pyo.value(m.scen[name].LateCaseMonths)
    assert metrics["late_case_months"] == pytest.approx(late, rel=TOL, abs=TOL)
    assert metrics["backlog_end_persons"] >= 0.0


@pytest.mark.unit
def test_write_tables_is_atomic_and_never_replaces(tmp_path: Path):
    folder = tmp_path / "analysis"
    first = pd.DataFrame({"a": [1.0, 2.0]})
    paths = write_tables(folder, {"value": first, "value_scenarios": first})
    assert [p.name for p in paths] == ["value.csv", "value_scenarios.csv"]
    before = (folder / "value.csv").read_text()
    with pytest.raises(AnalysisExistsError, match="never replaced"):
        write_tables(folder, {"other": first, "value": pd.DataFrame({"a": [9.0]})})
    assert (folder / "value.csv").read_text() == before
    assert not (folder / "other.csv").exists()  # refused before writing anything
    assert sorted(p.name for p in folder.iterdir()) == ["value.csv", "value_scenarios.csv"]  # no temp files
