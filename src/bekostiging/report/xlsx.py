"""The annex workbook: the run's numbers as a spreadsheet user wants them.

User sheets first, in the report's language, numbers as numbers (€ mln with one
decimal, percentages, thousands separators), a units row under the headers, money
with the years as columns: contents, summary, cash per budget article (price year and
current prices), funding against the MPP need, the reconciliation with the published
budget, the asylum reserve, costs, indicators (expected and spread), flows per year,
the plan per year, the scenarios with their inflow and outcome, the model weights,
provenance and glossary. Then the *technical* sheets (grey tabs): every stored result
table and input file as it is, with the model's own codes, for whoever checks the
numbers. The layout itself is :mod:`bekostiging.report.workbook`.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from bekostiging.budget import CONSTANT, CURRENT, budget_wide, reserve_per_year
from bekostiging.errors import InputErrors
from bekostiging.io.case import load_case
from bekostiging.io.sources import changed_values, shipped_default_case
from bekostiging.report import data
from bekostiging.report.document import METHOD_TERMS, Document, settings_with_sources
from bekostiging.report.i18n import GLOSSARY, TERMS, Lang, status_word, term, unit_words
from bekostiging.report.memo import _source_keys
from bekostiging.report.money import kpi_label, weights_table
from bekostiging.report.workbook import (
    COUNT,
    DECIMAL,
    MILLIONS,
    PER_ROW,
    PERCENT,
    PRECISE,
    YEAR,
    Column,
    Sheet,
    as_number,
    millions,
    unit,
    write_workbook,
)
from bekostiging.runs.store import RunRecord

__all__ = ["Sheet", "report_sheets", "write_report_xlsx", "write_workbook"]

HASH_SHOWN_CHARS = 16
SETTINGS_FILE = "case.toml"

# Words of the workbook that the annex does not use: (Dutch, English).
WORDS: dict[str, tuple[str, str]] = {
    "contents": ("Inhoud", "Contents"),
    "summary": ("Samenvatting", "Summary"),
    "cash": ("Kasuitgaven", "Cash"),
    "cash_current": ("Kasuitgaven lopende prijzen", "Cash current prices"),
    "funding": ("Financiering", "Funding"),
    "reconciliation": ("Aansluiting begroting", "Reconciliation"),
    "reserve": ("Asielreserve", "Asylum reserve"),
    "costs": ("Kosten", "Costs"),
    "kpis": ("Indicatoren", "Indicators"),
    "flows": ("Stromen", "Flows"),
    "plan": ("Plan", "Plan"),
    "scenarios": ("Scenario's", "Scenarios"),
    "weights": ("Modelwegingen", "Model weights"),
    "provenance": ("Herkomst", "Provenance"),
    "changed": ("Gewijzigd", "Changed"),
    "glossary": ("Begrippen", "Glossary"),
    "technical": ("Technisch", "Technical"),
    "levers": ("Maatregelen", "Levers"),
    "input": ("invoer", "input"),
    "settings": ("instellingen", "settings"),
    "variables": ("variabelen", "variables"),
    "sheet": ("Blad", "Sheet"),
    "what": ("Inhoud", "Contents"),
    "item": ("Onderwerp", "Item"),
    "measure": ("Grootheid", "Quantity"),
    "amount": ("Waarde", "Value"),
    "unit": ("Eenheid", "Unit"),
    "total": ("Totaal", "Total"),
    "expected": ("Verwacht", "Expected"),
    "minimum": ("Minimum", "Minimum"),
    "maximum": ("Maximum", "Maximum"),
    "description": ("Omschrijving", "Description"),
    "source": ("Bron", "Source"),
    "note": ("Toelichting", "Note"),
    "weight_per": ("Weging per", "Weight per"),
    "budgeted": ("Begroot", "Budgeted"),
    "mpp_need": ("MPP-behoefte", "MPP need"),
    "coverage": ("Begroot / MPP-behoefte", "Budget / MPP need"),
    "budget_year": ("Begrotingsjaar", "Budget year"),
    "model_year": ("Modeljaar", "Model year"),
    "model_need": ("MPP-behoefte model", "Model MPP need"),
    "published": ("Gepubliceerd", "Published"),
    "published_py": ("Gepubliceerd, prijspeil", "Published, price year"),
    "difference": ("Verschil", "Difference"),
    "inflow_year": ("Instroom {year}", "Inflow {year}"),
    "scenario_count": ("Aantal scenario's", "Number of scenarios"),
    "objective_p10": ("Doelfunctie P10", "Objective P10"),
    "objective_p90": ("Doelfunctie P90", "Objective P90"),
    "cash_p10": ("Kasuitgaven P10", "Cash spending P10"),
    "cash_p90": ("Kasuitgaven P90", "Cash spending P90"),
    "backlog_p90": ("Voorraad IND aan het eind, P90 (personen)", "IND backlog at the end, P90 (persons)"),
    "bound": ("Ondergrens doelfunctie", "Bound on the objective"),
    "gap": ("Gap (bewezen afstand tot het optimum)", "Gap (proven distance to the optimum)"),
    "per_year": ("per jaar", "per year"),
    "year_end": ("eind jaar", "end of year"),
    "year_mean": ("gemiddeld over het jaar", "mean over the year"),
    "cases_per_year": ("zaken per jaar", "cases per year"),
    "locations": ("locaties", "locations"),
    # flows and plan quantities the annex does not name
    "housed": ("Gehuisveste statushouders", "Status holders housed"),
    "housing_outflow": ("Woningen voor statushouders (aanbod)", "Housing for status holders (supply)"),
    "accelerated_housing": ("Versnelde huisvesting", "Accelerated housing"),
    "unsupervised_departures": ("Vertrek met onbekende bestemming", "Departures to unknown destination"),
    "external_coa_staff": ("Ingehuurd personeel COA", "External COA staff"),
    "pool_active": ("Flexibele pool ingezet", "Flexible pool deployed"),
    "registration_surge": ("Politie ingezet bij registratie", "Police redeployed to registration"),
    "ind_surge": ("Tijdelijke extra IND-capaciteit", "Temporary extra IND staff"),
    "rejected": ("Afgewezen, nog niet vertrokken", "Rejected, not yet departed"),
    "hired_fte": ("Aangenomen medewerkers", "Staff hired"),
    "staff_fte": ("Medewerkers in dienst", "Staff"),
    "trainee_fte": ("Medewerkers in opleiding", "Trainees"),
    "capacity": ("Capaciteit", "Capacity"),
    "open_locations": ("Open locaties", "Open locations"),
    "opened_locations": ("Geopende locaties", "Locations opened"),
    "closed_locations": ("Gesloten locaties", "Locations closed"),
    "regular_places": ("Reguliere plaatsen COA", "Regular COA places"),
    "reserve_places": ("Reserveplaatsen COA", "COA reserve places"),
    "flexpool_fte": ("Flexibele pool", "Flexible pool"),
    "asielreserve": ("Storting in de asielreserve", "Deposit into the asylum reserve"),
    "budget": ("Begroting", "Budget"),
    "underspend_lapsed_eur": ("Onderuitputting vervallen", "Underspend lapsed"),
    "supplementary_funding_eur": ("Aanvullende financiering", "Supplementary funding"),
}

CONTENTS: tuple[tuple[str, str, str], ...] = (  # sheet word, what it holds (nl), (en)
    ("summary", "het advies en de uitkomsten in getallen", "the advice and the outcomes in numbers"),
    (
        "cash",
        "verwachte kasuitgaven per begrotingsartikel en jaar, prijspeil {year}",
        "expected cash per budget article and year, {year} prices",
    ),
    (
        "cash_current",
        "dezelfde kasuitgaven in lopende prijzen",
        "the same cash in current prices",
    ),
    (
        "funding",
        "begroting per ketenpartner en jaar tegen de MPP-behoefte",
        "budget per partner and year against the MPP need",
    ),
    (
        "reconciliation",
        "de MPP-behoefte van het model tegen de gepubliceerde begroting",
        "the model's MPP need against the published budget",
    ),
    ("reserve", "de asielreserve per jaar (verwacht)", "the asylum reserve per year (expected)"),
    (
        "costs",
        "kosten per ketenpartner, kostenpost en jaar (verwacht); modelweging apart",
        "cost per partner, item and year (expected); model weights apart",
    ),
    (
        "kpis",
        "indicatoren: verwacht en de spreiding over de scenario's",
        "indicators: expected and the spread over the scenarios",
    ),
    ("flows", "stromen en voorraden per jaar (verwacht)", "flows and stocks per year (expected)"),
    ("plan", "het plan per jaar: personeel, plaatsen, begroting", "the plan per year: staff, places, budget"),
    (
        "scenarios",
        "per scenario: kans, instroom per jaar en de uitkomsten",
        "per scenario: probability, inflow per year and the outcomes",
    ),
    (
        "weights",
        "de modelwegingen (geen uitgaven) met hun bron",
        "the model weights (not spending) with their source",
    ),
    ("provenance", "herkomst van deze uitkomst", "provenance of this result"),
    ("glossary", "begrippen", "glossary"),
)
TECHNICAL_NOTE = (
    "Bladen 'Technisch …' (grijs): de opgeslagen tabellen en invoerbestanden zoals het model ze "
    "gebruikt, met de codes van het model; voor wie de getallen narekent.",
    "Sheets 'Technical …' (grey): the stored tables and input files as the model uses them, with "
    "the model's codes; for whoever checks the numbers.",
)
UNITS_NOTE = (
    "Bedragen in € mln, prijspeil {year}, tenzij de eenheid (rij 2 van elk blad) anders zegt; "
    "percentages als %. Modelwegingen zijn geen uitgaven.",
    "Amounts in € million at {year} prices unless the unit (row 2 of each sheet) says otherwise; "
    "ratios as %. Model weights are not spending.",
)
CONCEPT = ("Concept — ter bespreking", "Draft — for discussion")

STOCKS = frozenset(  # flows-table quantities that are stocks: shown at the end of each year
    {"ind_backlog", "registration_queue", "status_holders", "rejected", "occupancy", "late_cases"}
)
LEVELS = frozenset(  # capacities and places: shown as the mean over the year
    {
        "regular_capacity",
        "reserve_active",
        "emergency_places",
        "external_coa_staff",
        "pool_active",
        "registration_surge",
        "ind_surge",
        "staff_fte",
        "trainee_fte",
        "open_locations",
        "regular_places",
        "reserve_places",
        "flexpool_fte",
    }
)
FLOW_ORDER = (  # the flows sheet follows the chain: inflow, registration, IND, COA, departure
    "inflow",
    "registered",
    "registration_capacity",
    "registration_surge",
    "registration_queue",
    "decisions",
    "decision_capacity",
    "ind_surge",
    "ind_backlog",
    "late_cases",
    "pool_active",
    "occupancy",
    "regular_capacity",
    "reserve_active",
    "emergency_places",
    "external_coa_staff",
    "status_holders",
    "housing_outflow",
    "housed",
    "accelerated_housing",
    "rejected",
    "returns",
    "return_capacity",
    "unsupervised_departures",
)
CATEGORY_ORDER = ("first", "nareis", "repeat", "registration", "ind", "coa", "dtv")
PER_PERIOD_CAPACITY = frozenset(  # capacities stated per period that make sense summed over a year
    {"capacity"}
)
MONEY_PLAN = frozenset({"asielreserve", "budget"})
PLAN_ORDER = (
    "budget",
    "asielreserve",
    "flexpool_fte",
    "reserve_places",
    "regular_places",
    "hired_fte",
    "staff_fte",
    "trainee_fte",
    "capacity",
    "open_locations",
    "opened_locations",
    "closed_locations",
)
PARTNER_ORDER = ("registration", "ind", "coa", "dtv", "flexpool", "chain", "asielreserve")
KIND_ORDER = ("cash", "weight", "valuation")
SUMMARY_KPIS = (  # expected KPIs on the summary sheet, in this order
    "spending_eur",
    "total_cost_eur",
    "weights_eur",
    "end_state_value_eur",
    "backlog_end_persons",
    "late_case_months",
    "emergency_place_months",
    "registration_queue_person_days",
    "supplementary_funding_eur",
    "reserve_draw_eur",
    "reserve_end_balance_eur",
)
SCENARIO_KPIS = (  # per-scenario outcome columns of the scenarios sheet
    "spending_eur",
    "total_cost_eur",
    "backlog_end_persons",
    "late_case_months",
    "emergency_place_months",
    "supplementary_funding_eur",
    "reserve_draw_eur",
)
QUANTILES = (("P10", data.LOW_QUANTILE), ("P50", data.MID_QUANTILE), ("P90", data.HIGH_QUANTILE))


def w(key: str, lang: Lang) -> str:
    """A workbook word, else the annex's word, else the code in plain words (never snake_case)."""
    if key in WORDS:
        nl, en = WORDS[key]
        return nl if lang == "nl" else en
    if key in TERMS:
        return term(key, lang)
    return key.replace("_", " ")


