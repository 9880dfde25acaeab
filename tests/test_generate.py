"""Scenario generator: determinism, statistics, and the rules of each method."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bekostiging.io.case import load_case
from bekostiging.io.scenarios import write_scenario_set
from bekostiging.scenarios import generate, history, mpp_scenarios
from bekostiging.scenarios.generate import LOGNORMAL_SD, period_weights, repeat_share, spread_year
from bekostiging.schema import MONTHS_PER_YEAR, Case, Category

pytestmark = pytest.mark.unit

DEFAULT_CASE = Path(__file__).parents[1] / "data" / "nl-2026"
LARGE_N = 2000  # sample size for the statistical tests (issue: n = 2000)
SD_TOLERANCE = 0.10  # sample sd within 10% of its target (issue)
ROUNDING_LOG_TOLERANCE = 1e-3  # whole-person rounding moves a yearly log-change by < 1e-3
FIRST = list(Category).index(Category.FIRST)
NAREIS = list(Category).index(Category.NAREIS)
REPEAT = list(Category).index(Category.REPEAT)


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case(DEFAULT_CASE)


def _yearly(inflow: np.ndarray, years: int) -> np.ndarray:
    """(scenarios, periods, categories) -> (scenarios, years, categories)."""
    n, periods, cats = inflow.shape
    return inflow.reshape(n, years, periods // years, cats).sum(axis=2)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("method", ["bootstrap", "lognormal"])
def test_same_seed_gives_byte_identical_files(case: Case, method: str, tmp_path: Path) -> None:
    write_scenario_set(generate(case, method, 20, 7), tmp_path / "a")
    write_scenario_set(generate(case, method, 20, 7), tmp_path / "b")
    write_scenario_set(generate(case, method, 20, 8), tmp_path / "c")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a")["inflow.csv"] != _files(tmp_path / "c")["inflow.csv"]


def test_global_numpy_state_does_not_matter(case: Case) -> None:
    np.random.seed(1)  # legacy global state: must not leak into the generator
    first = generate(case, "lognormal", 5, 3).inflow_persons
    np.random.seed(2)
    assert np.array_equal(first, generate(case, "lognormal", 5, 3).inflow_persons)


@pytest.mark.parametrize("method", ["bootstrap", "lognormal"])
def test_equal_probabilities_summing_to_one(case: Case, method: str) -> None:
    made = generate(case, method, 30, 1)
    assert np.allclose(made.probabilities, 1 / 30)
    assert abs(made.probabilities.sum() - 1.0) < 1e-9
    assert list(made.periods) == case.periods
    assert made.provenance.seed == 1
    assert made.provenance.method == method


def test_lognormal_yearly_log_change_sd_matches_target(case: Case) -> None:
    made = generate(case, "lognormal", LARGE_N, 2026)
    yearly = _yearly(made.inflow_persons, len(case.years))
    changes = np.diff(np.log(yearly[:, :, FIRST]), axis=1)
    assert abs(changes.std(ddof=1) / LOGNORMAL_SD - 1) < SD_TOLERANCE


def test_lognormal_error_grows_with_lead_time_around_mpp_mid(case: Case) -> None:
    """sd of ln(Y_k / MPPmid_k) is sd * sqrt(k); its median is the MPP mid."""
    made = generate(case, "lognormal", LARGE_N, 11)
    yearly = _yearly(made.inflow_persons, len(case.years))[:, :, FIRST]
    mid_by_year = {r.year: r.mid for r in case.mpp if r.category == Category.FIRST}
    mid = np.array([mid_by_year[y] for y in case.years])
    errors = np.log(yearly / mid)
    for k in range(len(case.years)):
        target = LOGNORMAL_SD * np.sqrt(k + 1)
        assert abs(errors[:, k].std(ddof=1) / target - 1) < SD_TOLERANCE
    assert abs(np.median(errors[:, 0])) < 0.05


def test_lognormal_other_sd_is_honoured(case: Case) -> None:
    made = generate(case, "lognormal", LARGE_N, 5, sd=0.2)
    changes = np.diff(np.log(_yearly(made.inflow_persons, len(case.years))[:, :, FIRST]), axis=1)
    assert abs(changes.std(ddof=1) / 0.2 - 1) < SD_TOLERANCE


def test_bootstrap_uses_only_historical_changes(case: Case) -> None:
    made = generate(case, "bootstrap", 300, 4)
    yearly = _yearly(made.inflow_persons, len(case.years))
    start = np.array(
        [
            history.last_level(history.first_applications()).persons,
            history.last_level(history.nareis()).persons,
        ]
    )
    levels = np.concatenate([np.broadcast_to(start, (300, 1, 2)), yearly[:, :, [FIRST, NAREIS]]], axis=1)
    changes = np.diff(np.log(levels), axis=1)
    for c_i, series in enumerate((history.first_applications(), history.nareis())):
        allowed = np.array(list(history.log_changes(series).values()))
        distance = np.abs(changes[:, :, c_i][..., np.newaxis] - allowed).min(axis=-1)
        assert distance.max() < ROUNDING_LOG_TOLERANCE


def test_bootstrap_shock_years_at_historical_frequency(case: Case) -> None:
    made = generate(case, "bootstrap", LARGE_N, 9)
    yearly = _yearly(made.inflow_persons, len(case.years))[:, :, FIRST]
    start = history.last_level(history.first_applications()).persons
    changes = np.diff(np.log(np.column_stack([np.full(LARGE_N, start), yearly])), axis=1)
    share = (changes >= history.SHOCK_LOG_CHANGE - ROUNDING_LOG_TOLERANCE).mean()
    target = history.shock_share(history.log_changes(history.first_applications()))
    binomial_sd = np.sqrt(target * (1 - target) / changes.size)
    assert abs(share - target) < 4 * binomial_sd
    none = generate(case, "bootstrap", 500, 9, shock_probability=0.0)
    y0 = _yearly(none.inflow_persons, len(case.years))[:, :, FIRST]
    c0 = np.diff(np.log(np.column_stack([np.full(500, start), y0])), axis=1)
    assert (c0 < history.SHOCK_LOG_CHANGE - ROUNDING_LOG_TOLERANCE).all()


def test_repeat_is_a_share_of_first(case: Case) -> None:
    yearly = _yearly(generate(case, "bootstrap", 50, 3).inflow_persons, len(case.years))
    ratio = yearly[:, :, REPEAT] / yearly[:, :, FIRST]
    assert np.allclose(ratio, repeat_share(case), atol=2e-3)


def test_seasonality_spreads_each_year(case: Case) -> None:
    made = generate(case, "lognormal", 10, 1)
    months = made.inflow_persons.reshape(10, len(case.years), MONTHS_PER_YEAR, 3)
    shares = months.sum(axis=(0, 1, 3)) / months.sum()
    assert np.allclose(shares, period_weights(case), atol=1e-4)
    assert np.all(made.inflow_persons == np.round(made.inflow_persons))


def test_spread_year_keeps_the_total() -> None:
    weights = np.full(12, 1 / 12)
    spread = spread_year(1000.4, weights)
    assert spread.sum() == 1000
    assert spread.max() - spread.min() <= 1


def test_mpp_set_reproduces_the_bands(case: Case) -> None:
    made = mpp_scenarios(case)
    assert made.names == ["low", "mid", "high"]
    assert made.probabilities.tolist() == [0.25, 0.5, 0.25]
    assert "0.25/0.5/0.25" in made.provenance.notes
    yearly = _yearly(made.inflow_persons, len(case.years))
    for row in case.mpp:
        y, c = case.years.index(row.year), list(Category).index(row.category)
        assert yearly[:, y, c].tolist() == [row.low, row.mid, row.high]


def test_unknown_method_and_bad_n(case: Case) -> None:
    with pytest.raises(ValueError, match="unknown"):
        generate(case, "dice", 3, 1)
    with pytest.raises(ValueError, match="at least one"):
        generate(case, "bootstrap", 0, 1)
