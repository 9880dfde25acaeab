"""What links one half-year to the next: the state, the money ledger and a policy's plan.

A :class:`State` is exactly what the model's balance equations take as their initial
values (``model/stages.md`` §4.3): the stocks (``initial_queue``, ``initial_backlog``,
``initial_status_holders``, ``initial_rejected``, emergency places), productive staff
and the cohorts still in training (``arriving_fte``), open locations and the openings
already committed (``pending_openings``), the registrations of the recent past (the
late-case pipeline), the asielreserve balance and the budget year's ledger
(:class:`Money`), and the year-level decisions already taken (``commitments``).

A :class:`Plan` is what a policy decides at a planning moment: the model's stage-1
decisions on the calendar (hires per intake month, openings and closings per decision
month, reserve places, pool teams, deposits and budgets per year). The engine carries
out only what falls before the next planning moment (``commit``); the rest is advice
that the next moment may change. Money inside is in M EUR (the model's unit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from bekostiging.model.data import BUDGET_LINES, ChainData
from bekostiging.schema import Case, Category, StockName
from bekostiging.simulate.calendar import month_index, month_label

YEAR_LEVEL = ("ReservePlaces", "PoolTeams", "ReserveDeposit")


@dataclass(frozen=True)
class Money:
    """The asielreserve balance and the open budget years (M EUR).

    ``budget_meur`` and ``deposit_meur`` are what was appropriated for a year when its
    budget was fixed; ``spent_meur`` the cash spent in it so far. A year is settled at its
    end (``engine.settle_year``): overspend is drawn from the balance, the rest is
    supplementary funding; underspend flows into the fund as the policy's rule allows.
    """

    balance_meur: float
    budget_meur: Mapping[tuple[str, int], float] = field(default_factory=dict)
    deposit_meur: Mapping[int, float] = field(default_factory=dict)
    spent_meur: Mapping[tuple[str, int], float] = field(default_factory=dict)


@dataclass(frozen=True)
class State:
    """The chain at the start of ``month`` (the first month not yet simulated).

    Per-category mappings are keyed by :class:`~bekostiging.schema.Category` values,
    per-partner mappings by the staffed partners, per-location mappings by location type;
    tuples over months count from ``month`` (index 0 = ``month``).
    """

    month: str
    staff_fte: Mapping[str, float]  # productive FTE per staffed partner
    arriving_fte: Mapping[str, tuple[float, ...]]  # cohorts in training: FTE productive at month + i
    open_locations: Mapping[str, float]  # locations open per type
    pending_openings: Mapping[str, tuple[int, ...]]  # committed openings usable at month + i
    queue: Mapping[str, float]  # registration queue per category (persons)
    backlog: Mapping[str, float]  # IND backlog per category (cases)
    status_holders: float  # permit holders awaiting housing, in COA
    rejected: float  # rejected awaiting departure
    emergency_places: float  # emergency places in use at the end of the last month
    recent_registrations: Mapping[str, float]  # registrations per month before ``month`` (late pipeline)
    money: Money
    # year-level decisions already taken: YEAR_LEVEL name -> year -> value
    commitments: Mapping[str, Mapping[int, float]] = field(default_factory=dict)
    last_plan: Plan | None = None  # the plan of the previous moment (a warm start; never binding)
    # places under running contracts in month + i (emergency shelter, activated reserve places);
    # emergency None: the case's own start (its initial emergency places winding down)
    emergency_carry: tuple[float, ...] | None = None
    reserve_carry: tuple[float, ...] = ()

    @classmethod
    def from_case(cls, case: Case, data: ChainData, month: str | None = None) -> State:
        """The case's own initial state (its ``initial_stocks.csv`` and staffing), at ``month``
        (default: the case's first month)."""
        return cls(
            month=month or data.periods[0],
            staff_fte={p: s.initial_fte for p, s in data.staff.items()},
            arriving_fte={},
            open_locations={loc.name: float(loc.initially_open) for loc in data.locations},
            pending_openings={},
            queue={c.value: case.stock(StockName.REGISTRATION_QUEUE, c) for c in Category},
            backlog={c.value: case.stock(StockName.IND_BACKLOG, c) for c in Category},
            status_holders=case.stock(StockName.STATUS_HOLDERS),
            rejected=case.stock(StockName.REJECTED),
            emergency_places=data.initial_emergency_places,
            recent_registrations=dict(data.prehorizon_registrations),
            money=Money(balance_meur=data.asielreserve_opening_meur),
        )

    def persons(self, reception_share: Mapping[str, float] | None = None) -> float:
        """Persons in the chain's stocks (queue, backlog, status holders, rejected);
        with ``reception_share`` only the queue and backlog in reception are counted."""
        share = reception_share or {}
        chain = sum(share.get(k, 1.0) * (self.queue[k] + self.backlog[k]) for k in self.queue)
        return chain + self.status_holders + self.rejected

    def committed(self, name: str, year: int) -> float | None:
        """A year-level decision already taken (``None``: still open)."""
        return self.commitments.get(name, {}).get(year)

    def with_money(self, money: Money) -> State:
        return replace(self, money=money)


@dataclass(frozen=True)
class Plan:
    """A policy's decisions at a planning moment, on the calendar (money in M EUR).

    ``hires`` (partner, intake month) -> cohorts; ``opened`` / ``closed`` (location type,
    decision month) -> locations (an opening at month m is usable from m, decided one lead
    time earlier); ``reserve_places``, ``pool_teams``, ``deposit_meur`` per year;
    ``budget_meur`` (line, year) -> the budget of the year's months inside the plan's window.
    """

    made_at: str
    hires: Mapping[tuple[str, str], float] = field(default_factory=dict)
    opened: Mapping[tuple[str, str], float] = field(default_factory=dict)
    closed: Mapping[tuple[str, str], float] = field(default_factory=dict)
    reserve_places: Mapping[int, float] = field(default_factory=dict)
    pool_teams: Mapping[int, float] = field(default_factory=dict)
    deposit_meur: Mapping[int, float] = field(default_factory=dict)
    budget_meur: Mapping[tuple[str, int], float] = field(default_factory=dict)
    note: str = ""

    def year_level(self, name: str) -> Mapping[int, float]:
        return {
            "ReservePlaces": self.reserve_places,
            "PoolTeams": self.pool_teams,
            "ReserveDeposit": self.deposit_meur,
        }[name]


def commit(state: State, plan: Plan, until: str) -> State:
    """The state with the plan's decisions that fall before ``until`` committed.

    Year-level decisions (reserve places, pool teams, deposit, budget) of a year starting
    before ``until`` are fixed for that year unless fixed already (the budget of a year is
    appropriated once, at the last planning moment before it starts: the Miljoenennota;
    later moments correct it only through supplementary funding). Hires, openings and
    closings before ``until`` are carried out by the segment run; openings decided before
    ``until`` but usable later become ``pending_openings`` (``engine``).
    """
    end = month_index(until)
    commitments = {name: dict(state.commitments.get(name, {})) for name in YEAR_LEVEL}
    for name in YEAR_LEVEL:
        for year, value in plan.year_level(name).items():
            if year * 12 < end and year not in commitments[name]:
                commitments[name][year] = float(value)
    money = state.money
    budget = dict(money.budget_meur)
    deposit = dict(money.deposit_meur)
    for (line, year), value in plan.budget_meur.items():
        if year * 12 < end and (line, year) not in budget:
            budget[(line, year)] = float(value)
    for year, value in commitments["ReserveDeposit"].items():
        deposit.setdefault(year, value)
    for line in BUDGET_LINES:  # a year the plan covers gets every line (0 where it plans none)
        for year in {y for (_l, y) in budget}:
            budget.setdefault((line, year), 0.0)
    return replace(
        state, commitments=commitments, money=replace(money, budget_meur=budget, deposit_meur=deposit)
    )


def shift(values: tuple[float, ...] | tuple[int, ...], months: int) -> tuple:
    """A per-month tuple counted from a later month (drop the first ``months``)."""
    return tuple(values[months:])


def label_after(month: str, months: int) -> str:
    return month_label(month_index(month) + months)
