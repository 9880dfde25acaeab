"""Result tables (``results.py``) read from small solved models, every number derived by hand.

The cases are those of ``test_model_families.py`` (the null case of ``model_cases``: one
year in quarters, T = 4 periods of 3 months, everything free unless switched on), so
the model values behind each table row are known; these tests check that the tables
report them with the right unit, period and factor.
"""

from __future__ import annotations

import pandas as pd
import pytest

from bekostiging.results import EXPECTED, result_tables
from bekostiging.solver import Status
from model_cases import YEAR, inflow, make_case, solve_chain

TOL = 1e-6
MONTHS_PER_QUARTER = 3


def _tables(case, inflows, probabilities=None, **kw) -> dict[str, pd.DataFrame]:
    m, outcome, data = solve_chain(case, inflows, probabilities, **kw)
    assert outcome.status == Status.OPTIMAL, outcome.describe()
    return result_tables(m, data, None)


def _kpi(tables: dict[str, pd.DataFrame], kpi: str, scenario: str = "s") -> float:
    k = tables["kpis"]
    rows = k[(k["kpi"] == kpi) & (k["scenario"] == scenario)]
    assert len(rows) == 1, (kpi, scenario, len(rows))
    return float(rows["value"].iloc[0])


def _flow(
    tables: dict[str, pd.DataFrame], quantity: str, category: str = "", scenario: str = "s"
) -> list[float]:
    f = tables["flows"]
    rows = f[(f["scenario"] == scenario) & (f["quantity"] == quantity) & (f["category"] == category)]
    return rows.sort_values("period")["value"].tolist()


def _cover_case(**coa):
    """Place-cover case: 100 regular places at fill 0.9, 80 status holders, 20 nareis at t = 1, 2."""
    return make_case(
        categories={"nareis": {"reception_share": 1.0}},
        coa={"max_fill_rate": 0.9, **coa},
        stocks={"status_holders": 80.0},
    )


COVER_INFLOW = [0, 20, 20, 0]


@pytest.mark.solver
def test_kpis_place_months_count_months_not_periods():
    """Emergency places [0, 10, 30, 30] (occupancy [80, 100, 120, 120] over 90 usable places):
    70 place-quarters = 210 place-months; no reserve places (the policy allows none): 0.
    The flows table holds the places per period, occupancy and the regular capacity 0.9 x 100."""
    case = _cover_case()
    tables = _tables(case, inflow(case, nareis=COVER_INFLOW))
    assert _flow(tables, "emergency_places") == pytest.approx([0, 10, 30, 30], abs=TOL)
    assert _flow(tables, "occupancy") == pytest.approx([80, 100, 120, 120], abs=TOL)
    assert _flow(tables, "regular_capacity") == pytest.approx([90] * 4, abs=TOL)
    assert _kpi(tables, "emergency_place_months") == pytest.approx(70 * MONTHS_PER_QUARTER, abs=TOL)
    assert _kpi(tables, "reserve_place_months") == pytest.approx(0.0, abs=TOL)
    assert _kpi(tables, "occupancy_start_persons") == pytest.approx(80.0, abs=TOL)
    assert _kpi(tables, "occupancy_end_persons") == pytest.approx(120.0, abs=TOL)
    assert _kpi(tables, "occupancy_peak_persons") == pytest.approx(120.0, abs=TOL)
    units = tables["kpis"].query("scenario == 's'").set_index("kpi")["unit"]
    assert units["emergency_place_months"] == "place-months"
    assert units["occupancy_end_persons"] == "persons"


@pytest.mark.solver
def test_kpis_backlog_start_end_and_mean():
    """The weighted-work case of test_add_ind_backlog_and_add_decision_capacity: backlog at the
    start 50 first + 40 repeat = 90; per quarter first [50, 30, 10, 0], repeat 0: end (the last
    quarter, not the first) 0, mean (50 + 30 + 10 + 0) / 4 = 22.5."""
    case = make_case(
        categories={"first": {"reception_share": 1.0}, "repeat": {"reception_share": 1.0}},
        coa={"cost_per_resident_year_eur": 4000.0},
        locations=[{"places": 1000.0}],
        stocks={"ind_backlog": {"first": 50.0, "repeat": 40.0}},
        penalties={"registration_queue_person_day_eur": 1.0},
        housing=1000.0,
    )
    tables = _tables(case, inflow(case, first=60, repeat=40))
    assert _flow(tables, "ind_backlog", "first") == pytest.approx([50, 30, 10, 0], abs=TOL)
    assert _kpi(tables, "backlog_start_persons") == pytest.approx(90.0, abs=TOL)
    assert _kpi(tables, "backlog_end_persons") == pytest.approx(0.0, abs=TOL)
    assert _kpi(tables, "backlog_mean_persons") == pytest.approx(22.5, abs=TOL)
    assert _kpi(tables, "backlog_end_persons", EXPECTED) == pytest.approx(0.0, abs=TOL)
    assert tables["plan"].query("lever == 'regular_places'")["value"].tolist() == pytest.approx([1000.0] * 4)
    assert set(tables["costs"]["year"]) == {YEAR}
