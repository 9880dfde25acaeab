"""The realised environment of the back-test (issue 10 §3): the IND's output per FTE.

A policy decides staffing; what each FTE of the IND then delivered is what the environment
gave (``ChainData.ind_output_factor``, a history path's ``ind_productivity`` series). Every
expected number is derived by hand in the test's docstring.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from bekostiging import shipped
from bekostiging.history.replay import yearly_parameters
from bekostiging.io.case import load_case
from bekostiging.model import ScenarioInflow, chain_data, chain_problem
from bekostiging.schema import Policy
from bekostiging.simulate import Context, Path, Plan, State, case_forecast, run_segment
from bekostiging.simulate.history import HISTORY, history_path
from bekostiging.simulate.sources import PathRequest, load_paths
from bekostiging.simulate.window import IND_PRODUCTIVITY, window_data
from bekostiging.solver import HighsSolver, SolverOptions, Status
from bekostiging.twostage import extensive_form
from model_cases import EXACT, TINY_CASE, inflow, make_case, path

TOL = 1e-6


def _decide(phi: tuple[float, ...]) -> tuple[list[float], list[float]]:
    case = make_case(
        stocks={"ind_backlog": {"first": 350.0}},
        penalties={"late_case_month_eur": 10.0, "registration_queue_person_day_eur": 1.0},
    )
    data = replace(chain_data(case), ind_output_factor=phi)
    scenario = ScenarioInflow("s", np.asarray(inflow(case, first=60), dtype=float))
    m = extensive_form(chain_problem(data, [scenario], [1.0]))
    outcome = HighsSolver(EXACT).solve(m)
    assert outcome.status == Status.OPTIMAL, outcome.describe()
    s = m.scen["s"]
    return path(s.Decisions, "first"), path(s.Backlog, "first")


@pytest.mark.solver
def test_an_output_factor_of_one_half_halves_the_decisions():
    """The null case of ``test_add_late_cases``: 350 first applications waiting, 60 arriving a
    quarter, IND staff that decide 100 a quarter at the norm, late cases EUR 10 a case-month,
    so the IND decides at capacity.

    * phi = 1 (no series): 100 a quarter, backlog 350 + 60 - 100 = 310, 270, 230, 190;
    * phi = 0.5 in every quarter: the same staff decide 50: backlog 360, 370, 380, 390;
    * phi = (0.5, 1, 1, 0.5): 50, 100, 100, 50: backlog 360, 320, 280, 290.
    """
    decided, backlog = _decide(())
    assert decided == pytest.approx([100, 100, 100, 100], abs=TOL)
    assert backlog == pytest.approx([310, 270, 230, 190], abs=TOL)
    decided, backlog = _decide((0.5, 0.5, 0.5, 0.5))
    assert decided == pytest.approx([50, 50, 50, 50], abs=TOL)
    assert backlog == pytest.approx([360, 370, 380, 390], abs=TOL)
    decided, backlog = _decide((0.5, 1.0, 1.0, 0.5))
    assert decided == pytest.approx([50, 100, 100, 50], abs=TOL)
    assert backlog == pytest.approx([360, 320, 280, 290], abs=TOL)


def test_only_a_path_series_sets_the_factor_a_plan_counts_at_the_norm():
    """window_data: a path's ``ind_productivity`` per month (1 where it has none); without a
    series (every planner's window) no factor at all."""
    base = chain_data(load_case(TINY_CASE))
    start = base.periods[0]
    y = start[:4]
    series = {IND_PRODUCTIVITY: {f"{y}-01": 0.5, f"{y}-02": 0.8}}
    data = window_data(base, start, 3, series=series)
    assert data.ind_output_factor == (0.5, 0.8, 1.0)
    assert [data.ind_factor(t) for t in range(4)] == [0.5, 0.8, 1.0, 1.0]
    assert window_data(base, start, 3).ind_output_factor == ()
    assert window_data(base, start, 3).ind_factor(0) == 1.0


def _segment_decisions(case, factor: float | None) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """One quarter of the tiny case with a large backlog and the IND's staff fixed (no hires):
    decisions and the staff's work at the norm (``ind_capacity_norm``)."""
    ctx = Context.of(case, SolverOptions(mip_gap=0.0, threads=1))
    start = f"{case.settings.horizon.start_year:04d}-01"
    months = [f"{start[:4]}-{m:02d}" for m in (1, 2, 3)]
    series = {} if factor is None else {IND_PRODUCTIVITY: dict.fromkeys(months, factor)}
    big = np.zeros((3, 3))
    big[:, 0] = 5000.0  # far above what the IND decides: it decides at capacity every month
    p = Path("p", start, big, lambda moment, _p: case_forecast(case, moment), series=series)
    state = State.from_case(case, ctx.base, month=start)
    # first applications only (one unit of work each), so decisions = decision work
    state = replace(state, backlog={k: (v if k == "first" else 0.0) for k, v in state.backlog.items()})
    rules = Policy(
        name="vast",
        description="",
        allow_flexpool=False,
        allow_reserve_places=False,
        allow_asielreserve=False,
        allow_staff_changes=False,
        allow_location_changes=False,
    )
    result = run_segment(ctx, state, Plan(made_at=start), p, 3, rules)
    decided = sum(v for (_m, k, v) in result.rows if k == "ind_decisions")
    norm = sum(v for (_m, k, v) in result.rows if k == "ind_capacity_norm")
    return decided, norm


@pytest.mark.solver
def test_a_segment_on_a_path_with_factor_one_half_decides_half():
    """The engine's segment run (the chain between two planning moments): the same staff, the
    same plan; on a path whose ``ind_productivity`` is 0.5 the IND does half the decision work
    of the path without a series. With only first applications waiting (one unit of work each)
    and 5,000 more arriving a month the IND decides at capacity: decisions = work = phi x the
    staff's work at the norm."""
    case = load_case(TINY_CASE)
    full, norm_full = _segment_decisions(case, None)
    half, norm_half = _segment_decisions(case, 0.5)
    assert norm_half == pytest.approx(norm_full, rel=1e-9)  # the staff did not change
    assert full == pytest.approx(norm_full, rel=1e-6)  # at capacity
    assert half == pytest.approx(0.5 * full, rel=1e-6)


def test_the_history_path_carries_the_shipped_productivity_series():
    """``--paths history`` (what ``simulate`` and ``bench/backtest.py`` run): every month of the
    path has the IND output factor of its year from ``replay_parameters.csv``, and an
    override (the calibration) replaces it."""
    case = load_case(shipped.default_case_dir())
    params = yearly_parameters()
    (p,) = load_paths(HISTORY, case, shipped.default_case_dir(), PathRequest(None, None, 0))
    series = p.series[IND_PRODUCTIVITY]
    assert len(series) == len(p.months) == 12 * 12
    for year in (2014, 2016, 2019, 2023):
        expected = params.values[IND_PRODUCTIVITY][year]
        assert {series[f"{year}-{m:02d}"] for m in range(1, 13)} == {expected}
    assert params.values[IND_PRODUCTIVITY][2016] != params.values[IND_PRODUCTIVITY][2019]
    override = history_path(case, 2014, 2015, {2014: 0.25, 2015: 2.0})
    assert override.series[IND_PRODUCTIVITY]["2014-07"] == 0.25
    assert override.series[IND_PRODUCTIVITY]["2015-12"] == 2.0


def test_every_productivity_value_has_an_address_or_a_derivation():
    params = yearly_parameters()
    years = sorted(params.values[IND_PRODUCTIVITY])
    assert years == list(range(2014, 2026))
    for year in years:
        source = params.sources[(IND_PRODUCTIVITY, year)]
        assert source.startswith(("http", "derived:", "estimate:")), (year, source)
        assert 0 < params.values[IND_PRODUCTIVITY][year] < 3


def _status_quo_2014(factor: float) -> pd.DataFrame:
    """The status quo simulated on the history path of 2014 (the case and start state of
    ``simulate --paths history``) with the IND's output factor ``factor``; first applications
    only (repeat inflow and backlog removed), so decisions = decision work."""
    from bekostiging.simulate import make_policy, simulate_path, tidy
    from bekostiging.simulate.history import history_simulation_case, history_state

    case = history_simulation_case(load_case(shipped.default_case_dir()))
    ctx = Context.of(case, SolverOptions(mip_gap=0.0, threads=1))
    p = history_path(case, 2014, 2014, {2014: factor})
    p = replace(p, inflow=p.inflow * np.array([1.0, 1.0, 0.0]))
    state = history_state(ctx)
    state = replace(state, backlog={k: (v if k == "first" else 0.0) for k, v in state.backlog.items()})
    result = simulate_path(ctx, p, make_policy("status-quo", case.settings.policy), initial=state)
    return tidy([result])


@pytest.mark.solver
@pytest.mark.slow
def test_the_status_quo_history_simulation_and_its_validation_decide_at_the_factor():
    """The status quo on the history path of 2014 with an IND output factor of 0.5: its staff
    (hired to the MPP plan at the norm) decide half their work at the norm. In 2014 about 1,800
    first applications arrived a month against about 1,750 decisions a month at the norm, so
    at half that the backlog (2,500 old cases at the start) never runs dry: every month
    decisions = 0.5 x ind_capacity_norm, and the year's decisions in the validation table
    (``history.validation``, as ``simulate --paths history`` writes it) are that sum. The
    backlog at the end of the year is higher than at factor 1."""
    from bekostiging.history.validation import monthly_from_simulation, validation_frame

    half = _status_quo_2014(0.5)
    full = _status_quo_2014(1.0)
    wide = half.pivot_table(index="month", columns="metric", values="value")
    assert wide["ind_decisions"].to_numpy() == pytest.approx(
        0.5 * wide["ind_capacity_norm"].to_numpy(), rel=1e-6
    )
    real = pd.DataFrame(
        [
            {
                "metric": "ind_beslissingen",
                "year": 2014,
                "actual": 1.0,
                "date": date(2014, 12, 31),
                "source": "t",
            }
        ]
    )
    frame = validation_frame(monthly_from_simulation(half), real)
    assert frame["simulated"].iloc[0] == pytest.approx(0.5 * wide["ind_capacity_norm"].sum(), rel=1e-6)
    wide_full = full.pivot_table(index="month", columns="metric", values="value")
    assert wide["ind_backlog"].iloc[-1] > wide_full["ind_backlog"].iloc[-1] + 1000.0


def test_the_history_case_takes_the_real_nareis_and_registration_as_it_ran():
    """``simulate --paths history`` and ``bench/backtest.py`` share one case: the nareis that
    really came are inflow (the model derives none from its own permits), and registration
    keeps up with arrivals as in ``history replay`` (its FTE and cost unchanged, not a lever,
    12,000 a month: FTE x output per FTE-month)."""
    from bekostiging.history.validation import REGISTRATION_CAPACITY_MONTH
    from bekostiging.simulate.history import history_simulation_case

    case = load_case(shipped.default_case_dir())
    adjusted = history_simulation_case(case)
    assert case.settings.nareis.per_permit > 0
    assert adjusted.settings.nareis.per_permit == 0
    reg, before = adjusted.settings.registration, case.settings.registration
    assert not reg.adjustable
    assert reg.initial_fte == before.initial_fte and reg.cost_per_fte_year_eur == before.cost_per_fte_year_eur
    assert reg.initial_fte * reg.output_per_fte_year / 12 == pytest.approx(REGISTRATION_CAPACITY_MONTH)


def test_the_annex_reads_the_validation_table_that_simulate_writes(tmp_path):
    """``simulate --paths history`` writes ``validation.csv`` with a ``mape`` row per policy and
    metric; the annex's "Terugblik" reads the yearly rows (it crashed on int('mape')) and scores
    them itself: |40,000 - 50,000| / 50,000 = 20 % and |33,000 - 30,000| / 30,000 = 10 %,
    mean 15 %."""
    from bekostiging.report.blocks import Paragraph
    from bekostiging.report.simulation import simulation_blocks

    rows = [
        ("status-quo", "coa_bezetting", "2015", 40000.0, 50000.0, "2015-12-31", "S25 (reported)"),
        ("status-quo", "coa_bezetting", "2016", 33000.0, 30000.0, "2016-12-31", "S25 (reported)"),
        ("status-quo", "coa_bezetting", "mape", 15.0, None, None, None),
    ]
    columns = ["policy", "metric", "year", "simulated", "actual", "date", "source"]
    pd.DataFrame(rows, columns=columns).to_csv(tmp_path / "validation.csv", index=False)
    (tmp_path / "manifest.json").write_text('{"settings": {"paths": "history"}}', encoding="utf-8")
    blocks = list(simulation_blocks([tmp_path], None, "en"))
    (sentence,) = [b.text for b in blocks if isinstance(b, Paragraph) and "percentage error over" in b.text]
    assert "2015–2016" in sentence and "15.0%" in sentence.replace(" %", "%"), sentence
