"""The chain model replayed on history 2014–2025 and scored against what really happened.

:func:`replay` runs the model's own constraint families (one scenario, the realised
monthly inflow) from the state of 1 January 2014 with the chain's yearly parameters
as time series from ``data/history/replay_parameters.csv``: the IND's decision
capacity per year (the staffing that was there: fixed ``Staff`` of the IND, no
hiring), the permit share per year and the housing outflow per year; no flexible
pool, no reserve places, no new locations (emergency places take whoever does not
fit, as in the real years). The stocks at each month are read back from the model.

:func:`validation_frame` puts the simulated year-end COA occupancy, IND asylum
backlog and yearly IND decisions next to the real ones (``coa.csv``, ``ind.csv``),
:func:`mape` scores them, :func:`validation_chart` draws them (real in black).
A figure dated within :data:`NEAR_YEAR_END_DAYS` of 31 December stands for that
year-end where the year-end itself is missing; it is compared with the simulated
stock at the end of its own month.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from bekostiging.history.replay import (
    CATEGORIES,
    MONTHS,
    StartState,
    YearlyParameters,
    case_seasonality,
    monthly_inflow,
    start_state,
    yearly_parameters,
)
from bekostiging.history.schema import History
from bekostiging.schema import Case, Category, Policy, StockName

IND = "ind"
REGISTRATION = "registration"
NEAR_YEAR_END_DAYS = 40  # a dated figure this close to 31 Dec stands for the missing year-end
REPLAY_SCENARIO = "historie"
# registration was not the bottleneck of the replayed years: the September 2015 queue
# (4,200 pushed to October, H9) cleared within weeks. Registration capacity in the replay
# is set to this many persons a month, above the 2015 peak month (9,990 first, S4).
REGISTRATION_CAPACITY_MONTH = 12_000.0
METRICS: dict[str, tuple[str, str]] = {
    "coa_bezetting": ("COA-bezetting (personen, eind jaar)", "COA occupancy (persons, year-end)"),
    "ind_voorraad": ("IND-voorraad asiel (zaken, eind jaar)", "IND asylum backlog (cases, year-end)"),
    "ind_beslissingen": ("IND-beslissingen asiel (per jaar)", "IND asylum decisions (per year)"),
    "coa_statushouders": (
        "Statushouders in de COA-opvang (personen)",
        "Status holders in COA reception (persons)",
    ),
}
# the column of the monthly frame each dated metric is read from
STOCK_COLUMNS = {
    "coa_bezetting": "occupancy",
    "ind_voorraad": "backlog",
    "coa_statushouders": "status_holders",
}
LABELS: dict[str, tuple[str, str]] = {
    "simulated": ("gesimuleerd", "simulated"),
    "actual": ("werkelijk", "actual"),
    "title": (
        "Terugblik 2014–2025: model met echte instroom tegen de werkelijkheid",
        "Back-test 2014–2025: the model on real inflow against what happened",
    ),
    "year": ("jaar", "year"),
    "mape": ("MAPE", "MAPE"),
}
CHART_DPI = 120
CHART_SIZE_IN = (17.0, 4.2)
PERCENT = 100.0


def word(key: str, lang: str) -> str:
    """A label in ``lang`` (nl or en)."""
    nl, en = (METRICS | LABELS)[key]
    return nl if lang == "nl" else en


@dataclass(frozen=True)
class Replay:
    """Monthly stocks and flows of a replay (index ``YYYY-MM``) and the inputs used."""

    monthly: pd.DataFrame
    inflow: pd.DataFrame
    state: StartState
    parameters: YearlyParameters
    objective: float | None


def history_case(case: Case, params: YearlyParameters) -> Case:
    """The case with the history's scalar chain parameters: the status holders' stay in COA
    (``residence.housing_min_months``) = the mean of the waits measured in the history
    (``housing_wait_months``: status holders in COA / housing outflow per month, Little's law).

    The model takes this stay as one number; the history shows 4 months in quiet years
    (2018-2019) and 7 in the crunch years (2015, 2022, 2024).

    The surges are off (``max_fte`` 0): what the 2020 Taskforce IND decided is in the IND's
    realised decisions that the replay imposes and that the IND output factor of the
    simulated history is calibrated on, and the police's 2015 registration help is in the
    registration that kept up with arrivals (``REGISTRATION_CAPACITY_MONTH``); a surge on
    top would count them twice.
    """
    st = case.settings
    residence = st.residence.model_copy(update={"housing_min_months": params.mean("housing_wait_months")})
    off = {"max_fte": 0.0}
    settings = st.model_copy(
        update={
            "residence": residence,
            "ind_surge": st.ind_surge.model_copy(update=off),
            "registration_surge": st.registration_surge.model_copy(update=off),
        }
    )
    return case.model_copy(update={"settings": settings})


def replay_case(
    case: Case, state: StartState, params: YearlyParameters, first_year: int, last_year: int
) -> Case:
    """The case re-dated to ``first_year..last_year`` with the history's state and series.

    Built with ``model_copy`` (the horizon may exceed the 10 years a case file allows;
    the model itself has no such limit). MPP rows carry the realised inflow: they only
    set the pre-horizon registration rate of the late-case count and the terminal
    staffing target, which the replay does not use.
    """
    years = list(range(first_year, last_year + 1))
    st = case.settings
    housing = params.series("housing_outflow", years)
    permit = params.series("permit_share", years)
    unsupervised = case.series[0].unsupervised_departure_share
    series = tuple(
        case.series[0].model_copy(
            update={
                "period": f"{y}-{m:02d}",
                "housing_outflow_persons": housing[i] / MONTHS,
                "permit_share": permit[i],
                "unsupervised_departure_share": unsupervised,
            }
        )
        for i, y in enumerate(years)
        for m in range(1, MONTHS + 1)
    )
    stocks = []
    for cat in Category:
        stocks.append(
            case.initial_stocks[0].model_copy(
                update={
                    "stock": StockName.REGISTRATION_QUEUE,
                    "category": cat,
                    "persons": state.initial_queue.get(cat.value, 0.0),
                    "source": "history",
                }
            )
        )
        stocks.append(
            case.initial_stocks[0].model_copy(
                update={
                    "stock": StockName.IND_BACKLOG,
                    "category": cat,
                    "persons": state.initial_backlog.get(cat.value, 0.0),
                    "source": "history",
                }
            )
        )
    for name, value in (
        (StockName.STATUS_HOLDERS, state.initial_status_holders),
        (StockName.REJECTED, state.initial_rejected),
    ):
        stocks.append(
            case.initial_stocks[0].model_copy(
                update={"stock": name, "category": None, "persons": value, "source": "history"}
            )
        )
    template = case.mpp[0]
    mpp = tuple(template.model_copy(update={"year": y, "category": c}) for y in years for c in Category)
    reg = st.registration
    settings = st.model_copy(
        update={
            "horizon": st.horizon.model_copy(
                update={"start_year": first_year, "years": len(years), "period": "month"}
            ),
            "nareis": st.nareis.model_copy(
                update={"per_permit": 0.0}
            ),  # the realised nareis arrive as inflow
            "registration": reg.model_copy(
                update={
                    "adjustable": False,
                    "initial_fte": REGISTRATION_CAPACITY_MONTH * MONTHS / reg.output_per_fte_year,
                }
            ),
            "ind": st.ind.model_copy(update={"adjustable": False}),
            "coa": st.coa.model_copy(update={"initial_emergency_places": 0.0}),
        }
    )
    places_needed = state.occupancy / st.policy.occupancy_norm
    first_loc = case.locations[0]
    locations = (
        first_loc.model_copy(
            update={
                "initially_open": int(np.ceil(places_needed / first_loc.places)),
                "max_open": int(np.ceil(places_needed / first_loc.places)),
            }
        ),
    )
    return case.model_copy(
        update={
            "settings": settings,
            "series": series,
            "initial_stocks": tuple(stocks),
            "mpp": mpp,
            "locations": locations,
        }
    )


def replay_policy() -> Policy:
    """Levers off: the chain as it ran (no pool, no reserve places, no new locations)."""
    return Policy(
        name="historie",
        description="Terugblik: de keten zoals die liep",
        allow_flexpool=False,
        allow_reserve_places=False,
        allow_asielreserve=False,
        allow_staff_changes=False,
        allow_location_changes=False,
    )


def replay(
    history: History,
    case: Case,
    first_year: int = 2014,
    last_year: int = 2025,
    history_dir: Path | None = None,
    params: YearlyParameters | None = None,
    state: StartState | None = None,
) -> Replay:
    """Run the chain model on the realised inflow ``first_year..last_year`` (one LP, HiGHS)."""
    from bekostiging.model import ScenarioInflow, chain_data, chain_problem
    from bekostiging.solver import OneShotHighs, SolverOptions
    from bekostiging.twostage import extensive_form

    params = params or yearly_parameters(history_dir)
    state = state or start_state(history_dir)
    season = {r.month: r.factor for r in case.seasonality} or case_seasonality()
    inflow = monthly_inflow(history, params, season, first_year, last_year)
    rcase = replay_case(history_case(case, params), state, params, first_year, last_year)
    data = chain_data(rcase, replay_policy())
    cats = [c.value for c in Category]
    scenario = ScenarioInflow(REPLAY_SCENARIO, inflow[cats].to_numpy(dtype=float))
    m = extensive_form(chain_problem(replace(data, baseline=None), [scenario], [1.0]))
    first = m.first
    years = list(range(first_year, last_year + 1))
    capacity = params.series("ind_capacity", years)
    out_per_fte = data.staff[IND].output_per_fte_period
    for t in first.T:
        first.Staff_Balance[IND, t].deactivate()
        first.Staff[IND, t].fix(capacity[t // MONTHS] / MONTHS / out_per_fte)
    for var in (first.Hire, first.Opened, first.Closed, first.PoolTeams, first.ReservePlaces):
        for v in var.values():
            v.fix(0)
    outcome = OneShotHighs(SolverOptions()).solve(m)
    if not outcome.status.has_solution:
        raise RuntimeError(f"the history replay did not solve: {outcome.describe()}")
    b = m.scen[REPLAY_SCENARIO]
    kdec = list(b.KDEC)
    rows = []
    for t, label in enumerate(data.periods):
        rows.append(
            {
                "period": label,
                "occupancy": pyo.value(b.Occupancy[t]),
                "backlog": sum(pyo.value(b.Backlog[k, t]) for k in kdec),
                "decisions": sum(pyo.value(b.Decisions[k, t]) for k in kdec),
                "status_holders": pyo.value(b.StatusHolders[t]),
                "rejected": pyo.value(b.Rejected[t]),
                "queue": sum(pyo.value(b.RegQueue[k, t]) for k in b.KREG),
                "housed": pyo.value(b.Housed[t]),
                "emergency": pyo.value(b.Emergency[t]),
            }
        )
    monthly = pd.DataFrame(rows).set_index("period")
    return Replay(monthly, inflow, state, params, outcome.objective)


# --------------------------------------------------------------------------- scoring


def actuals(history: History, first_year: int, last_year: int) -> pd.DataFrame:
    """Real year-end occupancy, asylum backlog, yearly asylum decisions and the dated counts of
    status holders in COA reception from the history.

    Columns: metric, year, actual, date (of the figure), source (key and status). A year-end
    that is missing is stood in for by the nearest dated occupancy within
    :data:`NEAR_YEAR_END_DAYS` days; the IND asylum backlog is ``asylum`` where given,
    else ``total`` minus ``nareis`` on the same date.
    """
    rows: list[dict[str, object]] = []
    for year in range(first_year, last_year + 1):
        end = date(year, 12, 31)
        occ = [
            r
            for r in history.coa
            if r.measure == "occupancy"
            and r.value is not None
            and abs((r.date - end).days) <= NEAR_YEAR_END_DAYS
        ]
        if occ:
            best = min(occ, key=lambda r: abs((r.date - end).days))
            rows.append(
                {
                    "metric": "coa_bezetting",
                    "year": year,
                    "actual": best.value,
                    "date": best.date,
                    "source": f"{best.source} ({best.status.value})",
                }
            )
        ind = [r for r in history.ind if r.date == end and r.value is not None]
        asylum = [r for r in ind if r.measure == "backlog" and r.category == "asylum"]
        total = [r for r in ind if r.measure == "backlog" and r.category == "total"]
        nareis = [r for r in ind if r.measure == "backlog" and r.category == "nareis"]
        if asylum:
            rows.append(
                {
                    "metric": "ind_voorraad",
                    "year": year,
                    "actual": asylum[0].value,
                    "date": end,
                    "source": f"{asylum[0].source} ({asylum[0].status.value})",
                }
            )
        elif total and nareis:
            rows.append(
                {
                    "metric": "ind_voorraad",
                    "year": year,
                    "actual": total[0].value - nareis[0].value,
                    "date": end,
                    "source": f"{total[0].source} (derived: total - nareis)",
                }
            )
        holders = [
            r
            for r in history.coa
            if r.measure == "status_holders" and r.value is not None and r.date.year == year
        ]
        for r in sorted(holders, key=lambda r: r.date):
            rows.append(
                {
                    "metric": "coa_statushouders",
                    "year": year,
                    "actual": r.value,
                    "date": r.date,
                    "source": f"{r.source} ({r.status.value})",
                }
            )
        dec = [r for r in ind if r.measure == "decisions" and r.category == "asylum"]
        if dec:
            rows.append(
                {
                    "metric": "ind_beslissingen",
                    "year": year,
                    "actual": dec[0].value,
                    "date": end,
                    "source": f"{dec[0].source} ({dec[0].status.value})",
                }
            )
    return pd.DataFrame(rows, columns=["metric", "year", "actual", "date", "source"])


def validation_frame(result: Replay | pd.DataFrame, real: pd.DataFrame) -> pd.DataFrame:
    """metric, year, simulated, actual (+ date, source): each real figure with the model's.

    ``result``: a :class:`Replay` or any monthly frame (index ``YYYY-MM``) with the columns
    ``occupancy``, ``backlog`` and ``decisions`` (e.g. :func:`monthly_from_simulation`).
    """
    monthly = result.monthly if isinstance(result, Replay) else result
    out = []
    for row in real.itertuples(index=False):
        if row.metric == "ind_beslissingen":
            months = [p for p in monthly.index if p.startswith(f"{row.year}-")]
            simulated = float(monthly.loc[months, "decisions"].sum()) if len(months) == MONTHS else np.nan
        else:
            label = f"{row.date.year}-{row.date.month:02d}"
            column = STOCK_COLUMNS[row.metric]
            known = label in monthly.index and column in monthly.columns
            simulated = float(monthly.loc[label, column]) if known else np.nan
        out.append(
            {
                "metric": row.metric,
                "year": row.year,
                "simulated": simulated,
                "actual": row.actual,
                "date": row.date.isoformat(),
                "source": row.source,
            }
        )
    frame = pd.DataFrame(out, columns=["metric", "year", "simulated", "actual", "date", "source"])
    return frame.dropna(subset=["simulated"]).reset_index(drop=True)


SIMULATION_COLUMNS = {
    "occupancy": "occupancy",
    "ind_backlog": "backlog",
    "ind_decisions": "decisions",
    "status_holders": "status_holders",
}


def monthly_from_simulation(tidy: pd.DataFrame) -> pd.DataFrame:
    """One policy on one path from ``simulation.csv`` rows (month, metric, value) as the
    monthly frame :func:`validation_frame` reads (occupancy, backlog, decisions)."""
    rows = tidy[tidy["metric"].isin(list(SIMULATION_COLUMNS))]
    wide = rows.pivot_table(index="month", columns="metric", values="value", aggfunc="sum")
    return wide.rename(columns=SIMULATION_COLUMNS).sort_index()


def mape(frame: pd.DataFrame) -> dict[str, float]:
    """Mean absolute percentage error per metric, in percent: mean(|sim - act| / act) x 100."""
    scores: dict[str, float] = {}
    for metric, group in frame.groupby("metric", sort=False):
        valid = group[group["actual"] > 0]
        if len(valid):
            errors = (valid["simulated"] - valid["actual"]).abs() / valid["actual"]
            scores[str(metric)] = float(errors.mean() * PERCENT)
    return scores


def validation_chart(result: Replay | pd.DataFrame, frame: pd.DataFrame, png: Path, lang: str = "nl") -> Path:
    """One panel per metric: the simulated path (blue) and the real figures (black dots)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from bekostiging.report.i18n import check_lang, fmt_number

    lg = check_lang(lang)
    scores = mape(frame)
    monthly = result.monthly if isinstance(result, Replay) else result
    x = np.array([int(p[:4]) + (int(p[5:]) - 0.5) / MONTHS for p in monthly.index])
    fig, axes = plt.subplots(1, len(METRICS), figsize=CHART_SIZE_IN)
    for ax, metric in zip(axes, METRICS, strict=True):
        real = frame[frame["metric"] == metric]
        if metric == "ind_beslissingen":
            yearly = monthly["decisions"].groupby(monthly.index.str[:4]).sum()
            ax.plot(
                yearly.index.astype(int) + 0.5,
                yearly.to_numpy(),
                color="tab:blue",
                marker="o",
                markersize=3,
                label=word("simulated", lang),
            )
            ax.plot(real["year"] + 0.5, real["actual"], "o", color="black", label=word("actual", lang))
        else:
            column = STOCK_COLUMNS[metric]
            if column in monthly.columns:
                ax.plot(x, monthly[column].to_numpy(), color="tab:blue", label=word("simulated", lang))
            dates = pd.to_datetime(real["date"])
            ax.plot(
                dates.dt.year + (dates.dt.day_of_year - 0.5) / 365.25,
                real["actual"],
                "o",
                color="black",
                label=word("actual", lang),
            )
        title = word(metric, lang)
        if metric in scores:
            title += f"\n{word('mape', lang)} {fmt_number(scores[metric], lg, 1)}%"
        ax.set_title(title, fontsize="medium")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _p: fmt_number(x, lg)))  # 70.000 (nl)
        ax.set_xlabel(word("year", lang))
        ax.grid(alpha=0.25)
        ax.legend(fontsize="small")
    fig.suptitle(word("title", lang))
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=CHART_DPI)
    plt.close(fig)
    return png


