"""What a reader's eye would check, on the annex of the real default case (issue 11 §1, §2, §5).

The default case is solved once per module on its three MPP scenarios with the value of
information (``solve --scenarios mpp --analyse``), and its annex rendered once in Dutch and
in English with an options comparison and two simulation folders (a look back on history and
a stress test). The options table and the simulation tables are hand-made test data in the
shape ``options`` and ``simulate`` write; everything else is the model's own output.

The PDF text is read with ``pdftotext -layout`` (poppler), the HTML in headless Chromium.
Under ``CI=true`` a missing tool fails; elsewhere it skips.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from bekostiging.cli import main
from bekostiging.report import charts, data
from bekostiging.runs.store import read_run

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
TOOL_TIMEOUT_SECONDS = 120
SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
PATH = re.compile(r"(/tmp/|/home/|/work/|\b[\w-]+\.(toml|csv|md|py|json|png|xlsx)\b)")
ENGLISH_STOP = {"the", "and", "with", "which", "this", "that", "from", "are", "not", "for", "was", "were"}
DUTCH_STOP = {"het", "een", "zijn", "wordt", "voor", "niet", "deze", "wat", "naar", "bij", "van", "de"}
DUTCH_WORDS = (
    "asielreserve", "kasuitgaven", "begroting", "modelweging", "noodopvang", "voorraad", "instroom"
)  # fmt: skip
MIN_STOP_WORDS = 2  # a line with this many stop-words of the other language is a sentence in it
EXHIBIT = re.compile(r"^(Tabel|Figuur|Table|Figure) (\d+)\. ")
SCENARIO_CODE = re.compile(r"\b(hist-\d+|s\d{2,3}|nl-2026)\b")
MPP_SCENARIO_NAMES = re.compile(r"\b(low|mid|high)\b")  # the mpp set's scenario codes (English words)
HEADINGS = {  # the section per question, in the contents (issue 11 §1)
    "nl": (
        "Samenvatting",
        "De vijf opties uit de brief van 2021",
        "Wat plannen voor onzekerheid oplevert",
        "Geld zoals de begroting het ziet",
        "Terugblik 2014–2025",
        "Stresstoetsen",
        "Technische bijlage",
        "Herkomst van deze uitkomst",
    ),
    "en": (
        "Summary",
        "The five options of the 2021 letter",
        "What planning for uncertainty yields",
        "Money as the budget sees it",
        "Looking back: 2014–2025",
        "Stress tests",
        "Technical appendix",
        "Provenance of this result",
    ),
}
SOURCE = {"nl": "Bron:", "en": "Source:"}


def _need(tool: str) -> str:
    """The tool's path; a missing tool fails under CI=true and skips elsewhere."""
    found = shutil.which(tool) or (str(CHROMIUM) if tool == "chromium" and CHROMIUM.exists() else None)
    if found is None:
        message = f"{tool} is not installed (Debian: poppler-utils / chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; CI must check the rendered annex with it")
        pytest.skip(message)
    return found


def _invoke(*args: object) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def _options_folder(root: Path) -> Path:
    """An options.csv as ``bekostiging options`` writes it (hand-made numbers, every preset)."""
    presets = ["status-quo", "flexpool", "asielreserve", "boven-mpp", "reservecapaciteit", "combinatie"]
    cash = [20_600e6, 19_400e6, 20_600e6, 20_650e6, 20_300e6, 19_100e6]
    frame = pd.DataFrame(
        {
            "preset": presets,
            "run_id": "",
            "status": "optimal",
            "gap": 0.001,
            "expected_cash_eur": cash,
            "p90_cash_eur": [c * 1.2 for c in cash],
            "late_case_months": [719_000, 386_000, 719_000, 817_000, 720_000, 388_000],
            "emergency_place_months": [430_000, 248_000, 430_000, 208_000, 161_000, 61_000],
            "supplementary_funding_eur": [1_900e6, 1_100e6, 1_650e6, 1_070e6, 1_540e6, 600e6],
            "backlog_end_persons": [20_000, 9_000, 20_000, 15_000, 19_000, 8_000],
        }
    )
    folder = root / "options"
    folder.mkdir()
    frame.to_csv(folder / "options.csv", index=False)
    return folder


