"""Risk aversion: the weighted CVaR, the CVaR KPI of a run, the report, the mean–CVaR frontier.

Hand-derived CVaR examples (``cvar(x, p, α)`` = mean of the worst 1 − α probability mass):

* x = 1, 2, 3, 4 with p = 1/4 each: α = 0 → 2.5 (the mean); α = 0.5 → (3 + 4)/2 = 3.5;
  α = 0.75 → 4; α = 0.6 → worst 0.4 = 0.25 of 4 and 0.15 of 3 → (1 + 0.45)/0.4 = 3.625.
* x = 10, 20, 100 with p = 0.5, 0.3, 0.2: α = 0.9 → 100; α = 0.7 → worst 0.3 = 0.2 of 100
  and 0.1 of 20 → 22/0.3 = 73.33…; α = 0.5 → (20 + 6)/0.5 = 52.
* weights 1, 1, 2 (normalised to 1/4, 1/4, 1/2) on x = 5, 7, 9: α = 0.5 → 9.

The tiny case has two scenarios of probability 1/2, so at α = 0.5 the CVaR of total cost is
the cost of the dearer scenario, and at any α ≥ 0.5 as well.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bekostiging.analytics.frontier import chain_metrics, mean_cvar_frontier, risk_model
from bekostiging.analytics.stats import cvar
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set
from bekostiging.model.data import MONEY_SCALE
from bekostiging.pipeline import prepare_problem, solve_case
from bekostiging.report import write_report
from bekostiging.report.i18n import fmt_eur
from bekostiging.runs.store import read_run, write_run
from bekostiging.solver import SolverOptions, solve_model
from bekostiging.twostage import Risk, extensive_form, first_stage_values

TINY = Path(__file__).parent / "fixtures" / "tiny-case"
EXACT = SolverOptions(mip_gap=0.0)
REL = 1e-6  # relative tolerance of exact (gap 0) solves
ALPHA = 0.5
CVAR_KPI = "cvar_total_cost_eur"


def _tiny():  # type: ignore[no-untyped-def]
    case = load_case(TINY)
    return case, load_scenario_set(TINY / "scenarios" / "two", case)


def _expected(tables: dict, kpi: str) -> float:  # type: ignore[type-arg]
    k = tables["kpis"]
    return float(k[(k["scenario"] == "expected") & (k["kpi"] == kpi)]["value"].iloc[0])


def _per_scenario(tables: dict, kpi: str) -> list[float]:  # type: ignore[type-arg]
    k = tables["kpis"]
    return [float(v) for v in k[(k["scenario"] != "expected") & (k["kpi"] == kpi)]["value"]]


# --------------------------------------------------------------------------- weighted CVaR


@pytest.mark.unit
@pytest.mark.parametrize(
    ("values", "probabilities", "alpha", "expected"),
    [
        ((1, 2, 3, 4), (0.25,) * 4, 0.0, 2.5),
        ((1, 2, 3, 4), (0.25,) * 4, 0.5, 3.5),
        ((1, 2, 3, 4), (0.25,) * 4, 0.75, 4.0),
        ((1, 2, 3, 4), (0.25,) * 4, 0.6, 3.625),
        ((10, 20, 100), (0.5, 0.3, 0.2), 0.9, 100.0),
        ((10, 20, 100), (0.5, 0.3, 0.2), 0.7, 22.0 / 0.3),
        ((10, 20, 100), (0.5, 0.3, 0.2), 0.5, 52.0),
        ((5, 7, 9), (1, 1, 2), 0.5, 9.0),
        ((4, 3, 2, 1), (0.25,) * 4, 0.5, 3.5),  # order of the scenarios does not matter
    ],
)
def test_weighted_cvar_hand_examples(values, probabilities, alpha, expected):
    assert cvar(values, probabilities, alpha) == pytest.approx(expected, rel=1e-12)


@pytest.mark.unit
def test_weighted_cvar_is_the_rockafellar_uryasev_minimum():
    """min over η of η + E[(x − η)⁺]/(1 − α) is attained at a scenario value; compare with it."""
    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(1, 9))
        x = rng.normal(100.0, 30.0, n)
        p = rng.random(n) + 0.01
        w = p / p.sum()
        alpha = float(rng.uniform(0.0, 0.99))
        ru = min(eta + float(np.dot(w, np.maximum(x - eta, 0.0))) / (1.0 - alpha) for eta in x)
        assert cvar(x, p, alpha) == pytest.approx(ru, rel=1e-9, abs=1e-9)
        assert float(np.dot(w, x)) - 1e-9 <= cvar(x, p, alpha) <= float(x.max()) + 1e-9


@pytest.mark.unit
def test_weighted_cvar_refuses_bad_input():
    with pytest.raises(ValueError, match="alpha"):
        cvar([1.0, 2.0], [0.5, 0.5], 1.0)
    with pytest.raises(ValueError, match="non-negative"):
        cvar([1.0, 2.0], [1.5, -0.5], 0.5)
    with pytest.raises(ValueError, match="2 values but 3"):
        cvar([1.0, 2.0], [0.2, 0.3, 0.5], 0.5)


# --------------------------------------------------------------------------- the chain model


@pytest.fixture(scope="module")
def tiny_solves():  # type: ignore[no-untyped-def]
    case, sset = _tiny()
    neutral = solve_case(case, sset, EXACT, risk=Risk(0.0, ALPHA))
    averse = solve_case(case, sset, EXACT, risk=Risk(1.0, ALPHA))
    assert neutral.ok and averse.ok
    return case, sset, neutral, averse


@pytest.mark.solver
def test_cvar_kpi_of_a_run(tiny_solves):
    """Two scenarios of p = 1/2 at α = 0.5: the CVaR KPI is the dearer scenario's total cost."""
    _case, _sset, neutral, averse = tiny_solves
    for solution in (neutral, averse):
        totals = _per_scenario(solution.tables, "total_cost_eur")
        assert len(totals) == 2
        assert _expected(solution.tables, CVAR_KPI) == pytest.approx(max(totals), rel=1e-12)
    # W = 1: CVaR between the expectation and the worst scenario, and no worse than the
    # risk-neutral plan's CVaR (that plan is feasible for the CVaR objective).
    tail = _expected(averse.tables, CVAR_KPI)
    assert _expected(averse.tables, "total_cost_eur") <= tail * (1 + REL)
    assert tail <= max(_per_scenario(averse.tables, "total_cost_eur")) * (1 + REL)
    assert tail <= _expected(neutral.tables, CVAR_KPI) * (1 + REL)
    # … and the risk-neutral plan has the lower expectation.
    neutral_mean = _expected(neutral.tables, "total_cost_eur")
    assert neutral_mean <= _expected(averse.tables, "total_cost_eur") * (1 + REL)
    unit = neutral.tables["kpis"].set_index(["scenario", "kpi"]).loc[("expected", CVAR_KPI), "unit"]
    assert unit == "EUR"


