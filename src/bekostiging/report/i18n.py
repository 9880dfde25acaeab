"""Words and number formats of the reports, in Dutch (default) and English.

Identifiers in the code and the tables are English; users read Dutch policy
terms. ``TERMS`` maps every identifier shown to a user to both languages;
``GLOSSARY`` pairs the Dutch policy terms with their English meaning (printed
in the annex). Numbers follow each language's convention: ``1.234,5`` in
Dutch, ``1,234.5`` in English; money of a million euros and more is shown in
€ million.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")
DEFAULT_LANG: Lang = "nl"

EUR_MILLION = 1e6
MILLION_FROM_EUR = 1e6  # amounts from this size on are shown in € million
MONEY_MILLION_DECIMALS = 1
PERCENT_DECIMALS = 1
MISSING = "–"  # shown for a value that does not exist (not zero)

# identifier -> (Dutch, English)
TERMS: dict[str, tuple[str, str]] = {
    # document structure
    "report_title": ("Bijlage: bekostiging van de asielketen", "Annex: funding the asylum chain"),
    "compare_title": ("Vergelijking van runs", "Comparison of runs"),
    "summary": ("Samenvatting", "Summary"),
    # the five levers of the 2021 letter and the structural totals (hired staff, regular places):
    # no count in the title, the rows say how many
    "recommended_plan": ("Aanbevolen plan: de maatregelen", "Recommended plan: the levers"),
    "cost_outcome": ("Verwachte kosten en spreiding", "Expected cost and spread"),
    "backlog_outcome": ("Voorraden en achterstanden", "Backlogs"),
    "solver_status": ("Status van de berekening", "Solver status"),
    "charts": ("Grafieken", "Charts"),
    "tables": ("Tabellen", "Tables"),
    "assumptions": ("Aannames en bronnen", "Assumptions and sources"),
    "provenance": ("Herkomst van deze uitkomst", "Provenance of this result"),
    "glossary": ("Begrippen", "Glossary"),
    "input_differences": ("Verschillen in invoer", "Input differences"),
    "no_input_differences": ("Geen verschillen in de invoer.", "No differences in the inputs."),
    "differences_vs_first": (
        "Verschillen ten opzichte van de eerste run (absoluut en in %).",
        "Differences against the first run (absolute and in %).",
    ),
    # column headings
    "lever": ("Maatregel", "Lever"),
    "value": ("Waarde", "Value"),
    "unit": ("Eenheid", "Unit"),
    "partner": ("Ketenpartner", "Partner"),
    "year": ("Jaar", "Year"),
    "period": ("Periode", "Period"),
    "scenario": ("Scenario", "Scenario"),
    "probability": ("Kans", "Probability"),
    "kpi": ("Indicator", "Indicator"),
    "component": ("Kostenpost", "Cost item"),
    "kind": ("Soort", "Kind"),
    "money_summary": (
        "Geld: kasuitgaven en uitkomsten eerst, modelweging apart",
        "Money: cash and outcomes first, model weights apart",
    ),
    "money_section": ("Geld zoals de begroting het ziet", "Money as the budget sees it"),
    "article": ("Begrotingsartikel", "Budget article"),
    "budget_table_constant": (
        "Kasuitgaven per artikel en jaar (verwacht, prijspeil {year})",
        "Cash per article and year (expected, {year} prices)",
    ),
    "budget_table_current": (
        "Kasuitgaven per artikel en jaar (verwacht, lopende prijzen)",
        "Cash per article and year (expected, current prices)",
    ),
    "reconciliation_table": (
        "Aansluiting met de begroting: MPP-behoefte model t.o.v. gepubliceerd budget",
        "Reconciliation: the model's MPP need against the published budget",
    ),
    "model_need": ("MPP-behoefte model", "Model MPP need"),
    "published": ("Gepubliceerd (prijspeil)", "Published (price year)"),
    "reserve_table": ("Asielreserve per jaar (verwacht)", "Asylum reserve per year (expected)"),
    "reserve_opening_eur": ("Beginsaldo", "Opening"),
    "reserve_deposit_eur": ("Storting", "Deposit"),
    "reserve_underspend_in_eur": ("Onderuitputting erin", "Underspend in"),
    "reserve_withdrawal_eur": ("Onttrekking", "Withdrawal"),
    "reserve_closing_eur": ("Eindsaldo", "Closing"),
    "weights_table": (
        "Modelwegingen (geen uitgaven): eenheid, waarde, bron",
        "Model weights (not spending): unit, value, source",
    ),
    "cash": ("Kasuitgaven", "Cash"),
    "weight": ("Modelweging, geen uitgave", "Model weight, not spending"),
    "valuation": ("Waardering eindtoestand", "End-state valuation"),
    "stage": ("Fase", "Stage"),
    "quantity": ("Grootheid", "Quantity"),
    "category": ("Categorie", "Category"),
    "budget_eur": ("Begroot", "Budget"),
    "mpp_need_eur": ("MPP-behoefte", "MPP need"),
    "ratio": ("Budget / MPP-behoefte", "Budget / MPP need"),
    "value_eur": ("Bedrag", "Amount"),
    "fte": ("fte", "FTE"),
    "file": ("Bestand", "File"),
    "where": ("Plaats", "Where"),
    "column": ("Kolom", "Column"),
    "old": ("Oud", "Old"),
    "new": ("Nieuw", "New"),
    "run": ("Run", "Run"),
    "key": ("Kenmerk", "Item"),
    "delta": ("Verschil", "Difference"),
    "delta_pct": ("Verschil %", "Difference %"),
    "measure": ("Maat", "Measure"),
    # the five levers (2021 letter) and helpers
    "flexpool_fte": ("Flexibele pool medewerkers (gem. fte)", "Flexible staff pool (mean FTE)"),
    "asielreserve_eur": (
        "Asielreserve: storting over de horizon",
        "Asylum reserve: deposits over the horizon",
    ),
    "funding_ratio": ("Financiering t.o.v. MPP-raming", "Funding relative to MPP forecast"),
    "reserve_places": ("Reservecapaciteit COA (gem. plaatsen)", "COA reserve capacity (mean places)"),
    "planned_occupancy_rate": ("Geplande bezettingsgraad COA", "Planned COA occupancy rate"),
    "ind_hired_fte": ("Aangenomen IND-medewerkers (fte)", "IND staff hired (FTE)"),
    "coa_regular_places_mean": ("Reguliere COA-plaatsen (gem.)", "Regular COA places (mean)"),
    # partners
    "registration": ("Registratie (AVIM/DISA)", "Registration (AVIM/DISA)"),
    "ind": ("IND", "IND"),
    "coa": ("COA", "COA"),
    "dtv": ("DT&V", "DT&V"),
    "chain": ("Keten (modelweging, waardering eindtoestand)", "Chain (model weights, end-state valuation)"),
    "no_reserve_draws": (
        "Geen onttrekking aan de asielreserve en geen aanvullende financiering, in geen enkel scenario.",
        "No asylum reserve draws and no supplementary funding, in any scenario.",
    ),
    "flexpool": ("Flexibele pool", "Flexible pool"),
    # cost components
    "structural": ("Structureel (capaciteit)", "Structural (capacity)"),
    "operating": ("Exploitatie (naar gebruik)", "Operating (by use)"),
    "asielreserve_opportunity": ("Kosten van de asielreserve", "Cost of holding the asylum reserve"),
    "weight_late_cases": ("Modelweging: zaken over de termijn", "Model weight: late cases"),
    "weight_registration_queue": ("Modelweging: wachtrij registratie", "Model weight: registration queue"),
    "weight_supplementary_funding": (
        "Modelweging: aanvullende financiering",
        "Model weight: supplementary funding",
    ),
    "weight_unspent_budget": ("Modelweging: niet-bestede begroting", "Model weight: unspent budget"),
    "weight_asielreserve": ("Modelweging: aanhouden asielreserve", "Model weight: holding the reserve"),
    "reserve_end_value_loss": (
        "Waardeverlies eindsaldo asielreserve",
        "Loss of value of the reserve's end balance",
    ),
    "spending_eur_cash": ("Kasuitgaven", "Cash spending"),
    "weights_eur": ("Modelweging, geen uitgave", "Model weights, not spending"),
    "end_state_value_eur": ("Waardering eindtoestand (geen uitgave)", "End state valued (not spending)"),
    "penalty_late_cases": ("Boete: zaken over de termijn", "Penalty: late cases"),
    "penalty_registration_queue": ("Boete: wachtrij registratie", "Penalty: registration queue"),
    "penalty_supplementary_funding": ("Boete: aanvullende financiering", "Penalty: supplementary funding"),
    "penalty_underspend": ("Boete: onderuitputting", "Penalty: underspend"),
    "terminal_backlog": ("Waarde voorraden aan het eind", "Value of the end stocks"),
    "terminal_staff": ("Herstel personeel na het eind", "Rebuilding staff after the end"),
    "reserve_draw": ("Onttrekking asielreserve", "Asylum reserve draw"),
    "hired_fte_all": ("Aangenomen medewerkers, alle partners (fte)", "Staff hired, all partners (FTE)"),
    "spending_eur": ("Kasuitgaven", "Cash spending"),
    "underspend_eur": ("Onderuitputting", "Underspend"),
    "backlog_mean_persons": ("Gemiddelde voorraad IND (personen)", "Mean IND backlog (persons)"),
    "occupancy_peak_persons": ("Hoogste bezetting COA (personen)", "Peak COA occupancy (persons)"),
    "reserve_place_months": (
        "Ingezette reserveplaatsen (plaats-maanden)",
        "Reserve places used (place-months)",
    ),
    "registered": ("Geregistreerd", "Registered"),
    "registration_capacity": ("Registratiecapaciteit", "Registration capacity"),
    "returns": ("Vertrek (terugkeer)", "Returns"),
    "return_capacity": ("Terugkeercapaciteit", "Return capacity"),
    # KPIs
    "total_cost_eur": (
        "Doelfunctie (kasuitgaven + modelweging + waardering)",
        "Objective (cash + model weights + valuation)",
    ),
    "cvar_total_cost_eur": (
        "CVaR totale kosten (gemiddelde van de duurste scenario's)",
        "CVaR of total cost (mean of the costliest scenarios)",
    ),
    "stage1_cost_eur": ("Kosten vooraf vastgelegd (fase 1)", "Cost committed up front (stage 1)"),
    "stage2_cost_eur": ("Kosten naar uitkomst (fase 2)", "Cost by outcome (stage 2)"),
    "penalty_eur": (
        "Modelweging en waardering eindtoestand (geen uitgave)",
        "Model weights and end-state valuation (not spending)",
    ),
    "late_case_months": ("Zaken over de beslistermijn (zaak-maanden)", "Late cases (case-months)"),
    "registration_queue_person_days": (
        "Wachtrij registratie (persoonsdagen)",
        "Registration queue (person-days)",
    ),
    "emergency_place_months": ("Noodopvang (plaats-maanden)", "Emergency shelter (place-months)"),
    "reserve_draw_eur": ("Onttrekking asielreserve", "Asylum reserve draw"),
    "supplementary_funding_eur": ("Aanvullende financiering", "Supplementary funding"),
    "backlog_end_persons": ("Voorraad IND aan het eind (personen)", "IND backlog at the end (persons)"),
    # flows quantities
    "inflow": ("Instroom", "Inflow"),
    "ind_backlog": ("Voorraad IND", "IND backlog"),
    "registration_queue": ("Wachtrij registratie", "Registration queue"),
    "decisions": ("Beslissingen", "Decisions"),
    "decision_capacity": ("Besliscapaciteit", "Decision capacity"),
    "occupancy": ("Bezetting", "Occupancy"),
    "regular_capacity": ("Reguliere capaciteit", "Regular capacity"),
    "reserve_active": ("Ingezette reservecapaciteit", "Reserve capacity in use"),
    "emergency_places": ("Noodopvang", "Emergency shelter"),
    "status_holders": ("Statushouders", "Status holders"),
    "rejected": ("Afgewezen", "Rejected"),
    "late_cases": ("Zaken over de termijn", "Late cases"),
    "first": ("Eerste aanvragen", "First applications"),
    "nareis": ("Nareis", "Family reunification (nareis)"),
    "repeat": ("Herhaalde aanvragen", "Repeat applications"),
    "expected": ("Verwacht", "Expected"),
    "stage1": ("Fase 1 (vooraf)", "Stage 1 (up front)"),
    "stage2": ("Fase 2 (naar uitkomst)", "Stage 2 (by outcome)"),
    # charts
    "chart_inflow_fan": (
        "Instroom per maand: scenario's (P10–P90 en mediaan)",
        "Monthly inflow: scenarios (P10–P90 and median)",
    ),
    "chart_capacity": (
        "Capaciteit en bezetting per ketenpartner (verwacht)",
        "Capacity and occupancy per partner (expected)",
    ),
    "chart_backlog": (
        "Voorraad IND aan het eind van de periode, per scenario",
        "IND backlog at the end of the horizon, per scenario",
    ),
    "chart_cost": (
        "Verwachte kasuitgaven per ketenpartner en jaar (zonder modelweging)",
        "Expected cash spending per partner and year (no model weights)",
    ),
    "chart_reserve": (
        "Asielreserve en aanvullende financiering",
        "Asylum reserve draws and supplementary funding",
    ),
    "chart_compare_cost": (
        "Verwachte kasuitgaven per jaar per run (zonder modelweging)",
        "Expected cash spending per year per run (no model weights)",
    ),
    "chart_compare_backlog": (
        "Verwachte voorraad IND aan het eind van elk jaar",
        "Expected IND backlog at the end of each year",
    ),
    "persons_per_month": ("personen per maand", "persons per month"),
    "persons": ("personen", "persons"),
    "case-months": ("zaak-maanden", "case-months"),
    "person-days": ("persoonsdagen", "person-days"),
    "place-months": ("plaats-maanden", "place-months"),
    "changed": ("≠", "≠"),
    "places": ("plaatsen", "places"),
    "eur_million": ("€ mln", "€ million"),
    "median": ("mediaan", "median"),
    "range_p10_p90": ("P10–P90", "P10–P90"),
    "min_max": ("minimum–maximum", "minimum–maximum"),
    # summary sentences
    "expected_cost_sentence": (
        "Doelfunctie (kasuitgaven + modelweging + waardering eindtoestand): verwacht {expected}; in 80% "
        "van de scenario's tussen {p10} (P10) en {p90} (P90). Dit is geen bedrag op de begroting.",
        "Objective (cash + model weights + end-state valuation): expected {expected}; in 80% of the "
        "scenarios between {p10} (P10) and {p90} (P90). This is not an amount on the budget.",
    ),
    "cash_sentence": (
        "Daarvan is {spending} verwachte uitgaven (kasuitgaven van de ketenpartners). {penalty} is "
        "modelweging, geen uitgave: wegingen voor late zaken, de wachtrij bij registratie, aanvullende "
        "financiering, niet-bestede begroting en het aanhouden van de asielreserve, en de waardering van "
        "de restvoorraad aan het eind. Alle bedragen in euro, prijspeil {year}.",
        "Of this, {spending} is expected spending (cash of the chain partners). {penalty} is a model "
        "weight, not spending: weights for late cases, the registration queue, supplementary funding, "
        "unspent budget and holding the asylum reserve, and the valuation of the backlog left at the end. "
        "All amounts in euros at {year} prices.",
    ),
    "cvar_sentence": (
        "Risico (CVaR bij α = {alpha}): in de duurste {tail} van de scenario's (naar kans) zijn de "
        "totale kosten gemiddeld {cvar}, tegen {expected} verwacht; gewicht van de CVaR in de "
        "doelfunctie: {weight}.",
        "Risk (CVaR at α = {alpha}): in the costliest {tail} of the scenarios (by probability) the "
        "total cost averages {cvar}, against {expected} expected; weight of the CVaR in the "
        "objective: {weight}.",
    ),
    "backlog_sentence": (
        "Voorraad IND aan het eind: verwacht {expected} personen, P90 {p90}; "
        "{late} zaak-maanden over de beslistermijn (verwacht).",
        "IND backlog at the end: expected {expected} persons, P90 {p90}; "
        "{late} case-months past the legal decision term (expected).",
    ),
    "status_optimal": (
        "Optimaal: dit plan is aantoonbaar het beste binnen de gevraagde nauwkeurigheid (marge {gap}).",
        "Optimal: this plan is proven best within the requested tolerance (gap {gap}).",
    ),
    "status_limit": (
        "NIET bewezen optimaal: de berekening stopte bij de tijdslimiet. Het plan kan tot {gap} "
        "duurder zijn dan het beste plan.",
        "NOT proven optimal: the solve stopped at its time limit. The plan may cost up to {gap} "
        "more than the best plan.",
    ),
    "status_other": (
        "Geen bruikbaar plan: de berekening eindigde met status '{status}'.",
        "No usable plan: the solve ended with status '{status}'.",
    ),
    "few_scenarios_note": (
        "Let op: met {count} scenario's zijn P10 en P90 niet meer dan het laagste en hoogste scenario; "
        "een grotere scenarioset (bijvoorbeeld de meegeleverde 200 scenario's) geeft de spreiding.",
        "Note: with {count} scenarios, P10 and P90 are no more than the lowest and highest scenario; "
        "a larger scenario set (e.g. the 200 scenarios shipped with the case) gives the spread.",
    ),
    "scenario_set_sentence": (
        "Scenarioset '{name}' met {count} scenario's; casus '{case}'.",
        "Scenario set '{name}' with {count} scenarios; case '{case}'.",
    ),
    "no_sources": (
        "De case bevat geen SOURCES.md; de bronnen staan bij de waarden in case.toml.",
        "The case has no SOURCES.md; sources are noted next to the values in case.toml.",
    ),
    "key_settings": ("Belangrijkste instellingen (case.toml)", "Key settings (case.toml)"),
    "changed_values": ("Gewijzigd ten opzichte van de standaardcase", "Changed from the default case"),
    "changed_sentence": (
        "{count} waarden wijken af van de meegeleverde standaardcase: per waarde de "
        "oude en de nieuwe waarde met hun bron.",
        "{count} values differ from the shipped default case: each with its old and "
        "new value and their sources.",
    ),
    "changed_more": (
        "… en nog {count} andere afwijkingen (zie de invoer van de run).",
        "… and {count} more differences (see the run's inputs).",
    ),
    "no_changes": (
        "Alle waarden zijn gelijk aan die van de meegeleverde standaardcase (het uitgangspunt van de MPP "
        "van september 2025).",
        "Every value equals that of the shipped default case (based on the MPP of September 2025).",
    ),
    "changed_what": ("Waarde", "Value"),
    "default_value": ("Standaard", "Default"),
    "this_value": ("Deze run", "This run"),
    "default_source": ("Bron standaard", "Default source"),
    "this_source": ("Bron deze run", "Source in this run"),
    "run_id": ("Run", "Run"),
    "created": ("Gemaakt", "Created"),
    "objective": ("Doelfunctie", "Objective"),
    "bound": ("Ondergrens", "Bound"),
    "gap": ("Marge tot de ondergrens", "Gap"),
    "status": ("Status", "Status"),
    "solver": ("Oplosser", "Solver"),  # as Excel names its solver in Dutch
    "versions": ("Versies", "Versions"),
    "git": ("Broncode (git)", "Source code (git)"),
    "dirty": ("(+ lokale wijzigingen)", "(+ local changes)"),
    "input_hashes": ("Invoerbestanden (sha256)", "Input files (sha256)"),
    "command_line": ("Opdracht", "Command"),
    "seed": ("Startwaarde toevalsgenerator", "Seed"),
    "page": ("Pagina", "Page"),
    "levers_table": ("Maatregelen", "Levers"),
    "funding_table": ("Financiering per ketenpartner en jaar", "Funding per partner and year"),
    "kpis_table": ("Indicatoren (verwacht en per scenario)", "Indicators (expected and per scenario)"),
    "cost_table": ("Verwachte kosten per ketenpartner en jaar", "Expected cost per partner and year"),
    "cost_breakdown": ("Kostenopbouw (verwacht)", "Cost breakdown (expected)"),
    "scenarios_table": ("Scenario's", "Scenarios"),
    "plan_table": ("Plan (fase 1)", "Plan (stage 1)"),
    "flows_table": ("Stromen per scenario", "Flows per scenario"),
    "costs_table": ("Kosten per scenario", "Costs per scenario"),
    "expected_kpis": ("Verwachte indicatoren", "Expected indicators"),
    "total": ("Totaal", "Total"),
    "run_settings": ("(run-instellingen)", "(run settings)"),
    "row_added": ("(rij toegevoegd)", "(row added)"),
    "row_removed": ("(rij verwijderd)", "(row removed)"),
    "file_added": ("(bestand toegevoegd)", "(file added)"),
    "file_removed": ("(bestand verwijderd)", "(file removed)"),
    "text_changed": ("(tekst gewijzigd)", "(text changed)"),
    "more_differences": ("… en nog {n} verschillen", "… and {n} more differences"),
    # terminal output of the commands (show, runs, evaluate, options, sweep, frontier, value)
    "mean": ("gemiddeld", "mean"),
    "sd": ("standaardafw.", "sd"),
    "ci95": ("95%-interval gemiddelde", "95% CI of the mean"),
    "too_small": ("te weinig", "too few"),
    "small_sample_note": (
        "Let op: {n} scenario's is te weinig voor een betrouwbaar interval of P99 ('te weinig'); "
        "aantallen worden nooit onder nul getoond.",
        "Note: {n} scenarios are too few for a reliable interval or P99 ('too few'); counts are never "
        "shown below zero.",
    ),
    "second_stage_cost_eur": ("Doelfunctie, deel fase 2", "Objective, stage-2 part"),
    "objective_eur": (
        "Doelfunctie (kasuitgaven + modelweging + waardering)",
        "Objective (cash + weights + valuation)",
    ),
    "expected_cash_eur": ("Kasuitgaven (verwacht)", "Cash spending (expected)"),
    "p90_cash_eur": ("Kasuitgaven P90", "Cash spending P90"),
    "folder": ("Map", "Folder"),
    "case": ("Casus", "Case"),
    "timings": ("Rekentijd", "Timings"),
    "failed": ("MISLUKT", "FAILED"),
    "name": ("Naam", "Name"),
    "no_runs": ("geen runs in {root}", "no runs in {root}"),
    "unfinished_runs": (
        "let op: {n} onafgemaakte runmap(pen) van afgebroken processen ({first} …); zonder uitkomst, "
        "mogen weg",
        "note: {n} unfinished run folder(s) from killed processes ({first} …); they hold no result "
        "and may be deleted",
    ),
    "wrote": ("geschreven: {path}", "wrote {path}"),
    "scenarios_word": ("scenario's", "scenarios"),
    "seconds": ("s", "s"),
    # value of information (value, show, the annex): method terms in words
    "measure_RP": (
        "aanbevolen plan, rekening houdend met onzekerheid",
        "recommended plan, allowing for uncertainty",
    ),
    "measure_EV": ("plan op het gemiddelde scenario", "plan on the average scenario"),
    "measure_EEV": (
        "plan op het gemiddelde scenario, in elk scenario",
        "plan on the average scenario, in every scenario",
    ),
    "measure_WS": ("met een perfecte voorspelling", "with a perfect forecast"),
    "measure_VSS": (
        "wat rekening houden met onzekerheid oplevert",
        "what planning for uncertainty yields",
    ),
    "measure_EVPI": (
        "wat een perfecte voorspelling waard zou zijn",
        "what a perfect forecast would be worth",
    ),
    "measure_status_quo": ("huidig beleid op dezelfde scenario's", "status-quo plan on the same scenarios"),
    "measure_saving_vs_status_quo": (
        "besparing van het plan t.o.v. huidig beleid (incl. modelweging)",
        "the plan saves against the status quo",
    ),
    "value_head": (
        "Waarde van informatie (€ mln; [interval] bewezen door de grenzen van de berekening)",
        "value of information (€ mln; [interval] proven by the solver bounds)",
    ),
    "value_parts_head": (
        "per onderdeel (kasuitgaven eerst; modelweging is geen uitgave):",
        "VSS and EVPI by part (cash first; weights_eur is a model weight, not spending):",
    ),
    "value_cash_saving": (
        "besparing op kasuitgaven t.o.v. huidig beleid: {value} € mln; de besparing in de doelfunctie "
        "hierboven telt de modelweging mee",
        "cash saving against the status quo: {value} € mln; the saving in the objective "
        "above includes model weights",
    ),
    "per_kpi_expected": ("per indicator (verwacht)", "per KPI (expected)"),
    "plan": ("plan", "plan"),
    "status_quo": ("huidig beleid", "status quo"),
    "saving": ("besparing", "saving"),
    "note_word": ("let op", "note"),
    "results": ("Aanbevolen plan en uitkomsten", "Recommended plan and outcomes"),
    "technical_appendix": (
        "Technische bijlage: aannames, wegingen en bronnen",
        "Technical appendix: assumptions, weights and sources",
    ),
    "status_word_optimal": ("optimaal", "optimal"),
    "status_word_limit": ("tijdslimiet", "time limit"),
    "status_word_infeasible": ("onuitvoerbaar", "infeasible"),
    "status_word_error": ("fout", "error"),
    "status_word_unbounded": ("onbegrensd", "unbounded"),
    "status_word_limit_no_solution": (
        "tijdslimiet bereikt voordat er een plan was",
        "time limit reached before any plan",
    ),
}

# The Dutch policy terms users see, with their English meaning (printed in the annex).
GLOSSARY: tuple[tuple[str, str, str], ...] = (
    ("instroom", "inflow", "asielaanvragen per periode / asylum applications per period"),
    ("bezetting", "occupancy", "personen in de COA-opvang / persons in COA reception"),
    ("bezettingsgraad", "occupancy rate", "bezetting gedeeld door plaatsen / occupancy divided by places"),
    ("asielreserve", "asylum reserve", "begrotingsreserve voor tegenvallers / budget reserve for overruns"),
    (
        "MPP",
        "MPP",
        "Meerjaren Productie Prognose: de jaarlijkse ketenraming / the chain's multi-year forecast",
    ),
    (
        "nareis",
        "family reunification",
        "nareizigers van een statushouder / family members of a status holder",
    ),
    ("voorraad", "backlog", "aanvragen die op een beslissing wachten / applications awaiting a decision"),
    (
        "noodopvang",
        "emergency shelter",
        "opvang buiten de reguliere COA-plaatsen / reception outside regular places",
    ),
    ("reservecapaciteit", "reserve capacity", "plaatsen die snel open kunnen / places that can open quickly"),
    (
        "flexibele pool",
        "flexible pool",
        "medewerkers die tussen ketenpartners schuiven / staff moving between partners",
    ),
    ("statushouder", "status holder", "persoon met een verblijfsvergunning / person granted a permit"),
)


STAGE_KEYS = {"1": "stage1", "2": "stage2"}  # the costs table numbers its stages


def term(key: str, lang: Lang) -> str:
    """The word for ``key`` in ``lang``; an unknown key is shown as itself."""
    pair = TERMS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "nl" else pair[1]


def stage_term(stage: object, lang: Lang) -> str:
    """A stage (``1``, ``2``, ``stage1``…) in words."""
    key = str(stage)
    return term(STAGE_KEYS.get(key, key), lang)


def check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise ValueError(f"language {lang!r} is not supported; use one of {', '.join(LANGS)}")
    return lang  # type: ignore[return-value]


def _localise(text: str, lang: Lang) -> str:
    """``1,234.5`` (Python's format) to ``1.234,5`` for Dutch."""
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def fmt_number(value: float | None, lang: Lang, decimals: int = 0) -> str:
    """``1.234,5`` (nl) or ``1,234.5`` (en); ``–`` for a missing value."""
    if _is_missing(value):
        return MISSING
    # Half away from zero, as in financial statements (Python's float format rounds half to even).
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)  # type: ignore[arg-type]
    if exact == 0:
        exact = abs(exact)  # no "-0,0"
    return _localise(f"{exact:,.{decimals}f}", lang)


