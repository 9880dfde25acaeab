"""The back-test 2014–2025 and the stress tests of issue 10 §3 §4 (long: minutes per policy).

    PYTHONPATH=src .venv/bin/python bench/backtest.py [--policies status-quo,flexpool,...]
        [--to 2025] [--workers 2] [--no-stress] [--out bench/results/backtest]

Writes to OUT:

* ``replay/``: the chain model on the real inflow with the history's IND capacity per year
  (``bekostiging history replay``): ``validation.csv``, ``mape.csv``, ``validation.png``;
* ``validation.csv`` / ``mape.csv`` / ``validation.png``: the same scoring for the
  ``status-quo`` policy simulated through the budget cycle (``bekostiging.simulate``: it
  hires and opens to each moment's MPP vintage from the state of January 2014);
* ``simulation.csv`` (policy, path, month, metric, value) of every policy on the history path;
* ``backtest.csv``: per policy and year — cash, supplementary funding, late case-months,
  emergency place-months, year-end IND backlog and COA occupancy; ``backtest_summary.csv``:
  totals 2014–2025 and the difference with the status quo;
* ``stress.csv`` / ``stress_summary.csv``: every policy on the named stress paths
  (2026–2030, the default case): the same measures per path.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bekostiging import shipped
from bekostiging.executor import map_tasks
from bekostiging.history import load_history
from bekostiging.history.replay import yearly_parameters
from bekostiging.history.validation import (
    actuals,
    mape,
    monthly_from_simulation,
    replay,
    validation_chart,
    validation_frame,
)
from bekostiging.io.case import load_case
from bekostiging.simulate import Context, PathResult, SimulationError, make_policy, simulate_path, tidy
from bekostiging.simulate.history import (
    history_path,
    history_simulation_case,
    history_state,
    stress_path_list,
)

DEFAULT_POLICIES = (
    "status-quo",
    "flexpool",
    "asielreserve",
    "asielreserve-huidig",
    "boven-mpp",
    "reservecapaciteit",
    "lagere-bezettingsgraad",
    "combinatie",
    "tuned",
)
STATUS_QUO = "status-quo"
DAMPING = 0.5  # calibration: weight of the previous round's factor
EUR_PER_MLN = 1.0e6
YEARLY = ("cash_eur", "supplementary_eur", "reserve_draw_eur", "reserve_balance_eur")


@dataclass(frozen=True)
class Task:
    policy: str
    history: bool  # True: the history path from January 2014; False: one stress path
    stress: str = ""
    last_year: int = 2025
    # (year, IND output per FTE against the norm) instead of the shipped ind_productivity
    productivity: tuple[tuple[int, float], ...] | None = None


def run_task(task: Task) -> PathResult | str:
    """One policy on one path; a policy that cannot plan at a moment gives its error text."""
    try:
        return _run_task(task)
    except SimulationError as exc:
        return f"{task.policy} on {'history' if task.history else task.stress}: {exc}"


def _run_task(task: Task) -> PathResult:
    case = load_case(shipped.default_case_dir())
    if task.history:  # the chain's scalar parameters of those years (history.validation.history_case)
        case = history_simulation_case(case)
    ctx = Context.of(case)
    policy = make_policy(task.policy, case.settings.policy)
    if task.history:
        factors = dict(task.productivity) if task.productivity is not None else None
        return simulate_path(
            ctx, history_path(case, 2014, task.last_year, factors), policy, initial=history_state(ctx)
        )
    (path,) = stress_path_list(case, [task.stress])
    return simulate_path(ctx, path, policy)


def measures(frame: pd.DataFrame) -> pd.DataFrame:
    """Per policy, path and year: the measures of the back-test table (money in EUR)."""
    frame = frame.assign(year=frame["month"].str[:4].astype(int))
    monthly = frame.pivot_table(index=["policy", "path", "year", "month"], columns="metric", values="value")
    yearly = monthly.groupby(level=["policy", "path", "year"]).agg(
        late_case_months=("late_cases", "sum"),
        emergency_place_months=("emergency_places", "sum"),
        decisions=("ind_decisions", "sum"),
    )
    year_end = monthly[monthly.index.get_level_values("month").str.endswith("-12")]
    year_end = year_end.droplevel("month")
    out = yearly.join(
        year_end[["ind_backlog", "occupancy"]].rename(
            columns={"ind_backlog": "backlog_year_end", "occupancy": "occupancy_year_end"}
        )
    )
    money = [c for c in YEARLY if c in year_end.columns]
    return out.join(year_end[money]).reset_index()


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Totals over the years per policy and path, and the difference with the status quo."""
    totals = (
        table.groupby(["path", "policy"])
        .agg(
            cash_mln=("cash_eur", lambda s: s.sum() / EUR_PER_MLN),
            supplementary_mln=("supplementary_eur", lambda s: s.sum() / EUR_PER_MLN),
            late_case_months=("late_case_months", "sum"),
            emergency_place_months=("emergency_place_months", "sum"),
            mean_backlog_year_end=("backlog_year_end", "mean"),
        )
        .reset_index()
    )
    base = totals[totals["policy"] == STATUS_QUO].set_index("path")
    for col in ("cash_mln", "supplementary_mln", "late_case_months", "emergency_place_months"):
        totals[f"{col}_vs_sq"] = totals.apply(
            lambda r, c=col: r[c] - base.loc[r["path"], c] if r["path"] in base.index else float("nan"),
            axis=1,
        )
    return totals


