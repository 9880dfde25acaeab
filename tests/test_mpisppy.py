"""mpi-sppy both ways: our scenario creator in mpi-sppy, mpi-sppy-style models in our analytics.

* ``twostage.scenario_creator`` has mpi-sppy's own signature, ``(scenario_name, **kwargs)``:
  ``ExtensiveForm(..., scenario_creator, scenario_creator_kwargs={"problem": p})`` solves
  the chain model to the optimum of our own extensive form.
* :mod:`bekostiging.analytics.sppy` runs RP, EV, EEV, WS, VSS, EVPI and evaluate on
  mpi-sppy's own farmer example (``mpisppy.tests.examples.farmer``), reproducing the
  published values of Birge & Louveaux (2nd ed., §1.1 and §4.1): expected profit
  RP 108,390, WS 115,405.56, EEV 107,240, EV 118,600, so VSS = 1,150 and EVPI = 7,015.56.
  In the minimising (cost) form the objective values change sign and VSS, EVPI do not.

The mpi-sppy tests need the ``mpisppy`` extra (``pip install -e '.[mpisppy]'``);
``make test`` installs it and sets ``BEKOSTIGING_REQUIRE_MPISPPY=1`` so that they can
never be skipped there.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
from pathlib import Path

import pyomo.environ as pyo
import pytest

from bekostiging.analytics.sppy import (
    EVUnavailable,
    ScenarioModel,
    evaluate,
    expectation,
    solve_ev,
    solve_rp,
    value_of_information,
)
from bekostiging.solver import SolverOptions, Status, solve_model
from bekostiging.twostage import extensive_form, scenario_creator

TINY = Path(__file__).parent / "fixtures" / "tiny-case"
EXACT = SolverOptions(mip_gap=0.0, threads=1)
REQUIRE = os.environ.get("BEKOSTIGING_REQUIRE_MPISPPY") == "1"

# Birge & Louveaux, Introduction to Stochastic Programming (2nd ed.), farmer: profit in EUR.
RP_PROFIT = 108_390.0
WS_PROFIT = 115_405.56  # 1/3 (167,666.67 + 118,600 + 59,950)
EEV_PROFIT = 107_240.0
EV_PROFIT = 118_600.0
VSS = 1_150.0
EVPI = 7_015.56
PUBLISHED_ROUNDING = 0.01  # the book prints cents


def _mpisppy() -> None:
    if importlib.util.find_spec("mpisppy") is None:
        if REQUIRE:
            pytest.fail("mpi-sppy is required here (BEKOSTIGING_REQUIRE_MPISPPY=1): pip install '.[mpisppy]'")
        pytest.skip("mpi-sppy not installed (optional extra 'mpisppy')")


@pytest.fixture(scope="module")
def chain_problem():
    from bekostiging.io.case import load_case
    from bekostiging.io.scenarios import load_scenario_set
    from bekostiging.pipeline import prepare_problem

    case = load_case(TINY)
    return prepare_problem(case, load_scenario_set(TINY / "scenarios" / "two", case), EXACT).problem


@pytest.mark.unit
def test_scenario_creator_has_mpisppy_signature(chain_problem) -> None:
    """mpi-sppy calls ``scenario_creator(name, **kwargs)``; the name comes first."""
    params = list(inspect.signature(scenario_creator).parameters)
    assert params[0] == "scenario_name"
    kwargs = {"problem": chain_problem}
    name = chain_problem.names[0]
    m = scenario_creator(name, **kwargs)
    assert m._mpisppy_probability == pytest.approx(chain_problem.scenarios[0].probability)
    with pytest.raises(KeyError, match="no scenario"):
        scenario_creator("nope", **kwargs)


@pytest.mark.solver
def test_mpisppy_extensive_form_solves_our_model(chain_problem) -> None:
    """``ExtensiveForm(options, names, scenario_creator, scenario_creator_kwargs=...)`` unchanged."""
    _mpisppy()
    from mpisppy.opt.ef import ExtensiveForm

    ef = ExtensiveForm(
        {"solver": "appsi_highs"},
        chain_problem.names,
        scenario_creator,
        scenario_creator_kwargs={"problem": chain_problem},
    )
    ef.solve_extensive_form()
    theirs = pyo.value(ef.ef.EF_Obj)
    ours = solve_model(extensive_form(chain_problem), EXACT)
    assert ours.status == Status.OPTIMAL
    assert theirs == pytest.approx(ours.objective, rel=1e-6)


def _farmer(sense: int, mean: bool = True) -> ScenarioModel:
    from mpisppy.tests.examples import farmer

    return ScenarioModel(
        farmer.scenario_creator,
        farmer.scenario_names_creator(3),
        {"num_scens": 3, "sense": sense},
        mean_scenario="scen1" if mean else None,  # scen1 is the average-yield scenario
    )


@pytest.mark.solver
@pytest.mark.parametrize(("sense", "sign"), [(pyo.maximize, 1.0), (pyo.minimize, -1.0)])
def test_farmer_reproduces_the_published_values(sense: int, sign: float) -> None:
    """mpi-sppy's farmer: profit form (maximise) and cost form (minimise, objectives negated)."""
    _mpisppy()
    voi = value_of_information(_farmer(sense), EXACT)
    assert voi.maximise == (sense == pyo.maximize)
    tol = PUBLISHED_ROUNDING
    assert voi.rp.value == pytest.approx(sign * RP_PROFIT, abs=tol)
    assert voi.ws.value == pytest.approx(sign * WS_PROFIT, abs=tol)
    assert voi.ev is not None and voi.eev is not None and voi.vss is not None
    assert voi.ev.value == pytest.approx(sign * EV_PROFIT, abs=tol)
    assert voi.eev.value == pytest.approx(sign * EEV_PROFIT, abs=tol)
    assert voi.vss.value == pytest.approx(VSS, abs=tol)
    assert voi.evpi.value == pytest.approx(EVPI, abs=tol)
    for m in (voi.rp, voi.ws, voi.ev, voi.eev, voi.vss, voi.evpi):
        assert m.status == Status.OPTIMAL
        assert m.exact, m
    plan = voi.rp_solution.plan
    assert plan is not None
    assert plan["DevotedAcreage[WHEAT0]"] == pytest.approx(170.0, abs=1e-6)
    assert plan["DevotedAcreage[CORN0]"] == pytest.approx(80.0, abs=1e-6)
    assert plan["DevotedAcreage[SUGAR_BEETS0]"] == pytest.approx(250.0, abs=1e-6)


