"""``bekostiging scenarios generate|show`` through click's CliRunner."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bekostiging.cli import main
from bekostiging.messages import LANG_ENV

pytestmark = [pytest.mark.unit, pytest.mark.usefixtures("english_messages")]  # English messages

DEFAULT_CASE = Path(__file__).parents[1] / "data" / "nl-2026"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_both_commands() -> None:
    code, out, _ = _run("scenarios", "--help")
    assert code == 0
    assert "generate" in out
    assert "show" in out


def test_generate_is_reproducible_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["scenarios", "generate", "--method", "bootstrap", "--n", "4", "--seed", "3"]
    case = ["--case", str(DEFAULT_CASE)]
    monkeypatch.delenv(LANG_ENV, raising=False)  # the output's own default (Dutch)
    code, out, _ = _run(*args, "--out", str(tmp_path / "a"), *case)
    monkeypatch.setenv(LANG_ENV, "en")
    assert code == 0
    assert "4 scenario's x 60 perioden geschreven (bootstrap, startwaarde toevalsgenerator 3)" in out  # Dutch
    assert _run(*args, "--out", str(tmp_path / "b"), *case)[0] == 0
    for name in ("scenarios.csv", "inflow.csv", "provenance.toml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    code, out, err = _run(*args, "--out", str(tmp_path / "a"), *case)
    assert code == 2
    assert "not empty" in err
    assert "Traceback" not in out + err


def test_generate_lognormal_and_mpp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = ["--case", str(DEFAULT_CASE)]
    monkeypatch.delenv(LANG_ENV, raising=False)  # the output's own default (Dutch)
    code, out, _ = _run(
        "scenarios",
        "generate",
        "--method",
        "lognormal",
        "--n",
        "3",
        "--seed",
        "1",
        "--out",
        str(tmp_path / "l"),
        *case,
    )
    assert code == 0
    assert "(lognormal, startwaarde toevalsgenerator 1)" in out
    code, out, _ = _run("scenarios", "generate", "--method", "lognormal", "--n", "3", "--seed", "1",
                        "--out", str(tmp_path / "e"), "--lang", "en", *case)  # fmt: skip
    assert code == 0
    assert "(lognormal, seed 1)" in out
    code, out, _ = _run("scenarios", "generate", "--method", "mpp", "--out", str(tmp_path / "m"), *case)
    assert code == 0
    shipped = DEFAULT_CASE / "scenarios" / "mpp"
    for name in ("scenarios.csv", "inflow.csv", "provenance.toml"):
        assert (tmp_path / "m" / name).read_bytes() == (shipped / name).read_bytes()


def test_generate_bad_method_and_bad_case(tmp_path: Path) -> None:
    code, _, err = _run("scenarios", "generate", "--method", "dice", "--out", str(tmp_path / "x"))
    assert code == 2
    assert "dice" in err
    code, out, err = _run(
        "scenarios",
        "generate",
        "--method",
        "bootstrap",
        "--out",
        str(tmp_path / "x"),
        "--case",
        str(tmp_path / "no-case"),
    )
    assert code == 2
    assert "Traceback" not in out + err
    assert not (tmp_path / "x").exists()


def test_show_prints_percentiles_and_writes_png(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    png = tmp_path / "fan.png"
    monkeypatch.delenv(LANG_ENV, raising=False)  # the output's own default (Dutch)
    code, out, _ = _run("scenarios", "show", "mpp", "--case", str(DEFAULT_CASE), "--png", str(png))
    assert code == 0
    assert "P10" in out
    assert "P90" in out
    # the MPP set: P10/P50/P90 are the low/mid/high bands (probabilities 0.25/0.5/0.25)
    assert re.search(r"eerste aanvragen\s+2026\s+27\.891\s+37\.940\s+47\.987", out)  # Dutch by default
    assert re.search(r"totaal\s+2026\s+39\.000\s+53\.050\s+67\.100", out)
    assert png.read_bytes()[: len(PNG_MAGIC)] == PNG_MAGIC


def test_show_names_the_sets_source_in_the_users_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generator writes its source in English in provenance.toml; show says it in Dutch."""
    monkeypatch.delenv(LANG_ENV, raising=False)
    png = str(tmp_path / "fan.png")
    _, dutch, _ = _run("scenarios", "show", "hist-50", "--case", str(DEFAULT_CASE), "--png", png)
    assert "bron: data/history (jaarlijkse totale instroom, MPP-edities) en MPP september 2025 (S23)" in dutch
    args = ("scenarios", "show", "hist-50", "--case", str(DEFAULT_CASE), "--png", png, "--lang", "en")
    _, english, _ = _run(*args)
    assert "source: data/history (yearly total inflow, MPP vintages) and MPP September 2025 (S23)" in english


def test_show_default_png_goes_under_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run("scenarios", "show", str(DEFAULT_CASE / "scenarios" / "hist-50"))
    assert code == 0
    assert (tmp_path / "runs" / "scenarios" / "hist-50-fan.png").is_file()
    assert "runs/scenarios/hist-50-fan.png" in out


def test_show_broken_set_exits_2_with_located_lines(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "scenarios.csv").write_text("scenario,probability\na,0.4\n")
    (folder / "inflow.csv").write_text("scenario,period,category,persons\na,2026-01,first,-1\n")
    code, out, err = _run("scenarios", "show", str(folder))
    assert code == 2
    assert "Traceback" not in out + err
    assert f"{folder / 'scenarios.csv'}: probability" in err
    assert f"{folder / 'inflow.csv'}, row 2: persons = -1" in err
    assert f"{folder / 'provenance.toml'}: file = missing" in err


def test_show_unknown_name_names_the_case_folder(tmp_path: Path) -> None:
    code, _, err = _run("scenarios", "show", "nope", "--case", str(DEFAULT_CASE))
    assert code == 2
    assert str(DEFAULT_CASE / "scenarios" / "nope") in err