def calibrate(iterations: int, fit_years: list[int], last_year: int) -> tuple[dict[int, float], pd.DataFrame]:
    """The IND's realised output per FTE against the norm, per year, calibrated on the sourced
    decision capacity (``replay_parameters.csv``, ``ind_capacity``) — never on occupancy.

    Fixed point: simulate the status quo on the history path with factors phi; its IND staff
    and trainees give the decision work at the norm per year, C_y (``ind_capacity_norm``);
    phi_y <- DAMPING phi_y + (1 - DAMPING) capacity_y / C_y for the years in ``fit_years``; the
    other years take the mean of the fitted ones (a hold-out: their errors are out of sample).
    Start: the shipped ``ind_productivity``.
    """
    params = yearly_parameters()
    years = list(range(2014, last_year + 1))
    capacity = dict(zip(years, params.series("ind_capacity", years), strict=True))
    factors = dict(zip(years, params.series("ind_productivity", years), strict=True))  # the shipped
    rows = []
    for i in range(iterations):
        result = _run_task(Task(STATUS_QUO, True, last_year=last_year, productivity=tuple(factors.items())))
        frame = tidy([result])
        frame = frame.assign(year=frame["month"].str[:4].astype(int))
        yearly = frame.pivot_table(index="year", columns="metric", values="value", aggfunc="sum")
        # damped: the planner answers a lower output with more hiring, so the plain update swings
        fitted = {
            y: DAMPING * factors[y] + (1 - DAMPING) * capacity[y] / float(yearly.loc[y, "ind_capacity_norm"])
            for y in fit_years
        }
        held = sum(fitted.values()) / len(fitted)
        for y in years:
            rows.append(
                {
                    "iteration": i,
                    "year": y,
                    "factor_used": factors[y],
                    "capacity_norm": float(yearly.loc[y, "ind_capacity_norm"]),
                    "capacity_realised": factors[y] * float(yearly.loc[y, "ind_capacity_norm"]),
                    "decisions": float(yearly.loc[y, "ind_decisions"]),
                    "capacity_sourced": capacity[y],
                    "fitted": y in fitted,
                }
            )
        factors = {y: round(fitted.get(y, held), 3) for y in years}
        print(f"iteration {i}: {factors}")
    return factors, pd.DataFrame(rows)


