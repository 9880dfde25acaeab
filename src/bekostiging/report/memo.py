"""The annex as a memo reader at Financiën reads it: one-page summary, contents, numbered exhibits.

:func:`summary_page` writes page 1 (advice, cash per year against the MPP need, what it
buys, the main assumptions, the concept mark); :func:`number_exhibits` numbers every
table and figure and gives each a source line; :func:`contents` lists the sections;
:func:`scenario_summary` replaces the per-scenario table by percentiles and a few named
scenarios (the full table is in the workbook); :func:`assumption_rows` and
:func:`source_rows` give the technical appendix in the reader's language, without
settings keys or working notes.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Sequence

import pandas as pd

from bekostiging.report import data
from bekostiging.report.blocks import Block, Heading, Image, PageBreak, Paragraph, Table
from bekostiging.report.i18n import Lang, fmt_eur, fmt_number, fmt_percent, fmt_unit_value, status_word, term
from bekostiging.runs.store import RunRecord
from bekostiging.schema import MONTHS_PER_YEAR, Case

P10, P50, P90 = 0.1, 0.5, 0.9
SOURCE_KEY = re.compile(r"\bS\d+\b")
PUBLISHED = re.compile(r"https?://")  # a public source has a web address; the project's own notes do not
WORDS: dict[str, tuple[str, str]] = {  # (nl, en)
    "concept": (
        "Concept — ter bespreking · berekend op {date} · run {run}",
        "Draft — for discussion · computed {date} · run {run}",
    ),
    "advice": (
        "Advies: houd een flexibele pool van {flex} aan, stort {reserve} in de asielreserve over "
        "de periode, financier de ketenpartners op {ratio} van de MPP-raming, houd {places} "
        "reserveplaatsen bij het COA beschikbaar en plan de opvang op een bezettingsgraad van {occ}.",
        "Advice: keep a flexible pool of {flex}, deposit {reserve} into the asylum reserve over the "
        "horizon, fund the chain partners at {ratio} of the MPP forecast, keep {places} COA reserve "
        "places available and plan reception at an occupancy rate of {occ}.",
    ),
    "cash_table": (
        "Kasuitgaven per jaar tegen de MPP-behoefte (verwacht, prijspeil {year})",
        "Cash per year against the MPP need (expected, {year} prices)",
    ),
    "cash": ("Kasuitgaven (verwacht)", "Cash (expected)"),
    "budget": ("Begroot", "Budgeted"),
    "need": ("MPP-behoefte", "MPP need"),
    "difference": ("Kasuitgaven − MPP-behoefte", "Cash − MPP need"),
    "cash_note": (
        "Begroot: de financiering van de ketenpartners in het plan. MPP-behoefte: wat de MPP-raming "
        "bij de huidige normen vraagt. Kasuitgaven: wat naar verwachting wordt uitgegeven, inclusief "
        "vaste organisatiekosten en de flexibele pool.",
        "Budgeted: the partners' funding in the plan. MPP need: what the MPP forecast asks at current "
        "norms. Cash: expected spending, including fixed organisation costs and the flexible pool.",
    ),
    "buys": (
        "Wat het oplevert: aan het eind van {last} wachten naar verwachting {backlog} mensen op een "
        "beslissing van de IND (in 1 op de 10 scenario's meer dan {backlog_p90}); {emergency} "
        "plaats-maanden noodopvang (verwacht). In de 10% ongunstigste scenario's lopen de "
        "kasuitgaven op tot {cash_p90} of meer; aanvullende financiering verwacht {supplementary}.",
        "What it buys: at the end of {last} an expected {backlog} people wait for an IND decision "
        "(more than {backlog_p90} in 1 in 10 scenarios); {emergency} place-months of emergency "
        "shelter (expected). In the worst 10% of scenarios cash rises to {cash_p90} or more; "
        "supplementary funding expected {supplementary}.",
    ),
    "assumptions": (
        "Belangrijkste aannames en onzekerheden: de instroom volgt {scenarios}; "
        "bedragen in euro, prijspeil {year}; wegingen voor wachttijden, late zaken en aanvullende "
        "financiering zijn beleidskeuzes van het model en geen uitgaven (zie de technische "
        "bijlage); het plan geldt voor de rekenperiode {first}–{last} en wordt jaarlijks bij de "
        "nieuwe MPP bijgesteld.",
        "Main assumptions and uncertainties: inflow follows {scenarios}; amounts in euros at {year} prices; "
        "weights for waiting, late cases and supplementary funding are the model's policy choices, "
        "not spending (see the technical appendix); the plan covers {first}–{last} and is revised "
        "each year with the new MPP.",
    ),
    "contents": ("Inhoud", "Contents"),
    "inflow_sentence": ("De instroom volgt {scenarios}.", "Inflow follows {scenarios}."),
    "table": ("Tabel", "Table"),
    "figure": ("Figuur", "Figure"),
    "source": (
        "Bron: berekening bekostigingsmodel asielketen, run {run}; invoer: {set}; prijspeil {year}.",
        "Source: asylum chain funding model, run {run}; inputs: {set}; {year} prices.",
    ),
    "scenario_summary": (
        "Uitkomsten over de scenario's: percentielen en enkele benoemde scenario's",
        "Outcomes over the scenarios: percentiles and a few named scenarios",
    ),
    "scenario_note": (
        "De volledige tabel per scenario staat in de werkmap (blad Scenario's).",
        "The full table per scenario is in the workbook (sheet Scenarios).",
    ),
    "inflow_total": ("Instroom over de periode (personen)", "Inflow over the horizon (persons)"),
    "cash_total": ("Kasuitgaven", "Cash"),
    "lowest": ("Scenario met de laagste kasuitgaven", "Scenario with the lowest cash"),
    "median": ("Middelste scenario naar kasuitgaven", "Middle scenario by cash"),
    "highest": ("Scenario met de hoogste kasuitgaven", "Scenario with the highest cash"),
    "row": ("", ""),
    "assumption_table": ("Belangrijkste aannames", "Main assumptions"),
    "what": ("Aanname", "Assumption"),
    "source_key": ("Bron", "Source"),
    "estimate": ("schatting", "estimate"),
    "model": ("modelkeuze", "model choice"),
    "source_table": ("Bronnen", "Sources (titles in the original language)"),
    "internal_sources": (
        "Daarnaast steunen modelkeuzes op {n} interne projectdocumenten (opdracht, modelontwerp en een "
        "overzicht van de publieke cijfers); zij staan bij de invoer van de run.",
        "Model choices also rest on {n} internal project documents (the assignment, the model design and "
        "a survey of the public figures); they are kept with the run's inputs.",
    ),
    "title": ("Titel", "Title"),
    "publisher": ("Uitgever", "Publisher"),
    "date": ("Datum", "Date"),
    "tech_note": (
        "De toelichting per waarde (berekening en bronnotitie) staat in de invoer van de run en op "
        "het blad Technisch van de werkmap.",
        "The note per value (derivation and source note) is in the run's inputs and on the "
        "Technical sheet of the workbook.",
    ),
}
# The IND's hiring pace, derived from three settings: classes per intake x FTE per class x intakes
# a year (the advice is more sensitive to it than to any other limit; model/formulation.md).
IND_HIRING_PACE = "ind.hiring_pace_per_year"
IND_HIRING_PARTS = ("ind.max_cohorts_per_intake", "ind.cohort_fte", "ind.intake_interval_months")
# Settings the memo reader asks about: (settings key, Dutch, English).
ASSUMPTIONS: tuple[tuple[str, str, str], ...] = (
    ("case.price_year", "Prijspeil", "Price year"),
    ("horizon.start_year", "Eerste begrotingsjaar", "First budget year"),
    (
        "horizon.years",
        "Aantal jaren (begrotingsjaar en meerjarenraming)",
        "Years (budget year and estimates)",
    ),
    ("ind.output_per_fte_year", "Beslissingen per fte IND per jaar", "IND decisions per FTE per year"),
    ("ind.cost_per_fte_year_eur", "Kosten per fte IND per jaar", "IND cost per FTE per year"),
    (
        IND_HIRING_PACE,
        "Nieuwe beslissers IND per jaar, maximum fte",
        "New IND decision staff per year, maximum FTE",
    ),
    ("ind.training_months", "Opleidingsduur nieuwe IND-medewerker (maanden)", "IND training (months)"),
    ("ind.legal_term_months", "Wettelijke beslistermijn (maanden)", "Legal decision term (months)"),
    ("coa.cost_per_resident_year_eur", "Kosten COA per bewoner per jaar", "COA cost per resident per year"),
    (
        "coa.emergency_cost_per_place_year_eur",
        "Kosten noodopvang per plaats per jaar",
        "Emergency place cost per year",
    ),
    ("coa.max_reserve_places", "Maximum reserveplaatsen COA", "Maximum COA reserve places"),
    ("coa.max_fill_rate", "Hoogste bezettingsgraad COA", "Highest COA occupancy rate"),
    ("flexpool.max_teams", "Maximum aantal teams in de flexibele pool", "Maximum flexible pool teams"),
    (
        "ind_surge.max_fte",
        "Tijdelijke extra beslissers IND (taskforce), maximum fte",
        "Temporary IND decision staff (taskforce), maximum FTE",
    ),
    (
        "ind_surge.cost_per_fte_year_eur",
        "Kosten tijdelijke beslisser IND per fte per jaar",
        "Temporary IND decision staff, cost per FTE per year",
    ),
    (
        "registration_surge.max_fte",
        "Politie-inzet bij registratie, maximum fte",
        "Police officers lent to registration, maximum FTE",
    ),
    ("budget.asielreserve_opening_balance_eur", "Beginsaldo asielreserve", "Asylum reserve opening balance"),
    ("budget.max_asielreserve_eur", "Maximum asielreserve", "Maximum asylum reserve"),
    ("budget.eindejaarsmarge_share", "Eindejaarsmarge (deel van de begroting)", "End-of-year margin (share)"),
    (
        "penalties.late_case_month_eur",
        "Weging per zaak-maand over de termijn (geen uitgave)",
        "Weight per late case-month (not spending)",
    ),
    (
        "penalties.registration_queue_person_day_eur",
        "Weging per persoonsdag in de wachtrij (geen uitgave)",
        "Weight per queue person-day (not spending)",
    ),
    (
        "budget.supplementary_penalty",
        "Weging per euro aanvullende financiering",
        "Weight per euro of supplementary funding",
    ),
    ("risk.alpha", "Deel van de scenario's buiten het risicogemiddelde", "Risk level (alpha)"),
)
RATIO_KEYS = ("max_fill_rate", "eindejaarsmarge_share")


SCENARIO_METHODS: dict[str, tuple[str, str]] = {  # provenance ``method`` -> (nl, en); {n}, {years}
    "logar": (
        "{n} scenario's, getrokken uit een tijdreeksmodel dat is gekalibreerd op de jaarlijkse "
        "asielinstroom {years}, met de MPP-raming (midden) als mediaan van het eerste jaar",
        "{n} inflow scenarios drawn from a time-series model calibrated on yearly asylum inflow "
        "{years}, with the MPP forecast (mid) as the median of the first year",
    ),
    "mpp": (
        "de {n} scenario's van de MPP-raming (laag, midden, hoog)",
        "the {n} scenarios of the MPP forecast (low, mid, high)",
    ),
    "mpp-error": (
        "{n} scenario's op basis van de afwijkingen van eerdere MPP-ramingen",
        "{n} inflow scenarios based on the errors of past MPP forecasts",
    ),
    "bootstrap": (
        "{n} scenario's, getrokken uit de groeicijfers van de instroom {years}",
        "{n} inflow scenarios resampled from the growth of inflow {years}",
    ),
    "lognormal": (
        "{n} scenario's rond de MPP-raming (lognormale spreiding)",
        "{n} inflow scenarios around the MPP forecast (lognormal spread)",
    ),
}
OWN_SCENARIOS = ("{n} eigen scenario's", "{n} scenarios of the user's own")
SHORT_METHODS: dict[str, tuple[str, str]] = {  # the source line under every exhibit: brief
    "logar": (
        "{n} instroomscenario's, gekalibreerd op de instroom {years}",
        "{n} inflow scenarios calibrated on {years}",
    ),
    "mpp": ("de {n} scenario's van de MPP-raming", "the {n} MPP scenarios"),
}
YEARS_IN_NOTES = re.compile(r"\b(1[89]\d\d|20\d\d)\s*[-–]\s*(20\d\d)\b")


def scenario_words(record: RunRecord, lang: Lang, short: bool = False) -> str:
    """The run's scenario set in words (how it was made), never its folder name such as ``hist-50``;
    ``short`` for the source line under each exhibit."""
    count = len(data.probabilities(record))
    path = record.case_copy / "scenarios" / record.scenario_set / "provenance.toml"
    try:
        prov = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        prov = {}
    pick = 0 if lang == "nl" else 1
    method = str(prov.get("method", ""))
    template = SCENARIO_METHODS.get(method, OWN_SCENARIOS)[pick]
    if short:
        template = SHORT_METHODS.get(method, SCENARIO_METHODS.get(method, OWN_SCENARIOS))[pick]
    if "changed by user" in str(prov.get("notes", "")):
        template = OWN_SCENARIOS[pick]
    found = YEARS_IN_NOTES.search(str(prov.get("notes", "")))
    years = (
        f"{found.group(1)}–{found.group(2)}" if found else ("uit de historie" if pick == 0 else "on record")
    )
    return template.format(n=fmt_number(count, lang), years=years)


def status_sentence(status: str, gap: float | None, lang: Lang) -> tuple[str, bool]:
    """The solver status in plain words, and whether it is a warning."""
    if status == "optimal":
        return term("status_optimal", lang).format(gap=fmt_percent(gap or 0.0, lang, 2)), False
    if status == "limit":
        return term("status_limit", lang).format(gap=fmt_percent(gap, lang, 2)), True
    return term("status_other", lang).format(status=status_word(status, lang)), True


def w(key: str, lang: Lang) -> str:
    nl, en = WORDS[key]
    return nl if lang == "nl" else en


def _lever(levers: pd.DataFrame, key: str, lang: Lang) -> str:
    rows = levers[levers["lever"] == key]
    if rows.empty:
        return "–"
    return fmt_unit_value(rows["value"].iloc[0], str(rows["unit"].iloc[0]), lang)


def _weighted(values: pd.Series, p: pd.Series, q: float) -> float | None:
    common = values.index.intersection(p.index)
    if common.empty:
        return None
    return data.weighted_quantile(values[common], p[common], q)


def cash_per_year(record: RunRecord) -> pd.DataFrame:
    """year, cash (expected, all partners), MPP need (sum over partners)."""
    cash = data.expected_costs(record, ["year"])
    funding = data.funding_table(record)
    if cash.empty or funding.empty:
        return pd.DataFrame(columns=["year", "cash_eur", "budget_eur", "need_eur"])
    need = funding.groupby("year", as_index=False)[["budget_eur", "mpp_need_eur"]].sum()
    out = cash.merge(need, on="year", how="inner").rename(
        columns={"value_eur": "cash_eur", "mpp_need_eur": "need_eur"}
    )
    return out.sort_values("year")  # year, cash_eur, budget_eur, need_eur


def summary_page(record: RunRecord, s: data.Summary, lang: Lang, price_year: object) -> Iterator[Block]:
    """Page 1: one page in plain words, ending in a page break."""
    yield Heading(term("summary", lang))
    created = str(record.manifest.created)[:10]
    yield Paragraph(w("concept", lang).format(date=created, run=record.run_id), emphasis=True, warning=True)
    sentence, warn = status_sentence(s.status, s.gap, lang)
    if warn:  # a plan not proven best is said on page 1
        yield Paragraph(f"{term('solver_status', lang)}: {sentence}", emphasis=True, warning=True)
    levers = s.levers
    if not levers.empty:
        yield Paragraph(
            w("advice", lang).format(
                flex=_lever(levers, "flexpool_fte", lang),
                reserve=_lever(levers, "asielreserve_eur", lang),
                ratio=_lever(levers, "funding_ratio", lang),
                places=_lever(levers, "reserve_places", lang).replace(" plaatsen", "").replace(" places", ""),
                occ=_lever(levers, "planned_occupancy_rate", lang),
            )
        )
    per_year = cash_per_year(record)
    if not per_year.empty:
        frame = pd.DataFrame(
            {
                term("year", lang): per_year["year"].astype(int).astype(str),
                w("budget", lang): [fmt_eur(v, lang) for v in per_year["budget_eur"]],
                w("cash", lang): [fmt_eur(v, lang) for v in per_year["cash_eur"]],
                w("need", lang): [fmt_eur(v, lang) for v in per_year["need_eur"]],
                w("difference", lang): [
                    fmt_eur(c - n, lang)
                    for c, n in zip(per_year["cash_eur"], per_year["need_eur"], strict=True)
                ],
            }
        )
        frame.loc[len(frame)] = [
            term("total", lang),
            fmt_eur(per_year["budget_eur"].sum(), lang),
            fmt_eur(per_year["cash_eur"].sum(), lang),
            fmt_eur(per_year["need_eur"].sum(), lang),
            fmt_eur(per_year["cash_eur"].sum() - per_year["need_eur"].sum(), lang),
        ]
        yield Table(
            w("cash_table", lang).format(year=price_year),
            tuple(frame.columns),
            tuple(tuple(map(str, r)) for r in frame.itertuples(index=False)),
            (False, True, True, True, True),
        )
        yield Paragraph(w("cash_note", lang))
    p = data.probabilities(record)
    cash = data.scenario_kpi(record, "spending_eur")
    emergency = data.expected_kpi(record, "emergency_place_months")
    supplementary = data.expected_kpi(record, "supplementary_funding_eur")
    horizon = record.manifest.raw.get("horizon") or {}
    years = per_year["year"].astype(int).tolist() if not per_year.empty else []
    first = years[0] if years else horizon.get("start_year", "?")
    last = years[-1] if years else "?"
    yield Paragraph(
        w("buys", lang).format(
            last=last,  # the horizon's last year (it said 2030 for every case)
            backlog=fmt_number(s.backlog_expected, lang),
            backlog_p90=fmt_number(s.backlog_p90, lang),
            emergency=fmt_number(emergency, lang),
            cash_p90=fmt_eur(_weighted(cash, p, P90), lang),
            supplementary=fmt_eur(supplementary, lang),
        )
    )
    yield Paragraph(
        w("assumptions", lang).format(
            scenarios=scenario_words(record, lang), year=price_year, first=first, last=last
        )
    )
    yield PageBreak()


def contents(blocks: Sequence[Block], lang: Lang) -> list[Block]:
    """The table of contents: the numbered level-1 headings after page 1."""
    lines = [b.text for b in blocks if isinstance(b, Heading) and b.level == 1]
    if not lines:
        return []
    return [Heading(w("contents", lang)), *(Paragraph(text) for text in lines)]


def number_headings(blocks: Sequence[Block]) -> list[Block]:
    """Level-1 headings numbered 1, 2, …; level 2 as 1.1, 1.2, …"""
    out: list[Block] = []
    top = sub = 0
    for b in blocks:
        if isinstance(b, Heading) and b.level == 1:
            top, sub = top + 1, 0
            out.append(Heading(f"{top}. {b.text}", 1))
        elif isinstance(b, Heading) and b.level == 2 and top:
            sub += 1
            out.append(Heading(f"{top}.{sub} {b.text}", 2))
        else:
            out.append(b)
    return out


def number_exhibits(blocks: Sequence[Block], lang: Lang, source: str) -> list[Block]:
    """Every titled table ``Tabel n. …`` and every figure ``Figuur n. …``, each with ``source``."""
    out: list[Block] = []
    tables = figures = 0
    for b in blocks:
        if isinstance(b, Table) and b.title:
            tables += 1
            out.append(
                Table(
                    f"{w('table', lang)} {tables}. {b.title}",
                    b.header,
                    b.rows,
                    b.numeric,
                    b.small,
                    b.source or source,  # an exhibit from another computation names its own source
                )
            )
        elif isinstance(b, Image):
            figures += 1
            out.append(Image(f"{w('figure', lang)} {figures}. {b.title}", b.png, b.source or source))
        else:
            out.append(b)
    return out


def source_line(record: RunRecord, lang: Lang, price_year: object) -> str:
    return w("source", lang).format(
        run=record.run_id, set=scenario_words(record, lang, short=True), year=price_year
    )


def scenario_summary(record: RunRecord, lang: Lang) -> Iterator[Block]:
    """P10/P50/P90 of cash, backlog and inflow, and the lowest, middle and highest scenario by cash."""
    scen = record.table("scenarios")
    if scen.empty:
        return
    p = data.probabilities(record)
    cash = data.scenario_kpi(record, "spending_eur")
    backlog = data.scenario_kpi(record, "backlog_end_persons")
    inflow_rows = data.flow_totals(record, "inflow")
    inflow = (
        inflow_rows.groupby("scenario")["value"].sum() if not inflow_rows.empty else pd.Series(dtype=float)
    )
    header = (
        term("measure", lang),
        w("cash_total", lang),
        term("backlog_end_persons", lang),
        w("inflow_total", lang),
    )
    rows: list[tuple[str, ...]] = []
    for label, q in (("P10", P10), ("P50", P50), ("P90", P90)):
        rows.append(
            (
                label,
                fmt_eur(_weighted(cash, p, q), lang),
                fmt_number(_weighted(backlog, p, q), lang),
                fmt_number(_weighted(inflow, p, q), lang) if not inflow.empty else "–",
            )
        )
    if not cash.empty:
        ordered = cash.sort_values()
        picks = (
            ("lowest", ordered.index[0]),
            ("median", ordered.index[len(ordered) // 2]),
            ("highest", ordered.index[-1]),
        )
        for key, name in picks:
            rows.append(
                (
                    w(key, lang),
                    fmt_eur(cash.get(name), lang),
                    fmt_number(backlog.get(name), lang),
                    fmt_number(inflow.get(name), lang) if not inflow.empty else "–",
                )
            )
    yield Table(w("scenario_summary", lang), header, tuple(rows), (False, True, True, True), small=True)
    yield Paragraph(w("scenario_note", lang))


def _source_keys(text: str, lang: Lang) -> str:
    keys = SOURCE_KEY.findall(text)
    if keys:
        return ", ".join(dict.fromkeys(keys))
    lowered = text.strip().lower()
    if lowered.startswith("estimate"):
        return w("estimate", lang)
    return w("model", lang) if lowered else "–"


SECTION_WORDS: dict[str, tuple[str, str]] = {  # settings sections as a reader names them
    "case": ("Case", "Case"),
    "horizon": ("Periode", "Horizon"),
    "ind": ("IND", "IND"),
    "coa": ("COA", "COA"),
    "dtv": ("DT&V", "DT&V"),
    "registration": ("Registratie", "Registration"),
    "flexpool": ("Flexibele pool", "Flexible pool"),
    "budget": ("Begroting", "Budget"),
    "penalties": ("Modelweging", "Model weights"),
    "risk": ("Risico", "Risk"),
    "housing": ("Huisvesting", "Housing"),
    "appeals": ("Beroep", "Appeals"),
    "dublin": ("Dublin", "Dublin"),
    "nareis": ("Nareis", "Family reunification"),
    "prices": ("Prijzen", "Prices"),
    "articles": ("Begrotingsartikelen", "Budget articles"),
    "categories": ("Aanvraagsoort", "Application type"),
    "policy": ("Beleid", "Policy"),
    "series": ("Reeks", "Series"),
    "locations": ("Locatie", "Location"),
    "mpp": ("MPP-raming", "MPP forecast"),
    "seasonality": ("Seizoenspatroon", "Seasonality"),
    "initial_stocks": ("Beginstand", "Initial stock"),
    "accelerated_housing": ("Versnelde huisvesting", "Accelerated housing"),
    "registration_surge": ("Politie-inzet bij registratie", "Police redeployed to registration"),
    "ind_surge": ("Tijdelijke extra IND-capaciteit (taskforce)", "Temporary extra IND staff (taskforce)"),
}
TABLE_ROW = re.compile(r"^(\w+)\[([^\]]*)\]\.?(.*)$")  # series[2026-03].permit_share
KEY_WORDS_NL: dict[str, str] = {  # words of settings keys, for a Dutch reader (the rest kept as is)
    "share": "aandeel", "per": "per", "month": "maand", "months": "maanden", "year": "jaar",
    "max": "hoogste", "min": "laagste", "return": "terugkeer", "withdrawal": "intrekking",
    "activation": "activering", "catch": "inhaal", "up": "", "granted": "toegewezen",
    "transfer": "overdracht", "unknown": "onbekend", "departure": "vertrek", "cost": "kosten",
    "output": "productie", "training": "opleiding", "initial": "begin", "places": "plaatsen",
    "place": "plaats", "rate": "graad", "fill": "bezetting", "lead": "aanloop", "time": "tijd",
    "reserve": "reserve", "emergency": "noodopvang", "resident": "bewoner", "eur": "euro",
    "decision": "beslis", "work": "werk", "legal": "wettelijke", "term": "termijn",
    "trainee": "leerling", "cap": "plafond", "attrition": "uitstroom", "productivity": "productiviteit",
    "opening": "opening", "closing": "sluiting", "weight": "weging", "penalty": "weging",
    "fte": "fte", "staff": "personeel", "teams": "teams", "team": "team", "size": "omvang",
    "stay": "verblijf", "weeks": "weken", "days": "dagen", "normal": "normale", "permit": "vergunning",
    "queue": "wachtrij", "backlog": "voorraad", "occupancy": "bezetting", "norm": "norm",
    "opportunity": "rente", "end": "eind", "value": "waarde", "balance": "saldo",
    "supplementary": "aanvullende", "funding": "financiering", "unspent": "niet-besteed",
    "budget": "begroting",
    "price": "prijs", "fixed": "vast", "organisation": "organisatie", "adjustable": "bij te sturen",
    "accelerated": "versnelde", "housing": "huisvesting", "outflow": "uitstroom", "contract": "contract",
    "minimum": "minimum", "period": "periode", "months_per_period": "maanden per periode",
    "alpha": "alfa", "start": "start", "years": "jaren", "name": "naam", "hire": "aanname",
    "hiring": "aanname", "unsupervised": "zonder toezicht", "departures": "vertrek",
    "person": "persoon", "persons": "personen",
}  # fmt: skip


def setting_words(path: str, lang: Lang) -> str:
    """A settings key path (``ind.withdrawal_share_per_month``) in the reader's words: the section
    named, the key's words (Dutch: word by word; English: spaced), never the code itself."""
    known = {key: (nl, en) for key, nl, en in ASSUMPTIONS}
    if path in known:
        return known[path][0 if lang == "nl" else 1]
    row = TABLE_ROW.match(path)
    if row:  # a table cell: the table and row named, then the column's words
        table, key, column = row.groups()
        label = SECTION_WORDS.get(table, (table, table))[0 if lang == "nl" else 1]
        return f"{label} {key}" + (f": {_key_words(column, lang)}" if column else "")
    section, _, key = path.rpartition(".")
    head = section.split(".")[0] if section else ""
    pick = 0 if lang == "nl" else 1
    label = SECTION_WORDS.get(head, (_key_words(head, lang).capitalize(),) * 2)[pick]
    if section.count(".") >= 1:  # categories.first, articles.ind: the item named too
        label = f"{label} {term(section.split('.', 1)[1], lang)}"
    text = _key_words(key, lang)
    return f"{label}: {text}" if label else text


