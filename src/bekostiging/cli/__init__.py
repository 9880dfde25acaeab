"""The ``bekostiging`` command: a thin layer over the library.

Each command group lives in its own module and is registered here. Library
errors become click exceptions with a message that says how to fix the input.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Sequence
from typing import Any

import click

from bekostiging import __version__

EXIT_TERMINATED = 128 + 15  # the shell's code for a process ended by SIGTERM (143)
EXIT_FAILURE = 1


class _Main(click.Group):
    """The command group; errors end in one line in the user's language, never a traceback.

    The language is read from the command line before click parses it
    (``bekostiging.messages.lang_from_args``: ``--lang``, else ``BEKOSTIGING_LANG``,
    else Dutch), so click's own usage errors speak it too (``cli/lang.py``).
    SIGTERM during a run (``runs.store.Terminated``) exits 143 with the failed run's
    folder; a run folder that cannot be written or read (``RunStoreError``) and a
    permission refused by the system exit 1 with the reason; input problems that
    a command did not catch itself exit 2 with one line each.
    """

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        from bekostiging.messages import lang_from_args, use_lang

        argv = sys.argv[1:] if args is None else list(args)
        with use_lang(lang_from_args(argv)):
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        from bekostiging.cli.lang import in_language

        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.ClickException as exc:
            raise in_language(exc) from exc

    def invoke(self, ctx: click.Context) -> object:
        from bekostiging.cli.lang import error_line, in_language
        from bekostiging.errors import InputErrors
        from bekostiging.messages import current_lang, localise
        from bekostiging.runs.store import RunStoreError, Terminated

        try:
            return super().invoke(ctx)
        except Terminated as exc:
            kept = f"; the run is marked failed: {exc.run_path}" if exc.run_path is not None else ""
            click.echo(localise(f"{exc}{kept}"), err=True)
            ctx.exit(EXIT_TERMINATED)
        except RunStoreError as exc:
            click.echo(error_line(str(exc), current_lang()), err=True)
            ctx.exit(EXIT_FAILURE)
        except PermissionError as exc:
            reason = f"{exc.strerror or 'permission denied'}: {exc.filename}"
            click.echo(error_line(reason, current_lang()), err=True)
            ctx.exit(EXIT_FAILURE)
        except InputErrors as exc:  # a command that did not catch them: the same lines, exit 2
            from bekostiging.cli.case import InputProblemsError

            raise InputProblemsError(exc.problems) from exc
        except click.ClickException as exc:
            raise in_language(exc) from exc
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
