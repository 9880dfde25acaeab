"""Housing of status holders as a scenario dimension calibrated on data/history (issue 16 d)."""

from __future__ import annotations

import dataclasses
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from bekostiging.errors import InputErrors
from bekostiging.history import load_history
from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set, resolve_scenario_set
from bekostiging.scenarios.calibrated import (
    HOUSING_PERSISTENCE,
    HousingFit,
    fit_housing,
    sample_housing_ratios,
)
from bekostiging.scenarios.generate import generate

CASE_DIR = Path(__file__).parents[1] / "data" / "nl-2026"
HISTORY_DIR = Path(__file__).parents[1] / "data" / "history"
MONTHS = 12


@pytest.mark.unit
def test_housing_realisation_and_fit_from_the_history():
    """housed / (task + arrears): H1 2022 11,886 / (9,979 + 3,728), H2 2022 17,000 / (13,500 + 1,858);
    the fit is the mean and the (n - 1) sd of their logs."""
    history = load_history()
    h1, h2 = 11886 / (9979 + 3728), 17000 / (13500 + 1858)
    assert history.housing_realisation() == pytest.approx({"2022-H1": h1, "2022-H2": h2})
    fit = fit_housing(history)
    assert fit.mu == pytest.approx((math.log(h1) + math.log(h2)) / 2)
    assert fit.sd == pytest.approx(abs(math.log(h1) - math.log(h2)) / math.sqrt(2))


@pytest.mark.unit
def test_housing_fit_needs_two_half_years():
    history = dataclasses.replace(load_history(), housing=())
    with pytest.raises(ValueError, match="need at least 2"):
        fit_housing(history)


@pytest.mark.unit
def test_housing_ratios_are_a_persistent_lognormal():
    """exp(mu + sd z), z a stationary AR(1): sd 0 gives exp(mu) everywhere; with sd > 0 the log
    ratios have mean mu, sd sd and lag-1 correlation phi (200,000 draws, seed 1)."""
    flat = sample_housing_ratios(HousingFit(mu=-0.1, sd=0.0, points={}), 3, 5, np.random.default_rng(1))
    assert flat == pytest.approx(np.full((3, 5), math.exp(-0.1)))
    draws = sample_housing_ratios(HousingFit(mu=0.0, sd=0.2, points={}), 200_000, 5, np.random.default_rng(1))
    logs = np.log(draws)
    assert logs.mean() == pytest.approx(0.0, abs=0.003)
    assert logs[:, 4].std() == pytest.approx(0.2, rel=0.01)
    assert np.corrcoef(logs[:, 0], logs[:, 1])[0, 1] == pytest.approx(HOUSING_PERSISTENCE, abs=0.01)


@pytest.mark.unit
def test_generated_housing_is_the_series_times_a_yearly_ratio_and_leaves_the_inflow_alone():
    """Every month of a scenario-year is round(ratio x 3,400) with one ratio per year; the inflow
    equals that of a history without housing figures (the housing draws come after it)."""
    case = load_case(CASE_DIR)
    with_housing = generate(case, "logar", 4, 7)
    without = generate(case, "logar", 4, 7, history_data=dataclasses.replace(load_history(), housing=()))
    assert without.housing_persons is None
    assert np.array_equal(with_housing.inflow_persons, without.inflow_persons)
    housing = with_housing.housing_persons
    assert housing is not None and housing.shape == (4, len(case.periods))
    base = np.array([r.housing_outflow_persons for r in case.series])
    per_year = (housing / base).reshape(4, len(case.years), MONTHS)
    assert np.allclose(per_year, per_year[:, :, :1], atol=0.5 / base.min())  # one ratio per year
    assert "housed / (task + arrears)" in with_housing.provenance.notes


@pytest.mark.unit
@pytest.mark.parametrize("name", ["hist-50", "hist-200"])
def test_shipped_sets_carry_the_housing_dimension(name):
    """The shipped logar sets have housing per scenario; ratios within exp(mu +- 5 sd)."""
    case = load_case(CASE_DIR)
    scenario_set = load_scenario_set(resolve_scenario_set(CASE_DIR, name), case)
    housing = scenario_set.housing_persons
    assert housing is not None and housing.shape == (len(scenario_set.names), len(case.periods))
    fit = fit_housing(load_history())
    ratio = housing / np.array([r.housing_outflow_persons for r in case.series])
    assert ratio.min() > math.exp(fit.mu - 5 * fit.sd) and ratio.max() < math.exp(fit.mu + 5 * fit.sd)
    assert ratio[:, 0].std() > fit.sd / 2  # varies between scenarios
    assert (ratio.std(axis=1) > 0).mean() > 0.9  # and between the years of a scenario


@pytest.mark.unit
def test_history_housing_file_is_optional_and_checked(tmp_path):
    folder = tmp_path / "history"
    shutil.copytree(HISTORY_DIR, folder)
    (folder / "housing.csv").unlink()
    assert load_history(folder).housing == ()
    (folder / "housing.csv").write_text(
        "period,measure,value,status,source,note\n2022-H3,task,10,reported,HV1,\n", encoding="utf-8"
    )
    with pytest.raises(InputErrors) as info:
        load_history(folder)
    assert any(p.file == "housing.csv" and p.field == "period" for p in info.value.problems)


@pytest.mark.unit
def test_reduced_set_keeps_the_housing_of_its_scenarios():
    """scenarios reduce: each kept scenario keeps its own housing series."""
    from bekostiging.scenarios.reduce import reduce_set

    case = load_case(CASE_DIR)
    full = load_scenario_set(resolve_scenario_set(CASE_DIR, "hist-50"), case)
    reduced, _ = reduce_set(full, 5)
    assert reduced.housing_persons is not None
    for i, name in enumerate(reduced.names):
        assert np.array_equal(reduced.housing_persons[i], full.housing_persons[full.names.index(name)])
