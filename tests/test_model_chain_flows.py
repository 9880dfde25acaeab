"""Flows of issue 16 (b, c): withdrawals, appeals, Dublin claimants, the returnable share, the
housing catch-up and flex-pool contracts, one hand-solvable case each.

Built on the null case of ``model_cases`` (one year in quarters, T = 4; IND 100 decisions a
quarter, DT&V 1,000 returns a quarter, everything free unless switched on). Monthly shares
become quarterly ones by compounding: ``1 - (1 - h)^3``.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bekostiging.model import ScenarioInflow, chain_data, chain_problem
from bekostiging.model.data import MONEY_SCALE
from bekostiging.model.reception import initial_emergency, lagged
from bekostiging.results import result_tables
from bekostiging.solver import HighsSolver, Status
from bekostiging.twostage import extensive_form
from model_cases import EXACT, YEAR, inflow, make_case, path, solve_chain, v

TOL = 1e-6
RESIDENT = {"cost_per_resident_year_eur": 4000.0}  # EUR 1,000 a person-quarter: stays cost money
ROOM = [{"places": 1000.0}]


def _quarterly(monthly: float) -> float:
    return 1 - (1 - monthly) ** 3


def _solved(case, inflows, **kw):
    m, outcome, data = solve_chain(case, inflows, **kw)
    assert outcome.status == Status.OPTIMAL, outcome.describe()
    return m, data


def _decided(case, per_quarter: float = 40.0, **kw):
    """40 first decisions a quarter (fixed) from the initial backlog."""

    def fix(m):
        for t in range(4):
            m.scen["s"].Decisions["first", t].fix(per_quarter)

    return _solved(case, inflow(case), fix=fix, **kw)


@pytest.mark.unit
def test_monthly_shares_compound_to_the_period():
    """ChainData turns a monthly hazard into a quarterly one: 10 % a month -> 27.1 % a quarter."""
    case = make_case(
        ind={"withdrawal_share_per_month": 0.1},
        dublin={"share": 0.5, "transfer_share_per_month": 0.5, "unknown_departure_share_per_month": 0.2},
        dtv={"max_return_share_per_month": 0.05},
    )
    d = chain_data(case)
    assert d.withdrawal_share == pytest.approx(0.271)
    assert d.dublin_transfer_share == pytest.approx(0.875)
    assert d.dublin_unknown_share == pytest.approx(0.488)
    assert d.max_return_share == pytest.approx(1 - 0.95**3)


@pytest.mark.solver
def test_add_ind_backlog_with_withdrawals():
    """Ind_Backlog: B_t = (1 - omega) B_{t-1} + R_t - D_t: withdrawals leave without a decision.

    100 first applicants in the backlog, no IND staff, 10 % a month withdraw (27.1 % a
    quarter): B = 100 x 0.729^(t+1) = [72.9, 53.1441, 38.7420489, 28.24295...], and the
    withdrawals are 27.1 % of the previous backlog.
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        ind={"initial_fte": 0.0, "withdrawal_share_per_month": 0.1},
        locations=ROOM,
        stocks={"ind_backlog": {"first": 100.0}},
    )
    m, _ = _solved(case, inflow(case))
    s = m.scen["s"]
    expected = [100 * 0.729 ** (t + 1) for t in range(4)]
    assert path(s.Backlog, "first") == pytest.approx(expected, abs=TOL)
    assert [v(s.Withdrawals["first", t]) for t in range(4)] == pytest.approx(
        [0.271 * b for b in [100, *expected[:3]]], abs=TOL
    )
    assert path(s.Occupancy) == pytest.approx(expected, abs=TOL)


