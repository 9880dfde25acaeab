"""Packaging (issue 14): shipped data through importlib.resources, ``init``, preset resolution, ``--version``.

The wheel itself is tried outside the checkout by ``.ci/wheel-check`` (a step of ``make test``);
these tests cover what can be checked in-process, and that the CI step is wired in.
"""

from __future__ import annotations

import filecmp
import importlib.metadata
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner

from bekostiging import __version__
from bekostiging.cli import main
from bekostiging.policies import ALL_PRESETS, STATUS_QUO, available_presets, policy_for, resolve_policy
from bekostiging.schema import Policy
from bekostiging.shipped import (
    DEFAULT_CASE_NAME,
    data_root,
    default_case_dir,
    is_shipped,
    shipped_policies_dir,
)

REPO = Path(__file__).resolve().parents[1]
TINY = Path(__file__).parent / "fixtures" / "tiny-case"
EXIT_INPUT = 2
CASE_FILES = ("case.toml", "series.csv", "locations.csv", "mpp.csv", "initial_stocks.csv", "seasonality.csv")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _files_under(root: Path) -> set[str]:
    found = (p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return {p.relative_to(root).as_posix() for p in found}


# --------------------------------------------------------------------------- shipped data


@pytest.mark.unit
def test_the_shipped_data_is_found_through_importlib_resources() -> None:
    root = files("bekostiging") / "data"
    assert root.is_dir()
    case = root / DEFAULT_CASE_NAME
    for name in (*CASE_FILES, "SOURCES.md"):
        assert (case / name).is_file(), name
    assert (case / "scenarios" / "mpp" / "inflow.csv").is_file()
    for preset in ALL_PRESETS:
        assert (root / "policies" / f"{preset}.toml").is_file(), preset
    assert default_case_dir() == data_root() / DEFAULT_CASE_NAME
    assert shipped_policies_dir() == data_root() / "policies"


@pytest.mark.unit
def test_the_package_ships_the_whole_repository_data_folder() -> None:
    """Everything in data/ (the default case, presets, and whatever lands later: history/) ships."""
    assert _files_under(REPO / "data") == _files_under(data_root())
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "data/**/*" in config["tool"]["setuptools"]["package-data"]["bekostiging"]


@pytest.mark.unit
def test_is_shipped_tells_the_shipped_case_from_a_copy(tmp_path: Path) -> None:
    assert is_shipped(default_case_dir())
    assert not is_shipped(TINY)
    assert not is_shipped(tmp_path)


@pytest.mark.unit
def test_validate_without_a_case_checks_the_shipped_default_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no data/ here
    code, out, err = run("validate")
    assert code == 0, err
    first = out.splitlines()[0]
    assert first.startswith(f"Casus: {DEFAULT_CASE_NAME} — meegeleverde standaardcasus: ")
    assert first.endswith(str(default_case_dir()))
    assert out.rstrip().endswith("OK: geen problemen gevonden.")  # Dutch by default, to the last line
    code, out, err = run("validate", "--lang", "en")
    assert code == 0, err
    assert out.rstrip().endswith("OK: no problems found.")


@pytest.mark.unit
def test_validate_names_a_case_folder_given(tmp_path: Path) -> None:
    code, out, _ = run("validate", TINY)
    assert code == 0
    assert out.splitlines()[0] == f"Casus: tiny — map: {TINY}"


@pytest.mark.solver
def test_solve_without_a_case_runs_the_shipped_default_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("solve", "--lang", "en", "-q", "--name", "shipped")
    assert code == 0, err
    shipped = f"Case: {DEFAULT_CASE_NAME} — the shipped default case: {default_case_dir()}"
    assert out.splitlines()[0] == shipped
    assert "Scenario set 'mpp'" in out
    (run_dir,) = (tmp_path / "runs").iterdir()  # stored where it was called from
    assert (run_dir / "manifest.json").is_file()


# --------------------------------------------------------------------------- version


@pytest.mark.unit
def test_version_prints_bekostiging_highs_and_pyomo() -> None:
    import highspy
    import pyomo.version

    code, out, _ = run("--version")
    assert code == 0
    highs = f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH}"
    assert out.startswith(f"bekostiging {__version__} (")
    assert f"HiGHS {highs}" in out
    assert f"Pyomo {pyomo.version.version}" in out


