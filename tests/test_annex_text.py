"""What a reader's eye would check in the memo annex (issue 11 §1 and §5), on the rendered PDF text.

nl: page 1 is the one-page Samenvatting with the concept mark, page 2 the contents; no
settings keys (snake_case), backticks, file paths or English sentences; every figure and
every titled table numbered and followed by a source line. en: no Dutch sentences.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from bekostiging.report.document import build_report
from bekostiging.report.render import to_pdf
from bekostiging.runs.store import read_run, write_run
from synthetic_runs import FakeSolution, make_case, make_tables

pytestmark = pytest.mark.unit

SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
PATH = re.compile(r"(/tmp/|/home/|/work/|\b\w+\.(toml|csv|md|py|json)\b)")
ENGLISH_STOP = {"the", "and", "with", "which", "this", "that", "from", "are", "not", "for", "was", "were"}
DUTCH_STOP = {"het", "een", "zijn", "wordt", "voor", "niet", "deze", "wat", "naar", "bij"}
MIN_STOP_WORDS = 2  # a line with this many stop-words of the other language is a sentence in it
EXHIBIT = re.compile(r"^(Tabel|Figuur|Table|Figure) (\d+)\. ")
CASE_DIR = Path(__file__).parents[1] / "data" / "nl-2026"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    root = tmp_path_factory.mktemp("annex-text")
    case, sset = make_case(root)
    path = write_run(FakeSolution(make_tables()), case_dir=case, scenarios_dir=sset, runs_dir=root)
    record = read_run(path)
    out = {}
    for lang in ("nl", "en"):
        doc = build_report(record, lang)
        reader = PdfReader(io.BytesIO(to_pdf(doc)))
        out[lang] = [p.extract_text() for p in reader.pages]
    return out


def _body(page: str) -> list[str]:
    """The page's lines without the running footer (title and page number)."""
    return [line.strip() for line in page.splitlines()[2:] if line.strip()]


def _other_language(lines: list[str], stop: set[str]) -> list[str]:
    return [line for line in lines if len(set(re.findall(r"[a-z]+", line.lower())) & stop) >= MIN_STOP_WORDS]


def test_page_one_is_the_one_page_summary(pages: dict[str, list[str]]) -> None:
    first, second = _body(pages["nl"][0]), _body(pages["nl"][1])
    assert "Samenvatting" in first[:4]
    assert any(line.startswith("Concept — ter bespreking") for line in first)
    text = " ".join(first)
    for part in ("Advies:", "Wat het oplevert:", "Belangrijkste aannames", "Kasuitgaven per jaar"):
        assert part in text, part
    assert second[0] == "Inhoud"  # the summary fits page 1: contents start page 2


def test_nl_annex_has_no_working_notes(pages: dict[str, list[str]]) -> None:
    lines = [line for page in pages["nl"] for line in _body(page)]
    text = "\n".join(lines)
    assert "`" not in text
    assert not SNAKE.findall(text), SNAKE.findall(text)[:5]
    assert not PATH.findall(text), PATH.findall(text)[:5]
    assert not _other_language(lines, ENGLISH_STOP), _other_language(lines, ENGLISH_STOP)[:3]