def _years(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


LABELS = {
    "coa_bezetting": "COA occupancy, year-end",
    "coa_statushouders": "status holders in COA (dated)",
    "ind_beslissingen": "IND asylum decisions, year",
    "ind_voorraad": "IND asylum backlog, year-end",
}


def _cell(simulated: float, actual: float) -> str:
    return f"{simulated:,.0f} ({(simulated - actual) / actual * 100:+.1f} %)"


def markdown(out: Path, extra: list[tuple[str, Path]]) -> str:
    """The bench/README tables from a backtest folder: the validation table (replay, the simulated
    status quo, and any ``extra`` (title, folder with validation.csv) columns), the history table
    per policy and the stress table."""
    from bekostiging.history.validation import mape as score

    columns = [("model, real IND capacity (`history replay`)", out / "replay")]
    columns += [("status quo, simulated", out), *extra]
    columns = [(t, f) for t, f in columns if (f / "validation.csv").is_file()]  # a stress-only run: none
    frames = [pd.read_csv(folder / "validation.csv") for _t, folder in columns]
    base = frames[0]
    lines = ["| measure | year | real (date; source) | " + " | ".join(t for t, _f in columns) + " |"]
    lines.append("|---" * (3 + len(columns)) + "|")
    order = list(LABELS)
    base = base.assign(o=base["metric"].map(order.index)).sort_values(["o", "year", "date"])
    for row in base.itertuples(index=False):
        cells = []
        for frame in frames:
            hit = frame[(frame["metric"] == row.metric) & (frame["date"] == row.date)]
            cells.append(_cell(float(hit["simulated"].iloc[0]), row.actual) if len(hit) else "–")
        real = f"{row.actual:,.0f} ({row.date}; {row.source})"
        lines.append(f"| {LABELS[row.metric]} | {row.year} | {real} | " + " | ".join(cells) + " |")
    scores = [score(f) for f in frames]
    for metric in order:
        cells = [f"**{s[metric]:.1f} %**" if metric in s else "–" for s in scores]
        lines.append(f"| **MAPE {LABELS[metric]}** | | | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n" if len(frames) > 1 else ""
    for name in ("backtest_summary.csv", "stress_summary.csv"):
        if not (out / name).is_file():
            continue
        table = pd.read_csv(out / name).sort_values(["path", "policy"])
        text += f"\n{name}:\n\n| path | policy | cash | supplementary funding | late case-months | "
        text += "emergency place-months | mean year-end IND backlog |\n|---|---|---|---|---|---|---|\n"
        for r in table.itertuples(index=False):
            text += (
                f"| {r.path} | {r.policy} | {r.cash_mln:,.0f} ({r.cash_mln_vs_sq:+,.0f}) | "
                f"{r.supplementary_mln:,.0f} ({r.supplementary_mln_vs_sq:+,.0f}) | "
                f"{r.late_case_months:,.0f} ({r.late_case_months_vs_sq:+,.0f}) | "
                f"{r.emergency_place_months:,.0f} ({r.emergency_place_months_vs_sq:+,.0f}) | "
                f"{r.mean_backlog_year_end:,.0f} |\n"
            )
    if (out / "backtest.csv").is_file():  # cash per year and policy on the history path
        yearly = pd.read_csv(out / "backtest.csv")
        cash = yearly.pivot_table(index="policy", columns="year", values="cash_eur") / EUR_PER_MLN
        years = [int(y) for y in cash.columns]
        text += "\nCash per year on the history path (€ mln at 2025 prices):\n\n| policy | "
        text += " | ".join(str(y) for y in years) + " |\n" + "|---" * (len(years) + 1) + "|\n"
        for policy, row in cash.iterrows():
            text += f"| {policy} | " + " | ".join(f"{v:,.0f}" for v in row.to_numpy()) + " |\n"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", default=",".join(DEFAULT_POLICIES))
    parser.add_argument("--to", dest="last_year", type=int, default=2025)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-stress", action="store_true")
    parser.add_argument("--no-history", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("bench/results/backtest"))
    parser.add_argument("--lang", default="nl", choices=["nl", "en"])
    parser.add_argument(
        "--calibrate",
        type=int,
        default=0,
        metavar="N",
        help="calibrate ind_productivity in N fixed-point rounds first (calibration.csv) and "
        "simulate with the result instead of the shipped series",
    )
    parser.add_argument(
        "--fit-years", default="2014-2025", help="years the calibration fits (the others: their mean)"
    )
    parser.add_argument(
        "--tables",
        action="store_true",
        help="print the README tables of an earlier run in --out (no simulation); "
        "--extra TITLE=DIR adds a validation column",
    )
    parser.add_argument("--extra", action="append", default=[], metavar="TITLE=DIR")
    args = parser.parse_args()
    out: Path = args.out
    if args.tables:
        extra = [(t, Path(d)) for t, _sep, d in (e.partition("=") for e in args.extra)]
        print(markdown(out, extra))
        return
    out.mkdir(parents=True, exist_ok=True)
    productivity = None
    if args.calibrate:
        factors, log = calibrate(args.calibrate, _years(args.fit_years), args.last_year)
        log.to_csv(out / "calibration.csv", index=False)
        productivity = tuple(factors.items())
        print("ind_productivity:", factors)
    policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    case = load_case(shipped.default_case_dir())
    history = load_history()
    real = actuals(history, 2015, args.last_year)

    t0 = time.perf_counter()
    rep = replay(history, case, 2014, args.last_year)
    frame = validation_frame(rep, real)
    (out / "replay").mkdir(exist_ok=True)
    frame.to_csv(out / "replay" / "validation.csv", index=False)
    pd.Series(mape(frame), name="mape_percent").to_csv(out / "replay" / "mape.csv")
    validation_chart(rep, frame, out / "replay" / "validation.png", args.lang)
    print(f"replay (historical IND capacity): MAPE {mape(frame)}  [{time.perf_counter() - t0:.1f} s]")

    tasks = []
    if not args.no_history:
        tasks += [Task(p, True, last_year=args.last_year, productivity=productivity) for p in policies]
    if not args.no_stress:
        tasks += [
            Task(p, False, s) for s in ("2015-in-2027", "2022-opnieuw", "mpp-plus-20") for p in policies
        ]
    t0 = time.perf_counter()
    outcomes = map_tasks(run_task, tasks, args.workers)
    print(f"{len(tasks)} simulations in {time.perf_counter() - t0:.0f} s")
    failed = [o for o in outcomes if isinstance(o, str)]
    for line in failed:
        print(f"no result: {line}")
    (out / "failed.txt").write_text("\n".join(failed) + ("\n" if failed else ""), encoding="utf-8")
    results = [o for o in outcomes if not isinstance(o, str)]
    sims = tidy(results)
    sims.to_csv(out / "simulation.csv", index=False)
    hist = sims[sims["path"] == "history"]
    if len(hist):
        sq = hist[hist["policy"] == STATUS_QUO]
        if len(sq):
            monthly = monthly_from_simulation(sq)
            vframe = validation_frame(monthly, real)
            vframe.to_csv(out / "validation.csv", index=False)
            pd.Series(mape(vframe), name="mape_percent").to_csv(out / "mape.csv")
            validation_chart(monthly, vframe, out / "validation.png", args.lang)
            print(f"status quo simulated: MAPE {mape(vframe)}")
        table = measures(hist)
        table.to_csv(out / "backtest.csv", index=False)
        summary(table).to_csv(out / "backtest_summary.csv", index=False)
        print(summary(table).round(1).to_string(index=False))
    stress = sims[sims["path"] != "history"]
    if len(stress):
        table = measures(stress)
        table.to_csv(out / "stress.csv", index=False)
        summary(table).to_csv(out / "stress_summary.csv", index=False)
        print(summary(table).round(1).to_string(index=False))


if __name__ == "__main__":
    main()
