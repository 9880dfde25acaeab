"""History as simulation input (issue 10 §3 §4): state, monthly paths, vintages, shocks, MAPE, CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from bekostiging import shipped
from bekostiging.cli import main
from bekostiging.history import load_history
from bekostiging.history.replay import (
    CATEGORIES,
    MONTHS,
    case_seasonality,
    forecast_at,
    monthly_inflow,
    planning_moment,
    spread_year,
    start_state,
    vintage_at,
    yearly_parameters,
)
from bekostiging.history.stress import (
    STRESS_PATHS,
    InflowPath,
    Shock,
    ShockError,
    apply_shocks,
    as_scenario_set,
    parse_shocks,
    stress_paths,
    surge_overlay,
)
from bekostiging.history.validation import mape
from bekostiging.io.case import load_case

DEFAULT_CASE = shipped.default_case_dir()


@pytest.fixture(scope="module")
def history():
    return load_history()


@pytest.fixture(scope="module")
def params():
    return yearly_parameters()


@pytest.fixture(scope="module")
def case():
    return load_case(DEFAULT_CASE)


@pytest.fixture(scope="module")
def real(history, params):
    return monthly_inflow(history, params, case_seasonality(), 2014, 2025)


# --------------------------------------------------------------------------- the state of January 2014


def test_start_state_occupancy_is_the_coa_figure_of_31_december_2013(history, case):
    state = start_state()
    coa = {r.date: r.value for r in history.coa if r.measure == "occupancy"}
    assert state.occupancy == coa[date(2013, 12, 31)] == 15394
    sigma = {c.value: case.settings.categories[c].reception_share for c in case.settings.categories}
    assert state.reception(sigma) == pytest.approx(state.occupancy, abs=1.0)  # the stocks add up to it


def test_every_state_value_has_an_address_or_a_stated_estimate():
    state = start_state()
    assert set(state.sources) >= {"occupancy", "ind_backlog.first", "status_holders", "rejected"}
    for key, source in state.sources.items():
        assert source.startswith(("http", "estimate:", "derived:")), (key, source)


def test_start_state_refuses_a_value_without_source(tmp_path):
    (tmp_path / "replay_state.csv").write_text(
        "stock,category,persons,status,url,note\noccupancy,,100,reported,,\n", encoding="utf-8"
    )
    from bekostiging.errors import InputErrors

    with pytest.raises(InputErrors) as err:
        start_state(tmp_path)
    assert any(p.field == "url" and p.row == 2 for p in err.value.problems)


# --------------------------------------------------------------------------- monthly inflow


def test_monthly_path_sums_to_the_yearly_history(history, params, real):
    by_year = real.groupby(real.index.str[:4]).sum()
    for year in range(2014, 2026):
        for cat in CATEGORIES:
            expected = history.inflow(cat).get(year)
            if expected is None:
                expected = params.values[f"inflow_{cat}"][year]
            assert by_year.loc[str(year), cat] == pytest.approx(expected, rel=1e-12), (year, cat)
    assert len(real) == 12 * MONTHS and (real.to_numpy() >= 0).all()


def test_published_months_are_kept_where_they_fit_the_year(real):
    assert real.loc["2015-10", "first"] == pytest.approx(9990.0)  # S4, the peak month
    assert real.loc["2015-09", "nareis"] == pytest.approx(1960.0)  # H9
    # 2018: the published months sum above the yearly figure: scaled, shape kept
    months = real.loc["2018-01":"2018-12", "first"].to_numpy()
    assert months[8] / months[1] == pytest.approx(2250.0 / 1200.0)


def test_spread_year_by_hand():
    season = dict.fromkeys(range(1, 13), 1.0)
    out = spread_year(1200.0, season, months={1: 300.0}, quarters={2: 300.0})
    assert out.sum() == pytest.approx(1200.0)
    assert out[0] == pytest.approx(300.0)
    assert out[3:6] == pytest.approx([100.0, 100.0, 100.0])  # the quarter split evenly
    assert out[1] == pytest.approx((1200.0 - 300.0 - 300.0) / 8)


# --------------------------------------------------------------------------- MPP vintages


def test_vintage_at_a_moment_is_the_latest_published_on_or_before_it(history):
    for year in range(2014, 2026):
        for season in ("spring", "autumn"):
            moment = planning_moment(year, season)
            for target in (year, year + 1):
                chosen = vintage_at(history, moment, target)
                candidates = [
                    v
                    for v in history.mpp_vintages
                    if v.target_year == target and v.centre is not None and v.published <= moment
                ]
                if not candidates:
                    assert chosen is None
                    continue
                assert chosen is not None and chosen.published <= moment
                assert chosen.published == max(v.published for v in candidates)


def test_vintage_known_late_2015_and_the_calibrated_stand_in(history):
    assert vintage_at(history, date(2015, 11, 29), 2016).mid == 26000  # Ontwerpbegroting 2016
    assert vintage_at(history, date(2015, 12, 1), 2016).mid == 58000  # MPP November 2015
    early = forecast_at(history, date(2014, 6, 1), 2015)
    assert early.method == "logar" and "2013" in early.label  # only totals up to 2013 are known
    assert 0 < early.centre < 2 * max(history.totals(until=2013).values())


# --------------------------------------------------------------------------- stress paths and shocks


def _flat_path() -> InflowPath:
    periods = tuple(f"{y}-{m:02d}" for y in range(2026, 2031) for m in range(1, 13))
    inflow = np.tile(np.array([3000.0, 1000.0, 150.0]), (len(periods), 1))
    return InflowPath("base", periods, inflow, "flat")


def test_shock_parses_and_scales_exactly():
    base = _flat_path()
    shocks = parse_shocks("2027:+20%, 2029:-12.5%", base.years())
    assert shocks == [Shock(2027, 20.0), Shock(2029, -12.5)]
    out = apply_shocks(base, shocks)
    for i, p in enumerate(base.periods):
        factor = 1.2 if p.startswith("2027") else 0.875 if p.startswith("2029") else 1.0
        assert np.array_equal(out.inflow[i], base.inflow[i] * factor)
    assert parse_shocks("2028:5%") == [Shock(2028, 5.0)]  # no sign: an increase


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2027:+20", "not a shock"),
        ("20%", "not a shock"),
        ("", "empty"),
        ("2040:+5%", "2026–2030"),
        ("2027:+900%", "between"),
        ("2027:+1%,2027:+2%", "twice"),
    ],
)
def test_bad_shocks_name_the_option_and_what_is_allowed(text, fragment):
    with pytest.raises(ShockError) as err:
        parse_shocks(text, list(range(2026, 2031)))
    assert str(err.value).startswith("--shock:") and fragment in str(err.value)


def test_surge_overlay_replays_the_real_ratio(real):
    base = _flat_path()
    out = surge_overlay(base, real, 2015, 2027, "s", "")
    total = real.sum(axis=1)
    ref = total[total.index.str.startswith("2014-")].mean()
    assert np.array_equal(out.inflow[:12], base.inflow[:12])  # 2026 untouched
    i = base.periods.index("2027-10")
    assert out.inflow[i] == pytest.approx(base.inflow[0] * total["2015-10"] / ref)
    assert out.yearly().loc[2027].sum() > 1.9 * base.yearly().loc[2026].sum()  # 2015 doubled 2014


def test_named_stress_paths_and_their_scenario_set(real, case):
    from bekostiging.history.stress import mpp_base_path
    from bekostiging.model import mpp_mid_inflow

    base = mpp_base_path(case.periods, mpp_mid_inflow(case))
    paths = stress_paths(base, real)
    assert [p.name for p in paths] == list(STRESS_PATHS)
    plus = paths[2].yearly().sum(axis=1)
    assert plus[2027] == pytest.approx(1.2 * base.yearly().sum(axis=1)[2027])
    scenario_set = as_scenario_set(paths, "stress", date(2026, 1, 1))
    scenario_set.check_fits(case)
    assert scenario_set.inflow_persons.shape == (3, len(case.periods), 3)
    with pytest.raises(ValueError, match="unknown"):
        stress_paths(base, real, ["2015-in-2099"])


# --------------------------------------------------------------------------- validation


def test_mape_by_hand():
    frame = pd.DataFrame(
        {
            "metric": ["a", "a", "b", "b"],
            "year": [2015, 2016, 2015, 2016],
            "simulated": [110.0, 90.0, 150.0, 5.0],
            "actual": [100.0, 100.0, 100.0, 0.0],  # a zero actual cannot be scored
        }
    )
    assert mape(frame) == {"a": pytest.approx(10.0), "b": pytest.approx(50.0)}


REPLAY_FILES = ("validation.csv", "replay.csv", "mape.csv", "validation.png")


def test_cli_replay_short_window_writes_validation(tmp_path: Path):
    out = tmp_path / "terugblik"
    result = CliRunner().invoke(main, ["history", "replay", "--to", "2017", "--out", str(out)])
    assert result.exit_code == 0, result.output
    # every file it writes, a line each as report and compare say it (it said 'Geschreven: ' with
    # a capital, naming validation.csv and validation.png only)
    for name in REPLAY_FILES:
        assert (out / name).is_file(), name
        assert f"geschreven: {out / name}" in result.output.splitlines(), name
    assert "Geschreven" not in result.output
    frame = pd.read_csv(out / "validation.csv")
    assert list(frame.columns[:4]) == ["metric", "year", "simulated", "actual"]
    occ = frame[frame["metric"] == "coa_bezetting"].set_index("year")
    assert list(occ.index) == [2015, 2016, 2017]
    assert occ.loc[2016, "actual"] == 27008  # S25
    assert (out / "validation.png").stat().st_size > 0
    assert "MAPE" in result.output and "werkelijk" in result.output  # Dutch by default


def test_cli_replay_names_its_files_in_english(tmp_path: Path):
    out = tmp_path / "lookback"
    result = CliRunner().invoke(
        main, ["history", "replay", "--to", "2015", "--lang", "en", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert [f"wrote {out / name}" for name in REPLAY_FILES] == [
        line for line in result.output.splitlines() if line.startswith("wrote ")
    ]
    assert "Written" not in result.output


def test_cli_stress_writes_a_loadable_set_and_refuses_a_bad_shock(tmp_path: Path, case):
    from bekostiging.io.scenarios import load_scenario_set

    out = tmp_path / "stress"
    ok = CliRunner().invoke(
        main, ["history", "stress", "--paths", "mpp-plus-20", "--shock", "2028:+10%", "--out", str(out)]
    )
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines()[-1].startswith(f"geschreven: {out}  (Gebruik: ")  # was 'Geschreven:'
    loaded = load_scenario_set(out, case)
    yearly = loaded.inflow_persons[0].sum(axis=1)
    years = np.array([int(p[:4]) for p in loaded.periods])
    base = yearly[years == 2026].sum()
    assert yearly[years == 2027].sum() == pytest.approx(1.2 * base)
    assert yearly[years == 2028].sum() == pytest.approx(1.1 * base)
    bad = CliRunner().invoke(main, ["history", "stress", "--shock", "2027:20", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "--shock" in bad.output and "JAAR:+N%" in bad.output  # Dutch by default
    assert "Traceback" not in bad.output


# --------------------------------------------------------------------------- simulate: --paths history


def test_history_path_for_simulate_carries_the_real_inflow_and_series(case, real, params):
    from bekostiging.simulate.history import history_path

    path = history_path(case, 2014, 2016)
    assert path.start == "2014-01" and path.inflow.shape == (36, 3)
    assert np.allclose(path.inflow, real.loc["2014-01":"2016-12", list(CATEGORIES)].to_numpy())
    assert path.series["permit_share"]["2015-06"] == params.values["permit_share"][2015]
    assert sum(path.series["housing_outflow"][f"2016-{m:02d}"] for m in range(1, 13)) == pytest.approx(
        params.values["housing_outflow"][2016]
    )


def test_history_forecast_knows_only_the_vintages_of_its_budget_round(case, history):
    from bekostiging.simulate.history import history_path
    from bekostiging.simulate.paths import CATEGORIES as SIM_CATEGORIES

    path = history_path(case)

    def mid(moment: str, year: int, band: str = "mid") -> float:
        return sum(path.forecast_at(moment).yearly(band, year, k) for k in SIM_CATEGORIES)

    from bekostiging.simulate.engine import REPLAN_MONTHS

    spring, autumn = (f"{REPLAN_MONTHS[s]:02d}" for s in ("spring", "autumn"))
    # the autumn round of 2015 ends with the Najaarsnota: the MPP of 30 Nov 2015 is known
    assert mid(f"2015-{autumn}", 2016) == pytest.approx(58000)
    assert mid(f"2015-{autumn}", 2016, "low") == pytest.approx(45000)
    # the spring round of 2015 knows only what was out by 1 June 2015: no vintage for 2016
    assert "log-AR(1)" in path.forecast_at(f"2015-{spring}").label
    # a month outside the rounds (the path's start) knows what was out by its end
    assert "log-AR(1)" in path.forecast_at("2014-01").label
    # spring 2023 knows the MPP 2023-I (28 Apr) but not the autumn MPP 2023-II (10 Nov)
    assert mid(f"2023-{spring}", 2023) == pytest.approx(70000)
    assert mid(f"2023-{autumn}", 2023) == pytest.approx(60000)


def test_history_state_is_the_state_of_january_2014(case):
    from bekostiging.simulate import Context
    from bekostiging.simulate.history import history_state

    ctx = Context.of(case)
    state = history_state(ctx)
    start = start_state()
    assert state.month == "2014-01"
    assert state.backlog == start.initial_backlog and state.status_holders == start.initial_status_holders
    ind = ctx.base.staff["ind"]
    capacity = yearly_parameters().values["ind_capacity"][2014]
    assert state.staff_fte["ind"] * ind.output_per_fte_period * MONTHS == pytest.approx(capacity)


def test_validation_files_of_a_history_simulation(history):
    from io import BytesIO

    from bekostiging.history.validation import validation_files

    months = [f"{y}-{m:02d}" for y in (2014, 2015) for m in range(1, 13)]
    rows = []
    for policy, occupancy in (("status-quo", 40000.0), ("flexpool", 47636.0)):
        for month in months:
            rows += [
                (policy, "history", month, "occupancy", occupancy),
                (policy, "history", month, "ind_backlog", 1000.0),
                (policy, "history", month, "ind_decisions", 1500.0),
            ]
    tidy = pd.DataFrame(rows, columns=["policy", "path", "month", "metric", "value"])
    files = validation_files(tidy, history, "nl", first_year=2015)
    assert set(files) == {"mape.csv", "validation.png"}
    assert files["validation.png"].startswith(b"\x89PNG")
    scores = pd.read_csv(BytesIO(files["mape.csv"])).set_index(["policy", "metric"])
    assert scores.loc[("status-quo", "coa_bezetting"), "mape_percent"] == pytest.approx(
        abs(40000 - 47636) / 47636 * 100
    )
    assert scores.loc[("status-quo", "coa_bezetting"), "n"] == 1  # 2015 only: 2014 left out
    assert scores.loc[("flexpool", "coa_bezetting"), "mape_percent"] == pytest.approx(0.0)


def test_history_case_takes_the_mean_measured_wait_of_status_holders(case, params):
    from bekostiging.history.validation import history_case

    waits = params.values["housing_wait_months"]
    assert waits[2024] == pytest.approx(7.5) and len(waits) == 5
    adjusted = history_case(case, params)
    by_hand = (7.2 + 4.3 + 3.9 + 7.0 + 7.5) / 5
    assert adjusted.settings.residence.housing_min_months == pytest.approx(by_hand)
    assert case.settings.residence.housing_min_months != pytest.approx(by_hand)  # the case itself unchanged
    # the surges are in the realised history already (the 2020 taskforce's decisions, the police's
    # registration in 2015): off on the history path, on in the case
    assert adjusted.settings.ind_surge.max_fte == 0.0 and adjusted.settings.registration_surge.max_fte == 0.0
    assert case.settings.ind_surge.max_fte > 0 and case.settings.registration_surge.max_fte > 0


def _replay_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "metric": ["coa_bezetting", "coa_statushouders", "coa_statushouders", "ind_beslissingen"],
            "year": [2015, 2023, 2023, 2019],
            "simulated": [47607.2, 13294.6, 13636.0, 19384.2],
            "actual": [47636.0, 16750.0, 16000.0, 18310.0],
            "date": ["2015-12-31", "2023-01-06", "2023-04-28", "2019-12-31"],
            "source": ["S25", "H35", "H36", "H5"],
        }
    )


def test_replay_lines_name_the_measures_and_date_each_figure():
    """The replay table in words (it showed the codes coa_bezetting, ind_voorraad…) with the
    date of each real figure, so two figures of one year are told apart; MAPE as 12,8% (nl)."""
    from bekostiging.cli.history import replay_lines

    scores = {"coa_bezetting": 12.79, "coa_statushouders": 13.09, "ind_beslissingen": 9.2}
    dutch = "\n".join(replay_lines(_replay_frame(), scores, "nl"))
    for words in ("maatstaf", "peildatum", "Bezetting COA", "Statushouders in COA", "Beslissingen IND"):
        assert words in dutch, words
    assert "2023-01-06" in dutch and "2023-04-28" in dutch
    assert "47.607" in dutch and "12,8%" in dutch and "-0,1%" in dutch
    assert "coa_" not in dutch and "ind_" not in dutch
    english = "\n".join(replay_lines(_replay_frame(), scores, "en"))
    for words in ("metric", "date", "COA occupancy", "Status holders in COA", "IND decisions", "12.8%"):
        assert words in english, words
    assert "47,607" in english


@pytest.mark.parametrize(
    ("lang", "count", "mape_text"), [("nl", "70.000", "12,8%"), ("en", "70,000", "12.8%")]
)
def test_validation_chart_numbers_in_the_language(tmp_path: Path, monkeypatch, lang, count, mape_text):
    """The replay chart's axes and MAPE in the language's number format (it showed 70000 and
    'MAPE 12.8 %' in Dutch)."""
    import matplotlib.pyplot as plt

    from bekostiging.history.validation import validation_chart

    figures = []
    monkeypatch.setattr(plt, "close", figures.append)
    periods = [f"{y}-{m:02d}" for y in range(2014, 2024) for m in range(1, 13)]
    monthly = pd.DataFrame(
        {c: np.linspace(1000.0, 70000.0, len(periods)) for c in ("occupancy", "backlog", "status_holders")}
        | {"decisions": np.full(len(periods), 1500.0)},
        index=periods,
    )
    frame = _replay_frame()
    frame.loc[0, "simulated"] = frame.loc[0, "actual"] * 1.128  # MAPE of coa_bezetting: 12.8 %
    validation_chart(monthly, frame, tmp_path / "v.png", lang)
    (fig,) = figures
    first = fig.axes[0]
    assert first.yaxis.get_major_formatter()(70000.0, 0) == count
    assert first.get_title().endswith(f"MAPE {mape_text}")


@pytest.mark.parametrize(
    ("lang", "words", "count"), [("nl", {"asiel", "totaal"}, "70.000"), ("en", {"asylum", "total"}, "70,000")]
)
def test_history_chart_legend_and_axes_in_the_language(
    tmp_path: Path, monkeypatch, history, lang, words, count
):
    """The IND backlog's legend in words (it showed the codes asylum and total in Dutch), counts
    as 70.000 (nl) and the realised/mid ratio as 1,2 (nl)."""
    import matplotlib.pyplot as plt

    from bekostiging.cli.history import history_chart

    figures = []
    monkeypatch.setattr(plt, "close", figures.append)
    history_chart(history, tmp_path / "h.png", lang)
    (fig,) = figures
    backlog, ratio = fig.axes[2], fig.axes[3]
    assert words <= {t.get_text() for t in backlog.get_legend().get_texts()}
    assert backlog.yaxis.get_major_formatter()(70000.0, 0) == count
    assert ratio.yaxis.get_major_formatter()(1.2, 0) == ("1,2" if lang == "nl" else "1.2")
