"""Issue 13: clean exits, run-folder integrity and escaping, each defect with its test.

Solves here use ``tests/fixtures/tiny-case`` (12 months, a few seconds) or the
synthetic run of ``synthetic_runs`` (no solver).
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bekostiging.cli import EXIT_TERMINATED, main
from bekostiging.cli.types import FiniteFloatRange
from bekostiging.report import write_report
from bekostiging.runs.store import RunAlteredError, read_run, write_run
from synthetic_runs import FakeSolution, make_case, make_tables

pytestmark = pytest.mark.usefixtures("english_messages")  # these check the English messages' content

TINY_CASE = Path(__file__).parent / "fixtures" / "tiny-case"
NON_FINITE = ("nan", "inf", "-inf")


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        result.exception
    )
    return result.exit_code, result.stdout, result.stderr


# --------------------------------------------------------------------------- option types


def _commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    found = []
    for name, cmd in group.commands.items():
        path = (*prefix, name)
        if isinstance(cmd, click.Group):
            found += _commands(cmd, path)
        else:
            found.append((path, cmd))
    return found


def _float_options() -> list[tuple[tuple[str, ...], click.Option]]:
    return [
        (path, p)
        for path, cmd in _commands(main)
        for p in cmd.params
        if isinstance(p, click.Option) and isinstance(p.type, click.types.FloatParamType)
    ]


@pytest.mark.unit
def test_every_float_option_of_every_command_refuses_non_finite_numbers() -> None:
    """All float options use FiniteFloatRange: nan/inf are refused by the option type (exit 2)."""
    options = _float_options()
    names = {(path[-1], p.name) for path, p in options}
    assert {("solve", "late_penalty"), ("solve", "risk_alpha"), ("solve", "mip_gap")} <= names
    plain = [
        f"{' '.join(path)} --{p.name}" for path, p in options if not isinstance(p.type, FiniteFloatRange)
    ]
    assert not plain, f"float options that accept nan/inf: {plain}"
    for _path, p in options:
        for text in NON_FINITE:
            with pytest.raises(click.BadParameter):  # "not a finite number", or out of range
                p.type.convert(text, p, None)
        with pytest.raises(click.BadParameter, match="not a finite number"):
            p.type.convert("nan", p, None)


@pytest.mark.unit
@pytest.mark.parametrize(
    "option", ["--late-penalty", "--time-limit", "--mip-gap", "--risk-alpha", "--risk-weight"]
)
def test_solve_refuses_nan_before_solving(option: str, tmp_path: Path) -> None:
    """``--late-penalty nan`` solved and then failed writing the manifest (ValueError traceback)."""
    code, _, err = _invoke("solve", str(TINY_CASE), option, "nan", "--runs-dir", str(tmp_path), "-q")
    assert code == 2
    assert f"Invalid value for '{option}': 'nan' is not a finite number." in err
    assert "Traceback" not in err
    assert not any(tmp_path.iterdir())  # no run was started


@pytest.mark.unit
def test_penalty_override_above_the_plausible_range_is_refused(tmp_path: Path) -> None:
    code, _, err = _invoke("solve", str(TINY_CASE), "--late-penalty", "1e30", "--runs-dir", str(tmp_path))
    assert code == 2
    assert "--late-penalty" in err


# --------------------------------------------------------------------------- clean exits


@pytest.mark.unit
def test_unwritable_runs_dir_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    """A runs folder that cannot be created (here: below a file) -> one line, exit 1."""
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = _invoke("solve", str(TINY_CASE), "--runs-dir", str(blocker / "runs"), "-q")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"Error: cannot write a run into {blocker / 'runs'}")
    assert "--runs-dir" in lines[0]


@pytest.mark.unit
@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_runs_dir_is_one_line(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    runs.chmod(0o500)
    try:
        code, _, err = _invoke("solve", str(TINY_CASE), "--runs-dir", str(runs), "-q")
    finally:
        runs.chmod(0o700)
    assert code == 1
    assert "Permission denied" in err
    assert "Traceback" not in err


@pytest.mark.unit
def test_sigterm_during_solve_is_one_line_and_exit_143(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM while solving: the run is kept as <id>.failed, one line, exit 128 + 15."""
    import bekostiging.pipeline

    def terminated_solve(*_args: object, **_kw: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends
        raise AssertionError("SIGTERM was not delivered")

    monkeypatch.setattr(bekostiging.pipeline, "solve_case", terminated_solve)
    code, _, err = _invoke("solve", str(TINY_CASE), "--runs-dir", str(tmp_path), "-q")
    assert code == EXIT_TERMINATED == 143
    (failed,) = tmp_path.iterdir()
    assert failed.name.endswith(".failed")
    assert err.strip().splitlines() == [f"stopped by signal SIGTERM; the run is marked failed: {failed}"]
    manifest = json.loads((failed / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "interrupted"
    assert signal.getsignal(signal.SIGTERM) is not None  # the previous handler is back


@pytest.mark.unit
def test_solve_out_into_a_non_empty_folder_is_refused_before_solving(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    runs = tmp_path / "runs"
    code, _, err = _invoke("solve", str(TINY_CASE), "--out", str(out), "--runs-dir", str(runs), "-q")
    assert code == 2
    assert f"Invalid value for --out: {out} exists and is not empty" in err
    assert not runs.exists()  # refused before any run (or solve) started
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"


# --------------------------------------------------------------------------- run integrity


@pytest.fixture
def stored_run(tmp_path: Path) -> Path:
    case, sset = make_case(tmp_path)
    return write_run(
        FakeSolution(make_tables()), case_dir=case, scenarios_dir=sset, runs_dir=tmp_path / "runs"
    )


@pytest.mark.unit
def test_manifest_holds_the_sha256_of_every_table_and_stored_input(stored_run: Path) -> None:
    from bekostiging.runs.store import sha256_file

    manifest = json.loads((stored_run / "manifest.json").read_text(encoding="utf-8"))
    for name, meta in manifest["tables"].items():
        assert meta["sha256"] == sha256_file(stored_run / "tables" / f"{name}.csv")
    copy = stored_run / "inputs" / "case"
    for rel, digest in manifest["case"]["files"].items():
        assert sha256_file(copy / rel) == digest
    read_run(stored_run)  # an untouched run reads


def _alter_table(run: Path) -> None:
    path = run / "tables" / "levers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[-2] = "garbage"
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _alter_input(run: Path) -> None:
    path = run / "inputs" / "case" / "case.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("Synthetic", "Edited"), encoding="utf-8")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("alter", "named"), [(_alter_table, "tables/levers.csv"), (_alter_input, "inputs/case/case.toml")]
)
@pytest.mark.parametrize("command", ["show", "report", "compare", "rerun"])
def test_altered_run_is_refused_naming_the_file(stored_run: Path, alter, named: str, command: str) -> None:
    alter(stored_run)
    with pytest.raises(RunAlteredError, match=named):
        read_run(stored_run)
    args = [command, str(stored_run)]
    if command == "compare":
        args.append(str(stored_run))
    if command == "report":
        args += ["--format", "md", "--out", str(stored_run.parent / "annex")]
    code, out, err = _invoke(*args)
    assert code == 1
    assert f"run {stored_run.name} was altered after it was stored: {named}" in err
    assert "Traceback" not in err
    assert "garbage" not in out


@pytest.mark.unit
def test_added_or_removed_stored_input_is_named(stored_run: Path) -> None:
    (stored_run / "inputs" / "case" / "extra.csv").write_text("a\n1\n", encoding="utf-8")
    (stored_run / "inputs" / "case" / "mpp.csv").unlink()
    with pytest.raises(RunAlteredError) as info:
        read_run(stored_run)
    assert info.value.altered == ["inputs/case/extra.csv (added)", "inputs/case/mpp.csv (missing)"]


# --------------------------------------------------------------------------- escaping


@pytest.mark.unit
def test_markdown_annex_escapes_html(tmp_path: Path) -> None:
    """A ``<script>`` in the case description and a scenario description stays text in the .md annex."""
    script = "<script>alert(1)</script>"
    case, sset = make_case(tmp_path, description=script)
    tables = make_tables()
    tables["scenarios"] = tables["scenarios"].assign(description=[script, "<b>mid</b>", "a & b"])
    run = write_run(FakeSolution(tables), case_dir=case, scenarios_dir=sset, runs_dir=tmp_path / "runs")
    (md,) = write_report(read_run(run), ["md"], "en", tmp_path / "annex")
    text = md.read_text(encoding="utf-8")
    # the memo annex no longer prints the raw settings or the per-scenario descriptions (issue 11);
    # where the text appears it is escaped, and it never appears as markup
    assert "alert(1)" not in text.replace("&lt;script&gt;alert(1)&lt;/script&gt;", "")
    assert "<script>" not in text
    assert "<b>" not in text


@pytest.mark.unit
def test_markdown_renderer_escapes_every_block() -> None:
    from bekostiging.report.document import Document, Heading, Paragraph, Table
    from bekostiging.report.render import to_markdown

    bad = "<img src=x onerror=alert(1)>"
    doc = Document(
        title=bad,
        subtitle=bad,
        lang="en",
        blocks=(Heading(bad), Paragraph(bad), Table(bad, (bad,), ((bad,),), (False,))),
    )
    text = to_markdown(doc, Path("."), "x")
    assert "<img" not in text
    assert (
        text.count("&lt;img src=x onerror=alert(1)&gt;") == 7
    )  # title, subtitle, heading, text; table title, header, cell


@pytest.mark.unit
@pytest.mark.parametrize(
    ("option", "values"),
    [("--late-penalty", "100,1e30"), ("--funding-ratio", "1,1e6"), ("--late-penalty", "nan")],
)
def test_sweep_lists_keep_the_plausible_range(option: str, values: str, tmp_path: Path) -> None:
    code, _, err = _invoke("sweep", str(TINY_CASE), option, values, "--runs-dir", str(tmp_path))
    assert code == 2
    assert option in err
    assert "Traceback" not in err