@pytest.mark.unit
def test_the_version_has_one_source() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in config["project"]
    assert "version" in config["project"]["dynamic"]
    assert config["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "bekostiging.__version__"}
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog


@pytest.mark.unit
def test_run_manifests_record_the_source_version() -> None:
    from bekostiging.runs.store import package_versions

    assert package_versions()["bekostiging"] == __version__
    assert package_versions()["pyomo"] == importlib.metadata.version("pyomo")


# --------------------------------------------------------------------------- init


@pytest.mark.unit
def test_init_copies_the_default_case_scenarios_and_presets(tmp_path: Path) -> None:
    target = tmp_path / "mijn-casus"
    code, out, err = run("init", target)
    assert code == 0, err
    shipped = default_case_dir()
    copied = _files_under(target)
    assert _files_under(shipped) <= copied
    for rel in _files_under(shipped):
        assert filecmp.cmp(shipped / rel, target / rel, shallow=False), rel
    for preset in ALL_PRESETS:
        assert filecmp.cmp(
            shipped_policies_dir() / f"{preset}.toml", target / "policies" / f"{preset}.toml", shallow=False
        )
    assert {"mpp", "hist-50", "hist-200"} <= {p.name for p in (target / "scenarios").iterdir()}
    readme = (target / "README.md").read_text(encoding="utf-8")
    assert f"bekostiging validate {target.as_posix()}" in readme
    assert "Wat u aanpast" in readme and "case.toml" in readme and "SOURCES.md" in readme
    assert "$" not in readme.replace("```", "")  # every placeholder filled
    assert f"Controleer met: bekostiging validate {target}" in out


@pytest.mark.unit
def test_the_copy_validates_and_is_named_as_a_folder(tmp_path: Path) -> None:
    target = tmp_path / "eigen"
    assert run("init", target)[0] == 0
    code, out, err = run("validate", target, "--scenarios", "hist-50")
    assert code == 0, err
    assert out.splitlines()[0] == f"Casus: {DEFAULT_CASE_NAME} — map: {target}"
    assert "Scenarioset hist-50: 50 scenario's" in out  # Dutch by default
    code, out, err = run("validate", target, "--scenarios", "hist-50", "--lang", "en")
    assert code == 0, err
    assert "Scenario set hist-50: 50 scenarios" in out


@pytest.mark.unit
def test_init_into_an_existing_empty_folder_and_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "leeg"
    empty.mkdir()
    assert run("init", empty)[0] == 0
    assert (empty / "case.toml").is_file()
    here = tmp_path / "hier"
    here.mkdir()
    monkeypatch.chdir(here)
    code, out, _ = run("init", "--lang", "en")
    assert code == 0
    assert (here / "policies" / f"{STATUS_QUO}.toml").is_file()
    assert out.startswith("New case in .")


@pytest.mark.unit
def test_init_refuses_a_folder_that_is_not_empty_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "bezet"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = run("init", target)
    assert code == EXIT_INPUT
    assert f"{target} bestaat al en is geen lege map" in err
    assert "Traceback" not in err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    a_file = tmp_path / "bestand"
    a_file.write_text("x", encoding="utf-8")
    code, _, err = run("init", a_file, "--lang", "en")
    assert code == EXIT_INPUT and "exists and is not an empty folder" in err


# --------------------------------------------------------------------------- preset resolution


def _preset(folder: Path, name: str, label: str, **extra: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["[policy]", f'name = "{label}"', *(f"{k} = {v}" for k, v in extra.items())]
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.unit
def test_preset_names_resolve_policies_option_then_case_then_shipped(tmp_path: Path) -> None:
    case_dir, option_dir = tmp_path / "case", tmp_path / "mine"
    default = Policy(name="case-own")
    shipped = shipped_policies_dir() / "flexpool.toml"
    assert resolve_policy("flexpool", case_dir) == shipped
    _preset(case_dir / "policies", "flexpool", "from-case")
    assert resolve_policy("flexpool", case_dir) == case_dir / "policies" / "flexpool.toml"
    _preset(option_dir, "flexpool", "from-option")
    assert resolve_policy("flexpool", case_dir, option_dir) == option_dir / "flexpool.toml"
    assert policy_for("flexpool", case_dir, default, option_dir).name == "from-option"
    assert policy_for("flexpool", case_dir, default).name == "from-case"
    assert policy_for("asielreserve", case_dir, default, option_dir).name == "asielreserve"  # shipped
    assert policy_for(None, case_dir, default, option_dir) is default
    # a path to a file is that file, whatever folders exist
    direct = _preset(tmp_path / "elsewhere", "flexpool", "direct")
    assert policy_for(str(direct), case_dir, default, option_dir).name == "direct"
    # a run's stored copy first, then its original case folder
    copy_dir = tmp_path / "run-copy"
    assert policy_for("flexpool", (copy_dir, case_dir), default).name == "from-case"


@pytest.mark.unit
def test_an_unknown_preset_lists_every_name_and_the_folders_searched(tmp_path: Path) -> None:
    from bekostiging.errors import InputErrors

    option_dir = tmp_path / "mine"
    _preset(option_dir, "eigen-plan", "eigen-plan")
    with pytest.raises(InputErrors) as caught:
        resolve_policy("bestaat-niet", TINY, option_dir)
    (problem,) = caught.value.problems
    assert "eigen-plan" in problem.allowed and STATUS_QUO in problem.allowed
    assert str(option_dir) in problem.allowed and str(shipped_policies_dir()) in problem.allowed
    assert available_presets(TINY, option_dir) == [*ALL_PRESETS, "eigen-plan"]
    assert available_presets(TINY) == list(ALL_PRESETS)


@pytest.mark.unit
def test_solve_passes_policies_and_the_case_folder_to_the_resolution(tmp_path: Path) -> None:
    """A broken preset of the same name shows which file solve picked (exit 2 before any solving)."""
    option_dir = tmp_path / "mine"
    bad = _preset(option_dir, "flexpool", "kapot", funding_ratio_min="-1")
    code, _, err = run("solve", TINY, "--scenarios", "two", "--policy", "flexpool", "--policies", option_dir)
    assert code == EXIT_INPUT
    assert str(bad) in err and "Traceback" not in err
    case_dir = tmp_path / "case"
    code, _, _ = run("init", case_dir)
    assert code == 0
    own = _preset(case_dir / "policies", "combinatie", "kapot", funding_ratio_min="-1")
    code, _, err = run("solve", case_dir, "--policy", "combinatie", "--runs-dir", tmp_path / "runs")
    assert code == EXIT_INPUT
    assert str(own) in err


@pytest.mark.unit
def test_no_source_tree_or_working_directory_paths_to_the_shipped_data() -> None:
    """Shipped data is reached through bekostiging.shipped (default_case_dir, shipped_path, history_dir)."""
    package = REPO / "src" / "bekostiging"
    for path in package.rglob("*.py"):
        if "data" in path.relative_to(package).parts:
            continue
        text = path.read_text(encoding="utf-8")
        for bad in ("SHIPPED_POLICY_CASES", "parents[3]", 'Path("data', "Path('data"):
            assert bad not in text, f"{path}: {bad!r}; use bekostiging.shipped instead"


# --------------------------------------------------------------------------- CI wiring


@pytest.mark.unit
def test_make_test_runs_the_wheel_check_and_ci_runs_make_test() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert [line for line in ci.splitlines() if line and not line.startswith("#")][-1] == "make test"
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert ".ci/wheel-check" in recipe
    assert recipe.index("pytest") < recipe.index(".ci/wheel-check")
    script = REPO / ".ci" / "wheel-check"
    assert script.stat().st_mode & 0o111  # executable
    text = script.read_text(encoding="utf-8")
    for step in ("-m build", "-m venv", "--version", "validate", "solve", "init"):
        assert step in text, step
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(req.startswith("build") for req in config["project"]["optional-dependencies"]["dev"])


@pytest.mark.solver
def test_the_run_records_which_preset_file_won(tmp_path: Path) -> None:
    import json

    option_dir = tmp_path / "mine"
    option_dir.mkdir()
    preset = option_dir / "flexpool.toml"
    text = (shipped_policies_dir() / "flexpool.toml").read_text(encoding="utf-8")
    preset.write_text(text.replace('name = "flexpool"', 'name = "flexpool-eigen"'), encoding="utf-8")
    runs = tmp_path / "runs"
    args = ["solve", TINY, "--scenarios", "two", "-q", "--runs-dir", runs, "--policy", "flexpool"]
    code, out, err = run(*args, "--policies", option_dir)
    assert code == 0, err
    assert "Beleid: flexpool-eigen" in out
    code, out, err = run(*args)
    assert code == 0, err
    assert "Beleid: flexpool\n" in out
    files_used = {}
    for run_dir in runs.iterdir():
        settings = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))["settings"]
        files_used[settings["policy"]["name"]] = settings["policy_file"]
    assert files_used == {
        "flexpool-eigen": str(preset),
        "flexpool": str(shipped_policies_dir() / "flexpool.toml"),
    }
