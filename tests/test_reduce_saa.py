"""Scenario reduction (fast forward selection) and the MMW gap interval, by hand.

Fast forward selection on four points 0, 1, 2, 10 with probabilities 0.4, 0.3, 0.2, 0.1 and
c = |ξ_i − ξ_j| (Heitsch & Römisch 2003, Algorithm 2.4):

* step 1: z_u = Σ_k p_k c_ku = 1.7, 1.5, 1.9, 8.3 → select ξ = 1 (index 1);
* step 2 (J = {0, 2, 3}, c_ku ← min(c_ku, c_k1)): z_0 = .2·1 + .1·9 = 1.1,
  z_2 = .4·1 + .1·8 = 1.2, z_3 = .4·1 + .2·1 = 0.6 → select ξ = 10 (index 3);
* redistribution: 0 and 2 are nearest to 1 → q = (0.9 at ξ = 1, 0.1 at ξ = 10); distance
  .4·1 + .2·1 = 0.6;
* step 3 (J = {0, 2}): z_0 = .2·1 = 0.2, z_2 = .4·1 = 0.4 → select 0; 2 goes to 1 →
  q = 0.4 (ξ = 0), 0.5 (ξ = 1), 0.1 (ξ = 10); distance .2·1 = 0.2.

MMW: gaps 1, 2, 3, 4 → Ḡ = 2.5, s_G = √(5/3) = 1.2910, t_{3, 0.95} = 2.3534 (table),
upper = 2.5 + 2.3534 · 1.2910 / 2 = 4.0191.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bekostiging.analytics.saa import mmw_interval, replication_samples
from bekostiging.cli import main
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set
from bekostiging.scenarios.reduce import distances, fast_forward, reduce_set

POINTS = np.array([[0.0], [1.0], [2.0], [10.0]])
PROBS = [0.4, 0.3, 0.2, 0.1]
DEFAULT_CASE = Path(__file__).parents[1] / "data" / "nl-2026"
T_3_95 = 2.3534  # Student t, 3 degrees of freedom, one-sided 95 % (printed tables)


def test_distances_are_euclidean():
    d = distances(np.array([[0.0, 0.0], [3.0, 4.0]]))
    assert d[0, 1] == pytest.approx(5.0) and d[1, 0] == pytest.approx(5.0) and d[0, 0] == 0.0


def test_fast_forward_two_of_four_by_hand():
    red = fast_forward(distances(POINTS), PROBS, 2)
    assert red.selected == (1, 3)
    assert red.probabilities == pytest.approx((0.9, 0.1))
    assert red.distance == pytest.approx(0.6)
    assert red.assignment == (1, 1, 1, 3)


def test_fast_forward_three_of_four_by_hand():
    red = fast_forward(distances(POINTS), PROBS, 3)
    assert red.selected == (1, 3, 0)
    assert red.probabilities == pytest.approx((0.5, 0.1, 0.4))
    assert red.distance == pytest.approx(0.2)


def test_fast_forward_all_and_bad_k():
    red = fast_forward(distances(POINTS), PROBS, 4)
    assert sorted(red.selected) == [0, 1, 2, 3] and red.distance == 0.0
    assert sum(red.probabilities) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="k must be"):
        fast_forward(distances(POINTS), PROBS, 0)


def test_mmw_interval_on_fixed_numbers():
    i = mmw_interval([1.0, 2.0, 3.0, 4.0])
    assert i.mean == pytest.approx(2.5)
    assert i.sd == pytest.approx(math.sqrt(5.0 / 3.0))
    assert i.upper == pytest.approx(2.5 + T_3_95 * math.sqrt(5.0 / 3.0) / 2.0, abs=1e-4)
    with pytest.raises(ValueError, match="two replications"):
        mmw_interval([1.0])
    with pytest.raises(ValueError, match="finite"):
        mmw_interval([1.0, math.inf])


def test_replication_samples_disjoint_then_independent():
    blocks = replication_samples(10, 3, 3, seed=1)
    flat = np.concatenate(blocks)
    assert len(set(flat.tolist())) == 9  # disjoint while 3·3 <= 10
    again = replication_samples(10, 3, 3, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(blocks, again, strict=True))  # seeded
    many = replication_samples(10, 4, 5, seed=1)  # 20 > 10: each sample on its own
    assert all(len(set(b.tolist())) == 4 for b in many)


def test_reduce_set_keeps_probability_and_periods():
    case = load_case(DEFAULT_CASE)
    hist = load_scenario_set(DEFAULT_CASE / "scenarios" / "hist-50", case)
    reduced, red = reduce_set(hist, 5)
    assert len(reduced.scenarios) == 5
    assert sum(s.probability for s in reduced.scenarios) == pytest.approx(1.0)
    assert reduced.periods == hist.periods
    assert set(reduced.names) == {hist.names[i] for i in red.selected}
    assert "Fast forward selection" in reduced.provenance.notes
    # every deleted scenario went to its nearest kept one
    d = distances(hist.inflow_persons.reshape(50, -1))
    kept = np.array(red.selected)
    for i, j in enumerate(red.assignment):
        assert d[i, j] == pytest.approx(d[i, kept].min())


def test_scenarios_reduce_cli(tmp_path):
    out = tmp_path / "hist-50-k5"
    result = CliRunner().invoke(
        main, ["scenarios", "reduce", "hist-50", "--k", "5", "--out", str(out), "--case", str(DEFAULT_CASE)]
    )
    assert result.exit_code == 0, result.output
    case = load_case(DEFAULT_CASE)
    written = load_scenario_set(out, case)
    assert len(written.scenarios) == 5
    bad = CliRunner().invoke(
        main,
        [
            "scenarios",
            "reduce",
            "hist-50",
            "--k",
            "51",
            "--out",
            str(tmp_path / "x"),
            "--case",
            str(DEFAULT_CASE),
        ],
    )
    assert bad.exit_code == 2 and "--k" in bad.output


def test_saa_cli_on_the_tiny_case(tmp_path):
    """Two one-scenario samples of the two-scenario set; the EF plan's gap estimate is >= 0."""
    import pandas as pd

    from model_cases import TINY_CASE

    runner = CliRunner()
    runs = tmp_path / "runs"
    solved = runner.invoke(
        main, ["solve", str(TINY_CASE), "--scenarios", "two", "--runs-dir", str(runs), "-q"]
    )
    assert solved.exit_code == 0, solved.output
    run_id = next(runs.iterdir()).name
    out = tmp_path / "saa"
    args = ["saa", run_id, "--scenarios", "two", "--n", "1", "--replications", "2", "--runs-dir", str(runs)]
    args += ["--workers", "1"]
    result = runner.invoke(main, [*args, "--out", str(out), "--mip-gap", "0"])
    assert result.exit_code == 0, result.output
    assert "Mak-Morton-Wood" in result.output
    # the progress lines speak Dutch too (they were English in every language)
    assert "het plan doorrekenen op 2 scenario's" in result.output
    assert "herhaling 1/2: SAA-ondergrens € " in result.output and "replication" not in result.output
    per = pd.read_csv(out / "saa-two.csv")
    summary = pd.read_csv(out / "saa-two-summary.csv").set_index("quantity")["value"]
    assert len(per) == 2 and sorted(per["scenarios"]) == [1, 1]
    # one scenario each: the plan's sample mean is its cost there, the SAA bound that scenario's WS
    assert (per["gap_estimate"] >= -1e-6 * per["plan_sample_mean"].abs()).all()
    assert summary["gap_upper"] >= summary["gap_mean"]
    too_many = runner.invoke(
        main, [*args[:4], "--n", "3", "--runs-dir", str(runs), "--out", str(tmp_path / "x")]
    )
    assert too_many.exit_code == 2 and "--n" in too_many.output


