"""The chain model's data on any window of the calendar, from a simulation state.

The simulation re-solves the model from a planning moment (``model/stages.md`` §4.3): the
horizon is the calendar from that moment on, so the per-period data of the case
(:class:`~bekostiging.model.data.ChainData`, built on the case's own horizon) are laid on
another window of months. :func:`window_data` does that, and injects a simulation
:class:`~bekostiging.simulate.state.State` as the initial values of the stocks.

* Per-month series (permit share, unsupervised departures, housing outflow) are the
  case's value for that month; outside the case's horizon the same calendar month of the
  nearest case year (a path may bring its own series, ``Path.series``). A path's
  ``ind_productivity`` (the IND's realised output per FTE against the norm, the history
  path's environment) applies only where a path brings it: a plan counts at the norm.
* Intake moments and COA decision moments keep the case's rhythm on the calendar (every
  ``intake_interval_months`` / ``location_decision_interval_months`` counted from the
  case's first month), so a plan made in June and the segment run from June agree on
  which months allow a hire or an opening.
* Budget years are the calendar years the window touches; a year cut by the window
  counts only its months inside it (the ledger of ``engine.py`` adds the parts up).
"""

from __future__ import annotations

from dataclasses import replace

from bekostiging.model.data import ChainData, first_opening_period
from bekostiging.schema import Policy
from bekostiging.simulate.calendar import SimulationInputError, month_index, month_label
from bekostiging.simulate.state import State

IND_PRODUCTIVITY = "ind_productivity"  # a path's series: realised IND output per FTE / the norm


def _spacing(periods: tuple[int, ...]) -> int:
    return periods[1] - periods[0] if len(periods) > 1 else 1


def _by_month(base: ChainData, values: tuple[float, ...], label: str) -> float:
    """The case's value of a per-period series for ``label``; outside the case's horizon the
    same calendar month of the nearest case year."""
    if label in base.periods:
        return values[base.periods.index(label)]
    year = min(max(int(label[:4]), base.years[0]), base.years[-1])
    return values[base.periods.index(f"{year:04d}{label[4:]}")]


def window_data(
    base: ChainData,
    start: str,
    months: int,
    state: State | None = None,
    *,
    policy: Policy | None = None,
    series: dict[str, dict[str, float]] | None = None,
    terminal_staff: bool = True,
) -> ChainData:
    """The chain data on the ``months`` months from ``start``, from ``state`` when given.

    ``series`` (name -> month label -> value) overrides ``permit_share``,
    ``unsupervised_share`` or ``housing_outflow`` per month (a path's own history);
    ``ind_productivity`` sets the IND's realised output per FTE against the norm
    (``ChainData.ind_output_factor``; 1 where the path has none, as in every plan).
    ``terminal_staff=False`` drops the end-of-horizon staffing target (a segment run with
    every decision fixed has no use for it). The result has no MPP baseline.
    """
    if base.months_per_period != 1:
        raise SimulationInputError("simulate needs a monthly case (horizon.period = 'month')")
    if months < 1:
        raise SimulationInputError(f"a window needs at least one month, not {months}")
    first = month_index(base.periods[0])
    i0 = month_index(start)
    labels = tuple(month_label(i0 + t) for t in range(months))
    series = series or {}

    def per_month(name: str, values: tuple[float, ...]) -> tuple[float, ...]:
        own = series.get(name, {})
        return tuple(float(own[x]) if x in own else _by_month(base, values, x) for x in labels)

    def ind_factor() -> tuple[float, ...]:
        # the environment's IND output per FTE (a path's ``ind_productivity``); 1 where unset
        own = series.get(IND_PRODUCTIVITY, {})
        values = tuple(float(own.get(x, 1.0)) for x in labels)
        return () if all(v == 1.0 for v in values) else values

    def on_rhythm(spacing: int) -> tuple[int, ...]:
        return tuple(t for t in range(months) if (i0 + t - first) % spacing == 0)

    staff = {}
    for p, s in base.staff.items():
        intake = on_rhythm(_spacing(s.intake_periods)) if s.adjustable else ()
        upd: dict[str, object] = {"intake_periods": intake}
        if state is not None:
            upd["initial_fte"] = state.staff_fte[p]
            upd["arriving_fte"] = tuple(state.arriving_fte.get(p, ()))
        staff[p] = replace(s, **upd)
    locations = []
    for loc in base.locations:
        upd = {"decision_periods": on_rhythm(_spacing(loc.decision_periods))}
        if state is not None:
            upd["initially_open"] = round(state.open_locations[loc.name])
            upd["pending_openings"] = tuple(state.pending_openings.get(loc.name, ()))
        locations.append(replace(loc, **upd))
    openable = [first_opening_period(x) for x in locations if x.max_open > x.initially_open]
    opening = [t for t in openable if t is not None]
    upd_data: dict[str, object] = {
        "periods": labels,
        "years": tuple(sorted({int(x[:4]) for x in labels})),
        "year_of": tuple(int(x[:4]) for x in labels),
        "housing_outflow": per_month("housing_outflow", base.housing_outflow),
        "permit_share": per_month("permit_share", base.permit_share),
        "unsupervised_share": per_month("unsupervised_share", base.unsupervised_share),
        "ind_output_factor": ind_factor(),
        "staff": staff,
        "locations": tuple(locations),
        "norm_start_period": min(opening) if opening else months,
        "baseline": None,
        "terminal_staff_fte": dict(base.terminal_staff_fte) if terminal_staff else {},
    }
    if policy is not None:
        upd_data["policy"] = policy
    if state is not None:
        upd_data.update(
            initial_queue=dict(state.queue),
            initial_backlog=dict(state.backlog),
            initial_status_holders=state.status_holders,
            initial_rejected=state.rejected,
            initial_emergency_places=state.emergency_places if state.emergency_carry is None else 0.0,
            emergency_carry=tuple(state.emergency_carry or ()),
            reserve_carry=tuple(state.reserve_carry),
            asielreserve_opening_meur=state.money.balance_meur,
            prehorizon_registrations=dict(state.recent_registrations),
        )
    return replace(base, **upd_data)