def categories() -> tuple[str, ...]:
    """The inflow categories of a replay path (the model's order)."""
    return CATEGORIES


def scored_years(tidy: pd.DataFrame, first_year: int | None, last_year: int | None) -> tuple[int, int]:
    """The years a history simulation is scored on: from ``first_year`` but never before the
    year after the first simulated one (the path starts from the state of 1 January of its
    first year, a warm-up year; the back-test scores 2015 on, as ``history replay`` does), to
    ``last_year`` (default: the last simulated)."""
    years = tidy["month"].str[:4].astype(int)
    first = max(first_year if first_year is not None else 0, int(years.min()) + 1)
    return first, last_year if last_year is not None else int(years.max())


def validation_files(
    tidy: pd.DataFrame,
    history: History,
    lang: str = "nl",
    first_year: int | None = None,
    last_year: int | None = None,
) -> dict[str, bytes]:
    """``mape.csv`` (policy, metric, mape_percent, n) and ``validation.png`` (the status quo, else
    the first policy; real in black) of a simulation on the history path, over the years
    :func:`scored_years` (the year after the first simulated, to the last), as
    ``validation.csv`` of ``bekostiging simulate`` scores them."""
    import tempfile

    rows = tidy[tidy["path"] == "history"] if "path" in tidy.columns else tidy
    if rows.empty:
        return {}
    real = actuals(history, *scored_years(rows, first_year, last_year))
    scores = []
    charted: tuple[pd.DataFrame, pd.DataFrame] | None = None
    for policy in dict.fromkeys(rows["policy"]):
        monthly = monthly_from_simulation(rows[rows["policy"] == policy])
        frame = validation_frame(monthly, real)
        counts = frame["metric"].value_counts()
        scores += [
            {"policy": policy, "metric": k, "mape_percent": v, "n": int(counts[k])}
            for k, v in mape(frame).items()
        ]
        if charted is None or policy == "status-quo":
            charted = (monthly, frame)
    files = {
        "mape.csv": pd.DataFrame(scores, columns=["policy", "metric", "mape_percent", "n"])
        .to_csv(index=False)
        .encode("utf-8")
    }
    if charted is not None:
        with tempfile.TemporaryDirectory() as tmp:
            png = validation_chart(charted[0], charted[1], Path(tmp) / "validation.png", lang)
            files["validation.png"] = png.read_bytes()
    return files