@pytest.mark.solver
def test_weight_zero_equals_the_risk_neutral_solve(tiny_solves):
    """W = 0 with the CVaR rows present (the frontier model) gives the risk-neutral objective and plan."""
    case, sset, neutral, _averse = tiny_solves
    default = solve_case(case, sset, EXACT)  # the case's own risk settings (weight 0)
    assert default.outcome.objective == pytest.approx(neutral.outcome.objective, rel=REL)
    prepared = prepare_problem(case, sset, EXACT, risk=Risk(0.0, ALPHA))
    assert prepared.problem is not None
    m = risk_model(prepared.problem, ALPHA, weight=0.0)
    outcome = solve_model(m, EXACT)
    assert outcome.objective * MONEY_SCALE == pytest.approx(neutral.outcome.objective, rel=REL)
    plan = first_stage_values(m.first)
    assert plan.keys() == neutral.first_stage.keys()
    # The plan: the same, or (ties) one with exactly the risk-neutral optimum on the neutral model.
    neutral_model = extensive_form(prepared.problem, fixed_first_stage=plan)
    fixed = solve_model(neutral_model, EXACT)
    assert fixed.objective * MONEY_SCALE == pytest.approx(neutral.outcome.objective, rel=REL)
    # risk neutral: the objective is the expected total cost
    assert _expected(neutral.tables, "total_cost_eur") == pytest.approx(neutral.outcome.objective, rel=REL)


