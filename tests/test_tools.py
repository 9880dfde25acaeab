"""Tests that need an external program never pass silently in CI (issue 15).

``tests/tools.require_tool`` skips locally and fails under ``CI=true``; ``make tools`` (run by
``make test``) fails under ``CI=true`` when a program is missing and cannot be installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tools import TOOLS, Tool, find_tool, require_tool

REPO = Path(__file__).parents[1]
MISSING = Tool(("bekostiging-no-such-program",), "no-such-package", "this test")


@pytest.mark.unit
@pytest.mark.parametrize("ci", ["true", "TRUE"])
def test_a_missing_tool_fails_under_ci(monkeypatch: pytest.MonkeyPatch, ci: str):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="CI=true: bekostiging-no-such-program is not installed"):
        require_tool(MISSING)


@pytest.mark.unit
@pytest.mark.parametrize("ci", [None, "", "false"])
def test_a_missing_tool_skips_with_its_package_outside_ci(monkeypatch: pytest.MonkeyPatch, ci: str | None):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="Debian package no-such-package"):
        require_tool(MISSING)


@pytest.mark.unit
def test_a_present_tool_is_returned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    program = tmp_path / "bekostiging-fake-tool"
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", "true")
    assert require_tool(Tool(("absent", program.name), "pkg", "x")) == str(program)
    assert find_tool(MISSING) is None


def _make_tools(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    """``make tools`` with a PATH on which no program is found (no apt-get, no id: no install)."""
    make = shutil.which("make")
    assert make is not None, "make is needed: make test runs the suite"
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path)}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([make, "--no-print-directory", "-C", str(REPO), "tools"], env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip


@pytest.mark.unit
def test_make_tools_fails_under_ci_when_a_program_cannot_be_installed(tmp_path: Path):
    result = _make_tools(tmp_path, "true")
    assert result.returncode != 0
    for tool in TOOLS:
        needed = f"{tool.commands[0]} ({tool.package}) is missing and could not be installed; CI=true needs"
        assert needed in result.stderr


@pytest.mark.unit
def test_makefile_installs_the_tools_the_tests_require():
    line = next(x for x in (REPO / "Makefile").read_text().splitlines() if x.startswith("TOOLS :="))
    pairs = dict(item.split("=") for item in line.split(":=", 1)[1].split())
    assert pairs == {tool.commands[0]: tool.package for tool in TOOLS}


@pytest.mark.unit
def test_make_tools_only_warns_outside_ci(tmp_path: Path):
    result = _make_tools(tmp_path, None)
    assert result.returncode == 0, result.stderr
    for tool in TOOLS:
        assert f"{tool.commands[0]} ({tool.package}) is missing: its tests will be skipped" in result.stdout