@pytest.mark.unit
def test_lagged_outflow_of_a_pipeline():
    """lagged: Out_t = (1 - phi) f_{t-W} + phi f_{t-W-1}, W = floor(L), phi = L - W, f = 0 before
    the horizon. Flows f = [1, 10, 100, 1000] (one digit per period, so each term shows):

    * L = 1.5 (W = 1, phi = 0.5): Out_3 = 0.5 x 100 + 0.5 x 10 = 55, Out_1 = 0.5 x 1 = 0.5,
      Out_0 = 0 (both periods before the horizon);
    * L = 1: Out_3 = f_2 = 100, Out_0 = 0; L = 0 (ruled at once): Out_t = f_t, the last period
      included (no later flow is read);
    * a fractional part within round-off (L = 1e-12) is none: Out_1 = f_1 x (1 - 1e-12), without
      1e-12 x f_0 (f_0 = 1e12 here, which would add 1).
    """
    f = [1.0, 10.0, 100.0, 1000.0]
    flow = f.__getitem__
    assert [lagged(flow, t, 1.5) for t in range(4)] == pytest.approx([0.0, 0.5, 5.5, 55.0])
    assert [lagged(flow, t, 1.0) for t in range(4)] == pytest.approx([0.0, 1.0, 10.0, 100.0])
    assert [lagged(flow, t, 0.0) for t in range(4)] == pytest.approx(f)
    early = [1e12, 10.0]
    assert lagged(early.__getitem__, 1, 1e-12) == pytest.approx(10.0, abs=1e-9)


