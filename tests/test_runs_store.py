"""Run folders: contents, manifest, atomic creation, concurrency, read-back.

Uses synthetic tables (``synthetic_runs``), not model output.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import threading
from pathlib import Path

import pandas as pd
import pytest

from bekostiging.runs import progress as progress_mod
from bekostiging.runs import store
from bekostiging.runs.store import (
    RunStoreError,
    find_run,
    list_runs,
    read_run,
    resolve_runs_dir,
    start_run,
    write_run,
)
from synthetic_runs import FakeOutcome, FakeSolution, make_case, make_tables

pytestmark = pytest.mark.unit

MANIFEST_KEYS = {
    "run_id",
    "name",
    "created",
    "command_line",
    "case",
    "scenarios",
    "solver",
    "seed",
    "status",
    "objective",
    "bound",
    "gap",
    "timings",
    "versions",
    "git",
    "tables",
}


def _write(tmp_path: Path, runs: Path, name: str = "base", **kw: object) -> Path:
    case, sset = make_case(tmp_path / f"in-{name}-{len(list(tmp_path.iterdir()))}")
    return write_run(
        FakeSolution(make_tables()),
        case_dir=case,
        scenarios_dir=sset,
        runs_dir=runs,
        name=name,
        command_line=["bekostiging", "solve", str(case)],
        solver_options={"mip_gap": 0.005, "time_limit": 600},
        seed=7,
        log_text="Running HiGHS 1.16.0\nOptimal\n",
        **kw,  # type: ignore[arg-type]
    )


def test_run_folder_contents_and_manifest_keys(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    path = _write(tmp_path, runs, name="Penalty High!")
    assert store.parse_run_id(path.name) is not None
    assert path.name.split("-")[2:4] == ["penalty", "high"]
    manifest = json.loads((path / "manifest.json").read_text())
    assert set(manifest) >= MANIFEST_KEYS
    assert manifest["status"] == "optimal"
    assert manifest["objective"] == pytest.approx(1.5e9)
    assert manifest["seed"] == 7
    assert manifest["solver"] == {
        "name": "HiGHS",
        "version": "1.16.0",
        "options": {"mip_gap": 0.005, "time_limit": 600},
    }
    assert set(manifest["case"]["files"]) == {"case.toml", "mpp.csv", "locations.csv", "SOURCES.md"}
    assert manifest["case"]["files"]["case.toml"] == store.sha256_file(path / "inputs/case/case.toml")
    assert manifest["scenarios"]["name"] == "mpp"
    assert manifest["scenarios"]["count"] == 3
    assert len(manifest["scenarios"]["sha256"]) == 64
    for pkg in ("python", "pyomo", "highspy", "pandas", "pydantic", "bekostiging"):
        assert manifest["versions"][pkg]
    assert (path / "inputs/case/scenarios/mpp/inflow.csv").is_file()
    assert (path / "solver.log").read_text().startswith("Running HiGHS")
    assert sorted(p.stem for p in (path / "tables").glob("*.csv")) == sorted(make_tables())
    assert not list(runs.glob(".tmp-*"))


def test_read_run_round_trips_tables(tmp_path: Path) -> None:
    path = _write(tmp_path, tmp_path / "runs")
    record = read_run(path)
    original = make_tables()
    for name, frame in original.items():
        back = record.tables[name]
        assert list(back.columns) == list(frame.columns)
        pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    # empty text cells stay empty strings (yearly plan items have no period)
    assert (record.tables["plan"].query("lever == 'asielreserve_eur'")["period"] == "").all()
    assert record.manifest.status == "optimal"
    assert record.scenario_set == "mpp"


def test_failure_mid_write_leaves_only_a_failed_folder(tmp_path: Path, monkeypatch) -> None:
    runs = tmp_path / "runs"
    case, sset = make_case(tmp_path)
    calls = {"n": 0}
    real_to_csv = pd.DataFrame.to_csv

    def failing_to_csv(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full (injected)")
        return real_to_csv(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", failing_to_csv)
    with pytest.raises(OSError, match="injected"):
        write_run(FakeSolution(make_tables()), case_dir=case, scenarios_dir=sset, runs_dir=runs, name="x")
    children = sorted(p.name for p in runs.iterdir())
    assert len(children) == 1
    assert children[0].endswith(".failed")
    failed = runs / children[0]
    assert "disk full" in (failed / "error.txt").read_text()
    assert json.loads((failed / "manifest.json").read_text())["status"] == "failed"
    assert list_runs(runs, include_failed=False) == []


def test_ctrl_c_during_solve_keeps_log_in_failed_folder(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    with pytest.raises(KeyboardInterrupt), start_run(runs, "interrupted") as run:
        run.log_path.write_text("HiGHS: presolving\n")
        raise KeyboardInterrupt
    assert run.final_path is not None
    assert run.final_path.name.endswith(".failed")
    assert (run.final_path / "solver.log").read_text() == "HiGHS: presolving\n"
    [manifest] = list_runs(runs)
    assert manifest.status == "interrupted"


def test_failed_run_can_be_removed_instead(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    with pytest.raises(RuntimeError), start_run(runs, "gone", keep_failed=False):
        raise RuntimeError("solver crashed")
    assert list(runs.iterdir()) == []


def test_block_without_finish_is_not_a_success(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    with pytest.raises(RunStoreError, match="without finish"), start_run(runs, "empty"):
        pass
    assert [p.name.endswith(".failed") for p in runs.iterdir()] == [True]


def test_solve_without_plan_is_stored_as_failed(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    case, sset = make_case(tmp_path)
    outcome = FakeOutcome(status="infeasible", objective=None, bound=None, gap=None)
    path = write_run(FakeSolution({}, outcome=outcome), case_dir=case, scenarios_dir=sset, runs_dir=runs)
    assert path.name.endswith(".failed")
    assert "infeasible" in (path / "error.txt").read_text()
    assert read_run(path).failed


def test_never_overwrites_an_existing_folder(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "user-file.txt").write_text("mine")
    src = tmp_path / "src"
    src.mkdir()
    with pytest.raises(RunStoreError, match="already exists"):
        store._publish(src, target)
    assert (target / "user-file.txt").read_text() == "mine"
    assert src.is_dir()


def test_concurrent_writers_with_colliding_ids_never_share_a_folder(tmp_path: Path, monkeypatch) -> None:
    """Every writer first draws the SAME id; exclusive mkdir forces all but one to draw again."""
    runs = tmp_path / "runs"
    inputs = [make_case(tmp_path / f"in{i}") for i in range(6)]
    lock = threading.Lock()
    drawn: list[str] = []
    real_new_id = store.new_run_id

    def colliding_id(name: str, now=None) -> str:
        with lock:
            first_draw = name not in drawn or drawn.count(name) < len(inputs)
            drawn.append(name)
        return "20260101-000000-same-aaaaaa" if first_draw else real_new_id(name, now)

    monkeypatch.setattr(store, "new_run_id", colliding_id)
    barrier = threading.Barrier(len(inputs))
    results: list[Path] = []
    errors: list[BaseException] = []

    def work(i: int) -> None:
        case, sset = inputs[i]
        barrier.wait()
        try:
            results.append(
                write_run(
                    FakeSolution(make_tables(flexpool_fte=float(i))),
                    case_dir=case,
                    scenarios_dir=sset,
                    runs_dir=runs,
                    name="same",
                )
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({p.name for p in results}) == len(inputs)
    flexpools = sorted(
        read_run(p).tables["levers"].set_index("lever").loc["flexpool_fte", "value"] for p in results
    )
    assert flexpools == [float(i) for i in range(len(inputs))]
    assert not list(runs.glob(".tmp-*"))


def _process_writer(args: tuple[str, str, int]) -> str:
    root, runs, i = args
    case, sset = make_case(Path(root) / f"p{i}")
    return write_run(
        FakeSolution(make_tables()), case_dir=case, scenarios_dir=sset, runs_dir=Path(runs), name="par"
    ).name


def test_concurrent_processes_into_one_runs_folder(tmp_path: Path) -> None:
    n = 4
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(n) as pool:
        names = pool.map(_process_writer, [(str(tmp_path), str(tmp_path / "runs"), i) for i in range(n)])
    assert len(set(names)) == n
    assert len(list_runs(tmp_path / "runs")) == n


def test_runs_dir_resolution(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv(store.RUNS_DIR_ENV, raising=False)
    assert resolve_runs_dir(None) == Path("runs")
    monkeypatch.setenv(store.RUNS_DIR_ENV, str(tmp_path / "env"))
    assert resolve_runs_dir(None) == tmp_path / "env"
    assert resolve_runs_dir(tmp_path / "opt") == tmp_path / "opt"


def test_find_run_by_prefix_and_suffix(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    path = _write(tmp_path, runs)
    assert find_run(path.name, runs) == path
    assert find_run(path.name[-6:], runs) == path
    assert find_run(str(path), tmp_path / "nowhere") == path
    with pytest.raises(RunStoreError, match="no run"):
        find_run("zzzzzz", runs)


def test_find_run_by_its_name_takes_the_newest(tmp_path: Path) -> None:
    """``show voorjaar-2027`` finds the run solved with ``--name "Voorjaar 2027"``; of two runs
    with that name the newer (ids start with the time); another name is not matched."""
    runs = tmp_path / "runs"
    older = _write(tmp_path, runs, name="Voorjaar 2027")
    renamed = runs / ("20200101-000000-" + older.name.split("-", 2)[2])
    older.rename(renamed)
    newer = _write(tmp_path, runs, name="Voorjaar 2027")
    _write(tmp_path, runs, name="najaar")
    assert find_run("voorjaar-2027", runs) == newer
    assert find_run("Voorjaar 2027", runs) == newer
    assert find_run("najaar", runs).name.split("-")[2] == "najaar"
    with pytest.raises(RunStoreError, match="no run"):
        find_run("voorjaar", runs)  # a part of a name is not a name (nor a prefix or suffix)


def test_damaged_manifest_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, tmp_path / "runs")
    (path / "manifest.json").write_text("{not json")
    with pytest.raises(RunStoreError, match="not valid JSON"):
        read_run(path)


def test_progress_plain_lines_and_quiet() -> None:
    now = {"t": 0.0}
    out = io.StringIO()
    p = progress_mod.Progress(out, is_tty=False, clock=lambda: now["t"], plain_interval=10.0)
    p.update(phase="building")
    now["t"] = 1.0
    p.update(phase="solving", incumbent=2.5e9, bound=2.4e9, gap=0.04)
    now["t"] = 2.0
    p.update(incumbent=2.45e9)  # within the interval: no new line
    now["t"] = 75.0
    p.update(gap=0.01)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("building")
    assert "incumbent €2,500.0m" in lines[1] and "gap 4.00%" in lines[1]
    assert "1:15" in lines[2] and "gap 1.00%" in lines[2]
    quiet = io.StringIO()
    q = progress_mod.Progress(quiet, progress_mod.Verbosity.QUIET, is_tty=False)
    q.update(phase="solving")
    q.note("detail")
    assert quiet.getvalue() == ""


def test_progress_speaks_dutch_when_asked() -> None:
    """``lang="nl"``: phase, labels and amounts in Dutch (the CLI's default); English unchanged."""
    out = io.StringIO()
    p = progress_mod.Progress(out, is_tty=False, clock=lambda: 0.0, lang="nl")
    p.update(phase="solving", incumbent=2.5e9, bound=2.4e9, gap=0.04)
    p.update(phase="MPP baseline")
    solving, baseline = out.getvalue().splitlines()
    assert solving.startswith("oplossen")
    assert "plan € 2.500,0 mln" in solving and "ondergrens € 2.400,0 mln" in solving
    assert "marge 4,00%" in solving
    assert "incumbent" not in solving and "gap" not in solving
    assert baseline.startswith("MPP-basisrun")
    english = io.StringIO()
    in_english = progress_mod.Progress(english, is_tty=False, clock=lambda: 0.0, lang="en")
    in_english.update(phase="solving", gap=0.04)
    assert english.getvalue().startswith("solving") and "gap 4.00%" in english.getvalue()


def test_progress_in_place_on_a_terminal() -> None:
    out = io.StringIO()
    p = progress_mod.Progress(out, is_tty=True, clock=lambda: 0.0)
    p.update(phase="building")
    p.update(phase="solving", gap=0.5)
    p.close("done")
    text = out.getvalue()
    assert text.count("\r") == 2
    assert text.count("\n") == 2  # the in-place line ends once, then the final message
    assert text.endswith("done\n")


TINY_CASE = Path(__file__).parent / "fixtures" / "tiny-case"


@pytest.mark.solver
def test_rerun_reports_match_and_mismatch(tmp_path: Path) -> None:
    """A real solve of the tiny case, re-solved from its stored inputs: objective and plan match.

    Then the stored objective is altered by hand: ``rerun`` must say DIFFERENT and exit 1.
    """
    import json

    from click.testing import CliRunner

    from bekostiging.cli import main

    runs = tmp_path / "runs"
    solved = CliRunner().invoke(
        main,
        ["solve", str(TINY_CASE), "--scenarios", "two", "--runs-dir", str(runs), "--seed", "7", "-q"],
    )
    assert solved.exit_code == 0, solved.output
    (path,) = [p for p in runs.iterdir() if not p.name.startswith(".")]
    same = CliRunner().invoke(main, ["rerun", path.name, "--runs-dir", str(runs), "--quiet"])
    assert same.exit_code == 0, same.output
    assert "→ gelijk" in same.output and "plan: gelijk" in same.output  # Dutch by default
    assert "→ match" not in same.output
    assert len(list_runs(runs)) == 2  # the re-solve is stored as a run of its own
    rerun_manifest = next(m for m in list_runs(runs) if m.name.endswith("-rerun"))
    assert rerun_manifest.raw["seed"] == 7  # solved with the stored seed

    manifest_file = path / "manifest.json"
    raw = json.loads(manifest_file.read_text())
    raw["objective"] = raw["objective"] * 1.5
    manifest_file.write_text(json.dumps(raw))
    differ = CliRunner().invoke(main, ["rerun", path.name, "--runs-dir", str(runs), "--quiet"])
    assert differ.exit_code == 1
    assert "ANDERS" in differ.output
    english = CliRunner().invoke(main, ["rerun", path.name, "--runs-dir", str(runs), "-q", "--lang", "en"])
    assert english.exit_code == 1
    assert "DIFFERENT" in english.output and "stored the re-solve as" in english.output


def test_sigterm_during_a_run_marks_it_interrupted(tmp_path: Path) -> None:
    import os
    import signal

    runs = tmp_path / "runs"
    with pytest.raises(store.Terminated), start_run(runs, "killed") as run:
        run.log_path.write_text("solving\n")
        os.kill(os.getpid(), signal.SIGTERM)
    assert run.final_path is not None and run.final_path.name.endswith(".failed")
    assert "SIGTERM" in (run.final_path / "error.txt").read_text()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is restored
