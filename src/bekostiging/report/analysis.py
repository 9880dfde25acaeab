"""The annex section on the value of flexibility, from a run's ``analysis/value.csv``.

Written by ``bekostiging value RUN`` or ``solve --analyse``; a run without the
file gets no section (the annex says nothing about what was not computed).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pandas as pd

from bekostiging.analytics.chain import (
    EUR,
    SECTION_KPI,
    SECTION_PARTS,
    SECTION_STATUS_QUO,
    SECTION_VALUE,
    read_value_table,
)
from bekostiging.report.blocks import Block, Heading, Paragraph, Table
from bekostiging.report.i18n import (
    EUR_MILLION,
    TERMS,
    Lang,
    fmt_eur,
    fmt_number,
    fmt_percent,
    status_word,
    term,
)
from bekostiging.report.money import kpi_label
from bekostiging.runs.store import RunRecord

GAP_DECIMALS = 2
WORDS: dict[str, tuple[str, str]] = {  # (nl, en)
    "heading": ("Wat plannen voor onzekerheid oplevert", "What planning for uncertainty yields"),
    "intro": (
        "Het aanbevolen plan houdt rekening met onzekerheid over de instroom. Ter vergelijking: een plan "
        "dat alleen op het gemiddelde scenario is afgestemd, doorgerekend in elk scenario, en de uitkomst "
        "als de instroom vooraf precies bekend zou zijn. Het verschil met het eerste is wat rekening "
        "houden met onzekerheid oplevert; het verschil met het tweede is wat een perfecte voorspelling "
        "waard zou zijn. Tussen haken de marge die de berekening bewijst.",
        "The recommended plan allows for uncertainty about inflow. For comparison: a plan tuned to the "
        "average scenario only, run through every scenario, and the outcome if inflow were known exactly "
        "in advance. The difference with the first is what planning for uncertainty yields; the "
        "difference with the second is what a perfect forecast would be worth. In brackets the margin "
        "the computation proves.",
    ),
    "measure": ("Maat", "Measure"),
    "interval": ("Interval", "Interval"),
    "status": ("Status", "Status"),
    "gap": ("Marge", "Gap"),
    "value_table": ("Waarde van rekening houden met onzekerheid", "Value of planning for uncertainty"),
    "kpi_table": (
        "Aanbevolen plan tegen het huidige beleid (verwacht)",
        "Recommended plan against the status quo (expected)",
    ),
    "plan": ("Plan", "Plan"),
    "status_quo": ("Huidig beleid", "Status quo"),
    "saving": ("Verschil (huidig beleid − plan)", "Difference (status quo − plan)"),
    "status_quo_measure": ("Huidig beleid", "Status quo"),
    "saving_vs_status_quo": (
        "Verschil in de doelfunctie t.o.v. huidig beleid (modelweging inbegrepen; geen kasbesparing)",
        "Difference in the objective against the status quo (model weights included; not a cash saving)",
    ),
    "cash_saving": (
        "Besparing op kasuitgaven t.o.v. huidig beleid: {value}. Het verschil in de doelfunctie "
        "in de tabel hieronder telt de modelweging mee en is geen uitgave.",
        "Cash saving against the status quo: {value}. The difference in the objective "
        "in the table below includes the model weights and is not spending.",
    ),
    "parts_table": (
        "Waarde van onzekerheid en van een perfecte voorspelling per onderdeel (modelweging apart)",
        "VSS and EVPI by part: cash and outcomes (model weights apart)",
    ),
    "sensitivity_intro": (
        "Hoeveel beslissen de modelwegingen? De optie met de laagste doelfunctie als één weging "
        "gehalveerd of verdubbeld wordt (plannen zoals berekend bij ×1).",
        "How much do the model weights decide? The option with the lowest objective when one weight "
        "is halved or doubled (plans as solved at ×1).",
    ),
    "sensitivity_table": ("Rangorde van de opties bij andere wegingen", "Options ranking at other weights"),
    "weight": ("Weging", "Weight"),
    "factor": ("Factor", "Factor"),
    "recommended": ("Aanbevolen optie", "Recommended option"),
    "cash_rank": ("Rang op kasuitgaven", "Rank on cash"),
    "changed": ("Anders dan bij ×1", "Changed from ×1"),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
}


CASH_KPI = "spending_eur"  # kasuitgaven: the KPI whose plan-minus-status-quo is the saving


def value_title(lang: Lang) -> str:
    """Heading of the value-of-flexibility section (annex and comparison)."""
    return _w("heading", lang)


def _w(key: str, lang: Lang) -> str:
    nl, en = WORDS[key]
    return nl if lang == "nl" else en


def _amount(value: object, unit: object, lang: Lang) -> str:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    if not math.isfinite(v):
        return "–"
    if unit == EUR and v != 0 and abs(v) < EUR_MILLION:  # one unit per column: € mln, also when small
        number = fmt_number(v / EUR_MILLION, lang, 1)
        return f"€ {number} mln" if lang == "nl" else f"€{number} million"
    return fmt_eur(v, lang) if unit == EUR else fmt_number(v, lang)


def _measure_words(code: str, lang: Lang) -> str:
    """A method abbreviation in words, the abbreviation after it (explained in the glossary)."""
    key = f"measure_{code}"
    return f"{term(key, lang)} ({code})" if key in TERMS else code


def _unit(unit: object, lang: Lang) -> str:
    text = str(unit)
    if text == EUR:
        return ""  # the amount carries its € already
    return term(text, lang) if text in TERMS else text


def value_blocks(record: RunRecord, lang: Lang) -> Iterator[Block]:
    """Heading, explanation and two tables; nothing when the run has no ``analysis/value.csv``."""
    frame = read_value_table(record.path)
    if frame is None or frame.empty:
        return
    yield Heading(_w("heading", lang), 1)
    yield Paragraph(_w("intro", lang))
    cash = frame[(frame["section"] == SECTION_KPI) & (frame["measure"] == CASH_KPI)]
    if not cash.empty:  # the saving is a cash saving: it leads, the weighted difference follows
        yield Paragraph(_w("cash_saving", lang).format(value=_amount(cash["value"].iloc[0], EUR, lang)))
    measures = frame[frame["section"].isin([SECTION_VALUE, SECTION_STATUS_QUO])]
    names = {
        "status_quo": _w("status_quo_measure", lang),
        "saving_vs_status_quo": _w("saving_vs_status_quo", lang),
    }
    rows = [
        (
            names.get(str(r.measure), _measure_words(str(r.measure), lang)),
            _amount(r.value, r.unit, lang),
            f"[{_amount(r.lower, r.unit, lang)}; {_amount(r.upper, r.unit, lang)}]",
            status_word(r.status, lang),
            fmt_percent(float(r.gap), lang, GAP_DECIMALS) if pd.notna(r.gap) else "–",
        )
        for r in measures.itertuples(index=False)
    ]
    header = (
        _w("measure", lang),
        term("value", lang),
        _w("interval", lang),
        _w("status", lang),
        _w("gap", lang),
    )
    yield Table(_w("value_table", lang), header, tuple(rows), (False, True, True, False, True), small=True)
    kpis = frame[frame["section"] == SECTION_KPI]
    if kpis.empty:
        return
    kpi_rows = tuple(
        (
            kpi_label(str(r.measure), lang),
            _amount(r.recommended, r.unit, lang),
            _amount(r.status_quo, r.unit, lang),
            _amount(r.value, r.unit, lang),
            _unit(r.unit, lang),
        )
        for r in kpis.itertuples(index=False)
    )
    kpi_header = (
        term("kpi", lang),
        _w("plan", lang),
        _w("status_quo", lang),
        _w("saving", lang),
        term("unit", lang),
    )
    yield Table(_w("kpi_table", lang), kpi_header, kpi_rows, (False, True, True, True, False), small=True)
    parts = frame[frame["section"] == SECTION_PARTS]
    if not parts.empty:
        part_rows = tuple(
            (
                _measure_words(str(r.measure).split(":", 1)[0], lang),
                term(str(r.measure).split(":", 1)[-1], lang),
                _amount(r.value, r.unit, lang),
                _unit(r.unit, lang),
            )
            for r in parts.itertuples(index=False)
        )
        head = (_w("measure", lang), term("kpi", lang), term("value", lang), term("unit", lang))
        yield Table(_w("parts_table", lang), head, part_rows, (False, False, True, False), small=True)


SENSITIVITY_FILE = "weights-sensitivity.csv"  # written into each preset's run by ``options``


def sensitivity_blocks(record: RunRecord, lang: Lang) -> Iterator[Block]:
    """The options ranking at weights x0.5 and x2 (``analysis/weights-sensitivity.csv``), when present."""
    path = record.path / "analysis" / SENSITIVITY_FILE
    if not path.is_file():
        return
    table = pd.read_csv(path)
    rows = tuple(
        (
            str(r.weight),
            f"×{float(r.factor):g}",
            str(r.recommended),
            fmt_eur(float(r.recommended_cash_eur), lang),
            str(int(r.cash_rank)),
            _w("yes", lang) if bool(r.changed) else _w("no", lang),
        )
        for r in table.itertuples(index=False)
    )
    head = (
        _w("weight", lang),
        _w("factor", lang),
        _w("recommended", lang),
        term("spending_eur", lang),
        _w("cash_rank", lang),
        _w("changed", lang),
    )
    yield Paragraph(_w("sensitivity_intro", lang))
    yield Table(
        _w("sensitivity_table", lang), head, rows, (False, False, False, True, True, False), small=True
    )
