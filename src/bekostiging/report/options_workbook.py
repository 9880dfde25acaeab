"""The options workbook (``options.xlsx`` and the annex workbook's option sheets): per option
the measures in € mln or their unit, each with its difference against the status quo.

It lives in ``report`` (not in the ``options`` command) so that the annex workbook can use the
same sheets without the report layer importing the command line.
"""

from __future__ import annotations

import pandas as pd

from bekostiging.report.i18n import DEFAULT_LANG, EUR_MILLION, Lang, status_word, term
from bekostiging.report.option_names import preset_words

OPTIONS_METRICS = (  # column, label, scale, unit — the options table and chart: cash and service first
    ("expected_cash_eur", "expected cash spending", EUR_MILLION, "€ mln"),
    ("p90_cash_eur", "P90 cash spending", EUR_MILLION, "€ mln"),
    ("late_case_months", "late case-months", 1.0, "case-months"),
    ("emergency_place_months", "emergency place-months", 1.0, "place-months"),
    ("supplementary_funding_eur", "supplementary funding", EUR_MILLION, "€ mln"),
    ("backlog_end_persons", "IND backlog at the end", 1.0, "persons"),
)


OPTIONS_BESIDE = (  # not money spent: model weights, end-state valuation, and the objective they make up
    ("weights_eur", "model weights, not spending", EUR_MILLION, "€ mln"),
    ("end_state_value_eur", "end state valued, not spent", EUR_MILLION, "€ mln"),
    ("objective_eur", "objective (cash + weights + valuation)", EUR_MILLION, "€ mln"),
)


DIFF_SUFFIX = "_vs_status_quo"


OPTION_SHEET_WORDS: dict[str, tuple[str, str]] = {
    "sheet": ("Opties", "Options"),
    "weights_sheet": ("Gevoeligheid wegingen", "Weight sensitivity"),
    "technical": ("Technisch opties", "Technical options"),
    "preset": ("Optie", "Option"),
    "preset_name": ("Voorinstelling (--presets)", "Preset (--presets)"),
    "status": ("Status", "Status"),
    "rank": ("Rang op kasuitgaven", "Rank on cash"),
    "run": ("Run", "Run"),
    "gap": ("Gap", "Gap"),
    "delta_sheet": ("Verschil met huidig beleid", "Difference vs status quo"),
    "weight": ("Weging", "Weight"),
    "factor": ("Factor", "Factor"),
    "recommended": ("Laagste doelfunctie", "Lowest objective"),
    "recommended_cash": ("Kasuitgaven daarvan", "Its cash spending"),
    "changed": ("Andere optie dan bij factor 1", "Another option than at factor 1"),
    "all": ("alle wegingen (zoals berekend)", "every weight (as solved)"),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
}


def _ow(key: str, lang: Lang) -> str:
    nl, en = OPTION_SHEET_WORDS[key]
    return nl if lang == "nl" else en


def options_sheets(frame: pd.DataFrame, sensitivity: pd.DataFrame | None, lang: Lang = DEFAULT_LANG) -> list:
    """The options workbook: per option the measures in € mln or their unit, each with its
    difference against the status quo; the weight sensitivity; the raw table on a technical sheet."""
    from bekostiging.report.workbook import COUNT, DECIMAL, MILLIONS, Column, Sheet, unit

    ranked = frame.sort_values("cash_rank", kind="stable").reset_index(drop=True)
    own = iter(range(1, len(ranked) + 1))
    words = [preset_words(str(p), lang, next(own)) for p in ranked["preset"]]
    shown = pd.DataFrame(
        {
            "option": words,
            "preset": ranked["preset"].astype(str),
            "status": [status_word(v, lang) for v in ranked["status"]],
            "rank": ranked["cash_rank"],
            "gap": ranked["gap"],
        }
    )
    columns = [
        Column("option", _ow("preset", lang)),
        Column("preset", _ow("preset_name", lang)),
        Column("status", _ow("status", lang)),
        Column("rank", _ow("rank", lang), unit("number", lang), COUNT),
    ]
    diffs = pd.DataFrame({"option": words, "preset": shown["preset"]})
    diff_columns = [Column("option", _ow("preset", lang)), Column("preset", _ow("preset_name", lang))]
    for col, _label, scale, unit_key in (*OPTIONS_METRICS, *OPTIONS_BESIDE):
        money = scale == EUR_MILLION
        unit_text = unit("mln", lang) if money else term(unit_key, lang)
        fmt = MILLIONS if money else COUNT
        shown[col] = ranked[col].astype(float) / scale
        columns.append(Column(col, term(col, lang), unit_text, fmt))
        diff = f"{col}{DIFF_SUFFIX}"
        if diff in ranked.columns:
            diffs[col] = ranked[diff].astype(float) / scale
            diff_columns.append(Column(col, term(col, lang), unit_text, fmt))
    columns.append(Column("gap", _ow("gap", lang), unit("percent", lang), "0.00%"))
    shown["run_id"] = ranked["run_id"].astype(str)
    columns.append(Column("run_id", _ow("run", lang)))
    sheets = [
        Sheet(_ow("sheet", lang), shown, tuple(columns), keys=1),
        Sheet(_ow("delta_sheet", lang), diffs, tuple(diff_columns), keys=1),
    ]
    if sensitivity is not None and not sensitivity.empty:
        sens = pd.DataFrame(
            {
                "weight": [
                    _ow("all", lang) if k == "all" else term(f"weight_{k}", lang)
                    for k in sensitivity["weight"].astype(str)
                ],
                "factor": sensitivity["factor"].astype(float),
                "recommended": [preset_words(str(p), lang, 0) for p in sensitivity["recommended"]],
                "cash": sensitivity["recommended_cash_eur"].astype(float) / EUR_MILLION,
                "rank": sensitivity["cash_rank"],
                "changed": [_ow("yes" if c else "no", lang) for c in sensitivity["changed"]],
            }
        )
        sheets.append(
            Sheet(
                _ow("weights_sheet", lang),
                sens,
                (
                    Column("weight", _ow("weight", lang)),
                    Column("factor", _ow("factor", lang), "×", DECIMAL),
                    Column("recommended", _ow("recommended", lang)),
                    Column("cash", _ow("recommended_cash", lang), unit("mln", lang), MILLIONS),
                    Column("rank", _ow("rank", lang), unit("number", lang), COUNT),
                    Column("changed", _ow("changed", lang)),
                ),
                keys=1,
            )
        )
    sheets.append(Sheet(_ow("technical", lang), frame, technical=True, keys=1))
    return sheets
