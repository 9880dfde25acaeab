"""The memo annex as a list of blocks, rendered later to PDF, HTML or Markdown.

One builder (:func:`build_report`) decides what the annex says; the renderers
only decide how it looks. All numbers are formatted here, in the report's
language.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pandas as pd

from bekostiging.budget import CONSTANT, CURRENT, RESERVE_LINE, budget_wide, reserve_per_year
from bekostiging.errors import InputErrors
from bekostiging.io.case import has_sources, load_case
from bekostiging.io.sources import ADDED, NOT_SET, REMOVED, changed_values, shipped_default_case
from bekostiging.report import charts, data, memo
from bekostiging.report.analysis import value_blocks
from bekostiging.report.blocks import Block, Document, Heading, Image, PageBreak, Paragraph, Table
from bekostiging.report.i18n import (
    GLOSSARY,
    TERMS,
    Lang,
    fmt_eur,
    fmt_number,
    fmt_percent,
    fmt_unit_value,
    stage_term,
    status_word,
    term,
    unit_words,
)
from bekostiging.report.memo import status_sentence  # re-exported: solve and the workbook use it
from bekostiging.report.money import kpi_label, money_rows, weights_table
from bekostiging.runs.store import RunRecord
from bekostiging.schema import Case

SOURCES_FILE = "SOURCES.md"
SOURCES_KEY = "sources"  # the [sources] tables of case.toml (bekostiging.io.case)
FEW_SCENARIOS = 10  # below this P10/P90 are (near) the extreme scenarios: the annex says so
SETTINGS_FILE = "case.toml"
MAX_CHANGES_SHOWN = 60  # rows of the "changed from the default case" table; the rest counted
MAX_SOURCE_LINES = 400  # a SOURCES.md longer than this is cut in the annex (the file itself is in the run)
HASH_SHOWN_CHARS = 16  # enough to identify a file; the full hash is in manifest.json
CVAR_ALPHA_DECIMALS = 2  # alpha and the risk weight, e.g. 0,90


# --------------------------------------------------------------------------- helpers


def _table(
    title: str, frame: pd.DataFrame, numeric: Mapping[str, bool] | None = None, small: bool = False
) -> Table:
    header = tuple(str(c) for c in frame.columns)
    rows = tuple(tuple(str(v) for v in row) for row in frame.itertuples(index=False))
    flags = tuple(bool((numeric or {}).get(c, False)) for c in header)
    return Table(title, header, rows, flags, small)


def settings_with_sources(case_toml: Path) -> list[tuple[str, str, str]]:
    """(key path, value, source) for every setting in ``case.toml``.

    The source comes from the ``[sources]`` tables; a case written before sources
    were data has them as comments next to the values, which are read instead.
    """
    if not case_toml.is_file():
        return []
    text = case_toml.read_text(encoding="utf-8")
    parsed = tomllib.loads(text)
    keyed = parsed.pop(SOURCES_KEY, None)
    if isinstance(keyed, dict):
        sources = {k: str(v) for k, v in data.flatten(keyed).items()}
        return [(k, str(v), sources.get(k, "")) for k, v in data.flatten(parsed).items()]
    values = data.flatten(parsed)
    comments: dict[str, str] = {}
    section = ""
    for line in text.splitlines():
        stripped = line.strip()
        m_sec = re.match(r"^\[([^\]]+)\]", stripped)
        if m_sec:
            section = m_sec.group(1).strip()
            continue
        m_key = re.match(r"^([A-Za-z0-9_\-]+)\s*=.*?#\s*(.*)$", stripped)
        if m_key:
            key = f"{section}.{m_key.group(1)}" if section else m_key.group(1)
            comments[key] = m_key.group(2).strip()
    return [(k, str(v), comments.get(k, "")) for k, v in values.items()]


def _cells(line: str) -> tuple[str, ...]:
    return tuple(_plain_markdown(c.strip()) for c in line.strip().strip("|").split("|"))


def _is_rule(cells: tuple[str, ...]) -> bool:
    """A markdown table's header rule: cells of dashes and colons only."""
    return all(re.fullmatch(r":?-{1,}:?", c) for c in cells if c)


