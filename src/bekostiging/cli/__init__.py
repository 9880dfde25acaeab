"""The ``bekostiging`` command: a thin layer over the library.

Each command group lives in its own module and is registered here. Library
errors become click exceptions with a message that says how to fix the input.
"""

from __future__ import annotations

import platform

import click

from bekostiging import __version__

EXIT_TERMINATED = 128 + 15  # the shell's code for a process ended by SIGTERM (143)
EXIT_FAILURE = 1


class _Main(click.Group):
    """The command group; errors from the environment end in one line, never a traceback.

    SIGTERM during a run (``runs.store.Terminated``) exits 143 with the failed run's
    folder; a run folder that cannot be written or read (``RunStoreError``) and a
    permission refused by the system exit 1 with the reason.
    """

    def invoke(self, ctx: click.Context) -> object:
        from bekostiging.runs.store import RunStoreError, Terminated

        try:
            return super().invoke(ctx)
        except Terminated as exc:
            kept = f"; the run is marked failed: {exc.run_path}" if exc.run_path is not None else ""
            click.echo(f"{exc}{kept}", err=True)
            ctx.exit(EXIT_TERMINATED)
        except RunStoreError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(EXIT_FAILURE)
        except PermissionError as exc:
            click.echo(f"Error: {exc.strerror or 'permission denied'}: {exc.filename}", err=True)
            ctx.exit(EXIT_FAILURE)
        return None  # pragma: no cover - ctx.exit raises


def version_line() -> str:
    """``bekostiging 0.1.0 (HiGHS 1.16.0, Pyomo 6.10.1, Python 3.11.7)``: what ``--version`` prints.

    The HiGHS version is the one compiled into highspy (its constants; creating a
    ``Highs`` object would print the HiGHS banner), Pyomo's is its own.
    """
    import importlib.metadata

    import highspy
    import pyomo.version

    parts = [getattr(highspy, f"HIGHS_VERSION_{part}", None) for part in ("MAJOR", "MINOR", "PATCH")]
    # An older highspy without the constants: its own release number (the HiGHS it wraps).
    highs = importlib.metadata.version("highspy") if None in parts else ".".join(str(p) for p in parts)
    return (
        f"bekostiging {__version__} "
        f"(HiGHS {highs}, Pyomo {pyomo.version.version}, Python {platform.python_version()})"
    )


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(version_line())
    ctx.exit()


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version of bekostiging, HiGHS and Pyomo and exit.",
)
def main() -> None:
    """Fund the asylum chain (IND, COA, DT&V, registration) under inflow uncertainty.

    Cases and scenario sets are folders of TOML and CSV files; see README.md.
    `bekostiging init DIR` starts a case of your own from the shipped default case.
    """


def _register() -> None:
    from bekostiging.cli import commands  # noqa: F401  (registers sub-commands)


_register()