def test_en_annex_has_no_dutch(pages: dict[str, list[str]]) -> None:
    lines = [line for page in pages["en"] for line in _body(page)]
    assert not _other_language(lines, DUTCH_STOP), _other_language(lines, DUTCH_STOP)[:3]
    assert "`" not in "\n".join(lines)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_exhibit_numbered_with_a_source_line(pages: dict[str, list[str]], lang: str) -> None:
    lines = [line for page in pages[lang] for line in _body(page)]
    source = "Bron:" if lang == "nl" else "Source:"
    numbers: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        m = EXHIBIT.match(line)
        if not m:
            continue
        numbers.setdefault(m.group(1), []).append(int(m.group(2)))
        assert any(later.startswith(source) for later in lines[i + 1 :]), line
    figure = "Figuur" if lang == "nl" else "Figure"
    table = "Tabel" if lang == "nl" else "Table"
    assert numbers.get(figure), "no numbered figure"
    for kind in (figure, table):
        assert numbers[kind] == list(range(1, len(numbers[kind]) + 1)), (kind, numbers[kind])
    assert sum(line.startswith(source) for line in lines) >= len(numbers[figure]) + len(numbers[table])


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_money_kpi_has_a_name_in_words(lang: str) -> None:
    """Weights, valuations and start/end states are named in words in the annex's KPI tables
    (they were printed as their codes, e.g. ``weight_late_cases_eur``)."""
    from bekostiging.report.money import END_STATE, VALUATION_KPIS, WEIGHT_KPIS, kpi_label

    keys = [*WEIGHT_KPIS, *VALUATION_KPIS, *(k for _, start, end in END_STATE for k in (start, end))]
    names = [kpi_label(k, lang) for k in keys]
    assert not [n for n in names if "_" in n], names
    assert len(set(names)) == len(names)  # start and end, weight and valuation never share a name


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_changed_values_are_named_in_words_with_source_numbers(lang: str) -> None:
    """A user's changed value is listed by what it is, not its settings key, and its source as
    numbers or the date of the change, not the working note (seen: ``ind.withdrawal_share_per_month``
    with an English estimate in the Dutch annex)."""
    from bekostiging.io.case import load_case
    from bekostiging.io.case_write import settings_rows
    from bekostiging.report.memo import setting_words, source_words

    case = load_case(CASE_DIR)
    paths = [f"{section}.{key}" for section, key, _value, _info in settings_rows(case.settings)]
    paths += ["series[2026-03].permit_share", "locations[Ter Apel].capacity"]
    names = [setting_words(p, lang) for p in paths]
    assert not [n for n in names if "_" in n or "[" in n], [n for n in names if "_" in n or "[" in n][:5]
    assert setting_words("ind.output_per_fte_year", lang) != setting_words("ind.cost_per_fte_year_eur", lang)
    changed = source_words("changed by user on 2026-11-30; was 0.5 (estimate: half the work)", lang)
    assert changed.endswith("2026-11-30") and "estimate" not in changed.split(" on ")[0]
    assert source_words("S79, S13: returnable share of 12,620 persons", lang) == "S79, S13"
    note = source_words("estimate: applicants who withdraw are set aside", lang)
    assert note == ("schatting" if lang == "nl" else "estimate")


def test_assumptions_table_names_the_surges_with_their_sources() -> None:
    """The two surges of the default case are levers a reader asks about: size, cost, source."""
    from bekostiging.report.memo import assumption_rows

    settings = [
        ("ind_surge.max_fte", "500.0", "S93, S94, S99: the 2020 Taskforce IND"),
        ("ind_surge.cost_per_fte_year_eur", "140000.0", "S100, S101"),
        ("registration_surge.max_fte", "1500.0", "S55"),
    ]
    dutch = assumption_rows(settings, "nl")
    assert dutch is not None
    assert dutch.rows == (
        ("Tijdelijke extra beslissers IND (taskforce), maximum fte", "500", "S93, S94, S99"),
        ("Kosten tijdelijke beslisser IND per fte per jaar", "€ 140.000", "S100, S101"),
        ("Politie-inzet bij registratie, maximum fte", "1.500", "S55"),
    )
    english = assumption_rows(settings, "en")
    assert english is not None
    assert english.rows[0][0] == "Temporary IND decision staff (taskforce), maximum FTE"


def test_assumptions_table_states_the_ind_hiring_pace() -> None:
    """The IND's hiring cap binds in the default plan: the table gives it per year (classes per
    intake x FTE per class x intakes a year) with the source of the class limit."""
    from bekostiging.report.memo import assumption_rows

    settings = [
        ("ind.max_cohorts_per_intake", "5", "estimate: 100 FTE per intake (S20, S42)"),
        ("ind.cohort_fte", "20.0", "estimate: one training class"),
        ("ind.intake_interval_months", "3", "estimate: quarterly intake"),
    ]
    dutch = assumption_rows(settings, "nl")
    assert dutch is not None
    assert dutch.rows == (
        ("Nieuwe beslissers IND per jaar, maximum fte", "400", "S20, S42"),
    )
    half_yearly = [*settings[:2], ("ind.intake_interval_months", "6", "estimate")]
    english = assumption_rows(half_yearly, "en")
    assert english is not None
    assert english.rows == (("New IND decision staff per year, maximum FTE", "200", "S20, S42"),)
    assert assumption_rows(settings[:2], "nl") is None  # without the interval: no pace
