"""The ``bekostiging`` command: a thin layer over the library.

Each command group lives in its own module and is registered here. Library
errors become click exceptions with a message that says how to fix the input.
"""

from __future__ import annotations

import click

from bekostiging import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bekostiging")
def main() -> None:
    """Fund the asylum chain (IND, COA, DT&V, registration) under inflow uncertainty.

    Cases and scenario sets are folders of TOML and CSV files; see README.md.
    """


def _register() -> None:
    from bekostiging.cli import commands  # noqa: F401  (registers sub-commands)


_register()