def _simulation_folders(root: Path) -> tuple[Path, Path]:
    """A look back on history (summary, validation) and a stress test (simulation.csv), as
    ``bekostiging simulate --paths history`` and ``--paths stress`` write them."""
    history = root / "sim-history"
    history.mkdir()
    rows = []
    for policy, factor in (("status-quo", 1.0), ("flexpool", 0.9)):
        for year in [*range(2014, 2026), "totaal"]:
            for ind, value in (("cash_eur", 2.5e9), ("late_cases", 40_000), ("ind_backlog", 20_000)):
                rows.append((policy, year, ind, value * factor, value * factor, 1))
    pd.DataFrame(rows, columns=["policy", "year", "indicator", "mean", "p90", "paths"]).to_csv(
        history / "summary.csv", index=False
    )
    validation = [
        ("status-quo", metric, year, sim, act, f"{year}-12-31", "S25 (reported)")
        for metric, base in (("coa_bezetting", 40e3), ("ind_voorraad", 20e3), ("ind_beslissingen", 28e3))
        for year, sim, act in ((2015, base, base * 1.1), (2020, base * 0.8, base), (2023, base, base * 0.9))
    ]
    pd.DataFrame(
        validation, columns=["policy", "metric", "year", "simulated", "actual", "date", "source"]
    ).to_csv(history / "validation.csv", index=False)
    (history / "manifest.json").write_text(
        json.dumps({"created": "2026-11-30T22:00:00+00:00", "settings": {"paths": "history"}})
    )
    stress = root / "sim-stress"
    stress.mkdir()
    months = [f"{y}-{m:02d}" for y in (2026, 2027) for m in range(1, 13)]
    tidy = [
        (policy, path, month, metric, value * (1.5 if path == "2015-in-2027" else 1.2))
        for policy in ("status-quo", "flexpool")
        for path in ("2015-in-2027", "mpp-plus-20")
        for month in months
        for metric, value in (("cash_eur", 4e8), ("late_cases", 3_000), ("ind_backlog", 30_000))
    ]
    pd.DataFrame(tidy, columns=["policy", "path", "month", "metric", "value"]).to_csv(
        stress / "simulation.csv", index=False
    )
    (stress / "manifest.json").write_text(
        json.dumps({"created": "2026-11-30T22:30:00+00:00", "settings": {"paths": "stress", "shocks": []}})
    )
    return history, stress