def test_saa_replications_in_parallel_equal_serial():
    """Replications are independent solves: on 2 worker processes they give the serial numbers."""
    from functools import partial

    from bekostiging.analytics.saa import saa_gap
    from bekostiging.cli.saa import solve_sample_ef
    from bekostiging.pipeline import prepare_problem, solve_case
    from bekostiging.scenarios import generate
    from bekostiging.solver import SolverOptions
    from model_cases import TINY_CASE

    case = load_case(TINY_CASE)
    scenarios = generate(case, "lognormal", 6, 11, name="tiny-6")
    options = SolverOptions(threads=1, mip_gap=0.0)
    plan = solve_case(case, scenarios.subset(scenarios.names[:2]), options, method="ef").first_stage
    problem = prepare_problem(case, scenarios, options).problem
    solve = partial(solve_sample_ef, options=options)
    kw = {"sample_size": 2, "replications": 3, "seed": 4, "options": options}
    serial = saa_gap(problem, plan, solve, workers=1, **kw)
    parallel = saa_gap(problem, plan, solve, workers=2, executor="processes", parallel_samples=True, **kw)
    assert [r.scenarios for r in parallel.replications] == [r.scenarios for r in serial.replications]
    for a, b in zip(serial.replications, parallel.replications, strict=True):
        assert b.lower == pytest.approx(a.lower, rel=1e-9)
        assert b.gap == pytest.approx(a.gap, rel=1e-9, abs=1e-9)
        assert b.gap >= -1e-7 * abs(b.plan_sample_mean)  # the SAA optimum never beats the plan there
    assert parallel.interval.upper == pytest.approx(serial.interval.upper, rel=1e-9, abs=1e-9)