def fmt_percent(value: float | None, lang: Lang, decimals: int = PERCENT_DECIMALS) -> str:
    """A fraction as a percentage: 0.053 → ``5,3%`` (nl) / ``5.3%`` (en)."""
    if _is_missing(value):
        return MISSING
    return fmt_number(100.0 * float(value), lang, decimals) + "%"  # type: ignore[arg-type]


# a difference of two percentages: procentpunt (as the Rijksoverheid and CBS write it) / pp
POINTS_WORD = {"nl": "procentpunt", "en": "pp"}


def fmt_points(value: float | None, lang: Lang, decimals: int = PERCENT_DECIMALS) -> str:
    """A difference of two fractions in percentage points, signed: 0.05 → ``+5,0 procentpunt``
    (nl) / ``+5.0 pp`` (en); never ``5,0%``, which would be a relative change."""
    if _is_missing(value):
        return MISSING
    shown = fmt_number(100.0 * float(value), lang, decimals)  # type: ignore[arg-type]
    sign = "+" if not shown.startswith("-") and any(c in "123456789" for c in shown) else ""
    return f"{sign}{shown} {POINTS_WORD[lang]}"


# whole numbers up to twelve in words, as Dutch and English prose writes them ("voor drie jaar")
COUNT_WORDS = {
    "nl": (
        "nul",
        "één",
        "twee",
        "drie",
        "vier",
        "vijf",
        "zes",
        "zeven",
        "acht",
        "negen",
        "tien",
        "elf",
        "twaalf",
    ),
    "en": (
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
    ),
}