@pytest.mark.solver
@pytest.mark.parametrize(
    ("months", "appeals", "rulings"),
    [(3.0, [10, 10, 10, 10], [0, 10, 10, 10]), (4.5, [10, 15, 15, 15], [0, 5, 10, 10])],
)
def test_add_appeals(months, appeals, rulings):
    """Appeals: A_t = Pi_t(In^A, L_A); the rulings split into permits (gamma) and rejections.

    40 decisions a quarter (fixed), permit share 0.5, reception 1: 20 negative a quarter;
    half appeal (In^A = 10), half of the appeals are granted. L_A = 3 months = 1 quarter:
    A = 10, rulings [0, 10, 10, 10]; L_A = 4.5 months: A_t = 10 + 0.5 x 10 from t = 1,
    rulings 0.5 In_{t-1} + 0.5 In_{t-2} = [0, 5, 10, 10]. Status holders get 20 + rulings/2
    (no housing), the rejected 10 + rulings/2 (returned at once: DT&V ample, stays cost).
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        appeals={"share": 0.5, "months": months, "granted_share": 0.5},
        coa=RESIDENT,
        locations=ROOM,
        stocks={"ind_backlog": {"first": 160.0}},
    )
    m, _ = _decided(case)
    s = m.scen["s"]
    assert path(s.Appeals) == pytest.approx(appeals, abs=TOL)
    assert path(s.AppealOutflow) == pytest.approx(rulings, abs=TOL)
    assert path(s.StatusHolderInflow) == pytest.approx([20 + r / 2 for r in rulings], abs=TOL)
    assert path(s.RejectedInflow) == pytest.approx([10 + r / 2 for r in rulings], abs=TOL)
    holders = [sum(20 + r / 2 for r in rulings[: t + 1]) for t in range(4)]
    backlog = [120, 80, 40, 0]
    expected = [b + h + a for b, h, a in zip(backlog, holders, appeals, strict=True)]
    assert path(s.Occupancy) == pytest.approx(expected, abs=TOL)


@pytest.mark.unit
def test_add_appeals_and_add_dublin_switched_off_by_a_zero_share():
    """A zero appeal share switches the family off, a court time and a granted share set or not:
    no appeal stock (and no appeal rows in the flows table), no granted appeals among the status
    holders; a zero Dublin share likewise leaves out the Dublin claimants."""
    case = make_case(
        appeals={"share": 0.0, "months": 3.0, "granted_share": 0.5},
        dublin={"share": 0.0, "transfer_share_per_month": 0.5},
    )
    m = extensive_form(chain_problem(chain_data(case), [ScenarioInflow("s", inflow(case))], [1.0]))
    s = m.scen["s"]
    assert not hasattr(s, "AppealInflow") and not hasattr(s, "Appeals") and not hasattr(s, "AppealOutflow")
    assert not hasattr(s, "DublinClaimants") and not hasattr(s, "Transfers")


def _surge_case(**surge):
    """tests/test_model_registration_surge.py's case: registration without staff, officers at 0.5
    of a registration FTE (400 a year = 100 a quarter): 50 registrations an officer-quarter, five
    officers at most, EUR 100 an officer-quarter, lead 3 months, at least 6 months."""
    return make_case(
        registration={"initial_fte": 0.0},
        registration_surge={
            "max_fte": 5.0,
            "productivity_share": 0.5,
            "cost_per_fte_year_eur": 400.0,
            "lead_months": 3,
            "min_months": 6,
            **surge,
        },
        penalties={"registration_queue_person_day_eur": 1.0},
    )


@pytest.mark.solver
@pytest.mark.parametrize(
    ("surge", "arrivals", "officers", "registered", "year_rows"),
    [
        ({"max_months_per_year": 12.0}, 250, [0, 5, 5, 0], [0, 250, 0, 0], 0),
        ({"max_months_per_year": 3.0}, 250, [0, 2.5, 2.5, 0], [0, 125, 125, 0], 1),
        ({"lead_months": 0, "min_months": 3}, 600, [5, 5, 2, 0], [250, 250, 100, 0], 0),
    ],
)
def test_add_registration_surge_in_the_flows(surge, arrivals, officers, registered, year_rows):
    """The registration surge (derivations in tests/test_model_registration_surge.py), read here
    through the flows and costs the reports use. 250 first applicants at t = 0, a queue
    person-day EUR 1: five officers from t = 1 (the lead) for two quarters (the minimum) register
    all 250 at t = 1; with 3 months a year at the full number (5 officer-quarters), 2.5 officers
    register 125 at t = 1 and 2. 600 at t = 0 with no lead and a one-quarter minimum: at most 5
    officers, 250 a quarter: [250, 250, 100, 0]. The registration line pays EUR 100 an
    officer-quarter; the flows table holds the officers per period (FTE)."""
    case = _surge_case(**surge)
    m, _ = _solved(case, inflow(case, first=[arrivals, 0, 0, 0]))
    s = m.scen["s"]
    assert [v(s.RegistrationSurge[t]) for t in range(4)] == pytest.approx(officers, abs=TOL)
    assert path(s.RegisteredVar, "first") == pytest.approx(registered, abs=TOL)
    lead = 0 if surge.get("lead_months") == 0 else 1
    assert [s.SurgeStart[t].ub for t in range(lead)] == [0.0] * lead
    assert (len(s.Surge_Months) if hasattr(s, "Surge_Months") else 0) == year_rows
    assert len(s.Surge_Limit) == 4
    cost = v(s.OperatingCost["registration", YEAR]) * MONEY_SCALE
    assert cost == pytest.approx(100.0 * sum(officers), abs=1e-3)
    flows = result_tables(m, chain_data(case), None)["flows"]
    rows = flows[flows["quantity"] == "registration_surge"]
    assert rows["value"].tolist() == pytest.approx(officers, abs=TOL)
    assert set(rows["unit"]) == {"FTE"}
    # the family exists from one officer on (surge_max_fte 1) and not without officers (0)
    for fte, built in ((1.0, True), (0.0, False)):
        one = _surge_case(**surge, max_fte=fte)
        block = extensive_form(
            chain_problem(chain_data(one), [ScenarioInflow("s", inflow(one))], [1.0])
        ).scen["s"]
        assert hasattr(block, "RegistrationSurge") == built, fte


def _ind_surge_case(backlog: float = 250.0, **surge):
    """tests/test_model_ind_surge.py's case: an IND without staff, surge FTE at 0.5 of a decision
    FTE (400 a year = 100 a quarter): 50 decisions an FTE-quarter, five FTE at most, EUR 100 an
    FTE-quarter, lead 3 months, at least 6 months; the backlog waits from the start and a late
    case-month costs EUR 10."""
    return make_case(
        ind={"initial_fte": 0.0, "output_per_fte_year": 400.0},
        ind_surge={
            "max_fte": 5.0,
            "productivity_share": 0.5,
            "cost_per_fte_year_eur": 400.0,
            "lead_months": 3,
            "min_months": 6,
            **surge,
        },
        stocks={"ind_backlog": {"first": backlog}},
        penalties={"late_case_month_eur": 10.0},
    )


@pytest.mark.solver
@pytest.mark.parametrize(
    ("surge", "backlog", "staff", "decided", "year_rows"),
    [
        ({"max_months_per_year": 12.0}, 250, [0, 5, 5, 0], [0, 250, 0, 0], 0),
        ({"max_months_per_year": 3.0}, 250, [0, 2.5, 2.5, 0], [0, 125, 125, 0], 1),
        ({"lead_months": 0, "min_months": 3}, 600, [5, 5, 2, 0], [250, 250, 100, 0], 0),
    ],
)
def test_add_ind_surge_in_the_flows(surge, backlog, staff, decided, year_rows):
    """The IND surge (derivations in tests/test_model_ind_surge.py), read here through the flows
    and costs the reports use. 250 cases wait at the start: five surge FTE from t = 1 (the lead)
    for two quarters (the minimum) decide all 250 at t = 1; with 3 months a year at the full
    number (5 FTE-quarters), 2.5 FTE decide 125 at t = 1 and 2. 600 waiting, no lead and a
    one-quarter minimum: at most 5 FTE, 250 a quarter: [250, 250, 100, 0]. The IND line pays
    EUR 100 an FTE-quarter; the flows table holds the surge FTE per period (FTE)."""
    case = _ind_surge_case(backlog, **surge)
    m, _ = _solved(case, inflow(case))
    s = m.scen["s"]
    assert [v(s.IndSurge[t]) for t in range(4)] == pytest.approx(staff, abs=TOL)
    assert path(s.Decisions, "first") == pytest.approx(decided, abs=TOL)
    lead = 0 if surge.get("lead_months") == 0 else 1
    assert [s.IndSurgeStart[t].ub for t in range(lead)] == [0.0] * lead
    assert (len(s.Ind_Surge_Months) if hasattr(s, "Ind_Surge_Months") else 0) == year_rows
    assert len(s.Ind_Surge_Limit) == 4
    cost = v(s.OperatingCost["ind", YEAR]) * MONEY_SCALE
    assert cost == pytest.approx(100.0 * sum(staff), abs=1e-3)
    flows = result_tables(m, chain_data(case), None)["flows"]
    rows = flows[flows["quantity"] == "ind_surge"]
    assert rows["value"].tolist() == pytest.approx(staff, abs=TOL)
    assert set(rows["unit"]) == {"FTE"}
    assert not (flows["quantity"] == "registration_surge").any()  # the police surge stays off
    # the family exists from one surge FTE on (ind_surge_max_fte 1) and not without (0)
    for fte, built in ((1.0, True), (0.0, False)):
        one = _ind_surge_case(backlog, **surge, max_fte=fte)
        block = extensive_form(
            chain_problem(chain_data(one), [ScenarioInflow("s", inflow(one))], [1.0])
        ).scen["s"]
        assert hasattr(block, "IndSurge") == built, fte


@pytest.mark.solver
def test_add_dublin_transfers_by_dtv():
    """Dublin_Balance and Transfer_Limit: U_t = U_{t-1} + delta N_t - Tr_t, Tr_t <= tau_D U_{t-1}.

    40 decisions a quarter, all negative, reception 1, half Dublin (20 a quarter); 50 % a month
    transferable (87.5 % a quarter), nobody leaves on their own; a resident costs money and DT&V
    has room, so every claimant who can be transferred is: Tr = [0, 17.5, 19.6875, 19.9609375],
    U = [20, 22.5, 22.8125, 22.8515625]."""
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        dublin={"share": 0.5, "transfer_share_per_month": 0.5},
        coa=RESIDENT,
        locations=ROOM,
        stocks={"ind_backlog": {"first": 160.0}},
        permit_share=0.0,
    )
    m, _ = _decided(case)
    s = m.scen["s"]
    assert path(s.Transfers) == pytest.approx([0.0, 17.5, 19.6875, 19.9609375], abs=TOL)
    assert path(s.DublinClaimants) == pytest.approx([20.0, 22.5, 22.8125, 22.8515625], abs=TOL)


@pytest.mark.solver
def test_add_appeals_leaves_the_dublin_cases_out():
    """AppealInflow = a (1 - delta) N_t: 40 decisions a quarter, all negative, reception 1; half
    are Dublin cases, half of the others appeal: 0.5 x 0.5 x 40 = 10 a quarter; the court takes
    a quarter, so A_t = 10."""
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        appeals={"share": 0.5, "months": 3.0, "granted_share": 0.5},
        dublin={"share": 0.5, "transfer_share_per_month": 0.5},
        coa=RESIDENT,
        locations=ROOM,
        stocks={"ind_backlog": {"first": 160.0}},
        permit_share=0.0,
    )
    m, _ = _decided(case)
    s = m.scen["s"]
    assert path(s.AppealInflow) == pytest.approx([10.0] * 4, abs=TOL)
    assert path(s.Appeals) == pytest.approx([10.0] * 4, abs=TOL)


@pytest.mark.solver
def test_add_dublin_departures_to_unknown_destinations():
    """Dublin_Balance: U_t = (1 - u_D) U_{t-1} + delta N_t - Tr_t, no transfers possible.

    40 decisions a quarter, all negative (permit share 0), reception 1: N = 40; half are
    Dublin (20 a quarter); no transfers; 50 % a month leave to an unknown destination
    (87.5 % a quarter): U = [20, 22.5, 22.8125, 22.8515625], MOB = 0.875 U_{t-1}.
    The other 20 a quarter join the rejected.
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        dublin={"share": 0.5, "transfer_share_per_month": 0.0, "unknown_departure_share_per_month": 0.5},
        coa=RESIDENT,
        locations=ROOM,
        stocks={"ind_backlog": {"first": 160.0}},
        permit_share=0.0,
    )
    m, _ = _decided(case)
    s = m.scen["s"]
    claimants = [20.0, 22.5, 22.8125, 22.8515625]
    assert path(s.DublinClaimants) == pytest.approx(claimants, abs=TOL)
    assert path(s.DublinUnknown) == pytest.approx([0.0] + [0.875 * u for u in claimants[:3]], abs=TOL)
    assert path(s.Transfers) == pytest.approx([0] * 4, abs=TOL)
    assert path(s.RejectedInflow) == pytest.approx([20] * 4, abs=TOL)
    # Occupancy: the Dublin claimants are in reception too, next to the backlog (160 - 40 (t + 1))
    backlog = [120.0, 80.0, 40.0, 0.0]
    assert path(s.Backlog, "first") == pytest.approx(backlog, abs=TOL)
    rejected = path(s.Rejected)
    expected = [b + u + r for b, u, r in zip(backlog, claimants, rejected, strict=True)]
    assert path(s.Occupancy) == pytest.approx(expected, abs=TOL)