@pytest.mark.solver
def test_mean_cvar_frontier_trades_expectation_for_tail(tiny_solves):
    """Exact solves: as W rises the expectation never falls and the CVaR never rises;
    W = 0 and W = 1 reproduce the risk-neutral and the pure-CVaR solves."""
    case, sset, neutral, averse = tiny_solves
    prepared = prepare_problem(case, sset, EXACT)
    assert prepared.problem is not None
    weights = [0.0, 0.25, 0.5, 0.75, 1.0]
    frontier = mean_cvar_frontier(
        prepared.problem, weights, ALPHA, EXACT, metrics=chain_metrics(prepared.data, ALPHA)
    )
    assert list(frontier["weight"]) == weights
    assert set(frontier["status"]) == {"optimal"}
    expected = frontier["expected_total_cost"].to_numpy()
    tail = frontier["cvar_total_cost"].to_numpy()
    assert np.all(np.diff(tail) <= REL * tail[:-1])
    assert np.all(tail >= expected * (1 - REL))
    assert np.all(tail <= frontier["max_total_cost"].to_numpy() * (1 + REL))
    # objective = (1 − W)·E + W·CVaR at every point (model units, M EUR)
    recombined = (1 - frontier["weight"]) * frontier["expected_total_cost"] + frontier["weight"] * tail
    assert list(frontier["objective"]) == pytest.approx(list(recombined), rel=REL)
    assert frontier["objective"].iloc[0] * MONEY_SCALE == pytest.approx(neutral.outcome.objective, rel=REL)
    assert frontier["objective"].iloc[-1] * MONEY_SCALE == pytest.approx(averse.outcome.objective, rel=REL)
    # The chain metrics are in euros and agree with the generic ones.
    assert list(frontier["cvar_total_cost_eur"]) == pytest.approx(list(tail * MONEY_SCALE), rel=REL)
    # the W = 0 end is the cheapest in expectation (within exactness), W = 1 the safest
    assert expected[0] <= expected.min() * (1 + REL)
    assert tail[-1] <= tail.min() * (1 + REL)


@pytest.mark.unit
def test_frontier_refuses_weights_outside_zero_one():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        mean_cvar_frontier(None, [0.0, 1.5], ALPHA)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="alpha"):
        mean_cvar_frontier(None, [0.5], 1.0)  # type: ignore[arg-type]


@pytest.mark.solver
def test_report_shows_expectation_and_cvar(tiny_solves, tmp_path):
    """The annex states both numbers, in Dutch and in English, with the run's α and weight."""
    _case, sset, _neutral, averse = tiny_solves
    settings = {"risk": {"weight": 1.0, "alpha": ALPHA}}
    path = write_run(
        averse,
        case_dir=TINY,
        scenarios_dir=TINY / "scenarios" / sset.name,
        runs_dir=tmp_path / "runs",
        name="risk",
        seed=0,
        settings=settings,
    )
    record = read_run(path)
    tail = _expected(averse.tables, CVAR_KPI)
    expected_cost = _expected(averse.tables, "total_cost_eur")
    texts = {}
    for lang in ("nl", "en"):
        (md,) = write_report(record, ["md"], lang, tmp_path / lang)
        texts[lang] = md.read_text(encoding="utf-8")
    assert "Risico (CVaR bij α = 0,50)" in texts["nl"]
    assert "Risk (CVaR at α = 0.50)" in texts["en"]
    for lang, text in texts.items():
        assert fmt_eur(tail, lang) in text  # type: ignore[arg-type]
        assert fmt_eur(expected_cost, lang) in text  # type: ignore[arg-type]
    assert "CVaR totale kosten" in texts["nl"]
    assert "CVaR of total cost" in texts["en"]