def fmt_years(count: int, lang: Lang) -> str:
    """A number of years in prose: ``drie jaar`` / ``three years``, ``één jaar`` / ``one year``;
    digits from 13 on (``15 jaar``)."""
    words = COUNT_WORDS[lang]
    number = words[count] if 0 <= count < len(words) else fmt_number(count, lang)
    if lang == "nl":
        return f"{number} jaar"
    return f"{number} year" if count == 1 else f"{number} years"


def _en_money_sign(text: str) -> str:
    """English puts the minus before the currency sign: -€2.4 million (Dutch: € -2,4 mln)."""
    return "-" + text.replace("€-", "€", 1) if text.startswith("€-") else text


def fmt_eur(value: float | None, lang: Lang, decimals: int = MONEY_MILLION_DECIMALS) -> str:
    """Money: ``€ 1.234,5 mln`` / ``€1,234.5 million`` from a million on, else whole euros."""
    if _is_missing(value):
        return MISSING
    v = float(value)  # type: ignore[arg-type]
    if abs(v) >= MILLION_FROM_EUR:
        number = fmt_number(v / EUR_MILLION, lang, decimals)
        return f"€ {number} mln" if lang == "nl" else _en_money_sign(f"€{number} million")
    number = fmt_number(v, lang, 0)
    return f"€ {number}" if lang == "nl" else _en_money_sign(f"€{number}")


