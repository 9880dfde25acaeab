"""Calibrated inflow generators: reproducible, ML fit recovers known parameters, categories add up."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bekostiging.history import load_history
from bekostiging.io.case import load_case
from bekostiging.scenarios import generate
from bekostiging.scenarios.calibrated import (
    LogAR,
    Origin,
    fit_logar,
    nareis_lag_ratio,
    origin_from_history,
    sample_totals,
    simulate_logar,
    split_categories,
    vintage_errors,
)
from bekostiging.scenarios.generate import case_origin, yearly_totals
from bekostiging.schema import Case

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parents[1]
SYNTHETIC_YEARS = 600
TRUE = LogAR(mu=10.0, phi=0.6, sigma=0.2, p=0.0, d=0.0, pairs=0, loglik=0.0)


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case(ROOT / "data" / "nl-2026")


@pytest.fixture(scope="module")
def history():
    return load_history(ROOT / "data" / "history")


def _synthetic(model: LogAR, years: int, seed: int) -> dict[int, float]:
    rng = np.random.default_rng(seed)
    x = model.mu
    levels = {}
    for t in range(years):
        x = model.mu + model.phi * (x - model.mu) + model.sigma * rng.standard_normal()
        x += model.d * (rng.random() < model.p)
        levels[1000 + t] = float(np.exp(x))
    return levels


def test_fit_recovers_known_ar_parameters() -> None:
    fit = fit_logar(_synthetic(TRUE, SYNTHETIC_YEARS, 1), surge=False)
    assert abs(fit.phi - TRUE.phi) < 0.08
    assert abs(fit.mu - TRUE.mu) < 0.05
    assert abs(fit.sigma / TRUE.sigma - 1) < 0.1


def test_fit_recovers_the_surge_component() -> None:
    truth = LogAR(mu=10.0, phi=0.5, sigma=0.15, p=0.1, d=0.9, pairs=0, loglik=0.0)
    fit = fit_logar(_synthetic(truth, 1500, 2), surge=True)
    assert abs(fit.p - truth.p) < 0.04
    assert abs(fit.d - truth.d) < 0.15
    assert abs(fit.phi - truth.phi) < 0.08


def test_fit_uses_gaps_without_inventing_years() -> None:
    levels = _synthetic(TRUE, SYNTHETIC_YEARS, 3)
    sparse = {y: v for y, v in levels.items() if y % 3 != 0}  # every third year missing
    fit = fit_logar(sparse, surge=False)
    assert fit.pairs == len(sparse) - 1
    assert abs(fit.phi - TRUE.phi) < 0.1


def test_same_seed_same_draws_and_no_global_state(history) -> None:
    origin = origin_from_history(history, 2018, 5)
    np.random.seed(1)
    a = sample_totals("logar", origin, 50, 5, np.random.default_rng(7))
    np.random.seed(2)
    b = sample_totals("logar", origin, 50, 5, np.random.default_rng(7))
    c = sample_totals("logar", origin, 50, 5, np.random.default_rng(8))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("method", ["logar", "mpp-error"])
def test_case_sets_are_reproducible_and_anchored(case: Case, history, method: str) -> None:
    made = generate(case, method, 400, 2026, history_data=history)
    again = generate(case, method, 400, 2026, history_data=history)
    assert np.array_equal(made.inflow_persons, again.inflow_persons)
    assert made.provenance.method == method and made.provenance.seed == 2026
    _, totals = yearly_totals(made)
    low = sum(r.low for r in case.mpp if r.year == case.years[0])
    high = sum(r.high for r in case.mpp if r.year == case.years[0])
    assert low <= np.median(totals[:, 0]) <= high  # the 2026 median inside the MPP band


def test_origin_knows_only_its_past(history) -> None:
    origin = origin_from_history(history, 2015, 3)
    assert max(origin.totals) == 2015
    assert all(v.published.year <= 2015 for v in origin.vintages)
    assert origin.anchor is not None and origin.anchor[0] == 58_000  # latest 2015 vintage for 2016
    assert origin_from_history(history, 2019, 3).anchor is None  # no public vintage: stand-in


def test_vintage_errors_use_realised_targets_only(case: Case, history) -> None:
    errors = dict(vintage_errors(case_origin(case, history), 1))
    assert 2026 not in errors  # not realised yet
    assert errors[2023] == pytest.approx(np.log(50_600 / 50_650))


def test_mpp_error_year_one_follows_the_vintage_errors(history) -> None:
    base = origin_from_history(history, 2025, 2)
    origin = Origin(
        year=2025, totals=base.totals, anchor=np.array([50_000.0, 50_000.0]), vintages=base.vintages
    )
    draws = sample_totals("mpp-error", origin, 4000, 2, np.random.default_rng(1))
    errors = np.array([e for _, e in vintage_errors(origin, 1)])
    assert abs(np.median(np.log(draws[:, 0] / 50_000)) - np.median(errors)) < 0.1


def test_split_adds_up_and_nareis_lags_first(history) -> None:
    totals = np.array([[40_000.0, 50_000.0, 30_000.0]])
    split = split_categories(totals, 24_000, 0.4, 0.05)
    assert np.allclose(split.sum(axis=2), totals)
    assert split[0, 0, 1] == pytest.approx(0.4 * 24_000)
    assert split[0, 1, 1] == pytest.approx(0.4 * split[0, 0, 0])
    assert np.allclose(split[0, :, 2], 0.05 * split[0, :, 0])
    assert 0.1 < nareis_lag_ratio(history) < 1.0


def test_simulation_reverts_to_the_level() -> None:
    draws = simulate_logar(TRUE, 12.0, 4000, 30, np.random.default_rng(3))
    assert abs(np.median(np.log(draws[:, -1])) - TRUE.mu) < 0.05


def test_generate_warns_on_uncalibrated_tails_only(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from bekostiging.cli import main

    runner = CliRunner()
    boot = runner.invoke(
        main,
        [
            "scenarios",
            "generate",
            "--method",
            "bootstrap",
            "--n",
            "200",
            "--seed",
            "1",
            "--out",
            str(tmp_path / "b"),
        ],
    )
    assert boot.exit_code == 0, boot.output
    assert "waarschuwing:" in boot.output and "1,5 x het recordjaar" in boot.output  # Dutch by default
    english = runner.invoke(
        main,
        [
            "scenarios",
            "generate",
            "--method",
            "bootstrap",
            "--n",
            "200",
            "--seed",
            "1",
            "--out",
            str(tmp_path / "b-en"),
            "--lang",
            "en",
        ],
    )
    assert "warning:" in english.output and "1.5 x the record year" in english.output
    fitted = runner.invoke(
        main,
        [
            "scenarios",
            "generate",
            "--method",
            "logar",
            "--n",
            "20",
            "--seed",
            "1",
            "--out",
            str(tmp_path / "l"),
        ],
    )
    assert fitted.exit_code == 0, fitted.output
    assert "waarschuwing:" not in fitted.output


def test_the_fits_normal_log_density_is_scipys_bit_for_bit(history, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """``_norm_logpdf`` (scipy's arithmetic without its per-call checks) equals
    ``scipy.stats.norm.logpdf`` bit for bit on arrays and scalars of loc and scale, hands
    infinite x and non-positive scales to scipy, and the fit is the same with either."""
    from scipy import stats

    from bekostiging.scenarios import calibrated

    rng = np.random.default_rng(7)
    for k in range(400):
        n = int(rng.integers(1, 9))
        x = rng.normal(9.0, 1.0, n)
        loc = rng.normal(9.0, 1.0, n) if k % 2 else float(rng.normal(9.0, 1.0))
        scale = np.abs(rng.normal(0.0, 0.5, n)) + 1e-3 if k % 3 else float(abs(rng.normal())) + 1e-3
        want = stats.norm.logpdf(x, loc, scale)
        got = calibrated._norm_logpdf(x, loc, scale)
        assert got.shape == want.shape and got.tobytes() == want.tobytes()
    with np.errstate(divide="ignore"):  # scipy divides by the zero scale before it checks it
        edge = calibrated._norm_logpdf(np.array([np.inf, 1.0]), 0.0, np.array([1.0, 0.0]))
    assert edge[0] == -np.inf and np.isnan(edge[1])  # scipy's answers: outside support, bad scale
    levels = {int(y): float(v) for y, v in history.totals().items()}
    fast = fit_logar(levels)
    monkeypatch.setattr(calibrated, "_norm_logpdf", stats.norm.logpdf)
    assert fit_logar(levels) == fast
