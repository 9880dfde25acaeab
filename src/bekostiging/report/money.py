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
VALUATION_KPIS = ("terminal_backlog_eur", "reserve_end_value_loss_eur")
END_STATE = (  # (label key, start KPI, end KPI)
    ("backlog", "backlog_start_persons", "backlog_end_persons"),
    ("registration_queue", "registration_queue_start_persons", "registration_queue_end_persons"),
    ("occupancy", "occupancy_start_persons", "occupancy_end_persons"),
    ("reserve_balance", "reserve_start_balance_eur", "reserve_end_balance_eur"),
)
LABELS: dict[str, tuple[str, str]] = {  # (nl, en)
    "cash": ("Kasuitgaven ketenpartners (verwacht)", "Cash spending of the partners (expected)"),
    "service": ("Uitkomsten voor de keten (verwacht)", "Service outcomes (expected)"),
    "fund": ("Asielreserve (verwacht, over de horizon)", "Asielreserve fund (expected, over the horizon)"),
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
    "no_flags": (
        "Geen partner-jaar onder 95% van de MPP-behoefte.",
        "No partner-year below 95% of its MPP need.",
    ),
    "backlog": ("Voorraad IND (personen)", "IND backlog (persons)"),
    "registration_queue": ("Wachtrij registratie (personen)", "Registration queue (persons)"),
    "occupancy": ("Bezetting COA (personen)", "COA occupancy (persons)"),
    "reserve_balance": ("Saldo asielreserve", "Asielreserve balance"),
    "spending_eur": ("Kasuitgaven", "Cash spending"),
    "backlog_end_persons": ("Voorraad IND eind 2030 (personen)", "IND backlog end of horizon (persons)"),
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
    "weight_asielreserve_eur": ("aanhouden asielreserve", "holding the asielreserve"),
    "terminal_backlog_eur": (
        "restvoorraad IND (kosten afhandeling na 2030)",
        "IND backlog left (cost of deciding it later)",
    ),
    "reserve_end_value_loss_eur": (
        "waardeverlies eindsaldo reserve",
        "loss of value of the fund's end balance",
    ),
}


def label(key: str, lang: str) -> str:
    nl, en = LABELS[key]
    return nl if lang == "nl" else en


def _expected(kpis: pd.DataFrame) -> dict[str, float]:
    rows = kpis[kpis["scenario"] == EXPECTED]
    return {str(k): float(v) for k, v in zip(rows["kpi"], rows["value"], strict=True)}


def _eur(value: float, lang: str) -> str:
    from bekostiging.report.i18n import fmt_eur

    return fmt_eur(value, lang)  # type: ignore[arg-type]


def _num(value: float, lang: str) -> str:
    from bekostiging.report.i18n import fmt_number

    return fmt_number(value, lang)  # type: ignore[arg-type]


def money_lines(tables: Mapping[str, pd.DataFrame], lang: str = "nl", width: int = 44) -> list[str]:
    """The run's money in the budget's terms: cash and service first, the fund, end state, weights last."""
    kpis = tables.get("kpis")
    if kpis is None or kpis.empty:
        return []
    e = _expected(kpis)
    lines: list[str] = []

    def row(key: str, text: str, indent: int = 2) -> None:
        lines.append(f"{' ' * indent}{label(key, lang):<{width}} {text:>18}")

    if "spending_eur" in e:
        lines.append(f"{label('cash', lang)}: {_eur(e['spending_eur'], lang)}")
    lines.append(f"{label('service', lang)}:")
    for key in SERVICE_KPIS:
        if key in e:
            row(key, _eur(e[key], lang) if key.endswith("_eur") else _num(e[key], lang))
    if any(k in e for k in RESERVE_KPIS):
        lines.append(f"{label('fund', lang)}:")
        for key in RESERVE_KPIS:
            if key in e:
                row(key, _eur(e[key], lang))
        per = reserve_per_year(tables.get("reserve", pd.DataFrame()), tables.get("scenarios", pd.DataFrame()))
        if not per.empty:
            balances = ", ".join(
                f"{int(y)} {_eur(c, lang)}" for y, c in zip(per["year"], per["closing_eur"], strict=True)
            )
            lines.append(f"    {'saldo eind jaar' if lang == 'nl' else 'balance at year end'}: {balances}")
    lines.append(f"{label('end_state', lang)}:")
    for key, start, end in END_STATE:
        if start in e and end in e:
            fmt = _eur if key == "reserve_balance" else _num
            row(key, f"{fmt(e[start], lang)} → {fmt(e[end], lang)}")
    funding = tables.get("funding")
    if funding is not None and not funding.empty:
        flags = funding_flags(funding)
        if flags.empty:
            lines.append(label("no_flags", lang))
        else:
            from bekostiging.report.i18n import fmt_percent

            items = "; ".join(
                f"{p} {int(y)} {fmt_percent(r, lang)}"  # type: ignore[arg-type]
                for p, y, r in zip(flags["partner"], flags["year"], flags["ratio"], strict=True)
            )
            lines.append(f"{label('flags', lang)} {items}")
    if "weights_eur" in e:
        lines.append(f"{label('weights', lang)}: {_eur(e['weights_eur'], lang)}")
        for key in WEIGHT_KPIS:
            if key in e:
                row(key, _eur(e[key], lang), 4)
    if "end_state_value_eur" in e:
        lines.append(f"{label('valuation', lang)}: {_eur(e['end_state_value_eur'], lang)}")
    if "total_cost_eur" in e:
        lines.append(f"{label('objective', lang)}: {_eur(e['total_cost_eur'], lang)}")
    return lines
