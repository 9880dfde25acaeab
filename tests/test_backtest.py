"""Back-test scoring: CRPS by hand, interval coverage, no look-ahead, the CLI's files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from bekostiging.cli import main
from bekostiging.history import load_history
from bekostiging.scenarios.backtest import (
    BACKTEST_COLUMNS,
    central_interval,
    crps_discrete,
    crps_sample,
    run_backtest,
    summarise,
)

pytestmark = pytest.mark.unit

HISTORY_DIR = Path(__file__).parents[1] / "data" / "history"


def test_crps_of_known_cases_by_hand() -> None:
    # draws {0, 1}, outcome 0: E|X-y| = 0.5, E|X-X'| = 0.5 -> 0.5 - 0.25
    assert crps_sample(np.array([0.0, 1.0]), 0.0) == pytest.approx(0.25)
    # one draw: the absolute error
    assert crps_sample(np.array([3.0]), 7.0) == pytest.approx(4.0)
    # draws {1, 2, 4}, outcome 2: E|X-y| = 1, E|X-X'| = (0+1+3+1+0+2+3+2+0)/9 = 12/9
    assert crps_sample(np.array([4.0, 1.0, 2.0]), 2.0) == pytest.approx(1.0 - 6.0 / 9.0)
    assert crps_discrete([1.0, 2.0, 4.0], [1 / 3] * 3, 2.0) == pytest.approx(1.0 - 6.0 / 9.0)


def test_crps_of_a_normal_sample_matches_the_closed_form() -> None:
    from scipy import stats

    draws = np.random.default_rng(0).normal(0.0, 2.0, 200_000)
    y, s = 1.0, 2.0
    z = y / s
    exact = s * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / np.sqrt(np.pi))
    assert crps_sample(draws, y) == pytest.approx(exact, rel=0.01)


def test_central_interval() -> None:
    draws = np.arange(101, dtype=float)
    assert central_interval(draws, 0.8) == pytest.approx((10.0, 90.0))


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    history = load_history(HISTORY_DIR)
    return run_backtest(history, ["logar", "bootstrap", "mpp-band"], range(2014, 2017), 2, draws=300)


def test_rows_per_method_origin_horizon_level(table: pd.DataFrame) -> None:
    assert list(table.columns) == list(BACKTEST_COLUMNS)
    own = table[table.method == "logar"]
    assert len(own) == 3 * 2 * 3  # origins x horizons x levels, all realised
    assert set(own.level) == {0.5, 0.8, 0.9}
    assert (own.target_year == own.origin + own.horizon).all()
    hit = (own.lower <= own.realised) & (own.realised <= own.upper)
    assert (hit == own.covered).all()
    wider = own.pivot_table(index=["origin", "horizon"], columns="level", values="width")
    assert (wider[0.9] >= wider[0.5]).all()


def test_mpp_band_only_where_a_banded_vintage_exists(table: pd.DataFrame) -> None:
    band = table[table.method == "mpp-band"]
    assert set(band.origin) == {2015}  # Nov 2015: 45,000-114,000 for 2016
    assert (band.lower == 45_000).all() and (band.upper == 114_000).all()


def test_summary_coverage_is_the_mean(table: pd.DataFrame) -> None:
    summary = summarise(table)
    row = summary[(summary.method == "logar") & (summary.horizon == 1) & (summary.level == 0.8)]
    own = table[(table.method == "logar") & (table.horizon == 1) & (table.level == 0.8)]
    assert row.coverage.iloc[0] == pytest.approx(own.covered.mean())
    assert row.mean_crps.iloc[0] == pytest.approx(own.crps.mean())


@pytest.mark.parametrize(("lang", "wrote"), [("en", "wrote {path}"), ("nl", "geschreven: {path}")])
def test_cli_writes_both_tables(tmp_path: Path, lang: str, wrote: str) -> None:
    """Each file on a line of its own, as report prints them (it printed 'geschreven: a, b'
    and the chart as 'grafiek: c')."""
    result = CliRunner().invoke(
        main,
        [
            "scenarios",
            "backtest",
            "--methods",
            "logar,bootstrap",
            "--origins",
            "2015-2016",
            "--horizons",
            "1-2",
            "--draws",
            "200",
            "--out",
            str(tmp_path),
            "--lang",
            lang,
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for name in ("backtest.csv", "summary.csv", "coverage.png"):
        assert wrote.format(path=tmp_path / name) in lines, name
    detail = pd.read_csv(tmp_path / "backtest.csv")
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert {"method", "origin", "horizon", "level", "covered", "width", "crps"} <= set(detail.columns)
    assert {"method", "horizon", "level", "coverage", "mean_width", "mean_crps"} <= set(summary.columns)
    assert ("mean CRPS" if lang == "en" else "gem. CRPS") in result.output
    title = {
        "en": "origins 2015-2016, horizons 1-2, seed 2026",
        "nl": "oorsprongsjaren 2015-2016, horizonnen 1-2, startwaarde toevalsgenerator 2026",  # was English
    }
    assert title[lang] in result.output.splitlines()[0]
    assert (tmp_path / "coverage.png").is_file()


def test_cli_refuses_an_unknown_method(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["scenarios", "backtest", "--methods", "dice", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "kies uit" in result.output  # Dutch by default