@pytest.fixture(scope="module")
def annex(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The default case solved on its MPP scenarios, and its annex in both languages: pages of
    text (pdftotext), the HTML files and the run folder."""
    pdftotext = _need("pdftotext")
    root = tmp_path_factory.mktemp("annex-pdf")
    runs = root / "runs"
    _invoke("solve", "--scenarios", "mpp", "--analyse", "--runs-dir", runs, "-q")
    (run,) = [p for p in runs.iterdir() if not p.name.startswith(".")]
    options = _options_folder(root)
    history, stress = _simulation_folders(root)
    pages: dict[str, list[str]] = {}
    html: dict[str, Path] = {}
    for lang in ("nl", "en"):
        out = root / lang
        _invoke(
            "report", run.name, "--runs-dir", runs, "--lang", lang, "--format", "pdf,html", "--out", out,
            "--options", options, "--simulation", history, "--simulation", stress,
        )  # fmt: skip
        (pdf,) = out.glob("*.pdf")
        (html[lang],) = out.glob("*.html")
        text = subprocess.run(
            [pdftotext, "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
            timeout=TOOL_TIMEOUT_SECONDS,
        ).stdout
        pages[lang] = [p for p in text.split("\f") if p.strip()]
    return {"pages": pages, "html": html, "run": run}


def _lines(pages: list[str]) -> list[str]:
    """Every line of the body, without the running footer (title — run, page number)."""
    out = []
    for page in pages:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        out += [line for line in lines if not re.search(r"— Run \S+\s+\d+$", line)]
    return out


def _other_language(lines: list[str], stop: set[str]) -> list[str]:
    words = [set(re.findall(r"[a-zà-ÿ]+", line.lower())) for line in lines]
    return [line for line, found in zip(lines, words, strict=True) if len(found & stop) >= MIN_STOP_WORDS]


def _section(lines: list[str], start: str, end: str | None) -> tuple[list[str], list[str]]:
    """(lines from the heading ``n. start`` up to the line starting with ``end``, the other lines).

    The heading is its last occurrence: the first is its line in the table of contents."""
    begin = max(i for i, line in enumerate(lines) if re.match(rf"^\d+\. {re.escape(start)}", line))
    stop = (
        next((i for i, line in enumerate(lines[begin + 1 :], begin + 1) if line.startswith(end)), len(lines))
        if end
        else len(lines)
    )
    return lines[begin:stop], lines[:begin] + lines[stop:]


# --------------------------------------------------------------------------- page 1 and sections


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_page_one_is_the_summary_and_fits_one_page(annex, lang: str) -> None:
    pages = annex["pages"][lang]
    first = [line.strip() for line in pages[0].splitlines() if line.strip()]
    title = "Samenvatting" if lang == "nl" else "Summary"
    assert title in first[:4], first[:4]
    assert any(line.startswith(("Concept — ter bespreking", "Draft — for discussion")) for line in first)
    contents = [line.strip() for line in pages[1].splitlines() if line.strip()]
    assert contents[0] == ("Inhoud" if lang == "nl" else "Contents")  # the summary ended on page 1


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_section_per_question(annex, lang: str) -> None:
    text = "\n".join(_lines(annex["pages"][lang]))
    for heading in HEADINGS[lang]:
        assert heading in text, heading
    contents = " ".join(annex["pages"][lang][1].split())
    for heading in HEADINGS[lang][1:]:
        assert heading in contents, heading  # every section is in the table of contents


# --------------------------------------------------------------------------- words


def test_nl_annex_has_no_working_notes_codes_or_english(annex) -> None:
    lines = _lines(annex["pages"]["nl"])
    provenance, body = _section(lines, "Herkomst van deze uitkomst", "Begrip")
    text = "\n".join(body)
    assert "`" not in text
    assert not SNAKE.findall(text), SNAKE.findall(text)[:5]
    assert not PATH.findall("\n".join(lines)), PATH.findall("\n".join(lines))[:5]
    assert not _other_language(body, ENGLISH_STOP), _other_language(body, ENGLISH_STOP)[:3]
    assert not SCENARIO_CODE.findall(text), SCENARIO_CODE.findall(text)[:5]  # codes only in provenance
    assert not MPP_SCENARIO_NAMES.findall(text), MPP_SCENARIO_NAMES.findall(text)[:5]
    assert any("mpp" in line for line in provenance)  # the set's name is kept there, for tracing


def test_en_annex_has_no_dutch(annex) -> None:
    lines = _lines(annex["pages"]["en"])
    glossary, rest = _section(lines, "Glossary", None)
    _provenance, rest = _section(rest, "Provenance of this result", "Term")  # codes are kept there
    sources, body = _section(rest, "Technical appendix", "Source:")  # up to the assumptions' source line
    title = next(i for i, line in enumerate(body) if line.startswith("Table") and "original language" in line)
    end = next(i for i, line in enumerate(body[title:], title) if line.startswith("Source:"))
    body = body[:title] + body[end:]  # the source list keeps its titles in the original language
    assert sources  # the appendix exists
    assert not _other_language(body, DUTCH_STOP), _other_language(body, DUTCH_STOP)[:3]
    lowered = "\n".join(body).lower()
    assert not [w for w in DUTCH_WORDS if w in lowered], [w for w in DUTCH_WORDS if w in lowered]
    joined = "\n".join(glossary).lower()
    assert joined.count("(asielreserve)") == 1  # the Dutch policy term once, in brackets
    assert not SCENARIO_CODE.findall("\n".join(body)), SCENARIO_CODE.findall("\n".join(body))[:5]


# --------------------------------------------------------------------------- exhibits and numbers


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_exhibit_numbered_with_its_source_line(annex, lang: str) -> None:
    lines = _lines(annex["pages"][lang])
    found: dict[str, list[int]] = {}
    positions = []
    for i, line in enumerate(lines):
        m = EXHIBIT.match(line)
        if m:
            found.setdefault(m.group(1), []).append(int(m.group(2)))
            positions.append(i)
    for kind, numbers in found.items():
        assert numbers == list(range(1, len(numbers) + 1)), (kind, numbers)
    figure = "Figuur" if lang == "nl" else "Figure"
    assert len(found.get(figure, [])) >= 6  # distributions, inflow, capacity, options, cost, history
    for here, after in zip(positions, [*positions[1:], len(lines)], strict=True):
        assert any(line.startswith(SOURCE[lang]) for line in lines[here + 1 : after]), lines[here]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_amounts_are_never_split_across_lines(annex, lang: str) -> None:
    """Every € has its number beside it and every mln/million its number before it, on one line."""
    unit = "mln" if lang == "nl" else "million"
    lines = _lines(annex["pages"][lang])
    orphan_unit = [line for line in lines if re.search(rf"(?<![\d]\s)(?<![\d])\b{unit}\b", line)]
    orphan_sign = [line for line in lines if re.search(r"(?<!per )€(?!\s?[-−\d]|\s?per\b)", line)]
    assert not orphan_unit, orphan_unit[:3]
    assert not orphan_sign, orphan_sign[:3]


YEAR_AT_LINE_END = re.compile(r"\b(19|20)\d\d$")
PERCENT_AT_LINE_START = re.compile(r"^[-−]?\d+[,.]\d%")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_year_keeps_its_percentage_on_its_line(annex, lang: str) -> None:
    """'2030 94,9%' in the funding-per-partner rows is one item: a narrow cell wrapped it between
    the year and its percentage (seen on page 3, the COA row)."""
    lines = _lines(annex["pages"][lang])
    split = [
        (a, b)
        for a, b in itertools.pairwise(lines)
        if YEAR_AT_LINE_END.search(a) and PERCENT_AT_LINE_START.match(b)
    ]
    assert not split, split[:3]


# --------------------------------------------------------------------------- charts


def test_registration_and_ind_capacity_include_the_pool(annex) -> None:
    """Registrations and IND work fit within own capacity plus the deployed pool in every
    scenario, so the expected lines drawn hold the expected demand; without the pool they do not."""
    record = read_run(annex["run"])
    rates = charts.chain_rates(record)
    assert rates is not None
    p = data.probabilities(record)
    pools = 0
    for partner, caps, demand in charts.CAPACITY_PANELS:
        if partner not in charts.POOL_TASK:
            continue
        lines, dq, _ = charts.capacity_series(record, partner, caps, demand, rates, p)
        keys = [k for k, _ in lines]
        total = lines[-1][1].to_numpy()
        expected = dq["expected"].to_numpy()
        assert np.all(total + 1e-6 * np.maximum(total, 1.0) >= expected), partner
        if "pool_capacity" in keys:
            pools += 1
            own = lines[keys.index("pool_capacity") - 1][1].to_numpy()
            assert np.any(own < expected - 1.0), partner  # the pool is what closes the gap somewhere
    assert pools >= 1  # the plan deploys the pool (else this test would prove nothing)


def test_html_opens_in_chromium_with_every_figure(annex, tmp_path: Path) -> None:
    chromium = _need("chromium")
    nl_figures = sum(1 for line in _lines(annex["pages"]["nl"]) if line.startswith("Figuur "))
    for lang in ("nl", "en"):
        result = subprocess.run(
            [
                chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                f"--user-data-dir={tmp_path / lang}", "--enable-logging=stderr", "--v=0", "--dump-dom",
                annex["html"][lang].resolve().as_uri(),
            ],
            capture_output=True, text=True, timeout=TOOL_TIMEOUT_SECONDS, check=False,
        )  # fmt: skip
        console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
        assert console == [], console
        assert result.stdout.count("<img") == nl_figures, lang
        assert ("Samenvatting" if lang == "nl" else "Summary") in result.stdout