@pytest.mark.solver
def test_add_dublin_transfers_share_dtv_capacity_with_returns():
    """Transfer_Limit and Return_Capacity: Tr_t <= tau_D U_{t-1}; Ret_t + Tr_t <= Cap_dtv.

    As above (20 Dublin and 20 rejected a quarter) with DT&V 1 FTE x 40 a year = 10 a
    quarter, transfers up to 87.5 % of the claimants a quarter, 100 rejected at the start.
    Stays cost money, so DT&V works at capacity: returns + transfers = 10 every quarter,
    and no transfer at t = 0 (no claimant yet).
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        dublin={"share": 0.5, "transfer_share_per_month": 0.5},
        dtv={"initial_fte": 1.0},
        coa=RESIDENT,
        locations=ROOM,
        stocks={"ind_backlog": {"first": 160.0}, "rejected": 100.0},
        permit_share=0.0,
    )
    m, _ = _decided(case)
    s = m.scen["s"]
    both = [a + b for a, b in zip(path(s.Returns), path(s.Transfers), strict=True)]
    assert both == pytest.approx([10] * 4, abs=TOL)
    assert v(s.Transfers[0]) == pytest.approx(0.0, abs=TOL)


@pytest.mark.solver
def test_add_rejected_with_a_returnable_share():
    """Return_Share: Ret_t <= rho_J J_{t-1}, however large DT&V is.

    100 rejected at the start, DT&V 1,000 a quarter, at most 5 % a month returnable
    (14.2625 % a quarter), stays cost money: J = 100 x 0.857375^(t+1).
    """
    case = make_case(dtv={"max_return_share_per_month": 0.05}, coa=RESIDENT, stocks={"rejected": 100.0})
    m, _ = _solved(case, inflow(case))
    s = m.scen["s"]
    assert path(s.Rejected) == pytest.approx([100 * 0.857375 ** (t + 1) for t in range(4)], abs=TOL)
    assert len(s.Return_Share) == 4


@pytest.mark.solver
def test_add_status_holders_housing_catches_up_on_arrears():
    """Housing_Limit: Housed_t - Acc_t <= h_t + eta (H_{t-1} - Pi_{t-1}(In^H, L_H)).

    100 status holders at the start, no inflow, base housing 10 a quarter, no minimum stay
    (L_H = 0: all 100 are arrears), stays cost money. Catch-up 10 % a month = 27.1 % a
    quarter: housed_t = 10 + 0.271 H_{t-1}, so H_t = 0.729 H_{t-1} - 10 =
    [62.9, 35.8541, 16.1376..., 1.7643...]. Without the catch-up H falls by 10 a quarter.
    """
    m, _ = _solved(_catch_up_case(0.1), inflow(_catch_up_case(0.1)))
    holders, h = [], 100.0
    for _ in range(4):
        h = 0.729 * h - 10
        holders.append(h)
    assert path(m.scen["s"].StatusHolders) == pytest.approx(holders, abs=TOL)
    m0, _ = _solved(_catch_up_case(0.0), inflow(_catch_up_case(0.0)))
    assert path(m0.scen["s"].StatusHolders) == pytest.approx([90, 80, 70, 60], abs=TOL)


def _catch_up_case(share: float, holders: float = 100.0, housing: float | list[float] = 10.0, **settings):
    """``holders`` status holders, base housing 10 a quarter (unless given), catch-up ``share`` a month."""
    base = make_case(
        categories={"nareis": {"reception_share": 1.0}},
        coa=RESIDENT,
        stocks={"status_holders": holders},
        housing=housing,
        **settings,
    )
    data = base.model_dump()
    data["settings"]["housing"] = {"catch_up_share_per_month": share}
    return type(base).model_validate(data)


@pytest.mark.solver
@pytest.mark.parametrize(
    ("holders", "expected"),
    [
        (100.0, [68.32, 42.51528, 20.993639, 5.304363]),
        (15.0, [5.0, 0.0, 0.0, 0.0]),
    ],
)
def test_add_status_holders_arrears_beyond_the_minimum_stay(holders, expected):
    """Housing_Limit with a minimum stay: only status holders past L_H are arrears.

    L_H = 6 months = 2 quarters, base housing 10 a quarter (also before the horizon), no
    inflow, catch-up 27.1 % a quarter. Of 100 at the start, 2 x 10 = 20 are still within the
    minimum stay (the pipeline of the pre-horizon inflow), so the arrears at the start are 80:
    housed_0 = 10 + 0.271 x 80 = 31.68, H_0 = 68.32; the pipeline then holds the last
    pre-horizon quarter's 10: arrears 58.32, housed_1 = 25.80472, H_1 = 42.51528; from t = 1 on
    all are arrears: H_2 = 42.51528 - 10 - 0.271 x 42.51528, H_3 likewise. Of 15 at the start
    none are arrears (max(0, 15 - 20) = 0): housed_0 = 10, H_0 = 5; the last 5 are housed at t = 1
    (arrears 5 - 10 < 0 lower the limit to 8.645, still above 5)."""
    case = _catch_up_case(0.1, holders, residence={"housing_min_months": 6.0})
    m, _ = _solved(case, inflow(case))
    assert path(m.scen["s"].StatusHolders) == pytest.approx(expected, abs=1e-5)


@pytest.mark.solver
def test_add_status_holders_housing_before_the_horizon_is_the_first_periods():
    """The pre-horizon housing flow (the pipeline before t = 0 and the arrears at the start) is the
    base outflow of the first period, not a later one. Base housing [10, 20, 20, 20], L_H = 2
    quarters, 100 status holders, catch-up 27.1 % a quarter: arrears at the start 100 - 2 x 10
    = 80, housed_0 = 10 + 0.271 x 80 = 31.68, H_0 = 68.32; arrears 68.32 - 10 = 58.32, housed_1 =
    20 + 15.80472, H_1 = 32.51528; all arrears from then on: housed_2 = 20 + 0.271 x 32.51528,
    H_2 = 3.70363912; the last ones are housed at t = 3."""
    case = _catch_up_case(0.1, 100.0, [10.0, 20.0, 20.0, 20.0], residence={"housing_min_months": 6.0})
    m, _ = _solved(case, inflow(case))
    expected = [68.32, 32.51528, 32.51528 - 20 - 0.271 * 32.51528, 0.0]
    assert path(m.scen["s"].StatusHolders) == pytest.approx(expected, abs=1e-5)


@pytest.mark.solver
@pytest.mark.parametrize(("months", "fte_quarters", "contract_rows"), [(3, 10.0, 0), (6, 15.0, 12)])
def test_add_pool_activation_contracts(months, fte_quarters, contract_rows):
    """Pool_Contract: PoolActive_{j,t} = sum of the starts of the last M periods.

    One team of 5 FTE (productivity 1), IND without staff: the team decides 50 a quarter.
    50 first applicants arrive at t = 1 and 50 at t = 3, all rejected and returned at once
    (DT&V ample), a resident costs EUR 1,000 a quarter and a deployed FTE EUR 100 a quarter,
    so each group is decided on arrival. Month by month (M = 3 months = 1 quarter) the team
    works at t = 1 and t = 3: 10 FTE-quarters. With a 6-month contract (2 quarters) the
    deployment covering t = 1 also runs at t = 0 or t = 2, the one at t = 3 ends with the
    horizon: 15 FTE-quarters.
    """
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        ind={"initial_fte": 0.0},
        flexpool={
            "team_fte": 5.0,
            "max_teams": 1,
            "productivity_share": 1.0,
            "activation_cost_per_fte_year_eur": 400.0,
            "min_activation_months": months,
        },
        policy={"allow_flexpool": True},
        coa=RESIDENT,
        locations=ROOM,
        permit_share=0.0,
    )
    m, _ = _solved(case, inflow(case, first=[0, 50, 0, 50]))
    s = m.scen["s"]
    active = [v(s.PoolActive["ind", t]) for t in range(4)]
    assert active[1] == pytest.approx(5.0, abs=TOL)
    assert active[3] == pytest.approx(5.0, abs=TOL)
    assert sum(active) == pytest.approx(fte_quarters, abs=TOL)
    assert (len(s.Pool_Contract) if hasattr(s, "Pool_Contract") else 0) == contract_rows


@pytest.mark.solver
def test_add_pool_activation_contract_starting_in_the_first_period():
    """Pool_Contract from t = 0: the team of test_add_pool_activation_contracts (5 FTE, 50
    decisions a quarter, IND without staff) on a 6-month contract; 50 first applicants arrive
    at t = 0 and are decided at once: a deployment starting at t = 0 runs at t = 0 and 1,
    PoolActive = [5, 5, 0, 0]."""
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        ind={"initial_fte": 0.0},
        flexpool={
            "team_fte": 5.0,
            "max_teams": 1,
            "productivity_share": 1.0,
            "activation_cost_per_fte_year_eur": 400.0,
            "min_activation_months": 6,
        },
        policy={"allow_flexpool": True},
        coa=RESIDENT,
        locations=ROOM,
        permit_share=0.0,
    )
    m, _ = _solved(case, inflow(case, first=[50, 0, 0, 0]))
    s = m.scen["s"]
    assert [v(s.PoolActive["ind", t]) for t in range(4)] == pytest.approx([5, 5, 0, 0], abs=TOL)
    assert path(s.Decisions, "first") == pytest.approx([50, 0, 0, 0], abs=TOL)


@pytest.mark.solver
def test_add_pool_activation_waits_for_the_lead_time():
    """Pool_Activation with a lead time: PoolStart_{j,t} = 0 for t < l_pool, even for a
    one-period contract.

    The team of test_add_pool_activation_contracts (5 FTE, 50 decisions a quarter, IND without
    staff); 50 first applicants arrive at t = 0; deploying takes 3 months = 1 quarter, so the
    team can first work at t = 1: they wait a quarter and are decided then (5 FTE-quarters)."""
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        ind={"initial_fte": 0.0},
        flexpool={
            "team_fte": 5.0,
            "max_teams": 1,
            "productivity_share": 1.0,
            "activation_cost_per_fte_year_eur": 400.0,
            "min_activation_months": 3,
            "activation_lead_months": 3,
        },
        policy={"allow_flexpool": True},
        coa=RESIDENT,
        locations=ROOM,
        permit_share=0.0,
    )
    m, _ = _solved(case, inflow(case, first=[50, 0, 0, 0]))
    s = m.scen["s"]
    assert [v(s.PoolActive["ind", t]) for t in range(4)] == pytest.approx([0, 5, 0, 0], abs=TOL)
    assert path(s.Decisions, "first") == pytest.approx([0, 50, 0, 0], abs=TOL)


@pytest.mark.unit
def test_initial_emergency_runs_out_or_follows_the_carried_contracts():
    """E^0_t = E^0 max(0, 1 - t / M_em): 40 places at the start, a minimum contract of 6 months
    = 2 quarters: [40, 20, 0, 0]. A simulation's state carries the places of the running
    contracts instead (30, 10): those, then 0."""
    case = make_case(coa={"initial_emergency_places": 40.0, "emergency_min_contract_months": 6})
    d = chain_data(case)
    assert [initial_emergency(d, t) for t in range(4)] == pytest.approx([40.0, 20.0, 0.0, 0.0])
    state = replace(d, emergency_carry=(30.0, 10.0))
    assert [initial_emergency(state, t) for t in range(4)] == pytest.approx([30.0, 10.0, 0.0, 0.0])


@pytest.mark.solver
def test_add_decision_capacity_counts_pool_staff_at_their_productivity():
    """Decision_Capacity: deployed pool FTE decide pi x o_ind each. The team of 5 FTE at half the
    IND's output (productivity 0.5 x 10 decisions an FTE-quarter) decides 25 a quarter: the 50
    who arrive at t = 0 are decided [25, 25, 0, 0] (waiting costs more than the team)."""
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        ind={"initial_fte": 0.0},
        flexpool={
            "team_fte": 5.0,
            "max_teams": 1,
            "productivity_share": 0.5,
            "activation_cost_per_fte_year_eur": 400.0,
            "min_activation_months": 3,
        },
        policy={"allow_flexpool": True},
        coa=RESIDENT,
        locations=ROOM,
        permit_share=0.0,
    )
    m, _ = _solved(case, inflow(case, first=[50, 0, 0, 0]))
    assert path(m.scen["s"].Decisions, "first") == pytest.approx([25, 25, 0, 0], abs=TOL)


@pytest.mark.solver
@pytest.mark.parametrize(
    ("factor", "decided"),
    [
        ((1.0, 0.5, 0.5, 1.0), [50, 25, 25, 50]),
        ((0.5, 1.0, 1.0, 1.0), [25, 50, 50, 50]),
        ((2.0, 1.0, 1.0, 1.0), [100, 50, 50, 0]),
    ],
)
def test_add_decision_capacity_at_the_realised_ind_output(factor, decided):
    """Decision_Capacity on a history path: phi_t x (Cap_ind,t + pool). IND 5 FTE at 10 decisions an
    FTE-quarter = 50 a quarter at the norm; the environment's factor [1, 0.5, 0.5, 1] leaves
    [50, 25, 25, 50], a factor 0.5 in the first period [25, 50, 50, 50], twice the norm there
    [100, 50, 50, 0] (a backlog of 200 at the start, no inflow, waiting costs money)."""
    case = make_case(
        categories={"first": {"reception_share": 1.0}},
        ind={"initial_fte": 5.0},
        coa=RESIDENT,
        locations=ROOM,
        stocks={"ind_backlog": {"first": 200.0}},
        permit_share=0.0,
    )
    data = replace(chain_data(case), ind_output_factor=factor)
    m = extensive_form(chain_problem(data, [ScenarioInflow("s", inflow(case))], [1.0]))
    assert HighsSolver(EXACT).solve(m).status == Status.OPTIMAL
    assert path(m.scen["s"].Decisions, "first") == pytest.approx(decided, abs=TOL)