PARTNER_WORDS = {"chain": ("Keten", "Chain"), "asielreserve": ("Asielreserve", "Asylum reserve")}


def _partner(code: object, lang: Lang) -> str:
    """A partner (budget line) in words; the chain line holds weights, the kind column says so."""
    text = str(code)
    if text in PARTNER_WORDS:
        return PARTNER_WORDS[text][0 if lang == "nl" else 1]
    return w(text, lang) if text else ""


def _order(values: Iterable[object], order: tuple[str, ...]) -> list[str]:
    rank = {k: i for i, k in enumerate(order)}
    return sorted(dict.fromkeys(map(str, values)), key=lambda v: (rank.get(v, len(rank)), v))


def _price_year(record: RunRecord) -> object:
    try:
        settings = tomllib.loads((record.case_copy / SETTINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return "?"
    return settings.get("case", {}).get("price_year", "?")


# --------------------------------------------------------------------------- units per row

UnitRow = tuple[str, str]  # (unit shown, number format)


def _kpi_unit(kpi: str, unit_text: str, lang: Lang) -> UnitRow:
    """How an indicator is shown: money in € mln, else its own unit in words."""
    u = str(unit_text).strip()
    if u.lower().startswith(("eur", "€")):
        return unit("mln", lang), MILLIONS
    if u.lower() in ("ratio", "share", "probability"):
        return unit("percent", lang), PERCENT
    words = term(u, lang) if u in TERMS else unit_words(u, lang)
    whole = kpi.endswith(("_persons", "_months", "_days")) or u.lower() in ("places", "persons")
    return words, COUNT if whole else DECIMAL


def _kpi_value(value: object, unit_text: str) -> float | None:
    u = str(unit_text).strip().lower()
    return millions(value) if u.startswith(("eur", "€")) else as_number(value)


# --------------------------------------------------------------------------- user sheets


def _contents_sheet(record: RunRecord, lang: Lang, price_year: object) -> Sheet:
    pick = 0 if lang == "nl" else 1
    created = str(record.manifest.raw.get("created", ""))[:10]
    rows = [
        (term("report_title", lang), ""),
        (CONCEPT[pick], f"{created} · {term('run_id', lang)} {record.run_id}"),
        (UNITS_NOTE[pick].format(year=price_year), ""),
        ("", ""),
    ]
    rows += [(w(sheet, lang), text[pick].format(year=price_year)) for sheet, *text in CONTENTS]
    rows.append((w("technical", lang) + " …", TECHNICAL_NOTE[pick]))
    frame = pd.DataFrame(rows, columns=["sheet", "what"])
    return Sheet(
        w("contents", lang), frame, (Column("sheet", w("sheet", lang)), Column("what", w("what", lang)))
    )


def _summary_sheet(record: RunRecord, lang: Lang) -> Sheet:
    """The advice and its outcomes as numbers: the levers, cash, the objective's spread, service."""
    s = data.summarise(record)
    rows: list[tuple[str, float | None, str, str]] = []
    for lever, value, unit_text in zip(s.levers["lever"], s.levers["value"], s.levers["unit"], strict=True):
        shown, fmt = _kpi_unit(str(lever), str(unit_text), lang)
        if str(lever).endswith("_rate") or "/" in str(unit_text):
            shown, fmt = unit("percent", lang), PERCENT
        if str(unit_text).upper() == "FTE":
            fmt = DECIMAL
        rows.append((term(str(lever), lang), _kpi_value(value, unit_text), shown, fmt))
    expected = data.expected_kpis(record).set_index("kpi")
    per_cash = data.scenario_kpi(record, "spending_eur")
    p = data.probabilities(record)
    mln = unit("mln", lang)
    for key in SUMMARY_KPIS:
        if key not in expected.index:
            continue
        unit_text = str(expected.loc[key, "unit"])
        shown, fmt = _kpi_unit(key, unit_text, lang)
        rows.append((kpi_label(key, lang), _kpi_value(expected.loc[key, "value"], unit_text), shown, fmt))
        if key == "spending_eur" and not per_cash.empty:
            for label, q in (("cash_p10", data.LOW_QUANTILE), ("cash_p90", data.HIGH_QUANTILE)):
                rows.append((w(label, lang), millions(data.weighted_quantile(per_cash, p, q)), mln, MILLIONS))
        if key == "total_cost_eur":
            rows.append((w("objective_p10", lang), millions(s.cost_p10), mln, MILLIONS))
            rows.append((w("objective_p90", lang), millions(s.cost_p90), mln, MILLIONS))
            if s.cost_cvar is not None:
                rows.append((term("cvar_total_cost_eur", lang), millions(s.cost_cvar), mln, MILLIONS))
        if key == "backlog_end_persons" and s.backlog_p90 is not None:
            rows.append((w("backlog_p90", lang), s.backlog_p90, unit("persons", lang), COUNT))
    rows.append((w("scenario_count", lang), float(s.scenario_count), unit("number", lang), COUNT))
    raw = record.manifest.raw
    rows.append((w("bound", lang), millions(raw.get("bound")), mln, MILLIONS))
    rows.append((w("gap", lang), as_number(raw.get("gap")), unit("percent", lang), "0.00%"))
    frame = pd.DataFrame(rows, columns=["item", "value", "unit", "fmt"])
    return Sheet(
        w("summary", lang),
        frame,
        (
            Column("item", w("item", lang)),
            Column("value", w("amount", lang), unit("per_row", lang), PER_ROW),
            Column("unit", w("unit", lang)),
        ),
        row_formats=tuple(frame["fmt"]),
    )


def _year_columns(years: Iterable[object], lang: Lang, what: str, fmt: str = MILLIONS) -> tuple[Column, ...]:
    return tuple(Column(str(y), str(y), what, fmt) for y in years)


def _cash_sheet(record: RunRecord, prices: str, lang: Lang) -> Sheet | None:
    budget = record.table("budget")
    if budget.empty:
        return None
    wide = budget_wide(budget, prices)
    years = [c for c in wide.columns if c not in ("article", "partner")]
    frame = pd.DataFrame(
        {"article": wide["article"], "partner": [_partner(p, lang) for p in wide["partner"]]}
    )
    for y in years:
        frame[y] = wide[y] / 1e6
    frame["total"] = frame[years].sum(axis=1)
    total = {"article": w("total", lang), "partner": "", **{c: frame[c].sum() for c in [*years, "total"]}}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    mln = unit("mln", lang)
    return Sheet(
        w("cash" if prices == CONSTANT else "cash_current", lang),
        frame,
        (
            Column("article", term("article", lang)),
            Column("partner", term("partner", lang)),
            *_year_columns(years, lang, mln),
            Column("total", w("total", lang), mln, MILLIONS),
        ),
        keys=2,
    )


def _funding_sheet(record: RunRecord, lang: Lang) -> Sheet | None:
    f = data.funding_table(record)
    if f.empty:
        return None
    years = sorted(int(y) for y in f["year"].unique())
    rows, formats = [], []
    for partner in _order(f["partner"], PARTNER_ORDER):
        sub = f[f["partner"] == partner].set_index("year")
        budget = {y: float(sub["budget_eur"].get(y, math.nan)) for y in years}
        need = {y: float(sub["mpp_need_eur"].get(y, math.nan)) for y in years}
        for measure, values in (("budgeted", budget), ("mpp_need", need)):
            row = {"partner": _partner(partner, lang), "measure": w(measure, lang), "unit": unit("mln", lang)}
            row |= {str(y): millions(values[y]) for y in years}
            row["total"] = millions(sum(v for v in values.values() if math.isfinite(v)))
            rows.append(row)
            formats.append(MILLIONS)
        ratio = {str(y): (budget[y] / need[y] if need[y] > 0 else None) for y in years}
        tot_need = sum(v for v in need.values() if math.isfinite(v))
        tot_budget = sum(v for v in budget.values() if math.isfinite(v))
        rows.append(
            {
                "partner": _partner(partner, lang),
                "measure": w("coverage", lang),
                "unit": unit("percent", lang),
                **ratio,
                "total": tot_budget / tot_need if tot_need > 0 else None,
            }
        )
        formats.append(PERCENT)
    frame = pd.DataFrame(rows)
    per_row = unit("per_row", lang)
    return Sheet(
        w("funding", lang),
        frame,
        (
            Column("partner", term("partner", lang)),
            Column("measure", w("measure", lang)),
            Column("unit", w("unit", lang)),
            *(Column(str(y), str(y), per_row, PER_ROW) for y in years),
            Column("total", w("total", lang), per_row, PER_ROW),
        ),
        keys=3,
        row_formats=tuple(formats),
    )


def _reconciliation_sheet(record: RunRecord, lang: Lang) -> Sheet | None:
    rec = record.table("reconciliation")
    if rec.empty:
        return None
    mln = unit("mln", lang)
    frame = pd.DataFrame(
        {
            "partner": [_partner(p, lang) for p in rec["partner"]],
            "year": [as_number(y) for y in rec["year"]],
            "model_year": [as_number(y) for y in rec.get("model_year", rec["year"])],
            "need": [millions(v) for v in rec["model_mpp_need_eur"]],
            "published": [millions(v) for v in rec["published_eur"]],
            "published_py": [millions(v) for v in rec["published_price_year_eur"]],
            "difference": [None if as_number(v) is None else float(v) / 100.0 for v in rec["difference_pct"]],
            "source": [_source_keys(str(v), lang) for v in rec["source"].fillna("")],
            "note": rec["note"].fillna("").astype(str) if "note" in rec.columns else "",
        }
    )
    return Sheet(
        w("reconciliation", lang),
        frame,
        (
            Column("partner", term("partner", lang)),
            Column("year", w("budget_year", lang), unit("year", lang), YEAR),
            Column("model_year", w("model_year", lang), unit("year", lang), YEAR),
            Column("need", w("model_need", lang), mln, MILLIONS),
            Column("published", w("published", lang), mln, MILLIONS),
            Column("published_py", w("published_py", lang), mln, MILLIONS),
            Column("difference", w("difference", lang), unit("percent", lang), PERCENT),
            Column("source", w("source", lang)),
            Column("note", w("note", lang)),
        ),
    )


def _reserve_sheet(record: RunRecord, lang: Lang) -> Sheet | None:
    per = reserve_per_year(record.table("reserve"), record.table("scenarios"))
    if per.empty:
        return None
    years = [int(y) for y in per["year"]]
    rows = []
    for col in [c for c in per.columns if c.endswith("_eur")]:
        key = f"reserve_{col}" if f"reserve_{col}" in TERMS else col
        values = dict(zip(years, per[col], strict=True))
        rows.append({"measure": w(key, lang), **{str(y): millions(v) for y, v in values.items()}})
    frame = pd.DataFrame(rows)
    return Sheet(
        w("reserve", lang),
        frame,
        (Column("measure", w("measure", lang)), *_year_columns(years, lang, unit("mln", lang))),
    )


def _costs_sheet(record: RunRecord, lang: Lang) -> Sheet | None:
    exp = data.expected_costs(record, ["kind", "partner", "component", "year"], kinds=None)
    if exp.empty:
        return None
    years = sorted(int(y) for y in exp["year"].unique())
    rows = []
    for kind in _order(exp["kind"], KIND_ORDER):
        sub = exp[exp["kind"] == kind]
        for partner in _order(sub["partner"], PARTNER_ORDER):
            part = sub[sub["partner"] == partner]
            for component in _order(part["component"], ()):
                one = part[part["component"] == component].set_index("year")["value_eur"]
                values = {str(y): millions(one.get(y, 0.0)) for y in years}
                rows.append(
                    {
                        "kind": w(kind, lang),
                        "partner": _partner(partner, lang),
                        "component": w(component, lang),
                        **values,
                        "total": millions(float(one.sum())),
                    }
                )
    frame = pd.DataFrame(rows)
    mln = unit("mln", lang)
    return Sheet(
        w("costs", lang),
        frame,
        (
            Column("kind", term("kind", lang)),
            Column("partner", term("partner", lang)),
            Column("component", term("component", lang)),
            *_year_columns(years, lang, mln),
            Column("total", w("total", lang), mln, MILLIONS),
        ),
        keys=3,
    )


def _kpis_sheet(record: RunRecord, lang: Lang) -> Sheet | None:
    k = record.table("kpis")
    if k.empty:
        return None
    p = data.probabilities(record)
    expected = k[k["scenario"] == data.EXPECTED]
    per = k[k["scenario"] != data.EXPECTED]
    rows, formats = [], []
    for kpi, value, unit_text in zip(expected["kpi"], expected["value"], expected["unit"], strict=True):
        shown, fmt = _kpi_unit(str(kpi), str(unit_text), lang)
        vals = per[per["kpi"] == kpi].set_index("scenario")["value"].astype(float)
        row = {"kpi": kpi_label(str(kpi), lang), "unit": shown, "expected": _kpi_value(value, unit_text)}
        for name, q in QUANTILES:
            row[name] = _kpi_value(data.weighted_quantile(vals, p, q), unit_text) if not vals.empty else None
        row["min"] = _kpi_value(vals.min(), unit_text) if not vals.empty else None
        row["max"] = _kpi_value(vals.max(), unit_text) if not vals.empty else None
        rows.append(row)
        formats.append(fmt)
    frame = pd.DataFrame(rows)
    per_row = unit("per_row", lang)
    return Sheet(
        w("kpis", lang),
        frame,
        (
            Column("kpi", term("kpi", lang)),
            Column("unit", w("unit", lang)),
            Column("expected", w("expected", lang), per_row, PER_ROW),
            *(Column(name, name, per_row, PER_ROW) for name, _ in QUANTILES),
            Column("min", w("minimum", lang), per_row, PER_ROW),
            Column("max", w("maximum", lang), per_row, PER_ROW),
        ),
        keys=2,
        row_formats=tuple(formats),
    )


def _per_year(values: pd.DataFrame, quantity: str) -> pd.Series:
    """One quantity's (period, year, value) rows per year: flows summed, stocks at year end, levels mean."""
    if quantity in STOCKS:
        return values.sort_values("period").groupby("year")["value"].last()
    if quantity in LEVELS:
        return values.groupby("year")["value"].mean()
    return values.groupby("year")["value"].sum()


def _aggregation_word(quantity: str, unit_text: str, lang: Lang) -> str:
    base = term(unit_text, lang) if unit_text in TERMS else unit_words(unit_text, lang)
    if quantity in STOCKS:
        return f"{base}, {w('year_end', lang)}"
    if quantity in LEVELS:
        return f"{base}, {w('year_mean', lang)}"
    return f"{base} {w('per_year', lang)}"


def _flows_sheet(record: RunRecord, lang: Lang) -> Sheet | None:
    flows = record.table("flows")
    if flows.empty:
        return None
    p = data.probabilities(record)
    weighted = flows.assign(
        value=flows["value"].astype(float) * flows["scenario"].map(p).fillna(0.0),
        category=flows["category"].fillna("").astype(str),
    )
    exp = weighted.groupby(["quantity", "category", "unit", "period", "year"], as_index=False)["value"].sum()
    years = sorted(int(y) for y in exp["year"].unique())
    rows, formats = [], []
    rank = {q: i for i, q in enumerate(FLOW_ORDER)}
    crank = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    groups = sorted(
        exp.groupby(["quantity", "category", "unit"], sort=False),
        key=lambda g: (rank.get(str(g[0][0]), len(rank)), str(g[0][0]), crank.get(str(g[0][1]), len(crank))),
    )
    for (quantity, category, unit_text), grp in groups:
        yearly = _per_year(grp, str(quantity))
        rows.append(
            {
                "quantity": w(str(quantity), lang),
                "category": w(str(category), lang) if category else "",
                "unit": _aggregation_word(str(quantity), str(unit_text), lang),
                **{str(y): as_number(yearly.get(y)) for y in years},
            }
        )
        formats.append(DECIMAL if str(unit_text).upper() == "FTE" else COUNT)
    frame = pd.DataFrame(rows)
    per_row = unit("per_row", lang)
    return Sheet(
        w("flows", lang),
        frame,
        (
            Column("quantity", w("measure", lang)),
            Column("category", term("category", lang)),
            Column("unit", w("unit", lang)),
            *(Column(str(y), str(y), per_row, PER_ROW) for y in years),
        ),
        keys=3,
        row_formats=tuple(formats),
    )


def _plan_unit(lever: str, unit_text: str, lang: Lang) -> UnitRow:
    if lever in MONEY_PLAN:
        return unit("mln", lang) + " " + w("per_year", lang), MILLIONS
    if lever in PER_PERIOD_CAPACITY:
        return w("cases_per_year", lang), COUNT
    base = {"FTE": unit("fte", lang), "places": unit("places", lang), "locations": w("locations", lang)}.get(
        unit_text, unit_words(unit_text, lang)
    )
    if lever in LEVELS:
        return f"{base}, {w('year_mean', lang)}", DECIMAL if unit_text == "FTE" else COUNT
    return f"{base} {w('per_year', lang)}", DECIMAL if unit_text == "FTE" else COUNT


def _plan_sheet(record: RunRecord, lang: Lang) -> Sheet | None:
    plan = record.table("plan")
    if plan.empty:
        return None
    parts = plan["lever"].astype(str).str.partition(":")
    plan = plan.assign(
        base=parts[0],
        place=parts[2],
        period=plan["period"].fillna("").astype(str),
    )
    years = sorted(int(y) for y in plan["year"].dropna().unique())
    rows, formats = [], []
    for base in _order(plan["base"], PLAN_ORDER):
        sub = plan[plan["base"] == base]
        for partner in _order(sub["partner"], PARTNER_ORDER):
            part = sub[sub["partner"] == partner]
            for place in _order(part["place"], ()):
                one = part[part["place"] == place]
                shown, fmt = _plan_unit(base, str(one["unit"].iloc[0]), lang)
                yearly = _per_year(one, base if base in LEVELS else "")
                scale: Callable[[object], float | None] = millions if base in MONEY_PLAN else as_number
                what = w(base, lang) + (f": {place}" if place else "")
                rows.append(
                    {
                        "lever": what,
                        "partner": _partner(partner, lang),
                        "unit": shown,
                        **{str(y): scale(yearly.get(y)) for y in years},
                    }
                )
                formats.append(fmt)
    frame = pd.DataFrame(rows)
    per_row = unit("per_row", lang)
    return Sheet(
        w("plan", lang),
        frame,
        (
            Column("lever", term("lever", lang)),
            Column("partner", term("partner", lang)),
            Column("unit", w("unit", lang)),
            *(Column(str(y), str(y), per_row, PER_ROW) for y in years),
        ),
        keys=3,
        row_formats=tuple(formats),
    )


def _scenarios_sheet(record: RunRecord, lang: Lang) -> Sheet | None:
    scen = record.table("scenarios")
    if scen.empty:
        return None
    frame = pd.DataFrame({"scenario": scen["scenario"].astype(str), "probability": scen["probability"]})
    columns: list[Column] = [
        Column("scenario", term("scenario", lang)),
        Column("probability", term("probability", lang), unit("percent", lang), PERCENT),
    ]
    flows = record.table("flows")
    if not flows.empty:
        inflow = flows[flows["quantity"] == data.INFLOW_QUANTITY]
        per_year = inflow.groupby(["scenario", "year"])["value"].sum().unstack("year")
        for y in sorted(per_year.columns):
            key = f"inflow_{y}"
            frame[key] = frame["scenario"].map(per_year[y]).astype(float)
            columns.append(Column(key, w("inflow_year", lang).format(year=y), unit("persons", lang), COUNT))
    k = record.table("kpis")
    units = dict(zip(k["kpi"], k["unit"], strict=True)) if not k.empty else {}
    for kpi in SCENARIO_KPIS:
        values = data.scenario_kpi(record, kpi)
        if values.empty:
            continue
        unit_text = str(units.get(kpi, "EUR"))
        shown, fmt = _kpi_unit(kpi, unit_text, lang)
        frame[kpi] = [_kpi_value(values.get(s), unit_text) for s in frame["scenario"]]
        columns.append(Column(kpi, kpi_label(kpi, lang), shown, fmt))
    return Sheet(w("scenarios", lang), frame, tuple(columns))


def _weights_sheet(record: RunRecord, lang: Lang) -> Sheet | None:
    settings = settings_with_sources(record.case_copy / SETTINGS_FILE)
    if not settings:
        return None
    weights = weights_table(settings, lang)
    what, _setting, unit_col, value_col, source_col = weights.columns
    frame = pd.DataFrame(
        {
            "what": weights[what],
            "unit": [unit_words(str(u), lang) for u in weights[unit_col]],
            "value": [as_number(_float(v)) for v in weights[value_col]],
            "source": [_source_keys(str(v), lang) for v in weights[source_col]],
        }
    )
    return Sheet(
        w("weights", lang),
        frame,
        (
            Column("what", w("weight_per", lang)),
            Column("unit", w("unit", lang)),
            Column("value", w("amount", lang), unit("per_row", lang), PRECISE),
            Column("source", w("source", lang)),
        ),
    )


def _float(value: object) -> float | None:
    try:
        return float(str(value))
    except ValueError:
        return None


def _provenance_sheet(record: RunRecord, lang: Lang) -> Sheet:
    raw = record.manifest.raw
    solver = raw.get("solver", {}) or {}
    scen = raw.get("scenarios", {}) or {}
    git = raw.get("git") or {}
    case = raw.get("case", {}) or {}
    rows = [
        (term("run_id", lang), record.run_id),
        (term("created", lang), str(raw.get("created", ""))),
        (term("status", lang), status_word(raw.get("status", ""), lang)),
        (term("solver", lang), f"{solver.get('name', '')} {solver.get('version', '')}".strip()),
        (term("seed", lang), str(raw.get("seed", ""))),
        (term("scenarios_table", lang), f"{scen.get('name', '')} ({scen.get('count', '')})"),
        (term("scenarios_table", lang) + " sha256", str(scen.get("sha256", ""))[:HASH_SHOWN_CHARS]),
        (term("case", lang) + " sha256", str(case.get("sha256", ""))[:HASH_SHOWN_CHARS]),
        (
            term("git", lang),
            f"{git.get('commit', '–')}{' ' + term('dirty', lang) if git.get('dirty') else ''}",
        ),
        (term("versions", lang), ", ".join(f"{k} {v}" for k, v in (raw.get("versions") or {}).items())),
    ]
    frame = pd.DataFrame(rows, columns=["key", "value"])
    return Sheet(
        w("provenance", lang), frame, (Column("key", term("key", lang)), Column("value", w("amount", lang)))
    )


def _glossary_sheet(lang: Lang) -> Sheet:
    if lang == "nl":
        rows = [(nl, meaning.split(" / ")[0]) for nl, _en, meaning in GLOSSARY]
        rows += [(abbr, words) for abbr, words, _en, _k in METHOD_TERMS if abbr != "MPP"]
        head = ("Begrip", "Betekenis")
    else:
        rows = [(en, meaning.split(" / ")[-1]) for _nl, en, meaning in GLOSSARY]
        rows += [(abbr, en) for abbr, _nl, en, _k in METHOD_TERMS if abbr != "MPP"]
        head = ("Term", "Meaning")
    frame = pd.DataFrame(rows, columns=["term", "meaning"])
    return Sheet(w("glossary", lang), frame, (Column("term", head[0]), Column("meaning", head[1])))


def _changed_sheet(record: RunRecord, lang: Lang) -> Sheet | None:
    """The values that differ from the shipped default case, old and new, with their sources."""
    folder = shipped_default_case()
    if folder is None or not record.case_copy.is_dir():
        return None
    try:
        changes = changed_values(load_case(record.case_copy), load_case(folder))
    except (InputErrors, OSError):
        return None
    if not changes:
        return None
    from bekostiging.report.document import _changed_value  # the annex's words for a value
    from bekostiging.report.memo import setting_words, source_words

    keys = ("changed_what", "default_value", "this_value", "default_source", "this_source")
    frame = pd.DataFrame(
        [
            (
                setting_words(c.what, lang),
                _changed_value(c.default, lang),
                _changed_value(c.value, lang),
                source_words(c.default_source, lang),
                source_words(c.source, lang),
            )
            for c in changes
        ],
        columns=keys,
    )
    return Sheet(w("changed", lang), frame, tuple(Column(k, term(k, lang)) for k in keys))


# --------------------------------------------------------------------------- technical sheets


def _technical(name: str, lang: Lang) -> str:
    return f"{w('technical', lang)} {name}"


def technical_sheets(record: RunRecord, lang: Lang) -> list[Sheet]:
    """Every stored result table and input file as it is (the model's codes), on grey tabs.

    The flows table (one row per scenario, month, quantity and category: 93,000 rows for
    50 scenarios over five years) is given per scenario and year; the monthly table stays
    in the run folder (``tables/flows.csv``).
    """
    sheets = []
    names = {"first_stage": w("variables", lang), "budget": w("cash", lang).lower()}
    for tname, frame in record.tables.items():
        shown = names.get(tname) or w(tname, lang).lower()
        table = flows_per_scenario_year(frame) if tname == "flows" else frame
        sheets.append(Sheet(_technical(shown, lang), table, technical=True, keys=0))
    settings = settings_with_sources(record.case_copy / SETTINGS_FILE)
    if settings:
        frame = pd.DataFrame(settings, columns=["key", "value", "source"])
        sheets.append(Sheet(_technical(w("settings", lang), lang), frame, technical=True, keys=1))
    sheets += input_sheets(record, lang)
    return sheets


def flows_per_scenario_year(flows: pd.DataFrame) -> pd.DataFrame:
    """scenario, quantity, category, unit, per_year (sum, year_end or mean) and one column per year."""
    if flows.empty:
        return flows
    flows = flows.assign(category=flows["category"].fillna("").astype(str))
    keys = ["scenario", "quantity", "category", "unit"]
    ordered = flows.sort_values("period", kind="stable")
    grouped = ordered.groupby([*keys, "year"], sort=False)["value"]
    parts = {"sum": grouped.sum(), "year_end": grouped.last(), "mean": grouped.mean()}
    how = flows["quantity"].map(lambda q: "year_end" if q in STOCKS else "mean" if q in LEVELS else "sum")
    rule = dict(zip(flows["quantity"], how, strict=True))
    rows = []
    for name, series in parts.items():
        chosen = {q for q, r in rule.items() if r == name}
        picked = series[series.index.get_level_values("quantity").isin(chosen)]
        if not picked.empty:
            wide = picked.unstack("year")
            wide.insert(0, "per_year", name)
            rows.append(wide)
    out = pd.concat(rows).reset_index()
    out.columns = [str(c) for c in out.columns]
    return out.sort_values(["scenario", "quantity", "category"], kind="stable").reset_index(drop=True)


def input_sheets(record: RunRecord, lang: Lang = "nl") -> list[Sheet]:
    """The stored input CSV files, one technical sheet each; number columns stay numbers."""
    out = []
    root = record.case_copy
    if not root.is_dir():
        return out
    for csv in sorted(root.rglob("*.csv")):
        frame = _numeric_where_possible(pd.read_csv(csv, keep_default_na=False))
        name = f"{w('technical', lang)} {w('input', lang)} {csv.stem}"
        out.append(Sheet(name, frame, technical=True, keys=0))
    return out


def _numeric_where_possible(frame: pd.DataFrame) -> pd.DataFrame:
    """A text column whose filled cells are all numbers becomes a number column (empty → missing)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype != object:
            continue
        filled = out[col][out[col].astype(str).str.strip() != ""]
        converted = pd.to_numeric(filled, errors="coerce")
        if len(filled) and converted.notna().all():
            out[col] = pd.to_numeric(out[col].replace("", None), errors="coerce")
    return out


# --------------------------------------------------------------------------- the workbook


def _options_sheets(record: RunRecord, lang: Lang, options_dir: Path | None) -> list[Sheet]:
    """The options comparison (``report --options DIR`` or the run's own copy), as ``options.xlsx``."""
    from bekostiging.report.analysis import SENSITIVITY_FILE
    from bekostiging.report.options_section import read_options

    frame = read_options(record.path, options_dir)
    if frame is None:
        return []
    from bekostiging.report.options_workbook import options_sheets  # the same sheets as options.xlsx

    sensitivity = None
    for folder in ([options_dir] if options_dir is not None else []) + [record.path / "analysis"]:
        if (folder / SENSITIVITY_FILE).is_file():
            sensitivity = pd.read_csv(folder / SENSITIVITY_FILE)
            break
    if "cash_rank" not in frame.columns:
        frame = frame.assign(cash_rank=frame["expected_cash_eur"].rank(method="min"))
    return options_sheets(frame, sensitivity, lang)


def report_sheets(
    record: RunRecord, lang: Lang, doc: Document | None = None, options_dir: Path | None = None
) -> list[Sheet]:
    """User sheets in the report's language, then the technical sheets."""
    price_year = _price_year(record)
    built: list[Sheet | None] = [
        _contents_sheet(record, lang, price_year),
        _summary_sheet(record, lang),
        _cash_sheet(record, CONSTANT, lang),
        _cash_sheet(record, CURRENT, lang),
        _funding_sheet(record, lang),
        _reconciliation_sheet(record, lang),
        _reserve_sheet(record, lang),
        _costs_sheet(record, lang),
        _kpis_sheet(record, lang),
        _flows_sheet(record, lang),
        _plan_sheet(record, lang),
        _scenarios_sheet(record, lang),
        _weights_sheet(record, lang),
        _provenance_sheet(record, lang),
    ]
    del doc  # the workbook is built from the run's tables; the annex's words are not needed
    built.append(_changed_sheet(record, lang))
    built.append(_glossary_sheet(lang))
    sheets = [s for s in built if s is not None]
    options = _options_sheets(record, lang, options_dir)
    user_options = [o for o in options if not o.technical]
    at = next((i for i, s in enumerate(sheets) if s.name == w("weights", lang)), len(sheets))
    sheets[at:at] = user_options
    return sheets + [o for o in options if o.technical] + technical_sheets(record, lang)


def write_report_xlsx(
    record: RunRecord, lang: Lang, path: Path, doc: Document | None = None, options_dir: Path | None = None
) -> None:
    write_workbook(report_sheets(record, lang, doc, options_dir), path, lang)