def _key_words(key: str, lang: Lang) -> str:
    """A settings key's words: Dutch word by word (unknown words kept), English spaced."""
    words = [KEY_WORDS_NL.get(t, t) if lang == "nl" else t for t in key.split("_")]
    return " ".join(x for x in words if x)


def source_words(text: str, lang: Lang) -> str:
    """A value's source as the annex shows it: source numbers, 'schatting', 'modelkeuze', or the
    date a user changed it — never the working note itself."""
    changed = re.search(r"changed by user on (\d{4}-\d{2}-\d{2})", text)
    if changed:
        return ("gewijzigd door gebruiker op " if lang == "nl" else "changed by user on ") + changed.group(1)
    return _source_keys(text, lang)


def _ind_hiring_pace(values: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """(FTE a year, source) of the IND's hiring cap: classes per intake x FTE per class x intakes a
    year, with the source of the class limit; None unless all three settings are numbers."""
    try:
        cohorts, fte, months = (float(values[k][0]) for k in IND_HIRING_PARTS)
    except (KeyError, ValueError):
        return None
    if months <= 0:
        return None
    return f"{cohorts * fte * MONTHS_PER_YEAR / months:g}", values[IND_HIRING_PARTS[0]][1]


def assumption_rows(settings: Sequence[tuple[str, str, str]], lang: Lang) -> Table | None:
    """The settings a memo reader asks about, in words, with their value and source number."""
    values = {k: (v, src) for k, v, src in settings}
    pace = _ind_hiring_pace(values)
    if pace is not None:
        values[IND_HIRING_PACE] = pace
    rows = []
    for key, nl, en in ASSUMPTIONS:
        if key not in values:
            continue
        raw, src = values[key]
        try:
            number = float(raw)
        except ValueError:
            shown = raw
        else:
            if key.endswith(RATIO_KEYS):
                shown = fmt_percent(number, lang)
            elif key.endswith("_eur") and "penalt" not in key and "late" not in key:
                shown = fmt_eur(number, lang)
            elif key.endswith("_eur") or key.startswith("penalties"):
                shown = ("€ " if lang == "nl" else "€") + fmt_number(number, lang, 0)
            elif key.endswith("year") or key.endswith("_year"):
                shown = str(int(number))
            else:
                shown = fmt_number(number, lang, 0 if number.is_integer() else 2)
        rows.append((nl if lang == "nl" else en, shown, _source_keys(src, lang)))
    if not rows:
        return None
    header = (w("what", lang), term("value", lang), w("source_key", lang))
    return Table(w("assumption_table", lang), header, tuple(rows), (False, True, False), small=True)


def source_rows(case: Case, lang: Lang) -> Table | None:
    """The source list: key, title, publisher, date (notes stay in the run's inputs)."""
    entries = [e for e in case.source_list if PUBLISHED.match(str(e.url or ""))]
    if not entries:
        return None
    rows = tuple((e.key, e.title, e.publisher, e.date) for e in entries)
    header = (w("source_key", lang), w("title", lang), w("publisher", lang), w("date", lang))
    return Table(w("source_table", lang), header, rows, small=True)


def internal_sources(case: Case) -> int:
    """How many entries of the source list are the project's own documents (no public address)."""
    return sum(1 for e in case.source_list if not PUBLISHED.match(str(e.url or "")))