@pytest.mark.solver
def test_farmer_without_a_mean_scenario_states_ev_unavailable() -> None:
    _mpisppy()
    model = _farmer(pyo.maximize, mean=False)
    with pytest.raises(EVUnavailable, match="no mean scenario"):
        solve_ev(model, EXACT)
    voi = value_of_information(model, EXACT)
    assert voi.ev is None and voi.eev is None and voi.vss is None
    assert voi.evpi.value == pytest.approx(EVPI, abs=PUBLISHED_ROUNDING)
    frame = voi.to_frame().set_index("measure")
    assert list(frame.loc[["EV", "EEV", "VSS"], "status"]) == ["unavailable"] * 3
    assert "EV is unavailable" in frame.loc["EV", "note"]


@pytest.mark.solver
def test_evaluate_the_rp_plan_gives_rp_and_the_mean_plan_gives_eev() -> None:
    """evaluate: the RP plan fixed reproduces RP; the EV plan (plant for average yields) EEV."""
    _mpisppy()
    model = _farmer(pyo.maximize)
    rp = solve_rp(model, EXACT)
    value, _ = expectation(evaluate(model, rp.plan, EXACT))
    assert value == pytest.approx(RP_PROFIT, abs=PUBLISHED_ROUNDING)
    ev = solve_ev(model, EXACT)
    assert ev.plan["DevotedAcreage[WHEAT0]"] == pytest.approx(120.0, abs=1e-6)
    value, _ = expectation(evaluate(model, ev.plan, EXACT))
    assert value == pytest.approx(EEV_PROFIT, abs=PUBLISHED_ROUNDING)


@pytest.mark.solver
def test_sppy_analytics_on_our_model_agree_with_the_native_ones(chain_problem) -> None:
    """The chain model through the mpi-sppy-style API: RP, VSS, EVPI as the native analytics."""
    from bekostiging.analytics import value_of_information as native

    ours = native(chain_problem, EXACT, workers=1)
    theirs = value_of_information(ScenarioModel.from_problem(chain_problem), EXACT)
    assert not theirs.maximise
    for a, b in ((theirs.rp, ours.rp), (theirs.ws, ours.ws), (theirs.evpi, ours.evpi)):
        assert a.value == pytest.approx(b.value, rel=1e-6, abs=1e-3)
    assert theirs.ev is not None and theirs.eev is not None and theirs.vss is not None
    assert theirs.ev.value == pytest.approx(ours.ev.value, rel=1e-6)
    assert theirs.eev.value == pytest.approx(ours.eev.value, rel=1e-6)
    assert theirs.vss.value == pytest.approx(ours.vss.value, rel=1e-6, abs=1e-3)
