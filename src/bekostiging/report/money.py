"""Money in the summaries: cash and service outcomes first, the fund, the end state, weights apart.

:func:`money_lines` turns a run's tables into the lines ``solve`` and ``show`` print
and the annex reuses; the numbers come from :mod:`bekostiging.budget`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from bekostiging.budget import EXPECTED, funding_flags, reserve_per_year

CASH_KPIS = ("spending_eur",)
SERVICE_KPIS = (
    "backlog_end_persons",
    "late_case_months",
    "emergency_place_months",
    "registration_queue_person_days",
    "supplementary_funding_eur",
)
RESERVE_KPIS = (
    "reserve_deposit_eur",
    "reserve_underspend_in_eur",
    "reserve_draw_eur",
    "reserve_end_balance_eur",
)
WEIGHT_KPIS = (
    "weight_late_cases_eur",
    "weight_registration_queue_eur",
    "weight_supplementary_funding_eur",
    "weight_unspent_budget_eur",
    "weight_asielreserve_eur",
)
VALUATION_KPIS = ("terminal_backlog_eur", "terminal_staff_eur", "reserve_end_value_loss_eur")
END_STATE = (  # (label key, start KPI, end KPI)
    ("backlog", "backlog_start_persons", "backlog_end_persons"),
    ("registration_queue", "registration_queue_start_persons", "registration_queue_end_persons"),
    ("occupancy", "occupancy_start_persons", "occupancy_end_persons"),
    ("reserve_balance", "reserve_start_balance_eur", "reserve_end_balance_eur"),
)
LABELS: dict[str, tuple[str, str]] = {  # (nl, en)
    "cash": ("Kasuitgaven ketenpartners (verwacht)", "Cash spending of the partners (expected)"),
    "service": ("Uitkomsten voor de keten (verwacht)", "Service outcomes (expected)"),
    "fund": ("Asielreserve (verwacht, over de horizon)", "Asylum reserve (expected, over the horizon)"),
    "weights": ("Modelweging, geen uitgave", "Model weights, not spending"),
    "valuation": (
        "Waardering eindtoestand (geen uitgave in de horizon)",
        "End state valued (not spent in the horizon)",
    ),
    "objective": (
        "Doelfunctie = kasuitgaven + modelweging + waardering",
        "Objective = cash + weights + valuation",
    ),
    "end_state": ("Eindtoestand t.o.v. de start (verwacht)", "End state against the start (expected)"),
    "flags": (
        "Financiering onder 95% van de MPP-behoefte (partner, jaar, verhouding):",
        "Funding below 95% of the MPP need (partner, year, ratio):",
    ),
    "ratio_per_partner": (
        "Financiering t.o.v. MPP-behoefte per partner en jaar",
        "Funding against the MPP need per partner and year",
    ),
    "no_flags": (
        "Geen partner-jaar onder 95% van de MPP-behoefte.",
        "No partner-year below 95% of its MPP need.",
    ),
    "backlog": ("Voorraad IND (personen)", "IND backlog (persons)"),
    "registration_queue": ("Wachtrij registratie (personen)", "Registration queue (persons)"),
    "occupancy": ("Bezetting COA (personen)", "COA occupancy (persons)"),
    "reserve_balance": ("Saldo asielreserve", "Asylum reserve balance"),
    "spending_eur": ("Kasuitgaven", "Cash spending"),
    "backlog_end_persons": ("Voorraad IND aan het eind (personen)", "IND backlog end of horizon (persons)"),
    "late_case_months": ("Zaken over de termijn (zaak-maanden)", "Late cases (case-months)"),
    "emergency_place_months": ("Noodopvang (plaats-maanden)", "Emergency shelter (place-months)"),
    "registration_queue_person_days": (
        "Wachtrij registratie (persoonsdagen)",
        "Registration queue (person-days)",
    ),
    "supplementary_funding_eur": ("Aanvullende financiering", "Supplementary funding"),
    "reserve_deposit_eur": ("Storting uit de begroting", "Deposits from the budget"),
    "reserve_underspend_in_eur": ("Onderuitputting naar de reserve", "Underspend into the fund"),
    "reserve_draw_eur": ("Onttrekking (dekt overschrijding)", "Withdrawals (cover overspend)"),
    "reserve_end_balance_eur": ("Eindsaldo", "End balance"),
    "weight_late_cases_eur": ("late zaken", "late cases"),
    "weight_registration_queue_eur": ("wachtrij registratie", "registration queue"),
    "weight_supplementary_funding_eur": ("aanvullende financiering", "supplementary funding"),
    "weight_unspent_budget_eur": ("niet-bestede begroting", "unspent budget"),
    "weight_asielreserve_eur": ("aanhouden asielreserve", "holding the asylum reserve"),
    "terminal_backlog_eur": (
        "mensen in de keten aan het eind (wat ze daarna nog kosten)",
        "people left in the chain at the end (what they still cost after the horizon)",
    ),
    "terminal_staff_eur": (
        "personeel onder het eindniveau (kosten van weer opbouwen)",
        "staff below the end level (cost of rebuilding it)",
    ),
    "reserve_end_value_loss_eur": (
        "waardeverlies eindsaldo reserve",
        "loss of value of the fund's end balance",
    ),
}


def label(key: str, lang: str) -> str:
    nl, en = LABELS[key]
    return nl if lang == "nl" else en


def kpi_label(key: str, lang: str) -> str:
    """A KPI's name for a flat table: weights and valuations say what they are, start and end
    states say which; other KPIs by the common vocabulary (:func:`bekostiging.report.i18n.term`)."""
    from bekostiging.report.i18n import term

    if key in WEIGHT_KPIS:
        return f"{label('weights', lang)}: {label(key, lang)}"
    if key in VALUATION_KPIS:
        return f"{label('valuation', lang)}: {label(key, lang)}"
    for what, start, end in END_STATE:
        if key in (start, end):
            moment = ("start", "start") if key == start else ("eind", "end")
            return f"{label(what, lang)}, {moment[0] if lang == 'nl' else moment[1]}"
    return label(key, lang) if key in LABELS else term(key, lang)  # type: ignore[arg-type]


def _expected(kpis: pd.DataFrame) -> dict[str, float]:
    rows = kpis[kpis["scenario"] == EXPECTED]
    return {str(k): float(v) for k, v in zip(rows["kpi"], rows["value"], strict=True)}


def _eur(value: float, lang: str) -> str:
    from bekostiging.report.i18n import fmt_eur

    return fmt_eur(value, lang)  # type: ignore[arg-type]


def _partner(code: str, lang: str) -> str:
    from bekostiging.report.i18n import term

    return term(code, lang)  # type: ignore[arg-type]


def _num(value: float, lang: str) -> str:
    from bekostiging.report.i18n import fmt_number

    return fmt_number(value, lang)  # type: ignore[arg-type]


Row = tuple[int, str, str]  # (level: 0 heading, 1 item, 2 sub-item; label; value text)


def money_rows(tables: Mapping[str, pd.DataFrame], lang: str = "nl") -> list[Row]:
    """The run's money in the budget's terms: cash and service first, the fund, end state, weights last."""
    kpis = tables.get("kpis")
    if kpis is None or kpis.empty:
        return []
    e = _expected(kpis)
    rows: list[Row] = []
    if "spending_eur" in e:
        rows.append((0, label("cash", lang), _eur(e["spending_eur"], lang)))
    rows.append((0, label("service", lang), ""))
    for key in SERVICE_KPIS:
        if key in e:
            rows.append(
                (1, label(key, lang), _eur(e[key], lang) if key.endswith("_eur") else _num(e[key], lang))
            )
    if any(k in e for k in RESERVE_KPIS):
        rows.append((0, label("fund", lang), ""))
        rows += [(1, label(key, lang), _eur(e[key], lang)) for key in RESERVE_KPIS if key in e]
        per = reserve_per_year(tables.get("reserve", pd.DataFrame()), tables.get("scenarios", pd.DataFrame()))
        if not per.empty:
            balances = ", ".join(
                f"{int(y)} {_eur(c, lang)}" for y, c in zip(per["year"], per["closing_eur"], strict=True)
            )
            rows.append((2, "Saldo per jaareinde" if lang == "nl" else "Balance at each year end", balances))
    rows.append((0, label("end_state", lang), ""))
    for key, start, end in END_STATE:
        if start in e and end in e:
            fmt = _eur if key == "reserve_balance" else _num
            rows.append((1, label(key, lang), f"{fmt(e[start], lang)} → {fmt(e[end], lang)}"))
    funding = tables.get("funding")
    if funding is not None and not funding.empty:
        from bekostiging.report.i18n import fmt_percent

        f = funding[funding["mpp_need_eur"] > 0]
        ratio = f["budget_eur"] / f["mpp_need_eur"]
        rows.append((0, label("ratio_per_partner", lang), ""))
        for partner, r in ratio.groupby(f["partner"], sort=False):
            years = f.loc[r.index, "year"].astype(int)
            text = ", ".join(f"{y} {fmt_percent(v, lang)}" for y, v in zip(years, r, strict=True))  # type: ignore[arg-type]
            rows.append((2, _partner(str(partner), lang), text))
        flags = funding_flags(funding)
        if flags.empty:
            rows.append((0, label("no_flags", lang), ""))
        else:
            items = "; ".join(
                f"{_partner(str(p), lang)} {int(y)} {fmt_percent(r, lang)}"  # type: ignore[arg-type]
                for p, y, r in zip(flags["partner"], flags["year"], flags["ratio"], strict=True)
            )
            rows.append((0, label("flags", lang), items))
    if "weights_eur" in e:
        rows.append((0, label("weights", lang), _eur(e["weights_eur"], lang)))
        rows += [(2, label(key, lang), _eur(e[key], lang)) for key in WEIGHT_KPIS if key in e]
    if "end_state_value_eur" in e:
        rows.append((0, label("valuation", lang), _eur(e["end_state_value_eur"], lang)))
        rows += [(2, label(key, lang), _eur(e[key], lang)) for key in VALUATION_KPIS if key in e]
    if "total_cost_eur" in e:
        rows.append((0, label("objective", lang), _eur(e["total_cost_eur"], lang)))
    return rows


def money_lines(tables: Mapping[str, pd.DataFrame], lang: str = "nl", width: int = 44) -> list[str]:
    """:func:`money_rows` as terminal lines (headings flush left, items aligned)."""
    lines = []
    for level, text, value in money_rows(tables, lang):
        if level == 0:
            head = text.rstrip(":")
            lines.append(f"{head}: {value}" if value else (text if text.endswith(".") else f"{head}:"))
        elif level == 1:
            lines.append(f"  {text:<{width}} {value:>18}")
        else:
            lines.append(f"    {text}: {value}")
    return lines


# Every model weight and valuation of the objective: (settings key, what it weighs). The unit,
# value and source are read from the case; derived ones are given by their rule.
WEIGHT_KEYS: tuple[tuple[str, tuple[str, str]], ...] = (
    ("penalties.late_case_month_eur", ("zaak-maand over de beslistermijn", "late case-month")),
    (
        "penalties.registration_queue_person_day_eur",
        ("persoonsdag in de wachtrij registratie", "queue person-day"),
    ),
    ("budget.supplementary_penalty", ("euro aanvullende financiering", "euro of supplementary funding")),
    ("budget.unspent_budget_weight", ("euro begroot en niet besteed", "euro budgeted and unspent")),
    (
        "budget.asielreserve_opportunity_rate",
        ("euro beschikbaar in de asielreserve per jaar", "euro in the fund per year"),
    ),
    (
        "budget.asielreserve_end_value",
        ("waarde van een euro eindsaldo (1 − v weegt)", "value of a euro left (1 − v weighs)"),
    ),
)
DERIVED_WEIGHTS: tuple[tuple[tuple[str, str], str, str, str], ...] = (
    (
        ("persoon in een voorraad aan het eind", "person left in a stock at the end"),
        "EUR per person",
        "add_terminal_value: reception at normal stays + IND/registration work still to do",
        "model: the cash the chain still spends after the horizon (a valuation, not spending in the horizon)",
    ),
    (
        ("fte onder het eindniveau van het personeel", "FTE below the end staffing level"),
        "EUR per FTE",
        "add_terminal_staff: hiring + wages of the training months",
        "model: the cost of rebuilding the formation after the horizon",
    ),
    (
        ("plaats tekort aan de norm (alleen MPP-basisrun)", "place short of the norm (MPP baseline only)"),
        "EUR per place-year",
        "2 × coa.emergency_cost_per_place_year_eur",
        "model: NORM_SHORTFALL_EMERGENCY_MULTIPLE (add_baseline_norm)",
    ),
)


def weights_table(settings: list[tuple[str, str, str]], lang: str = "nl") -> pd.DataFrame:
    """Every model weight with its unit, value and source or reasoning (the annex's weights table)."""
    from bekostiging.schema import BudgetSettings, Penalties, field_unit

    models = {"penalties": Penalties, "budget": BudgetSettings}
    values = {k: (v, src) for k, v, src in settings}
    rows = []
    for key, (nl, en) in WEIGHT_KEYS:
        section, name = key.split(".", 1)
        value, source = values.get(key, ("", ""))
        rows.append((nl if lang == "nl" else en, key, field_unit(models[section], name), value, source))
    for (nl, en), unit, rule, source in DERIVED_WEIGHTS:
        rows.append((nl if lang == "nl" else en, rule, unit, "", source))
    head = ("weging per", "instelling", "eenheid", "waarde", "bron / redenering")
    if lang != "nl":
        head = ("weight per", "setting", "unit", "value", "source / reasoning")
    return pd.DataFrame(rows, columns=list(head))
