"""``bekostiging solve`` through click: exit codes, the summary in nl and en, the stored run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bekostiging.cli import main

pytestmark = pytest.mark.solver

TINY = Path(__file__).parent / "fixtures" / "tiny-case"
EXIT_INPUT, EXIT_INFEASIBLE = 2, 3


def _solve(tmp_path: Path, *args: str):
    return CliRunner().invoke(
        main, ["solve", str(TINY), "--scenarios", "two", "--runs-dir", str(tmp_path / "runs"), "-q", *args]
    )


def test_solve_prints_status_levers_and_stores_the_run(tmp_path: Path) -> None:
    result = _solve(tmp_path, "--lang", "en", "--late-penalty", "750", "--out", str(tmp_path / "tables"))
    assert result.exit_code == 0, result.output
    assert "Solver status: Optimal" in result.output
    assert "The five levers of the 2021 letter:" in result.output.splitlines()
    assert "Asylum reserve: deposits over the horizon" in result.output
    # cash first, weights apart (issue 9): the cash line comes before the weights line
    out = result.output
    assert out.index("Cash spending of the partners (expected)") < out.index("Model weights, not spending")
    assert "End state against the start (expected)" in out
    (run,) = [p for p in (tmp_path / "runs").iterdir() if not p.name.startswith(".")]
    assert f"stored in: {run}" in out.splitlines()  # where the run went, in the user's language
    assert f"wrote {tmp_path / 'tables'}" in out.splitlines()  # and where --out's tables went
    for table in ("budget", "reconciliation", "reserve"):
        assert (run / "tables" / f"{table}.csv").is_file(), table
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "optimal" and manifest["seed"] == 0
    # the override is in the stored inputs, so rerun and compare see it
    assert "late_case_month_eur = 750.0" in (run / "inputs" / "case" / "case.toml").read_text()


def test_solve_speaks_dutch_by_default(tmp_path: Path) -> None:
    result = _solve(tmp_path, "--out", str(tmp_path / "tables"))
    assert result.exit_code == 0, result.output
    # --out's tables in Dutch too (was 'tables written to …' in either language)
    assert f"geschreven: {tmp_path / 'tables'}" in result.output.splitlines()
    assert "written" not in result.output
    assert "De vijf maatregelen van de Kamerbrief (2021):" in result.output.splitlines()
    assert "Asielreserve: storting over de horizon" in result.output
    assert "Kasuitgaven ketenpartners (verwacht)" in result.output
    assert "Modelweging, geen uitgave" in result.output


HEADS = {  # (objective line, its bound, levers heading, expected heading, the cash line)
    "nl": (
        "Doelfunctie: € ",
        "(ondergrens € ",
        "De vijf maatregelen",
        "Verwacht over de scenario's:",
        "Kasuitgaven",
    ),
    "en": (
        "Objective: €",
        "(lower bound €",
        "The five levers",
        "Expected over the scenarios:",
        "Cash spending",
    ),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_summary_headings_start_with_a_capital_and_the_expected_block_is_indented(
    tmp_path: Path, lang: str
) -> None:
    """The summary's headings start with a capital ('doelfunctie:', 'de vijf maatregelen…' and
    'verwacht over de scenario's:' did not), the bound is the lower bound ('grens' read as any
    limit), and every expected figure stands under 'Verwacht over de scenario's:' (the cash line
    stood flush left beside it), its amounts aligned with the levers' amounts."""
    result = _solve(tmp_path, "--lang", lang, "--out", str(tmp_path / "tables"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    objective, bound, levers, expected, cash = HEADS[lang]
    (line,) = [ln for ln in lines if ln.lower().startswith(objective.lower().split(":")[0] + ":")]
    assert line.startswith(objective) and bound in line, line
    start = lines.index(expected)
    end = next(i for i, ln in enumerate(lines) if ln.startswith(("geschreven: ", "wrote ")))
    block = lines[start + 1 : end]
    assert block[0].startswith(f"  {cash}"), block[0]
    assert all(ln.startswith("  ") for ln in block), [ln for ln in block if not ln.startswith("  ")]
    head = next(i for i, ln in enumerate(lines) if ln.startswith(levers))
    lever_line = lines[head + 1]
    item = next(ln for ln in block if ln.startswith("    ") and not ln.startswith("     "))
    assert len(item) == len(lever_line), (item, lever_line)  # amounts end in the same column


def test_infeasible_policy_exits_3_and_names_the_conflict(tmp_path: Path) -> None:
    policy = tmp_path / "te-krap.toml"
    policy.write_text(
        '[policy]\nname = "te-krap"\nallow_staff_changes = false\nallow_location_changes = false\n'
        "funding_ratio_max = 0.5\n"
    )
    result = _solve(tmp_path, "--policy", str(policy))
    assert result.exit_code == EXIT_INFEASIBLE
    assert "Funding_Ratio_Max" in result.output
    assert "Traceback" not in result.output
    assert any(p.name.endswith(".failed") for p in (tmp_path / "runs").iterdir())


def test_unknown_policy_and_scenario_set_exit_2(tmp_path: Path) -> None:
    bad_policy = _solve(tmp_path, "--policy", "bestaat-niet")
    assert bad_policy.exit_code == EXIT_INPUT
    assert "bestaat-niet" in bad_policy.output and "Traceback" not in bad_policy.output
    bad_set = CliRunner().invoke(main, ["solve", str(TINY), "--scenarios", "geen-set", "-q"])
    assert bad_set.exit_code == EXIT_INPUT
    assert "geen-set" in bad_set.output


def test_annex_of_a_real_run_splits_cash_from_penalties(tmp_path: Path) -> None:
    """The annex's summary says how much of the total is spending and how much model penalty,
    and at which price level (the tiny case's price_year, 2025), in the run's own numbers."""
    from pypdf import PdfReader

    from bekostiging.report.i18n import fmt_eur
    from bekostiging.runs.store import read_run

    assert _solve(tmp_path).exit_code == 0
    runs = tmp_path / "runs"
    (run,) = [p for p in runs.iterdir() if not p.name.startswith(".")]
    out = tmp_path / "annex"
    result = CliRunner().invoke(
        main, ["report", run.name, "--runs-dir", str(runs), "--format", "pdf", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    (pdf,) = out.glob("*.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    kpis = read_run(run).table("kpis")
    expected = kpis[kpis["scenario"] == "expected"].set_index("kpi")["value"]
    assert f"Daarvan is {fmt_eur(expected['spending_eur'], 'nl')} verwachte uitgaven" in text
    assert f"{fmt_eur(expected['penalty_eur'], 'nl')} is modelweging" in text
    assert "prijspeil 2025" in text
