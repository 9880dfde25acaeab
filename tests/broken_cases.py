"""Deliberately broken copies of ``tests/fixtures/tiny-case``: one per validation rule.

Each ``Broken`` names the rule, the one edit that breaks it, and the file and field
that the problem report must name.  ``make_broken(case, tmp_path)`` copies tiny-case
into ``tmp_path`` and applies the edit, so the fixtures stay compact and always
differ from the valid case by exactly one change.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
TINY_CASE = FIXTURES / "tiny-case"
SCENARIOS = Path("scenarios") / "two"

Edit = Callable[[Path], None]
DUPLICATED_STOCK = "ind_backlog,repeat,10\nind_backlog,repeat,12\n"  # a key row repeated


def replace(file: str, old: str, new: str, count: int = 1) -> Edit:
    """Edit: replace ``old`` (which must occur) by ``new`` in ``file``."""

    def edit(case_dir: Path) -> None:
        path = case_dir / file
        text = path.read_text(encoding="utf-8")
        if old not in text:
            raise ValueError(f"fixture edit: {old!r} not in {file}")
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return edit


def remove_file(file: str) -> Edit:
    def edit(case_dir: Path) -> None:
        (case_dir / file).unlink()

    return edit


def remove_column(file: str, column: str) -> Edit:
    """Edit: drop one column of a CSV file (header and cells)."""

    def edit(case_dir: Path) -> None:
        path = case_dir / file
        lines = path.read_text(encoding="utf-8").splitlines()
        index = lines[0].split(",").index(column)
        kept = [",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines]
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")

    return edit


def both(*edits: Edit) -> Edit:
    def edit(case_dir: Path) -> None:
        for e in edits:
            e(case_dir)

    return edit


@dataclass(frozen=True)
class Broken:
    rule: str
    edit: Edit
    file: str  # the file the report must name
    field: str  # the field the report must name

    def __str__(self) -> str:
        return self.rule


BROKEN: tuple[Broken, ...] = (
    # --- case.toml: keys, types, ranges
    Broken(
        "unknown settings key",
        replace("case.toml", "attrition_per_year = 0.1", "attrition_per_year = 0.1\natrition = 0.1"),
        "case.toml",
        "ind.atrition",
    ),
    Broken(
        "unknown settings section",
        replace("case.toml", "[penalties]", "[penalty]\nlate = 1\n\n[penalties]"),
        "case.toml",
        "penalty",
    ),
    Broken(
        "value out of range",
        replace("case.toml", "attrition_per_year = 0.1", "attrition_per_year = 0.7"),
        "case.toml",
        "ind.attrition_per_year",
    ),
    Broken(
        "wrong type",
        replace("case.toml", "years = 1", 'years = "one"'),
        "case.toml",
        "horizon.years",
    ),
    Broken(
        "required key missing",
        replace("case.toml", "output_per_fte_year = 30.0\n", ""),
        "case.toml",
        "ind.output_per_fte_year",
    ),
    Broken(
        "currency not EUR",
        replace("case.toml", 'currency = "EUR"', 'currency = "USD"'),
        "case.toml",
        "case.currency",
    ),
    Broken(
        "period length not month or quarter",
        replace("case.toml", 'period = "month"', 'period = "week"'),
        "case.toml",
        "horizon.period",
    ),
    Broken(
        "category section missing",
        replace(
            "case.toml",
            "[categories.repeat]\nneeds_registration = true\ndecision_work = 0.5\nreception_share = 0.5\n",
            "",
        ),
        "case.toml",
        "categories.repeat",
    ),
    Broken(
        "unknown category section",
        replace("case.toml", "[categories.repeat]", "[categories.repeats]"),
        "case.toml",
        "categories.repeats",
    ),
    Broken(
        "training lead time not shorter than horizon",
        replace("case.toml", "training_months = 6", "training_months = 12"),
        "case.toml",
        "ind.training_months",
    ),
    Broken(
        "funding ratio min above max",
        replace(
            "case.toml",
            "[penalties]",
            "[policy]\nfunding_ratio_min = 1.2\nfunding_ratio_max = 1.0\n\n[penalties]",
        ),
        "case.toml",
        "policy.funding_ratio_min",
    ),
    Broken(
        "true/false where a number belongs",
        replace("case.toml", "initial_fte = 10.0", "initial_fte = true"),
        "case.toml",
        "ind.initial_fte",
    ),
    Broken(
        "implausibly large cost",
        replace("case.toml", "cost_per_resident_year_eur = 10000.0", "cost_per_resident_year_eur = 1e30"),
        "case.toml",
        "coa.cost_per_resident_year_eur",
    ),
    Broken(
        "settings not valid TOML", replace("case.toml", "years = 1", "years = = 1"), "case.toml", "(syntax)"
    ),
    # --- files and columns
    Broken("table file missing", remove_file("mpp.csv"), "mpp.csv", "(file)"),
    Broken("settings file missing", remove_file("case.toml"), "case.toml", "(file)"),
    Broken("column missing", remove_column("series.csv", "permit_share"), "series.csv", "permit_share"),
    Broken(
        "unknown column",
        replace("locations.csv", "cost_per_place_year_eur\n", "cost_per_place_year_eur,notes\n"),
        "locations.csv",
        "notes",
    ),
    # --- cells
    Broken(
        "non-numeric cell",
        replace("series.csv", "2026-02,10,0.6,0.02", "2026-02,10,sixty,0.02"),
        "series.csv",
        "permit_share",
    ),
    Broken(
        "share above 1",
        replace("series.csv", "2026-04,10,0.6,0.02", "2026-04,10,1.5,0.02"),
        "series.csv",
        "permit_share",
    ),
    Broken(
        "whole number expected",
        replace("locations.csv", "small,50,0,2,200000,50000,3,", "small,50,0,2,200000,50000,3.5,"),
        "locations.csv",
        "lead_time_months",
    ),
    Broken(
        "infinite number",
        replace("series.csv", "2026-06,10,0.6,0.02", "2026-06,inf,0.6,0.02"),
        "series.csv",
        "housing_outflow_persons",
    ),
    Broken(
        "negative stock",
        replace("initial_stocks.csv", "rejected,,20", "rejected,,-20"),
        "initial_stocks.csv",
        "persons",
    ),
    Broken(
        "unknown stock name",
        replace("initial_stocks.csv", "rejected,,20", "refused,,20"),
        "initial_stocks.csv",
        "stock",
    ),
    # --- row rules
    Broken(
        "per-category stock without category",
        replace("initial_stocks.csv", "ind_backlog,repeat,10", "ind_backlog,,10"),
        "initial_stocks.csv",
        "category",
    ),
    Broken(
        "stock with a category it does not take",
        replace("initial_stocks.csv", "status_holders,,50", "status_holders,first,50"),
        "initial_stocks.csv",
        "category",
    ),
    Broken(
        "initially_open above max_open",
        replace("locations.csv", "standard,100,2,4,", "standard,100,5,4,"),
        "locations.csv",
        "initially_open",
    ),
    Broken(
        "mpp low above mid", replace("mpp.csv", "2026,first,240,360", "2026,first,400,360"), "mpp.csv", "low"
    ),
    # --- table rules
    Broken(
        "duplicate initial stock row",
        replace("initial_stocks.csv", "ind_backlog,repeat,10\n", DUPLICATED_STOCK),
        "initial_stocks.csv",
        "stock",
    ),
    Broken(
        "duplicate series period",
        replace("series.csv", "2026-03,10,0.6,0.02", "2026-02,10,0.6,0.02"),
        "series.csv",
        "period",
    ),
    Broken(
        "series period outside the horizon",
        replace("series.csv", "2026-12,10,0.6,0.02", "2027-01,10,0.6,0.02"),
        "series.csv",
        "period",
    ),
    Broken(
        "series period missing",
        replace("series.csv", "2026-07,10,0.6,0.02\n", ""),
        "series.csv",
        "period",
    ),
    Broken(
        "location lead time not shorter than horizon",
        replace("locations.csv", "500000,100000,6,", "500000,100000,12,"),
        "locations.csv",
        "lead_time_months",
    ),
    Broken(
        "duplicate location name",
        replace("locations.csv", "small,50,", "standard,50,"),
        "locations.csv",
        "location",
    ),
    Broken("mpp year missing", replace("mpp.csv", "2026,repeat,12,24,36\n", ""), "mpp.csv", "year"),
    Broken(
        "mpp duplicate row",
        replace("mpp.csv", "2026,repeat,12,24,36\n", "2026,repeat,12,24,36\n2026,repeat,12,24,36\n"),
        "mpp.csv",
        "year",
    ),
    Broken(
        "seasonality not averaging 1",
        replace("seasonality.csv", "12,1\n", "12,1.3\n"),
        "seasonality.csv",
        "factor",
    ),
    Broken(
        "seasonality month missing",
        replace("seasonality.csv", "12,1\n", ""),
        "seasonality.csv",
        "month",
    ),
    Broken(
        "initial occupancy above capacity",
        replace("initial_stocks.csv", "status_holders,,50", "status_holders,,500"),
        "initial_stocks.csv",
        "persons",
    ),
    # --- scenario set (loader in bekostiging.io.scenarios)
    Broken(
        "scenario probabilities not summing to 1",
        replace(f"{SCENARIOS}/scenarios.csv", "high,0.5", "high,0.6"),
        "scenarios.csv",
        "probability",
    ),
    Broken(
        "negative inflow",
        replace(f"{SCENARIOS}/inflow.csv", "low,2026-03,first,20", "low,2026-03,first,-20"),
        "inflow.csv",
        "persons",
    ),
    Broken(
        "inflow period missing for a scenario and category",
        replace(f"{SCENARIOS}/inflow.csv", "high,2026-05,nareis,10\n", ""),
        "inflow.csv",
        "period",
    ),
    Broken(
        "unknown inflow category",
        replace(f"{SCENARIOS}/inflow.csv", "low,2026-03,repeat,1", "low,2026-03,repeats,1"),
        "inflow.csv",
        "category",
    ),
    Broken(
        "scenario provenance without source",
        replace(f"{SCENARIOS}/provenance.toml", 'source = "hand-made test fixture', 'sauce = "hand-made'),
        "provenance.toml",
        "source",
    ),
)

SCENARIO_FILES = ("scenarios.csv", "inflow.csv", "provenance.toml")
# rules the case loader checks (the others belong to the scenario-set loader)
CASE_RULES = tuple(b for b in BROKEN if b.file not in SCENARIO_FILES)


def make_broken(broken: Broken, tmp_path: Path) -> Path:
    """Copy tiny-case into ``tmp_path`` and apply the one edit of ``broken``."""
    case_dir = tmp_path / "case"
    shutil.copytree(TINY_CASE, case_dir)
    broken.edit(case_dir)
    return case_dir


def copy_tiny(tmp_path: Path) -> Path:
    case_dir = tmp_path / "case"
    shutil.copytree(TINY_CASE, case_dir)
    return case_dir