def markdown_blocks(lines: list[str]) -> Iterator[Block]:
    """Headings, paragraphs and pipe tables of a markdown text (SOURCES.md) as annex blocks.

    Pipe tables become real tables, so the assumptions read as a table, not as rows of bars.
    """
    table: list[tuple[str, ...]] = []

    def flush() -> Iterator[Block]:
        if table:
            header, *rows = table
            width = len(header)
            body = tuple(tuple((list(r) + [""] * width)[:width]) for r in rows if not _is_rule(r))
            yield Table("", header, body, small=True)
            table.clear()

    for line in lines:
        stripped = line.strip()
        if stripped.startswith("|"):
            table.append(_cells(stripped))
            continue
        yield from flush()
        if not stripped:
            continue
        if stripped.startswith("#"):
            yield Heading(stripped.lstrip("#").strip(), 3)
        else:
            yield Paragraph(_plain_markdown(stripped))
    yield from flush()


def _plain_markdown(line: str) -> str:
    """A SOURCES.md line as plain text: no emphasis marks or code ticks."""
    return re.sub(r"(\*\*|__|`)", "", line)


# --------------------------------------------------------------------------- sections


def _price_year(record: RunRecord) -> object:
    try:
        settings = tomllib.loads((record.case_copy / SETTINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return "?"
    return settings.get("case", {}).get("price_year", "?")


def _cash_sentence(record: RunRecord, lang: Lang) -> Iterator[Block]:
    """Total cost split into cash spending and model penalties, with the price year."""
    kpis = data.expected_kpis(record).set_index("kpi")["value"]
    if "spending_eur" not in kpis or "penalty_eur" not in kpis:
        return
    yield Paragraph(
        term("cash_sentence", lang).format(
            spending=fmt_eur(kpis["spending_eur"], lang),
            penalty=fmt_eur(kpis["penalty_eur"], lang),
            year=_price_year(record),
        )
    )


def _money_summary(record: RunRecord, lang: Lang) -> Iterator[Block]:
    """Cash and service outcomes first, the fund, the end state against the start, weights apart."""
    rows = money_rows(record.tables, lang)
    if rows:
        frame = pd.DataFrame(
            {
                term("key", lang): [("   " * level) + text for level, text, _ in rows],
                term("value", lang): [value for _, _, value in rows],
            }
        )
        yield _table(term("money_summary", lang), frame, {term("value", lang): True})


def _money_blocks(record: RunRecord, lang: Lang) -> Iterator[Block]:
    """The budget view: cash per article (both price levels), reconciliation, the fund, the weights."""
    yield Heading(term("money_section", lang))
    budget = record.table("budget")
    for prices in (CONSTANT, CURRENT):
        wide = budget_wide(budget, prices) if not budget.empty else budget
        if wide is None or wide.empty:
            continue
        years = [c for c in wide.columns if c not in ("article", "partner")]
        frame = pd.DataFrame(
            {
                term("article", lang): [
                    article_words(str(a), str(p), lang)
                    for a, p in zip(wide["article"], wide["partner"], strict=True)
                ]
            }
        )
        for y in years:
            frame[y] = [fmt_eur(v, lang) for v in wide[y]]
        frame[term("total", lang)] = [fmt_eur(v, lang) for v in wide[years].sum(axis=1)]
        title = term("budget_table_constant" if prices == CONSTANT else "budget_table_current", lang)
        yield _table(
            title.format(year=_price_year(record)), frame, {c: True for c in frame.columns[1:]}, small=True
        )
    rec = record.table("reconciliation")
    if not rec.empty:
        frame = pd.DataFrame(
            {
                term("partner", lang): [term(str(p), lang) for p in rec["partner"]],
                term("year", lang): [("" if pd.isna(y) else str(int(y))) for y in rec["year"]],
                term("model_need", lang): [fmt_eur(v, lang) for v in rec["model_mpp_need_eur"]],
                term("published", lang): [fmt_eur(v, lang) for v in rec["published_price_year_eur"]],
                term("delta_pct", lang): [
                    "" if pd.isna(v) else fmt_percent(v / 100.0, lang) for v in rec["difference_pct"]
                ],
                memo.w("source_key", lang): [
                    memo._source_keys(str(v), lang) for v in rec["source"].fillna("")
                ],
            }
        )
        yield _table(
            term("reconciliation_table", lang), frame, {c: True for c in frame.columns[2:5]}, small=True
        )
    per = reserve_per_year(record.table("reserve"), record.table("scenarios"))
    if not per.empty:
        frame = pd.DataFrame({term("year", lang): per["year"].astype(int).astype(str)})
        for col in ("opening_eur", "deposit_eur", "underspend_in_eur", "withdrawal_eur", "closing_eur"):
            frame[term(f"reserve_{col}", lang)] = [fmt_eur(v, lang) for v in per[col]]
        yield _table(term("reserve_table", lang), frame, {c: True for c in frame.columns[1:]}, small=True)
    settings = settings_with_sources(record.case_copy / SETTINGS_FILE)
    if settings:
        weights = weights_table(settings, lang)
        what, _setting, unit, value, source = weights.columns
        frame = pd.DataFrame(
            {
                what: weights[what],
                unit: [unit_words(str(u), lang) for u in weights[unit]],
                value: [
                    _setting_value(v, lang) if str(v) else ("afgeleid" if lang == "nl" else "derived")
                    for v in weights[value]
                ],
                memo.w("source_key", lang): [memo._source_keys(str(v), lang) for v in weights[source]],
            }
        )
        yield _table(term("weights_table", lang), frame, {value: True}, small=True)


ARTICLE_NUMBER = re.compile(r"^((?:[IVXL]+ )?art\. [\d.]+)|^([IVXL]+ \w+(?: / [IVXL]+ \w+)?)")
RESERVE_ARTICLE_EN = "Asylum reserve (new budget reserve): deposit"


def article_words(article: str, partner: str, lang: Lang) -> str:
    """A budget article as the reader's language names it.

    Dutch: the case's own article name. English: the chapter and article number, then the
    partner's English name (the Dutch article title is a name in a Dutch budget).
    """
    if lang == "nl":
        return article
    if partner == RESERVE_LINE:
        return RESERVE_ARTICLE_EN
    found = ARTICLE_NUMBER.match(article)
    number = (found.group(1) or found.group(2) or "") if found else ""
    number = number.replace("Politie", "Police")  # budget chapter VI (Justice and Security)
    name = term(partner, lang) if partner in TERMS else partner
    return f"{number}: {name}" if number else name


def _setting_value(value: object, lang: Lang) -> str:
    """A settings value as a number in the report's language (text stays text)."""
    try:
        number = float(str(value))
    except ValueError:
        return str(value)
    return fmt_number(number, lang, 0 if number.is_integer() else 2)


def _summary_blocks(record: RunRecord, s: data.Summary, lang: Lang) -> Iterator[Block]:
    yield Heading(term("results", lang))
    sentence, warn = status_sentence(s.status, s.gap, lang)
    yield Paragraph(f"{term('solver_status', lang)}: {sentence}", emphasis=True, warning=warn)
    yield Paragraph(memo.w("inflow_sentence", lang).format(scenarios=memo.scenario_words(record, lang)))
    if not s.levers.empty:
        rows = pd.DataFrame(
            {
                term("lever", lang): [term(lv, lang) for lv in s.levers["lever"]],
                term("value", lang): [
                    fmt_unit_value(v, u, lang)
                    for v, u in zip(s.levers["value"], s.levers["unit"], strict=True)
                ],
            }
        )
        yield _table(term("recommended_plan", lang), rows, {term("value", lang): True})
    yield Heading(term("cost_outcome", lang), 2)
    yield from _money_summary(record, lang)
    yield Paragraph(
        term("expected_cost_sentence", lang).format(
            expected=fmt_eur(s.expected_cost, lang),
            p10=fmt_eur(s.cost_p10, lang),
            p90=fmt_eur(s.cost_p90, lang),
        )
    )
    yield from _cash_sentence(record, lang)
    if s.scenario_count is not None and s.scenario_count < FEW_SCENARIOS:
        yield Paragraph(
            term("few_scenarios_note", lang).format(count=s.scenario_count), emphasis=True, warning=True
        )
    if s.cost_cvar is not None:
        yield Paragraph(
            term("cvar_sentence", lang).format(
                alpha=fmt_number(s.cvar_alpha, lang, CVAR_ALPHA_DECIMALS),
                tail=fmt_percent(1.0 - s.cvar_alpha, lang),
                cvar=fmt_eur(s.cost_cvar, lang),
                expected=fmt_eur(s.expected_cost, lang),
                weight=fmt_number(s.risk_weight, lang, CVAR_ALPHA_DECIMALS),
            )
        )
    yield Heading(term("backlog_outcome", lang), 2)
    yield Paragraph(
        term("backlog_sentence", lang).format(
            expected=fmt_number(s.backlog_expected, lang),
            p90=fmt_number(s.backlog_p90, lang),
            late=fmt_number(s.late_case_months, lang),
        )
    )


ADVICE_HEADING = ("Besluiten per begrotingsjaar", "Decisions by budget year")
ADVICE_SENTENCE = (
    "Alleen de besluiten voor {year} gelden in alle scenario's; latere jaren hangen af van de "
    "instroom die dan bekend is (scenarioboom, model/stages.md). De bandbreedte is min – max "
    "over de knopen van de boom.",
    "Only the decisions for {year} hold in every scenario; later years depend on the inflow known "
    "by then (scenario tree, model/stages.md). Ranges are min – max over the nodes of the tree.",
)


def _advice_blocks(record: RunRecord, lang: Lang) -> Iterator[Block]:
    """A run solved by budget year (``--stages yearly``): decide now, and later years' ranges."""
    from bekostiging.advice import advice_heads, advice_rows, tree_lines

    advice = record.table("advice")
    if advice.empty:
        return
    now_rows, years, later_rows = advice_rows(advice, lang)
    head_now, head_later = advice_heads(advice, lang)
    pick = 0 if lang == "nl" else 1
    yield Heading(ADVICE_HEADING[pick], 2)
    yield Paragraph(ADVICE_SENTENCE[pick].format(year=int(advice["year"].min())))
    frame = pd.DataFrame(now_rows, columns=[term("lever", lang), term("value", lang)])
    yield _table(head_now.rstrip(":"), frame, {term("value", lang): True})
    if later_rows:
        wide = pd.DataFrame(
            [[label, *cells] for label, cells in later_rows], columns=[term("lever", lang), *map(str, years)]
        )
        yield _table(head_later.rstrip(":"), wide, {str(y): True for y in years}, small=True)
    for line in tree_lines(record.table("tree"), lang):
        yield Paragraph(line.strip(), warning=line.startswith("  "))


def _kpi_table(record: RunRecord, lang: Lang) -> Iterator[Block]:
    """Every expected indicator (the detail behind the money table of section 1)."""
    kpis = data.expected_kpis(record)
    if not kpis.empty:
        frame = pd.DataFrame(
            {
                term("kpi", lang): [kpi_label(k, lang) for k in kpis["kpi"]],
                term("value", lang): [
                    fmt_unit_value(v, u, lang) for v, u in zip(kpis["value"], kpis["unit"], strict=True)
                ],
            }
        )
        yield _table(term("expected_kpis", lang), frame, {term("value", lang): True}, small=True)


def _table_blocks(record: RunRecord, lang: Lang) -> Iterator[Block]:
    yield Heading(term("tables", lang))
    yield from _kpi_table(record, lang)
    funding = data.funding_table(record)
    if not funding.empty:
        frame = pd.DataFrame(
            {
                term("partner", lang): [term(p, lang) for p in funding["partner"]],
                term("year", lang): funding["year"].astype(str),
                term("budget_eur", lang): [fmt_eur(v, lang) for v in funding["budget_eur"]],
                term("mpp_need_eur", lang): [fmt_eur(v, lang) for v in funding["mpp_need_eur"]],
                term("ratio", lang): [fmt_percent(v, lang) for v in funding["ratio"]],
            }
        )
        yield _table(term("funding_table", lang), frame, {c: True for c in frame.columns[2:]}, small=True)
    cost = data.expected_costs(record, ["partner", "year"])
    if not cost.empty:
        wide = cost.pivot(index="partner", columns="year", values="value_eur").fillna(0.0)
        wide[term("total", lang)] = wide.sum(axis=1)
        frame = pd.DataFrame({term("partner", lang): [term(p, lang) for p in wide.index]})
        for col in wide.columns:
            frame[str(col)] = [fmt_eur(v, lang) for v in wide[col]]
        yield _table(term("cost_table", lang), frame, {c: True for c in frame.columns[1:]}, small=True)
    breakdown = data.expected_costs(record, ["kind", "component", "stage"], kinds=None)
    if not breakdown.empty:
        frame = pd.DataFrame(
            {
                term("kind", lang): [term(str(k), lang) for k in breakdown["kind"]],
                term("component", lang): [term(c, lang) for c in breakdown["component"]],
                term("stage", lang): [stage_term(s, lang) for s in breakdown["stage"]],
                term("value_eur", lang): [fmt_eur(v, lang) for v in breakdown["value_eur"]],
            }
        )
        yield _table(term("cost_breakdown", lang), frame, {term("value_eur", lang): True}, small=True)
    yield from memo.scenario_summary(record, lang)


def _assumption_blocks(record: RunRecord, lang: Lang) -> Iterator[Block]:
    """The technical appendix: main assumptions in words with source numbers, the source list."""
    yield Heading(term("technical_appendix", lang))
    settings = settings_with_sources(record.case_copy / SETTINGS_FILE)
    table = memo.assumption_rows(settings, lang) if settings else None
    if table is not None:
        yield table
    case = _case_of(record)
    if case is not None and has_sources(case):
        yield from _changed_blocks(case, lang)
        sources = memo.source_rows(case, lang)
        if sources is not None:
            yield sources
        internal = memo.internal_sources(case)
        if internal:
            yield Paragraph(memo.w("internal_sources", lang).format(n=internal))
    yield Paragraph(memo.w("tech_note", lang))


def _case_of(record: RunRecord) -> Case | None:
    """The run's stored case, validated; None for a copy that no longer loads (an old run)."""
    try:
        return load_case(record.case_copy)
    except (InputErrors, OSError):
        return None


def _changed_blocks(case: Case, lang: Lang) -> Iterator[Block]:
    """The values that differ from the shipped default case, old and new, with sources."""
    folder = shipped_default_case()
    if folder is None:
        return
    try:
        default = load_case(folder)
    except (InputErrors, OSError):
        return
    changes = changed_values(case, default)
    name = default.settings.case.name
    yield Heading(term("changed_values", lang), 2)
    if not changes:
        yield Paragraph(term("no_changes", lang).format(name=name))
        return
    yield Paragraph(term("changed_sentence", lang).format(count=len(changes), name=name))
    frame = pd.DataFrame(
        [
            (
                memo.setting_words(c.what, lang),
                _changed_value(c.default, lang),
                _changed_value(c.value, lang),
                memo.source_words(c.default_source, lang),
                memo.source_words(c.source, lang),
            )
            for c in changes[:MAX_CHANGES_SHOWN]
        ],
        columns=[
            term(k, lang)
            for k in ("changed_what", "default_value", "this_value", "default_source", "this_source")
        ],
    )
    yield _table(term("changed_values", lang), frame, small=True)
    if len(changes) > MAX_CHANGES_SHOWN:
        yield Paragraph(term("changed_more", lang).format(count=len(changes) - MAX_CHANGES_SHOWN))


CHANGE_MARKS = {  # io.sources' marks in the reader's words
    NOT_SET: ("niet ingesteld", "not set"),
    ADDED: ("(toegevoegd)", "(added)"),
    REMOVED: ("(verwijderd)", "(removed)"),
}


def _changed_value(text: str, lang: Lang) -> str:
    """A changed value as the reader writes numbers (0,005 in Dutch); marks in words."""
    if text in CHANGE_MARKS:
        return CHANGE_MARKS[text][0 if lang == "nl" else 1]
    number = re.fullmatch(r"-?\d+(?:\.(\d+))?", text)
    if number is None:  # a table row ('places 300, initially_open 0'): its column names in words
        return re.sub(r"\b([a-z]+(?:_[a-z]+)+)\b", lambda m: m.group(1).replace("_", " "), text)
    return fmt_number(float(text), lang, len(number.group(1) or ""))  # every decimal kept


def _provenance_blocks(record: RunRecord, lang: Lang) -> Iterator[Block]:
    raw = record.manifest.raw
    yield Heading(term("provenance", lang))
    solver = raw.get("solver", {})
    scen = raw.get("scenarios", {})
    git = raw.get("git") or {}
    rows = [
        (term("run_id", lang), record.run_id),
        (term("created", lang), str(raw.get("created", ""))),
        (term("status", lang), status_word(raw.get("status", ""), lang)),
        (term("objective", lang), fmt_eur(raw.get("objective"), lang)),
        (term("bound", lang), fmt_eur(raw.get("bound"), lang)),
        (term("gap", lang), fmt_percent(raw.get("gap"), lang, 3)),
        (
            term("solver", lang),
            f"{solver.get('name', '')} {solver.get('version', '')}",
        ),
        (term("seed", lang), str(raw.get("seed"))),
        (
            term("scenarios_table", lang),
            f"{scen.get('name', '')} ({scen.get('count', '')}) "
            f"sha256 {str(scen.get('sha256', ''))[:HASH_SHOWN_CHARS]}",
        ),
        (term("case", lang) + " sha256", str(raw.get("case", {}).get("sha256", ""))[:HASH_SHOWN_CHARS]),
        (
            term("git", lang),
            f"{git.get('commit', '–')}{' ' + term('dirty', lang) if git.get('dirty') else ''}",
        ),
        (term("versions", lang), ", ".join(f"{k} {v}" for k, v in raw.get("versions", {}).items())),
    ]
    yield _table("", pd.DataFrame(rows, columns=[term("key", lang), term("value", lang)]), small=True)


METHOD_TERMS: tuple[tuple[str, str, str, str], ...] = (  # (abbreviation, nl words, en words, key)
    (
        "RP",
        "het aanbevolen plan, dat rekening houdt met onzekerheid",
        "the recommended plan, allowing for uncertainty",
        "",
    ),
    ("EV", "plan op het gemiddelde scenario", "plan on the average scenario", ""),
    ("EEV", "dat plan doorgerekend in elk scenario", "that plan run through every scenario", ""),
    ("WS", "uitkomst met een perfecte voorspelling", "outcome with a perfect forecast", ""),
    (
        "VSS",
        "wat rekening houden met onzekerheid oplevert",
        "value of the stochastic solution",
        "measure_VSS",
    ),
    ("EVPI", "wat een perfecte voorspelling waard zou zijn", "expected value of perfect information", ""),
    ("CVaR", "gemiddelde van de duurste scenario's", "conditional value at risk", ""),
    ("P10 / P90", "waarde die 10% / 90% van de scenario's niet overschrijdt", "10th / 90th percentile", ""),
    ("MPP", "Meerjaren Productie Prognose: de jaarlijkse ketenraming", "the chain's multi-year forecast", ""),
)


def _glossary_blocks(lang: Lang) -> Iterator[Block]:
    yield Heading(term("glossary", lang))
    if lang == "nl":
        rows = [(nl, meaning.split(" / ")[0]) for nl, _en, meaning in GLOSSARY]
        rows += [(abbr, words) for abbr, words, _en, _k in METHOD_TERMS]
        header = ["Begrip", "Betekenis"]
    else:  # the Dutch policy term once, in brackets, so a reader can find it in Dutch papers
        rows = [
            (en if en == nl else f"{en} ({nl})", meaning.split(" / ")[-1]) for nl, en, meaning in GLOSSARY
        ]
        rows += [(abbr, en) for abbr, _nl, en, _k in METHOD_TERMS]
        header = ["Term", "Meaning"]
    seen: set[str] = set()
    rows = [r for r in rows if not (r[0].split(" (")[0] in seen or seen.add(r[0].split(" (")[0]))]
    yield _table("", pd.DataFrame(rows, columns=header), small=True)


def build_report(
    record: RunRecord,
    lang: Lang,
    options_dir: Path | None = None,
    simulation_dirs: Sequence[Path] = (),
) -> Document:
    """The annex for one run, in ``lang``: page 1 the summary, then contents and a section per question.

    Sections: the plan and its outcomes (with its charts), the five options (when an options
    comparison exists: ``options_dir`` or the run's ``analysis/options.csv``), what planning for
    uncertainty yields (``analysis/value.csv``), the budget view, the look back at 2014–2025 and the
    stress tests (simulation folders, when given), tables, the technical appendix, provenance and
    the glossary. A section whose data does not exist is left out, never filled with guesses.
    """
    from bekostiging.report.options_section import options_blocks
    from bekostiging.report.simulation import simulation_blocks

    s = data.summarise(record)
    price_year = _price_year(record)
    usable = s.usable
    body: list[Block] = list(_summary_blocks(record, s, lang))
    body += list(_advice_blocks(record, lang))  # runs solved with --stages yearly
    if usable:
        body += [
            Image(title, png)
            for title, png in (
                (charts.w("chart_distributions", lang), charts.scenario_distributions(record, lang)),
                (term("chart_inflow_fan", lang), charts.inflow_fan(record, lang)),
                (term("chart_capacity", lang), charts.capacity_vs_occupancy(record, lang)),
            )
            if png is not None
        ]
    body.append(PageBreak())
    body += _section(list(options_blocks(record, lang, options_dir)))
    body += _section(list(value_blocks(record, lang)))  # analysis/value.csv, when the run has one
    body += list(_money_blocks(record, lang))
    if usable:
        png = charts.cost_per_partner_year(record, lang)
        if png is not None:
            body.append(Image(term("chart_cost", lang), png))
    body.append(PageBreak())
    body += _section(list(simulation_blocks(simulation_dirs, record, lang)))
    body += list(_table_blocks(record, lang))
    body.append(PageBreak())
    body += list(_assumption_blocks(record, lang))
    body.append(PageBreak())
    body += list(_provenance_blocks(record, lang))
    body += list(_glossary_blocks(lang))
    body = memo.number_headings(body)
    first = list(memo.summary_page(record, s, lang, price_year))
    blocks = [*first, *memo.contents(body, lang), PageBreak(), *body]
    blocks = memo.number_exhibits(blocks, lang, memo.source_line(record, lang, price_year))
    return Document(
        title=term("report_title", lang),
        subtitle=f"{term('run_id', lang)} {record.run_id}",
        lang=lang,
        blocks=tuple(blocks),
    )


def _section(blocks: list[Block]) -> list[Block]:
    """A section's blocks followed by a page break; nothing for a section without data."""
    return [*blocks, PageBreak()] if blocks else []