def fmt_eur_million(value: float | None, lang: Lang, decimals: int = MONEY_MILLION_DECIMALS) -> str:
    """Money in € mln also below a million, for a column of € mln: 628,104 → ``€ 0,6 mln`` /
    ``€0.6 million`` (:func:`fmt_eur` writes ``€ 628.104``); an exact zero stays ``€ 0``."""
    if _is_missing(value) or float(value) == 0.0:  # type: ignore[arg-type]
        return fmt_eur(value, lang)
    number = fmt_number(float(value) / EUR_MILLION, lang, decimals)  # type: ignore[arg-type]
    return f"€ {number} mln" if lang == "nl" else _en_money_sign(f"€{number} million")


def unit_kind(unit: str) -> Literal["money", "percent", "number"]:
    """How a unit is read: money (``EUR``, ``EUR per year``), a percentage (ratios), or a number."""
    u = unit.strip().lower()
    if u.startswith(("eur", "€")):
        return "money"
    if u in ("ratio", "share", "fraction", "probability") or " / " in u:
        return "percent"
    return "number"


def fmt_unit_value(value: float | None, unit: str, lang: Lang) -> str:
    """A value in the way its unit is read: money, percentages for ratios, else a number."""
    u = unit.strip().lower()
    kind = unit_kind(unit)
    if kind == "money":
        return fmt_eur(value, lang)
    if kind == "percent":
        return fmt_percent(value, lang)
    # one decimal below 100 (31,8 personen), none from 100 on and none for an exact zero (0 plaatsen,
    # as 2.197 plaatsen; it read 0,0 plaatsen)
    whole = _is_missing(value) or float(value) == 0.0 or abs(float(value)) >= 100  # type: ignore[arg-type]
    decimals = 0 if whole else 1
    shown = fmt_number(value, lang, decimals)
    unit_word = term(u, lang) if u in TERMS else unit
    return f"{shown} {unit_word}".strip()


