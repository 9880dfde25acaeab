"""Every command and sub-command answers ``--help`` with its own description (exit 0)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from bekostiging.cli import main

pytestmark = pytest.mark.unit


def _paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((*prefix, name))
        if isinstance(cmd, click.Group):
            out += _paths(cmd, (*prefix, name))
    return out


COMMANDS = _paths(main)


def test_the_documented_commands_exist() -> None:
    names = {p[0] for p in COMMANDS}
    for expected in (
        "validate",
        "case",
        "scenarios",
        "solve",
        "runs",
        "show",
        "rerun",
        "compare",
        "report",
        "value",
        "evaluate",
        "options",
        "sweep",
        "frontier",
    ):
        assert expected in names, expected


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    cmd = main
    for name in path:
        cmd = cmd.commands[name]  # type: ignore[attr-defined]
    assert (cmd.help or cmd.short_help or "").strip(), f"{' '.join(path)} has no help text"
