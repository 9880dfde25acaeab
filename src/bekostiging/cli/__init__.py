"""The ``bekostiging`` command: a thin layer over the library.

Each command group lives in its own module and is registered here. Library
errors become click exceptions with a message that says how to fix the input.
"""

from __future__ import annotations

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
            click.echo(f"stopped: {exc}{kept}", err=True)
            ctx.exit(EXIT_TERMINATED)
        except RunStoreError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(EXIT_FAILURE)
        except PermissionError as exc:
            click.echo(f"Error: {exc.strerror or 'permission denied'}: {exc.filename}", err=True)
            ctx.exit(EXIT_FAILURE)
        return None  # pragma: no cover - ctx.exit raises


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bekostiging")
def main() -> None:
    """Fund the asylum chain (IND, COA, DT&V, registration) under inflow uncertainty.

    Cases and scenario sets are folders of TOML and CSV files; see README.md.
    """


def _register() -> None:
    from bekostiging.cli import commands  # noqa: F401  (registers sub-commands)


_register()