def fmt_unit_delta(value: float | None, unit: str, lang: Lang) -> str:
    """A difference of two values of ``unit``: in percentage points for ratios and shares
    (:func:`fmt_points`), else as the values themselves (:func:`fmt_unit_value`)."""
    if unit_kind(unit) == "percent":
        return fmt_points(value, lang)
    return fmt_unit_value(value, unit, lang)


def status_word(status: object, lang: Lang) -> str:
    """A solver status (``optimal``, ``limit``…) as a word in ``lang``."""
    key = f"status_word_{status}"
    return term(key, lang) if key in TERMS else str(status)


def fmt_scaled(value: float | None, lang: Lang, scale: float = 1.0, decimals: int = 0) -> str:
    """``value / scale`` in the language's format (never scientific notation); ``–`` when missing."""
    if _is_missing(value):
        return MISSING
    return fmt_number(float(value) / scale, lang, decimals)  # type: ignore[arg-type]


UNIT_WORDS_NL = (  # English unit words of the case's settings, longest first
    ("EUR-year", "euro-jaar"),
    ("case-month", "zaak-maand"),
    ("person-day", "persoonsdag"),
    ("place-year", "plaatsjaar"),
    ("weight per", "weging per"),
    ("person", "persoon"),
    ("FTE", "fte"),
    ("EUR per", "€ per"),
    ("per EUR", "per euro"),
    ("years", "jaren"),
    ("year", "jaar"),
    ("months", "maanden"),
    ("month", "maand"),
)


def unit_words(unit: str, lang: Lang) -> str:
    """A settings unit (``EUR per case-month``) in the report's language (``€ per zaak-maand``)."""
    if lang == "en":
        return unit.replace("EUR", "€")
    text = unit
    for en, nl in UNIT_WORDS_NL:
        text = text.replace(en, nl)
    return text.replace("EUR", "€")
