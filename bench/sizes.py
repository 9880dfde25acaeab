"""Benchmark instances: the default case cut to T periods, with S scenarios.

T = 60 is the shipped case (monthly 2026-2030). T = 24 is the same case with
``horizon.years = 2``, rebuilt and re-validated from the loaded case: settings
copied with ``years = 2``, series rows of those periods, MPP rows of those years,
and location types that could not open within the shorter horizon (lead time not
shorter than it, none open at the start: ``azc-groot``, 24 months) left out, as
the case validation requires.
S = 3, 50, 200 are the shipped sets ``mpp``, ``hist-50`` and ``hist-200``; any other
S is generated (bootstrap, seed 2026). For T = 24 the scenario set is the first
24 periods of the set of the full case.
"""

from __future__ import annotations

from pathlib import Path

from bekostiging.io.case import load_case
from bekostiging.io.scenarios import load_scenario_set
from bekostiging.scenarios.generate import generate
from bekostiging.schema import Case, ScenarioSet, Settings, months_per_period, period_labels

ROOT = Path(__file__).resolve().parent.parent
CASE_DIR = ROOT / "data" / "nl-2026"
SHIPPED = {3: "mpp", 50: "hist-50", 200: "hist-200"}
SEED = 2026  # the seed of the shipped hist sets


def _months(settings: Settings) -> int:
    return months_per_period(settings.horizon)


def case_with_periods(case: Case, periods: int) -> Case:
    """The case over its first ``periods`` periods (whole years), re-validated."""
    if periods == len(case.periods):
        return case
    per_year = len(case.periods) // case.settings.horizon.years
    if periods % per_year or not 0 < periods < len(case.periods):
        raise ValueError(f"T = {periods}: must be whole years (multiple of {per_year}) within the case")
    raw = case.settings.model_dump()
    raw["horizon"] = {**raw["horizon"], "years": periods // per_year}
    settings = Settings.model_validate(raw)
    labels = set(period_labels(settings.horizon))
    years = range(settings.horizon.start_year, settings.horizon.start_year + settings.horizon.years)
    return Case(
        settings=settings,
        initial_stocks=case.initial_stocks,
        series=tuple(r for r in case.series if r.period in labels),
        locations=tuple(
            loc
            for loc in case.locations
            if loc.initially_open > 0 or loc.lead_time_months < len(labels) * _months(settings)
        ),
        mpp=tuple(r for r in case.mpp if r.year in years),
        seasonality=case.seasonality,
    )


def first_periods(scenario_set: ScenarioSet, periods: int) -> ScenarioSet:
    """The set over its first ``periods`` periods (probabilities unchanged)."""
    if periods == len(scenario_set.periods):
        return scenario_set
    return ScenarioSet(
        name=f"{scenario_set.name}-T{periods}",
        provenance=scenario_set.provenance,
        scenarios=scenario_set.scenarios,
        periods=scenario_set.periods[:periods],
        categories=scenario_set.categories,
        inflow_persons=scenario_set.inflow_persons[:, :periods, :].copy(),
    )


def instance(scenarios: int, periods: int) -> tuple[Case, ScenarioSet]:
    """The benchmark instance S x T: a validated case and a scenario set that fits it."""
    full = load_case(CASE_DIR)
    if scenarios in SHIPPED:
        full_set = load_scenario_set(CASE_DIR / "scenarios" / SHIPPED[scenarios], full)
    else:
        full_set = generate(full, "bootstrap", scenarios, SEED, name=f"bootstrap-{scenarios}")
    case = case_with_periods(full, periods)
    scenario_set = first_periods(full_set, periods)
    scenario_set.check_fits(case)
    return case, scenario_set
